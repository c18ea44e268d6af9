/**
 * This gateway's view of the cluster: who it is, the gateways registered beside it and which are live,
 * and the dynamic broker configs they share (reloaded here whenever any gateway changes them).
 *
 * The one owner of the liveness rule: the gateway answering always counts as live, even when its own
 * heartbeat is late (a slow database), since clients must see the broker they talk to.
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import type { ClusterStorage, ConfigChange, GatewayRecord } from '../storage/cluster.js';
import type { ChangeNotifications } from '../storage/notifications.js';

export interface GatewayIdentity {
  nodeId: number;
  advertisedHost: string;
  advertisedPort: number;
  rack: string | null;
}

export class ClusterView {
  readonly nodeId: number;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly rack: string | null;

  constructor(
    self: GatewayIdentity,
    readonly clusterId: string,
    private readonly storage: ClusterStorage,
    private readonly config: BrokerConfig,
    notifications: ChangeNotifications,
    private readonly log: Logger,
  ) {
    this.nodeId = self.nodeId;
    this.advertisedHost = self.advertisedHost;
    this.advertisedPort = self.advertisedPort;
    this.rack = self.rack;
    // Dynamic broker configs altered on any gateway take effect here when their transaction commits.
    const reload = (): void => {
      this.reloadBrokerConfigs().catch((err) => this.log.warn({ err }, 'reloading dynamic broker configs failed'));
    };
    notifications.on('brokerConfigChanged', reload);
    notifications.on('reconnected', reload);
  }

  /** Every registered gateway, ordered by node id, with this one live. */
  async gateways(): Promise<GatewayRecord[]> {
    const all = await this.storage.gateways(this.config.int('broker.session.timeout.ms'));
    const self = all.find((g) => g.nodeId === this.nodeId);
    if (self) {
      self.live = true;
    } else {
      all.push({ nodeId: this.nodeId, host: this.advertisedHost, port: this.advertisedPort, rack: this.rack, live: true });
      all.sort((a, b) => a.nodeId - b.nodeId);
    }
    return all;
  }

  /** The live gateways, this one always included, ordered by node id. */
  async liveGateways(): Promise<GatewayRecord[]> {
    return (await this.gateways()).filter((g) => g.live);
  }

  /** The one "log dir" (DescribeLogDirs, the log.dirs broker config). */
  logDir(): Promise<string> {
    return this.storage.logDirName();
  }

  /**
   * Replaces the dynamic configs of one broker (-1: the cluster-wide default) with what `change` makes of
   * them (throwing refuses). This gateway applies the change before returning; the others on notification.
   */
  async alterBrokerConfigs(brokerId: number, change: ConfigChange, validateOnly: boolean): Promise<void> {
    await this.storage.alterBrokerConfigs(brokerId, change, validateOnly);
    if (!validateOnly) await this.reloadBrokerConfigs();
  }

  async reloadBrokerConfigs(): Promise<void> {
    this.config.setDynamic(await this.storage.brokerConfigs());
  }
}
