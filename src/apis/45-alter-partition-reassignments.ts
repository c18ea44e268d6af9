/**
 * AlterPartitionReassignments (key 45), versions 0-1.
 *
 * Every gateway serves every partition from Postgres, so a reassignment has no data to move: a partition
 * given a valid replica list gets that list at once (the same list: nothing changes), and no
 * reassignment is ever left in progress (ListPartitionReassignments lists none). Kafka's answers are
 * kept: an unknown topic or partition gets UNKNOWN_TOPIC_OR_PARTITION ("Unable to find a topic named
 * t." / "Unable to find partition t:p."); an empty list, a broker named twice or one never registered
 * get INVALID_REPLICA_ASSIGNMENT with Kafka's messages (a registered gateway that is not live is
 * accepted, as Kafka accepts a fenced broker; the leader stays the first live replica); with
 * AllowReplicationFactorChange false (v1), a different replica count gets INVALID_REPLICATION_FACTOR;
 * cancelling (null replicas) gets NO_REASSIGNMENT_IN_PROGRESS, since none is ever in progress.
 * Without ALTER on the cluster the request and every partition get CLUSTER_AUTHORIZATION_FAILED.
 * The partitions of one topic that pass are written in one transaction holding the topic row.
 *
 * Deliberately skipped: TimeoutMs (the change is immediate).
 */
import { AclOperation } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  AlterPartitionReassignmentsRequest,
  AlterPartitionReassignmentsResponse,
  AlterPartitionReassignmentsResponseReassignablePartitionResponse,
  AlterPartitionReassignmentsResponseReassignableTopicResponse,
} from '../protocol/messages/types.js';
import type { PartitionRecord } from '../storage/topics.js';
import { clusterDenied } from './acl-requests.js';
import { isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

type Outcome = { errorCode: number; errorMessage: string | null };
const OK: Outcome = { errorCode: ErrorCode.NONE, errorMessage: null };

/** Kafka's manual assignment checks, in its order (sorted broker ids: unknown before repeated). */
export function replicaAssignmentError(replicas: readonly number[], registered: ReadonlySet<number>): Outcome | null {
  if (replicas.length === 0) {
    return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes an empty replica list.' };
  }
  const sorted = [...replicas].sort((a, b) => a - b);
  let previous: number | undefined;
  for (const id of sorted) {
    if (!registered.has(id)) {
      return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `The manual partition assignment includes broker ${id}, but no such broker is registered.` };
    }
    if (id === previous) {
      return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `The manual partition assignment includes the broker ${id} more than once.` };
    }
    previous = id;
  }
  return null;
}

export default defineHandler<AlterPartitionReassignmentsRequest, AlterPartitionReassignmentsResponse>({
  apiKey: 45,
  name: 'AlterPartitionReassignments',
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    if (!isAuthorizedOnCluster(ctx, AclOperation.ALTER)) {
      // Kafka's error response: the error on the request and on every partition named.
      const denied = clusterDenied('AlterPartitionReassignments', AclOperation.ALTER);
      return {
        throttleTimeMs: 0,
        ...denied,
        responses: request.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, ...denied })) })),
      };
    }
    const registered = new Set((await ctx.cluster.gateways()).map((g) => g.nodeId));
    const responses: AlterPartitionReassignmentsResponseReassignableTopicResponse[] = [];
    for (const t of request.topics) {
      const topic = (await ctx.topics.byNames([t.name], { fresh: true })).get(t.name);
      const unknownTopic: Outcome = { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unable to find a topic named ${t.name}.` };
      let outcomes: Outcome[];
      if (!topic) {
        outcomes = t.partitions.map(() => unknownTopic);
      } else {
        // Decided against the partitions as they are inside the transaction that writes the changes.
        outcomes = [];
        const found = await ctx.topics.setReplicas(topic.topicId, (current) => {
          outcomes = [];
          const byIndex = new Map<number, PartitionRecord>(current.map((p) => [p.partition, p]));
          const changes = new Map<number, number[]>();
          for (const p of t.partitions) {
            const partition = byIndex.get(p.partitionIndex);
            let outcome: Outcome;
            if (!partition) {
              outcome = { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unable to find partition ${t.name}:${p.partitionIndex}.` };
            } else if (p.replicas === null) {
              outcome = { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null };
            } else {
              outcome = replicaAssignmentError(p.replicas, registered) ?? OK;
              if (outcome === OK && !request.allowReplicationFactorChange && p.replicas.length !== partition.replicas.length) {
                outcome = {
                  errorCode: ErrorCode.INVALID_REPLICATION_FACTOR,
                  errorMessage: `The replication factor is changed from ${partition.replicas.length} to ${p.replicas.length}`,
                };
              }
              if (outcome === OK && !sameList(p.replicas, changes.get(p.partitionIndex) ?? partition.replicas)) {
                changes.set(p.partitionIndex, [...p.replicas]);
              }
            }
            outcomes.push(outcome);
          }
          return changes;
        });
        if (!found) outcomes = t.partitions.map(() => unknownTopic);
        else if (outcomes.some((o) => o === OK)) ctx.log.info({ topic: t.name }, 'reassigned partitions');
      }
      const partitions: AlterPartitionReassignmentsResponseReassignablePartitionResponse[] = t.partitions.map((p, i) => ({
        partitionIndex: p.partitionIndex,
        errorCode: outcomes[i]!.errorCode,
        errorMessage: outcomes[i]!.errorMessage,
      }));
      responses.push({ name: t.name, partitions });
    }
    return {
      throttleTimeMs: 0,
      allowReplicationFactorChange: request.allowReplicationFactorChange,
      errorCode: ErrorCode.NONE,
      // Kafka answers an empty request with an empty message, any other with null.
      errorMessage: request.topics.length === 0 ? '' : null,
      responses,
    };
  },
});

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
