/**
 * A Fetch with no partitions to read is answered at once, whatever its max_wait_ms, as Kafka answers it:
 * the fetch that ends a session (every Java consumer sends one when it closes), an empty full fetch, and
 * an incremental fetch that leaves its session empty (Kafka then closes the session and answers session
 * id 0). The same raw requests get the same answers from Apache Kafka 4.1.2. The Java consumer's close is
 * measured in record-errors.test.ts (compat scenario fetch-close).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { encodeBatch } from '../../src/records/batch.js';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';

let kpg: TestGateway;
let c: RawClient;

beforeAll(async () => {
  kpg = await startTestGateway();
  await createTopic(kpg.gateway, 'empty-fetch', 1);
  c = await RawClient.connect(kpg.bootstrap);
  const { body } = await c.request(0, 9, {
    transactionalId: null, acks: -1, timeoutMs: 30000,
    topicData: [{ name: 'empty-fetch', partitionData: [{ index: 0, records: await encodeBatch([{ value: 'v' }]) }] }],
  });
  expect(body.responses[0].partitionResponses[0].errorCode).toBe(0);
});

afterAll(async () => {
  c?.close();
  await kpg?.stop();
});

const MAX_WAIT_MS = 5000;

function fetchRequest(sessionId: number, sessionEpoch: number, partitions: { partition: number; fetchOffset: bigint }[] = []) {
  return {
    replicaId: -1, maxWaitMs: MAX_WAIT_MS, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId, sessionEpoch,
    topics: partitions.length === 0 ? [] : [{
      topic: 'empty-fetch',
      partitions: partitions.map((p) => ({ ...p, currentLeaderEpoch: -1, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 })),
    }],
    forgottenTopicsData: [], rackId: '',
  };
}

/** Sends a fetch; returns its answer and how long it took. */
async function timedFetch(version: number, request: ReturnType<typeof fetchRequest>): Promise<{ body: Record<string, any>; ms: number }> {
  const t0 = Date.now();
  const { body } = await c.request(1, version, request);
  return { body, ms: Date.now() - t0 };
}

// Well below max_wait_ms: an answer held for the wait would take 5 s.
const PROMPT_MS = 2500;

describe('a fetch that names no partitions', () => {
  it('ending a session that has partitions: answered at once, session closed', async () => {
    const full = await timedFetch(12, fetchRequest(0, 0, [{ partition: 0, fetchOffset: 0n }]));
    const sessionId = full.body.sessionId;
    expect(sessionId).toBeGreaterThan(0);
    expect(full.body.responses[0].partitions[0].highWatermark).toBe(1n);

    const close = await timedFetch(12, fetchRequest(sessionId, -1));
    expect(close.body).toMatchObject({ errorCode: ErrorCode.NONE, sessionId: 0, responses: [] });
    expect(close.ms).toBeLessThan(PROMPT_MS);

    const after = await timedFetch(12, fetchRequest(sessionId, 1));
    expect(after.body).toMatchObject({ errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND, responses: [] });
  });

  it('sessionless (epoch -1), in every version family: answered at once', async () => {
    for (const version of [4, 7, 12, 17]) {
      const { body, ms } = await timedFetch(version, fetchRequest(0, version >= 7 ? -1 : 0));
      expect({ version, errorCode: body.errorCode, sessionId: body.sessionId, responses: body.responses }).toEqual({ version, errorCode: 0, sessionId: 0, responses: [] });
      expect(ms).toBeLessThan(PROMPT_MS);
    }
  });

  it('an empty full fetch opens a session at once; an incremental fetch leaving it empty closes it (session id 0)', async () => {
    const open = await timedFetch(12, fetchRequest(0, 0));
    expect(open.body).toMatchObject({ errorCode: 0, responses: [] });
    expect(open.body.sessionId).toBeGreaterThan(0);
    expect(open.ms).toBeLessThan(PROMPT_MS);

    const incremental = await timedFetch(12, fetchRequest(open.body.sessionId, 1));
    expect(incremental.body).toMatchObject({ errorCode: 0, sessionId: 0, responses: [] });
    expect(incremental.ms).toBeLessThan(PROMPT_MS);
    const gone = await timedFetch(12, fetchRequest(open.body.sessionId, 2));
    expect(gone.body.errorCode).toBe(ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  });

  it('a fetch at the end of a partition still waits for data (up to max_wait_ms)', async () => {
    const { body, ms } = await timedFetch(12, { ...fetchRequest(0, -1, [{ partition: 0, fetchOffset: 1n }]), maxWaitMs: 600 });
    expect(body.responses[0].partitions[0].records?.length ?? 0).toBe(0);
    expect(ms).toBeGreaterThanOrEqual(500);
  });
});
