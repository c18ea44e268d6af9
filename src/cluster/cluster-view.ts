/**
 * This gateway's view of the cluster: who it is, the gateways registered beside it and which are live,
 * and the dynamic broker configs they share (reloaded here whenever any gateway changes them).
 *
 * The one owner of the liveness rule: the gateway answering always counts as live, even when its own
 * heartbeat is late (a slow database), since clients must see the broker they talk to.
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../config/broker-config.js';
import type { ClusterStorage, ConfigChange, GatewayEndpoint, GatewayRecord } from '../storage/cluster.js';
import type { ChangeNotifications } from '../storage/notifications.js';

export interface GatewayIdentity {
  nodeId: number;
  advertisedHost: string;
  advertisedPort: number;
  rack: string | null;
  /** Every advertised listener; the first is advertisedHost:advertisedPort. */
  endpoints: GatewayEndpoint[];
  /** listeners, advertised.listeners and listener.security.protocol.map as this gateway runs them. */
  listenerConfigs?: { listeners: string; advertisedListeners: string; protocolMap: string };
}

/**
 * Where clients that arrived on `listener` reach gateway `g`, as Kafka answers each listener with the same
 * listener's endpoints; null when `g` does not have that listener. A gateway registered before listeners
 * were configurable has one PLAINTEXT listener at its host and port.
 */
export function listenerEndpoint(g: GatewayRecord, listener: string): { host: string; port: number } | null {
  if (g.endpoints === null) return listener === 'PLAINTEXT' ? { host: g.host, port: g.port } : null;
  const e = g.endpoints.find((x) => x.listener === listener);
  return e ? { host: e.host, port: e.port } : null;
}

/** The gateways that have `listener`, with host and port of that listener. */
function onListener(gateways: GatewayRecord[], listener: string | undefined): GatewayRecord[] {
  if (listener === undefined) return gateways;
  return gateways.flatMap((g) => {
    const e = listenerEndpoint(g, listener);
    return e ? [{ ...g, host: e.host, port: e.port }] : [];
  });
}

export class ClusterView {
  readonly nodeId: number;
  readonly advertisedHost: string;
  readonly advertisedPort: number;
  readonly rack: string | null;
  readonly endpoints: readonly GatewayEndpoint[];
  readonly listenerConfigs: GatewayIdentity['listenerConfigs'];
  private readonly configListeners: (() => void)[] = [];
  private readonly changeCheckers: ((next: BrokerConfig) => void)[] = [];

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
    this.endpoints = self.endpoints;
    this.listenerConfigs = self.listenerConfigs;
    // Dynamic broker configs altered on any gateway take effect here when their transaction commits.
    const reload = (): void => {
      this.reloadBrokerConfigs().catch((err) => this.log.warn({ err }, 'reloading dynamic broker configs failed'));
    };
    notifications.on('brokerConfigChanged', reload);
    notifications.on('reconnected', reload);
  }

  /**
   * Every registered gateway, ordered by node id, with this one live. Given the listener a request arrived
   * on: only the gateways with that listener, each with that listener's host and port.
   */
  async gateways(listener?: string): Promise<GatewayRecord[]> {
    const all = await this.storage.gateways(this.config.int('broker.session.timeout.ms'));
    const self = all.find((g) => g.nodeId === this.nodeId);
    if (self) {
      self.live = true;
    } else {
      all.push({
        nodeId: this.nodeId,
        host: this.advertisedHost,
        port: this.advertisedPort,
        rack: this.rack,
        live: true,
        endpoints: [...this.endpoints],
      });
      all.sort((a, b) => a.nodeId - b.nodeId);
    }
    return onListener(all, listener);
  }

  /** The live gateways, this one always included, ordered by node id (on `listener`: as gateways()). */
  async liveGateways(listener?: string): Promise<GatewayRecord[]> {
    return (await this.gateways(listener)).filter((g) => g.live);
  }

  /**
   * Checks every broker config change before it is stored: `check` gets the configs as they would be and
   * throws to refuse (TLS listeners try the new key material, as Kafka validates its SSL factories).
   */
  checkBrokerConfigChanges(check: (next: BrokerConfig) => void): void {
    this.changeCheckers.push(check);
  }

  /** Calls `listener` after every reload of the dynamic broker configs (TLS material follows them). */
  onBrokerConfigsReloaded(listener: () => void): void {
    this.configListeners.push(listener);
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
    const checked: ConfigChange = (current) => {
      const next = change(current);
      for (const check of this.changeCheckers) check(this.config.withDynamic(brokerId, next));
      return next;
    };
    await this.storage.alterBrokerConfigs(brokerId, checked, validateOnly);
    if (!validateOnly) await this.reloadBrokerConfigs();
  }

  async reloadBrokerConfigs(): Promise<void> {
    this.config.setDynamic(await this.storage.brokerConfigs());
    for (const listener of this.configListeners) listener();
  }
}
