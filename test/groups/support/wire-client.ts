/**
 * A bare Kafka protocol client for group tests: sends any request at any version over one TCP
 * connection with kpg's own codec, so tests can say exactly what a misbehaving or racing client
 * sends (raw JoinGroup/SyncGroup rounds, forged assignments, unknown member ids) and read every
 * field of the answer. Requests may be pipelined; responses come back in order.
 */
import net from 'node:net';
import { FrameDecoder } from '../../../src/protocol/framing.js';
import { decodeResponse, encodeRequest } from '../../../src/protocol/protocol.js';
import type { Struct } from '../../../src/protocol/codec.js';

interface Pending {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  resolve: (body: Struct) => void;
  reject: (err: Error) => void;
}

export class WireClient {
  private readonly pending: Pending[] = [];
  private readonly decoder = new FrameDecoder(512 * 1024 * 1024);
  private nextCorrelationId = 1;
  private closedError: Error | undefined;

  private constructor(private readonly socket: net.Socket, readonly clientId: string) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        const next = this.pending.shift();
        if (!next) continue;
        try {
          const { correlationId, body } = decodeResponse(frame, next.apiKey, next.apiVersion);
          if (correlationId !== next.correlationId) throw new Error(`correlation id ${correlationId}, expected ${next.correlationId}`);
          next.resolve(body);
        } catch (err) {
          next.reject(err as Error);
        }
      }
    });
    const fail = (err: Error): void => {
      this.closedError ??= err;
      for (const p of this.pending.splice(0)) p.reject(err);
    };
    socket.on('error', fail);
    socket.on('close', () => fail(new Error('connection closed')));
  }

  static connect(port: number, host = '127.0.0.1', clientId = 'wire-test'): Promise<WireClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => {
        socket.off('error', reject);
        resolve(new WireClient(socket, clientId));
      });
      socket.once('error', reject);
    });
  }

  /** Sends one request and resolves with the decoded response body. */
  send<Res = Struct>(apiKey: number, apiVersion: number, body: Struct): Promise<Res> {
    if (this.closedError) return Promise.reject(this.closedError);
    const correlationId = this.nextCorrelationId++;
    const frame = encodeRequest({ apiKey, apiVersion, correlationId, clientId: this.clientId }, body);
    return new Promise<Res>((resolve, reject) => {
      this.pending.push({ apiKey, apiVersion, correlationId, resolve: resolve as (b: Struct) => void, reject });
      this.socket.write(frame);
    });
  }

  /** Closes the socket without any goodbye (a crashed client). */
  destroy(): void {
    this.socket.destroy();
  }

  get closed(): boolean {
    return this.socket.destroyed;
  }
}
