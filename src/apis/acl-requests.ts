/**
 * What DescribeAcls, CreateAcls and DeleteAcls share: the CLUSTER check each starts with, and turning
 * request fields into bindings and filters the way Kafka's request classes do.
 */
import {
  AclOperation, AclPermission, CLUSTER_RESOURCE_NAME, PatternType, ResourceType,
  type AclOperationCode, type AclPermissionCode, type PatternTypeCode, type ResourceTypeCode,
} from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { CreateAclsRequestAclCreation, DescribeAclsRequest } from '../protocol/messages/types.js';
import type { AclBinding, AclBindingFilter } from '../security/acl-binding.js';
import { codeName, isKnownCode } from '../security/acl-binding.js';
import { CloseConnection } from './handler.js';

/**
 * Kafka's answer when the requester may not do `operation` on the cluster. Kafka's message names its
 * internal request object ("Request Request(processor=..., ...) needs ALTER permission."); kpg names the API.
 */
export function clusterDenied(api: string, operation: AclOperationCode): { errorCode: number; errorMessage: string } {
  return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: `Request ${api} needs ${codeName(AclOperation, operation)} permission.` };
}

/** A filter as DescribeAcls and DeleteAcls carry it (both requests use the same fields). */
export type RawFilter = DescribeAclsRequest;

/**
 * Kafka's request classes refuse the UNKNOWN code (0) in any enum field while parsing, which closes the
 * connection; so does kpg. (A code Kafka has no value for also reads as UNKNOWN there, but passes this check.)
 */
export function refuseUnknownCodes(api: string, codes: Record<string, number>): void {
  for (const [field, code] of Object.entries(codes)) {
    if (code === 0) throw new CloseConnection(`${api} request with ${field} UNKNOWN (0)`);
  }
}

export function toFilter(raw: RawFilter, api: string): AclBindingFilter {
  refuseUnknownCodes(api, {
    resourceType: raw.resourceTypeFilter, patternType: raw.patternTypeFilter, operation: raw.operation, permissionType: raw.permissionType,
  });
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

/** Kafka's controller refuses a DeleteAcls filter holding a code it has no value for (INVALID_REQUEST). */
export function unmappedFilterMessage(f: AclBindingFilter): string | null {
  if (!isKnownCode(ResourceType, f.resourceType) || !isKnownCode(PatternType, f.patternType)) return 'Unknown patternFilter.';
  if (!isKnownCode(AclOperation, f.operation) || !isKnownCode(AclPermission, f.permissionType)) return 'Unknown entryFilter.';
  return null;
}

export type RawCreation = CreateAclsRequestAclCreation;

/**
 * Whether a creation holds ANY or MATCH: Kafka's broker cannot even build the binding (ResourcePattern
 * and AccessControlEntry refuse them), and the whole request fails with UNKNOWN_SERVER_ERROR.
 */
export function holdsFilterOnlyCode(c: RawCreation): boolean {
  return c.resourceType === ResourceType.ANY || c.resourcePatternType === PatternType.ANY || c.resourcePatternType === PatternType.MATCH
    || c.operation === AclOperation.ANY || c.permissionType === AclPermission.ANY;
}

/** A creation as a binding, or Kafka's INVALID_REQUEST message for it (broker, then controller checks, in Kafka's order). */
export function validateCreation(c: RawCreation): AclBinding | { invalid: string } {
  if (c.resourceType === ResourceType.CLUSTER && c.resourceName !== CLUSTER_RESOURCE_NAME) {
    return { invalid: `The only valid name for the CLUSTER resource is ${CLUSTER_RESOURCE_NAME}` };
  }
  if (c.resourceName === '') return { invalid: 'Invalid empty resource name' };
  if (!isKnownCode(ResourceType, c.resourceType)) return { invalid: 'Invalid resourceType UNKNOWN' };
  if (!isKnownCode(PatternType, c.resourcePatternType)) return { invalid: 'Invalid patternType UNKNOWN' };
  if (!isKnownCode(AclOperation, c.operation)) return { invalid: 'Invalid operation UNKNOWN' };
  if (!isKnownCode(AclPermission, c.permissionType)) return { invalid: 'Invalid permissionType UNKNOWN' };
  if (!c.principal.includes(':')) {
    return { invalid: `Could not parse principal from \`${c.principal}\` (no colon is present separating the principal type from the principal name)` };
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
