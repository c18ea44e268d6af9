/**
 * SASL on a SASL_PLAINTEXT listener, byte by byte over real sockets: the handshake, PLAIN and SCRAM
 * exchanges, v0 raw tokens, bad input, the failed-login delay, re-authentication and expired sessions,
 * each answered (or closed) as Kafka's SaslServerAuthenticator does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { RawClient } from '../support/raw-client.js';
import { startSaslGateway, type SaslTestGateway } from './sasl-gateway.js';
import { ScramClient } from './scram-client.js';

const SASL_HANDSHAKE = 17;
const API_VERSIONS = 18;
const SASL_AUTHENTICATE = 36;
const METADATA = 3;
const SCRAM_512_LIFETIME_MS = 3000;

let kpg: SaslTestGateway;

beforeAll(async () => {
  kpg = await startSaslGateway({
    'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    // Only SCRAM-SHA-512 sessions expire: Kafka's per-mechanism override of connections.max.reauth.ms.
    'listener.name.sasl_plaintext.scram-sha-512.connections.max.reauth.ms': String(SCRAM_512_LIFETIME_MS),
  });
  await kpg.addUser('alice', 'alice-secret');
  await kpg.addUser('bob', 'bob-secret', ['SCRAM-SHA-512']);
  await kpg.addUser('carol', 'carol-secret', ['SCRAM-SHA-256']);
});

afterAll(async () => {
  await kpg?.stop();
});

const plainToken = (user: string, password: string, authzid = ''): Buffer => Buffer.from(`${authzid}\0${user}\0${password}`);

async function connect(): Promise<RawClient> {
  return RawClient.connect(kpg.bootstrap);
}

async function handshake(client: RawClient, mechanism: string, version = 1): Promise<Record<string, any>> {
  return (await client.request(SASL_HANDSHAKE, version, { mechanism })).body;
}

async function authenticate(client: RawClient, token: Buffer, version = 2): Promise<Record<string, any>> {
  return (await client.request(SASL_AUTHENTICATE, version, { authBytes: token })).body;
}

/** A full SCRAM exchange over SaslAuthenticate; returns the final response and the client. */
async function scramLogin(client: RawClient, mechanism: 'SCRAM-SHA-256' | 'SCRAM-SHA-512', user: string, password: string) {
  expect((await handshake(client, mechanism)).errorCode).toBe(ErrorCode.NONE);
  const scram = new ScramClient(mechanism, user, password);
  const first = await authenticate(client, scram.clientFirst());
  expect(first.errorCode).toBe(ErrorCode.NONE);
  const final = await authenticate(client, scram.clientFinal(first.authBytes));
  return { scram, first, final };
}

async function metadataWorks(client: RawClient): Promise<boolean> {
  const { body } = await client.request(METADATA, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return Array.isArray(body.brokers) && body.brokers.length > 0;
}

function logsFor(port: number, msg: string | RegExp): Record<string, unknown>[] {
  return kpg.logs.matching(msg).filter((l) => String(l.client).endsWith(`:${port}`));
}

async function localPort(client: RawClient): Promise<number> {
  return (client as unknown as { socket: { localPort: number } }).socket.localPort;
}

describe('before authentication', () => {
  it('serves ApiVersions, which advertises SaslHandshake v0-1 and SaslAuthenticate v0-2', async () => {
    const client = await connect();
    const { body } = await client.request(API_VERSIONS, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    const keys = new Map((body.apiKeys as { apiKey: number; minVersion: number; maxVersion: number }[]).map((k) => [k.apiKey, k]));
    expect(keys.get(SASL_HANDSHAKE)).toMatchObject({ minVersion: 0, maxVersion: 1 });
    expect(keys.get(SASL_AUTHENTICATE)).toMatchObject({ minVersion: 0, maxVersion: 2 });
    // then the handshake: the enabled mechanisms in configured order
    expect(await handshake(client, 'PLAIN')).toEqual({ errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    client.close();
  });

  it('closes the connection, without a response, on any other request (Metadata)', async () => {
    const client = await connect();
    const port = await localPort(client);
    client.send(METADATA, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(await client.nextFrame()).toBeNull();
    expect(logsFor(port, 'unexpected request (API key 3) during SASL handshake')).toHaveLength(1);
  });

  it('closes the connection on a second ApiVersions after the first was answered, as Kafka does', async () => {
    const client = await connect();
    await client.request(API_VERSIONS, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    client.send(API_VERSIONS, 3, { clientSoftwareName: 'raw', clientSoftwareVersion: '1' });
    expect(await client.nextFrame()).toBeNull();
  });

  it('closes the connection on SaslAuthenticate without a handshake (Kafka: invalid request during the handshake)', async () => {
    const client = await connect();
    const port = await localPort(client);
    client.send(SASL_AUTHENTICATE, 2, { authBytes: plainToken('alice', 'alice-secret') });
    expect(await client.nextFrame()).toBeNull();
    expect(logsFor(port, 'unexpected request (API key 36) during SASL handshake')).toHaveLength(1);
  });

  it('answers a mechanism not enabled with UNSUPPORTED_SASL_MECHANISM and the enabled list, after the delay, then closes', async () => {
    const client = await connect();
    const started = Date.now();
    expect(await handshake(client, 'GSSAPI')).toEqual({
      errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM,
      mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'],
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(await client.waitClosed()).toBe(true);
  });

  it('closes a connection that sends garbage instead of a request', async () => {
    const client = await connect();
    client.sendRaw(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(await client.waitClosed()).toBe(true);
  });
});

describe('PLAIN', () => {
  it('authenticates against the stored SCRAM credentials; later requests are served', async () => {
    const client = await connect();
    const port = await localPort(client);
    await handshake(client, 'PLAIN');
    expect(await authenticate(client, plainToken('alice', 'alice-secret'))).toEqual({
      errorCode: 0,
      errorMessage: null,
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0n,
    });
    expect(await metadataWorks(client)).toBe(true);
    expect(logsFor(port, 'SASL authentication succeeded')[0]).toMatchObject({ principal: 'User:alice', mechanism: 'PLAIN' });
    client.close();
  });

  it('checks a user with only SCRAM-SHA-256 credentials too, and accepts authzid equal to the user', async () => {
    const client = await connect();
    await handshake(client, 'PLAIN');
    expect((await authenticate(client, plainToken('carol', 'carol-secret', 'carol'))).errorCode).toBe(0);
    client.close();
  });

  it('answers a wrong password with SASL_AUTHENTICATION_FAILED and Kafka\'s message after the delay, logs the user (never the password), closes', async () => {
    const client = await connect();
    const port = await localPort(client);
    await handshake(client, 'PLAIN');
    const started = Date.now();
    const response = await authenticate(client, plainToken('alice', 'wrong-password-123'));
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(response).toMatchObject({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: 'Authentication failed: Invalid username or password' });
    expect(await client.waitClosed()).toBe(true);
    const [line] = logsFor(port, 'SASL authentication failed');
    expect(line).toMatchObject({ user: 'alice', mechanism: 'PLAIN', client: `127.0.0.1:${port}` });
    expect(kpg.logs.raw.some((l) => l.includes('wrong-password-123'))).toBe(false);
  });

  it('answers an unknown user as a wrong password', async () => {
    const client = await connect();
    await handshake(client, 'PLAIN');
    expect(await authenticate(client, plainToken('mallory', 'x'))).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed: Invalid username or password',
    });
    expect(await client.waitClosed()).toBe(true);
  });

  it('refuses an authorization id other than the user', async () => {
    const client = await connect();
    await handshake(client, 'PLAIN');
    expect(await authenticate(client, plainToken('alice', 'alice-secret', 'admin'))).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed: Client requested an authorization id that is different from username',
    });
    expect(await client.waitClosed()).toBe(true);
  });

  it('hides the reason of a malformed token behind Kafka\'s standard message', async () => {
    const client = await connect();
    await handshake(client, 'PLAIN');
    expect(await authenticate(client, Buffer.from('no separators at all'))).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism PLAIN',
    });
    expect(await client.waitClosed()).toBe(true);
  });

  it('with a v0 handshake takes the token as a raw frame and answers an empty raw frame', async () => {
    const client = await connect();
    await handshake(client, 'PLAIN', 0);
    const token = plainToken('alice', 'alice-secret');
    const size = Buffer.alloc(4);
    size.writeInt32BE(token.length);
    client.sendRaw(Buffer.concat([size, token]));
    expect(await client.nextFrame()).toEqual(Buffer.alloc(0));
    expect(await metadataWorks(client)).toBe(true);
    client.close();
  });

  it('with a v0 handshake closes on a wrong password without a response, after the delay', async () => {
    const client = await connect();
    await handshake(client, 'PLAIN', 0);
    const token = plainToken('alice', 'nope');
    const size = Buffer.alloc(4);
    size.writeInt32BE(token.length);
    const started = Date.now();
    client.sendRaw(Buffer.concat([size, token]));
    expect(await client.nextFrame()).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
  });
});

describe('SCRAM', () => {
  for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const) {
    it(`${mechanism}: server-first carries the client nonce, salt and iterations; server-final proves the server`, async () => {
      const client = await connect();
      const { scram, first, final } = await scramLogin(client, mechanism, 'alice', 'alice-secret');
      const serverFirst = first.authBytes.toString();
      expect(serverFirst).toMatch(new RegExp(`^r=${scram.nonce.replace(/[+/]/g, '\\$&')}[^,]+,s=[A-Za-z0-9+/]+=*,i=4096$`));
      expect(final.errorCode).toBe(0);
      expect(scram.verifyServerFinal(final.authBytes)).toBe(true);
      expect(final.sessionLifetimeMs).toBe(mechanism === 'SCRAM-SHA-512' ? BigInt(SCRAM_512_LIFETIME_MS) : 0n);
      expect(await metadataWorks(client)).toBe(true);
      client.close();
    });
  }

  it('SaslAuthenticate v0 sends no session lifetime but works', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-256');
    const scram = new ScramClient('SCRAM-SHA-256', 'carol', 'carol-secret');
    const first = await authenticate(client, scram.clientFirst(), 0);
    const final = await authenticate(client, scram.clientFinal(first.authBytes), 0);
    expect(final.errorCode).toBe(0);
    expect(scram.verifyServerFinal(final.authBytes)).toBe(true);
    client.close();
  });

  it('with a v0 handshake exchanges raw frames', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-512', 0);
    const scram = new ScramClient('SCRAM-SHA-512', 'bob', 'bob-secret');
    const send = (b: Buffer): void => {
      const size = Buffer.alloc(4);
      size.writeInt32BE(b.length);
      client.sendRaw(Buffer.concat([size, b]));
    };
    send(scram.clientFirst());
    const serverFirst = (await client.nextFrame())!;
    send(scram.clientFinal(serverFirst));
    expect(scram.verifyServerFinal((await client.nextFrame())!)).toBe(true);
    expect(await metadataWorks(client)).toBe(true);
    client.close();
  });

  it('a wrong password fails at the proof with Kafka\'s standard message, after the delay, and closes', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-512');
    const scram = new ScramClient('SCRAM-SHA-512', 'alice', 'not-her-password');
    const first = await authenticate(client, scram.clientFirst());
    const started = Date.now();
    expect(await authenticate(client, scram.clientFinal(first.authBytes))).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(await client.waitClosed()).toBe(true);
  });

  it('an unknown user fails at the client-first message, as in Kafka', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-256');
    expect(await authenticate(client, new ScramClient('SCRAM-SHA-256', 'nobody', 'x').clientFirst())).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
    });
    expect(await client.waitClosed()).toBe(true);
  });

  it('a user without credentials for this mechanism fails like an unknown one', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-256');
    expect((await authenticate(client, new ScramClient('SCRAM-SHA-256', 'bob', 'bob-secret').clientFirst())).errorCode).toBe(
      ErrorCode.SASL_AUTHENTICATION_FAILED,
    );
  });

  const malformedFirst: [string, string][] = [
    ['channel binding requested (p=)', 'p=tls-unique,,n=alice,r=abc'],
    ['client supports channel binding (y)', 'y,,n=alice,r=abc'],
    ['no gs2 header', 'n=alice,r=abc'],
    ['no nonce', 'n,,n=alice'],
    ['a comma in the user name unescaped', 'n,,n=al,ice,r=abc'],
    ['a non-ASCII user name', 'n,,n=alicé,r=abc'],
    ['empty', ''],
  ];
  for (const [what, message] of malformedFirst) {
    it(`refuses a malformed client-first message: ${what}`, async () => {
      const client = await connect();
      await handshake(client, 'SCRAM-SHA-256');
      expect(await authenticate(client, Buffer.from(message))).toMatchObject({ errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED });
      expect(await client.waitClosed()).toBe(true);
    });
  }

  it('refuses a different authorization id with Kafka\'s explicit message', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-256');
    expect(await authenticate(client, new ScramClient('SCRAM-SHA-256', 'alice', 'alice-secret').clientFirst('n,a=admin,'))).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed: Client requested an authorization id that is different from username',
    });
  });

  it('refuses delegation-token authentication (tokenauth=true): kpg has no delegation tokens', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-256');
    const first = Buffer.from(`n,,n=alice,r=${'x'.repeat(20)},tokenauth=true`);
    expect((await authenticate(client, first)).errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
  });

  it('ignores other extensions, as Kafka does', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-256');
    const scram = new ScramClient('SCRAM-SHA-256', 'alice', 'alice-secret');
    const first = await authenticate(client, Buffer.concat([scram.clientFirst(), Buffer.from(',foo=bar')]));
    expect(first.errorCode).toBe(0);
    client.close();
  });

  it('refuses a client-final message with a wrong nonce and closes', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-256');
    const scram = new ScramClient('SCRAM-SHA-256', 'alice', 'alice-secret');
    const first = await authenticate(client, scram.clientFirst());
    expect(await authenticate(client, scram.clientFinal(first.authBytes, { nonce: `${scram.nonce}forged` }))).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256',
    });
    expect(await client.waitClosed()).toBe(true);
  });

  it('refuses a malformed client-final message', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-256');
    const scram = new ScramClient('SCRAM-SHA-256', 'alice', 'alice-secret');
    await authenticate(client, scram.clientFirst());
    expect((await authenticate(client, Buffer.from('c=biws,p=AAAA'))).errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(await client.waitClosed()).toBe(true);
  });

  it('a client-final replayed on the same connection after success gets ILLEGAL_SASL_STATE; the connection stays', async () => {
    const client = await connect();
    const { scram, first } = await scramLogin(client, 'SCRAM-SHA-256', 'alice', 'alice-secret');
    const replayed = await authenticate(client, scram.clientFinal(first.authBytes));
    expect(replayed).toMatchObject({
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
    });
    expect(await metadataWorks(client)).toBe(true);
    client.close();
  });

  it('a client-final replayed on another connection (another server nonce) fails and closes', async () => {
    const first = await connect();
    const { scram, first: firstServerFirst } = await scramLogin(first, 'SCRAM-SHA-256', 'alice', 'alice-secret');
    const replay = scram.clientFinal(firstServerFirst.authBytes);
    first.close();
    const second = await connect();
    await handshake(second, 'SCRAM-SHA-256');
    await authenticate(second, scram.clientFirst()); // same client nonce, new server nonce
    expect((await authenticate(second, replay)).errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(await second.waitClosed()).toBe(true);
  });
});

describe('re-authentication (KIP-368)', () => {
  it('re-authenticates as the same user on the same connection and gets a new session', async () => {
    const client = await connect();
    const port = await localPort(client);
    await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    const again = await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    expect(again.final).toMatchObject({ errorCode: 0, sessionLifetimeMs: BigInt(SCRAM_512_LIFETIME_MS) });
    expect(await metadataWorks(client)).toBe(true);
    expect(logsFor(port, 'SASL re-authentication succeeded')).toHaveLength(1);
    client.close();
  });

  it('refuses a second re-authentication within a second of the previous one with ILLEGAL_SASL_STATE, as Kafka', async () => {
    const client = await connect();
    await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    expect(await handshake(client, 'SCRAM-SHA-512')).toEqual({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
    expect(await metadataWorks(client)).toBe(true);
    client.close();
  });

  it('closes the connection when re-authentication changes the principal', async () => {
    await kpg.addUser('bob2', 'bob2-secret', ['SCRAM-SHA-512']);
    const client = await connect();
    await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    const { final } = await scramLogin(client, 'SCRAM-SHA-512', 'bob2', 'bob2-secret');
    expect(final).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Cannot change principals during re-authentication from User.bob: User.bob2',
    });
    expect(await client.waitClosed()).toBe(true);
  });

  it('closes the connection, without a response, when re-authentication asks for another mechanism', async () => {
    const client = await connect();
    await scramLogin(client, 'SCRAM-SHA-512', 'alice', 'alice-secret');
    expect((await handshake(client, 'SCRAM-SHA-256')).errorCode).toBe(0);
    client.send(SASL_AUTHENTICATE, 2, { authBytes: new ScramClient('SCRAM-SHA-256', 'alice', 'alice-secret').clientFirst() });
    expect(await client.nextFrame()).toBeNull();
  });

  it('a failed re-authentication uses Kafka\'s re-authentication wording', async () => {
    const client = await connect();
    await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    const { final } = await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'wrong');
    expect(final).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Authentication failed during re-authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512',
    });
    expect(await client.waitClosed()).toBe(true);
  });

  it('without a session lifetime a handshake after authentication gets ILLEGAL_SASL_STATE (no re-authentication)', async () => {
    const client = await connect();
    await handshake(client, 'PLAIN');
    await authenticate(client, plainToken('alice', 'alice-secret'));
    expect(await handshake(client, 'PLAIN')).toEqual({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
    expect(await metadataWorks(client)).toBe(true);
    client.close();
  });

  it('closes the connection on the first request after the session expired, with a log line', async () => {
    const client = await connect();
    const port = await localPort(client);
    await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    expect(await metadataWorks(client)).toBe(true);
    await new Promise((r) => setTimeout(r, SCRAM_512_LIFETIME_MS + 300));
    client.send(METADATA, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(await client.nextFrame()).toBeNull();
    expect(logsFor(port, 'SASL session of User:bob expired without re-authentication')).toHaveLength(1);
  });

  it('an expired session may still re-authenticate (the handshake comes before the expiry check, as in Kafka)', async () => {
    const client = await connect();
    await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'bob-secret');
    await new Promise((r) => setTimeout(r, SCRAM_512_LIFETIME_MS + 300));
    expect((await scramLogin(client, 'SCRAM-SHA-512', 'bob', 'bob-secret')).final.errorCode).toBe(0);
    expect(await metadataWorks(client)).toBe(true);
    client.close();
  });
});

describe('a listener without SASL', () => {
  it('answers SaslHandshake and SaslAuthenticate with ILLEGAL_SASL_STATE, as KafkaApis does', async () => {
    const client = await RawClient.connect(`127.0.0.1:${kpg.gateway.port}`);
    expect(await handshake(client, 'PLAIN')).toEqual({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
    expect(await authenticate(client, plainToken('alice', 'alice-secret'))).toMatchObject({
      errorCode: ErrorCode.ILLEGAL_SASL_STATE,
      errorMessage: 'SaslAuthenticate request received after successful authentication',
    });
    expect(await metadataWorks(client)).toBe(true);
    client.close();
  });
});

describe('frame size before authentication', () => {
  it('closes a connection whose first frame exceeds sasl.server.max.receive.size (512 KiB), as Kafka', async () => {
    const client = await connect();
    const port = await localPort(client);
    const size = Buffer.alloc(4);
    size.writeInt32BE(600 * 1024);
    client.sendRaw(size);
    expect(await client.waitClosed()).toBe(true);
    expect(logsFor(port, 'exceeds sasl.server.max.receive.size')).toHaveLength(1);
  });

  it('takes larger frames (up to socket.request.max.bytes) once authenticated', async () => {
    const client = await connect();
    await handshake(client, 'PLAIN');
    expect((await authenticate(client, plainToken('alice', 'alice-secret'))).errorCode).toBe(0);
    // A Metadata request for 12,000 made-up topics of 50-character names: over 600 KiB.
    const topics = Array.from({ length: 12_000 }, (_, i) => ({ topicId: '00000000-0000-0000-0000-000000000000', name: `t${String(i).padStart(49, '0')}` }));
    const { body } = await client.request(METADATA, 12, { topics, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(body.topics).toHaveLength(12_000);
    client.close();
  });
});

describe('between the handshake and the end of authentication', () => {
  it('closes the connection on any request but SaslAuthenticate (Metadata)', async () => {
    const client = await connect();
    const port = await localPort(client);
    await handshake(client, 'SCRAM-SHA-256');
    client.send(METADATA, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(await client.nextFrame()).toBeNull();
    expect(logsFor(port, 'unexpected request (API key 3) during SASL authentication')).toHaveLength(1);
  });

  it('answers a second SaslHandshake with ILLEGAL_SASL_STATE and closes, as Kafka', async () => {
    const client = await connect();
    await handshake(client, 'SCRAM-SHA-256');
    expect(await handshake(client, 'PLAIN')).toEqual({ errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] });
    expect(await client.waitClosed()).toBe(true);
  });
});
