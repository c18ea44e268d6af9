/**
 * DescribeConfigs, AlterConfigs and IncrementalAlterConfigs for topics and brokers, through kafkajs and
 * raw requests, and dynamic broker configs reaching every gateway.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type AdminGateway, createTopicOverKafka, startAdminGateway } from './support/admin-gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

const TOPIC = 2;
const BROKER = 4;
const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;

let kpg: TestGateway;
let raw: RawClient;
let db: pg.Client;
let fixture: AdminGateway | undefined;

beforeAll(async () => {
  fixture = await startAdminGateway({ 'log.retention.hours': '24', 'message.max.bytes': '2000000' });
  ({ kpg, raw, db } = fixture);
});

afterAll(() => fixture?.stop());

async function create(name: string, configs: { name: string; value: string }[] = []): Promise<void> {
  await createTopicOverKafka(raw, name, 1, configs);
}

interface Described {
  errorCode: number;
  errorMessage: string | null;
  configs: { name: string; value: string | null; readOnly: boolean; configSource: number; isSensitive: boolean; isDefault: boolean; configType: number; documentation: string | null; synonyms: { name: string; value: string | null; source: number }[] }[];
}

async function describeConfigs(type: number, name: string, keys: string[] | null = null, version = 4, client = raw): Promise<Described> {
  const { body } = await client.request(32, version, {
    resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }],
    includeSynonyms: true,
    includeDocumentation: true,
  });
  return body.results[0] as Described;
}

function byName(d: Described) {
  return new Map(d.configs.map((c) => [c.name, c]));
}

async function incremental(type: number, name: string, ops: { name: string; configOperation: number; value: string | null }[], validateOnly = false, client = raw) {
  const { body } = await client.request(44, 1, { resources: [{ resourceType: type, resourceName: name, configs: ops }], validateOnly });
  return body.responses[0] as { errorCode: number; errorMessage: string | null };
}

async function ownConfigs(topic: string): Promise<Record<string, string>> {
  const { rows } = await db.query<{ name: string; value: string }>(
    'SELECT c.name, c.value FROM kpg.topic_configs c JOIN kpg.topics t USING (topic_id) WHERE t.name = $1',
    [topic],
  );
  return Object.fromEntries(rows.map((r) => [r.name, r.value]));
}

describe('DescribeConfigs', () => {
  it('topic: every config with value, source, synonyms, type and documentation', async () => {
    await create('described', [{ name: 'retention.ms', value: ' 5000 ' }, { name: 'cleanup.policy', value: 'compact, delete' }]);
    const d = await describeConfigs(TOPIC, 'described');
    expect(d.errorCode).toBe(ErrorCode.NONE);
    const configs = byName(d);
    expect(configs.size).toBe(33);
    expect(configs.get('retention.ms')).toMatchObject({
      value: '5000',
      configSource: 1,
      readOnly: false,
      isSensitive: false,
      configType: 5,
      synonyms: [{ name: 'retention.ms', value: '5000', source: 1 }],
    });
    expect(configs.get('retention.ms')!.documentation).toMatch(/older than this/);
    expect(configs.get('cleanup.policy')).toMatchObject({
      value: 'compact,delete',
      configType: 7,
      synonyms: [
        { name: 'cleanup.policy', value: 'compact,delete', source: 1 },
        { name: 'log.cleanup.policy', value: 'delete', source: 5 },
      ],
    });
    // From a static broker config: message.max.bytes=2000000 on the command line.
    expect(configs.get('max.message.bytes')).toMatchObject({
      value: '2000000',
      configSource: 4,
      synonyms: [
        { name: 'message.max.bytes', value: '2000000', source: 4 },
        { name: 'message.max.bytes', value: '1048588', source: 5 },
      ],
    });
    expect(configs.get('segment.bytes')).toMatchObject({ value: '1073741824', configSource: 5, configType: 3 });
  });

  it('a broker synonym in hours shows in the topic config in milliseconds', async () => {
    await create('hours');
    const retention = byName(await describeConfigs(TOPIC, 'hours', ['retention.ms'])).get('retention.ms')!;
    // log.retention.hours=24 statically; Kafka lists no synonym while log.retention.ms itself is unset.
    expect(retention).toMatchObject({ value: String(24 * 3600 * 1000), configSource: 5, synonyms: [] });
  });

  it('v0 reports IsDefault; keys limit the answer; unknown keys are absent', async () => {
    await create('v0-described', [{ name: 'retention.ms', value: '5000' }]);
    const d = await describeConfigs(TOPIC, 'v0-described', ['retention.ms', 'segment.ms', 'no.such.config'], 0);
    const configs = byName(d);
    expect([...configs.keys()].sort()).toEqual(['retention.ms', 'segment.ms']);
    expect(configs.get('retention.ms')!.isDefault).toBe(false);
    expect(configs.get('segment.ms')!.isDefault).toBe(true);
  });

  it('broker: this gateway lists every config, read-only unless dynamic', async () => {
    const d = await describeConfigs(BROKER, String(kpg.gateway.nodeId));
    expect(d.errorCode).toBe(ErrorCode.NONE);
    const configs = byName(d);
    expect(configs.get('num.partitions')).toMatchObject({ value: '1', configSource: 5, readOnly: false, configType: 3 });
    expect(configs.get('log.retention.hours')).toMatchObject({ value: '24', configSource: 4, synonyms: [{ name: 'log.retention.hours', value: '24', source: 4 }, { name: 'log.retention.hours', value: '168', source: 5 }] });
    expect(configs.get('socket.request.max.bytes')).toMatchObject({ readOnly: true });
    expect(configs.get('node.id')).toMatchObject({ value: String(kpg.gateway.nodeId), readOnly: true, configSource: 4 });
    expect(configs.get('kpg.max.partitions.per.request')).toMatchObject({ value: '10000' });
  });

  it('bad input: unknown topics, illegal names, other brokers, unsupported resource types', async () => {
    // Kafka's message is an empty string (Java's AdminClient then raises UnknownTopicOrPartitionException with message "").
    expect(await describeConfigs(TOPIC, 'no-such-topic')).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: '', configs: [] });
    expect(await describeConfigs(TOPIC, 'bad/name')).toMatchObject({ errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
    expect(await describeConfigs(BROKER, '4242')).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/Unexpected broker id/) });
    expect(await describeConfigs(BROKER, 'abc')).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Broker id must be an integer, but it is: abc' });
    expect(await describeConfigs(32, 'some-group')).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
  });

  it('kafkajs describeConfigs', async () => {
    await create('kafkajs-described', [{ name: 'max.message.bytes', value: '12345' }]);
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      const result = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: TOPIC, name: 'kafkajs-described', configNames: ['max.message.bytes', 'retention.ms'] }],
      });
      const entries = new Map(result.resources[0]!.configEntries.map((e) => [e.configName, e]));
      expect(entries.get('max.message.bytes')).toMatchObject({ configValue: '12345', isDefault: false, configSource: 1 });
      expect(entries.get('retention.ms')).toMatchObject({ configValue: String(24 * 3600 * 1000) });
    } finally {
      await admin.disconnect();
    }
  });
});

describe('AlterConfigs (legacy: replaces the whole set)', () => {
  it('kafkajs alterConfigs replaces a topic\'s configs; the produce path sees the change', async () => {
    await create('altered', [{ name: 'retention.ms', value: '1000' }]);
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [{ type: TOPIC, name: 'altered', configEntries: [{ name: 'max.message.bytes', value: '200' }] }],
      });
      expect(await ownConfigs('altered')).toEqual({ 'max.message.bytes': '200' });
      const producer = kafkaClient(kpg.bootstrap).producer();
      await producer.connect();
      try {
        await expect(producer.send({ topic: 'altered', messages: [{ value: 'x'.repeat(500) }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
        await producer.send({ topic: 'altered', messages: [{ value: 'small' }] });
      } finally {
        await producer.disconnect();
      }
    } finally {
      await admin.disconnect();
    }
  });

  it('validate_only changes nothing; bad values and unknown names are INVALID_CONFIG and change nothing', async () => {
    await create('guarded', [{ name: 'retention.ms', value: '1000' }]);
    const alter = async (configs: { name: string; value: string | null }[], validateOnly = false) => {
      const { body } = await raw.request(33, 2, { resources: [{ resourceType: TOPIC, resourceName: 'guarded', configs }], validateOnly });
      return body.responses[0];
    };
    expect(await alter([{ name: 'retention.ms', value: '2000' }], true)).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await alter([{ name: 'retention.ms', value: 'two seconds' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Invalid value two seconds for configuration retention.ms: Not a number of type LONG',
    });
    expect(await alter([{ name: 'retention.minutes', value: '1' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Unknown topic config name: retention.minutes' });
    expect(await alter([{ name: 'min.insync.replicas', value: '0' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringMatching(/Value must be at least 1/) });
    expect(await alter([{ name: 'retention.ms', value: null }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Null value not supported for : retention.ms' });
    expect(await alter([{ name: 'retention.ms', value: '1' }, { name: 'retention.ms', value: '2' }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Error due to duplicate config keys' });
    expect(await ownConfigs('guarded')).toEqual({ 'retention.ms': '1000' });
  });

  it('an unknown topic: UNKNOWN_TOPIC_OR_PARTITION; an empty topic name: INVALID_REQUEST', async () => {
    const { body } = await raw.request(33, 1, {
      resources: [
        { resourceType: TOPIC, resourceName: 'not-there', configs: [{ name: 'retention.ms', value: '1' }] },
        { resourceType: TOPIC, resourceName: '', configs: [] },
      ],
      validateOnly: false,
    });
    expect(body.responses.map((r: { errorCode: number }) => r.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.INVALID_REQUEST]);
  });
});

describe('IncrementalAlterConfigs', () => {
  it('SET, DELETE, APPEND and SUBTRACT on a topic', async () => {
    await create('incremental', [{ name: 'retention.ms', value: '1000' }, { name: 'segment.ms', value: '60000' }]);
    expect(await incremental(TOPIC, 'incremental', [
      { name: 'max.message.bytes', configOperation: SET, value: '4096' },
      { name: 'segment.ms', configOperation: DELETE, value: null },
      { name: 'cleanup.policy', configOperation: APPEND, value: 'compact' },
    ])).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await ownConfigs('incremental')).toEqual({ 'retention.ms': '1000', 'max.message.bytes': '4096', 'cleanup.policy': 'delete,compact' });
    expect(await incremental(TOPIC, 'incremental', [{ name: 'cleanup.policy', configOperation: SUBTRACT, value: 'delete' }])).toMatchObject({ errorCode: ErrorCode.NONE });
    expect((await ownConfigs('incremental'))['cleanup.policy']).toBe('compact');
  });

  it('bad input changes nothing', async () => {
    await create('incremental-guarded', [{ name: 'retention.ms', value: '1000' }]);
    expect(await incremental(TOPIC, 'incremental-guarded', [{ name: 'retention.ms', configOperation: APPEND, value: '1' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: "Can't APPEND to key retention.ms because its type is not LIST.",
    });
    expect(await incremental(TOPIC, 'incremental-guarded', [{ name: 'cleanup.policy', configOperation: APPEND, value: 'archive' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    expect(await incremental(TOPIC, 'incremental-guarded', [{ name: 'retention.ms', configOperation: 7, value: '1' }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown operations type 7' });
    expect(await incremental(TOPIC, 'incremental-guarded', [{ name: 'segment.bytes', configOperation: SET, value: '1024' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringMatching(/Value must be at least 1048576/) });
    expect(await incremental(TOPIC, 'incremental-guarded', [{ name: 'retention.ms', configOperation: SET, value: '5' }], true)).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await ownConfigs('incremental-guarded')).toEqual({ 'retention.ms': '1000' });
  });

  it('concurrent changes to different configs of one topic both survive', async () => {
    await create('concurrent');
    const clients = await Promise.all(Array.from({ length: 10 }, () => RawClient.connect(kpg.bootstrap)));
    try {
      await Promise.all(
        clients.map((client, i) =>
          incremental(TOPIC, 'concurrent', [{ name: `${['retention', 'segment', 'delete.retention', 'flush', 'file.delete.delay'][i % 5]}.ms`, configOperation: SET, value: String(60000 + i) }], false, client),
        ),
      );
      expect(Object.keys(await ownConfigs('concurrent')).sort()).toEqual(['delete.retention.ms', 'file.delete.delay.ms', 'flush.ms', 'retention.ms', 'segment.ms']);
    } finally {
      for (const client of clients) client.close();
    }
  });
});

describe('the topic config cache', () => {
  it('a topic config changed through one gateway reaches the produce path of another (NOTIFY kpg_config)', async () => {
    await create('shared-config');
    const second = await startTestGateway({ database: kpg.database });
    try {
      const { rows } = await db.query<{ topic_id: string }>('SELECT topic_id FROM kpg.topics WHERE name = $1', ['shared-config']);
      const topicId = rows[0]!.topic_id;
      // The second gateway has no static message.max.bytes: Kafka's default applies there.
      expect((await second.gateway.services.topicConfigs.get(topicId)).maxMessageBytes).toBe(1048588);
      expect(await incremental(TOPIC, 'shared-config', [{ name: 'max.message.bytes', configOperation: SET, value: '300' }])).toMatchObject({ errorCode: 0 });
      await until(async () => (await second.gateway.services.topicConfigs.get(topicId)).maxMessageBytes === 300);
      const producer = kafkaClient(second.bootstrap).producer();
      await producer.connect();
      try {
        await expect(producer.send({ topic: 'shared-config', messages: [{ value: 'z'.repeat(1000) }] })).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
      } finally {
        await producer.disconnect();
      }
    } finally {
      await second.gateway.stop();
    }
  });

  it('is dropped when the LISTEN connection reconnects (notifications may have been missed)', async () => {
    await create('missed-notify', [{ name: 'retention.ms', value: '1000' }]);
    const { rows } = await db.query<{ topic_id: string }>('SELECT topic_id FROM kpg.topics WHERE name = $1', ['missed-notify']);
    const topicId = rows[0]!.topic_id;
    const cache = kpg.gateway.services.topicConfigs;
    expect((await cache.get(topicId)).retentionMs).toBe(1000);
    // A change nobody announces: the cache keeps the old value...
    await db.query(`UPDATE kpg.topic_configs SET value = '2000' WHERE topic_id = $1 AND name = 'retention.ms'`, [topicId]);
    expect((await cache.get(topicId)).retentionMs).toBe(1000);
    // ...until the LISTEN connection drops and comes back, after which everything is reloaded.
    const pid = await kpg.gateway.storage.notifications.backendPid();
    await db.query('SELECT pg_terminate_backend($1)', [pid]);
    await until(async () => (await cache.get(topicId)).retentionMs === 2000);
  });
});

describe('dynamic broker configs', () => {
  it('a cluster-wide default set on one gateway takes effect on every gateway', async () => {
    const second = await startTestGateway({ database: kpg.database });
    const other = await RawClient.connect(second.bootstrap);
    try {
      expect(await incremental(BROKER, '', [{ name: 'num.partitions', configOperation: SET, value: '5' }])).toMatchObject({ errorCode: ErrorCode.NONE });
      const { rows } = await db.query('SELECT broker_id, name, value FROM kpg.broker_configs WHERE name = $1', ['num.partitions']);
      expect(rows).toEqual([{ broker_id: -1, name: 'num.partitions', value: '5' }]);

      // The other gateway reloads on NOTIFY: wait for it to show the value, then create through it.
      await until(async () => byName(await describeConfigs(BROKER, '', null, 4, other)).get('num.partitions')?.value === '5');
      const described = byName(await describeConfigs(BROKER, String(second.gateway.nodeId), ['num.partitions'], 4, other)).get('num.partitions')!;
      expect(described).toMatchObject({ value: '5', configSource: 3, synonyms: [{ name: 'num.partitions', value: '5', source: 3 }, { name: 'num.partitions', value: '1', source: 5 }] });
      const { body } = await other.request(19, 7, { topics: [{ name: 'five-by-default', numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
      expect(body.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, numPartitions: 5 });

      // A per-broker value overrides the cluster default on that gateway only.
      expect(await incremental(BROKER, String(second.gateway.nodeId), [{ name: 'num.partitions', configOperation: SET, value: '2' }], false, other)).toMatchObject({ errorCode: ErrorCode.NONE });
      expect(byName(await describeConfigs(BROKER, String(second.gateway.nodeId), ['num.partitions'], 4, other)).get('num.partitions')).toMatchObject({ value: '2', configSource: 2 });
      expect(await incremental(BROKER, String(second.gateway.nodeId), [{ name: 'num.partitions', configOperation: DELETE, value: null }], false, other)).toMatchObject({ errorCode: ErrorCode.NONE });
      expect(await incremental(BROKER, '', [{ name: 'num.partitions', configOperation: DELETE, value: null }])).toMatchObject({ errorCode: ErrorCode.NONE });
      expect(byName(await describeConfigs(BROKER, String(kpg.gateway.nodeId), ['num.partitions'])).get('num.partitions')).toMatchObject({ value: '1', configSource: 5 });
    } finally {
      other.close();
      await second.gateway.stop();
    }
  });

  it('broker-level defaults flow into topic configs (log.retention.ms for retention.ms)', async () => {
    await create('inherits');
    expect(await incremental(BROKER, '', [{ name: 'log.retention.ms', configOperation: SET, value: '7777' }])).toMatchObject({ errorCode: ErrorCode.NONE });
    try {
      const retention = byName(await describeConfigs(TOPIC, 'inherits', ['retention.ms'])).get('retention.ms')!;
      expect(retention).toMatchObject({ value: '7777', configSource: 3, synonyms: [{ name: 'log.retention.ms', value: '7777', source: 3 }, { name: 'log.retention.hours', value: '24', source: 4 }, { name: 'log.retention.hours', value: '168', source: 5 }] });
      const { rows } = await db.query<{ topic_id: string }>('SELECT topic_id FROM kpg.topics WHERE name = $1', ['inherits']);
      const resolved = await kpg.gateway.services.topicConfigs.get(rows[0]!.topic_id);
      expect(resolved.retentionMs).toBe(7777);
    } finally {
      await incremental(BROKER, '', [{ name: 'log.retention.ms', configOperation: DELETE, value: null }]);
    }
  });

  it('bad input: read-only configs, bad values, other brokers, APPEND to non-lists: nothing stored', async () => {
    const self = String(kpg.gateway.nodeId);
    expect(await incremental(BROKER, '', [{ name: 'socket.request.max.bytes', configOperation: SET, value: '1000' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Cannot update these configs dynamically: Set(socket.request.max.bytes)',
    });
    // The runtime facts DescribeConfigs reports read-only (log.dirs, node.id, ...) are not custom configs either.
    for (const resource of ['', self]) {
      expect(await incremental(BROKER, resource, [{ name: 'log.dirs', configOperation: SET, value: '/tmp/elsewhere' }])).toMatchObject({
        errorCode: ErrorCode.INVALID_REQUEST,
        errorMessage: 'Cannot update these configs dynamically: Set(log.dirs)',
      });
    }
    expect((await raw.request(33, 2, { resources: [{ resourceType: BROKER, resourceName: self, configs: [{ name: 'node.id', value: '7' }] }], validateOnly: false })).body.responses[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Cannot update these configs dynamically: Set(node.id)',
    });
    expect(await incremental(BROKER, '', [{ name: 'num.partitions', configOperation: SET, value: 'many' }])).toMatchObject({
      errorCode: ErrorCode.INVALID_REQUEST,
      errorMessage: 'Invalid value many for configuration num.partitions: Not a number of type INT',
    });
    expect(await incremental(BROKER, '', [{ name: 'num.partitions', configOperation: SET, value: '0' }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: expect.stringMatching(/at least 1/) });
    expect(await incremental(BROKER, '999', [{ name: 'num.partitions', configOperation: SET, value: '2' }])).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${self}, but received 999` });
    expect(await incremental(BROKER, self, [{ name: 'message.max.bytes', configOperation: APPEND, value: '1' }])).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'Config value append is not allowed for config key: message.max.bytes' });
    // Only what a new cluster starts with (as Kafka 4.1 does).
    const { rows } = await db.query('SELECT * FROM kpg.broker_configs');
    expect(rows).toEqual([{ broker_id: -1, name: 'min.insync.replicas', value: '1' }]);
  });

  it('legacy AlterConfigs replaces the whole set of a broker resource; unknown names are kept, as Kafka allows', async () => {
    const alter = async (configs: { name: string; value: string }[]) =>
      (await raw.request(33, 2, { resources: [{ resourceType: BROKER, resourceName: '', configs }], validateOnly: false })).body.responses[0];
    expect(await alter([{ name: 'log.cleaner.threads', value: '2' }, { name: 'custom.plugin.setting', value: 'x' }])).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(await alter([{ name: 'log.cleaner.threads', value: '3' }])).toMatchObject({ errorCode: ErrorCode.NONE });
    const { rows } = await db.query('SELECT name, value FROM kpg.broker_configs WHERE broker_id = -1 ORDER BY name');
    expect(rows).toEqual([{ name: 'log.cleaner.threads', value: '3' }]);
    expect(await alter([])).toMatchObject({ errorCode: ErrorCode.NONE });
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
