/**
 * LeaveGroup (key 13), versions 0-5; v3+ removes several members at once and may name static members by
 * group.instance.id alone (administrative removal, member id ""). Leaving triggers a rebalance of the
 * others, as in Kafka. v0-2 answer with the single member's error at the top level. The reason (v5+) is
 * accepted and not stored.
 *
 * READ on the group is checked first (GROUP_AUTHORIZATION_FAILED), as Kafka's KafkaApis does.
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { LeaveGroupRequest, LeaveGroupResponse } from '../protocol/messages/types.js';
import { isAuthorized } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<LeaveGroupRequest, LeaveGroupResponse>({
  apiKey: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
    }
    if (request.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID, members: [] };
    const members =
      apiVersion >= 3
        ? request.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId }))
        : [{ memberId: request.memberId, groupInstanceId: null }];
    const results = await ctx.groups.leave(request.groupId, members);
    if (apiVersion < 3) return { throttleTimeMs: 0, errorCode: results[0]?.errorCode ?? ErrorCode.NONE, members: [] };
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, members: results };
  },
});
