/**
 * The TLS row's server certificate: self-signed for 127.0.0.1 and localhost, made in-process with
 * node-forge (the key by node:crypto), so the benchmark and its test need nothing but Node.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

/** Writes a PEM keystore (key, then certificate) and the certificate as its own CA file into `dir`. */
export function benchCertificate(dir: string): { keystore: string; ca: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  const serial = randomBytes(8);
  serial[0] = (serial[0]! & 0x7f) | 0x10; // positive, without a leading zero byte
  cert.serialNumber = serial.toString('hex');
  // A minute back for clock skew; two days covers any run.
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 2 * 24 * 3600_000);
  const subject = [{ name: 'commonName', value: 'localhost' }, { name: 'organizationName', value: 'kpg bench' }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    // Its own CA: librdkafka verifies the chain against ssl.ca.location, which is this certificate.
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(privateKey), forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  const ca = path.join(dir, 'tls-cert.pem');
  const keystore = path.join(dir, 'tls-keystore.pem');
  fs.writeFileSync(ca, certPem);
  fs.writeFileSync(keystore, privateKey + certPem, { mode: 0o600 });
  return { keystore, ca };
}
