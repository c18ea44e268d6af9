/**
 * Broker configs under Kafka's names, types and defaults. The effective value of a config is, in
 * Kafka's order of precedence: dynamic per-broker (stored in Postgres), dynamic cluster-wide default
 * (stored in Postgres), static (kpg's command line), then the default.
 */

import { BROKER_CONFIG_RULES, KAFKA_BROKER_CONFIGS } from './broker-config-kafka.js';
import type { ConfigDefinition, ConfigType } from './config-def.js';
import { KAFKA_BROKER_CONFIG_FACTS } from './kafka-broker-configs.js';
import { LISTENER_BROKER_CONFIGS } from './listener-broker-configs.js';

export type { ConfigDefinition, ConfigType } from './config-def.js';

function def(name: string, type: ConfigType, defaultValue: string | null, honoured: boolean, documentation: string): ConfigDefinition {
  return { name, type, defaultValue, honoured, documentation };
}

export const BROKER_CONFIGS: readonly ConfigDefinition[] = [
  def('auto.create.topics.enable', 'boolean', 'true', true, 'Create a topic when a client asks for metadata of, or produces to, a topic that does not exist.'),
  def('num.partitions', 'int', '1', true, 'Partition count of topics created without an explicit count.'),
  def('default.replication.factor', 'int', '1', true, 'Replication factor reported for topics created without one; kpg keeps one copy, in Postgres.'),
  def('message.max.bytes', 'int', '1048588', true, 'Largest record batch accepted, unless a topic sets max.message.bytes.'),
  def('socket.request.max.bytes', 'int', '104857600', true, 'Largest request frame accepted; larger frames close the connection.'),
  def('log.retention.hours', 'int', '168', true, 'Hours to keep data when log.retention.ms and log.retention.minutes are unset.'),
  def('log.retention.minutes', 'int', null, true, 'Minutes to keep data; overrides log.retention.hours.'),
  def('log.retention.ms', 'long', null, true, 'Milliseconds to keep data; overrides the minutes and hours forms.'),
  def('offsets.retention.minutes', 'int', '10080', true, 'Minutes committed offsets of an empty group are kept.'),
  def('offsets.topic.num.partitions', 'int', '50', true, 'Partitions of the internal topic __consumer_offsets, when a gateway creates it.'),
  def('offsets.topic.replication.factor', 'short', '3', true, 'Replication factor reported for __consumer_offsets when it is created (at most the live gateways).'),
  def('group.initial.rebalance.delay.ms', 'int', '3000', true, 'How long the first rebalance of an empty group waits for more members.'),
  def('group.min.session.timeout.ms', 'int', '6000', true, 'Smallest session timeout a group member may ask for.'),
  def('group.max.session.timeout.ms', 'int', '1800000', true, 'Largest session timeout a group member may ask for.'),
  def('group.max.size', 'int', '2147483647', true, 'Most members a consumer group may have.'),
  def('offset.metadata.max.bytes', 'int', '4096', true, 'Longest metadata string an offset commit may carry.'),
  def('offsets.retention.check.interval.ms', 'long', '600000', true, 'How often expired committed offsets and empty groups without offsets are deleted.'),
  def('max.incremental.fetch.session.cache.slots', 'int', '1000', true, 'How many incremental fetch sessions each gateway keeps.'),
  def('broker.session.timeout.ms', 'int', '9000', true, 'A gateway that has not heartbeat for this long is no longer listed.'),
  def('broker.heartbeat.interval.ms', 'int', '2000', true, 'How often a gateway heartbeats into Postgres.'),
];

const KPG_DEFINITIONS: readonly ConfigDefinition[] = [
  ...BROKER_CONFIGS.map((d) => ({ ...d, ...BROKER_CONFIG_RULES[d.name] })),
  ...KAFKA_BROKER_CONFIGS,
  ...LISTENER_BROKER_CONFIGS,
];

/** What DescribeConfigs documents for a Kafka broker config kpg has no equivalent for. */
export const NO_EQUIVALENT_DOCUMENTATION =
  'Kafka broker config with no equivalent in kpg: reported with Kafka\'s default, read-only, and without effect.';

/**
 * Kafka's other broker configs (kafka-broker-configs.ts): listed with Kafka's type and default, never
 * dynamic in kpg, without effect.
 */
const KAFKA_ONLY_DEFINITIONS: readonly ConfigDefinition[] = KAFKA_BROKER_CONFIG_FACTS
  .filter((f) => !KPG_DEFINITIONS.some((d) => d.name === f.name))
  .map((f) => ({ name: f.name, type: f.type, defaultValue: f.defaultValue, honoured: false, dynamic: false, documentation: NO_EQUIVALENT_DOCUMENTATION }));

const DEFINITIONS = new Map([...KPG_DEFINITIONS, ...KAFKA_ONLY_DEFINITIONS].map((d) => [d.name, d]));

/** Every broker config kpg knows, core and compatibility ones alike. */
export function allBrokerConfigDefinitions(): ConfigDefinition[] {
  return [...DEFINITIONS.values()];
}

export function brokerConfigDefinition(name: string): ConfigDefinition | undefined {
  return DEFINITIONS.get(name);
}

export type ConfigSource = 'DYNAMIC_BROKER_CONFIG' | 'DYNAMIC_DEFAULT_BROKER_CONFIG' | 'STATIC_BROKER_CONFIG' | 'DEFAULT_CONFIG';

export interface ResolvedConfig {
  name: string;
  value: string | null;
  source: ConfigSource;
}

export class BrokerConfig {
  private dynamicBroker = new Map<string, string | null>();
  private dynamicDefault = new Map<string, string | null>();
  private dynamicVersion = 0;

  constructor(
    private readonly nodeIdRef: () => number,
    private readonly staticValues: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** Replaces the dynamic layers with what Postgres holds now. */
  setDynamic(rows: readonly { brokerId: number; name: string; value: string | null }[]): void {
    const nodeId = this.nodeIdRef();
    this.dynamicBroker = new Map(rows.filter((r) => r.brokerId === nodeId).map((r) => [r.name, r.value]));
    this.dynamicDefault = new Map(rows.filter((r) => r.brokerId === -1).map((r) => [r.name, r.value]));
    this.dynamicVersion++;
  }

  /**
   * A copy with the dynamic configs of `brokerId` (-1: the cluster-wide default) replaced by `values`: what
   * a change would make, for checking it before it is stored.
   */
  withDynamic(brokerId: number, values: ReadonlyMap<string, string>): BrokerConfig {
    const copy = new BrokerConfig(this.nodeIdRef, this.staticValues);
    copy.dynamicBroker = brokerId === this.nodeIdRef() ? new Map(values) : new Map(this.dynamicBroker);
    copy.dynamicDefault = brokerId === -1 ? new Map(values) : new Map(this.dynamicDefault);
    return copy;
  }

  /** Changes whenever the dynamic layers are replaced, so caches of derived values know to recompute. */
  get version(): number {
    return this.dynamicVersion;
  }

  resolve(name: string): ResolvedConfig {
    if (this.dynamicBroker.has(name)) return { name, value: this.dynamicBroker.get(name)!, source: 'DYNAMIC_BROKER_CONFIG' };
    if (this.dynamicDefault.has(name)) return { name, value: this.dynamicDefault.get(name)!, source: 'DYNAMIC_DEFAULT_BROKER_CONFIG' };
    if (this.staticValues.has(name)) return { name, value: this.staticValues.get(name)!, source: 'STATIC_BROKER_CONFIG' };
    return { name, value: DEFINITIONS.get(name)?.defaultValue ?? null, source: 'DEFAULT_CONFIG' };
  }

  string(name: string): string | null {
    return this.resolve(name).value;
  }

  /** Every layer that sets `name` (default included when not null), highest precedence first. */
  layersOf(name: string): ResolvedConfig[] {
    const out: ResolvedConfig[] = [];
    if (this.dynamicBroker.has(name)) out.push({ name, value: this.dynamicBroker.get(name)!, source: 'DYNAMIC_BROKER_CONFIG' });
    if (this.dynamicDefault.has(name)) out.push({ name, value: this.dynamicDefault.get(name)!, source: 'DYNAMIC_DEFAULT_BROKER_CONFIG' });
    if (this.staticValues.has(name)) out.push({ name, value: this.staticValues.get(name)!, source: 'STATIC_BROKER_CONFIG' });
    const fallback = DEFINITIONS.get(name)?.defaultValue;
    if (fallback !== null && fallback !== undefined) out.push({ name, value: fallback, source: 'DEFAULT_CONFIG' });
    return out;
  }

  /** Names set in the dynamic cluster-wide layer (DescribeConfigs of broker ""). */
  dynamicDefaultNames(): string[] {
    return [...this.dynamicDefault.keys()];
  }

  /** Names set in this gateway's dynamic or static layers, known or not. */
  explicitlySetNames(): string[] {
    return [...new Set([...this.dynamicBroker.keys(), ...this.dynamicDefault.keys(), ...this.staticValues.keys()])];
  }

  int(name: string): number {
    const v = this.string(name);
    const n = v === null ? NaN : Number(v);
    if (!Number.isFinite(n)) throw new Error(`broker config ${name} has no numeric value`);
    return n;
  }

  bool(name: string): boolean {
    return this.string(name)?.toLowerCase() === 'true';
  }
}
