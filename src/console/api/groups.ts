/**
 * Consumer groups: GET /api/groups, GET /api/groups/:id, POST /api/groups/:id/reset-offsets.
 *
 * Lag comes from the query the lag metrics use (describeGroupLag). Resetting offsets works as
 * `kafka-consumer-groups --reset-offsets`: only while the group has no members; targets are found with
 * the ListOffsets handler (earliest, latest, by timestamp) and written with an admin commit
 * (generation -1), authorized as OffsetCommit is: READ on the group and on each topic.
 */
import listOffsets from '../../apis/02-list-offsets.js';
import { partitionLag } from '../../metrics/lag.js';
import { AclOperation, ResourceType } from '../../protocol/acl.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/messages/types.js';
import type { GroupLag } from '../../storage/groups.js';
import { badRequest, ConsoleError } from '../http.js';
import { callKafkaApi } from '../kafka-call.js';
import type { ConsoleContext, Route } from '../router.js';
import { kafkaFailure } from './topics.js';

const EARLIEST = -2n;
const LATEST = -1n;

function totalLag(group: GroupLag | undefined): number {
  let total = 0n;
  for (const o of group?.offsets ?? []) total += partitionLag(o.committedOffset, o.logEndOffset);
  return Number(total);
}

/** The topics and partitions of a consumer-protocol assignment (ConsumerProtocolAssignment v0-3); [] when it is not one. */
export function decodeAssignment(bytes: Buffer): { topic: string; partitions: number[] }[] {
  try {
    if (bytes.length < 6) return [];
    let pos = 2; // version
    const topics: { topic: string; partitions: number[] }[] = [];
    const topicCount = bytes.readInt32BE(pos);
    pos += 4;
    for (let i = 0; i < topicCount; i++) {
      const nameLength = bytes.readInt16BE(pos);
      pos += 2;
      const topic = bytes.toString('utf8', pos, pos + nameLength);
      pos += nameLength;
      const count = bytes.readInt32BE(pos);
      pos += 4;
      const partitions: number[] = [];
      for (let j = 0; j < count; j++, pos += 4) partitions.push(bytes.readInt32BE(pos));
      topics.push({ topic, partitions });
    }
    return topics;
  } catch {
    return [];
  }
}

async function describedGroup(ctx: ConsoleContext, groupId: string) {
  ctx.authorize(AclOperation.DESCRIBE, ResourceType.GROUP, groupId, 'GROUP_AUTHORIZATION_FAILED');
  const [described] = await ctx.services.groups.describeGroups([groupId], 6);
  if (!described || described.errorCode === ErrorCode.GROUP_ID_NOT_FOUND || described.state === 'Dead') {
    throw new ConsoleError(404, 'GROUP_ID_NOT_FOUND', `Group ${groupId} not found.`);
  }
  return described;
}

interface ResetRequest {
  topic?: string;
  to: 'earliest' | 'latest' | 'timestamp' | 'offset';
  timestamp?: number;
  offset?: bigint;
  partitions?: number[];
  dryRun: boolean;
}

function parseReset(body: Record<string, unknown>): ResetRequest {
  const to = body.to;
  if (to !== 'earliest' && to !== 'latest' && to !== 'timestamp' && to !== 'offset') throw badRequest('to must be one of earliest, latest, timestamp, offset');
  if (body.topic !== undefined && typeof body.topic !== 'string') throw badRequest('topic must be a string');
  let timestamp: number | undefined;
  if (to === 'timestamp') {
    const t = body.timestamp;
    timestamp = typeof t === 'number' ? t : typeof t === 'string' ? (/^\d+$/.test(t) ? Number(t) : Date.parse(t)) : NaN;
    if (!Number.isFinite(timestamp) || timestamp < 0) throw badRequest('timestamp (epoch milliseconds or ISO 8601) is required with to=timestamp');
  }
  let offset: bigint | undefined;
  if (to === 'offset') {
    const o = body.offset;
    if (!((typeof o === 'number' && Number.isSafeInteger(o)) || (typeof o === 'string' && /^\d{1,19}$/.test(o)))) throw badRequest('offset (a non-negative integer, number or string) is required with to=offset');
    offset = BigInt(o);
    if (offset < 0n) throw badRequest('offset must not be negative');
  }
  const partitions = body.partitions;
  if (partitions !== undefined && (!Array.isArray(partitions) || partitions.some((p) => !Number.isInteger(p) || p < 0))) {
    throw badRequest('partitions must be an array of partition numbers');
  }
  if (partitions !== undefined && body.topic === undefined) throw badRequest('partitions needs topic');
  if (body.dryRun !== undefined && typeof body.dryRun !== 'boolean') throw badRequest('dryRun must be true or false');
  return { topic: body.topic as string | undefined, to, timestamp, offset, partitions: partitions as number[] | undefined, dryRun: body.dryRun === true };
}

async function listOffsetsOf(ctx: ConsoleContext, topic: string, partitions: readonly number[], timestamp: bigint): Promise<Map<number, bigint>> {
  const response = await callKafkaApi<ListOffsetsRequest, ListOffsetsResponse>(ctx, listOffsets, 7, {
    replicaId: -1,
    isolationLevel: 0,
    timeoutMs: 30_000,
    topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) }],
  });
  const out = new Map<number, bigint>();
  for (const p of response.topics?.[0]?.partitions ?? []) {
    if (p.errorCode !== ErrorCode.NONE) throw kafkaFailure(p.errorCode!, `ListOffsets on ${topic}-${p.partitionIndex} failed`);
    out.set(p.partitionIndex!, p.offset!);
  }
  return out;
}

export const groupRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/groups',
    async handler(ctx) {
      const [listed, lag] = await Promise.all([ctx.services.groups.listGroups(), ctx.reads.describeGroupLag()]);
      const lagById = new Map(lag.groups.map((g) => [g.groupId, g]));
      return {
        groups: listed
          .filter((g) => ctx.may(AclOperation.DESCRIBE, ResourceType.GROUP, g.groupId))
          .sort((a, b) => (a.groupId < b.groupId ? -1 : a.groupId > b.groupId ? 1 : 0))
          .map((g) => ({
            groupId: g.groupId,
            state: g.state,
            protocolType: g.protocolType,
            members: lagById.get(g.groupId)?.members ?? 0,
            lag: totalLag(lagById.get(g.groupId)),
          })),
      };
    },
  },
  {
    method: 'GET',
    path: '/api/groups/:id',
    async handler(ctx) {
      const groupId = ctx.params.id!;
      const described = await describedGroup(ctx, groupId);
      const lag = (await ctx.reads.describeGroupLag()).groups.find((g) => g.groupId === groupId);
      return {
        groupId,
        state: described.state,
        protocolType: described.protocolType,
        protocol: described.protocolData,
        members: described.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          assignments: described.protocolType === 'consumer' ? decodeAssignment(m.assignment) : [],
        })),
        // As OffsetFetch: only offsets of topics the user may describe.
        offsets: (lag?.offsets ?? [])
          .filter((o) => ctx.may(AclOperation.DESCRIBE, ResourceType.TOPIC, o.topic))
          .map((o) => ({
            topic: o.topic,
            partition: o.partition,
            committedOffset: o.committedOffset.toString(),
            endOffset: o.logEndOffset.toString(),
            lag: Number(partitionLag(o.committedOffset, o.logEndOffset)),
          })),
        lagHistory: ctx.lagHistory.of(groupId),
      };
    },
  },
  {
    method: 'POST',
    path: '/api/groups/:id/reset-offsets',
    async handler(ctx) {
      const groupId = ctx.params.id!;
      const reset = parseReset(await ctx.body());
      ctx.authorize(AclOperation.READ, ResourceType.GROUP, groupId, 'GROUP_AUTHORIZATION_FAILED');
      // A group that does not exist yet is inactive: the reset creates it, as the tool's does.
      const described = await describedGroup(ctx, groupId).catch((err: unknown) => {
        if (err instanceof ConsoleError && err.status === 404) return { members: [] };
        throw err;
      });
      if (described.members.length > 0) {
        throw new ConsoleError(409, 'NON_EMPTY_GROUP', `Group ${groupId} has ${described.members.length} active member(s): offsets can only be reset while the group is inactive (stop its consumers first).`);
      }
      // Which partitions: the topic's (all, or those named), else every partition the group has committed offsets for.
      const targets = new Map<string, number[]>();
      if (reset.topic !== undefined) {
        ctx.authorize(AclOperation.READ, ResourceType.TOPIC, reset.topic, 'TOPIC_AUTHORIZATION_FAILED');
        const topic = (await ctx.services.topics.byNames([reset.topic], { fresh: true })).get(reset.topic);
        if (!topic) throw new ConsoleError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `The topic '${reset.topic}' does not exist.`);
        const all = topic.partitions.map((_, i) => i);
        const wanted = reset.partitions ?? all;
        const missing = wanted.filter((p) => p >= all.length);
        if (missing.length > 0) throw new ConsoleError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `topic ${reset.topic} has no partition ${missing.join(', ')}`);
        targets.set(reset.topic, [...new Set(wanted)].sort((a, b) => a - b));
      } else {
        const [fetched] = await ctx.services.groups.fetchOffsets([{ groupId, topics: null }]);
        for (const t of fetched?.topics ?? []) targets.set(t.name, t.partitions.map((p) => p.partition).sort((a, b) => a - b));
        for (const name of targets.keys()) ctx.authorize(AclOperation.READ, ResourceType.TOPIC, name, 'TOPIC_AUTHORIZATION_FAILED');
      }
      const offsets: { topic: string; partition: number; offset: bigint }[] = [];
      for (const [topic, partitions] of targets) {
        if (partitions.length === 0) continue;
        const [earliest, latest] = await Promise.all([listOffsetsOf(ctx, topic, partitions, EARLIEST), listOffsetsOf(ctx, topic, partitions, LATEST)]);
        const byTime = reset.to === 'timestamp' ? await listOffsetsOf(ctx, topic, partitions, BigInt(reset.timestamp!)) : null;
        for (const partition of partitions) {
          const start = earliest.get(partition)!;
          const end = latest.get(partition)!;
          let offset: bigint;
          if (reset.to === 'earliest') offset = start;
          else if (reset.to === 'latest') offset = end;
          else if (reset.to === 'timestamp') {
            // No record at or after the time: the end, as the tool does.
            const found = byTime!.get(partition)!;
            offset = found < 0n ? end : found;
          } else {
            // Out of range offsets are moved to the nearest end, as the tool does.
            offset = reset.offset! < start ? start : reset.offset! > end ? end : reset.offset!;
          }
          offsets.push({ topic, partition, offset });
        }
      }
      if (!reset.dryRun && offsets.length > 0) {
        const codes = await ctx.services.groups.commitOffsets({
          groupId,
          generationId: -1,
          memberId: '',
          groupInstanceId: null,
          retentionTimeMs: -1n,
          apiVersion: 9,
          partitions: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: -1, metadata: '', commitTimestampMs: -1n })),
        });
        const failed = codes.find((c) => c !== ErrorCode.NONE);
        if (failed !== undefined) throw kafkaFailure(failed, `committing the reset offsets failed`);
        ctx.log.info({ groupId, to: reset.to, partitions: offsets.length }, 'console reset consumer group offsets');
      }
      return { dryRun: reset.dryRun, offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset.toString() })) };
    },
  },
];
