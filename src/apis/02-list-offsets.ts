/**
 * ListOffsets (key 2), versions 0-10.
 *
 * Per partition: -1 the high watermark (kpg has no transactions yet, so read_committed's last stable
 * offset is the same), -2 the log start offset, -3 (v7+) the offset and value of the largest timestamp,
 * -4 (v8+) the log start (kpg has no tiered storage, so local and global agree), -5 (v9+) -1 (nothing
 * tiered); any other timestamp the first offset whose record timestamp is at least that one, or -1
 * when no record is that recent. Other negative timestamps, or special ones older versions do not
 * know, get UNSUPPORTED_VERSION. v0 answers with Kafka's old-style offsets list (max_num_offsets of
 * the log end and log start, newest first, as from a log of one segment). A current_leader_epoch
 * (v4+) newer than the partition's is UNKNOWN_LEADER_EPOCH, older FENCED_LEADER_EPOCH; a partition
 * named twice INVALID_REQUEST (v1+); unknown topics or partitions UNKNOWN_TOPIC_OR_PARTITION. A found
 * offset (v4+) carries the partition's leader epoch (always 0 in kpg, and stamped into every stored batch),
 * as Kafka answers from its leader-epoch cache; nothing found (-5, or no record that recent) carries -1.
 * Consumers validate such positions with OffsetForLeaderEpoch (./23-offset-for-leader-epoch.ts).
 *
 * Each topic needs DESCRIBE, checked first (TOPIC_AUTHORIZATION_FAILED for each of its partitions, even
 * unknown or duplicated ones), as Kafka's KafkaApis checks it.
 *
 * Deliberately skipped: the v10 timeout is not needed since every answer is immediate. Kafka reports a
 * by-time or max-timestamp hit with the epoch of the batch holding it; kpg reports the partition's epoch,
 * which is that batch's too, except for batches stored before kpg stamped epochs (they carry -1).
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  ListOffsetsRequest,
  ListOffsetsRequestListOffsetsPartition,
  ListOffsetsResponse,
  ListOffsetsResponseListOffsetsPartitionResponse,
  ListOffsetsResponseListOffsetsTopicResponse,
} from '../protocol/messages/types.js';
import type { PartitionState } from '../storage/log.js';
import { partitionKey } from '../storage/partition-key.js';
import { maxTimestampOffset, offsetForTimestamp } from '../topics/offset-lookup.js';
import { authorizedFilter } from './authorize.js';
import { defineHandler, type RequestContext } from './handler.js';
import { leaderEpochError } from './leader-epoch.js';

const LATEST = -1n;
const EARLIEST = -2n;
const MAX_TIMESTAMP = -3n;
const EARLIEST_LOCAL = -4n;
const LATEST_TIERED = -5n;
const NO_EPOCH = -1;
/** The version each special timestamp needs; other negative timestamps are UNSUPPORTED_VERSION, as in Kafka. */
const SPECIAL_TIMESTAMP_MIN_VERSION = new Map<bigint, number>([
  [LATEST, 0],
  [EARLIEST, 0],
  [MAX_TIMESTAMP, 7],
  [EARLIEST_LOCAL, 8],
  [LATEST_TIERED, 9],
]);

export default defineHandler<ListOffsetsRequest, ListOffsetsResponse>({
  apiKey: 2,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 10,
  async handle(request, ctx) {
    const mayDescribe = authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC);
    const topics = await ctx.topics.byNames(request.topics.filter((t) => mayDescribe(t.name)).map((t) => t.name));
    const wanted: { topicId: string; partition: number }[] = [];
    for (const t of request.topics) {
      const topic = topics.get(t.name);
      if (topic) for (const p of t.partitions) wanted.push({ topicId: topic.topicId, partition: p.partitionIndex });
    }
    const states = await ctx.records.partitionStates(wanted);

    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const t of request.topics) {
      for (const p of t.partitions) {
        const key = partitionKey(t.name, p.partitionIndex);
        (seen.has(key) ? duplicates : seen).add(key);
      }
    }

    const out: ListOffsetsResponseListOffsetsTopicResponse[] = [];
    for (const t of request.topics) {
      const topic = topics.get(t.name);
      const partitions: ListOffsetsResponseListOffsetsPartitionResponse[] = [];
      for (const p of t.partitions) {
        if (!mayDescribe(t.name)) {
          partitions.push(errorResult(p.partitionIndex, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
          continue;
        }
        if (ctx.apiVersion >= 1 && duplicates.has(partitionKey(t.name, p.partitionIndex))) {
          partitions.push(errorResult(p.partitionIndex, ErrorCode.INVALID_REQUEST));
          continue;
        }
        const state = topic ? states.get(partitionKey(topic.topicId, p.partitionIndex)) : undefined;
        if (!state) {
          partitions.push(errorResult(p.partitionIndex, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
          continue;
        }
        partitions.push(await answer(p, state, ctx));
      }
      out.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics: out };
  },
});

function errorResult(partitionIndex: number, errorCode: number): ListOffsetsResponseListOffsetsPartitionResponse {
  return { partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1n, offset: -1n, leaderEpoch: NO_EPOCH };
}

async function answer(
  p: ListOffsetsRequestListOffsetsPartition,
  state: PartitionState,
  ctx: RequestContext,
): Promise<ListOffsetsResponseListOffsetsPartitionResponse> {
  const epochError = ctx.apiVersion >= 4 && p.currentLeaderEpoch !== -1 ? leaderEpochError(p.currentLeaderEpoch, state.leaderEpoch) : ErrorCode.NONE;
  if (epochError !== ErrorCode.NONE) return errorResult(p.partitionIndex, epochError);
  if (p.timestamp < 0n) {
    const minVersion = SPECIAL_TIMESTAMP_MIN_VERSION.get(p.timestamp);
    if (minVersion === undefined || ctx.apiVersion < minVersion) return errorResult(p.partitionIndex, ErrorCode.UNSUPPORTED_VERSION);
  }
  if (ctx.apiVersion === 0) {
    return { partitionIndex: p.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: oldStyleOffsets(p, state) };
  }
  const found = (timestamp: bigint, offset: bigint): ListOffsetsResponseListOffsetsPartitionResponse => ({
    partitionIndex: p.partitionIndex,
    errorCode: ErrorCode.NONE,
    timestamp,
    offset,
    leaderEpoch: offset < 0n ? NO_EPOCH : state.leaderEpoch,
  });
  // The high watermark; with no transactions it is also read_committed's last stable offset.
  const highWatermark = state.nextOffset;
  switch (p.timestamp) {
    case LATEST:
      return found(-1n, highWatermark);
    case EARLIEST:
    case EARLIEST_LOCAL:
      return found(-1n, state.logStartOffset);
    case LATEST_TIERED:
      return found(-1n, -1n);
    case MAX_TIMESTAMP: {
      const max = await maxTimestampOffset(ctx.records, state);
      return max && max.offset < highWatermark ? found(max.timestamp, max.offset) : found(-1n, -1n);
    }
    default: {
      const hit = await offsetForTimestamp(ctx.records, state, p.timestamp);
      return hit ? found(hit.timestamp, hit.offset) : found(-1n, -1n);
    }
  }
}

/**
 * v0's offsets "before" a time, newest first, as Kafka computes them from segment base offsets: kpg's
 * log is one segment starting at the log start, plus the log end when the log is not empty.
 */
function oldStyleOffsets(p: ListOffsetsRequestListOffsetsPartition, state: PartitionState): bigint[] {
  const points: { offset: bigint; time: bigint }[] = [{ offset: state.logStartOffset, time: state.maxTimestamp }];
  if (state.nextOffset > state.logStartOffset) points.push({ offset: state.nextOffset, time: BigInt(Date.now()) });
  let start: number;
  if (p.timestamp === LATEST) start = points.length - 1;
  else if (p.timestamp === EARLIEST) start = 0;
  else {
    start = -1;
    for (let i = points.length - 1; i >= 0; i--) {
      if (points[i]!.time <= p.timestamp) {
        start = i;
        break;
      }
    }
  }
  const offsets: bigint[] = [];
  for (let i = start; i >= 0 && offsets.length < Math.max(p.maxNumOffsets, 0); i--) offsets.push(points[i]!.offset);
  return offsets;
}
