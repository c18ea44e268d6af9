/**
 * Reading one topic from SQL touches that topic's rows only: the plans use indexes on the topic (and
 * offsets or times), and reading a topic's last records costs the same number of pages whether the
 * database holds ten topics or ten thousand.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../src/records/batch.js';
import { applyMigrations } from '../../src/storage/pg/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { sqlSession } from './support.js';

const BATCHES_PER_PARTITION = 100;
const RECORDS_PER_BATCH = 10;
const TARGET_PARTITIONS = 3;
const BASE_TS = 1_700_000_000_000;

interface Fixture {
  database: TestDatabase;
  db: pg.Client;
}

/** A database with `otherTopics` topics of three batches each, and the topic "target". */
async function fixture(otherTopics: number): Promise<Fixture> {
  const database = await createTestDatabase();
  await applyMigrations(database.url);
  const db = await sqlSession(database.url);
  const otherBatch = await encodeBatch(
    Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ i, pad: 'p'.repeat(60) }), timestamp: BASE_TS })),
  );
  // The target's batch n holds records stamped BASE_TS + n seconds.
  const targetBatches = await Promise.all(
    Array.from({ length: BATCHES_PER_PARTITION }, (_, n) =>
      encodeBatch(Array.from({ length: RECORDS_PER_BATCH }, (_, i) => ({ key: `k${i}`, value: JSON.stringify({ n, i, pad: 'p'.repeat(60) }), timestamp: BASE_TS + n * 1000 }))),
    ),
  );
  await db.query(
    `INSERT INTO kpg.topics (topic_id, name, partition_count) SELECT gen_random_uuid(), 'other-' || i, 1 FROM generate_series(1, $1::int) AS i`,
    [otherTopics],
  );
  await db.query(`INSERT INTO kpg.topics (topic_id, name, partition_count) VALUES (gen_random_uuid(), 'target', $1)`, [TARGET_PARTITIONS]);
  await db.query(
    `INSERT INTO kpg.partitions (topic_id, partition, next_offset)
     SELECT t.topic_id, p, CASE WHEN t.name = 'target' THEN $1::bigint ELSE $2::bigint END
       FROM kpg.topics t, generate_series(0, t.partition_count - 1) AS p`,
    [BATCHES_PER_PARTITION * RECORDS_PER_BATCH, 3 * RECORDS_PER_BATCH],
  );
  // Readers take offsets from the row (as kpg.append_batches writes them), so batches may share bytes.
  await db.query(
    `INSERT INTO kpg.record_batches (topic_id, partition, base_offset, last_offset, record_count, max_timestamp, time_index, size_bytes, batch)
     SELECT p.topic_id, p.partition, n * $2::int, n * $2::int + $2::int - 1, $2::int, $3::bigint, $3::bigint, length($1::bytea), $1::bytea
       FROM kpg.partitions p JOIN kpg.topics t ON t.topic_id = p.topic_id AND t.name <> 'target', generate_series(0, 2) AS n`,
    [otherBatch, RECORDS_PER_BATCH, BASE_TS],
  );
  await db.query(
    `INSERT INTO kpg.record_batches (topic_id, partition, base_offset, last_offset, record_count, max_timestamp, time_index, size_bytes, batch)
     SELECT p.topic_id, p.partition, (b.n - 1) * $2::int, (b.n - 1) * $2::int + $2::int - 1, $2::int,
            $3::bigint + (b.n - 1) * 1000, $3::bigint + (b.n - 1) * 1000, length(b.batch), b.batch
       FROM kpg.partitions p JOIN kpg.topics t ON t.topic_id = p.topic_id AND t.name = 'target',
            unnest($1::bytea[]) WITH ORDINALITY AS b(batch, n)`,
    [targetBatches, RECORDS_PER_BATCH, BASE_TS],
  );
  await db.query('ANALYZE kpg.topics, kpg.partitions, kpg.record_batches');
  return { database, db };
}

async function teardown(f: Fixture | undefined): Promise<void> {
  await f?.db.end();
  await f?.database.drop();
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

async function plan(db: pg.Client, sql: string, params: unknown[] = []): Promise<PlanNode[]> {
  const { rows } = await db.query(`EXPLAIN (FORMAT JSON) ${sql}`, params);
  return nodes(rows[0]['QUERY PLAN'][0].Plan);
}

/** Pages (shared buffers hit or read) a query touches, and its row count. */
async function pagesTouched(db: pg.Client, sql: string, params: unknown[] = []): Promise<{ pages: number; rows: number }> {
  const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`, params);
  const top = rows[0]['QUERY PLAN'][0].Plan;
  return { pages: (top['Shared Hit Blocks'] ?? 0) + (top['Shared Read Blocks'] ?? 0), rows: top['Actual Rows'] };
}

function expectIndexDriven(found: PlanNode[]): void {
  const scans = found.filter((n) => n['Relation Name'] !== undefined);
  expect(scans.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])).not.toContain('record_batches');
  expect(scans.filter((n) => n['Node Type'] === 'Seq Scan').map((n) => n['Relation Name'])).not.toContain('partitions');
  const topicScan = scans.find((n) => n['Relation Name'] === 'topics')!;
  expect(topicScan['Index Cond']).toMatch(/name = 'target'::text/);
  const batchScans = scans.filter((n) => n['Relation Name'] === 'record_batches');
  expect(batchScans.length).toBeGreaterThan(0);
  for (const scan of batchScans) expect(scan['Index Cond']).toMatch(/topic_id = /);
}

describe('index use with ten thousand topics', () => {
  let small: Fixture | undefined;
  let large: Fixture | undefined;

  beforeAll(async () => {
    [small, large] = await Promise.all([fixture(10), fixture(10_000)]);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([teardown(small), teardown(large)]);
  });

  it('kpg.records filtered by topic is an index lookup of the topic, then index scans of its batches', async () => {
    expectIndexDriven(await plan(large!.db, `SELECT * FROM kpg.records WHERE topic = 'target'`));
    expectIndexDriven(await plan(large!.db, `SELECT * FROM kpg.records WHERE topic = 'target' AND partition = 1 AND "offset" >= 990`));
    expectIndexDriven(await plan(large!.db, `SELECT count(*) FROM kpg.records WHERE topic = 'target' AND "timestamp" > now() - interval '1 hour'`));
  });

  it('the function readers choose batches by primary key and time index ranges', async () => {
    // kpg.partition_records is what records_between and tail run per partition; records_since's batch
    // choice is the same query shape on the time index.
    const range = await plan(
      large!.db,
      `SELECT r.* FROM kpg.partitions p, kpg.partition_records('target', p.topic_id, p.partition, 500, 520) r
        WHERE p.topic_id = (SELECT topic_id FROM kpg.topics WHERE name = 'target')`,
    );
    const batchScans = range.filter((n) => n['Relation Name'] === 'record_batches');
    expect(batchScans.map((n) => n['Node Type'])).not.toContain('Seq Scan');
    for (const scan of batchScans) expect(scan['Index Cond']).toMatch(/last_offset/);
  });

  it('reading the last 100 records of a topic touches about as many pages among 10,000 topics as among 10', async () => {
    const queries: [string, unknown[]][] = [
      [`SELECT * FROM kpg.tail('target', 100)`, []],
      [`SELECT * FROM kpg.records_between('target', 900, 999)`, []],
      [`SELECT * FROM kpg.records_since('target', $1)`, [new Date(BASE_TS + (BATCHES_PER_PARTITION - 5) * 1000)]],
      [`SELECT * FROM kpg.records WHERE topic = 'target' AND partition = 2`, []],
    ];
    const { rows: sizes } = await large!.db.query(`SELECT pg_relation_size('kpg.record_batches') / current_setting('block_size')::int AS pages`);
    for (const [sql, params] of queries) {
      // Twice: the first run of a function also reads the catalog.
      await pagesTouched(small!.db, sql, params);
      await pagesTouched(large!.db, sql, params);
      const few = await pagesTouched(small!.db, sql, params);
      const many = await pagesTouched(large!.db, sql, params);
      console.log(`[measured] ${sql}: ${few.pages} pages with 10 topics, ${many.pages} with 10,000 (record_batches: ${sizes[0].pages} pages)`);
      expect(many.rows).toBe(few.rows);
      expect(many.rows).toBeGreaterThan(0);
      // A deeper index (one more level per lookup) is all the difference there may be.
      expect(many.pages).toBeLessThanOrEqual(few.pages + 3 * (TARGET_PARTITIONS + 2));
      expect(many.pages).toBeLessThan(Number(sizes[0].pages) / 20);
    }
  });
});
