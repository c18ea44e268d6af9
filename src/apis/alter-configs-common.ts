/**
 * The work shared by AlterConfigs (which replaces a resource's whole set of dynamic configs) and
 * IncrementalAlterConfigs (SET / DELETE / APPEND / SUBTRACT per config): request-level checks, and
 * applying a computed change to a topic or a broker in one transaction.
 */
import { InvalidTopicConfigError, validateTopicConfigs } from '../config/topic-config.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { invalidTopicNameReason } from '../topics/names.js';
import { brokerIdOfResource, ResourceError, ResourceType, validateBrokerConfigChange } from './config-resources.js';
import type { RequestContext } from './handler.js';

export interface ResourceOutcome {
  errorCode: number;
  errorMessage: string | null;
}

export const OK: ResourceOutcome = { errorCode: ErrorCode.NONE, errorMessage: null };

/**
 * Kafka's preprocessing: a resource named twice in one request fails (both entries), as does a config
 * named twice within a resource, or a null value where one is needed. Returns the outcome for each
 * resource index that already failed.
 */
export function preprocess(
  resources: readonly { resourceType: number; resourceName: string; configs: readonly { name: string; value: string | null }[] }[],
  nullAllowed: (config: { name: string; value: string | null }, resourceIndex: number) => boolean,
): Map<number, ResourceOutcome> {
  const failed = new Map<number, ResourceOutcome>();
  const byKey = new Map<string, number>();
  resources.forEach((r, i) => {
    const key = `${r.resourceType}\u0000${r.resourceName}`;
    const previous = byKey.get(key);
    if (previous !== undefined) {
      const dup = { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Each resource must appear at most once.' };
      failed.set(previous, dup);
      failed.set(i, dup);
    }
    byKey.set(key, i);
  });
  resources.forEach((r, i) => {
    if (failed.has(i)) return;
    const names = r.configs.map((c) => c.name);
    if (new Set(names).size !== names.length) {
      failed.set(i, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Error due to duplicate config keys' });
      return;
    }
    const nulls = r.configs.filter((c) => c.value === null && !nullAllowed(c, i)).map((c) => c.name);
    if (nulls.length > 0) {
      failed.set(i, { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Null value not supported for : ${nulls.join(', ')}` });
    }
  });
  return failed;
}

/**
 * Applies `compute` (current own configs -> new own configs) to a topic: validated as a whole (INVALID_CONFIG),
 * then the topic must exist (UNKNOWN_TOPIC_OR_PARTITION), as Kafka's controller checks them.
 */
export async function alterTopic(
  name: string,
  compute: (current: ReadonlyMap<string, string>) => Map<string, string>,
  validateOnly: boolean,
  ctx: RequestContext,
): Promise<ResourceOutcome> {
  if (name === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Default topic resources are not allowed.' };
  const invalid = invalidTopicNameReason(name);
  if (invalid !== null) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, errorMessage: invalid };
  const validated = (current: ReadonlyMap<string, string>): Map<string, string> => {
    try {
      return validateTopicConfigs(compute(current));
    } catch (err) {
      if (err instanceof InvalidTopicConfigError) throw new ResourceError(ErrorCode.INVALID_CONFIG, err.message);
      throw err;
    }
  };
  try {
    const topic = (await ctx.topics.byNames([name], { fresh: true })).get(name);
    if (!topic) {
      validated(new Map());
      return unknownTopic(name);
    }
    const found = await ctx.topicConfigs.alter(topic.topicId, validated, validateOnly);
    if (!found) return unknownTopic(name);
    if (!validateOnly) {
      ctx.log.info({ topic: name, topicId: topic.topicId }, 'altered topic configs');
    }
    return OK;
  } catch (err) {
    if (err instanceof ResourceError) return { errorCode: err.errorCode, errorMessage: err.errorMessage };
    throw err;
  }
}

/**
 * Applies `compute` (current dynamic configs of the resource -> new ones) to a broker resource ("" for
 * the cluster-wide default, else this gateway's id), checked as Kafka's brokers check dynamic changes.
 * Every gateway reloads on NOTIFY; this one reloads before answering, so its next response shows it.
 */
export async function alterBroker(
  name: string,
  compute: (current: ReadonlyMap<string, string>) => Map<string, string>,
  validateOnly: boolean,
  ctx: RequestContext,
): Promise<ResourceOutcome> {
  try {
    const brokerId = brokerIdOfResource(name, ctx.cluster.nodeId, false);
    await ctx.cluster.alterBrokerConfigs(brokerId, (current) => validateBrokerConfigChange(compute(current)), validateOnly);
    if (!validateOnly) {
      ctx.log.info({ broker: name === '' ? 'cluster default' : name }, 'altered dynamic broker configs');
    }
    return OK;
  } catch (err) {
    if (err instanceof ResourceError) return { errorCode: err.errorCode, errorMessage: err.errorMessage };
    throw err;
  }
}

function unknownTopic(name: string): ResourceOutcome {
  return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `The topic '${name}' does not exist.` };
}

export function unknownResourceType(type: number): ResourceOutcome {
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown resource type ${type}` };
}

export { ResourceType };
