import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { encodeBatch } from '../../src/records/batch.js';
import { Compression } from '../../src/records/compression.js';
import { createTopic as createTopicIn, startTestGateway, type TestGateway } from '../support/gateway.js';
import { CompressionTypes, kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { readPartition } from '../support/read-partition.js';

let kpg: TestGateway;

beforeAll(async () => {
  kpg = await startTestGateway();
});

afterAll(async () => {
  await kpg?.stop();
});

const createTopic = (name: string, partitions = 1): Promise<void> => createTopicIn(kpg.gateway, name, partitions);

function produceRequest(topic: string, partition: number, records: Buffer | null, acks = -1) {
  return { transactionalId: null, acks, timeoutMs: 30000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

describe('kafkajs producer with every codec', () => {
  const codecs = [
    ['none', CompressionTypes.None],
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
    ['zstd', CompressionTypes.ZSTD],
  ] as const;

  for (const [name, codec] of codecs) {
    it(`${name}: keys, values, headers and timestamps come back exactly, offsets contiguous`, async () => {
      const topic = `codec-${name}`;
      await createTopic(topic);
      const producer = kafkaClient(kpg.bootstrap).producer();
      await producer.connect();
      const base = Date.now() - 60_000;
      const sent = Array.from({ length: 500 }, (_, i) => ({
        key: i % 7 === 0 ? null : `key-${i}`,
        value: `value-${i}-${'x'.repeat(i % 50)}`,
        headers: { h1: `one-${i}`, 'h-two': `two-${i}` },
        timestamp: String(base + i),
      }));
      const acks: { baseOffset?: string }[] = [];
      for (let i = 0; i < sent.length; i += 100) {
        const result = await producer.send({ topic, compression: codec, messages: sent.slice(i, i + 100) });
        acks.push(...result);
      }
      await producer.disconnect();
      expect(acks.map((a) => a.baseOffset)).toEqual(['0', '100', '200', '300', '400']);

      const { records, highWatermark } = await readPartition(kpg.bootstrap, topic, 0);
      expect(highWatermark).toBe(500n);
      expect(records.map((r) => r.offset)).toEqual(sent.map((_, i) => BigInt(i)));
      records.forEach((r, i) => {
        expect(r.key).toBe(sent[i]!.key);
        expect(r.value).toBe(sent[i]!.value);
        expect(r.timestamp).toBe(BigInt(sent[i]!.timestamp));
        expect(r.headers).toEqual([
          { key: 'h1', value: `one-${i}` },
          { key: 'h-two', value: `two-${i}` },
        ]);
      });
    });
  }
});

describe('Produce', () => {
  it('answers v0-2 with UNSUPPORTED_VERSION and stores nothing', async () => {
    await createTopic('old-versions');
    const c = await RawClient.connect(kpg.bootstrap);
    const batch = await encodeBatch([{ value: 'v' }]);
    for (const version of [0, 1, 2]) {
      const { body } = await c.request(0, version, produceRequest('old-versions', 0, batch));
      expect(body.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
    }
    c.close();
    expect((await readPartition(kpg.bootstrap, 'old-versions', 0)).highWatermark).toBe(0n);
  });

  it('returns the assigned base offset and log start offset; acks=0 gets no response but stores', async () => {
    await createTopic('acks', 2);
    const c = await RawClient.connect(kpg.bootstrap);
    const first = await c.request(0, 9, produceRequest('acks', 1, await encodeBatch([{ value: 'a' }, { value: 'b' }])));
    expect(first.body.responses[0].partitionResponses[0]).toMatchObject({ index: 1, errorCode: 0, baseOffset: 0n, logStartOffset: 0n, logAppendTimeMs: -1n });
    c.send(0, 9, produceRequest('acks', 1, await encodeBatch([{ value: 'c' }]), 0));
    // The next request's answer proves no response was sent for the acks=0 one.
    const third = await c.request(0, 9, produceRequest('acks', 1, await encodeBatch([{ value: 'd' }])));
    expect(third.body.responses[0].partitionResponses[0].baseOffset).toBe(3n);
    c.close();
    const { records } = await readPartition(kpg.bootstrap, 'acks', 1);
    expect(records.map((r) => r.value)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses bad batches with the right error and commits nothing, while good partitions in the same request succeed', async () => {
    await createTopic('bad-input', 8);
    const good = await encodeBatch([{ value: 'good' }]);
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1]! ^= 0xff;
    const magic1 = Buffer.from(good);
    magic1.writeInt8(1, 16);
    const lyingLength = Buffer.from(good);
    lyingLength.writeInt32BE(lyingLength.readInt32BE(8) + 10, 8);
    const truncated = good.subarray(0, good.length - 3);
    const twoBatches = Buffer.concat([good, good]);
    const lyingCount = Buffer.from(await encodeBatch([{ value: 'x' }, { value: 'y' }]));
    lyingCount.writeInt32BE(3, 57); // record count; CRC now wrong too, so fix the CRC afterwards
    const { computeBatchCrc } = await import('../../src/records/batch.js');
    lyingCount.writeUInt32BE(computeBatchCrc(lyingCount), 17);
    const zstd = await encodeBatch([{ value: 'z' }], { compression: Compression.zstd });

    const c = await RawClient.connect(kpg.bootstrap);
    const { body } = await c.request(0, 6, {
      transactionalId: null, acks: -1, timeoutMs: 30000,
      topicData: [
        {
          name: 'bad-input',
          partitionData: [
            { index: 0, records: badCrc },
            { index: 1, records: magic1 },
            { index: 2, records: lyingLength },
            { index: 3, records: truncated },
            { index: 4, records: twoBatches },
            { index: 5, records: lyingCount },
            { index: 6, records: zstd },
            { index: 7, records: good },
            { index: 8, records: good },
          ],
        },
        { name: 'no-such-topic', partitionData: [{ index: 0, records: good }] },
      ],
    });
    c.close();
    const errors = body.responses[0].partitionResponses.map((p: { errorCode: number }) => p.errorCode);
    expect(errors).toEqual([
      ErrorCode.CORRUPT_MESSAGE,
      ErrorCode.INVALID_RECORD,
      ErrorCode.CORRUPT_MESSAGE,
      ErrorCode.CORRUPT_MESSAGE,
      ErrorCode.INVALID_RECORD, // two batches
      ErrorCode.INVALID_RECORD, // a count that disagrees with the offset range, as Kafka's LogValidator says
      ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(body.responses[1].partitionResponses[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    for (let p = 0; p < 7; p++) expect((await readPartition(kpg.bootstrap, 'bad-input', p)).highWatermark).toBe(0n);
    expect((await readPartition(kpg.bootstrap, 'bad-input', 7)).records.map((r) => r.value)).toEqual(['good']);
  });

  it('refuses a batch over max.message.bytes with MESSAGE_TOO_LARGE', async () => {
    await createTopic('too-large');
    const c = await RawClient.connect(kpg.bootstrap);
    const big = await encodeBatch([{ value: Buffer.alloc(1_100_000, 1) }]);
    const { body } = await c.request(0, 9, produceRequest('too-large', 0, big));
    c.close();
    expect(body.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.MESSAGE_TOO_LARGE);
    expect((await readPartition(kpg.bootstrap, 'too-large', 0)).highWatermark).toBe(0n);
  });

  it('closes the connection when an acks=0 produce fails, since no response can carry the error', async () => {
    await createTopic('acks0-fail');
    const c = await RawClient.connect(kpg.bootstrap);
    const bad = Buffer.from(await encodeBatch([{ value: 'v' }]));
    bad[bad.length - 1]! ^= 0xff;
    c.send(0, 9, produceRequest('acks0-fail', 0, bad, 0));
    expect(await c.waitClosed()).toBe(true);
    expect((await readPartition(kpg.bootstrap, 'acks0-fail', 0)).highWatermark).toBe(0n);
  });

  it('refuses records without a key on a compacted topic with INVALID_RECORD', async () => {
    await createTopicIn(kpg.gateway, 'compacted', 1, { 'cleanup.policy': 'compact' });
    const c = await RawClient.connect(kpg.bootstrap);
    const keyless = await c.request(0, 9, produceRequest('compacted', 0, await encodeBatch([{ key: 'k', value: 'a' }, { key: null, value: 'b' }])));
    const keyed = await c.request(0, 9, produceRequest('compacted', 0, await encodeBatch([{ key: 'k', value: 'c' }])));
    c.close();
    expect(keyless.body.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_RECORD);
    expect(keyed.body.responses[0].partitionResponses[0]).toMatchObject({ errorCode: 0, baseOffset: 0n });
  });

  it('answers INVALID_REQUIRED_ACKS for acks other than -1, 0, 1', async () => {
    await createTopic('bad-acks');
    const c = await RawClient.connect(kpg.bootstrap);
    const { body } = await c.request(0, 9, produceRequest('bad-acks', 0, await encodeBatch([{ value: 'v' }]), 2));
    c.close();
    expect(body.responses[0].partitionResponses[0].errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
  });

  it('handles thousands of partitions in one request', async () => {
    await createTopic('wide', 2000);
    const batch = await encodeBatch([{ value: 'w' }]);
    const c = await RawClient.connect(kpg.bootstrap);
    const { body } = await c.request(0, 9, {
      transactionalId: null, acks: -1, timeoutMs: 30000,
      topicData: [{ name: 'wide', partitionData: Array.from({ length: 2000 }, (_, i) => ({ index: i, records: batch })) }],
    });
    c.close();
    const responses = body.responses[0].partitionResponses;
    expect(responses).toHaveLength(2000);
    expect(responses.every((p: { errorCode: number; baseOffset: bigint }) => p.errorCode === 0 && p.baseOffset === 0n)).toBe(true);
  });
});

describe('idempotent producer', () => {
  it('answers a retried batch with its original offset, refuses gaps and stale epochs', async () => {
    await createTopic('idempotent');
    const c = await RawClient.connect(kpg.bootstrap);
    const init = await c.request(22, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 });
    expect(init.body.errorCode).toBe(0);
    const producerId: bigint = init.body.producerId;
    const batch = (seq: number, epoch = 0, n = 2) =>
      encodeBatch(Array.from({ length: n }, (_, i) => ({ value: `s${seq + i}` })), { producerId, producerEpoch: epoch, baseSequence: seq });
    const send = async (records: Buffer) => (await c.request(0, 9, produceRequest('idempotent', 0, records))).body.responses[0].partitionResponses[0];

    expect(await send(await batch(0))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    expect(await send(await batch(2))).toMatchObject({ errorCode: 0, baseOffset: 2n });
    // A retry of the first batch: same offset, not stored again.
    expect(await send(await batch(0))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    // A gap.
    expect(await send(await batch(7))).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    // A new epoch starts at 0; then the old epoch is fenced.
    expect(await send(await batch(0, 1))).toMatchObject({ errorCode: 0, baseOffset: 4n });
    expect(await send(await batch(4, 0))).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    c.close();
    const { records } = await readPartition(kpg.bootstrap, 'idempotent', 0);
    expect(records.map((r) => r.value)).toEqual(['s0', 's1', 's2', 's3', 's0', 's1']);
  });

  it('keeps pipelined requests of one connection in order (five in flight, as Java producers send them)', async () => {
    await createTopic('pipelined');
    const c = await RawClient.connect(kpg.bootstrap);
    const { producerId } = (await c.request(22, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })).body;
    const { decodeResponse } = await import('../../src/protocol/protocol.js');
    const ids: number[] = [];
    for (let round = 0; round < 20; round++) {
      const seq = round * 3;
      const records = await encodeBatch([{ value: `r${seq}` }, { value: `r${seq + 1}` }, { value: `r${seq + 2}` }], { producerId, producerEpoch: 0, baseSequence: seq });
      ids.push(c.send(0, 9, produceRequest('pipelined', 0, records)));
    }
    const offsets: bigint[] = [];
    for (const id of ids) {
      const decoded = decodeResponse((await c.nextFrame())!, 0, 9);
      expect(decoded.correlationId).toBe(id);
      const p = decoded.body.responses[0].partitionResponses[0];
      expect(p.errorCode).toBe(0);
      offsets.push(p.baseOffset);
    }
    c.close();
    expect(offsets).toEqual(Array.from({ length: 20 }, (_, i) => BigInt(i * 3)));
  });

  it('gives distinct producer ids across gateways and refuses transactional ids', async () => {
    const second = await startTestGateway({ database: kpg.database });
    try {
      const ids = new Set<bigint>();
      for (const bootstrap of [kpg.bootstrap, second.bootstrap, kpg.bootstrap, second.bootstrap]) {
        const c = await RawClient.connect(bootstrap);
        ids.add((await c.request(22, 1, { transactionalId: null, transactionTimeoutMs: 60000 })).body.producerId);
        c.close();
      }
      expect(ids.size).toBe(4);
      const c = await RawClient.connect(kpg.bootstrap);
      const txn = await c.request(22, 1, { transactionalId: 'my-txn', transactionTimeoutMs: 60000 });
      c.close();
      expect(txn.body.errorCode).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    } finally {
      await second.stop();
    }
  });
});

describe('concurrent producers', () => {
  it('three producers on one partition through two gateways get contiguous, non-overlapping offsets', async () => {
    await createTopic('contended');
    const second = await startTestGateway({ database: kpg.database });
    try {
      const producers = [kpg.bootstrap, second.bootstrap, kpg.bootstrap].map((b) => kafkaClient(b).producer());
      await Promise.all(producers.map((p) => p.connect()));
      const ranges: [bigint, number][] = [];
      await Promise.all(
        producers.map(async (p, n) => {
          for (let i = 0; i < 30; i++) {
            const size = 1 + ((i + n) % 5);
            const [r] = await p.send({ topic: 'contended', messages: Array.from({ length: size }, (_, k) => ({ value: `p${n}-${i}-${k}` })) });
            ranges.push([BigInt(r!.baseOffset!), size]);
          }
        }),
      );
      await Promise.all(producers.map((p) => p.disconnect()));
      ranges.sort((a, b) => (a[0] < b[0] ? -1 : 1));
      let next = 0n;
      for (const [base, size] of ranges) {
        expect(base).toBe(next);
        next += BigInt(size);
      }
      const { records, highWatermark } = await readPartition(second.bootstrap, 'contended', 0);
      expect(highWatermark).toBe(next);
      expect(new Set(records.map((r) => r.value)).size).toBe(Number(next));
    } finally {
      await second.stop();
    }
  });
});

describe('Fetch', () => {
  it('returns OFFSET_OUT_OF_RANGE for negative and future offsets, and the whole batch containing an offset', async () => {
    await createTopic('fetch-ranges');
    const c = await RawClient.connect(kpg.bootstrap);
    await c.request(0, 9, produceRequest('fetch-ranges', 0, await encodeBatch([{ value: '0' }, { value: '1' }, { value: '2' }])));
    c.close();
    expect((await readPartition(kpg.bootstrap, 'fetch-ranges', 0, -1n)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect((await readPartition(kpg.bootstrap, 'fetch-ranges', 0, 4n)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const mid = await readPartition(kpg.bootstrap, 'fetch-ranges', 0, 1n);
    expect(mid.records.map((r) => r.value)).toEqual(['1', '2']);
  });

  it('returns at least one whole batch even beyond max_bytes, and respects max_bytes after it', async () => {
    await createTopic('fetch-limits');
    const c = await RawClient.connect(kpg.bootstrap);
    for (let i = 0; i < 3; i++) {
      await c.request(0, 9, produceRequest('fetch-limits', 0, await encodeBatch([{ value: Buffer.alloc(10_000, i) }])));
    }
    for (const maxBytes of [0, 1, 2147483647]) {
      const { body } = await c.request(1, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'fetch-limits', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: maxBytes }] }],
        forgottenTopicsData: [], rackId: '',
      });
      const p = body.responses[0].partitions[0];
      expect(p.errorCode).toBe(0);
      const { splitBatches } = await import('../../src/records/batch.js');
      expect(splitBatches(p.records).length).toBe(maxBytes === 2147483647 ? 3 : 1);
      expect(p.highWatermark).toBe(3n);
      expect(p.lastStableOffset).toBe(3n);
    }
    c.close();
  });

  it('shares max_bytes across partitions in request order: only the first batch of the response may exceed it', async () => {
    await createTopic('fetch-budget', 3);
    const c = await RawClient.connect(kpg.bootstrap);
    for (let p = 0; p < 3; p++) {
      for (let i = 0; i < 2; i++) await c.request(0, 9, produceRequest('fetch-budget', p, await encodeBatch([{ value: Buffer.alloc(4000, p) }])));
    }
    const fetch = async (maxBytes: number) => {
      const { body } = await c.request(1, 11, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'fetch-budget', partitions: [0, 1, 2].map((partition) => ({ partition, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 })) }],
        forgottenTopicsData: [], rackId: '',
      });
      const { splitBatches } = await import('../../src/records/batch.js');
      return body.responses[0].partitions.map((p: { records: Buffer; highWatermark: bigint }) => [splitBatches(p.records).length, p.highWatermark]);
    };
    // Budget for about three batches: two from partition 0, one from partition 1, none from 2.
    expect(await fetch(12_500)).toEqual([[2, 2n], [1, 2n], [0, 2n]]);
    // Smaller than one batch: the first batch anyway, nothing else.
    expect(await fetch(10)).toEqual([[1, 2n], [0, 2n], [0, 2n]]);
    expect(await fetch(1 << 20)).toEqual([[2, 2n], [2, 2n], [2, 2n]]);
    c.close();
  });

  it('serves batches compressed with the topic\'s compression.type codec; zstd topics refuse fetches before v10', async () => {
    const { readBatchHeader, splitBatches, compressionOf } = await import('../../src/records/batch.js');
    for (const [codec, id] of [['gzip', 1], ['snappy', 2], ['lz4', 3], ['zstd', 4]] as const) {
      const topic = `served-${codec}`;
      await createTopicIn(kpg.gateway, topic, 1, { 'compression.type': codec });
      const producer = kafkaClient(kpg.bootstrap).producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ key: 'k1', value: 'v1' }, { key: 'k2', value: 'v2', headers: { h: 'x' } }] });
      await producer.disconnect();
      const c = await RawClient.connect(kpg.bootstrap);
      const fetch = (version: number) => c.request(1, version, {
        replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [], rackId: '',
      });
      const { body } = await fetch(11);
      const batches = splitBatches(body.responses[0].partitions[0].records);
      expect(batches.map((b) => compressionOf(readBatchHeader(b)))).toEqual([id]);
      if (codec === 'zstd') {
        const old = await fetch(9);
        expect(old.body.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
      }
      c.close();
      const { records } = await readPartition(kpg.bootstrap, topic, 0);
      expect(records.map((r) => [r.key, r.value, r.headers])).toEqual([['k1', 'v1', []], ['k2', 'v2', [{ key: 'h', value: 'x' }]]]);
    }
  });

  it('UNKNOWN_TOPIC_OR_PARTITION for unknown topics and partitions; UNKNOWN_TOPIC_ID by id (v13+)', async () => {
    await createTopic('fetch-known');
    const c = await RawClient.connect(kpg.bootstrap);
    const byName = await c.request(1, 12, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [
        { topic: 'fetch-nothing', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }] },
        { topic: 'fetch-known', partitions: [{ partition: 5, fetchOffset: 0n, partitionMaxBytes: 1000 }] },
      ],
      forgottenTopicsData: [], rackId: '',
    });
    expect(byName.body.responses.map((t: { partitions: { errorCode: number }[] }) => t.partitions[0]!.errorCode)).toEqual([
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    const byId = await c.request(1, 13, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topicId: '0b7f3f0e-5e57-4f6e-9d9e-3f4f0d7e2c11', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1000 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    c.close();
    expect(byId.body.responses[0].partitions[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_ID);
  });

  it('a waiting fetch is answered when a record is produced on another gateway, well before max_wait_ms', async () => {
    await createTopic('long-poll');
    const second = await startTestGateway({ database: kpg.database });
    try {
      const consumer = await RawClient.connect(kpg.bootstrap);
      const started = Date.now();
      const pending = consumer.request(1, 11, {
        replicaId: -1, maxWaitMs: 30_000, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic: 'long-poll', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
        forgottenTopicsData: [], rackId: '',
      });
      await new Promise((r) => setTimeout(r, 300));
      const producer = await RawClient.connect(second.bootstrap);
      await producer.request(0, 9, produceRequest('long-poll', 0, await encodeBatch([{ value: 'wake up' }])));
      producer.close();
      const { body } = await pending;
      consumer.close();
      expect(body.responses[0].partitions[0].highWatermark).toBe(1n);
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      await second.stop();
    }
  });

  it('keeps requests behind a waiting fetch in order on the same connection', async () => {
    await createTopic('ordered');
    const c = await RawClient.connect(kpg.bootstrap);
    const fetchId = c.send(1, 11, {
      replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 1000, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'ordered', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, logStartOffset: -1n, partitionMaxBytes: 1000 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const metadataId = c.send(18, 0, {});
    expect((await c.nextFrame())!.readInt32BE(0)).toBe(fetchId);
    expect((await c.nextFrame())!.readInt32BE(0)).toBe(metadataId);
    c.close();
  });
});
