/**
 * kpg has two decoders of record batches: TypeScript's (src/records/batch.ts, behind Produce validation and
 * Fetch) and PL/pgSQL's (kpg.batch_records, behind kpg.records and its readers). These properties hold them
 * together on random batches.
 *
 * SQL only ever sees stored batches, and the gateway stores records uncompressed (validateProducedBatch
 * decompresses them and stamps LogAppendTime on the way in). So the first property feeds kpg.batch_records
 * any uncompressed v2 batch a log may hold (offset gaps, negative timestamp deltas, control and
 * transactional batches, both timestamp types); the second goes the produce path end to end: a batch
 * compressed with every codec kpg supports, validated and normalised as the gateway does, appended with
 * kpg.append_batches, and read back through kpg.records, against the TypeScript decoder's reading of the
 * bytes the producer sent.
 */
import fc from 'fast-check';
import type pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Attributes,
  assembleBatch,
  decodeBatchRecords,
  encodeBatch,
  encodeRecordsSection,
  readBatchHeader,
  type KafkaRecord,
} from '../../src/records/batch.js';
import { COMPRESSION_NAMES, Compression } from '../../src/records/compression.js';
import { validateProducedBatch } from '../../src/records/validate.js';
import { appendBatches, headerBytes, insertTopic, useMigratedDatabase, type SqlHeader } from './support.js';

const session = useMigratedDatabase();

const LONG_MAX = 2n ** 63n - 1n;

/** A record as both sides are compared: bytes, absolute timestamp, offset delta. */
interface ComparableRecord {
  offsetDelta: number;
  timestampMs: bigint;
  timestampType: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: Buffer; value: Buffer | null }[];
}

/**
 * What a consumer reads from a batch by the TypeScript decoder: control batches carry no user records (Kafka
 * consumers skip them, and so does kpg.records), and a LogAppendTime batch stamps every record with the
 * batch's maxTimestamp.
 */
async function typescriptReading(batch: Buffer): Promise<ComparableRecord[]> {
  const header = readBatchHeader(batch);
  if ((header.attributes & Attributes.control) !== 0) return [];
  const logAppend = (header.attributes & Attributes.timestampTypeLogAppend) !== 0;
  return (await decodeBatchRecords(batch)).map((r) => ({
    offsetDelta: r.offsetDelta,
    timestampMs: logAppend ? header.maxTimestamp : header.baseTimestamp + r.timestampDelta,
    timestampType: logAppend ? 'LogAppendTime' : 'CreateTime',
    key: r.key,
    value: r.value,
    headers: r.headers.map((h) => ({ key: Buffer.from(h.key, 'utf8'), value: h.value })),
  }));
}

interface SqlRecordRow {
  offset_delta: number;
  timestamp_ms: bigint;
  timestamp_type: 'CreateTime' | 'LogAppendTime';
  key: Buffer | null;
  value: Buffer | null;
  headers: SqlHeader[];
}

const sqlReading = (rows: SqlRecordRow[]): ComparableRecord[] =>
  rows.map((r) => ({
    offsetDelta: r.offset_delta,
    timestampMs: BigInt(r.timestamp_ms),
    timestampType: r.timestamp_type,
    key: r.key,
    value: r.value,
    headers: r.headers.map(headerBytes),
  }));

const bytes = (maxLength: number) => fc.uint8Array({ maxLength }).map((a) => Buffer.from(a));
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 4 });
// Header keys are strings on the TypeScript side; any code point, NUL included (kpg.records shows those
// keys base64-encoded).
const headerArb = fc.record({ key: fc.string({ unit: 'binary', maxLength: 12 }), value: nullable(bytes(40)) });
const recordFields = {
  key: nullable(bytes(40)),
  value: nullable(bytes(600)),
  headers: fc.array(headerArb, { maxLength: 4 }),
};

describe('kpg.batch_records reads every stored batch as the TypeScript decoder does', () => {
  // Any batch a log may hold: records uncompressed, offset deltas with gaps (as compaction leaves them),
  // timestamp deltas of either sign up to varlong sizes, control and transactional batches, both
  // timestamp types, producer fields set or not.
  const storedBatchArb = fc
    .record({
      records: fc.array(
        fc.record({
          ...recordFields,
          gap: fc.nat({ max: 3 }),
          timestampDelta: fc.oneof(fc.bigInt({ min: -1000n, max: 1000n }), fc.bigInt({ min: -(2n ** 40n), max: 2n ** 40n })),
        }),
        { minLength: 1, maxLength: 12 },
      ),
      baseTimestamp: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 42n }), fc.constantFrom(-1n, 0n, 2n ** 50n)),
      maxTimestamp: fc.bigInt({ min: -1n, max: 2n ** 42n }),
      logAppendTime: fc.boolean(),
      control: fc.boolean(),
      transactional: fc.boolean(),
      producerId: fc.constantFrom(-1n, 0n, 4242n, LONG_MAX),
    })
    .map((b) => {
      let offsetDelta = -1;
      const records: KafkaRecord[] = b.records.map((r) => {
        offsetDelta += 1 + r.gap;
        return { offsetDelta, timestampDelta: r.timestampDelta, key: r.key, value: r.value, headers: r.headers };
      });
      const attributes =
        (b.logAppendTime ? Attributes.timestampTypeLogAppend : 0) |
        (b.control ? Attributes.control : 0) |
        (b.transactional ? Attributes.transactional : 0);
      return assembleBatch(
        {
          baseOffset: 0n,
          partitionLeaderEpoch: 0,
          attributes,
          lastOffsetDelta: offsetDelta,
          baseTimestamp: b.baseTimestamp,
          maxTimestamp: b.maxTimestamp,
          producerId: b.producerId,
          producerEpoch: b.producerId < 0n ? -1 : 3,
          baseSequence: b.producerId < 0n ? -1 : 17,
          recordCount: records.length,
        },
        encodeRecordsSection(records),
      );
    });

  it('on random batches', async () => {
    await fc.assert(
      fc.asyncProperty(storedBatchArb, async (batch) => {
        const { rows } = await session.db.query<SqlRecordRow>(
          'SELECT offset_delta, timestamp_ms, timestamp_type, key, value, headers FROM kpg.batch_records($1)',
          [batch],
        );
        expect(sqlReading(rows)).toEqual(await typescriptReading(batch));
      }),
      { numRuns: 150 },
    );
  });
});

describe('kpg.records shows what was produced, whatever the codec', () => {
  const producedBatchArb = fc.record({
    codec: fc.constantFrom(...Object.values(Compression)),
    logAppendTimeTopic: fc.boolean(),
    producerTimestampType: fc.constantFrom(0 as const, 1 as const),
    records: fc.array(
      fc.record({ ...recordFields, timestamp: fc.integer({ min: 0, max: 2 ** 42 }) }),
      { minLength: 1, maxLength: 20 },
    ),
  });

  let createTimeTopic: string;
  let logAppendTimeTopic: string;
  beforeAll(async () => {
    createTimeTopic = await insertTopic(session.db, 'codecs-create-time');
    logAppendTimeTopic = await insertTopic(session.db, 'codecs-log-append-time', 1, { 'message.timestamp.type': 'LogAppendTime' });
  });

  it('on random batches of every codec', async () => {
    const codecsSeen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(producedBatchArb, async (p) => {
        codecsSeen.add(COMPRESSION_NAMES[p.codec]);
        const sent = await encodeBatch(p.records, { compression: p.codec, timestampType: p.producerTimestampType });
        const now = BigInt(Date.now());
        // What the produce handler does before appending: decompress, validate, stamp LogAppendTime.
        const validate = () => validateProducedBatch(sent, {
          produceVersion: 9,
          maxMessageBytes: 10 * 1024 * 1024,
          logAppendTime: p.logAppendTimeTopic,
          timestampBeforeMaxMs: LONG_MAX,
          timestampAfterMaxMs: LONG_MAX,
          now,
        });
        if (p.logAppendTimeTopic && p.producerTimestampType === 1) {
          // Kafka refuses a LogAppendTime type set by the producer on a LogAppendTime topic (INVALID_TIMESTAMP).
          await expect(validate()).rejects.toMatchObject({ errorCode: 32 });
          return;
        }
        const validated = await validate();
        const topicName = p.logAppendTimeTopic ? 'codecs-log-append-time' : 'codecs-create-time';
        const [appended] = await appendBatches(session.db, [{
          topicId: p.logAppendTimeTopic ? logAppendTimeTopic : createTimeTopic,
          partition: 0,
          batch: validated.stored,
          recordCount: validated.recordCount,
          maxTimestamp: validated.maxTimestamp,
          maxTimestampDelta: validated.maxTimestampDelta,
        }]);
        expect(appended!.errorCode).toBe(0);
        const base = appended!.baseOffset;

        const { rows } = await session.db.query<SqlRecordRow & { offset: bigint }>(
          `SELECT "offset", "offset" - $2::bigint AS offset_delta, kpg.timestamptz_to_ms("timestamp") AS timestamp_ms,
                  timestamp_type, key, value, headers
             FROM kpg.records WHERE topic = $1 AND "offset" BETWEEN $2::bigint AND $3::bigint ORDER BY "offset"`,
          [topicName, base.toString(), (base + BigInt(validated.recordCount) - 1n).toString()],
        );
        // The producer's records by the TypeScript decoder, timestamped as the topic says: a CreateTime
        // topic keeps the producer's times (whatever timestamp type the producer flagged), a
        // LogAppendTime topic stamps the append time.
        const sentHeader = readBatchHeader(sent);
        const sentReading: ComparableRecord[] = (await decodeBatchRecords(sent)).map((r) => ({
          offsetDelta: r.offsetDelta,
          timestampMs: p.logAppendTimeTopic ? now : sentHeader.baseTimestamp + r.timestampDelta,
          timestampType: p.logAppendTimeTopic ? 'LogAppendTime' : 'CreateTime',
          key: r.key,
          value: r.value,
          headers: r.headers.map((h) => ({ key: Buffer.from(h.key, 'utf8'), value: h.value })),
        }));
        expect(sqlReading(rows.map((r) => ({ ...r, offset_delta: Number(r.offset_delta) })))).toEqual(sentReading);

        // And Fetch serves the stored bytes, which the TypeScript decoder reads the same way.
        const stored = await session.db.query<{ batch: Buffer }>(
          `SELECT rb.batch FROM kpg.record_batches rb JOIN kpg.topics t USING (topic_id) WHERE t.name = $1 AND rb.base_offset = $2::bigint`,
          [topicName, base.toString()],
        );
        expect(await typescriptReading(stored.rows[0]!.batch)).toEqual(sentReading);
      }),
      { numRuns: 120 },
    );
    expect([...codecsSeen].sort()).toEqual([...COMPRESSION_NAMES].sort());
  });
});
