/**
 * Leader epochs, as a Kafka leader with one epoch (0) serves them: every appended batch carries the
 * partition's epoch with its CRC still valid (Kafka producers' batches and those built in SQL),
 * ListOffsets reports it with found offsets, OffsetForLeaderEpoch answers as Kafka's leader-epoch cache,
 * and Fetch checks a current leader epoch. Every expectation here is what Apache Kafka 4.1.2 answered
 * to the same requests.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { computeBatchCrc, encodeBatch, readBatchHeader, splitBatches } from '../../src/records/batch.js';
import { Compression } from '../../src/records/compression.js';
import { createTopic as createTopicIn, startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { readPartition } from '../support/read-partition.js';

let kpg: TestGateway;
let raw: RawClient;
let db: pg.Client;

beforeAll(async () => {
  kpg = await startTestGateway();
  raw = await RawClient.connect(kpg.bootstrap);
  db = new pg.Client({ connectionString: kpg.database.url });
  await db.connect();
});

afterAll(async () => {
  raw?.close();
  await db?.end();
  await kpg?.stop();
});

const createTopic = (name: string, partitions = 1, configs: Record<string, string> = {}): Promise<void> =>
  createTopicIn(kpg.gateway, name, partitions, configs);

async function produce(topic: string, partition: number, batch: Buffer): Promise<void> {
  const { body } = await raw.request(0, 9, {
    transactionalId: null, acks: -1, timeoutMs: 30_000, topicData: [{ name: topic, partitionData: [{ index: partition, records: batch }] }],
  });
  expect(body.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.NONE);
}

/** Three batches of two records each on partition 0 (offsets 0-5). */
async function produceSix(topic: string): Promise<void> {
  for (let i = 0; i < 3; i++) await produce(topic, 0, await encodeBatch([{ value: `v${i}a` }, { value: `v${i}b` }]));
}

/** The batches of a partition as a consumer fetches them: leader epoch and whether the CRC holds. */
async function fetchedBatches(topic: string, partition = 0): Promise<{ baseOffset: bigint; epoch: number; crcValid: boolean }[]> {
  const { body } = await raw.request(1, 12, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 24, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 24 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const p = body.responses[0].partitions[0];
  expect(p.errorCode).toBe(ErrorCode.NONE);
  return splitBatches(p.records ?? Buffer.alloc(0)).map((b) => {
    const h = readBatchHeader(b);
    return { baseOffset: h.baseOffset, epoch: h.partitionLeaderEpoch, crcValid: computeBatchCrc(b) === h.crc };
  });
}

/** The stored bytes, read in SQL: leader epoch field, CRC field and a CRC-32C over attributes onwards. */
async function storedBatches(topic: string): Promise<{ baseOffset: bigint; epoch: number; crcValid: boolean }[]> {
  const { rows } = await db.query<{ base_offset: string; head: Buffer; crc: string }>(
    `SELECT b.base_offset, substring(b.batch FROM 1 FOR 21) AS head, kpg.crc32c(substring(b.batch FROM 22)) AS crc
       FROM kpg.record_batches b JOIN kpg.topics t ON t.topic_id = b.topic_id
      WHERE t.name = $1 ORDER BY b.partition, b.base_offset`,
    [topic],
  );
  return rows.map((r) => ({
    baseOffset: BigInt(r.base_offset),
    epoch: r.head.readInt32BE(12),
    crcValid: r.head.readUInt32BE(17) === Number(r.crc),
  }));
}

describe('stored batches carry the leader epoch', () => {
  it('whatever epoch a producer sent, with the CRC still valid, for every way a batch is stored', async () => {
    await createTopic('epoch-stamped');
    await createTopic('epoch-stamped-append-time', 1, { 'message.timestamp.type': 'LogAppendTime' });
    // Stored as received (uncompressed), with the usual -1 and with an arbitrary epoch.
    await produce('epoch-stamped', 0, await encodeBatch([{ value: 'a' }, { value: 'b' }], { partitionLeaderEpoch: -1 }));
    await produce('epoch-stamped', 0, await encodeBatch([{ value: 'c' }], { partitionLeaderEpoch: 7 }));
    // Re-assembled by kpg: compressed (stored uncompressed), and a LogAppendTime topic.
    await produce('epoch-stamped', 0, await encodeBatch([{ value: 'd' }, { value: 'e' }], { compression: Compression.gzip }));
    await produce('epoch-stamped-append-time', 0, await encodeBatch([{ value: 'f' }]));
    // kafkajs.
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic: 'epoch-stamped', messages: [{ value: 'g' }, { value: 'h' }] });
    await producer.disconnect();

    const expected = [0n, 2n, 3n, 5n].map((baseOffset) => ({ baseOffset, epoch: 0, crcValid: true }));
    expect(await fetchedBatches('epoch-stamped')).toEqual(expected);
    expect(await storedBatches('epoch-stamped')).toEqual(expected);
    expect(await fetchedBatches('epoch-stamped-append-time')).toEqual([{ baseOffset: 0n, epoch: 0, crcValid: true }]);
    expect(await storedBatches('epoch-stamped-append-time')).toEqual([{ baseOffset: 0n, epoch: 0, crcValid: true }]);
    // The records themselves are untouched.
    const { records } = await readPartition(kpg.bootstrap, 'epoch-stamped', 0);
    expect(records.map((r) => r.value)).toEqual(['a', 'b', 'c', 'd', 'e', 'g', 'h']);
  });

  it('records produced in SQL (appended at commit, or relayed for REPEATABLE READ) too', async () => {
    await createTopic('epoch-sql');
    await db.query(`SELECT kpg.produce('epoch-sql', NULL::text, 'read committed')`);
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    await db.query(`SELECT kpg.produce('epoch-sql', NULL::text, 'repeatable read')`);
    await db.query('COMMIT');
    const deadline = Date.now() + 30_000;
    while ((await storedBatches('epoch-sql')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    const expected = [0n, 1n].map((baseOffset) => ({ baseOffset, epoch: 0, crcValid: true }));
    expect(await storedBatches('epoch-sql')).toEqual(expected);
    expect(await fetchedBatches('epoch-sql')).toEqual(expected);
  });
});

describe('OffsetForLeaderEpoch', () => {
  const TOPIC = 'epoch-lookup';
  beforeAll(async () => {
    await createTopic(TOPIC, 2);
    await produceSix(TOPIC);
  });

  async function lookup(partitions: { partition: number; currentLeaderEpoch?: number; leaderEpoch: number }[], version = 4, replicaId = -1, topic = TOPIC) {
    const { body } = await raw.request(23, version, {
      replicaId,
      topics: [{ topic, partitions: partitions.map((p) => ({ currentLeaderEpoch: -1, ...p })) }],
    });
    expect(body.throttleTimeMs).toBe(0);
    expect(body.topics.map((t: { topic: string }) => t.topic)).toEqual([topic]);
    return body.topics[0].partitions as { errorCode: number; partition: number; leaderEpoch: number; endOffset: bigint }[];
  }
  const ok = (partition: number, leaderEpoch: number, endOffset: bigint) => ({ errorCode: ErrorCode.NONE, partition, leaderEpoch, endOffset });
  const error = (partition: number, errorCode: number) => ({ errorCode, partition, leaderEpoch: -1, endOffset: -1n });

  it('is advertised with the versions Kafka 4.1 serves, 2-4', async () => {
    const { body } = await raw.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    expect(body.apiKeys.find((k: { apiKey: number }) => k.apiKey === 23)).toEqual({ apiKey: 23, minVersion: 2, maxVersion: 4 });
  });

  it('the current epoch ends at the log end offset, in every version; an empty partition at 0', async () => {
    for (const version of [2, 3, 4]) {
      expect(await lookup([{ partition: 0, leaderEpoch: 0 }], version)).toEqual([ok(0, 0, 6n)]);
      expect(await lookup([{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }], version)).toEqual([ok(0, 0, 6n)]);
    }
    expect(await lookup([{ partition: 1, currentLeaderEpoch: 0, leaderEpoch: 0 }])).toEqual([ok(1, 0, 0n)]);
  });

  it('an undefined or newer epoch: undefined epoch and offset; an older one: itself and the start of epoch 0', async () => {
    for (const leaderEpoch of [-1, 1, 5]) {
      expect(await lookup([{ partition: 0, currentLeaderEpoch: 0, leaderEpoch }])).toEqual([ok(0, -1, -1n)]);
    }
    expect(await lookup([{ partition: 0, leaderEpoch: -2 }])).toEqual([ok(0, -2, 0n)]);
    expect(await lookup([{ partition: 0, leaderEpoch: -7 }])).toEqual([ok(0, -7, 0n)]);
  });

  it('fences a current leader epoch other than the partition\'s: newer UNKNOWN_LEADER_EPOCH, older FENCED_LEADER_EPOCH', async () => {
    expect(await lookup([{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }])).toEqual([error(0, ErrorCode.UNKNOWN_LEADER_EPOCH)]);
    expect(await lookup([{ partition: 0, currentLeaderEpoch: -5, leaderEpoch: 0 }])).toEqual([error(0, ErrorCode.FENCED_LEADER_EPOCH)]);
    // Only -1 means "no current epoch".
    expect(await lookup([{ partition: 0, currentLeaderEpoch: -2, leaderEpoch: 0 }])).toEqual([error(0, ErrorCode.FENCED_LEADER_EPOCH)]);
  });

  it('answers a replica id (v3+) of a follower, or the debug id -2, as it answers consumers', async () => {
    for (const [version, replicaId] of [[3, 1], [4, 1], [4, 3], [4, -2]] as const) {
      expect(await lookup([{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }], version, replicaId)).toEqual([ok(0, 0, 6n)]);
    }
    expect(await lookup([{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }], 4, 1)).toEqual([error(0, ErrorCode.UNKNOWN_LEADER_EPOCH)]);
  });

  it('unknown partitions and topics: UNKNOWN_TOPIC_OR_PARTITION; answers in request order, a topic asked twice twice', async () => {
    expect(
      await lookup([
        { partition: 1, currentLeaderEpoch: 0, leaderEpoch: 0 },
        { partition: 9, currentLeaderEpoch: 0, leaderEpoch: 0 },
        { partition: -1, currentLeaderEpoch: 0, leaderEpoch: 0 },
        { partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 },
      ]),
    ).toEqual([ok(1, 0, 0n), error(9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), error(-1, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION), ok(0, 0, 6n)]);
    expect(await lookup([{ partition: 0, leaderEpoch: 0 }], 4, -1, 'epoch-no-such-topic')).toEqual([error(0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)]);
    const { body } = await raw.request(23, 4, {
      replicaId: -1,
      topics: [
        { topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] },
        { topic: 'epoch-no-such-topic', partitions: [{ partition: 0, currentLeaderEpoch: 0, leaderEpoch: 0 }] },
        { topic: TOPIC, partitions: [{ partition: 1, currentLeaderEpoch: 0, leaderEpoch: 0 }] },
      ],
    });
    expect(body.topics).toEqual([
      { topic: TOPIC, partitions: [ok(0, 0, 6n)] },
      { topic: 'epoch-no-such-topic', partitions: [error(0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)] },
      { topic: TOPIC, partitions: [ok(1, 0, 0n)] },
    ]);
  });

  it('after DeleteRecords an older epoch ends at the new log start; the current one still at the log end', async () => {
    await createTopic('epoch-trimmed');
    await produceSix('epoch-trimmed');
    const { body } = await raw.request(21, 2, { topics: [{ name: 'epoch-trimmed', partitions: [{ partitionIndex: 0, offset: 3n }] }], timeoutMs: 5000 });
    expect(body.topics[0].partitions[0]).toMatchObject({ errorCode: ErrorCode.NONE, lowWatermark: 3n });
    const trimmed = (leaderEpoch: number) => lookup([{ partition: 0, currentLeaderEpoch: 0, leaderEpoch }], 4, -1, 'epoch-trimmed');
    expect(await trimmed(0)).toEqual([ok(0, 0, 6n)]);
    expect(await trimmed(-2)).toEqual([ok(0, -2, 3n)]);
    expect(await trimmed(-1)).toEqual([ok(0, -1, -1n)]);
  });

  it('versions 0 and 1 (removed in Kafka 4.0) close the connection, as Kafka 4.1 does', async () => {
    for (const version of [0, 1]) {
      const c = await RawClient.connect(kpg.bootstrap);
      try {
        // v0/v1 layout: topics [name, partitions [partition, leader epoch]], written by hand.
        const name = Buffer.from(TOPIC);
        const body = Buffer.alloc(4 + 2 + name.length + 4 + 8);
        let o = body.writeInt32BE(1, 0);
        o = body.writeInt16BE(name.length, o);
        o += name.copy(body, o);
        o = body.writeInt32BE(1, o);
        o = body.writeInt32BE(0, o);
        body.writeInt32BE(0, o);
        const header = Buffer.alloc(10);
        header.writeInt16BE(23, 0);
        header.writeInt16BE(version, 2);
        header.writeInt32BE(1, 4);
        header.writeInt16BE(-1, 8); // null client id
        const size = Buffer.alloc(4);
        size.writeInt32BE(header.length + body.length);
        c.sendRaw(Buffer.concat([size, header, body]));
        expect(await c.nextFrame()).toBeNull();
      } finally {
        c.close();
      }
    }
  });
});

describe('ListOffsets reports the leader epoch of found offsets', () => {
  const TOPIC = 'epoch-list-offsets';
  beforeAll(async () => {
    await createTopic(TOPIC, 2);
    await produceSix(TOPIC);
  });

  async function listOffset(timestamp: bigint, { version = 10, partition = 0, currentLeaderEpoch = -1 } = {}) {
    const { body } = await raw.request(2, version, {
      replicaId: -1, isolationLevel: 0, timeoutMs: 1000,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: partition, currentLeaderEpoch, timestamp, maxNumOffsets: 1 }] }],
    });
    const p = body.topics[0].partitions[0];
    return { errorCode: p.errorCode, offset: p.offset, leaderEpoch: p.leaderEpoch };
  }

  it('latest, earliest, max timestamp, earliest local and by time: epoch 0', async () => {
    expect(await listOffset(-1n)).toEqual({ errorCode: 0, offset: 6n, leaderEpoch: 0 });
    expect(await listOffset(-1n, { version: 4 })).toEqual({ errorCode: 0, offset: 6n, leaderEpoch: 0 });
    expect(await listOffset(-2n)).toEqual({ errorCode: 0, offset: 0n, leaderEpoch: 0 });
    expect(await listOffset(-3n)).toMatchObject({ errorCode: 0, leaderEpoch: 0 });
    expect(await listOffset(-4n)).toEqual({ errorCode: 0, offset: 0n, leaderEpoch: 0 });
    expect(await listOffset(0n)).toEqual({ errorCode: 0, offset: 0n, leaderEpoch: 0 });
    // An empty partition's log end.
    expect(await listOffset(-1n, { partition: 1 })).toEqual({ errorCode: 0, offset: 0n, leaderEpoch: 0 });
  });

  it('nothing found: offset and epoch -1', async () => {
    expect(await listOffset(-5n)).toEqual({ errorCode: 0, offset: -1n, leaderEpoch: -1 });
    expect(await listOffset(BigInt(Date.now() + 3_600_000))).toEqual({ errorCode: 0, offset: -1n, leaderEpoch: -1 });
    expect(await listOffset(-3n, { partition: 1 })).toEqual({ errorCode: 0, offset: -1n, leaderEpoch: -1 });
    expect(await listOffset(0n, { partition: 1 })).toEqual({ errorCode: 0, offset: -1n, leaderEpoch: -1 });
  });

  it('a current leader epoch other than 0: UNKNOWN_LEADER_EPOCH when newer, FENCED_LEADER_EPOCH when older', async () => {
    expect(await listOffset(-1n, { currentLeaderEpoch: 0 })).toEqual({ errorCode: 0, offset: 6n, leaderEpoch: 0 });
    expect(await listOffset(-1n, { currentLeaderEpoch: 1 })).toEqual({ errorCode: ErrorCode.UNKNOWN_LEADER_EPOCH, offset: -1n, leaderEpoch: -1 });
    expect(await listOffset(-1n, { currentLeaderEpoch: -5 })).toEqual({ errorCode: ErrorCode.FENCED_LEADER_EPOCH, offset: -1n, leaderEpoch: -1 });
  });
});

describe('Fetch checks the current leader epoch (v9+)', () => {
  const TOPIC = 'epoch-fetch';
  let topicId: string;
  beforeAll(async () => {
    await createTopic(TOPIC, 2);
    topicId = (await kpg.gateway.services.topics.byNames([TOPIC])).get(TOPIC)!.topicId;
    await produce(TOPIC, 0, await encodeBatch([{ value: 'a' }]));
    await produce(TOPIC, 1, await encodeBatch([{ value: 'b' }]));
  });

  type Answer = [partition: number, errorCode: number, highWatermark: bigint, bytes: number];
  async function fetch(version: number, parts: { partition: number; currentLeaderEpoch: number; fetchOffset?: bigint }[], sessionId = 0, sessionEpoch = -1) {
    const { body } = await raw.request(1, version, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId, sessionEpoch, forgottenTopicsData: [], rackId: '',
      topics: parts.length === 0 ? [] : [{
        topic: version >= 13 ? '' : TOPIC,
        topicId: version >= 13 ? topicId : '00000000-0000-0000-0000-000000000000',
        partitions: parts.map((p) => ({ partition: p.partition, currentLeaderEpoch: p.currentLeaderEpoch, fetchOffset: p.fetchOffset ?? 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 })),
      }],
    });
    expect(body.errorCode).toBe(ErrorCode.NONE);
    const answers: Answer[] = body.responses.flatMap((t: { partitions: { partitionIndex: number; errorCode: number; highWatermark: bigint; records: Buffer | null }[] }) =>
      t.partitions.map((p): Answer => [p.partitionIndex, p.errorCode, p.highWatermark, p.records?.length ?? 0]));
    return { sessionId: body.sessionId as number, answers };
  }

  it('newer than the partition\'s: UNKNOWN_LEADER_EPOCH; the epoch itself or a negative one (none): records', async () => {
    const size = (await fetch(12, [{ partition: 0, currentLeaderEpoch: -1 }])).answers[0]![3];
    expect(size).toBeGreaterThan(0);
    expect((await fetch(12, [{ partition: 0, currentLeaderEpoch: 0 }])).answers).toEqual([[0, 0, 1n, size]]);
    expect((await fetch(12, [{ partition: 0, currentLeaderEpoch: -5 }])).answers).toEqual([[0, 0, 1n, size]]);
    expect((await fetch(12, [{ partition: 0, currentLeaderEpoch: 1 }])).answers).toEqual([[0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1n, 0]]);
    expect((await fetch(9, [{ partition: 0, currentLeaderEpoch: 1 }])).answers).toEqual([[0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1n, 0]]);
    expect((await fetch(17, [{ partition: 0, currentLeaderEpoch: 1 }])).answers).toEqual([[0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1n, 0]]);
    // v8 has no current leader epoch: whatever the codec defaults to, nothing is checked.
    expect((await fetch(8, [{ partition: 0, currentLeaderEpoch: 1 }])).answers).toEqual([[0, 0, 1n, size]]);
  });

  it('in a fetch session the epoch last sent for a partition stays in force', async () => {
    const { sessionId, answers } = await fetch(12, [{ partition: 0, currentLeaderEpoch: 0 }, { partition: 1, currentLeaderEpoch: 0 }], 0, 0);
    expect(sessionId).not.toBe(0);
    const size = answers[0]![3];
    expect(answers).toEqual([[0, 0, 1n, size], [1, 0, 1n, size]]);
    // Partition 1 stays at offset 0 in the session, so it keeps returning its record.
    expect((await fetch(12, [{ partition: 0, currentLeaderEpoch: 1, fetchOffset: 1n }], sessionId, 1)).answers)
      .toEqual([[0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1n, 0], [1, 0, 1n, size]]);
    expect((await fetch(12, [], sessionId, 2)).answers).toEqual([[0, ErrorCode.UNKNOWN_LEADER_EPOCH, -1n, 0], [1, 0, 1n, size]]);
    expect((await fetch(12, [{ partition: 0, currentLeaderEpoch: 0, fetchOffset: 1n }], sessionId, 3)).answers).toEqual([[0, 0, 1n, 0], [1, 0, 1n, size]]);
    expect((await fetch(12, [], sessionId, 4)).answers).toEqual([[1, 0, 1n, size]]);
    expect((await fetch(12, [{ partition: 1, currentLeaderEpoch: 7, fetchOffset: 1n }], sessionId, 5)).answers).toEqual([[1, ErrorCode.UNKNOWN_LEADER_EPOCH, -1n, 0]]);
    expect((await fetch(12, [], sessionId, 6)).answers).toEqual([[1, ErrorCode.UNKNOWN_LEADER_EPOCH, -1n, 0]]);
  });
});
