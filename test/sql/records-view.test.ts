/**
 * kpg.records and its index-driven functions show exactly what Kafka producers wrote: keys, values,
 * headers and timestamps as consumers receive them, whatever the codec.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../src/records/batch.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { CompressionTypes, kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { consumeAll, createTopic, sqlSession, text } from './support.js';

let kpg: TestGateway;
let db: pg.Client;

beforeAll(async () => {
  kpg = await startTestGateway();
  db = await sqlSession(kpg.database.url);
});

afterAll(async () => {
  await db?.end();
  await kpg?.stop();
});

interface RecordRow {
  topic: string;
  partition: number;
  offset: bigint;
  timestamp: Date;
  timestamp_type: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: string | null; key_encoding?: string; value_encoding?: string }[];
  producer_id: bigint;
  source: string;
}

async function viewRows(topic: string): Promise<RecordRow[]> {
  const { rows } = await db.query<RecordRow>('SELECT * FROM kpg.records WHERE topic = $1 ORDER BY partition, "offset"', [topic]);
  return rows;
}

describe('kpg.records', () => {
  const codecs = [
    ['none', CompressionTypes.None],
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
    ['zstd', CompressionTypes.ZSTD],
  ] as const;

  for (const [name, codec] of codecs) {
    it(`shows kafkajs records compressed with ${name} with identical keys, values, headers and timestamps`, async () => {
      const topic = `view-${name}`;
      await createTopic(kpg, topic, 2);
      const producer = kafkaClient(kpg.bootstrap).producer();
      await producer.connect();
      const base = Date.now() - 3_600_000;
      const sent = Array.from({ length: 300 }, (_, i) => ({
        key: i % 10 === 0 ? null : `key-${i}`,
        value: i % 37 === 0 ? null : JSON.stringify({ n: i, text: 'é'.repeat(i % 5), pad: 'x'.repeat(i % 90) }),
        headers: { trace: `t-${i}`, 'content-type': 'application/json', raw: Buffer.from([0xff, i % 256, 0x00]) },
        timestamp: String(base + i * 7),
        partition: i % 2,
      }));
      for (let i = 0; i < sent.length; i += 60) {
        await producer.send({ topic, compression: codec, messages: sent.slice(i, i + 60) });
      }
      await producer.disconnect();

      const rows = await viewRows(topic);
      expect(rows).toHaveLength(sent.length);
      for (const partition of [0, 1]) {
        const expected = sent.filter((m) => m.partition === partition);
        const got = rows.filter((r) => r.partition === partition);
        expect(got.map((r) => r.offset)).toEqual(expected.map((_, i) => BigInt(i)));
        got.forEach((r, i) => {
          const m = expected[i]!;
          expect(r.topic).toBe(topic);
          expect(text(r.key)).toBe(m.key);
          expect(text(r.value)).toBe(m.value);
          expect(r.timestamp.getTime()).toBe(Number(m.timestamp));
          expect(r.timestamp_type).toBe('CreateTime');
          expect(r.headers).toEqual([
            { key: 'trace', value: m.headers.trace },
            { key: 'content-type', value: 'application/json' },
            { key: 'raw', value: m.headers.raw.toString('base64'), value_encoding: 'base64' },
          ]);
          expect(r.source).toBe('kafka');
          expect(r.producer_id).toBe(-1n);
        });
      }

      // The same records, field for field, as a consumer fetching them.
      for (const partition of [0, 1]) {
        const consumed = await consumeAll(kpg.bootstrap, topic, partition);
        const got = rows.filter((r) => r.partition === partition);
        expect(consumed.records.map((r) => [r.offset, text(r.key), text(r.value), r.timestamp])).toEqual(
          got.map((r) => [r.offset, text(r.key), text(r.value), BigInt(r.timestamp.getTime())]),
        );
      }
    });
  }

  it('shows the producer id of idempotent producers', async () => {
    const topic = 'view-idempotent';
    await createTopic(kpg, topic);
    const producer = kafkaClient(kpg.bootstrap).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }] });
    await producer.disconnect();
    const rows = await viewRows(topic);
    expect(rows.map((r) => text(r.value))).toEqual(['a', 'b']);
    expect(rows[0]!.producer_id).toBeGreaterThanOrEqual(0n);
    expect(rows[1]!.producer_id).toBe(rows[0]!.producer_id);
  });

  it('applies the header rule: UTF-8 as text, anything else (invalid UTF-8, NUL bytes) as base64, null as null', async () => {
    const topic = 'view-headers';
    await createTopic(kpg, topic);
    const batch = await encodeBatch([
      {
        key: Buffer.alloc(0),
        value: Buffer.from('with\u0000nul'),
        headers: [
          { key: 'text', value: 'grüße 😀' },
          { key: 'nul', value: Buffer.from('a\u0000b') },
          { key: 'overlong', value: Buffer.from([0xc0, 0xaf]) },
          { key: 'surrogate', value: Buffer.from([0xed, 0xa0, 0x80]) },
          { key: 'empty', value: Buffer.alloc(0) },
          { key: 'null', value: null },
          { key: 'dup', value: 'first' },
          { key: 'dup', value: 'second' },
        ],
        timestamp: 1_700_000_000_000,
      },
    ]);
    const c = await RawClient.connect(kpg.bootstrap);
    const { body } = await c.request(0, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: 0, records: batch }] }] });
    c.close();
    expect(body.responses[0].partitionResponses[0].errorCode).toBe(0);

    const [row] = await viewRows(topic);
    expect(row!.key).toEqual(Buffer.alloc(0));
    expect(row!.value).toEqual(Buffer.from('with\u0000nul'));
    expect(row!.headers).toEqual([
      { key: 'text', value: 'grüße 😀' },
      { key: 'nul', value: Buffer.from('a\u0000b').toString('base64'), value_encoding: 'base64' },
      { key: 'overlong', value: Buffer.from([0xc0, 0xaf]).toString('base64'), value_encoding: 'base64' },
      { key: 'surrogate', value: Buffer.from([0xed, 0xa0, 0x80]).toString('base64'), value_encoding: 'base64' },
      { key: 'empty', value: '' },
      { key: 'null', value: null },
      { key: 'dup', value: 'first' },
      { key: 'dup', value: 'second' },
    ]);
    // kpg.header_value gives the bytes back whichever way they were written, last one winning.
    const { rows } = await db.query<{ text: Buffer; nul: Buffer; missing: Buffer | null; nulled: Buffer | null; dup: Buffer }>(
      `SELECT kpg.header_value(headers, 'text') AS text, kpg.header_value(headers, 'nul') AS nul,
              kpg.header_value(headers, 'missing') AS missing, kpg.header_value(headers, 'null') AS nulled,
              kpg.header_value(headers, 'dup') AS dup
         FROM kpg.records WHERE topic = $1`,
      [topic],
    );
    expect(rows[0]).toEqual({ text: Buffer.from('grüße 😀'), nul: Buffer.from('a\u0000b'), missing: null, nulled: null, dup: Buffer.from('second') });

    // Every Kafka client sends header keys as strings; bytes that are not UTF-8 would follow the same rule.
    const odd = await db.query<{ h: unknown }>(`SELECT kpg.header_json('\\x6bc328'::bytea, 'v'::bytea) AS h`);
    expect(odd.rows[0]!.h).toEqual({ key: Buffer.from([0x6b, 0xc3, 0x28]).toString('base64'), key_encoding: 'base64', value: 'v' });
  });

  it('shows LogAppendTime topics with the append time, as consumers see it', async () => {
    const topic = 'view-log-append';
    await createTopic(kpg, topic, 1, { 'message.timestamp.type': 'LogAppendTime' });
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: [{ value: 'a', timestamp: '1000' }, { value: 'b', timestamp: '2000' }] });
    await producer.disconnect();
    const rows = await viewRows(topic);
    const consumed = await consumeAll(kpg.bootstrap, topic, 0);
    expect(rows.map((r) => r.timestamp_type)).toEqual(['LogAppendTime', 'LogAppendTime']);
    expect(rows.map((r) => BigInt(r.timestamp.getTime()))).toEqual(consumed.records.map((r) => r.timestamp));
    expect(rows[0]!.timestamp.getTime()).toBeGreaterThan(2000);
  });

  it('hides records below the log start offset (DeleteRecords), in the view and the functions', async () => {
    const topic = 'view-log-start';
    await createTopic(kpg, topic);
    const kafka = kafkaClient(kpg.bootstrap);
    const producer = kafka.producer();
    await producer.connect();
    for (let i = 0; i < 5; i++) {
      await producer.send({ topic, messages: Array.from({ length: 10 }, (_, j) => ({ value: `v${i * 10 + j}` })) });
    }
    await producer.disconnect();
    const admin = kafka.admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [topic] }); // kafkajs needs the leader known first
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '15' }] });
    await admin.disconnect();

    const rows = await viewRows(topic);
    expect(rows.map((r) => r.offset)).toEqual(Array.from({ length: 35 }, (_, i) => BigInt(15 + i)));
    const between = await db.query<RecordRow>('SELECT * FROM kpg.records_between($1, 0, 20)', [topic]);
    expect(between.rows.map((r) => r.offset)).toEqual([15n, 16n, 17n, 18n, 19n, 20n]);
    const tail = await db.query<RecordRow>('SELECT * FROM kpg.tail($1, 100)', [topic]);
    expect(tail.rows.map((r) => r.offset)).toEqual(rows.map((r) => r.offset));
    const since = await db.query<RecordRow>(`SELECT * FROM kpg.records_since($1, 'epoch')`, [topic]);
    expect(since.rows.map((r) => r.offset)).toEqual(rows.map((r) => r.offset));
  });
});

describe('kpg.records_between, kpg.tail and kpg.records_since', () => {
  const topic = 'ranges';
  let all: RecordRow[];
  const base = Date.now() - 86_400_000;

  beforeAll(async () => {
    await createTopic(kpg, topic, 3);
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    // Batches of varying size per partition; timestamps grow, except a few that go back in time.
    for (let round = 0; round < 12; round++) {
      await producer.send({
        topic,
        messages: Array.from({ length: 1 + (round % 5) * 3 }, (_, i) => ({
          partition: (round + i) % 3,
          value: `r${round}-${i}`,
          timestamp: String(base + round * 60_000 + i * 1000 - (i === 2 ? 3_600_000 : 0)),
        })),
      });
    }
    await producer.disconnect();
    all = await viewRows(topic);
  });

  it('records_between returns exactly the records in the inclusive offset range, batch boundaries or not', async () => {
    for (const [first, last] of [[0, 0], [3, 7], [1, 100], [5, 4], [9, 9], [0, 1000]] as const) {
      for (const partition of [null, 1]) {
        const { rows } = await db.query<RecordRow>('SELECT * FROM kpg.records_between($1, $2, $3, $4)', [topic, first, last, partition]);
        const expected = all.filter((r) => r.offset >= first && r.offset <= last && (partition === null || r.partition === partition));
        expect(rows).toEqual(expected);
      }
    }
  });

  it('tail returns the last n records of each partition', async () => {
    const { rows } = await db.query<RecordRow>('SELECT * FROM kpg.tail($1, 4)', [topic]);
    const expected = [0, 1, 2].flatMap((p) => all.filter((r) => r.partition === p).slice(-4));
    expect(rows).toEqual(expected);
    const one = await db.query<RecordRow>('SELECT * FROM kpg.tail($1, 2, 2)', [topic]);
    expect(one.rows).toEqual(all.filter((r) => r.partition === 2).slice(-2));
    expect((await db.query('SELECT * FROM kpg.tail($1, 0)', [topic])).rows).toEqual([]);
  });

  it('records_since returns the records at or after a time (and before another), even out of timestamp order', async () => {
    for (const minutes of [0, 3, 7.5, 11, 20]) {
      const since = new Date(base + minutes * 60_000);
      const { rows } = await db.query<RecordRow>('SELECT * FROM kpg.records_since($1, $2)', [topic, since]);
      expect(rows).toEqual(all.filter((r) => r.timestamp >= since));
      const until = new Date(since.getTime() + 4 * 60_000);
      const window = await db.query<RecordRow>('SELECT * FROM kpg.records_since($1, $2, $3)', [topic, since, until]);
      expect(window.rows).toEqual(all.filter((r) => r.timestamp >= since && r.timestamp < until));
    }
  });

  it('an unknown topic has no records', async () => {
    expect((await db.query("SELECT * FROM kpg.records WHERE topic = 'no-such-topic'")).rows).toEqual([]);
    expect((await db.query("SELECT * FROM kpg.tail('no-such-topic', 10)")).rows).toEqual([]);
  });
});
