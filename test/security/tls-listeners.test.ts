// TLS listeners end to end: kafkajs over SSL beside PLAINTEXT, each listener's own endpoints in Metadata,
// FindCoordinator and DescribeCluster, PKCS12 and encrypted PEM keystores, refused keystores.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { createTestDatabase } from '../support/database.js';
import { Kafka, logLevel } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { createCa, writePemKeystore, writePkcs12Keystore, type TestCa } from '../support/tls.js';
import { startListenerGateway, type ListenerGateway } from './tls-support.js';
import { pino } from 'pino';

let dir: string;
let ca: TestCa;
let keystore: string;
let kpg: ListenerGateway;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpg-tls-'));
  ca = createCa();
  keystore = writePemKeystore(path.join(dir, 'server.pem'), ca.server());
  kpg = await startListenerGateway({
    listeners: 'PLAINTEXT://127.0.0.1:0,SSL://127.0.0.1:0',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': keystore,
  });
}, 60_000);

afterAll(async () => {
  await kpg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function sslClient(bootstrap: string, clientId = 'tls-test') {
  return new Kafka({
    brokers: [bootstrap],
    clientId,
    ssl: { ca: [ca.certificate.certPem] },
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
  });
}

describe('TLS listeners', () => {
  it('exposes each bound listener', () => {
    expect(kpg.gateway.listeners.map((l) => [l.name, l.securityProtocol])).toEqual([
      ['PLAINTEXT', 'PLAINTEXT'],
      ['SSL', 'SSL'],
    ]);
    const [plain, ssl] = kpg.gateway.listeners;
    expect(plain!.port).toBeGreaterThan(0);
    expect(ssl!.port).toBeGreaterThan(0);
    expect(ssl!.port).not.toBe(plain!.port);
    expect(kpg.gateway.port).toBe(plain!.port);
  });

  it('produces and consumes with a group over SSL (coordinator on the SSL endpoint)', async () => {
    const kafka = sslClient(kpg.address('SSL'));
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'tls-topic', numPartitions: 1 }] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'tls-topic', messages: [{ key: 'k', value: 'over tls' }] });
    const consumer = kafka.consumer({ groupId: 'tls-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'tls-topic', fromBeginning: true });
    const got = await new Promise<string>((resolve) => {
      void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) });
    });
    expect(got).toBe('over tls');
    const offsets = await admin.fetchOffsets({ groupId: 'tls-group', topics: ['tls-topic'] });
    expect(offsets).toHaveLength(1);
    await consumer.disconnect();
    await producer.disconnect();
    await admin.disconnect();
  }, 60_000);

  it('answers Metadata, DescribeCluster and FindCoordinator with the endpoint of the listener asked on', async () => {
    const [plain, ssl] = kpg.gateway.listeners;
    const viaSsl = sslClient(kpg.address('SSL')).admin();
    await viaSsl.connect();
    expect((await viaSsl.describeCluster()).brokers).toEqual([{ nodeId: kpg.gateway.nodeId, host: '127.0.0.1', port: ssl!.port }]);
    await viaSsl.disconnect();

    const raw = await RawClient.connect(kpg.address('PLAINTEXT'));
    const metadata = (await raw.request(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).body as {
      brokers: { nodeId: number; host: string; port: number }[];
    };
    expect(metadata.brokers).toEqual([expect.objectContaining({ nodeId: kpg.gateway.nodeId, host: '127.0.0.1', port: plain!.port })]);
    const cluster = (await raw.request(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false })).body as {
      brokers: { brokerId: number; port: number }[];
    };
    expect(cluster.brokers.map((b) => b.port)).toEqual([plain!.port]);
    const coordinator = (await raw.request(10, 4, { keyType: 0, coordinatorKeys: ['some-group'] })).body as {
      coordinators: { port: number; errorCode: number }[];
    };
    expect(coordinator.coordinators[0]).toEqual(expect.objectContaining({ errorCode: ErrorCode.NONE, port: plain!.port }));
    raw.close();
  }, 30_000);

  it('stores every advertised listener in kpg.brokers', async () => {
    const [plain, ssl] = kpg.gateway.listeners;
    const records = await kpg.gateway.storage.cluster.gateways(10_000);
    expect(records.find((r) => r.nodeId === kpg.gateway.nodeId)!.endpoints).toEqual([
      { listener: 'PLAINTEXT', host: '127.0.0.1', port: plain!.port, securityProtocol: 'PLAINTEXT' },
      { listener: 'SSL', host: '127.0.0.1', port: ssl!.port, securityProtocol: 'SSL' },
    ]);
  });

  it('reports the running listener configs in DescribeConfigs', async () => {
    const admin = sslClient(kpg.address('SSL')).admin();
    await admin.connect();
    const { resources } = await admin.describeConfigs({
      resources: [{ type: 4, name: String(kpg.gateway.nodeId), configNames: ['listeners', 'advertised.listeners', 'listener.security.protocol.map'] }],
      includeSynonyms: false,
    });
    await admin.disconnect();
    const values = Object.fromEntries(resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    const [plain, ssl] = kpg.gateway.listeners;
    expect(values['advertised.listeners']).toBe(`PLAINTEXT://127.0.0.1:${plain!.port},SSL://127.0.0.1:${ssl!.port}`);
    expect(values['listeners']).toBe(`PLAINTEXT://127.0.0.1:${plain!.port},SSL://127.0.0.1:${ssl!.port}`);
    expect(values['listener.security.protocol.map']).toBe('SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT');
  });
});

describe('listeners of several gateways', () => {
  it('leaves out brokers without the listener a request arrived on', async () => {
    // A second gateway with only PLAINTEXT on the same database: SSL clients do not see it.
    const second = await startGateway({
      host: '127.0.0.1',
      port: 0,
      databaseUrl: kpg.database.url,
      dataDir: '',
      logger: pino({ level: 'silent' }),
    });
    try {
      const viaSsl = sslClient(kpg.address('SSL')).admin();
      await viaSsl.connect();
      expect((await viaSsl.describeCluster()).brokers.map((b) => b.nodeId)).toEqual([kpg.gateway.nodeId]);
      await viaSsl.disconnect();
      const raw = await RawClient.connect(kpg.address('PLAINTEXT'));
      const metadata = (await raw.request(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).body as {
        brokers: { nodeId: number }[];
      };
      expect(metadata.brokers.map((b) => b.nodeId).sort()).toEqual([kpg.gateway.nodeId, second.nodeId].sort());
      raw.close();
    } finally {
      await second.stop();
    }
  }, 30_000);
});

describe('shutdown', () => {
  it('does not wait for a client that never finishes its TLS handshake', async () => {
    const other = await startListenerGateway({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': keystore });
    const [host, port] = other.address('SSL').split(':');
    const silent = net.connect({ host, port: Number(port) });
    await new Promise((r) => silent.on('connect', r));
    const started = Date.now();
    await other.stop();
    expect(Date.now() - started).toBeLessThan(5000);
    silent.destroy();
  }, 30_000);
});

describe('keystores', () => {
  async function serialOf(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: [ca.certificate.certPem] }, () => {
        resolve(socket.getPeerCertificate().serialNumber.toUpperCase());
        socket.end();
      });
      socket.on('error', reject);
    });
  }

  it('serves a PKCS12 keystore and an encrypted PEM key', async () => {
    const p12Cert = ca.server();
    const pemCert = ca.server();
    const p12 = await startListenerGateway({
      listeners: 'SSL://127.0.0.1:0,OTHER://127.0.0.1:0',
      'listener.security.protocol.map': 'SSL:SSL,OTHER:SSL',
      'ssl.keystore.type': 'PKCS12',
      'ssl.keystore.location': writePkcs12Keystore(path.join(dir, 'server.p12'), p12Cert, 'p12-secret'),
      'ssl.keystore.password': 'p12-secret',
      'listener.name.other.ssl.keystore.type': 'PEM',
      'listener.name.other.ssl.keystore.location': writePemKeystore(path.join(dir, 'encrypted.pem'), pemCert, 'key-secret'),
      'listener.name.other.ssl.key.password': 'key-secret',
    });
    try {
      expect(await serialOf(p12.gateway.listeners[0]!.port)).toBe(p12Cert.serial);
      expect(await serialOf(p12.gateway.listeners[1]!.port)).toBe(pemCert.serial);
    } finally {
      await p12.stop();
    }
  }, 60_000);

  it('refuses to start with a JKS keystore, a missing keystore or a wrong key password', async () => {
    const db = await createTestDatabase();
    const start = (configs: Record<string, string>) =>
      startGateway({ host: '127.0.0.1', port: 0, databaseUrl: db.url, dataDir: '', brokerConfigs: new Map(Object.entries(configs)), logger: pino({ level: 'silent' }) });
    try {
      await expect(start({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'JKS', 'ssl.keystore.location': keystore })).rejects.toThrow(
        /JKS is not supported by kpg: convert the keystore to PEM or PKCS12/,
      );
      await expect(start({ listeners: 'SSL://127.0.0.1:0' })).rejects.toThrow(/has no keystore: set ssl.keystore.location/);
      const encrypted = writePemKeystore(path.join(dir, 'enc2.pem'), ca.server(), 'right');
      await expect(start({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': encrypted, 'ssl.key.password': 'wrong' })).rejects.toThrow();
      // Kafka's default keystore type is JKS: a PEM file left at that default is read as PEM.
      const started = await start({ listeners: 'SSL://127.0.0.1:0', 'ssl.keystore.location': keystore });
      await started.stop();
    } finally {
      await db.drop().catch(() => undefined);
    }
  }, 60_000);
});
