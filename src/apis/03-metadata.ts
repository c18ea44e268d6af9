/**
 * Metadata (key 3), versions 0-13.
 *
 * Brokers are the live gateways; every topic lives in Postgres, and a partition's leader is its first
 * live replica. v0 asks for all topics with an empty list, v1+ with null (empty means none). v10+ may
 * name topics by id (one id makes the whole request by id, as in Kafka). Unknown topics are auto-created
 * when both the request and auto.create.topics.enable allow it.
 *
 * Authorization as Kafka's KafkaApis: the all-topics form leaves out topics the client may not DESCRIBE;
 * a named topic without DESCRIBE is TOPIC_AUTHORIZATION_FAILED whether it exists or not (by id: the id
 * with a null name, since ids are not secret); a missing topic that would be auto-created needs CREATE
 * on the cluster or on the topic, else TOPIC_AUTHORIZATION_FAILED. Authorized operations (v8+) are the
 * client's own: the cluster's 0 without DESCRIBE on it.
 *
 * Deliberately skipped: leader epochs are the stored epoch (0) since kpg has no replica fencing.
 */
import { AclOperation, AUTHORIZED_OPERATIONS_OMITTED, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { ZERO_UUID } from '../protocol/reader.js';
import type { MetadataRequest, MetadataResponse, MetadataResponseTopic } from '../protocol/messages/types.js';
import type { TopicRecord } from '../storage/topics.js';
import { invalidTopicNameReason } from '../topics/names.js';
import { ensureOffsetsTopic, OFFSETS_TOPIC } from '../topics/offsets-topic.js';
import { autoCreateTopic, placePartition } from '../topics/topics.js';
import { authorizedFilter, authorizedOperationsOn, clusterAuthorizedOperations, isAuthorized, isAuthorizedOnCluster } from './authorize.js';
import { defineHandler, type RequestContext } from './handler.js';

export default defineHandler<MetadataRequest, MetadataResponse>({
  apiKey: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 13,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    // Brokers as the listener the request arrived on reaches them (those without it are left out, as in Kafka).
    const live = await ctx.cluster.liveGateways(ctx.client.listener);
    const liveIds = new Set(live.map((b) => b.nodeId));

    const wantsAll = request.topics === null || (apiVersion === 0 && request.topics.length === 0);
    const topics: MetadataResponseTopic[] = [];
    if (wantsAll) {
      const mayDescribe = authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, false);
      for (const t of await ctx.topics.all()) if (mayDescribe(t.name)) topics.push(describeTopic(t, liveIds, ctx, request));
    } else {
      topics.push(...(await requestedTopics(request, liveIds, ctx)));
    }

    return {
      throttleTimeMs: 0,
      brokers: live.map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack })),
      clusterId: ctx.cluster.clusterId,
      // Every gateway must name the same controller, and it must be a listed broker.
      controllerId: live[0]!.nodeId,
      topics,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? clusterAuthorizedOperations(ctx) : AUTHORIZED_OPERATIONS_OMITTED,
      errorCode: ErrorCode.NONE,
    };
  },
});

async function requestedTopics(request: MetadataRequest, liveIds: ReadonlySet<number>, ctx: RequestContext): Promise<MetadataResponseTopic[]> {
  const { apiVersion } = ctx;
  const requested = request.topics ?? [];
  // As soon as one entry carries a topic id, Kafka looks every topic up by id and ignores the names (the Java
  // AdminClient's describeTopics by id sends the name "", not null); unknown ids get UNKNOWN_TOPIC_ID.
  const requestedIds = [...new Set(requested.map((t) => t.topicId).filter((id) => id !== ZERO_UUID))];
  const mayDescribe = authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC);
  if (requestedIds.length > 0) {
    const found = await ctx.topics.byIds(requestedIds, { fresh: true });
    return requestedIds.map((id) => {
      const topic = found.get(id);
      if (!topic) return errorTopic(null, id, ErrorCode.UNKNOWN_TOPIC_ID);
      return mayDescribe(topic.name) ? describeTopic(topic, liveIds, ctx, request) : errorTopic(null, id, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    });
  }
  // Topics the client may not describe are not even looked up, so their existence does not leak.
  const names = requested.filter((t) => t.name !== null && mayDescribe(t.name)).map((t) => t.name!);
  const byName = await ctx.topics.byNames(names, { fresh: true });
  // v0-3 have no allowAutoTopicCreation field: Kafka treats them as allowing it.
  const mayCreate = (apiVersion < 4 || request.allowAutoTopicCreation) && ctx.config.bool('auto.create.topics.enable');
  const clusterCreate = mayCreate && isAuthorizedOnCluster(ctx, AclOperation.CREATE, false);

  const out: MetadataResponseTopic[] = [];
  for (const entry of requested) {
    if (entry.name === null) {
      // neither a name nor an id
      out.push(errorTopic(null, entry.topicId, ErrorCode.UNKNOWN_TOPIC_ID));
      continue;
    }
    if (!mayDescribe(entry.name)) {
      out.push(errorTopic(entry.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED));
      continue;
    }
    let topic = byName.get(entry.name);
    if (!topic && mayCreate && !clusterCreate && !isAuthorized(ctx, AclOperation.CREATE, ResourceType.TOPIC, entry.name)) {
      out.push({ ...errorTopic(entry.name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED), isInternal: entry.name === OFFSETS_TOPIC });
      continue;
    }
    if (!topic) {
      const invalid = invalidTopicNameReason(entry.name);
      if (invalid !== null) {
        out.push(errorTopic(entry.name, ZERO_UUID, ErrorCode.INVALID_TOPIC_EXCEPTION));
        continue;
      }
      if (entry.name === OFFSETS_TOPIC && (apiVersion < 4 || request.allowAutoTopicCreation)) {
        // Kafka creates its internal topic on request, with its own partition count and configs.
        topic = (await ensureOffsetsTopic(ctx)) ?? undefined;
      } else if (mayCreate) {
        const created = await autoCreateTopic(ctx, entry.name);
        if ('errorCode' in created) {
          out.push(errorTopic(entry.name, ZERO_UUID, created.errorCode));
          continue;
        }
        topic = created.topic;
      }
    }
    out.push(topic ? describeTopic(topic, liveIds, ctx, request) : errorTopic(entry.name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
  }
  return out;
}

function describeTopic(topic: TopicRecord, liveIds: ReadonlySet<number>, ctx: RequestContext, request: MetadataRequest): MetadataResponseTopic {
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: topic.isInternal,
    partitions: topic.partitions.map((p) => {
      const placement = placePartition(p, liveIds, ctx.cluster.nodeId);
      return {
        errorCode: ErrorCode.NONE,
        partitionIndex: p.partition,
        leaderId: placement.leaderId,
        leaderEpoch: p.leaderEpoch,
        replicaNodes: placement.replicaNodes,
        isrNodes: placement.isrNodes,
        offlineReplicas: placement.offlineReplicas,
      };
    }),
    topicAuthorizedOperations: request.includeTopicAuthorizedOperations
      ? authorizedOperationsOn(ctx, ResourceType.TOPIC, topic.name)
      : AUTHORIZED_OPERATIONS_OMITTED,
  };
}

function errorTopic(name: string | null, topicId: string, errorCode: number): MetadataResponseTopic {
  return { errorCode, name, topicId, isInternal: false, partitions: [] };
}
