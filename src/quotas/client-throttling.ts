/**
 * KIP-219: from which version of each API the client throttles itself (the broker answers at once and
 * then mutes the channel); for older versions the broker holds the response back for the throttle time.
 * The versions are those of Kafka 4.1's `AbstractResponse.shouldClientThrottle` overrides; an API missing
 * here never throttles on the client side (Kafka's default), e.g. DescribeClientQuotas, DescribeCluster,
 * OffsetForLeaderEpoch.
 */
const CLIENT_THROTTLES_FROM: ReadonlyMap<number, number> = new Map([
  [0, 6], [1, 8], [2, 3], [3, 6], [8, 4], [9, 4], [10, 2], [11, 3], [12, 2], [13, 2], [14, 2], [15, 2], [16, 2],
  [18, 2], [19, 3], [20, 2], [21, 1], [22, 1], [29, 1], [30, 1], [31, 1], [32, 2], [33, 1], [35, 1], [37, 1], [42, 1],
  [44, 0], [45, 0], [46, 0], [47, 0], [75, 0],
]);

export function clientThrottles(apiKey: number, apiVersion: number): boolean {
  const from = CLIENT_THROTTLES_FROM.get(apiKey);
  return from !== undefined && apiVersion >= from;
}
