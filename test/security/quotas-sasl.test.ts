/**
 * Quotas follow the authenticated principal: a user quota throttles alice's SASL connection, not an
 * ANONYMOUS client of the PLAINTEXT listener sending the same bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../src/records/batch.js';
import { createTopic } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';
import { startSaslGateway, type SaslTestGateway } from './sasl-gateway.js';

let kpg: SaslTestGateway;

beforeAll(async () => {
  kpg = await startSaslGateway({ 'sasl.enabled.mechanisms': 'PLAIN' });
  await kpg.addUser('alice', 'alice-secret');
  await createTopic(kpg.gateway, 'sasl-quota', 1);
  await kpg.gateway.services.quotas.alter([{ entity: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 10_000 }] }]);
});

afterAll(async () => {
  await kpg?.stop();
});

async function produce120k(c: RawClient): Promise<number> {
  const { body } = await c.request(0, 9, {
    transactionalId: null, acks: -1, timeoutMs: 30000,
    topicData: [{ name: 'sasl-quota', partitionData: [{ index: 0, records: await encodeBatch(Array.from({ length: 120 }, () => ({ value: 'z'.repeat(1000) }))) }] }],
  }, 'same-client');
  expect(body.responses[0].partitionResponses[0].errorCode).toBe(0);
  return body.throttleTimeMs as number;
}

describe('user quotas and SASL', () => {
  it('throttles the authenticated user, not ANONYMOUS with the same client id', async () => {
    const alice = await RawClient.connect(kpg.bootstrap);
    const anonymous = await RawClient.connect(`127.0.0.1:${kpg.gateway.port}`);
    try {
      expect((await alice.request(17, 1, { mechanism: 'PLAIN' })).body.errorCode).toBe(0);
      const auth = await alice.request(36, 2, { authBytes: Buffer.from('\u0000alice\u0000alice-secret') });
      expect(auth.body.errorCode).toBe(0);
      expect(await produce120k(alice)).toBeGreaterThan(1000);
      expect(await produce120k(anonymous)).toBe(0);
    } finally {
      alice.close();
      anonymous.close();
    }
  });
});
