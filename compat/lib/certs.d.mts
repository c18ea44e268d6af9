// Types of compat/lib/certs.mjs for the TypeScript tests (test/compat/certs.test.ts).
import type forge from 'node-forge';

export interface TestCa { cn: string; cert: forge.pki.Certificate; key: forge.pki.PrivateKey; certPem: string; keyPem: string }
export interface IssuedCert { cn: string; certPem: string; keyPem: string; chainPem: string }
export interface ClientFiles { certFile: string; keyFile: string; keystoreFile: string }
export interface TestPki {
  dir: string;
  caFile: string;
  caKeyFile: string;
  serverCertFile: string;
  serverKeyFile: string;
  serverKeystoreFile: string;
  clients: Record<string, ClientFiles>;
  ca: TestCa;
  otherCaFile: string;
  otherClient: ClientFiles & { name: string };
}
export function createCa(cn?: string, days?: number): TestCa;
export function issueCert(ca: TestCa, opts: { cn: string; hosts?: string[]; days?: number; org?: string }): IssuedCert;
export function writeTestPki(dir: string, opts?: { clients?: string[]; hosts?: string[]; otherClient?: string; days?: number }): TestPki;
export function unsecuredJwt(sub: string, opts?: { lifetimeS?: number; scope?: string }): string;
