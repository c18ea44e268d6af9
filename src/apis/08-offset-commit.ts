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
 * Authorization as Kafka's KafkaApis: READ on the group (else GROUP_AUTHORIZATION_FAILED on every
 * partition), then READ on each topic (TOPIC_AUTHORIZATION_FAILED for its partitions, checked before
 * existence); only the authorized partitions reach the coordinator.
 *
 * v0 stored offsets in ZooKeeper; like Kafka 3.9 without ZooKeeper, kpg answers it UNSUPPORTED_VERSION.
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { OffsetCommitRequest, OffsetCommitResponse } from '../protocol/messages/types.js';
import { authorizedFilter, isAuthorized } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<OffsetCommitRequest, OffsetCommitResponse>({
  apiKey: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    const answer = (codeOf: (topic: string, index: number) => number): OffsetCommitResponse => ({
      throttleTimeMs: 0,
      topics: request.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p, i) => ({ partitionIndex: p.partitionIndex, errorCode: codeOf(t.name, i) })),
      })),
    });
    if (apiVersion > 0 && !isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return answer(() => ErrorCode.GROUP_AUTHORIZATION_FAILED);
    }
    const mayRead = authorizedFilter(ctx, AclOperation.READ, ResourceType.TOPIC);
    const partitions = request.topics.filter((t) => apiVersion === 0 || mayRead(t.name)).flatMap((t) =>
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
        : ctx.access.enabled && partitions.length === 0
          ? [] // every topic refused: Kafka answers without the coordinator
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
    return answer((topic) => (apiVersion === 0 || mayRead(topic) ? codes[i++]! : ErrorCode.TOPIC_AUTHORIZATION_FAILED));
  },
});
