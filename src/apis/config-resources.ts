/**
 * What DescribeConfigs, AlterConfigs and IncrementalAlterConfigs share: config resource types, broker
 * resource names, the broker config entries Kafka reports (value, source, synonyms, read-only,
 * sensitive, type, documentation), and the checks Kafka applies to a dynamic broker config change.
 */
import { allBrokerConfigDefinitions, brokerConfigDefinition, type BrokerConfig, type ConfigDefinition } from '../config/broker-config.js';
import { ConfigValueError, parseConfigValue } from '../config/config-def.js';
import { brokerSynonymEntries, type ConfigSynonymEntry } from '../config/topic-config.js';
import { AclOperation, ResourceType as AclResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { isAuthorized, isAuthorizedOnCluster } from './authorize.js';
import type { RequestContext } from './handler.js';

/** ConfigResource.Type ids. */
export const ResourceType = {
  UNKNOWN: 0,
  TOPIC: 2,
  BROKER: 4,
  BROKER_LOGGER: 8,
  CLIENT_METRICS: 16,
  GROUP: 32,
} as const;

export function resourceTypeName(id: number): string {
  const entry = Object.entries(ResourceType).find(([, v]) => v === id);
  return entry ? entry[0] : String(id);
}

/** A request problem with its Kafka error, carried up to the per-resource response. */
export class ResourceError extends Error {
  constructor(readonly errorCode: number, message: string | null) {
    super(message ?? '');
    this.errorMessage = message;
  }
  readonly errorMessage: string | null;
}

/**
 * A BROKER resource name: "" is the cluster-wide default (-1), otherwise it must be this gateway's node
 * id, since each broker answers for itself (clients send broker resources to that broker).
 */
export function brokerIdOfResource(name: string, selfNodeId: number, forDescribe: boolean): number {
  if (name === '') return -1;
  if (!/^[+-]?\d+$/.test(name) || Math.abs(Number(name)) > 2147483647) {
    throw new ResourceError(
      ErrorCode.INVALID_REQUEST,
      forDescribe ? `Broker id must be an integer, but it is: ${name}` : `Node id must be an integer, but it is: ${name}`,
    );
  }
  const id = Number(name);
  if (id !== selfNodeId) {
    throw new ResourceError(
      ErrorCode.INVALID_REQUEST,
      forDescribe
        ? `Unexpected broker id, expected ${selfNodeId} or empty string, but received ${name}`
        : `Unexpected broker id, expected ${selfNodeId}, but received ${name}`,
    );
  }
  return id;
}

interface GatewayFacts {
  nodeId: number;
  advertisedHost: string;
  advertisedPort: number;
  logDir: string;
  listeners: ListenerConfigs | undefined;
}

/** The listener configs a gateway runs with, in Kafka's text form (ClusterView.listenerConfigs). */
export interface ListenerConfigs {
  listeners: string;
  advertisedListeners: string;
  protocolMap: string;
}

/** Broker configs that are facts of the running gateway rather than settings: read-only, as in Kafka. */
const RUNTIME_BROKER_CONFIGS: readonly { name: string; type: ConfigDefinition['type']; documentation: string; value: (f: GatewayFacts) => string }[] = [
  { name: 'node.id', type: 'int', documentation: 'This gateway\'s node id (kept per advertised address, or --node-id).', value: (f) => String(f.nodeId) },
  { name: 'broker.id', type: 'int', documentation: 'This gateway\'s node id (kept per advertised address, or --node-id).', value: (f) => String(f.nodeId) },
  {
    name: 'advertised.listeners', type: 'string', documentation: 'The addresses clients are told to connect to, per listener.',
    value: (f) => f.listeners?.advertisedListeners ?? `PLAINTEXT://${f.advertisedHost}:${f.advertisedPort}`,
  },
  {
    name: 'listeners', type: 'string', documentation: 'The listeners this gateway serves (NAME://host:port, as bound).',
    value: (f) => f.listeners?.listeners ?? `PLAINTEXT://${f.advertisedHost}:${f.advertisedPort}`,
  },
  {
    name: 'listener.security.protocol.map', type: 'string', documentation: 'The security protocol of each listener name.',
    value: (f) => f.listeners?.protocolMap ?? 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
  },
  { name: 'log.dirs', type: 'string', documentation: 'Where this gateway stores data: the kpg schema of its Postgres database.', value: (f) => f.logDir },
];
const RUNTIME_BROKER_CONFIG_NAMES: ReadonlySet<string> = new Set(RUNTIME_BROKER_CONFIGS.map((c) => c.name));

/** The runtime broker configs of this gateway, with their values. */
export function runtimeBrokerConfigs(
  nodeId: number,
  advertisedHost: string,
  advertisedPort: number,
  logDir: string,
  listeners?: ListenerConfigs,
): Map<string, { definition: ConfigDefinition; value: string }> {
  const facts: GatewayFacts = { nodeId, advertisedHost, advertisedPort, logDir, listeners };
  return new Map(RUNTIME_BROKER_CONFIGS.map(({ name, type, documentation, value }) => [
    name,
    { definition: { name, type, defaultValue: null, honoured: true, dynamic: false, documentation }, value: value(facts) },
  ]));
}

/** Kafka's broker config synonym groups (DynamicBrokerConfig.brokerConfigSynonyms). */
export function brokerSynonymNames(name: string): string[] {
  const groups = [
    ['log.roll.ms', 'log.roll.hours'],
    ['log.roll.jitter.ms', 'log.roll.jitter.hours'],
    ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'],
    ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'],
  ];
  return groups.find((g) => g.includes(name)) ?? [name];
}

export interface BrokerConfigEntry {
  name: string;
  value: string | null;
  source: ConfigSynonymEntry['source'];
  readOnly: boolean;
  isSensitive: boolean;
  synonyms: ConfigSynonymEntry[];
  definition: ConfigDefinition | undefined;
}

/**
 * listener.name.<listener>.<config> (Kafka's per-listener override, e.g. of ssl.keystore.location) is
 * described as the config it overrides: a password stays hidden, a location is shown.
 */
function listenerOverrideDefinition(name: string): ConfigDefinition | undefined {
  const m = /^listener\.name\.[^.]+\.(.+)$/.exec(name);
  const base = m ? brokerConfigDefinition(m[1]!) : undefined;
  return base ? { ...base, name } : undefined;
}

/** One broker config as a per-broker DescribeConfigs reports it. */
export function describeBrokerConfig(name: string, config: BrokerConfig): BrokerConfigEntry {
  const definition = brokerConfigDefinition(name) ?? listenerOverrideDefinition(name);
  const isSensitive = definition === undefined || definition.type === 'password';
  const synonyms = brokerSynonymEntries(brokerSynonymNames(name), config, name).map((s) =>
    isSensitive ? { ...s, value: null } : s,
  );
  return {
    name,
    value: isSensitive ? null : config.string(name),
    source: synonyms[0]?.source ?? 'DEFAULT_CONFIG',
    readOnly: definition?.dynamic !== true,
    isSensitive,
    synonyms,
    definition,
  };
}

/** Every config a per-broker DescribeConfigs lists: kpg's, and any other name set on this gateway. */
export function describableBrokerConfigNames(config: BrokerConfig): string[] {
  const known = allBrokerConfigDefinitions().map((d) => d.name);
  const extra = config.explicitlySetNames().filter((n) => brokerConfigDefinition(n) === undefined);
  return [...new Set([...known, ...extra])];
}

/**
 * Checks a broker config change as Kafka's brokers do before storing it: known configs must be dynamic
 * ("Cannot update these configs dynamically", also for the read-only runtime facts node.id, broker.id,
 * advertised.listeners and log.dirs) and well-typed; unknown names are accepted (Kafka allows
 * custom broker configs). Every refusal is INVALID_REQUEST, as in Kafka. Returns canonical values.
 */
export function validateBrokerConfigChange(props: ReadonlyMap<string, string>): Map<string, string> {
  const nonDynamic = [...props.keys()].filter((n) => {
    if (RUNTIME_BROKER_CONFIG_NAMES.has(n)) return true;
    const d = brokerConfigDefinition(n);
    return d !== undefined && d.dynamic !== true;
  });
  if (nonDynamic.length > 0) {
    throw new ResourceError(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: Set(${nonDynamic.join(', ')})`);
  }
  const out = new Map<string, string>();
  for (const [name, value] of props) {
    const d = brokerConfigDefinition(name);
    if (d) {
      try {
        parseConfigValue(name, d.type, value, d.validator);
      } catch (err) {
        if (err instanceof ConfigValueError) throw new ResourceError(ErrorCode.INVALID_REQUEST, err.message);
        throw err;
      }
    }
    out.set(name, value);
  }
  return out;
}

/**
 * The authorization error for a config resource the client may not describe or alter (DESCRIBE_CONFIGS
 * or ALTER_CONFIGS on the topic, the group, or the cluster for brokers, loggers and client metrics), with
 * Kafka's default message; null when allowed, or for a type without an ACL resource (checked elsewhere).
 */
export function configAuthorizationError(
  ctx: Pick<RequestContext, 'access' | 'client'>,
  operation: typeof AclOperation.DESCRIBE_CONFIGS | typeof AclOperation.ALTER_CONFIGS,
  resourceType: number,
  resourceName: string,
): { errorCode: number; errorMessage: string } | null {
  if (!ctx.access.enabled) return null;
  switch (resourceType) {
    case ResourceType.BROKER:
    case ResourceType.BROKER_LOGGER:
    case ResourceType.CLIENT_METRICS:
      return isAuthorizedOnCluster(ctx, operation) ? null : { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' };
    case ResourceType.TOPIC:
      return isAuthorized(ctx, operation, AclResourceType.TOPIC, resourceName)
        ? null
        : { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: 'Topic authorization failed.' };
    case ResourceType.GROUP:
      return isAuthorized(ctx, operation, AclResourceType.GROUP, resourceName)
        ? null
        : { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'Group authorization failed.' };
    default:
      return null;
  }
}
