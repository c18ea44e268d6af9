/**
 * Phase 3, consume throughput: eight producers write a backlog of 1 KB records (1 GiB in the full run),
 * then one consumer (librdkafka, assigned every partition, no group) reads it all from the start.
 */
import { Loadgen, runTogether } from '../loadgen.js';
import { checkpoint, resetStatements, topStatements, type StorageProbe } from '../probe.js';
import { CpuMeter } from '../proc.js';
import type { Progress } from '../progress.js';
import { errorMessage, rates, type ConsumeRun } from '../result.js';
import { cpuGroups, createTopics, topicName, writeRecords, type Target } from '../targets.js';
import { producePartitions } from './produce.js';

const RECORD_SIZE = 1024;

/** The backlog's topic: kept after the phase, the console phase reads it again in the same run. */
export function backlogTopic(target: string): string {
  return topicName(`backlog-${target}`);
}

export async function runConsume(options: {
  target: Target;
  backlogBytes: number;
  partitions: number;
  recordsPerBatch: number;
  /** This target's best 1 KB produce rate, the denominator of ratio_to_produce. */
  produceMbPerS: number | null;
  probe: StorageProbe | null;
  progress: Progress;
  /** A key for one record written into partition 0 before the backlog (the console phase searches for it there). */
  firstKey?: string;
}): Promise<ConsumeRun> {
  const { target, partitions } = options;
  const run: ConsumeRun = {
    target: target.name, record_size: RECORD_SIZE, backlog_records: null, backlog_bytes: null, partitions, consumers: 1,
    fill_mb_per_s: null, duration_s: null, mb_per_s: null, records_per_s: null, ratio_to_produce: null, cpu_cores: null,
    top_statements: null, error: null,
  };
  const topic = backlogTopic(target.name);
  try {
    await createTopics(target, [{ name: topic, partitions }]);
    if (options.firstKey !== undefined) await writeRecords(target, { topic, partition: 0, records: 1, recordSize: RECORD_SIZE, firstKey: options.firstKey });
    const perProducer = Math.ceil(options.backlogBytes / RECORD_SIZE / partitions);
    const fillStep = options.progress.step(`consume ${target.name}: writing the backlog`, perProducer * partitions, 'records');
    const fill = await producePartitions({
      target, topic, producers: partitions, recordSize: RECORD_SIZE, recordsPerBatch: options.recordsPerBatch,
      recordsPerProducer: perProducer, onProgress: (n) => fillStep.update(n),
    });
    if (fill.errors.length > 0) throw new Error(`writing the backlog: ${fill.errors.slice(0, 3).join('; ')}`);
    run.fill_mb_per_s = rates(fill.records, RECORD_SIZE, fill.seconds).mb_per_s;
    fillStep.done(`${fill.records} records, ${run.fill_mb_per_s} MB/s`);

    const gen = new Loadgen('consume', { bootstrap: target.bootstrap, topic, partitions, timeout_s: 600 });
    let backlog = 0;
    gen.onEvent((e) => {
      if (e.event === 'backlog') backlog = Number(e.records);
    });
    const meter = new CpuMeter(cpuGroups(target, () => [gen.pid]));
    let step: ReturnType<Progress['step']> | undefined;
    const [result] = await runTogether([gen], {
      beforeGo: async () => {
        if (options.probe) {
          await checkpoint(options.probe.client);
          await resetStatements(options.probe);
        }
        step = options.progress.step(`consume ${target.name}: reading ${Math.round(fill.records * RECORD_SIZE / 1e6)} MB`, backlog, 'records');
        meter.start();
      },
      afterResults: () => {
        run.cpu_cores = meter.stop();
      },
      onProgress: (n) => step?.update(n),
    });
    const records = Number(result!.records);
    const seconds = Number(result!.end) - Number(result!.start);
    run.backlog_records = records;
    run.backlog_bytes = Number(result!.bytes);
    run.duration_s = Math.round(seconds * 100) / 100;
    Object.assign(run, rates(records, RECORD_SIZE, seconds));
    if (options.probe) run.top_statements = await topStatements(options.probe);
    if (options.produceMbPerS) run.ratio_to_produce = Math.round((run.mb_per_s! / options.produceMbPerS) * 100) / 100;
    step?.done(`${run.mb_per_s} MB/s, ${run.records_per_s} records/s`);
  } catch (err) {
    run.error = errorMessage(err);
    options.progress.note(`  consume ${target.name} failed: ${run.error}`);
  }
  return run;
}
