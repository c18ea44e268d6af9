/**
 * The little Kafka wire work the benchmark does itself, with kpg's own codec: asking a broker which
 * APIs it serves, and holding many idle client connections open (the memory phase).
 */
import net from 'node:net';
import { FrameDecoder } from '../protocol/framing.js';
import type { ApiVersionsResponse } from '../protocol/messages/types.js';
import { decodeResponse, encodeRequest } from '../protocol/protocol.js';

const API_VERSIONS = 18;
const MAX_FRAME = 16 * 1024 * 1024;

export function parseBootstrap(bootstrap: string): { host: string; port: number } {
  const i = bootstrap.lastIndexOf(':');
  const port = Number(bootstrap.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) throw new Error(`"${bootstrap}" is not HOST:PORT`);
  return { host: bootstrap.slice(0, i), port };
}

/** One connection that has completed an ApiVersions exchange, as every Kafka client does first. */
async function apiVersionsConnection(bootstrap: string, timeoutMs: number): Promise<{ socket: net.Socket; response: ApiVersionsResponse }> {
  const { host, port } = parseBootstrap(bootstrap);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    const decoder = new FrameDecoder(MAX_FRAME);
    const timer = setTimeout(() => fail(new Error(`no ApiVersions answer from ${bootstrap} within ${timeoutMs} ms`)), timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    };
    socket.once('error', fail);
    socket.once('close', () => fail(new Error(`${bootstrap} closed the connection`)));
    socket.on('data', (chunk) => {
      const frames = decoder.push(chunk);
      if (frames.length === 0) return;
      clearTimeout(timer);
      socket.removeAllListeners('close');
      socket.removeAllListeners('data');
      socket.removeListener('error', fail);
      socket.on('error', () => undefined);
      try {
        const { body } = decodeResponse(Buffer.from(frames[0]!), API_VERSIONS, 0);
        resolve({ socket, response: body as ApiVersionsResponse });
      } catch (err) {
        fail(err as Error);
      }
    });
    socket.write(encodeRequest({ apiKey: API_VERSIONS, apiVersion: 0, correlationId: 1, clientId: 'kpg-bench' }, {}));
  });
}

/** The API keys a broker advertises, with their version ranges. */
export async function advertisedApis(bootstrap: string): Promise<Map<number, { min: number; max: number }>> {
  const { socket, response } = await apiVersionsConnection(bootstrap, 10_000);
  socket.destroy();
  if (response.errorCode) throw new Error(`ApiVersions from ${bootstrap} failed with error ${response.errorCode}`);
  return new Map((response.apiKeys ?? []).map((k) => [k.apiKey!, { min: k.minVersion!, max: k.maxVersion! }]));
}

/** Opens `count` connections (each past ApiVersions), `concurrency` at a time; close() ends them all. */
export async function openIdleConnections(bootstrap: string, count: number, concurrency = 50): Promise<{ close(): void }> {
  const sockets: net.Socket[] = [];
  const close = (): void => {
    for (const s of sockets) s.destroy();
  };
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      sockets.push((await apiVersionsConnection(bootstrap, 30_000)).socket);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  } catch (err) {
    close();
    throw err;
  }
  return { close };
}
