/**
 * CreateAcls (key 30), versions 1-3, the versions Kafka 4.1 serves.
 *
 * Needs ALTER on the cluster (every result CLUSTER_AUTHORIZATION_FAILED otherwise). Without
 * `authorizer.class.name` every creation fails with SECURITY_DISABLED "No Authorizer is configured.", as
 * on such a Kafka broker. With the authorizer, each creation is checked as Kafka 4.1's broker and
 * controller check it (INVALID_REQUEST with Kafka's message for a CLUSTER resource not named
 * kafka-cluster, an empty name, a code Kafka has no value for, a principal without a type); the valid
 * ones are stored in one transaction, an existing identical binding counting as created. As on Kafka
 * (checked against 4.1.2): an UNKNOWN (0) code closes the connection, and an ANY or MATCH code in any
 * creation fails the whole request with UNKNOWN_SERVER_ERROR, storing nothing.
 */
import { AclOperation } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { CreateAclsRequest, CreateAclsResponse, CreateAclsResponseAclCreationResult } from '../protocol/messages/types.js';
import type { AclBinding } from '../security/acl-binding.js';
import { clusterDenied, holdsFilterOnlyCode, refuseUnknownCodes, validateCreation } from './acl-requests.js';
import { isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

export const NO_AUTHORIZER = 'No Authorizer is configured.';

export default defineHandler<CreateAclsRequest, CreateAclsResponse>({
  apiKey: 30,
  name: 'CreateAcls',
  minVersion: 1,
  maxVersion: 3,
  async handle(request, ctx) {
    for (const c of request.creations) {
      refuseUnknownCodes('CreateAcls', { resourceType: c.resourceType, patternType: c.resourcePatternType, operation: c.operation, permissionType: c.permissionType });
    }
    if (!isAuthorizedOnCluster(ctx, AclOperation.ALTER)) {
      return { throttleTimeMs: 0, results: request.creations.map(() => ({ ...clusterDenied('CreateAcls', AclOperation.ALTER) })) };
    }
    const bindings = ctx.access.bindings;
    if (!ctx.access.enabled || !bindings) {
      return {
        throttleTimeMs: 0,
        results: request.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER })),
      };
    }
    if (request.creations.some(holdsFilterOnlyCode)) {
      ctx.log.info('CreateAcls refused: a creation holds ANY or MATCH');
      return { throttleTimeMs: 0, results: request.creations.map(() => ({ errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null })) };
    }
    const results: CreateAclsResponseAclCreationResult[] = [];
    const valid: AclBinding[] = [];
    for (const creation of request.creations) {
      const checked = validateCreation(creation);
      if ('invalid' in checked) {
        results.push({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: checked.invalid });
      } else {
        valid.push(checked);
        results.push({ errorCode: ErrorCode.NONE, errorMessage: '' });
      }
    }
    await bindings.create(valid);
    ctx.log.info({ created: valid.length }, 'ACLs created');
    return { throttleTimeMs: 0, results };
  },
});
