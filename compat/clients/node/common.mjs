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
      security: { type: 'string' }, // the auth scenario's JSON file (compat/README.md)
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

// ------------------------------------------------------------------ bulk (see compat/README.md)
/** Records of the bulk scenario, in total across codecs (KPG_COMPAT_BULK_N overrides, for quick runs). */
export const BULK_N = Number(process.env.KPG_COMPAT_BULK_N ?? 100000);
const BULK_PAD = 'abcdefghij'.repeat(20);

/** Record i of the bulk scenario (the same in every language): key null for every 100th. */
export function bulkRecord(i, codec) {
  return {
    key: i % 100 === 99 ? null : `bulk-${i}`,
    value: `value-${i}-${BULK_PAD.slice(0, (i * 37) % 200)}`,
    headers: i % 5 === 0 ? [] : [['idx', String(i)], ['codec', codec]],
    ts: BASE_TS + i,
  };
}

/** Codec number ci of k produces records [lo, hi). */
export function bulkRange(ci, k, n = BULK_N) {
  return [Math.floor((ci * n) / k), Math.floor(((ci + 1) * n) / k)];
}

/**
 * Checks consumed records one by one against the generator: the record at offset o must be record o,
 * offsets must come without gaps; nothing is kept but counters and the first problems.
 */
export class BulkChecker {
  constructor(codecs, n = BULK_N) {
    this.codecs = codecs; this.n = n; this.next = 0; this.problems = []; this.redelivered = 0;
  }
  codecOf(i) {
    const k = this.codecs.length;
    for (let ci = 0; ci < k; ci++) if (i < bulkRange(ci, k, this.n)[1]) return this.codecs[ci];
    return undefined;
  }
  problem(s) { if (this.problems.length < 5) this.problems.push(s); else this.problems[5] = '...'; }
  /** got: {key: string|null, value: string, headers: [[k, v]], ts: number} */
  check(offset, got) {
    if (offset < this.next) { this.redelivered++; return; } // the client delivered it again; checked already
    if (offset > this.next) this.problem(`gap: offset ${offset} after ${this.next - 1}`);
    this.next = offset + 1;
    if (offset >= this.n) { this.problem(`unexpected record at offset ${offset} (only ${this.n} were produced)`); return; }
    const w = bulkRecord(offset, this.codecOf(offset));
    if (got.key !== w.key) this.problem(`offset ${offset}: key ${JSON.stringify(got.key)} want ${JSON.stringify(w.key)}`);
    if (got.value !== w.value) this.problem(`offset ${offset}: value ${JSON.stringify(String(got.value).slice(0, 40))} want ${JSON.stringify(w.value.slice(0, 40))}`);
    if (got.ts !== w.ts) this.problem(`offset ${offset}: timestamp ${got.ts} want ${w.ts}`);
    if (JSON.stringify(got.headers) !== JSON.stringify(w.headers)) this.problem(`offset ${offset}: headers ${JSON.stringify(got.headers)} want ${JSON.stringify(w.headers)}`);
  }
  get done() { return this.next >= this.n; }
  /** Throws Fail unless every record 0..n-1 came exactly once and the log ends at n. */
  finish(logEnd) {
    if (this.next < this.n) this.problem(`consumed up to offset ${this.next - 1}, want ${this.n - 1}`);
    if (logEnd !== undefined && Number(logEnd) !== this.n) this.problem(`log end offset ${logEnd}, want ${this.n}`);
    if (this.problems.length) throw new Fail(this.problems.join('; '));
  }
}
