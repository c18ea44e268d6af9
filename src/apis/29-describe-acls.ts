/**
 * DescribeAcls (key 29), versions 1-3, the versions Kafka 4.1 serves.
 *
 * kpg has no authorizer yet, so it answers as a Kafka broker without `authorizer.class.name` does:
 * SECURITY_DISABLED with "No Authorizer is configured on the broker" and no resources, instead of
 * closing the connection (kafka-acls --list and AdminClient.describeAcls then fail with
 * SecurityDisabledException).
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { DescribeAclsRequest, DescribeAclsResponse } from '../protocol/messages/types.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeAclsRequest, DescribeAclsResponse>({
  apiKey: 29,
  name: 'DescribeAcls',
  minVersion: 1,
  maxVersion: 3,
  async handle() {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.SECURITY_DISABLED,
      errorMessage: 'No Authorizer is configured on the broker',
      resources: [],
    };
  },
});
