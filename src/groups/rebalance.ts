/**
 * The classic group protocol's rules, applied to a ClassicGroup inside one Postgres transaction: JoinGroup,
 * SyncGroup, Heartbeat, LeaveGroup, OffsetCommit validation and the timers (initial rebalance delay,
 * rebalance timeout, pending-sync expiry, session expiry). They follow Kafka's group coordinator
 * (GroupMetadataManager / ClassicGroup) rule for rule, including its error codes, so clients see the
 * same protocol; where Kafka waits on an asynchronous log append, the transaction commit plays that part.
 */
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes.js';
import {
  ClassicGroup,
  EMPTY_ASSIGNMENT,
  GroupMember,
  GroupState,
  joinError,
  syncError,
  validateMemberIdentity,
  type MemberDirectory,
  type Protocol,
} from './classic-group.js';

export interface RebalanceConfig {
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** How long a new member's JoinGroup may wait before it is dropped (Kafka: 5 minutes, not configurable). */
  newMemberJoinTimeoutMs: number;
  /** group.max.size */
  maxSize: number;
}

export const NEW_MEMBER_JOIN_TIMEOUT_MS = 5 * 60 * 1000;

export interface JoinRequest {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  /** v4+: a new dynamic member first gets MEMBER_ID_REQUIRED and an id to rejoin with. */
  requireKnownMemberId: boolean;
  /** v9+: a static leader rejoining a stable group is told to skip the assignment. */
  supportsSkippingAssignment: boolean;
  /** The waiting request; its answer is recorded under this id. */
  waiterId: string;
}

export interface SyncRequest {
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
  waiterId: string;
}

export interface LeaveMember {
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveResult {
  memberId: string;
  groupInstanceId: string | null;
  errorCode: number;
}

export class Rebalancer {
  constructor(
    private readonly group: ClassicGroup,
    private readonly config: RebalanceConfig,
  ) {}

  private get now(): number {
    return this.group.nowMs;
  }

  // --- timers ---

  private rescheduleHeartbeat(member: GroupMember, timeoutMs = member.sessionTimeoutMs): void {
    member.sessionDeadlineMs = this.now + timeoutMs;
  }

  private scheduleJoin(delayMs: number, initial: { delayMs: number; remainingMs: number } | null = null): void {
    this.group.joinTimer = { deadlineMs: this.now + delayMs, initial };
  }

  /** Fires every timer whose deadline has passed, earliest first, as Kafka's timer would have. */
  runDueTimers(): void {
    const g = this.group;
    for (let fired = 0; fired < 100_000; fired++) {
      let next: { at: number; fire: () => void } | null = null;
      const consider = (at: number | null | undefined, fire: () => void): void => {
        if (at === null || at === undefined || at > this.now) return;
        if (next === null || at < next.at) next = { at, fire };
      };
      for (const [memberId, at] of g.pendingMembers) {
        consider(at, () => this.expirePendingMember(memberId));
      }
      for (const member of g.allMembers()) {
        consider(member.sessionDeadlineMs, () => {
          member.sessionDeadlineMs = null;
          this.expireHeartbeat(member.memberId);
        });
      }
      const sync = g.syncTimer;
      if (sync) {
        consider(sync.deadlineMs, () => {
          g.syncTimer = null;
          this.expirePendingSync(sync.generationId);
        });
      }
      const join = g.joinTimer;
      if (join) {
        consider(join.deadlineMs, () => {
          g.joinTimer = null;
          if (join.initial) this.tryCompleteInitialRebalanceElseSchedule(join.initial.delayMs, join.initial.remainingMs);
          else this.completeJoinPhase();
        });
      }
      if (next === null) return;
      (next as { fire: () => void }).fire();
    }
    throw new Error(`group ${g.groupId}: timers keep firing`);
  }

  /** A member id handed out with MEMBER_ID_REQUIRED was never used: forget it. */
  private expirePendingMember(memberId: string): void {
    const g = this.group;
    g.remove(memberId);
    if (g.isInState(GroupState.PreparingRebalance) && g.hasAllMembersJoined()) this.completeJoinPhase();
  }

  private expireHeartbeat(memberId: string): void {
    const g = this.group;
    if (g.isInState(GroupState.Dead) || !g.hasMember(memberId)) return;
    const member = g.member(memberId);
    if (!member.hasSatisfiedHeartbeat()) this.removeMemberAndUpdateGroup(member);
  }

  private removeMemberAndUpdateGroup(member: GroupMember): void {
    const g = this.group;
    // A new member may time out while its JoinGroup waits: answer it so a live client rejoins.
    g.completeJoin(member, joinError(ErrorCode.UNKNOWN_MEMBER_ID, ''));
    g.remove(member.memberId);
    if (g.isInState(GroupState.Stable) || g.isInState(GroupState.CompletingRebalance)) {
      this.maybePrepareRebalanceOrCompleteJoin();
    } else if (g.isInState(GroupState.PreparingRebalance) && g.hasAllMembersJoined()) {
      this.completeJoinPhase();
    }
  }

  private expirePendingSync(generationId: number): void {
    const g = this.group;
    if (generationId !== g.generationId) return;
    if (!(g.isInState(GroupState.CompletingRebalance) || g.isInState(GroupState.Stable))) return;
    if (g.pendingSyncMembers.size === 0) return;
    for (const memberId of [...g.pendingSyncMembers]) g.remove(memberId);
    this.prepareRebalance();
  }

  private tryCompleteInitialRebalanceElseSchedule(delayMs: number, remainingMs: number): void {
    const g = this.group;
    if (g.newMemberAdded && remainingMs !== 0) {
      // Someone joined during the delay: wait once more, within the rebalance timeout.
      g.newMemberAdded = false;
      const nextDelayMs = Math.min(this.config.initialRebalanceDelayMs, remainingMs);
      const nextRemainingMs = Math.max(remainingMs - delayMs, 0);
      this.scheduleJoin(nextDelayMs, { delayMs: nextDelayMs, remainingMs: nextRemainingMs });
    } else {
      this.completeJoinPhase();
    }
  }

  // --- the rebalance itself ---

  private maybePrepareRebalanceOrCompleteJoin(): void {
    if (this.group.canRebalance()) this.prepareRebalance();
    else this.maybeCompleteJoinPhase();
  }

  private prepareRebalance(): void {
    const g = this.group;
    // Members waiting in SyncGroup must rejoin.
    if (g.isInState(GroupState.CompletingRebalance)) this.resetAndPropagateAssignmentWithError(ErrorCode.REBALANCE_IN_PROGRESS);
    g.pendingSyncMembers.clear();
    g.syncTimer = null;

    const isInitialRebalance = g.isInState(GroupState.Empty);
    if (isInitialRebalance) {
      // A new group waits a little for more members, so it does not rebalance once per arriving member.
      const delayMs = this.config.initialRebalanceDelayMs;
      const remainingMs = Math.max(g.rebalanceTimeoutMs() - delayMs, 0);
      this.scheduleJoin(delayMs, { delayMs, remainingMs });
    }
    g.transitionTo(GroupState.PreparingRebalance);
    if (!isInitialRebalance) this.maybeCompleteJoinElseSchedule();
  }

  private maybeCompleteJoinElseSchedule(): void {
    if (this.group.hasAllMembersJoined()) this.completeJoinPhase();
    else this.scheduleJoin(this.group.rebalanceTimeoutMs());
  }

  /** Completes the join phase once everyone rejoined, except during the initial rebalance delay. */
  private maybeCompleteJoinPhase(): void {
    const g = this.group;
    if (!g.isInState(GroupState.PreparingRebalance)) return;
    if (g.previousState === GroupState.Empty) return;
    if (!g.hasAllMembersJoined()) return;
    this.completeJoinPhase();
  }

  private completeJoinPhase(): void {
    const g = this.group;
    g.joinTimer = null;
    // Dynamic members that did not rejoin in time are gone; static ones keep their slot.
    for (const member of g.notYetRejoinedMembers()) {
      if (!member.isStatic) g.remove(member.memberId);
    }
    if (g.isInState(GroupState.Dead)) return;
    if (!g.maybeElectNewJoinedLeader() && g.numMembers() > 0) {
      // Nobody rejoined: wait again until session timeouts remove the silent members.
      this.scheduleJoin(g.rebalanceTimeoutMs());
      return;
    }
    g.initNextGeneration();
    if (g.isInState(GroupState.Empty)) return;
    for (const member of g.allMembers()) {
      g.completeJoin(member, {
        errorCode: ErrorCode.NONE,
        generationId: g.generationId,
        protocolType: g.protocolType,
        protocolName: g.protocolName,
        leader: g.leaderId ?? '',
        memberId: member.memberId,
        skipAssignment: false,
        members: g.isLeader(member.memberId) ? g.currentMembersForLeader() : [],
      });
      this.rescheduleHeartbeat(member);
      member.isNew = false;
      g.pendingSyncMembers.add(member.memberId);
    }
    g.syncTimer = { deadlineMs: this.now + g.rebalanceTimeoutMs(), generationId: g.generationId };
  }

  private resetAndPropagateAssignmentWithError(errorCode: number): void {
    for (const member of this.group.allMembers()) member.assignment = EMPTY_ASSIGNMENT;
    this.propagateAssignment(errorCode);
  }

  private propagateAssignment(errorCode: number): void {
    const g = this.group;
    const ok = errorCode === ErrorCode.NONE;
    for (const member of g.allMembers()) {
      const answered = g.completeSync(member, {
        errorCode,
        protocolType: ok ? g.protocolType : null,
        protocolName: ok ? g.protocolName : null,
        assignment: member.assignment,
      });
      // Expirations were ignored while the member waited; its session starts over now.
      if (answered) this.rescheduleHeartbeat(member);
    }
  }

  private removePendingSyncMember(memberId: string): void {
    const g = this.group;
    g.pendingSyncMembers.delete(memberId);
    if (g.isInState(GroupState.Dead) || g.isInState(GroupState.Empty) || g.isInState(GroupState.PreparingRebalance)) {
      g.syncTimer = null;
    } else if (g.pendingSyncMembers.size === 0) {
      g.syncTimer = null;
    }
  }

  // --- JoinGroup ---

  /** Handles a JoinGroup; its answer is either recorded under `request.waiterId` or parked on the member. */
  join(request: JoinRequest): void {
    const g = this.group;
    if (!this.acceptJoiningMember(request.memberId)) {
      g.remove(request.memberId);
      this.replyJoin(request.waiterId, joinError(ErrorCode.GROUP_MAX_SIZE_REACHED, ''));
    } else if (request.memberId === '') {
      this.joinNewMember(request);
    } else {
      this.joinExistingMember(request);
    }
  }

  private replyJoin(waiterId: string, reply: ReturnType<typeof joinError>): void {
    this.group.replies.set(waiterId, { kind: 'join', join: reply });
  }

  private acceptJoiningMember(memberId: string): boolean {
    const g = this.group;
    switch (g.state) {
      case GroupState.Empty:
      case GroupState.Dead:
        return true;
      case GroupState.PreparingRebalance:
        return (g.hasMember(memberId) && g.member(memberId).isAwaitingJoin) || g.numAwaitingJoinResponse() < this.config.maxSize;
      default:
        return g.hasMember(memberId) || g.numMembers() < this.config.maxSize;
    }
  }

  private joinNewMember(request: JoinRequest): void {
    const g = this.group;
    if (g.isInState(GroupState.Dead)) {
      this.replyJoin(request.waiterId, joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, ''));
      return;
    }
    if (!g.supportsProtocols(request.protocolType, request.protocols.map((p) => p.name))) {
      this.replyJoin(request.waiterId, joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, ''));
      return;
    }
    const newMemberId = `${request.groupInstanceId ?? request.clientId}-${randomUUID()}`;
    if (request.groupInstanceId !== null) {
      const existingMemberId = g.staticMemberId(request.groupInstanceId);
      if (existingMemberId !== null) this.updateStaticMemberThenRebalanceOrCompleteJoin(request, existingMemberId, newMemberId);
      else this.addMemberThenRebalanceOrCompleteJoin(request, newMemberId);
      return;
    }
    if (request.requireKnownMemberId) {
      // The client must come back with this id; until then it holds up the join phase as a pending member.
      g.pendingMembers.set(newMemberId, this.now + request.sessionTimeoutMs);
      this.replyJoin(request.waiterId, joinError(ErrorCode.MEMBER_ID_REQUIRED, newMemberId));
      return;
    }
    this.addMemberThenRebalanceOrCompleteJoin(request, newMemberId);
  }

  private joinExistingMember(request: JoinRequest): void {
    const g = this.group;
    const { memberId } = request;
    if (g.isInState(GroupState.Dead)) {
      this.replyJoin(request.waiterId, joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, memberId));
      return;
    }
    if (!g.supportsProtocols(request.protocolType, request.protocols.map((p) => p.name))) {
      this.replyJoin(request.waiterId, joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, memberId));
      return;
    }
    if (g.isPendingMember(memberId)) {
      if (request.groupInstanceId !== null) {
        // Pending ids are only handed to dynamic members; a static join with one is not this member.
        this.replyJoin(request.waiterId, joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
        return;
      }
      this.addMemberThenRebalanceOrCompleteJoin(request, memberId);
      return;
    }
    const invalid = g.validateMember(memberId, request.groupInstanceId);
    if (invalid !== ErrorCode.NONE) {
      this.replyJoin(request.waiterId, joinError(invalid, memberId));
      return;
    }
    const member = g.member(memberId);
    switch (g.state) {
      case GroupState.PreparingRebalance:
        this.updateMemberThenRebalanceOrCompleteJoin(request, member);
        return;
      case GroupState.CompletingRebalance:
        if (member.matches(request.protocols)) {
          // Same metadata: it probably missed the JoinGroup answer; give it the current generation again.
          this.replyJoin(request.waiterId, this.currentGenerationReply(memberId, g.isLeader(memberId)));
        } else {
          this.updateMemberThenRebalanceOrCompleteJoin(request, member);
        }
        return;
      case GroupState.Stable:
        if (g.isLeader(memberId) || !member.matches(request.protocols)) {
          // The leader rejoining forces a rebalance (e.g. topic metadata changed); so does new metadata.
          this.updateMemberThenRebalanceOrCompleteJoin(request, member);
        } else {
          this.replyJoin(request.waiterId, this.currentGenerationReply(memberId, false));
        }
        return;
      default:
        this.replyJoin(request.waiterId, joinError(ErrorCode.UNKNOWN_MEMBER_ID, memberId));
    }
  }

  private currentGenerationReply(memberId: string, withMembers: boolean): ReturnType<typeof joinError> {
    const g = this.group;
    return {
      errorCode: ErrorCode.NONE,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leader: g.leaderId ?? '',
      memberId,
      skipAssignment: false,
      members: withMembers ? g.currentMembersForLeader() : [],
    };
  }

  private updateMemberThenRebalanceOrCompleteJoin(request: JoinRequest, member: GroupMember): void {
    this.group.updateMember(member, request.protocols, request.rebalanceTimeoutMs, request.sessionTimeoutMs, request.waiterId);
    this.maybePrepareRebalanceOrCompleteJoin();
  }

  private addMemberThenRebalanceOrCompleteJoin(request: JoinRequest, memberId: string): void {
    const g = this.group;
    const member = new GroupMember(
      g.nextMemberSeq(), memberId, request.groupInstanceId, request.clientId, request.clientHost,
      request.rebalanceTimeoutMs, request.sessionTimeoutMs, request.protocolType, request.protocols,
    );
    member.isNew = true;
    // A member arriving during the initial delay extends it.
    if (g.isInState(GroupState.PreparingRebalance) && g.previousState === GroupState.Empty) g.newMemberAdded = true;
    g.add(member, request.waiterId);
    // Parked joins cannot heartbeat and a vanished client cannot be noticed: new members time out instead.
    this.rescheduleHeartbeat(member, this.config.newMemberJoinTimeoutMs);
    this.maybePrepareRebalanceOrCompleteJoin();
  }

  private updateStaticMemberThenRebalanceOrCompleteJoin(request: JoinRequest, oldMemberId: string, newMemberId: string): void {
    const g = this.group;
    const previousLeader = g.leaderId ?? '';
    const member = g.replaceStaticMember(request.groupInstanceId!, oldMemberId, newMemberId);
    this.rescheduleHeartbeat(member);
    g.updateMember(member, request.protocols, request.rebalanceTimeoutMs, request.sessionTimeoutMs, request.waiterId);

    switch (g.state) {
      case GroupState.Stable: {
        if ((g.protocolName ?? '') !== g.selectProtocol()) {
          this.maybePrepareRebalanceOrCompleteJoin();
          return;
        }
        // Same protocol: the instance takes its place back without a rebalance of the others.
        const isLeader = g.isLeader(newMemberId);
        if (request.supportsSkippingAssignment) {
          g.completeJoin(member, {
            errorCode: ErrorCode.NONE,
            generationId: g.generationId,
            protocolType: g.protocolType,
            protocolName: g.protocolName,
            leader: g.leaderId ?? '',
            memberId: newMemberId,
            skipAssignment: isLeader,
            members: isLeader ? g.currentMembersForLeader() : [],
          });
        } else {
          // Older clients are told the old leader id so a rejoining leader does not compute a new assignment.
          g.completeJoin(member, {
            errorCode: ErrorCode.NONE,
            generationId: g.generationId,
            protocolType: g.protocolType,
            protocolName: g.protocolName,
            leader: previousLeader,
            memberId: newMemberId,
            skipAssignment: false,
            members: [],
          });
        }
        return;
      }
      case GroupState.CompletingRebalance:
        // The leader may already be assigning to the old id: rebalance so the new id gets an assignment.
        this.prepareRebalance();
        return;
      case GroupState.PreparingRebalance:
        this.maybeCompleteJoinPhase();
        return;
      default:
        throw new Error(`group ${g.groupId} in state ${g.state} while static member ${request.groupInstanceId} rejoins`);
    }
  }

  // --- SyncGroup ---

  sync(request: SyncRequest): void {
    const g = this.group;
    const reply = (r: ReturnType<typeof syncError>): void => {
      g.replies.set(request.waiterId, { kind: 'sync', sync: r });
    };
    if (g.isInState(GroupState.Empty)) return reply(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    if (g.isInState(GroupState.Dead)) return reply(syncError(ErrorCode.COORDINATOR_NOT_AVAILABLE));
    const invalid = g.validateMember(request.memberId, request.groupInstanceId);
    if (invalid !== ErrorCode.NONE) return reply(syncError(invalid));
    if (request.generationId !== g.generationId) return reply(syncError(ErrorCode.ILLEGAL_GENERATION));
    if (isProtocolInconsistent(request.protocolType, g.protocolType) || isProtocolInconsistent(request.protocolName, g.protocolName)) {
      return reply(syncError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL));
    }
    switch (g.state) {
      case GroupState.PreparingRebalance:
        return reply(syncError(ErrorCode.REBALANCE_IN_PROGRESS));
      case GroupState.CompletingRebalance: {
        const member = g.member(request.memberId);
        g.setSyncWaiter(member, request.waiterId);
        this.removePendingSyncMember(request.memberId);
        if (g.isLeader(request.memberId)) {
          // Only the leader's assignments count; ids that are not members are ignored, missing ones get nothing.
          const assignment = new Map(request.assignments.map((a) => [a.memberId, a.assignment]));
          for (const m of g.allMembers()) m.assignment = assignment.get(m.memberId) ?? EMPTY_ASSIGNMENT;
          this.propagateAssignment(ErrorCode.NONE);
          g.transitionTo(GroupState.Stable);
        }
        return;
      }
      case GroupState.Stable: {
        this.removePendingSyncMember(request.memberId);
        const member = g.member(request.memberId);
        return reply({
          errorCode: ErrorCode.NONE,
          protocolType: g.protocolType,
          protocolName: g.protocolName,
          assignment: member.assignment,
        });
      }
      default:
        return reply(syncError(ErrorCode.UNKNOWN_MEMBER_ID));
    }
  }

  // --- Heartbeat (the full path, used when timers were due) ---

  heartbeat(memberId: string, groupInstanceId: string | null, generationId: number): number {
    const g = this.group;
    if (g.isInState(GroupState.Dead)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const invalid = g.validateMember(memberId, groupInstanceId);
    if (invalid !== ErrorCode.NONE) return invalid;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    switch (g.state) {
      case GroupState.Empty:
        return ErrorCode.UNKNOWN_MEMBER_ID;
      case GroupState.PreparingRebalance:
        this.rescheduleHeartbeat(g.member(memberId));
        return ErrorCode.REBALANCE_IN_PROGRESS;
      default:
        this.rescheduleHeartbeat(g.member(memberId));
        return ErrorCode.NONE;
    }
  }

  // --- LeaveGroup ---

  leave(members: readonly LeaveMember[]): LeaveResult[] {
    const g = this.group;
    const results: LeaveResult[] = [];
    for (const m of members) {
      const result = (errorCode: number): void => {
        results.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
      };
      if (m.memberId === '') {
        // Administrative removal of a static member by its instance id alone.
        const staticMemberId = m.groupInstanceId !== null ? g.staticMemberId(m.groupInstanceId) : null;
        if (staticMemberId === null) {
          result(ErrorCode.UNKNOWN_MEMBER_ID);
        } else {
          this.removeCurrentMember(staticMemberId);
          result(ErrorCode.NONE);
        }
      } else if (g.isPendingMember(m.memberId)) {
        g.remove(m.memberId);
        result(ErrorCode.NONE);
      } else {
        const invalid = g.validateMember(m.memberId, m.groupInstanceId);
        if (invalid !== ErrorCode.NONE) {
          result(invalid);
        } else {
          this.removeCurrentMember(m.memberId);
          result(ErrorCode.NONE);
        }
      }
    }
    if (results.some((r) => r.errorCode === ErrorCode.NONE)) {
      if (g.isInState(GroupState.Stable) || g.isInState(GroupState.CompletingRebalance)) this.maybePrepareRebalanceOrCompleteJoin();
      else if (g.isInState(GroupState.PreparingRebalance)) this.maybeCompleteJoinPhase();
    }
    return results;
  }

  private removeCurrentMember(memberId: string): void {
    const g = this.group;
    const member = g.member(memberId);
    g.completeJoin(member, joinError(ErrorCode.UNKNOWN_MEMBER_ID, ''));
    g.remove(memberId);
  }
}

function isProtocolInconsistent(requested: string | null, current: string | null): boolean {
  return requested !== null && current !== null && requested !== current;
}

/** The part of Kafka's OffsetCommit validation that needs the group's state and the member's identity. */
export function offsetCommitError(
  group: { state: string; generationId: number } & MemberDirectory,
  memberId: string,
  groupInstanceId: string | null,
  generationId: number,
): number {
  if (group.state === GroupState.Dead) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
  // Generation -1 comes from admin tools and consumers using assign(): accepted while the group is empty.
  if (generationId < 0 && group.state === GroupState.Empty) return ErrorCode.NONE;
  if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
    const invalid = validateMemberIdentity(group, memberId, groupInstanceId);
    if (invalid !== ErrorCode.NONE) return invalid;
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
  } else if (group.state !== GroupState.Empty) {
    return ErrorCode.UNKNOWN_MEMBER_ID;
  }
  if (group.state === GroupState.CompletingRebalance) return ErrorCode.REBALANCE_IN_PROGRESS;
  return ErrorCode.NONE;
}
