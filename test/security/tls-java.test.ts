// Java kafka-clients 4.x and 3.9 over TLS listeners (PEM truststore and keystore, hostname verification
// on): AdminClient, producer and consumer over SSL, mTLS with the principal mapped, refused without a
// client certificate where ssl.client.auth=required.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic } from '../support/gateway.js';
import { JAVA_LIBS, javaClientsMissing, realClientAvailable, type JavaVersion } from '../support/real-clients.js';
import { createCa, writePemKeystore, writeTruststore, type TestCa } from '../support/tls.js';
import { startListenerGateway, type ListenerGateway } from './tls-support.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const javaUsable: Record<JavaVersion, boolean> = {
  '4': realClientAvailable('Java kafka-clients 4.x', await javaClientsMissing('4'), import.meta.url),
  '3.9': realClientAvailable('Java kafka-clients 3.9', await javaClientsMissing('3.9'), import.meta.url),
};

let dir: string;
let ca: TestCa;
let truststore: string;
let clientKeystore: string;
let kpg: ListenerGateway;
let topics = 0;
const classDirs: Partial<Record<JavaVersion, string>> = {};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpg-tls-java-'));
  ca = createCa();
  truststore = writeTruststore(path.join(dir, 'ca.pem'), ca);
  clientKeystore = writePemKeystore(path.join(dir, 'client.pem'), ca.client([['CN', 'java-app'], ['OU', 'apps'], ['O', 'kpg']]));
  kpg = await startListenerGateway({
    listeners: 'SSL://127.0.0.1:0,MTLS://127.0.0.1:0',
    'listener.security.protocol.map': 'SSL:SSL,MTLS:SSL',
    'ssl.keystore.type': 'PEM',
    'ssl.keystore.location': writePemKeystore(path.join(dir, 'server.pem'), ca.server()),
    'ssl.truststore.type': 'PEM',
    'ssl.truststore.location': truststore,
    'listener.name.mtls.ssl.client.auth': 'required',
    'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+),OU=apps,.*$/$1/,DEFAULT',
  });
}, 60_000);

afterAll(async () => {
  await kpg?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
  for (const d of Object.values(classDirs)) fs.rmSync(d, { recursive: true, force: true });
});

async function java(version: JavaVersion, listener: string, keystore: string | null): Promise<Record<string, unknown>> {
  if (!classDirs[version]) {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), `kpg-tls-clients-${version}-`));
    await run('javac', ['-nowarn', '-cp', `${JAVA_LIBS[version]}/*`, '-d', d, path.join(HERE, 'clients', 'TlsClients.java')]);
    classDirs[version] = d;
  }
  const topic = `tls-java-${++topics}`;
  await createTopic(kpg.gateway, topic, 1);
  const args = ['-cp', `${classDirs[version]}:${JAVA_LIBS[version]}/*`, 'TlsClients', kpg.address(listener), truststore, keystore ?? '-', topic];
  const { stdout } = await run('java', args, { timeout: 120_000, maxBuffer: 16 * 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

for (const version of ['4', '3.9'] as const) {
  describe.skipIf(!javaUsable[version])(`Java kafka-clients ${version} over TLS`, () => {
    it('produces and consumes over SSL, told the SSL endpoint', async () => {
      const port = Number(kpg.address('SSL').split(':')[1]);
      expect(await java(version, 'SSL', null)).toEqual({ status: 'pass', port, produced: 1, consumed: 1 });
    }, 120_000);

    it('authenticates with a client certificate on the mTLS listener, principal from the rules', async () => {
      const port = Number(kpg.address('MTLS').split(':')[1]);
      expect(await java(version, 'MTLS', clientKeystore)).toEqual({ status: 'pass', port, produced: 1, consumed: 1 });
      await kpg.waitForLog((l) => l.msg === 'TLS handshake completed' && l.listener === 'MTLS' && l.principal === 'User:java-app');
    }, 120_000);

    it('is refused without a client certificate where ssl.client.auth=required', async () => {
      const result = await java(version, 'MTLS', null);
      expect(result.status).toBe('error');
      expect(String(result.error)).toMatch(/SSL|handshake|certificate/i);
    }, 120_000);
  });
}
