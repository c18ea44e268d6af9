/**
 * The console's HTTP plumbing shared by its API files: JSON errors, bodies, query parameters.
 */
import type http from 'node:http';
import { ErrorCode } from '../protocol/error-codes.js';

/** Request bodies larger than this are refused with 413 before they are parsed. */
export const MAX_BODY_BYTES = 1024 * 1024;
const BODY_TIMEOUT_MS = 30_000;

/** An API answer that is not a success: the HTTP status and the `{ error: { code, message } }` body. */
export class ConsoleError extends Error {
  override name = 'ConsoleError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const badRequest = (message: string): ConsoleError => new ConsoleError(400, 'INVALID_REQUEST', message);
export const notFound = (code: string, message: string): ConsoleError => new ConsoleError(404, code, message);

/** The name of a Kafka error code (UNKNOWN_TOPIC_OR_PARTITION), for error bodies. */
export function kafkaErrorName(code: number): string {
  for (const [name, value] of Object.entries(ErrorCode)) if (value === code) return name;
  return `KAFKA_ERROR_${code}`;
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

export function sendError(res: http.ServerResponse, err: ConsoleError): void {
  sendJson(res, err.status, { error: { code: err.code, message: err.message } }, err.headers);
}

/** The request body parsed as a JSON object; 413 past MAX_BODY_BYTES, 400 when it is not a JSON object. */
export async function readJsonObject(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  // Only application/json: a cross-site HTML form cannot send it without a CORS preflight (which this
  // server never grants), so a page elsewhere cannot use the browser's remembered Basic credentials.
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new ConsoleError(415, 'UNSUPPORTED_MEDIA_TYPE', `request bodies must be Content-Type: application/json, got ${JSON.stringify(type)}`);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ConsoleError(413, 'PAYLOAD_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`, { Connection: 'close' });
  const chunks: Buffer[] = [];
  let size = 0;
  // A client that stops sending mid-body does not hold the request open (the server has no overall request timeout, for tails).
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    req.destroy();
  }, BODY_TIMEOUT_MS);
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new ConsoleError(413, 'PAYLOAD_TOO_LARGE', `request body over ${MAX_BODY_BYTES} bytes`, { Connection: 'close' });
      chunks.push(chunk);
    }
  } catch (err) {
    if (timedOut) throw new ConsoleError(408, 'REQUEST_TIMEOUT', `request body not received within ${BODY_TIMEOUT_MS} ms`);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw badRequest(`malformed JSON body: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw badRequest('the body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** Query parameter readers: absent gives the default, malformed is a 400 naming the parameter. */
export class QueryParams {
  constructor(private readonly params: URLSearchParams) {}

  string(name: string): string | undefined {
    const value = this.params.get(name);
    return value === null || value === '' ? undefined : value;
  }

  all(name: string): string[] {
    return this.params.getAll(name).filter((v) => v !== '');
  }

  /** A non-negative integer within [min, max]. */
  int(name: string, min: number, max: number): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!/^-?\d+$/.test(text)) throw badRequest(`query parameter ${name} must be an integer, got ${JSON.stringify(text)}`);
    const value = Number(text);
    if (value < min || value > max) throw badRequest(`query parameter ${name} must be between ${min} and ${max}, got ${text}`);
    return value;
  }

  /** An offset: a non-negative integer as a bigint. */
  offset(name: string): bigint | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    if (!/^\d{1,19}$/.test(text)) throw badRequest(`query parameter ${name} must be a non-negative integer offset, got ${JSON.stringify(text)}`);
    const value = BigInt(text);
    if (value > 0x7fffffffffffffffn) throw badRequest(`query parameter ${name} is past the largest offset`);
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.string(name);
    if (text === undefined) return fallback;
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    throw badRequest(`query parameter ${name} must be true or false, got ${JSON.stringify(text)}`);
  }

  /** A time as epoch milliseconds or an ISO 8601 date. */
  time(name: string): number | undefined {
    const text = this.string(name);
    if (text === undefined) return undefined;
    const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
    if (!Number.isFinite(ms)) throw badRequest(`query parameter ${name} must be epoch milliseconds or an ISO 8601 time, got ${JSON.stringify(text)}`);
    return ms;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const text = this.string(name);
    if (text === undefined) return fallback;
    if (!(allowed as readonly string[]).includes(text)) throw badRequest(`query parameter ${name} must be one of ${allowed.join(', ')}, got ${JSON.stringify(text)}`);
    return text as T;
  }
}
