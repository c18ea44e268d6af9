/**
 * The internal topic __consumer_offsets. As in Kafka, it comes into being on the first use of a group
 * coordinator (FindCoordinator for a group, or Metadata naming it), with `offsets.topic.num.partitions`
 * partitions (50) and the configs Kafka gives it. Its records are written by Postgres itself, in the
 * transactions that change groups and committed offsets (src/storage/pg/sql/65-offsets-topic.sql); the
 * creation writes the current state of every group, so a database that had groups before it gets them too.
 */
import type { Logger } from 'pino';
import type { ClusterView } from '../cluster/cluster-view.js';
import type { BrokerConfig } from '../config/broker-config.js';
import type { TopicRecord } from '../storage/topics.js';
import type { TopicService } from './topic-service.js';
import { assignReplicas } from './topics.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

/** The configs Kafka sets on __consumer_offsets when it creates it (shown as DYNAMIC_TOPIC_CONFIG). */
export const OFFSETS_TOPIC_CONFIGS: ReadonlyMap<string, string> = new Map([
  ['cleanup.policy', 'compact'],
  ['compression.type', 'producer'],
  ['segment.bytes', '104857600'],
]);

/** Creates __consumer_offsets unless it exists (any gateway may race: the first wins); returns it. */
export async function ensureOffsetsTopic(services: { cluster: ClusterView; config: BrokerConfig; topics: TopicService; log: Logger }): Promise<TopicRecord | null> {
  const { cluster, config, topics } = services;
  const existing = (await topics.byNames([OFFSETS_TOPIC])).get(OFFSETS_TOPIC);
  if (existing) return existing;
  const live = await cluster.liveGateways();
  const partitionCount = config.int('offsets.topic.num.partitions');
  // Kafka's default replication factor is 3; kpg keeps one copy in Postgres and reports what the live gateways can hold.
  const replicationFactor = Math.max(1, Math.min(config.int('offsets.topic.replication.factor'), live.length));
  const result = await topics.create({
    name: OFFSETS_TOPIC,
    replicationFactor,
    assignment: assignReplicas(live, partitionCount, replicationFactor),
    configs: OFFSETS_TOPIC_CONFIGS,
    internal: true,
  });
  if ('created' in result) {
    services.log.info({ topic: OFFSETS_TOPIC, partitions: partitionCount }, 'created the internal topic');
    return result.created;
  }
  return (await topics.byNames([OFFSETS_TOPIC], { fresh: true })).get(OFFSETS_TOPIC) ?? null;
}
