/**
 * Quota enforcement: a client over producer_byte_rate / consumer_byte_rate / request_percentage gets
 * throttle_time_ms as Kafka computes it (the same 2124 ms as Kafka 4.1.2 for the first case below) and
 * its channel muted for that long (KIP-219); a client without quota is unaffected; kafkajs over quota is
 * slowed down.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeBatch } from '../../src/records/batch.js';
import { userPrincipal, ANONYMOUS } from '../../src/security/principal.js';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { Kafka, logLevel } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

let kpg: TestGateway;
const TOPIC = 'quota-topic';

beforeAll(async () => {
  kpg = await startTestGateway();
  await createTopic(kpg.gateway, TOPIC, 1);
});

afterAll(async () => {
  await kpg?.stop();
});

type Entity = { entityType: string; entityName: string | null }[];

async function setQuota(entity: Entity, key: string, value: number | null): Promise<void> {
  await kpg.gateway.services.quotas.alter([{ entity, ops: [{ key, value }] }]);
}

const value1k = 'x'.repeat(1000);

async function produce(c: RawClient, clientId: string, records: number, version = 9) {
  const started = Date.now();
  const { body } = await c.request(0, version, {
    transactionalId: null, acks: -1, timeoutMs: 30000,
    topicData: [{ name: TOPIC, partitionData: [{ index: 0, records: await encodeBatch(Array.from({ length: records }, () => ({ value: value1k }))) }] }],
  }, clientId);
  expect(body.responses[0].partitionResponses[0].errorCode).toBe(0);
  return { throttleTimeMs: body.throttleTimeMs as number, elapsedMs: Date.now() - started };
}

describe('producer_byte_rate', () => {
  it('answers at once with throttle_time_ms, then mutes the channel for that long (Produce v9, KIP-219)', async () => {
    await setQuota([{ entityType: 'client-id', entityName: 'raw-slow' }], 'producer_byte_rate', 10_000);
    const c = await RawClient.connect(kpg.bootstrap);
    try {
      // ~121 KB at once over a span of at least 10 windows: ~12.1 KB/s against 10 KB/s allowed,
      // so Kafka's formula gives (12.1 - 10) / 10 x 10 s ≈ 2.1 s.
      const first = await produce(c, 'raw-slow', 120);
      expect(first.throttleTimeMs).toBeGreaterThan(1000);
      expect(first.throttleTimeMs).toBeLessThan(4000);
      expect(first.elapsedMs).toBeLessThan(first.throttleTimeMs);
      // The next request is not read before the throttle time is over.
      const started = Date.now();
      await c.request(3, 9, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 'raw-slow');
      expect(Date.now() - started).toBeGreaterThan(first.throttleTimeMs * 0.6);
    } finally {
      c.close();
    }
  });

  it('answers an old Produce version (v5) at once too, then mutes the channel, as Kafka 4.1 does', async () => {
    await setQuota([{ entityType: 'client-id', entityName: 'raw-old' }], 'producer_byte_rate', 10_000);
    const c = await RawClient.connect(kpg.bootstrap);
    try {
      const first = await produce(c, 'raw-old', 120, 5);
      expect(first.throttleTimeMs).toBeGreaterThan(1000);
      expect(first.elapsedMs).toBeLessThan(first.throttleTimeMs);
      const started = Date.now();
      await c.request(18, 0, {}, 'raw-old');
      expect(Date.now() - started).toBeGreaterThan(first.throttleTimeMs * 0.6);
    } finally {
      c.close();
    }
  });

  it('leaves a client without quota alone', async () => {
    const c = await RawClient.connect(kpg.bootstrap);
    try {
      for (let i = 0; i < 3; i++) expect((await produce(c, 'raw-free', 120)).throttleTimeMs).toBe(0);
    } finally {
      c.close();
    }
  });

  it('bounds a kafkajs producer over quota, while another kafkajs producer runs free', async () => {
    await setQuota([{ entityType: 'client-id', entityName: 'kjs-slow' }], 'producer_byte_rate', 20_000);
    const timeProducer = async (clientId: string): Promise<number> => {
      const kafka = new Kafka({ clientId, brokers: [kpg.bootstrap], logLevel: logLevel.NOTHING });
      const producer = kafka.producer();
      await producer.connect();
      const started = Date.now();
      // 300 KB in 60 sends: the first 10 windows' worth (200 KB) passes, the rest waits ~5 s.
      for (let i = 0; i < 60; i++) await producer.send({ topic: TOPIC, messages: [{ value: 'y'.repeat(5000) }] });
      const elapsed = Date.now() - started;
      await producer.disconnect();
      return elapsed;
    };
    const free = await timeProducer('kjs-free');
    const slow = await timeProducer('kjs-slow');
    expect(slow).toBeGreaterThan(2500);
    expect(slow).toBeGreaterThan(free);
    // 300 KB could not have taken less than (300 KB - 10 windows x 20 KB/s) / 20 KB/s ≈ 5 s; allow slack.
    expect(300_000 / (slow / 1000)).toBeLessThan(120_000);
  }, 60_000);
});

describe('consumer_byte_rate', () => {
  it('caps a fetch at the quota window, answers the next one empty with throttle_time_ms and mutes the channel', async () => {
    const topic = 'quota-fetch';
    await createTopic(kpg.gateway, topic, 1);
    const c = await RawClient.connect(kpg.bootstrap);
    try {
      // 60 batches of one 1 KB record.
      for (let i = 0; i < 60; i++) {
        const { body } = await c.request(0, 9, {
          transactionalId: null, acks: -1, timeoutMs: 30000,
          topicData: [{ name: topic, partitionData: [{ index: 0, records: await encodeBatch([{ value: value1k }]) }] }],
        }, 'filler');
        expect(body.responses[0].partitionResponses[0].errorCode).toBe(0);
      }
      await setQuota([{ entityType: 'client-id', entityName: 'slow-consumer' }], 'consumer_byte_rate', 5_000);
      const fetch = async (offset: bigint) =>
        (await c.request(1, 11, {
          replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
          topics: [{ topic, partitions: [{ partition: 0, fetchOffset: offset, currentLeaderEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
          forgottenTopicsData: [], rackId: '',
        }, 'slow-consumer')).body;
      // Capped to 10 windows x 5 KB/s = 50 KB although the client asked for 1 MB.
      const first = await fetch(0n);
      const records = first.responses[0].partitions[0].records as Buffer;
      expect(records.length).toBeGreaterThan(40_000);
      expect(records.length).toBeLessThanOrEqual(50_000);
      // The rest (~10 KB) would take the rate over 5 KB/s: an empty answer with the time to wait.
      const second = await fetch(BigInt(Math.floor(records.length / 1070)));
      expect(second.throttleTimeMs).toBeGreaterThan(0);
      expect(second.errorCode).toBe(0);
      expect(second.responses).toEqual([]);
      const started = Date.now();
      await fetch(0n);
      expect(Date.now() - started).toBeGreaterThan(second.throttleTimeMs * 0.6);
    } finally {
      c.close();
    }
  }, 60_000);
});

describe('a long throttle', () => {
  it('does not hold up the gateway\'s shutdown', async () => {
    const other = await startTestGateway({ database: kpg.database });
    let stopped = false;
    try {
      // 1 byte/s: ~120 KB throttles for hours.
      await setQuota([{ entityType: 'client-id', entityName: 'glacial' }], 'producer_byte_rate', 1);
      await setQuota([{ entityType: 'client-id', entityName: 'glacial-old' }], 'producer_byte_rate', 1);
      await new Promise((r) => setTimeout(r, 200)); // the other gateway hears the change
      const muted = await RawClient.connect(other.bootstrap);
      expect((await produce(muted, 'glacial', 120)).throttleTimeMs).toBeGreaterThan(3_600_000);
      const oldClient = await RawClient.connect(other.bootstrap);
      expect((await produce(oldClient, 'glacial-old', 120, 5)).throttleTimeMs).toBeGreaterThan(3_600_000);
      // A request sent now waits in the muted channel.
      const pending = oldClient.request(18, 0, {}, 'glacial-old').catch(() => null);
      await new Promise((r) => setTimeout(r, 300));
      const started = Date.now();
      await other.stop();
      stopped = true;
      // The shutdown grace period (10 s) is not used up waiting for the throttle.
      expect(Date.now() - started).toBeLessThan(5_000);
      await pending;
      muted.close();
      oldClient.close();
    } finally {
      if (!stopped) await other.stop();
    }
  }, 60_000);
});

describe('request_percentage', () => {
  it('throttles a client whose requests take more of the gateway than allowed, at most one window', async () => {
    // 0.1% of one request thread: 1 ms of handling per second, 10 ms over the first 10 windows.
    await setQuota([{ entityType: 'client-id', entityName: 'busy' }], 'request_percentage', 0.1);
    const c = await RawClient.connect(kpg.bootstrap);
    try {
      let throttled = 0;
      for (let i = 0; i < 200 && throttled === 0; i++) throttled = (await produce(c, 'busy', 1)).throttleTimeMs;
      expect(throttled).toBeGreaterThan(0);
      expect(throttled).toBeLessThanOrEqual(1000);
      // Another client's same requests are not throttled.
      expect((await produce(c, 'not-busy', 1)).throttleTimeMs).toBe(0);
    } finally {
      c.close();
    }
  }, 60_000);
});

describe('quota resolution', () => {
  it('follows Kafka\'s precedence from user + client-id down to the default client-id', async () => {
    const quotas = kpg.gateway.services.quotas;
    const alice = { principal: userPrincipal('alice'), clientId: 'app' };
    const U = (name: string | null) => ({ entityType: 'user', entityName: name });
    const C = (name: string | null) => ({ entityType: 'client-id', entityName: name });
    const levels: Entity[] = [
      [C(null)], [C('app')], [U(null)], [U(null), C(null)], [U(null), C('app')], [U('alice')], [U('alice'), C(null)], [U('alice'), C('app')],
    ];
    // Add from the lowest precedence up: each new level wins.
    for (const [i, entity] of levels.entries()) {
      await setQuota(entity, 'request_percentage', i + 1);
      expect(quotas.resolve('request_percentage', alice)?.bound).toBe(i + 1);
    }
    // Another user falls to the default-user levels; ANONYMOUS too.
    expect(quotas.resolve('request_percentage', { principal: userPrincipal('bob'), clientId: 'app' })?.bound).toBe(5);
    expect(quotas.resolve('request_percentage', { principal: ANONYMOUS, clientId: 'other' })?.bound).toBe(4);
    for (const entity of levels) await setQuota(entity, 'request_percentage', null);
    expect(quotas.resolve('request_percentage', alice)).toBeNull();
  });
});
