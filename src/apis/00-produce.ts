/**
 * Produce (key 0), advertised 0-13, served 3-13.
 *
 * v0-2 are advertised only because librdkafka before 2.11 disables compression unless v0 is listed (as
 * Kafka 4 does, KAFKA-18659); using them gets UNSUPPORTED_VERSION for every partition. Each partition's
 * single v2 batch is validated (CRC-32C, lengths, counts, size, timestamps, codec), normalised to its stored
 * form, then appended with the other partitions of this request and of concurrent requests in one
 * Postgres transaction (group commit). acks -1 and 1 are answered only after that commit; acks 0 gets no
 * response at all, unless it fails: then the connection is closed, as Kafka does. v13 addresses topics by id.
 *
 * A refused batch gets Kafka's error code (see ../records/validate.ts). As in Kafka 4.1, only record-level
 * refusals (KIP-467: a keyless record on a compacted topic, a timestamp out of range) carry an
 * error_message and record_errors (v8+: each bad record's batch index and message, so clients fail exactly
 * those records); every other refusal answers error_message null, the detail going to the debug log.
 * log_start_offset is the partition's where Kafka's log refused the batch, else -1, as Kafka answers.
 *
 * Authorization as Kafka's KafkaApis: a request whose batches are transactional needs WRITE on its
 * transactional id (else TRANSACTIONAL_ID_AUTHORIZATION_FAILED for every partition); each topic needs
 * WRITE, checked before its existence (TOPIC_AUTHORIZATION_FAILED per partition, so an unknown topic's
 * existence does not leak). Topics addressed by an unknown id stay UNKNOWN_TOPIC_ID.
 *
 * Deliberately skipped: transactional batches get INVALID_TXN_STATE (kpg has no transaction coordinator
 * yet, and does not advertise the transaction APIs).
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  ProduceRequest,
  ProduceRequestPartitionProduceData,
  ProduceResponse,
  ProduceResponsePartitionProduceResponse,
  ProduceResponseTopicProduceResponse,
} from '../protocol/messages/types.js';
import { ZERO_UUID } from '../protocol/reader.js';
import { Attributes, InvalidBatchError, isTransactional } from '../records/batch.js';
import { LogValidationError, RecordValidationError, validateProducedBatch, type ValidatedBatch } from '../records/validate.js';
import type { AppendBatch } from '../storage/log.js';
import type { TopicRecord } from '../storage/topics.js';
import { authorizedFilter, isAuthorized } from './authorize.js';
import { CloseConnection, defineHandler, type RequestContext } from './handler.js';

export default defineHandler<ProduceRequest, ProduceResponse>({
  apiKey: 0,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 13,
  pipelined: true,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    if (apiVersion < 3) return everyPartition(request, ErrorCode.UNSUPPORTED_VERSION, 'Produce v0-2 are not supported; use v3 or later');
    if (request.acks !== -1 && request.acks !== 0 && request.acks !== 1) {
      return everyPartition(request, ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${request.acks}`);
    }
    if (ctx.access.enabled && hasTransactionalRecords(request)) {
      const id = request.transactionalId;
      if (id === null || !isAuthorized(ctx, AclOperation.WRITE, ResourceType.TRANSACTIONAL_ID, id)) {
        return everyPartition(request, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'Transactional Id authorization failed.', false);
      }
    }
    const byId = apiVersion >= 13;
    const mayWrite = authorizedFilter(ctx, AclOperation.WRITE, ResourceType.TOPIC);
    const topics = byId
      ? await ctx.topics.byIds(request.topicData.map((t) => t.topicId).filter((id) => id !== ZERO_UUID))
      : await ctx.topics.byNames(request.topicData.map((t) => t.name));

    // Validate every partition first (concurrently: decompression is asynchronous), then append the
    // valid ones together.
    const now = BigInt(Date.now());
    const pending: Promise<PartitionOutcome>[] = [];
    for (const topicData of request.topicData) {
      const topic = topics.get(byId ? topicData.topicId : topicData.name);
      // By name the check comes before existence; an id names a topic only once resolved.
      const name = byId ? topic?.name : topicData.name;
      const denied = name !== undefined && !mayWrite(name);
      for (const partitionData of topicData.partitionData) {
        pending.push(
          denied
            ? Promise.resolve(failed(partitionData.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED, null))
            : preparePartition(ctx, topic, partitionData, apiVersion, now, byId),
        );
      }
    }
    const outcomes = await Promise.all(pending);

    const toAppend = outcomes.filter((o): o is PreparedPartition => 'append' in o);
    // Appends are enqueued in request order, even though requests on a connection are validated concurrently.
    await ctx.previousDispatched;
    const appended = ctx.records.append(toAppend.map((o) => o.append));
    ctx.markDispatched();
    if (toAppend.length > 0) {
      const results = await appended;
      toAppend.forEach((o, i) => {
        const r = results[i]!;
        o.response.errorCode = r.errorCode;
        o.response.baseOffset = r.errorCode === ErrorCode.NONE ? r.baseOffset : -1n;
        o.response.logStartOffset = r.logStartOffset;
        o.response.logAppendTimeMs = r.errorCode === ErrorCode.NONE ? o.validated.logAppendTimeMs : -1n;
        if (r.errorCode !== ErrorCode.NONE) {
          o.response.errorMessage = appendErrorMessage(r.errorCode);
          return;
        }
        // Committed: wake this gateway's waiting fetches now rather than on the NOTIFY's return.
        ctx.partitionWatch.appended(o.append.topicId, o.append.partition, r.baseOffset + BigInt(o.append.recordCount));
        ctx.metrics.messagesIn(o.topicName, o.append.recordCount, o.requestBytes);
      });
    }
    for (const o of outcomes) {
      if (o.response.errorCode !== ErrorCode.NONE) {
        ctx.log.debug({ partition: o.response.index, errorCode: o.response.errorCode, message: o.response.errorMessage }, 'produce refused');
      }
    }
    if (request.acks === 0) {
      // No response exists to carry an error: Kafka closes the connection so the producer notices.
      const failed = outcomes.find((o) => o.response.errorCode !== ErrorCode.NONE);
      if (failed) throw new CloseConnection(`acks=0 produce failed with error ${failed.response.errorCode}`);
      return null;
    }

    // Answer in request order, grouped by topic as asked.
    let k = 0;
    const responses: ProduceResponseTopicProduceResponse[] = request.topicData.map((topicData) => ({
      name: topicData.name,
      topicId: topicData.topicId,
      partitionResponses: topicData.partitionData.map(() => outcomes[k++]!.response),
    }));
    return { responses, throttleTimeMs: 0 };
  },
});

interface FailedPartition {
  response: ProduceResponsePartitionProduceResponse;
}

interface PreparedPartition {
  response: ProduceResponsePartitionProduceResponse;
  append: AppendBatch;
  validated: ValidatedBatch;
  /** For the per-topic metrics: the topic's name and the batch's size as the client sent it. */
  topicName: string;
  requestBytes: number;
}

type PartitionOutcome = FailedPartition | PreparedPartition;

function failed(
  index: number,
  errorCode: number,
  errorMessage: string | null,
  logStartOffset = -1n,
  recordErrors: ProduceResponsePartitionProduceResponse['recordErrors'] = [],
): FailedPartition {
  return { response: { index, errorCode, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset, recordErrors, errorMessage } };
}

const LONG_MAX = 9223372036854775807n;

/** A long config held as a number: Long.MAX_VALUE (the before.max.ms default) exactly, not rounded up. */
const toLong = (n: number): bigint => (n >= Number(LONG_MAX) ? LONG_MAX : BigInt(Math.trunc(n)));

/** The partition's log start offset, for answers to batches Kafka's log refused. */
async function logStartOffsetOf(ctx: RequestContext, topicId: string, partition: number): Promise<bigint> {
  const known = ctx.partitionWatch.get(topicId, partition);
  if (known) return known.logStartOffset;
  const states = await ctx.records.partitionStates([{ topicId, partition }]);
  for (const s of states.values()) return s.logStartOffset;
  return -1n;
}

async function preparePartition(
  ctx: RequestContext,
  topic: TopicRecord | undefined,
  data: ProduceRequestPartitionProduceData,
  apiVersion: number,
  now: bigint,
  byId: boolean,
): Promise<PartitionOutcome> {
  if (!topic) return failed(data.index, byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, null);
  // Kafka's own topics (__consumer_offsets) are written only by the broker (ReplicaManager's check).
  if (topic.isInternal) return failed(data.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${topic.name}`);
  if (data.index < 0 || data.index >= topic.partitions.length) {
    return failed(data.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `partition ${data.index} does not exist`);
  }
  const config = await ctx.topicConfigs.get(topic.topicId);
  let validated: ValidatedBatch;
  try {
    validated = await validateProducedBatch(data.records, {
      produceVersion: apiVersion,
      topicPartition: `${topic.name}-${data.index}`,
      maxMessageBytes: config.maxMessageBytes,
      segmentBytes: config.segmentBytes,
      logAppendTime: config.timestampType === 'LogAppendTime',
      compacted: config.compactEnabled,
      timestampBeforeMaxMs: toLong(config.timestampBeforeMaxMs),
      timestampAfterMaxMs: toLong(config.timestampAfterMaxMs),
      now,
    });
  } catch (err) {
    if (!(err instanceof InvalidBatchError)) throw err;
    ctx.log.debug({ partition: data.index, errorCode: err.errorCode, reason: err.message }, 'produced batch refused');
    if (err instanceof RecordValidationError) {
      const recordErrors = err.recordErrors.map((e) => ({ batchIndex: e.batchIndex, batchIndexErrorMessage: e.message }));
      return failed(data.index, err.errorCode, err.message, await logStartOffsetOf(ctx, topic.topicId, data.index), recordErrors);
    }
    if (err instanceof LogValidationError) return failed(data.index, err.errorCode, null, await logStartOffsetOf(ctx, topic.topicId, data.index));
    return failed(data.index, err.errorCode, null);
  }
  if (isTransactional(validated.header)) {
    return failed(data.index, ErrorCode.INVALID_TXN_STATE, 'transactional produce is not supported by kpg yet');
  }
  const { header } = validated;
  return {
    response: { index: data.index, errorCode: ErrorCode.NONE, baseOffset: -1n, logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage: null },
    validated,
    topicName: topic.name,
    requestBytes: data.records?.length ?? 0,
    append: {
      topicId: topic.topicId,
      partition: data.index,
      batch: validated.stored,
      recordCount: validated.recordCount,
      maxTimestamp: validated.maxTimestamp,
      maxTimestampDelta: validated.maxTimestampDelta,
      producerId: header.producerId,
      producerEpoch: header.producerEpoch,
      baseSequence: header.baseSequence,
    },
  };
}

function appendErrorMessage(errorCode: number): string | null {
  switch (errorCode) {
    case ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER:
      return 'batch sequence does not follow the last sequence written by this producer';
    case ErrorCode.INVALID_PRODUCER_EPOCH:
      return 'producer epoch is older than the one this partition has seen';
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
      return 'the partition was deleted';
    default:
      return null;
  }
}

/** Kafka's RequestUtils.hasTransactionalRecords: whether some partition's first batch is transactional. */
function hasTransactionalRecords(request: ProduceRequest): boolean {
  for (const t of request.topicData) {
    for (const p of t.partitionData) {
      const records = p.records;
      if (records && records.length >= 23 && records.readInt8(16) >= 2 && (records.readInt16BE(21) & Attributes.transactional) !== 0) return true;
    }
  }
  return false;
}

/** Every partition answered `errorCode`; `answered` false keeps the message to the log, as Kafka's error responses do. */
function everyPartition(request: ProduceRequest, errorCode: number, message: string, answered = true): ProduceResponse | null {
  if (request.acks === 0) throw new CloseConnection(`acks=0 produce refused: ${message}`);
  return {
    responses: request.topicData.map((t) => ({
      name: t.name,
      topicId: t.topicId,
      partitionResponses: t.partitionData.map((p) => failed(p.index, errorCode, answered ? message : null).response),
    })),
    throttleTimeMs: 0,
  };
}
