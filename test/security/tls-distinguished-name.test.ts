// A client certificate's subject printed as Java's X500Principal.getName() does (Kafka's DEFAULT principal).
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { subjectDistinguishedName } from '../../src/security/tls-distinguished-name.js';
import { createCa } from '../support/tls.js';

const ca = createCa();
const tricky = ca.client([
  ['CN', 'Tkac, Adam'],
  ['emailAddress', 'alice@kpg.io'],
  ['OU', ' lead#x+y;z<>"\\ '],
  ['O', 'a=b #c'],
  ['C', 'CZ'],
  ['DC', 'example'],
]);
// What Java 17 prints for this subject (checked against X500Principal.getName() below when a JDK is at hand).
const JAVA_NAME = String.raw`CN=Tkac\, Adam,1.2.840.113549.1.9.1=#130c616c696365406b70672e696f,OU=\ lead\#x\+y\;z\<\>\"\\\ ,O=a\=b \#c,C=CZ,DC=example`;

const der = (pem: string) => new crypto.X509Certificate(pem).raw;

describe('subjectDistinguishedName', () => {
  it('lists the names last first, escaped, with OIDs and hex for attributes without a keyword', () => {
    expect(subjectDistinguishedName(der(ca.client([['CN', 'client'], ['OU', 'eng'], ['O', 'kpg']]).certPem))).toBe('CN=client,OU=eng,O=kpg');
    expect(subjectDistinguishedName(der(tricky.certPem))).toBe(JAVA_NAME);
  });

  it('refuses bytes that are not a certificate', () => {
    expect(() => subjectDistinguishedName(Buffer.from([0x30, 0x05, 0x01]))).toThrow();
  });

  const hasJdk = spawnSync('javac', ['-version']).status === 0;
  it.skipIf(!hasJdk)('agrees with Java X500Principal.getName()', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kpg-dn-'));
    try {
      fs.writeFileSync(
        path.join(dir, 'Dn.java'),
        `import java.io.FileInputStream; import java.security.cert.*;
         public class Dn { public static void main(String[] a) throws Exception {
           X509Certificate c = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new FileInputStream(a[0]));
           System.out.print(c.getSubjectX500Principal().getName()); } }`,
      );
      fs.writeFileSync(path.join(dir, 'c.pem'), tricky.certPem);
      execFileSync('javac', ['-d', dir, path.join(dir, 'Dn.java')]);
      const javaName = execFileSync('java', ['-cp', dir, 'Dn', path.join(dir, 'c.pem')]).toString();
      expect(subjectDistinguishedName(der(tricky.certPem))).toBe(javaName);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});
