/**
 * The import graph of src/ keeps two rules:
 *   1. no import cycle: modules can be read, tested and moved one at a time;
 *   2. storage depends on no domain module: nothing under src/storage/ imports from src/apis,
 *      src/groups, src/topics, src/fetch or src/server (the domain calls storage, never the reverse).
 * Every import counts, `import type` included: a cycle through types still ties the modules together,
 * and a storage module that needs a domain type has its layering backwards all the same.
 *
 * The graph comes from the TypeScript compiler (its API in the installed `typescript` package: the
 * source files' import specifiers, as the compiler parsed them); relative specifiers are resolved as
 * NodeNext resolves them here (`./x.js` is `./x.ts`), packages and `node:` modules are left out.
 * Not dependency-cruiser or madge: both read TypeScript through the classic compiler API, which the
 * TypeScript 7 we build with no longer has (and dependency-cruiser 18 needs Node 22).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { API } from 'typescript/unstable/sync';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DOMAIN_DIRS = ['src/apis', 'src/groups', 'src/topics', 'src/fetch', 'src/server'];

interface ImportEdge {
  /** Repository-relative paths. */
  from: string;
  to: string;
  /** 1-based line of the module specifier in `from`. */
  line: number;
}

/** Every import between files of src/, read from the TypeScript program of tsconfig.json. */
function importGraph(): ImportEdge[] {
  const api = new API({ cwd: ROOT });
  try {
    const project = api.updateSnapshot({ openProject: path.join(ROOT, 'tsconfig.json') }).getProjects()[0];
    if (!project) throw new Error('tsconfig.json gave no TypeScript project');
    const srcFiles = project.program.getSourceFileNames().filter((f) => path.relative(ROOT, f).startsWith(`src${path.sep}`));
    const edges: ImportEdge[] = [];
    for (const file of srcFiles) {
      const source = project.program.getSourceFile(file);
      if (!source) throw new Error(`the TypeScript program has no source for ${file}`);
      const text = source.text;
      for (const specifier of source.imports) {
        const name = (specifier as unknown as { text: string }).text;
        if (!name.startsWith('.')) continue; // a package or a node: built-in
        const target = resolveRelative(file, name);
        edges.push({ from: path.relative(ROOT, file), to: path.relative(ROOT, target), line: lineOf(text, specifier.pos) });
      }
    }
    return edges;
  } finally {
    api.close();
  }
}

/** `./x.js` → `./x.ts` as NodeNext maps an emitted path to its source; an unresolvable import is an error. */
function resolveRelative(fromFile: string, specifier: string): string {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base.replace(/\.mjs$/, '.mts'), base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (existsSync(candidate) && !candidate.endsWith(path.sep)) return candidate;
  }
  throw new Error(`${path.relative(ROOT, fromFile)}: cannot resolve ${specifier}`);
}

function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  // `pos` is where the specifier's leading trivia starts: count the line breaks inside it too
  while (pos < text.length && /\s/.test(text[pos]!)) if (text.charCodeAt(pos++) === 10) line++;
  return line;
}

/**
 * The import cycles of a graph: one per strongly connected component that has a cycle (Tarjan's
 * algorithm), each given as the shortest cycle through the component's first module in sort order,
 * e.g. ['a.ts', 'b.ts', 'a.ts'].
 */
function importCycles(edges: readonly Pick<ImportEdge, 'from' | 'to'>[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const { from, to } of edges) {
    if (!next.has(from)) next.set(from, new Set());
    if (!next.has(to)) next.set(to, new Set());
    next.get(from)!.add(to);
  }
  const nodes = [...next.keys()].sort();
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let counter = 0;
  // Iterative, so a long chain of imports cannot overflow the call stack.
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; targets: string[]; i: number }[] = [];
    const visit = (node: string) => {
      index.set(node, counter);
      low.set(node, counter++);
      stack.push(node);
      onStack.add(node);
      work.push({ node, targets: [...next.get(node)!].sort(), i: 0 });
    };
    visit(start);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.targets.length) {
        const target = frame.targets[frame.i++]!;
        if (!index.has(target)) visit(target);
        else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(target)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        const selfImport = component.length === 1 && next.get(frame.node)!.has(frame.node);
        if (component.length > 1 || selfImport) components.push(component.sort());
      }
    }
  }
  return components.sort((a, b) => a[0]!.localeCompare(b[0]!)).map((component) => shortestCycle(component, next));
}

/** Breadth-first from the component's first module back to it, staying inside the component. */
function shortestCycle(component: string[], next: Map<string, Set<string>>): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const target of [...next.get(node)!].sort()) {
      if (!inside.has(target)) continue;
      if (target === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = cameFrom.get(at)) path.unshift(at);
        return [start, ...path];
      }
      if (!cameFrom.has(target)) {
        cameFrom.set(target, node);
        queue.push(target);
      }
    }
  }
  return component; // not reached: every component with more than one module has a cycle through each member
}

const under = (file: string, dir: string) => file === dir || file.startsWith(`${dir}/`);

describe('import graph of src/', () => {
  let edges: ImportEdge[];
  beforeAll(() => {
    edges = importGraph();
  }, 60_000);

  it('is read from the compiler: every src/ module and its relative imports', () => {
    // Guards the rules below against an empty graph (they would pass trivially).
    const files = new Set(edges.flatMap((e) => [e.from, e.to]));
    expect(files.size).toBeGreaterThan(100);
    expect(edges).toContainEqual(expect.objectContaining({ from: 'src/protocol/protocol.ts', to: 'src/protocol/codec.ts' }));
    // dynamic import() counts too
    expect(edges).toContainEqual(expect.objectContaining({ from: 'src/bench/command.ts', to: 'src/bench/bench.ts' }));
  });

  it('has no import cycle (type-only imports included)', () => {
    const cycles = importCycles(edges).map((cycle) => cycle.join(' -> '));
    expect(cycles).toEqual([]);
  });

  it(`storage imports no domain module (${DOMAIN_DIRS.join(', ')})`, () => {
    const violations = edges
      .filter((e) => under(e.from, 'src/storage') && DOMAIN_DIRS.some((dir) => under(e.to, dir)))
      .map((e) => `${e.from}:${e.line} imports ${e.to}`);
    expect(violations).toEqual([]);
  });
});

describe('importCycles (self-check on small graphs)', () => {
  const graph = (...pairs: string[]) => pairs.map((p) => {
    const [from, to] = p.split('>');
    return { from: from!, to: to! };
  });

  it('finds none in a graph without cycles', () => {
    expect(importCycles(graph('a>b', 'b>c', 'a>c'))).toEqual([]);
  });

  it('finds a two-module cycle, a self-import and a longer cycle, once each, as shortest paths', () => {
    expect(importCycles(graph('a>b', 'b>a', 's>s', 'x>y', 'y>z', 'z>x', 'z>y', 'q>x'))).toEqual([
      ['a', 'b', 'a'],
      ['s', 's'],
      ['x', 'y', 'z', 'x'],
    ]);
  });
});
