/**
 * The storage boundary, in Kafka's terms: what the gateway keeps and how it learns of changes, with no
 * SQL and no driver types. ./pg implements it on PostgreSQL; nothing outside ./pg speaks SQL.
 *
 * Each facet is one kind of state, its interface in a file of its own. A new kind (transactions, ACLs,
 * share-group state) is a new facet here, beside the ones below.
 */
import type { AclStorage } from './acls.js';
import type { ClusterStorage } from './cluster.js';
import type { GroupStore } from './groups.js';
import type { LogStorage } from './log.js';
import type { ChangeNotifications } from './notifications.js';
import type { QuotaStorage } from './quotas.js';
import type { ReclaimStorage } from './reclaim.js';
import type { TopicStorage } from './topics.js';
import type { UserStorage } from './users.js';

export interface Storage {
  readonly cluster: ClusterStorage;
  readonly topics: TopicStorage;
  readonly log: LogStorage;
  readonly reclaim: ReclaimStorage;
  readonly groups: GroupStore;
  /** Client quota definitions (user / client-id / ip entities). */
  readonly quotas: QuotaStorage;
  /** SASL users' SCRAM credentials. */
  readonly users: UserStorage;
  readonly acls: AclStorage;
  /** Committed changes from every gateway and from SQL. */
  readonly notifications: ChangeNotifications;
  /**
   * Why this gateway should not take traffic now, empty when it may: the database unreachable (checked
   * with a cheap query that gives up after `timeoutMs`), its schema not the one this kpg was built with,
   * the change feed down, or this gateway not registered or its heartbeat older than `heartbeatTimeoutMs`.
   */
  readinessProblems(gateway: { nodeId: number; heartbeatTimeoutMs: number }, timeoutMs: number): Promise<string[]>;
  /** The connection pool's use: open connections, idle ones, and queries waiting for one. */
  poolUsage(): { total: number; idle: number; waiting: number };
}

/** The storage layer's main operations, timed by a StorageObserver (a fixed set: metric labels). */
export type StorageOperation =
  | 'append'
  | 'read'
  | 'partition_states'
  | 'group_update'
  | 'fetch_offsets'
  | 'heartbeat'
  | 'readiness';

/** Told of group commits and timed operations (the gateway's metrics). */
export interface StorageObserver {
  /** One append transaction committed carrying `requests` produce requests with `records` records. */
  groupCommitted(requests: number, records: number): void;
  queryTimed(operation: StorageOperation, seconds: number): void;
}

/** For storage built without metrics. */
export const IGNORING_OBSERVER: StorageObserver = {
  groupCommitted: () => undefined,
  queryTimed: () => undefined,
};

export type * from './acls.js';
export type * from './cluster.js';
export type * from './log.js';
export type * from './notifications.js';
export type * from './quotas.js';
export type * from './reclaim.js';
export type * from './topics.js';
export type * from './users.js';
