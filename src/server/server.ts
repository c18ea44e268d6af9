/**
 * The TCP listener: accepts connections and hands each to a Connection. Shutdown stops accepting,
 * lets every connection answer what it already received, and closes them.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import type { ApiHandler, GatewayServices } from '../apis/handler.js';
import { Connection } from './connection.js';
import type { ListenerSecurity } from './listener-security.js';

export interface KafkaServerOptions {
  handlers: ReadonlyMap<number, ApiHandler>;
  log: Logger;
  maxFrameBytes: number;
  /** The listener this server is, and how its connections authenticate. */
  listener: ListenerSecurity;
}

export class KafkaServer {
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 1;
  private services: GatewayServices | undefined;
  private closing = false;

  constructor(private readonly options: KafkaServerOptions) {
    this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => options.log.error({ err }, 'listener error'));
  }

  /** Binds the port; connections are accepted only once `serve(services)` is called. */
  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      this.server.listen({ host, port }, () => {
        this.server.off('error', onError);
        const address = this.server.address() as net.AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  serve(services: GatewayServices): void {
    this.services = services;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private accept(socket: net.Socket): void {
    if (!this.services || this.closing) {
      socket.destroy();
      return;
    }
    const connection = new Connection({
      id: this.nextConnectionId++,
      socket,
      services: this.services,
      listener: this.options.listener,
      tls: null,
      handlers: this.options.handlers,
      log: this.options.log,
      maxFrameBytes: this.options.maxFrameBytes,
    });
    this.connections.add(connection);
    void connection.closed.then(() => this.connections.delete(connection));
  }

  /** Stops accepting, wakes long polls, answers in-flight requests, closes connections (forcibly after `graceMs`). */
  async close(graceMs = 10_000): Promise<void> {
    this.closing = true;
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const drained = Promise.all([...this.connections].map((c) => c.drainAndClose()));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    if ((await Promise.race([drained, timedOut])) === 'timeout') {
      this.options.log.warn({ open: this.connections.size }, 'shutdown grace period over: closing remaining connections');
      for (const c of this.connections) c.destroy();
    }
    clearTimeout(timer);
    await listenerClosed;
  }
}
