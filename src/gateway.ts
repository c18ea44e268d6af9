/**
 * Starting and stopping one gateway: Postgres (given or embedded), migrations, the broker's
 * registration and heartbeat, and the Kafka listener. `kpg serve` and the tests both use this.
 */
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { handlerRegistry } from './apis/registry.js';
import { GatewayBroker } from './broker.js';
import { PartitionWatch } from './fetch/partition-watch.js';
import { FetchSessionCache } from './fetch/sessions.js';
import { GroupCoordinator } from './groups/coordinator.js';
import { BrokerConfig } from './config/broker-config.js';
import { TopicConfigs } from './config/topic-config.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded/postgres.js';
import { KafkaServer } from './server/server.js';
import { applyMigrations } from './storage/pg/migrate.js';
import { Channel, Notifications } from './storage/notifications.js';
import { PostgresStore } from './storage/postgres-store.js';
import { AdminStore } from './storage/admin-store.js';
import { PostgresGroupStore } from './storage/pg/group-store.js';
import { StorageReaper } from './storage/reaper.js';
import { RecordStore } from './storage/record-store.js';
import { SqlOutboxRelay } from './storage/sql-outbox-relay.js';
import { TopicCache } from './topics/topic-cache.js';
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
  logger: Logger;
}

export interface Gateway {
  readonly nodeId: number;
  readonly host: string;
  readonly port: number;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly databaseUrl: string;
  readonly broker: GatewayBroker;
  readonly store: PostgresStore;
  /** Background reclaiming of deleted topics, deleted records and retention (tests run passes directly). */
  readonly reaper: StorageReaper;
  stop(): Promise<void>;
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const log = options.logger;
  let embedded: EmbeddedPostgres | undefined;
  let databaseUrl = options.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres({ dataDir: path.resolve(options.dataDir), logger: log.child({ component: 'postgres' }) });
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
    const store = new PostgresStore({ connectionString: databaseUrl, logger: log.child({ component: 'store' }) });
    cleanup.push(() => store.close());

    const notifications = new Notifications(databaseUrl, log.child({ component: 'listen' }));
    await notifications.start();
    cleanup.push(() => notifications.stop());

    let nodeId = -1;
    const config = new BrokerConfig(() => nodeId, options.brokerConfigs);
    const reloadBrokerConfigs = (): void => {
      store.brokerConfigs().then(
        (rows) => config.setDynamic(rows),
        (err) => log.warn({ err }, 'reloading dynamic broker configs failed'),
      );
    };
    // Dynamic broker configs altered on any gateway take effect here when their transaction commits.
    notifications.on('notification', (channel, payload) => {
      if (channel === Channel.config && payload === 'broker') reloadBrokerConfigs();
    });
    notifications.on('reconnected', reloadBrokerConfigs);

    const handlers = handlerRegistry();
    const server = new KafkaServer({ handlers, log, maxFrameBytes: config.int('socket.request.max.bytes') });
    const bound = await server.listen(options.host, options.port);
    cleanup.push(() => server.close());

    const advertisedHost = options.advertisedHost ?? defaultAdvertisedHost(bound.host);
    const advertisedPort = options.advertisedPort ?? bound.port;
    nodeId = await store.registerBroker(advertisedHost, advertisedPort, null, options.nodeId);
    config.setDynamic(await store.brokerConfigs());
    const clusterId = await store.clusterId();
    const admin = new AdminStore(store.pool, log.child({ component: 'admin' }));
    const topicCache = new TopicCache(store, notifications);
    const groupLog = log.child({ component: 'groups' });
    const groups = new GroupCoordinator(new PostgresGroupStore(store.pool, groupLog), notifications, config, topicCache, groupLog);
    const broker = new GatewayBroker(
      nodeId, advertisedHost, advertisedPort, null, clusterId, store, config, log, notifications,
      topicCache,
      new RecordStore(store.pool, log.child({ component: 'records' })),
      new PartitionWatch(notifications),
      new FetchSessionCache(() => config.int('max.incremental.fetch.session.cache.slots')),
      admin,
      new TopicConfigs({ config, notifications, loadOverrides: (topicId) => admin.topicOverrides(topicId) }),
      groups,
    );
    groups.start();
    cleanup.push(() => groups.stop());
    const reaper = new StorageReaper({ admin, topicConfigs: broker.topicConfigs, config, notifications, log: log.child({ component: 'reaper' }) });
    reaper.start();
    cleanup.push(() => reaper.stop());
    // Records produced from SQL by REPEATABLE READ / SERIALIZABLE transactions are appended here.
    const sqlRelay = new SqlOutboxRelay(store.pool, notifications, log.child({ component: 'sql-relay' }));
    sqlRelay.start();
    cleanup.push(() => sqlRelay.stop());

    const heartbeatTimer = setInterval(() => {
      store.heartbeat(nodeId).catch((err) => log.warn({ err }, 'broker heartbeat failed'));
    }, config.int('broker.heartbeat.interval.ms'));
    heartbeatTimer.unref();
    cleanup.push(async () => {
      clearInterval(heartbeatTimer);
      await store.unregisterBroker(nodeId);
    });

    server.serve(broker);
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
      broker,
      store,
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
