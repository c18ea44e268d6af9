/**
 * GET /api/cluster: the cluster overview of `kpg status` (gateways, Postgres, counts).
 */
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../../protocol/acl.js';
import type { Route } from '../router.js';

export const clusterRoutes: Route[] = [
  {
    method: 'GET',
    path: '/api/cluster',
    async handler(ctx) {
      ctx.authorize(AclOperation.DESCRIBE, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, 'CLUSTER_AUTHORIZATION_FAILED');
      const sessionTimeoutMs = ctx.services.config.int('broker.session.timeout.ms');
      const [status, lag] = await Promise.all([ctx.reads.describeCluster(sessionTimeoutMs), ctx.reads.describeGroupLag()]);
      const live = status.gateways.filter((g) => g.live);
      return {
        clusterId: status.clusterId,
        // As Metadata and DescribeCluster name it: the lowest live node id.
        controllerId: live.length > 0 ? Math.min(...live.map((g) => g.nodeId)) : null,
        gateways: status.gateways.map((g) => ({
          nodeId: g.nodeId,
          endpoints: g.endpoints.map((e) => ({ listener: e.listener, host: e.host, port: e.port, securityProtocol: e.securityProtocol })),
          lastHeartbeat: g.lastHeartbeat.toISOString(),
          alive: g.live,
        })),
        postgres: { version: status.postgres.version, databaseBytes: Number(status.postgres.databaseBytes), kpgBytes: Number(status.postgres.kpgSchemaBytes) },
        topics: status.topics.filter((t) => !t.internal).length,
        groups: lag.groups.length,
      };
    },
  },
];
