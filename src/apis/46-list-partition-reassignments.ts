/**
 * ListPartitionReassignments (key 46), version 0.
 *
 * A kpg reassignment completes in the request that makes it (AlterPartitionReassignments: every gateway
 * serves every partition, so there is nothing to copy), so none is ever in progress: every request, for
 * all topics, named ones or unknown ones, gets an empty list, as a Kafka cluster with no ongoing
 * reassignment answers. It needs DESCRIBE on the cluster (CLUSTER_AUTHORIZATION_FAILED).
 */
import { AclOperation } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse } from '../protocol/messages/types.js';
import { clusterDenied } from './acl-requests.js';
import { isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<ListPartitionReassignmentsRequest, ListPartitionReassignmentsResponse>({
  apiKey: 46,
  name: 'ListPartitionReassignments',
  minVersion: 0,
  maxVersion: 0,
  async handle(_request, ctx) {
    if (!isAuthorizedOnCluster(ctx, AclOperation.DESCRIBE)) {
      return { throttleTimeMs: 0, ...clusterDenied('ListPartitionReassignments', AclOperation.DESCRIBE), topics: [] };
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, topics: [] };
  },
});
