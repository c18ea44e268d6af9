/**
 * The classic group protocol over raw requests against one gateway: the join/sync/heartbeat state machine,
 * static membership, timers, and every bad input the issue names, checked field by field.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { decodeAssignment, encodeAssignment, encodeSubscription } from './support/consumer-protocol.js';
import { createTopic, eventually, sleep, unique } from './support/helpers.js';
import { Api, converge, RawMember, rebalanceAll } from './support/raw-member.js';
import { WireClient } from './support/wire-client.js';

let kpg: TestGateway;
let admin: WireClient;
const TOPIC = 'protocol-topic';

beforeAll(async () => {
  kpg = await startTestGateway({
    brokerConfigs: {
      'group.initial.rebalance.delay.ms': '0',
      'group.min.session.timeout.ms': '500',
      'group.max.session.timeout.ms': '60000',
    },
  });
  await createTopic(kpg, TOPIC, 4);
  await createTopic(kpg, 'other-topic', 2);
  admin = await WireClient.connect(kpg.gateway.port, '127.0.0.1', 'test-admin');
});

afterAll(async () => {
  admin?.destroy();
  await kpg?.stop();
});

const members: RawMember[] = [];
async function member(groupId: string, options: Parameters<typeof RawMember.connect>[2] = {}, clientId?: string): Promise<RawMember> {
  const m = await RawMember.connect(kpg.gateway.port, groupId, { topics: [TOPIC], ...options }, clientId);
  members.push(m);
  return m;
}
afterAll(() => {
  for (const m of members) m.close();
});

/** Runs the members as clients until the group is stable; the leader assigns TOPIC round-robin. */
async function formGroup(ms: RawMember[], partitions = 4): Promise<Map<string, number[]>> {
  return converge(ms, TOPIC, partitions);
}

async function describe1(groupId: string, version = 5) {
  const r = await admin.send<{ groups: any[] }>(Api.DescribeGroups, version, { groups: [groupId], includeAuthorizedOperations: true });
  return r.groups[0];
}

describe('FindCoordinator', () => {
  it('answers this gateway for group and transaction keys, one key (v0-3) or many (v4+)', async () => {
    for (const version of [0, 1, 2, 3]) {
      const r = await admin.send<any>(Api.FindCoordinator, version, { key: 'some-group', keyType: 0 });
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect([r.nodeId, r.host, r.port]).toEqual([kpg.gateway.nodeId, '127.0.0.1', kpg.gateway.port]);
      if (version >= 1) expect(r.errorMessage).toBe('NONE');
    }
    const r = await admin.send<any>(Api.FindCoordinator, 4, { keyType: 1, coordinatorKeys: ['txn-a', 'txn-b', ''] });
    expect(r.coordinators.map((c: any) => [c.key, c.nodeId, c.port, c.errorCode])).toEqual([
      ['txn-a', kpg.gateway.nodeId, kpg.gateway.port, 0],
      ['txn-b', kpg.gateway.nodeId, kpg.gateway.port, 0],
      ['', kpg.gateway.nodeId, kpg.gateway.port, 0],
    ]);
  });

  it('answers an unknown key type with INVALID_REQUEST', async () => {
    const v1 = await admin.send<any>(Api.FindCoordinator, 1, { key: 'g', keyType: 7 });
    expect([v1.errorCode, v1.nodeId, v1.host, v1.port]).toEqual([ErrorCode.INVALID_REQUEST, -1, '', -1]);
    const v6 = await admin.send<any>(Api.FindCoordinator, 6, { keyType: 2, coordinatorKeys: ['share-group'] });
    expect(v6.coordinators[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('JoinGroup and SyncGroup', () => {
  it('v4+ asks a new member to rejoin with the id it hands out, then forms generation 1 with a leader', async () => {
    const groupId = unique('join');
    const m = await member(groupId, {}, 'my-client');
    const first = await m.joinOnce({ version: 7 });
    expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
    expect(first.memberId).toMatch(/^my-client-[0-9a-f-]{36}$/);
    const second = await m.joinOnce({ version: 7 });
    expect(second).toMatchObject({
      errorCode: ErrorCode.NONE,
      generationId: 1,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: first.memberId,
      memberId: first.memberId,
    });
    expect(second.members).toEqual([{ memberId: first.memberId, groupInstanceId: null, metadata: encodeSubscription([TOPIC]) }]);
  });

  it('v0-3 never answer MEMBER_ID_REQUIRED: the member joins at once', async () => {
    for (const version of [0, 1, 2, 3]) {
      const m = await member(unique(`join-v${version}`), { version });
      const r = await m.joinOnce();
      expect(r.errorCode).toBe(ErrorCode.NONE);
      expect(r.generationId).toBe(1);
      expect(r.memberId).not.toBe('');
      m.close();
    }
  });

  it('only the leader gets the member list, with the subscriptions stored verbatim', async () => {
    const groupId = unique('leader-list');
    const a = await member(groupId, { protocols: [{ name: 'range', metadata: Buffer.from('opaque-a\u0000\u00ff') }] });
    const b = await member(groupId, { protocols: [{ name: 'range', metadata: Buffer.from([1, 2, 3, 0, 255]) }] });
    await formGroup([a, b]);
    await rebalanceAll([a, b]);
    const leader = a.isLeader ? a : b;
    const follower = leader === a ? b : a;
    expect(follower.generationId).toBe(leader.generationId);
    expect(follower.leader).toBe(leader.memberId);
    expect(follower.members).toEqual([]);
    const metadataById = Object.fromEntries(leader.members.map((m) => [m.memberId, m.metadata]));
    expect(metadataById).toEqual({ [a.memberId]: Buffer.from('opaque-a\u0000\u00ff'), [b.memberId]: Buffer.from([1, 2, 3, 0, 255]) });
  });

  it('chooses the protocol every member supports by vote', async () => {
    const groupId = unique('vote');
    const p = (name: string) => ({ name, metadata: encodeSubscription([TOPIC]) });
    const ms = [
      await member(groupId, { protocols: [p('range'), p('roundrobin'), p('sticky')] }),
      await member(groupId, { protocols: [p('roundrobin'), p('range')] }),
      await member(groupId, { protocols: [p('roundrobin'), p('range'), p('sticky')] }),
    ];
    await formGroup(ms);
    expect(ms.map((m) => m.protocolName)).toEqual(['roundrobin', 'roundrobin', 'roundrobin']);
  });

  it('refuses a member with no protocol in common, or another protocol type: INCONSISTENT_GROUP_PROTOCOL', async () => {
    const groupId = unique('inconsistent');
    const a = await member(groupId);
    await a.join();
    const b = await member(groupId, { protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] });
    expect((await b.join()).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const c = await member(groupId, { protocolType: 'connect' });
    expect((await c.join()).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const d = await member(unique('inconsistent-new'), { protocolType: '' });
    expect((await d.join()).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const e = await member(unique('inconsistent-new'), { protocols: [] });
    expect((await e.join()).errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('v7+ echo the protocol type; SyncGroup v5 returns type and name and checks them', async () => {
    const groupId = unique('echo');
    const m = await member(groupId);
    const r = await m.join({ version: 9 });
    expect(r.protocolType).toBe('consumer');
    expect(r.skipAssignment).toBe(false);
    const s = await m.sync([{ memberId: m.memberId, assignment: encodeAssignment({ [TOPIC]: [0] }) }]);
    expect(s).toMatchObject({ errorCode: ErrorCode.NONE, protocolType: 'consumer', protocolName: 'range' });
    const wrongName = await m.client.send<any>(Api.SyncGroup, 5, {
      groupId, generationId: m.generationId, memberId: m.memberId, groupInstanceId: null,
      protocolType: 'consumer', protocolName: 'roundrobin', assignments: [],
    });
    expect(wrongName.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const missing = await m.client.send<any>(Api.SyncGroup, 5, {
      groupId, generationId: m.generationId, memberId: m.memberId, groupInstanceId: null,
      protocolType: null, protocolName: null, assignments: [],
    });
    expect(missing.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('stores assignments verbatim; a member the leader left out gets empty bytes', async () => {
    const groupId = unique('verbatim');
    const a = await member(groupId);
    const b = await member(groupId);
    await formGroup([a, b]);
    await rebalanceAll([a, b]);
    const leader = a.isLeader ? a : b;
    const follower = leader === a ? b : a;
    const opaque = Buffer.from([0, 1, 2, 3, 254, 255, 0]);
    const [rl, rf] = await Promise.all([leader.sync([{ memberId: leader.memberId, assignment: opaque }]), follower.sync()]);
    expect(rl.assignment).toEqual(opaque);
    expect(rf.errorCode).toBe(ErrorCode.NONE);
    expect(rf.assignment).toEqual(Buffer.alloc(0));
  });

  it('ignores an assignment for a member that is not in the group', async () => {
    const groupId = unique('ghost-assignment');
    const a = await member(groupId);
    await a.join();
    const r = await a.sync([
      { memberId: a.memberId, assignment: encodeAssignment({ [TOPIC]: [0, 1] }) },
      { memberId: 'ghost-member', assignment: encodeAssignment({ [TOPIC]: [2, 3] }) },
    ]);
    expect(decodeAssignment(r.assignment!)).toEqual({ [TOPIC]: [0, 1] });
    const described = await describe1(groupId);
    expect(described.members.map((m: any) => m.memberId)).toEqual([a.memberId]);
    expect(decodeAssignment(described.members[0].memberAssignment)).toEqual({ [TOPIC]: [0, 1] });
  });

  it('ignores the assignments of a follower claiming to be leader; the real leader decides', async () => {
    const groupId = unique('false-leader');
    const a = await member(groupId);
    const b = await member(groupId);
    await formGroup([a, b]);
    await rebalanceAll([a, b]);
    const leader = a.isLeader ? a : b;
    const follower = leader === a ? b : a;
    const forged = [
      { memberId: follower.memberId, assignment: encodeAssignment({ [TOPIC]: [0, 1, 2, 3] }) },
      { memberId: leader.memberId, assignment: encodeAssignment({}) },
    ];
    const followerSync = follower.sync(forged);
    await sleep(200);
    const real = [
      { memberId: leader.memberId, assignment: encodeAssignment({ [TOPIC]: [0, 1] }) },
      { memberId: follower.memberId, assignment: encodeAssignment({ [TOPIC]: [2, 3] }) },
    ];
    const leaderSync = await leader.sync(real);
    expect(decodeAssignment((await followerSync).assignment!)).toEqual({ [TOPIC]: [2, 3] });
    expect(decodeAssignment(leaderSync.assignment!)).toEqual({ [TOPIC]: [0, 1] });
  });

  it('a rejoin with unchanged metadata in CompletingRebalance gets the current generation again', async () => {
    const groupId = unique('rejoin-same');
    const a = await member(groupId);
    await a.join();
    const again = await a.joinOnce();
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(again.generationId).toBe(1);
    expect(again.members!.map((m) => m.memberId)).toEqual([a.memberId]);
  });

  it('SyncGroup answers UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION and REBALANCE_IN_PROGRESS where Kafka does', async () => {
    const groupId = unique('sync-errors');
    const a = await member(groupId, { rebalanceTimeoutMs: 30_000 });
    await a.join();
    expect((await a.sync([], { memberId: 'nobody' })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect((await a.sync([], { generationId: 7 })).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect((await a.sync([{ memberId: a.memberId, assignment: encodeAssignment({ [TOPIC]: [0] }) }])).errorCode).toBe(ErrorCode.NONE);
    // A new member makes the group prepare a rebalance; a's sync of the old generation must rejoin.
    const b = await member(groupId);
    const bJoin = b.join();
    await eventually(async () => (await describe1(groupId)).groupState === 'PreparingRebalance');
    expect((await a.sync()).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const unknownGroup = await member(unique('no-such-group'));
    expect((await unknownGroup.sync([], { memberId: 'm', generationId: 1 })).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    await a.join();
    await bJoin;
  });
});

describe('Heartbeat', () => {
  it('refuses unknown members, stale generations, unknown groups and an empty group id', async () => {
    const groupId = unique('hb');
    const a = await member(groupId);
    await formGroup([a]);
    expect(await a.heartbeat()).toBe(ErrorCode.NONE);
    expect(await a.heartbeat({ memberId: 'unknown-member' })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await a.heartbeat({ generationId: a.generationId - 1 })).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(await a.heartbeat({ generationId: a.generationId + 1 })).toBe(ErrorCode.ILLEGAL_GENERATION);
    const stranger = await member(unique('hb-none'));
    expect(await stranger.heartbeat({ memberId: 'x', generationId: 1 })).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const empty = await member('');
    expect(await empty.heartbeat({ memberId: 'x', generationId: 1 })).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('answers REBALANCE_IN_PROGRESS once another member joins, until the member rejoins', async () => {
    const groupId = unique('hb-rebalance');
    const a = await member(groupId);
    await formGroup([a]);
    const b = await member(groupId);
    const bJoin = b.join();
    await eventually(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS);
    await a.join();
    await bJoin;
    expect(a.generationId).toBe(b.generationId);
    expect(await a.heartbeat()).toBe(ErrorCode.NONE);
  });
});

describe('session timeouts', () => {
  it('refuses session timeouts outside group.min/max.session.timeout.ms with INVALID_SESSION_TIMEOUT', async () => {
    const groupId = unique('session-bounds');
    const low = await member(groupId, { sessionTimeoutMs: 499 });
    expect((await low.joinOnce()).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    const high = await member(groupId, { sessionTimeoutMs: 60_001 });
    expect((await high.joinOnce()).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    const ok = await member(groupId, { sessionTimeoutMs: 500 });
    expect((await ok.join()).errorCode).toBe(ErrorCode.NONE);
  });

  it('removes a member that stops heartbeating; the others are told to rebalance and continue without it', async () => {
    const groupId = unique('crash');
    const survivor = await member(groupId, { sessionTimeoutMs: 5_000 });
    const victim = await member(groupId, { sessionTimeoutMs: 1_000 });
    const assigned = await formGroup([survivor, victim]);
    expect([...assigned.values()].flat().sort()).toEqual([0, 1, 2, 3]);
    victim.crash();
    // The survivor keeps heartbeating and is told to rebalance once the victim's session ends.
    await eventually(async () => (await survivor.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS, 15_000);
    await survivor.join();
    expect(survivor.members.map((m) => m.memberId)).toEqual([survivor.memberId]);
    const mine = await survivor.syncAssignment([{ memberId: survivor.memberId, assignment: encodeAssignment({ [TOPIC]: [0, 1, 2, 3] }) }]);
    expect(mine.assignment).toEqual({ [TOPIC]: [0, 1, 2, 3] });
    const described = await describe1(groupId);
    expect(described.groupState).toBe('Stable');
    expect(described.members.map((m: any) => m.memberId)).toEqual([survivor.memberId]);
  });

  it('removes members that do not rejoin within the rebalance timeout', async () => {
    const groupId = unique('rebalance-timeout');
    const a = await member(groupId, { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 1_500 });
    const b = await member(groupId, { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 1_500 });
    await formGroup([a, b]);
    // a rejoins (say, its subscription changed); b never does, though its session is still alive.
    const r = await a.join({ topics: [TOPIC, 'other-topic'] });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.members!.map((m) => m.memberId)).toEqual([a.memberId]);
    expect(await b.heartbeat()).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('removes members that get their JoinGroup answer but never send SyncGroup', async () => {
    const groupId = unique('no-sync');
    const a = await member(groupId, { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 4_000 });
    const b = await member(groupId, { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 4_000 });
    await formGroup([a, b]);
    await rebalanceAll([a, b]);
    const leader = a.isLeader ? a : b;
    const silent = leader === a ? b : a;
    await leader.sync([{ memberId: leader.memberId, assignment: encodeAssignment({ [TOPIC]: [0] }) }]);
    // The silent member heartbeats but never syncs: after the rebalance timeout it is out.
    await eventually(async () => (await silent.heartbeat()) === ErrorCode.UNKNOWN_MEMBER_ID, 15_000);
    expect(await leader.heartbeat()).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });
});

describe('static membership', () => {
  it('a static member restarting within its session timeout takes its place back without a rebalance', async () => {
    const groupId = unique('static');
    const s1 = await member(groupId, { groupInstanceId: 'instance-1', sessionTimeoutMs: 10_000 });
    const s2 = await member(groupId, { groupInstanceId: 'instance-2', sessionTimeoutMs: 10_000 });
    const assigned = await formGroup([s1, s2]);
    const generation = s1.generationId;
    const oldId = s2.memberId;
    s2.crash();

    const restarted = await member(groupId, { groupInstanceId: 'instance-2', sessionTimeoutMs: 10_000 });
    const r = await restarted.join();
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.generationId).toBe(generation);
    expect(r.memberId).not.toBe(oldId);
    expect(r.memberId).toMatch(/^instance-2-/);
    const mine = await restarted.syncAssignment();
    expect(mine.assignment[TOPIC]).toEqual(assigned.get(oldId));
    // The other member never saw a rebalance.
    expect(await s1.heartbeat()).toBe(ErrorCode.NONE);
    expect(s1.generationId).toBe(generation);
    const described = await describe1(groupId);
    expect(described.groupState).toBe('Stable');
    expect(described.members.map((m: any) => [m.groupInstanceId, m.memberId]).sort()).toEqual(
      [['instance-1', s1.memberId], ['instance-2', restarted.memberId]].sort(),
    );
  });

  it('fences the old incarnation of a replaced static member with FENCED_INSTANCE_ID', async () => {
    const groupId = unique('fenced');
    const old = await member(groupId, { groupInstanceId: 'dup', sessionTimeoutMs: 10_000 });
    await formGroup([old]);
    const replacement = await member(groupId, { groupInstanceId: 'dup', sessionTimeoutMs: 10_000 });
    expect((await replacement.join()).errorCode).toBe(ErrorCode.NONE);
    expect(await old.heartbeat()).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect((await old.sync()).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await old.commit([{ topic: TOPIC, partition: 0, offset: 5n }])).toEqual([ErrorCode.FENCED_INSTANCE_ID]);
    expect((await old.joinOnce()).errorCode).toBe(ErrorCode.FENCED_INSTANCE_ID);
    expect(await replacement.heartbeat()).toBe(ErrorCode.NONE);
  });

  it('a static member is not removed by a rebalance it misses; it can be removed by instance id', async () => {
    const groupId = unique('static-admin');
    const s = await member(groupId, { groupInstanceId: 'keep-me', sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 1_000 });
    const d = await member(groupId, { sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 1_000 });
    await formGroup([s, d]);
    await d.join({ topics: [TOPIC, 'other-topic'] });
    expect(d.members.map((m) => m.groupInstanceId).sort()).toEqual(['keep-me', null].sort());
    const r = await admin.send<any>(Api.LeaveGroup, 5, {
      groupId,
      members: [{ memberId: '', groupInstanceId: 'keep-me', reason: 'admin' }, { memberId: '', groupInstanceId: 'not-there', reason: null }],
    });
    expect(r.members.map((m: any) => [m.groupInstanceId, m.errorCode])).toEqual([
      ['keep-me', ErrorCode.NONE],
      ['not-there', ErrorCode.UNKNOWN_MEMBER_ID],
    ]);
  });
});

describe('LeaveGroup', () => {
  it('removes members (batched from v3) and rebalances the rest; unknown members get UNKNOWN_MEMBER_ID', async () => {
    const groupId = unique('leave');
    const a = await member(groupId);
    const b = await member(groupId);
    await formGroup([a, b]);
    const r = await admin.send<any>(Api.LeaveGroup, 3, {
      groupId,
      members: [{ memberId: b.memberId, groupInstanceId: null }, { memberId: 'nobody', groupInstanceId: null }],
    });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.members.map((m: any) => m.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await a.heartbeat()).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const v1 = await admin.send<any>(Api.LeaveGroup, 1, { groupId, memberId: 'nobody' });
    expect(v1.errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(await a.leave()).toBe(ErrorCode.NONE);
    expect((await describe1(groupId)).groupState).toBe('Empty');
    const unknownGroup = await admin.send<any>(Api.LeaveGroup, 5, { groupId: unique('nope'), members: [{ memberId: 'x', groupInstanceId: null, reason: null }] });
    expect([unknownGroup.errorCode, unknownGroup.members[0].errorCode]).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
    const emptyId = await admin.send<any>(Api.LeaveGroup, 5, { groupId: '', members: [] });
    expect(emptyId.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });
});

describe('OffsetCommit and OffsetFetch', () => {
  async function fetchOffsets(groupId: string, topics: { name: string; partitionIndexes: number[] }[] | null, version = 8) {
    const r = await admin.send<any>(Api.OffsetFetch, version, { groups: [{ groupId, memberId: null, memberEpoch: -1, topics }], requireStable: false });
    return r.groups[0];
  }

  it('accepts generation -1 with no member id for a group without members, and creates the group', async () => {
    const groupId = unique('simple');
    const c = await member(groupId);
    const codes = await c.commit(
      [
        { topic: TOPIC, partition: 0, offset: 42n, metadata: 'meta-0 ✓', leaderEpoch: 7 },
        { topic: TOPIC, partition: 1, offset: 7n, metadata: null },
      ],
      { generationId: -1, memberId: '' },
    );
    expect(codes).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    const fetched = await fetchOffsets(groupId, [{ name: TOPIC, partitionIndexes: [0, 1, 2] }]);
    expect(fetched.topics[0].partitions).toEqual([
      { partitionIndex: 0, committedOffset: 42n, committedLeaderEpoch: 7, metadata: 'meta-0 ✓', errorCode: 0 },
      { partitionIndex: 1, committedOffset: 7n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
      { partitionIndex: 2, committedOffset: -1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 },
    ]);
    const listed = await admin.send<any>(Api.ListGroups, 5, { statesFilter: ['Empty'], typesFilter: [] });
    expect(listed.groups).toContainEqual({ groupId, protocolType: '', groupState: 'Empty', groupType: 'classic' });
  });

  it('refuses commits without a member id while the group has members, and from unknown or stale members', async () => {
    const groupId = unique('commit-refused');
    const a = await member(groupId);
    await formGroup([a]);
    const one = [{ topic: TOPIC, partition: 0, offset: 1n }];
    expect(await a.commit(one, { generationId: -1, memberId: '' })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await a.commit(one, { memberId: 'intruder' })).toEqual([ErrorCode.UNKNOWN_MEMBER_ID]);
    expect(await a.commit(one, { generationId: a.generationId - 1 })).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await a.commit(one)).toEqual([ErrorCode.NONE]);
    const fetched = await fetchOffsets(groupId, null);
    expect(fetched.topics).toEqual([{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }]);
  });

  it('answers REBALANCE_IN_PROGRESS to commits while the group awaits its assignment', async () => {
    const groupId = unique('commit-completing');
    const a = await member(groupId);
    await a.join();
    expect(await a.commit([{ topic: TOPIC, partition: 0, offset: 1n }])).toEqual([ErrorCode.REBALANCE_IN_PROGRESS]);
  });

  it('commits for an unknown group with a generation: ILLEGAL_GENERATION, GROUP_ID_NOT_FOUND from v9', async () => {
    const c = await member(unique('commit-no-group'));
    const one = [{ topic: TOPIC, partition: 0, offset: 1n }];
    expect(await c.commit(one, { generationId: 3, memberId: 'm', version: 8 })).toEqual([ErrorCode.ILLEGAL_GENERATION]);
    expect(await c.commit(one, { generationId: 3, memberId: 'm', version: 9 })).toEqual([ErrorCode.GROUP_ID_NOT_FOUND]);
  });

  it('refuses unknown topics and partitions and too long metadata per partition, committing the rest', async () => {
    const groupId = unique('commit-partial');
    const c = await member(groupId);
    const codes = await c.commit(
      [
        { topic: TOPIC, partition: 0, offset: 10n },
        { topic: TOPIC, partition: 99, offset: 10n },
        { topic: 'no-such-topic', partition: 0, offset: 10n },
        { topic: TOPIC, partition: 1, offset: 10n, metadata: 'x'.repeat(4097) },
      ],
      { generationId: -1, memberId: '' },
    );
    // Answered per topic, in request order: TOPIC's partitions 0, 99 and 1, then the unknown topic.
    expect(codes).toEqual([ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.OFFSET_METADATA_TOO_LARGE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    const fetched = await fetchOffsets(groupId, null);
    expect(fetched.topics).toEqual([{ name: TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 10n, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }]);
  });

  it('fetches several groups at once (v8), and one group in the older layouts', async () => {
    const g1 = unique('fetch-a');
    const g2 = unique('fetch-b');
    const c1 = await member(g1);
    const c2 = await member(g2);
    await c1.commit([{ topic: TOPIC, partition: 2, offset: 5n, metadata: 'one' }], { generationId: -1, memberId: '' });
    await c2.commit([{ topic: 'other-topic', partition: 1, offset: 9n, metadata: 'two' }], { generationId: -1, memberId: '' });
    const r = await admin.send<any>(Api.OffsetFetch, 8, {
      groups: [
        { groupId: g1, topics: null },
        { groupId: g2, topics: [{ name: 'other-topic', partitionIndexes: [1] }] },
        { groupId: 'never-seen', topics: [{ name: 'nope', partitionIndexes: [0] }] },
      ],
      requireStable: true,
    });
    expect(r.groups.map((g: any) => [g.groupId, g.errorCode, g.topics.map((t: any) => [t.name, t.partitions.map((p: any) => [p.partitionIndex, p.committedOffset, p.metadata])])])).toEqual([
      [g1, 0, [[TOPIC, [[2, 5n, 'one']]]]],
      [g2, 0, [['other-topic', [[1, 9n, 'two']]]]],
      ['never-seen', 0, [['nope', [[0, -1n, '']]]]],
    ]);
    for (const version of [1, 2, 5, 7]) {
      const old = await admin.send<any>(Api.OffsetFetch, version, { groupId: g1, topics: [{ name: TOPIC, partitionIndexes: [2, 3] }] });
      expect(old.topics[0].partitions.map((p: any) => [p.partitionIndex, p.committedOffset, p.metadata])).toEqual([
        [2, 5n, 'one'],
        [3, -1n, ''],
      ]);
    }
    const all = await admin.send<any>(Api.OffsetFetch, 3, { groupId: g2, topics: null });
    expect(all.topics.map((t: any) => t.name)).toEqual(['other-topic']);
  });
});

describe('DescribeGroups, ListGroups, DeleteGroups, OffsetDelete', () => {
  it('describes a stable group with members, hosts, metadata and assignments', async () => {
    const groupId = unique('describe');
    const a = await member(groupId, {}, 'describe-client');
    await formGroup([a]);
    const d = await describe1(groupId);
    expect(d).toMatchObject({ errorCode: 0, groupId, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range', authorizedOperations: expect.any(Number) });
    expect(d.members).toEqual([
      {
        memberId: a.memberId,
        groupInstanceId: null,
        clientId: 'describe-client',
        clientHost: '/127.0.0.1',
        memberMetadata: encodeSubscription([TOPIC]),
        memberAssignment: encodeAssignment({ [TOPIC]: [0, 1, 2, 3] }),
      },
    ]);
  });

  it('reports an unknown group as Dead (v0-5) or GROUP_ID_NOT_FOUND (v6)', async () => {
    expect(await describe1('never-there', 5)).toMatchObject({ errorCode: 0, groupState: 'Dead', members: [] });
    expect(await describe1('never-there', 6)).toMatchObject({ errorCode: ErrorCode.GROUP_ID_NOT_FOUND, groupState: 'Dead', errorMessage: 'Group never-there not found.' });
  });

  it('lists groups with state (v4+) and type (v5+) filters', async () => {
    const stable = unique('list-stable');
    const a = await member(stable);
    await formGroup([a]);
    const empty = unique('list-empty');
    await (await member(empty)).commit([{ topic: TOPIC, partition: 0, offset: 1n }], { generationId: -1, memberId: '' });
    const all = await admin.send<any>(Api.ListGroups, 0, {});
    expect(all.groups.map((g: any) => [g.groupId, g.protocolType])).toEqual(expect.arrayContaining([[stable, 'consumer'], [empty, '']]));
    const onlyStable = await admin.send<any>(Api.ListGroups, 5, { statesFilter: ['STABLE'], typesFilter: ['Classic'] });
    expect(onlyStable.groups.map((g: any) => g.groupId)).toContain(stable);
    expect(onlyStable.groups.map((g: any) => g.groupId)).not.toContain(empty);
    expect(onlyStable.groups.every((g: any) => g.groupState === 'Stable' && g.groupType === 'classic')).toBe(true);
    const consumerType = await admin.send<any>(Api.ListGroups, 5, { statesFilter: [], typesFilter: ['consumer'] });
    expect(consumerType.groups).toEqual([]);
  });

  it('deletes only empty groups, with their offsets', async () => {
    const busy = unique('delete-busy');
    const a = await member(busy);
    await formGroup([a]);
    const idle = unique('delete-idle');
    await (await member(idle)).commit([{ topic: TOPIC, partition: 0, offset: 3n }], { generationId: -1, memberId: '' });
    const r = await admin.send<any>(Api.DeleteGroups, 2, { groupsNames: [busy, idle, 'no-such-group', idle] });
    expect(r.results).toEqual([
      { groupId: busy, errorCode: ErrorCode.NON_EMPTY_GROUP },
      { groupId: idle, errorCode: ErrorCode.NONE },
      { groupId: 'no-such-group', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    const offsets = await admin.send<any>(Api.OffsetFetch, 8, { groups: [{ groupId: idle, topics: null }], requireStable: false });
    expect(offsets.groups[0].topics).toEqual([]);
    expect((await describe1(idle)).groupState).toBe('Dead');
  });

  it('OffsetDelete: GROUP_SUBSCRIBED_TO_TOPIC while members subscribe, deletes the others', async () => {
    const groupId = unique('offset-delete');
    const a = await member(groupId);
    await formGroup([a]);
    await a.commit([{ topic: TOPIC, partition: 0, offset: 4n }]);
    // An offset for a topic nobody subscribes to (committed while it was empty, say).
    await a.leave();
    await (await member(groupId)).commit([{ topic: 'other-topic', partition: 0, offset: 8n }], { generationId: -1, memberId: '' });
    const b = await member(groupId);
    await formGroup([b]);
    const r = await admin.send<any>(Api.OffsetDelete, 0, {
      groupId,
      topics: [
        { name: TOPIC, partitions: [{ partitionIndex: 0 }] },
        { name: 'other-topic', partitions: [{ partitionIndex: 0 }] },
        { name: 'no-such-topic', partitions: [{ partitionIndex: 0 }] },
      ],
    });
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.topics.map((t: any) => [t.name, t.partitions.map((p: any) => p.errorCode)])).toEqual([
      [TOPIC, [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC]],
      ['other-topic', [ErrorCode.NONE]],
      ['no-such-topic', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]],
    ]);
    const left = await admin.send<any>(Api.OffsetFetch, 8, { groups: [{ groupId, topics: null }], requireStable: false });
    expect(left.groups[0].topics.map((t: any) => t.name)).toEqual([TOPIC]);
    const unknown = await admin.send<any>(Api.OffsetDelete, 0, { groupId: unique('nope'), topics: [] });
    expect(unknown.errorCode).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
    const emptyId = await admin.send<any>(Api.OffsetDelete, 0, { groupId: '', topics: [] });
    expect(emptyId.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('OffsetDelete refuses a non-consumer group with members: NON_EMPTY_GROUP', async () => {
    const groupId = unique('connect-like');
    const a = await member(groupId, { protocolType: 'connect', protocols: [{ name: 'sessioned', metadata: Buffer.from('x') }] });
    await a.join();
    await a.sync([]);
    const r = await admin.send<any>(Api.OffsetDelete, 0, { groupId, topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0 }] }] });
    expect(r.errorCode).toBe(ErrorCode.NON_EMPTY_GROUP);
  });
});

describe('group ids', () => {
  it('refuses an empty group id with INVALID_GROUP_ID', async () => {
    const m = await member('');
    const r = await m.joinOnce();
    expect(r.errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
    expect((await m.sync([], { memberId: 'x', generationId: 1 })).errorCode).toBe(ErrorCode.INVALID_GROUP_ID);
  });

  it('serves a group id of 32767 bytes like any other', async () => {
    const groupId = 'g'.repeat(32_000) + 'é'.repeat(383);
    expect(Buffer.byteLength(groupId)).toBe(32_766);
    const a = await member(groupId);
    const assigned = await formGroup([a]);
    expect(assigned.get(a.memberId)).toEqual([0, 1, 2, 3]);
    expect(await a.commit([{ topic: TOPIC, partition: 3, offset: 99n }])).toEqual([ErrorCode.NONE]);
    const d = await describe1(groupId);
    expect([d.groupId === groupId, d.groupState]).toEqual([true, 'Stable']);
    const fetched = await admin.send<any>(Api.OffsetFetch, 8, { groups: [{ groupId, topics: null }], requireStable: false });
    expect(fetched.groups[0].topics[0].partitions[0].committedOffset).toBe(99n);
    expect(await a.leave()).toBe(ErrorCode.NONE);
    const deleted = await admin.send<any>(Api.DeleteGroups, 2, { groupsNames: [groupId] });
    expect(deleted.results[0].errorCode).toBe(ErrorCode.NONE);
  });

  it('keeps a group and a topic of the same name apart', async () => {
    const name = unique('same-name');
    await createTopic(kpg, name, 2);
    const a = await member(name, { topics: [name] });
    await a.join();
    await a.sync([{ memberId: a.memberId, assignment: encodeAssignment({ [name]: [0, 1] }) }]);
    expect(await a.commit([{ topic: name, partition: 1, offset: 12n }])).toEqual([ErrorCode.NONE]);
    await a.leave();
    const deleted = await admin.send<any>(Api.DeleteGroups, 2, { groupsNames: [name] });
    expect(deleted.results[0].errorCode).toBe(ErrorCode.NONE);
    const metadata = await admin.send<any>(3, 9, { topics: [{ name, topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(metadata.topics[0].errorCode).toBe(ErrorCode.NONE);
    expect(metadata.topics[0].partitions).toHaveLength(2);
  });
});
