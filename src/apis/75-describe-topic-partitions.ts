/**
 * DescribeTopicPartitions (key 75), version 0.
 *
 * Topics named in the request (or all, when none are named), sorted by name, with their partitions'
 * leaders, replicas and ISR as Metadata reports them. At most response_partition_limit partitions
 * (capped by max.request.partition.size.limit, default 2000) per response; next_cursor names the topic
 * and partition to continue from. A cursor topic must be among the requested topics and its partition
 * must not be negative (INVALID_REQUEST). Named topics that do not exist get UNKNOWN_TOPIC_OR_PARTITION
 * (INVALID_TOPIC_EXCEPTION for illegal names); when listing all, only existing topics appear.
 * Topics the client may not DESCRIBE are left out when listing all; named ones are answered
 * TOPIC_AUTHORIZATION_FAILED after the others (outside the paging, without their id), as Kafka's
 * DescribeTopicPartitionsRequestHandler does. Authorized operations are the client's own.
 *
 * Deliberately skipped: eligible leader replicas are empty (kpg has no ELR).
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DescribeTopicPartitionsRequest,
  DescribeTopicPartitionsResponse,
  DescribeTopicPartitionsResponseCursor,
  DescribeTopicPartitionsResponsePartition,
  DescribeTopicPartitionsResponseTopic,
} from '../protocol/messages/types.js';
import { ZERO_UUID } from '../protocol/reader.js';
import { invalidTopicNameReason, INTERNAL_TOPICS } from '../topics/names.js';
import { placePartition } from '../topics/topics.js';
import { authorizedFilter, authorizedOperationsOn } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeTopicPartitionsRequest, DescribeTopicPartitionsResponse>({
  apiKey: 75,
  name: 'DescribeTopicPartitions',
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    const cursor = request.cursor;
    const cursorTopic = cursor?.topicName ?? '';
    const fetchAll = request.topics.length === 0;
    let names: string[];
    if (fetchAll) {
      names = (await ctx.topics.all()).map((t) => t.name).filter((n) => n >= cursorTopic);
    } else {
      names = [...new Set(request.topics.map((t) => t.name))].filter((n) => n >= cursorTopic);
      if (cursor && !names.includes(cursor.topicName)) {
        ctx.log.info({ cursor: cursor.topicName }, 'DescribeTopicPartitions cursor topic is not among the requested topics');
        return invalidRequest(request);
      }
    }
    if (cursor && cursor.partitionIndex < 0) {
      ctx.log.info({ cursor }, 'DescribeTopicPartitions cursor partition is negative');
      return invalidRequest(request);
    }
    names.sort();
    const mayDescribe = authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC);
    const denied = names.filter((n) => !mayDescribe(n));
    if (denied.length > 0) names = names.filter((n) => mayDescribe(n));

    const byName = await ctx.topics.byNames(names, { fresh: true });
    const live = new Set((await ctx.cluster.liveGateways()).map((b) => b.nodeId));
    const limit = Math.max(Math.min(ctx.config.int('max.request.partition.size.limit'), request.responsePartitionLimit), 1);
    let remaining = limit;
    const topics: DescribeTopicPartitionsResponseTopic[] = [];
    let nextCursor: DescribeTopicPartitionsResponseCursor | null = null;
    for (const name of names) {
      if (remaining === 0) {
        nextCursor = { topicName: name, partitionIndex: 0 };
        break;
      }
      const topic = byName.get(name);
      if (!topic) {
        if (!fetchAll) {
          const invalid = invalidTopicNameReason(name) !== null;
          topics.push({
            errorCode: invalid ? ErrorCode.INVALID_TOPIC_EXCEPTION : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            name,
            topicId: ZERO_UUID,
            isInternal: INTERNAL_TOPICS.has(name),
            partitions: [],
            topicAuthorizedOperations: authorizedOperationsOn(ctx, ResourceType.TOPIC, name),
          });
        }
        continue;
      }
      const start = name === cursorTopic && cursor ? cursor.partitionIndex : 0;
      const upper = Math.min(topic.partitions.length, start + remaining);
      const partitions: DescribeTopicPartitionsResponsePartition[] = topic.partitions.slice(start, upper).map((p) => {
        const placement = placePartition(p, live, ctx.cluster.nodeId);
        return {
          errorCode: ErrorCode.NONE,
          partitionIndex: p.partition,
          leaderId: placement.leaderId,
          leaderEpoch: p.leaderEpoch,
          replicaNodes: placement.replicaNodes,
          isrNodes: placement.isrNodes,
          eligibleLeaderReplicas: [],
          lastKnownElr: [],
          offlineReplicas: placement.offlineReplicas,
        };
      });
      topics.push({
        errorCode: ErrorCode.NONE,
        name,
        topicId: topic.topicId,
        isInternal: topic.isInternal,
        partitions,
        topicAuthorizedOperations: authorizedOperationsOn(ctx, ResourceType.TOPIC, name),
      });
      if (upper < topic.partitions.length) {
        nextCursor = { topicName: name, partitionIndex: upper };
        break;
      }
      remaining -= partitions.length;
    }
    if (!fetchAll) {
      for (const name of denied) {
        topics.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: ZERO_UUID, isInternal: false, partitions: [] });
      }
    }
    return { throttleTimeMs: 0, topics, nextCursor };
  },
});

/** Kafka's whole-request error response: every requested topic carries INVALID_REQUEST. */
function invalidRequest(request: DescribeTopicPartitionsRequest): DescribeTopicPartitionsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((t) => ({ name: t.name, errorCode: ErrorCode.INVALID_REQUEST, isInternal: false, partitions: [] })),
    nextCursor: null,
  };
}
