/**
 * CreatePartitions: increases only, placement, validate_only, and every refusal named by the issue.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { type TestGateway } from '../support/gateway.js';
import { type AdminGateway, createTopicOverKafka, startAdminGateway } from './support/admin-gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

let kpg: TestGateway;
let raw: RawClient;
let db: pg.Client;
let fixture: AdminGateway | undefined;

beforeAll(async () => {
  fixture = await startAdminGateway({ 'kpg.max.partitions.per.request': '50' });
  ({ kpg, raw, db } = fixture);
});

afterAll(() => fixture?.stop());

async function create(name: string, partitions: number): Promise<void> {
  await createTopicOverKafka(raw, name, partitions);
}

async function grow(topics: { name: string; count: number; assignments?: { brokerIds: number[] }[] | null }[], validateOnly = false) {
  const { body } = await raw.request(37, 3, {
    topics: topics.map((t) => ({ name: t.name, count: t.count, assignments: t.assignments ?? null })),
    timeoutMs: 1000,
    validateOnly,
  });
  return body.results as { name: string; errorCode: number; errorMessage: string | null }[];
}

async function partitionCount(name: string): Promise<{ declared: number; rows: number }> {
  const { rows } = await db.query<{ partition_count: number; n: string }>(
    'SELECT t.partition_count, (SELECT count(*) FROM kpg.partitions p WHERE p.topic_id = t.topic_id)::text AS n FROM kpg.topics t WHERE t.name = $1',
    [name],
  );
  return { declared: rows[0]!.partition_count, rows: Number(rows[0]!.n) };
}

describe('CreatePartitions', () => {
  it('kafkajs createPartitions adds partitions; the new ones take records; old data stays', async () => {
    await create('growing', 2);
    const client = kafkaClient(kpg.bootstrap);
    const producer = client.producer();
    const admin = client.admin();
    await Promise.all([producer.connect(), admin.connect()]);
    try {
      await producer.send({ topic: 'growing', messages: [{ partition: 1, value: 'before' }] });
      await admin.createPartitions({ topicPartitions: [{ topic: 'growing', count: 5 }] });
      expect(await partitionCount('growing')).toEqual({ declared: 5, rows: 5 });
      const metadata = await admin.fetchTopicMetadata({ topics: ['growing'] });
      expect(metadata.topics[0]!.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2, 3, 4]);
      // A producer that learned the topic before it grew must refresh its metadata first, as with Kafka.
      const fresh = client.producer();
      await fresh.connect();
      await fresh.send({ topic: 'growing', messages: [{ partition: 4, value: 'after' }] });
      await fresh.disconnect();
      const offsets = await admin.fetchTopicOffsets('growing');
      expect(offsets.find((o) => o.partition === 1)!.high).toBe('1');
      expect(offsets.find((o) => o.partition === 4)!.high).toBe('1');
    } finally {
      await Promise.all([producer.disconnect(), admin.disconnect()]);
    }
  });

  it('manual assignments for the new partitions', async () => {
    await create('assigned-growth', 1);
    const nodeId = kpg.gateway.nodeId;
    expect(await grow([{ name: 'assigned-growth', count: 3, assignments: [{ brokerIds: [nodeId] }, { brokerIds: [nodeId] }] }])).toEqual([
      { name: 'assigned-growth', errorCode: ErrorCode.NONE, errorMessage: null },
    ]);
    const { rows } = await db.query<{ replicas: number[] }>(
      'SELECT replicas FROM kpg.partitions JOIN kpg.topics USING (topic_id) WHERE name = $1 ORDER BY partition',
      ['assigned-growth'],
    );
    expect(rows.map((r) => r.replicas)).toEqual([[nodeId], [nodeId], [nodeId]]);
  });

  it('validate_only checks and changes nothing', async () => {
    await create('validated-growth', 1);
    expect((await grow([{ name: 'validated-growth', count: 4 }], true))[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(await partitionCount('validated-growth')).toEqual({ declared: 1, rows: 1 });
  });

  it('concurrent increases on one topic apply one after the other', async () => {
    await create('contended', 1);
    const clients = await Promise.all([RawClient.connect(kpg.bootstrap), RawClient.connect(kpg.bootstrap)]);
    try {
      const results = await Promise.all(
        clients.map((c) => c.request(37, 3, { topics: [{ name: 'contended', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false })),
      );
      expect(results.map((r) => r.body.results[0].errorCode).sort()).toEqual([ErrorCode.NONE, ErrorCode.INVALID_PARTITIONS]);
      expect(await partitionCount('contended')).toEqual({ declared: 3, rows: 3 });
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe('bad input', () => {
  it('the same count: INVALID_PARTITIONS "Topic already has N partition(s)."', async () => {
    await create('same-count', 2);
    expect(await grow([{ name: 'same-count', count: 2 }])).toEqual([
      { name: 'same-count', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 2 partition(s).' },
    ]);
  });

  it('fewer partitions: INVALID_PARTITIONS, nothing removed', async () => {
    await create('shrinking', 3);
    expect(await grow([{ name: 'shrinking', count: 1 }])).toEqual([
      { name: 'shrinking', errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'The topic shrinking currently has 3 partition(s); 1 would not be an increase.' },
    ]);
    expect(await grow([{ name: 'shrinking', count: 0 }]).then((r) => r[0]!.errorCode)).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(await grow([{ name: 'shrinking', count: -4 }]).then((r) => r[0]!.errorCode)).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(await partitionCount('shrinking')).toEqual({ declared: 3, rows: 3 });
  });

  it('an unknown topic: UNKNOWN_TOPIC_OR_PARTITION', async () => {
    expect((await grow([{ name: 'no-such-topic', count: 3 }]))[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('assignments that do not fit: INVALID_REPLICA_ASSIGNMENT, nothing added', async () => {
    await create('badly-assigned', 1);
    const nodeId = kpg.gateway.nodeId;
    const cases: [{ brokerIds: number[] }[], RegExp][] = [
      [[{ brokerIds: [nodeId] }], /Attempted to add 2 additional partition\(s\), but only 1 assignment\(s\) were specified/],
      [[{ brokerIds: [nodeId] }, { brokerIds: [777] }], /includes broker 777, but no such broker is registered/],
      [[{ brokerIds: [nodeId] }, { brokerIds: [nodeId, nodeId] }], /more than once/],
      [[{ brokerIds: [nodeId] }, { brokerIds: [] }], /empty replica list/],
    ];
    for (const [assignments, message] of cases) {
      const [result] = await grow([{ name: 'badly-assigned', count: 3, assignments }]);
      expect(result).toMatchObject({ errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: expect.stringMatching(message) });
    }
    expect(await partitionCount('badly-assigned')).toEqual({ declared: 1, rows: 1 });
  });

  it('more new partitions than kpg.max.partitions.per.request: POLICY_VIOLATION', async () => {
    await create('capped', 1);
    expect(await grow([{ name: 'capped', count: 60 }])).toEqual([
      { name: 'capped', errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: 'Excessively large number of partitions per request.' },
    ]);
    expect(await partitionCount('capped')).toEqual({ declared: 1, rows: 1 });
  });

  it('a topic named twice: INVALID_REQUEST', async () => {
    await create('twice-named', 1);
    expect(await grow([{ name: 'twice-named', count: 2 }, { name: 'twice-named', count: 3 }])).toEqual([
      { name: 'twice-named', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' },
    ]);
    expect(await partitionCount('twice-named')).toEqual({ declared: 1, rows: 1 });
  });
});
