/**
 * Committed changes, from every gateway and from SQL, as typed events. Storage announces a change only
 * once it is visible, so a listener may re-read at once. After `reconnected`, changes in between may have
 * been missed: every listener must re-check what it caches or waits for.
 *
 * The Postgres implementation (./pg/notifications.ts) is the one place that parses the wire payloads.
 */

export interface ChangeEvents {
  /** Records were appended to a partition; its log end is now `nextOffset` (and its log start `logStartOffset`, when told). */
  recordsAppended: [topicId: string, partition: number, nextOffset: bigint, logStartOffset: bigint | undefined];
  /** A topic was created, deleted or grew partitions. */
  topicChanged: [topicId: string];
  /** A topic's own configs changed (or the topic was deleted). */
  topicConfigChanged: [topicId: string];
  /** Dynamic broker configs changed. */
  brokerConfigChanged: [];
  /** A consumer group changed; `repliesWritten` when answers to its waiting requests were stored. */
  groupChanged: [groupKey: number, repliesWritten: boolean];
  /** SASL users or their credentials changed. */
  usersChanged: [];
  /** ACL bindings changed. */
  aclsChanged: [];
  /** Client quotas changed. */
  quotasChanged: [];
  /** Records produced from SQL by a REPEATABLE READ or SERIALIZABLE transaction wait to be appended. */
  sqlOutboxReady: [];
  /** The change feed reconnected: anything may have changed unseen. */
  reconnected: [];
}

export type ChangeListener<K extends keyof ChangeEvents> = (...args: ChangeEvents[K]) => void;

export interface ChangeNotifications {
  on<K extends keyof ChangeEvents>(event: K, listener: ChangeListener<K>): void;
  off<K extends keyof ChangeEvents>(event: K, listener: ChangeListener<K>): void;
}
