/**
 * The one key of a (topic, partition) pair in maps and sets: the topic is an id or, where clients address
 * topics by name, a name. Neither contains the separator.
 */
const SEPARATOR = ':';

export function partitionKey(topic: string, partition: number): string {
  return `${topic}${SEPARATOR}${partition}`;
}

/** Whether `key` (from partitionKey) names a partition of `topic`. */
export function isPartitionOf(key: string, topic: string): boolean {
  return key.startsWith(topic + SEPARATOR);
}
