/**
 * Reads what a Kafka 4.x broker reports of its broker configs (DescribeConfigs v4 with synonyms), as the
 * facts src/config/kafka-broker-configs.ts is generated from: each config's name, type, default (its
 * DEFAULT_CONFIG synonym), read-only and sensitive flags, and the cluster-wide dynamic defaults a fresh
 * cluster holds. Only facts are kept, never Kafka's documentation text.
 */
import { RawClient } from '../support/raw-client.js';

export interface ReferenceBrokerConfig {
  name: string;
  /** DescribeConfigs ConfigType id. */
  type: number;
  /** Kafka's default: the DEFAULT_CONFIG synonym's value, null when it has none (or is sensitive). */
  defaultValue: string | null;
  readOnly: boolean;
  sensitive: boolean;
}

export interface ReferenceFacts {
  configs: ReferenceBrokerConfig[];
  /** The cluster-wide dynamic defaults (broker resource "") of a fresh cluster. */
  clusterDefaults: { name: string; value: string | null }[];
}

const BROKER = 4;
const DEFAULT_CONFIG = 5;

export async function readReferenceFacts(bootstrap: string): Promise<ReferenceFacts> {
  const raw = await RawClient.connect(bootstrap);
  try {
    const { body: md } = await raw.request(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    const nodeId = String(md.brokers[0].nodeId);
    const { body } = await raw.request(32, 4, {
      resources: [
        { resourceType: BROKER, resourceName: nodeId, configurationKeys: null },
        { resourceType: BROKER, resourceName: '', configurationKeys: null },
      ],
      includeSynonyms: true,
      includeDocumentation: false,
    });
    const [broker, defaults] = body.results as { errorCode: number; configs: any[] }[];
    if (broker!.errorCode !== 0 || defaults!.errorCode !== 0) throw new Error(`DescribeConfigs failed: ${JSON.stringify(body.results)}`);
    const configs = broker!.configs
      .map((c) => {
        const fallback = c.synonyms.find((s: { source: number }) => s.source === DEFAULT_CONFIG);
        const defaultValue = c.isSensitive ? null : c.configSource === DEFAULT_CONFIG ? c.value : (fallback?.value ?? null);
        return { name: c.name as string, type: c.configType as number, defaultValue, readOnly: c.readOnly as boolean, sensitive: c.isSensitive as boolean };
      })
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const clusterDefaults = defaults!.configs.map((c) => ({ name: c.name as string, value: c.value as string | null }));
    return { configs, clusterDefaults };
  } finally {
    raw.close();
  }
}
