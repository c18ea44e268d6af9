// mTLS: ssl.client.auth required/requested, principals from ssl.principal.mapping.rules, refused clients
// (no certificate, another CA, no matching rule), plaintext and TLS clients on the wrong listener, and
// certificate reload (file replaced, dynamic config change, bad new material).
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subjectDistinguishedName } from '../../src/security/tls-distinguished-name.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { Kafka, logLevel } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { createCa, writePemKeystore, writeTruststore, type TestCa, type TestCertificate } from '../support/tls.js';
import { startListenerGateway, type ListenerGateway } from './tls-support.js';

let dir: string;
let ca: TestCa;
let otherCa: TestCa;
let alice: TestCertificate;
let service: TestCertificate;
let stranger: TestCertificate;
let keystore: string;
let kpg: ListenerGateway;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpg-mtls-'));
  ca = createCa('kpg CA');
  otherCa = createCa('other CA');
  alice = ca.client([['CN', 'alice'], ['OU', 'eng'], ['O', 'kpg']]);
  service = ca.client([['CN', 'Billing'], ['OU', 'ServiceUsers'], ['O', 'kpg']]);
  stranger = otherCa.client([['CN', 'mallory'], ['OU', 'eng'], ['O', 'kpg']]);
  keystore = writePemKeystore(path.join(dir, 'keys', 'server.pem'), ca.server());
  kpg = await startListenerGateway({
    listeners: 'REQUIRED://127.0.0.1:0,REQUESTED://127.0.0.1:0,PLAINTEXT://127.0.0.1:0',
    'listener.security.protocol.map': 'REQUIRED:SSL,REQUESTED:SSL,PLAINTEXT:PLAINTEXT',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': keystore,
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': writeTruststore(path.join(dir, 'trust', 'ca.pem'), ca),
    'listener.name.required.ssl.client.auth': 'required',
    'listener.name.requested.ssl.client.auth': 'requested',
    'ssl.principal.mapping.rules': 'RULE:^CN=(.*?),OU=ServiceUsers.*$/svc-$1/L,DEFAULT',
  });
}, 60_000);

afterAll(async () => {
  await kpg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Connects over TLS and sends ApiVersions; resolves with whether a response came back. */
function tlsApiVersions(address: string, client?: TestCertificate): Promise<{ answered: boolean; localPort: number }> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    let localPort = 0;
    const socket = tls.connect({
      host,
      port: Number(port),
      ca: [ca.certificate.certPem],
      ...(client ? { key: client.keyPem, cert: client.chainPem } : {}),
    });
    const request = Buffer.alloc(4 + 2 + 2 + 4 + 2);
    request.writeInt32BE(10, 0); // size; ApiVersions v0, correlation 7, null client id
    request.writeInt16BE(18, 4);
    request.writeInt16BE(0, 6);
    request.writeInt32BE(7, 8);
    request.writeInt16BE(-1, 12);
    socket.on('secureConnect', () => {
      localPort = socket.localPort ?? 0;
      socket.write(request);
    });
    socket.once('data', () => {
      socket.destroy();
      resolve({ answered: true, localPort });
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve({ answered: false, localPort }));
  });
}

const principalLine = (principal: string) => (l: Record<string, unknown>) => l.msg === 'TLS handshake completed' && l.principal === principal;

describe('mTLS', () => {
  it('maps a client certificate subject with the rules, DEFAULT giving the RFC 2253 name', async () => {
    expect(subjectDistinguishedName(new crypto.X509Certificate(alice.certPem).raw)).toBe('CN=alice,OU=eng,O=kpg');
    expect((await tlsApiVersions(kpg.address('REQUIRED'), alice)).answered).toBe(true);
    await kpg.waitForLog(principalLine('User:CN=alice,OU=eng,O=kpg'));
    expect((await tlsApiVersions(kpg.address('REQUIRED'), service)).answered).toBe(true);
    await kpg.waitForLog(principalLine('User:svc-billing'));
  });

  it('serves kafkajs with a client certificate', async () => {
    const kafka = new Kafka({
      brokers: [kpg.address('REQUIRED')],
      ssl: { ca: [ca.certificate.certPem], key: alice.keyPem, cert: alice.chainPem },
      logLevel: logLevel.NOTHING,
      retry: { retries: 1 },
    });
    const admin = kafka.admin();
    await admin.connect();
    expect((await admin.describeCluster()).brokers[0]!.port).toBe(Number(kpg.address('REQUIRED').split(':')[1]));
    await admin.disconnect();
  }, 30_000);

  it('ssl.client.auth=required refuses a client without a certificate, and one from another CA, with a log line', async () => {
    const none = await tlsApiVersions(kpg.address('REQUIRED'));
    expect(none.answered).toBe(false);
    await kpg.waitForLog((l) => l.msg === 'closing connection: TLS handshake failed' && l.listener === 'REQUIRED' && String(l.client).startsWith('127.0.0.1:'));
    const before = kpg.logs.length;
    const other = await tlsApiVersions(kpg.address('REQUIRED'), stranger);
    expect(other.answered).toBe(false);
    await kpg.waitForLog((l) => kpg.logs.indexOf(l) >= before && l.msg === 'closing connection: TLS handshake failed');
  });

  it('ssl.client.auth=requested makes a client without certificate ANONYMOUS and still refuses another CA', async () => {
    expect((await tlsApiVersions(kpg.address('REQUESTED'))).answered).toBe(true);
    await kpg.waitForLog(principalLine('User:ANONYMOUS'));
    const other = await tlsApiVersions(kpg.address('REQUESTED'), stranger);
    expect(other.answered).toBe(false);
    await kpg.waitForLog((l) => l.msg === 'closing connection: TLS client refused' && String(l.reason).includes('not trusted') && l.client === `127.0.0.1:${other.localPort}`);
  });

  it('closes a plaintext client on a TLS listener and a TLS client on a plaintext listener, with log lines', async () => {
    const [host, port] = kpg.address('REQUIRED').split(':');
    const plain = net.connect({ host, port: Number(port) });
    await new Promise((r) => plain.on('connect', r));
    const localPort = plain.localPort;
    plain.write(Buffer.from([0, 0, 0, 10, 0, 18, 0, 0, 0, 0, 0, 7, 0xff, 0xff]));
    await new Promise((r) => plain.on('close', r));
    await kpg.waitForLog((l) => l.msg === 'closing connection: TLS handshake failed' && l.client === `127.0.0.1:${localPort}`);

    const tlsOnPlain = await tlsApiVersions(kpg.address('PLAINTEXT'));
    expect(tlsOnPlain.answered).toBe(false);
    await kpg.waitForLog((l) => l.msg === 'closing connection: request frame too large' && String(l.client).startsWith('127.0.0.1:'));
  });
});

describe('certificate reload', () => {
  async function serialOf(address: string): Promise<string> {
    const [host, port] = address.split(':');
    return new Promise((resolve, reject) => {
      const socket = tls.connect({ host, port: Number(port), ca: [ca.certificate.certPem], key: alice.keyPem, cert: alice.chainPem }, () => {
        resolve(socket.getPeerCertificate().serialNumber.toUpperCase());
        socket.destroy();
      });
      socket.on('error', reject);
    });
  }

  async function eventually(check: () => Promise<boolean>, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  it('picks up a renewed certificate at the same path, and keeps the old one when the new file is bad', async () => {
    const address = kpg.address('REQUIRED');
    const renewed = ca.server();
    // Replaced by rename, as certificate tools do.
    const tmp = path.join(dir, 'keys', 'server.pem.new');
    writePemKeystore(tmp, renewed);
    fs.renameSync(tmp, keystore);
    await eventually(async () => (await serialOf(address)) === renewed.serial);

    fs.writeFileSync(keystore, 'not a keystore');
    await kpg.waitForLog((l) => l.msg === 'TLS material not reloaded: the new keystore or truststore is unusable; keeping the current one');
    expect(await serialOf(address)).toBe(renewed.serial);
    writePemKeystore(keystore, renewed);
  }, 30_000);

  it('reloads when the keystore config is altered dynamically (kafka-configs --alter)', async () => {
    const address = kpg.address('REQUESTED');
    const moved = ca.server();
    const movedFile = writePemKeystore(path.join(dir, 'moved', 'server.pem'), moved);
    const admin = new Kafka({ brokers: [kpg.address('PLAINTEXT')], logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: 4, name: String(kpg.gateway.nodeId), configEntries: [{ name: 'listener.name.requested.ssl.keystore.location', value: movedFile }] }],
    });
    const { resources } = await admin.describeConfigs({
      resources: [{ type: 4, name: String(kpg.gateway.nodeId), configNames: ['listener.name.requested.ssl.keystore.location'] }],
      includeSynonyms: false,
    });
    expect(resources[0]!.configEntries[0]).toMatchObject({ configValue: movedFile, isSensitive: false });
    await admin.disconnect();
    await eventually(async () => (await serialOf(address)) === moved.serial);
    // The other listener keeps its own keystore.
    expect(await serialOf(kpg.address('REQUIRED'))).not.toBe(moved.serial);
  }, 30_000);

  it('refuses a dynamic keystore change it cannot use, as Kafka does, and keeps the current one', async () => {
    const before = await serialOf(kpg.address('REQUESTED'));
    const raw = await RawClient.connect(kpg.address('PLAINTEXT'));
    const alter = async (value: string) => {
      const { body } = await raw.request(33, 1, {
        resources: [{ resourceType: 4, resourceName: String(kpg.gateway.nodeId), configs: [{ name: 'listener.name.requested.ssl.keystore.location', value }] }],
        validateOnly: false,
      });
      return body.responses[0] as { errorCode: number; errorMessage: string };
    };
    const missing = await alter(path.join(dir, 'missing.pem'));
    expect(missing.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(missing.errorMessage).toMatch(/SSL factory failed: ssl.keystore.location .*missing.pem could not be read/);
    const mismatched = path.join(dir, 'mismatched.pem');
    fs.writeFileSync(mismatched, alice.keyPem + ca.server().certPem); // a key that is not the certificate's
    const refused = await alter(mismatched);
    expect(refused.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(refused.errorMessage).toMatch(/SSL factory failed: .*cannot be used/);
    raw.close();
    const stored = await kpg.gateway.storage.cluster.brokerConfigs();
    expect(stored.find((c) => c.name === 'listener.name.requested.ssl.keystore.location')?.value).toBe(path.join(dir, 'moved', 'server.pem'));
    expect(await serialOf(kpg.address('REQUESTED'))).toBe(before);
  }, 30_000);
});
