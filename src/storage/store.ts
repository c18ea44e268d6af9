/**
 * Compatibility for src/groups until the groups branch imports ./topics.js.
 * @deprecated
 */
export type { TopicRecord, PartitionRecord } from './topics.js';
