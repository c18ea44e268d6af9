/**
 * OAUTHBEARER through the connection's SASL exchange (the mechanism itself is tested in
 * oauthbearer.test.ts): the token's exp caps the session lifetime SaslAuthenticate answers, a session
 * expires with its token, a refused token ends in SASL_AUTHENTICATION_FAILED with the JSON status, and
 * kafkajs authenticates with a token provider. Kafka's unsecured JWS mode keeps the tests free of keys.
 */
import { createRequire } from 'node:module';
import { UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { UNSECURED_VALIDATOR_CLASS } from '../../src/security/sasl/oauthbearer-validator.js';
import { createTopic } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';
import { startSaslGateway, type SaslTestGateway } from './sasl-gateway.js';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');

let kpg: SaslTestGateway;

beforeAll(async () => {
  kpg = await startSaslGateway({
    'sasl.enabled.mechanisms': 'OAUTHBEARER',
    'connections.max.reauth.ms': '60000',
    'listener.name.sasl_plaintext.oauthbearer.sasl.server.callback.handler.class': UNSECURED_VALIDATOR_CLASS,
  });
  await createTopic(kpg.gateway, 'oauth-topic', 1);
});

afterAll(async () => {
  await kpg?.stop();
});

const token = (expInSeconds: number, sub = 'dev-user'): string =>
  new UnsecuredJWT({ sub }).setIssuedAt().setExpirationTime(Math.floor(Date.now() / 1000) + expInSeconds).encode();
const initialResponse = (jwt: string): Buffer => Buffer.from(`n,,\x01auth=Bearer ${jwt}\x01\x01`);

async function login(client: RawClient, jwt: string): Promise<Record<string, any>> {
  expect((await client.request(17, 1, { mechanism: 'OAUTHBEARER' })).body.errorCode).toBe(0);
  return (await client.request(36, 2, { authBytes: initialResponse(jwt) })).body;
}

async function metadata(client: RawClient): Promise<void> {
  await client.request(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
}

describe('OAUTHBEARER on a SASL listener', () => {
  it("answers a session lifetime capped by the token's exp, below connections.max.reauth.ms", async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const response = await login(client, token(20));
    expect(response.errorCode).toBe(0);
    expect(Number(response.sessionLifetimeMs)).toBeGreaterThan(10_000);
    expect(Number(response.sessionLifetimeMs)).toBeLessThanOrEqual(20_000);
    await metadata(client);
    expect(kpg.logs.matching('SASL authentication succeeded').some((l) => l.principal === 'User:dev-user' && l.mechanism === 'OAUTHBEARER')).toBe(true);
    client.close();
  });

  it('closes the connection once the token has expired', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    expect((await login(client, token(2))).errorCode).toBe(0);
    await new Promise((r) => setTimeout(r, 2500));
    client.send(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    expect(await client.nextFrame()).toBeNull();
  });

  it('answers an expired token with the invalid_token challenge, then SASL_AUTHENTICATION_FAILED, and closes', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const challenge = await login(client, token(-120));
    expect(challenge.errorCode).toBe(0);
    expect(JSON.parse(challenge.authBytes.toString())).toMatchObject({ status: 'invalid_token' });
    const { body } = await client.request(36, 2, { authBytes: Buffer.from([1]) });
    expect(body.errorCode).toBe(ErrorCode.SASL_AUTHENTICATION_FAILED);
    expect(JSON.parse(body.errorMessage)).toMatchObject({ status: 'invalid_token' });
    expect(await client.waitClosed()).toBe(true);
  });

  it('re-authentication with a token for another subject closes the connection', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    expect((await login(client, token(60))).errorCode).toBe(0);
    const response = await login(client, token(60, 'someone-else'));
    expect(response).toMatchObject({
      errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED,
      errorMessage: 'Cannot change principals during re-authentication from User.dev-user: User.someone-else',
    });
    expect(await client.waitClosed()).toBe(true);
  });

  it('kafkajs produces with an OAUTHBEARER token provider', async () => {
    const kafka = new Kafka({
      brokers: [kpg.bootstrap],
      clientId: 'oauth-kafkajs',
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
      sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: token(300) }) },
    });
    const producer = kafka.producer();
    await producer.connect();
    const [result] = await producer.send({ topic: 'oauth-topic', messages: [{ value: 'with a token' }] });
    expect(result!.errorCode).toBe(0);
    await producer.disconnect();
  });
});
