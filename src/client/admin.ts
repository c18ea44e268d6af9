/**
 * Topic administration over the Kafka protocol, for `kpg topic`: list, describe, create, delete and
 * alter configs. It talks to one bootstrap broker, which answers all of these for any topic (Kafka
 * forwards the changes to its controller; a kpg gateway writes Postgres), so it works against Kafka
 * clusters as well as kpg.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  CreateTopicsResponse,
  DeleteTopicsResponse,
  DescribeConfigsResponse,
  IncrementalAlterConfigsResponse,
  ListOffsetsResponse,
  MetadataResponse,
} from '../protocol/messages/types.js';
import { ZERO_UUID } from '../protocol/reader.js';
import { KafkaConnection, type ConnectOptions } from './connection.js';

const ERROR_NAMES = new Map<number, string>(Object.entries(ErrorCode).map(([name, code]) => [code, name]));

export function errorName(code: number): string {
  return ERROR_NAMES.get(code) ?? `ERROR_${code}`;
}

/** The outcome of one topic in a create, delete or alter: OK, or Kafka's error and message. */
export interface TopicOutcome {
  topic: string;
  errorCode: number;
  error: string | null;
  message: string | null;
}

export interface PartitionInfo {
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  offlineReplicas: number[];
  errorCode: number;
}

export interface TopicInfo {
  name: string;
  topicId: string;
  internal: boolean;
  errorCode: number;
  partitions: PartitionInfo[];
}

export interface ConfigInfo {
  name: string;
  value: string | null;
  source: string;
  readOnly: boolean;
  sensitive: boolean;
}

const CONFIG_SOURCES = ['UNKNOWN', 'DYNAMIC_TOPIC_CONFIG', 'DYNAMIC_BROKER_CONFIG', 'DYNAMIC_DEFAULT_BROKER_CONFIG', 'STATIC_BROKER_CONFIG', 'DEFAULT_CONFIG'];

function outcome(topic: string, errorCode: number, message: string | null | undefined): TopicOutcome {
  return { topic, errorCode, error: errorCode === ErrorCode.NONE ? null : errorName(errorCode), message: message ?? null };
}

export type ConfigOperation = 'set' | 'delete' | 'append' | 'subtract';
const OPERATION_IDS: Record<ConfigOperation, number> = { set: 0, delete: 1, append: 2, subtract: 3 };

export class KafkaAdmin {
  private constructor(private readonly conn: KafkaConnection) {}

  /** Connects to the first reachable of `brokers` (host:port). */
  static async connect(brokers: readonly string[], options: ConnectOptions = {}): Promise<KafkaAdmin> {
    let last: Error | undefined;
    for (const address of brokers) {
      try {
        return new KafkaAdmin(await KafkaConnection.connect(address, options));
      } catch (err) {
        last = err as Error;
      }
    }
    throw last ?? new Error('no brokers given');
  }

  close(): void {
    this.conn.close();
  }

  /** Topics with their partitions; all topics when `names` is absent. */
  async topics(names?: readonly string[]): Promise<TopicInfo[]> {
    const version = this.conn.version(3, 12);
    if (version === undefined) throw new Error('the broker does not support Metadata');
    const topics = names === undefined ? (version === 0 ? [] : null) : names.map((name) => ({ name, topicId: ZERO_UUID }));
    if (names !== undefined && names.length === 0) return [];
    const { body } = await this.conn.request<MetadataResponse>(
      3,
      { topics, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false },
      12,
    );
    return (body.topics ?? []).map((t) => ({
      name: t.name ?? '',
      topicId: t.topicId ?? ZERO_UUID,
      internal: t.isInternal ?? false,
      errorCode: t.errorCode ?? 0,
      partitions: (t.partitions ?? [])
        .map((p) => ({
          partition: p.partitionIndex!,
          leader: p.leaderId!,
          leaderEpoch: p.leaderEpoch ?? -1,
          replicas: p.replicaNodes ?? [],
          isr: p.isrNodes ?? [],
          offlineReplicas: p.offlineReplicas ?? [],
          errorCode: p.errorCode ?? 0,
        }))
        .sort((a, b) => a.partition - b.partition),
    }));
  }

  async createTopics(
    topics: readonly string[],
    options: { partitions: number; replicationFactor: number; configs: ReadonlyMap<string, string>; validateOnly: boolean },
  ): Promise<TopicOutcome[]> {
    const { body } = await this.conn.request<CreateTopicsResponse>(19, {
      topics: topics.map((name) => ({
        name,
        numPartitions: options.partitions,
        replicationFactor: options.replicationFactor,
        assignments: [],
        configs: [...options.configs].map(([name, value]) => ({ name, value })),
      })),
      timeoutMs: 30_000,
      validateOnly: options.validateOnly,
    });
    return (body.topics ?? []).map((t) => outcome(t.name!, t.errorCode!, t.errorMessage));
  }

  async deleteTopics(topics: readonly string[]): Promise<TopicOutcome[]> {
    // v6 names topics in `topics`, older versions in `topicNames`; the codec writes the one the version has.
    const { body } = await this.conn.request<DeleteTopicsResponse>(20, {
      topics: topics.map((name) => ({ name, topicId: ZERO_UUID })),
      topicNames: [...topics],
      timeoutMs: 30_000,
    });
    return (body.responses ?? []).map((r) => outcome(r.name ?? r.topicId ?? '', r.errorCode!, r.errorMessage));
  }

  /** A topic's configs (all of them, with where each value comes from). */
  async topicConfigs(topic: string): Promise<{ errorCode: number; message: string | null; configs: ConfigInfo[] }> {
    const { version, body } = await this.conn.request<DescribeConfigsResponse>(32, {
      resources: [{ resourceType: 2, resourceName: topic, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    const result = body.results![0]!;
    return {
      errorCode: result.errorCode!,
      message: result.errorMessage || null,
      configs: (result.configs ?? [])
        .map((c) => ({
          name: c.name!,
          value: c.value ?? null,
          // v0 has no source, only whether the value is the default.
          source: version === 0 ? (c.isDefault ? 'DEFAULT_CONFIG' : 'DYNAMIC_TOPIC_CONFIG') : (CONFIG_SOURCES[c.configSource ?? 0] ?? 'UNKNOWN'),
          readOnly: c.readOnly ?? false,
          sensitive: c.isSensitive ?? false,
        }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  /** Log start offset and high watermark of each partition. */
  async offsets(topic: string, partitions: readonly number[]): Promise<Map<number, { logStartOffset: bigint; highWatermark: bigint }>> {
    const ask = async (timestamp: bigint) => {
      const { body } = await this.conn.request<ListOffsetsResponse>(2, {
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) }],
        timeoutMs: 30_000,
      }, 10);
      const out = new Map<number, bigint>();
      for (const p of body.topics?.[0]?.partitions ?? []) {
        if (p.errorCode === ErrorCode.NONE) out.set(p.partitionIndex!, p.offset ?? p.oldStyleOffsets?.[0] ?? -1n);
      }
      return out;
    };
    const [earliest, latest] = await Promise.all([ask(-2n), ask(-1n)]);
    const out = new Map<number, { logStartOffset: bigint; highWatermark: bigint }>();
    for (const p of partitions) {
      out.set(p, { logStartOffset: earliest.get(p) ?? -1n, highWatermark: latest.get(p) ?? -1n });
    }
    return out;
  }

  /** Changes single configs of topics (IncrementalAlterConfigs). */
  async alterTopicConfigs(
    topics: readonly string[],
    operations: readonly { name: string; operation: ConfigOperation; value: string | null }[],
    validateOnly: boolean,
  ): Promise<TopicOutcome[]> {
    const { body } = await this.conn.request<IncrementalAlterConfigsResponse>(44, {
      resources: topics.map((topic) => ({
        resourceType: 2,
        resourceName: topic,
        configs: operations.map((op) => ({ name: op.name, configOperation: OPERATION_IDS[op.operation], value: op.value })),
      })),
      validateOnly,
    });
    return (body.responses ?? []).map((r) => outcome(r.resourceName!, r.errorCode!, r.errorMessage));
  }
}
