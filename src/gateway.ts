/**
 * Starting and stopping one gateway: Postgres (given or embedded), migrations, the storage and the
 * services handlers use, the gateway's registration and heartbeat, and the Kafka listeners (Kafka's
 * `listeners`, `advertised.listeners` and `listener.security.protocol.map` static broker configs; without
 * them one PLAINTEXT listener at host:port). `kpg serve` and the tests both use this.
 */
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { GatewayServices } from './apis/handler.js';
import { handlerRegistry } from './apis/registry.js';
import { ClusterView } from './cluster/cluster-view.js';
import { PartitionWatch } from './fetch/partition-watch.js';
import { FetchSessionCache } from './fetch/sessions.js';
import { GroupCoordinator } from './groups/coordinator.js';
import { BrokerConfig } from './config/broker-config.js';
import { TopicConfigs } from './config/topic-config.js';
import { KAFKA_CLUSTER_DEFAULTS } from './config/kafka-broker-configs.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded/postgres.js';
import type { ListenerSecurity } from './server/listener-security.js';
import { KafkaServer } from './server/server.js';
import { DEFAULT_PROTOCOL_MAP, endpointsToString, planListeners, singlePlaintextListener, type ListenerPlan } from './security/listeners.js';
import { createSaslAuthenticator } from './security/sasl/authenticator.js';
import { createOauthBearerSession } from './security/sasl/oauthbearer.js';
import { usesSasl, usesTls, type SecurityProtocol } from './security/security-protocol.js';
import { listenerSslConfigs, ListenerTls, loadTlsMaterial } from './security/tls.js';
import { ResourceError } from './apis/config-resources.js';
import { ErrorCode } from './protocol/error-codes.js';
import type { GatewayEndpoint } from './storage/cluster.js';
import type { UserStorage } from './storage/users.js';
import { applyMigrations } from './storage/pg/migrate.js';
import { PgStorage } from './storage/pg/storage.js';
import { StorageReaper } from './topics/reaper.js';
import { TopicService } from './topics/topic-service.js';
import { createAccessControl } from './security/acl-authorizer.js';
import { ClientQuotas } from './quotas/client-quotas.js';
import { VERSION } from './version.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { OpsServer } from './http/ops-server.js';
import { consoleRoutes } from './console/api/routes.js';
import { ConsoleAuthenticator } from './console/auth.js';
import { LagHistory } from './console/lag-history.js';
import { ConsoleServer } from './console/server.js';
import { PgClusterStatus } from './storage/pg/status.js';
import { registerLagMetrics } from './metrics/lag.js';

/** /readyz gives up on Postgres after this long. */
const READINESS_QUERY_TIMEOUT_MS = 2000;


export interface GatewayOptions {
  /** The one PLAINTEXT listener's address when the `listeners` broker config is not set. */
  host: string;
  port: number;
  advertisedHost?: string;
  advertisedPort?: number;
  /** Postgres to use; when absent an embedded Postgres runs with its data in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** Requested node id; by default the id this advertised address had before, or the lowest free one. */
  nodeId?: number;
  /** Static broker configs (Kafka names), e.g. from the command line. */
  brokerConfigs?: ReadonlyMap<string, string>;
  /** TCP port of the embedded Postgres (see EmbeddedPostgresOptions.port). */
  postgresPort?: number;
  /** The HTTP port of /metrics, /healthz and /readyz (0: a free one); no HTTP server without it. */
  metricsPort?: number;
  /** Address of that HTTP server; 127.0.0.1 by default. */
  metricsHost?: string;
  /** The HTTP port of the web console (0: a free one); no console without it. */
  consolePort?: number;
  /** Address of the console's HTTP server; 127.0.0.1 by default. */
  consoleHost?: string;
  /** How often the console samples each group's lag for its history (10 s by default). */
  consoleLagSampleIntervalMs?: number;
  logger: Logger;
}

/** A listener as bound: port 0 in the config is the free port it got here. */
export interface BoundListener {
  name: string;
  securityProtocol: SecurityProtocol;
  host: string;
  port: number;
  advertisedHost: string;
  advertisedPort: number;
}

export interface Gateway {
  readonly nodeId: number;
  /** The first listener's bound and advertised address (the gateway's identity). */
  readonly host: string;
  readonly port: number;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  /** Every listener, in `listeners` order. */
  readonly listeners: readonly BoundListener[];
  readonly databaseUrl: string;
  /** What request handlers get. */
  readonly services: GatewayServices;
  /** The Postgres storage beneath them (tests reach into it). */
  readonly storage: PgStorage;
  /** Background reclaiming of deleted topics, deleted records and retention (tests run passes directly). */
  readonly reaper: StorageReaper;
  /** This gateway's Prometheus metrics; `metrics.registry` is what /metrics serves. */
  readonly metrics: GatewayMetrics;
  /** Where /metrics, /healthz and /readyz are served, null without a metrics port. */
  readonly metricsAddress: { host: string; port: number } | null;
  /** Where the web console is served, null without a console port. */
  readonly consoleAddress: { host: string; port: number } | null;
  /** Why this gateway is not ready (what /readyz answers); empty when ready. */
  readinessProblems(): Promise<string[]>;
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.logger;
  // Listener configs are checked before anything starts.
  const plans = listenerPlans(options);
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.resolve(options.dataDir), port: options.postgresPort, logger: log });
    databaseUrl = embedded.connectionString;
  }
  const cleanup: (() => Promise<void>)[] = [];
  if (embedded) cleanup.push(() => embedded!.stop());
  // Steps run once, newest first; a second stop() (a signal during shutdown, a test's afterAll) waits for the first.
  let stopping: Promise<void> | undefined;
  const runCleanup = (): Promise<void> => {
    stopping ??= (async () => {
      const steps = cleanup.splice(0).reverse();
      for (const step of steps) await step().catch((err) => log.error({ err }, 'shutdown step failed'));
    })();
    return stopping;
  };

  try {
    await applyMigrations(databaseUrl);
    const metrics = new GatewayMetrics();
    const storage = new PgStorage({ connectionString: databaseUrl, logger: log, observer: metrics });
    cleanup.push(() => storage.close());
    await storage.start();

    let nodeId = -1;
    const config = new BrokerConfig(() => nodeId, options.brokerConfigs);
    // Before the gateway registers: a bad authorizer.class.name stops the start with nothing to undo.
    const access = await createAccessControl(config, storage.acls, storage.notifications, log.child({ component: 'authorizer' }));
    if (access.stop) cleanup.push(async () => access.stop!());
    const handlers = handlerRegistry();
    const servers: { plan: ListenerPlan; server: KafkaServer }[] = [];
    for (const plan of plans) {
      const { name, securityProtocol } = plan.bind;
      const listenerLog = log.child({ listener: name });
      const security: ListenerSecurity = {
        name,
        securityProtocol,
        sasl: usesSasl(securityProtocol) ? saslFor(name, config, storage.users, listenerLog) : null,
      };
      const tls = usesTls(securityProtocol) ? new ListenerTls(name, config, listenerLog) : undefined;
      const server = new KafkaServer({
        handlers,
        log,
        maxFrameBytes: config.int('socket.request.max.bytes'),
        listener: security,
        tls,
        onConnectionAccepted: (listener) => metrics.connectionAccepted(listener),
        requestMetrics: metrics,
      });
      servers.push({ plan, server });
      cleanup.push(() => server.close());
    }
    const listeners: BoundListener[] = [];
    for (const { plan, server } of servers) {
      const bound = await server.listen(plan.bind.host, plan.bind.port);
      listeners.push({
        name: plan.bind.name,
        securityProtocol: plan.bind.securityProtocol,
        host: bound.host,
        port: bound.port,
        advertisedHost: plan.advertised?.host || defaultAdvertisedHost(bound.host),
        // Port 0 advertised (as bound): the free port this listener got.
        advertisedPort: plan.advertised?.port || bound.port,
      });
    }
    const first = listeners[0]!;
    const bound = { host: first.host, port: first.port };
    const advertisedHost = first.advertisedHost;
    const advertisedPort = first.advertisedPort;
    const endpoints: GatewayEndpoint[] = listeners.map((l) => ({
      listener: l.name,
      host: l.advertisedHost,
      port: l.advertisedPort,
      securityProtocol: l.securityProtocol,
    }));
    nodeId = await storage.cluster.registerGateway(advertisedHost, advertisedPort, null, options.nodeId, endpoints);
    // A new cluster starts with the cluster-wide dynamic defaults a new Kafka 4.1 cluster writes.
    const clusterId = await storage.cluster.clusterId(KAFKA_CLUSTER_DEFAULTS);
    const { notifications } = storage;
    const cluster = new ClusterView(
      {
        nodeId,
        advertisedHost,
        advertisedPort,
        rack: null,
        endpoints,
        listenerConfigs: {
          listeners: endpointsToString(listeners),
          advertisedListeners: endpointsToString(endpoints.map((e) => ({ name: e.listener, host: e.host, port: e.port }))),
          protocolMap: options.brokerConfigs?.get('listener.security.protocol.map') ?? DEFAULT_PROTOCOL_MAP,
        },
      },
      clusterId,
      storage.cluster,
      config,
      notifications,
      log.child({ component: 'cluster' }),
    );
    await cluster.reloadBrokerConfigs();
    // A dynamic change of a listener's ssl.* configs (kafka-configs --alter) is tried first (unusable key
    // material is refused, as Kafka refuses it), then reloads the listener's key material.
    cluster.checkBrokerConfigChanges((next) => {
      for (const l of listeners) {
        if (!usesTls(l.securityProtocol)) continue;
        const sslConfigs = (c: BrokerConfig): string => JSON.stringify([...listenerSslConfigs(c, l.name)]);
        if (sslConfigs(next) === sslConfigs(config)) continue;
        try {
          loadTlsMaterial(next, l.name);
        } catch (err) {
          throw new ResourceError(ErrorCode.INVALID_REQUEST, `Validation of dynamic config update of listener ${l.name}'s SSL factory failed: ${(err as Error).message}`);
        }
      }
    });
    cluster.onBrokerConfigsReloaded(() => {
      for (const { server } of servers) server.reloadTls('broker config changed');
    });
    const topics = new TopicService(storage.topics, notifications);
    const topicConfigs = new TopicConfigs({ config, notifications, storage: storage.topics });
    const groups = new GroupCoordinator(storage.groups, notifications, config, topics, log.child({ component: 'groups' }));
    const partitionWatch = new PartitionWatch(notifications);
    const quotas = new ClientQuotas(storage.quotas, notifications, config, log.child({ component: 'quotas' }));
    await quotas.start();
    cleanup.push(async () => quotas.stop());
    const services: GatewayServices = {
      cluster,
      config,
      topicConfigs,
      topics,
      records: storage.log,
      partitionWatch,
      fetchSessions: new FetchSessionCache(() => config.int('max.incremental.fetch.session.cache.slots')),
      groups,
      access,
      quotas,
      users: storage.users,
      metrics,
    };
    metrics.readGaugesFrom({
      connections: () => {
        const open = new Map<string, number>();
        for (const { server } of servers) open.set(server.listenerName, (open.get(server.listenerName) ?? 0) + server.connectionCount);
        return open;
      },
      fetchesWaiting: () => partitionWatch.waitingFetches,
      postgresPool: () => storage.poolUsage(),
    });
    // Consumer lag is read from Postgres at scrape time (cluster-wide: every gateway reports the same).
    registerLagMetrics(metrics.registry, storage.groups, { logger: log.child({ component: 'metrics' }) });
    groups.start();
    cleanup.push(() => groups.stop());
    const reaper = new StorageReaper({ storage, topicConfigs, config, topics, log: log.child({ component: 'reaper' }) });
    reaper.start();
    cleanup.push(() => reaper.stop());

    const heartbeatTimer = setInterval(() => {
      storage.cluster.heartbeat(nodeId).catch((err) => log.warn({ err }, 'broker heartbeat failed'));
    }, config.int('broker.heartbeat.interval.ms'));
    heartbeatTimer.unref();
    cleanup.push(async () => {
      clearInterval(heartbeatTimer);
      await storage.cluster.unregisterGateway(nodeId);
    });

    const readinessProblems = (): Promise<string[]> =>
      storage.readinessProblems({ nodeId, heartbeatTimeoutMs: config.int('broker.session.timeout.ms') }, READINESS_QUERY_TIMEOUT_MS);
    let metricsAddress: { host: string; port: number } | null = null;
    if (options.metricsPort !== undefined) {
      metrics.collectProcessMetrics();
      const ops = new OpsServer({ registry: metrics.registry, readinessProblems, log: log.child({ component: 'http' }) });
      metricsAddress = await ops.listen(options.metricsHost ?? '127.0.0.1', options.metricsPort);
      cleanup.push(() => ops.close());
      const shown = metricsAddress.host.includes(':') ? `[${metricsAddress.host}]` : metricsAddress.host;
      log.info({ metrics: `http://${shown}:${metricsAddress.port}/metrics` }, `serving /metrics, /healthz and /readyz on http://${shown}:${metricsAddress.port}`);
    }

    let consoleAddress: { host: string; port: number } | null = null;
    if (options.consolePort !== undefined) {
      const lagHistory = new LagHistory({
        source: storage.groups,
        intervalMs: options.consoleLagSampleIntervalMs ?? 10_000,
        retentionMs: 60 * 60 * 1000,
        log: log.child({ component: 'console' }),
      });
      const consoleServer = new ConsoleServer({
        services,
        authenticator: new ConsoleAuthenticator(storage.users, listeners.some((l) => usesSasl(l.securityProtocol))),
        lagHistory,
        reads: {
          describeCluster: (sessionTimeoutMs) => new PgClusterStatus(storage.pool).describeCluster(sessionTimeoutMs),
          describeGroupLag: () => storage.groups.describeGroupLag(),
          searchRecords: (search) => storage.recordSearch.searchRecords(search),
        },
        routes: consoleRoutes(),
        log: log.child({ component: 'console' }),
      });
      consoleAddress = await consoleServer.listen(options.consoleHost ?? '127.0.0.1', options.consolePort);
      lagHistory.start();
      cleanup.push(async () => {
        await lagHistory.stop();
        await consoleServer.close();
      });
      const shown = consoleAddress.host.includes(':') ? `[${consoleAddress.host}]` : consoleAddress.host;
      log.info({ console: `http://${shown}:${consoleAddress.port}/` }, `serving the web console on http://${shown}:${consoleAddress.port}/`);
    }

    for (const { server } of servers) server.serve(services);
    log.info(
      {
        version: VERSION,
        listening: endpointsToString(listeners),
        advertised: endpointsToString(endpoints.map((e) => ({ name: e.listener, host: e.host, port: e.port }))),
        nodeId,
        clusterId,
        postgres: embedded ? `embedded (${embedded.dataDir}, port ${embedded.port})` : redactUrl(databaseUrl),
      },
      `kpg ${VERSION} serving Kafka on ${listeners.map((l) => `${l.host}:${l.port} (${l.name})`).join(', ')}`,
    );

    return {
      nodeId,
      host: bound.host,
      port: bound.port,
      advertisedHost,
      advertisedPort,
      listeners,
      databaseUrl,
      services,
      storage,
      reaper,
      metrics,
      metricsAddress,
      consoleAddress,
      readinessProblems,
      stop: runCleanup,
    };
  } catch (err) {
    await runCleanup();
    throw err;
  }
}

/**
 * The listeners to serve: the `listeners` broker config when given (with `advertised.listeners` and
 * `listener.security.protocol.map`), else one PLAINTEXT listener at options.host:port advertised as
 * options.advertisedHost:advertisedPort (kpg's behaviour before listeners were configurable).
 */
export function listenerPlans(options: Pick<GatewayOptions, 'host' | 'port' | 'advertisedHost' | 'advertisedPort' | 'brokerConfigs'>): ListenerPlan[] {
  const configs = options.brokerConfigs ?? new Map<string, string>();
  const legacyAdvertised = options.advertisedHost !== undefined || options.advertisedPort !== undefined;
  const plans = planListeners({
    listeners: configs.get('listeners') ?? singlePlaintextListener(options.host, options.port),
    advertisedListeners: configs.get('advertised.listeners') ?? null,
    protocolMap: configs.get('listener.security.protocol.map') ?? DEFAULT_PROTOCOL_MAP,
  });
  if (configs.has('listeners') || !legacyAdvertised) return plans;
  return [{ bind: plans[0]!.bind, advertised: { host: options.advertisedHost ?? '', port: options.advertisedPort ?? 0 } }];
}

/** A SASL listener's authenticator: sasl.enabled.mechanisms of the listener, users from Postgres. */
function saslFor(listener: string, config: BrokerConfig, users: UserStorage, log: Logger): ListenerSecurity['sasl'] {
  return createSaslAuthenticator({
    listener,
    config,
    users,
    log,
    oauthBearerSession: () => createOauthBearerSession({ listener, config, log }),
  });
}

/** Clients must reach the advertised address: a wildcard bind advertises the machine's name. */
function defaultAdvertisedHost(boundHost: string): string {
  if (boundHost === '0.0.0.0' || boundHost === '::') return os.hostname();
  return boundHost;
}

/** A database URL without its password, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres (unparseable URL)';
  }
}
