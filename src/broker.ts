/**
 * What every handler needs to know about the gateway it runs in: its identity in the cluster, its
 * configuration and its storage. One Broker per running gateway.
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from './config/broker-config.js';
import type { TopicConfigs } from './config/topic-config.js';
import type { AdminStore } from './storage/admin-store.js';
import type { PartitionWatch } from './fetch/partition-watch.js';
import type { FetchSessionCache } from './fetch/sessions.js';
import type { GroupCoordinator } from './groups/coordinator.js';
import type { Notifications } from './storage/notifications.js';
import type { RecordStore } from './storage/record-store.js';
import type { TopicCache } from './topics/topic-cache.js';
import type { BrokerRecord, Store } from './storage/store.js';

export interface Broker {
  readonly nodeId: number;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly rack: string | null;
  readonly clusterId: string;
  readonly store: Store;
  readonly config: BrokerConfig;
  readonly log: Logger;
  /** Committed changes from every gateway and from SQL, via LISTEN/NOTIFY. */
  readonly notifications: Notifications;
  /** Topic metadata for the hot paths, dropped on change notifications. */
  readonly topics: TopicCache;
  /** Record batches: append (group commit) and read. */
  readonly records: RecordStore;
  /** Known high watermarks and the fetches waiting on them. */
  readonly partitionWatch: PartitionWatch;
  readonly fetchSessions: FetchSessionCache;
  /** Topic and config administration, offsets lookups and storage reclaiming (SQL). */
  readonly admin: AdminStore;
  /** Effective topic configs (own values falling back to broker synonyms), cached. */
  readonly topicConfigs: TopicConfigs;
  /** Consumer groups and committed offsets, kept in Postgres (any gateway coordinates any group). */
  readonly groups: GroupCoordinator;
  /** Gateways currently alive, this one always included, ordered by node id. */
  liveBrokers(): Promise<BrokerRecord[]>;
}

export class GatewayBroker implements Broker {
  constructor(
    readonly nodeId: number,
    readonly advertisedHost: string,
    readonly advertisedPort: number,
    readonly rack: string | null,
    readonly clusterId: string,
    readonly store: Store,
    readonly config: BrokerConfig,
    readonly log: Logger,
    readonly notifications: Notifications,
    readonly topics: TopicCache,
    readonly records: RecordStore,
    readonly partitionWatch: PartitionWatch,
    readonly fetchSessions: FetchSessionCache,
    readonly admin: AdminStore,
    readonly topicConfigs: TopicConfigs,
    readonly groups: GroupCoordinator,
  ) {}

  async liveBrokers(): Promise<BrokerRecord[]> {
    const live = await this.store.liveBrokers(this.config.int('broker.session.timeout.ms'));
    if (!live.some((b) => b.nodeId === this.nodeId)) {
      // Even if our own heartbeat is late (a slow database), clients must see the broker they talk to.
      live.push({ nodeId: this.nodeId, host: this.advertisedHost, port: this.advertisedPort, rack: this.rack });
      live.sort((a, b) => a.nodeId - b.nodeId);
    }
    return live;
  }
}
