/**
 * Consumer groups with the clients people run in production, when the compat helper installed them
 * under ~/.cache/kpg (compat/install.sh): the Java kafka-clients (4.x and 3.9) with cooperative-sticky
 * assignment and static membership, and librdkafka through confluent-kafka-python with
 * cooperative-sticky. Skipped when an install is missing.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { createTopic, unique } from './support/helpers.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const CACHE = process.env.KPG_CACHE ?? path.join(os.homedir(), '.cache', 'kpg');
const JAVA_LIBS = { '4': path.join(CACHE, 'clients4', 'lib'), '3.9': path.join(CACHE, 'clients39', 'lib') } as const;
const PYTHON = path.join(CACHE, 'venv', 'bin', 'python');

const hasJavac = await run('javac', ['-version']).then(() => true, () => false);
const javaAvailable = (version: keyof typeof JAVA_LIBS): boolean => hasJavac && existsSync(JAVA_LIBS[version]);
const confluentAvailable = existsSync(PYTHON) && (await run(PYTHON, ['-c', 'import confluent_kafka']).then(() => true, () => false));

let kpg: TestGateway;
const classDirs: Partial<Record<keyof typeof JAVA_LIBS, string>> = {};

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

async function javaScenario(version: keyof typeof JAVA_LIBS, scenario: string): Promise<{ status: string; detail: string }> {
  const topic = unique(`java-${scenario}`);
  await createTopic(kpg, topic, 12);
  const classes = await compiled(version);
  const { stdout } = await run(
    'java',
    ['-cp', `${classes}:${JAVA_LIBS[version]}/*`, 'GroupClients', '--bootstrap', kpg.bootstrap, '--scenario', scenario, '--topic', topic, '--group', unique(`java-${scenario}`)],
    { timeout: 150_000, maxBuffer: 16 * 1024 * 1024 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
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
