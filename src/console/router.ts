/**
 * The console API's routes: a method and a path pattern (`/api/topics/:name`) per handler, and what
 * a handler gets (the request's principal, parameters, the gateway's services).
 */
import type http from 'node:http';
import type { Logger } from 'pino';
import type { GatewayServices } from '../apis/handler.js';
import type { AclOperationCode, ResourceTypeCode } from '../protocol/acl.js';
import type { Requester } from '../security/access-control.js';
import { principalToString } from '../security/principal.js';
import { ConsoleError, QueryParams, readJsonObject } from './http.js';
import type { LagHistory } from './lag-history.js';
import type { GroupLagSnapshot } from '../storage/groups.js';
import type { ClusterStatus } from '../storage/status.js';
import type { RecordSearch, RecordSearchResult } from '../storage/record-search.js';

/** What the console reads from storage beyond the gateway's services (all read-only, in Kafka terms). */
export interface ConsoleReads {
  /** The `kpg status` overview. */
  describeCluster(sessionTimeoutMs: number): Promise<ClusterStatus>;
  /** Every group's committed offsets beside the log end offsets (the lag metrics' query). */
  describeGroupLag(): Promise<GroupLagSnapshot>;
  /** A bounded browse or search of one partition's records. */
  searchRecords(search: RecordSearch): Promise<RecordSearchResult>;
}

export interface ConsoleContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  params: Record<string, string>;
  query: QueryParams;
  requester: Requester;
  services: GatewayServices;
  lagHistory: LagHistory;
  reads: ConsoleReads;
  log: Logger;
  /** Aborted when the gateway shuts down (long-lived responses end). */
  shutdown: AbortSignal;
  body(): Promise<Record<string, unknown>>;
  /** Throws 403 unless the requester may do `operation` on the resource. */
  authorize(operation: AclOperationCode, resourceType: ResourceTypeCode, name: string, code: string): void;
  /** Whether the requester may, without logging a denial (for filtering lists). */
  may(operation: AclOperationCode, resourceType: ResourceTypeCode, name: string): boolean;
}

/** The JSON body to send with 200, or undefined when the handler answered itself (SSE). */
export type RouteHandler = (ctx: ConsoleContext) => Promise<unknown>;

export interface Route {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  handler: RouteHandler;
}

interface CompiledRoute extends Route {
  pattern: RegExp;
  names: string[];
}

export class Router {
  private readonly routes: CompiledRoute[] = [];

  add(routes: readonly Route[]): this {
    for (const route of routes) {
      const names: string[] = [];
      const source = route.path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:([a-zA-Z]+)/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      this.routes.push({ ...route, pattern: new RegExp(`^${source}$`), names });
    }
    return this;
  }

  /** The handler and path parameters for a request; 404 for an unknown path, 405 for a known one with another method. */
  match(method: string, path: string): { handler: RouteHandler; params: Record<string, string> } {
    const allowed: string[] = [];
    for (const route of this.routes) {
      const m = route.pattern.exec(path);
      if (!m) continue;
      const params: Record<string, string> = {};
      try {
        route.names.forEach((name, i) => (params[name] = decodeURIComponent(m[i + 1]!)));
      } catch {
        throw new ConsoleError(400, 'INVALID_REQUEST', 'malformed percent-encoding in the path');
      }
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) return { handler: route.handler, params };
      allowed.push(route.method);
    }
    if (allowed.length > 0) throw new ConsoleError(405, 'METHOD_NOT_ALLOWED', `method ${method} not allowed here: use ${allowed.join(' or ')}`, { Allow: allowed.join(', ') });
    throw new ConsoleError(404, 'NOT_FOUND', `no API at ${path}`);
  }
}

export function contextFor(
  base: Omit<ConsoleContext, 'body' | 'authorize' | 'may'>,
): ConsoleContext {
  return {
    ...base,
    body: () => readJsonObject(base.req),
    authorize(operation, resourceType, name, code) {
      if (!base.services.access.authorize(base.requester, operation, resourceType, name)) {
        throw new ConsoleError(403, code, `${principalToString(base.requester.principal)} is not authorized for this on ${name}`);
      }
    },
    may(operation, resourceType, name) {
      return base.services.access.authorize(base.requester, operation, resourceType, name, false);
    },
  };
}
