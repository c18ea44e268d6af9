/**
 * Validation of a produced record batch, as Kafka's LogValidator does it, and its normalisation into
 * the stored form: records uncompressed (so SQL can read them), the broker's timestamp for LogAppendTime
 * topics, CRC recomputed whenever a covered byte changed. An uncompressed CreateTime batch that is
 * already right is stored as received, without a copy.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import {
  Attributes,
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  InvalidBatchError,
  assembleBatch,
  compressionOf,
  computeBatchCrc,
  decodeRecordsSection,
  isControl,
  readBatchHeader,
  type BatchHeader,
} from './batch.js';
import { Compression, decompress } from './compression.js';

export interface ProduceLimits {
  /** The Produce request version (zstd needs v7+). */
  produceVersion: number;
  /** max.message.bytes of the topic. */
  maxMessageBytes: number;
  logAppendTime: boolean;
  /** message.timestamp.before.max.ms / after.max.ms (CreateTime topics only). */
  timestampBeforeMaxMs: bigint;
  timestampAfterMaxMs: bigint;
  now: bigint;
}

export interface ValidatedBatch {
  header: BatchHeader;
  /** What to store: records uncompressed, CRC valid. */
  stored: Buffer;
  recordCount: number;
  maxTimestamp: bigint;
  maxTimestampDelta: number;
  /** The broker's append time for LogAppendTime topics, else -1. */
  logAppendTimeMs: bigint;
  /** Whether some record has a null key (compacted topics refuse those). */
  hasNullKey: boolean;
}

/** Decompressed records sections larger than this are refused (a tiny compressed batch must not exhaust memory). */
const DECOMPRESSED_LIMIT_FACTOR = 16;

export async function validateProducedBatch(records: Buffer | null, limits: ProduceLimits): Promise<ValidatedBatch> {
  if (records === null || records.length === 0) throw new InvalidBatchError(ErrorCode.INVALID_RECORD, 'produce request without records');
  if (records.length < BATCH_HEADER_SIZE) {
    // Too short to hold a v2 header: an old message set (magic 0/1 headers are shorter) or a truncated batch.
    if (records.length >= 17 && records.readInt8(16) !== 2) {
      throw new InvalidBatchError(ErrorCode.INVALID_RECORD, `magic ${records.readInt8(16)} batches are not accepted; produce v3+ requires magic 2`);
    }
    throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, `record batch of ${records.length} bytes is truncated`);
  }
  const magic = records.readInt8(16);
  if (magic !== 2) throw new InvalidBatchError(ErrorCode.INVALID_RECORD, `magic ${magic} batches are not accepted; produce v3+ requires magic 2`);
  const header = readBatchHeader(records);
  const size = BATCH_LOG_OVERHEAD + header.batchLength;
  if (header.batchLength < BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD || size > records.length) {
    throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, `batch length ${header.batchLength} does not match the ${records.length} bytes received`);
  }
  if (size < records.length) {
    throw new InvalidBatchError(ErrorCode.INVALID_RECORD, 'produce v3+ must carry exactly one record batch per partition');
  }
  if (computeBatchCrc(records) !== header.crc) throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, 'record batch CRC-32C mismatch');
  if (records.length > limits.maxMessageBytes) {
    throw new InvalidBatchError(
      ErrorCode.MESSAGE_TOO_LARGE,
      `record batch of ${records.length} bytes exceeds max.message.bytes (${limits.maxMessageBytes})`,
    );
  }
  if (isControl(header)) throw new InvalidBatchError(ErrorCode.INVALID_RECORD, 'clients may not produce control batches');
  if (header.recordCount <= 0) throw new InvalidBatchError(ErrorCode.INVALID_RECORD, 'record batch holds no records');
  if (header.lastOffsetDelta !== header.recordCount - 1) {
    throw new InvalidBatchError(ErrorCode.INVALID_RECORD, `last offset delta ${header.lastOffsetDelta} does not match ${header.recordCount} records`);
  }
  const codec = compressionOf(header);
  if (codec > Compression.zstd) throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${codec}`);
  if (codec === Compression.zstd && limits.produceVersion < 7) {
    throw new InvalidBatchError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'zstd compression needs Produce v7 or later');
  }

  const section = records.subarray(BATCH_HEADER_SIZE);
  let data: Buffer;
  try {
    data = await decompress(codec, section, Math.max(limits.maxMessageBytes, 1 << 20) * DECOMPRESSED_LIMIT_FACTOR);
  } catch (err) {
    throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, `records could not be decompressed: ${(err as Error).message}`);
  }
  const decoded = decodeRecordsSection(data, header.recordCount);

  let maxTimestamp = -1n;
  let maxTimestampDelta = 0;
  let hasNullKey = false;
  for (let i = 0; i < decoded.length; i++) {
    const rec = decoded[i]!;
    if (rec.key === null) hasNullKey = true;
    if (rec.offsetDelta !== i) throw new InvalidBatchError(ErrorCode.INVALID_RECORD, `record ${i} has offset delta ${rec.offsetDelta}`);
    const ts = header.baseTimestamp + rec.timestampDelta;
    if (!limits.logAppendTime) {
      if (ts < limits.now - limits.timestampBeforeMaxMs || ts > limits.now + limits.timestampAfterMaxMs) {
        throw new InvalidBatchError(
          ErrorCode.INVALID_TIMESTAMP,
          `timestamp ${ts} of record ${i} is out of range (message.timestamp.before.max.ms / after.max.ms)`,
        );
      }
    }
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
      maxTimestampDelta = i;
    }
  }

  let logAppendTimeMs = -1n;
  let attributes = header.attributes & ~Attributes.compressionMask;
  if (limits.logAppendTime) {
    logAppendTimeMs = limits.now;
    maxTimestamp = limits.now;
    maxTimestampDelta = header.recordCount - 1;
    attributes |= Attributes.timestampTypeLogAppend;
  } else {
    attributes &= ~Attributes.timestampTypeLogAppend;
  }

  const unchanged = codec === Compression.none && attributes === header.attributes && maxTimestamp === header.maxTimestamp;
  const stored = unchanged
    ? records
    : assembleBatch({ ...header, attributes, maxTimestamp }, data);
  return { header, stored, recordCount: header.recordCount, maxTimestamp, maxTimestampDelta, logAppendTimeMs, hasNullKey };
}
