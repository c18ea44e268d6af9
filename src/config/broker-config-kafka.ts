/**
 * The rest of kpg's broker configs, beside the core ones in broker-config.ts: validators and
 * dynamic-update rules for every broker config, the broker-level defaults of topic configs (Kafka's
 * "server default property" synonyms such as log.retention.ms for retention.ms), and kpg's own limits.
 *
 * `dynamic` says whether AlterConfigs / IncrementalAlterConfigs may change a config at runtime (stored in
 * kpg.broker_configs, applied on every gateway); the others are read-only and come from the command line.
 * kpg makes some configs dynamic that Kafka only reads at startup (num.partitions, auto.create.topics.enable
 * and the other cluster-wide policies below marked "kpg: dynamic"), since several gateways share one
 * Postgres and must agree on them. Configs with `honoured: false` are accepted and reported so tools that
 * set them keep working, but change nothing in kpg.
 */
import { atLeast, between, gzipLevel, listOf, LONG_MAX, oneOf, type ConfigDefinition, type ConfigType, type Validator } from './config-def.js';

export interface BrokerConfigRule {
  validator?: Validator;
  dynamic: boolean;
}

const COMPRESSION_TYPES = ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'];
const LONG_MAX_TEXT = LONG_MAX.toString();

/** Validators and dynamic flags of the configs defined in broker-config.ts. */
export const BROKER_CONFIG_RULES: Readonly<Record<string, BrokerConfigRule>> = {
  'auto.create.topics.enable': { dynamic: true }, // kpg: dynamic
  'num.partitions': { validator: atLeast(1), dynamic: true }, // kpg: dynamic
  'default.replication.factor': { dynamic: true }, // kpg: dynamic
  'message.max.bytes': { validator: atLeast(0), dynamic: true },
  'socket.request.max.bytes': { validator: atLeast(1), dynamic: false },
  'log.retention.hours': { dynamic: true }, // kpg: dynamic
  'log.retention.minutes': { dynamic: true }, // kpg: dynamic
  'log.retention.ms': { dynamic: true },
  'offsets.retention.minutes': { validator: atLeast(1), dynamic: true }, // kpg: dynamic
  'offsets.topic.num.partitions': { validator: atLeast(1), dynamic: true }, // kpg: dynamic
  'offsets.topic.replication.factor': { validator: atLeast(1), dynamic: true }, // kpg: dynamic
  'group.initial.rebalance.delay.ms': { dynamic: true }, // kpg: dynamic
  'group.min.session.timeout.ms': { dynamic: true }, // kpg: dynamic
  'group.max.session.timeout.ms': { dynamic: true }, // kpg: dynamic
  'group.max.size': { validator: atLeast(1), dynamic: false },
  'offset.metadata.max.bytes': { dynamic: false },
  'offsets.retention.check.interval.ms': { validator: atLeast(1), dynamic: false },
  'max.incremental.fetch.session.cache.slots': { validator: atLeast(0), dynamic: true }, // kpg: dynamic
  'broker.session.timeout.ms': { dynamic: false },
  'broker.heartbeat.interval.ms': { dynamic: false },
};

function def(
  name: string,
  type: ConfigType,
  defaultValue: string | null,
  honoured: boolean,
  dynamic: boolean,
  validator: Validator | undefined,
  documentation: string,
): ConfigDefinition {
  return { name, type, defaultValue, honoured, documentation, dynamic, validator };
}

export const KAFKA_BROKER_CONFIGS: readonly ConfigDefinition[] = [
  // Broker-level defaults of the topic configs kpg honours (see topic-config.ts).
  def('log.cleanup.policy', 'list', 'delete', true, true, listOf('compact', 'delete'),
    'Default cleanup policy of topics: "delete" removes data past the retention limits; kpg does not compact, so "compact" alone keeps everything.'),
  def('log.retention.bytes', 'long', '-1', true, true, undefined,
    'Default size limit of a partition before its oldest batches are removed; -1 means no limit.'),
  def('log.message.timestamp.type', 'string', 'CreateTime', true, true, oneOf('CreateTime', 'LogAppendTime'),
    'Default timestamp type of topics: the producer\'s time (CreateTime) or the time the gateway appended the batch (LogAppendTime).'),
  def('log.message.timestamp.before.max.ms', 'long', LONG_MAX_TEXT, true, true, atLeast(0),
    'Default of how far in the past a CreateTime record timestamp may be before the batch is refused.'),
  def('log.message.timestamp.after.max.ms', 'long', '3600000', true, true, atLeast(0),
    'Default of how far in the future a CreateTime record timestamp may be before the batch is refused.'),
  def('compression.type', 'string', 'producer', false, true, oneOf(...COMPRESSION_TYPES),
    'Accepted for compatibility: kpg stores records uncompressed (Postgres TOAST compresses them) and serves them uncompressed.'),
  def('min.insync.replicas', 'int', '1', false, true, atLeast(1),
    'Accepted for compatibility: kpg keeps one durable copy in Postgres, so acks=all never waits for replicas.'),
  def('log.segment.bytes', 'int', '1073741824', false, true, atLeast(1048576),
    'Accepted for compatibility: kpg stores batches in Postgres and has no segment files.'),
  def('log.roll.ms', 'long', null, false, true, undefined, 'Accepted for compatibility: kpg has no segment files.'),
  def('log.roll.hours', 'int', '168', false, false, atLeast(1), 'Accepted for compatibility: kpg has no segment files.'),
  def('log.roll.jitter.ms', 'long', null, false, true, undefined, 'Accepted for compatibility: kpg has no segment files.'),
  def('log.roll.jitter.hours', 'int', '0', false, false, atLeast(0), 'Accepted for compatibility: kpg has no segment files.'),
  def('log.index.size.max.bytes', 'int', '10485760', false, true, atLeast(4), 'Accepted for compatibility: Postgres indexes the batches.'),
  def('log.index.interval.bytes', 'int', '4096', false, true, atLeast(0), 'Accepted for compatibility: Postgres indexes the batches.'),
  def('log.flush.interval.messages', 'long', LONG_MAX_TEXT, false, true, atLeast(1),
    'Accepted for compatibility: every append is committed to Postgres before it is acknowledged.'),
  def('log.flush.interval.ms', 'long', null, false, true, undefined,
    'Accepted for compatibility: every append is committed to Postgres before it is acknowledged.'),
  def('log.flush.scheduler.interval.ms', 'long', LONG_MAX_TEXT, false, false, undefined,
    'Accepted for compatibility: every append is committed to Postgres before it is acknowledged.'),
  def('log.cleaner.delete.retention.ms', 'long', '86400000', false, true, atLeast(0),
    'Accepted for compatibility: kpg does not compact, so there are no tombstones to keep.'),
  def('log.cleaner.min.compaction.lag.ms', 'long', '0', false, true, atLeast(0), 'Accepted for compatibility: kpg does not compact.'),
  def('log.cleaner.max.compaction.lag.ms', 'long', LONG_MAX_TEXT, false, true, atLeast(1), 'Accepted for compatibility: kpg does not compact.'),
  def('log.cleaner.min.cleanable.ratio', 'double', '0.5', false, true, between(0, 1), 'Accepted for compatibility: kpg does not compact.'),
  def('log.cleaner.enable', 'boolean', 'true', false, false, undefined, 'Accepted for compatibility: kpg does not compact.'),
  def('log.cleaner.threads', 'int', '1', false, true, atLeast(0), 'Accepted for compatibility: kpg does not compact.'),
  def('log.segment.delete.delay.ms', 'long', '60000', false, true, atLeast(0),
    'Accepted for compatibility: kpg reclaims removed batches in the background at once.'),
  def('log.preallocate', 'boolean', 'false', false, true, undefined, 'Accepted for compatibility: kpg has no segment files.'),
  def('log.local.retention.ms', 'long', '-2', false, true, atLeast(-2), 'Accepted for compatibility: kpg has no tiered storage.'),
  def('log.local.retention.bytes', 'long', '-2', false, true, atLeast(-2), 'Accepted for compatibility: kpg has no tiered storage.'),
  def('unclean.leader.election.enable', 'boolean', 'false', false, true, undefined,
    'Accepted for compatibility: every gateway serves every partition from Postgres, so there is no unclean leader.'),
  def('compression.gzip.level', 'int', '-1', false, true, gzipLevel(), 'Accepted for compatibility: kpg compresses with the codec defaults.'),
  def('compression.lz4.level', 'int', '9', false, true, between(1, 17), 'Accepted for compatibility: kpg compresses with the codec defaults.'),
  def('compression.zstd.level', 'int', '3', false, true, between(-131072, 22), 'Accepted for compatibility: kpg compresses with the codec defaults.'),
  def('log.retention.check.interval.ms', 'long', '300000', true, true, atLeast(1), // kpg: dynamic
    'How often each gateway looks for batches past their topic\'s retention limits.'),

  // Cluster-wide policies.
  def('delete.topic.enable', 'boolean', 'true', true, true, undefined, // kpg: dynamic
    'Whether DeleteTopics may delete topics; when false it answers TOPIC_DELETION_DISABLED.'),
  def('max.request.partition.size.limit', 'int', '2000', true, true, atLeast(1), // kpg: dynamic
    'Most partitions one DescribeTopicPartitions response holds; the rest follow through its cursor.'),
  def('kpg.max.partitions.per.request', 'int', '10000', true, true, atLeast(1),
    'Most partitions one CreateTopics or CreatePartitions request may create (Kafka\'s fixed limit is 10000); more are refused with POLICY_VIOLATION.'),
  def('kpg.reaper.batch.limit', 'int', '5000', true, true, atLeast(1),
    'Most record batches one background DELETE removes when reclaiming the data of deleted topics, DeleteRecords and retention; it bounds how long any one statement holds locks.'),
];
