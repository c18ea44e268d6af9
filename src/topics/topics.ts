/**
 * Topic placement and lookup shared by the APIs that create or describe topics.
 */
import type { Broker } from '../broker.js';
import type { BrokerRecord, PartitionRecord, TopicRecord } from '../storage/store.js';

/**
 * Kafka-style round-robin replica placement: partition p's replicas start at live broker p mod n and
 * take the next `replicationFactor` brokers, so leadership spreads across gateways.
 */
export function assignReplicas(live: readonly BrokerRecord[], partitionCount: number, replicationFactor: number, firstPartition = 0): number[][] {
  const ids = live.map((b) => b.nodeId);
  return Array.from({ length: partitionCount }, (_, i) => {
    const p = firstPartition + i;
    return Array.from({ length: Math.min(replicationFactor, ids.length) }, (_, r) => ids[(p + r) % ids.length]!);
  });
}

export interface PartitionPlacement {
  leaderId: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

/**
 * Where a partition is served: its first live replica leads; when none of its replicas is alive, the
 * gateway answering leads (every gateway can serve every partition, the data being in Postgres).
 */
export function placePartition(partition: PartitionRecord, live: ReadonlySet<number>, selfNodeId: number): PartitionPlacement {
  const replicas = partition.replicas.length > 0 ? partition.replicas : [selfNodeId];
  const online = replicas.filter((id) => live.has(id));
  const offline = replicas.filter((id) => !live.has(id));
  if (online.length === 0) return { leaderId: selfNodeId, replicaNodes: [selfNodeId, ...replicas.filter((r) => r !== selfNodeId)], isrNodes: [selfNodeId], offlineReplicas: offline };
  return { leaderId: online[0]!, replicaNodes: replicas, isrNodes: online, offlineReplicas: offline };
}

/** Creates a topic with the broker defaults (auto.create.topics.enable path); returns it, or the one that won a race. */
export async function autoCreateTopic(broker: Broker, name: string): Promise<TopicRecord | undefined> {
  const live = await broker.liveBrokers();
  const partitionCount = broker.config.int('num.partitions');
  const replicationFactor = Math.min(broker.config.int('default.replication.factor'), live.length);
  const result = await broker.store.createTopic({
    name,
    partitionCount,
    replicationFactor,
    replicaAssignment: assignReplicas(live, partitionCount, replicationFactor),
  });
  if ('created' in result) {
    broker.log.info({ topic: name, partitions: partitionCount }, 'auto-created topic');
    return result.created;
  }
  return (await broker.store.topics([name]))[0];
}
