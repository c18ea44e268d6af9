/**
 * TLS for SSL and SASL_SSL listeners, configured under Kafka's ssl.* names (each may be overridden per
 * listener as listener.name.<name in lower case>.ssl.*):
 *
 * - ssl.keystore.type PEM: ssl.keystore.location is a file holding the private key and the certificate
 *   chain (ssl.key.password decrypts an encrypted key), or ssl.keystore.key + ssl.keystore.certificate.chain
 *   inline. PKCS12: ssl.keystore.location with ssl.keystore.password. JKS cannot be read here: refused.
 *   Kafka's default type is JKS; a keystore left at that default whose content is PEM text is read as PEM.
 * - ssl.truststore.type PEM: ssl.truststore.location or inline ssl.truststore.certificates (the CAs
 *   client certificates must chain to).
 * - ssl.client.auth none|requested|required, ssl.enabled.protocols, ssl.cipher.suites (Java or OpenSSL
 *   names), ssl.principal.mapping.rules.
 *
 * Key material is reloaded without a restart when its configs change (a dynamic broker config update)
 * and when the files change on disk (a renewed certificate at the same path); bad new material keeps the
 * old context and logs an error.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import { ANONYMOUS, userPrincipal, type KafkaPrincipal } from './principal.js';
import { SslPrincipalMapper } from './ssl-principal-mapper.js';
import { subjectDistinguishedName } from './tls-distinguished-name.js';

/** The ssl.* configs a listener reads, by their Kafka names. */
export const SSL_CONFIG_NAMES = [
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.password',
  'ssl.truststore.certificates',
  'ssl.client.auth',
  'ssl.enabled.protocols',
  'ssl.protocol',
  'ssl.cipher.suites',
  'ssl.principal.mapping.rules',
] as const;
type SslConfigName = (typeof SSL_CONFIG_NAMES)[number];

export type ClientAuth = 'none' | 'requested' | 'required';

/** A listener's ssl.* values, the listener.name.<listener>.ssl.* override applied (null: unset). */
export function listenerSslConfigs(config: BrokerConfig, listener: string): Map<SslConfigName, { value: string | null; explicit: boolean }> {
  const prefix = `listener.name.${listener.toLowerCase()}.`;
  const out = new Map<SslConfigName, { value: string | null; explicit: boolean }>();
  for (const name of SSL_CONFIG_NAMES) {
    const override = config.resolve(prefix + name);
    if (override.source !== 'DEFAULT_CONFIG') {
      out.set(name, { value: override.value, explicit: true });
      continue;
    }
    const plain = config.resolve(name);
    out.set(name, { value: plain.value, explicit: plain.source !== 'DEFAULT_CONFIG' });
  }
  return out;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

function pemBlocks(text: string, kind: (label: string) => boolean): string[] {
  return [...text.matchAll(PEM_BLOCK)].filter((m) => kind(m[1]!)).map((m) => m[0]);
}
const isKey = (label: string): boolean => label.endsWith('PRIVATE KEY');
const isCertificate = (label: string): boolean => label === 'CERTIFICATE' || label === 'TRUSTED CERTIFICATE';

/** Java cipher suite names (TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) as OpenSSL names; others pass unchanged. */
export function opensslCipherName(name: string): string {
  const m = /^(?:TLS|SSL)_(.+)_WITH_(.+)$/.exec(name);
  if (!m) return name; // TLS 1.3 suites and OpenSSL names are the same in Node
  const kx = m[1] === 'RSA' ? '' : `${m[1]!.replace(/_/g, '-')}-`;
  const cipher = m[2]!
    .replace(/^AES_(128|256)_GCM_(SHA\d+)$/, 'AES$1-GCM-$2')
    .replace(/^AES_(128|256)_CBC_SHA$/, 'AES$1-SHA')
    .replace(/^AES_(128|256)_CBC_(SHA\d+)$/, 'AES$1-$2')
    .replace(/^CHACHA20_POLY1305_SHA256$/, 'CHACHA20-POLY1305');
  return kx + cipher;
}

const TLS_VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;

/** Everything a TLS listener needs, built from its configs; throws with a message naming the config at fault. */
export interface TlsMaterial {
  context: tls.SecureContextOptions;
  clientAuth: ClientAuth;
  mapper: SslPrincipalMapper;
  /** Files the material was read from (watched for renewal). */
  files: string[];
  /** Changes when anything the context is made of changes. */
  fingerprint: string;
}

export function loadTlsMaterial(config: BrokerConfig, listener: string): TlsMaterial {
  const c = listenerSslConfigs(config, listener);
  const value = (name: SslConfigName): string | null => c.get(name)!.value;
  const files: string[] = [];
  const hash = createHash('sha256');
  const read = (name: SslConfigName): Buffer => {
    const file = value(name)!;
    try {
      const content = fs.readFileSync(file);
      files.push(path.resolve(file));
      hash.update(content);
      return content;
    } catch (err) {
      throw new Error(`${name} ${file} could not be read: ${(err as Error).message}`);
    }
  };
  const context: tls.SecureContextOptions = {};

  // Keystore: the listener's own key and certificate chain.
  const keystoreType = (value('ssl.keystore.type') ?? 'JKS').toUpperCase();
  const keystoreTypeExplicit = c.get('ssl.keystore.type')!.explicit;
  if (value('ssl.keystore.key') !== null || value('ssl.keystore.certificate.chain') !== null) {
    if (keystoreType !== 'PEM') throw new Error('ssl.keystore.key and ssl.keystore.certificate.chain need ssl.keystore.type=PEM');
    if (value('ssl.keystore.location') !== null) throw new Error('ssl.keystore.location cannot be set together with ssl.keystore.key / ssl.keystore.certificate.chain');
    const key = value('ssl.keystore.key');
    const chain = value('ssl.keystore.certificate.chain');
    if (!key || !chain) throw new Error('ssl.keystore.key and ssl.keystore.certificate.chain must both be set');
    hash.update(key).update(chain);
    context.key = pemBlocks(key, isKey)[0] ?? key;
    context.cert = pemBlocks(chain, isCertificate).join('\n') || chain;
    if (value('ssl.key.password') !== null) context.passphrase = value('ssl.key.password')!;
  } else if (value('ssl.keystore.location') !== null) {
    const content = read('ssl.keystore.location');
    const looksPem = content.subarray(0, 4096).toString('latin1').includes('-----BEGIN ');
    if (keystoreType === 'PEM' || (keystoreType === 'JKS' && !keystoreTypeExplicit && looksPem)) {
      const text = content.toString('utf8');
      const keys = pemBlocks(text, isKey);
      const certs = pemBlocks(text, isCertificate);
      if (keys.length !== 1) throw new Error(`ssl.keystore.location ${value('ssl.keystore.location')} must hold exactly one private key (found ${keys.length})`);
      if (certs.length === 0) throw new Error(`ssl.keystore.location ${value('ssl.keystore.location')} holds no certificate`);
      context.key = keys[0];
      context.cert = certs.join('\n');
      if (value('ssl.key.password') !== null) context.passphrase = value('ssl.key.password')!;
    } else if (keystoreType === 'PKCS12') {
      context.pfx = content;
      const password = value('ssl.keystore.password') ?? value('ssl.key.password');
      if (password !== null) context.passphrase = password;
    } else if (keystoreType === 'JKS') {
      throw new Error(`ssl.keystore.type JKS is not supported by kpg: convert the keystore to PEM or PKCS12 (keytool -importkeystore -deststoretype PKCS12) and set ssl.keystore.type`);
    } else {
      throw new Error(`ssl.keystore.type ${keystoreType} is not supported: use PEM or PKCS12`);
    }
  } else {
    throw new Error(`listener ${listener} uses TLS but has no keystore: set ssl.keystore.location (or listener.name.${listener.toLowerCase()}.ssl.keystore.location)`);
  }

  // Truststore: the CAs client certificates are checked against.
  const truststoreType = (value('ssl.truststore.type') ?? 'JKS').toUpperCase();
  const truststoreTypeExplicit = c.get('ssl.truststore.type')!.explicit;
  if (value('ssl.truststore.certificates') !== null) {
    if (truststoreType !== 'PEM') throw new Error('ssl.truststore.certificates needs ssl.truststore.type=PEM');
    const text = value('ssl.truststore.certificates')!;
    hash.update(text);
    context.ca = pemBlocks(text, isCertificate);
  } else if (value('ssl.truststore.location') !== null) {
    const content = read('ssl.truststore.location');
    const looksPem = content.subarray(0, 4096).toString('latin1').includes('-----BEGIN ');
    if (truststoreType === 'PEM' || (truststoreType === 'JKS' && !truststoreTypeExplicit && looksPem)) {
      const certs = pemBlocks(content.toString('utf8'), isCertificate);
      if (certs.length === 0) throw new Error(`ssl.truststore.location ${value('ssl.truststore.location')} holds no certificate`);
      context.ca = certs;
    } else {
      throw new Error(`ssl.truststore.type ${truststoreType} is not supported by kpg: use ssl.truststore.type=PEM with a file of CA certificates`);
    }
  }

  const clientAuth = (value('ssl.client.auth') ?? 'none').toLowerCase();
  if (clientAuth !== 'none' && clientAuth !== 'requested' && clientAuth !== 'required') {
    throw new Error(`Invalid value ${clientAuth} for configuration ssl.client.auth: String must be one of: required, requested, none`);
  }
  if (clientAuth !== 'none' && !context.ca) throw new Error(`ssl.client.auth=${clientAuth} needs a truststore (ssl.truststore.location or ssl.truststore.certificates)`);

  const enabled = (value('ssl.enabled.protocols') ?? 'TLSv1.2,TLSv1.3').split(',').map((s) => s.trim()).filter(Boolean);
  const known = enabled.filter((p): p is (typeof TLS_VERSIONS)[number] => (TLS_VERSIONS as readonly string[]).includes(p));
  if (known.length === 0) throw new Error(`ssl.enabled.protocols ${enabled.join(',')} names no TLS version kpg serves (${TLS_VERSIONS.join(', ')})`);
  known.sort((a, b) => TLS_VERSIONS.indexOf(a) - TLS_VERSIONS.indexOf(b));
  context.minVersion = known[0];
  context.maxVersion = known[known.length - 1];

  const ciphers = (value('ssl.cipher.suites') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (ciphers.length > 0) context.ciphers = ciphers.map(opensslCipherName).join(':');

  let mapper: SslPrincipalMapper;
  try {
    mapper = new SslPrincipalMapper(value('ssl.principal.mapping.rules'));
  } catch (err) {
    throw new Error(`ssl.principal.mapping.rules: ${(err as Error).message}`);
  }
  try {
    // Parses the key (with its password), the chain and the CAs as the listener will.
    tls.createSecureContext(context);
  } catch (err) {
    throw new Error(`listener ${listener}: the keystore or truststore cannot be used: ${(err as Error).message}`);
  }
  for (const name of SSL_CONFIG_NAMES) hash.update(`${name}=${name.includes('password') ? '' : value(name) ?? ''}\n`);
  hash.update(value('ssl.key.password') ?? '').update(value('ssl.keystore.password') ?? '');
  return { context, clientAuth, mapper, files, fingerprint: hash.digest('hex') };
}

/**
 * Who the client of a finished TLS handshake is: the principal the mapping rules make of its certificate's
 * subject, ANONYMOUS without a certificate. A reason to refuse the client instead: a certificate the
 * truststore does not vouch for (ssl.client.auth=requested lets the handshake finish) or one no rule maps.
 */
export function tlsPrincipal(socket: tls.TLSSocket, mapper: SslPrincipalMapper): { principal: KafkaPrincipal } | { refused: string } {
  const certificate = socket.getPeerCertificate();
  if (!certificate || !certificate.raw) return { principal: ANONYMOUS };
  if (!socket.authorized) return { refused: `client certificate not trusted: ${String(socket.authorizationError)}` };
  let dn: string;
  try {
    dn = subjectDistinguishedName(certificate.raw);
  } catch (err) {
    return { refused: `client certificate subject unreadable: ${(err as Error).message}` };
  }
  try {
    return { principal: userPrincipal(mapper.name(dn)) };
  } catch (err) {
    return { refused: (err as Error).message };
  }
}

/**
 * One TLS listener's current material, and its reloading: when the files it was read from change on disk
 * and when its configs change. Each successful reload hands the new context to `apply`.
 */
export class ListenerTls {
  private material: TlsMaterial;
  private readonly watchers: fs.FSWatcher[] = [];
  private reloadTimer: NodeJS.Timeout | undefined;
  private apply: ((context: tls.SecureContextOptions) => void) | undefined;

  constructor(
    readonly listener: string,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
  ) {
    this.material = loadTlsMaterial(config, listener);
  }

  get current(): TlsMaterial {
    return this.material;
  }

  /** Starts watching the key material's files; `apply` installs a reloaded context (server.setSecureContext). */
  start(apply: (context: tls.SecureContextOptions) => void): void {
    this.apply = apply;
    this.watchFiles();
  }

  /** Reloads if the listener's ssl configs (or the files they name) now give different material. */
  reload(reason: string): void {
    let next: TlsMaterial;
    try {
      next = loadTlsMaterial(this.config, this.listener);
    } catch (err) {
      this.log.error({ listener: this.listener, reason, err: (err as Error).message }, 'TLS material not reloaded: the new keystore or truststore is unusable; keeping the current one');
      return;
    }
    if (next.fingerprint === this.material.fingerprint) return;
    try {
      this.apply?.(next.context);
    } catch (err) {
      this.log.error({ listener: this.listener, reason, err: (err as Error).message }, 'TLS material not reloaded: the new key or certificate was refused; keeping the current one');
      return;
    }
    if (next.clientAuth !== this.material.clientAuth) {
      this.log.warn({ listener: this.listener }, 'ssl.client.auth changes take effect at the next start');
      next = { ...next, clientAuth: this.material.clientAuth };
    }
    const filesChanged = next.files.join('\n') !== this.material.files.join('\n');
    this.material = next;
    this.log.info({ listener: this.listener, reason }, 'TLS keystore/truststore reloaded');
    if (filesChanged) this.watchFiles();
  }

  stop(): void {
    clearTimeout(this.reloadTimer);
    for (const w of this.watchers.splice(0)) w.close();
  }

  /** Watches each file's directory: renewals often replace the file (a rename), which a watch on the file would miss. */
  private watchFiles(): void {
    for (const w of this.watchers.splice(0)) w.close();
    const byDir = new Map<string, Set<string>>();
    for (const file of this.material.files) {
      const dir = path.dirname(file);
      if (!byDir.has(dir)) byDir.set(dir, new Set());
      byDir.get(dir)!.add(path.basename(file));
    }
    for (const [dir, names] of byDir) {
      try {
        const watcher = fs.watch(dir, { persistent: false }, (_event, filename) => {
          if (filename !== null && !names.has(filename.toString())) return;
          // Writers touch a file several times while replacing it: reload once it has settled.
          clearTimeout(this.reloadTimer);
          this.reloadTimer = setTimeout(() => this.reload('file changed'), 200);
        });
        watcher.on('error', (err) => this.log.warn({ err, dir }, 'watching TLS files failed'));
        this.watchers.push(watcher);
      } catch (err) {
        this.log.warn({ err, dir }, 'cannot watch TLS files: renewed certificates need a config change or restart');
      }
    }
  }
}
