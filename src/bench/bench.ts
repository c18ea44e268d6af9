/**
 * `kpg bench`: kpg against the Postgres ceiling, and against another Kafka, measured on one machine in one
 * run. Every speed is reported next to its denominator from the same run (the ceiling for produce, the
 * produce rate for consume), because absolute numbers on a shared machine mean little.
 *
 * Order: the idle phases first (a fresh database, nothing in flight), then the ceiling right before the
 * produce runs it is the denominator of, then consume, latency, groups and SQL, then the rows with gateways
 * of their own (tls, acl, metrics, and console, which reads the consume backlog again); the other Kafka
 * last, with the gateway idle (and the reference Kafka started only then, so it never runs during kpg's phases).
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import pg from 'pg';
import { VERSION } from '../version.js';
import { benchCertificate } from './certificate.js';
import {
  addGatewayUser, freeAdjacentPorts, makeWorkDir, referenceKafkaInstalled, startBenchPostgres, startGatewayProcess, startReferenceKafka,
  type BenchPostgres, type GatewayProcess,
} from './environment.js';
import { loadgenAvailable, loadgenPython, loadgenVersion } from './loadgen.js';
import { runAcl } from './phases/acl.js';
import { runCeiling, ceilingKey, type CeilingCase } from './phases/ceiling.js';
import { CONSOLE_MARKER_KEY, emptyConsolePhase, runConsole } from './phases/console.js';
import { backlogTopic, runConsume } from './phases/consume.js';
import { emptyIdlePhase, runIdle } from './phases/idle.js';
import { LATENCY_SETTINGS, runLatency } from './phases/latency.js';
import { emptyMemoryPhase, runIdleConnections } from './phases/memory.js';
import { runMetrics } from './phases/metrics.js';
import { PRODUCE_SETTINGS, runProduce, type ProduceCase } from './phases/produce.js';
import { checkpoint, type StorageProbe } from './probe.js';
import { runRebalance } from './phases/rebalance.js';
import { runSqlProduce } from './phases/sql-produce.js';
import { runTls } from './phases/tls.js';
import { Progress } from './progress.js';
import { targetChecks } from './report.js';
import { errorMessage, PHASES, statusOf, type BenchResult, type CeilingRun, type PhaseName, type Phases, type TargetName } from './result.js';
import { FULL_SIZES, SMOKE_SIZES, type BenchSizes } from './sizes.js';
import type { Target } from './targets.js';
import { advertisedApis } from './wire.js';

export interface BenchOptions {
  mode: 'full' | 'smoke';
  /** Overrides of the mode's sizes (tests shrink them). */
  sizes?: Partial<BenchSizes>;
  /** Postgres to use; an embedded one in a temporary directory otherwise. */
  databaseUrl?: string;
  /** Another Kafka to run the produce, consume, latency and rebalance phases against. */
  bootstrap?: string;
  /** Start the compatibility suite's reference Apache Kafka and compare against it. */
  compareKafka?: boolean;
  kafkaPort?: number;
  /** Only these phases (all by default). */
  phases?: readonly PhaseName[];
  /** How to run `kpg` (default: node dist/cli.js). */
  kpgCommand?: readonly string[];
  progress?: Progress;
}

/** The phases the other Kafka takes part in. */
const KAFKA_PHASES: readonly PhaseName[] = ['produce', 'consume', 'latency', 'rebalance'];

function emptyPhases(): Phases {
  const skipped = { status: 'skipped' as const, error: null };
  return {
    ceiling: { ...skipped, runs: [] },
    produce: { ...skipped, settings: PRODUCE_SETTINGS, runs: [] },
    consume: { ...skipped, runs: [] },
    latency: { ...skipped, settings: LATENCY_SETTINGS, runs: [] },
    idle: emptyIdlePhase(),
    memory: emptyMemoryPhase(),
    rebalance: { ...skipped, runs: [] },
    sql_produce: { ...skipped, signature: null, runs: [] },
    tls: { ...skipped, produce_ratio: null, consume_ratio: null, runs: [], kafka: null },
    acl: { ...skipped, acls: 0, acls_applying: 0, produce_ratio: null, runs: [] },
    metrics: { ...skipped, produce_ratio: null, scrapes: 0, scrape_failures: 0, runs: [] },
    console: emptyConsolePhase(),
  };
}

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const startedAt = new Date();
  const loadAverageAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const sizes: BenchSizes = { ...(options.mode === 'smoke' ? SMOKE_SIZES : FULL_SIZES), ...options.sizes };
  const wanted = new Set<PhaseName>(options.phases ?? PHASES);
  const progress = options.progress ?? new Progress();
  if (!loadgenAvailable()) {
    throw new Error(`the load generator needs confluent-kafka in ${loadgenPython()}: run bench/install.sh first`);
  }
  if (options.compareKafka && options.bootstrap) throw new Error('--compare-kafka and --bootstrap name two different Kafkas: give one');
  if (options.compareKafka && !referenceKafkaInstalled()) throw new Error('--compare-kafka needs the cached Kafka jars: run bench/install.sh --kafka');

  const phases = emptyPhases();
  const cleanup: (() => Promise<void>)[] = [];
  const workDir = await makeWorkDir();
  cleanup.push(() => fs.rm(workDir, { recursive: true, force: true }));
  let postgres: BenchPostgres | undefined;
  let kafkaTarget: Target | null = null;
  let kafkaTlsListener: { bootstrap: string; user: { name: string; password: string } } | null = null;
  let kpgTarget: Target | undefined;
  try {
    progress.note(options.databaseUrl ? 'Postgres: the one of --database-url' : 'Postgres: embedded, starting (with pg_stat_statements preloaded)');
    postgres = await startBenchPostgres({ databaseUrl: options.databaseUrl, workDir });
    cleanup.push(postgres.stop);
    // The reference Kafka (compat/reference-kafka.sh) runs with group.initial.rebalance.delay.ms=0: kpg too, so that
    // the rebalance phase compares the protocol work, not a configured wait (3 s by default on both).
    // A SASL_SSL listener (SCRAM-SHA-512) beside PLAINTEXT for the TLS row (idle during the other phases).
    let tlsSetup: { keystore: string; ca: string } | null = null;
    let tlsSetupError: string | null = null;
    if (wanted.has('tls')) {
      try {
        tlsSetup = benchCertificate(workDir);
      } catch (err) {
        tlsSetupError = `no test certificate: ${(err as Error).message}`;
      }
    }
    const gateway: GatewayProcess = await startGatewayProcess({
      databaseUrl: postgres.url,
      command: options.kpgCommand,
      brokerConfigs: {
        'group.initial.rebalance.delay.ms': '0',
        ...(tlsSetup
          ? {
            listeners: 'PLAINTEXT://127.0.0.1:0,SASL_SSL://127.0.0.1:0',
            'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
            'ssl.keystore.type': 'PEM',
            'ssl.keystore.location': tlsSetup.keystore,
          }
          : {}),
      },
    });
    cleanup.push(gateway.stop);
    kpgTarget = {
      name: 'kpg',
      bootstrap: gateway.bootstrap,
      description: `kpg ${VERSION} (pid ${gateway.pid})`,
      brokerPid: gateway.pid,
      postgresPid: postgres.postmasterPid,
      apis: await advertisedApis(gateway.bootstrap),
      databaseUrl: postgres.url,
    };
    progress.note(`kpg: serving on ${gateway.bootstrap}; Postgres ${postgres.version ?? '?'} ${postgres.embedded ? '(embedded)' : ''}`);
    const kpg = kpgTarget;
    const probeClient = new pg.Client({ connectionString: postgres.url });
    probeClient.on('error', () => undefined);
    await probeClient.connect();
    cleanup.push(() => probeClient.end());
    const probe: StorageProbe = { client: probeClient, statStatements: postgres.statStatements };
    /** Set when kpg itself died: the phases after that are reported failed with this, not run. */
    let fatal: string | null = null;
    /** Runs a phase, turning anything it throws into the phase's error. */
    const phase = async (name: PhaseName, work: () => Promise<void>, enabled = wanted.has(name), needsKpg = true): Promise<void> => {
      if (!enabled) return;
      if (fatal === null || !needsKpg) {
        try {
          await work();
        } catch (err) {
          phases[name].status = 'failed';
          phases[name].error = (err as Error).message;
          progress.note(`  ${name} failed: ${(err as Error).message}`);
        }
        if (!gateway.running()) fatal = `kpg exited during the ${name} phase:\n${gateway.outputTail()}`;
      }
      if (fatal !== null && needsKpg && phases[name].status !== 'ok') {
        phases[name].status = 'failed';
        phases[name].error ??= fatal;
      }
    };

    await phase('idle', async () => {
      progress.note('Phase idle: queries and CPU while consumers wait on empty partitions');
      phases.idle = await runIdle({
        target: kpg, databaseUrl: postgres!.url, statStatements: postgres!.statStatements, consumers: sizes.idleConsumers,
        partitions: sizes.idlePartitions, settleSeconds: sizes.idleSettleSeconds, windowSeconds: sizes.idleWindowSeconds, progress,
      });
    });

    let peakRss: number | null = null;
    await phase('memory', async () => {
      progress.note('Phase memory: gateway RSS with idle connections (and under the produce load, below)');
      phases.memory = await runIdleConnections({ target: kpg, connections: sizes.idleConnections, progress });
    });

    const ceiling = new Map<string, CeilingRun>();
    /**
     * Ceiling runs are measured right before the runs they are the denominator of, so that both see the
     * same machine: on a shared machine the background load drifts within minutes.
     */
    const measureCeiling = (cases: CeilingCase[]): Promise<void> =>
      phase('ceiling', async () => {
        const runs = await runCeiling({
          databaseUrl: postgres!.url, postgresPid: postgres!.postmasterPid, cases, seconds: sizes.ceilingSeconds, progress,
        });
        for (const r of runs) ceiling.set(ceilingKey(r.record_size, r.writers, r.records_per_batch), r);
        phases.ceiling.runs.push(...runs);
        Object.assign(phases.ceiling, statusOf(phases.ceiling.runs));
      });

    const produceCases: ProduceCase[] = sizes.recordSizes.flatMap((recordSize) =>
      sizes.writerCounts.map((producers) => ({ recordSize, producers, recordsPerBatch: sizes.recordsPerBatch[recordSize] ?? 100 })),
    );
    const bestProduce1k = (target: TargetName): number | null => {
      const rates = phases.produce.runs.filter((r) => r.target === target && r.record_size === 1024 && r.mb_per_s !== null).map((r) => r.mb_per_s!);
      return rates.length > 0 ? Math.max(...rates) : null;
    };

    const targetPhases = async (target: Target, targetProbe: StorageProbe | null, include: (p: PhaseName) => boolean): Promise<void> => {
      if (include('produce')) {
        progress.note(
          target.name === 'kpg'
            ? 'Phases ceiling and produce (kpg), each produce run right after its ceiling run: acks=all, linger.ms=5, one partition per producer'
            : `Phase produce (${target.name}): acks=all, linger.ms=5, one partition per producer`,
        );
      }
      for (const c of produceCases) {
        if (target.name === 'kpg') await measureCeiling([{ recordSize: c.recordSize, writers: c.producers, recordsPerBatch: c.recordsPerBatch }]);
        await phase('produce', async () => {
          const runs = await runProduce({
            target, cases: [c], seconds: sizes.produceSeconds, ceiling, probe: targetProbe, progress,
            onRss: (bytes) => {
              if (target.name === 'kpg') peakRss = Math.max(peakRss ?? 0, bytes);
            },
          });
          phases.produce.runs.push(...runs);
          Object.assign(phases.produce, statusOf(phases.produce.runs));
        }, include('produce'), target.name === 'kpg');
      }
      await phase('consume', async () => {
        progress.note(`Phase consume (${target.name}): one consumer reading a backlog from the start`);
        const run = await runConsume({
          target, backlogBytes: sizes.backlogBytes, partitions: sizes.backlogPartitions,
          recordsPerBatch: sizes.recordsPerBatch[1024] ?? 100, produceMbPerS: bestProduce1k(target.name), probe: targetProbe, progress,
          firstKey: target.name === 'kpg' && wanted.has('console') ? CONSOLE_MARKER_KEY : undefined,
        });
        phases.consume.runs.push(run);
        Object.assign(phases.consume, statusOf(phases.consume.runs));
      }, include('consume'), target.name === 'kpg');
      await phase('latency', async () => {
        progress.note(`Phase latency (${target.name}): produce-to-receipt at fixed rates, long-poll consumer`);
        const runs = await runLatency({
          target, rates: sizes.latencyRates, seconds: sizes.latencySeconds, warmupSeconds: sizes.latencyWarmupSeconds,
          recordSize: sizes.latencyRecordSize, progress,
        });
        phases.latency.runs.push(...runs);
        Object.assign(phases.latency, statusOf(phases.latency.runs));
      }, include('latency'), target.name === 'kpg');
      await phase('rebalance', async () => {
        progress.note(`Phase rebalance (${target.name}): ${sizes.rebalanceMembers} members join, one leaves, one is killed`);
        const run = await runRebalance({
          target, members: sizes.rebalanceMembers, partitions: sizes.rebalancePartitions, sessionTimeoutMs: sizes.sessionTimeoutMs, progress,
        });
        phases.rebalance.runs.push(run);
        Object.assign(phases.rebalance, statusOf(phases.rebalance.runs));
      }, include('rebalance'), target.name === 'kpg');
    };

    await targetPhases(kpg, probe, (p) => wanted.has(p));
    if (wanted.has('produce') && wanted.has('memory')) {
      phases.memory.gateway_rss_mb_peak_under_produce = peakRss === null ? null : Math.round(peakRss / 1024 / 1024);
    }

    // The denominators of sql_produce: one record per transaction.
    if (wanted.has('sql_produce')) {
      await measureCeiling(sizes.sqlSessions.map((writers) => ({ recordSize: sizes.sqlRecordSize, writers, recordsPerBatch: 1 })));
    }
    await phase('sql_produce', async () => {
      progress.note('Phase sql_produce: kpg.produce called from SQL sessions');
      const { signature, runs } = await runSqlProduce({
        target: kpg, databaseUrl: postgres!.url, sessions: sizes.sqlSessions, seconds: sizes.sqlSeconds,
        recordSize: sizes.sqlRecordSize, ceiling, progress,
      });
      phases.sql_produce = { ...statusOf(runs), signature, runs };
    });

    await phase('tls', async () => {
      progress.note('Phase tls: produce and consume over the SASL_SSL listener (SCRAM-SHA-512) as a ratio of PLAINTEXT, same gateway, alternating');
      if (!tlsSetup || !gateway.listeners.SASL_SSL) throw new Error(tlsSetupError ?? 'the gateway has no SASL_SSL listener');
      const user = { name: 'kpg-bench', password: `bench-${Math.random().toString(36).slice(2)}` };
      addGatewayUser({ databaseUrl: postgres!.url, command: options.kpgCommand, ...user });
      const result = await runTls({
        plaintext: kpg, secure: { ...kpg, bootstrap: gateway.listeners.SASL_SSL }, caFile: tlsSetup.ca, user,
        producers: sizes.tlsProducers, seconds: sizes.tlsSeconds, checkpoint: () => checkpoint(probeClient), progress,
      });
      phases.tls = { ...statusOf(result.runs), ...result, kafka: null };
    });

    // Last of kpg's phases (with metrics and console): their gateways come and go, and acl's ACLs are in the database while it runs.
    await phase('acl', async () => {
      progress.note(`Phase acl: produce through a gateway checking ${sizes.aclCount} ACLs (StandardAuthorizer) as a ratio of one without an authorizer, alternating`);
      const result = await runAcl({
        databaseUrl: postgres!.url, postgresPid: postgres!.postmasterPid, command: options.kpgCommand, aclCount: sizes.aclCount,
        producers: sizes.aclProducers, seconds: sizes.aclSeconds, progress,
      });
      phases.acl = { ...statusOf(result.runs), ...result };
    });

    await phase('metrics', async () => {
      progress.note('Phase metrics: produce through a gateway whose /metrics is scraped every second as a ratio of one without a metrics port, alternating');
      const result = await runMetrics({
        databaseUrl: postgres!.url, postgresPid: postgres!.postmasterPid, command: options.kpgCommand,
        producers: sizes.metricsProducers, seconds: sizes.metricsSeconds, progress,
      });
      phases.metrics = { ...statusOf(result.runs), ...result };
    });

    await phase('console', async () => {
      // The consume phase's backlog is the large topic when it was written in this run.
      const consumed = phases.consume.runs.find((c) => c.target === 'kpg' && c.error === null);
      progress.note(
        `Phase console: the live tail's latency at ${sizes.consoleTailRates.join(' and ')} records/s, and the pages' API calls on ` +
          (consumed ? 'the consume phase\'s backlog' : `a topic of ${sizes.consoleTopicRecords} records`),
      );
      phases.console = await runConsole({
        databaseUrl: postgres!.url, postgresPid: postgres!.postmasterPid, command: options.kpgCommand,
        rates: sizes.consoleTailRates, seconds: sizes.consoleTailSeconds, warmupSeconds: sizes.consoleTailWarmupSeconds,
        backlog: consumed ? { topic: backlogTopic('kpg'), partitions: consumed.partitions } : null,
        topicRecords: sizes.consoleTopicRecords, topicPartitions: sizes.backlogPartitions, jsonRecords: sizes.consoleJsonRecords, progress,
      });
    });

    if (options.bootstrap || options.compareKafka) {
      if (options.compareKafka) {
        progress.note('Starting the reference Apache Kafka (compat/reference-kafka.sh)');
        // The TLS row is measured on Kafka too (a SASL_SSL listener on port + 2): what TLS costs a broker on
        // this machine with this load generator, beside what it costs kpg.
        const port = options.kafkaPort ?? (await freeAdjacentPorts(tlsSetup ? 3 : 2));
        const kafkaUser = { name: 'kpg-bench', password: `bench-${Math.random().toString(36).slice(2)}` };
        const kafka = await startReferenceKafka(port, tlsSetup ? { port: port + 2, keystore: tlsSetup.keystore, user: kafkaUser, dir: workDir } : undefined);
        cleanup.push(kafka.stop);
        if (kafka.saslSslBootstrap) kafkaTlsListener = { bootstrap: kafka.saslSslBootstrap, user: kafkaUser };
        kafkaTarget = {
          name: 'kafka', bootstrap: kafka.bootstrap, description: `Apache Kafka ${kafka.version} (reference broker, KRaft, pid ${kafka.pid ?? '?'})`,
          brokerPid: kafka.pid, postgresPid: null, apis: await advertisedApis(kafka.bootstrap),
        };
      } else {
        kafkaTarget = {
          name: 'kafka', bootstrap: options.bootstrap!, description: `Kafka at ${options.bootstrap} (--bootstrap)`,
          brokerPid: null, postgresPid: null, apis: await advertisedApis(options.bootstrap!),
        };
      }
      await targetPhases(kafkaTarget, null, (p) => wanted.has(p) && KAFKA_PHASES.includes(p));
      if (kafkaTlsListener && tlsSetup && wanted.has('tls')) {
        const kafka = kafkaTarget;
        progress.note('Phase tls on Kafka: the same runs over its SASL_SSL listener (SCRAM-SHA-512) and PLAINTEXT');
        try {
          const result = await runTls({
            plaintext: kafka, secure: { ...kafka, bootstrap: kafkaTlsListener.bootstrap }, caFile: tlsSetup.ca, user: kafkaTlsListener.user,
            producers: sizes.tlsProducers, seconds: sizes.tlsSeconds, checkpoint: async () => undefined, progress,
          });
          phases.tls.kafka = { ...statusOf(result.runs), ...result };
        } catch (err) {
          phases.tls.kafka = { status: 'failed', error: errorMessage(err), produce_ratio: null, consume_ratio: null, runs: [] };
        }
      }
    }
  } finally {
    for (const step of cleanup.reverse()) await step().catch(() => undefined);
  }

  const cpus = os.cpus();
  const result: BenchResult = {
    tool: 'kpg bench',
    kpg_version: VERSION,
    mode: options.sizes ? `${options.mode} (custom sizes)` : options.mode,
    started_at: startedAt.toISOString(),
    duration_s: Math.round((Date.now() - startedAt.getTime()) / 1000),
    machine: {
      cpus: cpus.length,
      cpu_model: cpus[0]?.model ?? 'unknown',
      memory_gb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
      load_average_at_start: loadAverageAtStart,
    },
    postgres: {
      version: postgres?.version ?? null,
      embedded: postgres?.embedded ?? !options.databaseUrl,
      settings: postgres?.settings ?? {},
      pg_stat_statements: postgres?.statStatements ?? false,
    },
    load_generator: loadgenVersion(),
    targets: {
      kpg: kpgTarget ? { bootstrap: kpgTarget.bootstrap, description: kpgTarget.description } : null,
      kafka: kafkaTarget ? { bootstrap: kafkaTarget.bootstrap, description: kafkaTarget.description } : null,
    },
    phases,
    checks: [],
  };
  result.checks = targetChecks(result);
  return result;
}
