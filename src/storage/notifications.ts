/**
 * The gateway's one LISTEN connection. Postgres delivers a NOTIFY only when the transaction that sent it
 * commits, so a notification means "this change is visible now". Waiters (long-poll fetches, joins) are
 * woken by it instead of polling.
 *
 * If the connection drops, it reconnects with backoff and then emits `reconnected`: whatever was
 * notified in between is lost, so every waiter must re-check its condition on that event.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';

/** Channels kpg uses. Payload formats are documented where they are sent. */
export const Channel = {
  /** `<topic_id>:<partition>:<next_offset>` after records are appended. */
  records: 'kpg_records',
  /** `<topic_id>` or `broker` after a config change. */
  config: 'kpg_config',
  /** `<group_key>` after a consumer group changes, `<group_key>+` when answers to waiting requests were written. */
  groups: 'kpg_groups',
  /** `<topic_id>` after a topic is created, deleted or changes its partitions. */
  topics: 'kpg_topics',
  /** Empty, when a REPEATABLE READ or SERIALIZABLE transaction that called kpg.produce commits (src/storage/sql-outbox-relay.ts). */
  outbox: 'kpg_outbox',
} as const;

export type ChannelName = (typeof Channel)[keyof typeof Channel];

export interface NotificationEvents {
  notification: [channel: string, payload: string];
  reconnected: [];
}

export class Notifications extends EventEmitter<NotificationEvents> {
  private client: pg.Client | undefined;
  private stopped = false;
  private reconnectDelayMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
    private readonly channels: readonly string[] = Object.values(Channel),
  ) {
    super();
    this.setMaxListeners(0);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'kpg-listen' });
    client.on('notification', (msg) => this.emit('notification', msg.channel, msg.payload ?? ''));
    client.on('error', (err) => {
      this.log.warn({ err }, 'LISTEN connection failed; reconnecting');
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    await client.connect();
    for (const channel of this.channels) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    this.client = client;
    this.reconnectDelayMs = 100;
  }

  private scheduleReconnect(failed: pg.Client): void {
    if (this.stopped || this.client !== failed || this.reconnectTimer) return;
    this.client = undefined;
    failed.end().catch(() => undefined);
    const attempt = (): void => {
      this.reconnectTimer = undefined;
      if (this.stopped) return;
      this.connect().then(
        () => {
          this.log.info('LISTEN connection re-established');
          this.emit('reconnected');
        },
        (err) => {
          this.log.warn({ err, retryInMs: this.reconnectDelayMs }, 'LISTEN reconnect failed');
          this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 5000);
          this.reconnectTimer = setTimeout(attempt, this.reconnectDelayMs);
        },
      );
    };
    this.reconnectTimer = setTimeout(attempt, this.reconnectDelayMs);
  }

  /** The backend pid of the LISTEN connection (tests terminate it to prove reconnection). */
  async backendPid(): Promise<number | undefined> {
    if (!this.client) return undefined;
    const { rows } = await this.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    return rows[0]?.pid;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }
}
