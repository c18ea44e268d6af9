/**
 * CreateTopics (key 19), versions 0-7.
 *
 * Each topic is created in its own transaction (topic row, partitions, configs): never half a topic,
 * and one bad topic never fails its neighbours. Checks and messages follow Kafka's controller: name rules
 * (and names that collide with an existing topic once "." and "_" are treated alike are refused, as
 * KRaft does), TOPIC_ALREADY_EXISTS, null and invalid configs (INVALID_CONFIG), partitions and
 * replication factor >= 1 or -1 for the broker default, manual assignments, and at most
 * kpg.max.partitions.per.request partitions per request (POLICY_VIOLATION, Kafka's fixed 10000).
 * Replication factors up to the number of live gateways are accepted and reported (kpg keeps one copy in
 * Postgres). Two gateways creating one name at once: the unique name index lets exactly one win.
 * v5+ return the resulting configs, v7 the topic id.
 *
 * Authorization as Kafka's controller: CREATE on the cluster, or else on each topic (TOPIC_AUTHORIZATION_FAILED
 * "Authorization failed.", before any other check but duplicates); only authorized topics count towards the
 * partition limit. A created topic's configs, partition count and replication factor are returned only
 * with DESCRIBE_CONFIGS on it; without, topic_config_error_code is TOPIC_AUTHORIZATION_FAILED.
 *
 * Deliberately skipped: create-topic policies and controller mutation quotas (kpg has neither).
 */
import { randomUUID } from 'node:crypto';
import { configSourceId, effectiveTopicConfigs, InvalidTopicConfigError, validateTopicConfigs } from '../config/topic-config.js';
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  CreateTopicsRequest,
  CreateTopicsRequestCreatableTopic,
  CreateTopicsResponse,
  CreateTopicsResponseCreatableTopicResult,
} from '../protocol/messages/types.js';
import { ZERO_UUID } from '../protocol/reader.js';
import type { GatewayRecord } from '../storage/cluster.js';
import { invalidTopicNameReason } from '../topics/names.js';
import { isPlacementError, placeNewTopic, requestedPartitionCount, TOO_MANY_PARTITIONS_MESSAGE } from '../topics/placement.js';
import { authorizedFilter, isAuthorizedOnCluster } from './authorize.js';
import { defineHandler, type RequestContext } from './handler.js';

const CLUSTER_METADATA_TOPIC = '__cluster_metadata';

export default defineHandler<CreateTopicsRequest, CreateTopicsResponse>({
  apiKey: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 7,
  async handle(request, ctx) {
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const t of request.topics) (seen.has(t.name) ? duplicates : seen).add(t.name);
    const results = new Map<string, CreateTopicsResponseCreatableTopicResult>();
    for (const name of duplicates) results.set(name, failure(name, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.'));

    const mayCreate = isAuthorizedOnCluster(ctx, AclOperation.CREATE, false) ? (): boolean => true : authorizedFilter(ctx, AclOperation.CREATE, ResourceType.TOPIC);
    const unique = request.topics.filter((t) => {
      if (duplicates.has(t.name)) return false;
      if (t.name === CLUSTER_METADATA_TOPIC || mayCreate(t.name)) return true;
      results.set(t.name, failure(t.name, ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.'));
      return false;
    });
    const mayDescribeConfigs = authorizedFilter(ctx, AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, false);

    const defaultPartitions = ctx.config.int('num.partitions');
    const requested = unique
      .filter((t) => t.name !== CLUSTER_METADATA_TOPIC)
      .reduce((sum, t) => sum + requestedPartitionCount(t, defaultPartitions), 0);
    if (requested > ctx.config.int('kpg.max.partitions.per.request')) {
      for (const t of unique) results.set(t.name, failure(t.name, ErrorCode.POLICY_VIOLATION, TOO_MANY_PARTITIONS_MESSAGE));
      ctx.log.info({ partitions: requested }, 'CreateTopics refused: too many partitions in one request');
    } else {
      const brokers = await ctx.cluster.gateways();
      for (const topic of unique) {
        const result = await createOne(topic, request.validateOnly, brokers, ctx);
        results.set(topic.name, result.errorCode === ErrorCode.NONE && !mayDescribeConfigs(topic.name) ? withoutConfigs(result) : result);
      }
    }
    // One result per distinct name, in the order the names first appear.
    return { throttleTimeMs: 0, topics: [...seen].map((name) => results.get(name)!) };
  },
});

async function createOne(
  topic: CreateTopicsRequestCreatableTopic,
  validateOnly: boolean,
  brokers: readonly GatewayRecord[],
  ctx: RequestContext,
): Promise<CreateTopicsResponseCreatableTopicResult> {
  const name = topic.name;
  if (name === CLUSTER_METADATA_TOPIC) {
    return failure(name, ErrorCode.INVALID_REQUEST, `Creation of internal topic ${CLUSTER_METADATA_TOPIC} is prohibited.`);
  }
  const invalid = invalidTopicNameReason(name);
  if (invalid !== null) return failure(name, ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
  if ((await ctx.topics.byNames([name], { fresh: true })).has(name)) return alreadyExists(name);
  const colliding = await ctx.topics.collidingTopic(name);
  if (colliding !== null) return collision(name, colliding);

  const nullConfigs = topic.configs.filter((c) => c.value === null).map((c) => c.name);
  if (nullConfigs.length > 0) {
    return failure(name, ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${nullConfigs.join(',')}`);
  }
  let configs: Map<string, string>;
  try {
    // A name given twice keeps its last value, as Kafka's map of config changes does.
    configs = validateTopicConfigs(new Map(topic.configs.map((c) => [c.name, c.value!])));
  } catch (err) {
    if (err instanceof InvalidTopicConfigError) return failure(name, ErrorCode.INVALID_CONFIG, err.message);
    throw err;
  }

  const placement = placeNewTopic(topic, brokers, {
    numPartitions: ctx.config.int('num.partitions'),
    replicationFactor: ctx.config.int('default.replication.factor'),
  });
  if (isPlacementError(placement)) return failure(name, placement.errorCode, placement.message);

  // Kafka answers validate_only with a fresh id that is never used.
  let topicId: string = randomUUID();
  if (!validateOnly) {
    try {
      const outcome = await ctx.topics.create({
        name,
        replicationFactor: placement.replicationFactor,
        assignment: placement.assignment,
        configs,
      });
      if ('alreadyExists' in outcome) return alreadyExists(name);
      if ('collidesWith' in outcome) return collision(name, outcome.collidesWith);
      topicId = outcome.created.topicId;
    } catch (err) {
      ctx.log.error({ err, topic: name }, 'creating a topic failed');
      return failure(name, ErrorCode.UNKNOWN_SERVER_ERROR, `Creating topic '${name}' failed: ${(err as Error).message}`);
    }
    ctx.log.info(
      { topic: name, topicId, partitions: placement.assignment.length, replicationFactor: placement.replicationFactor },
      'created topic',
    );
  }
  return {
    name,
    topicId,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    topicConfigErrorCode: ErrorCode.NONE,
    numPartitions: placement.assignment.length,
    replicationFactor: placement.replicationFactor,
    configs: effectiveTopicConfigs(configs, ctx.config).map((c) => ({
      name: c.name,
      value: c.value,
      readOnly: false,
      configSource: configSourceId(c.source),
      isSensitive: false,
    })),
  };
}

/** A created topic's result for a client without DESCRIBE_CONFIGS on it, as Kafka's controller answers. */
function withoutConfigs(result: CreateTopicsResponseCreatableTopicResult): CreateTopicsResponseCreatableTopicResult {
  return { ...result, numPartitions: -1, replicationFactor: -1, configs: [], topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
}

function failure(name: string, errorCode: number, errorMessage: string | null): CreateTopicsResponseCreatableTopicResult {
  return { name, topicId: ZERO_UUID, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: [] };
}

function alreadyExists(name: string): CreateTopicsResponseCreatableTopicResult {
  return failure(name, ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${name}' already exists.`);
}

function collision(name: string, existing: string): CreateTopicsResponseCreatableTopicResult {
  return failure(name, ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${name}' collides with existing topic: ${existing}`);
}
