/**
 * DeleteTopics: the topic, its partitions, configs and data go; the batches are reclaimed in the
 * background; a topic created again under the same name starts over.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type AdminGateway, createTopicOverKafka, startAdminGateway } from './support/admin-gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

let kpg: TestGateway;
let raw: RawClient;
let db: pg.Client;
let fixture: AdminGateway | undefined;

beforeAll(async () => {
  fixture = await startAdminGateway();
  ({ kpg, raw, db } = fixture);
});

afterAll(() => fixture?.stop());

const create = (name: string, partitions = 1, configs: { name: string; value: string }[] = []): Promise<string> =>
  createTopicOverKafka(raw, name, partitions, configs);

async function produce(topic: string, count: number, partition = 0): Promise<void> {
  const producer = kafkaClient(kpg.bootstrap).producer();
  await producer.connect();
  try {
    for (let i = 0; i < count; i += 50) {
      await producer.send({
        topic,
        messages: Array.from({ length: Math.min(50, count - i) }, (_, j) => ({ partition, value: `m-${i + j}` })),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

async function count(sql: string, params: unknown[]): Promise<number> {
  const { rows } = await db.query<{ count: string }>(sql, params);
  return Number(rows[0]!.count);
}

describe('deleting topics', () => {
  it('kafkajs deleteTopics removes the topic, its partitions and configs; its batches are reclaimed', async () => {
    const topicId = await create('doomed', 3, [{ name: 'retention.ms', value: '60000' }]);
    await produce('doomed', 200, 1);
    expect(await count('SELECT count(*) FROM kpg.record_batches WHERE topic_id = $1', [topicId])).toBeGreaterThan(0);

    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      await admin.deleteTopics({ topics: ['doomed'] });
      expect(await admin.listTopics()).not.toContain('doomed');
    } finally {
      await admin.disconnect();
    }
    expect(await count('SELECT count(*) FROM kpg.topics WHERE topic_id = $1', [topicId])).toBe(0);
    expect(await count('SELECT count(*) FROM kpg.partitions WHERE topic_id = $1', [topicId])).toBe(0);
    expect(await count('SELECT count(*) FROM kpg.topic_configs WHERE topic_id = $1', [topicId])).toBe(0);

    // The reaper runs on its own soon after the deletion; running a pass here just makes it certain.
    const stats = await kpg.gateway.reaper.runOnce();
    expect(stats.ran).toBe(true);
    expect(await count('SELECT count(*) FROM kpg.record_batches WHERE topic_id = $1', [topicId])).toBe(0);
  });

  it('committed offsets of the topic go with it', async () => {
    const topicId = await create('committed', 2);
    await produce('committed', 10);
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      await admin.setOffsets({ groupId: 'committer', topic: 'committed', partitions: [{ partition: 0, offset: '7' }, { partition: 1, offset: '0' }] });
      expect(await count('SELECT count(*) FROM kpg.group_offsets WHERE topic_id = $1', [topicId])).toBe(2);
      await admin.deleteTopics({ topics: ['committed'] });
      expect(await count('SELECT count(*) FROM kpg.group_offsets WHERE topic_id = $1', [topicId])).toBe(0);
      // The same name again starts without committed offsets.
      await create('committed', 2);
      const [offsets] = await admin.fetchOffsets({ groupId: 'committer', topics: ['committed'] });
      expect(offsets!.partitions.map((p) => p.offset)).toEqual(['-1', '-1']);
    } finally {
      await admin.disconnect();
    }
  });

  it('reclaims a big topic in bounded chunks', async () => {
    const topicId = await create('big-doomed', 1);
    // Many small batches, as the reaper's limit counts batches.
    await db.query(
      `INSERT INTO kpg.record_batches (topic_id, partition, base_offset, last_offset, record_count, max_timestamp, time_index, size_bytes, batch)
       SELECT $1, 0, n, n, 1, 0, 0, 1, '\\x00'::bytea FROM generate_series(0, 11999) AS n`,
      [topicId],
    );
    const { body } = await raw.request(20, 6, { topics: [{ name: 'big-doomed', topicId: ZERO_UUID }], timeoutMs: 30_000 });
    expect(body.responses[0].errorCode).toBe(ErrorCode.NONE);
    // Holding the reaper lock keeps the background passes out while each statement's bound is checked.
    const chunks: number[] = [];
    await kpg.gateway.storage.reclaim.asReaper(async (reclaim) => {
      if ((await reclaim.orphanTopicIds(10)).includes(topicId)) {
        for (let n = -1; n !== 0; ) {
          n = await reclaim.deleteOrphanBatches(topicId, 5000);
          chunks.push(n);
        }
      }
    });
    // Unless a background pass got there first, the work came in chunks of at most 5000.
    if (chunks.length > 0) expect(chunks).toEqual([5000, 5000, 2000, 0]);
    expect(await count('SELECT count(*) FROM kpg.record_batches WHERE topic_id = $1', [topicId])).toBe(0);
  });

  it('a topic created again under the same name is a new topic: new id, offsets from 0, no old data', async () => {
    const firstId = await create('reborn', 1);
    await produce('reborn', 30);
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      expect(await admin.fetchTopicOffsets('reborn')).toEqual([expect.objectContaining({ partition: 0, high: '30', low: '0' })]);
      await admin.deleteTopics({ topics: ['reborn'] });
      const secondId = await create('reborn', 1);
      expect(secondId).not.toBe(firstId);
      expect(await admin.fetchTopicOffsets('reborn')).toEqual([expect.objectContaining({ partition: 0, high: '0', low: '0' })]);
      await produce('reborn', 5);
      expect(await admin.fetchTopicOffsets('reborn')).toEqual([expect.objectContaining({ partition: 0, high: '5', low: '0' })]);
    } finally {
      await admin.disconnect();
    }
  });

  it('v6 deletes by topic id', async () => {
    const topicId = await create('by-id', 2);
    const { body } = await raw.request(20, 6, { topics: [{ name: null, topicId }], timeoutMs: 30_000 });
    expect(body.responses).toEqual([{ name: 'by-id', topicId, errorCode: ErrorCode.NONE, errorMessage: null }]);
    expect(await count('SELECT count(*) FROM kpg.topics WHERE topic_id = $1', [topicId])).toBe(0);
  });

  it('v0 deletes by name', async () => {
    await create('old-client', 1);
    const { body } = await raw.request(20, 0, { topicNames: ['old-client'], timeoutMs: 30_000 });
    expect(body.responses).toEqual([expect.objectContaining({ name: 'old-client', errorCode: ErrorCode.NONE })]);
  });
});

describe('bad input', () => {
  it('a topic that does not exist: UNKNOWN_TOPIC_OR_PARTITION by name, UNKNOWN_TOPIC_ID by id', async () => {
    const { body } = await raw.request(20, 6, {
      topics: [
        { name: 'never-existed', topicId: ZERO_UUID },
        { name: null, topicId: '11111111-2222-4333-8444-555555555555' },
      ],
      timeoutMs: 30_000,
    });
    const byKey = new Map(body.responses.map((r: { name: string | null; topicId: string }) => [r.name ?? r.topicId, r]));
    expect(byKey.get('never-existed')).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION });
    expect(byKey.get('11111111-2222-4333-8444-555555555555')).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID });

    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      // kafkajs retries this error, then reports it as the cause.
      const failure = (await admin.deleteTopics({ topics: ['never-existed'] }).catch((err: unknown) => err)) as { cause?: { type?: string }; type?: string };
      expect(failure.cause?.type ?? failure.type).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    } finally {
      await admin.disconnect();
    }
  });

  it('duplicates, both name and id, or neither: INVALID_REQUEST, and nothing is deleted', async () => {
    const topicId = await create('kept', 1);
    const { body } = await raw.request(20, 6, {
      topics: [
        { name: 'kept', topicId: ZERO_UUID },
        { name: 'kept', topicId: ZERO_UUID },
        { name: 'kept', topicId },
        { name: null, topicId: ZERO_UUID },
      ],
      timeoutMs: 30_000,
    });
    expect(body.responses.map((r: { errorCode: number }) => r.errorCode)).toEqual([
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
    ]);
    expect(body.responses.map((r: { errorMessage: string }) => r.errorMessage).sort()).toEqual([
      'Duplicate topic name.',
      'Neither topic name nor id were specified.',
      'You may not specify both topic name and topic id.',
    ]);
    expect(await count('SELECT count(*) FROM kpg.topics WHERE topic_id = $1', [topicId])).toBe(1);
  });

  it('delete.topic.enable=false: TOPIC_DELETION_DISABLED (INVALID_REQUEST before v3), topic kept', async () => {
    const other = await startTestGateway({ brokerConfigs: { 'delete.topic.enable': 'false' } });
    const client = await RawClient.connect(other.bootstrap);
    try {
      await client.request(19, 7, { topics: [{ name: 'protected', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
      const v6 = await client.request(20, 6, { topics: [{ name: 'protected', topicId: ZERO_UUID }], timeoutMs: 1000 });
      expect(v6.body.responses[0].errorCode).toBe(ErrorCode.TOPIC_DELETION_DISABLED);
      const v2 = await client.request(20, 2, { topicNames: ['protected'], timeoutMs: 1000 });
      expect(v2.body.responses[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
      const meta = await client.request(3, 12, { topics: [{ name: 'protected', topicId: ZERO_UUID }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      expect(meta.body.topics[0].errorCode).toBe(ErrorCode.NONE);
    } finally {
      client.close();
      await other.stop();
    }
  });
});
