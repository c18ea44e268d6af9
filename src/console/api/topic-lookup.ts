/**
 * Finding the topic a console request names, authorized as Kafka authorizes the API of the same effect.
 */
import type { AclOperationCode } from '../../protocol/acl.js';
import { ResourceType } from '../../protocol/acl.js';
import type { TopicRecord } from '../../storage/topics.js';
import { ConsoleError } from '../http.js';
import type { ConsoleContext } from '../router.js';

/** The topic named by the path, after checking `operation` on it (403 before 404, as Kafka hides unauthorized topics). */
export async function authorizedTopic(ctx: ConsoleContext, operation: AclOperationCode): Promise<TopicRecord> {
  const name = ctx.params.name!;
  ctx.authorize(operation, ResourceType.TOPIC, name, 'TOPIC_AUTHORIZATION_FAILED');
  const topic = (await ctx.services.topics.byNames([name], { fresh: true })).get(name);
  if (!topic) throw new ConsoleError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `The topic '${name}' does not exist.`);
  return topic;
}

/** A partition of the topic from the query (`partition`), 404 when the topic has no such partition. */
export function partitionOf(ctx: ConsoleContext, topic: TopicRecord, required: boolean): number | undefined {
  const partition = ctx.query.int('partition', 0, 0x7fffffff);
  if (partition === undefined) {
    if (required) throw new ConsoleError(400, 'INVALID_REQUEST', 'query parameter partition is required');
    return undefined;
  }
  if (partition >= topic.partitions.length) {
    throw new ConsoleError(404, 'UNKNOWN_TOPIC_OR_PARTITION', `topic ${topic.name} has no partition ${partition} (it has ${topic.partitions.length})`);
  }
  return partition;
}
