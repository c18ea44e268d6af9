/**
 * kpg's tables, all in the `kpg` schema, every one of them: drizzle-kit turns changes to this file into
 * the SQL under migrations/ (`npm run db:generate`), and test/storage/drizzle-schema.test.ts fails when this
 * file and the migrations' snapshot disagree. Migrations change tables only; the functions, views and
 * triggers that run inside Postgres are SQL source in ./sql/, applied at every start (./migrate.ts).
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
  doublePrecision,
  index,
  integer,
  jsonb,
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
  /**
   * Every listener's advertised endpoint, `[{ listener, host, port, securityProtocol }]` in
   * advertised.listeners order; host and port above are the first one's (the gateway's identity). Null for
   * rows written before listeners existed: one PLAINTEXT listener at host:port.
   */
  endpoints: jsonb('endpoints').$type<{ listener: string; host: string; port: number; securityProtocol: string }[]>(),
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
 * every record without a codec (Postgres has none for snappy, lz4 or zstd). It is stored without TOAST
 * compression (migrations/0006_batch_storage_external.sql says why).
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

/**
 * Consumer groups (classic protocol). Everything Kafka's group coordinator keeps in memory lives in the
 * group tables, so any gateway can act for any group and a restarted gateway loses nothing. A group id
 * may be up to 32767 bytes, more than a btree entry holds: rows are keyed by a surrogate group_key and
 * the id is kept unique by a hash exclusion constraint (migration "groups_unique_id").
 *
 * Times (*_ms) are milliseconds since the epoch on Postgres' clock, so gateways agree on every deadline.
 * Dead groups have no row.
 */
export const groups = kpg.table('groups', {
  groupKey: bigint('group_key', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  groupId: text('group_id').notNull(),
  /** Empty, PreparingRebalance, CompletingRebalance or Stable. */
  state: text('state').notNull(),
  previousState: text('previous_state'),
  /** When the group entered its state: offsets of an empty group expire counting from here. */
  stateChangedMs: bigint('state_changed_ms', { mode: 'number' }).notNull(),
  protocolType: text('protocol_type'),
  protocolName: text('protocol_name'),
  generationId: integer('generation_id').notNull().default(0),
  leaderId: text('leader_id'),
  /** A member joined during the initial rebalance delay, which therefore extends once more. */
  newMemberAdded: boolean('new_member_added').notNull().default(false),
  /** When the join phase ends: the rebalance timeout, or the next step of the initial rebalance delay. */
  joinDeadlineMs: bigint('join_deadline_ms', { mode: 'number' }),
  /** Set while the initial rebalance delay runs: its current step and what is left of the rebalance timeout. */
  initialDelayMs: integer('initial_delay_ms'),
  initialRemainingMs: integer('initial_remaining_ms'),
  /** When members that got their JoinGroup answer but have not sent SyncGroup are removed. */
  syncDeadlineMs: bigint('sync_deadline_ms', { mode: 'number' }),
  syncGeneration: integer('sync_generation'),
  /** Members that have not sent SyncGroup yet in this generation. */
  pendingSyncMemberIds: text('pending_sync_member_ids').array().notNull().default(sql`'{}'::text[]`),
  /** Member ids handed out with MEMBER_ID_REQUIRED and not joined with yet, and when each expires. */
  pendingMemberIds: text('pending_member_ids').array().notNull().default(sql`'{}'::text[]`),
  pendingDeadlinesMs: bigint('pending_deadlines_ms', { mode: 'number' }).array().notNull().default(sql`'{}'::bigint[]`),
  /** Topics the members subscribe to (consumer protocol only); null when not known. */
  subscribedTopics: text('subscribed_topics').array(),
  /** The earliest of the group's own deadlines (join, sync, pending members): what the sweeper looks at. */
  timerDeadlineMs: bigint('timer_deadline_ms', { mode: 'number' }),
}, (t) => [index('groups_timer_deadline').on(t.timerDeadlineMs)]);

/**
 * Group members. Member ids embed the client id, so they are not indexed either: a member is found within
 * its group's rows, and member_seq (join order) is the key. A JoinGroup or SyncGroup waiting for the group
 * is represented by its waiter id, answered through kpg.group_replies.
 */
export const groupMembers = kpg.table('group_members', {
  groupKey: bigint('group_key', { mode: 'number' }).notNull().references(() => groups.groupKey, { onDelete: 'cascade' }),
  memberSeq: integer('member_seq').notNull(),
  memberId: text('member_id').notNull(),
  groupInstanceId: text('group_instance_id'),
  clientId: text('client_id').notNull(),
  clientHost: text('client_host').notNull(),
  rebalanceTimeoutMs: integer('rebalance_timeout_ms').notNull(),
  sessionTimeoutMs: integer('session_timeout_ms').notNull(),
  protocolType: text('protocol_type').notNull(),
  /** The member's protocols in preference order, with their metadata (subscriptions), stored verbatim. */
  protocolNames: text('protocol_names').array().notNull(),
  protocolMetadata: bytea('protocol_metadata').array().notNull(),
  assignment: bytea('assignment').notNull(),
  isNew: boolean('is_new').notNull().default(false),
  joinWaiter: uuid('join_waiter'),
  syncWaiter: uuid('sync_waiter'),
  /** When the member is removed unless it heartbeats; null while none is due. */
  sessionDeadlineMs: bigint('session_deadline_ms', { mode: 'number' }),
}, (t) => [
  primaryKey({ columns: [t.groupKey, t.memberSeq] }),
  index('group_members_session_deadline').on(t.sessionDeadlineMs),
]);

/**
 * Answers to waiting JoinGroup and SyncGroup requests. Whichever gateway completes a rebalance step writes
 * the answer here in the same transaction; the gateway holding the request is woken by NOTIFY and reads it.
 */
export const groupReplies = kpg.table('group_replies', {
  waiterId: uuid('waiter_id').primaryKey(),
  groupKey: bigint('group_key', { mode: 'number' }).notNull().references(() => groups.groupKey, { onDelete: 'cascade' }),
  reply: jsonb('reply'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  repliedAt: timestamp('replied_at', { withTimezone: true }),
}, (t) => [index('group_replies_group').on(t.groupKey)]);

/** Committed offsets. Deleting a topic deletes its offsets; deleting a group deletes its offsets. */
export const groupOffsets = kpg.table('group_offsets', {
  groupKey: bigint('group_key', { mode: 'number' }).notNull().references(() => groups.groupKey, { onDelete: 'cascade' }),
  topicId: uuid('topic_id').notNull().references(() => topics.topicId, { onDelete: 'cascade' }),
  partition: integer('partition').notNull(),
  committedOffset: bigint('committed_offset', { mode: 'bigint' }).notNull(),
  leaderEpoch: integer('leader_epoch').notNull().default(-1),
  metadata: text('metadata').notNull().default(''),
  commitTimestampMs: bigint('commit_timestamp_ms', { mode: 'number' }).notNull(),
  /** Only for OffsetCommit v2-4 with an explicit retention time; null means offsets.retention.minutes applies. */
  expireTimestampMs: bigint('expire_timestamp_ms', { mode: 'number' }),
}, (t) => [
  primaryKey({ columns: [t.groupKey, t.topicId, t.partition] }),
  index('group_offsets_topic').on(t.topicId),
]);

/**
 * Producing from SQL (kpg.produce, src/storage/pg/sql/50-produce.sql). Created by
 * migrations/0005_sql_streams.sql; declared here so drizzle-kit knows every table (migration 0008 brought
 * its snapshot up to date without touching the tables).
 */

/** Record ids kpg.produce returns. */
export const sqlRecordIds = kpg.sequence('sql_record_ids');
/** Spreads keyless SQL records over partitions, round robin, without a lock. */
export const sqlKeylessPartition = kpg.sequence('sql_keyless_partition', { cycle: true });

/** A transaction id (xid8), as pg_current_xact_id() returns it. */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

/**
 * Records queued by READ COMMITTED transactions, appended by a deferred trigger at their COMMIT. In
 * Postgres this table is UNLOGGED (its rows never outlive their transaction) and `body` is stored without
 * TOAST compression; drizzle can express neither, and migrations/0005 set both.
 */
export const sqlOutbox = kpg.table('sql_outbox', {
  recordId: bigint('record_id', { mode: 'bigint' }).primaryKey(),
  /** The producing transaction (top level). */
  xact: xid8('xact').notNull(),
  topicId: uuid('topic_id').notNull(),
  partition: integer('partition').notNull(),
  /** CreateTime; a LogAppendTime topic stamps the commit time instead. */
  timestampMs: bigint('timestamp_ms', { mode: 'bigint' }).notNull(),
  /** The record from its key length on; lengths, attributes and deltas are known when the batch is built. */
  body: bytea('body').notNull(),
  /** Set on the first row of a transaction: its trigger event appends all of them at commit. */
  flush: boolean('flush').notNull(),
}, (t) => [index('sql_outbox_xact').on(t.xact, t.recordId)]);

/** Records committed by REPEATABLE READ / SERIALIZABLE transactions, appended by a gateway (relay). */
export const sqlOutboxRelay = kpg.table('sql_outbox_relay', {
  recordId: bigint('record_id', { mode: 'bigint' }).primaryKey(),
  topicId: uuid('topic_id').notNull(),
  partition: integer('partition').notNull(),
  timestampMs: bigint('timestamp_ms', { mode: 'bigint' }).notNull(),
  body: bytea('body').notNull(),
});

/** Where each SQL-produced record went (kpg.produced_offset), until it leaves the log. */
export const sqlProduced = kpg.table('sql_produced', {
  recordId: bigint('record_id', { mode: 'bigint' }).primaryKey(),
  topicId: uuid('topic_id').notNull(),
  partition: integer('partition').notNull(),
  offset: bigint('offset', { mode: 'bigint' }).notNull(),
}, (t) => [index('sql_produced_position').on(t.topicId, t.partition, t.offset)]);

/**
 * One row: the digest of the SQL source (./sql/*.sql) applied last, so a gateway whose source is already
 * in place changes nothing at start (./migrate.ts).
 */
export const sqlSource = kpg.table('sql_source', {
  singleton: boolean('singleton').primaryKey().default(true),
  digest: text('digest').notNull(),
  appliedAt: timestamp('applied_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * SASL/SCRAM credentials (RFC 5802): per user and mechanism the salt, iteration count and the derived
 * StoredKey and ServerKey, never a password. PLAIN logins are checked against the same rows.
 */
export const scramCredentials = kpg.table('scram_credentials', {
  userName: text('user_name').notNull(),
  /** SCRAM-SHA-256 or SCRAM-SHA-512. */
  mechanism: text('mechanism').notNull(),
  iterations: integer('iterations').notNull(),
  salt: bytea('salt').notNull(),
  storedKey: bytea('stored_key').notNull(),
  serverKey: bytea('server_key').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.userName, t.mechanism] })]);

/** ACL bindings as Kafka's StandardAuthorizer stores them; codes are Kafka's enum values (src/protocol/acl.ts). */
export const acls = kpg.table('acls', {
  aclId: bigint('acl_id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  resourceType: smallint('resource_type').notNull(),
  resourceName: text('resource_name').notNull(),
  patternType: smallint('pattern_type').notNull(),
  /** "User:alice", "User:*". */
  principal: text('principal').notNull(),
  /** A client address, or "*". */
  host: text('host').notNull(),
  operation: smallint('operation').notNull(),
  permissionType: smallint('permission_type').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
}, (t) => [
  uniqueIndex('acls_binding').on(t.resourceType, t.resourceName, t.patternType, t.principal, t.host, t.operation, t.permissionType),
]);

/**
 * Client quotas (KIP-546): one row per entity and quota key. The entity is Kafka's list of
 * (entity type, name or null for the default) pairs, kept as jsonb and under a canonical text key.
 */
export const clientQuotas = kpg.table('client_quotas', {
  /** Canonical form, e.g. "user=alice/client-id=<default>", types in sorted order. */
  entityKey: text('entity_key').notNull(),
  /** [{ "entityType": "user", "entityName": "alice" | null }] */
  entity: jsonb('entity').$type<{ entityType: string; entityName: string | null }[]>().notNull(),
  /** producer_byte_rate, consumer_byte_rate, request_percentage, ... */
  quotaKey: text('quota_key').notNull(),
  value: doublePrecision('value').notNull(),
}, (t) => [primaryKey({ columns: [t.entityKey, t.quotaKey] })]);
