/**
 * Per-record produce errors (KIP-467) and Kafka 4.1's answers to refused batches: codes, messages,
 * record_errors and log start offsets exactly as the reference broker gives them (checked against Apache
 * Kafka 4.1.2 with the same raw requests), then what real clients make of them: kafkajs, librdkafka
 * (confluent-kafka-python's delivery reports) and the Java producer's callbacks, through the compat
 * scenario programs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { computeBatchCrc, encodeBatch } from '../../src/records/batch.js';
import { Compression } from '../../src/records/compression.js';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { readPartition } from '../support/read-partition.js';
import { CLIENT_PYTHON, JAVA_LIBS, confluentKafkaMissing, javaClientsMissing, realClientAvailable } from '../support/real-clients.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const LONG_MAX = 9223372036854775807n;

const javaUsable = realClientAvailable('Java kafka-clients 4.x', await javaClientsMissing('4'), import.meta.url);
const confluentUsable = realClientAvailable('confluent-kafka-python', await confluentKafkaMissing(), import.meta.url);

let kpg: TestGateway;
let javaClasses: string | undefined;

beforeAll(async () => {
  kpg = await startTestGateway();
});

afterAll(async () => {
  await kpg?.stop();
  if (javaClasses) rmSync(javaClasses, { recursive: true, force: true });
});

interface PartitionAnswer {
  errorCode: number;
  baseOffset: bigint;
  logStartOffset: bigint;
  recordErrors: { batchIndex: number; batchIndexErrorMessage: string | null }[];
  errorMessage: string | null;
}

async function produce(topic: string, records: Buffer, version = 9): Promise<PartitionAnswer> {
  const c = await RawClient.connect(kpg.bootstrap);
  try {
    const { body } = await c.request(0, version, {
      transactionalId: null, acks: -1, timeoutMs: 30000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }],
    });
    return body.responses[0].partitionResponses[0];
  } finally {
    c.close();
  }
}

const noKey = (topic: string): string => `Compacted topic cannot accept message without key in topic partition ${topic}-0`;

describe('Produce record errors, as Kafka 4.1 answers them', () => {
  it('keyless records on a compacted topic: INVALID_RECORD, each bad record in record_errors, nothing stored', async () => {
    await createTopic(kpg.gateway, 'rec-compact', 1, { 'cleanup.policy': 'compact' });
    const batch = await encodeBatch([
      { key: 'k0', value: 'a' }, { key: null, value: 'b' }, { key: null, value: 'c' }, { key: null, value: 'd' }, { key: null, value: 'e' },
    ]);
    for (const codec of [Compression.none, Compression.gzip]) {
      const answer = await produce('rec-compact', codec === Compression.none ? batch : await encodeBatch(
        [{ key: 'k0', value: 'a' }, { key: null, value: 'b' }, { key: null, value: 'c' }, { key: null, value: 'd' }, { key: null, value: 'e' }],
        { compression: codec },
      ));
      const msg = noKey('rec-compact');
      expect(answer).toMatchObject({
        errorCode: ErrorCode.INVALID_RECORD,
        baseOffset: -1n,
        logStartOffset: 0n,
        recordErrors: [1, 2, 3, 4].map((batchIndex) => ({ batchIndex, batchIndexErrorMessage: msg })),
        errorMessage:
          'One or more records have been rejected due to 4 record errors in total, and only showing the first three errors at most: ' +
          `[RecordError(batchIndex=1, message='${msg}'), RecordError(batchIndex=2, message='${msg}'), RecordError(batchIndex=3, message='${msg}')]`,
      });
    }
    // Before v8 the same code, without the fields the version lacks.
    const v7 = await produce('rec-compact', batch, 7);
    expect(v7).toMatchObject({ errorCode: ErrorCode.INVALID_RECORD, recordErrors: [], errorMessage: null });
    expect(await produce('rec-compact', await encodeBatch([{ key: 'k', value: 'ok' }]))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    const { records } = await readPartition(kpg.bootstrap, 'rec-compact', 0);
    expect(records.map((r) => r.value)).toEqual(['ok']);
  });

  it('timestamps outside message.timestamp.before/after.max.ms: INVALID_TIMESTAMP with each record and the window', async () => {
    await createTopic(kpg.gateway, 'rec-ts', 1, { 'message.timestamp.before.max.ms': '60000', 'message.timestamp.after.max.ms': '60000' });
    const now = Date.now();
    const before = BigInt(Date.now());
    const answer = await produce('rec-ts', await encodeBatch([
      { value: 'now', timestamp: now }, { value: 'future', timestamp: now + 3_600_000 }, { value: 'past', timestamp: now - 3_600_000 },
      { value: 'none', timestamp: -1 }, // NO_TIMESTAMP is never out of range
    ]));
    const after = BigInt(Date.now());
    expect(answer).toMatchObject({ errorCode: ErrorCode.INVALID_TIMESTAMP, baseOffset: -1n, logStartOffset: 0n, errorMessage: 'One or more records have been rejected due to invalid timestamp' });
    expect(answer.recordErrors.map((e) => e.batchIndex)).toEqual([1, 2]);
    const pattern = /^Timestamp (\d+) of message with offset (\d) is out of range\. The timestamp should be within \[(\d+), (\d+)\]$/;
    answer.recordErrors.forEach((e, i) => {
      const m = pattern.exec(e.batchIndexErrorMessage!);
      expect(m, e.batchIndexErrorMessage!).not.toBeNull();
      expect(Number(m![1])).toBe(i === 0 ? now + 3_600_000 : now - 3_600_000);
      expect(Number(m![2])).toBe(i + 1);
      const lo = BigInt(m![3]!), hi = BigInt(m![4]!);
      expect(hi - lo).toBe(120_000n);
      expect(lo + 60_000n >= before && lo + 60_000n <= after).toBe(true);
    });
    expect(await produce('rec-ts', await encodeBatch([{ value: 'none', timestamp: -1 }, { value: 'now' }]))).toMatchObject({ errorCode: 0, baseOffset: 0n });

    // With the default before.max.ms (Long.MAX_VALUE) the window starts exactly Long.MAX_VALUE before now, as in Java.
    await createTopic(kpg.gateway, 'rec-ts-default');
    const future = await produce('rec-ts-default', await encodeBatch([{ value: 'f', timestamp: Date.now() + 7_200_000 }]));
    const [, lo, hi] = /\[(-?\d+), (\d+)\]$/.exec(future.recordErrors[0]!.batchIndexErrorMessage!)!;
    expect(future.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(BigInt(hi!) - 3_600_000n - BigInt(lo!)).toBe(LONG_MAX);
  });

  it('a LogAppendTime type set by the producer: refused where Kafka refuses it, with the record described', async () => {
    await createTopic(kpg.gateway, 'rec-lat', 1, { 'message.timestamp.type': 'LogAppendTime' });
    await createTopic(kpg.gateway, 'rec-lat-create');
    const onLat = await produce('rec-lat', await encodeBatch([{ key: 'k', value: 'ab', timestamp: 1234 }, { key: null, value: null, timestamp: 1235 }], { timestampType: 1 }));
    expect(onLat).toMatchObject({
      errorCode: ErrorCode.INVALID_TIMESTAMP,
      errorMessage: 'One or more records have been rejected due to invalid timestamp',
      recordErrors: [
        { batchIndex: 0, batchIndexErrorMessage: 'Invalid timestamp type in message DefaultRecord(offset=0, timestamp=1235, key=1 bytes, value=2 bytes). Producer should not set timestamp type to LogAppendTime.' },
        { batchIndex: 1, batchIndexErrorMessage: 'Invalid timestamp type in message DefaultRecord(offset=1, timestamp=1235, key=0 bytes, value=0 bytes). Producer should not set timestamp type to LogAppendTime.' },
      ],
    });
    // On a CreateTime topic the batch's max timestamp counts, unless it is -1.
    expect(await produce('rec-lat-create', await encodeBatch([{ key: 'k', value: 'ab' }], { timestampType: 1 }))).toMatchObject({ errorCode: 0 });
    const none = await produce('rec-lat-create', await encodeBatch([{ key: 'k', value: 'ab', timestamp: -1 }], { timestampType: 1 }));
    expect(none.errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    expect(none.recordErrors[0]!.batchIndexErrorMessage).toBe(
      'Invalid timestamp type in message DefaultRecord(offset=0, timestamp=-1, key=1 bytes, value=2 bytes). Producer should not set timestamp type to LogAppendTime.',
    );
  });

  it('batch-level refusals: Kafka codes, no error message, the log start offset only where Kafka gives it', async () => {
    await createTopic(kpg.gateway, 'rec-batch', 1, { 'max.message.bytes': '2000' });
    const good = await encodeBatch([{ value: 'good' }]);
    const badCrc = Buffer.from(good);
    badCrc[badCrc.length - 1]! ^= 0xff;
    const lyingCount = Buffer.from(await encodeBatch([{ value: 'x' }, { value: 'y' }]));
    lyingCount.writeInt32BE(3, 57);
    lyingCount.writeUInt32BE(computeBatchCrc(lyingCount), 17);
    const cases: [string, Buffer, number, bigint][] = [
      ['too large', await encodeBatch([{ value: 'x'.repeat(3000) }]), ErrorCode.MESSAGE_TOO_LARGE, -1n],
      // Size is checked before timestamps, as Kafka's log does.
      ['too large and in the future', await encodeBatch([{ value: 'x'.repeat(3000), timestamp: Date.now() + 7_200_000 }]), ErrorCode.MESSAGE_TOO_LARGE, -1n],
      ['bad CRC', badCrc, ErrorCode.CORRUPT_MESSAGE, -1n],
      ['base offset 5', await encodeBatch([{ value: 'x' }], { baseOffset: 5n }), ErrorCode.INVALID_RECORD, 0n],
      ['count disagrees with offsets', lyingCount, ErrorCode.INVALID_RECORD, 0n],
      ['producer id without sequence', await encodeBatch([{ value: 'x' }], { producerId: 5n, producerEpoch: 0, baseSequence: -1 }), ErrorCode.INVALID_RECORD, 0n],
      ['two batches', Buffer.concat([good, good]), ErrorCode.INVALID_RECORD, -1n],
    ];
    for (const [name, records, errorCode, logStartOffset] of cases) {
      expect({ name, ...(await produce('rec-batch', records)) }).toMatchObject({ name, errorCode, logStartOffset, baseOffset: -1n, recordErrors: [], errorMessage: null });
    }
    expect((await readPartition(kpg.bootstrap, 'rec-batch', 0)).highWatermark).toBe(0n);
  });

  it('a batch larger than segment.bytes (max.message.bytes allowing it): RECORD_LIST_TOO_LARGE, after record checks', async () => {
    await createTopic(kpg.gateway, 'rec-segment', 1, { 'max.message.bytes': '3000000', 'segment.bytes': '1048576' });
    const big = 'x'.repeat(1_500_000);
    expect(await produce('rec-segment', await encodeBatch([{ key: 'k', value: big }]))).toMatchObject({
      errorCode: ErrorCode.RECORD_LIST_TOO_LARGE, logStartOffset: -1n, recordErrors: [], errorMessage: null,
    });
    expect((await produce('rec-segment', await encodeBatch([{ key: 'k', value: big, timestamp: Date.now() + 7_200_000 }]))).errorCode).toBe(ErrorCode.INVALID_TIMESTAMP);
    // The size that counts is the batch's as sent: compressed, it fits.
    expect(await produce('rec-segment', await encodeBatch([{ key: 'k', value: big }], { compression: Compression.gzip }))).toMatchObject({ errorCode: 0, baseOffset: 0n });
    expect(await produce('rec-segment', await encodeBatch([{ key: 'k', value: 'x'.repeat(1_048_576 - 100) }]))).toMatchObject({ errorCode: 0, baseOffset: 1n });
  });

  it('kafkajs: a send with a keyless record to a compacted topic fails with INVALID_RECORD; keyed sends go on', async () => {
    await createTopic(kpg.gateway, 'rec-kafkajs', 1, { 'cleanup.policy': 'compact' });
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    try {
      const error = await producer.send({ topic: 'rec-kafkajs', messages: [{ key: 'a', value: '1' }, { key: null, value: '2' }] }).then(() => null, (e: Error) => e);
      expect(error).not.toBeNull();
      // kafkajs fails the whole send with the partition's error code (it does not read record_errors).
      expect(error).toMatchObject({ name: 'KafkaJSProtocolError', type: 'INVALID_RECORD' });
      const [ok] = await producer.send({ topic: 'rec-kafkajs', messages: [{ key: 'b', value: '3' }] });
      expect(ok).toMatchObject({ errorCode: 0, baseOffset: '0' });
    } finally {
      await producer.disconnect();
    }
  });
});

describe.skipIf(!confluentUsable)('librdkafka (confluent-kafka-python)', () => {
  it('delivery reports fail exactly the keyless records, their batch mates with _INVALID_DIFFERENT_RECORD, then later records succeed', async () => {
    await createTopic(kpg.gateway, 'rec-librdkafka');
    const { stdout } = await run(CLIENT_PYTHON, [
      path.join(ROOT, 'compat/clients/python/confluent_scenarios.py'), '--bootstrap', kpg.bootstrap, '--scenario', 'record-errors', '--topic', 'rec-librdkafka',
    ], { timeout: 120_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.detail).toContain('INVALID_RECORD');
    expect(result.status).toBe('pass');
  }, 150_000);
});

describe.skipIf(!javaUsable)('Java producer and consumer (compat/clients/java/Scenarios.java)', () => {
  async function javaScenario(scenario: string, topic: string): Promise<{ status: string; detail: string }> {
    if (!javaClasses) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kpg-recerr-java-'));
      await run('javac', ['-nowarn', '-cp', `${JAVA_LIBS['4']}/*`, '-d', dir, path.join(ROOT, 'compat/clients/java/Scenarios.java')], { timeout: 120_000 });
      javaClasses = dir;
    }
    await createTopic(kpg.gateway, topic);
    const { stdout } = await run('java', ['-cp', `${javaClasses}:${JAVA_LIBS['4']}/*`, 'Scenarios', '--bootstrap', kpg.bootstrap, '--scenario', scenario, '--topic', topic], {
      timeout: 150_000,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!);
  }

  it('record-errors: callbacks get InvalidRecordException / InvalidTimestampException with Kafka messages for the bad records only', async () => {
    const result = await javaScenario('record-errors', 'rec-java');
    expect(result.detail).toMatch(/^7 cases/);
    expect(result.status).toBe('pass');
  }, 200_000);

  it('fetch-close: a consumer closes promptly, its session-closing fetch answered at once', async () => {
    const result = await javaScenario('fetch-close', 'rec-java-close');
    expect(result.detail).toContain('close returned');
    expect(result.status).toBe('pass');
  }, 200_000);
});
