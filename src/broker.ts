/**
 * What every handler needs to know about the gateway it runs in: its identity in the cluster, its
 * configuration and its storage. One Broker per running gateway.
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from './config/broker-config.js';
import type { Notifications } from './storage/notifications.js';
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
