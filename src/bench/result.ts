/**
 * The benchmark's JSON: every phase under its name, every figure under its own name. A figure that was
 * not measured is null (never left out), and a phase that failed says why, so a reader (or the test)
 * can rely on the shape whatever happened.
 */
import type { CpuCores } from './proc.js';

export type PhaseName = 'ceiling' | 'produce' | 'consume' | 'latency' | 'idle' | 'memory' | 'rebalance' | 'sql_produce' | 'tls' | 'acl' | 'metrics' | 'console';
export const PHASES: readonly PhaseName[] = ['ceiling', 'produce', 'consume', 'latency', 'idle', 'memory', 'rebalance', 'sql_produce', 'tls', 'acl', 'metrics', 'console'];

/** kpg, or the other Kafka of --bootstrap / --compare-kafka. */
export type TargetName = 'kpg' | 'kafka';

export type PhaseStatus = 'ok' | 'failed' | 'partial' | 'skipped';

export interface PhaseBase {
  status: PhaseStatus;
  /** Why the phase (or some of its runs) failed or was skipped. */
  error: string | null;
}

export interface CeilingRun {
  record_size: number;
  writers: number;
  records_per_batch: number;
  records: number | null;
  duration_s: number | null;
  mb_per_s: number | null;
  records_per_s: number | null;
  transactions_per_s: number | null;
  cpu_cores: CpuCores | null;
  error: string | null;
}

export interface ProduceRun {
  target: TargetName;
  record_size: number;
  producers: number;
  records: number | null;
  duration_s: number | null;
  mb_per_s: number | null;
  records_per_s: number | null;
  /** records/s over the ceiling's records/s for the same record size and writer count. */
  ratio_to_ceiling: number | null;
  /** Records per stored batch as kpg saw them (kpg only): shows the producers batched as the ceiling does. */
  avg_records_per_batch: number | null;
  broker_rss_peak_mb: number | null;
  cpu_cores: CpuCores | null;
  /** The statements Postgres spent the most time on during the run (pg_stat_statements, kpg only). */
  top_statements: StatementStat[] | null;
  error: string | null;
}

export interface StatementStat {
  query: string;
  calls: number;
  total_ms: number;
  mean_ms: number;
}

export interface ConsumeRun {
  target: TargetName;
  record_size: number;
  backlog_records: number | null;
  backlog_bytes: number | null;
  partitions: number;
  consumers: number;
  /** How fast the backlog was written (8 producers, acks=all): informative. */
  fill_mb_per_s: number | null;
  duration_s: number | null;
  mb_per_s: number | null;
  records_per_s: number | null;
  /** Consume MB/s over this target's best 1 KB produce MB/s. */
  ratio_to_produce: number | null;
  cpu_cores: CpuCores | null;
  /** The statements Postgres spent the most time on while the backlog was read (kpg only). */
  top_statements: StatementStat[] | null;
  error: string | null;
}

/** Records sent at a fixed rate and the percentiles of their latencies (samples: those after the warm-up). */
export interface PacedLatency {
  rate: number;
  record_size: number;
  sent: number | null;
  received: number | null;
  samples: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  max_ms: number | null;
}

export interface LatencyRun extends PacedLatency {
  target: TargetName;
  mean_ms: number | null;
  error: string | null;
}

export interface IdlePhase extends PhaseBase {
  consumers: number;
  window_s: number;
  /** Transactions per second Postgres committed or rolled back (pg_stat_database), less the benchmark's own. */
  queries_per_s_without_consumers: number | null;
  queries_per_s_with_consumers: number | null;
  /** What the waiting consumers cost in queries: the difference of the two. */
  queries_per_s_from_consumers: number | null;
  /** Tables autovacuum worked on during each window: its transactions are in the counts above. */
  autovacuum_runs_without_consumers: number | null;
  autovacuum_runs_with_consumers: number | null;
  /** Statement executions per second in each window (pg_stat_statements, when loadable): a cross-check. */
  statements_per_s_without_consumers: number | null;
  statements_per_s_with_consumers: number | null;
  statements_per_s_from_consumers: number | null;
  top_statements_without_consumers: { query: string; calls_per_s: number }[] | null;
  top_statements_with_consumers: { query: string; calls_per_s: number }[] | null;
  gateway_cpu_percent_without_consumers: number | null;
  gateway_cpu_percent_with_consumers: number | null;
  postgres_cpu_percent_with_consumers: number | null;
}

export interface MemoryPhase extends PhaseBase {
  connections: number;
  gateway_rss_mb_before_connections: number | null;
  gateway_rss_mb_with_idle_connections: number | null;
  rss_kb_per_connection: number | null;
  gateway_rss_mb_peak_under_produce: number | null;
}

export interface RebalanceRun {
  target: TargetName;
  members: number;
  partitions: number;
  session_timeout_ms: number;
  /** From the last member's subscribe until all members hold a complete, disjoint assignment. */
  join_s: number | null;
  /** From one member's clean close (LeaveGroup) until the others are stable again. */
  recover_after_leave_s: number | null;
  /** From one member's kill -9 until the others are stable again (includes the session timeout). */
  recover_after_crash_s: number | null;
  error: string | null;
}

export interface SqlProduceRun {
  sessions: number;
  record_size: number;
  records_per_call: number;
  records: number | null;
  duration_s: number | null;
  records_per_s: number | null;
  mb_per_s: number | null;
  ratio_to_ceiling: number | null;
  error: string | null;
}

/** One produce-then-consume run over one listener of the gateway (the TLS row). */
export interface TlsRun {
  listener: string;
  /** 0: the warm-up, not counted in the ratios. */
  round: number;
  producers: number;
  record_size: number;
  produce_mb_per_s: number | null;
  consume_mb_per_s: number | null;
  produce_broker_cpu_ms_per_mb: number | null;
  consume_broker_cpu_ms_per_mb: number | null;
  error: string | null;
}

/** The TLS row on one broker: its SASL_SSL rates over its PLAINTEXT rates, each listener's best counted run. */
export type TlsRatios = PhaseBase & { produce_ratio: number | null; consume_ratio: number | null; runs: TlsRun[] };

/** One produce run against one of the ACL row's two gateways. */
export interface AclRun {
  /** `acls`: StandardAuthorizer with the phase's ACLs; `open`: no authorizer. */
  gateway: 'acls' | 'open';
  producers: number;
  record_size: number;
  records_per_batch: number;
  produce_mb_per_s: number | null;
  /** The gateway's CPU milliseconds per MB produced: a per-request cost shows here even when Postgres sets the rate. */
  broker_cpu_ms_per_mb: number | null;
  error: string | null;
}

/** One produce run against one of the metrics row's two gateways. */
export interface MetricsRun {
  /** `scraped`: started with --metrics-port, its /metrics fetched every second during the run; `no_metrics`: without the flag. */
  gateway: 'scraped' | 'no_metrics';
  producers: number;
  record_size: number;
  records_per_batch: number;
  produce_mb_per_s: number | null;
  broker_cpu_ms_per_mb: number | null;
  /** Scrapes of /metrics that returned 200 with Prometheus text, and those that did not (0 for `no_metrics`). */
  scrapes: number;
  scrape_failures: number;
  error: string | null;
}

/** The console's live tail at one produce rate: produce() call to the SSE event's arrival, one machine clock. */
export interface ConsoleTailRun extends PacedLatency {
  error: string | null;
}

/** One API call a console page makes, timed on the large topic (or, for the JSON path, on the JSON topic). */
export interface ConsolePageCall {
  /** What the page does: list, topic, first_page, key_search, time_search, time_search_newest_first, json_search. */
  call: string;
  /** The request, path and query. */
  request: string;
  /** The first call on the freshly started console, then the best of the next three. */
  first_ms: number | null;
  best_ms: number | null;
  /** Messages (or topics) in the answer. */
  found: number | null;
  /** Whether the answer offered a next page (`nextOffset`). */
  next_offset: boolean | null;
  error: string | null;
}

export interface ConsolePhase extends PhaseBase {
  tail: ConsoleTailRun[];
  /** The large topic the page calls read, its records, and where it came from. */
  topic: string | null;
  topic_records: number | null;
  topic_partitions: number | null;
  /** `consume backlog`: the consume phase's backlog of this run; `filled`: written by this phase. */
  topic_source: 'consume backlog' | 'filled' | null;
  /** The small topic of JSON values the JSON path search runs on, and its records. */
  json_topic_records: number | null;
  pages: ConsolePageCall[];
}

export interface Phases {
  ceiling: PhaseBase & { runs: CeilingRun[] };
  produce: PhaseBase & { settings: Record<string, unknown>; runs: ProduceRun[] };
  consume: PhaseBase & { runs: ConsumeRun[] };
  latency: PhaseBase & { settings: Record<string, unknown>; runs: LatencyRun[] };
  idle: IdlePhase;
  memory: MemoryPhase;
  rebalance: PhaseBase & { runs: RebalanceRun[] };
  sql_produce: PhaseBase & { signature: string | null; runs: SqlProduceRun[] };
  /** SASL_SSL over PLAINTEXT, each listener's best run: the TLS row. */
  tls: TlsRatios & {
    /** The same runs on the reference Kafka (--compare-kafka): what TLS costs a broker on this machine. */
    kafka: TlsRatios | null;
  };
  /**
   * Produce through a gateway checking ACLs over one without an authorizer, each gateway's best run: the
   * ACL row. `acls` bindings were stored, `acls_applying` of them apply to every produced topic.
   */
  acl: PhaseBase & { acls: number; acls_applying: number; produce_ratio: number | null; runs: AclRun[] };
  /**
   * Produce through a gateway whose /metrics is scraped every second over one without a metrics port,
   * each gateway's best run: the metrics row. Scrapes are summed over the counted runs.
   */
  metrics: PhaseBase & { produce_ratio: number | null; scrapes: number; scrape_failures: number; runs: MetricsRun[] };
  /** The web console: its live tail's latency at fixed produce rates, and its pages' API calls on a large topic. */
  console: ConsolePhase;
}

export interface TargetCheck {
  name: string;
  goal: string;
  measured: string | null;
  met: boolean | null;
}

export interface BenchResult {
  tool: 'kpg bench';
  kpg_version: string;
  mode: string;
  started_at: string;
  duration_s: number;
  machine: { cpus: number; cpu_model: string; memory_gb: number; load_average_at_start: number[] };
  postgres: { version: string | null; embedded: boolean; settings: Record<string, string>; pg_stat_statements: boolean };
  load_generator: string;
  targets: Record<TargetName, { bootstrap: string | null; description: string } | null>;
  phases: Phases;
  checks: TargetCheck[];
}

/** Records and bytes per second, MB meaning 10^6 bytes of record values. */
export function rates(records: number, recordSize: number, seconds: number): { mb_per_s: number; records_per_s: number } {
  return { mb_per_s: round2((records * recordSize) / seconds / 1e6), records_per_s: Math.round(records / seconds) };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The phase status from its runs' errors. */
export function statusOf(runs: readonly { error: string | null }[]): { status: PhaseStatus; error: string | null } {
  const failed = runs.filter((r) => r.error !== null);
  if (runs.length === 0) return { status: 'skipped', error: null };
  if (failed.length === 0) return { status: 'ok', error: null };
  const first = failed[0]!.error;
  return { status: failed.length === runs.length ? 'failed' : 'partial', error: first };
}
