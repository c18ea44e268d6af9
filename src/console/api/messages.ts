/**
 * Messages: browse and search (GET /api/topics/:name/messages), produce (POST), and the live tail
 * (GET /api/topics/:name/tail, Server-Sent Events).
 *
 * Browsing reads a bounded window of stored batches per partition (RecordSearchStorage): at most
 * MAX_SCAN_BATCHES batches are decoded per partition and request, so a search on a huge topic answers
 * quickly with `nextOffset` to continue from rather than scanning the whole log.
 */
import produce from '../../apis/00-produce.js';
import { AclOperation } from '../../protocol/acl.js';
import { ErrorCode } from '../../protocol/error-codes.js';
import type { ProduceRequest, ProduceResponse } from '../../protocol/messages/types.js';
import { encodeBatch } from '../../records/batch.js';
import { partitionKey } from '../../storage/partition-key.js';
import { InvalidRecordSearchError, type RecordSearch } from '../../storage/record-search.js';
import type { TopicRecord } from '../../storage/topics.js';
import { bytesOf, messageJson, type MessageJson } from '../encoding.js';
import { badRequest, ConsoleError } from '../http.js';
import { callKafkaApi } from '../kafka-call.js';
import type { ConsoleContext, Route } from '../router.js';
import { kafkaFailure } from './topics.js';
import { authorizedTopic, partitionOf } from './topic-lookup.js';

export const MAX_SCAN_BATCHES = 1000;
/** And at most about this many records (batches may hold thousands each). */
export const MAX_SCAN_RECORDS = 20_000;
export const MAX_LIMIT = 500;
const DEFAULT_LIMIT = 50;
/** A comment line this often keeps proxies and browsers from closing an idle tail. */
const KEEP_ALIVE_MS = 15_000;

async function offsetsOf(ctx: ConsoleContext, topic: TopicRecord, partitions: readonly number[]): Promise<Map<number, { start: bigint; end: bigint }>> {
  const states = await ctx.services.records.partitionStates(partitions.map((partition) => ({ topicId: topic.topicId, partition })));
  return new Map(
    partitions.map((p) => {
      const s = states.get(partitionKey(topic.topicId, p));
      return [p, { start: s?.logStartOffset ?? 0n, end: s?.nextOffset ?? 0n }];
    }),
  );
}

function headerFilter(text: string | undefined): RecordSearch['header'] {
  if (text === undefined) return undefined;
  const colon = text.indexOf(':');
  if (colon <= 0) throw badRequest(`query parameter header must be name:value, got ${JSON.stringify(text)}`);
  return { name: text.slice(0, colon), value: Buffer.from(text.slice(colon + 1), 'utf8') };
}

/** Kafka's default partitioner for keyed records: murmur2 of the key, made positive, modulo the partition count. */
export function keyPartition(key: Buffer, partitions: number): number {
  return (murmur2(key) & 0x7fffffff) % partitions;
}

function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = (0x9747b28c ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data.readInt32LE(i);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

function optionalText(body: Record<string, unknown>, field: string): string | null | undefined {
  const v = body[field];
  if (v === undefined || v === null) return v as undefined | null;
  if (typeof v !== 'string') throw badRequest(`${field} must be a string or null`);
  return v;
}

export const messageRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/topics/:name/messages',
    async handler(ctx) {
      const topic = await authorizedTopic(ctx, AclOperation.READ);
      const onePartition = partitionOf(ctx, topic, false);
      const offset = ctx.query.offset('offset');
      const limit = ctx.query.int('limit', 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
      const direction = ctx.query.oneOf('direction', ['forward', 'backward'] as const, offset === undefined ? 'backward' : 'forward');
      const key = ctx.query.string('key');
      const jsonPath = ctx.query.string('jsonPath');
      const jsonValue = ctx.query.string('jsonValue');
      if (jsonValue !== undefined && jsonPath === undefined) throw badRequest('query parameter jsonValue needs jsonPath');
      const base = {
        limit,
        direction,
        maxBatches: MAX_SCAN_BATCHES,
        maxRecords: MAX_SCAN_RECORDS,
        key: key === undefined ? undefined : Buffer.from(key, 'utf8'),
        fromMs: ctx.query.time('from'),
        toMs: ctx.query.time('to'),
        header: headerFilter(ctx.query.string('header')),
        jsonPath,
        jsonValue,
      };
      // Unfiltered, a window just holding `limit` records is enough: nothing in it is filtered out.
      if (!base.key && base.fromMs === undefined && base.toMs === undefined && !base.header && !base.jsonPath) base.maxRecords = limit;
      if (offset !== undefined && onePartition === undefined && topic.partitions.length > 1) {
        throw badRequest('query parameter offset needs partition (offsets are per partition)');
      }
      const partitions = onePartition !== undefined ? [onePartition] : topic.partitions.map((_, i) => i);
      const offsets = await offsetsOf(ctx, topic, partitions);
      const found: MessageJson[] = [];
      let nextOffset: bigint | null = null;
      try {
        for (const partition of partitions) {
          const { start, end } = offsets.get(partition)!;
          const startOffset = offset ?? (direction === 'forward' ? start : end - 1n);
          if (startOffset < 0n) continue;
          const result = await ctx.reads.searchRecords({ ...base, topicId: topic.topicId, partition, startOffset });
          for (const r of result.records) found.push(messageJson(partition, r));
          nextOffset = result.nextOffset;
        }
      } catch (err) {
        if (err instanceof InvalidRecordSearchError) throw badRequest(`bad search: ${err.message}`);
        throw err;
      }
      if (partitions.length > 1) {
        // Several partitions: merged by time (newest first going backward), then cut to the limit.
        const sign = direction === 'forward' ? 1 : -1;
        found.sort((a, b) => sign * (Date.parse(a.timestamp) - Date.parse(b.timestamp)) || a.partition - b.partition || sign * Number(BigInt(a.offset) - BigInt(b.offset)));
        found.splice(limit);
        return { messages: found };
      }
      return nextOffset === null ? { messages: found } : { messages: found, nextOffset: nextOffset.toString() };
    },
  },
  {
    method: 'POST',
    path: '/api/topics/:name/messages',
    async handler(ctx) {
      const body = await ctx.body();
      const topic = await authorizedTopic(ctx, AclOperation.WRITE);
      const value = optionalText(body, 'value');
      if (value === undefined) throw badRequest('value is required (a string, or null for a tombstone)');
      const key = optionalText(body, 'key');
      const headersIn = body.headers ?? [];
      if (!Array.isArray(headersIn)) throw badRequest('headers must be an array of {key, value}');
      const headers = headersIn.map((h: unknown, i) => {
        if (h === null || typeof h !== 'object') throw badRequest(`headers[${i}] must be an object {key, value}`);
        const { key: hk, value: hv } = h as Record<string, unknown>;
        if (typeof hk !== 'string') throw badRequest(`headers[${i}].key must be a string`);
        if (hv !== null && hv !== undefined && typeof hv !== 'string') throw badRequest(`headers[${i}].value must be a string or null`);
        return { key: hk, value: hv === null || hv === undefined ? null : bytesOf(hv, (h as Record<string, unknown>).valueEncoding) };
      });
      const keyBytes = key === undefined || key === null ? null : bytesOf(key, body.keyEncoding);
      let partition: number;
      if (body.partition !== undefined && body.partition !== null) {
        if (!Number.isInteger(body.partition) || (body.partition as number) < 0) throw badRequest('partition must be a non-negative integer');
        partition = body.partition as number;
        if (partition >= topic.partitions.length) throw new ConsoleError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic.name} has no partition ${partition}`);
      } else {
        partition = keyBytes !== null ? keyPartition(keyBytes, topic.partitions.length) : Math.floor(Math.random() * topic.partitions.length);
      }
      const batch = await encodeBatch([{ key: keyBytes, value: value === null ? null : bytesOf(value, body.valueEncoding), headers }]);
      const response = await callKafkaApi<ProduceRequest, ProduceResponse>(ctx, produce, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 30_000,
        topicData: [{ name: topic.name, topicId: topic.topicId, partitionData: [{ index: partition, records: batch }] }],
      });
      const result = response.responses?.[0]?.partitionResponses?.[0];
      if (!result) throw new ConsoleError(500, 'UNKNOWN_SERVER_ERROR', 'produce gave no answer');
      if (result.errorCode !== ErrorCode.NONE) throw kafkaFailure(result.errorCode!, result.errorMessage);
      return { partition, offset: result.baseOffset!.toString() };
    },
  },
  {
    method: 'GET',
    path: '/api/topics/:name/tail',
    async handler(ctx) {
      const topic = await authorizedTopic(ctx, AclOperation.READ);
      const onePartition = partitionOf(ctx, topic, false);
      const partitions = onePartition !== undefined ? [onePartition] : topic.partitions.map((_, i) => i);
      await tail(ctx, topic, partitions);
      return undefined;
    },
  },
];

/**
 * Streams records appended from the end offsets at connect time on, one `message` event each. Woken by
 * the append notifications (PartitionWatch), as waiting fetches are; reads each woken partition from
 * where it left off.
 */
async function tail(ctx: ConsoleContext, topic: TopicRecord, partitions: readonly number[]): Promise<void> {
  const { res } = ctx;
  const watch = ctx.services.partitionWatch;
  const keys = partitions.map((p) => partitionKey(topic.topicId, p));
  const next = new Map([...(await offsetsOf(ctx, topic, partitions))].map(([p, o]) => [p, o.end]));
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    Connection: 'keep-alive',
    'X-Accel-Buffering': 'no',
  });
  res.write(': tailing\n\n');
  let closed = false;
  let wake: (() => void) | null = null;
  const stop = (): void => {
    closed = true;
    wake?.();
  };
  // The response closes when the client goes away (the request's own 'close' means only that its body was read).
  res.on('close', stop);
  ctx.shutdown.addEventListener('abort', stop, { once: true });
  const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
  try {
    while (!closed) {
      const readFrom = watch.mark();
      for (const partition of partitions) {
        for (;;) {
          if (closed) return;
          const result = await ctx.reads.searchRecords({
            topicId: topic.topicId,
            partition,
            direction: 'forward',
            startOffset: next.get(partition)!,
            limit: MAX_LIMIT,
            maxBatches: MAX_SCAN_BATCHES,
            maxRecords: MAX_LIMIT,
          });
          for (const r of result.records) {
            res.write(`event: message\ndata: ${JSON.stringify(messageJson(partition, r))}\n\n`);
            next.set(partition, r.offset + 1n);
          }
          if (result.nextOffset === null || result.nextOffset <= next.get(partition)!) break;
          next.set(partition, result.nextOffset);
        }
      }
      await new Promise<void>((resolve) => {
        const cancel = watch.waitForAny(keys, () => resolve());
        wake = () => {
          cancel();
          resolve();
        };
        if (closed || watch.changedSince(keys, readFrom)) wake();
      });
      wake = null;
    }
  } finally {
    clearInterval(keepAlive);
    ctx.shutdown.removeEventListener('abort', stop);
    res.end();
  }
}
