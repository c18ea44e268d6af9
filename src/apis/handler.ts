/**
 * What an API handler is. Each file in src/apis serves one Kafka API over a version range; the
 * registry in ./registry.ts lists them, and ApiVersions advertises exactly that list.
 */
import type { Logger } from 'pino';
import type { ClusterView } from '../cluster/cluster-view.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { TopicConfigs } from '../config/topic-config.js';
import type { PartitionWatch } from '../fetch/partition-watch.js';
import type { FetchSessionCache } from '../fetch/sessions.js';
import type { GroupCoordinator } from '../groups/coordinator.js';
import type { TopicTrafficMetrics } from '../metrics/gateway-metrics.js';
import type { RequestHeader } from '../protocol/protocol.js';
import type { ClientQuotas } from '../quotas/client-quotas.js';
import type { AccessControl } from '../security/access-control.js';
import type { KafkaPrincipal } from '../security/principal.js';
import type { ConnectionAuthentication } from '../security/sasl/connection-authentication.js';
import type { SecurityProtocol } from '../security/security-protocol.js';
import type { LogStorage } from '../storage/log.js';
import type { UserStorage } from '../storage/users.js';
import type { TopicService } from '../topics/topic-service.js';

/** Who sent a request: what the connection and the client told us, and who it authenticated as. */
export interface ClientIdentity {
  /** The request header's client id. */
  clientId: string | null;
  /** Client software name and version from ApiVersions v3+, null until the client sent them. */
  softwareName: string | null;
  softwareVersion: string | null;
  /** The listener the connection arrived on, e.g. "PLAINTEXT" or "SASL_SSL" or a custom name. */
  listener: string;
  securityProtocol: SecurityProtocol;
  /** User:ANONYMOUS until authenticated (and always on PLAINTEXT listeners). */
  principal: KafkaPrincipal;
  address: string;
  port: number;
  connectionId: number;
}

/** The services of one gateway that handlers may use; one set per gateway, shared by every request. */
export interface GatewayServices {
  /** This gateway, the others, liveness, and dynamic broker config changes. */
  cluster: ClusterView;
  /** Effective broker configs. */
  config: BrokerConfig;
  /** Effective topic configs (cached), a topic's own configs, and altering them. */
  topicConfigs: TopicConfigs;
  /** Topic lookups (cached, or fresh when asked) and topic changes. */
  topics: TopicService;
  /** Partition logs: append (group commit), read, offsets, timestamps, DeleteRecords, sizes, producer ids. */
  records: LogStorage;
  /** Known high watermarks and the fetches waiting on them. */
  partitionWatch: PartitionWatch;
  fetchSessions: FetchSessionCache;
  /** Consumer groups and committed offsets (any gateway coordinates any group). */
  groups: GroupCoordinator;
  /** Authorization: may this client do this on that resource (ACLs, super.users). */
  access: AccessControl;
  /** Client quotas: their definitions (shared through Postgres) and this gateway's measured usage. */
  quotas: ClientQuotas;
  /** SASL users' SCRAM credentials (DescribeUserScramCredentials / AlterUserScramCredentials). */
  users: UserStorage;
  /** Per-topic traffic counters (Kafka's BrokerTopicMetrics): produce and fetch count what they move. */
  metrics: TopicTrafficMetrics;
}

/** What a handler gets: the request's identity and the gateway's services. */
export interface RequestContext extends GatewayServices {
  client: ClientIdentity;
  header: RequestHeader;
  /** The version the request was sent with (also in header). */
  apiVersion: number;
  log: Logger;
  /** The handlers this server serves (ApiVersions reads it). */
  handlers: ReadonlyMap<number, ApiHandler>;
  /** Aborted when the gateway shuts down: long polls answer at once. */
  shutdown: AbortSignal;
  /**
   * For pipelined handlers: resolves once the previous request on this connection has enqueued its
   * work (e.g. its append), so work is enqueued in request order even when handled concurrently.
   */
  previousDispatched: Promise<void>;
  /** A pipelined handler calls this once its work is enqueued; it is also called when it returns. */
  markDispatched: () => void;
  /** The connection's SASL exchange (SaslHandshake and SaslAuthenticate drive it; ctx.client.principal is its result). */
  authentication: ConnectionAuthentication;
}

export interface ApiHandler<Req = never, Res = unknown> {
  apiKey: number;
  name: string;
  /** Versions advertised in ApiVersions. */
  minVersion: number;
  maxVersion: number;
  /**
   * Whether consecutive requests of this API on one connection may be handled concurrently. Such a
   * handler must enqueue its effects only after `ctx.previousDispatched` and then call `ctx.markDispatched()`.
   */
  pipelined?: boolean;
  /** Returns the response body, or null when the request gets no response (Produce with acks=0). */
  handle(request: Req, ctx: RequestContext): Promise<Res | null>;
}

/** Keeps the request and response types of a handler file checked while the registry stores them uniformly. */
export function defineHandler<Req, Res>(handler: ApiHandler<Req, Res>): ApiHandler {
  return handler as unknown as ApiHandler;
}

/**
 * Thrown by a handler to close the client's connection without a response, as Kafka does to tell an
 * acks=0 producer that its request failed.
 */
export class CloseConnection extends Error {
  override name = 'CloseConnection';
}
