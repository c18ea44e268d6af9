/**
 * The OAUTHBEARER server session (src/security/sasl/oauthbearer.ts): JWTs made and signed here with
 * jose, the JWKS served by a local HTTP server (and from a file), each outcome as Kafka answers it.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { exportJWK, generateKeyPair, SignJWT, UnsecuredJWT, type JWK } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { createOauthBearerSession, parseClientInitialResponse } from '../../src/security/sasl/oauthbearer.js';
import { UNSECURED_VALIDATOR_CLASS } from '../../src/security/sasl/oauthbearer-validator.js';

const log = pino({ level: 'silent' });
const ISSUER = 'https://issuer.example';

interface SigningKey {
  kid: string;
  privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  jwk: JWK;
}

async function signingKey(kid: string): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

let key1: SigningKey;
let key2: SigningKey;
let impostor: SigningKey;
/** What the JWKS endpoint serves now, and how often it was asked. */
let served: JWK[] = [];
let jwksRequests = 0;
let server: http.Server;
let jwksUrl: string;
let tmp: string;

beforeAll(async () => {
  [key1, key2, impostor] = await Promise.all([signingKey('k1'), signingKey('k2'), signingKey('k1')]);
  served = [key1.jwk];
  server = http.createServer((req, res) => {
    jwksRequests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: served }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`;
  tmp = mkdtempSync(path.join(os.tmpdir(), 'kpg-oauth-'));
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

async function jwt(claims: Record<string, unknown>, key: SigningKey = key1, options: { iat?: number | null; exp?: number | null } = {}): Promise<string> {
  const builder = new SignJWT({ iss: ISSUER, aud: 'kafka', sub: 'alice', ...claims }).setProtectedHeader({ alg: 'RS256', kid: key.kid });
  if (options.iat !== null) builder.setIssuedAt(options.iat ?? nowSeconds());
  if (options.exp !== null) builder.setExpirationTime(options.exp ?? nowSeconds() + 600);
  return builder.sign(key.privateKey);
}

const initial = (token: string, authzid = ''): Buffer => Buffer.from(`n,${authzid ? `a=${authzid}` : ''},\x01auth=Bearer ${token}\x01\x01`);

function config(values: Record<string, string>): BrokerConfig {
  return new BrokerConfig(() => 1, new Map(Object.entries(values)));
}

const secured = (extra: Record<string, string> = {}): BrokerConfig =>
  config({ 'sasl.oauthbearer.jwks.endpoint.url': jwksUrl, 'sasl.oauthbearer.expected.issuer': ISSUER, 'sasl.oauthbearer.expected.audience': 'kafka', ...extra });

function session(cfg: BrokerConfig, listener = 'SASL_SSL') {
  return createOauthBearerSession({ listener, config: cfg, log });
}

/** Runs one login; a refused token must get the JSON challenge, then SASL_AUTHENTICATION_FAILED after \x01. */
async function login(cfg: BrokerConfig, token: string, listener?: string) {
  const s = session(cfg, listener);
  const first = await s.evaluate(initial(token));
  if (first.kind !== 'challenge') return first;
  const json = first.bytes.toString();
  const last = await s.evaluate(Buffer.from([1]));
  expect(last.kind).toBe('failure');
  if (last.kind === 'failure') expect(last.message).toBe(json);
  return { kind: 'refused' as const, json, logReason: last.kind === 'failure' ? last.logReason : '' };
}

describe('OAUTHBEARER with a JWKS endpoint', () => {
  it('accepts a signed token: principal from sub, session capped by exp', async () => {
    const exp = nowSeconds() + 300;
    const step = await session(secured()).evaluate(initial(await jwt({}, key1, { exp })));
    expect(step).toEqual({ kind: 'success', bytes: Buffer.alloc(0), principal: { type: 'User', name: 'alice' }, credentialExpiresAtMs: exp * 1000 });
  });

  it('names the principal from sasl.oauthbearer.sub.claim.name', async () => {
    const step = await session(secured({ 'sasl.oauthbearer.sub.claim.name': 'client_id' })).evaluate(initial(await jwt({ client_id: 'svc-orders' })));
    expect(step).toMatchObject({ kind: 'success', principal: { name: 'svc-orders' } });
  });

  it.each([
    ['an expired token', () => jwt({}, key1, { exp: nowSeconds() - 120, iat: nowSeconds() - 600 }), /exp/],
    ['a token signed by another key', () => jwt({}, impostor), /signature/],
    ['a wrong issuer', () => jwt({ iss: 'https://evil.example' }), /iss/],
    ['a wrong audience', () => jwt({ aud: 'other' }), /aud/],
    ['a token without exp', () => jwt({}, key1, { exp: null }), /exp/],
    ['a token without iat', () => jwt({}, key1, { iat: null }), /iat/],
    ['a token without sub', () => jwt({ sub: undefined }), /sub/],
    ['an unsigned token', async () => new UnsecuredJWT({ sub: 'alice', iss: ISSUER, aud: 'kafka' }).setIssuedAt().setExpirationTime('5m').encode(), /alg|JWS|signature|Unsupported|ERR_/],
    ['garbage', async () => 'not.a.jwt', /./],
  ])('refuses %s with {"status":"invalid_token"}', async (_what, make, reason) => {
    const outcome = await login(secured(), await make());
    expect(outcome).toMatchObject({ kind: 'refused', json: '{"status":"invalid_token"}' });
    if (outcome.kind === 'refused') expect(outcome.logReason).toMatch(reason);
  });

  it('tolerates sasl.oauthbearer.clock.skew.seconds of expiry, and no more', async () => {
    const token = await jwt({}, key1, { exp: nowSeconds() - 10, iat: nowSeconds() - 100 });
    expect((await login(secured(), token)).kind).toBe('success'); // default skew 30 s
    expect((await login(secured({ 'sasl.oauthbearer.clock.skew.seconds': '0' }), token)).kind).toBe('refused');
  });

  it('accepts any of several expected audiences', async () => {
    const cfg = secured({ 'sasl.oauthbearer.expected.audience': 'orders, kafka' });
    expect((await login(cfg, await jwt({ aud: 'orders' }))).kind).toBe('success');
    expect((await login(cfg, await jwt({ aud: 'billing' }))).kind).toBe('refused');
  });

  it('refuses a token with aud when no audience is expected, as Kafka (jose4j) does', async () => {
    const cfg = config({ 'sasl.oauthbearer.jwks.endpoint.url': jwksUrl });
    expect((await login(cfg, await jwt({ aud: undefined }))).kind).toBe('success');
    const outcome = await login(cfg, await jwt({ aud: 'kafka' }));
    expect(outcome.kind).toBe('refused');
    if (outcome.kind === 'refused') expect(outcome.logReason).toContain('expected.audience');
  });

  it('takes listener.name.<listener>.oauthbearer.* over the broker-wide setting', async () => {
    const cfg = secured({ 'listener.name.external.oauthbearer.sasl.oauthbearer.expected.issuer': 'https://other.example' });
    const token = await jwt({ iss: 'https://other.example' });
    expect((await login(cfg, token, 'EXTERNAL')).kind).toBe('success');
    expect((await login(cfg, token, 'SASL_SSL')).kind).toBe('refused');
  });

  it('fetches the JWKS once for many logins, and again after the refresh interval (key rotation)', async () => {
    const cfg = secured({ 'sasl.oauthbearer.jwks.endpoint.refresh.ms': '300' });
    const before = jwksRequests;
    for (let i = 0; i < 3; i++) expect((await login(cfg, await jwt({}))).kind).toBe('success');
    expect(jwksRequests - before).toBe(1);
    served = [key1.jwk, key2.jwk];
    try {
      const rotated = await jwt({}, key2);
      await new Promise((r) => setTimeout(r, 400));
      expect((await login(cfg, rotated)).kind).toBe('success');
    } finally {
      served = [key1.jwk];
    }
  });

  it('reads the JWKS from a file:// URL', async () => {
    const file = path.join(tmp, 'jwks.json');
    writeFileSync(file, JSON.stringify({ keys: [key2.jwk] }));
    const cfg = secured({ 'sasl.oauthbearer.jwks.endpoint.url': pathToFileURL(file).href });
    expect((await login(cfg, await jwt({}, key2))).kind).toBe('success');
    expect((await login(cfg, await jwt({}, key1))).kind).toBe('refused');
  });

  it('refuses tokens, without throwing, while the JWKS cannot be fetched or parsed', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/jwks`;
    await new Promise((resolve) => closed.close(resolve));
    const garbage = path.join(tmp, 'garbage.json');
    writeFileSync(garbage, 'not json');
    for (const url of [deadUrl, pathToFileURL(garbage).href, pathToFileURL(path.join(tmp, 'missing.json')).href, 'ftp://example/jwks', 'not a url']) {
      const outcome = await login(secured({ 'sasl.oauthbearer.jwks.endpoint.url': url }), await jwt({}));
      expect(outcome, url).toMatchObject({ kind: 'refused', json: '{"status":"invalid_token"}' });
    }
  });

  it('answers random bytes with a failure or a challenge, never an exception', async () => {
    const s = secured();
    for (let i = 0; i < 200; i++) {
      const bytes = Buffer.from(Array.from({ length: Math.floor(Math.random() * 64) }, () => Math.floor(Math.random() * 256)));
      const step = await session(s).evaluate(bytes);
      expect(['failure', 'challenge']).toContain(step.kind);
    }
  });

  it('refuses every token when no JWKS is configured (and unsecured mode is not chosen)', async () => {
    const outcome = await login(config({}), await jwt({}));
    expect(outcome).toMatchObject({ kind: 'refused', json: '{"status":"invalid_token"}' });
    if (outcome.kind === 'refused') expect(outcome.logReason).toContain('jwks.endpoint.url');
  });

  it('refuses an authorization id other than the principal, accepts the same one', async () => {
    const token = await jwt({});
    const other = await session(secured()).evaluate(initial(token, 'bob'));
    expect(other).toMatchObject({ kind: 'failure', message: "Authentication failed: Client requested an authorization id (bob) that is different from the token's principal name (alice)" });
    expect(await session(secured()).evaluate(initial(token, 'alice'))).toMatchObject({ kind: 'success' });
  });
});

describe('malformed client messages', () => {
  it.each([
    ['empty', ''],
    ['no GS2 header', '\x01auth=Bearer abc\x01\x01'],
    ['channel binding', 'p=tls-unique,,\x01auth=Bearer abc\x01\x01'],
    ['no auth key', 'n,,\x01host=x\x01\x01'],
    ['not Bearer', 'n,,\x01auth=Basic abc\x01\x01'],
    ['bad token characters', 'n,,\x01auth=Bearer a$b\x01\x01'],
    ['unterminated', 'n,,\x01auth=Bearer abc\x01'],
    ['bad key', 'n,,\x01a_b=1\x01auth=Bearer abc\x01\x01'],
    ['a lone \\x01 before any token', '\x01'],
  ])('fails at once: %s', async (_what, message) => {
    const step = await session(secured()).evaluate(Buffer.from(message, 'latin1'));
    expect(step).toMatchObject({ kind: 'failure', message: 'Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER' });
  });

  it('parses extensions and an authorization id', () => {
    expect(parseClientInitialResponse(Buffer.from('n,a=alice,\x01auth=bearer a.b.c\x01traceId=42\x01\x01'))).toEqual({
      authorizationId: 'alice', token: 'a.b.c', extensions: new Map([['traceId', '42']]),
    });
  });
});

describe("Kafka's unsecured JWS mode (development only)", () => {
  const unsecuredListener = (jaas = ''): BrokerConfig =>
    config({
      'listener.name.dev.oauthbearer.sasl.server.callback.handler.class': UNSECURED_VALIDATOR_CLASS,
      ...(jaas ? { 'listener.name.dev.oauthbearer.sasl.jaas.config': jaas } : {}),
    });
  const unsigned = (claims: Record<string, unknown>, expIn = 300): string =>
    new UnsecuredJWT({ sub: 'dev-user', ...claims }).setIssuedAt().setExpirationTime(nowSeconds() + expIn).encode();

  it('accepts an unsigned token only on the listener that names the unsecured validator', async () => {
    const cfg = unsecuredListener();
    expect(await login(cfg, unsigned({}), 'DEV')).toMatchObject({ kind: 'success', principal: { name: 'dev-user' } });
    expect((await login(cfg, unsigned({}), 'SASL_SSL')).kind).toBe('refused');
  });

  it('still refuses expired and signed tokens', async () => {
    const cfg = unsecuredListener();
    expect((await login(cfg, unsigned({}, -60), 'DEV')).kind).toBe('refused');
    expect((await login(cfg, await jwt({}), 'DEV')).kind).toBe('refused');
  });

  it('applies the JAAS options: principal claim and required scope (insufficient_scope)', async () => {
    const cfg = unsecuredListener(
      'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredValidatorPrincipalClaimName="user" unsecuredValidatorRequiredScope="kafka";',
    );
    expect(await login(cfg, unsigned({ user: 'bob', scope: ['read', 'kafka'] }), 'DEV')).toMatchObject({ kind: 'success', principal: { name: 'bob' } });
    expect(await login(cfg, unsigned({ user: 'bob', scope: 'kafka' }), 'DEV')).toMatchObject({ kind: 'success' });
    const insufficient = { kind: 'refused', json: '{"status":"insufficient_scope", "scope":"kafka"}' };
    expect(await login(cfg, unsigned({ user: 'bob', scope: ['read'] }), 'DEV')).toMatchObject(insufficient);
    // As Kafka reads it, a string claim is one scope: "read kafka" is not "kafka".
    expect(await login(cfg, unsigned({ user: 'bob', scope: 'read kafka' }), 'DEV')).toMatchObject(insufficient);
  });
});
