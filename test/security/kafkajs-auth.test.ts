/**
 * kafkajs against a secured kpg, configured as the compat `auth` scenario configures Kafka: PLAINTEXT for
 * administration (User:ANONYMOUS a super user), SASL_SSL with SCRAM-SHA-512, SCRAM-SHA-256, PLAIN and
 * OAUTHBEARER (Kafka's unsecured-JWS validator), SSL with required client certificates mapped to the CN,
 * the StandardAuthorizer. Users come from `kpg user add` (Postgres), ACLs from kafkajs' CreateAcls.
 *
 * What it proves, per mode: alice produces and consumes back in a group, alice producing to a topic she is
 * denied gets TOPIC_AUTHORIZATION_FAILED, bob (no ACLs) gets an authorization error consuming; wrong
 * passwords and unknown users get SASL_AUTHENTICATION_FAILED; bad OAUTHBEARER tokens are refused; a client
 * certificate from another CA and a client without one are refused by the SSL listener; on a listener with
 * 3 s sessions kafkajs re-authenticates its live connections (KIP-368), and a changed password ends them;
 * on a listener validating signed JWTs against a JWKS file, a provider's token makes kafkajs User:<sub>
 * and tokens with another key, audience or issuer, expired or unsigned are refused.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import kafkajs, { type KafkaConfig, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { createCa, writePemKeystore, writeTruststore, type TestCa, type TestCertificate } from '../support/tls.js';

const { Kafka, logLevel, AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TOPIC = 'auth-topic';
const DENIED = 'auth-denied';
const GROUP = 'auth-group';
const PASSWORDS = { alice: 'alice-secret', bob: 'bob-secret' } as const;
// OAUTHBEARER is served once src/security/sasl/oauthbearer.ts (helper `users`) is wired into the gateway.
const OAUTHBEARER_BUILT = existsSync(path.join(ROOT, 'src/security/sasl/oauthbearer.ts'));

// ---------------------------------------------------------------- helpers
function kpgUser(databaseUrl: string, ...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'user', ...args, '--database-url', databaseUrl], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kpg user ${args[0]} exited ${code}: ${out}`))));
  });
}

const kafkajsErrorCodes = createRequire(import.meta.url)('kafkajs/src/protocol/error.js').errorCodes as { type: string; message: string }[];

/** The Kafka error name behind a kafkajs error (retries wrap errors without their type, but keep the message). */
function kafkaError(e: unknown): string {
  for (let x = e as { type?: string; name?: string; message?: string; cause?: unknown } | undefined, i = 0; x && i < 8; x = x.cause as typeof x, i++) {
    if (x.type) return x.type;
    if (x.name === 'KafkaJSSASLAuthenticationError') return 'SASL_AUTHENTICATION_FAILED';
    const byMessage = kafkajsErrorCodes.find((c) => c.message === x!.message);
    if (byMessage) return byMessage.type;
  }
  return `${(e as Error)?.name}: ${(e as Error)?.message}`;
}

async function failure(step: Promise<unknown>): Promise<string> {
  try { await step; } catch (e) { return kafkaError(e); }
  return 'succeeded';
}

function client(conn: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'>) {
  return new Kafka({ clientId: 'kpg-auth-test', logLevel: logLevel.NOTHING, retry: { retries: 1, initialRetryTime: 100 }, connectionTimeout: 5000, requestTimeout: 10000, ...conn });
}

async function produce(conn: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'>, topic: string, values: string[]): Promise<void> {
  const p = client(conn).producer({ allowAutoTopicCreation: false });
  await p.connect();
  try { await p.send({ topic, acks: -1, messages: values.map((value) => ({ value })) }); } finally { await p.disconnect(); }
}

/** Consumes `topic` in GROUP from the beginning until every wanted value came; rejects with the consumer's error. */
async function consume(conn: Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'>, topic: string, want: string[]): Promise<string[]> {
  const c = client(conn).consumer({ groupId: GROUP, maxWaitTimeInMs: 200, retry: { retries: 1 } });
  const seen = new Set<string>();
  await c.connect();
  try {
    await c.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`consumed ${seen.size} of ${want.length} in 30s`)), 30_000);
      // kafkajs restarts the consumer after a retriable error; any other error ends the consumption.
      c.on(c.events.CRASH, ({ payload }) => { if (!payload.restart) { clearTimeout(timer); reject(payload.error); } });
      c.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const v = message.value?.toString() ?? '';
          if (want.includes(v)) seen.add(v);
          if (seen.size === want.length) { clearTimeout(timer); resolve(); }
        },
      }).catch((e) => { clearTimeout(timer); reject(e); });
    });
  } finally { await c.disconnect(); }
  return [...seen].sort();
}

// ---------------------------------------------------------------- the secured gateway
let kpg: TestGateway;
let dir: string;
let ca: TestCa;
let alice: TestCertificate;
let strangerCa: TestCa;
const addr: Record<string, string> = {};
const ISSUER = 'https://issuer.kpg.test';
const AUDIENCE = 'kpg';
/** The identity provider's key, whose public half is in the JWT listener's JWKS file. */
let signingKey: CryptoKey;
/** Unsecured JWTs (alg none) for the OAUTHBEARER mode, by user. */
const tokens: Record<string, string> = {};

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'kpg-auth-'));
  ca = createCa('kpg auth test CA');
  // Only a CN: Java prints subjects last-first (RFC 2253), and the mapping rule below takes a leading CN.
  alice = ca.client([['CN', 'alice']]);
  strangerCa = createCa('another CA');
  writePemKeystore(path.join(dir, 'server.pem'), ca.server());
  writeTruststore(path.join(dir, 'ca.pem'), ca);
  const unsignedToken = (sub: string): string => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    return `${b64({ alg: 'none' })}.${b64({ sub, iat: now, exp: now + 3600 })}.`;
  };
  tokens.alice = unsignedToken('alice');
  const issuerKeys = await generateKeyPair('RS256');
  signingKey = issuerKeys.privateKey;
  writeFileSync(path.join(dir, 'jwks.json'), JSON.stringify({ keys: [{ ...(await exportJWK(issuerKeys.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] }));
  tokens.bob = unsignedToken('bob');

  kpg = await startTestGateway({
    brokerConfigs: {
      'listeners': 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0,SSL://127.0.0.1:0,REAUTH://127.0.0.1:0,JWT://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,REAUTH:SASL_SSL,JWT:SASL_SSL',
      // OAUTHBEARER as in production: signed JWTs checked against a JWKS file, issuer and audience.
      'listener.name.jwt.sasl.enabled.mechanisms': 'OAUTHBEARER',
      'listener.name.jwt.oauthbearer.sasl.server.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
      'listener.name.jwt.sasl.oauthbearer.jwks.endpoint.url': pathToFileURL(path.join(dir, 'jwks.json')).href,
      'listener.name.jwt.sasl.oauthbearer.expected.issuer': ISSUER,
      'listener.name.jwt.sasl.oauthbearer.expected.audience': AUDIENCE,
      // A second SASL_SSL listener whose sessions last 3 s (KIP-368), under Kafka's per-listener name.
      'listener.name.reauth.connections.max.reauth.ms': '3000',
      'ssl.keystore.type': 'PEM',
      'ssl.keystore.location': path.join(dir, 'server.pem'),
      'ssl.truststore.type': 'PEM',
      'ssl.truststore.location': path.join(dir, 'ca.pem'),
      'listener.name.ssl.ssl.client.auth': 'required',
      'ssl.principal.mapping.rules': 'RULE:^CN=([^,]+).*$/$1/,DEFAULT',
      'sasl.enabled.mechanisms': `SCRAM-SHA-512,SCRAM-SHA-256,PLAIN${OAUTHBEARER_BUILT ? ',OAUTHBEARER' : ''}`,
      ...(OAUTHBEARER_BUILT
        ? { 'listener.name.sasl_ssl.oauthbearer.sasl.server.callback.handler.class': 'org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler' }
        : {}),
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin;User:ANONYMOUS',
      'allow.everyone.if.no.acl.found': 'false',
      'group.initial.rebalance.delay.ms': '0',
    },
  });
  for (const l of kpg.gateway.listeners) addr[l.name] = `${l.advertisedHost}:${l.advertisedPort}`;
  await kpgUser(kpg.database.url, 'add', 'alice', '--password', PASSWORDS.alice, '--mechanism', 'both');
  await kpgUser(kpg.database.url, 'add', 'bob', '--password', PASSWORDS.bob, '--mechanism', 'both');
  await kpgUser(kpg.database.url, 'add', 'carol', '--password', 'carol-secret', '--mechanism', 'SCRAM-SHA-512');
  await createTopic(kpg.gateway, TOPIC);
  await createTopic(kpg.gateway, DENIED);

  // ACLs as an administrator sets them: over PLAINTEXT, where ANONYMOUS is a super user.
  const admin = client({ brokers: [addr.PLAINTEXT!] }).admin();
  await admin.connect();
  const acl = (resourceType: number, resourceName: string, pattern: number, operation: number, permissionType: number, principal = 'User:alice') => ({
    resourceType, resourceName, resourcePatternType: pattern, principal, host: '*', operation, permissionType,
  });
  await admin.createAcls({
    acl: [
      acl(AclResourceTypes.TOPIC, 'auth-', ResourcePatternTypes.PREFIXED, AclOperationTypes.ALL, AclPermissionTypes.ALLOW),
      acl(AclResourceTypes.GROUP, 'auth-', ResourcePatternTypes.PREFIXED, AclOperationTypes.ALL, AclPermissionTypes.ALLOW),
      acl(AclResourceTypes.TOPIC, DENIED, ResourcePatternTypes.LITERAL, AclOperationTypes.READ, AclPermissionTypes.DENY),
      acl(AclResourceTypes.TOPIC, DENIED, ResourcePatternTypes.LITERAL, AclOperationTypes.WRITE, AclPermissionTypes.DENY),
      acl(AclResourceTypes.TOPIC, TOPIC, ResourcePatternTypes.LITERAL, AclOperationTypes.WRITE, AclPermissionTypes.ALLOW, 'User:carol'),
    ] as never,
  });
  await admin.disconnect();
}, 120_000);

afterAll(async () => {
  await kpg?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const sslOptions = () => ({ ca: [ca.certificate.certPem] });
const saslSsl = (sasl: SASLOptions) => ({ brokers: [addr.SASL_SSL!], ssl: sslOptions(), sasl });
const password = (mechanism: 'scram-sha-512' | 'scram-sha-256' | 'plain') => (user: string, pw: string = PASSWORDS[user as keyof typeof PASSWORDS]) =>
  saslSsl({ mechanism, username: user, password: pw } as SASLOptions);

interface Mode { name: string; built: boolean; as: (user: string) => Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> }
const MODES: Mode[] = [
  { name: 'SCRAM-SHA-512', built: true, as: (u) => password('scram-sha-512')(u) },
  { name: 'SCRAM-SHA-256', built: true, as: (u) => password('scram-sha-256')(u) },
  { name: 'PLAIN', built: true, as: (u) => password('plain')(u) },
  { name: 'OAUTHBEARER', built: OAUTHBEARER_BUILT, as: (u) => saslSsl({ mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: tokens[u]! }) }) },
  { name: 'mTLS', built: true, as: () => ({ brokers: [addr.SSL!], ssl: { ...sslOptions(), cert: alice.certPem, key: alice.keyPem } }) },
];

describe.each(MODES)('kafkajs over $name', (mode) => {
  it.skipIf(!mode.built)('alice produces 3 records and consumes them back in her group', async () => {
    const values = [0, 1, 2].map((i) => `${mode.name}-${i}`);
    await produce(mode.as('alice'), TOPIC, values);
    expect(await consume(mode.as('alice'), TOPIC, values)).toEqual(values);
  }, 60_000);

  it.skipIf(!mode.built)('alice producing to a topic she is denied Write on gets TOPIC_AUTHORIZATION_FAILED', async () => {
    expect(await failure(produce(mode.as('alice'), DENIED, ['denied']))).toBe('TOPIC_AUTHORIZATION_FAILED');
    // Her connection is authenticated; only the topic is refused: the allowed topic still takes records.
    await produce(mode.as('alice'), TOPIC, [`${mode.name}-after-denied`]);
  }, 60_000);

  it.skipIf(!mode.built || mode.name === 'mTLS')('bob, with no ACLs, cannot consume the topic', async () => {
    expect(['TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED']).toContain(await failure(consume(mode.as('bob'), TOPIC, ['never'])));
  }, 60_000);
});

describe('authentication failures', () => {
  it.each(['scram-sha-512', 'scram-sha-256', 'plain'] as const)('%s: a wrong password and an unknown user get SASL_AUTHENTICATION_FAILED', async (mechanism) => {
    expect(await failure(produce(password(mechanism)('alice', 'wrong-secret'), TOPIC, ['never']))).toBe('SASL_AUTHENTICATION_FAILED');
    expect(await failure(produce(password(mechanism)('mallory', 'alice-secret'), TOPIC, ['never']))).toBe('SASL_AUTHENTICATION_FAILED');
  }, 60_000);

  it('the SCRAM-SHA-256 password works only for the user it belongs to', async () => {
    expect(await failure(produce(password('scram-sha-256')('bob', PASSWORDS.alice), TOPIC, ['never']))).toBe('SASL_AUTHENTICATION_FAILED');
  }, 60_000);

  const now = Math.floor(Date.now() / 1000);
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const badTokens = {
    expired: `${b64({ alg: 'none' })}.${b64({ sub: 'alice', iat: now - 7200, exp: now - 3600 })}.`,
    noSubject: `${b64({ alg: 'none' })}.${b64({ iat: now, exp: now + 3600 })}.`,
    notJwt: 'not-a-jwt',
  };
  const withToken = (value: string) => saslSsl({ mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value }) });

  it.skipIf(!OAUTHBEARER_BUILT)('OAUTHBEARER: an expired token, one without a subject and one that is no JWT are refused', async () => {
    for (const [what, value] of Object.entries(badTokens)) {
      const got = await failure(produce(withToken(value), TOPIC, ['never']));
      expect({ what, got }).toEqual({ what, got: expect.stringMatching(/^(ILLEGAL_SASL_STATE|KafkaJSNumberOfRetriesExceeded: Closed connection)$/) });
    }
  }, 60_000);

  // Kafka answers a bad token with an error challenge and waits for the client's %x01. kafkajs does not
  // send it: its connect seems to succeed and Kafka 4.1.2 answers its next request (Metadata) with
  // ILLEGAL_SASL_STATE. kpg closes the connection without that response instead (a deliberate shortcut in
  // src/security/sasl/connection-authentication.ts, admit in state 'authenticate'), so kafkajs reports a
  // closed connection. This test pins that difference: it passes while kpg differs from Kafka here.
  it.skipIf(!OAUTHBEARER_BUILT).fails('OAUTHBEARER: kafkajs with a bad token gets ILLEGAL_SASL_STATE, as from Kafka (not yet: kpg closes)', async () => {
    expect(await failure(produce(withToken(badTokens.expired), TOPIC, ['never']))).toBe('ILLEGAL_SASL_STATE');
  }, 60_000);

  it('the SSL listener refuses a certificate from another CA and a client without a certificate', async () => {
    const stranger = strangerCa.client([['CN', 'alice']]);
    // TLS 1.3: the server checks the client certificate after the client finished its side of the
    // handshake, so kafkajs sees its connection closed (or the alert) when it sends its first request.
    const foreign = await failure(produce({ brokers: [addr.SSL!], ssl: { ...sslOptions(), cert: stranger.certPem, key: stranger.keyPem } }, TOPIC, ['never']));
    expect(foreign).toMatch(/^KafkaJS\w+: (Closed connection|Connection error: .*alert (unknown ca|bad certificate|decrypt error))/);
    const none = await failure(produce({ brokers: [addr.SSL!], ssl: sslOptions() }, TOPIC, ['never']));
    expect(none).toMatch(/^KafkaJS\w+: (Closed connection|Connection error: .*alert certificate required)/);
  }, 60_000);

  it('nothing reached the topic alice is denied Write on', async () => {
    const admin = client({ brokers: [addr.PLAINTEXT!] }).admin();
    await admin.connect();
    try {
      const [deniedEnd] = await admin.fetchTopicOffsets(DENIED);
      expect(deniedEnd!.high).toBe('0');
    } finally { await admin.disconnect(); }
  });
});

describe('re-authentication (KIP-368) with kafkajs', () => {
  it('kafkajs re-authenticates its connections before a 3 s session ends, and a changed password ends them', async () => {
    const logs: string[] = [];
    const carol = new Kafka({
      clientId: 'kpg-auth-reauth', brokers: [addr.REAUTH!], ssl: sslOptions(),
      sasl: { mechanism: 'scram-sha-512', username: 'carol', password: 'carol-secret' },
      reauthenticationThreshold: 1000, retry: { retries: 1, initialRetryTime: 100 }, connectionTimeout: 5000, requestTimeout: 10000,
      logLevel: logLevel.DEBUG, logCreator: () => ({ log }) => { logs.push(log.message); },
    });
    const connections = () => logs.filter((m) => m === 'Connecting').length;
    const authentications = () => logs.filter((m) => /authentication successful$/i.test(m)).length;
    const p = carol.producer({ allowAutoTopicCreation: false });
    await p.connect();
    try {
      await p.send({ topic: TOPIC, acks: -1, messages: [{ value: 'carol-0' }] });
      await new Promise((r) => setTimeout(r, 3500));
      // The session announced in SaslAuthenticate v1+ is over: kafkajs authenticated again on the same
      // connections before sending (more authentications than connections), and kpg served the request.
      await p.send({ topic: TOPIC, acks: -1, messages: [{ value: 'carol-1' }] });
      expect(authentications()).toBeGreaterThan(connections());

      await kpgUser(kpg.database.url, 'passwd', 'carol', '--password', 'carol-changed');
      await new Promise((r) => setTimeout(r, 3500));
      // The next re-authentication uses the old password: refused, as on Kafka.
      expect(await failure(p.send({ topic: TOPIC, acks: -1, messages: [{ value: 'carol-2' }] }))).toBe('SASL_AUTHENTICATION_FAILED');
    } finally {
      await p.disconnect().catch(() => {});
    }
  }, 60_000);
});

describe('OAUTHBEARER with signed JWTs (JWKS file, issuer, audience) and kafkajs', () => {
  const jwt = async (claims: { sub?: string; iss?: string; aud?: string; expSeconds?: number }, key: CryptoKey = signingKey) => {
    const now = Math.floor(Date.now() / 1000);
    let builder = new SignJWT({}).setProtectedHeader({ alg: 'RS256', kid: 'k1' }).setIssuedAt(now).setExpirationTime(now + (claims.expSeconds ?? 3600))
      .setIssuer(claims.iss ?? ISSUER).setAudience(claims.aud ?? AUDIENCE);
    if (claims.sub !== undefined) builder = builder.setSubject(claims.sub);
    return builder.sign(key);
  };
  const overJwt = (token: string) => ({ brokers: [addr.JWT!], ssl: sslOptions(), sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: token }) } as SASLOptions });

  it('a token from the identity provider makes the client User:<sub>, with that user\'s ACLs', async () => {
    const token = await jwt({ sub: 'alice' });
    await produce(overJwt(token), TOPIC, ['jwt-alice']);
    // Not a super user, not ANONYMOUS: alice's DENY applies.
    expect(await failure(produce(overJwt(token), DENIED, ['never']))).toBe('TOPIC_AUTHORIZATION_FAILED');
    expect(await failure(produce(overJwt(await jwt({ sub: 'bob' })), TOPIC, ['never']))).toBe('TOPIC_AUTHORIZATION_FAILED');
  }, 60_000);

  it('tokens signed by another key, for another audience or issuer, or expired are refused', async () => {
    const otherKey = (await generateKeyPair('RS256')).privateKey;
    const bad = {
      otherKey: await jwt({ sub: 'alice' }, otherKey),
      audience: await jwt({ sub: 'alice', aud: 'someone-else' }),
      issuer: await jwt({ sub: 'alice', iss: 'https://evil.test' }),
      expired: await jwt({ sub: 'alice', expSeconds: -600 }),
      unsigned: tokens.alice!,
    };
    for (const [what, token] of Object.entries(bad)) {
      const got = await failure(produce(overJwt(token), TOPIC, ['never']));
      // Kafka answers ILLEGAL_SASL_STATE to kafkajs' next request; kpg closes (see the expected failure above).
      expect({ what, got }).toEqual({ what, got: expect.stringMatching(/^(ILLEGAL_SASL_STATE|KafkaJSNumberOfRetriesExceeded: Closed connection)$/) });
    }
  }, 60_000);
});
