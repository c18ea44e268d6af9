/**
 * kpg.produce: records written from inside an application's transaction reach Kafka consumers only if
 * that transaction commits, promptly, at offsets that follow commit order, without holding up anyone
 * writing the same partition meanwhile.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../src/storage/migrate.js';
import { createTestDatabase } from '../support/database.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { realClientAvailable } from '../support/real-clients.js';
import { findJavaClients, javaConsume, javaPartitionsForKeys } from './java.js';
import { consumeAll, createTopic, fetchOnce, sqlSession, text } from './support.js';

const require = createRequire(import.meta.url);
const kafkajsMurmur2 = require('kafkajs/src/producer/partitioners/default/murmur2.js') as (key: Buffer | string) => number;

let kpg: TestGateway;
let db: pg.Client;

beforeAll(async () => {
  kpg = await startTestGateway();
  db = await sqlSession(kpg.database.url);
  await db.query('CREATE TABLE orders (id integer PRIMARY KEY, item text NOT NULL)');
});

afterAll(async () => {
  await db?.end();
  await kpg?.stop();
});

interface RecordRow {
  partition: number;
  offset: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: string | null }[];
  source: string;
  timestamp: Date;
  timestamp_type: string;
}

async function viewRows(topic: string): Promise<RecordRow[]> {
  const { rows } = await db.query<RecordRow>('SELECT * FROM kpg.records WHERE topic = $1 ORDER BY partition, "offset"', [topic]);
  return rows;
}

async function sqlError(client: pg.Client, sql: string, params: unknown[] = []): Promise<{ code: string; message: string }> {
  try {
    await client.query(sql, params);
  } catch (err) {
    const e = err as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error(`expected ${sql} to fail`);
}

describe('the transactional outbox', () => {
  it('a rolled back transaction leaves nothing; a committed one wakes a waiting consumer with the record', async () => {
    const topic = 'outbox';
    await createTopic(kpg, topic, 2);

    await db.query('BEGIN');
    await db.query("INSERT INTO orders VALUES (1, 'book')");
    await db.query(`SELECT kpg.produce('outbox', '1', jsonb_build_object('order', 1, 'item', 'book'), '{"event": "created"}', 0)`);
    await db.query('ROLLBACK');
    expect((await db.query('SELECT * FROM orders')).rows).toEqual([]);
    expect(await viewRows(topic)).toEqual([]);
    const nothing = await fetchOnce(kpg.bootstrap, topic, 0, 0n, 200);
    expect(nothing.records).toEqual([]);
    expect(nothing.highWatermark).toBe(0n);

    // A consumer waits at the log end with a max wait far longer than this test may run: only the
    // commit's notification can answer it in time.
    const waiting = fetchOnce(kpg.bootstrap, topic, 0, 0n, 600_000, 45_000);
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the fetch reach the gateway and park
    await db.query('BEGIN');
    await db.query("INSERT INTO orders VALUES (2, 'lamp')");
    const { rows } = await db.query<{ id: bigint }>(
      `SELECT kpg.produce('outbox', '2', jsonb_build_object('order', 2, 'item', 'lamp'),
                          '[{"key": "event", "value": "created"}, {"key": "schema", "value": null}]', 0) AS id`,
    );
    // Not visible inside or outside the transaction before COMMIT.
    expect((await db.query('SELECT * FROM kpg.produced_offset($1)', [rows[0]!.id])).rows).toEqual([]);
    const committedAt = performance.now();
    await db.query('COMMIT');
    const received = await waiting;
    const latencyMs = performance.now() - committedAt;
    console.log(`[measured] SQL COMMIT to waiting consumer's fetch response: ${latencyMs.toFixed(1)} ms`);

    expect(received.records).toHaveLength(1);
    const record = received.records[0]!;
    expect(record.offset).toBe(0n);
    expect(text(record.key)).toBe('2');
    expect(JSON.parse(text(record.value)!)).toEqual({ order: 2, item: 'lamp' });
    expect(record.headers).toEqual([{ key: 'event', value: Buffer.from('created') }, { key: 'schema', value: null }]);
    expect(received.crcValid).toBe(true);

    const [row] = await viewRows(topic);
    expect(row).toMatchObject({ partition: 0, offset: 0n, source: 'sql', timestamp_type: 'CreateTime' });
    expect((await db.query('SELECT * FROM kpg.produced_offset($1)', [rows[0]!.id])).rows).toEqual([{ topic, partition: 0, offset: 0n }]);

    // Once more, now that this session has run kpg.produce before (its PL/pgSQL is compiled): the usual case.
    const next = fetchOnce(kpg.bootstrap, topic, 0, 1n, 600_000, 45_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    await db.query('BEGIN');
    await db.query(`SELECT kpg.produce('outbox', '3', '{"order": 3}'::jsonb, NULL, 0)`);
    const warmCommitAt = performance.now();
    await db.query('COMMIT');
    expect((await next).records.map((r) => r.offset)).toEqual([1n]);
    console.log(`[measured] same, warm session: ${(performance.now() - warmCommitAt).toFixed(1)} ms`);
  });

  it('a transaction held open does not stall Kafka producers or other SQL sessions on the same partition', async () => {
    const topic = 'busy';
    await createTopic(kpg, topic);
    const holder = await sqlSession(kpg.database.url);
    const other = await sqlSession(kpg.database.url);
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT kpg.produce('busy', NULL::text, 'from the long transaction')`);

      // For five seconds, Kafka producers keep writing the partition while the transaction stays open.
      let kafkaSends = 0;
      const until = Date.now() + 5_000;
      while (Date.now() < until) {
        await producer.send({ topic, messages: [{ value: `kafka-${kafkaSends}` }] });
        kafkaSends++;
        if (kafkaSends === 10) {
          // Another SQL session produces and commits in the middle of it.
          await other.query(`SELECT kpg.produce('busy', NULL::text, 'from another session')`);
        }
      }
      console.log(`[measured] Kafka sends completed while a SQL transaction with kpg.produce stayed open 5 s: ${kafkaSends}`);
      expect(kafkaSends).toBeGreaterThan(10);
      await holder.query('COMMIT');

      const { records, crcValid } = await consumeAll(kpg.bootstrap, topic, 0);
      expect(crcValid).toBe(true);
      const values = records.map((r) => text(r.value));
      expect(records.map((r) => r.offset)).toEqual(values.map((_, i) => BigInt(i)));
      expect(values).toHaveLength(kafkaSends + 2);
      // The other session's record sits between the Kafka records around its commit; the long
      // transaction's record comes after everything written while it was open.
      expect(values.indexOf('from another session')).toBe(10);
      expect(values[values.length - 1]).toBe('from the long transaction');
    } finally {
      await producer.disconnect();
      await holder.end();
      await other.end();
    }
  });

  it('concurrent SQL transactions and Kafka producers on one partition: contiguous offsets, nothing lost or doubled, commit order', async () => {
    const topic = 'contended';
    await createTopic(kpg, topic);
    const sessions = await Promise.all(Array.from({ length: 6 }, () => sqlSession(kpg.database.url)));
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    const clock = { now: 0 };
    const tick = (): number => ++clock.now;
    interface Txn { values: string[]; begunAt: number; committedAt: number; }
    const committed: Txn[] = [];
    const rolledBack: string[] = [];
    try {
      const sqlWork = sessions.map(async (s, si) => {
        for (let t = 0; t < 20; t++) {
          const values = Array.from({ length: 1 + ((si + t) % 3) }, (_, k) => `sql-${si}-${t}-${k}`);
          const begunAt = tick();
          await s.query('BEGIN');
          for (const v of values) await s.query(`SELECT kpg.produce('contended', NULL::text, $1::text, NULL, 0)`, [v]);
          if (t % 7 === 3) {
            await s.query('ROLLBACK');
            rolledBack.push(...values);
          } else {
            await s.query('COMMIT');
            committed.push({ values, begunAt, committedAt: tick() });
          }
        }
      });
      const kafkaValues: string[] = [];
      const kafkaWork = (async () => {
        for (let i = 0; i < 40; i++) {
          const messages = Array.from({ length: 1 + (i % 4) }, (_, k) => ({ value: `kafka-${i}-${k}` }));
          await producer.send({ topic, messages });
          kafkaValues.push(...messages.map((m) => m.value));
        }
      })();
      await Promise.all([...sqlWork, kafkaWork]);

      const { records, crcValid } = await consumeAll(kpg.bootstrap, topic, 0);
      expect(crcValid).toBe(true);
      const values = records.map((r) => text(r.value)!);
      expect(records.map((r) => r.offset)).toEqual(values.map((_, i) => BigInt(i)));
      const expected = [...committed.flatMap((c) => c.values), ...kafkaValues];
      expect([...values].sort()).toEqual([...expected].sort());
      for (const v of rolledBack) expect(values).not.toContain(v);

      const offsetOf = new Map(values.map((v, i) => [v, i]));
      for (const c of committed) {
        const offsets = c.values.map((v) => offsetOf.get(v)!);
        // A transaction's records keep their order and stay together (one batch).
        expect(offsets).toEqual(offsets.map((_, k) => offsets[0]! + k));
      }
      // A transaction that committed before another began has the lower offsets.
      for (const a of committed) {
        for (const b of committed) {
          if (a.committedAt < b.begunAt) expect(offsetOf.get(a.values[0]!)!).toBeLessThan(offsetOf.get(b.values[0]!)!);
        }
      }
    } finally {
      await producer.disconnect();
      await Promise.all(sessions.map((s) => s.end()));
    }
  });

  it('REPEATABLE READ and SERIALIZABLE transactions: delivered after commit (relayed by the gateway), never after rollback', async () => {
    const topic = 'outbox-serializable';
    await createTopic(kpg, topic);
    const a = await sqlSession(kpg.database.url);
    const b = await sqlSession(kpg.database.url);
    const c = await sqlSession(kpg.database.url);
    try {
      await a.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await a.query(`SELECT kpg.produce('outbox-serializable', 'k', 'rolled back')`);
      await a.query('ROLLBACK');

      const waiting = fetchOnce(kpg.bootstrap, topic, 0, 0n, 600_000, 45_000);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Two serializable transactions and a repeatable read one produce to one partition at once; all commit.
      await a.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await b.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      await a.query("INSERT INTO orders VALUES (100, 'serializable')");
      await a.query(`SELECT kpg.produce('outbox-serializable', 'k', 'from serializable 1')`);
      await b.query(`SELECT kpg.produce('outbox-serializable', 'k', 'from serializable 2')`);
      await c.query(`SELECT kpg.produce('outbox-serializable', 'k', 'from repeatable read')`);
      await a.query(`SELECT kpg.produce('outbox-serializable', 'k', 'from serializable 1 again')`);
      // Meanwhile the partition moves on: a READ COMMITTED commit appends right away.
      await db.query(`SELECT kpg.produce('outbox-serializable', 'k', 'from read committed')`);
      await a.query('COMMIT');
      await b.query('COMMIT');
      await c.query('COMMIT');
      const first = await waiting;
      expect(first.records.length).toBeGreaterThan(0);

      let all = await consumeAll(kpg.bootstrap, topic, 0);
      while (all.records.length < 5) {
        await fetchOnce(kpg.bootstrap, topic, 0, BigInt(all.records.length), 600_000, 45_000);
        all = await consumeAll(kpg.bootstrap, topic, 0);
      }
      const values = all.records.map((r) => text(r.value));
      expect([...values].sort()).toEqual(['from read committed', 'from repeatable read', 'from serializable 1', 'from serializable 1 again', 'from serializable 2']);
      expect(values.indexOf('from serializable 1')).toBeLessThan(values.indexOf('from serializable 1 again'));
      expect(all.records.map((r) => r.offset)).toEqual([0n, 1n, 2n, 3n, 4n]);
      expect(all.crcValid).toBe(true);
      expect((await db.query('SELECT item FROM orders WHERE id = 100')).rows).toEqual([{ item: 'serializable' }]);
      expect((await db.query('SELECT count(*)::int AS n FROM kpg.sql_outbox_relay')).rows[0].n).toBe(0);
    } finally {
      await a.end();
      await b.end();
      await c.end();
    }
  });

  it('a savepoint rolled back with the first record of a transaction does not lose the later ones', async () => {
    const topic = 'savepoints';
    await createTopic(kpg, topic);
    await db.query('BEGIN');
    await db.query('SAVEPOINT s1');
    await db.query(`SELECT kpg.produce('savepoints', NULL::text, 'undone')`);
    await db.query('ROLLBACK TO SAVEPOINT s1');
    await db.query(`SELECT kpg.produce('savepoints', NULL::text, 'kept 1')`);
    await db.query('SAVEPOINT s2');
    await db.query(`SELECT kpg.produce('savepoints', NULL::text, 'kept 2')`);
    await db.query('RELEASE SAVEPOINT s2');
    await db.query('SAVEPOINT s3');
    await db.query(`SELECT kpg.produce('savepoints', NULL::text, 'undone too')`);
    await db.query('ROLLBACK TO SAVEPOINT s3');
    await db.query('COMMIT');
    expect((await viewRows(topic)).map((r) => text(r.value))).toEqual(['kept 1', 'kept 2']);
  });

  it('records produced after SET CONSTRAINTS ALL IMMEDIATE flushed the earlier ones still go out at commit', async () => {
    const topic = 'immediate';
    await createTopic(kpg, topic);
    await db.query('BEGIN');
    await db.query(`SELECT kpg.produce('immediate', NULL::text, 'first')`);
    await db.query('SET CONSTRAINTS ALL IMMEDIATE');
    await db.query('SET CONSTRAINTS ALL DEFERRED');
    await db.query(`SELECT kpg.produce('immediate', NULL::text, 'second')`);
    await db.query('COMMIT');
    expect((await viewRows(topic)).map((r) => text(r.value))).toEqual(['first', 'second']);
  });

  it('works with no gateway running: the commit itself appends', async () => {
    const database = await createTestDatabase();
    try {
      await applyMigrations(database.url);
      const s = await sqlSession(database.url);
      try {
        await s.query(`INSERT INTO kpg.topics (topic_id, name, partition_count) VALUES (gen_random_uuid(), 'standalone', 1)`);
        await s.query(`INSERT INTO kpg.partitions (topic_id, partition) SELECT topic_id, 0 FROM kpg.topics`);
        await s.query('LISTEN kpg_records');
        const notified = new Promise<string>((resolve) => s.once('notification', (n) => resolve(n.payload ?? '')));
        await s.query(`SELECT kpg.produce('standalone', 'k', 'v')`);
        const payload = await notified;
        const { rows } = await s.query(`SELECT topic_id::text AS id FROM kpg.topics`);
        expect(payload).toBe(`${rows[0].id}:0:1`);
        const records = await s.query(`SELECT "offset", convert_from(value, 'UTF8') AS value, source FROM kpg.records`);
        expect(records.rows).toEqual([{ offset: 0n, value: 'v', source: 'sql' }]);
      } finally {
        await s.end();
      }
    } finally {
      await database.drop();
    }
  });
});

describe('kpg.produce values, keys, timestamps and batches', () => {
  it('takes bytea, text and jsonb values and bytea or text keys; null values are tombstones', async () => {
    const topic = 'overloads';
    await createTopic(kpg, topic);
    await db.query(`SELECT kpg.produce('overloads', '\\x00ff'::bytea, '\\x0102'::bytea, NULL, 0)`);
    await db.query(`SELECT kpg.produce('overloads', 'text key', 'text value', NULL, 0)`);
    await db.query(`SELECT kpg.produce('overloads', 'json key', '{"a": [1, 2]}'::jsonb, NULL, 0)`);
    await db.query(`SELECT kpg.produce('overloads', 'text key', '\\x03'::bytea, NULL, 0)`);
    await db.query(`SELECT kpg.produce('overloads', '\\x04'::bytea, 'text', NULL, 0)`);
    await db.query(`SELECT kpg.produce('overloads', '\\x05'::bytea, '[true]'::jsonb, NULL, 0)`);
    await db.query(`SELECT kpg.produce('overloads', 'deleted', NULL, NULL, 0)`);
    await db.query(`SELECT kpg.produce(topic => 'overloads', key => NULL::bytea, value => 'named'::bytea, "partition" => 0)`);
    const rows = await viewRows(topic);
    expect(rows.map((r) => [r.key, r.value])).toEqual([
      [Buffer.from([0x00, 0xff]), Buffer.from([0x01, 0x02])],
      [Buffer.from('text key'), Buffer.from('text value')],
      [Buffer.from('json key'), Buffer.from('{"a": [1, 2]}')],
      [Buffer.from('text key'), Buffer.from([0x03])],
      [Buffer.from([0x04]), Buffer.from('text')],
      [Buffer.from([0x05]), Buffer.from('[true]')],
      [Buffer.from('deleted'), null],
      [null, Buffer.from('named')],
    ]);
  });

  it('keeps an explicit timestamp, and stamps the commit time on LogAppendTime topics', async () => {
    await createTopic(kpg, 'stamped');
    await createTopic(kpg, 'stamped-append', 1, { 'message.timestamp.type': 'LogAppendTime' });
    const before = Date.now();
    await db.query('BEGIN');
    await db.query(`SELECT kpg.produce('stamped', 'k', 'v', NULL, NULL, '2024-02-29 12:34:56.789+00')`);
    await db.query(`SELECT kpg.produce('stamped-append', 'k', 'v', NULL, NULL, '2024-02-29 12:34:56.789+00')`);
    await db.query('COMMIT');
    const [createTime] = await viewRows('stamped');
    expect(createTime!.timestamp.toISOString()).toBe('2024-02-29T12:34:56.789Z');
    expect(createTime!.timestamp_type).toBe('CreateTime');
    const [appendTime] = await viewRows('stamped-append');
    expect(appendTime!.timestamp_type).toBe('LogAppendTime');
    expect(appendTime!.timestamp.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const consumed = await consumeAll(kpg.bootstrap, 'stamped-append', 0);
    expect(consumed.records[0]!.timestamp).toBe(BigInt(appendTime!.timestamp.getTime()));
  });

  it('produce_batch writes many records in order, from an array of kpg.new_record or from JSON', async () => {
    const topic = 'batches';
    await createTopic(kpg, topic, 3);
    const { rows } = await db.query<{ ids: bigint[] }>(
      `SELECT kpg.produce_batch('batches', array_agg(ROW(convert_to('k' || i, 'UTF8'), convert_to('v' || i, 'UTF8'),
                                                           jsonb_build_object('i', i::text), 1, NULL)::kpg.new_record ORDER BY i)) AS ids
         FROM generate_series(1, 500) AS i`,
    );
    expect(rows[0]!.ids).toHaveLength(500);
    const json = await db.query<{ ids: bigint[] }>(
      `SELECT kpg.produce_batch('batches', $1::jsonb) AS ids`,
      [JSON.stringify([
        { key: 'a', value: { nested: true }, headers: { h: 'x' }, partition: 2 },
        { key: null, value: 'plain text', partition: 2, timestamp: 1_700_000_000_000 },
        { key: 7, value: null, partition: 2, timestamp: '2023-11-14T22:13:20.001Z' },
      ])],
    );
    expect(json.rows[0]!.ids).toHaveLength(3);

    const all = await viewRows(topic);
    const p1 = all.filter((r) => r.partition === 1);
    expect(p1.map((r) => text(r.value))).toEqual(Array.from({ length: 500 }, (_, i) => `v${i + 1}`));
    expect(p1[41]!.headers).toEqual([{ key: 'i', value: '42' }]);
    const p2 = all.filter((r) => r.partition === 2);
    expect(p2.map((r) => [text(r.key), text(r.value), r.timestamp.getTime()]).slice(1)).toEqual([
      [null, 'plain text', 1_700_000_000_000],
      ['7', null, 1_700_000_000_001],
    ]);
    expect(JSON.parse(text(p2[0]!.value)!)).toEqual({ nested: true });

    // produced_offset maps every returned id to where its record went.
    const ids = rows[0]!.ids;
    const offsets = await db.query<{ id: bigint; partition: number; offset: bigint }>(
      'SELECT i.id, o.partition, o."offset" FROM unnest($1::bigint[]) WITH ORDINALITY AS i(id, n), kpg.produced_offset(i.id) o ORDER BY i.n',
      [ids.map(String)],
    );
    expect(offsets.rows.map((r) => [r.partition, r.offset])).toEqual(p1.map((r) => [1, r.offset]));
  });

  it('splits a transaction\'s records into batches no larger than max.message.bytes', async () => {
    const topic = 'split';
    await createTopic(kpg, topic, 1, { 'max.message.bytes': '2000' });
    await db.query(
      `SELECT kpg.produce_batch('split', array_agg(ROW(NULL, convert_to(repeat(chr(65 + i % 26), 300), 'UTF8'), NULL, 0, NULL)::kpg.new_record ORDER BY i))
         FROM generate_series(0, 39) AS i`,
    );
    const batches = await db.query<{ size_bytes: number; record_count: number }>(
      `SELECT b.size_bytes, b.record_count FROM kpg.record_batches b JOIN kpg.topics t USING (topic_id) WHERE t.name = 'split' ORDER BY b.base_offset`,
    );
    expect(batches.rows.length).toBeGreaterThan(1);
    for (const b of batches.rows) expect(b.size_bytes).toBeLessThanOrEqual(2000);
    expect(batches.rows.reduce((n, b) => n + b.record_count, 0)).toBe(40);
    const consumed = await consumeAll(kpg.bootstrap, topic, 0);
    expect(consumed.crcValid).toBe(true);
    expect(consumed.records.map((r) => text(r.value)![0])).toEqual(Array.from({ length: 40 }, (_, i) => String.fromCharCode(65 + (i % 26))));
  });
});

describe('partitioning, and Java clients reading what SQL produced', () => {
  const keys: Buffer[] = [
    Buffer.alloc(0),
    ...['a', 'ab', 'abc', 'abcd', 'abcde', 'order-42', 'customer:1234567', '😀', 'ümlaut'].map((s) => Buffer.from(s)),
    ...Array.from({ length: 400 }, (_, i) => randomBytes(i % 41)),
    ...Array.from({ length: 64 }, (_, i) => Buffer.alloc(1 + (i % 8), 0xff - i)),
  ];

  it('kpg.murmur2 equals kafkajs\'s murmur2 (Kafka\'s) on every key', async () => {
    const { rows } = await db.query<{ h: number }>('SELECT kpg.murmur2(k) AS h FROM unnest($1::bytea[]) WITH ORDINALITY AS u(k, n) ORDER BY n', [keys]);
    expect(rows.map((r) => r.h)).toEqual(keys.map((k) => kafkajsMurmur2(k)));
  });

  it('a keyed record from SQL lands where kafkajs\'s default partitioner puts the same key', async () => {
    const topic = 'keyed';
    await createTopic(kpg, topic, 7);
    const names = Array.from({ length: 100 }, (_, i) => `user-${i * 7919}`);
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic, messages: names.map((k) => ({ key: k, value: 'kafkajs' })) });
    await producer.disconnect();
    await db.query(`SELECT kpg.produce('keyed', k, 'sql') FROM unnest($1::text[]) AS k`, [names]);

    const rows = await viewRows(topic);
    const partitionOf = (source: string) => new Map(rows.filter((r) => text(r.value) === source).map((r) => [text(r.key), r.partition]));
    const byKafkajs = partitionOf('kafkajs');
    const bySql = partitionOf('sql');
    expect(bySql.size).toBe(names.length);
    for (const k of names) expect(bySql.get(k)).toBe(byKafkajs.get(k));
    expect(new Set(bySql.values()).size).toBeGreaterThan(3);
  });

  const java = findJavaClients();
  const javaUsable = realClientAvailable('Java kafka-clients', java ? null : 'no kafka-clients jar in clients*/lib, or no java on the PATH', import.meta.url);
  it.skipIf(!javaUsable)('kpg.default_partition equals the Java client\'s partitioner (kafka-clients from the compat cache)', async () => {
    const counts = [1, 3, 7, 12, 100];
    const expected = javaPartitionsForKeys(java!, keys, counts);
    expect(expected).toHaveLength(keys.length);
    const { rows } = await db.query<{ p: number[] }>(
      'SELECT array(SELECT kpg.default_partition(k, c) FROM unnest($2::int[]) AS c) AS p FROM unnest($1::bytea[]) WITH ORDINALITY AS u(k, n) ORDER BY n',
      [keys, counts],
    );
    expect(rows.map((r) => r.p)).toEqual(expected);
  });

  it.skipIf(!javaUsable)('the Java consumer (CRC checks on) reads records produced from SQL, keys, values, headers and timestamps intact', async () => {
    await createTopic(kpg, 'for-java');
    await createTopic(kpg, 'for-java-append', 1, { 'message.timestamp.type': 'LogAppendTime' });
    for (const topic of ['for-java', 'for-java-append']) {
      await db.query('BEGIN');
      await db.query(`SELECT kpg.produce($1, 'k1', 'plain', '[{"key": "h1", "value": "v1"}, {"key": "h2", "value": null}]', 0, '2024-01-01 00:00:00.5+00')`, [topic]);
      await db.query(`SELECT kpg.produce($1, '\\x00ff'::bytea, '\\xdeadbeef'::bytea, NULL, 0, '2024-01-01 00:00:00.25+00')`, [topic]);
      await db.query(`SELECT kpg.produce($1, 'k3', NULL, '{"b": "x"}', 0, '2024-01-01 00:00:01+00')`, [topic]);
      await db.query('COMMIT');
      await db.query(`SELECT kpg.produce_batch($1, array_agg(ROW(NULL, convert_to(repeat('v', i), 'UTF8'), NULL, 0, NULL)::kpg.new_record)) FROM generate_series(1, 200) AS i`, [topic]);
    }
    const plain = await javaConsume(java!, kpg.bootstrap, 'for-java', 0, 203);
    expect(plain.map((r) => r.offset)).toEqual(Array.from({ length: 203 }, (_, i) => BigInt(i)));
    expect(plain.slice(0, 3)).toEqual([
      { offset: 0n, timestamp: 1704067200500n, timestampType: 'CreateTime', key: Buffer.from('k1'), value: Buffer.from('plain'), headers: [{ key: 'h1', value: Buffer.from('v1') }, { key: 'h2', value: null }] },
      { offset: 1n, timestamp: 1704067200250n, timestampType: 'CreateTime', key: Buffer.from([0x00, 0xff]), value: Buffer.from([0xde, 0xad, 0xbe, 0xef]), headers: [] },
      { offset: 2n, timestamp: 1704067201000n, timestampType: 'CreateTime', key: Buffer.from('k3'), value: null, headers: [{ key: 'b', value: Buffer.from('x') }] },
    ]);
    expect(plain.slice(3).map((r) => r.value!.length)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    const appended = await javaConsume(java!, kpg.bootstrap, 'for-java-append', 0, 203);
    const rows = await viewRows('for-java-append');
    expect(appended.map((r) => [r.offset, r.timestamp, r.timestampType])).toEqual(rows.map((r) => [r.offset, BigInt(r.timestamp.getTime()), 'LogAppendTime']));
  });

  it('keyless records spread over the partitions', async () => {
    const topic = 'keyless';
    await createTopic(kpg, topic, 4);
    await db.query(`SELECT kpg.produce('keyless', NULL::text, 'v' || i) FROM generate_series(1, 40) AS i`);
    const rows = await viewRows(topic);
    expect(rows).toHaveLength(40);
    expect(new Set(rows.map((r) => r.partition))).toEqual(new Set([0, 1, 2, 3]));
  });
});

describe('bad input', () => {
  const topic = 'strict';

  beforeAll(async () => {
    await createTopic(kpg, topic, 2, { 'max.message.bytes': '1000' });
  });

  const cases: [string, string, unknown[], string, RegExp][] = [
    ['a missing topic', `SELECT kpg.produce('no-such-topic', 'k', 'v')`, [], '42704', /topic "no-such-topic" does not exist/],
    ['a partition out of range', `SELECT kpg.produce('strict', 'k', 'v', NULL, 2)`, [], '22023', /has no partition 2 \(it has 2 partitions/],
    ['a negative partition', `SELECT kpg.produce('strict', 'k', 'v', NULL, -1)`, [], '22023', /has no partition -1/],
    ['a value over max.message.bytes', `SELECT kpg.produce('strict', 'k', repeat('x', 1000))`, [], '54000', /more than max\.message\.bytes \(1000\)/],
    ['headers that are a string', `SELECT kpg.produce('strict', 'k', 'v', '"oops"')`, [], '22023', /headers must be a JSON array/],
    ['a header without a key', `SELECT kpg.produce('strict', 'k', 'v', '[{"value": "x"}]')`, [], '22023', /header 1 must be an object with a string "key"/],
    ['a header that is not an object', `SELECT kpg.produce('strict', 'k', 'v', '["x"]')`, [], '22023', /header 1 must be an object/],
    ['a numeric header value', `SELECT kpg.produce('strict', 'k', 'v', '{"n": 5}')`, [], '22023', /header 1 \("n"\) must have a string or null "value"/],
    ['bad base64 in a header', `SELECT kpg.produce('strict', 'k', 'v', '[{"key": "b", "value": "!!", "value_encoding": "base64"}]')`, [], '22023', /not valid base64/],
    ['a timestamp an hour and more in the future', `SELECT kpg.produce('strict', 'k', 'v', NULL, NULL, now() + interval '2 hours')`, [], '22023', /message\.timestamp\.after\.max\.ms/],
    ['an infinite timestamp', `SELECT kpg.produce('strict', 'k', 'v', NULL, NULL, 'infinity')`, [], '22023', /is not a point in time/],
    ['a JSON batch that is not an array', `SELECT kpg.produce_batch('strict', '{"key": "k"}'::jsonb)`, [], '22023', /records must be a JSON array/],
  ];

  for (const [what, sql, params, code, message] of cases) {
    it(`refuses ${what} with a clear error, failing only the caller's statement`, async () => {
      await db.query('BEGIN');
      await db.query("INSERT INTO orders VALUES (1000, 'kept')");
      await db.query(`SELECT kpg.produce('strict', 'before', 'kept', NULL, 0)`);
      await db.query('SAVEPOINT attempt');
      const error = await sqlError(db, sql, params);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
      await db.query('ROLLBACK TO SAVEPOINT attempt');
      await db.query(`SELECT kpg.produce('strict', 'after', 'kept', NULL, 0)`);
      await db.query('COMMIT');
      const rows = await viewRows(topic);
      expect(rows.slice(-2).map((r) => text(r.key))).toEqual(['before', 'after']);
      expect((await db.query('SELECT item FROM orders WHERE id = 1000')).rows).toEqual([{ item: 'kept' }]);
      await db.query('DELETE FROM orders WHERE id = 1000');
    });
  }

  it('fails the commit, and so the whole transaction, when the topic is deleted before it commits', async () => {
    await createTopic(kpg, 'doomed');
    const s = await sqlSession(kpg.database.url);
    try {
      await s.query('BEGIN');
      await s.query("INSERT INTO orders VALUES (2000, 'doomed')");
      await s.query(`SELECT kpg.produce('doomed', 'k', 'v')`);
      await db.query(`DELETE FROM kpg.topics WHERE name = 'doomed'`);
      const error = await sqlError(s, 'COMMIT');
      expect(error.code).toBe('42704');
      expect(error.message).toMatch(/was deleted before the transaction committed/);
      expect((await db.query('SELECT * FROM orders WHERE id = 2000')).rows).toEqual([]);
    } finally {
      await s.end();
    }
  });
});
