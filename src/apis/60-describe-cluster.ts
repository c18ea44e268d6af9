/**
 * DescribeCluster (key 60), versions 0-2.
 *
 * The cluster id, the live gateways as brokers, and the controller id Metadata names (the live gateway
 * with the lowest node id), so AdminClient's describeCluster and Metadata agree. v2 with
 * include_fenced_brokers also lists registered gateways that stopped heartbeating, marked fenced.
 * Endpoint type CONTROLLER gets MISMATCHED_ENDPOINT_TYPE and unknown types UNSUPPORTED_ENDPOINT_TYPE
 * (INVALID_REQUEST in v0), as from a Kafka broker: kpg gateways are brokers.
 *
 * Authorized operations (when asked) are the client's own on the cluster, 0 without DESCRIBE on it. As
 * in Kafka 4.1 the request itself needs no permission.
 */
import { AUTHORIZED_OPERATIONS_OMITTED } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { DescribeClusterRequest, DescribeClusterResponse } from '../protocol/messages/types.js';
import { clusterAuthorizedOperations } from './authorize.js';
import { defineHandler } from './handler.js';

const EndpointType = { UNKNOWN: 0, BROKER: 1, CONTROLLER: 2 } as const;

export default defineHandler<DescribeClusterRequest, DescribeClusterResponse>({
  apiKey: 60,
  name: 'DescribeCluster',
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    const requested = request.endpointType;
    if (requested !== EndpointType.BROKER && requested !== EndpointType.CONTROLLER) {
      return {
        throttleTimeMs: 0,
        errorCode: apiVersion === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE,
        errorMessage: `Unsupported endpoint type ${requested}`,
        clusterId: '',
        brokers: [],
      };
    }
    if (requested === EndpointType.CONTROLLER) {
      return {
        throttleTimeMs: 0,
        errorCode: apiVersion === 0 ? ErrorCode.INVALID_REQUEST : ErrorCode.MISMATCHED_ENDPOINT_TYPE,
        errorMessage: 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER',
        clusterId: '',
        brokers: [],
      };
    }
    const gateways = await ctx.cluster.gateways(ctx.client.listener);
    const live = gateways.filter((g) => g.live);
    // Gateways that stopped heartbeating are fenced brokers, listed only when asked for.
    const brokers = gateways
      .filter((g) => g.live || request.includeFencedBrokers)
      .map((g) => ({ brokerId: g.nodeId, host: g.host, port: g.port, rack: g.rack, isFenced: !g.live }));
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      endpointType: EndpointType.BROKER,
      clusterId: ctx.cluster.clusterId,
      controllerId: live[0]!.nodeId,
      brokers,
      clusterAuthorizedOperations: request.includeClusterAuthorizedOperations ? clusterAuthorizedOperations(ctx) : AUTHORIZED_OPERATIONS_OMITTED,
    };
  },
});
