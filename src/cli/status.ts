/**
 * `kpg status`: the cluster as Postgres holds it, whether or not a gateway runs.
 *
 *   kpg status [--data-dir DIR | --database-url URL] [--json] [--top N] [--session-timeout-ms MS]
 *
 * Prints the gateways (node id, advertised listeners, last heartbeat, alive when it heartbeat within the
 * session timeout), Postgres (version, database size, size of kpg's schema), the topics (count, partitions,
 * records and bytes, the N largest) and the consumer groups (state, members, total lag). The database is
 * found as `kpg sql` finds it (resolveTarget): an embedded Postgres no kpg runs on is started for the
 * command and stopped after. Exit status: 0, or 1 when the database cannot be read.
 */
import { InvalidArgumentError, Option, type Command } from 'commander';
import pg from 'pg';
import { brokerConfigDefinition } from '../config/broker-config.js';
import { createLogger } from '../logging.js';
import { partitionLag } from '../metrics/lag.js';
import type { GroupLagSnapshot } from '../storage/groups.js';
import { PostgresGroupStore } from '../storage/pg/group-store.js';
import { PgClusterStatus } from '../storage/pg/status.js';
import { types as int8AsBigint } from '../storage/pg/storage.js';
import type { ClusterStatus } from '../storage/status.js';
import { resolveTarget, SqlCommandError } from './sql.js';
import { formatTable } from './topic.js';

export interface StatusOptions {
  databaseUrl?: string;
  dataDir: string;
  json?: boolean;
  top: number;
  sessionTimeoutMs: number;
}

/** What `kpg status --json` prints (numbers as JSON numbers, times as ISO 8601). */
export interface StatusReport {
  clusterId: string | null;
  sessionTimeoutMs: number;
  gateways: { nodeId: number; listeners: string[]; rack: string | null; startedAt: string; lastHeartbeat: string | null; heartbeatAgeMs: number | null; alive: boolean }[];
  postgres: { version: string; database: string; databaseBytes: number; kpgSchemaBytes: number };
  topics: { count: number; partitions: number; records: number; bytes: number; largest: { topic: string; internal: boolean; partitions: number; records: number; bytes: number }[] };
  groups: { group: string; state: string; members: number; committedPartitions: number; lag: number | null }[];
}

/** Postgres's undefined_table: the database has not been migrated by any kpg yet. */
const UNDEFINED_TABLE = '42P01';

const DEFAULT_SESSION_TIMEOUT_MS = Number(brokerConfigDefinition('broker.session.timeout.ms')?.defaultValue ?? 9000);

export function buildStatusReport(cluster: ClusterStatus, lag: GroupLagSnapshot, opts: Pick<StatusOptions, 'top' | 'sessionTimeoutMs'>): StatusReport {
  const bySize = [...cluster.topics].sort((a, b) => (a.bytes === b.bytes ? a.topic.localeCompare(b.topic) : a.bytes > b.bytes ? -1 : 1));
  return {
    clusterId: cluster.clusterId,
    sessionTimeoutMs: opts.sessionTimeoutMs,
    gateways: cluster.gateways.map((g) => {
      const shutDown = g.lastHeartbeat.getTime() === 0;
      return {
        nodeId: g.nodeId,
        listeners: g.endpoints.map((e) => `${e.listener}://${e.host}:${e.port}`),
        rack: g.rack,
        startedAt: g.startedAt.toISOString(),
        lastHeartbeat: shutDown ? null : g.lastHeartbeat.toISOString(),
        heartbeatAgeMs: shutDown ? null : Math.round(g.heartbeatAgeMs),
        alive: g.live,
      };
    }),
    postgres: {
      version: cluster.postgres.version,
      database: cluster.postgres.database,
      databaseBytes: Number(cluster.postgres.databaseBytes),
      kpgSchemaBytes: Number(cluster.postgres.kpgSchemaBytes),
    },
    topics: {
      count: cluster.topics.length,
      partitions: cluster.topics.reduce((n, t) => n + t.partitions, 0),
      records: Number(cluster.topics.reduce((n, t) => n + t.records, 0n)),
      bytes: Number(cluster.topics.reduce((n, t) => n + t.bytes, 0n)),
      largest: bySize.slice(0, opts.top).map((t) => ({ topic: t.topic, internal: t.internal, partitions: t.partitions, records: Number(t.records), bytes: Number(t.bytes) })),
    },
    groups: lag.groups.map((g) => ({
      group: g.groupId,
      state: g.state,
      members: g.members,
      committedPartitions: g.offsets.length,
      // No committed offset: no lag to speak of (as kafka-consumer-groups.sh shows "-").
      lag: g.offsets.length === 0 ? null : Number(g.offsets.reduce((n, o) => n + partitionLag(o.committedOffset, o.logEndOffset), 0n)),
    })),
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${value.toFixed(1)} ${units[unit]}`;
}

function heading(title: string): string {
  return `${title}\n${'='.repeat(title.length)}\n`;
}

function ago(ms: number): string {
  return ms < 120_000 ? `${(ms / 1000).toFixed(1)}s ago` : ms < 7_200_000 ? `${Math.round(ms / 60_000)}m ago` : `${Math.round(ms / 3_600_000)}h ago`;
}

export function formatStatusReport(r: StatusReport): string {
  const parts: string[] = [`Cluster ${r.clusterId ?? '(not created yet)'}\n\n`];
  parts.push(heading(`Gateways (alive: heartbeat within ${r.sessionTimeoutMs} ms)`));
  parts.push(r.gateways.length === 0
    ? 'none registered\n'
    : formatTable(['NODE', 'ALIVE', 'LAST HEARTBEAT', 'STARTED', 'LISTENERS'], r.gateways.map((g) => [
      String(g.nodeId),
      g.alive ? 'yes' : 'no',
      g.lastHeartbeat === null ? 'shut down' : `${g.lastHeartbeat} (${ago(g.heartbeatAgeMs!)})`,
      g.startedAt,
      g.listeners.join(','),
    ])));
  parts.push('\n' + heading('Postgres'));
  parts.push(formatTable(['VERSION', 'DATABASE', 'DATABASE SIZE', 'KPG SCHEMA SIZE'], [[
    r.postgres.version, r.postgres.database, formatBytes(r.postgres.databaseBytes), formatBytes(r.postgres.kpgSchemaBytes),
  ]]));
  const t = r.topics;
  parts.push('\n' + heading(`Topics: ${t.count} (${t.partitions} partitions, ${t.records} records, ${formatBytes(t.bytes)})`));
  if (t.largest.length > 0) {
    if (t.largest.length < t.count) parts.push(`the ${t.largest.length} largest:\n`);
    parts.push(formatTable(['TOPIC', 'PARTITIONS', 'RECORDS', 'SIZE'], t.largest.map((x) => [
      x.internal ? `${x.topic} (internal)` : x.topic, String(x.partitions), String(x.records), formatBytes(x.bytes),
    ])));
  }
  parts.push('\n' + heading(`Consumer groups: ${r.groups.length}`));
  if (r.groups.length > 0) {
    parts.push(formatTable(['GROUP', 'STATE', 'MEMBERS', 'LAG'], r.groups.map((g) => [
      g.group, g.state, String(g.members), g.lag === null ? '-' : String(g.lag),
    ])));
  }
  return parts.join('');
}

function connectionProblem(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  // Network errors (ECONNREFUSED, ENOTFOUND, ETIMEDOUT...), and Postgres's connection and authorization classes.
  return /^E[A-Z]+$/.test(code) || code.startsWith('08') || code.startsWith('28') || code === '3D000' || /timeout/i.test((err as Error).message);
}

export async function readStatus(opts: StatusOptions): Promise<StatusReport> {
  const target = await resolveTarget(opts, 'kpg status');
  const pool = new pg.Pool({ ...target.config, max: 2, application_name: 'kpg status', types: int8AsBigint, connectionTimeoutMillis: 10_000 });
  pool.on('error', () => undefined);
  try {
    try {
      await pool.query('SELECT 1');
    } catch (err) {
      throw new SqlCommandError(`could not connect to Postgres: ${(err as Error).message || (err as { code?: string }).code}`);
    }
    const groups = new PostgresGroupStore(pool, createLogger('warn', process.stderr));
    const [cluster, lag] = await Promise.all([new PgClusterStatus(pool).describeCluster(opts.sessionTimeoutMs), groups.describeGroupLag()]);
    return buildStatusReport(cluster, lag, opts);
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) {
      throw new SqlCommandError('this database has no kpg tables yet: run `kpg migrate` (or start kpg once) first');
    }
    if (!(err instanceof SqlCommandError) && connectionProblem(err)) throw new SqlCommandError(`lost the connection to Postgres: ${(err as Error).message}`);
    throw err;
  } finally {
    await pool.end().catch(() => undefined);
    await target.started?.stop();
  }
}

function parsePositive(what: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value) || n < 1 || !Number.isSafeInteger(n)) throw new InvalidArgumentError(`"${value}" is not ${what} (a positive integer)`);
    return n;
  };
}

export function registerStatusCommand(program: Command, databaseUrlOption: () => Option): void {
  program
    .command('status')
    .description('print the cluster from Postgres: gateways, Postgres, topics, consumer groups and their lag (no gateway needs to run)')
    .option('--data-dir <dir>', 'data directory of the embedded Postgres (used without --database-url)', './data')
    .addOption(databaseUrlOption())
    .option('--json', 'print one JSON object')
    .addOption(new Option('--top <n>', 'how many of the largest topics to list').default(10).argParser(parsePositive('a topic count')))
    .addOption(
      new Option('--session-timeout-ms <ms>', 'a gateway is alive when it heartbeat within this (the gateways\' broker.session.timeout.ms)')
        .default(DEFAULT_SESSION_TIMEOUT_MS)
        .argParser(parsePositive('a timeout')),
    )
    .action(async (opts: StatusOptions) => {
      try {
        const report = await readStatus(opts);
        process.stdout.write(opts.json ? JSON.stringify(report) + '\n' : formatStatusReport(report));
      } catch (err) {
        process.stderr.write(`kpg status: ${(err as Error).message.split('\n')[0]}\n`);
        process.exitCode = 1;
      }
    });
}
