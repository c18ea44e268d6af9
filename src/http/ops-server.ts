/**
 * The gateway's operations HTTP port (`kpg serve --metrics-port`): Prometheus metrics and the health
 * probes an orchestrator asks. Separate from the Kafka listeners, plain node:http, GET only:
 *
 *   GET /metrics  the gateway's registry in Prometheus' text format
 *   GET /healthz  200 "ok" while the process serves (liveness)
 *   GET /readyz   200 "ready", or 503 with one reason per line (readiness; see Storage.readinessProblems)
 */
import http from 'node:http';
import type { Logger } from 'pino';
import { answerClientErrors, listenOn } from './server-basics.js';
import type { Registry } from 'prom-client';

export interface OpsServerOptions {
  registry: Registry;
  /** Why the gateway should not take traffic now; empty when ready. */
  readinessProblems: () => Promise<string[]>;
  log: Logger;
}

/** Request targets longer than this are refused (414) before any routing. */
const MAX_URL_LENGTH = 2048;

export class OpsServer {
  private readonly server: http.Server;

  constructor(private readonly options: OpsServerOptions) {
    this.server = http.createServer({ maxHeaderSize: 16 * 1024, requestTimeout: 10_000, headersTimeout: 10_000 }, (req, res) => {
      this.route(req, res).catch((err) => {
        options.log.warn({ err, url: req.url?.slice(0, 200) }, 'ops HTTP request failed');
        if (!res.headersSent) reply(res, 500, 'internal error\n');
        else res.destroy();
      });
    });
    answerClientErrors(this.server, options.log, 'ops');
  }

  listen(host: string, port: number): Promise<{ host: string; port: number }> {
    return listenOn(this.server, host, port);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      // Scrapers keep connections alive: without this, close would wait for them to time out.
      this.server.closeAllConnections();
    });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = req.url ?? '/';
    if (url.length > MAX_URL_LENGTH) return reply(res, 414, 'URI too long\n');
    const query = url.indexOf('?');
    const path = query === -1 ? url : url.slice(0, query);
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') return reply(res, 404, 'not found: try /metrics, /healthz or /readyz\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return reply(res, 405, `method ${req.method ?? ''} not allowed: use GET\n`);
    }
    if (path === '/healthz') return reply(res, 200, 'ok\n');
    if (path === '/readyz') {
      const problems = await this.options.readinessProblems();
      if (problems.length === 0) return reply(res, 200, 'ready\n');
      this.options.log.debug({ problems }, 'not ready');
      return reply(res, 503, problems.map((p) => `${p}\n`).join(''));
    }
    const text = await this.options.registry.metrics();
    reply(res, 200, text, this.options.registry.contentType);
  }
}

function reply(res: http.ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store' });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}
