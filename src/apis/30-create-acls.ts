/**
 * CreateAcls (key 30), versions 1-3, the versions Kafka 4.1 serves.
 *
 * kpg has no authorizer yet: every creation fails with SECURITY_DISABLED "No Authorizer is configured.",
 * as on a Kafka broker without `authorizer.class.name`; nothing is stored.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { CreateAclsRequest, CreateAclsResponse } from '../protocol/messages/types.js';
import { defineHandler } from './handler.js';

export const NO_AUTHORIZER = 'No Authorizer is configured.';

export default defineHandler<CreateAclsRequest, CreateAclsResponse>({
  apiKey: 30,
  name: 'CreateAcls',
  minVersion: 1,
  maxVersion: 3,
  async handle(request) {
    return {
      throttleTimeMs: 0,
      results: request.creations.map(() => ({ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER })),
    };
  },
});
