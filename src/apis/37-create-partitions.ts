/**
 * CreatePartitions (key 37), versions 0-3.
 *
 * Only increases: the same count gets INVALID_PARTITIONS "Topic already has N partition(s).", a smaller
 * one INVALID_PARTITIONS too; manual assignments must name one replica list per new partition, of the
 * topic's replication factor, on registered gateways with at least one alive (INVALID_REPLICA_ASSIGNMENT);
 * otherwise replicas are placed round-robin over the live gateways. Each topic grows in one transaction
 * holding its row, so concurrent requests apply one after the other. validate_only checks everything and
 * changes nothing. More than kpg.max.partitions.per.request new partitions in one request get
 * POLICY_VIOLATION. A topic needs ALTER (TOPIC_AUTHORIZATION_FAILED, checked after duplicates and before
 * existence, as Kafka's controller does); refused topics do not count towards that limit.
 *
 * Deliberately skipped: controller mutation quotas (kpg has none).
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  CreatePartitionsRequest,
  CreatePartitionsRequestCreatePartitionsTopic,
  CreatePartitionsResponse,
  CreatePartitionsResponseCreatePartitionsTopicResult,
} from '../protocol/messages/types.js';
import type { GatewayRecord } from '../storage/cluster.js';
import type { TopicRecord } from '../storage/topics.js';
import { checkManualReplicas, isPlacementError, placeAutomatically, TOO_MANY_PARTITIONS_MESSAGE } from '../topics/placement.js';
import { authorizedFilter } from './authorize.js';
import { defineHandler, type RequestContext } from './handler.js';

/** Thrown from the partition plan to refuse the change with Kafka's error; nothing is written. */
class AlterRefused extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

export default defineHandler<CreatePartitionsRequest, CreatePartitionsResponse>({
  apiKey: 37,
  name: 'CreatePartitions',
  minVersion: 0,
  maxVersion: 3,
  async handle(request, ctx) {
    const results: CreatePartitionsResponseCreatePartitionsTopicResult[] = [];
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    for (const t of request.topics) (seen.has(t.name) ? duplicates : seen).add(t.name);
    for (const name of duplicates) results.push({ name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' });
    const mayAlter = authorizedFilter(ctx, AclOperation.ALTER, ResourceType.TOPIC);
    const unique = request.topics.filter((t) => {
      if (duplicates.has(t.name)) return false;
      if (mayAlter(t.name)) return true;
      results.push({ name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null });
      return false;
    });

    const existing = await ctx.topics.byNames(unique.map((t) => t.name), { fresh: true });
    const added = unique.reduce((sum, t) => sum + Math.max(0, t.count - (existing.get(t.name)?.partitions.length ?? t.count)), 0);
    if (added > ctx.config.int('kpg.max.partitions.per.request')) {
      for (const t of unique) results.push({ name: t.name, errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: TOO_MANY_PARTITIONS_MESSAGE });
      return { throttleTimeMs: 0, results };
    }

    const brokers = await ctx.cluster.gateways();
    for (const topic of unique) {
      results.push(await growTopic(topic, existing.get(topic.name), brokers, request.validateOnly, ctx));
    }
    return { throttleTimeMs: 0, results };
  },
});

async function growTopic(
  topic: CreatePartitionsRequestCreatePartitionsTopic,
  existing: TopicRecord | undefined,
  brokers: readonly GatewayRecord[],
  validateOnly: boolean,
  ctx: RequestContext,
): Promise<CreatePartitionsResponseCreatePartitionsTopicResult> {
  const name = topic.name;
  if (!existing) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
  try {
    const found = await ctx.topics.addPartitions(
      existing.topicId,
      (current, firstReplicas) => planNewPartitions(topic, current, firstReplicas.length || existing.replicationFactor, brokers),
      validateOnly,
    );
    if (!found) return { name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null };
  } catch (err) {
    if (err instanceof AlterRefused) return { name, errorCode: err.errorCode, errorMessage: err.message };
    ctx.log.error({ err, topic: name }, 'adding partitions failed');
    return { name, errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: `Adding partitions to '${name}' failed: ${(err as Error).message}` };
  }
  if (!validateOnly) ctx.log.info({ topic: name, partitions: topic.count }, 'increased partition count');
  return { name, errorCode: ErrorCode.NONE, errorMessage: null };
}

/** The replicas of each partition to add, or AlterRefused with Kafka's message. */
function planNewPartitions(
  topic: CreatePartitionsRequestCreatePartitionsTopic,
  current: number,
  replicationFactor: number,
  brokers: readonly GatewayRecord[],
): number[][] {
  if (topic.count === current) {
    throw new AlterRefused(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partition(s).`);
  }
  if (topic.count < current) {
    throw new AlterRefused(
      ErrorCode.INVALID_PARTITIONS,
      `The topic ${topic.name} currently has ${current} partition(s); ${topic.count} would not be an increase.`,
    );
  }
  const additional = topic.count - current;
  if (topic.assignments !== null) {
    if (topic.assignments.length !== additional) {
      throw new AlterRefused(
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `Attempted to add ${additional} additional partition(s), but only ${topic.assignments.length} assignment(s) were specified.`,
      );
    }
    return topic.assignments.map((a, i) => {
      const problem = checkManualReplicas(a.brokerIds, current + i, brokers, replicationFactor);
      if (problem) throw new AlterRefused(problem.errorCode, problem.message);
      return [...a.brokerIds];
    });
  }
  const placed = placeAutomatically(brokers, additional, replicationFactor, current);
  if (isPlacementError(placed)) throw new AlterRefused(placed.errorCode, placed.message);
  return placed;
}
