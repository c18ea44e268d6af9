/**
 * DeleteGroups (key 42), versions 0-2. Only Empty groups can be deleted (NON_EMPTY_GROUP otherwise;
 * GROUP_ID_NOT_FOUND for unknown ones); their committed offsets go with them, in the same transaction.
 * Each group is handled in its own transaction, duplicates in the request once.
 */
import type { DeleteGroupsRequest, DeleteGroupsResponse } from '../protocol/messages/types.js';
import { defineHandler } from './handler.js';

export default defineHandler<DeleteGroupsRequest, DeleteGroupsResponse>({
  apiKey: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const results = [];
    for (const groupId of new Set(request.groupsNames)) {
      results.push({ groupId, errorCode: await ctx.groups.deleteGroup(groupId) });
    }
    return { throttleTimeMs: 0, results };
  },
});
