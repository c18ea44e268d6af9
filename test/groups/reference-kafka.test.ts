/**
 * The same group conversations against kpg and a real Kafka broker, compared answer by answer (member
 * ids aside). Runs only when KPG_REFERENCE_KAFKA names a Kafka 4.x broker started with
 * group.initial.rebalance.delay.ms=0, e.g. by `compat/reference-kafka.sh start`:
 *
 *   KPG_REFERENCE_KAFKA=127.0.0.1:39092 npx vitest run test/groups/reference-kafka.test.ts
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { encodeAssignment, encodeSubscription } from './support/consumer-protocol.js';
import { WireClient } from './support/wire-client.js';

const reference = process.env.KPG_REFERENCE_KAFKA;
const referencePort = reference ? Number(reference.split(':').at(-1)) : 0;
const referenceHost = reference ? reference.slice(0, reference.lastIndexOf(':')) : '';

let kpg: TestGateway;
beforeAll(async () => {
  if (reference) kpg = await startTestGateway({ brokerConfigs: { 'group.initial.rebalance.delay.ms': '0' } });
});
afterAll(async () => {
  await kpg?.stop();
});

type Step = [string, unknown];

/** A response as comparable text: bytes in hex, member ids (random on both sides) replaced. */
function comparable(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (typeof v === 'bigint') return v.toString();
    if (v && typeof v === 'object' && (v as { type?: string }).type === 'Buffer') return Buffer.from((v as { data: number[] }).data).toString('hex');
    return v;
  }).replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
}

async function createTopic(c: WireClient, name: string): Promise<void> {
  await c.send(19, 4, { topics: [{ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false });
}

async function dynamicConversation(c: WireClient, topic: string, group: string): Promise<Step[]> {
  const steps: Step[] = [];
  const join = (version: number, body: Record<string, unknown>) =>
    c.send<any>(11, version, {
      groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null,
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: encodeSubscription([topic]) }], reason: null, ...body,
    });
  const commit = (generation: number, memberId: string, offset: bigint) =>
    c.send(8, 8, {
      groupId: group, generationIdOrMemberEpoch: generation, memberId, groupInstanceId: null,
      topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: 5, committedMetadata: 'md' }] }],
    });
  steps.push(['JoinGroup with a session timeout out of bounds', await join(7, { sessionTimeoutMs: 1, memberId: 'abc' })]);
  const first = await join(7, {});
  steps.push(['JoinGroup without member id (v7)', first]);
  const joined = await join(7, { memberId: first.memberId });
  steps.push(['JoinGroup with the given id', joined]);
  const me = first.memberId as string;
  const gen = joined.generationId as number;
  steps.push(['SyncGroup of another generation', await c.send(14, 5, { groupId: group, generationId: 9, memberId: me, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] })]);
  steps.push(['Heartbeat in CompletingRebalance', await c.send(12, 4, { groupId: group, generationId: gen, memberId: me, groupInstanceId: null })]);
  steps.push(['OffsetCommit in CompletingRebalance', await commit(gen, me, 0n)]);
  steps.push(['SyncGroup with a ghost assignment', await c.send(14, 5, {
    groupId: group, generationId: gen, memberId: me, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
    assignments: [{ memberId: me, assignment: encodeAssignment({ [topic]: [0, 1] }) }, { memberId: 'ghost', assignment: Buffer.from('x') }],
  })]);
  steps.push(['DescribeGroups of a stable group', await c.send(15, 5, { groups: [group], includeAuthorizedOperations: false })]);
  steps.push(['OffsetCommit without member on a stable group', await commit(-1, '', 3n)]);
  steps.push(['OffsetCommit with generation -1 and a member', await commit(-1, me, 3n)]);
  steps.push(['OffsetCommit by the member', await commit(gen, me, 3n)]);
  steps.push(['OffsetDelete of a subscribed topic', await c.send(47, 0, { groupId: group, topics: [{ name: topic, partitions: [{ partitionIndex: 0 }] }] })]);
  steps.push(['JoinGroup of the leader in Stable', await join(7, { memberId: me })]);
  steps.push(['Heartbeat of the old generation', await c.send(12, 4, { groupId: group, generationId: gen, memberId: me, groupInstanceId: null })]);
  steps.push(['LeaveGroup of a member and a stranger', await c.send(13, 5, { groupId: group, members: [{ memberId: me, groupInstanceId: null, reason: 'bye' }, { memberId: 'zzz', groupInstanceId: 'inst', reason: null }] })]);
  steps.push(['DescribeGroups of the empty group (v6)', await c.send(15, 6, { groups: [group], includeAuthorizedOperations: false })]);
  steps.push(['ListGroups', (await c.send<any>(16, 5, { statesFilter: [], typesFilter: [] })).groups.filter((g: any) => g.groupId === group)]);
  steps.push(['OffsetFetch of every offset', await c.send(9, 8, { groups: [{ groupId: group, memberId: null, memberEpoch: -1, topics: null }], requireStable: false })]);
  steps.push(['JoinGroup v3', await join(3, {})]);
  steps.push(['DeleteGroups of a non-empty group', await c.send(42, 2, { groupsNames: [group] })]);
  return steps;
}

async function staticConversation(c: WireClient, topic: string, group: string, version: number): Promise<Step[]> {
  const steps: Step[] = [];
  const join = (body: Record<string, unknown>) =>
    c.send<any>(11, version, {
      groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: 'inst-1',
      protocolType: 'consumer', protocols: [{ name: 'range', metadata: encodeSubscription([topic]) }], reason: null, ...body,
    });
  const first = await join({});
  steps.push(['JoinGroup of a static member', first]);
  steps.push(['SyncGroup', await c.send(14, 5, { groupId: group, generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'inst-1', protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: first.memberId, assignment: encodeAssignment({ [topic]: [0, 1] }) }] })]);
  const again = await join({});
  steps.push(['JoinGroup of the same instance without member id', again]);
  steps.push(['Heartbeat of the replaced member', await c.send(12, 4, { groupId: group, generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'inst-1' })]);
  steps.push(['Heartbeat of the new member', await c.send(12, 4, { groupId: group, generationId: again.generationId, memberId: again.memberId, groupInstanceId: 'inst-1' })]);
  steps.push(['SyncGroup of the new member', await c.send(14, 5, { groupId: group, generationId: again.generationId, memberId: again.memberId, groupInstanceId: 'inst-1', protocolType: 'consumer', protocolName: 'range', assignments: [] })]);
  steps.push(['OffsetCommit of the replaced member', await c.send(8, 8, { groupId: group, generationIdOrMemberEpoch: first.generationId, memberId: first.memberId, groupInstanceId: 'inst-1', topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 0n, committedLeaderEpoch: -1, committedMetadata: null }] }] })]);
  steps.push(['JoinGroup with another instance id', await join({ memberId: again.memberId, groupInstanceId: 'inst-2' })]);
  steps.push(['DescribeGroups', await c.send(15, 5, { groups: [group], includeAuthorizedOperations: false })]);
  steps.push(['LeaveGroup by instance id', await c.send(13, 5, { groupId: group, members: [{ memberId: '', groupInstanceId: 'inst-1', reason: null }] })]);
  steps.push(['DescribeGroups after leaving', await c.send(15, 5, { groups: [group], includeAuthorizedOperations: false })]);
  return steps;
}

/**
 * A fresh Kafka creates __consumer_offsets on the first FindCoordinator and answers NOT_COORDINATOR or
 * COORDINATOR_LOAD_IN_PROGRESS until the group's partition is loaded: wait for that before comparing.
 */
async function awaitCoordinator(c: WireClient, group: string): Promise<void> {
  const notReady = new Set([14, 15, 16]);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const found = await c.send<any>(10, 4, { key: '', keyType: 0, coordinatorKeys: [group] });
    const described = await c.send<any>(15, 5, { groups: [group], includeAuthorizedOperations: false });
    if (found.coordinators[0].errorCode === 0 && !notReady.has(described.groups[0].errorCode)) return;
    if (Date.now() > deadline) throw new Error(`the coordinator of ${group} is not ready: ${JSON.stringify(described.groups[0])}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function both(conversation: (c: WireClient) => Promise<Step[]>): Promise<void> {
  const ours = await WireClient.connect(kpg.gateway.port);
  const theirs = await WireClient.connect(referencePort, referenceHost);
  try {
    const a = await conversation(ours);
    const b = await conversation(theirs);
    expect(a.map(([step, r]) => [step, comparable(r)])).toEqual(b.map(([step, r]) => [step, comparable(r)]));
  } finally {
    ours.destroy();
    theirs.destroy();
  }
}

it.skipIf(!reference)('a dynamic member: the same answers as Kafka, step by step', async () => {
  const tag = `${process.pid}-${Date.now()}`;
  await both(async (c) => {
    await createTopic(c, `ref-topic-${tag}`);
    await awaitCoordinator(c, `ref-group-${tag}`);
    return dynamicConversation(c, `ref-topic-${tag}`, `ref-group-${tag}`);
  });
});

for (const version of [5, 9]) {
  it.skipIf(!reference)(`a static member (JoinGroup v${version}): the same answers as Kafka, step by step`, async () => {
    const tag = `${process.pid}-${Date.now()}-${version}`;
    await both(async (c) => {
      await createTopic(c, `ref-topic-${tag}`);
      await awaitCoordinator(c, `ref-static-${tag}`);
      return staticConversation(c, `ref-topic-${tag}`, `ref-static-${tag}`, version);
    });
  });
}
