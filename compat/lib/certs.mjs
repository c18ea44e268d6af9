// Test certificates for TLS listeners: certificate authorities, a server certificate for 127.0.0.1 and
// localhost, client certificates (CN=alice, ...), written as PEM files in the layouts Kafka reads
// (ssl.keystore.type=PEM: a PKCS#8 key followed by the certificate chain in one file) and the ones
// librdkafka, Python's ssl and node:tls read (separate certificate and key files).
// Keys come from node:crypto (node-forge's pure-JS RSA key generation takes seconds per key); node-forge
// builds and signs the X.509 certificates. Plain ESM so that compat/run.mjs can use it without a build;
// certs.d.mts gives it types for test/compat/certs.test.ts.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

const { pki } = forge;
const DAY_MS = 86_400_000;

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  return { keyPem, forgeKey: pki.privateKeyFromPem(keyPem), forgePublic: pki.publicKeyFromPem(publicPem) };
}

function baseCert(subject, issuer, publicKey, days) {
  const cert = pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`; // a leading 01: positive in DER
  cert.validity.notBefore = new Date(Date.now() - DAY_MS);
  cert.validity.notAfter = new Date(Date.now() + days * DAY_MS);
  cert.setSubject(subject);
  cert.setIssuer(issuer);
  return cert;
}

// O before CN in the certificate: RFC 2253 (Java's getName, Kafka's principal) then reads "CN=alice,O=kpg tests",
// which ssl.principal.mapping.rules like RULE:^CN=([^,]+).*$/$1/ expect
const nameAttrs = (cn, org = 'kpg tests') => [{ name: 'organizationName', value: org }, { name: 'commonName', value: cn }];

/** A self-signed certificate authority. */
export function createCa(cn = 'kpg test CA', days = 30) {
  const k = keyPair();
  const subject = nameAttrs(cn);
  const cert = baseCert(subject, subject, k.forgePublic, days);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(k.forgeKey, forge.md.sha256.create());
  return { cn, cert, key: k.forgeKey, certPem: pki.certificateToPem(cert), keyPem: k.keyPem };
}

/**
 * A leaf certificate signed by `ca`. `hosts` become subject alternative names (IP addresses or DNS
 * names) and make it a server certificate; without hosts it is a client certificate.
 */
export function issueCert(ca, { cn, hosts = [], days = 30, org } = {}) {
  const k = keyPair();
  const cert = baseCert(nameAttrs(cn, org), ca.cert.subject.attributes, k.forgePublic, days);
  const server = hosts.length > 0;
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: server, clientAuth: true },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
    ...(server ? [{ name: 'subjectAltName', altNames: hosts.map((h) => (/^[\d.]+$|:/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })) }] : []),
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  const certPem = pki.certificateToPem(cert);
  return { cn, certPem, keyPem: k.keyPem, chainPem: certPem + ca.certPem };
}

/**
 * Writes a CA, a server certificate (127.0.0.1, localhost and `hosts`), one client certificate per
 * name in `clients` and, for negative tests, a second CA with its own client certificate `otherClient`.
 * Files: ca.pem, server.pem / server.key, server-keystore.pem (key + chain, Kafka's PEM keystore),
 * NAME.pem / NAME.key / NAME-keystore.pem per client, other-ca.pem, other-NAME.pem / .key.
 */
export function writeTestPki(dir, { clients = ['alice', 'bob'], hosts = [], otherClient = 'mallory', days = 30 } = {}) {
  mkdirSync(dir, { recursive: true });
  const file = (name, text) => { const p = join(dir, name); writeFileSync(p, text, { mode: 0o600 }); return p; };
  const ca = createCa('kpg test CA', days);
  const server = issueCert(ca, { cn: 'localhost', hosts: ['127.0.0.1', 'localhost', ...hosts], days });
  const out = {
    dir,
    caFile: file('ca.pem', ca.certPem),
    caKeyFile: file('ca.key', ca.keyPem),
    serverCertFile: file('server.pem', server.chainPem),
    serverKeyFile: file('server.key', server.keyPem),
    serverKeystoreFile: file('server-keystore.pem', server.keyPem + server.chainPem),
    clients: {},
    ca,
  };
  for (const name of clients) {
    const c = issueCert(ca, { cn: name, days });
    out.clients[name] = {
      certFile: file(`${name}.pem`, c.certPem),
      keyFile: file(`${name}.key`, c.keyPem),
      keystoreFile: file(`${name}-keystore.pem`, c.keyPem + c.chainPem),
    };
  }
  const other = createCa('kpg other test CA', days);
  const stranger = issueCert(other, { cn: otherClient, days });
  out.otherCaFile = file('other-ca.pem', other.certPem);
  out.otherClient = {
    name: otherClient,
    certFile: file(`other-${otherClient}.pem`, stranger.certPem),
    keyFile: file(`other-${otherClient}.key`, stranger.keyPem),
    keystoreFile: file(`other-${otherClient}-keystore.pem`, stranger.keyPem + stranger.chainPem),
  };
  return out;
}

/** An unsecured JWS (alg "none") as Kafka's OAuthBearerUnsecuredValidatorCallbackHandler accepts it. */
export function unsecuredJwt(sub, { lifetimeS = 3600, scope } = {}) {
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const iat = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'none' })}.${b64({ sub, iat, exp: iat + lifetimeS, ...(scope ? { scope } : {}) })}.`;
}
