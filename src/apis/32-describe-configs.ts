/**
 * DescribeConfigs (key 32), versions 0-4, for topics and brokers.
 *
 * Topics: every Kafka 4.1 topic config with its effective value (the topic's own, else the broker
 * synonym, else the default), source, synonyms (v1+, listed the way Kafka lists them), type and
 * documentation (v3+); read-only is false, as in Kafka. Unknown topics get UNKNOWN_TOPIC_OR_PARTITION,
 * invalid names INVALID_TOPIC_EXCEPTION. Brokers: resource "" lists the dynamic cluster-wide defaults
 * (a new cluster starts with the ones Kafka 4.1 writes: min.insync.replicas=1); this gateway's node id
 * lists every broker config Kafka 4.1 lists, plus kpg's own (kpg.*) and any other name set, sorted by
 * name: kpg's effective value where kpg has the config, else Kafka's default (src/config/
 * kafka-broker-configs.ts), with Kafka's type and sensitivity (passwords: null); read-only unless kpg
 * can change it dynamically;
 * another node id gets INVALID_REQUEST, as each Kafka broker answers only for itself. v0 reports
 * IsDefault (source is the default).
 *
 * Authorization as Kafka's ConfigHelper: DESCRIBE_CONFIGS on the topic, or on the cluster for brokers
 * (TOPIC_/CLUSTER_AUTHORIZATION_FAILED with Kafka's default message), before any other check.
 *
 * Deliberately skipped: BROKER_LOGGER, CLIENT_METRICS and GROUP resources (kpg has no log4j loggers,
 * client metrics subscriptions or group configs) get INVALID_REQUEST.
 */
import { brokerConfigDefinition } from '../config/broker-config.js';
import { configTypeId } from '../config/config-def.js';
import { canonicalTopicConfigValue, configSourceId, effectiveTopicConfig, TOPIC_CONFIGS, topicConfigSynonyms } from '../config/topic-config.js';
import type { TopicConfigSource } from '../config/topic-config.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DescribeConfigsRequest,
  DescribeConfigsRequestDescribeConfigsResource,
  DescribeConfigsResponse,
  DescribeConfigsResponseDescribeConfigsResourceResult,
  DescribeConfigsResponseDescribeConfigsResult,
} from '../protocol/messages/types.js';
import { invalidTopicNameReason } from '../topics/names.js';
import {
  brokerIdOfResource,
  configAuthorizationError,
  describableBrokerConfigNames,
  describeBrokerConfig,
  ResourceError,
  ResourceType,
  resourceTypeName,
  runtimeBrokerConfigs,
} from './config-resources.js';
import { AclOperation } from '../protocol/acl.js';
import { defineHandler, type RequestContext } from './handler.js';

export default defineHandler<DescribeConfigsRequest, DescribeConfigsResponse>({
  apiKey: 32,
  name: 'DescribeConfigs',
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    const results: DescribeConfigsResponseDescribeConfigsResult[] = [];
    for (const resource of request.resources) {
      const denied = configAuthorizationError(ctx, AclOperation.DESCRIBE_CONFIGS, resource.resourceType, resource.resourceName);
      if (denied) {
        results.push({ ...denied, resourceType: resource.resourceType, resourceName: resource.resourceName, configs: [] });
        continue;
      }
      try {
        const configs =
          resource.resourceType === ResourceType.TOPIC
            ? await describeTopic(resource, request, ctx)
            : resource.resourceType === ResourceType.BROKER
              ? await describeBroker(resource, request, ctx)
              : unsupported(resource.resourceType);
        results.push({
          errorCode: ErrorCode.NONE,
          // Kafka sends an empty string, not null, on success.
          errorMessage: '',
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
          configs,
        });
      } catch (err) {
        if (!(err instanceof ResourceError)) throw err;
        results.push({
          errorCode: err.errorCode,
          errorMessage: err.errorMessage,
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
          configs: [],
        });
      }
    }
    return { throttleTimeMs: 0, results };
  },
});

function unsupported(type: number): never {
  throw new ResourceError(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceTypeName(type)}`);
}

/** Null or empty means every config; unknown names are simply absent. */
function wanted(resource: DescribeConfigsRequestDescribeConfigsResource): (name: string) => boolean {
  const keys = resource.configurationKeys;
  if (keys === null || keys.length === 0) return () => true;
  const set = new Set(keys);
  return (name) => set.has(name);
}

function entry(
  name: string,
  value: string | null,
  source: TopicConfigSource,
  readOnly: boolean,
  isSensitive: boolean,
  synonyms: { name: string; value: string | null; source: TopicConfigSource }[],
  type: Parameters<typeof configTypeId>[0],
  documentation: string | null,
  request: DescribeConfigsRequest,
): DescribeConfigsResponseDescribeConfigsResourceResult {
  return {
    name,
    value,
    readOnly,
    isDefault: source === 'DEFAULT_CONFIG',
    configSource: configSourceId(source),
    isSensitive,
    synonyms: request.includeSynonyms ? synonyms.map((s) => ({ name: s.name, value: s.value, source: configSourceId(s.source) })) : [],
    configType: configTypeId(type),
    documentation: request.includeDocumentation ? documentation : null,
  };
}

async function describeTopic(
  resource: DescribeConfigsRequestDescribeConfigsResource,
  request: DescribeConfigsRequest,
  ctx: RequestContext,
): Promise<DescribeConfigsResponseDescribeConfigsResourceResult[]> {
  const invalid = invalidTopicNameReason(resource.resourceName);
  if (invalid !== null) throw new ResourceError(ErrorCode.INVALID_TOPIC_EXCEPTION, invalid);
  const topic = (await ctx.topics.byNames([resource.resourceName], { fresh: true })).get(resource.resourceName);
  // Kafka answers an unknown topic with an empty message (not null), so clients show "", not the code's text.
  if (!topic) throw new ResourceError(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, '');
  const overrides = await ctx.topicConfigs.overrides(topic.topicId);
  const include = wanted(resource);
  return TOPIC_CONFIGS.filter((d) => include(d.name)).map((d) => {
    const effective = effectiveTopicConfig(d, overrides, ctx.config);
    // The topic's own value is shown parsed, as Kafka shows it; broker values as they were set.
    const synonyms = topicConfigSynonyms(d, overrides, ctx.config).map((s) =>
      s.source === 'TOPIC_CONFIG' ? { ...s, value: canonicalTopicConfigValue(d, s.value) } : s,
    );
    // Kafka reports the source of the first synonym; with none listed, the default.
    const source = synonyms[0]?.source ?? 'DEFAULT_CONFIG';
    return entry(d.name, canonicalTopicConfigValue(d, effective.value), source, false, false, synonyms, d.type, d.documentation, request);
  });
}

async function describeBroker(
  resource: DescribeConfigsRequestDescribeConfigsResource,
  request: DescribeConfigsRequest,
  ctx: RequestContext,
): Promise<DescribeConfigsResponseDescribeConfigsResourceResult[]> {
  const brokerId = brokerIdOfResource(resource.resourceName, ctx.cluster.nodeId, true);
  const include = wanted(resource);
  if (brokerId === -1) {
    // The cluster-wide default resource shows only what is set there.
    return ctx.config
      .dynamicDefaultNames()
      .filter(include)
      .map((name) => {
        const e = describeBrokerConfig(name, ctx.config);
        const synonyms = e.synonyms.filter((s) => s.source === 'DYNAMIC_DEFAULT_BROKER_CONFIG');
        const value = e.isSensitive ? null : (ctx.config.layersOf(name).find((l) => l.source === 'DYNAMIC_DEFAULT_BROKER_CONFIG')?.value ?? null);
        return entry(name, value, synonyms[0]?.source ?? 'DEFAULT_CONFIG', e.readOnly, e.isSensitive, synonyms, e.definition?.type, e.definition?.documentation ?? null, request);
      });
  }
  const logDir = await ctx.cluster.logDir();
  const runtime = runtimeBrokerConfigs(ctx.cluster.nodeId, ctx.cluster.advertisedHost, ctx.cluster.advertisedPort, logDir, ctx.cluster.listenerConfigs);
  const out: DescribeConfigsResponseDescribeConfigsResourceResult[] = [];
  for (const [name, fact] of runtime) {
    if (!include(name)) continue;
    const synonym = { name, value: fact.value, source: 'STATIC_BROKER_CONFIG' as const };
    out.push(entry(name, fact.value, 'STATIC_BROKER_CONFIG', true, false, [synonym], fact.definition.type, fact.definition.documentation, request));
  }
  for (const name of describableBrokerConfigNames(ctx.config)) {
    if (!include(name) || runtime.has(name)) continue;
    const e = describeBrokerConfig(name, ctx.config);
    const d = brokerConfigDefinition(name);
    out.push(entry(name, e.value, e.source, e.readOnly, e.isSensitive, e.synonyms, d?.type, d?.documentation ?? null, request));
  }
  return out.sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : 0));
}
