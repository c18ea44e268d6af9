/**
 * DescribeClientQuotas (key 48), versions 0-1, as Kafka 4.1 serves them: the caller needs
 * DESCRIBE_CONFIGS on the cluster (else CLUSTER_AUTHORIZATION_FAILED); the filter is checked as Kafka's
 * broker checks it (empty or repeated entity types and inconsistent match strings: INVALID_REQUEST, an
 * unknown entity type: UNSUPPORTED_VERSION, ip mixed with user or client-id: INVALID_REQUEST), then
 * entries matching every component (and, when strict, no other entity type) are listed from Postgres.
 */
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { DescribeClientQuotasRequest, DescribeClientQuotasResponse } from '../protocol/messages/types.js';
import { describeQuotas } from '../quotas/quota-admin.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeClientQuotasRequest, DescribeClientQuotasResponse>({
  apiKey: 48,
  name: 'DescribeClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const who = { principal: ctx.client.principal, address: ctx.client.address };
    if (!ctx.access.authorize(who, AclOperation.DESCRIBE_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', entries: null };
    }
    const result = describeQuotas(await ctx.quotas.describe(), request.components, request.strict);
    if ('errorCode' in result) return { throttleTimeMs: 0, ...result, entries: null };
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      entries: result.entries.map((e) => ({
        entity: e.entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
        values: [...e.values].map(([key, value]) => ({ key, value })),
      })),
    };
  },
});
