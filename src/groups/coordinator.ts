/**
 * The group coordinator of one gateway. Group state is in Postgres, so every gateway coordinates every
 * group; this class runs the Kafka operations as GroupStore calls (each one transaction, the decisions
 * made inside on the group's records), parks JoinGroup/SyncGroup requests until a transaction on any
 * gateway answers them, and drives the group timers.
 *
 * Waiting: a parked request re-reads its row in kpg.group_replies whenever NOTIFY kpg_groups says that
 * answers were written for its group (payload `<group_key>+`, sent by the transaction that wrote them),
 * after the LISTEN connection reconnects (notifications may have been lost), and at a slow safety interval.
 *
 * Timers: deadlines are columns (groups.timer_deadline_ms, group_members.session_deadline_ms) on Postgres'
 * clock. Each gateway's sweeper sleeps until the earliest deadline it knows of, then fires the due timers
 * of each due group under that group's row lock; whichever gateway comes first does the work, the others
 * find nothing due. It learns of deadlines set elsewhere by re-reading the earliest deadline after group
 * notifications, so groups that change nothing cost no queries.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { ChangeNotifications } from '../storage/notifications.js';
import type { GroupRef, GroupStore, GroupUpdate, SharedGroupDecision, SharedGroupView, StoredOffset } from '../storage/groups.js';
import { partitionKey } from '../storage/partition-key.js';
import type { TopicRecord } from '../storage/topics.js';
import {
  ClassicGroup,
  type GroupReply,
  GroupState,
  joinError,
  type GroupStateName,
  type JoinReply,
  type Protocol,
  type SyncReply,
  syncError,
  validateMemberIdentity,
} from './classic-group.js';
import { NEW_MEMBER_JOIN_TIMEOUT_MS, offsetCommitError, Rebalancer, type LeaveMember, type LeaveResult, type RebalanceConfig } from './rebalance.js';

/** A parked request re-reads its reply at least this often, in case a notification was lost. */
const WAITER_SAFETY_RECHECK_MS = 5_000;
/** The sweeper re-reads the earliest deadline at least this often. */
const SWEEPER_MAX_SLEEP_MS = 60_000;
/** Group notifications arriving within this window cause one re-read of the earliest deadline. */
const SWEEPER_REFRESH_DEBOUNCE_MS = 50;
const SWEEP_BATCH = 100;

export interface TopicLookup {
  byNames(names: readonly string[]): Promise<Map<string, TopicRecord>>;
}

export interface JoinGroupInput {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
  apiVersion: number;
}

export interface SyncGroupInput {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface CommitPartition {
  topic: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string | null;
  /** v1 only; -1 means now. */
  commitTimestampMs: bigint;
}

export interface CommitInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** v2-4; -1 means the broker's offsets.retention.minutes. */
  retentionTimeMs: bigint;
  apiVersion: number;
  partitions: CommitPartition[];
}

export interface FetchedPartition {
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  errorCode: number;
}

export interface FetchedGroup {
  groupId: string;
  errorCode: number;
  topics: { name: string; partitions: FetchedPartition[] }[];
}

export interface DescribedGroup {
  groupId: string;
  errorCode: number;
  errorMessage: string | null;
  state: GroupStateName;
  protocolType: string;
  protocolData: string;
  members: {
    memberId: string;
    groupInstanceId: string | null;
    clientId: string;
    clientHost: string;
    metadata: Buffer;
    assignment: Buffer;
  }[];
}

export interface ListedGroup {
  groupId: string;
  protocolType: string;
  state: GroupStateName;
}

interface Waiter {
  wake: () => void;
}

/** What a rebalance step did, for the request that ran it. */
interface StepOutcome<T> extends StepResult<T> {
  nowMs: number;
}

interface StepResult<T> {
  result: T;
  /** Null when the group does not exist (and was not created). */
  groupKey: number | null;
  /** The answer to the caller's own waiting request, when this step gave it. */
  ownReply: GroupReply | null;
  /** Whether the caller's own request was left waiting. */
  parked: boolean;
  /** Whether waiting requests (of anyone) were answered or superseded: their waiters must look. */
  answered: boolean;
  /** The earliest deadline of the group after the step, for the local sweeper. */
  nextDeadlineMs: number | null;
}

const NOTHING_ANSWERED = { ownReply: null, parked: false, answered: false, nextDeadlineMs: null } as const;

/**
 * What a rebalance step stores: the group as the rules left it, the answers to other requests, and the
 * caller's own request (`ownWaiter`) answered at once or parked until another step answers it.
 */
function stepUpdate<T>(group: ClassicGroup, result: T, ownWaiter: string | undefined): GroupUpdate<StepResult<T>> {
  const replies = new Map(group.replies);
  const ownReply = ownWaiter === undefined ? undefined : replies.get(ownWaiter);
  if (ownReply) replies.delete(ownWaiter!);
  const parked = ownWaiter !== undefined && !ownReply && group.isWaiting(ownWaiter);
  return {
    answer: {
      result,
      groupKey: group.groupKey,
      ownReply: ownReply ?? null,
      parked,
      answered: replies.size > 0 || group.abandonedWaiters.size > 0,
      nextDeadlineMs: group.nextDeadlineMs(),
    },
    next: group.records(),
    replies,
    supersededWaiters: group.abandonedWaiters,
    parkedWaiters: parked ? [ownWaiter] : [],
    deletedOffsets: group.deletedOffsets,
  };
}

export class GroupCoordinator {
  private readonly waiters = new Map<number, Set<Waiter>>();
  /** Postgres' clock minus ours, to sleep until a deadline measured on Postgres' clock. */
  private clockOffsetMs = 0;
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweepAtMs: number | null = null;
  private sweeping: Promise<void> | null = null;
  private refreshTimer: NodeJS.Timeout | undefined;
  private cleanupTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private unlisten: (() => void) | undefined;

  constructor(
    private readonly store: GroupStore,
    private readonly notifications: ChangeNotifications,
    private readonly config: BrokerConfig,
    private readonly topics: TopicLookup,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.unlisten = this.listen();
    this.refreshSoon();
    this.scheduleCleanup();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unlisten?.();
    clearTimeout(this.sweepTimer);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.cleanupTimer);
    await this.sweeping?.catch(() => undefined);
  }

  /** The one subscription to other gateways' news; returns how to unsubscribe. */
  private listen(): () => void {
    const onGroupChanged = (groupKey: number, repliesWritten: boolean): void => this.groupChanged(groupKey, repliesWritten);
    const onReconnected = (): void => this.notificationsLost();
    this.notifications.on('groupChanged', onGroupChanged);
    this.notifications.on('reconnected', onReconnected);
    return () => {
      this.notifications.off('groupChanged', onGroupChanged);
      this.notifications.off('reconnected', onReconnected);
    };
  }

  /** A group changed on some gateway; `answersWritten` when answers to waiting requests were stored. */
  private groupChanged(groupKey: number, answersWritten: boolean): void {
    if (answersWritten) this.wake(groupKey);
    this.refreshSoon();
  }

  /** News may have been missed: every waiter and the sweeper look again. */
  private notificationsLost(): void {
    for (const key of [...this.waiters.keys()]) this.wake(key);
    this.refreshSoon();
  }

  private rebalanceConfig(): RebalanceConfig {
    return {
      initialRebalanceDelayMs: this.config.int('group.initial.rebalance.delay.ms'),
      newMemberJoinTimeoutMs: NEW_MEMBER_JOIN_TIMEOUT_MS,
      maxSize: this.config.int('group.max.size'),
    };
  }

  private rebalancer(group: ClassicGroup): Rebalancer {
    const r = new Rebalancer(group, this.rebalanceConfig());
    r.runDueTimers();
    return r;
  }

  /**
   * One rebalance step: `work` runs on the group under its exclusive lock (null when it does not exist)
   * and whatever it did to the group is stored. `waiterId` is the caller's own request: answered in this
   * step (`ownReply`) or left waiting (`parked`) for another step, on any gateway, to answer.
   */
  private async step<T>(
    ref: GroupRef,
    options: { create: boolean; waiterId?: string },
    work: (group: ClassicGroup | null) => T,
  ): Promise<StepOutcome<T>> {
    const { answer, nowMs } = await this.store.update(ref, { create: options.create }, (locked): GroupUpdate<StepResult<T>> => {
      if (!locked) return { answer: { result: work(null), groupKey: null, ...NOTHING_ANSWERED } };
      const group = ClassicGroup.restore(locked);
      const result = work(group);
      if (group.deleted) return { answer: { result, groupKey: group.groupKey, ...NOTHING_ANSWERED }, next: 'delete' };
      return stepUpdate(group, result, options.waiterId);
    });
    return { ...answer, nowMs };
  }

  // --- JoinGroup / SyncGroup ---

  async join(input: JoinGroupInput, shutdown: AbortSignal): Promise<JoinReply> {
    const waiterId = randomUUID();
    const outcome = await this.step(
      { groupId: input.groupId },
      // Joining without a member id creates the group; with one, the group must exist.
      { create: input.memberId === '', waiterId },
      (group) => {
        if (!group) return joinError(ErrorCode.UNKNOWN_MEMBER_ID, input.memberId);
        this.rebalancer(group).join({
          ...input,
          requireKnownMemberId: input.apiVersion >= 4,
          supportsSkippingAssignment: input.apiVersion >= 9,
          waiterId,
        });
        return null;
      },
    );
    this.afterTransaction(outcome);
    if (outcome.result) return outcome.result;
    const reply = await this.answerOf(outcome, waiterId, shutdown);
    if (reply === 'superseded') return joinError(ErrorCode.REBALANCE_IN_PROGRESS, input.memberId);
    if (reply === 'shutdown') return joinError(ErrorCode.NOT_COORDINATOR, input.memberId);
    if (reply.kind !== 'join') throw new Error('a JoinGroup got a SyncGroup reply');
    return reply.join;
  }

  async sync(input: SyncGroupInput, shutdown: AbortSignal): Promise<SyncReply> {
    const waiterId = randomUUID();
    const outcome = await this.step({ groupId: input.groupId }, { create: false, waiterId }, (group) => {
      if (!group) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
      this.rebalancer(group).sync({ ...input, waiterId });
      return null;
    });
    this.afterTransaction(outcome);
    if (outcome.result) return outcome.result;
    const reply = await this.answerOf(outcome, waiterId, shutdown);
    if (reply === 'superseded') return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
    if (reply === 'shutdown') return syncError(ErrorCode.NOT_COORDINATOR);
    if (reply.kind !== 'sync') throw new Error('a SyncGroup got a JoinGroup reply');
    return reply.sync;
  }

  /** The answer to the caller's request: given in its own transaction, or awaited from another one. */
  private async answerOf(
    outcome: StepOutcome<unknown>,
    waiterId: string,
    shutdown: AbortSignal,
  ): Promise<GroupReply | 'superseded' | 'shutdown'> {
    if (outcome.ownReply) return outcome.ownReply;
    if (!outcome.parked || outcome.groupKey === null) throw new Error('request neither answered nor parked');
    return this.awaitReply(outcome.groupKey, waiterId, shutdown);
  }

  private async awaitReply(
    groupKey: number,
    waiterId: string,
    shutdown: AbortSignal,
  ): Promise<GroupReply | 'superseded' | 'shutdown'> {
    for (;;) {
      let woken!: () => void;
      const wakeup = new Promise<void>((resolve) => (woken = resolve));
      const waiter: Waiter = { wake: woken };
      // Registered before reading, so a notification between the read and the wait is not lost.
      this.register(groupKey, waiter);
      const onAbort = (): void => woken();
      shutdown.addEventListener('abort', onAbort, { once: true });
      const safety = setTimeout(woken, WAITER_SAFETY_RECHECK_MS);
      try {
        const taken = await this.store.takeReply(waiterId);
        if (taken.status === 'replied') return taken.reply;
        if (taken.status === 'gone') return 'superseded';
        if (!shutdown.aborted) await wakeup;
        if (shutdown.aborted) {
          await this.store.releaseWaiter(groupKey, waiterId).catch((err) => this.log.warn({ err }, 'could not release a waiting group request'));
          return 'shutdown';
        }
      } finally {
        clearTimeout(safety);
        shutdown.removeEventListener('abort', onAbort);
        this.unregister(groupKey, waiter);
      }
    }
  }

  private register(groupKey: number, waiter: Waiter): void {
    let set = this.waiters.get(groupKey);
    if (!set) this.waiters.set(groupKey, (set = new Set()));
    set.add(waiter);
  }

  private unregister(groupKey: number, waiter: Waiter): void {
    const set = this.waiters.get(groupKey);
    if (!set) return;
    set.delete(waiter);
    if (set.size === 0) this.waiters.delete(groupKey);
  }

  private wake(groupKey: number): void {
    const set = this.waiters.get(groupKey);
    if (!set) return;
    for (const w of set) w.wake();
  }

  /** After any group transaction: learn Postgres' clock, wake local waiters, tell the sweeper. */
  private afterTransaction(outcome: StepOutcome<unknown>): void {
    this.clockOffsetMs = outcome.nowMs - Date.now();
    if (outcome.answered && outcome.groupKey !== null) this.wake(outcome.groupKey);
    if (outcome.nextDeadlineMs !== null) this.scheduleSweep(outcome.nextDeadlineMs);
  }

  // --- Heartbeat / LeaveGroup ---

  async heartbeat(groupId: string, memberId: string, groupInstanceId: string | null, generationId: number): Promise<number> {
    const member = { memberId, groupInstanceId };
    const light = await this.store.updateShared(groupId, member, { create: false }, (view): SharedGroupDecision<number | 'timers-due'> => {
      if (!view) return { answer: ErrorCode.UNKNOWN_MEMBER_ID };
      if (view.timersDue) return { answer: 'timers-due' };
      const invalid = validateMemberIdentity(directoryOf(view), memberId, groupInstanceId);
      if (invalid !== ErrorCode.NONE) return { answer: invalid };
      if (generationId !== view.generationId) return { answer: ErrorCode.ILLEGAL_GENERATION };
      if (view.state === GroupState.Empty) return { answer: ErrorCode.UNKNOWN_MEMBER_ID };
      const found = view.members.find((m) => m.memberId === memberId)!;
      return {
        answer: view.state === GroupState.PreparingRebalance ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE,
        extendSession: { memberSeq: found.memberSeq, deadlineMs: view.nowMs + found.sessionTimeoutMs },
      };
    });
    if (light !== 'timers-due') return light;
    // Some timer of the group is due: fire it first, under the group lock, then heartbeat.
    const outcome = await this.step({ groupId }, { create: false }, (group) => {
      if (!group) return ErrorCode.UNKNOWN_MEMBER_ID;
      return this.rebalancer(group).heartbeat(memberId, groupInstanceId, generationId);
    });
    this.afterTransaction(outcome);
    return outcome.result;
  }

  /** Removes members; the group-level error is UNKNOWN_MEMBER_ID for every member when the group is unknown. */
  async leave(groupId: string, members: LeaveMember[]): Promise<LeaveResult[]> {
    const outcome = await this.step({ groupId }, { create: false }, (group) => {
      if (!group) return members.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }));
      return this.rebalancer(group).leave(members);
    });
    this.afterTransaction(outcome);
    return outcome.result;
  }

  // --- offsets ---

  /** Error code per partition of the request, in request order. */
  async commitOffsets(input: CommitInput): Promise<number[]> {
    const codes = input.partitions.map(() => ErrorCode.NONE as number);
    const topics = await this.topics.byNames([...new Set(input.partitions.map((p) => p.topic))]);
    const valid: number[] = [];
    input.partitions.forEach((p, i) => {
      const topic = topics.get(p.topic);
      if (!topic || !topic.partitions.some((tp) => tp.partition === p.partition)) codes[i] = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      else valid.push(i);
    });
    if (valid.length === 0) return codes;

    const maxMetadata = this.config.int('offset.metadata.max.bytes');
    const tooLarge = (i: number): boolean => {
      const metadata = input.partitions[i]!.metadata;
      return metadata !== null && metadata.length > maxMetadata;
    };
    const member = { memberId: input.memberId, groupInstanceId: input.groupInstanceId };
    // A client committing without group management (assign() + group.id, admin tools) creates the group.
    const create = input.generationId < 0;
    for (let attempt = 0; ; attempt++) {
      const result = await this.store.updateShared(input.groupId, member, { create }, (view): SharedGroupDecision<number | 'timers-due'> => {
        if (!view) {
          // v9+ says the group is unknown; older versions keep ILLEGAL_GENERATION for compatibility.
          return { answer: input.apiVersion >= 9 ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.ILLEGAL_GENERATION };
        }
        if (view.timersDue && attempt < 3) return { answer: 'timers-due' };
        const directory = directoryOf(view);
        const error = offsetCommitError({ ...directory, state: view.state, generationId: view.generationId }, input.memberId, input.groupInstanceId, input.generationId);
        if (error !== ErrorCode.NONE) return { answer: error };
        // A commit keeps a member's session alive like a heartbeat, in Stable and PreparingRebalance.
        const found = view.members.find((m) => m.memberId === input.memberId);
        const keepsSession = found !== undefined && (view.state === GroupState.Stable || view.state === GroupState.PreparingRebalance);
        const expireTimestampMs = input.retentionTimeMs === -1n ? null : view.nowMs + Number(input.retentionTimeMs);
        return {
          answer: ErrorCode.NONE,
          extendSession: keepsSession ? { memberSeq: found.memberSeq, deadlineMs: view.nowMs + found.sessionTimeoutMs } : undefined,
          commitOffsets: valid
            .filter((i) => !tooLarge(i))
            .map((i) => {
              const p = input.partitions[i]!;
              return {
                topicId: topics.get(p.topic)!.topicId,
                partition: p.partition,
                offset: p.offset,
                leaderEpoch: p.leaderEpoch,
                metadata: p.metadata ?? '',
                commitTimestampMs: p.commitTimestampMs === -1n ? null : Number(p.commitTimestampMs),
                expireTimestampMs,
              };
            }),
        };
      });
      if (result === 'timers-due') {
        await this.fireDueTimers({ groupId: input.groupId });
        continue;
      }
      for (const i of valid) codes[i] = result === ErrorCode.NONE && tooLarge(i) ? ErrorCode.OFFSET_METADATA_TOO_LARGE : result;
      return codes;
    }
  }

  /** Committed offsets per group; `topics` null means every topic the group has offsets for. */
  async fetchOffsets(requests: { groupId: string; topics: { name: string; partitions: number[] }[] | null }[]): Promise<FetchedGroup[]> {
    const out: FetchedGroup[] = [];
    for (const request of requests) {
      const stored = await this.store.fetchOffsets(request.groupId, request.topics === null ? null : request.topics.map((t) => t.name));
      if (request.topics === null) {
        const byTopic = new Map<string, FetchedPartition[]>();
        for (const o of stored) {
          let list = byTopic.get(o.topicName);
          if (!list) byTopic.set(o.topicName, (list = []));
          list.push(fetched(o));
        }
        out.push({ groupId: request.groupId, errorCode: ErrorCode.NONE, topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })) });
        continue;
      }
      const index = new Map(stored.map((o) => [partitionKey(o.topicName, o.partition), o]));
      out.push({
        groupId: request.groupId,
        errorCode: ErrorCode.NONE,
        topics: request.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((partition) => {
            const o = index.get(partitionKey(t.name, partition));
            // Never committed (or unknown topic): offset -1 and empty metadata, as Kafka answers.
            return o ? fetched(o) : { partition, offset: -1n, leaderEpoch: -1, metadata: '', errorCode: ErrorCode.NONE };
          }),
        })),
      });
    }
    return out;
  }

  /** OffsetDelete: a group-level error, or an error per partition. */
  async deleteOffsets(
    groupId: string,
    topicsRequested: { name: string; partitions: number[] }[],
  ): Promise<{ errorCode: number; topics: { name: string; partitions: { partition: number; errorCode: number }[] }[] }> {
    const topics = await this.topics.byNames([...new Set(topicsRequested.map((t) => t.name))]);
    const outcome = await this.step({ groupId }, { create: false }, (group) => {
      if (!group) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, topics: [] };
      this.rebalancer(group);
      if (group.state !== GroupState.Empty && !group.usesConsumerGroupProtocol()) return { errorCode: ErrorCode.NON_EMPTY_GROUP, topics: [] };
      const result = topicsRequested.map((t) => {
        const topic = topics.get(t.name);
        const subscribed = group.isSubscribedToTopic(t.name);
        return {
          name: t.name,
          partitions: t.partitions.map((partition) => {
            if (!topic || !topic.partitions.some((p) => p.partition === partition)) {
              return { partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
            }
            if (subscribed) return { partition, errorCode: ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC };
            group.deletedOffsets.push({ topicId: topic.topicId, partition });
            return { partition, errorCode: ErrorCode.NONE };
          }),
        };
      });
      return { errorCode: ErrorCode.NONE, topics: result };
    });
    this.afterTransaction(outcome);
    return outcome.result;
  }

  // --- admin ---

  async describeGroups(groupIds: readonly string[], apiVersion: number): Promise<DescribedGroup[]> {
    // Timers that are due first, so the answer shows the group as it is now.
    const summaries = await this.store.groupSummaries(groupIds);
    for (const s of summaries) if (s.timersDue) await this.fireDueTimers({ groupKey: s.groupKey });
    const found = new Map((await this.store.describeGroups(groupIds)).map((g) => [g.summary.groupId, g]));
    return groupIds.map((groupId) => {
      const g = found.get(groupId);
      if (!g) {
        const notFound = apiVersion >= 6;
        return {
          groupId,
          errorCode: notFound ? ErrorCode.GROUP_ID_NOT_FOUND : ErrorCode.NONE,
          errorMessage: notFound ? `Group ${groupId} not found.` : null,
          state: GroupState.Dead,
          protocolType: '',
          protocolData: '',
          members: [],
        };
      }
      const stable = g.summary.state === GroupState.Stable && g.summary.protocolName !== null;
      return {
        groupId,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        state: g.summary.state,
        protocolType: g.summary.protocolType ?? '',
        // Protocol, member metadata and assignments are only reported for a Stable group, as Kafka does.
        protocolData: stable ? g.summary.protocolName! : '',
        members: g.members.map((m) => {
          const index = stable ? m.protocolNames.indexOf(g.summary.protocolName!) : -1;
          return {
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            clientId: m.clientId,
            clientHost: m.clientHost,
            metadata: index >= 0 ? m.protocolMetadata[index]! : Buffer.alloc(0),
            assignment: stable ? m.assignment : Buffer.alloc(0),
          };
        }),
      };
    });
  }

  async listGroups(): Promise<ListedGroup[]> {
    return (await this.store.groupSummaries(null)).map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }));
  }

  /** Deletes Empty groups with their offsets: NON_EMPTY_GROUP or GROUP_ID_NOT_FOUND otherwise. */
  async deleteGroup(groupId: string): Promise<number> {
    const outcome = await this.step({ groupId }, { create: false }, (group) => {
      if (!group) return ErrorCode.GROUP_ID_NOT_FOUND;
      this.rebalancer(group);
      if (group.state !== GroupState.Empty) return ErrorCode.NON_EMPTY_GROUP;
      group.deleted = true;
      return ErrorCode.NONE;
    });
    this.afterTransaction(outcome);
    return outcome.result;
  }

  // --- timers ---

  /** Fires the due timers of one group under its lock. */
  private async fireDueTimers(ref: GroupRef): Promise<void> {
    const outcome = await this.step(ref, { create: false }, (group) => {
      if (group) this.rebalancer(group);
    });
    this.afterTransaction(outcome);
  }

  /** Wakes the sweeper at `deadlineMs` (Postgres' clock) unless it wakes earlier anyway. */
  private scheduleSweep(deadlineMs: number): void {
    if (this.stopped) return;
    if (this.sweepAtMs !== null && this.sweepAtMs <= deadlineMs) return;
    clearTimeout(this.sweepTimer);
    this.sweepAtMs = deadlineMs;
    // A millisecond late, so the deadline has surely passed on Postgres' clock too.
    const delay = Math.min(Math.max(0, deadlineMs - (Date.now() + this.clockOffsetMs)) + 1, SWEEPER_MAX_SLEEP_MS);
    this.sweepTimer = setTimeout(() => {
      this.sweepAtMs = null;
      void this.sweep();
    }, delay);
    this.sweepTimer.unref();
  }

  private sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = (async () => {
      try {
        for (;;) {
          const due = await this.store.dueGroups(SWEEP_BATCH);
          for (const groupKey of due) {
            if (this.stopped) return;
            await this.fireDueTimers({ groupKey });
          }
          if (due.length < SWEEP_BATCH) break;
        }
        await this.refresh();
      } catch (err) {
        if (this.stopped) return;
        this.log.warn({ err }, 'group timer sweep failed; retrying');
        this.scheduleSweep(Date.now() + this.clockOffsetMs + 1_000);
      } finally {
        this.sweeping = null;
      }
    })();
    return this.sweeping;
  }

  /** Re-reads the earliest deadline of all groups and sleeps until then. */
  private async refresh(): Promise<void> {
    const { deadlineMs, nowMs } = await this.store.nextDeadline();
    this.clockOffsetMs = nowMs - Date.now();
    this.sweepAtMs = null;
    clearTimeout(this.sweepTimer);
    this.scheduleSweep(deadlineMs ?? nowMs + SWEEPER_MAX_SLEEP_MS);
  }

  private refreshSoon(): void {
    if (this.stopped || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = undefined;
      this.refresh().catch((err) => {
        if (this.stopped) return;
        this.log.warn({ err }, 'reading the next group deadline failed; retrying');
        this.scheduleSweep(Date.now() + this.clockOffsetMs + 1_000);
      });
    }, SWEEPER_REFRESH_DEBOUNCE_MS);
    this.refreshTimer.unref();
  }

  /** Kafka's periodic offsets cleanup (offsets.retention.check.interval.ms). */
  private scheduleCleanup(): void {
    if (this.stopped) return;
    this.cleanupTimer = setTimeout(() => {
      const retentionMs = this.config.int('offsets.retention.minutes') * 60_000;
      this.store.expireOffsetsAndGroups(retentionMs).then(
        (removed) => {
          if (removed.offsets > 0 || removed.groups > 0) this.log.info(removed, 'expired committed offsets and empty groups');
        },
        (err) => this.log.warn({ err }, 'offsets cleanup failed'),
      ).finally(() => this.scheduleCleanup());
    }, this.config.int('offsets.retention.check.interval.ms'));
    this.cleanupTimer.unref();
  }
}

function directoryOf(view: SharedGroupView): { staticMemberId(id: string): string | null; hasMember(id: string): boolean } {
  return {
    staticMemberId: (id) => view.members.find((m) => m.groupInstanceId === id)?.memberId ?? null,
    hasMember: (id) => view.members.some((m) => m.memberId === id),
  };
}

function fetched(o: StoredOffset): FetchedPartition {
  return { partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch, metadata: o.metadata, errorCode: ErrorCode.NONE };
}
