/**
 * Validation of a produced record batch, as Kafka 4.1 does it, and its normalisation into the stored
 * form: records uncompressed (so SQL can read them), the broker's timestamp for LogAppendTime topics, CRC
 * recomputed whenever a covered byte changed. An uncompressed CreateTime batch that is already right is
 * stored as received, without a copy.
 *
 * The checks run in Kafka's order, each with Kafka's error code: first what Kafka's request handler checks
 * (magic 2, exactly one batch, zstd only from Produce v7), then its log (base offset 0, size against
 * max.message.bytes, CRC), then its LogValidator (offset range and count, no control batches, a sequence
 * for idempotent batches) and last every record (KIP-467): a keyless record on a compacted topic is
 * INVALID_RECORD, a CreateTime outside message.timestamp.before/after.max.ms (or a LogAppendTime type set by
 * the producer where Kafka refuses it) INVALID_TIMESTAMP; then a batch larger than segment.bytes is
 * RECORD_LIST_TOO_LARGE (the batch as received: kpg does not recompress on append). Record errors are collected for the whole batch
 * and thrown together as a RecordValidationError carrying each record's batch index and Kafka's message, so
 * the client can fail exactly those records.
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

/** A batch refused where Kafka's log refuses it: Kafka's answer then carries the partition's log start offset. */
export class LogValidationError extends InvalidBatchError {
  override name = 'LogValidationError';
}

/** One refused record of a batch (Produce v8+ record_errors). */
export interface RecordError {
  batchIndex: number;
  message: string;
}

/**
 * Some records of the batch are invalid (Kafka's RecordValidationException): the partition answers
 * `errorCode` with `message` as its error_message (Kafka's own, which the client shows) and every
 * refused record in `recordErrors`.
 */
export class RecordValidationError extends LogValidationError {
  override name = 'RecordValidationError';
  constructor(
    errorCode: number,
    message: string,
    readonly recordErrors: RecordError[],
  ) {
    super(errorCode, message);
  }
}

export interface ProduceLimits {
  /** The Produce request version (zstd needs v7+). */
  produceVersion: number;
  /** `topic-partition`, as Kafka names the partition in its messages (default `unknown-0`). */
  topicPartition?: string;
  /** max.message.bytes of the topic. */
  maxMessageBytes: number;
  logAppendTime: boolean;
  /** segment.bytes of the topic: Kafka refuses a batch larger than a segment (default: no limit). */
  segmentBytes?: number;
  /** cleanup.policy includes compact: every record needs a key (default false). */
  compacted?: boolean;
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
}

/** Decompressed records sections larger than this are refused (a tiny compressed batch must not exhaust memory). */
const DECOMPRESSED_LIMIT_FACTOR = 16;

/** Record timestamps of a batch that carries none (Kafka's RecordBatch.NO_TIMESTAMP). */
const NO_TIMESTAMP = -1n;

export async function validateProducedBatch(records: Buffer | null, limits: ProduceLimits): Promise<ValidatedBatch> {
  const tp = limits.topicPartition ?? 'unknown-0';
  // What Kafka's request handler checks (ProduceRequest.validateRecords).
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
  const codec = compressionOf(header);
  if (codec === Compression.zstd && limits.produceVersion < 7) {
    throw new InvalidBatchError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'zstd compression needs Produce v7 or later');
  }

  // What Kafka's log checks before validating (UnifiedLog.analyzeAndValidateRecords).
  if (header.baseOffset !== 0n) {
    throw new LogValidationError(ErrorCode.INVALID_RECORD, `The baseOffset of the record batch in the append to ${tp} should be 0, but it is ${header.baseOffset}`);
  }
  if (records.length > limits.maxMessageBytes) {
    throw new InvalidBatchError(
      ErrorCode.MESSAGE_TOO_LARGE,
      `The record batch size in the append to ${tp} is ${records.length} bytes which exceeds the maximum configured value of ${limits.maxMessageBytes}.`,
    );
  }
  if (computeBatchCrc(records) !== header.crc) {
    throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, `Record is corrupt (stored crc = ${header.crc}) in topic partition ${tp}.`);
  }

  // Kafka's LogValidator.validateBatch.
  if (header.lastOffsetDelta < 0) {
    throw new LogValidationError(ErrorCode.INVALID_RECORD, `Batch has an invalid offset range: [0, ${header.lastOffsetDelta}] in topic partition ${tp}`);
  }
  if (header.recordCount <= 0) {
    throw new LogValidationError(ErrorCode.INVALID_RECORD, `Invalid reported count for record batch: ${header.recordCount} in topic partition ${tp}`);
  }
  if (header.lastOffsetDelta !== header.recordCount - 1) {
    throw new LogValidationError(
      ErrorCode.INVALID_RECORD,
      `Inconsistent batch offset range [0, ${header.lastOffsetDelta}] and count of records ${header.recordCount} in topic partition ${tp}`,
    );
  }
  if (isControl(header)) throw new LogValidationError(ErrorCode.INVALID_RECORD, `Clients are not allowed to write control records in topic partition ${tp}`);
  if (header.producerId >= 0n && header.baseSequence < 0) {
    throw new LogValidationError(
      ErrorCode.INVALID_RECORD,
      `Invalid sequence number ${header.baseSequence} in record batch with producerId ${header.producerId} in topic partition ${tp}`,
    );
  }
  if (codec > Compression.zstd) throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, `unknown compression codec ${codec}`);

  const section = records.subarray(BATCH_HEADER_SIZE);
  let data: Buffer;
  try {
    data = await decompress(codec, section, Math.max(limits.maxMessageBytes, 1 << 20) * DECOMPRESSED_LIMIT_FACTOR);
  } catch (err) {
    throw new InvalidBatchError(ErrorCode.CORRUPT_MESSAGE, `records could not be decompressed: ${(err as Error).message}`);
  }
  const decoded = decodeRecordsSection(data, header.recordCount);

  // Every record (Kafka's LogValidator.validateRecord): the first problem of each record is its error.
  const producerSetLogAppendTime = (header.attributes & Attributes.timestampTypeLogAppend) !== 0;
  const recordErrors: RecordError[] = [];
  let invalidTimestamp = false;
  let maxTimestamp = -1n;
  let maxTimestampDelta = 0;
  for (let i = 0; i < decoded.length; i++) {
    const rec = decoded[i]!;
    if (rec.offsetDelta !== i) throw new LogValidationError(ErrorCode.INVALID_RECORD, `record ${i} has offset delta ${rec.offsetDelta}`);
    // In a batch marked LogAppendTime every record reads the batch's max timestamp, as Kafka reads it.
    const ts = producerSetLogAppendTime ? header.maxTimestamp : header.baseTimestamp + rec.timestampDelta;
    if (limits.compacted && rec.key === null) {
      recordErrors.push({ batchIndex: i, message: `Compacted topic cannot accept message without key in topic partition ${tp}` });
    } else if (!limits.logAppendTime && ts !== NO_TIMESTAMP) {
      if (limits.now - ts > limits.timestampBeforeMaxMs || ts - limits.now > limits.timestampAfterMaxMs) {
        invalidTimestamp = true;
        recordErrors.push({
          batchIndex: i,
          message:
            `Timestamp ${ts} of message with offset ${rec.offsetDelta} is out of range. The timestamp should be within ` +
            `[${limits.now - limits.timestampBeforeMaxMs}, ${limits.now + limits.timestampAfterMaxMs}]`,
        });
      }
    } else if (producerSetLogAppendTime) {
      invalidTimestamp = true;
      recordErrors.push({
        batchIndex: i,
        message:
          `Invalid timestamp type in message DefaultRecord(offset=${rec.offsetDelta}, timestamp=${ts}, key=${rec.key?.length ?? 0} bytes, ` +
          `value=${rec.value?.length ?? 0} bytes). Producer should not set timestamp type to LogAppendTime.`,
      });
    }
    if (ts > maxTimestamp) {
      maxTimestamp = ts;
      maxTimestampDelta = i;
    }
  }
  if (recordErrors.length > 0) {
    if (invalidTimestamp) {
      throw new RecordValidationError(ErrorCode.INVALID_TIMESTAMP, 'One or more records have been rejected due to invalid timestamp', recordErrors);
    }
    const shown = recordErrors.slice(0, 3).map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.message}')`);
    throw new RecordValidationError(
      ErrorCode.INVALID_RECORD,
      `One or more records have been rejected due to ${recordErrors.length} record errors in total, and only showing the first three errors at most: [${shown.join(', ')}]`,
      recordErrors,
    );
  }

  // Kafka's log, after validation: a batch must fit in one segment (max.message.bytes may allow more).
  if (limits.segmentBytes !== undefined && records.length > limits.segmentBytes) {
    throw new InvalidBatchError(
      ErrorCode.RECORD_LIST_TOO_LARGE,
      `Message batch size is ${records.length} bytes in append to partition ${tp}, which exceeds the maximum configured segment size of ${limits.segmentBytes}.`,
    );
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
  return { header, stored, recordCount: header.recordCount, maxTimestamp, maxTimestampDelta, logAppendTimeMs };
}
