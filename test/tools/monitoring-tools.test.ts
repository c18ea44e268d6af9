/**
 * Monitoring tools users already run, pointed at kpg (issue #16): kafka_exporter and KMinion, each a
 * real binary (test/support/monitoring-tools.ts says where it comes from). A kafkajs group commits, more
 * records arrive, records are deleted from the front of a partition; each tool's own /metrics must then
 * show the exact offsets, lag, partition counts and broker count a user would chart.
 *
 * With KPG_REFERENCE_KAFKA naming a fresh reference Apache Kafka (compat/reference-kafka.sh start 39700),
 * the same tools and the same assertions run against it too, so a difference is visibly kpg's:
 *   bash compat/reference-kafka.sh start 39700
 *   KPG_REFERENCE_KAFKA=127.0.0.1:39700 npx vitest run test/tools/monitoring-tools.test.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient, type Consumer } from '../support/kafkajs.js';
import { findMonitoringTool } from '../support/monitoring-tools.js';
import { startSaslGateway, type SaslTestGateway } from '../security/sasl-gateway.js';
import { eventually, unique } from '../groups/support/helpers.js';

const kafkaExporter = findMonitoringTool('kafka_exporter', import.meta.url);
const kminion = findMonitoringTool('kminion', import.meta.url);
for (const tool of [kafkaExporter, kminion]) if (tool.notAvailable) console.warn(tool.notAvailable);

/** Samples of one metric from the Prometheus text format, as `labels -> value` (labels as printed). */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

/** All samples of one metric added up (0 when there is none). */
function total(text: string, name: string): number {
  return [...samples(text, name).values()].reduce((a, b) => a + b, 0);
}

/** One sample whose labels include all of `labels`, or undefined. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const [key, value] of samples(text, name)) {
    const parts = key.slice(1, -1).split(',');
    if (wanted.every((w) => parts.includes(w))) return value;
  }
  return undefined;
}

/** KPG_TOOLS_DUMP=DIR keeps each scrape and the tool's log there (to compare kpg with Apache Kafka by eye). */
function dump(tool: string, target: string, text: string, running: RunningTool): void {
  const dir = process.env.KPG_TOOLS_DUMP;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, `${tool}-${target.split(' ')[0]!.toLowerCase()}`);
  writeFileSync(`${base}.metrics`, text);
  writeFileSync(`${base}.log`, running.output());
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface RunningTool {
  url: string;
  output: () => string;
  /** Resolves with the exit code when the process ends. */
  exited: Promise<number | null>;
  stop(): Promise<void>;
}

function runTool(binary: string, args: string[], env: Record<string, string>, port: number): RunningTool {
  let output = '';
  const child: ChildProcess = spawn(binary, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    exited,
    url: `http://127.0.0.1:${port}/metrics`,
    output: () => output.slice(-4000),
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Scrapes until `ready` holds for the text (the tools fill their caches after start), then returns it. */
async function scrapeUntil(tool: RunningTool, ready: (text: string) => boolean, what: string): Promise<string> {
  let last = '';
  try {
    return await eventually(async () => {
      const response = await fetch(tool.url).catch(() => undefined);
      if (!response?.ok) return undefined;
      last = await response.text();
      return ready(last) ? last : undefined;
    }, 45_000, what);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n--- last scrape (kpg lines) ---\n${last.split('\n').filter((l) => !l.startsWith('#') && !l.startsWith('go_') && !l.startsWith('process_')).join('\n').slice(0, 4000)}\n--- tool output ---\n${tool.output()}`);
  }
}

/**
 * The scene both tools look at: a topic of 2 partitions got 5 and 3 records, the group consumed and
 * committed all 8, then 4 and 2 more arrived, and the first 2 records of partition 0 were deleted. So:
 * end offsets 9 and 5, start offsets 2 and 0, committed 5 and 3, lag 4 and 2 (6 in all), one member.
 */
interface Scene {
  bootstrap: string;
  nodeId: number;
  topic: string;
  group: string;
}

async function produce(bootstrap: string, topic: string, counts: number[]): Promise<void> {
  const producer = kafkaClient(bootstrap).producer();
  await producer.connect();
  for (const [partition, n] of counts.entries()) {
    await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: `v${i}`, partition })) });
  }
  await producer.disconnect();
}

async function setUpScene(bootstrap: string, consumers: Consumer[]): Promise<Scene> {
  const topic = unique('tools');
  const group = unique('tools-group');
  const admin = kafkaClient(bootstrap).admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    await produce(bootstrap, topic, [5, 3]);
    const consumer = kafkaClient(bootstrap).consumer({ groupId: group, sessionTimeout: 60_000 });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async () => undefined });
    await eventually(async () => {
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      const byPartition = new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
      return byPartition.get(0) === '5' && byPartition.get(1) === '3';
    }, 30_000, 'the group to commit 5 and 3');
    consumer.pause([{ topic }]);
    await produce(bootstrap, topic, [4, 2]);
    await admin.fetchTopicMetadata({ topics: [topic] }); // kafkajs's deleteTopicRecords needs it loaded
    await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '2' }] });
    return { bootstrap, nodeId: brokers[0]!.nodeId, topic, group };
  } finally {
    await admin.disconnect();
  }
}

const anyTool = Boolean(kafkaExporter.binary || kminion.binary);
const reference = process.env.KPG_REFERENCE_KAFKA;
const targets = [{ name: 'kpg' }, ...(reference ? [{ name: `Apache Kafka at ${reference}` }] : [])];

describe.skipIf(!anyTool).each(targets)('monitoring tools pointed at $name', ({ name }) => {
  let kpg: TestGateway | undefined;
  let scene: Scene;
  const consumers: Consumer[] = [];
  beforeAll(async () => {
    let bootstrap = reference!;
    if (name === 'kpg') {
      kpg = await startTestGateway({ brokerConfigs: { 'group.initial.rebalance.delay.ms': '0' } });
      bootstrap = kpg.bootstrap;
    }
    scene = await setUpScene(bootstrap, consumers);
  }, 90_000);
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await kpg?.stop();
  });

  // --kafka.version picks the request versions sarama sends: its default (2.0.0) and a recent one.
  it.skipIf(!kafkaExporter.binary).each(['default', '3.9.0'])('kafka_exporter (kafka.version %s) shows brokers, partitions, offsets and the group\'s lag', async (kafkaVersion) => {
    const port = await freePort();
    const args = [`--kafka.server=${scene.bootstrap}`, `--web.listen-address=127.0.0.1:${port}`, '--refresh.metadata=1s'];
    if (kafkaVersion !== 'default') args.push(`--kafka.version=${kafkaVersion}`);
    const tool = runTool(kafkaExporter.binary!, args, {}, port);
    try {
      const { topic, group } = scene;
      const text = await scrapeUntil(tool, (t) => sample(t, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic }) !== undefined && sample(t, 'kafka_topic_partitions', { topic }) !== undefined, 'kafka_exporter to show the topic and the group');
      dump(`kafka_exporter-${kafkaVersion}`, name, text, tool);
      expect(samples(text, 'kafka_brokers').get('')).toBe(1);
      expect(sample(text, 'kafka_topic_partitions', { topic })).toBe(2);
      expect(sample(text, 'kafka_topic_partition_current_offset', { topic, partition: '0' })).toBe(9);
      expect(sample(text, 'kafka_topic_partition_current_offset', { topic, partition: '1' })).toBe(5);
      expect(sample(text, 'kafka_topic_partition_oldest_offset', { topic, partition: '0' })).toBe(2);
      expect(sample(text, 'kafka_topic_partition_oldest_offset', { topic, partition: '1' })).toBe(0);
      expect(sample(text, 'kafka_topic_partition_leader', { topic, partition: '0' })).toBe(scene.nodeId);
      expect(sample(text, 'kafka_topic_partition_replicas', { topic, partition: '0' })).toBe(1);
      expect(sample(text, 'kafka_topic_partition_in_sync_replica', { topic, partition: '0' })).toBe(1);
      expect(sample(text, 'kafka_topic_partition_under_replicated_partition', { topic, partition: '0' })).toBe(0);
      expect(sample(text, 'kafka_consumergroup_current_offset', { consumergroup: group, topic, partition: '0' })).toBe(5);
      expect(sample(text, 'kafka_consumergroup_current_offset', { consumergroup: group, topic, partition: '1' })).toBe(3);
      expect(sample(text, 'kafka_consumergroup_lag', { consumergroup: group, topic, partition: '0' })).toBe(4);
      expect(sample(text, 'kafka_consumergroup_lag', { consumergroup: group, topic, partition: '1' })).toBe(2);
      expect(sample(text, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic })).toBe(6);
      expect(sample(text, 'kafka_consumergroup_members', { consumergroup: group })).toBe(1);
    } finally {
      await tool.stop();
    }
  }, 90_000);

  // adminApi asks for committed offsets (OffsetFetch); offsetsTopic reads them from __consumer_offsets.
  it.skipIf(!kminion.binary).each(['adminApi', 'offsetsTopic'])('KMinion (%s) shows the cluster, the topic\'s water marks and the group\'s offsets and lag', async (scrapeMode) => {
    const port = await freePort();
    const env = { KAFKA_BROKERS: scene.bootstrap, EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(port), LOGGER_LEVEL: 'warn', MINION_CONSUMERGROUPS_SCRAPEMODE: scrapeMode };
    const tool = runTool(kminion.binary!, [], env, port);
    try {
      const { topic, group } = scene;
      const text = await scrapeUntil(tool, (t) => sample(t, 'kminion_kafka_consumer_group_topic_lag', { group_id: group, topic_name: topic }) !== undefined && sample(t, 'kminion_kafka_topic_high_water_mark_sum', { topic_name: topic }) !== undefined, 'KMinion to show the topic and the group');
      dump(`kminion-${scrapeMode}`, name, text, tool);
      expect(samples(text, 'kminion_exporter_up').size).toBe(1);
      expect([...samples(text, 'kminion_exporter_up').values()]).toEqual([1]);
      expect(sample(text, 'kminion_kafka_cluster_info', { broker_count: '1' })).toBe(1);
      expect(sample(text, 'kminion_kafka_broker_info', { broker_id: String(scene.nodeId) })).toBe(1);
      expect(sample(text, 'kminion_kafka_topic_info', { topic_name: topic, partition_count: '2', replication_factor: '1' })).toBe(1);
      expect(sample(text, 'kminion_kafka_topic_partition_high_water_mark', { topic_name: topic, partition_id: '0' })).toBe(9);
      expect(sample(text, 'kminion_kafka_topic_partition_high_water_mark', { topic_name: topic, partition_id: '1' })).toBe(5);
      expect(sample(text, 'kminion_kafka_topic_high_water_mark_sum', { topic_name: topic })).toBe(14);
      expect(sample(text, 'kminion_kafka_topic_partition_low_water_mark', { topic_name: topic, partition_id: '0' })).toBe(2);
      expect(sample(text, 'kminion_kafka_topic_partition_low_water_mark', { topic_name: topic, partition_id: '1' })).toBe(0);
      expect(sample(text, 'kminion_kafka_consumer_group_info', { group_id: group, state: 'Stable' })).toBe(1);
      expect(sample(text, 'kminion_kafka_consumer_group_members', { group_id: group })).toBe(1);
      expect(sample(text, 'kminion_kafka_consumer_group_topic_assigned_partitions', { group_id: group, topic_name: topic })).toBe(2);
      expect(sample(text, 'kminion_kafka_consumer_group_topic_offset_sum', { group_id: group, topic_name: topic })).toBe(8);
      expect(sample(text, 'kminion_kafka_consumer_group_topic_partition_lag', { group_id: group, topic_name: topic, partition_id: '0' })).toBe(4);
      expect(sample(text, 'kminion_kafka_consumer_group_topic_partition_lag', { group_id: group, topic_name: topic, partition_id: '1' })).toBe(2);
      expect(sample(text, 'kminion_kafka_consumer_group_topic_lag', { group_id: group, topic_name: topic })).toBe(6);
      if (scrapeMode === 'offsetsTopic') {
        expect(samples(text, 'kminion_exporter_offset_consumer_records_consumed_total').get('')).toBeGreaterThan(0);
        expect(sample(text, 'kminion_kafka_consumer_group_offset_commits_total', { group_id: group })).toBeGreaterThan(0);
      }
    } finally {
      await tool.stop();
    }
  }, 90_000);

  // The end-to-end probe: KMinion creates its own topic (one partition per broker), produces to it every
  // 100 ms, consumes in a group of its own and commits; it counts what came back and how long it took.
  it.skipIf(!kminion.binary)('KMinion\'s end-to-end probe gets every message back and commits', async () => {
    const port = await freePort();
    const env = {
      KAFKA_BROKERS: scene.bootstrap, EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(port), LOGGER_LEVEL: 'warn',
      MINION_ENDTOEND_ENABLED: 'true', MINION_ENDTOEND_PROBEINTERVAL: '100ms', MINION_ENDTOEND_TOPICMANAGEMENT_NAME: unique('kminion-e2e'),
    };
    const tool = runTool(kminion.binary!, [], env, port);
    try {
      const text = await scrapeUntil(tool, (t) => total(t, 'kminion_end_to_end_messages_received_total') >= 20 && total(t, 'kminion_end_to_end_offset_commits_total') >= 1, 'KMinion\'s probe to get 20 messages back and commit');
      dump('kminion-e2e', name, text, tool);
      // Series are per partition of its topic (one: one broker) and per group coordinator.
      expect(samples(text, 'kminion_end_to_end_messages_produced_total').get('{partition_id="0"}')).toBeGreaterThanOrEqual(20);
      expect(total(text, 'kminion_end_to_end_messages_produced_failed_total')).toBe(0);
      expect(total(text, 'kminion_end_to_end_messages_lost_total')).toBe(0);
      expect(total(text, 'kminion_end_to_end_roundtrip_latency_seconds_count')).toBeGreaterThanOrEqual(20);
      expect(total(text, 'kminion_end_to_end_offset_commit_latency_seconds_count')).toBeGreaterThanOrEqual(1);
      expect([...samples(text, 'kminion_exporter_up').values()]).toEqual([1]);
    } finally {
      await tool.stop();
    }
  }, 90_000);
});

// The tools logging in with SCRAM-SHA-512 on a SASL_PLAINTEXT listener (kpg only: the reference broker has none).
describe.skipIf(!anyTool)('monitoring tools logging in to kpg with SCRAM-SHA-512', () => {
  let kpg: SaslTestGateway;
  let scene: Scene;
  const consumers: Consumer[] = [];
  beforeAll(async () => {
    kpg = await startSaslGateway({ 'sasl.enabled.mechanisms': 'SCRAM-SHA-512', 'group.initial.rebalance.delay.ms': '0' });
    await kpg.addUser('monitor', 'monitor-secret', ['SCRAM-SHA-512']);
    scene = await setUpScene(`127.0.0.1:${kpg.gateway.port}`, consumers); // the PLAINTEXT listener
  }, 90_000);
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    await kpg?.stop();
  });

  const exporterArgs = (port: number, password: string): string[] => [
    `--kafka.server=${kpg.bootstrap}`, `--web.listen-address=127.0.0.1:${port}`, '--refresh.metadata=1s',
    '--sasl.enabled', '--sasl.mechanism=scram-sha512', '--sasl.username=monitor', `--sasl.password=${password}`,
  ];

  it.skipIf(!kafkaExporter.binary)('kafka_exporter shows the group\'s lag, and does not start with a wrong password', async () => {
    const port = await freePort();
    const tool = runTool(kafkaExporter.binary!, exporterArgs(port, 'monitor-secret'), {}, port);
    try {
      const { topic, group } = scene;
      const text = await scrapeUntil(tool, (t) => sample(t, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic }) !== undefined, 'kafka_exporter to show the group over SASL');
      expect(samples(text, 'kafka_brokers').get('')).toBe(1);
      expect(sample(text, 'kafka_topic_partition_current_offset', { topic, partition: '0' })).toBe(9);
      expect(sample(text, 'kafka_consumergroup_lag', { consumergroup: group, topic, partition: '0' })).toBe(4);
      expect(sample(text, 'kafka_consumergroup_lag_sum', { consumergroup: group, topic })).toBe(6);
    } finally {
      await tool.stop();
    }
    const wrongPort = await freePort();
    const refused = runTool(kafkaExporter.binary!, exporterArgs(wrongPort, 'wrong'), {}, wrongPort);
    try {
      const code = await Promise.race([refused.exited, new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), 30_000))]);
      expect(code, refused.output()).not.toBe('running');
      expect(code).not.toBe(0);
      expect(refused.output()).toMatch(/SASL|authenticat/i);
    } finally {
      await refused.stop();
    }
  }, 90_000);

  it.skipIf(!kminion.binary)('KMinion shows the topic and the group\'s lag', async () => {
    const port = await freePort();
    const env = {
      KAFKA_BROKERS: kpg.bootstrap, EXPORTER_HOST: '127.0.0.1', EXPORTER_PORT: String(port), LOGGER_LEVEL: 'warn',
      KAFKA_SASL_ENABLED: 'true', KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512', KAFKA_SASL_USERNAME: 'monitor', KAFKA_SASL_PASSWORD: 'monitor-secret',
    };
    const tool = runTool(kminion.binary!, [], env, port);
    try {
      const { topic, group } = scene;
      const text = await scrapeUntil(tool, (t) => sample(t, 'kminion_kafka_consumer_group_topic_lag', { group_id: group, topic_name: topic }) !== undefined, 'KMinion to show the group over SASL');
      expect([...samples(text, 'kminion_exporter_up').values()]).toEqual([1]);
      expect(sample(text, 'kminion_kafka_topic_partition_high_water_mark', { topic_name: topic, partition_id: '0' })).toBe(9);
      expect(sample(text, 'kminion_kafka_consumer_group_topic_partition_lag', { group_id: group, topic_name: topic, partition_id: '0' })).toBe(4);
      expect(sample(text, 'kminion_kafka_consumer_group_topic_lag', { group_id: group, topic_name: topic })).toBe(6);
    } finally {
      await tool.stop();
    }
  }, 90_000);
});
