/**
 * The Storage interface (../storage.ts) on PostgreSQL: one connection pool for every facet, one LISTEN
 * connection for the change notifications, and the relay that appends records produced from SQL by
 * REPEATABLE READ / SERIALIZABLE transactions (./sql-outbox-relay.ts).
 */
import { PgRecordSearch } from './record-search.js';
import pg from 'pg';
import type { Logger } from 'pino';
import { IGNORING_OBSERVER, type Storage, type StorageObserver } from '../storage.js';
import { componentLogger } from '../../logging.js';
import { PgAclStorage } from './acls.js';
import { PgClusterStorage } from './cluster.js';
import { PostgresGroupStore } from './group-store.js';
import { PgLogStorage } from './log.js';
import { schemaProblems } from './migrate.js';
import { PgNotifications } from './notifications.js';
import { PgQuotaStorage } from './quotas.js';
import { PgReclaimStorage } from './reclaim.js';
import { SqlOutboxRelay } from './sql-outbox-relay.js';
import { PgTopicStorage } from './topics.js';
import { PgUserStorage } from './users.js';

const INT8_OID = 20;

/** int8 columns come back as bigint instead of pg's default string (every pool the facets run on needs it). */
export const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => BigInt(v);
    return pg.types.getTypeParser(oid, format);
  },
};

export interface PgStorageOptions {
  connectionString: string;
  logger: Logger;
  /** Upper bound of pooled connections this gateway opens. */
  maxConnections?: number;
  /** Told of group commits and operation durations (the gateway's metrics). */
  observer?: StorageObserver;
}

export class PgStorage implements Storage {
  /** For tests that look at the database directly. */
  readonly pool: pg.Pool;
  readonly cluster: PgClusterStorage;
  readonly topics: PgTopicStorage;
  readonly log: PgLogStorage;
  readonly reclaim: PgReclaimStorage;
  readonly groups: PostgresGroupStore;
  readonly quotas: PgQuotaStorage;
  readonly users: PgUserStorage;
  readonly acls: PgAclStorage;
  readonly recordSearch: PgRecordSearch;
  readonly notifications: PgNotifications;
  private readonly sqlRelay: SqlOutboxRelay;
  /** The readiness check running now, if any. */
  private readinessCheck: Promise<string[]> | undefined;

  constructor(options: PgStorageOptions) {
    // The root logger: each part names its own component (a child of a child with the same key would
    // write the key twice on every line).
    const log = options.logger;
    const poolLog = componentLogger(log, 'store');
    this.pool = new pg.Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 20, application_name: 'kpg', types });
    // An idle pooled connection that dies (Postgres restart) must not crash the gateway.
    this.pool.on('error', (err) => poolLog.warn({ err }, 'idle Postgres connection failed'));
    const observer = options.observer ?? IGNORING_OBSERVER;
    this.cluster = new PgClusterStorage(this.pool, observer);
    this.topics = new PgTopicStorage(this.pool);
    this.log = new PgLogStorage(this.pool, componentLogger(log, 'records'), observer);
    this.reclaim = new PgReclaimStorage(this.pool);
    this.groups = new PostgresGroupStore(this.pool, componentLogger(log, 'group-store'), observer);
    this.quotas = new PgQuotaStorage(this.pool);
    this.users = new PgUserStorage(this.pool);
    this.acls = new PgAclStorage(this.pool);
    this.recordSearch = new PgRecordSearch(this.pool);
    this.notifications = new PgNotifications(options.connectionString, componentLogger(log, 'listen'));
    this.sqlRelay = new SqlOutboxRelay(this.pool, this.notifications, componentLogger(log, 'sql-relay'));
  }

  /** Opens the LISTEN connection (changes are heard from then on) and starts relaying SQL-produced records. */
  async start(): Promise<void> {
    await this.notifications.start();
    this.sqlRelay.start();
  }

  async readinessProblems(gateway: { nodeId: number; heartbeatTimeoutMs: number }, timeoutMs: number): Promise<string[]> {
    const problems: string[] = [];
    if (!this.notifications.listening) problems.push('the LISTEN/NOTIFY connection to Postgres is down (reconnecting)');
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    });
    // One pooled connection for the checks; a pool waiting for a free one counts against the timeout too.
    // Probes arriving while a check runs share it, so a hanging database never piles up pool waiters.
    const checks = (this.readinessCheck ??= (async () => {
      const client = await this.pool.connect();
      let failure: Error | undefined;
      try {
        return [...(await schemaProblems(client)), ...(await this.cluster.registrationProblems(gateway.nodeId, gateway.heartbeatTimeoutMs, client))];
      } catch (err) {
        failure = err as Error;
        throw err;
      } finally {
        // A connection that failed is dropped, not returned to the pool.
        client.release(failure);
      }
    })().finally(() => {
      this.readinessCheck = undefined;
    }));
    try {
      problems.push(...(await Promise.race([checks, timeout])));
    } catch (err) {
      checks.catch(() => undefined);
      problems.unshift(`Postgres is unreachable: ${(err as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    return problems;
  }

  poolUsage(): { total: number; idle: number; waiting: number } {
    return { total: this.pool.totalCount, idle: this.pool.idleCount, waiting: this.pool.waitingCount };
  }

  async close(): Promise<void> {
    await this.sqlRelay.stop();
    await this.notifications.stop();
    await this.pool.end();
  }
}
