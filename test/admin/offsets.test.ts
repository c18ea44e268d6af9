/**
 * ListOffsets (earliest, latest, max timestamp, by time, v0), DeleteRecords (log start, OFFSET_OUT_OF_RANGE,
 * reclaiming) and time/size retention, with kafkajs and raw requests.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { type TestGateway } from '../support/gateway.js';
import { type AdminGateway, createTopicOverKafka, startAdminGateway } from './support/admin-gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { readPartition } from '../support/read-partition.js';

let kpg: TestGateway;
let raw: RawClient;
let db: pg.Client;
let fixture: AdminGateway | undefined;
// Recent enough that the default retention (7 days) keeps everything.
const BASE = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;

beforeAll(async () => {
  fixture = await startAdminGateway();
  ({ kpg, raw, db } = fixture);
});

afterAll(() => fixture?.stop());

const create = (name: string, partitions = 1, configs: { name: string; value: string }[] = []): Promise<string> =>
  createTopicOverKafka(raw, name, partitions, configs);

/** Five batches of four records; record i of batch b has timestamp BASE + b*1000 + i*10, except i=2 which is BASE + b*1000 + 5000. */
async function produceTimestamped(topic: string, batches = 5): Promise<void> {
  const producer = kafkaClient(kpg.bootstrap).producer();
  await producer.connect();
  try {
    for (let b = 0; b < batches; b++) {
      await producer.send({
        topic,
        messages: Array.from({ length: 4 }, (_, i) => ({ partition: 0, value: `b${b}-r${i}`, timestamp: String(BASE + b * 1000 + (i === 2 ? 5000 : i * 10)) })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

async function listOffset(topic: string, timestamp: bigint, version = 10, partition = 0, isolationLevel = 0) {
  const { body } = await raw.request(2, version, {
    replicaId: -1,
    isolationLevel,
    topics: [{ name: topic, partitions: [{ partitionIndex: partition, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 10 }] }],
    timeoutMs: 1000,
  });
  return body.topics[0].partitions[0] as { errorCode: number; offset: bigint; timestamp: bigint; oldStyleOffsets: bigint[] };
}

describe('ListOffsets', () => {
  beforeAll(async () => {
    await create('timed');
    await produceTimestamped('timed');
  });

  it('earliest, latest, and max timestamp', async () => {
    expect(await listOffset('timed', -2n)).toMatchObject({ errorCode: 0, offset: 0n, timestamp: -1n });
    expect(await listOffset('timed', -1n)).toMatchObject({ errorCode: 0, offset: 20n, timestamp: -1n });
    expect(await listOffset('timed', -1n, 10, 0, 1)).toMatchObject({ errorCode: 0, offset: 20n });
    // The largest timestamp is record 2 of the last batch: offset 18.
    expect(await listOffset('timed', -3n)).toMatchObject({ errorCode: 0, offset: 18n, timestamp: BigInt(BASE + 9000) });
  });

  it('by timestamp: the first offset whose timestamp is at least the one asked', async () => {
    expect(await listOffset('timed', BigInt(BASE))).toMatchObject({ offset: 0n, timestamp: BigInt(BASE) });
    expect(await listOffset('timed', BigInt(BASE + 5))).toMatchObject({ offset: 1n, timestamp: BigInt(BASE + 10) });
    // Record 2 of batch 0 (BASE + 5000) comes before any record of batch 1 with a timestamp that high.
    expect(await listOffset('timed', BigInt(BASE + 1005))).toMatchObject({ offset: 2n, timestamp: BigInt(BASE + 5000) });
    expect(await listOffset('timed', BigInt(BASE + 5001))).toMatchObject({ offset: 6n, timestamp: BigInt(BASE + 6000) });
    expect(await listOffset('timed', BigInt(BASE + 9000))).toMatchObject({ offset: 18n, timestamp: BigInt(BASE + 9000) });
    expect(await listOffset('timed', BigInt(BASE + 9001))).toMatchObject({ errorCode: 0, offset: -1n, timestamp: -1n });
  });

  it('kafkajs fetchTopicOffsets and fetchTopicOffsetsByTimestamp', async () => {
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsets('timed')).toEqual([{ partition: 0, offset: '20', high: '20', low: '0' }]);
      expect(await admin.fetchTopicOffsetsByTimestamp('timed', BASE + 3010)).toEqual([{ partition: 0, offset: '2' }]);
      expect(await admin.fetchTopicOffsetsByTimestamp('timed', BASE + 5001)).toEqual([{ partition: 0, offset: '6' }]);
      // No record that recent: kafkajs then asks for the latest offset.
      expect(await admin.fetchTopicOffsetsByTimestamp('timed', BASE + 99_999)).toEqual([{ partition: 0, offset: '20' }]);
    } finally {
      await admin.disconnect();
    }
  });

  it('v0: the old-style offsets list', async () => {
    expect((await listOffset('timed', -1n, 0)).oldStyleOffsets).toEqual([20n, 0n]);
    expect((await listOffset('timed', -2n, 0)).oldStyleOffsets).toEqual([0n]);
    await create('timed-empty');
    expect((await listOffset('timed-empty', -1n, 0)).oldStyleOffsets).toEqual([0n]);
  });

  it('v1-v6 keep the simple semantics; special timestamps newer than the version are refused', async () => {
    expect(await listOffset('timed', -1n, 1)).toMatchObject({ errorCode: 0, offset: 20n });
    expect(await listOffset('timed', BigInt(BASE + 5), 3)).toMatchObject({ errorCode: 0, offset: 1n });
    expect(await listOffset('timed', -3n, 6)).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION });
    expect(await listOffset('timed', -4n, 8)).toMatchObject({ errorCode: 0, offset: 0n });
    expect(await listOffset('timed', -5n, 9)).toMatchObject({ errorCode: 0, offset: -1n });
    expect(await listOffset('timed', -7n, 10)).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_VERSION });
  });

  it('bad input: unknown topics and partitions, leader epochs, partitions asked twice', async () => {
    expect(await listOffset('no-such-topic', -1n)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, offset: -1n });
    expect(await listOffset('timed', -1n, 10, 3)).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    const { body } = await raw.request(2, 10, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        {
          name: 'timed',
          partitions: [
            { partitionIndex: 0, currentLeaderEpoch: 7, timestamp: -1n, maxNumOffsets: 1 },
            { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n, maxNumOffsets: 1 },
          ],
        },
      ],
      timeoutMs: 1000,
    });
    expect(body.topics[0].partitions.map((p: { errorCode: number }) => p.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    const epoch = await raw.request(2, 10, {
      replicaId: -1,
      isolationLevel: 0,
      topics: [{ name: 'timed', partitions: [{ partitionIndex: 0, currentLeaderEpoch: 7, timestamp: -1n, maxNumOffsets: 1 }] }],
      timeoutMs: 1000,
    });
    expect(epoch.body.topics[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
  });
});

describe('DeleteRecords', () => {
  it('kafkajs deleteTopicRecords moves the log start; consumers start there; batches below are reclaimed', async () => {
    const topicId = await create('trimmed');
    await produceTimestamped('trimmed');
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      // kafkajs needs the topic's metadata loaded first (fetchTopicOffsets does that), against Kafka too.
      await admin.fetchTopicOffsets('trimmed');
      // Offset 6 falls inside the second batch (offsets 4-7), which stays while the first one goes.
      await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '6' }] });
      expect(await admin.fetchTopicOffsets('trimmed')).toEqual([{ partition: 0, offset: '20', high: '20', low: '6' }]);
    } finally {
      await admin.disconnect();
    }
    await kpg.gateway.reaper.runOnce();
    const { rows } = await db.query<{ base: string }>(
      'SELECT base_offset::text AS base FROM kpg.record_batches WHERE topic_id = $1 ORDER BY base_offset',
      [topicId],
    );
    expect(rows.map((r) => Number(r.base))).toEqual([4, 8, 12, 16]);
    // Fetching below the log start is out of range; from it, records start there.
    expect((await readPartition(kpg.bootstrap, 'trimmed', 0, 2n)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const { records } = await readPartition(kpg.bootstrap, 'trimmed', 0, 6n);
    expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 14 }, (_, i) => BigInt(6 + i)));
    // Earliest and by-time lookups no longer see the deleted records.
    expect(await listOffset('trimmed', -2n)).toMatchObject({ offset: 6n });
    expect(await listOffset('trimmed', BigInt(BASE))).toMatchObject({ offset: 6n });
    expect(await listOffset('trimmed', BigInt(BASE + 5000))).toMatchObject({ offset: 6n, timestamp: BigInt(BASE + 6000) });
  });

  it('offset -1 deletes up to the high watermark; the low watermark never moves back', async () => {
    await create('emptied');
    await produceTimestamped('emptied', 2);
    const del = async (offset: bigint) =>
      (await raw.request(21, 2, { topics: [{ name: 'emptied', partitions: [{ partitionIndex: 0, offset }] }], timeoutMs: 1000 })).body.topics[0].partitions[0];
    expect(await del(-1n)).toMatchObject({ errorCode: 0, lowWatermark: 8n });
    expect(await del(3n)).toMatchObject({ errorCode: 0, lowWatermark: 8n });
    expect(await listOffset('emptied', -3n)).toMatchObject({ offset: -1n, timestamp: -1n });
  });

  it('bad input: beyond the high watermark or negative, unknown partitions, compacted topics', async () => {
    await create('guarded-records', 1);
    await create('compacted', 1, [{ name: 'cleanup.policy', value: 'compact' }]);
    const { body } = await raw.request(21, 2, {
      topics: [
        { name: 'guarded-records', partitions: [{ partitionIndex: 0, offset: 1n }, { partitionIndex: 5, offset: 0n }] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0, offset: 0n }] },
        { name: 'compacted', partitions: [{ partitionIndex: 0, offset: 0n }] },
      ],
      timeoutMs: 1000,
    });
    expect(body.topics.map((t: { partitions: { errorCode: number; lowWatermark: bigint }[] }) => t.partitions.map((p) => [p.errorCode, p.lowWatermark]))).toEqual([
      [[ErrorCode.OFFSET_OUT_OF_RANGE, -1n], [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]],
      [[ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1n]],
      [[ErrorCode.POLICY_VIOLATION, -1n]],
    ]);
    const negative = await raw.request(21, 0, { topics: [{ name: 'guarded-records', partitions: [{ partitionIndex: 0, offset: -2n }] }], timeoutMs: 1000 });
    expect(negative.body.topics[0].partitions[0].errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(await listOffset('guarded-records', -2n)).toMatchObject({ offset: 0n });
  });
});

describe('retention', () => {
  it('retention.ms removes batches whose records are all older, and moves the log start past them', async () => {
    const topicId = await create('expiring', 1, [{ name: 'retention.ms', value: '60000' }]);
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    const now = Date.now();
    try {
      await producer.send({ topic: 'expiring', messages: [{ value: 'old-1', timestamp: String(now - 3_600_000) }, { value: 'old-2', timestamp: String(now - 3_500_000) }] });
      await producer.send({ topic: 'expiring', messages: [{ value: 'old-3', timestamp: String(now - 3_400_000) }] });
      await producer.send({ topic: 'expiring', messages: [{ value: 'mixed-old', timestamp: String(now - 3_300_000) }, { value: 'mixed-new', timestamp: String(now) }] });
      await producer.send({ topic: 'expiring', messages: [{ value: 'new', timestamp: String(now) }] });
    } finally {
      await producer.disconnect();
    }
    const stats = await kpg.gateway.reaper.runOnce({ retention: true });
    expect(stats.logStartsMoved).toBeGreaterThanOrEqual(1);
    // The batch holding a recent record stays whole: the log starts at its first offset.
    expect(await listOffset('expiring', -2n)).toMatchObject({ offset: 3n });
    const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM kpg.record_batches WHERE topic_id = $1', [topicId]);
    expect(Number(rows[0]!.n)).toBe(2);
  });

  it('retention.bytes keeps at least that many bytes, removing the oldest whole batches', async () => {
    const topicId = await create('size-capped', 1);
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    try {
      for (let i = 0; i < 10; i++) await producer.send({ topic: 'size-capped', messages: [{ value: 'x'.repeat(1000) }] });
    } finally {
      await producer.disconnect();
    }
    const { rows } = await db.query<{ size: number }>('SELECT size_bytes AS size FROM kpg.record_batches WHERE topic_id = $1 ORDER BY last_offset', [topicId]);
    const batchSize = rows[0]!.size;
    const { body } = await raw.request(44, 1, {
      resources: [{ resourceType: 2, resourceName: 'size-capped', configs: [{ name: 'retention.bytes', configOperation: 0, value: String(batchSize * 3 + 1) }] }],
      validateOnly: false,
    });
    expect(body.responses[0].errorCode).toBe(ErrorCode.NONE);
    await kpg.gateway.reaper.runOnce({ retention: true });
    // Three batches would be less than the limit, so four stay (Kafka's rule: never below retention.bytes).
    expect(await listOffset('size-capped', -2n)).toMatchObject({ offset: 6n });
    const left = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM kpg.record_batches WHERE topic_id = $1', [topicId]);
    expect(Number(left.rows[0]!.n)).toBe(4);
  });

  it('cleanup.policy=compact alone keeps everything', async () => {
    await create('kept-forever', 1, [{ name: 'cleanup.policy', value: 'compact' }, { name: 'retention.ms', value: '1' }]);
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    try {
      await producer.send({ topic: 'kept-forever', messages: [{ key: 'k', value: 'v', timestamp: String(Date.now() - 3_600_000) }] });
    } finally {
      await producer.disconnect();
    }
    await kpg.gateway.reaper.runOnce({ retention: true });
    expect(await listOffset('kept-forever', -2n)).toMatchObject({ offset: 0n });
  });
});
