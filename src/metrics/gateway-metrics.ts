/**
 * One gateway's Prometheus metrics: its own prom-client Registry (tests run several gateways in one
 * process, so never the global default registry) and the metrics kpg records. Names follow what the
 * JMX exporter makes of Kafka's MBeans where Kafka has the metric (kafka_network_requestmetrics_*,
 * kafka_server_brokertopicmetrics_*), so existing Kafka dashboards find them; the rest are kpg_*.
 *
 * The hot paths (every request, every produced batch) increment label children cached in Maps, of the
 * lean families in ./families.ts (prom-client's own hash the labels on every call); gauges read at
 * scrape time are prom-client's.
 */
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { CounterFamily, HistogramFamily, type CounterChild, type HistogramChild } from './families.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { StorageObserver, StorageOperation } from '../storage/storage.js';

/** What produce and fetch handlers count (GatewayServices.metrics): traffic per topic, in Kafka's BrokerTopicMetrics terms. */
export interface TopicTrafficMetrics {
  /** A produce request appended `messages` records in `bytes` bytes of record batches to `topic`. */
  messagesIn(topic: string, messages: number, bytes: number): void;
  /** A fetch response carries `bytes` bytes of record batches of `topic`. */
  bytesOut(topic: string, bytes: number): void;
}

/** What scrapes read at collection time (pool counters, open connections, waiting fetches). */
export interface GatewayGauges {
  /** Open client connections per listener name. */
  connections(): ReadonlyMap<string, number>;
  fetchesWaiting(): number;
  postgresPool(): { total: number; idle: number; waiting: number };
}

const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

/** Kafka's error name for a code; codes kpg does not know by name keep their number. */
export function errorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `UNKNOWN_ERROR_CODE_${code}`;
}

/** Request latency buckets in milliseconds: sub-millisecond ApiVersions up to long-polling fetches. */
const REQUEST_MS_BUCKETS = [0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000];
const QUERY_SECONDS_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
const GROUP_COMMIT_REQUEST_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256];
const GROUP_COMMIT_RECORD_BUCKETS = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

interface TopicChildren {
  messagesIn: CounterChild;
  bytesIn: CounterChild;
  bytesOut: CounterChild;
}

export class GatewayMetrics implements TopicTrafficMetrics, StorageObserver {
  readonly registry = new Registry();
  private readonly requests: CounterFamily;
  private readonly errors: CounterFamily;
  private readonly requestMs: HistogramFamily;
  private readonly topicMessagesIn: CounterFamily;
  private readonly topicBytesIn: CounterFamily;
  private readonly topicBytesOut: CounterFamily;
  private readonly allTopics: TopicChildren;
  private readonly connectionsCreated: CounterFamily;
  private readonly groupCommitRequests: HistogramChild;
  private readonly groupCommitRecords: HistogramChild;
  private readonly queryDuration: HistogramFamily;

  /** Children per (api key, version), per (api key, error code), per api key, per topic, per operation, per listener. */
  private readonly requestChildren = new Map<number, CounterChild>();
  private readonly errorChildren = new Map<number, CounterChild>();
  private readonly latencyChildren = new Map<number, HistogramChild>();
  private readonly topicChildren = new Map<string, TopicChildren>();
  private readonly queryChildren = new Map<StorageOperation, HistogramChild>();
  private readonly connectionChildren = new Map<string, CounterChild>();
  private gauges: GatewayGauges | undefined;
  private defaultMetrics = false;

  constructor() {
    const registry = this.registry;
    this.requests = new CounterFamily(
      registry,
      'kafka_network_requestmetrics_requests_total',
      'Requests handled, by Kafka API name and request version (Kafka RequestMetrics RequestsPerSec).',
    );
    this.errors = new CounterFamily(
      registry,
      'kafka_network_requestmetrics_errors_total',
      'Error codes in responses, by API and Kafka error name, NONE included (Kafka RequestMetrics ErrorsPerSec).',
    );
    this.requestMs = new HistogramFamily(
      registry,
      'kafka_network_requestmetrics_totaltimems',
      'Milliseconds from the handler taking a request to its response being encoded, by API and version (Kafka RequestMetrics TotalTimeMs).',
      REQUEST_MS_BUCKETS,
    );
    this.topicMessagesIn = new CounterFamily(registry, 'kafka_server_brokertopicmetrics_messagesin_total', 'Records appended through this gateway, per topic; without a topic label: all topics.');
    this.topicBytesIn = new CounterFamily(registry, 'kafka_server_brokertopicmetrics_bytesin_total', 'Record batch bytes appended through this gateway, per topic; without a topic label: all topics.');
    this.topicBytesOut = new CounterFamily(registry, 'kafka_server_brokertopicmetrics_bytesout_total', 'Record batch bytes sent to fetching clients, per topic; without a topic label: all topics.');
    // Kafka's AllTopics: the same names without the topic label.
    this.allTopics = { messagesIn: this.topicMessagesIn.child(), bytesIn: this.topicBytesIn.child(), bytesOut: this.topicBytesOut.child() };
    this.connectionsCreated = new CounterFamily(registry, 'kpg_connections_created_total', 'Client connections accepted, per listener.');
    const metrics = this;
    new Gauge({
      name: 'kpg_connections',
      help: 'Open client connections, per listener.',
      labelNames: ['listener'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [listener, open] of metrics.gauges?.connections() ?? []) this.set({ listener }, open);
      },
    });
    new Gauge({
      name: 'kpg_fetch_waiting',
      help: 'Fetch requests waiting for records (long polls up to max.wait.ms).',
      registers: [registry],
      collect() {
        this.set(metrics.gauges?.fetchesWaiting() ?? 0);
      },
    });
    new Gauge({
      name: 'kpg_postgres_pool_connections',
      help: 'The gateway\'s Postgres pool: connections open (total), idle, and queries waiting for one.',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const pool = metrics.gauges?.postgresPool();
        if (!pool) return;
        this.set({ state: 'total' }, pool.total);
        this.set({ state: 'idle' }, pool.idle);
        this.set({ state: 'waiting' }, pool.waiting);
      },
    });
    this.groupCommitRequests = new HistogramFamily(
      registry,
      'kpg_append_group_commit_requests',
      'Produce requests carried by one Postgres append transaction (group commit).',
      GROUP_COMMIT_REQUEST_BUCKETS,
    ).child();
    this.groupCommitRecords = new HistogramFamily(
      registry,
      'kpg_append_group_commit_records',
      'Records carried by one Postgres append transaction (group commit).',
      GROUP_COMMIT_RECORD_BUCKETS,
    ).child();
    this.queryDuration = new HistogramFamily(
      registry,
      'kpg_postgres_query_duration_seconds',
      'Duration of the storage layer\'s main Postgres operations, by operation.',
      QUERY_SECONDS_BUCKETS,
    );
  }

  /** Where scrape-time gauges read from (the gateway's listeners, partition watch and pool). */
  readGaugesFrom(gauges: GatewayGauges): void {
    this.gauges = gauges;
  }

  /** Node.js process metrics (CPU, memory, event loop lag, GC) as kpg_*; only for a gateway that serves /metrics, since they keep timers. */
  collectProcessMetrics(): void {
    if (this.defaultMetrics) return;
    this.defaultMetrics = true;
    collectDefaultMetrics({ register: this.registry, prefix: 'kpg_' });
  }

  /** One request answered: counts it, its latency, and every error code its response carries. */
  requestHandled(apiKey: number, apiName: string, version: number, elapsedMs: number, response: unknown): void {
    const key = apiKey * 1024 + version;
    let requests = this.requestChildren.get(key);
    if (!requests) this.requestChildren.set(key, (requests = this.requests.child({ request: apiName, version: String(version) })));
    requests.inc();
    let latency = this.latencyChildren.get(key);
    if (!latency) this.latencyChildren.set(key, (latency = this.requestMs.child({ request: apiName, version: String(version) })));
    latency.observe(elapsedMs);
    if (response !== null && typeof response === 'object') this.countErrorCodes(apiKey, apiName, response, 0);
  }

  /** Walks a response for errorCode fields (top level, per topic, per partition); record bytes are skipped. */
  private countErrorCodes(apiKey: number, apiName: string, value: object, depth: number): void {
    if (depth > 6) return;
    if (Array.isArray(value)) {
      for (const item of value) if (item !== null && typeof item === 'object' && !ArrayBuffer.isView(item)) this.countErrorCodes(apiKey, apiName, item, depth + 1);
      return;
    }
    for (const field in value) {
      const v = (value as Record<string, unknown>)[field];
      if (field === 'errorCode') {
        if (typeof v === 'number') this.errorCounted(apiKey, apiName, v);
      } else if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v)) {
        this.countErrorCodes(apiKey, apiName, v, depth + 1);
      }
    }
  }

  private errorCounted(apiKey: number, apiName: string, code: number): void {
    // Error codes are 16-bit: one number keys (api, code).
    const key = apiKey * 65536 + (code & 0xffff);
    let child = this.errorChildren.get(key);
    if (!child) this.errorChildren.set(key, (child = this.errors.child({ request: apiName, error: errorName(code) })));
    child.inc();
  }

  messagesIn(topic: string, messages: number, bytes: number): void {
    const children = this.topic(topic);
    children.messagesIn.inc(messages);
    children.bytesIn.inc(bytes);
    this.allTopics.messagesIn.inc(messages);
    this.allTopics.bytesIn.inc(bytes);
  }

  bytesOut(topic: string, bytes: number): void {
    this.topic(topic).bytesOut.inc(bytes);
    this.allTopics.bytesOut.inc(bytes);
  }

  private topic(topic: string): TopicChildren {
    let children = this.topicChildren.get(topic);
    if (!children) {
      children = {
        messagesIn: this.topicMessagesIn.child({ topic }),
        bytesIn: this.topicBytesIn.child({ topic }),
        bytesOut: this.topicBytesOut.child({ topic }),
      };
      this.topicChildren.set(topic, children);
    }
    return children;
  }

  connectionAccepted(listener: string): void {
    let child = this.connectionChildren.get(listener);
    if (!child) this.connectionChildren.set(listener, (child = this.connectionsCreated.child({ listener })));
    child.inc();
  }

  groupCommitted(requests: number, records: number): void {
    this.groupCommitRequests.observe(requests);
    this.groupCommitRecords.observe(records);
  }

  queryTimed(operation: StorageOperation, seconds: number): void {
    let child = this.queryChildren.get(operation);
    if (!child) this.queryChildren.set(operation, (child = this.queryDuration.child({ operation })));
    child.observe(seconds);
  }
}
