/**
 * CreateTopics against a real gateway and Postgres: kafkajs admin for the common paths, raw requests for
 * versions and fields kafkajs does not send (v5+ configs, v7 topic id, manual assignments).
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
  fixture = await startAdminGateway({ 'num.partitions': '3', 'kpg.max.partitions.per.request': '100' });
  ({ kpg, raw, db } = fixture);
});

afterAll(() => fixture?.stop());

interface TopicSpec {
  name: string;
  numPartitions?: number;
  replicationFactor?: number;
  assignments?: { partitionIndex: number; brokerIds: number[] }[];
  configs?: { name: string; value: string | null }[];
}

async function createTopics(topics: TopicSpec[], version = 7, validateOnly = false) {
  const { body } = await raw.request(19, version, {
    topics: topics.map((t) => ({
      name: t.name,
      numPartitions: t.numPartitions ?? -1,
      replicationFactor: t.replicationFactor ?? -1,
      assignments: t.assignments ?? [],
      configs: t.configs ?? [],
    })),
    timeoutMs: 30_000,
    validateOnly,
  });
  return body.topics as { name: string; topicId: string; errorCode: number; errorMessage: string | null; numPartitions: number; replicationFactor: number; configs: { name: string; value: string | null; configSource: number }[] }[];
}

async function storedTopic(name: string) {
  const { rows } = await db.query<{ topic_id: string; partition_count: number; partitions: string }>(
    `SELECT t.topic_id, t.partition_count, (SELECT count(*) FROM kpg.partitions p WHERE p.topic_id = t.topic_id)::text AS partitions
       FROM kpg.topics t WHERE t.name = $1`,
    [name],
  );
  return rows[0];
}

async function storedConfigs(name: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ name: string; value: string }>(
    'SELECT c.name, c.value FROM kpg.topic_configs c JOIN kpg.topics t USING (topic_id) WHERE t.name = $1',
    [name],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

describe('kafkajs admin', () => {
  it('creates topics with partitions and configs, which Metadata then lists', async () => {
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      const created = await admin.createTopics({
        topics: [
          { topic: 'orders', numPartitions: 4, configEntries: [{ name: 'retention.ms', value: '3600000' }] },
          { topic: 'defaults' },
        ],
      });
      expect(created).toBe(true);
      const metadata = await admin.fetchTopicMetadata({ topics: ['orders', 'defaults'] });
      const byName = new Map(metadata.topics.map((t) => [t.name, t]));
      expect(byName.get('orders')!.partitions).toHaveLength(4);
      // kafkajs sends -1 for an unset partition count: the broker default (num.partitions=3 here).
      expect(byName.get('defaults')!.partitions).toHaveLength(3);
      expect(await storedConfigs('orders')).toEqual({ 'retention.ms': '3600000' });
      // Creating an existing topic is not an error for kafkajs' createTopics (it returns false).
      expect(await admin.createTopics({ topics: [{ topic: 'orders' }] })).toBe(false);
    } finally {
      await admin.disconnect();
    }
  });

  it('validateOnly checks without creating', async () => {
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      // kafkajs would wait for the (not created) topic's leaders unless told not to, against Kafka too.
      await admin.createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'only-validated', numPartitions: 2 }] });
      expect(await storedTopic('only-validated')).toBeUndefined();
      const failure = await admin
        .createTopics({ validateOnly: true, waitForLeaders: false, topics: [{ topic: 'only-validated', configEntries: [{ name: 'retention.ms', value: 'soon' }] }] })
        .catch((err: { errors?: { type: string; message: string }[] }) => err);
      expect((failure as { errors: { type: string }[] }).errors[0]!.type).toBe('INVALID_CONFIG');
      expect(await storedTopic('only-validated')).toBeUndefined();
    } finally {
      await admin.disconnect();
    }
  });
});

describe('CreateTopics versions', () => {
  it('v7 returns the topic id, partition count, replication factor and every effective config', async () => {
    const [result] = await createTopics([{ name: 'v7-topic', numPartitions: 2, configs: [{ name: 'cleanup.policy', value: 'compact, delete' }] }]);
    expect(result!.errorCode).toBe(ErrorCode.NONE);
    const stored = await storedTopic('v7-topic');
    expect(result!.topicId).toBe(stored!.topic_id);
    expect(result!.numPartitions).toBe(2);
    expect(result!.replicationFactor).toBe(1);
    const configs = new Map(result!.configs.map((c) => [c.name, c]));
    // The value as given, as Kafka returns it (DescribeConfigs shows it parsed).
    expect(configs.get('cleanup.policy')).toMatchObject({ value: 'compact, delete', configSource: 1 });
    expect(configs.get('retention.ms')).toMatchObject({ value: '604800000', configSource: 5 });
    expect(configs.get('max.message.bytes')).toMatchObject({ value: '1048588', configSource: 5 });
    expect(configs.size).toBeGreaterThanOrEqual(30);
  });

  it('v0 (no validate_only, no messages) still creates', async () => {
    const [result] = await createTopics([{ name: 'v0-topic', numPartitions: 1, replicationFactor: 1 }], 0);
    expect(result!.errorCode).toBe(ErrorCode.NONE);
    expect(await storedTopic('v0-topic')).toMatchObject({ partition_count: 1, partitions: '1' });
  });

  it('explicit replica assignments become the partitions', async () => {
    const nodeId = kpg.gateway.nodeId;
    const [result] = await createTopics([
      { name: 'assigned', assignments: [0, 1, 2].map((p) => ({ partitionIndex: p, brokerIds: [nodeId] })) },
    ]);
    expect(result!.errorCode).toBe(ErrorCode.NONE);
    expect(result!.numPartitions).toBe(3);
    const { rows } = await db.query<{ replicas: number[] }>(
      'SELECT replicas FROM kpg.partitions JOIN kpg.topics USING (topic_id) WHERE name = $1 ORDER BY partition',
      ['assigned'],
    );
    expect(rows.map((r) => r.replicas)).toEqual([[nodeId], [nodeId], [nodeId]]);
  });
});

describe('bad input', () => {
  const cases: [string, TopicSpec, number, RegExp | null][] = [
    ['empty name', { name: '' }, ErrorCode.INVALID_TOPIC_EXCEPTION, /empty string is not allowed/],
    ['"."', { name: '.' }, ErrorCode.INVALID_TOPIC_EXCEPTION, /'\.' is not allowed/],
    ['".."', { name: '..' }, ErrorCode.INVALID_TOPIC_EXCEPTION, /'\.\.' is not allowed/],
    ['illegal characters', { name: 'has space' }, ErrorCode.INVALID_TOPIC_EXCEPTION, /characters other than ASCII alphanumerics/],
    ['non-ASCII letters', { name: 'tøpic' }, ErrorCode.INVALID_TOPIC_EXCEPTION, /characters other than/],
    ['a 250-character name', { name: 'x'.repeat(250) }, ErrorCode.INVALID_TOPIC_EXCEPTION, /longer than the max allowed length 249/],
    ['zero partitions', { name: 'zero-partitions', numPartitions: 0 }, ErrorCode.INVALID_PARTITIONS, /non-positive/],
    ['negative partitions', { name: 'negative-partitions', numPartitions: -5 }, ErrorCode.INVALID_PARTITIONS, /non-positive/],
    ['zero replication factor', { name: 'zero-rf', numPartitions: 1, replicationFactor: 0 }, ErrorCode.INVALID_REPLICATION_FACTOR, /larger than 0/],
    ['a replication factor above the live gateways', { name: 'rf-too-big', numPartitions: 1, replicationFactor: 3 }, ErrorCode.INVALID_REPLICATION_FACTOR, /target replication factor of 3 cannot be reached because only 1 broker\(s\) are registered/],
    ['an unknown config', { name: 'unknown-config', configs: [{ name: 'retention.msec', value: '1' }] }, ErrorCode.INVALID_CONFIG, /Unknown topic config name: retention.msec/],
    ['a config of the wrong type', { name: 'wrong-type', configs: [{ name: 'max.message.bytes', value: 'big' }] }, ErrorCode.INVALID_CONFIG, /Invalid value big for configuration max.message.bytes: Not a number of type INT/],
    ['an int config beyond INT range', { name: 'int-overflow', configs: [{ name: 'segment.bytes', value: '4294967296' }] }, ErrorCode.INVALID_CONFIG, /Not a number of type INT/],
    ['a config out of range', { name: 'out-of-range', configs: [{ name: 'retention.ms', value: '-2' }] }, ErrorCode.INVALID_CONFIG, /Value must be at least -1/],
    ['a value not in the allowed set', { name: 'bad-policy', configs: [{ name: 'cleanup.policy', value: 'delete,shred' }] }, ErrorCode.INVALID_CONFIG, /Invalid value shred for configuration cleanup.policy: String must be one of: compact, delete/],
    ['a bad timestamp type', { name: 'bad-ts', configs: [{ name: 'message.timestamp.type', value: 'createtime' }] }, ErrorCode.INVALID_CONFIG, /String must be one of: CreateTime, LogAppendTime/],
    ['a null config value', { name: 'null-config', configs: [{ name: 'retention.ms', value: null }] }, ErrorCode.INVALID_CONFIG, /Null value not supported for topic configs: retention.ms/],
    ['tiered storage', { name: 'tiered', configs: [{ name: 'remote.storage.enable', value: 'true' }] }, ErrorCode.INVALID_CONFIG, /Tiered Storage functionality is disabled/],
    ['conflicting compaction lags', { name: 'lags', configs: [{ name: 'min.compaction.lag.ms', value: '10' }, { name: 'max.compaction.lag.ms', value: '5' }] }, ErrorCode.INVALID_CONFIG, /min.compaction.lag.ms \(10\) > max.compaction.lag.ms \(5\)/],
    ['a removed Kafka 3.x config', { name: 'old-config', configs: [{ name: 'message.format.version', value: '2.8' }] }, ErrorCode.INVALID_CONFIG, /Unknown topic config name/],
    ['an assignment with a replication factor', { name: 'assign-rf', replicationFactor: 1, assignments: [{ partitionIndex: 0, brokerIds: [1] }] }, ErrorCode.INVALID_REQUEST, /replication factor was not set to -1/],
    ['an assignment naming an unknown broker', { name: 'assign-unknown', assignments: [{ partitionIndex: 0, brokerIds: [4242] }] }, ErrorCode.INVALID_REPLICA_ASSIGNMENT, /includes broker 4242, but no such broker is registered/],
    ['an assignment with a gap', { name: 'assign-gap', assignments: [{ partitionIndex: 1, brokerIds: [1] }] }, ErrorCode.INVALID_REPLICA_ASSIGNMENT, /consecutive 0-based/],
    ['an empty replica list', { name: 'assign-empty', assignments: [{ partitionIndex: 0, brokerIds: [] }] }, ErrorCode.INVALID_REPLICA_ASSIGNMENT, /empty replica list/],
    ['the cluster metadata topic', { name: '__cluster_metadata', numPartitions: 1 }, ErrorCode.INVALID_REQUEST, /prohibited/],
  ];
  for (const [what, spec, errorCode, message] of cases) {
    it(`${what}: error ${errorCode}, nothing stored`, async () => {
      const [result] = await createTopics([spec]);
      expect(result!.errorCode).toBe(errorCode);
      if (message) expect(result!.errorMessage).toMatch(message);
      expect(await storedTopic(spec.name)).toBeUndefined();
    });
  }

  it('one bad topic does not fail its neighbours', async () => {
    const results = await createTopics([
      { name: 'good-neighbour', numPartitions: 1 },
      { name: 'bad neighbour', numPartitions: 1 },
    ]);
    expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.NONE, ErrorCode.INVALID_TOPIC_EXCEPTION]);
    expect(await storedTopic('good-neighbour')).toBeDefined();
  });

  it('a topic that exists: TOPIC_ALREADY_EXISTS with a message', async () => {
    await createTopics([{ name: 'twice', numPartitions: 1 }]);
    const [again] = await createTopics([{ name: 'twice', numPartitions: 5 }]);
    expect(again!.errorCode).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(again!.errorMessage).toBe("Topic 'twice' already exists.");
    expect(await storedTopic('twice')).toMatchObject({ partition_count: 1 });
  });

  it('a name colliding with an existing one once "." and "_" are alike is refused, as Kafka does', async () => {
    await createTopics([{ name: 'metrics.cpu', numPartitions: 1 }]);
    const [result] = await createTopics([{ name: 'metrics_cpu', numPartitions: 1 }]);
    expect(result!.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    expect(result!.errorMessage).toBe("Topic 'metrics_cpu' collides with existing topic: metrics.cpu");
  });

  it('the same name twice in one request: INVALID_REQUEST for it, once', async () => {
    const results = await createTopics([{ name: 'dup', numPartitions: 1 }, { name: 'dup', numPartitions: 1 }, { name: 'not-dup', numPartitions: 1 }]);
    expect(results.map((r) => [r.name, r.errorCode])).toEqual([
      ['dup', ErrorCode.INVALID_REQUEST],
      ['not-dup', ErrorCode.NONE],
    ]);
    expect(await storedTopic('dup')).toBeUndefined();
  });

  it('more partitions in one request than kpg.max.partitions.per.request: POLICY_VIOLATION for all, nothing stored', async () => {
    const results = await createTopics([
      { name: 'huge-1', numPartitions: 60 },
      { name: 'huge-2', numPartitions: 50 },
    ]);
    expect(results.map((r) => r.errorCode)).toEqual([ErrorCode.POLICY_VIOLATION, ErrorCode.POLICY_VIOLATION]);
    expect(results[0]!.errorMessage).toBe('Excessively large number of partitions per request.');
    expect(await storedTopic('huge-1')).toBeUndefined();
    expect(await storedTopic('huge-2')).toBeUndefined();
  });

  it('the default limit is 10000 partitions', async () => {
    const other = await startTestGateway();
    const client = await RawClient.connect(other.bootstrap);
    try {
      const { body } = await client.request(19, 7, {
        topics: [{ name: 'ten-thousand-and-one', numPartitions: 10_001, replicationFactor: -1, assignments: [], configs: [] }],
        timeoutMs: 30_000,
        validateOnly: false,
      });
      expect(body.topics[0].errorCode).toBe(ErrorCode.POLICY_VIOLATION);
    } finally {
      client.close();
      await other.stop();
    }
  });
});

describe('atomicity', () => {
  it('a failure inside the creation transaction leaves no trace of the topic', async () => {
    const failing = kpg.gateway.services.topics.create({
      name: 'half-made',
      replicationFactor: 1,
      // The second partition's replica list cannot be stored: the partitions insert fails after the topic row.
      assignment: [[kpg.gateway.nodeId], ['not-a-node' as unknown as number]],
      configs: new Map([['retention.ms', '1000']]),
    });
    await expect(failing).rejects.toThrow();
    expect(await storedTopic('half-made')).toBeUndefined();
    const { rows } = await db.query(`SELECT 1 FROM kpg.partitions p LEFT JOIN kpg.topics t USING (topic_id) WHERE t.topic_id IS NULL`);
    expect(rows).toEqual([]);
  });
});

describe('two gateways on one database', () => {
  it('two clients creating the same topic at the same moment: exactly one wins, the other gets TOPIC_ALREADY_EXISTS', async () => {
    const second = await startTestGateway({ database: kpg.database });
    const a = await RawClient.connect(kpg.bootstrap);
    const b = await RawClient.connect(second.bootstrap);
    try {
      for (let round = 0; round < 5; round++) {
        const name = `race-${round}`;
        const body = { topics: [{ name, numPartitions: 8, replicationFactor: -1, assignments: [], configs: [{ name: 'retention.ms', value: String(1000 + round) }] }], timeoutMs: 30_000, validateOnly: false };
        const [ra, rb] = await Promise.all([a.request(19, 7, body), b.request(19, 7, body)]);
        const codes = [ra.body.topics[0].errorCode, rb.body.topics[0].errorCode].sort();
        expect(codes).toEqual([ErrorCode.NONE, ErrorCode.TOPIC_ALREADY_EXISTS]);
        expect(await storedTopic(name)).toMatchObject({ partition_count: 8, partitions: '8' });
      }
      // Colliding names race the same way.
      const [ca, cb] = await Promise.all([
        a.request(19, 7, { topics: [{ name: 'race.dot', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false }),
        b.request(19, 7, { topics: [{ name: 'race_dot', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false }),
      ]);
      expect([ca.body.topics[0].errorCode, cb.body.topics[0].errorCode].sort((x: number, y: number) => x - y)).toEqual([
        ErrorCode.NONE,
        ErrorCode.INVALID_TOPIC_EXCEPTION,
      ]);
    } finally {
      a.close();
      b.close();
      await second.gateway.stop();
    }
  });

  it('replication factor 2 is accepted with two live gateways and reported as two replicas', async () => {
    const second = await startTestGateway({ database: kpg.database });
    try {
      const [result] = await createTopics([{ name: 'rf-two', numPartitions: 2, replicationFactor: 2 }]);
      expect(result!.errorCode).toBe(ErrorCode.NONE);
      expect(result!.replicationFactor).toBe(2);
      const { body } = await raw.request(3, 12, { topics: [{ name: 'rf-two', topicId: '00000000-0000-0000-0000-000000000000' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      for (const p of body.topics[0].partitions) expect(p.replicaNodes).toHaveLength(2);
    } finally {
      await second.gateway.stop();
    }
  });
});
