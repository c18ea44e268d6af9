/**
 * The TLS row: produce and consume over the gateway's SASL_SSL listener (TLS, SCRAM-SHA-512 at connect)
 * as a ratio of its PLAINTEXT listener,
 * in the same run on the same gateway. PLAINTEXT and SASL_SSL runs alternate (twice each, in ABBA order) and each listener's
 * best run counts, so drift of a shared machine's load weighs on both alike. Each produce run writes
 * its own topic (producers on one partition each, 1 KB records, acks=all), which a consumer then reads
 * from the start over the same listener.
 */
import { Loadgen, runTogether } from '../loadgen.js';
import type { Progress } from '../progress.js';
import { errorMessage, rates, type TlsRun } from '../result.js';
import { createTopics, topicName, type Target } from '../targets.js';
import { producePartitions } from './produce.js';

const RECORD_SIZE = 1024;
const RECORDS_PER_BATCH = 100;

async function measure(admin: Target, target: Target, listener: string, clientConfig: Record<string, string>, producers: number, seconds: number, round: number, progress: Progress): Promise<TlsRun> {
  const run: TlsRun = {
    listener, producers, record_size: RECORD_SIZE, produce_mb_per_s: null, consume_mb_per_s: null, error: null,
  };
  const topic = topicName(`tls-${listener.toLowerCase()}-${round}`);
  const via: Target = { ...target, clientConfig };
  try {
    await createTopics(admin, [{ name: topic, partitions: producers }]);
    const step = progress.step(`tls: produce over ${listener} (round ${round})`, 0, 'records');
    const produced = await producePartitions({ target: via, topic, producers, recordSize: RECORD_SIZE, recordsPerBatch: RECORDS_PER_BATCH, seconds });
    if (produced.errors.length > 0) throw new Error(`produce over ${listener}: ${produced.errors.slice(0, 3).join('; ')}`);
    run.produce_mb_per_s = rates(produced.records, RECORD_SIZE, produced.seconds).mb_per_s;
    step.done(`${run.produce_mb_per_s} MB/s`);
    const gen = new Loadgen('consume', { bootstrap: via.bootstrap, topic, partitions: producers, timeout_s: 300, client_config: clientConfig });
    const [result] = await runTogether([gen]);
    const errors = (result!.errors as string[] | undefined) ?? [];
    if (errors.length > 0 && Number(result!.records) === 0) throw new Error(`consume over ${listener}: ${errors.join('; ')}`);
    run.consume_mb_per_s = rates(Number(result!.records), RECORD_SIZE, Number(result!.end) - Number(result!.start)).mb_per_s;
    progress.note(`  tls ${listener} round ${round}: produce ${run.produce_mb_per_s} MB/s, consume ${run.consume_mb_per_s} MB/s`);
  } catch (err) {
    run.error = errorMessage(err);
    progress.note(`  tls ${listener} failed: ${run.error}`);
  }
  return run;
}

export async function runTls(options: {
  plaintext: Target;
  /** The same gateway's SASL_SSL listener (SCRAM-SHA-512). */
  secure: Target;
  caFile: string;
  user: { name: string; password: string };
  producers: number;
  seconds: number;
  progress: Progress;
}): Promise<{ runs: TlsRun[]; produce_ratio: number | null; consume_ratio: number | null }> {
  const runs: TlsRun[] = [];
  const secureConfig = {
    'security.protocol': 'SASL_SSL',
    'ssl.ca.location': options.caFile,
    'sasl.mechanisms': 'SCRAM-SHA-512',
    'sasl.username': options.user.name,
    'sasl.password': options.user.password,
  };
  const plain = (round: number) => measure(options.plaintext, options.plaintext, 'PLAINTEXT', {}, options.producers, options.seconds, round, options.progress);
  const secure = (round: number) => measure(options.plaintext, options.secure, 'SASL_SSL', secureConfig, options.producers, options.seconds, round, options.progress);
  // ABBA order: neither listener always goes first on a warming machine.
  runs.push(await plain(1), await secure(1), await secure(2), await plain(2));
  const best = (listener: string, figure: 'produce_mb_per_s' | 'consume_mb_per_s'): number | null => {
    const values = runs.filter((r) => r.listener === listener && r[figure] !== null).map((r) => r[figure]!);
    return values.length > 0 ? Math.max(...values) : null;
  };
  const ratio = (figure: 'produce_mb_per_s' | 'consume_mb_per_s'): number | null => {
    const plain = best('PLAINTEXT', figure);
    const tls = best('SASL_SSL', figure);
    return plain && tls !== null ? Math.round((tls / plain) * 100) / 100 : null;
  };
  return { runs, produce_ratio: ratio('produce_mb_per_s'), consume_ratio: ratio('consume_mb_per_s') };
}
