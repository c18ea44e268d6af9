/**
 * What the rows comparing two gateways share (acl, metrics): two fresh `kpg serve` processes on the same
 * Postgres, alike but for the feature measured; each produced topic led by the gateway it measures (the
 * gateways sharing a database are one cluster and producers follow the leader); the same produce load
 * (1 KB records in batches, acks=all, one partition per producer) on each: a warm-up run on each, not
 * counted, then ABBA order so that drift of a shared machine's load weighs on both alike; each gateway's
 * best run counts.
 */
import { startGatewayProcess, type GatewayProcess } from '../environment.js';
import { CpuMeter } from '../proc.js';
import type { Progress } from '../progress.js';
import { errorMessage, rates } from '../result.js';
import { createTopics, topicName, type Target } from '../targets.js';
import { advertisedApis } from '../wire.js';
import { producePartitions } from './produce.js';

export const PAIR_RECORD_SIZE = 1024;
export const PAIR_RECORDS_PER_BATCH = 100;

/** The figures every run of a gateway pair has; a row adds its own. */
export interface PairRun<Side extends string> {
  gateway: Side;
  producers: number;
  record_size: number;
  records_per_batch: number;
  produce_mb_per_s: number | null;
  /** The gateway's CPU milliseconds per MB produced: a per-request cost shows here even when Postgres sets the rate. */
  broker_cpu_ms_per_mb: number | null;
  error: string | null;
}

/** One of the two gateways: how it is started and named. */
export interface PairSide<Side extends string> {
  side: Side;
  /** For the progress lines and errors, e.g. "with ACLs". */
  label: string;
  brokerConfigs?: Record<string, string>;
  metricsPort?: number;
  /** The target's description, given the started gateway. */
  describe(gateway: GatewayProcess): string;
}

export interface PairGateway {
  process: GatewayProcess;
  target: Target;
}

/**
 * Work wrapped around each run's measured window (after the load generators connected, until their
 * results are in): its figures go into the run; an error it reports fails the run.
 */
export interface RunCompanion<Extra extends object> {
  start(): void;
  stop(): Promise<{ figures: Extra; error: string | null }>;
}

export interface PairOptions<Side extends string, Extra extends object> {
  /** The row's name: progress lines and topic names (`<phase>-<side>-<round>`). */
  phase: string;
  databaseUrl: string;
  postgresPid: number | null;
  /** How to run `kpg`. */
  command?: readonly string[];
  /** The gateway with the feature measured, and the one without (the denominator). */
  measured: PairSide<Side>;
  baseline: PairSide<Side>;
  producers: number;
  seconds: number;
  progress: Progress;
  /** The row's own figures of a run, before it is measured (nulls, zeros). */
  emptyFigures: () => Extra;
  /** Runs once both gateways serve and the produced topics exist: a row proves its gateways differ as claimed. */
  prepare?: (gateways: Record<'measured' | 'baseline', PairGateway>) => Promise<void>;
  companion?: (side: Side, gateway: PairGateway) => RunCompanion<Partial<Extra>> | undefined;
}

export interface PairResult<Side extends string, Extra extends object> {
  /** The counted runs (the warm-ups left out), in ABBA order: baseline, measured, measured, baseline. */
  runs: (PairRun<Side> & Extra)[];
  /** Each gateway's best counted produce MB/s. */
  best: Record<'measured' | 'baseline', number | null>;
  /** measured / baseline of the best runs, unrounded. */
  ratio: number | null;
}

/** The topic a pair's gateway `side` produces to in `round` (0: the warm-up), led by that gateway. */
export function pairTopic(phase: string, side: string, round: number): string {
  return topicName(`${phase}-${side}-${round}`);
}

export async function compareGatewayPair<Side extends string, Extra extends object>(options: PairOptions<Side, Extra>): Promise<PairResult<Side, Extra>> {
  const { measured, baseline } = options;
  const sides = [measured, baseline];
  const started: GatewayProcess[] = [];
  try {
    // Each one is stopped in `finally` as soon as it runs, even if the other fails to start.
    const start = async (side: PairSide<Side>): Promise<PairGateway> => {
      const serving = await startGatewayProcess({
        databaseUrl: options.databaseUrl, command: options.command, brokerConfigs: side.brokerConfigs, metricsPort: side.metricsPort,
      });
      started.push(serving);
      const target: Target = {
        name: 'kpg', bootstrap: serving.bootstrap, description: side.describe(serving), brokerPid: serving.pid,
        postgresPid: options.postgresPid, apis: await advertisedApis(serving.bootstrap), databaseUrl: options.databaseUrl,
      };
      return { process: serving, target };
    };
    const [measuredGateway, baselineGateway] = await Promise.all(sides.map(start));
    const gateways = { measured: measuredGateway!, baseline: baselineGateway! };
    if (gateways.measured.process.nodeId === null || gateways.baseline.process.nodeId === null) {
      throw new Error('a gateway did not print its node id at start-up');
    }
    const gatewayOf = (side: Side): PairGateway => (side === measured.side ? gateways.measured : gateways.baseline);
    const topic = (side: Side, round: number): string => pairTopic(options.phase, side, round);
    // Round 0 warms both gateways up (JIT, connections, Postgres caches) and is not counted. Created through
    // the baseline gateway, which has nothing that could refuse it (the ACL row's may not create).
    await createTopics(gateways.baseline.target, [0, 1, 2].flatMap((round) => sides.map((s) => ({
      name: topic(s.side, round), partitions: options.producers, leader: gatewayOf(s.side).process.nodeId!,
    }))));
    await options.prepare?.(gateways);

    const run = async (side: PairSide<Side>, round: number): Promise<PairRun<Side> & Extra> => {
      const result: PairRun<Side> & Extra = {
        gateway: side.side, producers: options.producers, record_size: PAIR_RECORD_SIZE, records_per_batch: PAIR_RECORDS_PER_BATCH,
        produce_mb_per_s: null, broker_cpu_ms_per_mb: null, ...options.emptyFigures(), error: null,
      };
      const label = `${side.label}${round === 0 ? ', warm-up' : ''}`;
      const gateway = gatewayOf(side.side);
      const companion = options.companion?.(side.side, gateway);
      let companionStarted = false;
      try {
        const step = options.progress.timed(`${options.phase}: produce ${label} (round ${round})`, options.seconds);
        const meter = new CpuMeter({ broker: () => [gateway.process.pid] });
        let brokerCores: number | null = null;
        const produced = await producePartitions({
          target: gateway.target, topic: topic(side.side, round), producers: options.producers, recordSize: PAIR_RECORD_SIZE,
          recordsPerBatch: PAIR_RECORDS_PER_BATCH, seconds: options.seconds,
          beforeGo: () => {
            meter.start();
            companion?.start();
            companionStarted = true;
          },
          afterResults: () => {
            brokerCores = meter.stop().broker ?? null;
          },
        });
        if (companion) {
          companionStarted = false;
          const { figures, error } = await companion.stop();
          Object.assign(result, figures);
          if (error !== null) throw new Error(error);
        }
        if (produced.errors.length > 0) throw new Error(`produce ${label}: ${produced.errors.slice(0, 3).join('; ')}`);
        result.produce_mb_per_s = rates(produced.records, PAIR_RECORD_SIZE, produced.seconds).mb_per_s;
        // The gateway's CPU per MB shows a per-request cost even where Postgres, not the gateway, sets the rate.
        if (brokerCores !== null && result.produce_mb_per_s > 0) result.broker_cpu_ms_per_mb = Math.round((brokerCores / result.produce_mb_per_s) * 1000);
        step.done(`${result.produce_mb_per_s} MB/s, gateway ${result.broker_cpu_ms_per_mb ?? '-'} CPU ms per MB`);
      } catch (err) {
        if (companion && companionStarted) await companion.stop().catch(() => undefined);
        result.error = errorMessage(err);
        options.progress.note(`  ${options.phase} ${label} round ${round} failed: ${result.error}`);
      }
      return result;
    };

    for (const warmup of [await run(baseline, 0), await run(measured, 0)]) {
      if (warmup.error) throw new Error(`warming up: ${warmup.error}`);
    }
    // ABBA order: neither gateway always goes first on a warming machine.
    const runs = [await run(baseline, 1), await run(measured, 1), await run(measured, 2), await run(baseline, 2)];
    const best = (side: Side): number | null => {
      const values = runs.filter((r) => r.gateway === side && r.produce_mb_per_s !== null).map((r) => r.produce_mb_per_s!);
      return values.length > 0 ? Math.max(...values) : null;
    };
    const measuredBest = best(measured.side);
    const baselineBest = best(baseline.side);
    return {
      runs,
      best: { measured: measuredBest, baseline: baselineBest },
      ratio: baselineBest && measuredBest !== null ? measuredBest / baselineBest : null,
    };
  } finally {
    await Promise.all(started.map((g) => g.stop()));
  }
}
