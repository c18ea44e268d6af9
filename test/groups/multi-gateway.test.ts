/**
 * Consumer groups spread over two gateways on one Postgres: real kafkajs consumers, raw members that talk
 * to different gateways of the same group, crashes, restarts of members and of gateways.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { decodeAssignment, encodeAssignment } from './support/consumer-protocol.js';
import { createTopic, eventually, unique } from './support/helpers.js';
import { Api, converge, RawMember } from './support/raw-member.js';
import { assignedExactlyOnce, startConsumer, type TrackedConsumer } from './support/tracked-consumer.js';
import { WireClient } from './support/wire-client.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const BROKER_CONFIGS = {
  'group.initial.rebalance.delay.ms': '0',
  'group.min.session.timeout.ms': '1000',
};

let database: TestDatabase;
let g1: TestGateway;
let g2: TestGateway;

beforeAll(async () => {
  database = await createTestDatabase();
  g1 = await startTestGateway({ database, brokerConfigs: BROKER_CONFIGS });
  g2 = await startTestGateway({ database, brokerConfigs: BROKER_CONFIGS });
});

afterAll(async () => {
  await g1?.stop();
  await g2?.stop();
  await database?.drop();
});

const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
});

async function consumers(groupId: string, topic: string, bootstraps: string[], sessionTimeout = 6_000): Promise<TrackedConsumer[]> {
  const out: TrackedConsumer[] = [];
  for (const [i, bootstrap] of bootstraps.entries()) {
    const c = await startConsumer({ bootstrap, groupId, topic, sessionTimeout, clientId: `consumer-${i}` });
    cleanups.push(() => c.stop());
    out.push(c);
  }
  return out;
}

async function produce(bootstrap: string, topic: string, count: number, partitions: number, prefix: string): Promise<string[]> {
  const producer = kafkaClient(bootstrap).producer();
  await producer.connect();
  const values = Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  await producer.send({ topic, messages: values.map((value, i) => ({ value, partition: i % partitions })) });
  await producer.disconnect();
  return values;
}

async function describeGroup(bootstrap: string, groupId: string) {
  const admin = kafkaClient(bootstrap).admin();
  await admin.connect();
  try {
    return (await admin.describeGroups([groupId])).groups[0]!;
  } finally {
    await admin.disconnect();
  }
}

describe('FindCoordinator over two gateways', () => {
  it('every gateway names the same coordinator for a key, and keys spread over both', async () => {
    const c1 = await WireClient.connect(g1.gateway.port);
    const c2 = await WireClient.connect(g2.gateway.port);
    try {
      const keys = Array.from({ length: 20 }, (_, i) => `group-${i}`);
      const a = await c1.send<any>(Api.FindCoordinator, 4, { keyType: 0, coordinatorKeys: keys });
      const b = await c2.send<any>(Api.FindCoordinator, 4, { keyType: 0, coordinatorKeys: keys });
      expect(a.coordinators).toEqual(b.coordinators);
      expect(new Set(a.coordinators.map((c: any) => c.nodeId))).toEqual(new Set([g1.gateway.nodeId, g2.gateway.nodeId]));
    } finally {
      c1.destroy();
      c2.destroy();
    }
  });
});

describe('kafkajs consumers', () => {
  it('four consumers over two gateways share a 12-partition topic: each partition consumed by exactly one', async () => {
    const topic = unique('shared');
    await createTopic(g1, topic, 12);
    const groupId = unique('four');
    const cs = await consumers(groupId, topic, [g1.bootstrap, g2.bootstrap, g1.bootstrap, g2.bootstrap]);
    await eventually(async () => assignedExactlyOnce(cs, 12) && cs.every((c) => c.assignment.length === 3), 60_000, 'four consumers with three partitions each');
    const group = await describeGroup(g2.bootstrap, groupId);
    expect(group.state).toBe('Stable');
    expect(group.protocol).toBe('RoundRobinAssigner');
    expect(group.members.map((m) => m.memberId).sort()).toEqual(cs.map((c) => c.memberId).sort());
    expect(group.members.every((m) => m.clientHost === '/127.0.0.1')).toBe(true);

    const sent = await produce(g1.bootstrap, topic, 240, 12, 'four');
    await eventually(async () => cs.reduce((n, c) => n + c.received.length, 0) >= 240, 60_000, 'all records consumed');
    const received = cs.flatMap((c) => c.received.map((r) => r.value)).sort();
    expect(received).toEqual([...sent].sort());
    // Each consumer only got records of its own partitions.
    for (const c of cs) expect(c.received.every((r) => c.assignment.includes(r.partition))).toBe(true);
  });

  it('a consumer killed with -9 is removed after its session timeout; the others take over from its last commit', async () => {
    const topic = unique('crash');
    await createTopic(g1, topic, 12);
    const groupId = unique('crash');
    const survivors = await consumers(groupId, topic, [g1.bootstrap, g2.bootstrap], 10_000);
    // The child commits the first five records of each of its partitions, then reads on without committing.
    const child = spawnCrashConsumer(g2.bootstrap, groupId, topic, 2_000, 5);
    const childJoin = await child.nextJoin();
    await eventually(
      async () => {
        const childPartitions = childJoin.current()?.assignment[topic] ?? [];
        const all = [...survivors.flatMap((c) => c.assignment), ...childPartitions].sort((a, b) => a - b);
        return childPartitions.length > 0 && all.length === 12 && all.every((p, i) => p === i);
      },
      60_000,
      'three members sharing the partitions',
    );
    const orphaned = childJoin.current()!.assignment[topic]!;

    const before = await produce(g2.bootstrap, topic, 120, 12, 'before-crash'); // offsets 0-9 of every partition
    await eventually(
      async () => orphaned.every((p) => child.messages.filter((m) => m.partition === p).length === 10 && child.committed.get(p) === 5),
      60_000,
      'the child reading all ten records of its partitions and committing five',
    );

    child.process.kill('SIGKILL');
    await eventually(async () => assignedExactlyOnce(survivors, 12), 60_000, 'the survivors holding every partition');
    expect(survivors.flatMap((c) => c.assignment)).toEqual(expect.arrayContaining(orphaned));
    const group = await describeGroup(g1.bootstrap, groupId);
    expect(group.members).toHaveLength(2);

    // Nothing is lost: every record reaches a survivor or was committed by the child. Redelivered are only the
    // records after the child's last commit: offsets 5-9 of its partitions, each once.
    const received = () => survivors.flatMap((c) => c.received);
    await eventually(async () => before.every((v, i) => !orphaned.includes(i % 12) || Math.floor(i / 12) < 5 || received().some((r) => r.value === v)), 60_000, 'the records after the last commit redelivered');
    await eventually(async () => before.every((v, i) => orphaned.includes(i % 12) || received().some((r) => r.value === v)), 60_000, 'the survivors\' own records');
    const fromOrphaned = received().filter((r) => orphaned.includes(r.partition)).map((r) => `${r.partition}:${r.offset}`).sort();
    expect(fromOrphaned).toEqual(orphaned.flatMap((p) => [5, 6, 7, 8, 9].map((o) => `${p}:${o}`)).sort());

    const sent = await produce(g2.bootstrap, topic, 120, 12, 'after-crash');
    await eventually(
      async () => sent.every((v) => survivors.some((c) => c.received.some((r) => r.value === v))),
      60_000,
      'the survivors consuming every partition, the dead member\'s included',
    );
  });

  it('members restarted after committing resume from their committed offsets, also across a gateway restart', async () => {
    const topic = unique('resume');
    await createTopic(g1, topic, 6);
    const groupId = unique('resume');
    const first = await produce(g1.bootstrap, topic, 60, 6, 'first');
    const round1 = await consumers(groupId, topic, [g1.bootstrap, g2.bootstrap]);
    await eventually(async () => round1.reduce((n, c) => n + c.received.length, 0) >= 60, 60_000, 'the first records');
    expect(round1.flatMap((c) => c.received.map((r) => r.value)).sort()).toEqual([...first].sort());
    for (const c of round1) await c.stop();

    const admin = kafkaClient(g2.bootstrap).admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(committed[0]!.partitions.map((p) => [p.partition, p.offset]).sort()).toEqual([0, 1, 2, 3, 4, 5].map((p) => [p, '10']));

    // A third gateway on the same database serves the group as it was left.
    const g3 = await startTestGateway({ database, brokerConfigs: BROKER_CONFIGS });
    cleanups.push(() => g3.stop());
    const second = await produce(g3.bootstrap, topic, 30, 6, 'second');
    const round2 = await consumers(groupId, topic, [g3.bootstrap, g3.bootstrap]);
    await eventually(async () => round2.reduce((n, c) => n + c.received.length, 0) >= 30, 60_000, 'the new records');
    await new Promise((r) => setTimeout(r, 500));
    expect(round2.flatMap((c) => c.received.map((r) => r.value)).sort()).toEqual([...second].sort());
  });
});

describe('raw members on different gateways', () => {
  it('a JoinGroup waiting on one gateway is answered by a rebalance completed on the other', async () => {
    const topic = unique('cross');
    await createTopic(g1, topic, 4);
    const groupId = unique('cross');
    const a = await RawMember.connect(g1.gateway.port, groupId, { topics: [topic], rebalanceTimeoutMs: 30_000 });
    const b = await RawMember.connect(g2.gateway.port, groupId, { topics: [topic], rebalanceTimeoutMs: 30_000 });
    cleanups.push(() => a.close(), () => b.close());
    await converge([a], topic, 4);
    // b joins through gateway 2 and waits there until a (on gateway 1) rejoins and completes the phase.
    const bJoin = b.join();
    await eventually(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS);
    await a.join();
    const rb = await bJoin;
    expect(rb.errorCode).toBe(ErrorCode.NONE);
    expect(rb.generationId).toBe(a.generationId);
    // The follower's SyncGroup waits on its gateway for the leader's, sent to the other one.
    const leader = a.isLeader ? a : b;
    const follower = leader === a ? b : a;
    const followerSync = follower.sync();
    await new Promise((r) => setTimeout(r, 200));
    const plan = [
      { memberId: leader.memberId, assignment: encodeAssignment({ [topic]: [0, 1] }) },
      { memberId: follower.memberId, assignment: encodeAssignment({ [topic]: [2, 3] }) },
    ];
    expect((await leader.sync(plan)).errorCode).toBe(ErrorCode.NONE);
    const fs = await followerSync;
    expect(fs.errorCode).toBe(ErrorCode.NONE);
    expect(decodeAssignment(fs.assignment!)).toEqual({ [topic]: [2, 3] });
  });

  it('ten members joining at once through both gateways without an initial delay converge on one generation', async () => {
    const topic = unique('ten');
    await createTopic(g1, topic, 12);
    const groupId = unique('ten');
    const ms = await Promise.all(
      Array.from({ length: 10 }, (_, i) => RawMember.connect((i % 2 ? g2 : g1).gateway.port, groupId, { topics: [topic] })),
    );
    cleanups.push(() => ms.forEach((m) => m.close()));
    // Without group.initial.rebalance.delay.ms the first rebalance may complete before the last members
    // arrive (how many rounds that takes depends on timing); the group still settles in one generation.
    const assignment = await converge(ms, topic, 12);
    expect(ms.every((m) => m.generationId === ms[0]!.generationId)).toBe(true);
    expect([...assignment.values()].flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('ten members joining at the same instant through two gateways converge in one round (default initial delay)', async () => {
    const topic = unique('ten-delayed');
    await createTopic(g1, topic, 12);
    const groupId = unique('ten-delayed');
    // Two more gateways with Kafka's default group.initial.rebalance.delay.ms (3000).
    const d1 = await startTestGateway({ database, brokerConfigs: { 'group.min.session.timeout.ms': '1000' } });
    const d2 = await startTestGateway({ database, brokerConfigs: { 'group.min.session.timeout.ms': '1000' } });
    cleanups.push(() => d1.stop(), () => d2.stop());
    const ms = await Promise.all(Array.from({ length: 10 }, (_, i) => RawMember.connect((i % 2 ? d2 : d1).gateway.port, groupId, { topics: [topic] })));
    cleanups.push(() => ms.forEach((m) => m.close()));
    const answers = await Promise.all(ms.map((m) => m.join()));
    expect(answers.map((a) => [a.errorCode, a.generationId])).toEqual(ms.map(() => [ErrorCode.NONE, 1]));
    expect(ms.filter((m) => m.isLeader)).toHaveLength(1);
    const leader = ms.find((m) => m.isLeader)!;
    expect(leader.members.map((m) => m.memberId).sort()).toEqual(ms.map((m) => m.memberId).sort());
    // One SyncGroup round completes the generation with every partition assigned once.
    const assignment = await converge(ms, topic, 12);
    expect(ms.every((m) => m.generationId === 1)).toBe(true);
    expect([...assignment.values()].flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 12 }, (_, i) => i));
  });

  it('a member whose gateway stops reconnects to another one and keeps its membership', async () => {
    const topic = unique('failover');
    await createTopic(g1, topic, 4);
    const groupId = unique('failover');
    const g3 = await startTestGateway({ database, brokerConfigs: BROKER_CONFIGS });
    const a = await RawMember.connect(g1.gateway.port, groupId, { topics: [topic], sessionTimeoutMs: 10_000 });
    const b = await RawMember.connect(g3.gateway.port, groupId, { topics: [topic], sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000 });
    cleanups.push(() => a.close(), () => b.close());
    await converge([a, b], topic, 4);
    // a's new request waits on gateway 3 (b must rejoin); gateway 3 shutting down answers it at once.
    const waiting = b.join({ topics: [topic, 'another'] });
    await eventually(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS);
    await g3.stop();
    const answered = await waiting.catch(() => ({ errorCode: -100 }));
    expect([ErrorCode.NOT_COORDINATOR, -100]).toContain(answered.errorCode);
    // b finds gateway 1 and rejoins with its member id; the rebalance completes with both.
    const b2 = await RawMember.connect(g1.gateway.port, groupId, { topics: [topic], sessionTimeoutMs: 10_000 });
    cleanups.push(() => b2.close());
    b2.memberId = b.memberId;
    const [ra, rb] = await Promise.all([a.join(), b2.join()]);
    expect(ra.errorCode).toBe(ErrorCode.NONE);
    expect(rb.errorCode).toBe(ErrorCode.NONE);
    expect(rb.memberId).toBe(b.memberId);
    expect(ra.generationId).toBe(rb.generationId);
  });

  it('a waiting request is answered even if its gateway lost its LISTEN connection meanwhile', async () => {
    const topic = unique('relisten');
    await createTopic(g1, topic, 2);
    const groupId = unique('relisten');
    const a = await RawMember.connect(g1.gateway.port, groupId, { topics: [topic], rebalanceTimeoutMs: 30_000 });
    const b = await RawMember.connect(g2.gateway.port, groupId, { topics: [topic], rebalanceTimeoutMs: 30_000 });
    cleanups.push(() => a.close(), () => b.close());
    await converge([a], topic, 2);
    const bJoin = b.join();
    await eventually(async () => (await a.heartbeat()) === ErrorCode.REBALANCE_IN_PROGRESS);
    const pid = await g2.gateway.storage.notifications.backendPid();
    const admin = await g1.gateway.storage.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    expect(admin.rowCount).toBe(1);
    await a.join();
    const rb = await bJoin;
    expect(rb.errorCode).toBe(ErrorCode.NONE);
    expect(rb.generationId).toBe(a.generationId);
  });
});

interface CrashConsumer {
  process: ChildProcess;
  /** Records the child received, and the offset it last committed per partition. */
  messages: { partition: number; offset: number }[];
  committed: Map<number, number>;
  nextJoin(): Promise<{ current(): { memberId: string; assignment: Record<string, number[]> } | undefined }>;
}

function spawnCrashConsumer(bootstrap: string, groupId: string, topic: string, sessionTimeoutMs: number, commitBelow = 0): CrashConsumer {
  const child = spawn(process.execPath, [path.join(HERE, 'support/crash-consumer.mjs'), bootstrap, groupId, topic, String(sessionTimeoutMs), String(commitBelow)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  cleanups.push(() => child.kill('SIGKILL'));
  let latest: { memberId: string; assignment: Record<string, number[]> } | undefined;
  const messages: { partition: number; offset: number }[] = [];
  const committed = new Map<number, number>();
  const joined = new Promise<void>((resolve) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = JSON.parse(line) as { event: string; memberId: string; assignment: Record<string, number[]>; partition: number; offset: number };
      if (event.event === 'join') {
        latest = { memberId: event.memberId, assignment: event.assignment };
        resolve();
      } else if (event.event === 'message') {
        messages.push({ partition: event.partition, offset: event.offset });
      } else if (event.event === 'committed') {
        committed.set(event.partition, event.offset);
      }
    });
  });
  return {
    process: child,
    messages,
    committed,
    nextJoin: async () => {
      await joined;
      return { current: () => latest };
    },
  };
}
