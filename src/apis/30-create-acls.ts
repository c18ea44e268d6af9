/**
 * CreateAcls (key 30), versions 1-3, the versions Kafka 4.1 serves.
 *
 * Needs ALTER on the cluster (every result CLUSTER_AUTHORIZATION_FAILED otherwise). Without
 * `authorizer.class.name` every creation fails with SECURITY_DISABLED "No Authorizer is configured.", as
 * on such a Kafka broker. With the authorizer, each creation is checked as Kafka's broker and controller
 * check it (INVALID_REQUEST with Kafka's message for a CLUSTER resource not named kafka-cluster, an
 * empty name, ANY/MATCH codes, a principal without a type); the valid ones are stored in one
 * transaction, an existing identical binding counting as created. An UNKNOWN code closes the
 * connection, as Kafka's request parsing does.
 */
import { AclOperation, AclPermission, PatternType, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { CreateAclsRequest, CreateAclsResponse, CreateAclsResponseAclCreationResult } from '../protocol/messages/types.js';
import type { AclBinding } from '../security/acl-binding.js';
import { CLUSTER_DENIED, clusterAllowed, requireKnown, validateCreation } from './acl-requests.js';
import { defineHandler } from './handler.js';

export const NO_AUTHORIZER = 'No Authorizer is configured.';

export default defineHandler<CreateAclsRequest, CreateAclsResponse>({
  apiKey: 30,
  name: 'CreateAcls',
  minVersion: 1,
  maxVersion: 3,
  async handle(request, ctx) {
    for (const c of request.creations) {
      requireKnown('CreateAcls', [
        [ResourceType, c.resourceType, 'resource type'],
        [PatternType, c.resourcePatternType, 'pattern type'],
        [AclOperation, c.operation, 'operation'],
        [AclPermission, c.permissionType, 'permission type'],
      ]);
    }
    if (!clusterAllowed(ctx, AclOperation.ALTER)) {
      return { throttleTimeMs: 0, results: request.creations.map(() => ({ ...CLUSTER_DENIED })) };
    }
    const bindings = ctx.access.bindings;
    if (!ctx.access.enabled || !bindings) {
      return {
        throttleTimeMs: 0,
        results: request.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER })),
      };
    }
    const results: CreateAclsResponseAclCreationResult[] = [];
    const valid: AclBinding[] = [];
    for (const creation of request.creations) {
      const checked = validateCreation(creation);
      if ('invalid' in checked) {
        results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: checked.invalid });
      } else {
        valid.push(checked);
        results.push({ errorCode: ErrorCode.NONE, errorMessage: null });
      }
    }
    await bindings.create(valid);
    ctx.log.info({ created: valid.length }, 'ACLs created');
    return { throttleTimeMs: 0, results };
  },
});
