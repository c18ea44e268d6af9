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
import type { ReclaimStorage } from './reclaim.js';
import type { TopicStorage } from './topics.js';
import type { UserStorage } from './users.js';

export interface Storage {
  readonly cluster: ClusterStorage;
  readonly topics: TopicStorage;
  readonly log: LogStorage;
  readonly reclaim: ReclaimStorage;
  readonly groups: GroupStore;
  /** SASL users' SCRAM credentials. */
  readonly users: UserStorage;
  readonly acls: AclStorage;
  /** Committed changes from every gateway and from SQL. */
  readonly notifications: ChangeNotifications;
}

export type * from './acls.js';
export type * from './cluster.js';
export type * from './log.js';
export type * from './notifications.js';
export type * from './reclaim.js';
export type * from './topics.js';
export type * from './users.js';
