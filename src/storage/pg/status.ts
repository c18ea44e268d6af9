/**
 * The cluster overview of `kpg status` (../status.ts) on Postgres: kpg.cluster, kpg.brokers, the topics'
 * partitions and stored batch sizes, and Postgres's own size functions. Read in one REPEATABLE READ
 * snapshot so the numbers agree with each other.
 */
import type pg from 'pg';
import type { GatewayEndpoint } from '../cluster.js';
import type { ClusterStatus, ClusterStatusReader } from '../status.js';

export class PgClusterStatus implements ClusterStatusReader {
  constructor(private readonly pool: pg.Pool) {}

  async describeCluster(sessionTimeoutMs: number): Promise<ClusterStatus> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const cluster = await client.query<{ cluster_id: string }>('SELECT cluster_id FROM kpg.cluster');
      const gateways = await client.query<{
        node_id: number; host: string; port: number; rack: string | null; endpoints: GatewayEndpoint[] | null;
        started_at: Date; last_heartbeat: Date; heartbeat_age_ms: number; live: boolean;
      }>(
        `SELECT node_id, host, port, rack, endpoints, started_at, last_heartbeat,
                (extract(epoch from now() - last_heartbeat) * 1000)::float8 AS heartbeat_age_ms,
                last_heartbeat > now() - make_interval(secs => $1::double precision / 1000) AS live
           FROM kpg.brokers ORDER BY node_id`,
        [sessionTimeoutMs],
      );
      const postgres = await client.query<{ version: string; database: string; database_bytes: bigint; schema_bytes: bigint }>(
        `SELECT current_setting('server_version') AS version, current_database() AS database,
                pg_database_size(current_database()) AS database_bytes,
                (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
                   FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE n.nspname = 'kpg' AND c.relkind IN ('r', 'm', 'p')) AS schema_bytes`,
      );
      const topics = await client.query<{ name: string; is_internal: boolean; partitions: number; records: bigint; bytes: bigint }>(
        `SELECT t.name, t.is_internal,
                (SELECT count(*)::int FROM kpg.partitions p WHERE p.topic_id = t.topic_id) AS partitions,
                (SELECT coalesce(sum(p.next_offset - p.log_start_offset), 0)::bigint FROM kpg.partitions p WHERE p.topic_id = t.topic_id) AS records,
                (SELECT coalesce(sum(b.size_bytes), 0)::bigint FROM kpg.record_batches b WHERE b.topic_id = t.topic_id) AS bytes
           FROM kpg.topics t ORDER BY t.name`,
      );
      await client.query('COMMIT');
      const pgRow = postgres.rows[0]!;
      return {
        clusterId: cluster.rows[0]?.cluster_id ?? null,
        gateways: gateways.rows.map((r) => ({
          nodeId: r.node_id,
          endpoints: r.endpoints ?? [{ listener: 'PLAINTEXT', host: r.host, port: r.port, securityProtocol: 'PLAINTEXT' }],
          rack: r.rack,
          startedAt: r.started_at,
          lastHeartbeat: r.last_heartbeat,
          heartbeatAgeMs: r.heartbeat_age_ms,
          live: r.live,
        })),
        postgres: { version: pgRow.version, database: pgRow.database, databaseBytes: pgRow.database_bytes, kpgSchemaBytes: pgRow.schema_bytes },
        topics: topics.rows.map((r) => ({ topic: r.name, internal: r.is_internal, partitions: r.partitions, records: r.records, bytes: r.bytes })),
      };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }
}
