// A SASL_SSL listener built by the gateway from its listener configs: kafkajs with SCRAM-SHA-512 and PLAIN
// over TLS, users from Postgres, a wrong password refused; PLAINTEXT beside it stays unauthenticated.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveScramKeys } from '../../src/security/scram-keys.js';
import { Kafka, logLevel } from '../support/kafkajs.js';
import { createCa, writePemKeystore, type TestCa } from '../support/tls.js';
import { startListenerGateway, type ListenerGateway } from './tls-support.js';

let dir: string;
let ca: TestCa;
let kpg: ListenerGateway;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpg-sasl-ssl-'));
  ca = createCa();
  kpg = await startListenerGateway({
    listeners: 'SASL_SSL://127.0.0.1:0,PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512,PLAIN',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': writePemKeystore(path.join(dir, 'server.pem'), ca.server()),
  });
  await kpg.gateway.storage.users.alterScramCredentials([{ userName: 'alice', ...deriveScramKeys('SCRAM-SHA-512', 'alice-secret', 4096) }], []);
}, 60_000);

afterAll(async () => {
  await kpg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function client(mechanism: 'scram-sha-512' | 'plain', password: string) {
  return new Kafka({
    brokers: [kpg.address('SASL_SSL')],
    ssl: { ca: [ca.certificate.certPem] },
    sasl: { mechanism, username: 'alice', password } as never,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
}

describe('SASL_SSL listener', () => {
  it('serves kafkajs with SCRAM-SHA-512 over TLS, group coordinator on the SASL_SSL endpoint', async () => {
    const kafka = client('scram-sha-512', 'alice-secret');
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'sasl-ssl', messages: [{ value: 'secret hello' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: 'sasl-ssl-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'sasl-ssl', fromBeginning: true });
    const got = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
    expect(got).toBe('secret hello');
    await consumer.disconnect();
  }, 60_000);

  it('serves PLAIN checked against the same credentials, and refuses a wrong password', async () => {
    const admin = client('plain', 'alice-secret').admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers[0]!.port).toBe(Number(kpg.address('SASL_SSL').split(':')[1]));
    await admin.disconnect();
    const wrong = client('scram-sha-512', 'not-her-password').admin();
    await expect(wrong.connect()).rejects.toThrow(/SASL|authentication/i);
  }, 30_000);
});
