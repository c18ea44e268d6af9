/**
 * A read-only overview of the cluster as kept in Postgres, for `kpg status`: the gateways with their
 * liveness, the Postgres beneath, and how much each topic holds. (Groups and their lag come from the
 * group store's describeGroupLag(), ./groups.ts.)
 */
import type { GatewayEndpoint } from './cluster.js';

export interface GatewayStatus {
  nodeId: number;
  /** Every advertised listener (one PLAINTEXT listener at host:port for gateways registered before listeners). */
  endpoints: GatewayEndpoint[];
  rack: string | null;
  startedAt: Date;
  /** The epoch for a gateway that shut down (it unregistered). */
  lastHeartbeat: Date;
  /** How long ago the last heartbeat was, on Postgres's clock. */
  heartbeatAgeMs: number;
  /** Heartbeat within the session timeout asked about. */
  live: boolean;
}

export interface PostgresStatus {
  /** server_version, e.g. "17.2". */
  version: string;
  database: string;
  databaseBytes: bigint;
  /** Tables, indexes and TOAST of kpg's schema. */
  kpgSchemaBytes: bigint;
}

export interface TopicStatus {
  topic: string;
  internal: boolean;
  partitions: number;
  /** Offsets held: the sum over partitions of log end offset minus log start offset. */
  records: bigint;
  /** Record batch bytes as produced (the stored batches' sizes). */
  bytes: bigint;
}

export interface ClusterStatus {
  clusterId: string | null;
  gateways: GatewayStatus[];
  postgres: PostgresStatus;
  topics: TopicStatus[];
}

export interface ClusterStatusReader {
  describeCluster(sessionTimeoutMs: number): Promise<ClusterStatus>;
}
