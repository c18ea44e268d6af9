/**
 * Heartbeat (key 12), versions 0-4.
 *
 * Restarts the member's session timer (group_members.session_deadline_ms) under a shared lock on the
 * group row, so heartbeats of many members run side by side but never in the middle of a rebalance step.
 * Answers REBALANCE_IN_PROGRESS while the group prepares a rebalance (members then rejoin),
 * ILLEGAL_GENERATION for another generation, UNKNOWN_MEMBER_ID / FENCED_INSTANCE_ID for members that are
 * not (or no longer) this one, exactly where Kafka does. When a timer of the group is due it is fired
 * first, so a heartbeat never revives a member whose session already ended.
 *
 * READ on the group is checked first (GROUP_AUTHORIZATION_FAILED), as Kafka's KafkaApis does.
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { HeartbeatRequest, HeartbeatResponse } from '../protocol/messages/types.js';
import { isAuthorized } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<HeartbeatRequest, HeartbeatResponse>({
  apiKey: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 4,
  async handle(request, ctx) {
    if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
    }
    if (request.groupId === '') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID };
    const errorCode = await ctx.groups.heartbeat(
      request.groupId,
      request.memberId,
      ctx.apiVersion >= 3 ? request.groupInstanceId : null,
      request.generationId,
    );
    return { throttleTimeMs: 0, errorCode };
  },
});
