/**
 * Runs bench/loadgen.py (confluent-kafka, i.e. librdkafka) in its own processes and speaks its JSON-lines
 * protocol: "ready", then "go" from us, "progress" now and then, and one "result" (or "error").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The repository root: where package.json, bench/ and compat/ are (dist/bench or src/bench is two below). */
export const PACKAGE_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const LOADGEN_SCRIPT = path.join(PACKAGE_ROOT, 'bench', 'loadgen.py');

export function kpgCache(): string {
  return process.env.KPG_CACHE || path.join(os.homedir(), '.cache', 'kpg');
}

/** The Python of the venv that compat/install.sh (via bench/install.sh) fills with confluent-kafka. */
export function loadgenPython(): string {
  return process.env.KPG_BENCH_PYTHON || path.join(kpgCache(), 'venv', 'bin', 'python');
}

export function loadgenAvailable(): boolean {
  return existsSync(loadgenPython());
}

/** "confluent-kafka X (librdkafka Y)" as recorded by compat/install.sh, if present. */
export function loadgenVersion(): string {
  try {
    return `confluent-kafka ${readFileSync(path.join(kpgCache(), 'versions', 'confluent-kafka'), 'utf8').trim()}`;
  } catch {
    return 'confluent-kafka (version unknown)';
  }
}

/** A promise with its settle functions; settling twice is a no-op, as with any promise. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: Error) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Either may be awaited alone: the other's rejection must not surface as unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export interface LoadgenEvent {
  event: string;
  [field: string]: unknown;
}

export class LoadgenError extends Error {
  override name = 'LoadgenError';
}

const STDERR_TAIL = 20;

export class Loadgen {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  readonly result: Promise<LoadgenEvent>;
  private readonly stderrTail: string[] = [];
  private readonly listeners: ((e: LoadgenEvent) => void)[] = [];
  private exited = false;

  constructor(readonly mode: string, config: object) {
    if (!loadgenAvailable()) {
      throw new LoadgenError(`the load generator's Python (${loadgenPython()}) is missing: run bench/install.sh`);
    }
    this.child = spawn(loadgenPython(), [LOADGEN_SCRIPT, mode, JSON.stringify(config)], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1' },
    });
    this.child.stdin!.on('error', () => undefined); // the process may exit before reading everything
    createInterface({ input: this.child.stderr! }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > STDERR_TAIL) this.stderrTail.shift();
    });
    const ready = deferred<void>();
    const result = deferred<LoadgenEvent>();
    const fail = (err: Error): void => {
      ready.reject(err);
      result.reject(err);
    };
    this.ready = ready.promise;
    this.result = result.promise;
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      let event: LoadgenEvent;
      try {
        event = JSON.parse(line) as LoadgenEvent;
      } catch {
        this.stderrTail.push(line);
        return;
      }
      if (event.event === 'ready') ready.resolve();
      else if (event.event === 'result') result.resolve(event);
      else if (event.event === 'error') fail(new LoadgenError(`${mode}: ${String(event.message)}`));
      for (const l of this.listeners) l(event);
    });
    this.child.on('error', (err) => fail(new LoadgenError(`${mode}: could not run ${loadgenPython()}: ${err.message}`)));
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      // Lines may still be in flight: give readline a moment before calling the exit unexplained.
      setTimeout(() => {
        const tail = this.stderrTail.join('\n');
        fail(new LoadgenError(`${mode}: the load generator exited (${signal ?? code}) without a result${tail ? `:\n${tail}` : ''}`));
      }, 200);
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return !this.exited;
  }

  onEvent(listener: (e: LoadgenEvent) => void): void {
    this.listeners.push(listener);
  }

  send(line: string): void {
    if (!this.exited) this.child.stdin!.write(`${line}\n`);
  }

  go(): void {
    this.send('go');
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!this.exited) this.child.kill(signal);
  }
}

/** Runs setup modes (create-topics, partition-counts) that answer with a result straight away. */
export async function queryLoadgen(mode: string, config: object): Promise<LoadgenEvent> {
  const g = new Loadgen(mode, config);
  try {
    return await g.result;
  } finally {
    g.kill();
  }
}

/**
 * Starts several load generators, waits until all are connected, then releases them together. Meters
 * start in `beforeGo` and stop in `afterResults`, while every load generator is still alive.
 */
export async function runTogether(
  gens: Loadgen[],
  hooks: {
    beforeGo?: () => void | Promise<void>;
    afterResults?: () => void;
    onProgress?: (records: number) => void;
  } = {},
): Promise<LoadgenEvent[]> {
  try {
    const progress = new Map<Loadgen, number>();
    for (const g of gens) {
      g.onEvent((e) => {
        if (e.event === 'progress' && hooks.onProgress) {
          progress.set(g, Number(e.records));
          let sum = 0;
          for (const v of progress.values()) sum += v;
          hooks.onProgress(sum);
        }
      });
    }
    await Promise.all(gens.map((g) => g.ready));
    await hooks.beforeGo?.();
    for (const g of gens) g.go();
    const results = await Promise.all(gens.map((g) => g.result));
    hooks.afterResults?.();
    return results;
  } finally {
    for (const g of gens) g.kill();
  }
}
