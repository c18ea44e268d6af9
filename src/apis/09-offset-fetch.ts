/**
 * OffsetFetch (key 9), versions 0-9; v8+ asks for several groups at once, v2+ for all of a group's
 * offsets with null topics.
 *
 * Partitions without a committed offset (or of unknown topics, or of unknown groups) get offset -1, leader
 * epoch -1 and empty metadata with no error, as Kafka answers; metadata is never null (Sarama relies on
 * that). The leader epoch is the one committed, -1 when none was.
 *
 * Authorization as Kafka's KafkaApis: each group needs DESCRIBE (GROUP_AUTHORIZATION_FAILED for the
 * group; before v2, which has no group error, on each partition asked). Then topics without DESCRIBE are
 * left out of the all-offsets form and answered TOPIC_AUTHORIZATION_FAILED (offset -1) when named.
 *
 * Deliberately skipped: require_stable (v7+) is ignored: kpg has no transactional offset commits yet, so
 * every committed offset is stable. v8-9's member id and epoch only matter for KIP-848 groups, which kpg
 * does not serve. v0 read offsets from ZooKeeper; like Kafka 3.9 without ZooKeeper, kpg answers it
 * UNSUPPORTED_VERSION.
 */
import type { FetchedGroup, FetchedPartition } from '../groups/coordinator.js';
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/messages/types.js';
import { authorizedFilter } from './authorize.js';
import { defineHandler, type RequestContext } from './handler.js';

type GroupQuery = { groupId: string; topics: { name: string; partitions: number[] }[] | null };

export default defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    if (apiVersion >= 8) {
      const groups = await fetchAuthorized(
        ctx,
        request.groups.map((g) => ({
          groupId: g.groupId,
          topics: g.topics === null ? null : g.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes })),
        })),
      );
      return {
        throttleTimeMs: 0,
        groups: groups.map((g) => ({
          groupId: g.groupId,
          errorCode: g.errorCode,
          topics: g.topics.map((t) => ({
            name: t.name,
            partitions: t.partitions.map((p) => ({
              partitionIndex: p.partition,
              committedOffset: p.offset,
              committedLeaderEpoch: p.leaderEpoch,
              metadata: p.metadata,
              errorCode: p.errorCode,
            })),
          })),
        })),
      };
    }
    const requested = request.topics === null ? null : request.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes }));
    if (apiVersion === 0) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.NONE,
        topics: (requested ?? []).map((t) => ({
          name: t.name,
          partitions: t.partitions.map((partitionIndex) => ({
            partitionIndex,
            committedOffset: -1n,
            committedLeaderEpoch: -1,
            metadata: '',
            errorCode: ErrorCode.UNSUPPORTED_VERSION,
          })),
        })),
      };
    }
    const [fetched] = await fetchAuthorized(ctx, [{ groupId: request.groupId, topics: requested }]);
    let group = fetched!;
    if (apiVersion < 2 && group.errorCode === ErrorCode.GROUP_AUTHORIZATION_FAILED) {
      // v1 has no group error: each partition asked carries it, as Kafka's error response does.
      group = { ...group, topics: (requested ?? []).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => unfetched(p, group.errorCode)) })) };
    }
    return {
      throttleTimeMs: 0,
      errorCode: group.errorCode,
      topics: group.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          committedOffset: p.offset,
          committedLeaderEpoch: p.leaderEpoch,
          metadata: p.metadata,
          errorCode: p.errorCode,
        })),
      })),
    };
  },
});

function unfetched(partition: number, errorCode: number): FetchedPartition {
  return { partition, offset: -1n, leaderEpoch: -1, metadata: '', errorCode };
}

/** The coordinator's answer for the groups and topics the client may describe; the others as Kafka answers them. */
async function fetchAuthorized(ctx: RequestContext, queries: GroupQuery[]): Promise<FetchedGroup[]> {
  if (!ctx.access.enabled) return ctx.groups.fetchOffsets(queries);
  const mayDescribeGroup = authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.GROUP);
  const mayDescribeTopic = authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC);
  const allowed = queries.filter((q) => mayDescribeGroup(q.groupId));
  const fetched = await ctx.groups.fetchOffsets(
    allowed.map((q) => ({ groupId: q.groupId, topics: q.topics === null ? null : q.topics.filter((t) => mayDescribeTopic(t.name)) })),
  );
  let k = 0;
  return queries.map((q): FetchedGroup => {
    if (!mayDescribeGroup(q.groupId)) return { groupId: q.groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, topics: [] };
    const group = fetched[k++]!;
    if (group.errorCode !== ErrorCode.NONE) return group;
    if (q.topics === null) return { ...group, topics: group.topics.filter((t) => mayDescribeTopic(t.name)) };
    const denied = q.topics
      .filter((t) => !mayDescribeTopic(t.name))
      .map((t) => ({ name: t.name, partitions: t.partitions.map((p) => unfetched(p, ErrorCode.TOPIC_AUTHORIZATION_FAILED)) }));
    return { ...group, topics: [...group.topics, ...denied] };
  });
}
