/**
 * Consumer groups with the clients people run in production, when the compat helper installed them
 * under ~/.cache/kpg (compat/install.sh): the Java kafka-clients (4.x and 3.9) with cooperative-sticky
 * assignment and static membership, and librdkafka through confluent-kafka-python with
 * cooperative-sticky. Both also consume, commit and resume with leader epochs: records carry epoch 0,
 * commits keep it, and positions carrying an epoch (resumed from a commit by Java, seeks, assignments) are
 * validated with OffsetForLeaderEpoch instead of reset. Skipped when an install is missing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import offsetForLeaderEpoch from '../../src/apis/23-offset-for-leader-epoch.js';
import type { RequestContext } from '../../src/apis/handler.js';
import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../src/protocol/messages/types.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';
import { confluentKafkaMissing, javaClientsMissing, realClientAvailable } from '../support/real-clients.js';
import { createTopic, unique } from './support/helpers.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CACHE = process.env.KPG_CACHE ?? path.join(os.homedir(), '.cache', 'kpg');
const JAVA_LIBS = { '4': path.join(CACHE, 'clients4', 'lib'), '3.9': path.join(CACHE, 'clients39', 'lib') } as const;
const PYTHON = path.join(CACHE, 'venv', 'bin', 'python');

const javaUsable = {
  '4': realClientAvailable('Java kafka-clients 4.x', await javaClientsMissing('4'), import.meta.url),
  '3.9': realClientAvailable('Java kafka-clients 3.9', await javaClientsMissing('3.9'), import.meta.url),
};
const javaAvailable = (version: keyof typeof JAVA_LIBS): boolean => javaUsable[version];
const confluentAvailable = realClientAvailable('confluent-kafka-python', await confluentKafkaMissing(), import.meta.url);

let kpg: TestGateway;
const classDirs: Partial<Record<keyof typeof JAVA_LIBS, string>> = {};

/** OffsetForLeaderEpoch lookups the gateway answered: topic, partition, epoch asked, and the answer. */
const epochLookups: { topic: string; partition: number; leaderEpoch: number; answer: { errorCode?: number; partition?: number; leaderEpoch?: number; endOffset?: bigint } }[] = [];
// The gateway runs in this process: record what its handler is asked (same handler object as the registry's).
const answerLookup = offsetForLeaderEpoch.handle.bind(offsetForLeaderEpoch);
offsetForLeaderEpoch.handle = async (request: never, ctx: RequestContext) => {
  const response = (await answerLookup(request, ctx)) as OffsetForLeaderEpochResponse;
  (request as OffsetForLeaderEpochRequest).topics.forEach((t, i) =>
    t.partitions.forEach((p, k) => epochLookups.push({ topic: t.topic, partition: p.partition, leaderEpoch: p.leaderEpoch, answer: response.topics![i]!.partitions![k]! })));
  return response;
};

beforeAll(async () => {
  kpg = await startTestGateway({
    brokerConfigs: { 'group.initial.rebalance.delay.ms': '0', 'group.min.session.timeout.ms': '1000' },
  });
});

afterAll(async () => {
  await kpg?.stop();
  for (const dir of Object.values(classDirs)) rmSync(dir, { recursive: true, force: true });
});

async function compiled(version: keyof typeof JAVA_LIBS): Promise<string> {
  if (!classDirs[version]) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `kpg-group-clients-${version}-`));
    await run('javac', ['-nowarn', '-cp', `${JAVA_LIBS[version]}/*`, '-d', dir, path.join(HERE, 'clients', 'GroupClients.java')]);
    classDirs[version] = dir;
  }
  return classDirs[version]!;
}

async function javaScenario(version: keyof typeof JAVA_LIBS, scenario: string, topic = unique(`java-${scenario}`), group = unique(`java-${scenario}`)): Promise<{ status: string; detail: string }> {
  await createTopic(kpg, topic, scenario === 'epochs' ? 1 : 12);
  const classes = await compiled(version);
  const { stdout } = await run(
    'java',
    ['-cp', `${classes}:${JAVA_LIBS[version]}/*`, 'GroupClients', '--bootstrap', kpg.bootstrap, '--scenario', scenario, '--topic', topic, '--group', group],
    { timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/** The committed offset and leader epoch of partition 0, as OffsetFetch (v7) answers them. */
async function committed(group: string, topic: string): Promise<{ committedOffset: bigint; committedLeaderEpoch: number }> {
  const raw = await RawClient.connect(kpg.bootstrap);
  try {
    const { body } = await raw.request(9, 7, { groupId: group, topics: [{ name: topic, partitionIndexes: [0] }], requireStable: false });
    const { committedOffset, committedLeaderEpoch } = body.topics[0].partitions[0];
    return { committedOffset, committedLeaderEpoch };
  } finally {
    raw.close();
  }
}

/**
 * The epochs scenarios' report (`detail`, the same on Apache Kafka 4.1.2 except for the topic's name) starts
 * with the records read (offset:epoch) and the commit; then 'rejoined at' the committed offset and seeks. Two
 * positions were validated, each with a lookup of epoch 0 (clients may retry one).
 */
async function expectEpochsValidated(detail: string, rest: string, topic: string, group: string): Promise<void> {
  expect(detail).toBe(`read 0:0,1:0,2:0,3:0; committed 4 epoch 0; rejoined at 4 epoch 0; ${rest}`);
  expect(await committed(group, topic)).toEqual({ committedOffset: 4n, committedLeaderEpoch: 0 });
  const lookups = epochLookups.filter((l) => l.topic === topic);
  expect(lookups.length).toBeGreaterThanOrEqual(2);
  for (const l of lookups) expect(l).toEqual({ topic, partition: 0, leaderEpoch: 0, answer: { errorCode: 0, partition: 0, leaderEpoch: 0, endOffset: 10n } });
}

describe.skipIf(!javaAvailable('4'))('Java kafka-clients 4.x', () => {
  it('cooperative-sticky: members share 12 partitions, one leaves, the others take its partitions without giving any up', async () => {
    expect(await javaScenario('4', 'cooperative')).toEqual({ scenario: 'cooperative', status: 'pass', detail: 'pass' });
  }, 180_000);

  it('static membership: a member restarting within its session timeout gets its partitions back, the other never rebalances', async () => {
    expect(await javaScenario('4', 'static')).toEqual({ scenario: 'static', status: 'pass', detail: 'pass' });
  }, 180_000);
});

describe.skipIf(!javaAvailable('3.9'))('Java kafka-clients 3.9', () => {
  it('cooperative-sticky rebalancing', async () => {
    expect(await javaScenario('3.9', 'cooperative')).toEqual({ scenario: 'cooperative', status: 'pass', detail: 'pass' });
  }, 180_000);
});

describe('leader epochs with real consumers', () => {
  for (const version of ['4', '3.9'] as const) {
    it.skipIf(!javaAvailable(version))(`Java kafka-clients ${version}: commits carry epoch 0; resuming and seeking validate the position without a reset`, async () => {
      const topic = unique('java-epochs');
      const group = unique('java-epochs');
      const result = await javaScenario(version, 'epochs', topic, group);
      expect(result.status).toBe('pass');
      // Validated: the position resumed from the commit, and the seek.
      await expectEpochsValidated(result.detail, 'seek 7 epoch 0 read 7', topic, group);
    }, 180_000);
  }

  it.skipIf(!confluentAvailable)('librdkafka: commits carry epoch 0; a seek and an assignment with an epoch validate the position without a reset', async () => {
    const topic = unique('rdkafka-epochs');
    const group = unique('rdkafka-epochs');
    await createTopic(kpg, topic, 1);
    const { stdout } = await run(PYTHON, [path.join(HERE, 'clients', 'group_clients.py'), '--bootstrap', kpg.bootstrap, '--topic', topic, '--group', group, '--scenario', 'epochs'], {
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    expect(result.status).toBe('pass');
    // Validated: the seek and the assignment (librdkafka, on Kafka too, does not validate a position resumed from a commit).
    await expectEpochsValidated(result.detail, 'seek 2 epoch 0 read 2; assigned 7 epoch 0 read 7', topic, group);
  }, 180_000);
});

describe.skipIf(!confluentAvailable)('librdkafka (confluent-kafka-python)', () => {
  it('cooperative-sticky: two consumers share the partitions, one leaves, the other takes over and resumes from commits', async () => {
    const topic = unique('rdkafka-coop');
    await createTopic(kpg, topic, 12);
    const { stdout } = await run(PYTHON, [path.join(HERE, 'clients', 'group_clients.py'), '--bootstrap', kpg.bootstrap, '--topic', topic, '--group', unique('rdkafka-coop')], {
      timeout: 150_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).toEqual({ scenario: 'cooperative', status: 'pass', detail: 'pass' });
  }, 180_000);
});
