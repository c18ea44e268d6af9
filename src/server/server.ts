/**
 * One listener: accepts TCP (or, for SSL and SASL_SSL listeners, TLS) connections and hands each to a
 * Connection. A failed TLS handshake (a plaintext client, an untrusted or missing client certificate)
 * closes the socket with a log line naming the client. Shutdown stops accepting, lets every connection
 * answer what it already received, and closes them.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import type { ApiHandler, GatewayServices } from '../apis/handler.js';
import { tlsPrincipal, type ListenerTls } from '../security/tls.js';
import { Connection, type RequestMetrics } from './connection.js';
import type { ListenerSecurity, TlsPeer } from './listener-security.js';

export interface KafkaServerOptions {
  handlers: ReadonlyMap<number, ApiHandler>;
  log: Logger;
  maxFrameBytes: number;
  /** The listener this server is, and how its connections authenticate. */
  listener: ListenerSecurity;
  /** For SSL and SASL_SSL listeners: the key material and client authentication. */
  tls?: ListenerTls;
  /** Told of each accepted connection (the connections-created metric). */
  onConnectionAccepted?: (listener: string) => void;
  /** Counts answered requests (see Connection). */
  requestMetrics?: RequestMetrics;
}

export class KafkaServer {
  private readonly server: net.Server | tls.Server;
  private readonly connections = new Set<Connection>();
  /** TLS listeners: every accepted TCP socket until it closes (handshaking ones have no Connection). */
  private readonly handshaking = new Set<net.Socket>();
  private nextConnectionId = 1;
  private services: GatewayServices | undefined;
  private closing = false;

  constructor(private readonly options: KafkaServerOptions) {
    const listenerTls = options.tls;
    if (listenerTls) {
      const material = listenerTls.current;
      const server = tls.createServer({
        ...material.context,
        noDelay: true,
        requestCert: material.clientAuth !== 'none',
        rejectUnauthorized: material.clientAuth === 'required',
      });
      server.on('secureConnection', (socket) => this.acceptTls(socket, listenerTls));
      // Sockets still in their handshake are no Connection yet: shutdown closes them itself.
      server.on('connection', (socket: net.Socket) => {
        this.handshaking.add(socket);
        socket.once('close', () => this.handshaking.delete(socket));
      });
      server.on('tlsClientError', (err: Error & { code?: string }, socket: tls.TLSSocket) => {
        options.log.warn(
          { listener: options.listener.name, client: `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`, err: err.message, code: err.code },
          'closing connection: TLS handshake failed',
        );
        socket.destroy();
      });
      listenerTls.start((context) => server.setSecureContext(context));
      this.server = server;
    } else {
      this.server = net.createServer({ noDelay: true }, (socket) => this.accept(socket, null));
    }
    this.server.on('error', (err) => options.log.error({ err, listener: options.listener.name }, 'listener error'));
  }

  /** Binds the port; connections are accepted only once `serve(services)` is called. */
  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      this.server.once('error', onError);
      // An empty host binds every interface, as in Kafka's `listeners`.
      this.server.listen({ host: host === '' ? undefined : host, port }, () => {
        this.server.off('error', onError);
        const address = this.server.address() as net.AddressInfo;
        resolve({ host: address.address, port: address.port });
      });
    });
  }

  /** TLS listeners: reload the key material if its configs or files now give different material. */
  reloadTls(reason: string): void {
    this.options.tls?.reload(reason);
  }

  serve(services: GatewayServices): void {
    this.services = services;
  }

  get listenerName(): string {
    return this.options.listener.name;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  private acceptTls(socket: tls.TLSSocket, listenerTls: ListenerTls): void {
    const client = `${socket.remoteAddress ?? 'unknown'}:${socket.remotePort ?? 0}`;
    const peer = tlsPrincipal(socket, listenerTls.current.mapper);
    if ('refused' in peer) {
      this.options.log.warn({ listener: this.options.listener.name, client, reason: peer.refused }, 'closing connection: TLS client refused');
      socket.destroy();
      return;
    }
    this.options.log.debug(
      { listener: this.options.listener.name, client, principal: `${peer.principal.type}:${peer.principal.name}`, protocol: socket.getProtocol() },
      'TLS handshake completed',
    );
    this.accept(socket, { principal: peer.principal });
  }

  private accept(socket: net.Socket, tlsPeer: TlsPeer | null): void {
    if (!this.services || this.closing) {
      socket.destroy();
      return;
    }
    const connection = new Connection({
      id: this.nextConnectionId++,
      socket,
      services: this.services,
      listener: this.options.listener,
      tls: tlsPeer,
      handlers: this.options.handlers,
      log: this.options.log,
      maxFrameBytes: this.options.maxFrameBytes,
      requestMetrics: this.options.requestMetrics,
    });
    this.connections.add(connection);
    this.options.onConnectionAccepted?.(this.options.listener.name);
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
    for (const socket of this.handshaking) socket.destroy();
    this.options.tls?.stop();
    await listenerClosed;
  }
}
