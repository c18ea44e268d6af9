/**
 * DescribeAcls (key 29), versions 1-3, the versions Kafka 4.1 serves.
 *
 * Needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED otherwise). Without `authorizer.class.name`
 * it answers as such a Kafka broker does: SECURITY_DISABLED with "No Authorizer is configured on the
 * broker" and no resources. With the authorizer, the bindings the filter matches (read fresh from
 * Postgres), grouped by resource pattern in the order they were created (Kafka's order is a hash
 * set's). A filter with an UNKNOWN (0) code closes the connection, as Kafka's request parsing does; a
 * code Kafka has no value for matches nothing.
 */
import { AclOperation } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { DescribeAclsRequest, DescribeAclsResponse, DescribeAclsResponseDescribeAclsResource } from '../protocol/messages/types.js';
import { clusterDenied, toFilter } from './acl-requests.js';
import { isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeAclsRequest, DescribeAclsResponse>({
  apiKey: 29,
  name: 'DescribeAcls',
  minVersion: 1,
  maxVersion: 3,
  async handle(request, ctx) {
    const filter = toFilter(request, 'DescribeAcls');
    if (!isAuthorizedOnCluster(ctx, AclOperation.DESCRIBE)) return { throttleTimeMs: 0, ...clusterDenied('DescribeAcls', AclOperation.DESCRIBE), resources: [] };
    const bindings = ctx.access.bindings;
    if (!ctx.access.enabled || !bindings) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.SECURITY_DISABLED,
        errorMessage: 'No Authorizer is configured on the broker',
        resources: [],
      };
    }
    const resources = new Map<string, DescribeAclsResponseDescribeAclsResource>();
    for (const b of await bindings.describe(filter)) {
      const key = `${b.resourceType}\u0000${b.patternType}\u0000${b.resourceName}`;
      let resource = resources.get(key);
      if (!resource) {
        resource = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] };
        resources.set(key, resource);
      }
      resource.acls!.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: '', resources: [...resources.values()] };
  },
});
