/**
 * `kpg topic` driven as a user would: a separate process speaking Kafka to a gateway, checked by its
 * tables, its JSON and its exit status.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { KAFKA_LIB, kafkaToolsMissing, realClientAvailable } from '../support/real-clients.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const toolsAvailable = realClientAvailable('Kafka 4.1.2 command-line tools', await kafkaToolsMissing(), import.meta.url);

let kpg: TestGateway;

beforeAll(async () => {
  kpg = await startTestGateway();
});

afterAll(async () => {
  await kpg?.stop();
});

function kpgTopic(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'topic', ...args, '--brokers', kpg.bootstrap], {
      cwd: ROOT,
      env: { ...process.env, KPG_BROKERS: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('kpg topic', () => {
  it('create prints a status table; a second create fails with TOPIC_ALREADY_EXISTS and exit status 1', async () => {
    const created = await kpgTopic('create', 'cli-orders', 'cli-events', '-p', '3', '-c', 'retention.ms=3600000', '-c', 'cleanup.policy=delete');
    expect(created.code).toBe(0);
    expect(created.stdout).toBe('TOPIC       STATUS\ncli-orders  OK\ncli-events  OK\n');

    const again = await kpgTopic('create', 'cli-orders');
    expect(again.code).toBe(1);
    expect(again.stdout).toBe("TOPIC       STATUS\ncli-orders  TOPIC_ALREADY_EXISTS: Topic 'cli-orders' already exists.\n");
  });

  it('create refuses bad input with Kafka\'s errors, in JSON too', async () => {
    const bad = await kpgTopic('create', 'cli bad', 'cli-zero', '-p', '0', '--json');
    expect(bad.code).toBe(1);
    const [first, second] = JSON.parse(bad.stdout);
    expect(first).toMatchObject({ topic: 'cli bad', error: 'INVALID_TOPIC_EXCEPTION' });
    expect(second).toMatchObject({ topic: 'cli-zero', error: 'INVALID_PARTITIONS' });
    const badConfig = await kpgTopic('create', 'cli-bad-config', '-c', 'retention.ms=soon', '--json');
    expect(JSON.parse(badConfig.stdout)).toEqual([
      { topic: 'cli-bad-config', error: 'INVALID_CONFIG', message: 'Invalid value soon for configuration retention.ms: Not a number of type LONG' },
    ]);
    const dryRun = await kpgTopic('create', 'cli-dry', '--dry-run');
    expect(dryRun.code).toBe(0);
    expect((await kpgTopic('list', '--json')).stdout).not.toContain('cli-dry');
    const warned = await kpgTopic('create', 'cli.dotted');
    expect(warned.stderr).toMatch(/warning: "cli.dotted" contains "." or "_"/);
  });

  it('list prints names, partitions and replicas; --json for scripts', async () => {
    const table = await kpgTopic('list');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+PARTITIONS\s+REPLICAS\n/);
    expect(table.stdout).toMatch(/\ncli-events\s+3\s+1\n/);
    expect(table.stdout).toMatch(/\ncli-orders\s+3\s+1\n/);
    const json = JSON.parse((await kpgTopic('list', '--json')).stdout) as { name: string; partitions: number; replicas: number; id: string }[];
    expect(json.find((t) => t.name === 'cli-orders')).toMatchObject({ partitions: 3, replicas: 1, id: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/) });
    const detailed = await kpgTopic('list', '--detailed');
    expect(detailed.stdout).toMatch(/cli-orders, 3 partitions, 1 replicas\nPARTITION\s+LEADER\s+EPOCH\s+REPLICAS\n0\s+\d+\s+0\s+\[\d+\]\n/);
  });

  it('describe shows summary, configs with sources, and partitions with offsets', async () => {
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic: 'cli-orders', messages: [{ partition: 2, value: 'a' }, { partition: 2, value: 'b' }] });
    await producer.disconnect();

    const text = await kpgTopic('describe', 'cli-orders');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^SUMMARY\n=======\nNAME\s+cli-orders\nID\s+[A-Za-z0-9_-]{22}\nPARTITIONS\s+3\nREPLICAS\s+1\n/);
    expect(text.stdout).toMatch(/\nCONFIGS\n=======\nKEY\s+VALUE\s+SOURCE\n/);
    expect(text.stdout).toMatch(/\nretention\.ms\s+3600000\s+DYNAMIC_TOPIC_CONFIG\n/);
    expect(text.stdout).toMatch(/\nsegment\.bytes\s+1073741824\s+DEFAULT_CONFIG\n/);
    expect(text.stdout).toMatch(/\nPARTITIONS\n==========\nPARTITION\s+LEADER\s+EPOCH\s+REPLICAS\s+LOG-START-OFFSET\s+HIGH-WATERMARK\n/);
    expect(text.stdout).toMatch(/\n2\s+\d+\s+0\s+\[\d+\]\s+0\s+2\n/);

    const json = JSON.parse((await kpgTopic('describe', 'cli-orders', '--json')).stdout);
    expect(json).toMatchObject({ name: 'cli-orders', partitionCount: 3, replicas: 1 });
    expect(json.configs).toContainEqual({ name: 'retention.ms', value: '3600000', source: 'DYNAMIC_TOPIC_CONFIG', readOnly: false, sensitive: false });
    expect(json.partitions[2]).toMatchObject({ partition: 2, logStartOffset: 0, highWatermark: 2 });

    const onlyPartitions = await kpgTopic('describe', 'cli-orders', '-p');
    expect(onlyPartitions.stdout).not.toContain('SUMMARY');
    expect(onlyPartitions.stdout).not.toContain('CONFIGS');

    const missing = await kpgTopic('describe', 'cli-missing');
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('cli-missing: UNKNOWN_TOPIC_OR_PARTITION\n');
  });

  it('alter-config sets, deletes and appends; bad values fail with exit status 1', async () => {
    const altered = await kpgTopic('alter-config', 'cli-orders', '--set', 'max.message.bytes=2048', '--delete', 'retention.ms', '--append', 'cleanup.policy=compact');
    expect(altered.code).toBe(0);
    expect(altered.stdout).toBe('TOPIC       STATUS\ncli-orders  OK\n');
    const configs = JSON.parse((await kpgTopic('describe', 'cli-orders', '-c', '--json')).stdout).configs as { name: string; value: string; source: string }[];
    const byName = new Map(configs.map((c) => [c.name, c]));
    expect(byName.get('max.message.bytes')).toMatchObject({ value: '2048', source: 'DYNAMIC_TOPIC_CONFIG' });
    expect(byName.get('retention.ms')).toMatchObject({ value: '604800000', source: 'DEFAULT_CONFIG' });
    expect(byName.get('cleanup.policy')).toMatchObject({ value: 'delete,compact', source: 'DYNAMIC_TOPIC_CONFIG' });

    const bad = await kpgTopic('alter-config', 'cli-orders', 'cli-missing', '--set', 'retention.ms=-7');
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe(
      'TOPIC        STATUS\n' +
        'cli-orders   INVALID_CONFIG: Invalid value -7 for configuration retention.ms: Value must be at least -1\n' +
        "cli-missing  INVALID_CONFIG: Invalid value -7 for configuration retention.ms: Value must be at least -1\n",
    );
    const nothing = await kpgTopic('alter-config', 'cli-orders');
    expect(nothing.code).toBe(1);
    expect(nothing.stderr).toMatch(/nothing to change/);
  });

  it.skipIf(!toolsAvailable)('prints topic ids as Kafka\'s tools do: describe and list show what kafka-topics --describe shows', async () => {
    const kafkaTopics = await new Promise<string>((resolve, reject) => {
      const p = spawn('java', ['-cp', `${KAFKA_LIB}/*`, 'org.apache.kafka.tools.TopicCommand', '--bootstrap-server', kpg.bootstrap, '--describe', '--topic', 'cli-orders']);
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kafka-topics exited ${code}: ${out}`))));
    });
    const kafkaId = /TopicId: (\S+)/.exec(kafkaTopics)?.[1];
    expect(kafkaId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const summary = await kpgTopic('describe', 'cli-orders', '--summary');
    expect(summary.stdout).toMatch(new RegExp(`\\nID\\s+${kafkaId}\\n`));
    expect(JSON.parse((await kpgTopic('describe', 'cli-orders', '--json')).stdout).id).toBe(kafkaId);
    const listed = JSON.parse((await kpgTopic('list', '--json')).stdout) as { name: string; id: string }[];
    expect(listed.find((t) => t.name === 'cli-orders')?.id).toBe(kafkaId);
  });

  it('delete removes topics and reports unknown ones', async () => {
    const deleted = await kpgTopic('delete', 'cli-events', 'cli-never', '--json');
    expect(deleted.code).toBe(1);
    const results = JSON.parse(deleted.stdout) as { topic: string; error: string | null }[];
    expect(results).toContainEqual({ topic: 'cli-events', error: null, message: null });
    expect(results).toContainEqual(expect.objectContaining({ topic: 'cli-never', error: 'UNKNOWN_TOPIC_OR_PARTITION' }));
    expect((await kpgTopic('list')).stdout).not.toContain('cli-events');
  });

  it('an unreachable broker: one line on stderr and exit status 1', async () => {
    const child = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'topic', 'list', '--brokers', '127.0.0.1:1'], { cwd: ROOT });
      let stderr = '';
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => resolve({ code, stderr }));
    });
    expect(child.code).toBe(1);
    expect(child.stderr).toBe('kpg topic: could not connect to 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1\n');
  });
});
