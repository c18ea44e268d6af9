/**
 * One client connection: frames in, responses out, strictly in request order. Requests are handled
 * one after another, as a Kafka broker does per connection, so a long-polling Fetch or JoinGroup holds
 * back the requests behind it and responses can never overtake each other.
 *
 * Memory stays bounded per connection: reading stops while too many frames wait, or while the client
 * is not reading its responses (the socket's write buffer is full).
 */
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { CloseConnection, type ApiHandler, type GatewayServices, type RequestContext } from '../apis/handler.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { FrameDecoder, FrameTooLargeError } from '../protocol/framing.js';
import {
  API_VERSIONS_KEY,
  apiCodecs,
  decodeRequest,
  encodeResponse,
  peekRequestIds,
  type RequestHeader,
} from '../protocol/protocol.js';
import { DecodeError } from '../protocol/reader.js';
import { ANONYMOUS } from '../security/principal.js';
import { ConnectionAuthentication } from '../security/sasl/connection-authentication.js';
import type { ListenerSecurity, TlsPeer } from './listener-security.js';

/** Frames waiting behind the one being handled before we stop reading the socket. */
const MAX_QUEUED_FRAMES = 64;
/** Pipelined requests (Produce) handled at once on one connection; Kafka producers default to 5 in flight. */
const MAX_PIPELINED = 8;

/**
 * What handling one request produced: response chunks, nothing to send, a reason to close, or a last
 * response (a failed authentication's) after which the connection closes.
 */
type Outcome = Buffer[] | 'none' | 'close' | { lastResponse: Buffer[] };

export interface ConnectionOptions {
  id: number;
  socket: Socket;
  services: GatewayServices;
  /** The listener the connection arrived on and how it authenticates. */
  listener: ListenerSecurity;
  /** For TLS listeners: what the handshake told us about the client. */
  tls: TlsPeer | null;
  handlers: ReadonlyMap<number, ApiHandler>;
  log: Logger;
  maxFrameBytes: number;
  /** Counts each answered request, its latency and its response's error codes. */
  requestMetrics?: RequestMetrics;
}

export interface RequestMetrics {
  requestHandled(apiKey: number, apiName: string, version: number, elapsedMs: number, response: unknown): void;
}

export class Connection {
  private readonly decoder: FrameDecoder;
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private processing = false;
  private closing = false;
  private readonly log: Logger;
  private readonly address: string;
  private readonly port: number;
  /** What the client said it is in ApiVersions v3+. */
  private software: { name: string; version: string } | null = null;
  /** A throttled client's channel is not read before this time (client quotas). */
  private mutedUntilMs = 0;
  /** Resolves when the connection is closed and every handled request has finished. */
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  /**
   * Aborted when the gateway shuts down (drainAndClose): long polls on this connection answer at once.
   * One signal per connection, not one for the whole gateway: each waiting request adds an 'abort'
   * listener while it waits, and a connection has at most one waiting request at a time, whereas a shared
   * signal would collect one listener per waiting request of every client (Node warns past 10).
   */
  private readonly shutdownController = new AbortController();
  /** Who the client is: SASL's exchange on SASL listeners, the TLS peer's principal or ANONYMOUS otherwise. */
  private readonly authentication: ConnectionAuthentication;

  constructor(private readonly options: ConnectionOptions) {
    const { socket } = options;
    this.address = socket.remoteAddress ?? 'unknown';
    this.port = socket.remotePort ?? 0;
    this.log = options.log.child({ conn: options.id, client: `${this.address}:${this.port}` });
    this.decoder = new FrameDecoder(options.maxFrameBytes);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.authentication = new ConnectionAuthentication({
      sasl: options.listener.sasl,
      principal: options.tls?.principal ?? ANONYMOUS,
      log: this.log,
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.log.debug({ err }, 'socket error'));
    socket.on('close', () => {
      this.closing = true;
      this.queue.length = 0;
      this.log.info('connection closed');
      if (!this.processing) this.resolveClosed();
    });
    this.log.info('connection opened');
  }

  /** Graceful shutdown: stop reading, answer what was already received, then close. */
  async drainAndClose(): Promise<void> {
    this.shutdownController.abort();
    this.options.socket.pause();
    this.closing = true;
    if (!this.processing && this.queue.length === 0) this.endSocket();
    await this.closed;
  }

  destroy(): void {
    this.options.socket.destroy();
  }

  /**
   * Ends our side and reads on, discarding what arrives (onData ignores data while closing): a paused
   * socket holding unread bytes (a request sent after shutdown began) never sees the client's FIN, and
   * would stay open until the shutdown grace period is over.
   */
  private endSocket(): void {
    this.options.socket.end();
    this.options.socket.resume();
  }

  private onData(chunk: Buffer): void {
    if (this.closing) return;
    let frames: Buffer[];
    // Kafka reads at most sasl.server.max.receive.size bytes per frame from a client not yet authenticated.
    const authenticated = this.authentication.authenticated;
    this.decoder.maxFrameBytes = authenticated
      ? this.options.maxFrameBytes
      : Math.min(this.options.maxFrameBytes, this.options.services.config.int('sasl.server.max.receive.size'));
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      if (err instanceof FrameTooLargeError) {
        this.log.warn(
          { size: err.size, limit: err.limit },
          authenticated ? 'closing connection: request frame too large' : 'closing connection: frame before authentication exceeds sasl.server.max.receive.size',
        );
      } else {
        this.log.warn({ err }, 'closing connection: bad framing');
      }
      this.options.socket.destroy();
      return;
    }
    for (const frame of frames) {
      this.queue.push(frame);
      this.queuedBytes += frame.length;
    }
    if (this.queue.length > MAX_QUEUED_FRAMES || this.queuedBytes > this.options.maxFrameBytes) {
      this.options.socket.pause();
    }
    if (!this.processing) void this.pump();
  }

  /**
   * Handles queued frames. Most requests are handled one at a time. Consecutive requests of a pipelined
   * API (Produce) are started without waiting for the previous one's result, so a producer with several
   * requests in flight gets them into one group commit; each still enqueues its append only after the
   * previous request has (see RequestContext.previousDispatched), and responses are written in order.
   */
  private async pump(): Promise<void> {
    this.processing = true;
    const socket = this.options.socket;
    const inFlight: { pipelined: boolean; outcome: Promise<Outcome> }[] = [];
    let previousDispatched: Promise<void> = Promise.resolve();
    try {
      while ((this.queue.length > 0 || inFlight.length > 0) && !socket.destroyed) {
        const next = this.queue[0];
        const nextPipelined = next !== undefined && this.isPipelined(next);
        const mayStart =
          next !== undefined &&
          (inFlight.length === 0 || (nextPipelined && inFlight.length < MAX_PIPELINED && inFlight.every((f) => f.pipelined)));
        if (mayStart) {
          this.queue.shift();
          this.queuedBytes -= next.length;
          let markDispatched!: () => void;
          const dispatched = new Promise<void>((resolve) => (markDispatched = resolve));
          const outcome = this.handleFrame(next, previousDispatched, markDispatched).finally(markDispatched);
          previousDispatched = dispatched;
          inFlight.push({ pipelined: nextPipelined, outcome });
          continue;
        }
        const result = await inFlight.shift()!.outcome;
        if (result === 'close') {
          socket.destroy();
          break;
        }
        if (typeof result === 'object' && 'lastResponse' in result) {
          this.write(result.lastResponse);
          this.closing = true;
          this.queue.length = 0;
          socket.end(() => socket.destroy());
          break;
        }
        if (result !== 'none') this.write(result);
        if (socket.writableNeedDrain) await this.waitForDrain();
        if (this.mutedUntilMs > Date.now()) await this.waitWhileMuted();
      }
    } finally {
      this.processing = false;
    }
    if (this.closing) {
      if (!socket.destroyed && !socket.writableEnded) this.endSocket();
      if (socket.destroyed || socket.closed) this.resolveClosed();
      return;
    }
    if (socket.isPaused() && this.queue.length <= MAX_QUEUED_FRAMES) socket.resume();
  }

  private isPipelined(frame: Buffer): boolean {
    // Before authentication a frame may be a raw SASL token, and nothing is pipelined.
    if (frame.length < 2 || !this.authentication.authenticated) return false;
    return this.options.handlers.get(frame.readInt16BE(0))?.pipelined === true;
  }

  private waitForDrain(): Promise<void> {
    const socket = this.options.socket;
    return new Promise((resolve) => {
      const done = (): void => {
        socket.off('drain', done);
        socket.off('close', done);
        resolve();
      };
      socket.on('drain', done);
      socket.on('close', done);
    });
  }

  /** Handles one request frame: the response to write, 'none' (acks=0), or 'close'. */
  private async handleFrame(frame: Buffer, previousDispatched: Promise<void>, markDispatched: () => void): Promise<Outcome> {
    if (this.authentication.expectsRawToken) return this.handleRawSaslToken(frame);
    let ids: { apiKey: number; apiVersion: number; correlationId: number };
    try {
      ids = peekRequestIds(frame);
    } catch {
      this.log.warn({ size: frame.length }, 'closing connection: request shorter than a header');
      return 'close';
    }
    const { apiKey, apiVersion, correlationId } = ids;
    const handler = this.options.handlers.get(apiKey);
    const codecs = apiCodecs(apiKey);
    const served = handler !== undefined && codecs !== undefined && apiVersion >= handler.minVersion && apiVersion <= handler.maxVersion;
    const admission = this.authentication.admit(apiKey, served);
    if (!admission.serve) {
      this.log.warn({ apiKey, apiVersion, correlationId, principal: this.authentication.principal.name }, `closing connection: ${admission.reason}`);
      return 'close';
    }
    if (!served) {
      if (apiKey === API_VERSIONS_KEY && handler) {
        // KIP-511: a client newer than us gets a v0 answer naming the ApiVersions versions we do serve.
        this.log.info({ apiKey, apiVersion }, 'answered ApiVersions of an unsupported version with UNSUPPORTED_VERSION');
        return unsupportedApiVersionsResponse(correlationId, handler);
      }
      this.log.warn({ apiKey, apiVersion, correlationId }, 'closing connection: unsupported API key or version');
      return 'close';
    }
    let header: RequestHeader;
    let body: unknown;
    try {
      ({ header, body } = decodeRequest(frame, codecs, apiVersion));
    } catch (err) {
      if (!(err instanceof DecodeError)) throw err;
      this.log.warn({ apiKey, apiVersion, err: err.message }, 'closing connection: malformed request');
      return 'close';
    }
    if (apiKey === API_VERSIONS_KEY && apiVersion >= 3) {
      const { clientSoftwareName, clientSoftwareVersion } = body as { clientSoftwareName: string; clientSoftwareVersion: string };
      this.software = { name: clientSoftwareName, version: clientSoftwareVersion };
    }
    const log = this.log.child({ clientId: header.clientId, apiKey, apiVersion, correlationId });
    const ctx: RequestContext = {
      ...this.options.services,
      header,
      apiVersion,
      client: {
        clientId: header.clientId,
        softwareName: this.software?.name ?? null,
        softwareVersion: this.software?.version ?? null,
        listener: this.options.listener.name,
        securityProtocol: this.options.listener.securityProtocol,
        principal: this.authentication.principal,
        address: this.address,
        port: this.port,
        connectionId: this.options.id,
      },
      log,
      handlers: this.options.handlers,
      shutdown: this.shutdownController.signal,
      previousDispatched,
      markDispatched,
      authentication: this.authentication,
    };
    log.debug({ api: handler.name }, 'request');
    let response: unknown;
    const startedMs = performance.now();
    try {
      response = await handler.handle(body as never, ctx);
    } catch (err) {
      if (err instanceof CloseConnection) {
        log.info({ api: handler.name, reason: err.message }, 'closing connection');
        return 'close';
      }
      log.error({ err, api: handler.name }, 'closing connection: request failed');
      return 'close';
    }
    response = this.applyQuotas(ctx, frame.length, performance.now() - startedMs, body, response as Record<string, unknown> | null);
    let encoded: Buffer[] | 'none';
    try {
      encoded = response === null ? 'none' : encodeResponse(codecs.response, apiKey, apiVersion, correlationId, response as Record<string, unknown>);
    } catch (err) {
      log.error({ err, api: handler.name }, 'closing connection: response could not be encoded');
      return 'close';
    }
    this.options.requestMetrics?.requestHandled(apiKey, handler.name, apiVersion, performance.now() - startedMs, response);
    if (this.authentication.takeCloseAfterResponse()) return this.afterFailedAuthentication(encoded === 'none' ? [] : encoded);
    return encoded;
  }

  /** After a v0 SaslHandshake: one raw SASL token in, the server's token out, both size-prefixed without a header. */
  private async handleRawSaslToken(token: Buffer): Promise<Outcome> {
    const reply = await this.authentication.rawToken(token);
    if (reply === null) {
      this.authentication.takeCloseAfterResponse();
      return this.afterFailedAuthentication([]);
    }
    const size = Buffer.alloc(4);
    size.writeInt32BE(reply.length);
    return [size, reply];
  }

  /**
   * Kafka answers a failed authentication only after connection.failed.authentication.delay.ms, then
   * closes, so a client guessing passwords gets few tries per second. A timer, so no other client waits.
   */
  private async afterFailedAuthentication(lastResponse: Buffer[]): Promise<Outcome> {
    const delayMs = this.options.services.config.int('connection.failed.authentication.delay.ms');
    if (delayMs > 0) await sleep(delayMs);
    return lastResponse.length > 0 ? { lastResponse } : 'close';
  }

  /**
   * Client quotas (src/quotas): charges the request to its client and, when over quota, sets
   * throttle_time_ms and mutes the channel for that long once this response is written (KIP-219). Kafka
   * 4.1 answers at once for every request version (measured: Produce v5 and v9 alike), so kpg does too.
   */
  private applyQuotas(ctx: RequestContext, requestBytes: number, handlingMs: number, request: unknown, response: Record<string, unknown> | null): Record<string, unknown> | null {
    const { apiKey } = ctx.header;
    const decision = this.options.services.quotas.afterRequest({
      subject: ctx.client, apiKey, apiVersion: ctx.apiVersion, requestBytes, handlingMs, request, response,
    });
    if (decision.throttleMs <= 0) return decision.response;
    ctx.log.debug({ throttleMs: decision.throttleMs, apiKey }, 'client over quota: throttled');
    this.mutedUntilMs = Math.max(this.mutedUntilMs, Date.now() + decision.throttleMs);
    return decision.response;
  }

  /** While a throttled client's channel is muted: stop reading it until the throttle time is over. */
  private async waitWhileMuted(): Promise<void> {
    const socket = this.options.socket;
    while (Date.now() < this.mutedUntilMs && !socket.destroyed && !this.closing) {
      socket.pause();
      await this.sleepUnlessClosed(this.mutedUntilMs - Date.now());
    }
  }

  /** Waits `ms`, or less if the connection closes or the gateway shuts down (a throttle may last minutes). */
  private sleepUnlessClosed(ms: number): Promise<void> {
    const socket = this.options.socket;
    const signal = this.shutdownController.signal;
    return new Promise((resolve) => {
      if (socket.destroyed || signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        socket.off('close', done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      socket.once('close', done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private write(chunks: Buffer[]): void {
    const socket = this.options.socket;
    if (socket.destroyed) return;
    if (chunks.length === 1) {
      socket.write(chunks[0]!);
      return;
    }
    socket.cork();
    for (const c of chunks) socket.write(c);
    socket.uncork();
  }
}

function unsupportedApiVersionsResponse(correlationId: number, handler: ApiHandler): Buffer[] {
  const codecs = apiCodecs(API_VERSIONS_KEY)!;
  return encodeResponse(codecs.response, API_VERSIONS_KEY, 0, correlationId, {
    errorCode: ErrorCode.UNSUPPORTED_VERSION,
    apiKeys: [{ apiKey: API_VERSIONS_KEY, minVersion: handler.minVersion, maxVersion: handler.maxVersion }],
  });
}
