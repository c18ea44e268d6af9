/**
 * The only code that speaks SQL. Every statement is parameterised; each Kafka operation that changes
 * more than one row runs in one transaction, so a failure never leaves half of it behind.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { BrokerRecord, Store, TopicRecord } from './store.js';
import { inTransaction } from './transaction.js';

const INT8_OID = 20;

/** int8 columns come back as bigint instead of pg's default string. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => BigInt(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** Arbitrary but fixed key that serialises node id claims across gateways. */
const BROKER_REGISTRATION_LOCK = 0x6b706701;

export interface PostgresStoreOptions {
  connectionString: string;
  logger: Logger;
  /** Upper bound of pooled connections this gateway opens. */
  maxConnections?: number;
  applicationName?: string;
}

export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  private readonly log: Logger;
  private cachedClusterId: string | undefined;

  constructor(options: PostgresStoreOptions) {
    this.log = options.logger;
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.maxConnections ?? 20,
      application_name: options.applicationName ?? 'kpg',
      types,
    });
    // An idle pooled connection that dies (Postgres restart) must not crash the gateway.
    this.pool.on('error', (err) => this.log.warn({ err }, 'idle Postgres connection failed'));
  }

  async clusterId(): Promise<string> {
    if (this.cachedClusterId) return this.cachedClusterId;
    // Kafka cluster ids are a random UUID in url-safe base64 without padding: 22 characters.
    const candidate = randomBytes(16).toString('base64url');
    await this.pool.query('INSERT INTO kpg.cluster (singleton, cluster_id) VALUES (true, $1) ON CONFLICT DO NOTHING', [
      candidate,
    ]);
    const { rows } = await this.pool.query<{ cluster_id: string }>('SELECT cluster_id FROM kpg.cluster');
    this.cachedClusterId = rows[0]!.cluster_id;
    return this.cachedClusterId;
  }

  async registerBroker(host: string, port: number, rack: string | null, preferredNodeId?: number): Promise<number> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [BROKER_REGISTRATION_LOCK]);
      const incarnation = randomUUID();
      const existing = await client.query<{ node_id: number }>(
        'SELECT node_id FROM kpg.brokers WHERE host = $1 AND port = $2',
        [host, port],
      );
      if (existing.rows.length > 0 && (preferredNodeId === undefined || existing.rows[0]!.node_id === preferredNodeId)) {
        const nodeId = existing.rows[0]!.node_id;
        await client.query(
          `UPDATE kpg.brokers SET rack = $2, incarnation = $3, started_at = now(), last_heartbeat = now()
            WHERE node_id = $1`,
          [nodeId, rack, incarnation],
        );
        return nodeId;
      }
      if (existing.rows.length > 0) {
        // The address moves to the explicitly requested node id.
        await client.query('DELETE FROM kpg.brokers WHERE host = $1 AND port = $2', [host, port]);
      }
      let nodeId: number;
      if (preferredNodeId !== undefined) {
        nodeId = preferredNodeId;
      } else {
        const free = await client.query<{ node_id: number }>(
          `SELECT min(n)::int AS node_id
             FROM generate_series(1, (SELECT coalesce(max(node_id), 0) + 1 FROM kpg.brokers)) AS n
            WHERE n NOT IN (SELECT node_id FROM kpg.brokers)`,
        );
        nodeId = free.rows[0]!.node_id;
      }
      await client.query(
        `INSERT INTO kpg.brokers (node_id, host, port, rack, incarnation, started_at, last_heartbeat)
         VALUES ($1, $2, $3, $4, $5, now(), now())
         ON CONFLICT (node_id) DO UPDATE
           SET host = excluded.host, port = excluded.port, rack = excluded.rack,
               incarnation = excluded.incarnation, started_at = now(), last_heartbeat = now()`,
        [nodeId, host, port, rack, incarnation],
      );
      return nodeId;
    });
  }

  async heartbeat(nodeId: number): Promise<void> {
    await this.pool.query('UPDATE kpg.brokers SET last_heartbeat = now() WHERE node_id = $1', [nodeId]);
  }

  async liveBrokers(sessionTimeoutMs: number): Promise<BrokerRecord[]> {
    const { rows } = await this.pool.query<{ node_id: number; host: string; port: number; rack: string | null }>(
      `SELECT node_id, host, port, rack FROM kpg.brokers
        WHERE last_heartbeat > now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY node_id`,
      [sessionTimeoutMs],
    );
    return rows.map((r) => ({ nodeId: r.node_id, host: r.host, port: r.port, rack: r.rack }));
  }

  async unregisterBroker(nodeId: number): Promise<void> {
    // The row stays so the address keeps its node id; an old heartbeat makes it count as gone.
    await this.pool.query(`UPDATE kpg.brokers SET last_heartbeat = 'epoch' WHERE node_id = $1`, [nodeId]);
  }

  async topics(names?: readonly string[]): Promise<TopicRecord[]> {
    if (names === undefined) return this.loadTopics('true', []);
    return this.loadTopics('t.name = ANY($1::text[])', [[...names]]);
  }

  async topicsById(ids: readonly string[]): Promise<TopicRecord[]> {
    return this.loadTopics('t.topic_id = ANY($1::uuid[])', [[...ids]]);
  }

  private async loadTopics(filter: string, params: unknown[]): Promise<TopicRecord[]> {
    const { rows } = await this.pool.query<{
      topic_id: string;
      name: string;
      is_internal: boolean;
      replication_factor: number;
      partition: number;
      leader_epoch: number;
      replicas: number[];
    }>(
      `SELECT t.topic_id, t.name, t.is_internal, t.replication_factor, p.partition, p.leader_epoch, p.replicas
         FROM kpg.topics t
         JOIN kpg.partitions p ON p.topic_id = t.topic_id
        WHERE ${filter}
        ORDER BY t.name, p.partition`,
      params,
    );
    const byId = new Map<string, TopicRecord>();
    for (const r of rows) {
      let topic = byId.get(r.topic_id);
      if (!topic) {
        topic = {
          topicId: r.topic_id,
          name: r.name,
          isInternal: r.is_internal,
          replicationFactor: r.replication_factor,
          partitions: [],
        };
        byId.set(r.topic_id, topic);
      }
      topic.partitions.push({ partition: r.partition, leaderEpoch: r.leader_epoch, replicas: r.replicas });
    }
    return [...byId.values()];
  }

  async brokerConfigs(): Promise<{ brokerId: number; name: string; value: string | null }[]> {
    const { rows } = await this.pool.query<{ broker_id: number; name: string; value: string | null }>(
      'SELECT broker_id, name, value FROM kpg.broker_configs ORDER BY broker_id, name',
    );
    return rows.map((r) => ({ brokerId: r.broker_id, name: r.name, value: r.value }));
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Runs `work` in one transaction on one pooled connection; rolls back on any error. */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }
}
