/**
 * kafkajs over SASL_PLAINTEXT with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512: produce and consume as an
 * authenticated user, a wrong password refused with Kafka's message, a flood of failed logins that
 * does not stop another client, and kafkajs re-authenticating when its session lifetime runs out.
 */
import { createRequire } from 'node:module';
import type { SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { createTopic } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';
import { startSaslGateway, type SaslTestGateway } from './sasl-gateway.js';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');

const LIFETIME_MS = 3000;
let kpg: SaslTestGateway;

beforeAll(async () => {
  kpg = await startSaslGateway({
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    'listener.name.sasl_plaintext.scram-sha-512.connections.max.reauth.ms': String(LIFETIME_MS),
  });
  await kpg.addUser('alice', 'alice-secret');
  await createTopic(kpg.gateway, 'sasl-topic', 1);
  await createTopic(kpg.gateway, 'flood-topic', 1);
  await createTopic(kpg.gateway, 'reauth-topic', 1);
});

afterAll(async () => {
  await kpg?.stop();
});

/**
 * kafkajs re-authenticates once a session has less than reauthenticationThreshold left (10 s by default):
 * with a 3 s SCRAM-SHA-512 lifetime it would try before every request, and Kafka (like kpg) refuses a
 * re-authentication less than a second after the previous one. Real deployments use minutes.
 */
function client(sasl: SASLOptions) {
  return new Kafka({
    brokers: [kpg.bootstrap],
    clientId: 'sasl-kafkajs',
    sasl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    reauthenticationThreshold: 1000,
  });
}

describe('kafkajs', () => {
  for (const mechanism of ['plain', 'scram-sha-256', 'scram-sha-512'] as const) {
    it(`produces and consumes with SASL ${mechanism}`, async () => {
      const kafka = client({ mechanism, username: 'alice', password: 'alice-secret' } as SASLOptions);
      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic: 'sasl-topic', messages: [{ value: `via ${mechanism}` }] });
      await producer.disconnect();
      const consumer = kafka.consumer({ groupId: `sasl-${mechanism}` });
      await consumer.connect();
      await consumer.subscribe({ topic: 'sasl-topic', fromBeginning: true });
      const seen: string[] = [];
      await new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.includes(`via ${mechanism}`)) resolve();
          },
        });
      });
      await consumer.disconnect();
      expect(seen).toContain(`via ${mechanism}`);
    });
  }

  for (const mechanism of ['plain', 'scram-sha-512'] as const) {
    it(`is refused with a wrong password (${mechanism}) and Kafka's message`, async () => {
      const admin = client({ mechanism, username: 'alice', password: 'wrong' } as SASLOptions).admin();
      const error = await admin.connect().then(
        () => null,
        (err: Error) => err,
      );
      expect(error?.name).toBe('KafkaJSSASLAuthenticationError');
      expect(error?.message).toContain(
        mechanism === 'plain'
          ? 'Authentication failed: Invalid username or password'
          : 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
      );
      await admin.disconnect();
    });
  }

  it('keeps producing while another client floods the listener with failed logins', async () => {
    const producer = client({ mechanism: 'scram-sha-256', username: 'alice', password: 'alice-secret' }).producer();
    await producer.connect();
    const FAILED_LOGINS = 80;
    const floodStarted = Date.now();
    const flood = Promise.all(
      Array.from({ length: FAILED_LOGINS }, async (_, i) => {
        const raw = await RawClient.connect(kpg.bootstrap);
        await raw.request(17, 1, { mechanism: 'PLAIN' });
        const { body } = await raw.request(36, 2, { authBytes: Buffer.from(`\0alice\0guess-${i}`) });
        raw.close();
        return body.errorCode as number;
      }),
    );
    let sent = 0;
    let sentDuringFlood = 0;
    let floodDone = false;
    let floodMs = 0;
    void flood.finally(() => {
      floodDone = true;
      floodMs = Date.now() - floodStarted;
      sentDuringFlood = sent;
    });
    // The producer's requests complete while failed logins wait out their delay.
    while (!floodDone || sent < 5) {
      await producer.send({ topic: 'flood-topic', messages: [{ value: `m${sent}` }] });
      sent++;
    }
    expect(await flood).toEqual(Array(FAILED_LOGINS).fill(ErrorCode.SASL_AUTHENTICATION_FAILED));
    expect(sent).toBeGreaterThanOrEqual(5);
    expect(sentDuringFlood).toBeGreaterThan(0);
    // The 100 ms delays overlap (timers): eighty of them one after another would take 8 s.
    expect(floodMs).toBeLessThan(FAILED_LOGINS * 100 * 0.75);
    await producer.disconnect();
  });

  it('re-authenticates on its connection before the session lifetime (connections.max.reauth.ms) runs out', async () => {
    const kafka = client({ mechanism: 'scram-sha-512', username: 'alice', password: 'alice-secret' });
    const producer = kafka.producer();
    await producer.connect();
    const before = kpg.logs.matching('SASL re-authentication succeeded').length;
    for (let i = 0; i < 4; i++) {
      await producer.send({ topic: 'reauth-topic', messages: [{ value: `r${i}` }] });
      await new Promise((r) => setTimeout(r, 1200));
    }
    expect(kpg.logs.matching('SASL re-authentication succeeded').length).toBeGreaterThan(before);
    expect(kpg.logs.matching('expired without re-authentication')).toHaveLength(0);
    await producer.disconnect();
  });
});
