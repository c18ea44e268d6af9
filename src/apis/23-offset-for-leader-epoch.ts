/**
 * OffsetForLeaderEpoch (key 23), versions 2-4 (those Kafka 4.1 serves; 4.0 removed v0-1).
 *
 * Consumers (KIP-320) ask for the end offset of the leader epoch their position came from, to detect log
 * truncation after a leader change. kpg's partitions have one leader and one epoch for their whole life
 * (kpg.partitions.leader_epoch, 0), stamped into every batch appended; so the answers are those of Kafka's
 * leader-epoch cache holding a single entry, that epoch starting at the log start offset:
 * - the partition's epoch: that epoch and the log end offset;
 * - -1 (undefined), or an epoch newer than the partition's: leader epoch -1 and end offset -1;
 * - any other epoch below it (only negative ones, for epoch 0): that epoch and the log start offset, as
 *   Kafka answers for an epoch older than its earliest cached one (the start offset of that entry,
 *   which moves with the log start).
 * A current_leader_epoch (v2+) other than -1 is checked first: newer than the partition's is
 * UNKNOWN_LEADER_EPOCH, older FENCED_LEADER_EPOCH. Unknown topics and partitions are
 * UNKNOWN_TOPIC_OR_PARTITION. Partitions are answered in the order asked, a topic named twice twice.
 *
 * Deliberately skipped: replica_id (v3+) changes nothing, as in Kafka, whose broker answers a follower id
 * (>= 0), -1 (consumer) and -2 (debug) alike; kpg has no followers.
 * Authorization as Kafka's: CLUSTER_ACTION on the cluster allows every topic; otherwise each topic
 * needs DESCRIBE (TOPIC_AUTHORIZATION_FAILED per partition, checked before existence).
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochRequestOffsetForLeaderPartition,
  OffsetForLeaderEpochResponse,
  OffsetForLeaderEpochResponseEpochEndOffset,
} from '../protocol/messages/types.js';
import type { PartitionState } from '../storage/log.js';
import { partitionKey } from '../storage/partition-key.js';
import { authorizedFilter, isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';
import { leaderEpochError } from './leader-epoch.js';

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET, and "no current epoch given". */
const UNDEFINED_EPOCH = -1;
const UNDEFINED_OFFSET = -1n;

export default defineHandler<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({
  apiKey: 23,
  name: 'OffsetForLeaderEpoch',
  minVersion: 2,
  maxVersion: 4,
  async handle(request, ctx) {
    const mayDescribe = isAuthorizedOnCluster(ctx, AclOperation.CLUSTER_ACTION, false)
      ? (): boolean => true
      : authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC);
    const topics = await ctx.topics.byNames([...new Set(request.topics.filter((t) => mayDescribe(t.topic)).map((t) => t.topic))]);
    const wanted: { topicId: string; partition: number }[] = [];
    for (const t of request.topics) {
      const topic = topics.get(t.topic);
      if (topic) for (const p of t.partitions) wanted.push({ topicId: topic.topicId, partition: p.partition });
    }
    const states = await ctx.records.partitionStates(wanted);
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => {
        const topic = topics.get(t.topic);
        if (!mayDescribe(t.topic)) {
          return {
            topic: t.topic,
            partitions: t.partitions.map((p) => ({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partition: p.partition, leaderEpoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET })),
          };
        }
        return {
          topic: t.topic,
          partitions: t.partitions.map((p) => answer(p, topic ? states.get(partitionKey(topic.topicId, p.partition)) : undefined)),
        };
      }),
    };
  },
});

function answer(p: OffsetForLeaderEpochRequestOffsetForLeaderPartition, state: PartitionState | undefined): OffsetForLeaderEpochResponseEpochEndOffset {
  const result = (errorCode: number, leaderEpoch = UNDEFINED_EPOCH, endOffset = UNDEFINED_OFFSET): OffsetForLeaderEpochResponseEpochEndOffset => ({
    errorCode,
    partition: p.partition,
    leaderEpoch,
    endOffset,
  });
  if (!state) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const epoch = state.leaderEpoch;
  const epochError = p.currentLeaderEpoch === UNDEFINED_EPOCH ? ErrorCode.NONE : leaderEpochError(p.currentLeaderEpoch, epoch);
  if (epochError !== ErrorCode.NONE) return result(epochError);
  if (p.leaderEpoch === epoch) return result(ErrorCode.NONE, epoch, state.nextOffset);
  if (p.leaderEpoch === UNDEFINED_EPOCH || p.leaderEpoch > epoch) return result(ErrorCode.NONE);
  return result(ErrorCode.NONE, p.leaderEpoch, state.logStartOffset);
}
