/**
 * SyncGroup (key 14), versions 0-5: the assignment phase of the classic group protocol.
 *
 * The leader's request carries every member's assignment; followers wait (a long poll) until it arrives,
 * whichever gateway the leader talks to. Assignments are stored and returned byte for byte; members the
 * leader left out get empty bytes, and assignments for ids that are not members (or sent by a member that
 * is not the leader) are ignored, as Kafka does. v5+ must name the protocol type and name
 * (INCONSISTENT_GROUP_PROTOCOL otherwise, and when they differ from the group's) and gets them back.
 *
 * READ on the group is checked first (GROUP_AUTHORIZATION_FAILED), as Kafka's KafkaApis does, after the v5+
 * protocol type and name check.
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { SyncGroupRequest, SyncGroupResponse } from '../protocol/messages/types.js';
import { isAuthorized } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<SyncGroupRequest, SyncGroupResponse>({
  apiKey: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    const error = (errorCode: number): SyncGroupResponse => ({
      throttleTimeMs: 0,
      errorCode,
      protocolType: null,
      protocolName: null,
      assignment: Buffer.alloc(0),
    });
    if (apiVersion >= 5 && (request.protocolType === null || request.protocolName === null)) {
      return error(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) return error(ErrorCode.GROUP_AUTHORIZATION_FAILED);
    if (request.groupId === '') return error(ErrorCode.INVALID_GROUP_ID);
    const reply = await ctx.groups.sync(
      {
        groupId: request.groupId,
        memberId: request.memberId,
        groupInstanceId: apiVersion >= 3 ? request.groupInstanceId : null,
        generationId: request.generationId,
        protocolType: apiVersion >= 5 ? request.protocolType : null,
        protocolName: apiVersion >= 5 ? request.protocolName : null,
        assignments: request.assignments.map((a) => ({ memberId: a.memberId, assignment: Buffer.from(a.assignment) })),
      },
      ctx.shutdown,
    );
    return {
      throttleTimeMs: 0,
      errorCode: reply.errorCode,
      protocolType: reply.protocolType,
      protocolName: reply.protocolName,
      assignment: reply.assignment,
    };
  },
});
