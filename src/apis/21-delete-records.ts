/**
 * DeleteRecords (key 21), versions 0-2.
 *
 * Moves each partition's log start offset up to the requested offset (-1: the high watermark), in one
 * short transaction per partition. Records below it are never served again (fetches below it get
 * OFFSET_OUT_OF_RANGE, ListOffsets earliest answers it); the storage reaper then deletes the whole
 * batches below it in bounded chunks, and a batch straddling it stays until it is entirely below. The
 * low watermark answered is the new log start (never lower than before). An offset beyond the high
 * watermark, or negative other than -1, gets OFFSET_OUT_OF_RANGE; a topic whose cleanup.policy does not
 * include "delete" gets POLICY_VIOLATION, as in Kafka; unknown topics or partitions
 * UNKNOWN_TOPIC_OR_PARTITION. Each topic needs DELETE, checked first (TOPIC_AUTHORIZATION_FAILED per
 * partition), as Kafka's KafkaApis checks it.
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  DeleteRecordsResponseDeleteRecordsPartitionResult,
  DeleteRecordsResponseDeleteRecordsTopicResult,
} from '../protocol/messages/types.js';
import { authorizedFilter } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<DeleteRecordsRequest, DeleteRecordsResponse>({
  apiKey: 21,
  name: 'DeleteRecords',
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const mayDelete = authorizedFilter(ctx, AclOperation.DELETE, ResourceType.TOPIC);
    const topics = await ctx.topics.byNames(request.topics.filter((t) => mayDelete(t.name)).map((t) => t.name));
    const out: DeleteRecordsResponseDeleteRecordsTopicResult[] = [];
    for (const t of request.topics) {
      const topic = topics.get(t.name);
      const config = topic ? await ctx.topicConfigs.get(topic.topicId) : undefined;
      const partitions: DeleteRecordsResponseDeleteRecordsPartitionResult[] = [];
      for (const p of t.partitions) {
        const fail = (errorCode: number): void => {
          partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode });
        };
        if (!mayDelete(t.name)) {
          fail(ErrorCode.TOPIC_AUTHORIZATION_FAILED);
          continue;
        }
        if (!topic || !config) {
          fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
          continue;
        }
        if (topic.isInternal) {
          // Kafka's ReplicaManager refuses records deletion on its internal topics before any other check.
          fail(ErrorCode.INVALID_TOPIC_EXCEPTION);
          continue;
        }
        if (!config.deleteEnabled) {
          ctx.log.info({ topic: t.name, partition: p.partitionIndex }, 'DeleteRecords refused: cleanup.policy does not include delete');
          fail(ErrorCode.POLICY_VIOLATION);
          continue;
        }
        const outcome = await ctx.records.deleteRecords(topic.topicId, p.partitionIndex, p.offset);
        if ('unknownPartition' in outcome) fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        else if ('outOfRange' in outcome) fail(ErrorCode.OFFSET_OUT_OF_RANGE);
        else {
          partitions.push({ partitionIndex: p.partitionIndex, lowWatermark: outcome.lowWatermark, errorCode: ErrorCode.NONE });
          ctx.log.info({ topic: t.name, partition: p.partitionIndex, logStartOffset: outcome.lowWatermark.toString() }, 'deleted records');
        }
      }
      out.push({ name: t.name, partitions });
    }
    return { throttleTimeMs: 0, topics: out };
  },
});
