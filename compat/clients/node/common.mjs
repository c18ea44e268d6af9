// Shared parts of the Node scenario programs: arguments, expected records, result line.
import { parseArgs } from 'node:util';

export const BASE_TS = 1700000000000;
export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

export class Fail extends Error {}
export class NA extends Error {}

export function args() {
  const { values } = parseArgs({
    options: {
      bootstrap: { type: 'string', default: '127.0.0.1:39092' },
      scenario: { type: 'string', default: 'metadata' },
      topic: { type: 'string', default: 'compat-node' },
      group: { type: 'string' },
    },
    strict: true,
  });
  values.group ??= `${values.topic}-group`;
  return values;
}

export function expected(codec, ci) {
  const pad = 'abcdefghij'.repeat(20);
  return [0, 1, 2].map((i) => ({
    key: `key-${codec}-${i}`,
    value: `value-${codec}-${i}-${pad}`,
    headers: [['codec', codec], ['idx', String(i)]],
    ts: BASE_TS + ci * 3 + i,
  }));
}

/** got: Map key -> {key, value, headers: [[k, v]], ts} */
export function checkRecords(want, got) {
  const problems = [];
  for (const w of want) {
    const g = got.get(w.key);
    if (!g) { problems.push(`missing ${w.key}`); continue; }
    if (g.value !== w.value) problems.push(`${w.key}: value differs`);
    if (g.ts !== w.ts) problems.push(`${w.key}: timestamp ${g.ts} want ${w.ts}`);
    if (JSON.stringify(g.headers) !== JSON.stringify(w.headers)) problems.push(`${w.key}: headers ${JSON.stringify(g.headers)}`);
  }
  if (got.size !== want.length) problems.push(`got ${got.size} records, want ${want.length}`);
  if (problems.length) throw new Fail(problems.slice(0, 5).join('; '));
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function withTimeout(promise, ms, what) {
  let t;
  return Promise.race([promise, new Promise((_, rej) => { t = setTimeout(() => rej(new Fail(`${what}: timed out after ${ms / 1000}s`)), ms); })])
    .finally(() => clearTimeout(t));
}

export async function run(table, clientName) {
  const a = args();
  let status = 'pass', detail;
  try {
    const fn = table[a.scenario];
    if (!fn) throw new NA(`scenario ${a.scenario} not implemented`);
    detail = await fn(a);
  } catch (e) {
    if (e instanceof NA) status = 'n/a';
    else { status = 'fail'; if (!(e instanceof Fail)) console.error(e); }
    detail = e instanceof Fail || e instanceof NA ? e.message : `${e?.name ?? 'Error'}: ${e?.message ?? e}`;
  }
  process.stdout.write(JSON.stringify({ scenario: a.scenario, status, detail, client: clientName }) + '\n');
  // Clients may keep sockets or timers open after a failure; the result is what counts.
  process.exit(0);
}
