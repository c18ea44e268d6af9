/**
 * The web console (`kpg serve --console-port`): static pages from ./ui at `/` and a JSON API under
 * `/api/` (one file per resource in ./api). One node:http server per gateway; every request is
 * authenticated (./auth.ts) and each API authorizes through the gateway's authorizer as the Kafka API
 * of the same effect does.
 */
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { answerClientErrors, listenOn } from '../http/server-basics.js';
import type { GatewayServices } from '../apis/handler.js';
import type { ConsoleAuthenticator } from './auth.js';
import { ConsoleError, QueryParams, sendError, sendJson } from './http.js';
import type { LagHistory } from './lag-history.js';
import { contextFor, Router, type ConsoleReads, type Route } from './router.js';

export interface ConsoleServerOptions {
  services: GatewayServices;
  authenticator: ConsoleAuthenticator;
  lagHistory: LagHistory;
  reads: ConsoleReads;
  routes: readonly Route[];
  log: Logger;
  /** The static pages; ./ui beside this module by default. */
  uiDirectory?: string;
}

const MAX_URL_LENGTH = 8192;

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

export class ConsoleServer {
  private readonly server: http.Server;
  private readonly router: Router;
  private readonly uiDirectory: string;
  private readonly shutdownController = new AbortController();

  constructor(private readonly options: ConsoleServerOptions) {
    this.router = new Router().add(options.routes);
    this.uiDirectory = path.resolve(options.uiDirectory ?? fileURLToPath(new URL('./ui/', import.meta.url)));
    this.server = http.createServer({ maxHeaderSize: 16 * 1024, headersTimeout: 10_000, requestTimeout: 0 }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (err instanceof ConsoleError) {
          // A refused or stalled body is not read further: the connection closes once the answer is out.
          if (err.status === 413 || err.status === 408) res.once('finish', () => req.socket.destroy());
          if (!res.headersSent) sendError(res, err);
          else res.end();
          return;
        }
        options.log.warn({ err, url: req.url?.slice(0, 200) }, 'console request failed');
        if (!res.headersSent) sendError(res, new ConsoleError(500, 'UNKNOWN_SERVER_ERROR', 'internal error'));
        else res.destroy();
      });
    });
    answerClientErrors(this.server, options.log, 'console');
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return listenOn(this.server, host, port);
  }

  /** Ends open streams (tails), then closes every connection. */
  close(): Promise<void> {
    this.shutdownController.abort();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    if (raw.length > MAX_URL_LENGTH) throw new ConsoleError(414, 'URI_TOO_LONG', 'request target too long');
    const url = new URL(raw, 'http://console.invalid');
    const method = req.method ?? 'GET';
    // Authentication comes first, for pages too: the pages show data only through the API anyway, but
    // a browser asks for credentials once, on the first page.
    const principal = await this.options.authenticator.principalOf(req);
    if (url.pathname === '/api' || url.pathname.startsWith('/api/')) {
      const { handler, params } = this.router.match(method, url.pathname);
      const ctx = contextFor({
        req,
        res,
        params,
        query: new QueryParams(url.searchParams),
        requester: { principal, address: req.socket.remoteAddress ?? '' },
        services: this.options.services,
        lagHistory: this.options.lagHistory,
        reads: this.options.reads,
        log: this.options.log,
        shutdown: this.shutdownController.signal,
      });
      const body = await handler(ctx);
      if (body !== undefined && !res.headersSent) sendJson(res, 200, body);
      return;
    }
    await this.serveStatic(method, url.pathname, res);
  }

  private async serveStatic(method: string, pathname: string, res: http.ServerResponse): Promise<void> {
    if (method !== 'GET' && method !== 'HEAD') {
      throw new ConsoleError(405, 'METHOD_NOT_ALLOWED', `method ${method} not allowed for pages: use GET`, { Allow: 'GET, HEAD' });
    }
    let relative: string;
    try {
      relative = decodeURIComponent(pathname);
    } catch {
      throw new ConsoleError(400, 'INVALID_REQUEST', 'malformed percent-encoding in the path');
    }
    if (relative.includes('\0')) throw new ConsoleError(400, 'INVALID_REQUEST', 'NUL in the path');
    if (relative.endsWith('/')) relative += 'index.html';
    const file = path.resolve(this.uiDirectory, `.${path.posix.normalize(`/${relative}`)}`);
    const notFound = new ConsoleError(404, 'NOT_FOUND', `no page at ${pathname}`);
    if (!file.startsWith(this.uiDirectory + path.sep)) throw notFound;
    let real: string;
    let size: number;
    try {
      // Symbolic links out of the directory are not followed.
      real = await realpath(file);
      const root = await realpath(this.uiDirectory);
      if (!real.startsWith(root + path.sep)) throw notFound;
      const info = await stat(real);
      if (!info.isFile()) throw notFound;
      size = info.size;
    } catch (err) {
      if (err instanceof ConsoleError) throw err;
      throw notFound;
    }
    res.writeHead(200, {
      'Content-Type': CONTENT_TYPES[path.extname(real).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': size,
      'Cache-Control': 'no-cache',
      'X-Content-Type-Options': 'nosniff',
    });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    await new Promise<void>((resolve) => {
      const stream = createReadStream(real);
      stream.on('error', () => {
        res.destroy();
        resolve();
      });
      stream.on('end', resolve);
      stream.pipe(res);
    });
  }
}
