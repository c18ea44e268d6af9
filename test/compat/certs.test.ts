import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { unsecuredJwt, writeTestPki } from '../../compat/lib/certs.mjs';

/** The compat suite's certificates (compat/lib/certs.mjs, plain ESM for compat/run.mjs) and JWTs. */
describe('compat test certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kpg-compat-pki-'));
  const pki = writeTestPki(dir);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tlsClientOptions = (client: string) => ({
    ca: readFileSync(pki.caFile), cert: readFileSync(pki.clients[client]!.certFile), key: readFileSync(pki.clients[client]!.keyFile),
  });

  /** A TLS server with the test server certificate that requires a client certificate from the test CA. */
  async function mtlsServer() {
    const server = tls.createServer({
      key: readFileSync(pki.serverKeyFile), cert: readFileSync(pki.serverCertFile), ca: readFileSync(pki.caFile),
      requestCert: true, rejectUnauthorized: true,
    }, (s) => s.end(`hello ${String(s.getPeerCertificate().subject.CN)}`));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { server, port: (server.address() as AddressInfo).port };
  }

  it('a client certificate of the test CA is accepted and its CN seen by the server, for 127.0.0.1 and localhost', async () => {
    const { server, port } = await mtlsServer();
    try {
      for (const host of ['127.0.0.1', 'localhost']) {
        const socket = tls.connect({ host, port, ...tlsClientOptions('alice'), servername: host === 'localhost' ? host : undefined });
        const [data] = await once(socket, 'data');
        expect(String(data)).toBe('hello alice');
        expect(socket.authorized).toBe(true);
        socket.destroy();
      }
    } finally { server.close(); }
  });

  it('a client certificate from the other CA is refused', async () => {
    const { server, port } = await mtlsServer();
    try {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(pki.caFile), cert: readFileSync(pki.otherClient.certFile), key: readFileSync(pki.otherClient.keyFile) });
      const outcome = await new Promise<string>((resolve) => {
        socket.on('data', (d) => resolve(`data ${String(d)}`));
        socket.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
        socket.on('close', () => resolve('closed'));
      });
      expect(outcome).not.toMatch(/^data/);
      socket.destroy();
    } finally { server.close(); }
  });

  it('a client that does not trust the test CA refuses the server certificate', async () => {
    const { server, port } = await mtlsServer();
    try {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: readFileSync(pki.otherCaFile) });
      const [err] = await once(socket, 'error');
      expect((err as NodeJS.ErrnoException).code).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|CERT/);
    } finally { server.close(); }
  });

  it('the PEM keystore holds a PKCS#8 key followed by the chain (Kafka ssl.keystore.type=PEM)', () => {
    const text = readFileSync(pki.serverKeystoreFile, 'utf8');
    expect(text.startsWith('-----BEGIN PRIVATE KEY-----')).toBe(true);
    expect(text.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(2);
  });

  it('an unsecured JWT has alg none, the subject and an expiry', () => {
    const [header, payload, signature] = unsecuredJwt('alice', { lifetimeS: 60 }).split('.');
    expect(JSON.parse(Buffer.from(header!, 'base64url').toString())).toEqual({ alg: 'none' });
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString()) as { sub: string; exp: number; iat: number };
    expect(claims.sub).toBe('alice');
    expect(claims.exp - claims.iat).toBe(60);
    expect(signature).toBe('');
  });
});
