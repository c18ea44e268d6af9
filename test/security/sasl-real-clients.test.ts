/**
 * Real clients over SASL_PLAINTEXT: Java kafka-clients 4.x and 3.9, and librdkafka (confluent-kafka-python),
 * each with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, a wrong password refused with Kafka's message, and
 * KIP-368 re-authentication on a long-lived producer when the session lifetime is short.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic } from '../support/gateway.js';
import { CLIENT_PYTHON, confluentKafkaMissing, JAVA_LIBS, javaClientsMissing, realClientAvailable, type JavaVersion } from '../support/real-clients.js';
import { startSaslGateway, type SaslTestGateway } from './sasl-gateway.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
/** SCRAM-SHA-512 sessions last 4 s here, so a producer running 9 s must re-authenticate at least once. */
const SCRAM_512_LIFETIME_MS = 4000;

const javaUsable: Record<JavaVersion, boolean> = {
  '4': realClientAvailable('Java kafka-clients 4.x', await javaClientsMissing('4'), import.meta.url),
  '3.9': realClientAvailable('Java kafka-clients 3.9', await javaClientsMissing('3.9'), import.meta.url),
};
const confluentUsable = realClientAvailable('confluent-kafka-python', await confluentKafkaMissing(), import.meta.url);

let kpg: SaslTestGateway;
const classDirs: Partial<Record<JavaVersion, string>> = {};
let topicCounter = 0;

beforeAll(async () => {
  kpg = await startSaslGateway({
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.sasl_plaintext.scram-sha-512.connections.max.reauth.ms': String(SCRAM_512_LIFETIME_MS),
  });
  await kpg.addUser('alice', 'alice-secret');
});

afterAll(async () => {
  await kpg?.stop();
  for (const dir of Object.values(classDirs)) rmSync(dir, { recursive: true, force: true });
});

interface ClientResult {
  status: 'pass' | 'error';
  produced?: number;
  consumed?: number;
  error?: string;
}

async function newTopic(): Promise<string> {
  const topic = `sasl-real-${++topicCounter}-${Date.now()}`;
  await createTopic(kpg.gateway, topic, 1);
  return topic;
}

async function java(version: JavaVersion, mechanism: string, password: string, seconds = 1): Promise<ClientResult> {
  if (!classDirs[version]) {
    const dir = mkdtempSync(path.join(os.tmpdir(), `kpg-sasl-clients-${version}-`));
    await run('javac', ['-nowarn', '-cp', `${JAVA_LIBS[version]}/*`, '-d', dir, path.join(HERE, 'clients', 'SaslClients.java')]);
    classDirs[version] = dir;
  }
  const args = ['-cp', `${classDirs[version]}:${JAVA_LIBS[version]}/*`, 'SaslClients', kpg.bootstrap, mechanism, 'alice', password, await newTopic(), String(seconds)];
  const { stdout } = await run('java', args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ClientResult;
}

async function librdkafka(mechanism: string, password: string, seconds = 1): Promise<ClientResult> {
  const script = path.join(HERE, 'clients', 'sasl_client.py');
  const { stdout } = await run(CLIENT_PYTHON, [script, kpg.bootstrap, mechanism, 'alice', password, await newTopic(), String(seconds)], { timeout: 120_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as ClientResult;
}

const reauthentications = (): number => kpg.logs.matching('SASL re-authentication succeeded').length;
const expiredCloses = (): number => kpg.logs.matching('expired without re-authentication').length;

for (const version of ['4', '3.9'] as const) {
  describe.skipIf(!javaUsable[version])(`Java kafka-clients ${version}`, () => {
    for (const mechanism of MECHANISMS) {
      it(`produces and consumes with ${mechanism}`, async () => {
        expect(await java(version, mechanism, 'alice-secret')).toEqual({ status: 'pass', produced: 1, consumed: 1 });
      }, 120_000);
    }

    it('is refused with a wrong password: SaslAuthenticationException with Kafka\'s message', async () => {
      const result = await java(version, 'SCRAM-SHA-512', 'wrong');
      expect(result.status).toBe('error');
      expect(result.error).toContain('SaslAuthenticationException');
      expect(result.error).toContain('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512');
    }, 120_000);

    it('re-authenticates a long-lived producer before its session expires (KIP-368)', async () => {
      const [before, expiredBefore] = [reauthentications(), expiredCloses()];
      expect(await java(version, 'SCRAM-SHA-512', 'alice-secret', 9)).toEqual({ status: 'pass', produced: 9, consumed: 9 });
      expect(reauthentications()).toBeGreaterThan(before);
      expect(expiredCloses()).toBe(expiredBefore);
    }, 120_000);
  });
}

describe.skipIf(!confluentUsable)('librdkafka (confluent-kafka-python)', () => {
  for (const mechanism of MECHANISMS) {
    it(`produces and consumes with ${mechanism}`, async () => {
      expect(await librdkafka(mechanism, 'alice-secret')).toEqual({ status: 'pass', produced: 1, consumed: 1 });
    }, 120_000);
  }

  it('is refused with a wrong password and Kafka\'s message', async () => {
    const result = await librdkafka('PLAIN', 'wrong');
    expect(result.status).toBe('error');
    expect(result.error).toContain('Authentication failed: Invalid username or password');
  }, 120_000);

  it('re-authenticates a long-lived producer before its session expires (KIP-368)', async () => {
    const [before, expiredBefore] = [reauthentications(), expiredCloses()];
    expect(await librdkafka('SCRAM-SHA-512', 'alice-secret', 9)).toEqual({ status: 'pass', produced: 9, consumed: 9 });
    expect(reauthentications()).toBeGreaterThan(before);
    expect(expiredCloses()).toBe(expiredBefore);
  }, 120_000);
});
