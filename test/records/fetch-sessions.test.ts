import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { encodeBatch } from '../../src/records/batch.js';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';

let kpg: TestGateway;

beforeAll(async () => {
  kpg = await startTestGateway();
  for (const name of ['session-a', 'session-b']) await createTopic(kpg.gateway, name, 2);
});

afterAll(async () => {
  await kpg?.stop();
});

async function produce(c: RawClient, topic: string, partition: number, values: string[]): Promise<void> {
  const { body } = await c.request(0, 9, {
    transactionalId: null, acks: -1, timeoutMs: 30000,
    topicData: [{ name: topic, partitionData: [{ index: partition, records: await encodeBatch(values.map((value) => ({ value }))) }] }],
  });
  expect(body.responses[0].partitionResponses[0].errorCode).toBe(0);
}

function fetchRequest(sessionId: number, sessionEpoch: number, topics: { topic: string; partitions: { partition: number; fetchOffset: bigint }[] }[], forgotten: { topic: string; partitions: number[] }[] = []) {
  return {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 1, sessionId, sessionEpoch,
    topics: topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ ...p, currentLeaderEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 })) })),
    forgottenTopicsData: forgotten, rackId: '',
  };
}

const listed = (body: Record<string, any>): string[] =>
  body.responses.flatMap((t: { topic: string; partitions: { partitionIndex: number }[] }) => t.partitions.map((p) => `${t.topic}/${p.partitionIndex}`)).sort();

describe('fetch sessions (KIP-227)', () => {
  it('a full fetch opens a session; incremental fetches return only partitions with news', async () => {
    const c = await RawClient.connect(kpg.bootstrap);
    await produce(c, 'session-a', 0, ['a0']);
    const full = await c.request(1, 11, fetchRequest(0, 0, [
      { topic: 'session-a', partitions: [{ partition: 0, fetchOffset: 0n }, { partition: 1, fetchOffset: 0n }] },
      { topic: 'session-b', partitions: [{ partition: 0, fetchOffset: 0n }] },
    ]));
    const sessionId = full.body.sessionId;
    expect(full.body.errorCode).toBe(0);
    expect(sessionId).toBeGreaterThan(0);
    expect(listed(full.body)).toEqual(['session-a/0', 'session-a/1', 'session-b/0']);

    // Epoch 1, the client moves past a0: nothing new anywhere, so nothing is listed.
    const quiet = await c.request(1, 11, fetchRequest(sessionId, 1, [{ topic: 'session-a', partitions: [{ partition: 0, fetchOffset: 1n }] }]));
    expect(quiet.body.errorCode).toBe(0);
    expect(listed(quiet.body)).toEqual([]);

    // New data on session-b/0 (not named in this request): it appears with its records.
    await produce(c, 'session-b', 0, ['b0', 'b1']);
    const news = await c.request(1, 11, fetchRequest(sessionId, 2, []));
    expect(listed(news.body)).toEqual(['session-b/0']);
    expect(news.body.responses[0].partitions[0].highWatermark).toBe(2n);

    // Forget session-b: later data there is not reported.
    const forgot = await c.request(1, 11, fetchRequest(sessionId, 3, [], [{ topic: 'session-b', partitions: [0] }]));
    expect(forgot.body.errorCode).toBe(0);
    await produce(c, 'session-b', 0, ['b2']);
    await produce(c, 'session-a', 1, ['a1']);
    const after = await c.request(1, 11, fetchRequest(sessionId, 4, []));
    expect(listed(after.body)).toEqual(['session-a/1']);
    c.close();
  });

  it('refuses a wrong epoch with INVALID_FETCH_SESSION_EPOCH and an unknown id with FETCH_SESSION_ID_NOT_FOUND', async () => {
    const c = await RawClient.connect(kpg.bootstrap);
    const full = await c.request(1, 12, fetchRequest(0, 0, [{ topic: 'session-a', partitions: [{ partition: 0, fetchOffset: 0n }] }]));
    const sessionId = full.body.sessionId;
    const wrongEpoch = await c.request(1, 12, fetchRequest(sessionId, 5, []));
    expect(wrongEpoch.body.errorCode).toBe(ErrorCode.INVALID_FETCH_SESSION_EPOCH);
    const unknown = await c.request(1, 12, fetchRequest(sessionId + 1, 1, []));
    expect(unknown.body.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    // Epoch -1 closes the session: it is gone afterwards.
    const closing = await c.request(1, 12, fetchRequest(sessionId, -1, [{ topic: 'session-a', partitions: [{ partition: 0, fetchOffset: 0n }] }]));
    expect(closing.body.sessionId).toBe(0);
    expect(listed(closing.body)).toEqual(['session-a/0']);
    const gone = await c.request(1, 12, fetchRequest(sessionId, 1, []));
    expect(gone.body.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    c.close();
  });

  it('session id 0 with epoch -1 opts out: every partition is answered and no session is made', async () => {
    const c = await RawClient.connect(kpg.bootstrap);
    const r = await c.request(1, 11, fetchRequest(0, -1, [{ topic: 'session-a', partitions: [{ partition: 0, fetchOffset: 0n }, { partition: 1, fetchOffset: 0n }] }]));
    c.close();
    expect(r.body.sessionId).toBe(0);
    expect(listed(r.body)).toEqual(['session-a/0', 'session-a/1']);
  });

  it('honours max.incremental.fetch.session.cache.slots: with no slot left the fetch works without a session', async () => {
    const small = await startTestGateway({ database: kpg.database, brokerConfigs: { 'max.incremental.fetch.session.cache.slots': '1' } });
    try {
      const c = await RawClient.connect(small.bootstrap);
      const first = await c.request(1, 11, fetchRequest(0, 0, [{ topic: 'session-a', partitions: [{ partition: 0, fetchOffset: 0n }] }]));
      const second = await c.request(1, 11, fetchRequest(0, 0, [{ topic: 'session-a', partitions: [{ partition: 0, fetchOffset: 0n }] }]));
      c.close();
      expect(first.body.sessionId).toBeGreaterThan(0);
      expect(second.body.sessionId).toBe(0);
      expect(second.body.errorCode).toBe(0);
      expect(listed(second.body)).toEqual(['session-a/0']);
    } finally {
      await small.stop();
    }
  });
});

describe('LISTEN connection loss', () => {
  it('a waiting fetch still wakes after the LISTEN connection was killed and re-established', async () => {
    const c = await RawClient.connect(kpg.bootstrap);
    await produce(c, 'session-a', 0, ['before']);
    const hw = (await c.request(1, 11, fetchRequest(0, -1, [{ topic: 'session-a', partitions: [{ partition: 0, fetchOffset: 0n }] }]))).body.responses[0].partitions[0].highWatermark;

    const admin = new pg.Client({ connectionString: kpg.database.url });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'kpg-listen' AND datname = current_database()`);
    await admin.end();

    const waiting = await RawClient.connect(kpg.bootstrap);
    const pending = waiting.request(1, 11, { ...fetchRequest(0, -1, [{ topic: 'session-a', partitions: [{ partition: 0, fetchOffset: hw }] }]), maxWaitMs: 20_000, minBytes: 1 });
    // Give the gateway time to notice and reconnect, then produce.
    await new Promise((r) => setTimeout(r, 1500));
    await produce(c, 'session-a', 0, ['after']);
    const started = Date.now();
    const { body } = await pending;
    waiting.close();
    c.close();
    expect(body.responses[0].partitions[0].highWatermark).toBe(hw + 1n);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('aborted transactions in fetch answers', () => {
  it('are an empty list for read_committed and null for read_uncommitted, as Kafka answers', async () => {
    const c = await RawClient.connect(kpg.bootstrap);
    await produce(c, 'session-b', 1, ['b1']);
    const topics = [{ topic: 'session-b', partitions: [{ partition: 1, fetchOffset: 0n }] }];
    const committed = await c.request(1, 11, { ...fetchRequest(0, -1, topics), isolationLevel: 1 });
    const uncommitted = await c.request(1, 11, { ...fetchRequest(0, -1, topics), isolationLevel: 0 });
    const v4 = await c.request(1, 4, { ...fetchRequest(0, -1, topics), isolationLevel: 0 });
    c.close();
    expect(committed.body.responses[0].partitions[0].abortedTransactions).toEqual([]);
    expect(uncommitted.body.responses[0].partitions[0].abortedTransactions).toBeNull();
    expect(v4.body.responses[0].partitions[0].abortedTransactions).toBeNull();
    expect(uncommitted.body.responses[0].partitions[0].records.length).toBeGreaterThan(0);
  });
});
