/**
 * A broker under test (kpg, or another Kafka) and the topics the phases write to.
 */
import { queryLoadgen } from './loadgen.js';
import type { ProcessGroups } from './proc.js';
import type { TargetName } from './result.js';

export interface Target {
  name: TargetName;
  bootstrap: string;
  description: string;
  /** The broker process (kpg's gateway, Kafka's JVM), when it runs on this machine. */
  brokerPid: number | null;
  /** kpg's Postgres postmaster, when local. */
  postgresPid: number | null;
  /** API keys the broker advertises, with their version ranges. */
  apis: Map<number, { min: number; max: number }>;
  /**
   * kpg only: creates topics straight in its storage, for when it does not serve CreateTopics yet.
   * Creating a topic is set-up, not what is measured.
   */
  databaseUrl?: string;
  /** librdkafka settings the load generators add (the TLS row: security.protocol=SSL and its CA). */
  clientConfig?: Record<string, string>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  /**
   * The gateway (node id) to lead every partition: gateways sharing a database are one cluster, and
   * clients produce to a partition's leader, whichever gateway they bootstrapped from.
   */
  leader?: number;
}

const CREATE_TOPICS = 19;

/** Process groups whose CPU is reported next to each other: broker, Postgres and the load generator. */
export function cpuGroups(target: Target, loadGenerator: () => readonly number[]): ProcessGroups {
  return {
    broker: () => (target.brokerPid ? [target.brokerPid] : []),
    postgres: () => (target.postgresPid ? [target.postgresPid] : []),
    load_generator: loadGenerator,
  };
}

/** Unique per run, so that reruns against a kept database never collide. */
export const RUN_ID = `${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;

export function topicName(purpose: string): string {
  return `kpg-bench-${purpose}-${RUN_ID}`;
}

/** Creates topics with CreateTopics and waits until they serve. */
export async function createTopics(target: Target, topics: readonly TopicSpec[]): Promise<void> {
  if (topics.length === 0) return;
  if (!target.apis.has(CREATE_TOPICS)) throw new Error(`${target.bootstrap} does not serve CreateTopics (API 19)`);
  const result = await queryLoadgen('create-topics', { bootstrap: target.bootstrap, topics });
  const outcome = result.topics as Record<string, string>;
  const failed = Object.entries(outcome).filter(([, v]) => v !== 'created' && v !== 'exists');
  if (failed.length > 0) throw new Error(`CreateTopics failed: ${failed.map(([k, v]) => `${k}: ${v}`).join('; ')}`);
}

/**
 * Writes `records` records into one partition and waits until all are acknowledged (set-up, not measured):
 * the first keyed `firstKey` when given; values random bytes of `recordSize`, or small JSON documents.
 */
export async function writeRecords(target: Target, options: {
  topic: string;
  partition: number;
  records: number;
  recordSize?: number;
  firstKey?: string;
  json?: boolean;
}): Promise<void> {
  await queryLoadgen('write-records', {
    bootstrap: target.bootstrap, topic: options.topic, partition: options.partition, records: options.records,
    record_size: options.recordSize ?? 1024, first_key: options.firstKey ?? null, json: options.json ?? false,
    ...(target.clientConfig ? { client_config: target.clientConfig } : {}),
  });
}
