/**
 * OffsetCommit (key 8), versions 0-9. Committed offsets are rows of kpg.group_offsets, written in one
 * transaction per request under a shared lock on the group row.
 *
 * Unknown topics and partitions get UNKNOWN_TOPIC_OR_PARTITION (the rest of the request still commits).
 * Commits from members are checked as Kafka checks them: unknown or fenced members, other generations
 * (ILLEGAL_GENERATION), REBALANCE_IN_PROGRESS while the group awaits its assignment. Generation -1 with an
 * empty member id is accepted while the group has no members, and creates the group if needed (consumers
 * using assign() with a group.id, admin tools resetting offsets); with a generation for an unknown group it
 * is ILLEGAL_GENERATION, GROUP_ID_NOT_FOUND from v9. A member's commit also restarts its session timer.
 * Metadata longer than offset.metadata.max.bytes gets OFFSET_METADATA_TOO_LARGE. v1's commit timestamp and
 * v2-4's retention time are honoured.
 *
 * v0 stored offsets in ZooKeeper; like Kafka 3.9 without ZooKeeper, kpg answers it UNSUPPORTED_VERSION.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/messages/types.js';
import { defineHandler } from './handler.js';

export default defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    const partitions = request.topics.flatMap((t) =>
      t.partitions.map((p) => ({
        topic: t.name,
        partition: p.partitionIndex,
        offset: p.committedOffset,
        leaderEpoch: apiVersion >= 6 ? p.committedLeaderEpoch : -1,
        metadata: p.committedMetadata,
        commitTimestampMs: apiVersion === 1 ? p.commitTimestamp : -1n,
      })),
    );
    const codes =
      apiVersion === 0
        ? partitions.map(() => ErrorCode.UNSUPPORTED_VERSION as number)
        : await ctx.groups.commitOffsets({
            groupId: request.groupId,
            generationId: request.generationIdOrMemberEpoch,
            memberId: request.memberId,
            groupInstanceId: apiVersion >= 7 ? request.groupInstanceId : null,
            retentionTimeMs: apiVersion >= 2 && apiVersion <= 4 ? request.retentionTimeMs : -1n,
            apiVersion,
            partitions,
          });
    let i = 0;
    return {
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codes[i++]! })),
      })),
    };
  },
});
