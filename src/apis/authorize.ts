/**
 * The authorization questions handlers ask, as Kafka's AuthHelper asks them: one resource, a set of
 * names filtered once per name (not per partition), the bit set of authorized operations. With no
 * authorizer configured each answer is a constant, so the per-partition work disappears.
 */
import {
  AclOperation, CLUSTER_RESOURCE_NAME, ResourceType,
  type AclOperationCode, type ResourceTypeCode,
} from '../protocol/acl.js';
import type { Requester } from '../security/access-control.js';
import type { RequestContext } from './handler.js';

type AuthorizeContext = Pick<RequestContext, 'access' | 'client'>;

export function requesterOf(ctx: AuthorizeContext): Requester {
  return { principal: ctx.client.principal, address: ctx.client.address };
}

/**
 * Whether the client may do `operation` on the named resource. `logIfDenied` false where Kafka passes it
 * so (a refusal that is not an error, e.g. a topic left out of a listing).
 */
export function isAuthorized(
  ctx: AuthorizeContext, operation: AclOperationCode, resourceType: ResourceTypeCode, name: string, logIfDenied = true,
): boolean {
  if (!ctx.access.enabled) return true;
  return ctx.access.authorize(requesterOf(ctx), operation, resourceType, name, logIfDenied);
}

/** Whether the client may do `operation` on the cluster. */
export function isAuthorizedOnCluster(ctx: AuthorizeContext, operation: AclOperationCode, logIfDenied = true): boolean {
  return isAuthorized(ctx, operation, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME, logIfDenied);
}

/** Whether the client may do `operation` on at least one resource of the type (Kafka's authorizeByResourceType). */
export function isAuthorizedOnAny(ctx: AuthorizeContext, operation: AclOperationCode, resourceType: ResourceTypeCode): boolean {
  if (!ctx.access.enabled) return true;
  return ctx.access.authorizeAny(requesterOf(ctx), operation, resourceType);
}

/**
 * A test of names for one operation on one resource type, each distinct name asked once (Kafka's
 * filterByAuthorized), so a request naming a topic for each of its partitions costs one check.
 */
export function authorizedFilter(
  ctx: AuthorizeContext, operation: AclOperationCode, resourceType: ResourceTypeCode, logIfDenied = true,
): (name: string) => boolean {
  if (!ctx.access.enabled) return ALWAYS;
  const who = requesterOf(ctx);
  const answers = new Map<string, boolean>();
  return (name) => {
    let answer = answers.get(name);
    if (answer === undefined) {
      answer = ctx.access.authorize(who, operation, resourceType, name, logIfDenied);
      answers.set(name, answer);
    }
    return answer;
  };
}

const ALWAYS = (): boolean => true;

/** The KIP-430 bit set of what the client may do on the resource. */
export function authorizedOperationsOn(ctx: AuthorizeContext, resourceType: ResourceTypeCode, name: string): number {
  return ctx.access.authorizedOperations(requesterOf(ctx), resourceType, name);
}

/** The cluster's bit set, or 0 without DESCRIBE on the cluster (as Metadata and DescribeCluster answer). */
export function clusterAuthorizedOperations(ctx: AuthorizeContext): number {
  if (!isAuthorizedOnCluster(ctx, AclOperation.DESCRIBE)) return 0;
  return authorizedOperationsOn(ctx, ResourceType.CLUSTER, CLUSTER_RESOURCE_NAME);
}
