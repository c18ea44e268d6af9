/**
 * IncrementalAlterConfigs (key 44), versions 0-1: SET, DELETE, APPEND and SUBTRACT on single configs,
 * leaving the others as they are.
 *
 * APPEND and SUBTRACT work on list configs only (cleanup.policy, ...), starting from the current value
 * or the default: on a topic anything else gets INVALID_CONFIG "Can't APPEND to key x because its type
 * is not LIST.", on a broker "Config value append is not allowed for config key: x", as in Kafka. The
 * resulting set is checked like AlterConfigs' (topics: INVALID_CONFIG; brokers: INVALID_REQUEST for
 * read-only configs and bad values) and stored in one transaction that holds the resource, so
 * concurrent changes to different configs of one resource both survive. Every gateway picks the change
 * up on NOTIFY kpg_config. validate_only checks without storing.
 *
 * Deliberately skipped: BROKER_LOGGER (log4j levels), CLIENT_METRICS and GROUP resources get
 * INVALID_REQUEST: kpg has none of them.
 *
 * Authorization as Kafka's controller: ALTER_CONFIGS on the topic, or on the cluster for brokers
 * (TOPIC_/CLUSTER_AUTHORIZATION_FAILED), after the broker's checks of duplicates and null values.
 */
import { brokerConfigDefinition } from '../config/broker-config.js';
import { topicConfigDefinition } from '../config/topic-config.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  IncrementalAlterConfigsRequest,
  IncrementalAlterConfigsRequestAlterableConfig,
  IncrementalAlterConfigsResponse,
  IncrementalAlterConfigsResponseAlterConfigsResourceResponse,
} from '../protocol/messages/types.js';
import { alterBroker, alterTopic, preprocess, ResourceType, unknownResourceType, type ResourceOutcome } from './alter-configs-common.js';
import { AclOperation } from '../protocol/acl.js';
import { configAuthorizationError, ResourceError } from './config-resources.js';
import { defineHandler } from './handler.js';

const OpType = { SET: 0, DELETE: 1, APPEND: 2, SUBTRACT: 3 } as const;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

export default defineHandler<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse>({
  apiKey: 44,
  name: 'IncrementalAlterConfigs',
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const failed = preprocess(request.resources, (c) => (c as IncrementalAlterConfigsRequestAlterableConfig).configOperation === OpType.DELETE);
    const responses: IncrementalAlterConfigsResponseAlterConfigsResourceResponse[] = [];
    for (const [i, resource] of request.resources.entries()) {
      let outcome: ResourceOutcome | undefined =
        failed.get(i) ?? configAuthorizationError(ctx, AclOperation.ALTER_CONFIGS, resource.resourceType, resource.resourceName) ?? undefined;
      const badOp = resource.configs.find((c) => c.configOperation < 0 || c.configOperation > 3);
      if (!outcome && badOp) {
        outcome = { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown operations type ${badOp.configOperation}` };
      }
      if (!outcome) {
        if (resource.resourceType === ResourceType.TOPIC) {
          outcome = await alterTopic(resource.resourceName, (current) => applyTopicOps(current, resource.configs), request.validateOnly, ctx);
        } else if (resource.resourceType === ResourceType.BROKER) {
          outcome = await alterBroker(resource.resourceName, (current) => applyBrokerOps(current, resource.configs), request.validateOnly, ctx);
        } else {
          outcome = unknownResourceType(resource.resourceType);
        }
      }
      responses.push({
        errorCode: outcome.errorCode,
        errorMessage: outcome.errorMessage,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
      });
    }
    return { throttleTimeMs: 0, responses };
  },
});

/** The parts of a list value, empty ones dropped; an unset config starts from its default. */
function listParts(value: string | undefined, defaultValue: string | null | undefined): string[] {
  return (value ?? defaultValue ?? '').split(',').filter((p) => p !== '');
}

function applyList(op: number, parts: string[], operand: string): string {
  const values = operand.split(',');
  if (op === OpType.APPEND) {
    for (const v of values) if (!parts.includes(v)) parts.push(v);
  } else {
    for (const v of values) {
      const at = parts.indexOf(v);
      if (at >= 0) parts.splice(at, 1);
    }
  }
  return parts.join(',');
}

/** Kafka's controller semantics for topic configs. */
function applyTopicOps(current: ReadonlyMap<string, string>, ops: readonly IncrementalAlterConfigsRequestAlterableConfig[]): Map<string, string> {
  const next = new Map(current);
  for (const op of ops) {
    switch (op.configOperation) {
      case OpType.SET:
        next.set(op.name, op.value!);
        break;
      case OpType.DELETE:
        next.delete(op.name);
        break;
      default: {
        const def = topicConfigDefinition(op.name);
        if (def?.type !== 'list') {
          throw new ResourceError(
            ErrorCode.INVALID_CONFIG,
            `Can't ${OP_NAMES[op.configOperation]} to key ${op.name} because its type is not LIST.`,
          );
        }
        next.set(op.name, applyList(op.configOperation, listParts(next.get(op.name), def.defaultValue), op.value!));
      }
    }
  }
  return next;
}

/** Kafka's broker-side semantics for broker configs. */
function applyBrokerOps(current: ReadonlyMap<string, string>, ops: readonly IncrementalAlterConfigsRequestAlterableConfig[]): Map<string, string> {
  const next = new Map(current);
  for (const op of ops) {
    switch (op.configOperation) {
      case OpType.SET:
        next.set(op.name, op.value!);
        break;
      case OpType.DELETE:
        next.delete(op.name);
        break;
      default: {
        const def = brokerConfigDefinition(op.name);
        const verb = op.configOperation === OpType.APPEND ? 'append' : 'subtract';
        if (!def) throw new ResourceError(ErrorCode.INVALID_CONFIG, `Unknown config name: ${op.name}`);
        if (def.type !== 'list') throw new ResourceError(ErrorCode.INVALID_CONFIG, `Config value ${verb} is not allowed for config key: ${op.name}`);
        next.set(op.name, applyList(op.configOperation, listParts(next.get(op.name), def.defaultValue), op.value!));
      }
    }
  }
  return next;
}
