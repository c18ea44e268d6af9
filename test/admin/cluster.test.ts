/**
 * DescribeCluster, DescribeTopicPartitions (with its cursor) and DescribeLogDirs (real sizes in Postgres).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
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

async function create(name: string, partitions: number): Promise<void> {
  await createTopicOverKafka(raw, name, partitions);
}

describe('DescribeCluster', () => {
  it('kafkajs describeCluster: the gateways, the controller and the cluster id', async () => {
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      const cluster = await admin.describeCluster();
      expect(cluster.brokers).toEqual([{ nodeId: kpg.gateway.nodeId, host: '127.0.0.1', port: kpg.gateway.port }]);
      expect(cluster.controller).toBe(kpg.gateway.nodeId);
      expect(cluster.clusterId).toBe(kpg.gateway.services.cluster.clusterId);
    } finally {
      await admin.disconnect();
    }
  });

  it('v2 lists a stopped gateway as fenced when asked to; the controller is a live one', async () => {
    const second = await startTestGateway({ database: kpg.database });
    const secondId = second.gateway.nodeId;
    const live = await raw.request(60, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: true });
    expect(live.body.brokers.map((b: { brokerId: number; isFenced: boolean }) => [b.brokerId, b.isFenced])).toEqual([
      [kpg.gateway.nodeId, false],
      [secondId, false],
    ].sort((a, b) => (a[0] as number) - (b[0] as number)));
    await second.gateway.stop();
    const { body } = await raw.request(60, 2, { includeClusterAuthorizedOperations: true, endpointType: 1, includeFencedBrokers: true });
    expect(body).toMatchObject({ errorCode: 0, clusterId: kpg.gateway.services.cluster.clusterId, controllerId: kpg.gateway.nodeId, endpointType: 1 });
    expect(body.brokers.find((b: { brokerId: number }) => b.brokerId === secondId)).toMatchObject({ isFenced: true });
    expect(body.clusterAuthorizedOperations).toBeGreaterThan(0);
    const without = await raw.request(60, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers: false });
    expect(without.body.brokers.map((b: { brokerId: number }) => b.brokerId)).toEqual([kpg.gateway.nodeId]);
  });

  it('bad input: a controller endpoint or an unknown endpoint type is refused', async () => {
    const controller = await raw.request(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 2, includeFencedBrokers: false });
    expect(controller.body).toMatchObject({ errorCode: ErrorCode.MISMATCHED_ENDPOINT_TYPE, brokers: [] });
    const unknown = await raw.request(60, 1, { includeClusterAuthorizedOperations: false, endpointType: 9, includeFencedBrokers: false });
    expect(unknown.body).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_ENDPOINT_TYPE, errorMessage: 'Unsupported endpoint type 9' });
  });
});

describe('DescribeTopicPartitions', () => {
  beforeAll(async () => {
    await create('dtp-a', 3);
    await create('dtp-b', 2);
    await create('dtp-c', 1);
  });

  it('pages through named topics with the cursor', async () => {
    const topics = [{ name: 'dtp-c' }, { name: 'dtp-a' }, { name: 'dtp-b' }];
    const seen: string[] = [];
    let cursor: { topicName: string; partitionIndex: number } | null = null;
    for (let page = 0; page < 10; page++) {
      const { body } = await raw.request(75, 0, { topics, responsePartitionLimit: 2, cursor });
      for (const t of body.topics) {
        expect(t.errorCode).toBe(0);
        for (const p of t.partitions) {
          seen.push(`${t.name}/${p.partitionIndex}`);
          expect(p).toMatchObject({ leaderId: kpg.gateway.nodeId, replicaNodes: [kpg.gateway.nodeId], isrNodes: [kpg.gateway.nodeId] });
        }
      }
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    expect(seen).toEqual(['dtp-a/0', 'dtp-a/1', 'dtp-a/2', 'dtp-b/0', 'dtp-b/1', 'dtp-c/0']);
  });

  it('all topics when none are named; missing and illegal names get errors when named', async () => {
    const all = await raw.request(75, 0, { topics: [], responsePartitionLimit: 2000, cursor: null });
    expect(all.body.topics.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['dtp-a', 'dtp-b', 'dtp-c']));
    expect(all.body.nextCursor).toBeNull();
    const named = await raw.request(75, 0, { topics: [{ name: 'dtp-missing' }, { name: 'bad name' }], responsePartitionLimit: 10, cursor: null });
    expect(named.body.topics.map((t: { name: string; errorCode: number }) => [t.name, t.errorCode])).toEqual([
      ['bad name', ErrorCode.INVALID_TOPIC_EXCEPTION],
      ['dtp-missing', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ]);
  });

  it('bad input: a cursor outside the named topics or with a negative partition is INVALID_REQUEST', async () => {
    const outside = await raw.request(75, 0, { topics: [{ name: 'dtp-b' }], responsePartitionLimit: 10, cursor: { topicName: 'dtp-a', partitionIndex: 0 } });
    expect(outside.body.topics).toEqual([expect.objectContaining({ name: 'dtp-b', errorCode: ErrorCode.INVALID_REQUEST })]);
    const negative = await raw.request(75, 0, { topics: [{ name: 'dtp-a' }], responsePartitionLimit: 10, cursor: { topicName: 'dtp-a', partitionIndex: -1 } });
    expect(negative.body.topics[0].errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });
});

describe('Metadata by topic id (the Java AdminClient describeTopics(TopicCollection.ofTopicIds))', () => {
  it('an entry with an id is looked up by id whatever its name (Java sends ""); an unknown id keeps its id', async () => {
    await create('by-id', 2);
    const all = await raw.request(3, 12, { topics: null });
    const id = all.body.topics.find((t: { name: string }) => t.name === 'by-id').topicId;
    const unknown = '6f1b4a52-0c5e-4a53-9e5c-2f8f1f2d9a11';
    const { body } = await raw.request(3, 12, { topics: [{ name: '', topicId: id }, { name: '', topicId: unknown }], allowAutoTopicCreation: false });
    expect(body.topics).toEqual([
      expect.objectContaining({ errorCode: ErrorCode.NONE, name: 'by-id', topicId: id, partitions: [expect.anything(), expect.anything()] }),
      expect.objectContaining({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: unknown, partitions: [] }),
    ]);
  });
});

describe('DescribeLogDirs', () => {
  it('reports what each partition takes in Postgres', async () => {
    await create('sized', 2);
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    try {
      await producer.send({ topic: 'sized', messages: Array.from({ length: 20 }, (_, i) => ({ partition: 1, value: 'y'.repeat(100 + i) })) });
    } finally {
      await producer.disconnect();
    }
    const { rows } = await db.query<{ bytes: string }>(
      `SELECT sum(size_bytes)::text AS bytes FROM kpg.record_batches b JOIN kpg.topics t USING (topic_id) WHERE t.name = 'sized' AND b.partition = 1`,
    );
    for (const version of [0, 2, 4]) {
      const { body } = await raw.request(35, version, { topics: [{ topic: 'sized', partitions: [0, 1, 7] }, { topic: 'not-there', partitions: [0] }] });
      const dir = body.results[0];
      expect(dir).toMatchObject({ errorCode: 0, logDir: `postgres://${kpg.database.name}/kpg` });
      expect(dir.topics).toEqual([
        {
          name: 'sized',
          partitions: [
            { partitionIndex: 0, partitionSize: 0n, offsetLag: 0n, isFutureKey: false },
            { partitionIndex: 1, partitionSize: BigInt(rows[0]!.bytes), offsetLag: 0n, isFutureKey: false },
          ],
        },
      ]);
      expect(BigInt(rows[0]!.bytes)).toBeGreaterThan(2000n);
      if (version >= 4) expect(dir).toMatchObject({ totalBytes: -1n, usableBytes: -1n });
    }
    const all = await raw.request(35, 4, { topics: null });
    expect(all.body.results[0].topics.map((t: { name: string }) => t.name)).toEqual(expect.arrayContaining(['sized', 'dtp-a']));
  });
});
