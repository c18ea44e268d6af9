/**
 * `kpg status` run as users run it (the CLI in a child process) against a live gateway's Postgres: the
 * gateway alive, the topic with its records, the consumer group with its lag; and bad targets refused
 * with one line and status 1.
 */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusReport } from '../../src/cli/status.js';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function kpgCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
    child.stdin.end();
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let kpg: TestGateway;
const topic = `status-topic-${process.pid}`;
const group = `status-group-${process.pid}`;

beforeAll(async () => {
  kpg = await startTestGateway({ brokerConfigs: { 'group.initial.rebalance.delay.ms': '0' } });
  await createTopic(kpg.gateway, topic, 2);
  const producer = kafkaClient(kpg.bootstrap).producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}`, partition: i % 2 })) });
  // The group commits 3 of partition 0's 5 records and 5 of partition 1's: lag 2.
  const admin = kafkaClient(kpg.bootstrap).admin();
  await admin.connect();
  await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: '3' }, { partition: 1, offset: '5' }] });
  await admin.disconnect();
  await producer.send({ topic, messages: [{ value: 'late', partition: 1 }] });
  await producer.disconnect();
});
afterAll(async () => {
  await kpg?.stop();
});

describe('kpg status', () => {
  it('--json shows the gateway alive, the topic with its records and the group with its lag', async () => {
    const r = await kpgCli(['status', '--database-url', kpg.database.url, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(report.gateways).toHaveLength(1);
    expect(report.gateways[0]).toMatchObject({ nodeId: kpg.gateway.nodeId, alive: true, listeners: [`PLAINTEXT://${kpg.bootstrap}`] });
    expect(report.gateways[0]!.heartbeatAgeMs).toBeLessThan(report.sessionTimeoutMs);
    expect(report.postgres.database).toBe(kpg.database.name);
    expect(report.postgres.version).toMatch(/^\d+/);
    expect(report.postgres.kpgSchemaBytes).toBeGreaterThan(0);
    expect(report.postgres.databaseBytes).toBeGreaterThanOrEqual(report.postgres.kpgSchemaBytes);
    const t = report.topics.largest.find((x) => x.topic === topic);
    expect(t).toMatchObject({ partitions: 2, records: 11, internal: false });
    expect(t!.bytes).toBeGreaterThan(0);
    // 3 of 5 on partition 0, 5 of 6 on partition 1.
    expect(report.groups.find((g) => g.group === group)).toEqual({ group, state: 'Empty', members: 0, committedPartitions: 2, lag: 3 });
  });

  it('prints the same as tables', async () => {
    const r = await kpgCli(['status', '--database-url', kpg.database.url]);
    expect(r.code, r.stderr).toBe(0);
    const line = (start: string): string[] => r.stdout.split('\n').find((l) => l.startsWith(start))?.split(/\s{2,}/) ?? [];
    expect(line(String(kpg.gateway.nodeId) + ' ')[1]).toBe('yes');
    expect(line(topic).slice(0, 3)).toEqual([topic, '2', '11']);
    expect(line(group)).toEqual([group, 'Empty', '0', '3']);
  });

  it('a gateway that stopped is listed as not alive', async () => {
    const other = await startTestGateway({ database: kpg.database });
    await other.stop();
    const r = await kpgCli(['status', '--database-url', kpg.database.url, '--json']);
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(report.gateways.find((g) => g.nodeId === other.gateway.nodeId)).toMatchObject({ alive: false, lastHeartbeat: null });
    expect(report.gateways.find((g) => g.nodeId === kpg.gateway.nodeId)).toMatchObject({ alive: true });
  });

  it('an unreachable database, or a data dir that is not there, is one line on stderr and status 1', async () => {
    for (const args of [['--database-url', 'postgres://kpg:x@127.0.0.1:1/kpg'], ['--data-dir', path.join(ROOT, 'no-such-data-dir')]]) {
      const r = await kpgCli(['status', ...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^kpg status: (could not connect to Postgres|no data dir)/);
    }
  });

  it('with no gateway running, starts the embedded Postgres of a data dir for the command and stops it after', async () => {
    const tempDir = mkdtempSync(path.join(os.tmpdir(), 'kpg-status-'));
    // Run as root, kpg hands the cluster to an unprivileged user, who must be able to enter the directory.
    chmodSync(tempDir, 0o711);
    const dataDir = path.join(tempDir, 'data');
    try {
      const migrated = await kpgCli(['migrate', '--data-dir', dataDir, '--log-level', 'warn']);
      expect(migrated.code, migrated.stderr + migrated.stdout).toBe(0);
      const r = await kpgCli(['status', '--data-dir', dataDir, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('started its embedded Postgres');
      const report = JSON.parse(r.stdout) as StatusReport;
      expect(report).toMatchObject({ gateways: [], groups: [], topics: { count: 0, partitions: 0 } });
      expect(report.postgres.database).toBe('kpg');
      // Stopped after: a second run has to start it again.
      const again = await kpgCli(['status', '--data-dir', dataDir]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stderr).toContain('started its embedded Postgres');
    } finally {
      rmSync(tempDir, { recursive: true, force: true });
    }
  });
});
