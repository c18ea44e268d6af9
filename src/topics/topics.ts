/**
 * Topic placement and lookup shared by the APIs that create or describe topics.
 */
import type { Logger } from 'pino';
import type { ClusterView } from '../cluster/cluster-view.js';
import type { BrokerConfig } from '../config/broker-config.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { PartitionRecord, TopicRecord } from '../storage/topics.js';
import type { TopicService } from './topic-service.js';

/**
 * Kafka-style round-robin replica placement: partition p's replicas start at live broker p mod n and
 * take the next `replicationFactor` brokers, so leadership spreads across gateways.
 */
export function assignReplicas(live: readonly { nodeId: number }[], partitionCount: number, replicationFactor: number, firstPartition = 0): number[][] {
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

export type AutoCreateResult = { topic: TopicRecord } | { errorCode: number };

/**
 * Creates a topic with the broker defaults (the auto.create.topics.enable path), with the checks
 * CreateTopics makes: a replication factor the live gateways can hold and no name collision.
 * Returns the topic (also when another client created it first) or the error Metadata reports.
 */
export async function autoCreateTopic(
  services: { cluster: ClusterView; config: BrokerConfig; topics: TopicService; log: Logger },
  name: string,
): Promise<AutoCreateResult> {
  const { cluster, config, topics } = services;
  const live = await cluster.liveGateways();
  const partitionCount = config.int('num.partitions');
  const replicationFactor = config.int('default.replication.factor');
  if (replicationFactor > live.length) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR };
  const result = await topics.create({
    name,
    replicationFactor,
    assignment: assignReplicas(live, partitionCount, replicationFactor),
    configs: new Map(),
  });
  if ('collidesWith' in result) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION };
  if ('created' in result) {
    services.log.info({ topic: name, partitions: partitionCount }, 'auto-created topic');
    return { topic: result.created };
  }
  const existing = (await topics.byNames([name], { fresh: true })).get(name);
  return existing ? { topic: existing } : { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
}
