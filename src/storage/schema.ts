/**
 * kpg's tables, all in the `kpg` schema. drizzle-kit turns this file into the SQL under migrations/;
 * the running gateway speaks SQL through src/storage/postgres-store.ts only.
 *
 * Keys are chosen for the issues that follow: topics are addressed by their UUID everywhere below the
 * topics table, so a topic deleted and created again under the same name is a new topic, and the data
 * of a deleted topic can be reclaimed in the background without blocking anything keyed by name.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  pgSchema,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const kpg = pgSchema('kpg');

/** bytea as a Buffer (drizzle has no built-in bytea column). */
const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });

/** One row: facts about the cluster as a whole (its id is what Metadata and DescribeCluster report). */
export const cluster = kpg.table('cluster', {
  singleton: boolean('singleton').primaryKey().default(true),
  clusterId: text('cluster_id').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** One row per gateway that has ever served; live ones heartbeat. */
export const brokers = kpg.table('brokers', {
  nodeId: integer('node_id').primaryKey(),
  host: text('host').notNull(),
  port: integer('port').notNull(),
  rack: text('rack'),
  /** Identifies the running process, so a restarted gateway on the same address takes its row back. */
  incarnation: uuid('incarnation').notNull(),
  startedAt: timestamp('started_at', { withTimezone: true }).notNull().defaultNow(),
  lastHeartbeat: timestamp('last_heartbeat', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('brokers_address').on(t.host, t.port)]);

export const topics = kpg.table('topics', {
  topicId: uuid('topic_id').primaryKey(),
  name: text('name').notNull(),
  partitionCount: integer('partition_count').notNull(),
  replicationFactor: integer('replication_factor').notNull().default(1),
  isInternal: boolean('is_internal').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('topics_name').on(t.name)]);

/**
 * One row per partition. `next_offset` is the log end offset: the append transaction takes this row's
 * lock (UPDATE ... RETURNING) to assign offsets gap-free.
 */
export const partitions = kpg.table('partitions', {
  topicId: uuid('topic_id').notNull().references(() => topics.topicId, { onDelete: 'cascade' }),
  partition: integer('partition').notNull(),
  nextOffset: bigint('next_offset', { mode: 'bigint' }).notNull().default(sql`0`),
  logStartOffset: bigint('log_start_offset', { mode: 'bigint' }).notNull().default(sql`0`),
  leaderEpoch: integer('leader_epoch').notNull().default(0),
  /** Highest record timestamp in the log and the offset that carries it (ListOffsets -3). */
  maxTimestamp: bigint('max_timestamp', { mode: 'bigint' }).notNull().default(sql`-1`),
  maxTimestampOffset: bigint('max_timestamp_offset', { mode: 'bigint' }).notNull().default(sql`-1`),
  /** Replica node ids as reported in Metadata; kpg keeps one copy, in Postgres. */
  replicas: integer('replicas').array().notNull().default(sql`'{}'::integer[]`),
}, (t) => [primaryKey({ columns: [t.topicId, t.partition] })]);

/** Dynamic topic configs (source DYNAMIC_TOPIC_CONFIG). */
export const topicConfigs = kpg.table('topic_configs', {
  topicId: uuid('topic_id').notNull().references(() => topics.topicId, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  value: text('value'),
}, (t) => [primaryKey({ columns: [t.topicId, t.name] })]);

/**
 * Dynamic broker configs. broker_id -1 holds the cluster-wide default (Kafka's resource name ""),
 * any other value the config of one gateway.
 */
export const brokerConfigs = kpg.table('broker_configs', {
  brokerId: integer('broker_id').notNull(),
  name: text('name').notNull(),
  value: text('value'),
}, (t) => [primaryKey({ columns: [t.brokerId, t.name] }), index('broker_configs_name').on(t.name)]);

/**
 * Record batches, one row each (the cheapest durable shape: ../shared/postgres-ceiling.md). `batch` holds
 * the whole v2 batch with its assigned base offset and an uncompressed records section, so SQL can read
 * every record without a codec (Postgres has none for snappy, lz4 or zstd); TOAST still compresses it.
 * Keyed by last offset so "the batch containing offset X, then the following ones" is one index range.
 */
export const recordBatches = kpg.table('record_batches', {
  topicId: uuid('topic_id').notNull(),
  partition: integer('partition').notNull(),
  baseOffset: bigint('base_offset', { mode: 'bigint' }).notNull(),
  lastOffset: bigint('last_offset', { mode: 'bigint' }).notNull(),
  recordCount: integer('record_count').notNull(),
  /** Largest record timestamp in the batch (retention, ListOffsets -3). */
  maxTimestamp: bigint('max_timestamp', { mode: 'bigint' }).notNull(),
  /** Running maximum of max_timestamp over the partition up to this batch: monotonic, so a time lookup is an index seek. */
  timeIndex: bigint('time_index', { mode: 'bigint' }).notNull(),
  producerId: bigint('producer_id', { mode: 'bigint' }).notNull().default(sql`-1`),
  /** Whether the records were written with kpg.produce from SQL rather than by a Kafka producer. */
  fromSql: boolean('from_sql').notNull().default(false),
  sizeBytes: integer('size_bytes').notNull(),
  batch: bytea('batch').notNull(),
}, (t) => [
  primaryKey({ columns: [t.topicId, t.partition, t.lastOffset] }),
  index('record_batches_time').on(t.topicId, t.partition, t.timeIndex),
]);

/** Producer ids handed out by InitProducerId; unique across gateways (a sequence). */
export const producerIdSequence = kpg.sequence('producer_ids', { startWith: 1000 });

export const producers = kpg.table('producers', {
  producerId: bigint('producer_id', { mode: 'bigint' }).primaryKey(),
  producerEpoch: smallint('producer_epoch').notNull().default(0),
  transactionalId: text('transactional_id'),
  transactionTimeoutMs: integer('transaction_timeout_ms'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [uniqueIndex('producers_transactional_id').on(t.transactionalId)]);

/**
 * Idempotence state per producer and partition: the epoch, the last sequence and the last five batches
 * (so a retried batch is answered with its original offset), updated in the append transaction.
 */
export const producerStates = kpg.table('producer_states', {
  topicId: uuid('topic_id').notNull().references(() => topics.topicId, { onDelete: 'cascade' }),
  partition: integer('partition').notNull(),
  producerId: bigint('producer_id', { mode: 'bigint' }).notNull(),
  producerEpoch: smallint('producer_epoch').notNull(),
  lastSequence: integer('last_sequence').notNull(),
  recentFirstSequences: integer('recent_first_sequences').array().notNull(),
  recentLastSequences: integer('recent_last_sequences').array().notNull(),
  recentBaseOffsets: bigint('recent_base_offsets', { mode: 'bigint' }).array().notNull(),
  lastTimestamp: bigint('last_timestamp', { mode: 'bigint' }).notNull().default(sql`-1`),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.topicId, t.partition, t.producerId] })]);
