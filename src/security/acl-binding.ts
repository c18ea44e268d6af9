/**
 * ACL bindings and binding filters as Kafka defines them (org.apache.kafka.common.acl.AclBinding and
 * AclBindingFilter): what CreateAcls stores, and how DescribeAcls and DeleteAcls filters select bindings.
 * Codes are the wire codes of src/protocol/acl.ts.
 */
import {
  AclOperation, AclPermission, PatternType, ResourceType,
  type AclOperationCode, type AclPermissionCode, type PatternTypeCode, type ResourceTypeCode,
} from '../protocol/acl.js';

/** The resource name that, in a LITERAL pattern, matches every resource of its type. */
export const WILDCARD_RESOURCE = '*';
/** The host that matches every client address. */
export const WILDCARD_HOST = '*';
/** The principal that matches every user. */
export const WILDCARD_PRINCIPAL = 'User:*';

export interface AclBinding {
  resourceType: ResourceTypeCode;
  resourceName: string;
  /** LITERAL or PREFIXED. */
  patternType: PatternTypeCode;
  /** "User:alice" or "User:*". */
  principal: string;
  /** A client address or "*". */
  host: string;
  operation: AclOperationCode;
  /** ALLOW or DENY. */
  permissionType: AclPermissionCode;
}

/** A filter: ANY codes and null strings match everything; pattern type MATCH selects the patterns that apply to a name. */
export interface AclBindingFilter {
  resourceType: ResourceTypeCode;
  resourceName: string | null;
  patternType: PatternTypeCode;
  principal: string | null;
  host: string | null;
  operation: AclOperationCode;
  permissionType: AclPermissionCode;
}

export const MATCH_ALL_FILTER: AclBindingFilter = Object.freeze({
  resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY, principal: null, host: null,
  operation: AclOperation.ANY, permissionType: AclPermission.ANY,
});

/** Kafka's ResourcePatternFilter.matches + AccessControlEntryFilter.matches. */
export function filterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  return patternFilterMatches(filter, binding) && entryFilterMatches(filter, binding);
}

function patternFilterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== binding.resourceType) return false;
  const anyPattern = filter.patternType === PatternType.ANY || filter.patternType === PatternType.MATCH;
  if (!anyPattern && filter.patternType !== binding.patternType) return false;
  if (filter.resourceName === null) return true;
  if (filter.patternType === PatternType.ANY || filter.patternType === binding.patternType) {
    return filter.resourceName === binding.resourceName;
  }
  // MATCH: the bindings that would apply to a resource of that name.
  if (binding.patternType === PatternType.LITERAL) {
    return filter.resourceName === binding.resourceName || binding.resourceName === WILDCARD_RESOURCE;
  }
  return binding.patternType === PatternType.PREFIXED && filter.resourceName.startsWith(binding.resourceName);
}

function entryFilterMatches(filter: AclBindingFilter, binding: AclBinding): boolean {
  if (filter.principal !== null && filter.principal !== binding.principal) return false;
  if (filter.host !== null && filter.host !== binding.host) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== binding.operation) return false;
  return filter.permissionType === AclPermission.ANY || filter.permissionType === binding.permissionType;
}

/** Whether a code is one of the enum's values (a code Kafka's fromCode would turn into UNKNOWN is not). */
export function isKnownCode(enumObject: Record<string, number>, code: number): boolean {
  return code !== 0 && Object.values(enumObject).includes(code);
}

/** Kafka's enum names (ResourceType.TOPIC → "TOPIC"), for messages and the CLI. */
export function codeName(enumObject: Record<string, number>, code: number): string {
  return Object.entries(enumObject).find(([, v]) => v === code)?.[0] ?? 'UNKNOWN';
}
