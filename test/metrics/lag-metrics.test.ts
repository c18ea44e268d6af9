/**
 * Consumer lag metrics (src/metrics/lag.ts) on a real gateway and Postgres: a kafkajs consumer group
 * commits, more records arrive, and the scrape shows kafka_exporter's series with the lag a user expects.
 */
import { Counter, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerLagMetrics, type GroupLagSource } from '../../src/metrics/lag.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient, type Consumer } from '../support/kafkajs.js';
import { createTopic, eventually, unique } from '../groups/support/helpers.js';

let kpg: TestGateway;
beforeAll(async () => {
  kpg = await startTestGateway({ brokerConfigs: { 'group.initial.rebalance.delay.ms': '0' } });
});
afterAll(async () => {
  await kpg?.stop();
});

/** Samples of one metric from the Prometheus text format, as `labels -> value`. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

async function produce(topic: string, counts: number[]): Promise<void> {
  const producer = kafkaClient(kpg.bootstrap).producer();
  await producer.connect();
  for (const [partition, n] of counts.entries()) {
    await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: `v${i}`, partition })) });
  }
  await producer.disconnect();
}

describe('consumer lag metrics', () => {
  const consumers: Consumer[] = [];
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  });

  it('show per-partition lag, lag_sum and members of a group that committed, and no lag for a group that did not', async () => {
    const topic = unique('lagm');
    const idleTopic = unique('lagm-idle');
    await createTopic(kpg, topic, 2);
    await createTopic(kpg, idleTopic, 1);
    await produce(topic, [5, 3]);

    const group = unique('lagm-group');
    const consumer = kafkaClient(kpg.bootstrap).consumer({ groupId: group, sessionTimeout: 30_000 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    let consumed = 0;
    await consumer.run({ eachMessage: async () => void consumed++ });

    const idleGroup = unique('lagm-idle-group');
    const idle = kafkaClient(kpg.bootstrap).consumer({ groupId: idleGroup, sessionTimeout: 30_000 });
    consumers.push(idle);
    await idle.connect();
    await idle.subscribe({ topic: idleTopic, fromBeginning: true });
    await idle.run({ eachMessage: async () => undefined });

    const registry = new Registry();
    registerLagMetrics(registry, kpg.gateway.storage.groups);
    const label = (p: number): string => `{consumergroup="${group}",topic="${topic}",partition="${p}"}`;

    // Everything consumed and committed: no lag yet.
    await eventually(async () => {
      const text = await registry.metrics();
      const offsets = samples(text, 'kafka_consumergroup_current_offset');
      return offsets.get(label(0)) === 5 && offsets.get(label(1)) === 3 && samples(text, 'kafka_consumergroup_members').get(`{consumergroup="${idleGroup}"}`) === 1;
    }, 30_000, 'the group to commit 5 and 3');
    expect(consumed).toBe(8);
    consumer.pause([{ topic }]);
    await produce(topic, [4, 2]);

    const text = await registry.metrics();
    expect(samples(text, 'kafka_consumergroup_lag').get(label(0))).toBe(4);
    expect(samples(text, 'kafka_consumergroup_lag').get(label(1))).toBe(2);
    expect(samples(text, 'kafka_consumergroup_current_offset').get(label(0))).toBe(5);
    expect(samples(text, 'kafka_consumergroup_lag_sum').get(`{consumergroup="${group}",topic="${topic}"}`)).toBe(6);
    expect(samples(text, 'kafka_consumergroup_current_offset_sum').get(`{consumergroup="${group}",topic="${topic}"}`)).toBe(8);
    expect(samples(text, 'kafka_consumergroup_members').get(`{consumergroup="${group}"}`)).toBe(1);
    expect(samples(text, 'kafka_topic_partitions').get(`{topic="${topic}"}`)).toBe(2);
    expect(samples(text, 'kafka_topic_partition_current_offset').get(`{topic="${topic}",partition="0"}`)).toBe(9);
    expect(samples(text, 'kafka_topic_partition_current_offset').get(`{topic="${topic}",partition="1"}`)).toBe(5);
    expect(samples(text, 'kafka_topic_partition_oldest_offset').get(`{topic="${topic}",partition="0"}`)).toBe(0);

    // The gateway's own registry (what its /metrics serves) has them too.
    const served = await kpg.gateway.metrics.registry.metrics();
    expect(samples(served, 'kafka_consumergroup_lag').get(label(0))).toBe(4);
    expect(samples(served, 'kafka_consumergroup_lag_sum').get(`{consumergroup="${group}",topic="${topic}"}`)).toBe(6);

    // The group that never committed has members but no lag series.
    expect(samples(text, 'kafka_consumergroup_members').get(`{consumergroup="${idleGroup}"}`)).toBe(1);
    for (const name of ['kafka_consumergroup_lag', 'kafka_consumergroup_current_offset', 'kafka_consumergroup_lag_sum', 'kafka_consumergroup_current_offset_sum']) {
      expect([...samples(text, name).keys()].filter((k) => k.includes(`"${idleGroup}"`)), name).toEqual([]);
    }

    // Records deleted below the committed offset move the oldest offset, not the lag.
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    await admin.fetchTopicMetadata({ topics: [topic] }); // kafkajs's deleteTopicRecords needs it loaded
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '2' }] });
    await admin.disconnect();
    const after = await registry.metrics();
    expect(samples(after, 'kafka_topic_partition_oldest_offset').get(`{topic="${topic}",partition="0"}`)).toBe(2);
    expect(samples(after, 'kafka_consumergroup_lag').get(label(0))).toBe(4);
  });

  it('asks the store once per scrape, however many lag gauges there are', async () => {
    let calls = 0;
    const groups = kpg.gateway.storage.groups;
    const counting: GroupLagSource = { describeGroupLag: () => (calls++, groups.describeGroupLag()) };
    const registry = new Registry();
    registerLagMetrics(registry, counting);
    await registry.metrics();
    expect(calls).toBe(1);
    await registry.metrics();
    expect(calls).toBe(2);
  });

  it('a failing lag query leaves the other metrics in the scrape and counts in kpg_lag_scrape_errors_total', async () => {
    const registry = new Registry();
    const other = new Counter({ name: 'kpg_test_requests_total', help: 'a metric beside the lag ones', registers: [registry] });
    other.inc(3);
    let fail = true;
    const groups = kpg.gateway.storage.groups;
    registerLagMetrics(registry, { describeGroupLag: () => (fail ? Promise.reject(new Error('connection lost')) : groups.describeGroupLag()) });
    const text = await registry.metrics();
    expect(samples(text, 'kpg_test_requests_total').get('')).toBe(3);
    expect(samples(text, 'kpg_lag_scrape_errors_total').get('')).toBe(1);
    expect(samples(text, 'kafka_topic_partitions').size).toBe(0);
    fail = false;
    const recovered = await registry.metrics();
    expect(samples(recovered, 'kafka_topic_partitions').size).toBeGreaterThan(0);
    expect(samples(recovered, 'kpg_lag_scrape_errors_total').get('')).toBe(1);
  });

  it('a lag query that does not answer in time is given up, so the scrape does not hang, and not sent again while it runs', async () => {
    const registry = new Registry();
    const other = new Counter({ name: 'kpg_test_requests_total', help: 'a metric beside the lag ones', registers: [registry] });
    other.inc();
    let calls = 0;
    registerLagMetrics(registry, { describeGroupLag: () => (calls++, new Promise(() => undefined)) }, { queryTimeoutMs: 200 });
    const started = Date.now();
    const text = await registry.metrics();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(samples(text, 'kpg_test_requests_total').get('')).toBe(1);
    expect(samples(text, 'kpg_lag_scrape_errors_total').get('')).toBe(1);
    expect(samples(text, 'kafka_consumergroup_members').size).toBe(0);
    // The next scrape waits for the query still running rather than sending another.
    const next = await registry.metrics();
    expect(samples(next, 'kpg_lag_scrape_errors_total').get('')).toBe(2);
    expect(calls).toBe(1);
  });
});
