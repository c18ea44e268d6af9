/**
 * A group member speaking the raw classic group protocol over its own connection: JoinGroup (with the
 * MEMBER_ID_REQUIRED round trip), SyncGroup, Heartbeat, LeaveGroup, OffsetCommit. Tests use it where they
 * need to control exactly what a member sends and when (crashes, static members, forged requests), and
 * to let members talk to different gateways of one cluster.
 */
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import type { JoinGroupResponse, SyncGroupResponse } from '../../../src/protocol/messages/types.js';
import { decodeAssignment, encodeAssignment, encodeSubscription } from './consumer-protocol.js';
import { WireClient } from './wire-client.js';

export const Api = {
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  DeleteGroups: 42,
  OffsetDelete: 47,
} as const;

export interface JoinOptions {
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  groupInstanceId?: string | null;
  topics?: string[];
  protocols?: { name: string; metadata: Buffer }[];
  protocolType?: string;
  version?: number;
}

export class RawMember {
  memberId = '';
  generationId = -1;
  leader = '';
  protocolName: string | null = null;
  /** The member list of the last JoinGroup answer (leaders only). */
  members: { memberId: string; groupInstanceId: string | null; metadata: Buffer }[] = [];

  private constructor(
    readonly client: WireClient,
    readonly groupId: string,
    readonly options: JoinOptions,
  ) {}

  static async connect(port: number, groupId: string, options: JoinOptions = {}, clientId = 'raw-member'): Promise<RawMember> {
    return new RawMember(await WireClient.connect(port, '127.0.0.1', clientId), groupId, options);
  }

  get isLeader(): boolean {
    return this.memberId !== '' && this.memberId === this.leader;
  }

  /** One JoinGroup request as configured, answered when the join phase ends. */
  async joinOnce(overrides: Partial<JoinOptions> & { memberId?: string } = {}): Promise<JoinGroupResponse> {
    const o = { ...this.options, ...overrides };
    const version = o.version ?? 5;
    const response = await this.client.send<JoinGroupResponse>(Api.JoinGroup, version, {
      groupId: this.groupId,
      sessionTimeoutMs: o.sessionTimeoutMs ?? 10_000,
      rebalanceTimeoutMs: o.rebalanceTimeoutMs ?? 10_000,
      memberId: overrides.memberId ?? this.memberId,
      groupInstanceId: o.groupInstanceId ?? null,
      protocolType: o.protocolType ?? 'consumer',
      protocols: o.protocols ?? [{ name: 'range', metadata: encodeSubscription(o.topics ?? []) }],
      reason: null,
    });
    if (response.errorCode === ErrorCode.NONE) {
      this.memberId = response.memberId!;
      this.generationId = response.generationId!;
      this.leader = response.leader!;
      this.protocolName = response.protocolName ?? null;
      this.members = (response.members ?? []).map((m) => ({ memberId: m.memberId!, groupInstanceId: m.groupInstanceId ?? null, metadata: m.metadata! }));
    } else if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = response.memberId!;
    }
    return response;
  }

  /** JoinGroup, answering MEMBER_ID_REQUIRED by rejoining with the given id, as clients do. */
  async join(overrides: Partial<JoinOptions> = {}): Promise<JoinGroupResponse> {
    let response = await this.joinOnce(overrides);
    if (response.errorCode === ErrorCode.MEMBER_ID_REQUIRED) response = await this.joinOnce(overrides);
    return response;
  }

  async sync(assignments: { memberId: string; assignment: Buffer }[] = [], overrides: { generationId?: number; memberId?: string; version?: number } = {}): Promise<SyncGroupResponse> {
    return this.client.send<SyncGroupResponse>(Api.SyncGroup, overrides.version ?? 5, {
      groupId: this.groupId,
      generationId: overrides.generationId ?? this.generationId,
      memberId: overrides.memberId ?? this.memberId,
      groupInstanceId: this.options.groupInstanceId ?? null,
      protocolType: this.options.protocolType ?? 'consumer',
      protocolName: this.protocolName ?? 'range',
      assignments,
    });
  }

  /** Sync and decode the assignment this member got. */
  async syncAssignment(assignments: { memberId: string; assignment: Buffer }[] = []): Promise<{ errorCode: number; assignment: Record<string, number[]> }> {
    const r = await this.sync(assignments);
    return { errorCode: r.errorCode!, assignment: decodeAssignment(r.assignment ?? Buffer.alloc(0)) };
  }

  async heartbeat(overrides: { generationId?: number; memberId?: string; groupInstanceId?: string | null } = {}): Promise<number> {
    const r = await this.client.send<{ errorCode: number }>(Api.Heartbeat, 4, {
      groupId: this.groupId,
      generationId: overrides.generationId ?? this.generationId,
      memberId: overrides.memberId ?? this.memberId,
      groupInstanceId: overrides.groupInstanceId === undefined ? (this.options.groupInstanceId ?? null) : overrides.groupInstanceId,
    });
    return r.errorCode;
  }

  async leave(): Promise<number> {
    const r = await this.client.send<{ errorCode: number; members: { errorCode: number }[] }>(Api.LeaveGroup, 5, {
      groupId: this.groupId,
      members: [{ memberId: this.memberId, groupInstanceId: this.options.groupInstanceId ?? null, reason: null }],
    });
    return r.errorCode !== ErrorCode.NONE ? r.errorCode : r.members[0]!.errorCode;
  }

  /** Commits offsets as this member (current generation unless overridden); returns the error per partition. */
  async commit(
    offsets: { topic: string; partition: number; offset: bigint; metadata?: string | null; leaderEpoch?: number }[],
    overrides: { generationId?: number; memberId?: string; groupInstanceId?: string | null; version?: number } = {},
  ): Promise<number[]> {
    const byTopic = new Map<string, typeof offsets>();
    for (const o of offsets) byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), o]);
    const r = await this.client.send<{ topics: { partitions: { errorCode: number }[] }[] }>(Api.OffsetCommit, overrides.version ?? 8, {
      groupId: this.groupId,
      generationIdOrMemberEpoch: overrides.generationId ?? this.generationId,
      memberId: overrides.memberId ?? this.memberId,
      groupInstanceId: overrides.groupInstanceId === undefined ? (this.options.groupInstanceId ?? null) : overrides.groupInstanceId,
      topics: [...byTopic].map(([name, ps]) => ({
        name,
        partitions: ps.map((p) => ({
          partitionIndex: p.partition,
          committedOffset: p.offset,
          committedLeaderEpoch: p.leaderEpoch ?? -1,
          committedMetadata: p.metadata === undefined ? '' : p.metadata,
        })),
      })),
    });
    return r.topics.flatMap((t) => t.partitions.map((p) => p.errorCode));
  }

  /** Closes the connection without leaving: to the group, this member crashed. */
  crash(): void {
    this.client.destroy();
  }

  close(): void {
    this.client.destroy();
  }
}

/** Round-robin assignment of `partitions` of `topic` over members (sorted by member id), as a leader would. */
export function roundRobin(memberIds: readonly string[], topic: string, partitions: number): Map<string, number[]> {
  const sorted = [...memberIds].sort();
  const out = new Map<string, number[]>(sorted.map((id) => [id, []]));
  for (let p = 0; p < partitions; p++) out.get(sorted[p % sorted.length]!)!.push(p);
  return out;
}

/**
 * Runs each member as a client would until the group is stable: join, sync (the leader assigning
 * `partitions` of `topic` round-robin), then heartbeat and rejoin when told to rebalance. Returns once
 * every member synced in one generation that has all of them, with each member's assignment.
 */
export async function converge(ms: readonly RawMember[], topic: string, partitions: number, timeoutMs = 30_000): Promise<Map<string, number[]>> {
  let stop = false;
  const synced = new Map<RawMember, { generationId: number; partitions: number[] }>();
  const loops = ms.map(async (m) => {
    while (!stop) {
      const joined = await m.join();
      if (joined.errorCode !== ErrorCode.NONE) {
        if (joined.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
          if (joined.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) m.memberId = '';
          continue;
        }
        throw new Error(`JoinGroup failed with ${joined.errorCode}`);
      }
      const plan = m.isLeader ? roundRobin(m.members.map((x) => x.memberId), topic, partitions) : new Map<string, number[]>();
      const s = await m.sync([...plan].map(([memberId, ps]) => ({ memberId, assignment: encodeAssignmentOf(topic, ps) })));
      if (s.errorCode !== ErrorCode.NONE) continue;
      synced.set(m, { generationId: m.generationId, partitions: decodeAssignment(s.assignment ?? Buffer.alloc(0))[topic] ?? [] });
      while (!stop) {
        const hb = await m.heartbeat();
        if (hb !== ErrorCode.NONE) {
          synced.delete(m);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  });
  const failed = Promise.all(loops).then(() => undefined);
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const states = ms.map((m) => synced.get(m));
      if (states.every((s) => s !== undefined)) {
        const generations = new Set(states.map((s) => s!.generationId));
        const leader = ms.find((m) => m.isLeader);
        if (generations.size === 1 && leader && leader.members.length === ms.length) break;
      }
      if (Date.now() > deadline) throw new Error('the group did not converge');
      await Promise.race([failed, new Promise((r) => setTimeout(r, 50))]);
    }
  } finally {
    stop = true;
    await Promise.race([failed.catch(() => undefined), new Promise((r) => setTimeout(r, 2_000))]);
  }
  return new Map(ms.map((m) => [m.memberId, synced.get(m)?.partitions ?? []]));
}

function encodeAssignmentOf(topic: string, partitions: number[]): Buffer {
  return encodeAssignment({ [topic]: partitions });
}

/**
 * Makes a stable group rebalance and returns when every member has its JoinGroup answer for the new
 * generation (nobody has synced yet): the leader rejoins, which forces a rebalance, and the others rejoin
 * once their heartbeat says so, as clients do.
 */
export async function rebalanceAll(ms: readonly RawMember[]): Promise<void> {
  const leader = ms.find((m) => m.isLeader);
  if (!leader) throw new Error('no leader among the members');
  await Promise.all(
    ms.map(async (m) => {
      if (m === leader) return m.join();
      for (let i = 0; i < 200; i++) {
        if ((await m.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS) return m.join();
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error('the member was never told to rebalance');
    }),
  );
}
