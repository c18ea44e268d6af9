/**
 * AlterClientQuotas (key 49), versions 0-1, as Kafka 4.1's controller applies them: the caller needs
 * ALTER_CONFIGS on the cluster (else every entry gets CLUSTER_AUTHORIZATION_FAILED). Each entity is
 * checked on its own (an entity type named twice keeps its last name, as Kafka's request parsing
 * does; unknown entity types, empty names, ip mixed with user or client-id,
 * unknown quota keys, values not greater than 0, fractions or overflow for integral keys: INVALID_REQUEST
 * with Kafka's message; a repeated quota key or entity: "Ignoring duplicate entity"); the valid ones are
 * stored in one transaction unless validate_only. One result per distinct entity, as Kafka answers.
 *
 * Deliberately skipped: ip entities named by a host name (Kafka resolves it; kpg accepts literal
 * addresses only).
 */
import { AclOperation, CLUSTER_RESOURCE_NAME, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { AlterClientQuotasRequest, AlterClientQuotasResponse } from '../protocol/messages/types.js';
import { entityText, validateEntity, validateQuotaValue, type QuotaApiError } from '../quotas/quota-admin.js';
import { quotaEntityKey, type QuotaAlteration, type QuotaEntity } from '../storage/quotas.js';
import { defineHandler } from './handler.js';

export default defineHandler<AlterClientQuotasRequest, AlterClientQuotasResponse>({
  apiKey: 49,
  name: 'AlterClientQuotas',
  minVersion: 0,
  maxVersion: 1,
  async handle(request, ctx) {
    const results = new Map<string, { entity: QuotaEntity; error: QuotaApiError | null }>();
    const who = { principal: ctx.client.principal, address: ctx.client.address };
    const authorized = ctx.access.authorize(who, AclOperation.ALTER_CONFIGS, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
    const alterations = new Map<string, QuotaAlteration>();
    for (const entry of request.entries) {
      // As Kafka reads the request into a map: an entity type named twice keeps its last name.
      const entity: QuotaEntity = [...new Map(entry.entity.map((p) => [p.entityType, p.entityName]))].map(([entityType, entityName]) => ({ entityType, entityName }));
      const key = quotaEntityKey(entity);
      if (!authorized) {
        results.set(key, { entity, error: { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' } });
        continue;
      }
      const ops = new Map<string, number | null>();
      let duplicateKey = false;
      for (const op of entry.ops) {
        if (ops.has(op.key)) duplicateKey = true;
        else ops.set(op.key, op.remove ? null : op.value);
      }
      if (duplicateKey || results.has(key)) {
        results.set(key, { entity, error: { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Ignoring duplicate entity ${entityText(entity)}` } });
        continue;
      }
      results.set(key, { entity, error: validateAlteration(entity, ops) });
      if (!results.get(key)!.error) alterations.set(key, { entity, ops: [...ops].map(([k, value]) => ({ key: k, value })) });
    }
    if (!request.validateOnly && alterations.size > 0) await ctx.quotas.alter([...alterations.values()]);
    return {
      throttleTimeMs: 0,
      entries: [...results.values()].map(({ entity, error }) => ({
        errorCode: error?.errorCode ?? ErrorCode.NONE,
        errorMessage: error?.errorMessage ?? null,
        entity: entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })),
      })),
    };
  },
});

function validateAlteration(entity: QuotaEntity, ops: ReadonlyMap<string, number | null>): QuotaApiError | null {
  const keys = validateEntity(entity);
  if ('errorCode' in keys) return keys;
  for (const [key, value] of ops) {
    if (value === null) continue;
    const error = validateQuotaValue(keys, key, value);
    if (error) return error;
  }
  return null;
}
