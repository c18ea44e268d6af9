/**
 * Phase 5, idle cost: what Postgres executes, and what the gateway burns, while consumers long-poll empty
 * partitions. Read from pg_stat_database (transactions committed and rolled back), which every Postgres
 * has, managed ones included; pg_stat_statements, when loadable, names the statements.
 *
 * Two windows: the gateway alone (its own background work: broker heartbeats and the like), then with the
 * consumers waiting. The difference is what waiting consumers cost.
 */
import pg from 'pg';
import { Loadgen } from '../loadgen.js';
import { CpuMeter } from '../proc.js';
import type { Progress } from '../progress.js';
import { errorMessage, type IdlePhase } from '../result.js';
import { createTopics, topicName, type Target } from '../targets.js';

const sleep = (s: number) => new Promise((r) => setTimeout(r, s * 1000));

/**
 * Transactions of this database so far. pg_stat_force_next_flush makes this session report its own
 * transactions as soon as it goes idle, so each reading adds exactly one to the next.
 */
async function transactions(client: pg.Client): Promise<{ transactions: number; autovacuumRuns: number }> {
  const { rows } = await client.query<{ n: string; autovacuum: string }>(
    `SELECT (xact_commit + xact_rollback)::text AS n, pg_stat_force_next_flush(),
            (SELECT coalesce(sum(autovacuum_count + autoanalyze_count), 0) FROM pg_stat_all_tables)::text AS autovacuum
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  return { transactions: Number(rows[0]!.n), autovacuumRuns: Number(rows[0]!.autovacuum) };
}

interface Window {
  queriesPerS: number;
  /** Tables autovacuum vacuumed or analyzed meanwhile: Postgres's own transactions, counted in queriesPerS. */
  autovacuumRuns: number;
  gatewayCores: number | null;
  postgresCores: number | null;
  statementsPerS: number | null;
  topStatements: { query: string; calls_per_s: number }[] | null;
}

/**
 * One measured window. Backends report their counts to pg_stat_database up to 10 s late
 * (PGSTAT_IDLE_INTERVAL) after a burst, so the caller settles at least that long after any start-up
 * work; pg_stat_statements counts at once and serves as the cross-check.
 */
async function measureWindow(client: pg.Client, target: Target, seconds: number, statStatements: boolean): Promise<Window> {
  const meter = new CpuMeter({
    gateway: () => (target.brokerPid ? [target.brokerPid] : []),
    postgres: () => (target.postgresPid ? [target.postgresPid] : []),
  });
  // Flushed at once too, so that the reset's own transaction is counted before the first reading.
  if (statStatements) await client.query('SELECT pg_stat_statements_reset(), pg_stat_force_next_flush()');
  const before = await transactions(client);
  meter.start();
  const started = performance.now();
  await sleep(seconds);
  const cpu = meter.stop();
  const after = await transactions(client);
  const elapsed = (performance.now() - started) / 1000;
  const OWN_READINGS = 1; // the first reading's own transaction
  const window: Window = {
    queriesPerS: Math.round(((after.transactions - before.transactions - OWN_READINGS) / elapsed) * 100) / 100,
    autovacuumRuns: after.autovacuumRuns - before.autovacuumRuns,
    gatewayCores: cpu.gateway ?? null,
    postgresCores: cpu.postgres ?? null,
    statementsPerS: null,
    topStatements: null,
  };
  if (statStatements) {
    const { rows } = await client.query<{ query: string; calls: string }>(
      `SELECT query, calls FROM pg_stat_statements
        WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
          AND query NOT ILIKE '%pg_stat%'
        ORDER BY calls DESC`,
    );
    const perSecond = (calls: number): number => Math.round((calls / elapsed) * 100) / 100;
    window.statementsPerS = perSecond(rows.reduce((sum, r) => sum + Number(r.calls), 0));
    window.topStatements = rows.slice(0, 5).map((r) => ({ query: r.query.replace(/\s+/g, ' ').slice(0, 160), calls_per_s: perSecond(Number(r.calls)) }));
  }
  return window;
}

/** The phase with nothing measured. */
export function emptyIdlePhase(): IdlePhase {
  return {
    status: 'skipped', error: null, consumers: 0, window_s: 0,
    queries_per_s_without_consumers: null, queries_per_s_with_consumers: null, queries_per_s_from_consumers: null,
    autovacuum_runs_without_consumers: null, autovacuum_runs_with_consumers: null,
    statements_per_s_without_consumers: null, statements_per_s_with_consumers: null, statements_per_s_from_consumers: null,
    top_statements_without_consumers: null, top_statements_with_consumers: null,
    gateway_cpu_percent_without_consumers: null, gateway_cpu_percent_with_consumers: null, postgres_cpu_percent_with_consumers: null,
  };
}

const percent = (cores: number | null): number | null => (cores === null ? null : Math.round(cores * 1000) / 10);

export async function runIdle(options: {
  target: Target;
  databaseUrl: string;
  statStatements: boolean;
  consumers: number;
  partitions: number;
  settleSeconds: number;
  windowSeconds: number;
  progress: Progress;
}): Promise<IdlePhase> {
  const { target } = options;
  const phase: IdlePhase = { ...emptyIdlePhase(), status: 'ok', consumers: options.consumers, window_s: options.windowSeconds };
  const client = new pg.Client({ connectionString: options.databaseUrl });
  client.on('error', () => undefined);
  let gen: Loadgen | undefined;
  try {
    await client.connect();
    // Fresh counters on every reading, not the transaction's first snapshot.
    await client.query(`SET stats_fetch_consistency = 'none'`);
    const topic = topicName(`idle-${target.name}`);
    await createTopics(target, [{ name: topic, partitions: options.partitions }]);

    let step = options.progress.timed(`idle ${target.name}: gateway alone`, options.settleSeconds + options.windowSeconds);
    await sleep(options.settleSeconds);
    const alone = await measureWindow(client, target, options.windowSeconds, options.statStatements);
    phase.queries_per_s_without_consumers = alone.queriesPerS;
    phase.autovacuum_runs_without_consumers = alone.autovacuumRuns;
    phase.statements_per_s_without_consumers = alone.statementsPerS;
    phase.top_statements_without_consumers = alone.topStatements;
    phase.gateway_cpu_percent_without_consumers = percent(alone.gatewayCores);
    step.done(`${alone.queriesPerS} transactions/s, gateway ${phase.gateway_cpu_percent_without_consumers ?? '-'}% CPU`);

    step = options.progress.timed(`idle ${target.name}: ${options.consumers} consumers waiting`, options.settleSeconds + options.windowSeconds);
    gen = new Loadgen('idle', {
      bootstrap: target.bootstrap, topic, partitions: options.partitions, consumers: options.consumers,
      fetch_wait_max_ms: 500,
    });
    await gen.ready;
    await sleep(options.settleSeconds);
    const waiting = await measureWindow(client, target, options.windowSeconds, options.statStatements);
    phase.queries_per_s_with_consumers = waiting.queriesPerS;
    phase.autovacuum_runs_with_consumers = waiting.autovacuumRuns;
    phase.queries_per_s_from_consumers = Math.round((waiting.queriesPerS - alone.queriesPerS) * 100) / 100;
    phase.statements_per_s_with_consumers = waiting.statementsPerS;
    if (waiting.statementsPerS !== null && alone.statementsPerS !== null) {
      phase.statements_per_s_from_consumers = Math.round((waiting.statementsPerS - alone.statementsPerS) * 100) / 100;
    }
    phase.top_statements_with_consumers = waiting.topStatements;
    phase.gateway_cpu_percent_with_consumers = percent(waiting.gatewayCores);
    phase.postgres_cpu_percent_with_consumers = percent(waiting.postgresCores);
    gen.send('done');
    const result = await gen.result;
    if (Number(result.received) > 0) throw new Error(`the idle consumers received ${String(result.received)} records: the partitions were not empty`);
    step.done(`${waiting.queriesPerS} transactions/s, gateway ${phase.gateway_cpu_percent_with_consumers ?? '-'}% CPU`);
  } catch (err) {
    phase.status = 'failed';
    phase.error = errorMessage(err);
    options.progress.note(`  idle ${target.name} failed: ${phase.error}`);
  } finally {
    gen?.kill();
    await client.end().catch(() => undefined);
  }
  return phase;
}
