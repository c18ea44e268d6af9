/**
 * What an API handler is. Each file in src/apis serves one Kafka API over a version range; the
 * registry in ./registry.ts lists them, and ApiVersions advertises exactly that list.
 */
import type { Logger } from 'pino';
import type { Broker } from '../broker.js';
import type { RequestHeader } from '../protocol/protocol.js';

export interface ClientInfo {
  address: string;
  port: number;
  connectionId: number;
}

export interface RequestContext {
  broker: Broker;
  header: RequestHeader;
  /** The version the request was sent with (also in header). */
  apiVersion: number;
  client: ClientInfo;
  log: Logger;
  /** The handlers this server serves (ApiVersions reads it). */
  handlers: ReadonlyMap<number, ApiHandler>;
  /** Aborted when the gateway shuts down: long polls answer at once. */
  shutdown: AbortSignal;
  /**
   * For pipelined handlers: resolves once the previous request on this connection has enqueued its
   * work (e.g. its append), so work is enqueued in request order even when handled concurrently.
   */
  previousDispatched: Promise<void>;
  /** A pipelined handler calls this once its work is enqueued; it is also called when it returns. */
  markDispatched: () => void;
}

export interface ApiHandler<Req = never, Res = unknown> {
  apiKey: number;
  name: string;
  /** Versions advertised in ApiVersions. */
  minVersion: number;
  maxVersion: number;
  /**
   * Whether consecutive requests of this API on one connection may be handled concurrently. Such a
   * handler must enqueue its effects only after `ctx.previousDispatched` and then call `ctx.markDispatched()`.
   */
  pipelined?: boolean;
  /** Returns the response body, or null when the request gets no response (Produce with acks=0). */
  handle(request: Req, ctx: RequestContext): Promise<Res | null>;
}

/** Keeps the request and response types of a handler file checked while the registry stores them uniformly. */
export function defineHandler<Req, Res>(handler: ApiHandler<Req, Res>): ApiHandler {
  return handler as unknown as ApiHandler;
}

/**
 * Thrown by a handler to close the client's connection without a response, as Kafka does to tell an
 * acks=0 producer that its request failed.
 */
export class CloseConnection extends Error {
  override name = 'CloseConnection';
}
