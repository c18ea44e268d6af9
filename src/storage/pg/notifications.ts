/**
 * The gateway's one LISTEN connection, turning kpg's notifications into typed events (../notifications.ts;
 * the payloads are parsed in ./channels.ts). Postgres delivers a NOTIFY only when the transaction that sent it
 * commits, so an event means "this change is visible now". Waiters (long-poll fetches, joins) are woken
 * by it instead of polling.
 *
 * If the connection drops, it reconnects with backoff and then emits `reconnected`: whatever was
 * notified in between is lost, so every waiter must re-check its condition on that event.
 */
import { EventEmitter } from 'node:events';
import pg from 'pg';
import type { Logger } from 'pino';
import type { ChangeEvents, ChangeListener, ChangeNotifications } from '../notifications.js';
import { Channel, toChangeEvent } from './channels.js';

export class PgNotifications implements ChangeNotifications {
  private readonly events = new EventEmitter();
  private client: pg.Client | undefined;
  private stopped = false;
  private reconnectDelayMs = 100;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly log: Logger,
  ) {
    this.events.setMaxListeners(0);
  }

  on<K extends keyof ChangeEvents>(event: K, listener: ChangeListener<K>): void {
    this.events.on(event, listener as (...args: unknown[]) => void);
  }

  off<K extends keyof ChangeEvents>(event: K, listener: ChangeListener<K>): void {
    this.events.off(event, listener as (...args: unknown[]) => void);
  }

  private emit<K extends keyof ChangeEvents>(event: K, ...args: ChangeEvents[K]): void {
    this.events.emit(event, ...args);
  }

  async start(): Promise<void> {
    await this.connect();
  }

  private dispatch(channel: string, payload: string): void {
    const change = toChangeEvent(channel, payload);
    if (change) this.events.emit(change.event, ...change.args);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'kpg-listen' });
    client.on('notification', (msg) => this.dispatch(msg.channel, msg.payload ?? ''));
    client.on('error', (err) => {
      this.log.warn({ err }, 'LISTEN connection failed; reconnecting');
      this.scheduleReconnect(client);
    });
    client.on('end', () => this.scheduleReconnect(client));
    await client.connect();
    for (const channel of Object.values(Channel)) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
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

  /** Whether the LISTEN connection is up (false while it reconnects). */
  get listening(): boolean {
    return this.client !== undefined;
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
