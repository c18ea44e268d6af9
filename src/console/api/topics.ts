/**
 * Topics: GET /api/topics, GET /api/topics/:name, PATCH /api/topics/:name/configs.
 * Configs are read and changed through the DescribeConfigs and IncrementalAlterConfigs handlers, so the
 * console shows and validates exactly what Kafka clients see.
 */
import describeConfigs from '../../apis/32-describe-configs.js';
import incrementalAlterConfigs from '../../apis/44-incremental-alter-configs.js';
import { ResourceType as ConfigResourceType } from '../../apis/config-resources.js';
import { ConfigSourceId } from '../../config/config-def.js';
import { AclOperation, ResourceType } from '../../protocol/acl.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type {
  DescribeConfigsRequest,
  DescribeConfigsResponse,
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsResponse,
} from '../../protocol/messages/types.js';
import { partitionKey } from '../../storage/partition-key.js';
import type { TopicRecord } from '../../storage/topics.js';
import { badRequest, ConsoleError, kafkaErrorName } from '../http.js';
import { callKafkaApi } from '../kafka-call.js';
import type { ConsoleContext, Route } from '../router.js';
import { authorizedTopic } from './topic-lookup.js';

/** Source names as Kafka's admin client shows them (ConfigEntry.ConfigSource). */
const SOURCE_NAMES = new Map<number, string>(
  Object.entries(ConfigSourceId).map(([name, id]) => [id, name === 'TOPIC_CONFIG' ? 'DYNAMIC_TOPIC_CONFIG' : name === 'DEFAULT_CONFIG' ? 'DEFAULT_CONFIG' : name]),
);

interface PartitionSummary {
  partition: number;
  startOffset: string;
  endOffset: string;
  records: number;
  bytes: number;
}

async function partitionSummaries(ctx: ConsoleContext, topics: readonly TopicRecord[]): Promise<Map<string, PartitionSummary[]>> {
  const all = topics.flatMap((t) => t.partitions.map((_, partition) => ({ topicId: t.topicId, partition })));
  const [states, sizes] = await Promise.all([
    all.length > 0 ? ctx.services.records.partitionStates(all) : Promise.resolve(new Map()),
    topics.length > 0 ? ctx.services.records.partitionSizes(topics.map((t) => t.topicId)) : Promise.resolve(new Map<string, bigint>()),
  ]);
  const out = new Map<string, PartitionSummary[]>();
  for (const t of topics) {
    out.set(
      t.topicId,
      t.partitions.map((_, partition) => {
        const key = partitionKey(t.topicId, partition);
        const state = states.get(key);
        const start = state?.logStartOffset ?? 0n;
        const end = state?.nextOffset ?? 0n;
        return { partition, startOffset: start.toString(), endOffset: end.toString(), records: Number(end - start), bytes: Number(sizes.get(key) ?? 0n) };
      }),
    );
  }
  return out;
}

async function topicConfigs(ctx: ConsoleContext, name: string): Promise<unknown[]> {
  const response = await callKafkaApi<DescribeConfigsRequest, DescribeConfigsResponse>(ctx, describeConfigs, 4, {
    resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: name, configurationKeys: null }],
    includeSynonyms: false,
    includeDocumentation: false,
  });
  const result = response.results![0]!;
  if (result.errorCode !== ErrorCode.NONE) throw kafkaFailure(result.errorCode!, result.errorMessage);
  return result.configs!.map((c) => ({
    name: c.name,
    value: c.value,
    source: SOURCE_NAMES.get(c.configSource!) ?? 'UNKNOWN',
    readOnly: c.readOnly,
    sensitive: c.isSensitive,
    isDefault: c.configSource === ConfigSourceId.DEFAULT_CONFIG,
  }));
}

/** A Kafka error code as the console's error: the HTTP status that fits it. */
export function kafkaFailure(errorCode: number, message: string | null | undefined): ConsoleError {
  const status =
    errorCode === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || errorCode === ErrorCode.GROUP_ID_NOT_FOUND
      ? 404
      : errorCode === ErrorCode.TOPIC_AUTHORIZATION_FAILED || errorCode === ErrorCode.GROUP_AUTHORIZATION_FAILED || errorCode === ErrorCode.CLUSTER_AUTHORIZATION_FAILED
        ? 403
        : errorCode === ErrorCode.NON_EMPTY_GROUP
          ? 409
          : errorCode === ErrorCode.INVALID_CONFIG || errorCode === ErrorCode.INVALID_REQUEST || errorCode === ErrorCode.INVALID_TOPIC_EXCEPTION || errorCode === ErrorCode.INVALID_PARTITIONS
            ? 400
            : errorCode === ErrorCode.MESSAGE_TOO_LARGE || errorCode === ErrorCode.RECORD_LIST_TOO_LARGE
              ? 413
              : 500;
  return new ConsoleError(status, kafkaErrorName(errorCode), message || kafkaErrorName(errorCode));
}

export const topicRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/topics',
    async handler(ctx) {
      const includeInternal = ctx.query.boolean('internal', false);
      // As Metadata for all topics: those the user may not describe are left out, not refused.
      const topics = (await ctx.services.topics.all())
        .filter((t) => includeInternal || !t.isInternal)
        .filter((t) => ctx.may(AclOperation.DESCRIBE, ResourceType.TOPIC, t.name))
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const summaries = await partitionSummaries(ctx, topics);
      return {
        topics: topics.map((t) => {
          const parts = summaries.get(t.topicId) ?? [];
          return {
            name: t.name,
            topicId: t.topicId,
            internal: t.isInternal,
            partitions: t.partitions.length,
            records: parts.reduce((n, p) => n + p.records, 0),
            bytes: parts.reduce((n, p) => n + p.bytes, 0),
          };
        }),
      };
    },
  },
  {
    method: 'GET',
    path: '/api/topics/:name',
    async handler(ctx) {
      const topic = await authorizedTopic(ctx, AclOperation.DESCRIBE);
      const summaries = await partitionSummaries(ctx, [topic]);
      // Configs need DESCRIBE_CONFIGS: without it the topic is shown without them.
      const configs = ctx.may(AclOperation.DESCRIBE_CONFIGS, ResourceType.TOPIC, topic.name) ? await topicConfigs(ctx, topic.name) : null;
      return { name: topic.name, topicId: topic.topicId, internal: topic.isInternal, partitions: summaries.get(topic.topicId) ?? [], configs };
    },
  },
  {
    method: 'PATCH',
    path: '/api/topics/:name/configs',
    async handler(ctx) {
      const name = ctx.params.name!;
      const body = await ctx.body();
      const set = body.set ?? {};
      const del = body.delete ?? [];
      if (set === null || typeof set !== 'object' || Array.isArray(set)) throw badRequest('set must be an object of config names to string values');
      if (!Array.isArray(del) || del.some((d) => typeof d !== 'string')) throw badRequest('delete must be an array of config names');
      const configs: { name: string; configOperation: number; value: string | null }[] = [];
      for (const [key, value] of Object.entries(set as Record<string, unknown>)) {
        if (typeof value !== 'string') throw badRequest(`set.${key} must be a string (config values are strings, as in kafka-configs)`);
        configs.push({ name: key, configOperation: 0, value });
      }
      for (const key of del as string[]) configs.push({ name: key, configOperation: 1, value: null });
      if (configs.length === 0) throw badRequest('nothing to change: give set and/or delete');
      ctx.authorize(AclOperation.ALTER_CONFIGS, ResourceType.TOPIC, name, 'TOPIC_AUTHORIZATION_FAILED');
      const response = await callKafkaApi<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>(ctx, incrementalAlterConfigs, 1, {
        resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: name, configs }],
        validateOnly: false,
      });
      const result = response.responses![0]!;
      if (result.errorCode !== ErrorCode.NONE) throw kafkaFailure(result.errorCode!, result.errorMessage);
      return { configs: await topicConfigs(ctx, name) };
    },
  },
];
