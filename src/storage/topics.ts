/**
 * Storage of topics: their partitions and replica placement, and their own config overrides.
 */
import type { ConfigChange } from './cluster.js';

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

export interface NewTopicSpec {
  name: string;
  replicationFactor: number;
  /** Replica node ids per partition, partition 0 first. */
  assignment: number[][];
  /** The topic's own configs, already validated. */
  configs: ReadonlyMap<string, string>;
}

export type CreateTopicOutcome =
  | { created: TopicRecord }
  | { alreadyExists: true }
  /** An existing topic whose name equals the new one once "." and "_" are treated alike. */
  | { collidesWith: string };

/**
 * Plans new partitions from the current count and the replicas of partition 0: the replicas of each
 * partition to add. Throwing refuses the change.
 */
export type PartitionPlan = (currentCount: number, firstReplicas: readonly number[]) => number[][];

/**
 * Decides new replica lists from a topic's current partitions: partition -> new replicas, for the
 * partitions that change. Throwing refuses the change (nothing is written).
 */
export type ReplicaPlan = (current: readonly PartitionRecord[]) => ReadonlyMap<number, readonly number[]>;

export interface TopicStorage {
  /** All topics, or those named (unknown names are simply absent). */
  topics(names?: readonly string[]): Promise<TopicRecord[]>;
  topicsById(ids: readonly string[]): Promise<TopicRecord[]>;
  /** An existing topic whose name equals `name` once "." and "_" are treated alike, if any. */
  collidingTopic(name: string): Promise<string | null>;
  /** Creates a topic with its partitions and configs atomically; announced by topicChanged. */
  createTopic(spec: NewTopicSpec): Promise<CreateTopicOutcome>;
  /**
   * Deletes a topic with its partitions, configs, producer states and committed offsets; its record
   * batches are reclaimed later (ReclaimStorage). False when it was already gone.
   */
  deleteTopic(topicId: string): Promise<boolean>;
  /** Adds partitions as `plan` says, atomically with respect to other alters. False when the topic does not exist. */
  addPartitions(topicId: string, plan: PartitionPlan, validateOnly: boolean): Promise<boolean>;

  /**
   * Replaces the replica lists of some partitions as `plan` says, atomically with respect to other
   * alters of the topic; the topic's replication factor becomes partition 0's replica count. Announced
   * by topicChanged. False when the topic does not exist.
   */
  setReplicas(topicId: string, plan: ReplicaPlan): Promise<boolean>;

  /** A topic's own configs (source TOPIC_CONFIG); empty when it has none or does not exist. */
  topicConfigs(topicId: string): Promise<Map<string, string>>;
  /** Replaces a topic's own configs with what `change` makes of them, atomically. False when the topic does not exist. */
  alterTopicConfigs(topicId: string, change: ConfigChange, validateOnly: boolean): Promise<boolean>;
}
