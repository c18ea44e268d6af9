/**
 * The benchmark's own Postgres session next to kpg's storage (kpg target only): a CHECKPOINT before
 * each measured run, and which statements Postgres spent its time on during a run (pg_stat_statements,
 * when it is loadable).
 */
import type pg from 'pg';
import type { StatementStat } from './result.js';

export interface StorageProbe {
  client: pg.Client;
  statStatements: boolean;
}

/** A CHECKPOINT before each measured run, so no run inherits the previous one's dirty buffers. */
export async function checkpoint(client: pg.Client): Promise<void> {
  await client.query('CHECKPOINT').catch(() => undefined); // needs superuser or pg_checkpoint: best effort
}

export async function resetStatements(probe: StorageProbe): Promise<void> {
  if (probe.statStatements) await probe.client.query('SELECT pg_stat_statements_reset()');
}

/** The statements with the most execution time since the last reset, the benchmark's own left out. */
export async function topStatements(probe: StorageProbe, limit = 3): Promise<StatementStat[] | null> {
  if (!probe.statStatements) return null;
  const { rows } = await probe.client.query<{ query: string; calls: string; total: number; mean: number }>(
    `SELECT query, calls, total_exec_time AS total, mean_exec_time AS mean
       FROM pg_stat_statements
      WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND query NOT ILIKE '%pg_stat_statements%' AND query <> 'CHECKPOINT'
      ORDER BY total_exec_time DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    query: r.query.replace(/\s+/g, ' ').slice(0, 160),
    calls: Number(r.calls),
    total_ms: Math.round(r.total),
    mean_ms: Math.round(r.mean * 1000) / 1000,
  }));
}
