/**
 * What DescribeAcls, CreateAcls and DeleteAcls share: the CLUSTER check each starts with, and turning
 * request fields into bindings and filters the way Kafka's request classes do.
 */
import {
  AclOperation, AclPermission, CLUSTER_RESOURCE_NAME, PatternType, ResourceType,
  type AclOperationCode, type AclPermissionCode, type PatternTypeCode, type ResourceTypeCode,
} from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { AclBinding, AclBindingFilter } from '../security/acl-binding.js';
import { codeName, isKnownCode } from '../security/acl-binding.js';
import { CloseConnection, type RequestContext } from './handler.js';

/** Kafka's answer when the requester may not do `operation` on the cluster. */
export const CLUSTER_DENIED = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' };

export function clusterAllowed(ctx: RequestContext, operation: AclOperationCode): boolean {
  return ctx.access.authorize(
    { principal: ctx.client.principal, address: ctx.client.address }, operation, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME,
  );
}

export interface RawFilter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

/**
 * A request's filter. Kafka's request classes refuse UNKNOWN (or unmapped) codes while parsing, which
 * closes the connection; so does kpg.
 */
export function toFilter(raw: RawFilter, api: string): AclBindingFilter {
  requireKnown(api, [
    [ResourceType, raw.resourceTypeFilter, 'resource type'],
    [PatternType, raw.patternTypeFilter, 'pattern type'],
    [AclOperation, raw.operation, 'operation'],
    [AclPermission, raw.permissionType, 'permission type'],
  ]);
  return {
    resourceType: raw.resourceTypeFilter as ResourceTypeCode,
    resourceName: raw.resourceNameFilter,
    patternType: raw.patternTypeFilter as PatternTypeCode,
    principal: raw.principalFilter,
    host: raw.hostFilter,
    operation: raw.operation as AclOperationCode,
    permissionType: raw.permissionType as AclPermissionCode,
  };
}

export function requireKnown(api: string, checks: [Record<string, number>, number, string][]): void {
  for (const [enumObject, code, what] of checks) {
    if (!isKnownCode(enumObject, code)) throw new CloseConnection(`${api} request with unknown ${what} code ${code}`);
  }
}

export interface RawCreation {
  resourceType: number;
  resourceName: string;
  resourcePatternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A creation as a binding, or Kafka's INVALID_REQUEST message for it (broker and controller checks, in Kafka's order). */
export function validateCreation(c: RawCreation): AclBinding | { invalid: string } {
  if (c.resourceType === ResourceType.CLUSTER && c.resourceName !== CLUSTER_RESOURCE_NAME) {
    return { invalid: `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}` };
  }
  if (c.resourceName === '') return { invalid: 'Invalid empty resource name' };
  if (c.resourceType === ResourceType.ANY) return { invalid: 'Invalid resourceType ANY' };
  if (c.resourcePatternType !== PatternType.LITERAL && c.resourcePatternType !== PatternType.PREFIXED) {
    return { invalid: `Invalid patternType ${codeName(PatternType, c.resourcePatternType)}` };
  }
  if (c.operation === AclOperation.ANY) return { invalid: 'Invalid operation ANY' };
  if (c.permissionType === AclPermission.ANY) return { invalid: 'Invalid permissionType ANY' };
  if (!c.principal.includes(':')) {
    return { invalid: `expected a string in format principalType:principalName but got ${c.principal}` };
  }
  // Postgres text cannot hold NUL; no Kafka principal, host or resource name needs one.
  if ([c.resourceName, c.principal, c.host].some((s) => s.includes('\0'))) {
    return { invalid: 'ACL resource names, principals and hosts cannot contain NUL' };
  }
  return {
    resourceType: c.resourceType as ResourceTypeCode,
    resourceName: c.resourceName,
    patternType: c.resourcePatternType as PatternTypeCode,
    principal: c.principal,
    host: c.host,
    operation: c.operation as AclOperationCode,
    permissionType: c.permissionType as AclPermissionCode,
  };
}
