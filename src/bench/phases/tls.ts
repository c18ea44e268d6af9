/**
 * The TLS row: produce and consume over a broker's SASL_SSL listener (TLS, SCRAM-SHA-512 at connect)
 * as a ratio of its PLAINTEXT listener, in the same run on the same broker: kpg's gateway, and with
 * --compare-kafka the reference Kafka too, so the row shows what TLS costs any broker on this machine.
 *
 * How the runs are kept comparable on a shared machine:
 * - round 0 on each listener warms up (JIT, TLS session setup, Postgres caches) and is not counted;
 * - a CHECKPOINT before each produce run, so no run pays for the previous one's dirty buffers (the
 *   first run on a fresh database was otherwise always the fastest, whatever its listener);
 * - rounds alternate in ABBA order so drift weighs on both alike, and each listener's best run counts;
 * - every consume run reads the same backlog (one topic filled over PLAINTEXT before the rounds), so a
 *   slower produce run does not also shrink the next consume run's backlog.
 * Each produce run writes its own topic (one partition per producer, 1 KB records, acks=all). The
 * broker's CPU per MB is reported beside each rate: what TLS costs the broker itself, whoever sets the
 * rate (on a small machine the load generator's own TLS work competes for the same cores).
 */
import { Loadgen, runTogether } from '../loadgen.js';
import { CpuMeter } from '../proc.js';
import type { Progress } from '../progress.js';
import { errorMessage, rates, type TlsRun } from '../result.js';
import { createTopics, topicName, type Target } from '../targets.js';
import { producePartitions } from './produce.js';

const RECORD_SIZE = 1024;
const RECORDS_PER_BATCH = 100;

interface Listener {
  name: 'PLAINTEXT' | 'SASL_SSL';
  target: Target;
}

interface Setup {
  admin: Target;
  producers: number;
  seconds: number;
  backlog: string;
  checkpoint: () => Promise<void>;
  progress: Progress;
}

function cpuMsPerMb(cores: number | null | undefined, mbPerS: number | null): number | null {
  return cores != null && mbPerS ? Math.round((cores / mbPerS) * 1000) : null;
}

async function measure(setup: Setup, listener: Listener, round: number): Promise<TlsRun> {
  const run: TlsRun = {
    listener: listener.name, round, producers: setup.producers, record_size: RECORD_SIZE,
    produce_mb_per_s: null, consume_mb_per_s: null, produce_broker_cpu_ms_per_mb: null, consume_broker_cpu_ms_per_mb: null, error: null,
  };
  const label = `${listener.name}${round === 0 ? ', warm-up' : ''}`;
  const topic = topicName(`tls-${listener.name.toLowerCase()}-${round}`);
  const meter = new CpuMeter({ broker: () => (listener.target.brokerPid ? [listener.target.brokerPid] : []) });
  try {
    await createTopics(setup.admin, [{ name: topic, partitions: setup.producers }]);
    await setup.checkpoint();
    const step = setup.progress.step(`tls: produce over ${label} (round ${round})`, 0, 'records');
    let produceCores: number | null = null;
    const produced = await producePartitions({
      target: listener.target, topic, producers: setup.producers, recordSize: RECORD_SIZE, recordsPerBatch: RECORDS_PER_BATCH, seconds: setup.seconds,
      beforeGo: () => meter.start(),
      afterResults: () => {
        produceCores = meter.stop().broker ?? null;
      },
    });
    if (produced.errors.length > 0) throw new Error(`produce over ${listener.name}: ${produced.errors.slice(0, 3).join('; ')}`);
    run.produce_mb_per_s = rates(produced.records, RECORD_SIZE, produced.seconds).mb_per_s;
    run.produce_broker_cpu_ms_per_mb = cpuMsPerMb(produceCores, run.produce_mb_per_s);
    step.done(`${run.produce_mb_per_s} MB/s`);

    const gen = new Loadgen('consume', {
      bootstrap: listener.target.bootstrap, topic: setup.backlog, partitions: setup.producers, timeout_s: 300,
      client_config: listener.target.clientConfig ?? {},
    });
    let consumeCores: number | null = null;
    const [result] = await runTogether([gen], {
      beforeGo: () => meter.start(),
      afterResults: () => {
        consumeCores = meter.stop().broker ?? null;
      },
    });
    const errors = (result!.errors as string[] | undefined) ?? [];
    if (errors.length > 0 && Number(result!.records) === 0) throw new Error(`consume over ${listener.name}: ${errors.join('; ')}`);
    run.consume_mb_per_s = rates(Number(result!.records), RECORD_SIZE, Number(result!.end) - Number(result!.start)).mb_per_s;
    run.consume_broker_cpu_ms_per_mb = cpuMsPerMb(consumeCores, run.consume_mb_per_s);
    setup.progress.note(
      `  tls ${label} round ${round}: produce ${run.produce_mb_per_s} MB/s (broker ${run.produce_broker_cpu_ms_per_mb ?? '-'} CPU ms/MB), ` +
        `consume ${run.consume_mb_per_s} MB/s (broker ${run.consume_broker_cpu_ms_per_mb ?? '-'} CPU ms/MB)`,
    );
  } catch (err) {
    run.error = errorMessage(err);
    setup.progress.note(`  tls ${label} round ${round} failed: ${run.error}`);
  }
  return run;
}

export async function runTls(options: {
  plaintext: Target;
  /** The same broker's SASL_SSL listener (SCRAM-SHA-512). */
  secure: Target;
  caFile: string;
  user: { name: string; password: string };
  producers: number;
  seconds: number;
  /** A CHECKPOINT of kpg's Postgres (best effort; nothing for Kafka). */
  checkpoint: () => Promise<void>;
  progress: Progress;
}): Promise<{ runs: TlsRun[]; produce_ratio: number | null; consume_ratio: number | null }> {
  const plain: Listener = { name: 'PLAINTEXT', target: { ...options.plaintext, clientConfig: {} } };
  const secure: Listener = {
    name: 'SASL_SSL',
    target: {
      ...options.secure,
      clientConfig: {
        'security.protocol': 'SASL_SSL',
        'ssl.ca.location': options.caFile,
        'sasl.mechanisms': 'SCRAM-SHA-512',
        'sasl.username': options.user.name,
        'sasl.password': options.user.password,
      },
    },
  };
  const backlog = topicName('tls-backlog');
  await createTopics(options.plaintext, [{ name: backlog, partitions: options.producers }]);
  const step = options.progress.step('tls: the consume backlog, over PLAINTEXT', 0, 'records');
  const filled = await producePartitions({
    target: plain.target, topic: backlog, producers: options.producers, recordSize: RECORD_SIZE, recordsPerBatch: RECORDS_PER_BATCH, seconds: options.seconds,
  });
  if (filled.errors.length > 0) throw new Error(`filling the consume backlog: ${filled.errors.slice(0, 3).join('; ')}`);
  step.done(`${filled.records} records`);

  const setup: Setup = { admin: options.plaintext, producers: options.producers, seconds: options.seconds, backlog, checkpoint: options.checkpoint, progress: options.progress };
  const runs: TlsRun[] = [await measure(setup, plain, 0), await measure(setup, secure, 0)];
  // ABBA order: neither listener always goes first on a warming machine.
  runs.push(await measure(setup, plain, 1), await measure(setup, secure, 1), await measure(setup, secure, 2), await measure(setup, plain, 2));
  const best = (listener: Listener['name'], figure: 'produce_mb_per_s' | 'consume_mb_per_s'): number | null => {
    const values = runs.filter((r) => r.round > 0 && r.listener === listener && r[figure] !== null).map((r) => r[figure]!);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const ratio = (figure: 'produce_mb_per_s' | 'consume_mb_per_s'): number | null => {
    const plainBest = best('PLAINTEXT', figure);
    const tlsBest = best('SASL_SSL', figure);
    return plainBest && tlsBest !== null ? Math.round((tlsBest / plainBest) * 100) / 100 : null;
  };
  return { runs, produce_ratio: ratio('produce_mb_per_s'), consume_ratio: ratio('consume_mb_per_s') };
}
