/**
 * A minimal Kafka connection for tests that need exact control of the bytes: send frames built with
 * kpg's codec (or by hand), read response frames, and see when the server closes the connection.
 */
import net from 'node:net';
import { FrameDecoder } from '../../src/protocol/framing.js';
import { decodeResponse, encodeRequest } from '../../src/protocol/protocol.js';

export class RawClient {
  private readonly decoder = new FrameDecoder(1 << 30);
  private readonly frames: Buffer[] = [];
  private waiting: (() => void) | undefined;
  private correlationId = 1;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (chunk) => {
      this.frames.push(...this.decoder.push(chunk));
      this.waiting?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiting?.();
    });
    socket.on('error', () => undefined);
  }

  static connect(bootstrap: string): Promise<RawClient> {
    const [host, port] = bootstrap.split(':');
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: host!, port: Number(port) }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  /** Sends a request encoded by kpg's codec; returns its correlation id. */
  send(apiKey: number, apiVersion: number, body: Record<string, unknown>, clientId: string | null = 'raw-test'): number {
    const correlationId = this.correlationId++;
    this.socket.write(encodeRequest({ apiKey, apiVersion, correlationId, clientId }, body));
    return correlationId;
  }

  /** The next response frame (without its size prefix), or null if the server closed the connection. */
  async nextFrame(timeoutMs = 10_000): Promise<Buffer | null> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length === 0) {
      if (this.closed) return null;
      if (Date.now() > deadline) throw new Error('no response within the timeout');
      await new Promise<void>((resolve) => {
        this.waiting = resolve;
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
      this.waiting = undefined;
    }
    return this.frames.shift()!;
  }

  async request(
    apiKey: number,
    apiVersion: number,
    body: Record<string, unknown>,
    clientId: string | null = 'raw-test',
  ): Promise<{ correlationId: number; body: Record<string, any> }> {
    const id = this.send(apiKey, apiVersion, body, clientId);
    const frame = await this.nextFrame();
    if (!frame) throw new Error('connection closed by the server');
    const decoded = decodeResponse(frame, apiKey, apiVersion);
    if (decoded.correlationId !== id) throw new Error(`correlation id ${decoded.correlationId}, expected ${id}`);
    return decoded;
  }

  /** Resolves true once the server has closed the connection (false after the timeout). */
  async waitClosed(timeoutMs = 5_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}
