/**
 * DeleteGroups (key 42), versions 0-2. Only Empty groups can be deleted (NON_EMPTY_GROUP otherwise;
 * GROUP_ID_NOT_FOUND for unknown ones); their committed offsets go with them, in the same transaction.
 * Each group is handled in its own transaction, duplicates in the request once. A group needs DELETE
 * (GROUP_AUTHORIZATION_FAILED, listed after the others as Kafka lists them).
 */
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/messages/types.js';
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import { authorizedFilter } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const mayDelete = authorizedFilter(ctx, AclOperation.DELETE, ResourceType.GROUP);
    const results = [];
    const denied = [];
    for (const groupId of new Set(request.groupsNames)) {
      if (!mayDelete(groupId)) denied.push({ groupId, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
      else results.push({ groupId, errorCode: await ctx.groups.deleteGroup(groupId) });
    }
    // Kafka lists the refused groups after the others.
    results.push(...denied);
    return { throttleTimeMs: 0, results };
  },
});
