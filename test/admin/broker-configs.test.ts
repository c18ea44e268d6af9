/**
 * Broker configs as Kafka 4.1 reports them: DescribeConfigs of a gateway lists every config Kafka lists
 * (kpg's effective value where kpg has the config, else Kafka's default), and a new cluster starts with
 * Kafka's cluster-wide dynamic defaults (min.insync.replicas=1), written once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KAFKA_BROKER_CONFIG_FACTS, KAFKA_CLUSTER_DEFAULTS } from '../../src/config/kafka-broker-configs.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { kafkaClient } from '../support/kafkajs.js';
import { startTestGateway } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';
import { type AdminGateway, createTopicOverKafka, startAdminGateway } from './support/admin-gateway.js';

const TOPIC = 2;
const BROKER = 4;
const DYNAMIC_DEFAULT = 3;
const STATIC = 4;
const DEFAULT = 5;

let fixture: AdminGateway;
beforeAll(async () => {
  fixture = await startAdminGateway({ 'num.partitions': '3' });
});
afterAll(() => fixture?.stop());

async function describeConfigs(type: number, name: string, keys: string[] | null = null, raw = fixture.raw) {
  const { body } = await raw.request(32, 4, { resources: [{ resourceType: type, resourceName: name, configurationKeys: keys }], includeSynonyms: true, includeDocumentation: true });
  return body.results[0] as { errorCode: number; configs: any[] };
}

describe('DescribeConfigs of a broker', () => {
  it('lists every config Kafka 4.1 lists, sorted, with Kafka\'s types, defaults and sensitivity', async () => {
    const d = await describeConfigs(BROKER, String(fixture.kpg.gateway.nodeId));
    expect(d.errorCode).toBe(ErrorCode.NONE);
    const names = d.configs.map((c) => c.name);
    expect(names).toEqual([...names].sort());
    const byName = new Map(d.configs.map((c) => [c.name, c]));
    for (const f of KAFKA_BROKER_CONFIG_FACTS) expect(byName.has(f.name), f.name).toBe(true);
    expect(d.configs.length).toBe(KAFKA_BROKER_CONFIG_FACTS.length + 2); // + kpg.max.partitions.per.request, kpg.reaper.batch.limit
    // A config kpg has no equivalent for: Kafka's default, read-only, documented as such.
    expect(byName.get('background.threads')).toMatchObject({ value: '10', readOnly: true, configSource: DEFAULT, isSensitive: false, configType: 3, synonyms: [{ name: 'background.threads', value: '10', source: DEFAULT }] });
    expect(byName.get('background.threads').documentation).toMatch(/no equivalent in kpg/);
    // Passwords: sensitive, value null.
    expect(byName.get('ssl.keystore.password')).toMatchObject({ value: null, isSensitive: true, configType: 9, configSource: DEFAULT });
    // No default: null, no synonyms.
    expect(byName.get('log.retention.ms')).toMatchObject({ value: null, configSource: DEFAULT, synonyms: [] });
    // kpg's effective values: static, dynamic default.
    expect(byName.get('num.partitions')).toMatchObject({ value: '3', configSource: STATIC, readOnly: false, synonyms: [{ name: 'num.partitions', value: '3', source: STATIC }, { name: 'num.partitions', value: '1', source: DEFAULT }] });
    expect(byName.get('min.insync.replicas')).toMatchObject({
      value: '1', configSource: DYNAMIC_DEFAULT, readOnly: false,
      synonyms: [{ name: 'min.insync.replicas', value: '1', source: DYNAMIC_DEFAULT }, { name: 'min.insync.replicas', value: '1', source: DEFAULT }],
    });
    expect(byName.get('node.id')).toMatchObject({ value: String(fixture.kpg.gateway.nodeId), configSource: STATIC, readOnly: true });
  });

  it('kafkajs describeConfigs of the broker sees them too', async () => {
    const admin = kafkaClient(fixture.kpg.bootstrap).admin();
    await admin.connect();
    try {
      const res = await admin.describeConfigs({ resources: [{ type: BROKER, name: String(fixture.kpg.gateway.nodeId) }], includeSynonyms: false });
      const entries = res.resources[0]!.configEntries;
      expect(entries.length).toBeGreaterThanOrEqual(KAFKA_BROKER_CONFIG_FACTS.length);
      expect(entries.find((e) => e.configName === 'min.insync.replicas')).toMatchObject({ configValue: '1', readOnly: false, isDefault: false, isSensitive: false });
      expect(entries.find((e) => e.configName === 'sasl.jaas.config')).toMatchObject({ configValue: null, isSensitive: true });
    } finally {
      await admin.disconnect();
    }
  });

  it('a Kafka config kpg has no equivalent for cannot be changed, as Kafka answers for read-only configs', async () => {
    for (const resource of ['', String(fixture.kpg.gateway.nodeId)]) {
      const { body } = await fixture.raw.request(44, 1, { resources: [{ resourceType: BROKER, resourceName: resource, configs: [{ name: 'background.threads', configOperation: 0, value: '20' }] }], validateOnly: false });
      expect(body.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Cannot update these configs dynamically: Set(background.threads)' });
    }
    const { body } = await fixture.raw.request(33, 2, { resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'num.io.threads', value: '4' }] }], validateOnly: false });
    expect(body.responses[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Cannot update these configs dynamically: Set(num.io.threads)' });
    const { rows } = await fixture.db.query('SELECT broker_id, name, value FROM kpg.broker_configs ORDER BY name');
    expect(rows).toEqual([{ broker_id: -1, name: 'min.insync.replicas', value: '1' }]);
  });
});

describe('cluster-wide dynamic defaults of a new cluster', () => {
  it('are Kafka 4.1\'s, listed by the "" resource and inherited by topics', async () => {
    expect([...KAFKA_CLUSTER_DEFAULTS]).toEqual([['min.insync.replicas', '1']]);
    const d = await describeConfigs(BROKER, '');
    expect(d.configs).toEqual([expect.objectContaining({ name: 'min.insync.replicas', value: '1', configSource: DYNAMIC_DEFAULT, readOnly: false, synonyms: [{ name: 'min.insync.replicas', value: '1', source: DYNAMIC_DEFAULT }] })]);
    await createTopicOverKafka(fixture.raw, 'inherits-isr');
    const t = await describeConfigs(TOPIC, 'inherits-isr', ['min.insync.replicas']);
    expect(t.configs[0]).toMatchObject({ value: '1', configSource: DYNAMIC_DEFAULT, synonyms: [{ name: 'min.insync.replicas', value: '1', source: DYNAMIC_DEFAULT }, { name: 'min.insync.replicas', value: '1', source: DEFAULT }] });
  });

  it('are written once: a change or a deletion survives gateway restarts and further gateways', async () => {
    const set = await fixture.raw.request(44, 1, { resources: [{ resourceType: BROKER, resourceName: '', configs: [{ name: 'min.insync.replicas', configOperation: 1, value: null }] }], validateOnly: false });
    expect(set.body.responses[0].errorCode).toBe(ErrorCode.NONE);
    const another = await startTestGateway({ database: fixture.kpg.database });
    try {
      const raw = await RawClient.connect(another.bootstrap);
      try {
        expect((await describeConfigs(BROKER, '', null, raw)).configs).toEqual([]);
        expect((await describeConfigs(BROKER, String(another.gateway.nodeId), ['min.insync.replicas'], raw)).configs[0]).toMatchObject({ value: '1', configSource: DEFAULT });
      } finally {
        raw.close();
      }
    } finally {
      await another.stop();
    }
    const { rows } = await fixture.db.query('SELECT * FROM kpg.broker_configs');
    expect(rows).toEqual([]);
  });
});
