/**
 * The benchmark's machinery on tiny sizes: every phase runs against a real gateway process and real
 * clients, and the JSON has every phase and every figure. Speeds are never asserted (that is what the
 * benchmark's ratios are for).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBench } from '../../src/bench/bench.js';
import { loadgenAvailable, loadgenPython } from '../../src/bench/loadgen.js';
import { Progress } from '../../src/bench/progress.js';
import { renderReport } from '../../src/bench/report.js';
import { PHASES, type BenchResult } from '../../src/bench/result.js';
import type { BenchSizes } from '../../src/bench/sizes.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { realClientAvailable } from '../support/real-clients.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const TINY: Partial<BenchSizes> = {
  recordSizes: [1024, 100],
  writerCounts: [1, 2],
  ceilingSeconds: 0.3,
  produceSeconds: 0.5,
  backlogBytes: 512 * 1024,
  backlogPartitions: 2,
  latencyRates: [100, 1000],
  latencySeconds: 0.5,
  latencyWarmupSeconds: 0.1,
  idleConsumers: 3,
  idlePartitions: 3,
  idleSettleSeconds: 0.5,
  idleWindowSeconds: 0.5,
  idleConnections: 20,
  rebalanceMembers: 3,
  rebalancePartitions: 3,
  sqlSessions: [1, 2],
  sqlSeconds: 0.3,
  tlsProducers: 1,
  tlsSeconds: 0.5,
  aclCount: 200,
  aclProducers: 1,
  aclSeconds: 0.5,
  metricsProducers: 1,
  metricsSeconds: 0.5,
  consoleTailRates: [100, 1000],
  consoleTailSeconds: 0.5,
  consoleTailWarmupSeconds: 0.1,
  consoleTopicRecords: 500,
  consoleJsonRecords: 200,
};

/** Figures of each kind of run: present in every run, a number or null, never missing. */
const RUN_FIGURES = {
  ceiling: ['record_size', 'writers', 'records_per_batch', 'records', 'duration_s', 'mb_per_s', 'records_per_s', 'transactions_per_s', 'cpu_cores', 'error'],
  produce: [
    'target', 'record_size', 'producers', 'records', 'duration_s', 'mb_per_s', 'records_per_s', 'ratio_to_ceiling',
    'avg_records_per_batch', 'broker_rss_peak_mb', 'cpu_cores', 'top_statements', 'error',
  ],
  consume: [
    'target', 'record_size', 'backlog_records', 'backlog_bytes', 'partitions', 'consumers', 'fill_mb_per_s', 'duration_s',
    'mb_per_s', 'records_per_s', 'ratio_to_produce', 'cpu_cores', 'top_statements', 'error',
  ],
  latency: ['target', 'rate', 'record_size', 'sent', 'received', 'samples', 'p50_ms', 'p99_ms', 'p999_ms', 'max_ms', 'mean_ms', 'error'],
  rebalance: ['target', 'members', 'partitions', 'session_timeout_ms', 'join_s', 'recover_after_leave_s', 'recover_after_crash_s', 'error'],
  sql_produce: ['sessions', 'record_size', 'records_per_call', 'records', 'duration_s', 'records_per_s', 'mb_per_s', 'ratio_to_ceiling', 'error'],
  tls: ['listener', 'round', 'producers', 'record_size', 'produce_mb_per_s', 'consume_mb_per_s', 'produce_broker_cpu_ms_per_mb', 'consume_broker_cpu_ms_per_mb', 'error'],
  acl: ['gateway', 'producers', 'record_size', 'records_per_batch', 'produce_mb_per_s', 'broker_cpu_ms_per_mb', 'error'],
  metrics: ['gateway', 'producers', 'record_size', 'records_per_batch', 'produce_mb_per_s', 'broker_cpu_ms_per_mb', 'scrapes', 'scrape_failures', 'error'],
} as const;

const PHASE_FIGURES = {
  idle: [
    'consumers', 'window_s', 'queries_per_s_without_consumers', 'queries_per_s_with_consumers', 'queries_per_s_from_consumers',
    'autovacuum_runs_without_consumers', 'autovacuum_runs_with_consumers', 'statements_per_s_without_consumers',
    'statements_per_s_with_consumers', 'statements_per_s_from_consumers', 'gateway_cpu_percent_without_consumers',
    'gateway_cpu_percent_with_consumers', 'postgres_cpu_percent_with_consumers',
  ],
  tls: ['produce_ratio', 'consume_ratio'],
  acl: ['acls', 'acls_applying', 'produce_ratio'],
  metrics: ['produce_ratio', 'scrapes', 'scrape_failures'],
  console: ['topic', 'topic_records', 'topic_partitions', 'topic_source', 'json_topic_records'],
  memory: ['connections', 'gateway_rss_mb_before_connections', 'gateway_rss_mb_with_idle_connections', 'rss_kb_per_connection', 'gateway_rss_mb_peak_under_produce'],
} as const;

/** The console phase's two lists: its tail runs and its timed page calls. */
const CONSOLE_FIGURES = {
  tail: ['rate', 'record_size', 'sent', 'received', 'samples', 'p50_ms', 'p99_ms', 'p999_ms', 'max_ms', 'error'],
  pages: ['call', 'request', 'first_ms', 'best_ms', 'found', 'next_offset', 'error'],
} as const;

describe.skipIf(!realClientAvailable('confluent-kafka-python', loadgenAvailable() ? null : `${loadgenPython()} (the bench load generator) is missing`, import.meta.url))(`kpg bench machinery (load generator: ${loadgenPython()})`, () => {
  let database: TestDatabase;
  let result: BenchResult;

  beforeAll(async () => {
    database = await createTestDatabase();
    result = await runBench({
      mode: 'smoke',
      sizes: TINY,
      databaseUrl: database.url,
      kpgCommand: [process.execPath, '--import', 'tsx', path.join(ROOT, 'src/cli.ts')],
      progress: new Progress(process.stderr, true),
    });
  }, 300_000);

  afterAll(async () => {
    await database?.drop();
  });

  it('names every phase, each with a status and, when not ok, the reason', () => {
    expect(Object.keys(result.phases).sort()).toEqual([...PHASES].sort());
    for (const name of PHASES) {
      const phase = result.phases[name];
      expect(['ok', 'failed', 'partial'], name).toContain(phase.status);
      if (phase.status !== 'ok') expect(phase.error, name).toMatch(/\S/);
    }
  });

  it('runs the phases whose machinery is the benchmark\'s own to completion', () => {
    for (const name of ['ceiling', 'produce', 'consume', 'latency', 'idle', 'memory', 'tls', 'acl', 'metrics', 'console'] as const) {
      expect(result.phases[name].status, `${name}: ${result.phases[name].error}`).toBe('ok');
    }
  });

  it('has every figure in every run, measured or null', () => {
    for (const [name, figures] of Object.entries(RUN_FIGURES)) {
      const runs = (result.phases[name as keyof typeof RUN_FIGURES] as unknown as { runs: Record<string, unknown>[] }).runs;
      expect(runs.length, name).toBeGreaterThan(0);
      for (const run of runs) {
        for (const figure of figures) expect(run, `${name}.${figure}`).toHaveProperty(figure);
        for (const figure of figures) expect(run[figure], `${name}.${figure}`).not.toBeUndefined();
      }
    }
    for (const [list, figures] of Object.entries(CONSOLE_FIGURES)) {
      const entries = result.phases.console[list as keyof typeof CONSOLE_FIGURES] as unknown as Record<string, unknown>[];
      expect(entries.length, `console.${list}`).toBeGreaterThan(0);
      for (const entry of entries) {
        for (const figure of figures) expect(entry[figure], `console.${list}.${figure}`).not.toBeUndefined();
      }
    }
    for (const [name, figures] of Object.entries(PHASE_FIGURES)) {
      const phase = result.phases[name as keyof typeof PHASE_FIGURES] as unknown as Record<string, unknown>;
      for (const figure of figures) expect(phase[figure], `${name}.${figure}`).not.toBeUndefined();
    }
  });

  it('measures what it ran: figures of successful runs are numbers, each produce figure with its ratio to the ceiling', () => {
    expect(result.phases.ceiling.runs.map((r) => `${r.record_size}/${r.writers}/${r.records_per_batch}`)).toEqual([
      '1024/1/100', '1024/2/100', '100/1/1000', '100/2/1000', '100/1/1', '100/2/1',
    ]);
    for (const run of result.phases.produce.runs) {
      expect(run.error).toBeNull();
      expect(run.records).toBeGreaterThan(0);
      expect(run.ratio_to_ceiling).toBeGreaterThan(0);
      expect(run.cpu_cores).toEqual({ broker: expect.any(Number), postgres: expect.any(Number), load_generator: expect.any(Number) });
    }
    const [consume] = result.phases.consume.runs;
    expect(consume!.backlog_bytes).toBeGreaterThanOrEqual(512 * 1024);
    expect(consume!.ratio_to_produce).toBeGreaterThan(0);
    for (const run of result.phases.latency.runs) {
      expect(run.received).toBe(run.sent);
      expect(run.p50_ms).toBeLessThanOrEqual(run.p99_ms!);
      expect(run.p99_ms).toBeLessThanOrEqual(run.p999_ms!);
    }
    expect(result.phases.memory.gateway_rss_mb_with_idle_connections).toBeGreaterThan(0);
    expect(result.phases.memory.gateway_rss_mb_peak_under_produce).toBeGreaterThan(0);
    expect(result.phases.idle.queries_per_s_with_consumers).toEqual(expect.any(Number));
    // A warm-up on each listener, then ABBA.
    expect(result.phases.tls.runs.map((t) => `${t.listener} ${t.round}`)).toEqual([
      'PLAINTEXT 0', 'SASL_SSL 0', 'PLAINTEXT 1', 'SASL_SSL 1', 'SASL_SSL 2', 'PLAINTEXT 2',
    ]);
    for (const run of result.phases.tls.runs) {
      expect(run.produce_mb_per_s, run.listener).toBeGreaterThan(0);
      expect(run.consume_mb_per_s, run.listener).toBeGreaterThan(0);
      expect(run.produce_broker_cpu_ms_per_mb, run.listener).toBeGreaterThan(0);
    }
    expect(result.phases.tls.kafka).toBeNull(); // only with --compare-kafka
    expect(result.phases.tls.produce_ratio).toBeGreaterThan(0);
    expect(result.phases.tls.consume_ratio).toBeGreaterThan(0);
    expect(result.phases.acl.runs.map((a) => a.gateway)).toEqual(['open', 'acls', 'acls', 'open']);
    for (const run of result.phases.acl.runs) expect(run.produce_mb_per_s, run.gateway).toBeGreaterThan(0);
    expect(result.phases.acl.acls).toBe(200);
    expect(result.phases.acl.acls_applying).toBeGreaterThan(3);
    expect(result.phases.acl.produce_ratio).toEqual(expect.any(Number));
    expect(result.phases.acl.produce_ratio).toBeGreaterThan(0);
    // The scraped gateway's runs fetched /metrics (at once, then every second) and none failed; the other's none.
    const metrics = result.phases.metrics;
    expect(metrics.runs.map((m) => m.gateway)).toEqual(['no_metrics', 'scraped', 'scraped', 'no_metrics']);
    for (const run of metrics.runs) {
      expect(run.produce_mb_per_s, run.gateway).toBeGreaterThan(0);
      expect(run.broker_cpu_ms_per_mb, run.gateway).toBeGreaterThan(0);
      expect(run.scrape_failures, run.gateway).toBe(0);
      if (run.gateway === 'scraped') expect(run.scrapes).toBeGreaterThan(0);
      else expect(run.scrapes).toBe(0);
    }
    expect(metrics.scrapes).toBe(metrics.runs.reduce((sum, r) => sum + r.scrapes, 0));
    expect(metrics.produce_ratio).toEqual(expect.any(Number));
    expect(metrics.produce_ratio).toBeGreaterThan(0);
  });

  it('times the console: every tailed record arrives with its latency, and each page call answers what a user would see', () => {
    const consolePhase = result.phases.console;
    expect(consolePhase.tail.map((t) => t.rate)).toEqual([100, 1000]);
    for (const run of consolePhase.tail) {
      expect(run.error, String(run.rate)).toBeNull();
      expect(run.sent, String(run.rate)).toBe(run.rate / 2);
      expect(run.received, String(run.rate)).toBe(run.sent);
      expect(run.samples, String(run.rate)).toBeGreaterThan(0);
      expect(run.p50_ms, String(run.rate)).toBeGreaterThan(0);
      expect(run.p50_ms).toBeLessThanOrEqual(run.p99_ms!);
      expect(run.p99_ms).toBeLessThanOrEqual(run.p999_ms!);
    }
    // The consume phase ran: its backlog (with the marker record first in partition 0) is the large topic.
    expect(consolePhase.topic_source).toBe('consume backlog');
    expect(consolePhase.topic_records).toBe(result.phases.consume.runs[0]!.backlog_records);
    expect(consolePhase.topic_records).toBeGreaterThan(512);
    expect(consolePhase.topic_partitions).toBe(2);
    expect(consolePhase.json_topic_records).toBe(200);
    const call = (name: string) => consolePhase.pages.find((p) => p.call === name)!;
    expect(consolePhase.pages.map((p) => p.call)).toEqual(['list', 'topic', 'first_page', 'key_search', 'time_search', 'time_search_newest_first', 'json_search']);
    for (const page of consolePhase.pages) {
      expect(page.error, page.call).toBeNull();
      expect(page.first_ms, page.call).toBeGreaterThan(0);
      expect(page.best_ms, page.call).toBeGreaterThan(0);
    }
    expect(call('list').found).toBeGreaterThanOrEqual(1);
    expect(call('topic').found).toBe(2);
    expect(call('first_page').found).toBe(50);
    expect(call('first_page').next_offset).toBe(true);
    expect(call('key_search').found).toBe(1);
    expect(call('time_search').found).toBeGreaterThan(0);
    // 200 JSON values, customer ids c0..c99 in turn: c7 twice.
    expect(call('json_search').found).toBe(2);
  });

  it('takes its ACL bindings away again, leaving a kept database as it found it', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      expect((await client.query('SELECT count(*)::int AS n FROM kpg.acls')).rows[0].n).toBe(0);
    } finally {
      await client.end();
    }
  });

  it('survives a JSON round trip unchanged and renders every section and target', () => {
    expect(JSON.parse(JSON.stringify(result))).toEqual(result);
    const report = renderReport(result);
    for (const heading of [
      'Produce', 'Consume', 'End-to-end latency', 'Idle', 'Memory', 'Group rebalance', 'kpg.produce from SQL', 'TLS', 'ACLs', 'Metrics',
      'Console: live tail latency', 'Console: the pages\' API calls', 'Targets',
    ]) {
      expect(report).toContain(`### ${heading}`);
    }
    expect(result.checks.map((c) => c.name)).toEqual(['produce', 'consume', 'latency', 'idle', 'memory', 'tls', 'acl', 'metrics', 'console_tail', 'console_pages']);
    const aclCheck = result.checks.find((c) => c.name === 'acl')!;
    expect(aclCheck.measured).toMatch(/^produce \d+% with 200 ACLs$/);
    expect(aclCheck.met).toEqual(expect.any(Boolean));
    const metricsCheck = result.checks.find((c) => c.name === 'metrics')!;
    expect(metricsCheck.goal).toBe('produce with /metrics scraped every second >= 97% of without');
    expect(metricsCheck.measured).toMatch(/^produce \d+(\.\d)?% \(\d+ scrapes\)$/);
    expect(metricsCheck.met).toBe(result.phases.metrics.produce_ratio! >= 0.97);
    const tailCheck = result.checks.find((c) => c.name === 'console_tail')!;
    expect(tailCheck.goal).toBe('console tail p99 < 100 ms at every rate measured');
    expect(tailCheck.measured).toMatch(/^p99 [\d.]+ ms at 100\/s \(50 \/ 50 received\), p99 [\d.]+ ms at 1000\/s \(500 \/ 500 received\)$/);
    expect(tailCheck.met).toBe(result.phases.console.tail.every((t) => t.p99_ms! < 100));
    const pagesCheck = result.checks.find((c) => c.name === 'console_pages')!;
    expect(pagesCheck.measured).toMatch(/^topic page [\d.]+ ms, first page [\d.]+ ms \(first calls [\d.]+ \/ [\d.]+ ms\) on \d+ records$/);
    // A small topic is no evidence about a million records: the target stays unjudged.
    expect(pagesCheck.met).toBeNull();
  });
});
