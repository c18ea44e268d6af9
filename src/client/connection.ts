/**
 * A small Kafka client connection on top of kpg's own protocol layer: one TCP connection, correlation
 * ids, requests answered in order, and ApiVersions negotiation so each request goes out in the highest
 * version both sides speak. Enough for admin tools; it works against any Kafka broker, not only kpg.
 */
import net from 'node:net';
import { ErrorCode } from '../protocol/error-codes.js';
import { FrameDecoder } from '../protocol/framing.js';
import { apiCodecs, decodeResponse, encodeRequest, API_VERSIONS_KEY } from '../protocol/protocol.js';
import { VERSION } from '../version.js';

/** Larger responses than this are treated as a broken peer. */
const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

export class KafkaClientError extends Error {}

interface Pending {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  resolve: (body: Record<string, unknown>) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

export interface ConnectOptions {
  clientId?: string;
  connectTimeoutMs?: number;
  requestTimeoutMs?: number;
}

export class KafkaConnection {
  private readonly decoder = new FrameDecoder(MAX_RESPONSE_BYTES);
  private readonly pending: Pending[] = [];
  private nextCorrelationId = 1;
  private closedError: Error | undefined;
  private versions = new Map<number, { min: number; max: number }>();

  private constructor(
    private readonly socket: net.Socket,
    readonly address: string,
    private readonly clientId: string,
    private readonly requestTimeoutMs: number,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => this.fail(new KafkaClientError(`connection to ${address} failed: ${err.message}`)));
    socket.on('close', () => this.fail(new KafkaClientError(`connection to ${address} closed`)));
  }

  /** Connects to host:port and negotiates API versions. */
  static async connect(address: string, options: ConnectOptions = {}): Promise<KafkaConnection> {
    const { host, port } = parseAddress(address);
    const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new KafkaClientError(`could not connect to ${address} within ${connectTimeoutMs} ms`));
      }, connectTimeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(new KafkaClientError(`could not connect to ${address}: ${err.message}`));
      });
    });
    socket.setNoDelay(true);
    const conn = new KafkaConnection(socket, address, options.clientId ?? 'kpg-cli', options.requestTimeoutMs ?? 30_000);
    try {
      await conn.negotiate();
    } catch (err) {
      conn.close();
      throw err;
    }
    return conn;
  }

  /** ApiVersions v3, falling back to v0 when the broker answers UNSUPPORTED_VERSION (KIP-511). */
  private async negotiate(): Promise<void> {
    let body = await this.send(API_VERSIONS_KEY, 3, { clientSoftwareName: 'kpg', clientSoftwareVersion: VERSION });
    if (body.errorCode === ErrorCode.UNSUPPORTED_VERSION) body = await this.send(API_VERSIONS_KEY, 0, {});
    if (body.errorCode !== ErrorCode.NONE) throw new KafkaClientError(`ApiVersions failed with error ${String(body.errorCode)}`);
    const keys = body.apiKeys as { apiKey: number; minVersion: number; maxVersion: number }[];
    this.versions = new Map(keys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
  }

  /** The highest version of an API that both this client and the broker speak, or undefined. */
  version(apiKey: number, clientMax?: number): number | undefined {
    const broker = this.versions.get(apiKey);
    const codecs = apiCodecs(apiKey);
    if (!broker || !codecs) return undefined;
    const ours = codecs.spec.request.validVersions.split('-').map(Number);
    const ourMin = ours[0]!;
    const ourMax = Math.min(ours[1] ?? ourMin, clientMax ?? Number.MAX_SAFE_INTEGER);
    const v = Math.min(ourMax, broker.max);
    return v >= Math.max(ourMin, broker.min) ? v : undefined;
  }

  /** Sends a request in the negotiated version; `clientMax` caps it. Throws when the broker lacks the API. */
  async request<T>(apiKey: number, body: object, clientMax?: number): Promise<{ version: number; body: T }> {
    const version = this.version(apiKey, clientMax);
    if (version === undefined) {
      const name = apiCodecs(apiKey)?.spec.name ?? `API ${apiKey}`;
      throw new KafkaClientError(`the broker at ${this.address} does not support ${name}`);
    }
    return { version, body: (await this.send(apiKey, version, body)) as T };
  }

  private send(apiKey: number, apiVersion: number, body: object): Promise<Record<string, unknown>> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    const frame = encodeRequest({ apiKey, apiVersion, correlationId, clientId: this.clientId }, body as Record<string, unknown>);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.fail(new KafkaClientError(`no answer from ${this.address} within ${this.requestTimeoutMs} ms`));
      }, this.requestTimeoutMs);
      this.pending.push({ apiKey, apiVersion, correlationId, resolve, reject, timer });
      this.socket.write(frame);
    });
  }

  private onData(chunk: Buffer): void {
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (err) {
      this.fail(new KafkaClientError(`bad response framing from ${this.address}: ${(err as Error).message}`));
      return;
    }
    for (const frame of frames) {
      const next = this.pending.shift();
      if (!next) {
        this.fail(new KafkaClientError(`unexpected response from ${this.address}`));
        return;
      }
      clearTimeout(next.timer);
      try {
        // An ApiVersions answer to a version the broker does not know comes in v0 layout (KIP-511).
        let decoded = decodeResponse(frame, next.apiKey, next.apiVersion);
        if (next.apiKey === API_VERSIONS_KEY && decoded.body.errorCode === ErrorCode.UNSUPPORTED_VERSION && next.apiVersion > 0) {
          decoded = decodeResponse(frame, next.apiKey, 0);
        }
        if (decoded.correlationId !== next.correlationId) {
          throw new KafkaClientError(`response correlation id ${decoded.correlationId}, expected ${next.correlationId}`);
        }
        next.resolve(decoded.body);
      } catch (err) {
        if (next.apiKey === API_VERSIONS_KEY) {
          try {
            const v0 = decodeResponse(frame, next.apiKey, 0);
            next.resolve(v0.body);
            continue;
          } catch {
            // fall through to the failure below
          }
        }
        this.fail(new KafkaClientError(`could not decode a response from ${this.address}: ${(err as Error).message}`));
        return;
      }
    }
  }

  private fail(err: Error): void {
    if (!this.closedError) this.closedError = err;
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(this.closedError);
    }
    this.socket.destroy();
  }

  close(): void {
    this.fail(new KafkaClientError('connection closed'));
  }
}

export function parseAddress(address: string): { host: string; port: number } {
  const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(address.trim());
  if (!m) return { host: address.trim(), port: 9092 };
  return { host: m[1]!, port: Number(m[2]) };
}
