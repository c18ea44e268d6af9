/**
 * Starting and stopping one gateway: Postgres (given or embedded), migrations, the storage and the
 * services handlers use, the gateway's registration and heartbeat, and the Kafka listener. `kpg serve`
 * and the tests both use this.
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
import { PLAINTEXT_LISTENER } from './server/listener-security.js';
import { KafkaServer } from './server/server.js';
import { applyMigrations } from './storage/pg/migrate.js';
import { PgStorage } from './storage/pg/storage.js';
import { StorageReaper } from './topics/reaper.js';
import { TopicService } from './topics/topic-service.js';
import { createAccessControl } from './security/acl-authorizer.js';
import { VERSION } from './version.js';


export interface GatewayOptions {
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
  logger: Logger;
}

export interface Gateway {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly databaseUrl: string;
  /** What request handlers get. */
  readonly services: GatewayServices;
  /** The Postgres storage beneath them (tests reach into it). */
  readonly storage: PgStorage;
  /** Background reclaiming of deleted topics, deleted records and retention (tests run passes directly). */
  readonly reaper: StorageReaper;
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.logger;
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
    const storage = new PgStorage({ connectionString: databaseUrl, logger: log });
    cleanup.push(() => storage.close());
    await storage.start();

    let nodeId = -1;
    const config = new BrokerConfig(() => nodeId, options.brokerConfigs);
    // Before the gateway registers: a bad authorizer.class.name stops the start with nothing to undo.
    const access = await createAccessControl(config, storage.acls, storage.notifications, log.child({ component: 'authorizer' }));
    if (access.stop) cleanup.push(async () => access.stop!());
    const handlers = handlerRegistry();
    const server = new KafkaServer({ handlers, log, maxFrameBytes: config.int('socket.request.max.bytes'), listener: PLAINTEXT_LISTENER });
    const bound = await server.listen(options.host, options.port);
    cleanup.push(() => server.close());

    const advertisedHost = options.advertisedHost ?? defaultAdvertisedHost(bound.host);
    const advertisedPort = options.advertisedPort ?? bound.port;
    nodeId = await storage.cluster.registerGateway(advertisedHost, advertisedPort, null, options.nodeId);
    // A new cluster starts with the cluster-wide dynamic defaults a new Kafka 4.1 cluster writes.
    const clusterId = await storage.cluster.clusterId(KAFKA_CLUSTER_DEFAULTS);
    const { notifications } = storage;
    const cluster = new ClusterView(
      { nodeId, advertisedHost, advertisedPort, rack: null },
      clusterId,
      storage.cluster,
      config,
      notifications,
      log.child({ component: 'cluster' }),
    );
    await cluster.reloadBrokerConfigs();
    const topics = new TopicService(storage.topics, notifications);
    const topicConfigs = new TopicConfigs({ config, notifications, storage: storage.topics });
    const groups = new GroupCoordinator(storage.groups, notifications, config, topics, log.child({ component: 'groups' }));
    const services: GatewayServices = {
      cluster,
      config,
      topicConfigs,
      topics,
      records: storage.log,
      partitionWatch: new PartitionWatch(notifications),
      fetchSessions: new FetchSessionCache(() => config.int('max.incremental.fetch.session.cache.slots')),
      groups,
      access,
      users: storage.users,
    };
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

    server.serve(services);
    log.info(
      {
        version: VERSION,
        listening: `${bound.host}:${bound.port}`,
        advertised: `${advertisedHost}:${advertisedPort}`,
        nodeId,
        clusterId,
        postgres: embedded ? `embedded (${embedded.dataDir}, port ${embedded.port})` : redactUrl(databaseUrl),
      },
      `kpg ${VERSION} serving Kafka on ${bound.host}:${bound.port}`,
    );

    return {
      nodeId,
      host: bound.host,
      port: bound.port,
      advertisedHost,
      advertisedPort,
      databaseUrl,
      services,
      storage,
      reaper,
      stop: runCleanup,
    };
  } catch (err) {
    await runCleanup();
    throw err;
  }
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
