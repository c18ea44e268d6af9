/**
 * Phase 2, produce throughput: real producers (librdkafka), acks=all, batching as they do by default
 * (linger.ms=5) with batch.num.messages set to the ceiling's records per batch. Each producer writes its
 * own partition of a fresh topic, as each ceiling writer owns one partition.
 */
import { Loadgen, runTogether } from '../loadgen.js';
import { checkpoint, resetStatements, topStatements, type StorageProbe } from '../probe.js';
import { CpuMeter, RssPeak } from '../proc.js';
import type { Progress } from '../progress.js';
import { errorMessage, rates, type CeilingRun, type ProduceRun } from '../result.js';
import { cpuGroups, createTopics, topicName, type Target } from '../targets.js';
import { ceilingKey } from './ceiling.js';

export const PRODUCE_SETTINGS = {
  acks: 'all',
  'linger.ms': 5,
  compression: 'none',
  'enable.idempotence': false,
  client: 'librdkafka (confluent-kafka), one process per producer, one partition per producer',
};

export interface ProduceCase {
  recordSize: number;
  producers: number;
  recordsPerBatch: number;
}

async function averageBatchRecords(probe: StorageProbe, topic: string): Promise<number | null> {
  const { rows } = await probe.client.query<{ avg: number | null }>(
    `SELECT avg(rb.record_count)::float8 AS avg
       FROM kpg.record_batches rb JOIN kpg.topics t ON t.topic_id = rb.topic_id
      WHERE t.name = $1`,
    [topic],
  );
  return rows[0]?.avg == null ? null : Math.round(rows[0].avg * 10) / 10;
}

/** Runs `producers` load generators against one partition each; shared by the produce and consume phases. */
export async function producePartitions(options: {
  target: Target;
  topic: string;
  producers: number;
  recordSize: number;
  recordsPerBatch: number;
  seconds?: number;
  recordsPerProducer?: number;
  onProgress?: (records: number) => void;
  beforeGo?: () => void | Promise<void>;
  afterResults?: () => void;
  /** Filled with the load generators' pids (for a CPU meter). */
  loadPids?: number[];
}): Promise<{ records: number; seconds: number; errors: string[] }> {
  const gens = Array.from(
    { length: options.producers },
    (_, partition) =>
      new Loadgen('produce', {
        bootstrap: options.target.bootstrap,
        topic: options.topic,
        partition,
        record_size: options.recordSize,
        batch_records: options.recordsPerBatch,
        linger_ms: PRODUCE_SETTINGS['linger.ms'],
        duration_s: options.seconds ?? null,
        records: options.recordsPerProducer ?? null,
        ...(options.target.clientConfig ? { client_config: options.target.clientConfig } : {}),
      }),
  );
  options.loadPids?.push(...gens.map((g) => g.pid));
  const results = await runTogether(gens, {
    beforeGo: options.beforeGo,
    afterResults: options.afterResults,
    onProgress: options.onProgress,
  });
  const records = results.reduce((sum, r) => sum + Number(r.records), 0);
  const start = Math.min(...results.map((r) => Number(r.start)));
  const end = Math.max(...results.map((r) => Number(r.end)));
  const errors = results.flatMap((r) => (r.errors as string[]) ?? []);
  const unacknowledged = results.reduce((sum, r) => sum + Number(r.unacknowledged) + Number(r.failed), 0);
  if (unacknowledged > 0) errors.unshift(`${unacknowledged} records were not acknowledged`);
  return { records, seconds: end - start, errors };
}

export async function runProduce(options: {
  target: Target;
  cases: ProduceCase[];
  seconds: number;
  ceiling: ReadonlyMap<string, CeilingRun>;
  probe: StorageProbe | null;
  progress: Progress;
  /** Called with the broker's peak RSS of each run. */
  onRss?: (bytes: number) => void;
}): Promise<ProduceRun[]> {
  const { target } = options;
  const topics = options.cases.map((c) => ({ name: topicName(`produce-${c.recordSize}b-${c.producers}p-${target.name}`), partitions: c.producers }));
  const runs: ProduceRun[] = [];
  let setupError: string | null = null;
  try {
    await createTopics(target, topics);
  } catch (err) {
    setupError = errorMessage(err);
  }
  for (const [i, c] of options.cases.entries()) {
    const topic = topics[i]!.name;
    const ceiling = options.ceiling.get(ceilingKey(c.recordSize, c.producers, c.recordsPerBatch));
    const run: ProduceRun = {
      target: target.name, record_size: c.recordSize, producers: c.producers, records: null, duration_s: null,
      mb_per_s: null, records_per_s: null, ratio_to_ceiling: null, avg_records_per_batch: null,
      broker_rss_peak_mb: null, cpu_cores: null, top_statements: null, error: setupError,
    };
    runs.push(run);
    if (setupError) continue;
    const step = options.progress.timed(`produce ${target.name} ${c.recordSize} B, ${c.producers} producer(s)`, options.seconds);
    const loadPids: number[] = [];
    const meter = new CpuMeter(cpuGroups(target, () => loadPids));
    const rss = new RssPeak(target.brokerPid);
    try {
      const measured = await producePartitions({
        target, topic, producers: c.producers, recordSize: c.recordSize, recordsPerBatch: c.recordsPerBatch, seconds: options.seconds,
        loadPids,
        beforeGo: async () => {
          if (options.probe) {
            await checkpoint(options.probe.client);
            await resetStatements(options.probe);
          }
          meter.start();
          rss.start();
        },
        afterResults: () => {
          run.cpu_cores = meter.stop();
        },
      });
      const peak = rss.stop();
      if (peak !== null) {
        run.broker_rss_peak_mb = Math.round(peak / 1024 / 1024);
        options.onRss?.(peak);
      }
      if (measured.errors.length > 0 && measured.records === 0) throw new Error(measured.errors.join('; '));
      run.records = measured.records;
      run.duration_s = Math.round(measured.seconds * 100) / 100;
      Object.assign(run, rates(measured.records, c.recordSize, measured.seconds));
      if (ceiling?.records_per_s) run.ratio_to_ceiling = Math.round((run.records_per_s! / ceiling.records_per_s) * 1000) / 1000;
      if (measured.errors.length > 0) run.error = measured.errors.slice(0, 3).join('; ');
      if (options.probe) {
        run.top_statements = await topStatements(options.probe);
        run.avg_records_per_batch = await averageBatchRecords(options.probe, topic);
      }
      step.done(`${run.mb_per_s} MB/s, ${run.records_per_s} records/s, ${run.ratio_to_ceiling ?? '-'} of ceiling`);
    } catch (err) {
      rss.stop();
      run.error = errorMessage(err);
      step.done(`failed: ${run.error}`);
    }
  }
  return runs;
}
