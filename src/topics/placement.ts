/**
 * Replica placement for CreateTopics and CreatePartitions, with the checks and messages of Kafka's
 * controller. kpg keeps one copy of every partition in Postgres; the replicas it reports are live
 * gateways, so a replication factor is accepted up to the number of live gateways, as a Kafka cluster of
 * that size would.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { GatewayRecord } from '../storage/cluster.js';
import { assignReplicas } from './topics.js';

export interface PlacementError {
  errorCode: number;
  message: string;
}

export type Placement = { assignment: number[][]; replicationFactor: number } | PlacementError;

export function isPlacementError(p: Placement | PlacementError | number[][]): p is PlacementError {
  return !Array.isArray(p) && 'errorCode' in p;
}

/** Round-robin placement of `count` partitions starting at `firstPartition` over the live brokers. */
export function placeAutomatically(
  brokers: readonly GatewayRecord[],
  count: number,
  replicationFactor: number,
  firstPartition = 0,
): number[][] | PlacementError {
  const live = brokers.filter((b) => b.live);
  if (replicationFactor <= 0) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      message: `Unable to replicate the partition ${replicationFactor} time(s): Invalid replication factor ${replicationFactor}: the replication factor must be positive.`,
    };
  }
  if (live.length === 0) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      message: `Unable to replicate the partition ${replicationFactor} time(s): All brokers are currently fenced.`,
    };
  }
  if (replicationFactor > live.length) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      message:
        `Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} ` +
        `cannot be reached because only ${live.length} broker(s) are registered.`,
    };
  }
  return assignReplicas(live, count, replicationFactor, firstPartition);
}

/**
 * Checks one manually assigned replica list as Kafka's controller does: not empty, only registered
 * brokers, none twice, the same length as the other partitions, and at least one broker alive.
 */
export function checkManualReplicas(
  replicas: readonly number[],
  partition: number,
  brokers: readonly GatewayRecord[],
  expectedReplicationFactor: number | undefined,
): PlacementError | null {
  if (replicas.length === 0) {
    return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, message: 'The manual partition assignment includes an empty replica list.' };
  }
  const registered = new Map(brokers.map((b) => [b.nodeId, b]));
  const sorted = [...replicas].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    if (!registered.has(sorted[i]!)) {
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        message: `The manual partition assignment includes broker ${sorted[i]}, but no such broker is registered.`,
      };
    }
    if (i > 0 && sorted[i] === sorted[i - 1]) {
      return {
        errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        message: `The manual partition assignment includes the broker ${sorted[i]} more than once.`,
      };
    }
  }
  if (expectedReplicationFactor !== undefined && replicas.length !== expectedReplicationFactor) {
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      message:
        `The manual partition assignment includes a partition with ${replicas.length} replica(s), but this is not ` +
        `consistent with previous partitions, which have ${expectedReplicationFactor} replica(s).`,
    };
  }
  if (!replicas.some((id) => registered.get(id)!.live)) {
    return {
      errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      message: `All brokers specified in the manual partition assignment for partition ${partition} are fenced or in controlled shutdown.`,
    };
  }
  return null;
}

export interface TopicPlacementRequest {
  numPartitions: number;
  replicationFactor: number;
  assignments: readonly { partitionIndex: number; brokerIds: readonly number[] }[];
}

/** The replicas of a new topic's partitions, or why Kafka would refuse them. */
export function placeNewTopic(
  request: TopicPlacementRequest,
  brokers: readonly GatewayRecord[],
  defaults: { numPartitions: number; replicationFactor: number },
): Placement {
  if (request.assignments.length > 0) {
    if (request.replicationFactor !== -1) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        message: 'A manual partition assignment was specified, but replication factor was not set to -1.',
      };
    }
    if (request.numPartitions !== -1) {
      return {
        errorCode: ErrorCode.INVALID_REQUEST,
        message: 'A manual partition assignment was specified, but numPartitions was not set to -1.',
      };
    }
    const byPartition = new Map<number, number[]>();
    let replicationFactor: number | undefined;
    for (const a of request.assignments) {
      if (byPartition.has(a.partitionIndex)) {
        return {
          errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          message: `Found multiple manual partition assignments for partition ${a.partitionIndex}`,
        };
      }
      const problem = checkManualReplicas(a.brokerIds, a.partitionIndex, brokers, replicationFactor);
      if (problem) return problem;
      replicationFactor = a.brokerIds.length;
      byPartition.set(a.partitionIndex, [...a.brokerIds]);
    }
    const assignment: number[][] = [];
    for (let p = 0; p < byPartition.size; p++) {
      const replicas = byPartition.get(p);
      if (!replicas) {
        return {
          errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT,
          message: 'partitions should be a consecutive 0-based integer sequence',
        };
      }
      assignment.push(replicas);
    }
    return { assignment, replicationFactor: replicationFactor! };
  }
  if (request.replicationFactor < -1 || request.replicationFactor === 0) {
    return {
      errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
      message: 'Replication factor must be larger than 0, or -1 to use the default value.',
    };
  }
  if (request.numPartitions < -1 || request.numPartitions === 0) {
    return {
      errorCode: ErrorCode.INVALID_PARTITIONS,
      message: 'Number of partitions was set to an invalid non-positive value.',
    };
  }
  const numPartitions = request.numPartitions === -1 ? defaults.numPartitions : request.numPartitions;
  const replicationFactor = request.replicationFactor === -1 ? defaults.replicationFactor : request.replicationFactor;
  if (numPartitions <= 0) {
    return { errorCode: ErrorCode.INVALID_PARTITIONS, message: 'Number of partitions was set to an invalid non-positive value.' };
  }
  const placed = placeAutomatically(brokers, numPartitions, replicationFactor);
  if (isPlacementError(placed)) return placed;
  return { assignment: placed, replicationFactor };
}

/** How many partitions a CreateTopics entry asks for, as Kafka counts them against its per-request limit. */
export function requestedPartitionCount(request: TopicPlacementRequest, defaultNumPartitions: number): number {
  if (request.assignments.length > 0) return request.assignments.length;
  if (request.numPartitions === -1) return defaultNumPartitions;
  return request.numPartitions > 0 ? request.numPartitions : 0;
}

export const TOO_MANY_PARTITIONS_MESSAGE = 'Excessively large number of partitions per request.';
