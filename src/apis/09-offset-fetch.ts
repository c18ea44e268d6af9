/**
 * OffsetFetch (key 9), versions 0-9; v8+ asks for several groups at once, v2+ for all of a group's
 * offsets with null topics.
 *
 * Partitions without a committed offset (or of unknown topics, or of unknown groups) get offset -1, leader
 * epoch -1 and empty metadata with no error, as Kafka answers; metadata is never null (Sarama relies on
 * that). The leader epoch is the one committed, -1 when none was.
 *
 * Deliberately skipped: require_stable (v7+) is ignored: kpg has no transactional offset commits yet, so
 * every committed offset is stable. v8-9's member id and epoch only matter for KIP-848 groups, which kpg
 * does not serve. v0 read offsets from ZooKeeper; like Kafka 3.9 without ZooKeeper, kpg answers it
 * UNSUPPORTED_VERSION.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { OffsetFetchRequest, OffsetFetchResponse } from '../protocol/messages/types.js';
import { defineHandler } from './handler.js';

export default defineHandler<OffsetFetchRequest, OffsetFetchResponse>({
  apiKey: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    if (apiVersion >= 8) {
      const groups = await ctx.groups.fetchOffsets(
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
    const [group] = await ctx.groups.fetchOffsets([{ groupId: request.groupId, topics: requested }]);
    return {
      throttleTimeMs: 0,
      errorCode: group!.errorCode,
      topics: group!.topics.map((t) => ({
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
