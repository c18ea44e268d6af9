/**
 * DeleteTopics (key 20), versions 0-6: by name, and (v6) by topic id.
 *
 * Each topic goes in one short transaction: its row, and by cascade its partitions, configs, producer
 * states and committed offsets. Its record batches are reclaimed afterwards by the storage reaper in
 * bounded chunks, so deleting a topic of any size never blocks other traffic. A topic created again under
 * the same name is a new topic (new id, offsets from 0). Duplicate names or ids, a name and an id in one
 * entry, or neither, get INVALID_REQUEST with Kafka's messages; unknown names UNKNOWN_TOPIC_OR_PARTITION,
 * unknown ids UNKNOWN_TOPIC_ID. With delete.topic.enable=false every topic gets TOPIC_DELETION_DISABLED
 * (INVALID_REQUEST before v3).
 *
 * Authorization as Kafka's controller: DELETE on the cluster allows every topic; otherwise a topic needs
 * DELETE (TOPIC_AUTHORIZATION_FAILED). A name the client may not DESCRIBE is refused before its existence
 * is looked at; a known id it may not delete is answered with the name only if it may DESCRIBE the topic.
 *
 * Deliberately skipped: controller mutation quotas (kpg has none).
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { DeleteTopicsRequest, DeleteTopicsResponse, DeleteTopicsResponseDeletableTopicResult } from '../protocol/messages/types.js';
import { ZERO_UUID } from '../protocol/reader.js';
import { authorizedFilter, isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

// Kafka's default messages for these errors, which it sends here.
const UNKNOWN_TOPIC_MESSAGE = 'This server does not host this topic-partition.';
const UNKNOWN_TOPIC_ID_MESSAGE = 'This server does not host this topic ID.';
const UNAUTHORIZED_MESSAGE = 'Topic authorization failed.';

export default defineHandler<DeleteTopicsRequest, DeleteTopicsResponse>({
  apiKey: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    const entries = apiVersion >= 6 ? request.topics : request.topicNames.map((name) => ({ name, topicId: ZERO_UUID }));
    const responses: DeleteTopicsResponseDeletableTopicResult[] = [];
    const respond = (name: string | null, topicId: string, errorCode: number, errorMessage: string | null = null): void => {
      responses.push({ name, topicId, errorCode, errorMessage });
    };

    if (!ctx.config.bool('delete.topic.enable')) {
      for (const e of entries) {
        if (apiVersion < 3) respond(e.name, e.topicId, ErrorCode.INVALID_REQUEST, 'Topic deletion is disabled.');
        else respond(e.name, e.topicId, ErrorCode.TOPIC_DELETION_DISABLED, 'Topic deletion is disabled.');
      }
      return { throttleTimeMs: 0, responses };
    }

    const names = new Set<string>();
    const duplicateNames = new Set<string>();
    const ids = new Set<string>();
    const duplicateIds = new Set<string>();
    const addName = (name: string): void => {
      if (duplicateNames.has(name) || names.has(name)) {
        duplicateNames.add(name);
        names.delete(name);
      } else {
        names.add(name);
      }
    };
    for (const e of entries) {
      if (e.name === null) {
        if (e.topicId === ZERO_UUID) respond(null, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Neither topic name nor id were specified.');
        else if (duplicateIds.has(e.topicId) || ids.has(e.topicId)) {
          duplicateIds.add(e.topicId);
          ids.delete(e.topicId);
        } else ids.add(e.topicId);
      } else if (e.topicId === ZERO_UUID) {
        addName(e.name);
      } else {
        respond(e.name, e.topicId, ErrorCode.INVALID_REQUEST, 'You may not specify both topic name and topic id.');
      }
    }
    for (const name of duplicateNames) respond(name, ZERO_UUID, ErrorCode.INVALID_REQUEST, 'Duplicate topic name.');
    for (const id of duplicateIds) respond(null, id, ErrorCode.INVALID_REQUEST, 'Duplicate topic id.');

    const clusterDelete = isAuthorizedOnCluster(ctx, AclOperation.DELETE, false);
    const mayDescribe = clusterDelete ? (): boolean => true : authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC);
    const mayDelete = clusterDelete ? (): boolean => true : authorizedFilter(ctx, AclOperation.DELETE, ResourceType.TOPIC);

    // What to delete: topic id -> name, from ids first, then names.
    const toDelete = new Map<string, { name: string; byId: boolean }>();
    const foundIds = await ctx.topics.byIds([...ids], { fresh: true });
    for (const id of ids) {
      const name = foundIds.get(id)?.name;
      if (name === undefined) respond(null, id, ErrorCode.UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_ID_MESSAGE);
      else if (!mayDelete(name)) respond(mayDescribe(name) ? name : null, id, ErrorCode.TOPIC_AUTHORIZATION_FAILED, UNAUTHORIZED_MESSAGE);
      else toDelete.set(id, { name, byId: true });
    }
    const foundNames = await ctx.topics.byNames([...names].filter((name) => mayDescribe(name)), { fresh: true });
    for (const name of names) {
      const id = foundNames.get(name)?.topicId;
      if (!mayDescribe(name)) {
        respond(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED, UNAUTHORIZED_MESSAGE);
      } else if (id === undefined) {
        respond(name, ZERO_UUID, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_MESSAGE);
      } else if (!mayDelete(name)) {
        respond(name, ZERO_UUID, ErrorCode.TOPIC_AUTHORIZATION_FAILED, UNAUTHORIZED_MESSAGE);
      } else if (toDelete.has(id)) {
        toDelete.delete(id);
        respond(name, id, ErrorCode.INVALID_REQUEST, 'The provided topic name maps to an ID that was already supplied.');
      } else {
        toDelete.set(id, { name, byId: false });
      }
    }

    for (const [topicId, { name, byId: addressedById }] of toDelete) {
      let deleted: boolean;
      try {
        deleted = await ctx.topics.delete(topicId);
      } catch (err) {
        ctx.log.error({ err, topic: name, topicId }, 'deleting a topic failed');
        respond(name, topicId, ErrorCode.UNKNOWN_SERVER_ERROR, `Deleting topic '${name}' failed: ${(err as Error).message}`);
        continue;
      }
      if (!deleted) {
        // Another client deleted it between the lookup and now.
        if (addressedById) respond(null, topicId, ErrorCode.UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_ID_MESSAGE);
        else respond(name, topicId, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_TOPIC_MESSAGE);
        continue;
      }
      ctx.log.info({ topic: name, topicId }, 'deleted topic');
      respond(name, topicId, ErrorCode.NONE);
    }
    return { throttleTimeMs: 0, responses };
  },
});
