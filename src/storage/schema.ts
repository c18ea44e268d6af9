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
  index,
  integer,
  pgSchema,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

export const kpg = pgSchema('kpg');

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
