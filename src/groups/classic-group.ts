/**
 * One consumer group of the classic protocol for one rebalance step: its state, members, timers and the
 * waiting JoinGroup/SyncGroup requests ("futures" in Kafka's coordinator). It is built from the records
 * the store loaded under the group's lock (`restore`); the rebalance rules in ./rebalance.ts act on it,
 * and its records afterwards (`records()`) are what the store writes back.
 *
 * A waiting request is identified by a waiter id. Completing it means recording a reply for that id in
 * `replies`; the store keeps those until the waiting gateway takes them.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  GroupMemberRecord,
  GroupRecords,
  GroupReply,
  GroupStateName,
  JoinReply,
  JoinReplyMember,
  LockedGroup,
  SyncReply,
  TopicPartitionRef,
} from '../storage/groups.js';

export type { GroupReply, GroupStateName, JoinReply, JoinReplyMember, SyncReply };

export const GroupState = {
  Empty: 'Empty',
  PreparingRebalance: 'PreparingRebalance',
  CompletingRebalance: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
} as const satisfies Record<GroupStateName, GroupStateName>;

const VALID_PREVIOUS_STATES: Record<GroupStateName, readonly GroupStateName[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
};

export const CONSUMER_PROTOCOL_TYPE = 'consumer';
export const EMPTY_ASSIGNMENT = Buffer.alloc(0);

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export function joinError(errorCode: number, memberId: string): JoinReply {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    skipAssignment: false,
    members: [],
  };
}

export function syncError(errorCode: number): SyncReply {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY_ASSIGNMENT };
}

/** The join phase timer: the rebalance timeout, or one step of the initial rebalance delay. */
export interface JoinTimer {
  deadlineMs: number;
  initial: { delayMs: number; remainingMs: number } | null;
}

export interface SyncTimer {
  deadlineMs: number;
  generationId: number;
}

export class GroupMember {
  isNew = false;
  /** The JoinGroup request waiting for the join phase to end, if any. */
  joinWaiter: string | null = null;
  /** The SyncGroup request waiting for the leader's assignment, if any. */
  syncWaiter: string | null = null;
  /** When the member expires unless it heartbeats (Kafka's heartbeat timer); null when none is scheduled. */
  sessionDeadlineMs: number | null = null;

  constructor(
    /** Join order within the group; the row key. */
    readonly seq: number,
    public memberId: string,
    readonly groupInstanceId: string | null,
    public clientId: string,
    public clientHost: string,
    public rebalanceTimeoutMs: number,
    public sessionTimeoutMs: number,
    public protocolType: string,
    public protocols: Protocol[],
    public assignment: Buffer = EMPTY_ASSIGNMENT,
  ) {}

  get isStatic(): boolean {
    return this.groupInstanceId !== null;
  }

  get isAwaitingJoin(): boolean {
    return this.joinWaiter !== null;
  }

  get isAwaitingSync(): boolean {
    return this.syncWaiter !== null;
  }

  /** Members waiting in a rebalance need no heartbeat; new members expire even while waiting. */
  hasSatisfiedHeartbeat(): boolean {
    if (this.isNew) return false;
    return this.isAwaitingJoin || this.isAwaitingSync;
  }

  /** Same protocols, in the same order, with byte-identical metadata. */
  matches(protocols: readonly Protocol[]): boolean {
    if (protocols.length !== this.protocols.length) return false;
    return protocols.every((p, i) => p.name === this.protocols[i]!.name && p.metadata.equals(this.protocols[i]!.metadata));
  }

  /** The member's most preferred protocol among the candidates. */
  vote(candidates: ReadonlySet<string>): string {
    const choice = this.protocols.find((p) => candidates.has(p.name));
    if (!choice) throw new Error(`member ${this.memberId} supports none of the candidate protocols`);
    return choice.name;
  }

  metadata(protocolName: string): Buffer {
    const protocol = this.protocols.find((p) => p.name === protocolName);
    if (!protocol) throw new Error(`member ${this.memberId} does not support protocol ${protocolName}`);
    return protocol.metadata;
  }
}

export class ClassicGroup {
  state: GroupStateName = GroupState.Empty;
  previousState: GroupStateName | null = null;
  stateChangedMs: number;
  protocolType: string | null = null;
  protocolName: string | null = null;
  generationId = 0;
  leaderId: string | null = null;
  newMemberAdded = false;
  joinTimer: JoinTimer | null = null;
  syncTimer: SyncTimer | null = null;
  readonly pendingSyncMembers = new Set<string>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, with their expiry. */
  readonly pendingMembers = new Map<string, number>();
  subscribedTopics: Set<string> | null = null;

  /** Members in join order. */
  private readonly members = new Map<string, GroupMember>();
  private readonly staticMembers = new Map<string, string>();
  private nextSeq = 1;

  /** Replies to waiting requests completed in this transaction, by waiter id. */
  readonly replies = new Map<string, GroupReply>();
  /** Waiters replaced by a newer request of the same member: their requests are answered as superseded. */
  readonly abandonedWaiters = new Set<string>();

  /** Set by DeleteGroups: the group goes, with its offsets. */
  deleted = false;
  /** Committed offsets removed in this step (OffsetDelete). */
  readonly deletedOffsets: TopicPartitionRef[] = [];

  constructor(
    readonly groupKey: number,
    readonly groupId: string,
    /** Postgres' clock for this transaction. */
    readonly nowMs: number,
  ) {
    this.stateChangedMs = nowMs;
  }

  // --- to and from the stored records ---

  /** The group as stored; no rules run. */
  static restore({ group: g, members, nowMs }: LockedGroup): ClassicGroup {
    const group = new ClassicGroup(g.groupKey, g.groupId, nowMs);
    group.state = g.state;
    group.previousState = g.previousState;
    group.stateChangedMs = g.stateChangedMs;
    group.protocolType = g.protocolType;
    group.protocolName = g.protocolName;
    group.generationId = g.generationId;
    group.leaderId = g.leaderId;
    group.newMemberAdded = g.newMemberAdded;
    if (g.joinDeadlineMs !== null) {
      group.joinTimer = {
        deadlineMs: g.joinDeadlineMs,
        initial:
          g.initialDelayMs !== null && g.initialRemainingMs !== null ? { delayMs: g.initialDelayMs, remainingMs: g.initialRemainingMs } : null,
      };
    }
    if (g.syncDeadlineMs !== null) group.syncTimer = { deadlineMs: g.syncDeadlineMs, generationId: g.syncGeneration ?? -1 };
    for (const id of g.pendingSyncMemberIds) group.pendingSyncMembers.add(id);
    for (const p of g.pendingMembers) group.pendingMembers.set(p.memberId, p.deadlineMs);
    group.subscribedTopics = g.subscribedTopics === null ? null : new Set(g.subscribedTopics);
    for (const r of members) {
      const member = new GroupMember(
        r.seq, r.memberId, r.groupInstanceId, r.clientId, r.clientHost, r.rebalanceTimeoutMs, r.sessionTimeoutMs,
        r.protocolType, r.protocols, r.assignment,
      );
      member.isNew = r.isNew;
      member.joinWaiter = r.joinWaiter;
      member.syncWaiter = r.syncWaiter;
      member.sessionDeadlineMs = r.sessionDeadlineMs;
      group.members.set(member.memberId, member);
      if (member.groupInstanceId !== null) group.staticMembers.set(member.groupInstanceId, member.memberId);
      group.nextSeq = Math.max(group.nextSeq, member.seq + 1);
    }
    return group;
  }

  /** The group as it is to be stored. */
  records(): GroupRecords {
    return {
      group: {
        groupKey: this.groupKey,
        groupId: this.groupId,
        state: this.state,
        previousState: this.previousState,
        stateChangedMs: this.stateChangedMs,
        protocolType: this.protocolType,
        protocolName: this.protocolName,
        generationId: this.generationId,
        leaderId: this.leaderId,
        newMemberAdded: this.newMemberAdded,
        joinDeadlineMs: this.joinTimer?.deadlineMs ?? null,
        initialDelayMs: this.joinTimer?.initial?.delayMs ?? null,
        initialRemainingMs: this.joinTimer?.initial?.remainingMs ?? null,
        syncDeadlineMs: this.syncTimer?.deadlineMs ?? null,
        syncGeneration: this.syncTimer?.generationId ?? null,
        pendingSyncMemberIds: [...this.pendingSyncMembers],
        pendingMembers: [...this.pendingMembers].map(([memberId, deadlineMs]) => ({ memberId, deadlineMs })),
        subscribedTopics: this.subscribedTopics === null ? null : [...this.subscribedTopics],
        timerDeadlineMs: this.timerDeadlineMs(),
      },
      members: this.allMembers().map(
        (m): GroupMemberRecord => ({
          seq: m.seq,
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs,
          sessionTimeoutMs: m.sessionTimeoutMs,
          protocolType: m.protocolType,
          protocols: m.protocols,
          assignment: m.assignment,
          isNew: m.isNew,
          joinWaiter: m.joinWaiter,
          syncWaiter: m.syncWaiter,
          sessionDeadlineMs: m.sessionDeadlineMs,
        }),
      ),
    };
  }

  /** Whether the request `waiterId` waits for this group (a member's JoinGroup or SyncGroup). */
  isWaiting(waiterId: string): boolean {
    return this.allMembers().some((m) => m.joinWaiter === waiterId || m.syncWaiter === waiterId);
  }

  /** The earliest of the group's own timers (members' session deadlines are kept per member). */
  timerDeadlineMs(): number | null {
    const deadlines = [this.joinTimer?.deadlineMs, this.syncTimer?.deadlineMs, ...this.pendingMembers.values()].filter(
      (d): d is number => d !== undefined,
    );
    return deadlines.length === 0 ? null : Math.min(...deadlines);
  }

  /** The earliest deadline of any kind in this group. */
  nextDeadlineMs(): number | null {
    const deadlines = [this.timerDeadlineMs(), ...[...this.members.values()].map((m) => m.sessionDeadlineMs)].filter(
      (d): d is number => d !== null,
    );
    return deadlines.length === 0 ? null : Math.min(...deadlines);
  }

  // --- queries ---

  isInState(state: GroupStateName): boolean {
    return this.state === state;
  }

  hasMember(memberId: string): boolean {
    return this.members.has(memberId);
  }

  member(memberId: string): GroupMember {
    const m = this.members.get(memberId);
    if (!m) throw new Error(`no member ${memberId} in group ${this.groupId}`);
    return m;
  }

  allMembers(): GroupMember[] {
    return [...this.members.values()];
  }

  numMembers(): number {
    return this.members.size;
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId;
  }

  hasStaticMember(groupInstanceId: string): boolean {
    return this.staticMembers.has(groupInstanceId);
  }

  staticMemberId(groupInstanceId: string): string | null {
    return this.staticMembers.get(groupInstanceId) ?? null;
  }

  isPendingMember(memberId: string): boolean {
    return this.pendingMembers.has(memberId);
  }

  numAwaitingJoinResponse(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.isAwaitingJoin) n++;
    return n;
  }

  hasAllMembersJoined(): boolean {
    return this.members.size === this.numAwaitingJoinResponse() && this.pendingMembers.size === 0;
  }

  notYetRejoinedMembers(): GroupMember[] {
    return this.allMembers().filter((m) => !m.isAwaitingJoin);
  }

  /** The largest rebalance timeout of the members: how long the join and sync phases may take. */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  canRebalance(): boolean {
    return VALID_PREVIOUS_STATES.PreparingRebalance.includes(this.state);
  }

  usesConsumerGroupProtocol(): boolean {
    return this.protocolType === CONSUMER_PROTOCOL_TYPE;
  }

  /** Unknown subscriptions count as subscribed for consumer groups, as in Kafka. */
  isSubscribedToTopic(topic: string): boolean {
    if (this.subscribedTopics) return this.subscribedTopics.has(topic);
    return this.usesConsumerGroupProtocol();
  }

  /** Protocols every member supports. */
  private candidateProtocols(): Set<string> {
    const counts = new Map<string, number>();
    for (const m of this.members.values()) {
      for (const name of new Set(m.protocols.map((p) => p.name))) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return new Set([...counts].filter(([, n]) => n === this.members.size).map(([name]) => name));
  }

  supportsProtocols(protocolType: string, protocolNames: readonly string[]): boolean {
    if (this.isInState(GroupState.Empty)) return protocolType !== '' && protocolNames.length > 0;
    if (this.protocolType !== protocolType) return false;
    const candidates = this.candidateProtocols();
    return protocolNames.some((name) => candidates.has(name));
  }

  /** Each member votes for its most preferred protocol that all support; most votes wins (ties: first voted). */
  selectProtocol(): string {
    if (this.members.size === 0) throw new Error(`cannot select a protocol for empty group ${this.groupId}`);
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const choice = m.vote(candidates);
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    let best: string | null = null;
    let bestVotes = -1;
    for (const [name, n] of votes) {
      if (n > bestVotes) {
        best = name;
        bestVotes = n;
      }
    }
    return best!;
  }

  /** Kafka's validateMember: the instance id must map to this member id, and the member must exist. */
  validateMember(memberId: string, groupInstanceId: string | null): number {
    return validateMemberIdentity(this, memberId, groupInstanceId);
  }

  /** The member list the leader gets with its JoinGroup answer. */
  currentMembersForLeader(): JoinReplyMember[] {
    if (this.isInState(GroupState.Dead) || this.isInState(GroupState.PreparingRebalance)) {
      throw new Error(`no member metadata for group ${this.groupId} in state ${this.state}`);
    }
    return this.allMembers().map((m) => ({
      memberId: m.memberId,
      groupInstanceId: m.groupInstanceId,
      metadata: m.metadata(this.protocolName!),
    }));
  }

  /** The topics the members subscribe to, from consumer protocol subscriptions; null when not knowable. */
  computeSubscribedTopics(): Set<string> | null {
    if (this.protocolType !== CONSUMER_PROTOCOL_TYPE) return null;
    if (this.members.size === 0) return new Set();
    if (this.protocolName === null) return null;
    const topics = new Set<string>();
    for (const m of this.members.values()) {
      const subscribed = subscriptionTopics(m.metadata(this.protocolName));
      if (subscribed === null) return null;
      for (const t of subscribed) topics.add(t);
    }
    return topics;
  }

  // --- mutations ---

  nextMemberSeq(): number {
    return this.nextSeq++;
  }

  transitionTo(target: GroupStateName): void {
    if (!VALID_PREVIOUS_STATES[target].includes(this.state)) {
      throw new Error(`group ${this.groupId}: invalid transition from ${this.state} to ${target}`);
    }
    this.previousState = this.state;
    this.state = target;
    this.stateChangedMs = this.nowMs;
  }

  add(member: GroupMember, joinWaiter: string | null): void {
    if (member.groupInstanceId !== null) {
      if (this.staticMembers.has(member.groupInstanceId)) {
        throw new Error(`static member ${member.groupInstanceId} is already in group ${this.groupId}`);
      }
      this.staticMembers.set(member.groupInstanceId, member.memberId);
    }
    if (this.members.size === 0) this.protocolType = member.protocolType;
    if (this.protocolType !== member.protocolType) throw new Error('the group and member protocol types differ');
    if (!this.supportsProtocols(member.protocolType, member.protocols.map((p) => p.name))) {
      throw new Error('none of the member protocols is supported by the group');
    }
    if (this.leaderId === null) this.leaderId = member.memberId;
    this.members.set(member.memberId, member);
    member.joinWaiter = joinWaiter;
    this.pendingMembers.delete(member.memberId);
  }

  remove(memberId: string): void {
    const removed = this.members.get(memberId);
    if (removed) {
      this.members.delete(memberId);
      if (removed.groupInstanceId !== null) this.staticMembers.delete(removed.groupInstanceId);
    }
    if (this.isLeader(memberId)) {
      const next = this.members.values().next();
      this.leaderId = next.done ? null : next.value.memberId;
    }
    this.pendingMembers.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
  }

  /** If the leader has not rejoined, the first member that has becomes leader; false if none rejoined. */
  maybeElectNewJoinedLeader(): boolean {
    if (this.leaderId === null) return false;
    const leader = this.members.get(this.leaderId);
    if (leader?.isAwaitingJoin) return true;
    const joined = this.allMembers().find((m) => m.isAwaitingJoin);
    if (!joined) return false;
    this.leaderId = joined.memberId;
    return true;
  }

  /** A static member rejoining without its member id takes over its slot under a new id. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember {
    const old = this.members.get(oldMemberId);
    if (!old) throw new Error(`cannot replace unknown member ${oldMemberId}`);
    // Whoever still waits under the old id is a duplicate of this instance: fence it at once.
    this.completeJoin(old, { ...joinError(ErrorCode.FENCED_INSTANCE_ID, oldMemberId) });
    this.completeSync(old, syncError(ErrorCode.FENCED_INSTANCE_ID));
    this.members.delete(oldMemberId);
    const replacement = new GroupMember(
      old.seq, newMemberId, old.groupInstanceId, old.clientId, old.clientHost, old.rebalanceTimeoutMs,
      old.sessionTimeoutMs, old.protocolType, old.protocols, old.assignment,
    );
    this.members.set(newMemberId, replacement);
    if (this.isLeader(oldMemberId)) this.leaderId = newMemberId;
    this.staticMembers.set(groupInstanceId, newMemberId);
    if (this.pendingSyncMembers.delete(oldMemberId)) this.pendingSyncMembers.add(newMemberId);
    return replacement;
  }

  updateMember(member: GroupMember, protocols: Protocol[], rebalanceTimeoutMs: number, sessionTimeoutMs: number, joinWaiter: string | null): void {
    member.protocols = protocols;
    member.rebalanceTimeoutMs = rebalanceTimeoutMs;
    member.sessionTimeoutMs = sessionTimeoutMs;
    this.setJoinWaiter(member, joinWaiter);
  }

  /** A newer request of the same member replaces the waiting one, which is then answered as superseded. */
  setJoinWaiter(member: GroupMember, waiter: string | null): void {
    if (member.joinWaiter !== null && member.joinWaiter !== waiter) this.abandonedWaiters.add(member.joinWaiter);
    member.joinWaiter = waiter;
  }

  setSyncWaiter(member: GroupMember, waiter: string | null): void {
    if (member.syncWaiter !== null && member.syncWaiter !== waiter) this.abandonedWaiters.add(member.syncWaiter);
    member.syncWaiter = waiter;
  }

  /** Answers the member's waiting JoinGroup, if any; true if there was one. */
  completeJoin(member: GroupMember, reply: JoinReply): boolean {
    if (member.joinWaiter === null) return false;
    this.replies.set(member.joinWaiter, { kind: 'join', join: reply });
    member.joinWaiter = null;
    return true;
  }

  completeSync(member: GroupMember, reply: SyncReply): boolean {
    if (member.syncWaiter === null) return false;
    this.replies.set(member.syncWaiter, { kind: 'sync', sync: reply });
    member.syncWaiter = null;
    return true;
  }

  initNextGeneration(): void {
    this.generationId++;
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol();
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.CompletingRebalance);
    } else {
      this.protocolName = null;
      this.subscribedTopics = this.computeSubscribedTopics();
      this.transitionTo(GroupState.Empty);
    }
    this.pendingSyncMembers.clear();
  }
}

/** Just enough of a group to check a member's identity (the heartbeat and commit paths load only that). */
export interface MemberDirectory {
  staticMemberId(groupInstanceId: string): string | null;
  hasMember(memberId: string): boolean;
}

export function validateMemberIdentity(directory: MemberDirectory, memberId: string, groupInstanceId: string | null): number {
  if (groupInstanceId !== null) {
    const existing = directory.staticMemberId(groupInstanceId);
    if (existing === null) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (existing !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
  }
  if (!directory.hasMember(memberId)) return ErrorCode.UNKNOWN_MEMBER_ID;
  return ErrorCode.NONE;
}

/**
 * The topics of a consumer protocol subscription, read with the version 0 layout that prefixes every
 * version (version int16, topics [string], user data nullable bytes); null if the bytes do not parse.
 */
export function subscriptionTopics(metadata: Buffer): string[] | null {
  try {
    let pos = 0;
    const version = metadata.readInt16BE(pos);
    pos += 2;
    if (version < 0) return null;
    const count = metadata.readInt32BE(pos);
    pos += 4;
    if (count < 0) return null;
    const topics: string[] = [];
    for (let i = 0; i < count; i++) {
      const length = metadata.readInt16BE(pos);
      pos += 2;
      if (length < 0 || pos + length > metadata.length) return null;
      topics.push(metadata.toString('utf8', pos, pos + length));
      pos += length;
    }
    const userDataLength = metadata.readInt32BE(pos);
    pos += 4;
    if (userDataLength > 0 && pos + userDataLength > metadata.length) return null;
    return topics;
  } catch {
    return null;
  }
}
