/**
 * Phase 1, the Postgres ceiling: the benchmark itself writes the same records, as the same v2 batches,
 * into the same Postgres in the cheapest durable shape, and every produce figure is divided by it.
 *
 * The shape is fixed, whatever kpg's own storage does: one row per batch (the batch bytes as bytea) in a
 * transaction that takes the partition's row lock to assign offsets. Each writer owns one partition, as
 * each producer does in the produce phase. The UPDATE ... RETURNING and the INSERT travel as one statement
 * (a data-modifying CTE), so a transaction costs one round trip: the ceiling is as high as this shape goes.
 * The tables live in their own schema, away from kpg's.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { encodeBatch } from '../../records/batch.js';
import { checkpoint } from '../probe.js';
import { CpuMeter } from '../proc.js';
import type { Progress } from '../progress.js';
import { errorMessage, rates, type CeilingRun } from '../result.js';

const SCHEMA = 'kpg_bench_ceiling';
/** Distinct batches each writer cycles through (random values: nothing for TOAST to compress). */
const DISTINCT_BATCHES = 8;

const APPEND_SQL = `WITH assigned AS (
    UPDATE ${SCHEMA}.partitions SET next_offset = next_offset + $2
     WHERE partition = $1
     RETURNING next_offset - $2 AS base_offset)
  INSERT INTO ${SCHEMA}.record_batches (partition, base_offset, batch)
  SELECT $1, base_offset, $3 FROM assigned`;

export interface CeilingCase {
  recordSize: number;
  writers: number;
  recordsPerBatch: number;
}

export function ceilingKey(recordSize: number, writers: number, recordsPerBatch: number): string {
  return `${recordSize}/${writers}/${recordsPerBatch}`;
}

async function prepareSchema(client: pg.Client): Promise<void> {
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${SCHEMA}`);
  await client.query(`DROP TABLE IF EXISTS ${SCHEMA}.record_batches, ${SCHEMA}.partitions`);
  await client.query(`CREATE TABLE ${SCHEMA}.partitions (partition integer PRIMARY KEY, next_offset bigint NOT NULL DEFAULT 0)`);
  await client.query(`CREATE TABLE ${SCHEMA}.record_batches (
    partition integer NOT NULL, base_offset bigint NOT NULL, batch bytea NOT NULL,
    PRIMARY KEY (partition, base_offset))`);
  // Batches are incompressible: do not even try.
  await client.query(`ALTER TABLE ${SCHEMA}.record_batches ALTER COLUMN batch SET STORAGE EXTERNAL`);
}

async function batchesFor(c: CeilingCase): Promise<Buffer[]> {
  const batches: Buffer[] = [];
  for (let i = 0; i < DISTINCT_BATCHES; i++) {
    const records = Array.from({ length: c.recordsPerBatch }, () => ({ value: randomBytes(c.recordSize) }));
    batches.push(await encodeBatch(records));
  }
  return batches;
}

async function measureCase(databaseUrl: string, admin: pg.Client, c: CeilingCase, seconds: number, postgresPid: number | null): Promise<CeilingRun> {
  await admin.query(`TRUNCATE ${SCHEMA}.record_batches, ${SCHEMA}.partitions`);
  await admin.query(`INSERT INTO ${SCHEMA}.partitions (partition) SELECT generate_series(0, $1::int - 1)`, [c.writers]);
  const batches = await batchesFor(c);
  const writers = await Promise.all(
    Array.from({ length: c.writers }, async () => {
      const client = new pg.Client({ connectionString: databaseUrl });
      client.on('error', () => undefined);
      await client.connect();
      return client;
    }),
  );
  try {
    await checkpoint(admin);
    const meter = new CpuMeter({
      postgres: () => (postgresPid ? [postgresPid] : []),
      load_generator: { alone: () => [process.pid] },
    });
    meter.start();
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const committed = await Promise.all(
      writers.map(async (client, partition) => {
        let n = 0;
        while (performance.now() < deadline) {
          await client.query({ name: 'ceiling-append', text: APPEND_SQL, values: [partition, c.recordsPerBatch, batches[n % DISTINCT_BATCHES]] });
          n++;
        }
        return n;
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu = meter.stop();
    const transactions = committed.reduce((a, b) => a + b, 0);
    const records = transactions * c.recordsPerBatch;
    return {
      record_size: c.recordSize,
      writers: c.writers,
      records_per_batch: c.recordsPerBatch,
      records,
      duration_s: Math.round(elapsed * 100) / 100,
      ...rates(records, c.recordSize, elapsed),
      transactions_per_s: Math.round(transactions / elapsed),
      cpu_cores: cpu,
      error: null,
    };
  } finally {
    await Promise.all(writers.map((w) => w.end().catch(() => undefined)));
  }
}

export async function runCeiling(options: {
  databaseUrl: string;
  postgresPid: number | null;
  cases: CeilingCase[];
  seconds: number;
  progress: Progress;
}): Promise<CeilingRun[]> {
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  const runs: CeilingRun[] = [];
  try {
    await prepareSchema(admin);
    for (const c of options.cases) {
      const step = options.progress.timed(`ceiling ${c.recordSize} B x${c.recordsPerBatch}/batch, ${c.writers} writer(s)`, options.seconds);
      try {
        const run = await measureCase(options.databaseUrl, admin, c, options.seconds, options.postgresPid);
        runs.push(run);
        step.done(`${run.mb_per_s} MB/s, ${run.records_per_s} records/s`);
      } catch (err) {
        runs.push({
          record_size: c.recordSize, writers: c.writers, records_per_batch: c.recordsPerBatch, records: null, duration_s: null,
          mb_per_s: null, records_per_s: null, transactions_per_s: null, cpu_cores: null, error: errorMessage(err),
        });
        step.done(`failed: ${errorMessage(err)}`);
      }
    }
  } finally {
    // The scratch tables are only the benchmark's: give their space back.
    await admin.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  }
  return runs;
}
