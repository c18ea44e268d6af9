/** Kafka's topic name rules (org.apache.kafka.common.internals.Topic). */

export const MAX_TOPIC_NAME_LENGTH = 249;
const LEGAL = /^[a-zA-Z0-9._-]+$/;

/** Returns why a name is not a legal topic name (Kafka 4.x's wording), or null when it is. */
export function invalidTopicNameReason(name: string | null | undefined): string | null {
  if (name === null || name === undefined || name.length === 0) return 'Topic name is invalid: the empty string is not allowed';
  if (name === '.') return "Topic name is invalid: '.' is not allowed";
  if (name === '..') return "Topic name is invalid: '..' is not allowed";
  if (name.length > MAX_TOPIC_NAME_LENGTH) {
    return `Topic name is invalid: the length of '${name}' is longer than the max allowed length ${MAX_TOPIC_NAME_LENGTH}`;
  }
  if (!LEGAL.test(name)) {
    return `Topic name is invalid: '${name}' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'`;
  }
  return null;
}

/** Topics that Kafka itself owns. */
export const INTERNAL_TOPICS = new Set(['__consumer_offsets', '__transaction_state']);
