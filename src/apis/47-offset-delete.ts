/**
 * OffsetDelete (key 47), version 0: deletes committed offsets of a group.
 *
 * As in Kafka: GROUP_ID_NOT_FOUND for an unknown group and NON_EMPTY_GROUP for a group with members that
 * does not use the consumer protocol (both for the whole request); per partition
 * UNKNOWN_TOPIC_OR_PARTITION for unknown topics and partitions, and GROUP_SUBSCRIBED_TO_TOPIC while a
 * consumer group's members subscribe to the topic (taken from their stored subscriptions; when those
 * cannot be read, a consumer group counts as subscribed). Authorization as Kafka's: DELETE on the group
 * (GROUP_AUTHORIZATION_FAILED for the whole request, before any other check), then READ on each topic
 * (TOPIC_AUTHORIZATION_FAILED for its partitions, before existence).
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { OffsetDeleteRequest, OffsetDeleteResponse } from '../protocol/messages/types.js';
import { authorizedFilter, isAuthorized } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<OffsetDeleteRequest, OffsetDeleteResponse>({
  apiKey: 47,
  name: 'OffsetDelete',
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    if (!isAuthorized(ctx, AclOperation.DELETE, ResourceType.GROUP, request.groupId)) {
      return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, throttleTimeMs: 0, topics: [] };
    }
    if (request.groupId === '') return { errorCode: ErrorCode.INVALID_GROUP_ID, throttleTimeMs: 0, topics: [] };
    const mayRead = authorizedFilter(ctx, AclOperation.READ, ResourceType.TOPIC);
    const result = await ctx.groups.deleteOffsets(
      request.groupId,
      request.topics.filter((t) => mayRead(t.name)).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })),
    );
    return {
      errorCode: result.errorCode,
      throttleTimeMs: 0,
      topics: [
        ...result.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((p) => ({ partitionIndex: p.partition, errorCode: p.errorCode })),
        })),
        ...request.topics
          .filter((t) => !mayRead(t.name))
          .map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })),
          })),
      ],
    };
  },
});
