/**
 * Offset lookups by timestamp for ListOffsets: the first offset whose record timestamp is at least a
 * given one, and the offset carrying a partition's largest timestamp. Postgres narrows the search to
 * one batch (through the running-maximum time index); the batch's records give the exact offset.
 */
import { Attributes, decodeBatchRecords, readBatchHeader } from '../records/batch.js';
import type { LogStorage, PartitionState, StoredBatch } from '../storage/log.js';

export interface TimestampAndOffset {
  timestamp: bigint;
  offset: bigint;
}

interface RecordPosition {
  offset: bigint;
  timestamp: bigint;
}

/** Each record's offset and timestamp; LogAppendTime batches stamp every record with the batch's time. */
async function recordPositions(stored: StoredBatch): Promise<RecordPosition[]> {
  const header = readBatchHeader(stored.batch);
  const logAppendTime = (header.attributes & Attributes.timestampTypeLogAppend) !== 0;
  const records = await decodeBatchRecords(stored.batch);
  return records.map((r) => ({
    offset: stored.baseOffset + BigInt(r.offsetDelta),
    timestamp: logAppendTime ? header.maxTimestamp : header.baseTimestamp + r.timestampDelta,
  }));
}

/**
 * The first record at or after the log start whose timestamp is >= `timestamp`, or null when no record
 * is that recent (Kafka then answers offset -1, timestamp -1).
 */
export async function offsetForTimestamp(log: Pick<LogStorage, 'firstBatchReaching'>, state: PartitionState, timestamp: bigint): Promise<TimestampAndOffset | null> {
  let from = state.logStartOffset;
  for (;;) {
    const batch = await log.firstBatchReaching(state.topicId, state.partition, timestamp, from);
    if (!batch) return null;
    const hit = (await recordPositions(batch)).find((r) => r.offset >= from && r.timestamp >= timestamp);
    if (hit && hit.offset < state.nextOffset) return hit;
    if (hit) return null;
    // Only records below the log start reached the timestamp in this batch: look further on.
    from = batch.lastOffset + 1n;
  }
}

/** The offset and value of the partition's largest timestamp at or after the log start (ListOffsets -3). */
export async function maxTimestampOffset(log: Pick<LogStorage, 'batchWithMaxTimestamp'>, state: PartitionState): Promise<TimestampAndOffset | null> {
  if (state.maxTimestampOffset >= state.logStartOffset && state.maxTimestampOffset >= 0n) {
    return { timestamp: state.maxTimestamp, offset: state.maxTimestampOffset };
  }
  // The record that carried it is gone (DeleteRecords, retention): find the largest among what is left.
  const batch = await log.batchWithMaxTimestamp(state.topicId, state.partition, state.logStartOffset);
  if (!batch) return null;
  let best: RecordPosition | null = null;
  for (const r of await recordPositions(batch)) {
    if (r.offset < state.logStartOffset) continue;
    if (best === null || r.timestamp > best.timestamp) best = r;
  }
  return best;
}
