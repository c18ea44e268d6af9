/**
 * JoinGroup (key 11), versions 0-9: the join phase of the classic group protocol.
 *
 * The request waits (a long poll) until the group's join phase ends: every known member rejoined, the
 * rebalance timeout passed, or, for a new group, group.initial.rebalance.delay.ms. The rules are in
 * ../groups/rebalance.ts and the state in Postgres, so members connected to different gateways rebalance
 * together. v4+ new dynamic members first get MEMBER_ID_REQUIRED with their id; v5+ static membership
 * (group.instance.id); v7+ echo the protocol type; v9 tells a static leader rejoining a stable group to skip
 * the assignment. v0 has no rebalance timeout: the session timeout is used, as in Kafka.
 *
 * The client host reported by DescribeGroups is the address the request came from, written as Java
 * writes an InetAddress ("/127.0.0.1"). The join reason (v8+) is accepted and not stored.
 *
 * READ on the group is checked first (GROUP_AUTHORIZATION_FAILED), as Kafka's KafkaApis does.
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { JoinGroupRequest, JoinGroupResponse } from '../protocol/messages/types.js';
import type { JoinReply } from '../groups/classic-group.js';
import { joinError } from '../groups/classic-group.js';
import { isAuthorized } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<JoinGroupRequest, JoinGroupResponse>({
  apiKey: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 9,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    if (!isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, request.groupId)) {
      return response(joinError(ErrorCode.GROUP_AUTHORIZATION_FAILED, ''), apiVersion);
    }
    if (request.groupId === '') return response(joinError(ErrorCode.INVALID_GROUP_ID, request.memberId), apiVersion);
    const minSession = ctx.config.int('group.min.session.timeout.ms');
    const maxSession = ctx.config.int('group.max.session.timeout.ms');
    if (request.sessionTimeoutMs < minSession || request.sessionTimeoutMs > maxSession) {
      return response(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, request.memberId), apiVersion);
    }
    const reply = await ctx.groups.join(
      {
        groupId: request.groupId,
        memberId: request.memberId,
        groupInstanceId: apiVersion >= 5 ? request.groupInstanceId : null,
        clientId: ctx.header.clientId ?? '',
        clientHost: javaInetAddress(ctx.client.address),
        sessionTimeoutMs: request.sessionTimeoutMs,
        rebalanceTimeoutMs: apiVersion === 0 ? request.sessionTimeoutMs : request.rebalanceTimeoutMs,
        protocolType: request.protocolType,
        protocols: request.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) })),
        apiVersion,
      },
      ctx.shutdown,
    );
    return response(reply, apiVersion);
  },
});

function response(reply: JoinReply, apiVersion: number): JoinGroupResponse {
  // Before v7 the protocol name is not nullable: "" stands for none; from v7 none is null.
  const protocolName = reply.protocolName === null || reply.protocolName === '' ? (apiVersion >= 7 ? null : '') : reply.protocolName;
  return {
    throttleTimeMs: 0,
    errorCode: reply.errorCode,
    generationId: reply.generationId,
    protocolType: reply.protocolType,
    protocolName,
    leader: reply.leader,
    skipAssignment: reply.skipAssignment,
    memberId: reply.memberId,
    members: reply.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: m.metadata })),
  };
}

/** A client address as Java's InetAddress.toString() prints it (Kafka reports client hosts that way). */
export function javaInetAddress(address: string): string {
  const v4Mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return `/${v4Mapped ? v4Mapped[1] : address}`;
}
