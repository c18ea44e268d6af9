/**
 * The storage boundary for brokers and topic metadata, named in Kafka's terms. Topic creation and the
 * other administrative writes are in ./admin-store.ts, records in ./record-store.ts, groups in
 * ./group-store.ts; only src/storage speaks SQL.
 */

export interface BrokerRecord {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface PartitionRecord {
  partition: number;
  leaderEpoch: number;
  replicas: number[];
}

export interface TopicRecord {
  topicId: string;
  name: string;
  isInternal: boolean;
  replicationFactor: number;
  partitions: PartitionRecord[];
}

export interface Store {
  /** The cluster id, created on first use. */
  clusterId(): Promise<string>;

  /**
   * Claims a node id for a gateway at host:port: the id this address had before, else the lowest
   * free one (or `preferredNodeId` when given and free).
   */
  registerBroker(host: string, port: number, rack: string | null, preferredNodeId?: number): Promise<number>;
  heartbeat(nodeId: number): Promise<void>;
  /** Gateways that heartbeat within the session timeout. */
  liveBrokers(sessionTimeoutMs: number): Promise<BrokerRecord[]>;
  /** Marks a gateway as gone (graceful shutdown) so others stop listing it at once. */
  unregisterBroker(nodeId: number): Promise<void>;

  /** All topics, or those named (unknown names are simply absent from the result). */
  topics(names?: readonly string[]): Promise<TopicRecord[]>;
  topicsById(ids: readonly string[]): Promise<TopicRecord[]>;

  /** Dynamic broker configs: cluster-wide defaults under broker id -1. */
  brokerConfigs(): Promise<{ brokerId: number; name: string; value: string | null }[]>;

  close(): Promise<void>;
}
