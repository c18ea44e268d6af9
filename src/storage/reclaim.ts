/**
 * The background reclaiming of storage nobody can read any more (src/storage/reaper.ts runs it):
 * batches of deleted topics, batches below a log start offset, and retention moving log starts.
 */
import type { TopicPartition } from './log.js';

export interface PartitionExtent {
  partition: number;
  nextOffset: bigint;
  logStartOffset: bigint;
}

/** Reclaiming steps, run by the one gateway holding the reclaim turn; each is short and bounded. */
export interface ReclaimSession {
  /** Ids of deleted topics that still have batches (at most `limit`). */
  orphanTopicIds(limit: number): Promise<string[]>;
  /** Deletes up to `limit` batches of a deleted topic; returns how many went. */
  deleteOrphanBatches(topicId: string, limit: number): Promise<number>;
  /** Partitions that still store batches entirely below their log start offset. */
  partitionsWithBatchesBelowLogStart(): Promise<(TopicPartition & { logStartOffset: bigint })[]>;
  /** Deletes up to `limit` whole batches below `logStartOffset`; a batch straddling it stays. */
  deleteBatchesBelow(topicId: string, partition: number, logStartOffset: bigint, limit: number): Promise<number>;
  /** Every topic's id. */
  topicIds(): Promise<string[]>;
  partitionsOf(topicId: string): Promise<PartitionExtent[]>;
  /**
   * Where time retention puts the log start: the first batch whose running maximum timestamp reaches
   * `cutoff`, or null when there is none (every record is older).
   */
  timeRetentionStart(topicId: string, partition: number, cutoff: bigint): Promise<bigint | null>;
  /**
   * Where size retention puts the log start: oldest batches go while what remains from `fromOffset` on
   * is still at least `retentionBytes`. Null when the partition holds less than that.
   */
  sizeRetentionStart(topicId: string, partition: number, fromOffset: bigint, retentionBytes: bigint): Promise<bigint | null>;
  /** Moves a log start up (never down, never past the log end); returns whether it moved. */
  advanceLogStart(topicId: string, partition: number, offset: bigint): Promise<boolean>;
}

export interface ReclaimStorage {
  /**
   * Runs `work` while this gateway holds the cluster-wide reclaim turn; returns false without running
   * it when another gateway holds it.
   */
  asReaper(work: (session: ReclaimSession) => Promise<void>): Promise<boolean>;
}
