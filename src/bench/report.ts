/**
 * The benchmark's human output: Markdown tables (so a run can be pasted into the README as is), and the
 * issue's targets checked against what was measured.
 */
import type { BenchResult, ProduceRun, TargetCheck, TlsRun } from './result.js';

const dash = (v: number | string | null | undefined): string => (v === null || v === undefined ? '-' : String(v));
const pct = (ratio: number | null | undefined): string => (ratio === null || ratio === undefined ? '-' : `${Math.round(ratio * 100)}%`);
/** To a tenth of a percent, for goals close to 100%. */
const pct1 = (ratio: number | null | undefined): string => (ratio === null || ratio === undefined ? '-' : `${Math.round(ratio * 1000) / 10}%`);

function table(header: string[], rows: (string | number | null)[][]): string {
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of rows) lines.push(`| ${row.map((c) => dash(c)).join(' | ')} |`);
  return lines.join('\n');
}

function cpu(c: Record<string, number | null> | null | undefined, keys: string[]): string {
  if (!c) return '-';
  return keys.map((k) => (c[k] === null || c[k] === undefined ? '-' : c[k]!.toFixed(2))).join(' / ');
}

export function targetChecks(r: BenchResult): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const kpg1k = r.phases.produce.runs.filter((p) => p.target === 'kpg' && p.record_size === 1024);
  const ratios = kpg1k.map((p) => p.ratio_to_ceiling).filter((v): v is number => v !== null);
  checks.push({
    name: 'produce',
    goal: 'produce 1 KB acks=all >= 70% of the ceiling (every producer count)',
    measured: ratios.length ? kpg1k.map((p) => `${p.producers}p: ${pct(p.ratio_to_ceiling)}`).join(', ') : null,
    met: ratios.length ? ratios.every((v) => v >= 0.7) : null,
  });
  const consume = r.phases.consume.runs.find((c) => c.target === 'kpg');
  checks.push({
    name: 'consume',
    goal: 'consume from backlog >= 2x the produce rate',
    measured: consume?.ratio_to_produce != null ? `${consume.ratio_to_produce}x (${consume.mb_per_s} MB/s)` : null,
    met: consume?.ratio_to_produce != null ? consume.ratio_to_produce >= 2 : null,
  });
  const latency = r.phases.latency.runs.find((l) => l.target === 'kpg' && l.rate === 1000);
  checks.push({
    name: 'latency',
    goal: 'end-to-end p99 at 1000 records/s < 10 ms',
    measured: latency?.p99_ms != null ? `p99 ${latency.p99_ms} ms` : null,
    met: latency?.p99_ms != null ? latency.p99_ms < 10 : null,
  });
  // pg_stat_statements, when loadable, counts exactly what ran; transactions also count autovacuum's own.
  const idle = r.phases.idle;
  const idleCost = idle.statements_per_s_from_consumers ?? idle.queries_per_s_from_consumers;
  const idleUnit = idle.statements_per_s_from_consumers !== null ? 'statements/s' : 'transactions/s';
  checks.push({
    name: 'idle',
    goal: 'no queries while consumers wait, beyond the gateway\'s own heartbeats (< 0.5/s more than without consumers)',
    measured: idleCost !== null ? `${idleCost} ${idleUnit} from ${idle.consumers} waiting consumers` : null,
    met: idleCost !== null ? idleCost < 0.5 : null,
  });
  const memory = r.phases.memory;
  checks.push({
    name: 'memory',
    goal: `${memory.connections || 1000} idle connections < 150 MB gateway RSS`,
    measured: memory.gateway_rss_mb_with_idle_connections !== null ? `${memory.gateway_rss_mb_with_idle_connections} MB` : null,
    met: memory.gateway_rss_mb_with_idle_connections !== null ? memory.gateway_rss_mb_with_idle_connections < 150 : null,
  });
  const tls = r.phases.tls;
  const tlsRatios = [tls.produce_ratio, tls.consume_ratio].filter((v): v is number => v !== null);
  checks.push({
    name: 'tls',
    goal: 'produce and consume over SASL_SSL >= 85% of PLAINTEXT',
    measured: tlsRatios.length
      ? `produce ${pct(tls.produce_ratio)}, consume ${pct(tls.consume_ratio)}` +
        (tls.kafka?.produce_ratio != null ? ` (Kafka here: produce ${pct(tls.kafka.produce_ratio)}, consume ${pct(tls.kafka.consume_ratio)})` : '')
      : null,
    met: tlsRatios.length === 2 ? tlsRatios.every((v) => v >= 0.85) : null,
  });
  const acl = r.phases.acl;
  checks.push({
    name: 'acl',
    goal: 'an ACL check per request costs nothing measurable at 1 KB batches: produce with ACLs >= 95% of without (about the run-to-run noise of a shared machine)',
    measured: acl.produce_ratio !== null ? `produce ${pct(acl.produce_ratio)} with ${acl.acls} ACLs` : null,
    met: acl.produce_ratio !== null ? acl.produce_ratio >= 0.95 : null,
  });
  const metrics = r.phases.metrics;
  checks.push({
    name: 'metrics',
    goal: 'produce with /metrics scraped every second >= 97% of without',
    measured: metrics.produce_ratio !== null ? `produce ${pct1(metrics.produce_ratio)} (${metrics.scrapes} scrapes)` : null,
    met: metrics.produce_ratio !== null ? metrics.produce_ratio >= 0.97 : null,
  });
  // Every rate measured must meet it: a slow tail at a low rate is as visible to a user as at a high one.
  const tails = r.phases.console.tail.filter((t) => t.p99_ms != null);
  checks.push({
    name: 'console_tail',
    goal: 'console tail p99 < 100 ms at every rate measured',
    measured: tails.length > 0
      ? tails.map((t) => `p99 ${t.p99_ms} ms at ${t.rate}/s (${dash(t.received)} / ${dash(t.sent)} received)`).join(', ')
      : null,
    met: tails.length > 0 ? tails.every((t) => t.p99_ms! < 100 && t.received === t.sent) : null,
  });
  const consolePhase = r.phases.console;
  const pageCalls = ['topic', 'first_page'].map((name) => consolePhase.pages.find((p) => p.call === name));
  const pageTimes = pageCalls.map((p) => (p && p.error === null ? p.best_ms : null));
  checks.push({
    name: 'console_pages',
    goal: 'console on a 1M-record topic: topic page and first page of messages < 1 s',
    measured: pageTimes.every((ms) => ms !== null)
      ? `topic page ${pageTimes[0]} ms, first page ${pageTimes[1]} ms (first calls ${pageCalls[0]!.first_ms} / ${pageCalls[1]!.first_ms} ms) on ${consolePhase.topic_records} records`
      : null,
    // Met only on a topic of a million records: a smoke run's small topic proves nothing about that.
    met: pageTimes.every((ms) => ms !== null) && (consolePhase.topic_records ?? 0) >= 1_000_000
      ? pageCalls.every((p) => Math.max(p!.first_ms!, p!.best_ms!) < 1000)
      : null,
  });
  return checks;
}

/** CPU milliseconds spent per MB moved: how much work each byte costs, whatever the rate. */
function cpuPerMb(cores: number | null | undefined, mbPerS: number | null | undefined): string {
  return cores == null || !mbPerS ? '-' : String(Math.round((cores / mbPerS) * 1000));
}

function produceRow(p: ProduceRun | undefined): (string | number | null)[] {
  return p ? [p.mb_per_s, p.records_per_s, pct(p.ratio_to_ceiling)] : [null, null, null];
}

export function renderReport(r: BenchResult): string {
  const out: string[] = [];
  const hasKafka = r.targets.kafka !== null;
  out.push(`## kpg bench (${r.mode}), ${r.started_at.slice(0, 16).replace('T', ' ')} UTC, ${r.duration_s} s`);
  out.push('');
  out.push(
    `Machine: ${r.machine.cpus} CPUs (${r.machine.cpu_model}), ${r.machine.memory_gb} GB, load average at start ${r.machine.load_average_at_start.join(' ')}. ` +
      `PostgreSQL ${dash(r.postgres.version)} (${r.postgres.embedded ? 'embedded' : 'external'}; fsync ${dash(r.postgres.settings.fsync)}, ` +
      `synchronous_commit ${dash(r.postgres.settings.synchronous_commit)}). Load generator: ${r.load_generator}.` +
      (hasKafka ? ` Compared with: ${r.targets.kafka!.description}.` : ''),
  );
  out.push('MB = 10^6 bytes of record values. CPU columns are cores used (CPU seconds per second), broker / Postgres / load generator.');
  out.push('');

  const ph = r.phases;
  out.push('### Produce, acks=all, against the Postgres ceiling');
  out.push('');
  const header = [
    'record size', 'writers', 'records/batch', 'ceiling MB/s', 'ceiling rec/s', 'kpg MB/s', 'kpg rec/s', 'kpg / ceiling', 'kpg CPU',
    'Postgres CPU ms per MB, ceiling / kpg',
  ];
  if (hasKafka) header.push('Kafka MB/s', 'Kafka rec/s', 'Kafka / ceiling', 'Kafka CPU');
  // The one-record-per-transaction ceiling rows belong to sql_produce.
  const rows = ph.ceiling.runs
    .filter((c) => c.records_per_batch > 1)
    .map((c) => {
      const kpg = ph.produce.runs.find((p) => p.target === 'kpg' && p.record_size === c.record_size && p.producers === c.writers);
      const kafka = ph.produce.runs.find((p) => p.target === 'kafka' && p.record_size === c.record_size && p.producers === c.writers);
      const row = [
        `${c.record_size} B`, c.writers, c.records_per_batch, c.mb_per_s, c.records_per_s, ...produceRow(kpg),
        cpu(kpg?.cpu_cores, ['broker', 'postgres', 'load_generator']),
        `${cpuPerMb(c.cpu_cores?.postgres, c.mb_per_s)} / ${cpuPerMb(kpg?.cpu_cores?.postgres, kpg?.mb_per_s)}`,
      ];
      if (hasKafka) row.push(...produceRow(kafka), cpu(kafka?.cpu_cores, ['broker', 'load_generator']));
      return row;
    });
  out.push(table(header, rows));
  const errors = [...ph.ceiling.runs, ...ph.produce.runs].filter((x) => x.error).map((x) => x.error!);
  if (errors.length) out.push('', `Errors: ${[...new Set(errors)].join('; ')}`);
  out.push('');

  out.push('### Consume from a backlog');
  out.push('');
  out.push(
    table(
      ['target', 'backlog', 'partitions', 'MB/s', 'records/s', 'vs best 1 KB produce', 'CPU', 'backlog written at'],
      ph.consume.runs.map((c) => [
        c.target, c.backlog_bytes === null ? null : `${Math.round(c.backlog_bytes / 1e6)} MB`, c.partitions, c.mb_per_s, c.records_per_s,
        c.ratio_to_produce === null ? null : `${c.ratio_to_produce}x`, cpu(c.cpu_cores, ['broker', 'postgres', 'load_generator']),
        c.fill_mb_per_s === null ? c.error : `${c.fill_mb_per_s} MB/s`,
      ]),
    ),
  );
  out.push('');

  out.push(`### End-to-end latency (${ph.latency.runs[0]?.record_size ?? 1024} B records, acks=all, linger.ms=${String(ph.latency.settings['linger.ms'])}, long-poll consumer)`);
  out.push('');
  out.push(
    table(
      ['target', 'records/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'received / sent'],
      ph.latency.runs.map((l) => [l.target, l.rate, l.p50_ms, l.p99_ms, l.p999_ms, l.max_ms, l.error && l.p50_ms === null ? l.error : `${dash(l.received)} / ${dash(l.sent)}`]),
    ),
  );
  out.push('');

  out.push(`### Idle: ${ph.idle.consumers} consumers long-polling empty partitions (${ph.idle.window_s} s windows)`);
  out.push('');
  out.push(
    table(
      ['', 'Postgres transactions/s (pg_stat_database)', 'statements/s (pg_stat_statements)', 'autovacuum runs', 'gateway CPU %'],
      [
        ['gateway alone', ph.idle.queries_per_s_without_consumers, ph.idle.statements_per_s_without_consumers, ph.idle.autovacuum_runs_without_consumers, ph.idle.gateway_cpu_percent_without_consumers],
        [`with ${ph.idle.consumers} waiting consumers`, ph.idle.queries_per_s_with_consumers, ph.idle.statements_per_s_with_consumers, ph.idle.autovacuum_runs_with_consumers, ph.idle.gateway_cpu_percent_with_consumers],
        ['cost of the waiting consumers', ph.idle.queries_per_s_from_consumers, ph.idle.statements_per_s_from_consumers, null, null],
      ],
    ),
  );
  for (const [window, statements] of [
    ['gateway alone', ph.idle.top_statements_without_consumers],
    ['with the consumers', ph.idle.top_statements_with_consumers],
  ] as const) {
    if (statements?.length) {
      out.push('', `Statements, ${window} (pg_stat_statements): ${statements.map((s) => `${s.calls_per_s}/s \`${s.query.slice(0, 70)}\``).join('; ')}`);
    }
  }
  if (ph.idle.error) out.push('', `Error: ${ph.idle.error}`);
  out.push('');

  out.push('### Memory (gateway RSS)');
  out.push('');
  out.push(
    table(
      ['before connections', `with ${ph.memory.connections} idle connections`, 'per connection', 'peak under produce load'],
      [[
        ph.memory.gateway_rss_mb_before_connections === null ? null : `${ph.memory.gateway_rss_mb_before_connections} MB`,
        ph.memory.gateway_rss_mb_with_idle_connections === null ? null : `${ph.memory.gateway_rss_mb_with_idle_connections} MB`,
        ph.memory.rss_kb_per_connection === null ? null : `${ph.memory.rss_kb_per_connection} KB`,
        ph.memory.gateway_rss_mb_peak_under_produce === null ? null : `${ph.memory.gateway_rss_mb_peak_under_produce} MB`,
      ]],
    ),
  );
  if (ph.memory.error) out.push('', `Error: ${ph.memory.error}`);
  out.push('');

  out.push('### Group rebalance');
  out.push('');
  out.push('kpg runs with group.initial.rebalance.delay.ms=0, as the reference Kafka does (a Kafka given by --bootstrap keeps its own setting; the default, 3000, adds 3 s to the first join).');
  out.push('');
  out.push(
    table(
      ['target', 'members', 'join to stable s', 'recover after leave s', 'recover after kill -9 s (session timeout)', 'error'],
      ph.rebalance.runs.map((g) => [
        g.target, g.members, g.join_s, g.recover_after_leave_s,
        g.recover_after_crash_s === null ? null : `${g.recover_after_crash_s} (${g.session_timeout_ms / 1000})`, g.error,
      ]),
    ),
  );
  out.push('');

  out.push(`### kpg.produce from SQL${ph.sql_produce.signature ? ` (\`${ph.sql_produce.signature}\`)` : ''}`);
  out.push('');
  out.push(
    table(
      ['sessions', 'record size', 'records/s', 'ceiling rec/s (1 record per transaction)', 'ratio to ceiling', 'error'],
      ph.sql_produce.runs.map((s) => {
        const c = ph.ceiling.runs.find((x) => x.records_per_batch === 1 && x.writers === s.sessions && x.record_size === s.record_size);
        return [s.sessions, `${s.record_size} B`, s.records_per_s, c?.records_per_s ?? null, pct(s.ratio_to_ceiling), s.error];
      }),
    ),
  );
  out.push('');

  out.push('### TLS: the SASL_SSL listener (SCRAM-SHA-512) against PLAINTEXT on the same broker (1 KB records, acks=all, runs alternating)');
  out.push('');
  const tlsRows = (broker: string, runs: readonly TlsRun[]): (string | number | null)[][] =>
    runs.map((t) => [
      broker, t.listener, t.round === 0 ? '0 (warm-up)' : t.round, t.producers, t.produce_mb_per_s, t.produce_broker_cpu_ms_per_mb,
      t.consume_mb_per_s, t.consume_broker_cpu_ms_per_mb, t.error,
    ]);
  out.push(
    table(
      ['broker', 'listener', 'round', 'producers', 'produce MB/s', 'broker CPU ms per MB produced', 'consume MB/s', 'broker CPU ms per MB consumed', 'error'],
      [...tlsRows('kpg', ph.tls.runs), ...tlsRows('kafka', ph.tls.kafka?.runs ?? [])],
    ),
  );
  out.push('', `kpg SASL_SSL / PLAINTEXT (best counted runs): produce ${pct(ph.tls.produce_ratio)}, consume ${pct(ph.tls.consume_ratio)}.`);
  if (ph.tls.kafka) {
    out.push(`Kafka SASL_SSL / PLAINTEXT, same runs on the same machine: produce ${pct(ph.tls.kafka.produce_ratio)}, consume ${pct(ph.tls.kafka.consume_ratio)}.`);
    if (ph.tls.kafka.error && ph.tls.kafka.runs.length === 0) out.push('', `Kafka: ${ph.tls.kafka.error}`);
  }
  if (ph.tls.error && ph.tls.runs.length === 0) out.push('', `Error: ${ph.tls.error}`);
  out.push('');

  out.push(`### ACLs: a gateway checking ${ph.acl.acls} ACLs (StandardAuthorizer) against one without an authorizer (1 KB records, ${ph.acl.runs[0]?.records_per_batch ?? 100} per batch, acks=all, runs alternating)`);
  out.push('');
  out.push(
    table(
      ['gateway', 'run', 'producers', 'produce MB/s', 'gateway CPU ms per MB', 'error'],
      ph.acl.runs.map((a, i) => [a.gateway === 'acls' ? 'with ACLs' : 'no authorizer', i + 1, a.producers, a.produce_mb_per_s, a.broker_cpu_ms_per_mb, a.error]),
    ),
  );
  out.push('', `With ACLs / without (best runs): produce ${pct(ph.acl.produce_ratio)}; ${ph.acl.acls_applying} of the ACLs apply to each produced topic.`);
  if (ph.acl.error && ph.acl.runs.length === 0) out.push('', `Error: ${ph.acl.error}`);
  out.push('');

  out.push(`### Metrics: a gateway whose /metrics is scraped every second against one without a metrics port (1 KB records, ${ph.metrics.runs[0]?.records_per_batch ?? 100} per batch, acks=all, runs alternating)`);
  out.push('');
  out.push(
    table(
      ['gateway', 'run', 'producers', 'produce MB/s', 'gateway CPU ms per MB', 'scrapes', 'failed scrapes', 'error'],
      ph.metrics.runs.map((m, i) => [
        m.gateway === 'scraped' ? '/metrics scraped' : 'no metrics port', i + 1, m.producers, m.produce_mb_per_s, m.broker_cpu_ms_per_mb,
        m.scrapes, m.scrape_failures, m.error,
      ]),
    ),
  );
  out.push('', `Scraped / without a metrics port (best runs): produce ${pct1(ph.metrics.produce_ratio)}; ${ph.metrics.scrapes} scrapes, ${ph.metrics.scrape_failures} failed.`);
  if (ph.metrics.error && ph.metrics.runs.length === 0) out.push('', `Error: ${ph.metrics.error}`);
  out.push('');

  const con = ph.console;
  out.push(`### Console: live tail latency (${con.tail[0]?.record_size ?? 1024} B records, acks=all, linger.ms=1, produce() to the SSE event at the client)`);
  out.push('');
  out.push(
    table(
      ['records/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'received / sent'],
      con.tail.map((t) => [t.rate, t.p50_ms, t.p99_ms, t.p999_ms, t.max_ms, t.error && t.p50_ms === null ? t.error : `${dash(t.received)} / ${dash(t.sent)}`]),
    ),
  );
  out.push('');
  out.push(
    `### Console: the pages' API calls on ${con.topic_records === null ? 'a large topic' : `a topic of ${con.topic_records} records`}` +
      `${con.topic_partitions === null ? '' : ` in ${con.topic_partitions} partitions`}` +
      `${con.topic_source === null ? '' : con.topic_source === 'consume backlog' ? ' (the consume phase\'s backlog)' : ' (written by this phase)'}`,
  );
  out.push('');
  out.push(
    table(
      ['call', 'request', 'first ms', 'best of 3 ms', 'found', 'next page', 'error'],
      con.pages.map((p) => [p.call, `\`${p.request}\``, p.first_ms, p.best_ms, p.found, p.next_offset === null ? null : p.next_offset ? 'yes' : 'no', p.error]),
    ),
  );
  if (con.json_topic_records !== null) out.push('', `json_search runs on a topic of ${con.json_topic_records} JSON values (the large topic's values are random bytes).`);
  if (con.error && con.tail.length === 0 && con.pages.length === 0) out.push('', `Error: ${con.error}`);
  out.push('');

  out.push('### Targets');
  out.push('');
  out.push(table(['target', 'measured', 'met'], r.checks.map((c) => [c.goal, c.measured, c.met === null ? 'not measured' : c.met ? 'yes' : 'NO'])));
  out.push('');
  return out.join('\n');
}
