/**
 * DeleteAcls (key 31), versions 1-3, the versions Kafka 4.1 serves.
 *
 * Needs ALTER on the cluster (every filter CLUSTER_AUTHORIZATION_FAILED otherwise). Without
 * `authorizer.class.name` every filter fails with SECURITY_DISABLED "No Authorizer is configured." and
 * matches nothing, as on such a Kafka broker. With the authorizer, all filters are applied in one
 * transaction with Kafka's matching rules (ANY, MATCH, null names/principals/hosts); each filter
 * result lists the bindings it matched, and a binding matched by two filters is listed under both. As
 * on Kafka 4.1.2: a filter with an UNKNOWN (0) code closes the connection; one with a code Kafka has no
 * value for fails alone with INVALID_REQUEST "Unknown patternFilter." or "Unknown entryFilter.".
 */
import { AclOperation } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { DeleteAclsRequest, DeleteAclsResponse, DeleteAclsResponseDeleteAclsFilterResult, DeleteAclsResponseDeleteAclsMatchingAcl } from '../protocol/messages/types.js';
import type { AclBinding } from '../security/acl-binding.js';
import { clusterDenied, toFilter, unmappedFilterMessage } from './acl-requests.js';
import { isAuthorizedOnCluster } from './authorize.js';
import { NO_AUTHORIZER } from './30-create-acls.js';
import { defineHandler } from './handler.js';

export default defineHandler<DeleteAclsRequest, DeleteAclsResponse>({
  apiKey: 31,
  name: 'DeleteAcls',
  minVersion: 1,
  maxVersion: 3,
  async handle(request, ctx) {
    const filters = request.filters.map((f) => toFilter(f, 'DeleteAcls'));
    if (!isAuthorizedOnCluster(ctx, AclOperation.ALTER)) {
      return { throttleTimeMs: 0, filterResults: filters.map(() => ({ ...clusterDenied('DeleteAcls', AclOperation.ALTER), matchingAcls: [] })) };
    }
    const bindings = ctx.access.bindings;
    if (!ctx.access.enabled || !bindings) {
      return {
        throttleTimeMs: 0,
        filterResults: filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] })),
      };
    }
    const refusals = filters.map(unmappedFilterMessage);
    const deleted = await bindings.delete(filters.filter((_, i) => refusals[i] === null));
    ctx.log.info({ deleted: new Set(deleted.flat()).size }, 'ACLs deleted');
    const results = deleted.values();
    return {
      throttleTimeMs: 0,
      filterResults: refusals.map((refusal): DeleteAclsResponseDeleteAclsFilterResult => {
        if (refusal !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: refusal, matchingAcls: [] };
        const matched = results.next().value ?? [];
        return { errorCode: ErrorCode.NONE, errorMessage: null, matchingAcls: matched.map(toMatchingAcl) };
      }),
    };
  },
});

function toMatchingAcl(b: AclBinding): DeleteAclsResponseDeleteAclsMatchingAcl {
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    resourceType: b.resourceType,
    resourceName: b.resourceName,
    patternType: b.patternType,
    principal: b.principal,
    host: b.host,
    operation: b.operation,
    permissionType: b.permissionType,
  };
}
