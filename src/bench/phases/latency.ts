/**
 * Phase 4, end-to-end latency at fixed rates: one producer paced at `rate` records/s (acks=all) and one
 * long-poll consumer in the same process, so one clock times each record from its produce() call to its
 * receipt by the consumer. Percentiles come from an HDR histogram (microsecond resolution).
 */
import * as hdr from 'hdr-histogram-js';
import { Loadgen, runTogether } from '../loadgen.js';
import type { Progress } from '../progress.js';
import { errorMessage, type LatencyRun } from '../result.js';
import { createTopics, topicName, type Target } from '../targets.js';

export const LATENCY_SETTINGS = {
  acks: 'all',
  // 1 ms, not 0: with linger.ms=0 librdkafka sends one request per record, and at 10000 records/s its
  // own queue (not the broker) then dominates the figure (measured: p50 ~400 ms against Apache Kafka).
  'linger.ms': 1,
  'fetch.wait.max.ms': 500,
  'fetch.min.bytes': 1,
  client: 'librdkafka (confluent-kafka): producer and consumer in one process',
};

function toMs(us: number): number {
  return Math.round(us) / 1000;
}

export async function runLatency(options: {
  target: Target;
  rates: number[];
  seconds: number;
  warmupSeconds: number;
  recordSize: number;
  progress: Progress;
}): Promise<LatencyRun[]> {
  const { target } = options;
  const topics = options.rates.map((rate) => ({ name: topicName(`latency-${rate}-${target.name}`), partitions: 1 }));
  let setupError: string | null = null;
  try {
    await createTopics(target, topics);
  } catch (err) {
    setupError = errorMessage(err);
  }
  const runs: LatencyRun[] = [];
  for (const [i, rate] of options.rates.entries()) {
    const run: LatencyRun = {
      target: target.name, rate, record_size: options.recordSize, sent: null, received: null, samples: null,
      p50_ms: null, p99_ms: null, p999_ms: null, max_ms: null, mean_ms: null, error: setupError,
    };
    runs.push(run);
    if (setupError) continue;
    const step = options.progress.timed(`latency ${target.name} at ${rate} records/s`, options.seconds);
    try {
      const gen = new Loadgen('latency', {
        bootstrap: target.bootstrap,
        topic: topics[i]!.name,
        rate,
        duration_s: options.seconds,
        warmup_s: options.warmupSeconds,
        record_size: options.recordSize,
        linger_ms: LATENCY_SETTINGS['linger.ms'],
        fetch_wait_max_ms: LATENCY_SETTINGS['fetch.wait.max.ms'],
      });
      const [result] = await runTogether([gen]);
      const latencies = result!.latencies_us as number[];
      run.sent = Number(result!.sent);
      run.received = Number(result!.received);
      run.samples = latencies.length;
      if (latencies.length === 0) throw new Error(`no record arrived (${run.received} of ${run.sent}); errors: ${JSON.stringify(result!.errors)}`);
      const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
      for (const us of latencies) histogram.recordValue(Math.max(1, us));
      run.p50_ms = toMs(histogram.getValueAtPercentile(50));
      run.p99_ms = toMs(histogram.getValueAtPercentile(99));
      run.p999_ms = toMs(histogram.getValueAtPercentile(99.9));
      run.max_ms = toMs(histogram.maxValue);
      run.mean_ms = toMs(histogram.mean);
      histogram.destroy();
      if (run.received < run.sent) run.error = `${run.sent - run.received} of ${run.sent} records never arrived`;
      step.done(`p50 ${run.p50_ms} ms, p99 ${run.p99_ms} ms, p99.9 ${run.p999_ms} ms`);
    } catch (err) {
      run.error = errorMessage(err);
      step.done(`failed: ${run.error}`);
    }
  }
  return runs;
}
