/**
 * Storage of partition logs: appending record batches, reading them, offsets and timestamps, moving the
 * log start, sizes, and producer ids.
 */

export interface TopicPartition {
  topicId: string;
  partition: number;
}

export interface AppendBatch extends TopicPartition {
  /** The batch to store: whole v2 batch, records uncompressed, CRC valid. */
  batch: Buffer;
  recordCount: number;
  maxTimestamp: bigint;
  /** Offset delta of the record carrying maxTimestamp. */
  maxTimestampDelta: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

export interface AppendResult {
  errorCode: number;
  baseOffset: bigint;
  logStartOffset: bigint;
}

export interface StoredBatches {
  highWatermark: bigint;
  logStartOffset: bigint;
  /** Whole batches in offset order, the first one containing the requested offset. */
  batches: Buffer[];
  bytes: number;
}

/** What is known of a partition's log without reading its batches. */
export interface PartitionState extends TopicPartition {
  /** The log end offset: the high watermark. */
  nextOffset: bigint;
  logStartOffset: bigint;
  maxTimestamp: bigint;
  maxTimestampOffset: bigint;
  leaderEpoch: number;
}

export interface StoredBatch {
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
  batch: Buffer;
}

export type DeleteRecordsOutcome =
  | { lowWatermark: bigint }
  | { unknownPartition: true }
  | { outOfRange: { highWatermark: bigint } };

export interface LogStorage {
  /**
   * Appends one request's batches (assigning offsets, checking idempotent producers' sequences); resolves
   * with a result per batch, in order, once committed. Appends to one partition commit in call order.
   */
  append(batches: AppendBatch[]): Promise<AppendResult[]>;
  /**
   * Whole batches of one partition from `fetchOffset`, up to `maxBytes` (the first batch always, so a
   * consumer can get past a batch larger than its limit). Null when the partition does not exist.
   */
  read(topicId: string, partition: number, fetchOffset: bigint, maxBytes: number): Promise<StoredBatches | null>;
  /** States of the partitions that exist, keyed by partitionKey(topicId, partition). */
  partitionStates(partitions: readonly TopicPartition[]): Promise<Map<string, PartitionState>>;
  /**
   * The first batch, in offset order and ending at or after `fromOffset`, whose newest record has a
   * timestamp of at least `timestamp`.
   */
  firstBatchReaching(topicId: string, partition: number, timestamp: bigint, fromOffset: bigint): Promise<StoredBatch | null>;
  /** The batch holding the partition's largest timestamp among batches ending at or after `fromOffset`. */
  batchWithMaxTimestamp(topicId: string, partition: number, fromOffset: bigint): Promise<StoredBatch | null>;
  /**
   * Moves a partition's log start offset up to `offset` (-1: the high watermark); never beyond the high
   * watermark, never down. The batches below it are reclaimed later.
   */
  deleteRecords(topicId: string, partition: number, offset: bigint): Promise<DeleteRecordsOutcome>;
  /** Called after deleteRecords moved a log start through this storage. */
  onLogStartMoved(listener: () => void): void;
  /** Bytes each partition's stored batches take (null: every topic), keyed by partitionKey; partitions without data absent. */
  partitionSizes(topicIds: readonly string[] | null): Promise<Map<string, bigint>>;
  /** A new idempotent producer id, unique across gateways, with epoch 0. */
  newProducerId(): Promise<{ producerId: bigint; producerEpoch: number }>;
}
