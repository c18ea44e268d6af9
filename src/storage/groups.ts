/**
 * The storage boundary for consumer groups and committed offsets, in Kafka's terms. The group
 * coordinator (src/groups) decides; a GroupStore keeps what it decided. Every call is one transaction,
 * and changes to one group are serialised: a rebalance step (`update`) holds the group exclusively, the
 * light paths of Heartbeat and OffsetCommit (`updateShared`) only against rebalance steps. The decision
 * logic runs inside the call, on plain data, and hands back what to write as plain data: no storage
 * handle crosses this boundary.
 *
 * Waiting JoinGroup/SyncGroup requests are identified by waiter ids; their answers are stored under them
 * until the gateway holding the request takes them (`takeReply`). Whoever writes answers lets every
 * gateway know, so waiting requests anywhere look again.
 *
 * Strings that come from clients (group, member, instance and client ids, hosts, protocol types and
 * names, commit metadata) are bytes: they may hold NUL, and bytes that were not UTF-8 arrive as lone
 * surrogates (src/protocol/reader.ts). A GroupStore gives back exactly the strings it was given.
 */

export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** A group by its id, or by the key the store gave it. */
export type GroupRef = { groupId: string } | { groupKey: number };

/** What a classic group is, as stored. Times are milliseconds on the store's clock. */
export interface GroupRecord {
  groupKey: number;
  groupId: string;
  state: GroupStateName;
  previousState: GroupStateName | null;
  /** When the group entered its state (offsets of an Empty group expire counting from here). */
  stateChangedMs: number;
  protocolType: string | null;
  protocolName: string | null;
  generationId: number;
  leaderId: string | null;
  newMemberAdded: boolean;
  /** When the join phase ends; while the initial rebalance delay runs, its step and what is left. */
  joinDeadlineMs: number | null;
  initialDelayMs: number | null;
  initialRemainingMs: number | null;
  /** When members that have not sent SyncGroup for `syncGeneration` are removed. */
  syncDeadlineMs: number | null;
  syncGeneration: number | null;
  pendingSyncMemberIds: string[];
  /** Member ids handed out with MEMBER_ID_REQUIRED, with their expiry. */
  pendingMembers: { memberId: string; deadlineMs: number }[];
  subscribedTopics: string[] | null;
  /** The earliest of the group's own deadlines (join, sync, pending members): what sweepers look for. */
  timerDeadlineMs: number | null;
}

export interface GroupMemberRecord {
  /** Join order within the group; identifies the member across a change of member id (static members). */
  seq: number;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  /** In preference order, metadata verbatim. */
  protocols: { name: string; metadata: Buffer }[];
  assignment: Buffer;
  isNew: boolean;
  /** The JoinGroup / SyncGroup request of this member waiting for the group, if any. */
  joinWaiter: string | null;
  syncWaiter: string | null;
  sessionDeadlineMs: number | null;
}

/** A group and its members (in join order). */
export interface GroupRecords {
  group: GroupRecord;
  members: GroupMemberRecord[];
}

/** A group as loaded under its exclusive lock, with the store's clock read after the lock was granted. */
export interface LockedGroup extends GroupRecords {
  nowMs: number;
}

export interface JoinReplyMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinReply {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  skipAssignment: boolean;
  members: JoinReplyMember[];
}

export interface SyncReply {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

/** The answer to a waiting JoinGroup or SyncGroup request. */
export type GroupReply = { kind: 'join'; join: JoinReply } | { kind: 'sync'; sync: SyncReply };

export interface TopicPartitionRef {
  topicId: string;
  partition: number;
}

/**
 * What one rebalance step decided. `answer` goes back to the caller untouched; the rest is written in
 * the step's transaction.
 */
export interface GroupUpdate<T> {
  answer: T;
  /** The group as it is now: the store writes what differs from what it loaded. `'delete'` removes it with its offsets. */
  next?: GroupRecords | 'delete';
  /** Answers to waiting requests, by waiter id. */
  replies?: ReadonlyMap<string, GroupReply>;
  /** Waiting requests replaced by a newer one of the same member: they will find no answer. */
  supersededWaiters?: Iterable<string>;
  /** The caller's own requests left waiting: their answers will be stored under these ids. */
  parkedWaiters?: Iterable<string>;
  deletedOffsets?: readonly TopicPartitionRef[];
}

export interface MemberLookup {
  memberSeq: number;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
}

/** Just what the light paths (Heartbeat, OffsetCommit) need of a group: its row and the member asked about. */
export interface SharedGroupView {
  groupKey: number;
  state: GroupStateName;
  generationId: number;
  protocolType: string | null;
  /** Whether any timer of the group is due: then a rebalance step must fire it first. */
  timersDue: boolean;
  nowMs: number;
  /** Members with the asked member id or instance id. */
  members: MemberLookup[];
}

export interface OffsetToCommit {
  topicId: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  /** Null: now. */
  commitTimestampMs: number | null;
  expireTimestampMs: number | null;
}

/** What a light path decided: `answer` goes back to the caller, the rest is written. */
export interface SharedGroupDecision<T> {
  answer: T;
  /** Restarts this member's session timer (a heartbeat, or a commit that counts as one). */
  extendSession?: { memberSeq: number; deadlineMs: number };
  /** Later entries for the same partition win. Offsets of topics deleted meanwhile are dropped. */
  commitOffsets?: readonly OffsetToCommit[];
}

export interface StoredOffset {
  topicName: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
}

export interface GroupSummary {
  groupKey: number;
  groupId: string;
  state: GroupStateName;
  protocolType: string | null;
  protocolName: string | null;
  generationId: number;
  timersDue: boolean;
}

export interface DescribedMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  protocolNames: string[];
  protocolMetadata: Buffer[];
  assignment: Buffer;
}

/** A partition's log as consumers see it: the first offset still held and the next offset to be written. */
export interface PartitionLogOffsets {
  topic: string;
  partition: number;
  logStartOffset: bigint;
  logEndOffset: bigint;
}

/** A group's committed offset on one partition beside that partition's log end offset. */
export interface CommittedPartitionLag {
  topic: string;
  partition: number;
  committedOffset: bigint;
  logEndOffset: bigint;
}

export interface GroupLag {
  groupId: string;
  state: GroupStateName;
  members: number;
  /** Only partitions the group committed an offset for, ordered by topic and partition. */
  offsets: CommittedPartitionLag[];
}

/** Every partition's log offsets and every group's committed offsets, read from one snapshot. */
export interface GroupLagSnapshot {
  partitions: PartitionLogOffsets[];
  groups: GroupLag[];
}

export type TakeReplyResult = { status: 'replied'; reply: GroupReply } | { status: 'waiting' } | { status: 'gone' };

export interface GroupStore {
  /**
   * A rebalance step: holds the group exclusively (creating it, Empty, if `create` and it is absent and
   * named by id), passes it to `change` (null when it does not exist), writes what `change` returns and
   * tells every gateway, in one transaction. `change` may run more than once (the transaction is retried
   * on conflicts), so it must only compute. Returns its answer and the store's clock.
   */
  update<T>(ref: GroupRef, options: { create: boolean }, change: (group: LockedGroup | null) => GroupUpdate<T>): Promise<{ answer: T; nowMs: number }>;

  /**
   * A light path: holds the group against rebalance steps only, looks up the member by id and by
   * instance id, passes that to `decide` (null when the group does not exist, after creating it Empty if
   * `create`) and writes what `decide` returns, in one transaction. `decide` may run more than once.
   */
  updateShared<T>(
    groupId: string,
    member: { memberId: string; groupInstanceId: string | null },
    options: { create: boolean },
    decide: (view: SharedGroupView | null) => SharedGroupDecision<T>,
  ): Promise<T>;

  /** Takes (consumes) the answer to a waiting request. */
  takeReply(waiterId: string): Promise<TakeReplyResult>;

  /**
   * Forgets a waiting request whose gateway is shutting down: the member no longer counts as waiting,
   * and its session timer runs again so it expires unless it comes back through another gateway.
   */
  releaseWaiter(groupKey: number, waiterId: string): Promise<void>;

  /** Committed offsets of a group: all of them, or those of the named topics. Unknown group: none. */
  fetchOffsets(groupId: string, topicNames: readonly string[] | null): Promise<StoredOffset[]>;

  /** Groups by id (all groups when null). */
  groupSummaries(groupIds: readonly string[] | null): Promise<GroupSummary[]>;

  /**
   * What consumer lag is computed from, in one query: every partition's log start and end offsets, and
   * every group (state, member count) with its committed offsets and their partitions' log end offsets.
   */
  describeGroupLag(): Promise<GroupLagSnapshot>;

  /** The named groups with their members, read from one snapshot. */
  describeGroups(groupIds: readonly string[]): Promise<{ summary: GroupSummary; members: DescribedMember[] }[]>;

  /** The earliest deadline of any group (null when none is set), and the store's clock. */
  nextDeadline(): Promise<{ deadlineMs: number | null; nowMs: number }>;

  /** Keys of groups with a timer due now. */
  dueGroups(limit: number): Promise<number[]>;

  /**
   * Kafka's periodic offsets cleanup: expires offsets by the group's expiration condition and deletes
   * Empty groups left with nothing. Returns how many offsets and groups went.
   */
  expireOffsetsAndGroups(retentionMs: number): Promise<{ offsets: number; groups: number }>;
}
