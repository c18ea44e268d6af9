/**
 * DeleteAcls (key 31), versions 1-3, the versions Kafka 4.1 serves.
 *
 * kpg has no authorizer yet: every filter fails with SECURITY_DISABLED "No Authorizer is configured."
 * and matches nothing, as on a Kafka broker without `authorizer.class.name`.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { DeleteAclsRequest, DeleteAclsResponse } from '../protocol/messages/types.js';
import { NO_AUTHORIZER } from './30-create-acls.js';
import { defineHandler } from './handler.js';

export default defineHandler<DeleteAclsRequest, DeleteAclsResponse>({
  apiKey: 31,
  name: 'DeleteAcls',
  minVersion: 1,
  maxVersion: 3,
  async handle(request) {
    return {
      throttleTimeMs: 0,
      filterResults: request.filters.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] })),
    };
  },
});
