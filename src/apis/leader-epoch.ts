/**
 * Kafka's check of the leader epoch a client believes current against the partition's: the same epoch
 * passes; a newer one is UNKNOWN_LEADER_EPOCH (the broker is behind), an older one FENCED_LEADER_EPOCH (the
 * client is behind). Which values mean "none given" differs by API (Fetch: any negative; ListOffsets and
 * OffsetForLeaderEpoch: -1 only), so callers rule those out first.
 */
import { ErrorCode } from '../protocol/error-codes.js';

export function leaderEpochError(current: number, partitionEpoch: number): number {
  if (current === partitionEpoch) return ErrorCode.NONE;
  return current > partitionEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH;
}
