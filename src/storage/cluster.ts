/**
 * Storage of the cluster itself: its id, the gateways registered in it and their liveness, and the
 * dynamic broker configs every gateway shares.
 */

/** A registered gateway, and whether it heartbeat within the session timeout. */
export interface GatewayRecord {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  live: boolean;
}

/** One stored dynamic broker config; broker id -1 is the cluster-wide default. */
export interface BrokerConfigRecord {
  brokerId: number;
  name: string;
  value: string | null;
}

/** Computes a resource's new set of configs from its current one; throwing refuses the change (nothing is written). */
export type ConfigChange = (current: ReadonlyMap<string, string>) => ReadonlyMap<string, string>;

export interface ClusterStorage {
  /**
   * The cluster id, created on first use. The cluster's creation also stores `initialDefaults` as
   * cluster-wide dynamic broker configs (broker id -1), in the same transaction: once per cluster, so
   * later changes and deletions of them stay.
   */
  clusterId(initialDefaults?: ReadonlyMap<string, string>): Promise<string>;
  /**
   * Claims a node id for a gateway at host:port: the id this address had before, else the lowest free
   * one (or `preferredNodeId` when given).
   */
  registerGateway(host: string, port: number, rack: string | null, preferredNodeId?: number): Promise<number>;
  heartbeat(nodeId: number): Promise<void>;
  /** Marks a gateway as gone (graceful shutdown) so others stop listing it at once. */
  unregisterGateway(nodeId: number): Promise<void>;
  /** Every gateway that ever registered, ordered by node id, live when it heartbeat within the timeout. */
  gateways(sessionTimeoutMs: number): Promise<GatewayRecord[]>;
  /** The name of the one "log dir" every gateway stores into. */
  logDirName(): Promise<string>;

  brokerConfigs(): Promise<BrokerConfigRecord[]>;
  /**
   * Replaces the dynamic configs of one broker (-1: the cluster-wide default) with what `change` makes of
   * the current ones, atomically; every gateway hears of it (brokerConfigChanged) when it commits.
   */
  alterBrokerConfigs(brokerId: number, change: ConfigChange, validateOnly: boolean): Promise<void>;
}
