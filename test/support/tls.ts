/**
 * Test certificates for TLS listeners (node-forge), shared with the compat suite: the implementation is
 * compat/lib/certs.mjs (plain ESM, so that compat/run.mjs needs no build). A CA, a server certificate for
 * 127.0.0.1 and localhost, client certificates CN=<name>, and a second CA with a client of its own for
 * "certificate from another CA" tests; PEM files in the layouts Kafka, librdkafka and node:tls read.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCa, issueCert, unsecuredJwt, writeTestPki, type TestPki } from '../../compat/lib/certs.mjs';

export { createCa, issueCert, unsecuredJwt, writeTestPki };
export type { ClientFiles, IssuedCert, TestCa, TestPki } from '../../compat/lib/certs.mjs';

/** A fresh PKI in a temporary directory; `remove()` deletes it. */
export function tempTestPki(opts?: Parameters<typeof writeTestPki>[1]): TestPki & { remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'kpg-test-pki-'));
  return { ...writeTestPki(dir, opts), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** node:tls client options presenting `client`'s certificate (or none) and trusting the test CA. */
export function tlsClientOptions(pki: TestPki, client?: string): { ca: Buffer; cert?: Buffer; key?: Buffer; servername: string } {
  const c = client ? pki.clients[client] : undefined;
  if (client && !c) throw new Error(`no client certificate ${client} in ${pki.dir}`);
  return {
    ca: readFileSync(pki.caFile),
    ...(c ? { cert: readFileSync(c.certFile), key: readFileSync(c.keyFile) } : {}),
    servername: 'localhost',
  };
}
