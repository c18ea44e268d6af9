/**
 * Topic configs: Kafka 4.x's names, types, defaults and validation, how a topic's effective value falls
 * back to the broker-level synonym (retention.ms to log.retention.ms / .minutes / .hours, max.message.bytes
 * to message.max.bytes, ...), and a cached resolver the produce path and the retention reaper ask.
 *
 * A topic's own values (kpg.topic_configs, source TOPIC_CONFIG) win; then, layer by layer (dynamic
 * per-broker, dynamic cluster default, static), the first broker synonym set in that layer, converted to
 * the topic config's unit; then the topic default. That is how Kafka's controller resolves them.
 *
 * Configs with `honoured: false` are validated, stored and reported like Kafka's, but kpg does not act
 * on them (there are no segment files, no compaction, no tiered storage, one durable copy).
 */
import type { BrokerConfig, ConfigSource } from './broker-config.js';
import {
  atLeast,
  between,
  ConfigSourceId,
  ConfigValueError,
  formatConfigValue,
  gzipLevel,
  listOf,
  LONG_MAX,
  normaliseConfigValue,
  oneOf,
  parseConfigValue,
  throttledReplicaList,
  type ConfigType,
  type ConfigValue,
  type Validator,
} from './config-def.js';
import type { ConfigChange } from '../storage/cluster.js';
import type { ChangeNotifications } from '../storage/notifications.js';
import type { TopicStorage } from '../storage/topics.js';

export interface BrokerSynonym {
  name: string;
  /** Multiplier turning the broker value into the topic config's unit (hours to ms: 3600000). */
  factor?: number;
}

export interface TopicConfigDefinition {
  name: string;
  type: ConfigType;
  defaultValue: string;
  validator?: Validator;
  /** Broker configs that supply the default, in precedence order; empty when there is none. */
  brokerSynonyms: readonly BrokerSynonym[];
  honoured: boolean;
  documentation: string;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const LONG_MAX_TEXT = LONG_MAX.toString();

function topicDef(
  name: string,
  type: ConfigType,
  defaultValue: string,
  validator: Validator | undefined,
  brokerSynonyms: (string | BrokerSynonym)[],
  honoured: boolean,
  documentation: string,
): TopicConfigDefinition {
  return {
    name,
    type,
    defaultValue,
    validator,
    brokerSynonyms: brokerSynonyms.map((s) => (typeof s === 'string' ? { name: s } : s)),
    honoured,
    documentation,
  };
}

const NO_SEGMENTS = 'Accepted for compatibility: kpg stores batches in Postgres and has no segment files.';
const NO_COMPACTION = 'Accepted for compatibility: kpg does not compact topics.';
const NO_TIERED = 'Accepted for compatibility: kpg has no tiered storage.';
const ONE_COPY = 'Accepted for compatibility: kpg keeps one durable copy in Postgres.';

/** Every topic config of Kafka 4.1, sorted by name (the order DescribeConfigs and CreateTopics list them in). */
export const TOPIC_CONFIGS: readonly TopicConfigDefinition[] = [
  topicDef('cleanup.policy', 'list', 'delete', listOf('compact', 'delete'), ['log.cleanup.policy'], true,
    'With "delete", batches past retention.ms or retention.bytes are removed and the log start offset moves up. kpg does not compact, so "compact" alone keeps every record.'),
  topicDef('compression.gzip.level', 'int', '-1', gzipLevel(), ['compression.gzip.level'], false,
    'Accepted for compatibility: kpg stores and serves records uncompressed.'),
  topicDef('compression.lz4.level', 'int', '9', between(1, 17), ['compression.lz4.level'], false,
    'Accepted for compatibility: kpg stores and serves records uncompressed.'),
  topicDef('compression.type', 'string', 'producer', oneOf('uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'), ['compression.type'], false,
    'Accepted for compatibility: kpg stores records uncompressed (Postgres TOAST compresses them) and serves them uncompressed.'),
  topicDef('compression.zstd.level', 'int', '3', between(-131072, 22), ['compression.zstd.level'], false,
    'Accepted for compatibility: kpg stores and serves records uncompressed.'),
  topicDef('delete.retention.ms', 'long', '86400000', atLeast(0), ['log.cleaner.delete.retention.ms'], false, NO_COMPACTION),
  topicDef('file.delete.delay.ms', 'long', '60000', atLeast(0), ['log.segment.delete.delay.ms'], false,
    'Accepted for compatibility: kpg reclaims removed batches in the background at once.'),
  topicDef('flush.messages', 'long', LONG_MAX_TEXT, atLeast(1), ['log.flush.interval.messages'], false,
    'Accepted for compatibility: every append is committed to Postgres before it is acknowledged.'),
  topicDef('flush.ms', 'long', LONG_MAX_TEXT, atLeast(0), ['log.flush.interval.ms', 'log.flush.scheduler.interval.ms'], false,
    'Accepted for compatibility: every append is committed to Postgres before it is acknowledged.'),
  topicDef('follower.replication.throttled.replicas', 'list', '', throttledReplicaList(), [], false, ONE_COPY),
  topicDef('index.interval.bytes', 'int', '4096', atLeast(0), ['log.index.interval.bytes'], false,
    'Accepted for compatibility: Postgres indexes every batch.'),
  topicDef('leader.replication.throttled.replicas', 'list', '', throttledReplicaList(), [], false, ONE_COPY),
  topicDef('local.retention.bytes', 'long', '-2', atLeast(-2), ['log.local.retention.bytes'], false, NO_TIERED),
  topicDef('local.retention.ms', 'long', '-2', atLeast(-2), ['log.local.retention.ms'], false, NO_TIERED),
  topicDef('max.compaction.lag.ms', 'long', LONG_MAX_TEXT, atLeast(1), ['log.cleaner.max.compaction.lag.ms'], false, NO_COMPACTION),
  topicDef('max.message.bytes', 'int', '1048588', atLeast(0), ['message.max.bytes'], true,
    'Largest record batch (after decompression checks, as sent) a producer may append to this topic; larger ones get MESSAGE_TOO_LARGE.'),
  topicDef('message.timestamp.after.max.ms', 'long', '3600000', atLeast(0), ['log.message.timestamp.after.max.ms'], true,
    'How far ahead of the gateway\'s clock a CreateTime record timestamp may be; later ones get INVALID_TIMESTAMP.'),
  topicDef('message.timestamp.before.max.ms', 'long', LONG_MAX_TEXT, atLeast(0), ['log.message.timestamp.before.max.ms'], true,
    'How far behind the gateway\'s clock a CreateTime record timestamp may be; older ones get INVALID_TIMESTAMP.'),
  topicDef('message.timestamp.type', 'string', 'CreateTime', oneOf('CreateTime', 'LogAppendTime'), ['log.message.timestamp.type'], true,
    'CreateTime keeps the producer\'s timestamps; LogAppendTime stamps every batch with the time it was appended.'),
  topicDef('min.cleanable.dirty.ratio', 'double', '0.5', between(0, 1), ['log.cleaner.min.cleanable.ratio'], false, NO_COMPACTION),
  topicDef('min.compaction.lag.ms', 'long', '0', atLeast(0), ['log.cleaner.min.compaction.lag.ms'], false, NO_COMPACTION),
  topicDef('min.insync.replicas', 'int', '1', atLeast(1), ['min.insync.replicas'], false,
    'Accepted for compatibility: kpg keeps one durable copy in Postgres, so acks=all never waits for replicas.'),
  topicDef('preallocate', 'boolean', 'false', undefined, ['log.preallocate'], false, NO_SEGMENTS),
  topicDef('remote.log.copy.disable', 'boolean', 'false', undefined, [], false, NO_TIERED),
  topicDef('remote.log.delete.on.disable', 'boolean', 'false', undefined, [], false, NO_TIERED),
  topicDef('remote.storage.enable', 'boolean', 'false', undefined, [], false,
    'kpg has no tiered storage: only false is accepted, as on a Kafka cluster without it.'),
  topicDef('retention.bytes', 'long', '-1', undefined, ['log.retention.bytes'], true,
    'Per partition: when the stored batches exceed this many bytes, the oldest whole batches are removed; -1 keeps everything.'),
  topicDef('retention.ms', 'long', '604800000', atLeast(-1),
    ['log.retention.ms', { name: 'log.retention.minutes', factor: MINUTE_MS }, { name: 'log.retention.hours', factor: HOUR_MS }], true,
    'Batches whose newest record is older than this are removed and the log start offset moves past them; -1 keeps everything.'),
  topicDef('segment.bytes', 'int', '1073741824', atLeast(1048576), ['log.segment.bytes'], false, NO_SEGMENTS),
  topicDef('segment.index.bytes', 'int', '10485760', atLeast(4), ['log.index.size.max.bytes'], false, NO_SEGMENTS),
  topicDef('segment.jitter.ms', 'long', '0', atLeast(0), ['log.roll.jitter.ms', { name: 'log.roll.jitter.hours', factor: HOUR_MS }], false, NO_SEGMENTS),
  topicDef('segment.ms', 'long', '604800000', atLeast(1), ['log.roll.ms', { name: 'log.roll.hours', factor: HOUR_MS }], false, NO_SEGMENTS),
  topicDef('unclean.leader.election.enable', 'boolean', 'false', undefined, ['unclean.leader.election.enable'], false,
    'Accepted for compatibility: every gateway serves every partition from Postgres.'),
];

const BY_NAME = new Map(TOPIC_CONFIGS.map((d) => [d.name, d]));

export function topicConfigDefinition(name: string): TopicConfigDefinition | undefined {
  return BY_NAME.get(name);
}

/** A topic config change Kafka would refuse, with Kafka's message; maps to INVALID_CONFIG. */
export class InvalidTopicConfigError extends Error {}

/**
 * Validates a topic's complete set of own configs (what it would hold after a create or alter). Returns
 * them as given (Kafka stores the text it was sent and shows the parsed value when described). Throws
 * InvalidTopicConfigError with Kafka's wording.
 */
export function validateTopicConfigs(configs: ReadonlyMap<string, string>): Map<string, string> {
  const out = new Map<string, string>();
  const canonical = new Map<string, string>();
  for (const [name, raw] of configs) {
    const def = BY_NAME.get(name);
    if (!def) throw new InvalidTopicConfigError(`Unknown topic config name: ${name}`);
    try {
      canonical.set(name, normaliseConfigValue(name, def.type, raw, def.validator));
      out.set(name, raw);
    } catch (err) {
      if (err instanceof ConfigValueError) throw new InvalidTopicConfigError(err.message);
      throw err;
    }
  }
  const minLag = BigInt(canonical.get('min.compaction.lag.ms') ?? BY_NAME.get('min.compaction.lag.ms')!.defaultValue);
  const maxLag = BigInt(canonical.get('max.compaction.lag.ms') ?? BY_NAME.get('max.compaction.lag.ms')!.defaultValue);
  if (minLag > maxLag) {
    throw new InvalidTopicConfigError(
      `conflict topic config setting min.compaction.lag.ms (${minLag}) > max.compaction.lag.ms (${maxLag})`,
    );
  }
  if (canonical.get('remote.storage.enable') === 'true') {
    throw new InvalidTopicConfigError(
      'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.',
    );
  }
  return out;
}

export type TopicConfigSource = 'TOPIC_CONFIG' | ConfigSource;

export interface ConfigSynonymEntry {
  name: string;
  value: string | null;
  source: TopicConfigSource;
}

export interface EffectiveTopicConfig {
  definition: TopicConfigDefinition;
  name: string;
  value: string | null;
  /** Where the effective value comes from (CreateTopics v5+ reports this). */
  source: TopicConfigSource;
}

export function configSourceId(source: TopicConfigSource): number {
  return ConfigSourceId[source];
}

const DYNAMIC_AND_STATIC: readonly ConfigSource[] = ['DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG'];

/** The effective value of one topic config for a topic with `overrides` as its own configs. */
export function effectiveTopicConfig(
  def: TopicConfigDefinition,
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfig,
): EffectiveTopicConfig {
  const own = overrides.get(def.name);
  if (own !== undefined) return { definition: def, name: def.name, value: own, source: 'TOPIC_CONFIG' };
  if (def.brokerSynonyms.length > 0) {
    const layers = new Map(def.brokerSynonyms.map((s) => [s.name, broker.layersOf(s.name)]));
    for (const source of DYNAMIC_AND_STATIC) {
      for (const synonym of def.brokerSynonyms) {
        const hit = layers.get(synonym.name)!.find((l) => l.source === source);
        if (hit && hit.value !== null) {
          return { definition: def, name: def.name, value: convertSynonym(def, hit.value, synonym.factor), source };
        }
      }
    }
  }
  return { definition: def, name: def.name, value: def.defaultValue, source: 'DEFAULT_CONFIG' };
}

function convertSynonym(def: TopicConfigDefinition, raw: string, factor: number | undefined): string {
  try {
    const parsed = parseConfigValue(def.name, factor ? 'long' : def.type, raw);
    if (factor && typeof parsed === 'bigint') return (parsed * BigInt(factor)).toString();
    return formatConfigValue(parsed) ?? def.defaultValue;
  } catch {
    // A malformed static broker value must not make the topic unusable: Kafka would not have started.
    return def.defaultValue;
  }
}

/** A topic config value as DescribeConfigs shows it: parsed and printed back (" 1000 " shows as "1000"). */
export function canonicalTopicConfigValue(def: TopicConfigDefinition, value: string | null): string | null {
  if (value === null) return null;
  try {
    return normaliseConfigValue(def.name, def.type, value);
  } catch {
    return value;
  }
}

export function effectiveTopicConfigs(overrides: ReadonlyMap<string, string>, broker: BrokerConfig): EffectiveTopicConfig[] {
  return TOPIC_CONFIGS.map((def) => effectiveTopicConfig(def, overrides, broker));
}

/**
 * DescribeConfigs synonyms of a topic config, as Kafka lists them: the topic's own value, then every
 * layer's value of the broker synonyms (layer by layer, defaults last), starting from the first entry
 * of the primary broker synonym. (So retention.ms lists nothing from the broker while log.retention.ms
 * is unset, exactly as Kafka does.)
 */
export function topicConfigSynonyms(
  def: TopicConfigDefinition,
  overrides: ReadonlyMap<string, string>,
  broker: BrokerConfig,
): ConfigSynonymEntry[] {
  const out: ConfigSynonymEntry[] = [];
  const own = overrides.get(def.name);
  if (own !== undefined) out.push({ name: def.name, value: own, source: 'TOPIC_CONFIG' });
  if (def.brokerSynonyms.length > 0) out.push(...brokerSynonymEntries(def.brokerSynonyms.map((s) => s.name), broker));
  return out;
}

/**
 * Layer-major listing of broker config synonyms (Kafka's ConfigHelper.configSynonyms): for each layer,
 * each of `names` set in it; then everything before the first entry named `startAt` is dropped.
 */
export function brokerSynonymEntries(names: readonly string[], broker: BrokerConfig, startAt = names[0]): ConfigSynonymEntry[] {
  const all: ConfigSynonymEntry[] = [];
  for (const source of [...DYNAMIC_AND_STATIC, 'DEFAULT_CONFIG'] as const) {
    for (const name of names) {
      const hit = broker.layersOf(name).find((l) => l.source === source);
      if (hit && hit.value !== null) all.push({ name, value: hit.value, source });
    }
  }
  const first = all.findIndex((s) => s.name === startAt);
  return first < 0 ? [] : all.slice(first);
}

export type TimestampTypeName = 'CreateTime' | 'LogAppendTime';
export type CompressionTypeName = 'producer' | 'uncompressed' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** A topic's effective configs, typed; numbers that are Long.MAX_VALUE in Kafka are Number(2^63 - 1). */
export interface ResolvedTopicConfig {
  cleanupPolicy: readonly string[];
  /** cleanup.policy contains "delete": retention applies. */
  deleteEnabled: boolean;
  compactEnabled: boolean;
  /** -1: keep forever. */
  retentionMs: number;
  /** Negative: no size limit. */
  retentionBytes: number;
  maxMessageBytes: number;
  timestampType: TimestampTypeName;
  timestampBeforeMaxMs: number;
  timestampAfterMaxMs: number;
  compressionType: CompressionTypeName;
  segmentBytes: number;
  segmentMs: number;
  minInsyncReplicas: number;
  deleteRetentionMs: number;
  /** Every topic config's effective value as text, by name. */
  values: ReadonlyMap<string, string | null>;
}

function typedValue(def: TopicConfigDefinition, text: string | null): ConfigValue {
  try {
    return parseConfigValue(def.name, def.type, text ?? def.defaultValue);
  } catch {
    return parseConfigValue(def.name, def.type, def.defaultValue);
  }
}

/** Computes the typed view of a topic's effective configs. */
export function resolveTopicConfig(overrides: ReadonlyMap<string, string>, broker: BrokerConfig): ResolvedTopicConfig {
  const values = new Map<string, string | null>();
  const typed = new Map<string, ConfigValue>();
  for (const e of effectiveTopicConfigs(overrides, broker)) {
    values.set(e.name, e.value);
    typed.set(e.name, typedValue(e.definition, e.value));
  }
  const num = (name: string): number => Number(typed.get(name) as number | bigint);
  const cleanupPolicy = (typed.get('cleanup.policy') as readonly string[]).map((p) => p.toLowerCase());
  return {
    cleanupPolicy,
    deleteEnabled: cleanupPolicy.includes('delete'),
    compactEnabled: cleanupPolicy.includes('compact'),
    retentionMs: num('retention.ms'),
    retentionBytes: num('retention.bytes'),
    maxMessageBytes: num('max.message.bytes'),
    timestampType: typed.get('message.timestamp.type') as TimestampTypeName,
    timestampBeforeMaxMs: num('message.timestamp.before.max.ms'),
    timestampAfterMaxMs: num('message.timestamp.after.max.ms'),
    compressionType: typed.get('compression.type') as CompressionTypeName,
    segmentBytes: num('segment.bytes'),
    segmentMs: num('segment.ms'),
    minInsyncReplicas: num('min.insync.replicas'),
    deleteRetentionMs: num('delete.retention.ms'),
    values,
  };
}

export interface TopicConfigsDeps {
  config: BrokerConfig;
  notifications: ChangeNotifications;
  storage: Pick<TopicStorage, 'topicConfigs' | 'alterTopicConfigs'>;
}

interface CachedTopic {
  overrides: Promise<ReadonlyMap<string, string>>;
  resolved?: { brokerVersion: number; value: ResolvedTopicConfig };
}

/**
 * Topic configs: the effective ones for the hot paths, cached per topic, and a topic's own ones read and
 * altered in storage. A topic's own configs are dropped from the cache when any gateway announces a
 * change to them (topicConfigChanged) or to the topic (topicChanged), everything on reconnection; broker-level fallbacks are
 * re-derived whenever the gateway's BrokerConfig reloads its dynamic layers.
 */
export class TopicConfigs {
  private readonly cache = new Map<string, CachedTopic>();
  /** Bumped on every invalidation, so a load that raced with one is not cached. */
  private generation = 0;

  constructor(private readonly deps: TopicConfigsDeps) {
    deps.notifications.on('topicConfigChanged', (topicId) => this.invalidate(topicId));
    deps.notifications.on('topicChanged', (topicId) => this.invalidate(topicId));
    deps.notifications.on('reconnected', () => this.invalidate());
  }

  async get(topicId: string): Promise<ResolvedTopicConfig> {
    let entry = this.cache.get(topicId);
    if (!entry) {
      const generation = this.generation;
      const overrides = this.deps.storage.topicConfigs(topicId);
      entry = { overrides };
      this.cache.set(topicId, entry);
      const created = entry;
      overrides.then(
        () => {
          if (this.generation !== generation && this.cache.get(topicId) === created) this.cache.delete(topicId);
        },
        () => {
          if (this.cache.get(topicId) === created) this.cache.delete(topicId);
        },
      );
    }
    const overrides = await entry.overrides;
    const brokerVersion = this.deps.config.version;
    if (entry.resolved?.brokerVersion !== brokerVersion) {
      entry.resolved = { brokerVersion, value: resolveTopicConfig(overrides, this.deps.config) };
    }
    return entry.resolved.value;
  }

  /** A topic's own configs (source TOPIC_CONFIG) as stored now; empty when it has none or does not exist. */
  overrides(topicId: string): Promise<Map<string, string>> {
    return this.deps.storage.topicConfigs(topicId);
  }

  /**
   * Replaces a topic's own configs with what `change` makes of them (throwing refuses), one alter at a
   * time per topic. False when the topic does not exist.
   */
  async alter(topicId: string, change: ConfigChange, validateOnly: boolean): Promise<boolean> {
    const found = await this.deps.storage.alterTopicConfigs(topicId, change, validateOnly);
    if (found && !validateOnly) this.invalidate(topicId);
    return found;
  }

  /** Forgets one topic, or everything. */
  invalidate(topicId?: string): void {
    this.generation++;
    if (topicId === undefined || topicId === '') this.cache.clear();
    else this.cache.delete(topicId);
  }
}
