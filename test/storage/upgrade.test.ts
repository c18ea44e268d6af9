/**
 * Existing databases upgrade in place. A database is built with the migrations kpg shipped before its SQL
 * became source files (0000-0007, which existing databases have applied and which therefore never
 * change), and written the old way: topics, batches through that version's kpg.append_batches (an
 * idempotent producer among them), records from kpg.produce (one still waiting in the relay table),
 * a group with committed offsets. Then a gateway of this version starts on it, and everything reads back on
 * the Kafka side and the SQL side, new writes continue where the old ones stopped, and the upgraded schema
 * equals a fresh database's.
 */
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBatchRecords, encodeBatch, type NewRecord } from '../../src/records/batch.js';
import { Compression } from '../../src/records/compression.js';
import { validateProducedBatch } from '../../src/records/validate.js';
import { applyMigrations, MIGRATIONS_DIR } from '../../src/storage/pg/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { appendBatches, consumeAll, headerBytes, insertTopic, sqlSession, text, type SqlHeader } from '../sql/support.js';
import { describeKpgSchema } from './catalog.js';

/** The migrations databases in the field have applied, by content: editing one would fork them. */
const APPLIED_MIGRATIONS: Record<string, string> = {
  '0000_foundation': 'c16ef54953abd09a1cdaf4d42c3d409d1e4a0d6227cc0cd9bc88a722b57ab91b',
  '0001_records': '365681dbc9512fc241d4d7ba20cca981c23e8c59741969388cf29a8104435be8',
  '0002_append_function': 'd71d2765ca37944dbc523142e1ca7a2895e06babc6643c495f8c6ef76f79989a',
  '0003_groups': '274c27a2aff700d805d8b16d897ab738ce3aa72db77f7fb8856d09fbc81b4d23',
  '0004_groups_unique_id': '49d919003b92e417337e88f95afc7640b9d959480f582d0ec612e4087132d11f',
  '0005_sql_streams': 'dbf55ea49c8f6a10da8fbcf2781b65078975b7f5130697fe87b1897e9a61db86',
  '0006_batch_storage_external': 'bdd8d7263c7054a8da61ce424c1d2cff040dc9bade8f14bbf12f1ffa23b87e77',
  '0007_stamp_leader_epoch': '427010e2b60f034d91208061663b894554831216930ce3e2bea4666bd47cc373',
};

interface Journal {
  entries: { idx: number; tag: string }[];
}

/** A copy of migrations/ that stops after `lastTag`, as an older kpg shipped it. */
function migrationsUpTo(lastTag: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kpg-old-migrations-'));
  cpSync(MIGRATIONS_DIR, dir, { recursive: true });
  const journalPath = path.join(dir, 'meta/_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as Journal;
  const last = journal.entries.findIndex((e) => e.tag === lastTag);
  writeFileSync(journalPath, JSON.stringify({ ...journal, entries: journal.entries.slice(0, last + 1) }));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

const TOPIC = 'upgrade-orders';
const GROUP = 'upgrade-group';
const PRODUCER_ID = 1000n;

interface RecordRow {
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: SqlHeader[];
  source: string;
}

let old: TestDatabase;
let fresh: TestDatabase;
let db: pg.Client;
let kpg: TestGateway | undefined;
let sqlRecordId: bigint;

/** What each partition must hold after the upgrade: key and value text per offset, in order. */
const expected: Record<number, { key: string | null; value: string | null; source: string }[]> = { 0: [], 1: [] };

/** Stores `records` in partition `partition` as the gateway's produce path did, through the old append function. */
async function produceTheOldWay(topicId: string, partition: number, records: NewRecord[], idempotent?: { sequence: number }) {
  const sent = await encodeBatch(records, {
    compression: Compression.gzip,
    ...(idempotent ? { producerId: PRODUCER_ID, producerEpoch: 0, baseSequence: idempotent.sequence } : {}),
  });
  const validated = await validateProducedBatch(sent, {
    produceVersion: 9, maxMessageBytes: 1048588, logAppendTime: false,
    timestampBeforeMaxMs: 2n ** 63n - 1n, timestampAfterMaxMs: 3_600_000n, now: BigInt(Date.now()),
  });
  return appendBatches(db, [{
    topicId, partition, batch: validated.stored, recordCount: validated.recordCount,
    maxTimestamp: validated.maxTimestamp, maxTimestampDelta: validated.maxTimestampDelta,
    ...(idempotent ? { producerId: PRODUCER_ID, producerEpoch: 0, baseSequence: idempotent.sequence } : {}),
  }]);
}

beforeAll(async () => {
  [old, fresh] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  const shipped = migrationsUpTo('0007_stamp_leader_epoch');
  try {
    await applyMigrations(old.url, { migrationsFolder: shipped.dir, sqlSource: false });
  } finally {
    shipped.remove();
  }
  db = await sqlSession(old.url);

  const topicId = await insertTopic(db, TOPIC, 2, { 'retention.ms': '-1' });
  await db.query('INSERT INTO kpg.producers (producer_id) VALUES ($1)', [PRODUCER_ID]);
  expect(await produceTheOldWay(topicId, 0, [
    { key: 'a', value: 'old-kafka-1', headers: [{ key: 'trace', value: 't1' }] },
    { key: null, value: null },
  ], { sequence: 0 })).toEqual([{ baseOffset: 0n, errorCode: 0 }]);
  expect(await produceTheOldWay(topicId, 1, [{ key: 'b', value: 'old-kafka-2' }])).toEqual([{ baseOffset: 0n, errorCode: 0 }]);
  expected[0]!.push({ key: 'a', value: 'old-kafka-1', source: 'kafka' }, { key: null, value: null, source: 'kafka' });
  expected[1]!.push({ key: 'b', value: 'old-kafka-2', source: 'kafka' });

  // kpg.produce as 0005 defined it: appended at commit...
  await db.query('BEGIN');
  const produced = await db.query<{ id: bigint }>(
    `SELECT kpg.produce($1, 'sql-key', 'old-sql', '{"origin": "sql"}'::jsonb, 0) AS id`, [TOPIC]);
  await db.query('COMMIT');
  sqlRecordId = produced.rows[0]!.id;
  expected[0]!.push({ key: 'sql-key', value: 'old-sql', source: 'sql' });
  // ...and from a REPEATABLE READ transaction, left for a gateway to relay: none runs yet.
  await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  await db.query(`SELECT kpg.produce($1, 'rr-key', 'old-sql-relayed', NULL, 1)`, [TOPIC]);
  await db.query('COMMIT');

  const group = await db.query<{ group_key: number }>(
    `INSERT INTO kpg.groups (group_id, state, state_changed_ms, protocol_type, generation_id)
     VALUES ($1, 'Empty', (extract(epoch FROM now()) * 1000)::bigint, 'consumer', 4) RETURNING group_key`, [GROUP]);
  await db.query(
    `INSERT INTO kpg.group_offsets (group_key, topic_id, partition, committed_offset, leader_epoch, metadata, commit_timestamp_ms)
     VALUES ($1, $2, 0, 2, 0, 'old \\x41 commit', (extract(epoch FROM now()) * 1000)::bigint),
            ($1, $2, 1, 1, 0, '', (extract(epoch FROM now()) * 1000)::bigint)`,
    [group.rows[0]!.group_key, topicId]);
  await db.query(`INSERT INTO kpg.broker_configs (broker_id, name, value) VALUES (-1, 'message.max.bytes', '2000000')`);
});

afterAll(async () => {
  await db?.end();
  await kpg?.stop();
  await Promise.all([old?.drop(), fresh?.drop()]);
});

describe('upgrading a database of migrations 0000-0007', () => {
  it('leaves the applied migrations as they shipped', () => {
    for (const [tag, digest] of Object.entries(APPLIED_MIGRATIONS)) {
      const sql = readFileSync(path.join(MIGRATIONS_DIR, `${tag}.sql`));
      expect(createHash('sha256').update(sql).digest('hex'), tag).toBe(digest);
    }
  });

  it('starts a gateway of this version on it, which relays what the old database left waiting', async () => {
    kpg = await startTestGateway({ database: old });
    expected[1]!.push({ key: 'rr-key', value: 'old-sql-relayed', source: 'sql' });
    for (let i = 0; i < 200; i++) {
      const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM kpg.sql_outbox_relay');
      if (rows[0]!.n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect((await db.query('SELECT count(*)::int AS n FROM kpg.sql_outbox_relay')).rows[0].n).toBe(0);
  });

  it('serves the old records to Kafka consumers', async () => {
    for (const partition of [0, 1]) {
      const fetched = await consumeAll(kpg!.bootstrap, TOPIC, partition);
      expect(fetched.crcValid).toBe(true);
      expect(fetched.records.map((r) => ({ key: text(r.key), value: text(r.value) })))
        .toEqual(expected[partition]!.map(({ key, value }) => ({ key, value })));
    }
    const first = await consumeAll(kpg!.bootstrap, TOPIC, 0);
    expect(first.records[0]!.headers).toEqual([{ key: 'trace', value: Buffer.from('t1') }]);
    expect(first.records[2]!.headers).toEqual([{ key: 'origin', value: Buffer.from('sql') }]);
  });

  it('shows the old records, SQL record ids and group offsets in SQL', async () => {
    const { rows } = await db.query<RecordRow>('SELECT * FROM kpg.records WHERE topic = $1 ORDER BY partition, "offset"', [TOPIC]);
    expect(rows.map((r) => ({ partition: r.partition, key: text(r.key), value: text(r.value), source: r.source }))).toEqual(
      [0, 1].flatMap((partition) => expected[partition]!.map((e) => ({ partition, ...e }))),
    );
    expect(rows[0]!.headers.map(headerBytes)).toEqual([{ key: Buffer.from('trace'), value: Buffer.from('t1') }]);
    expect((await db.query('SELECT * FROM kpg.produced_offset($1)', [sqlRecordId])).rows).toEqual([{ topic: TOPIC, partition: 0, offset: 2n }]);
    expect((await db.query('SELECT group_id, topic, partition, committed_offset, lag FROM kpg.consumer_lag ORDER BY partition')).rows).toEqual([
      { group_id: GROUP, topic: TOPIC, partition: 0, committed_offset: 2n, lag: 1n },
      { group_id: GROUP, topic: TOPIC, partition: 1, committed_offset: 1n, lag: 1n },
    ]);
  });

  it('serves the old group offsets over Kafka', async () => {
    const admin = kafkaClient(kpg!.bootstrap).admin();
    await admin.connect();
    try {
      const offsets = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      expect(offsets).toEqual([{
        topic: TOPIC,
        partitions: [
          // Stored before client strings were escaped (migration 0010): the backslash reads back as it was.
          { partition: 0, offset: '2', metadata: 'old \\x41 commit' },
          { partition: 1, offset: '1', metadata: null },
        ],
      }]);
    } finally {
      await admin.disconnect();
    }
  });

  it('continues the log where the old writes stopped: Kafka, idempotent and SQL producers', async () => {
    const { rows: topic } = await db.query<{ topic_id: string }>('SELECT topic_id FROM kpg.topics WHERE name = $1', [TOPIC]);
    // The idempotent producer's state survived: its next sequence is accepted, a retry of its old batch is
    // answered with the old offset.
    expect(await produceTheOldWay(topic[0]!.topic_id, 0, [{ key: 'a', value: 'new-idempotent' }], { sequence: 2 }))
      .toEqual([{ baseOffset: 3n, errorCode: 0 }]);
    expect(await produceTheOldWay(topic[0]!.topic_id, 0, [{ key: 'a', value: 'old-kafka-1' }, { key: null, value: null }], { sequence: 0 }))
      .toEqual([{ baseOffset: 0n, errorCode: 0 }]);
    await db.query(`SELECT kpg.produce($1, 'sql-key', 'new-sql', NULL, 0)`, [TOPIC]);
    const producer = kafkaClient(kpg!.bootstrap).producer();
    await producer.connect();
    try {
      await producer.send({ topic: TOPIC, messages: [{ partition: 0, key: 'c', value: 'new-kafka' }] });
    } finally {
      await producer.disconnect();
    }
    expected[0]!.push(
      { key: 'a', value: 'new-idempotent', source: 'kafka' },
      { key: 'sql-key', value: 'new-sql', source: 'sql' },
      { key: 'c', value: 'new-kafka', source: 'kafka' },
    );
    const { rows } = await db.query<RecordRow>('SELECT * FROM kpg.records WHERE topic = $1 AND partition = 0 ORDER BY "offset"', [TOPIC]);
    expect(rows.map((r) => ({ offset: r.offset, key: text(r.key), value: text(r.value), source: r.source })))
      .toEqual(expected[0]!.map((e, i) => ({ offset: BigInt(i), ...e })));
    const fetched = await consumeAll(kpg!.bootstrap, TOPIC, 0);
    expect(fetched.records.map((r) => text(r.value))).toEqual(expected[0]!.map((e) => e.value));
    // Batches appended by the new append function read the same through the TypeScript decoder.
    const stored = await db.query<{ batch: Buffer }>(
      'SELECT batch FROM kpg.record_batches WHERE topic_id = $1 AND partition = 0 ORDER BY base_offset', [topic[0]!.topic_id]);
    const decoded = (await Promise.all(stored.rows.map((r) => decodeBatchRecords(r.batch)))).flat();
    expect(decoded.map((r) => text(r.value))).toEqual(expected[0]!.map((e) => e.value));
  });

  it('ends with the same schema as a fresh database', async () => {
    await applyMigrations(fresh.url);
    const freshDb = await sqlSession(fresh.url);
    try {
      const upgraded = await describeKpgSchema(db);
      expect(upgraded.some((e) => e.kind === 'function' && e.name.startsWith('kpg.append_batches('))).toBe(true);
      expect(upgraded.some((e) => e.kind === 'view' && e.name === 'records')).toBe(true);
      expect(upgraded).toEqual(await describeKpgSchema(freshDb));
    } finally {
      await freshDb.end();
    }
  });
});
