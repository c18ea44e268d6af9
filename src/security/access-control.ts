/**
 * What handlers ask before acting: may this client do this operation on this resource? Answers come
 * from a cache (no Postgres round trip per request), so they are synchronous.
 *
 * Without `authorizer.class.name` every request is allowed, as on a Kafka broker without an authorizer;
 * with Kafka's StandardAuthorizer class name configured, kpg's own ACL authorizer answers
 * (src/security/acl-authorizer.ts).
 */
import type { AclOperationCode, ResourceTypeCode } from '../protocol/acl.js';
import type { AclBinding, AclBindingFilter } from './acl-binding.js';
import type { KafkaPrincipal } from './principal.js';

/** The requester an authorization decision is about. */
export interface Requester {
  principal: KafkaPrincipal;
  /** The client's address (ACL host filters match it). */
  address: string;
}

export interface AccessControl {
  /** Whether an authorizer is configured (ACL APIs answer SECURITY_DISABLED otherwise). */
  readonly enabled: boolean;
  /** The ACL bindings behind the decisions (CreateAcls, DescribeAcls, DeleteAcls); only when enabled. */
  readonly bindings?: AclBindings;
  /**
   * Whether `who` may do `operation` on the named resource (implications and deny-wins applied). A denial
   * is logged unless `logIfDenied` is false (Kafka's Action.logIfDenied, e.g. Metadata filtering all topics).
   */
  authorize(who: Requester, operation: AclOperationCode, resourceType: ResourceTypeCode, resourceName: string, logIfDenied?: boolean): boolean;
  /** The KIP-430 bit set of operations `who` may do on the resource (for authorized_operations fields). */
  authorizedOperations(who: Requester, resourceType: ResourceTypeCode, resourceName: string): number;
  /**
   * Whether `who` may do `operation` on at least one resource of the type (Kafka's authorizeByResourceType,
   * used by e.g. InitProducerId's IdempotentWrite fallback and CreateTopics' describe-configs).
   */
  authorizeAny(who: Requester, operation: AclOperationCode, resourceType: ResourceTypeCode): boolean;
}

/** ACL management for the ACL APIs: reads are fresh from storage, and a change is in this gateway's decisions before it resolves. */
export interface AclBindings {
  describe(filter: AclBindingFilter): Promise<AclBinding[]>;
  /** Callers validate first; existing identical bindings are not an error. */
  create(bindings: readonly AclBinding[]): Promise<void>;
  /** Per filter, the bindings it matched and that are now deleted. */
  delete(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]>;
}
