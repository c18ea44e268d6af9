/**
 * Runs a Kafka API handler for a console request, as if the console's user had sent it over a Kafka
 * connection: the same validation, authorization, error codes and effects (Produce's append path,
 * IncrementalAlterConfigs' checks) without a second implementation of any of them.
 */
import type { ApiHandler, RequestContext } from '../apis/handler.js';
import { ConnectionAuthentication } from '../security/sasl/connection-authentication.js';
import type { ConsoleContext } from './router.js';

let nextCorrelationId = 1;

export async function callKafkaApi<Req, Res>(ctx: ConsoleContext, handler: ApiHandler, apiVersion: number, request: Req): Promise<Res> {
  const log = ctx.log.child({ api: handler.name, principal: `${ctx.requester.principal.type}:${ctx.requester.principal.name}` });
  const header = { apiKey: handler.apiKey, apiVersion, correlationId: nextCorrelationId++, clientId: 'kpg-console' };
  const requestContext: RequestContext = {
    ...ctx.services,
    client: {
      clientId: 'kpg-console',
      softwareName: 'kpg-console',
      softwareVersion: null,
      listener: 'CONSOLE',
      securityProtocol: 'PLAINTEXT',
      principal: ctx.requester.principal,
      address: ctx.requester.address,
      port: ctx.req.socket.remotePort ?? 0,
      connectionId: -1,
    },
    header,
    apiVersion,
    log,
    handlers: new Map([[handler.apiKey, handler]]),
    shutdown: ctx.shutdown,
    previousDispatched: Promise.resolve(),
    markDispatched: () => {},
    authentication: new ConnectionAuthentication({ sasl: null, principal: ctx.requester.principal, log }),
  };
  const response = await handler.handle(request as never, requestContext);
  return response as Res;
}
