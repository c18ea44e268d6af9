/**
 * What kpg's HTTP servers (the operations port, the web console) share: malformed requests answered 400
 * and closed without a crash, and listening that reports the address actually bound (port 0 in tests).
 */
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** Malformed HTTP (bad request line, oversized headers): a 400 and the socket closed, never a crash. */
export function answerClientErrors(server: http.Server, log: Logger, what: string): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
    log.debug({ err: err.message, code: err.code }, `bad HTTP request on the ${what} port`);
  });
  server.on('error', (err) => log.error({ err }, `${what} HTTP server error`));
}

/** Listens and resolves the bound address; a failure to bind (port taken) rejects. */
export function listenOn(server: http.Server, host: string, port: number): Promise<{ host: string; port: number }> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host, port }, () => {
      server.off('error', onError);
      const address = server.address() as AddressInfo;
      resolve({ host: address.address, port: address.port });
    });
  });
}
