/**
 * The cluster facet on Postgres: kpg.cluster, kpg.brokers (registration, heartbeat, liveness) and
 * kpg.broker_configs.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { IGNORING_OBSERVER, type StorageObserver } from '../storage.js';
import type { BrokerConfigRecord, ClusterStorage, ConfigChange, GatewayEndpoint, GatewayRecord } from '../cluster.js';
import { notifyChange } from './channels.js';
import { fromDbText, fromDbTextOrNull, toDbText } from './db-text.js';
import { timed } from './timed.js';
import { inTransaction } from './transaction.js';

/** Advisory lock keys (first key of the two-key form): "kpg" + a digit. */
const BROKER_REGISTRATION_LOCK = 0x6b706701;
const BROKER_CONFIG_LOCK = 0x6b706703;

export class PgClusterStorage implements ClusterStorage {
  private cachedClusterId: string | undefined;
  private cachedLogDir: string | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly observer: StorageObserver = IGNORING_OBSERVER,
  ) {}

  async clusterId(initialDefaults: ReadonlyMap<string, string> = new Map()): Promise<string> {
    if (this.cachedClusterId) return this.cachedClusterId;
    // Kafka cluster ids are a random UUID in url-safe base64 without padding: 22 characters.
    const candidate = randomBytes(16).toString('base64url');
    this.cachedClusterId = await inTransaction(this.pool, async (client) => {
      const created = await client.query('INSERT INTO kpg.cluster (singleton, cluster_id) VALUES (true, $1) ON CONFLICT DO NOTHING', [
        candidate,
      ]);
      if (created.rowCount === 1 && initialDefaults.size > 0) {
        // Only the transaction that created the cluster gets here; a default someone set already stays.
        await client.query('SELECT pg_advisory_xact_lock($1, -1)', [BROKER_CONFIG_LOCK]);
        await client.query(
          `INSERT INTO kpg.broker_configs (broker_id, name, value)
           SELECT -1, c.name, c.value FROM unnest($1::text[], $2::text[]) AS c(name, value)
           ON CONFLICT DO NOTHING`,
          [[...initialDefaults.keys()], [...initialDefaults.values()]],
        );
        await notifyChange(client, { event: 'brokerConfigChanged', args: [] });
      }
      const { rows } = await client.query<{ cluster_id: string }>('SELECT cluster_id FROM kpg.cluster');
      return rows[0]!.cluster_id;
    });
    return this.cachedClusterId;
  }

  async registerGateway(host: string, port: number, rack: string | null, preferredNodeId?: number, endpoints?: GatewayEndpoint[]): Promise<number> {
    const endpointsJson = endpoints ? JSON.stringify(endpoints) : null;
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [BROKER_REGISTRATION_LOCK]);
      const incarnation = randomUUID();
      const existing = await client.query<{ node_id: number }>(
        'SELECT node_id FROM kpg.brokers WHERE host = $1 AND port = $2',
        [host, port],
      );
      if (existing.rows.length > 0 && (preferredNodeId === undefined || existing.rows[0]!.node_id === preferredNodeId)) {
        const nodeId = existing.rows[0]!.node_id;
        await client.query(
          `UPDATE kpg.brokers SET rack = $2, incarnation = $3, started_at = now(), last_heartbeat = now(), endpoints = $4::jsonb
            WHERE node_id = $1`,
          [nodeId, rack, incarnation, endpointsJson],
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
        `INSERT INTO kpg.brokers (node_id, host, port, rack, incarnation, started_at, last_heartbeat, endpoints)
         VALUES ($1, $2, $3, $4, $5, now(), now(), $6::jsonb)
         ON CONFLICT (node_id) DO UPDATE
           SET host = excluded.host, port = excluded.port, rack = excluded.rack,
               incarnation = excluded.incarnation, started_at = now(), last_heartbeat = now(),
               endpoints = excluded.endpoints`,
        [nodeId, host, port, rack, incarnation, endpointsJson],
      );
      return nodeId;
    });
  }

  async heartbeat(nodeId: number): Promise<void> {
    await timed(this.observer, 'heartbeat', () => this.pool.query('UPDATE kpg.brokers SET last_heartbeat = now() WHERE node_id = $1', [nodeId]));
  }

  /** Problems of this gateway's registration: none when its row exists and heartbeat within the timeout. */
  async registrationProblems(nodeId: number, heartbeatTimeoutMs: number, db: pg.Pool | pg.PoolClient = this.pool): Promise<string[]> {
    const { rows } = await db.query<{ age_ms: number }>(
      `SELECT (extract(epoch FROM now() - last_heartbeat) * 1000)::float8 AS age_ms FROM kpg.brokers WHERE node_id = $1`,
      [nodeId],
    );
    if (rows.length === 0) return [`gateway ${nodeId} is not registered`];
    const ageMs = Math.round(rows[0]!.age_ms);
    if (ageMs > heartbeatTimeoutMs) return [`gateway ${nodeId}'s last heartbeat is ${ageMs} ms old (timeout ${heartbeatTimeoutMs} ms)`];
    return [];
  }

  async unregisterGateway(nodeId: number): Promise<void> {
    // The row stays so the address keeps its node id; an old heartbeat makes it count as gone.
    await this.pool.query(`UPDATE kpg.brokers SET last_heartbeat = 'epoch' WHERE node_id = $1`, [nodeId]);
  }

  async gateways(sessionTimeoutMs: number): Promise<GatewayRecord[]> {
    const { rows } = await this.pool.query<{
      node_id: number; host: string; port: number; rack: string | null; live: boolean; endpoints: GatewayEndpoint[] | null;
    }>(
      `SELECT node_id, host, port, rack, endpoints,
              last_heartbeat > now() - make_interval(secs => $1::double precision / 1000) AS live
         FROM kpg.brokers ORDER BY node_id`,
      [sessionTimeoutMs],
    );
    return rows.map((r) => ({ nodeId: r.node_id, host: r.host, port: r.port, rack: r.rack, live: r.live, endpoints: r.endpoints }));
  }

  async logDirName(): Promise<string> {
    if (this.cachedLogDir) return this.cachedLogDir;
    const { rows } = await this.pool.query<{ db: string }>('SELECT current_database() AS db');
    this.cachedLogDir = `postgres://${rows[0]!.db}/kpg`;
    return this.cachedLogDir;
  }

  async brokerConfigs(): Promise<BrokerConfigRecord[]> {
    const { rows } = await this.pool.query<{ broker_id: number; name: string; value: string | null }>(
      'SELECT broker_id, name, value FROM kpg.broker_configs ORDER BY broker_id, name',
    );
    // Names and values are client strings (custom broker configs take any), stored escaped (db-text.ts).
    return rows.map((r) => ({ brokerId: r.broker_id, name: fromDbText(r.name), value: fromDbTextOrNull(r.value) }));
  }

  async alterBrokerConfigs(brokerId: number, change: ConfigChange, validateOnly: boolean): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [BROKER_CONFIG_LOCK, brokerId]);
      const { rows } = await client.query<{ name: string; value: string | null }>(
        'SELECT name, value FROM kpg.broker_configs WHERE broker_id = $1',
        [brokerId],
      );
      const next = change(new Map(rows.filter((r) => r.value !== null).map((r) => [fromDbText(r.name), fromDbText(r.value!)])));
      if (validateOnly) return;
      await client.query('DELETE FROM kpg.broker_configs WHERE broker_id = $1', [brokerId]);
      if (next.size > 0) {
        await client.query(
          `INSERT INTO kpg.broker_configs (broker_id, name, value)
           SELECT $1, c.name, c.value FROM unnest($2::text[], $3::text[]) AS c(name, value)`,
          [brokerId, [...next.keys()].map(toDbText), [...next.values()].map(toDbText)],
        );
      }
      await notifyChange(client, { event: 'brokerConfigChanged', args: [] });
    });
  }
}
