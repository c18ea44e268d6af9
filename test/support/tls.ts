/**
 * Test certificates made on the fly with node-forge: certificate authorities, server certificates for
 * 127.0.0.1/localhost, client certificates with a chosen subject, and the files kpg's ssl.* configs name
 * (PEM keystores with key and chain, encrypted keys, PKCS12 stores, PEM truststores).
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

export interface TestCertificate {
  keyPem: string;
  certPem: string;
  /** The certificate chain up to (not including) the root, leaf first. */
  chainPem: string;
  /** Upper-case hex, as Node's getPeerCertificate().serialNumber prints it. */
  serial: string;
  /** The subject in RFC 2253 form, as Java (and Kafka's DEFAULT principal rule) prints it. */
  subject: string;
}

export interface TestCa {
  certificate: TestCertificate;
  /** A server certificate for 127.0.0.1 and localhost. */
  server(commonName?: string): TestCertificate;
  /** A client certificate with the subject given in RFC 2253 order, e.g. [['CN','client'],['OU','eng'],['O','kpg']]. */
  client(subject: [string, string][]): TestCertificate;
}

const SHORT_NAMES: Record<string, string> = { CN: 'commonName', OU: 'organizationalUnitName', O: 'organizationName', C: 'countryName', L: 'localityName', ST: 'stateOrProvinceName' };

function newKey(): { forgeKey: forge.pki.rsa.PrivateKey; forgePublic: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { forgeKey: forge.pki.privateKeyFromPem(privateKey), forgePublic: forge.pki.publicKeyFromPem(publicKey), pem: privateKey };
}

function attributes(subject: [string, string][]): forge.pki.CertificateField[] {
  // RFC 2253 lists the most specific name first; the certificate holds them the other way round.
  return [...subject].reverse().map(([short, value]) => {
    if (short === 'DC') return { type: '0.9.2342.19200300.100.1.25', value, valueTagClass: forge.asn1.Type.IA5STRING } as unknown as forge.pki.CertificateField;
    return { name: SHORT_NAMES[short] ?? short, value };
  });
}

function serialHex(): string {
  const bytes = randomBytes(8);
  bytes[0] = (bytes[0]! & 0x7f) | 0x10; // positive, no leading zero byte
  return bytes.toString('hex').toUpperCase();
}

function issue(
  subject: [string, string][],
  key: ReturnType<typeof newKey>,
  issuer: { cert: forge.pki.Certificate; key: forge.pki.rsa.PrivateKey } | null,
  extensions: object[],
  chainAbove: string,
): { forgeCert: forge.pki.Certificate; certificate: TestCertificate } {
  const cert = forge.pki.createCertificate();
  cert.publicKey = key.forgePublic;
  const serial = serialHex();
  cert.serialNumber = serial;
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  cert.setSubject(attributes(subject));
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : attributes(subject));
  cert.setExtensions(extensions);
  cert.sign(issuer?.key ?? key.forgeKey, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  return {
    forgeCert: cert,
    certificate: {
      keyPem: key.pem,
      certPem,
      chainPem: issuer ? certPem + chainAbove : certPem,
      serial,
      subject: subject.map(([k, v]) => `${k}=${v}`).join(','),
    },
  };
}

export function createCa(name = 'kpg test CA'): TestCa {
  const caKey = newKey();
  const { forgeCert, certificate } = issue([['CN', name], ['O', 'kpg']], caKey, null, [
    { name: 'basicConstraints', cA: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true },
  ], '');
  const issuer = { cert: forgeCert, key: caKey.forgeKey };
  return {
    certificate,
    server(commonName = 'localhost') {
      return issue([['CN', commonName], ['O', 'kpg']], newKey(), issuer, [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
      ], '').certificate;
    },
    client(subject) {
      return issue(subject, newKey(), issuer, [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', clientAuth: true },
      ], '').certificate;
    },
  };
}

/** A PEM keystore file (private key, then the certificate chain), optionally with the key encrypted. */
export function writePemKeystore(file: string, certificate: TestCertificate, keyPassword?: string): string {
  const key = keyPassword
    ? forge.pki.encryptRsaPrivateKey(forge.pki.privateKeyFromPem(certificate.keyPem), keyPassword, { algorithm: 'aes256' })
    : certificate.keyPem;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, key + certificate.chainPem);
  return file;
}

/** A PKCS12 keystore with the key and certificate chain. */
export function writePkcs12Keystore(file: string, certificate: TestCertificate, password: string): string {
  const p12 = forge.pkcs12.toPkcs12Asn1(
    forge.pki.privateKeyFromPem(certificate.keyPem),
    [forge.pki.certificateFromPem(certificate.certPem)],
    password,
    { algorithm: '3des' },
  );
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary'));
  return file;
}

/** A PEM truststore: the CA certificates. */
export function writeTruststore(file: string, ...cas: TestCa[]): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, cas.map((ca) => ca.certificate.certPem).join(''));
  return file;
}
