/**
 * Client quotas as a Kafka broker's ClientQuotaManagers enforce them: producer_byte_rate on Produce
 * request bytes, consumer_byte_rate on Fetch response bytes, request_percentage on the time the gateway
 * spends handling a client's requests. Quotas are looked up for the request's (user principal, client id)
 * by Kafka's eight-level precedence; a client over its quota gets throttle_time_ms and its channel muted.
 *
 * The definitions live in Postgres and are the same on every gateway (reloaded on `quotasChanged`); the
 * measured rates are this gateway's own, as a Kafka broker measures only its own traffic: a client spread
 * over N gateways may use up to N times its quota in total, as over N Kafka brokers.
 *
 * Stored but not enforced: controller_mutation_rate (KIP-599) and connection_creation_rate (ip entities).
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import { apiCodecs, encodeResponse } from '../protocol/protocol.js';
import type { KafkaPrincipal } from '../security/principal.js';
import type { ChangeNotifications } from '../storage/notifications.js';
import {
  QuotaEntityType,
  quotaEntityKey,
  type ClientQuotaEntry,
  type QuotaAlteration,
  type QuotaEntity,
  type QuotaStorage,
} from '../storage/quotas.js';
import { SampledRate } from './sampled-rate.js';

export const QuotaKey = {
  PRODUCER_BYTE_RATE: 'producer_byte_rate',
  CONSUMER_BYTE_RATE: 'consumer_byte_rate',
  REQUEST_PERCENTAGE: 'request_percentage',
  CONTROLLER_MUTATION_RATE: 'controller_mutation_rate',
  CONNECTION_CREATION_RATE: 'connection_creation_rate',
} as const;

type EnforcedQuota = typeof QuotaKey.PRODUCER_BYTE_RATE | typeof QuotaKey.CONSUMER_BYTE_RATE | typeof QuotaKey.REQUEST_PERCENTAGE;

const PRODUCE = 0;
const FETCH = 1;
/**
 * APIs whose handling time is not charged to request_percentage: the SASL exchange (before the client
 * is anyone), and the long polls, whose time is mostly waiting (Kafka parks those in a purgatory, off
 * its request threads).
 */
const NOT_TIMED = new Set([FETCH, 11 /* JoinGroup */, 14 /* SyncGroup */, 17 /* SaslHandshake */, 36 /* SaslAuthenticate */]);
/** Kafka drops a client's quota sensors after an hour without traffic. */
const SENSOR_IDLE_MS = 3_600_000;
/** Bound on cached quota lookups (one per quota key and user/client-id pair seen). */
const MAX_RESOLVED = 10_000;

/** Whom a request's usage is charged to. */
export interface QuotaSubject {
  principal: KafkaPrincipal;
  clientId: string | null;
}

/** What the connection tells the quota manager about one handled request. */
export interface RequestUsage {
  subject: QuotaSubject;
  apiKey: number;
  apiVersion: number;
  /** Size of the request frame. */
  requestBytes: number;
  /** Time spent handling the request. */
  handlingMs: number;
  request: unknown;
  /** The response body, null when none is sent (acks=0). */
  response: Record<string, unknown> | null;
}

export interface ThrottleDecision {
  /** The response to send (throttle_time_ms set; an empty one for a throttled Fetch), or null. */
  response: Record<string, unknown> | null;
  throttleMs: number;
}

interface Resolved {
  bound: number;
  /** Which sensor the usage counts on: the matched entity's user and client-id tags, as Kafka's metric tags. */
  sensorKey: string;
}

export class ClientQuotas {
  /** entity key → quota key → value */
  private definitions = new Map<string, Map<string, number>>();
  /** resolve() answers per quota key, user and client id, until the definitions change. */
  private readonly resolved = new Map<string, Resolved | null>();
  private readonly sensors = new Map<string, SampledRate>();
  private lastSweepMs = 0;
  private readonly reload = (): void => {
    this.load().catch((err) => this.log.warn({ err }, 'reloading client quotas failed'));
  };

  constructor(
    private readonly storage: QuotaStorage,
    private readonly notifications: ChangeNotifications,
    private readonly config: BrokerConfig,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.notifications.on('quotasChanged', this.reload);
    this.notifications.on('reconnected', this.reload);
    await this.load();
  }

  stop(): void {
    this.notifications.off('quotasChanged', this.reload);
    this.notifications.off('reconnected', this.reload);
  }

  /** Re-reads every definition from storage. */
  async load(): Promise<void> {
    const entries = await this.storage.allQuotas();
    this.definitions = new Map(entries.map((e) => [quotaEntityKey(e.entity), new Map(e.values)]));
    this.resolved.clear();
  }

  /** Every stored quota, read from Postgres (so a describe right after an alter on any gateway sees it). */
  describe(): Promise<ClientQuotaEntry[]> {
    return this.storage.allQuotas();
  }

  /** Stores validated alterations; every gateway reloads (this one at once). */
  async alter(alterations: readonly QuotaAlteration[]): Promise<void> {
    await this.storage.alterQuotas(alterations);
    await this.load();
  }

  /**
   * The quota of `quotaKey` that applies to the subject, by Kafka's precedence: user + client-id,
   * user + default client-id, user, default user + client-id, default user + default client-id, default
   * user, client-id, default client-id. Null when none is set.
   */
  resolve(quotaKey: string, subject: QuotaSubject): Resolved | null {
    const user = subject.principal.name;
    const clientId = subject.clientId ?? '';
    const cacheKey = `${quotaKey}\u0000${user}\u0000${clientId}`;
    const cached = this.resolved.get(cacheKey);
    if (cached !== undefined) return cached;
    const answer = this.lookUp(quotaKey, user, clientId);
    if (this.resolved.size >= MAX_RESOLVED) this.resolved.clear();
    this.resolved.set(cacheKey, answer);
    return answer;
  }

  private lookUp(quotaKey: string, user: string, clientId: string): Resolved | null {
    const U = QuotaEntityType.USER;
    const C = QuotaEntityType.CLIENT_ID;
    const levels: [QuotaEntity, string, string][] = [
      [[{ entityType: U, entityName: user }, { entityType: C, entityName: clientId }], user, clientId],
      [[{ entityType: U, entityName: user }, { entityType: C, entityName: null }], user, clientId],
      [[{ entityType: U, entityName: user }], user, ''],
      [[{ entityType: U, entityName: null }, { entityType: C, entityName: clientId }], user, clientId],
      [[{ entityType: U, entityName: null }, { entityType: C, entityName: null }], user, clientId],
      [[{ entityType: U, entityName: null }], user, ''],
      [[{ entityType: C, entityName: clientId }], '', clientId],
      [[{ entityType: C, entityName: null }], '', clientId],
    ];
    for (const [entity, userTag, clientTag] of levels) {
      const bound = this.definitions.get(quotaEntityKey(entity))?.get(quotaKey);
      if (bound !== undefined) return { bound, sensorKey: `${quotaKey}\u0000${userTag}\u0000${clientTag}` };
    }
    return null;
  }

  /**
   * Records `value` against the subject's quota and returns how long it must wait (0 when within it):
   * Kafka's (rate - bound) / bound x the span the rate is measured over, optionally capped.
   */
  recordAndGetThrottleMs(quota: EnforcedQuota, subject: QuotaSubject, value: number, nowMs: number, maxThrottleMs = Infinity): number {
    const resolved = this.resolve(quota, subject);
    if (!resolved) return 0;
    const rate = this.sensor(resolved.sensorKey, nowMs);
    rate.record(value, nowMs);
    const observed = rate.measure(nowMs);
    if (observed <= resolved.bound) return 0;
    const throttle = Math.round(((observed - resolved.bound) / resolved.bound) * rate.windowSize(nowMs));
    return Math.min(throttle, maxThrottleMs);
  }

  /**
   * The most a Fetch may return to the subject: what its consumer_byte_rate allows over the measured
   * span (bound x (quota.window.num - 1) x window), as Kafka caps fetch.max.bytes, so that one response
   * cannot overrun the quota by itself (a throttled fetch returns nothing and would be tried again).
   */
  maxFetchBytes(subject: QuotaSubject): number {
    const resolved = this.resolve(QuotaKey.CONSUMER_BYTE_RATE, subject);
    if (!resolved) return Number.MAX_SAFE_INTEGER;
    const span = (this.config.int('quota.window.num') - 1) * this.config.int('quota.window.size.seconds');
    return Math.min(Number.MAX_SAFE_INTEGER, Math.round(resolved.bound * span));
  }

  /** Takes back a recorded value (a throttled Fetch sends no records, so its bytes do not count). */
  unrecord(quota: EnforcedQuota, subject: QuotaSubject, value: number, nowMs: number): void {
    const resolved = this.resolve(quota, subject);
    if (resolved) this.sensor(resolved.sensorKey, nowMs).record(-value, nowMs);
  }

  /**
   * Charges one handled request to its client's quotas and decides its throttling, as KafkaApis does
   * when it sends a response: the larger of the bandwidth and the request-time throttle.
   */
  afterRequest(usage: RequestUsage): ThrottleDecision {
    const { subject, apiKey, apiVersion } = usage;
    let response = usage.response;
    if (this.definitions.size === 0) return { response, throttleMs: 0 };
    const now = Date.now();
    this.sweepIdleSensors(now);
    const windowMs = this.config.int('quota.window.size.seconds') * 1000;
    const requestThrottle = NOT_TIMED.has(apiKey)
      ? 0
      : this.recordAndGetThrottleMs(QuotaKey.REQUEST_PERCENTAGE, subject, usage.handlingMs / 10, now, windowMs);
    let bandwidthThrottle = 0;
    if (apiKey === PRODUCE) {
      bandwidthThrottle = this.recordAndGetThrottleMs(QuotaKey.PRODUCER_BYTE_RATE, subject, usage.requestBytes, now);
    } else if (apiKey === FETCH && response && this.resolve(QuotaKey.CONSUMER_BYTE_RATE, subject)) {
      const responseBytes = encodedSize(apiKey, apiVersion, response);
      bandwidthThrottle = this.recordAndGetThrottleMs(QuotaKey.CONSUMER_BYTE_RATE, subject, responseBytes, now);
      if (Math.max(bandwidthThrottle, requestThrottle) > 0) {
        // As Kafka: a throttled fetch returns no data (the client fetches it again after waiting).
        this.unrecord(QuotaKey.CONSUMER_BYTE_RATE, subject, responseBytes, now);
        response = throttledFetchResponse(usage.request as { sessionId: number; sessionEpoch: number });
      }
    }
    const throttleMs = Math.max(bandwidthThrottle, requestThrottle);
    if (throttleMs > 0 && response) {
      const own = typeof response['throttleTimeMs'] === 'number' ? response['throttleTimeMs'] : 0;
      response = { ...response, throttleTimeMs: Math.max(own, throttleMs) };
    }
    return { response, throttleMs };
  }

  private sensor(key: string, nowMs: number): SampledRate {
    let rate = this.sensors.get(key);
    if (!rate) {
      rate = new SampledRate(this.config.int('quota.window.num'), this.config.int('quota.window.size.seconds') * 1000);
      this.sensors.set(key, rate);
      rate.lastRecordMs = nowMs;
    }
    return rate;
  }

  private sweepIdleSensors(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = nowMs;
    for (const [key, rate] of this.sensors) if (nowMs - rate.lastRecordMs > SENSOR_IDLE_MS) this.sensors.delete(key);
  }
}

function encodedSize(apiKey: number, apiVersion: number, response: Record<string, unknown>): number {
  const codecs = apiCodecs(apiKey);
  if (!codecs) return 0;
  return encodeResponse(codecs.response, apiKey, apiVersion, 0, response).reduce((n, c) => n + c.length, 0);
}

/** Kafka's throttled fetch answer: no error, no partitions, the session kept only for an incremental fetch. */
function throttledFetchResponse(request: { sessionId: number; sessionEpoch: number }): Record<string, unknown> {
  const incremental = request.sessionId !== 0 && request.sessionEpoch > 0;
  return { throttleTimeMs: 0, errorCode: 0, sessionId: incremental ? request.sessionId : 0, responses: [], nodeEndpoints: [] };
}
