/**
 * Access control with no authorizer configured: every request is allowed and every resource reports
 * all of its type's operations, as a Kafka broker without `authorizer.class.name` does.
 */
import {
  CLUSTER_OPERATIONS, GROUP_OPERATIONS, ResourceType, TOPIC_OPERATIONS, TRANSACTIONAL_ID_OPERATIONS,
  type ResourceTypeCode,
} from '../protocol/acl.js';
import type { AccessControl } from './access-control.js';

export function allOperationsOf(resourceType: ResourceTypeCode): number {
  switch (resourceType) {
    case ResourceType.TOPIC:
      return TOPIC_OPERATIONS;
    case ResourceType.GROUP:
      return GROUP_OPERATIONS;
    case ResourceType.CLUSTER:
      return CLUSTER_OPERATIONS;
    case ResourceType.TRANSACTIONAL_ID:
      return TRANSACTIONAL_ID_OPERATIONS;
    default:
      return 0;
  }
}

export const ALLOW_ALL: AccessControl = {
  enabled: false,
  authorize: () => true,
  authorizedOperations: (_who, resourceType) => allOperationsOf(resourceType),
  authorizeAny: () => true,
};
