/**
 * Consumer lag as Prometheus metrics, under kafka_exporter's names and labels (so its dashboards and
 * alerts work unchanged), computed from Postgres at scrape time: one describeGroupLag() query per scrape,
 * shared by every gauge here. A failing query, or one slower than the timeout, leaves these series out of
 * that scrape (the rest of the registry is still served), is logged, and counts in kpg_lag_scrape_errors_total.
 *
 * Internal topics (__consumer_offsets) are included, as kafka_exporter includes them by default (its
 * --topic.filter is `.*`, --topic.exclude `^$`).
 */
import type { Logger } from 'pino';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { GroupLagSnapshot } from '../storage/groups.js';

/** Where the numbers come from: the group store (src/storage/groups.ts). */
export interface GroupLagSource {
  describeGroupLag(): Promise<GroupLagSnapshot>;
}

/** The metric names this module serves (the Grafana dashboard test checks against them). */
export const LAG_METRIC_NAMES = [
  'kafka_consumergroup_current_offset',
  'kafka_consumergroup_current_offset_sum',
  'kafka_consumergroup_lag',
  'kafka_consumergroup_lag_sum',
  'kafka_consumergroup_members',
  'kafka_topic_partitions',
  'kafka_topic_partition_current_offset',
  'kafka_topic_partition_oldest_offset',
  'kpg_lag_scrape_errors_total',
] as const;

/** Offsets past 2^53 lose precision as gauge values; Prometheus samples are doubles anyway. */
const asNumber = (n: bigint): number => Number(n);

/** Log end offset minus committed offset, never negative (a commit past the end, or a truncated log). */
export function partitionLag(committedOffset: bigint, logEndOffset: bigint): bigint {
  return logEndOffset > committedOffset ? logEndOffset - committedOffset : 0n;
}

export interface LagMetricsOptions {
  logger?: Logger;
  /** A scrape stops waiting for the lag query after this long (it counts as failed): Prometheus must not hang on it. */
  queryTimeoutMs?: number;
}

const DEFAULT_QUERY_TIMEOUT_MS = 5000;

/** Resolves like `work`, or rejects after `ms`. */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  work.catch(() => undefined); // a late failure after the timeout is not unhandled
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function registerLagMetrics(registry: Registry, source: GroupLagSource, options: LagMetricsOptions = {}): void {
  const { logger, queryTimeoutMs = DEFAULT_QUERY_TIMEOUT_MS } = options;
  // The scrape in progress: every collect() of one scrape starts in the same tick (prom-client collects
  // all metrics with Promise.all), so they share one query; the next scrape asks again. A query a scrape
  // gave up on (timeout) is not asked again while it runs: the next scrape waits for it instead, so a
  // hanging database never piles up queries in the pool.
  let query: Promise<GroupLagSnapshot> | null = null;
  let inFlight: Promise<GroupLagSnapshot | null> | null = null;
  let failures = 0;
  const snapshot = (): Promise<GroupLagSnapshot | null> => {
    if (inFlight) return inFlight;
    query ??= source.describeGroupLag().finally(() => {
      query = null;
    });
    inFlight = withTimeout(query, queryTimeoutMs)
      .then(
        (s) => s,
        (err: unknown) => {
          failures++;
          logger?.warn({ err }, 'consumer lag query failed; lag metrics left out of this scrape');
          return null;
        },
      )
      .finally(() => {
        inFlight = null;
      });
    return inFlight;
  };

  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, s: GroupLagSnapshot) => void): void => {
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        const s = await snapshot();
        // Series of groups, topics and partitions that are gone must not linger.
        this.reset();
        if (s) fill(this, s);
      },
    });
  };

  gauge('kafka_consumergroup_current_offset', 'Current Offset of a ConsumerGroup at Topic/Partition', ['consumergroup', 'topic', 'partition'], (g, s) => {
    for (const group of s.groups) {
      for (const o of group.offsets) g.set({ consumergroup: group.groupId, topic: o.topic, partition: String(o.partition) }, asNumber(o.committedOffset));
    }
  });
  gauge('kafka_consumergroup_current_offset_sum', 'Current Offset of a ConsumerGroup at Topic for all partitions', ['consumergroup', 'topic'], (g, s) => {
    for (const group of s.groups) {
      const byTopic = new Map<string, bigint>();
      for (const o of group.offsets) byTopic.set(o.topic, (byTopic.get(o.topic) ?? 0n) + o.committedOffset);
      for (const [topic, sum] of byTopic) g.set({ consumergroup: group.groupId, topic }, asNumber(sum));
    }
  });
  gauge('kafka_consumergroup_lag', 'Current Approximate Lag of a ConsumerGroup at Topic/Partition', ['consumergroup', 'topic', 'partition'], (g, s) => {
    for (const group of s.groups) {
      for (const o of group.offsets) {
        g.set({ consumergroup: group.groupId, topic: o.topic, partition: String(o.partition) }, asNumber(partitionLag(o.committedOffset, o.logEndOffset)));
      }
    }
  });
  gauge('kafka_consumergroup_lag_sum', 'Current Approximate Lag of a ConsumerGroup at Topic for all partitions', ['consumergroup', 'topic'], (g, s) => {
    for (const group of s.groups) {
      const byTopic = new Map<string, bigint>();
      for (const o of group.offsets) byTopic.set(o.topic, (byTopic.get(o.topic) ?? 0n) + partitionLag(o.committedOffset, o.logEndOffset));
      for (const [topic, lag] of byTopic) g.set({ consumergroup: group.groupId, topic }, asNumber(lag));
    }
  });
  gauge('kafka_consumergroup_members', 'Amount of members in a consumer group', ['consumergroup'], (g, s) => {
    for (const group of s.groups) g.set({ consumergroup: group.groupId }, group.members);
  });
  gauge('kafka_topic_partitions', 'Number of partitions for this Topic', ['topic'], (g, s) => {
    const counts = new Map<string, number>();
    for (const p of s.partitions) counts.set(p.topic, (counts.get(p.topic) ?? 0) + 1);
    for (const [topic, n] of counts) g.set({ topic }, n);
  });
  gauge('kafka_topic_partition_current_offset', 'Current Offset of a Broker at Topic/Partition', ['topic', 'partition'], (g, s) => {
    for (const p of s.partitions) g.set({ topic: p.topic, partition: String(p.partition) }, asNumber(p.logEndOffset));
  });
  gauge('kafka_topic_partition_oldest_offset', 'Oldest Offset of a Broker at Topic/Partition', ['topic', 'partition'], (g, s) => {
    for (const p of s.partitions) g.set({ topic: p.topic, partition: String(p.partition) }, asNumber(p.logStartOffset));
  });

  new Counter({
    name: 'kpg_lag_scrape_errors_total',
    help: 'Scrapes whose consumer lag query failed (their lag metrics were left out)',
    registers: [registry],
    async collect() {
      // Waits for this scrape's query, so a failure counts in the scrape it happened in.
      if (inFlight) await inFlight;
      this.reset();
      this.inc(failures);
    },
  });
}
