/**
 * Reclaims storage nobody can read any more, in the background and in bounded chunks, so a topic of
 * many gigabytes never holds locks for long:
 *
 * - batches of deleted topics (record_batches deliberately has no foreign key to topics);
 * - whole batches below a partition's log start offset (DeleteRecords, retention); a batch straddling
 *   the log start stays until it is entirely below it;
 * - retention: for topics whose cleanup.policy includes "delete", the log start moves past batches
 *   whose records are all older than retention.ms, and past the oldest batches while the rest still
 *   holds at least retention.bytes (Kafka's segment rule, with batches as segments).
 *
 * Every gateway runs one; a session advisory lock lets only one of them work at a time. A pass runs
 * soon after a topic changes anywhere (topicChanged), after DeleteRecords on this gateway, and
 * periodically; retention is checked every log.retention.check.interval.ms, the first time 30 s after
 * startup (as Kafka waits log.initial.task.delay.ms).
 */
import type { Logger } from 'pino';
import { OFFSETS_TOPIC } from './offsets-topic.js';
import type { TopicService } from './topic-service.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { TopicConfigs } from '../config/topic-config.js';
import type { Storage } from '../storage/storage.js';

/** How often a pass runs even when nothing woke the reaper (a pass with nothing to do is a few index probes). */
const IDLE_PASS_INTERVAL_MS = 30_000;
/** Delay between a wake-up and its pass, so a burst of deletions is handled by one pass. */
const WAKE_DELAY_MS = 200;
/** Kafka's log.initial.task.delay.ms default. */
const INITIAL_RETENTION_DELAY_MS = 30_000;

export interface ReaperStats {
  /** False when another gateway held the reaper lock, so this pass did nothing. */
  ran: boolean;
  deletedTopicBatches: number;
  belowLogStartBatches: number;
  logStartsMoved: number;
}

export interface ReaperDeps {
  storage: Pick<Storage, 'reclaim' | 'log' | 'notifications'>;
  topicConfigs: TopicConfigs;
  config: BrokerConfig;
  log: Logger;
  /** Finds __consumer_offsets, whose records kpg keeps for offsets.retention.minutes (it does not compact). */
  topics?: Pick<TopicService, 'byNames'>;
}

export class StorageReaper {
  private timer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private running: Promise<ReaperStats> | undefined;
  private stopped = false;
  /** Like Kafka's log manager, the first retention check waits a little after startup (log.initial.task.delay.ms). */
  private nextRetentionCheck = Date.now() + INITIAL_RETENTION_DELAY_MS;
  private readonly onTopicChanged = (): void => this.wake();

  constructor(private readonly deps: ReaperDeps) {}

  start(): void {
    this.deps.storage.notifications.on('topicChanged', this.onTopicChanged);
    this.deps.storage.log.onLogStartMoved(() => this.wake());
    this.schedule(WAKE_DELAY_MS);
  }

  /** Asks for a pass soon (coalescing bursts). */
  wake(): void {
    if (this.stopped || this.wakeTimer) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = undefined;
      void this.runOnce().catch((err) => this.deps.log.warn({ err }, 'storage reaper pass failed'));
    }, WAKE_DELAY_MS);
    this.wakeTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.deps.storage.notifications.off('topicChanged', this.onTopicChanged);
    clearTimeout(this.timer);
    clearTimeout(this.wakeTimer);
    await this.running?.catch(() => undefined);
  }

  /**
   * Runs one pass now, after the one in progress if any. `retention` forces the retention check
   * regardless of log.retention.check.interval.ms.
   */
  async runOnce(options: { retention?: boolean } = {}): Promise<ReaperStats> {
    while (this.running) await this.running.catch(() => undefined);
    const pass = this.pass(options.retention === true).finally(() => {
      this.running = undefined;
      if (!this.stopped) this.schedule(IDLE_PASS_INTERVAL_MS);
    });
    this.running = pass;
    return pass;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.runOnce().catch((err) => this.deps.log.warn({ err }, 'storage reaper pass failed'));
    }, delayMs);
    this.timer.unref();
  }

  private async pass(forceRetention: boolean): Promise<ReaperStats> {
    const stats: ReaperStats = { ran: false, deletedTopicBatches: 0, belowLogStartBatches: 0, logStartsMoved: 0 };
    const { storage, config, log } = this.deps;
    const limit = config.int('kpg.reaper.batch.limit');
    stats.ran = await storage.reclaim.asReaper(async (reclaim) => {
      for (const topicId of await reclaim.orphanTopicIds(1000)) {
        let n: number;
        do {
          if (this.stopped) return;
          n = await reclaim.deleteOrphanBatches(topicId, limit);
          stats.deletedTopicBatches += n;
        } while (n > 0);
        log.info({ topicId }, 'reclaimed the storage of a deleted topic');
      }

      if (forceRetention || Date.now() >= this.nextRetentionCheck) {
        this.nextRetentionCheck = Date.now() + config.int('log.retention.check.interval.ms');
        const offsetsTopicId = (await this.deps.topics?.byNames([OFFSETS_TOPIC]))?.get(OFFSETS_TOPIC)?.topicId;
        for (const topicId of await reclaim.topicIds()) {
          if (this.stopped) return;
          const topicConfig = await this.deps.topicConfigs.get(topicId);
          // Kafka compacts __consumer_offsets; kpg, which does not compact, bounds it by time instead: records
          // older than offsets.retention.minutes go (the group tables stay the authority on committed offsets).
          const offsetsTopic = topicId === offsetsTopicId;
          if (!topicConfig.deleteEnabled && !offsetsTopic) continue;
          const retentionMs = offsetsTopic ? config.int('offsets.retention.minutes') * 60_000 : topicConfig.retentionMs;
          const byTime = retentionMs >= 0;
          const bySize = !offsetsTopic && topicConfig.retentionBytes >= 0;
          if (!byTime && !bySize) continue;
          const cutoff = BigInt(Date.now()) - BigInt(Math.min(retentionMs, Number.MAX_SAFE_INTEGER));
          for (const p of await reclaim.partitionsOf(topicId)) {
            let start = p.logStartOffset;
            if (byTime) {
              const t = await reclaim.timeRetentionStart(topicId, p.partition, cutoff);
              start = maxBig(start, t ?? p.nextOffset);
            }
            if (bySize) {
              const s = await reclaim.sizeRetentionStart(topicId, p.partition, start, BigInt(topicConfig.retentionBytes));
              if (s !== null) start = maxBig(start, s);
            }
            if (start > p.logStartOffset && (await reclaim.advanceLogStart(topicId, p.partition, start))) {
              stats.logStartsMoved++;
              log.info({ topicId, partition: p.partition, logStartOffset: start.toString() }, 'retention moved the log start offset');
            }
          }
        }
      }

      for (const p of await reclaim.partitionsWithBatchesBelowLogStart()) {
        let n: number;
        do {
          if (this.stopped) return;
          n = await reclaim.deleteBatchesBelow(p.topicId, p.partition, p.logStartOffset, limit);
          stats.belowLogStartBatches += n;
        } while (n > 0);
      }
    });
    return stats;
  }
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
