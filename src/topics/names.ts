/** Kafka's topic name rules (org.apache.kafka.common.internals.Topic). */

export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Returns why a name is not a legal topic name, or null when it is. */
export function invalidTopicNameReason(name: string | null | undefined): string | null {
  if (name === null || name === undefined || name.length === 0) return 'Topic name is illegal, it can\'t be empty';
  if (name === '.' || name === '..') return 'Topic name cannot be "." or ".."';
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is illegal, it can't be longer than ${MAX_TOPIC_NAME_LENGTH} characters, topic name: ${name}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name "${name}" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** Kafka treats "." and "_" alike when warning about colliding metric names. */
export function collisionKey(name: string): string {
  return name.replace(/\./g, '_');
}

/** Topics that Kafka itself owns. */
export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);
