/**
 * Fetch (key 1), versions 4-18.
 *
 * Reads whole stored batches from the requested offset (the batch containing it first; clients skip the
 * records before their offset), at least one batch even when it exceeds the limits, then up to
 * partition_max_bytes per partition and max_bytes in total. With less than min_bytes available the request
 * waits up to max_wait_ms and is answered as soon as enough data commits anywhere, woken by LISTEN/NOTIFY:
 * an idle wait runs no query at all. A fetch with no partitions to read (a session close, which every Java
 * consumer sends when it closes, or an empty full fetch) is answered at once, as Kafka answers it.
 * Incremental fetch sessions (KIP-227) per ./../fetch/sessions.ts; v13+ addresses topics by id.
 *
 * No transactions exist yet, so the last stable offset is the high watermark for both isolation levels and
 * aborted transactions are always empty. preferred_read_replica is -1. A current_leader_epoch (v9+) is
 * checked as Kafka does (negative means none): newer than the partition's is UNKNOWN_LEADER_EPOCH, older
 * FENCED_LEADER_EPOCH; in a session the epoch last sent for a partition stays in force. Every stored batch
 * carries the partition's leader epoch (0), stamped on append. Batches are stored uncompressed; a topic
 * whose compression.type names a codec has them compressed with it when served ('producer' and
 * 'uncompressed' serve them as stored).
 * Authorization as Kafka's KafkaApis: each topic needs READ (TOPIC_AUTHORIZATION_FAILED per partition),
 * checked before existence when addressed by name; an unknown topic id stays UNKNOWN_TOPIC_ID. A
 * follower fetch (replica id >= 0) needs CLUSTER_ACTION on the cluster instead, else every partition is
 * TOPIC_AUTHORIZATION_FAILED.
 * Deliberately skipped: follower fetches (replica_id >= 0) are answered like consumer fetches;
 * last_fetched_epoch (v12+) is not checked and diverging_epoch never set (kpg's one epoch per partition
 * cannot diverge); current_leader (v16+, filled by Kafka on FENCED_LEADER_EPOCH) is not set, since kpg's
 * epochs never change and so no fetch is ever fenced.
 */
import type { KnownOffsets } from '../fetch/partition-watch.js';
import type { FetchSession, SessionPartition } from '../fetch/sessions.js';
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  FetchRequest,
  FetchResponse,
  FetchResponseFetchableTopicResponse,
  FetchResponsePartitionData,
} from '../protocol/messages/types.js';
import { recompressBatch } from '../records/batch.js';
import { Compression } from '../records/compression.js';
import { partitionKey } from '../storage/partition-key.js';
import type { TopicRecord } from '../storage/topics.js';
import { authorizedFilter, isAuthorizedOnCluster } from './authorize.js';
import { defineHandler, type RequestContext } from './handler.js';
import { leaderEpochError } from './leader-epoch.js';

/** One partition this fetch is about. */
interface FetchTarget {
  /** Topic name or id, as the client addresses it in this version. */
  topic: string;
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  currentLeaderEpoch: number;
  resolved: TopicRecord | undefined;
  /** The client may not read this topic (answered TOPIC_AUTHORIZATION_FAILED). */
  denied: boolean;
  sessionEntry: SessionPartition | undefined;
}

interface PartitionResult {
  data: FetchResponsePartitionData;
  bytes: number;
  /** An error, or records, means "answer now" for the long poll. */
  final: boolean;
}

export default defineHandler<FetchRequest, FetchResponse>({
  apiKey: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 18,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    const byId = apiVersion >= 13;
    const topicOf = (t: { topic: string; topicId: string }): string => (byId ? t.topicId : t.topic);

    // Session handling decides which partitions this request is about.
    let session: FetchSession | undefined;
    let incremental = false;
    if (apiVersion >= 7) {
      const lookup = ctx.fetchSessions.begin(request.sessionId, request.sessionEpoch);
      if (lookup.kind === 'error') return { throttleTimeMs: 0, errorCode: lookup.errorCode, sessionId: 0, responses: [] };
      if (lookup.kind === 'new') session = lookup.session;
      if (lookup.kind === 'incremental') {
        session = lookup.session;
        incremental = true;
      }
    }

    const requested: { topic: string; partition: number; fetchOffset: bigint; partitionMaxBytes: number; currentLeaderEpoch: number }[] = [];
    for (const t of request.topics) {
      for (const p of t.partitions) {
        requested.push({
          topic: topicOf(t),
          partition: p.partition,
          fetchOffset: p.fetchOffset,
          partitionMaxBytes: p.partitionMaxBytes,
          currentLeaderEpoch: p.currentLeaderEpoch,
        });
      }
    }
    if (session) {
      if (incremental) {
        for (const f of request.forgottenTopicsData) {
          for (const p of f.partitions) session.partitions.delete(partitionKey(topicOf(f), p));
        }
      }
      for (const r of requested) {
        const key = partitionKey(r.topic, r.partition);
        const existing = session.partitions.get(key);
        if (existing) {
          existing.fetchOffset = r.fetchOffset;
          existing.partitionMaxBytes = r.partitionMaxBytes;
          existing.currentLeaderEpoch = r.currentLeaderEpoch;
        } else {
          session.partitions.set(key, { ...r, lastHighWatermark: -1n, lastLogStartOffset: -1n });
        }
      }
    }
    if (session && incremental && session.partitions.size === 0) {
      // Kafka closes a session an incremental fetch leaves empty and answers it sessionless (id 0).
      ctx.fetchSessions.close(session.id);
      session = undefined;
      incremental = false;
    }
    const entries = session ? [...session.partitions.values()] : requested.map((r) => ({ ...r, lastHighWatermark: -1n, lastLogStartOffset: -1n }));

    const topicKeys = [...new Set(entries.map((e) => e.topic))];
    const topics = byId ? await ctx.topics.byIds(topicKeys) : await ctx.topics.byNames(topicKeys);
    const mayRead = mayReadTopic(ctx, request, apiVersion);
    const targets: FetchTarget[] = entries.map((e) => ({
      topic: e.topic,
      partition: e.partition,
      fetchOffset: e.fetchOffset,
      partitionMaxBytes: e.partitionMaxBytes,
      currentLeaderEpoch: e.currentLeaderEpoch,
      resolved: topics.get(e.topic),
      denied: byId ? topics.has(e.topic) && !mayRead(topics.get(e.topic)!.name) : !mayRead(e.topic),
      sessionEntry: session ? e : undefined,
    }));

    // A consumer_byte_rate quota caps the response as Kafka caps it (src/quotas).
    const maxBytes = Math.min(request.maxBytes, ctx.quotas.maxFetchBytes(ctx.client));
    const deadline = Date.now() + Math.max(0, request.maxWaitMs);
    let readFrom = ctx.partitionWatch.mark();
    let results = await fetchOnce(ctx, targets, maxBytes, byId, apiVersion);
    while (!ctx.shutdown.aborted && needsToWait(results, request)) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) break;
      const woken = await waitForData(ctx, targets, remaining, readFrom);
      if (!woken) break;
      readFrom = ctx.partitionWatch.mark();
      results = await fetchOnce(ctx, targets, maxBytes, byId, apiVersion);
    }
    countBytesOut(ctx, targets, results);

    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      sessionId: session?.id ?? 0,
      responses: groupByTopic(targets, results, byId, incremental, request.isolationLevel === READ_COMMITTED),
    };
  },
});

/** Kafka's BytesOut: the record batch bytes this response carries, per topic (as sent, after recompression). */
function countBytesOut(ctx: RequestContext, targets: readonly FetchTarget[], results: readonly PartitionResult[]): void {
  for (let i = 0; i < results.length; i++) {
    const records = results[i]?.data.records;
    const topic = targets[i]?.resolved;
    if (!topic || !Array.isArray(records) || records.length === 0) continue;
    let bytes = 0;
    for (const batch of records as Buffer[]) bytes += batch.length;
    ctx.metrics.bytesOut(topic.name, bytes);
  }
}

/** Consumers need READ on each topic; a follower (replica id >= 0) needs CLUSTER_ACTION instead. */
function mayReadTopic(ctx: RequestContext, request: FetchRequest, apiVersion: number): (topic: string) => boolean {
  const replicaId = apiVersion >= 15 ? request.replicaState.replicaId : request.replicaId;
  if (replicaId >= 0) {
    const allowed = isAuthorizedOnCluster(ctx, AclOperation.CLUSTER_ACTION);
    return () => allowed;
  }
  return authorizedFilter(ctx, AclOperation.READ, ResourceType.TOPIC);
}

function needsToWait(results: PartitionResult[], request: FetchRequest): boolean {
  if (request.maxWaitMs <= 0) return false;
  // Nothing to fetch (a consumer ending its session on close, an empty full fetch): Kafka answers at once.
  if (results.length === 0) return false;
  let bytes = 0;
  for (const r of results) {
    if (r.final && r.bytes === 0) return false; // an error: answer at once
    bytes += r.bytes;
  }
  return bytes < Math.max(1, request.minBytes);
}

/**
 * Waits until one of the targets' partitions gets new records, the time runs out or the gateway stops.
 * Returns at once when one of them changed after `readFrom` (while the last read was under way).
 */
function waitForData(ctx: RequestContext, targets: FetchTarget[], timeoutMs: number, readFrom: number): Promise<boolean> {
  const keys = targets.filter((t) => t.resolved).map((t) => partitionKey(t.resolved!.topicId, t.partition));
  return new Promise((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (woken: boolean): void => {
      clearTimeout(timer);
      cancel();
      ctx.shutdown.removeEventListener('abort', onAbort);
      resolve(woken);
    };
    const onAbort = (): void => finish(false);
    const cancel = ctx.partitionWatch.waitForAny(keys, () => finish(true));
    timer = setTimeout(() => finish(false), timeoutMs);
    ctx.shutdown.addEventListener('abort', onAbort);
    if (ctx.partitionWatch.changedSince(keys, readFrom)) finish(true);
  });
}

/**
 * Reads every target once. Partitions whose known high watermark equals the fetch offset are answered
 * from memory; the others are read from Postgres, within the byte budget.
 */
async function fetchOnce(ctx: RequestContext, targets: FetchTarget[], maxBytes: number, byId: boolean, apiVersion: number): Promise<PartitionResult[]> {
  const results = new Array<PartitionResult>(targets.length);
  let budget = Math.max(0, maxBytes);
  let anyRecords = false;

  // Offsets of partitions we know nothing about yet: one query for all of them.
  const unknown = targets.filter((t) => t.resolved && !t.denied && t.partition >= 0 && t.partition < t.resolved.partitions.length && !ctx.partitionWatch.get(t.resolved.topicId, t.partition));
  if (unknown.length > 0) {
    const states = await ctx.records.partitionStates(unknown.map((t) => ({ topicId: t.resolved!.topicId, partition: t.partition })));
    for (const s of states.values()) {
      ctx.partitionWatch.update(s.topicId, s.partition, { highWatermark: s.nextOffset, logStartOffset: s.logStartOffset });
    }
  }

  // First what memory can answer; the partitions with data to read are read concurrently.
  const reads: { index: number; target: FetchTarget; topicId: string }[] = [];
  for (let i = 0; i < targets.length; i++) {
    const t = targets[i]!;
    if (t.denied) {
      results[i] = errorResult(t.partition, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      continue;
    }
    if (!t.resolved) {
      results[i] = errorResult(t.partition, byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      continue;
    }
    if (t.partition < 0 || t.partition >= t.resolved.partitions.length) {
      results[i] = errorResult(t.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      continue;
    }
    // In Fetch any negative current epoch means none given.
    const epochError = t.currentLeaderEpoch < 0 ? ErrorCode.NONE : leaderEpochError(t.currentLeaderEpoch, t.resolved.partitions[t.partition]!.leaderEpoch);
    if (epochError !== ErrorCode.NONE) {
      results[i] = errorResult(t.partition, epochError);
      continue;
    }
    const known = ctx.partitionWatch.get(t.resolved.topicId, t.partition);
    if (!known) {
      // The partition vanished between metadata and read (topic deleted).
      results[i] = errorResult(t.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      continue;
    }
    if (t.fetchOffset < known.logStartOffset || t.fetchOffset > known.highWatermark) {
      results[i] = { data: partitionData(t.partition, known, ErrorCode.OFFSET_OUT_OF_RANGE, []), bytes: 0, final: true };
      continue;
    }
    if (t.fetchOffset === known.highWatermark || maxBytes <= 0 && reads.length > 0) {
      results[i] = { data: partitionData(t.partition, known, ErrorCode.NONE, []), bytes: 0, final: false };
      continue;
    }
    reads.push({ index: i, target: t, topicId: t.resolved.topicId });
  }

  const stored = await mapConcurrently(reads, READ_CONCURRENCY, (r) =>
    ctx.records.read(r.topicId, r.target.partition, r.target.fetchOffset, Math.min(Math.max(0, r.target.partitionMaxBytes), budget)),
  );

  // Then the byte budget, in request order: whole batches while they fit, and the response's first
  // batch even when it alone is larger (so a consumer always makes progress).
  reads.forEach((r, k) => {
    const { index, target: t, topicId } = r;
    const read = stored[k];
    if (!read) {
      results[index] = errorResult(t.partition, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      return;
    }
    const offsets: KnownOffsets = { highWatermark: read.highWatermark, logStartOffset: read.logStartOffset };
    ctx.partitionWatch.update(topicId, t.partition, offsets);
    if (t.fetchOffset < read.logStartOffset || t.fetchOffset > read.highWatermark) {
      results[index] = { data: partitionData(t.partition, offsets, ErrorCode.OFFSET_OUT_OF_RANGE, []), bytes: 0, final: true };
      return;
    }
    const kept: Buffer[] = [];
    let bytes = 0;
    const partitionLimit = Math.max(0, t.partitionMaxBytes);
    for (const batch of read.batches) {
      const fits = bytes + batch.length <= partitionLimit && batch.length <= budget;
      if (!fits && (anyRecords || kept.length > 0)) break;
      kept.push(batch);
      bytes += batch.length;
      budget -= batch.length;
      anyRecords = true;
    }
    results[index] = { data: partitionData(t.partition, offsets, ErrorCode.NONE, kept), bytes, final: bytes > 0 };
  });
  await applyTopicCompression(ctx, reads.map((r) => ({ topicId: r.topicId, result: results[r.index]! })), apiVersion);
  return results;
}

const CODEC_BY_NAME: Record<string, number> = {
  gzip: Compression.gzip,
  snappy: Compression.snappy,
  lz4: Compression.lz4,
  zstd: Compression.zstd,
};

/**
 * Batches are stored uncompressed (so SQL can read them); a topic whose compression.type names a codec
 * gets its batches compressed with it on the way out, as Kafka would have stored them. zstd needs
 * Fetch v10+: older fetchers get UNSUPPORTED_COMPRESSION_TYPE for such a topic, as from Kafka.
 */
async function applyTopicCompression(ctx: RequestContext, served: { topicId: string; result: PartitionResult }[], apiVersion: number): Promise<void> {
  for (const { topicId, result } of served) {
    const records = result.data.records;
    if (!Array.isArray(records) || records.length === 0) continue;
    const codec = CODEC_BY_NAME[(await ctx.topicConfigs.get(topicId)).compressionType];
    if (codec === undefined) continue;
    if (codec === Compression.zstd && apiVersion < 10) {
      result.data = { ...result.data, errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, records: [] };
      result.bytes = 0;
      result.final = true;
      continue;
    }
    result.data.records = await Promise.all(records.map((batch) => recompressBatch(batch, codec)));
  }
}

/** Partition reads of one fetch that run at once (each holds a pooled connection). */
const READ_CONCURRENCY = 4;

async function mapConcurrently<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

function partitionData(partition: number, offsets: KnownOffsets, errorCode: number, batches: Buffer[]): FetchResponsePartitionData {
  const error = errorCode !== ErrorCode.NONE;
  return {
    partitionIndex: partition,
    errorCode,
    highWatermark: offsets.highWatermark,
    lastStableOffset: offsets.highWatermark,
    logStartOffset: error && errorCode !== ErrorCode.OFFSET_OUT_OF_RANGE ? -1n : offsets.logStartOffset,
    abortedTransactions: [],
    preferredReadReplica: -1,
    records: batches,
  };
}

function errorResult(partition: number, errorCode: number): PartitionResult {
  return {
    data: {
      partitionIndex: partition,
      errorCode,
      highWatermark: -1n,
      lastStableOffset: -1n,
      logStartOffset: -1n,
      abortedTransactions: [],
      preferredReadReplica: -1,
      records: [],
    },
    bytes: 0,
    final: true,
  };
}

/**
 * Builds the response in the order partitions were asked. In an incremental session only partitions with
 * news are included: records, an error, or a high watermark / log start offset the client has not seen.
 */
/** Kafka lists aborted transactions (none, so far) only to read_committed fetches; others get null. */
const READ_COMMITTED = 1;

function groupByTopic(
  targets: FetchTarget[], results: PartitionResult[], byId: boolean, incremental: boolean, readCommitted: boolean,
): FetchResponseFetchableTopicResponse[] {
  const byTopic = new Map<string, FetchResponseFetchableTopicResponse>();
  targets.forEach((t, i) => {
    const r = results[i]!;
    const entry = t.sessionEntry;
    if (entry) {
      const changed =
        r.bytes > 0 ||
        r.data.errorCode !== ErrorCode.NONE ||
        r.data.highWatermark !== entry.lastHighWatermark ||
        r.data.logStartOffset !== entry.lastLogStartOffset;
      entry.lastHighWatermark = r.data.highWatermark!;
      entry.lastLogStartOffset = r.data.logStartOffset!;
      if (incremental && !changed) return;
    }
    let topic = byTopic.get(t.topic);
    if (!topic) {
      topic = { topic: byId ? '' : t.topic, topicId: byId ? t.topic : (t.resolved?.topicId ?? '00000000-0000-0000-0000-000000000000'), partitions: [] };
      byTopic.set(t.topic, topic);
    }
    topic.partitions!.push(readCommitted ? r.data : { ...r.data, abortedTransactions: null });
  });
  return [...byTopic.values()];
}
