/**
 * DescribeLogDirs (key 35), versions 0-4.
 *
 * kpg has one "log dir" per gateway: the kpg schema of its Postgres database, named
 * postgres://<database>/kpg. It lists the partitions this gateway is a replica of (as Metadata reports
 * them), each with the bytes its stored batches take in Postgres (the sum of their sizes as stored,
 * including batches below the log start not yet reclaimed). Offset lag is 0 and no replica is a future
 * one (data is never moved between dirs). Topics named in the request limit the answer; unknown ones
 * are left out, as Kafka leaves out partitions it does not host. Without DESCRIBE on the cluster the
 * answer is CLUSTER_AUTHORIZATION_FAILED (v3+; before, just no dirs), as from Kafka.
 *
 * Deliberately skipped: total and usable bytes (v4) are -1 (unknown): Postgres does not expose its
 * volume's size.
 */
import { AclOperation } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DescribeLogDirsRequest,
  DescribeLogDirsResponse,
  DescribeLogDirsResponseDescribeLogDirsTopic,
} from '../protocol/messages/types.js';
import { partitionKey } from '../storage/partition-key.js';
import type { TopicRecord } from '../storage/topics.js';
import { placePartition } from '../topics/topics.js';
import { isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeLogDirsRequest, DescribeLogDirsResponse>({
  apiKey: 35,
  name: 'DescribeLogDirs',
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    if (!isAuthorizedOnCluster(ctx, AclOperation.DESCRIBE)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, results: [] };
    let topics: TopicRecord[];
    let wantedPartitions: Map<string, Set<number>> | null = null;
    if (request.topics === null) {
      topics = await ctx.topics.all();
    } else {
      wantedPartitions = new Map();
      for (const t of request.topics) {
        const set = wantedPartitions.get(t.topic) ?? new Set<number>();
        for (const p of t.partitions) set.add(p);
        wantedPartitions.set(t.topic, set);
      }
      topics = [...(await ctx.topics.byNames([...wantedPartitions.keys()], { fresh: true })).values()];
    }
    const sizes = await ctx.records.partitionSizes(request.topics === null ? null : topics.map((t) => t.topicId));
    const live = new Set((await ctx.cluster.liveGateways()).map((b) => b.nodeId));

    const described: DescribeLogDirsResponseDescribeLogDirsTopic[] = [];
    for (const topic of topics) {
      const wanted = wantedPartitions?.get(topic.name);
      const partitions = topic.partitions
        .filter((p) => wanted === undefined || wanted.has(p.partition))
        .filter((p) => placePartition(p, live, ctx.cluster.nodeId).replicaNodes.includes(ctx.cluster.nodeId))
        .map((p) => ({
          partitionIndex: p.partition,
          partitionSize: sizes.get(partitionKey(topic.topicId, p.partition)) ?? 0n,
          offsetLag: 0n,
          isFutureKey: false,
        }));
      if (partitions.length > 0) described.push({ name: topic.name, partitions });
    }
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      results: [
        {
          errorCode: ErrorCode.NONE,
          logDir: await ctx.cluster.logDir(),
          topics: described,
          totalBytes: -1n,
          usableBytes: -1n,
        },
      ],
    };
  },
});
