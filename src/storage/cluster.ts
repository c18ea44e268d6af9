/**
 * Storage of the cluster itself: its id, the gateways registered in it and their liveness, and the
 * dynamic broker configs every gateway shares.
 */

/** One advertised listener of a gateway: what clients arriving on listener `listener` are told. */
export interface GatewayEndpoint {
  listener: string;
  host: string;
  port: number;
  securityProtocol: string;
}

/**
 * A registered gateway, and whether it heartbeat within the session timeout. host and port are its first
 * advertised listener (its identity); `endpoints` every advertised listener, null for gateways registered
 * before listeners were configurable (one PLAINTEXT listener at host:port).
 */
export interface GatewayRecord {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  live: boolean;
  endpoints: GatewayEndpoint[] | null;
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
   * Claims a node id for a gateway at host:port (its first advertised listener): the id this address had
   * before, else the lowest free one (or `preferredNodeId` when given). Stores its advertised listeners.
   */
  registerGateway(host: string, port: number, rack: string | null, preferredNodeId?: number, endpoints?: GatewayEndpoint[]): Promise<number>;
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
