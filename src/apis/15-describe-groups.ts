/**
 * DescribeGroups (key 15), versions 0-6.
 *
 * State, protocol type and members with client id and host, read from one snapshot. As in Kafka, the
 * protocol name, member metadata and assignments are only reported while the group is Stable. An unknown
 * group is reported Dead with no error before v6 and GROUP_ID_NOT_FOUND from v6. A group the client may
 * not DESCRIBE is GROUP_AUTHORIZATION_FAILED with an empty state, as Kafka's groupError answers, and is
 * not looked up. Authorized operations (v3+, when asked) are the client's own on the group. Timers of the group that are due are
 * fired first, so a member whose session has ended is not listed.
 */
import { AclOperation, AUTHORIZED_OPERATIONS_OMITTED, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { DescribeGroupsRequest, DescribeGroupsResponse } from '../protocol/messages/types.js';
import { authorizedFilter, authorizedOperationsOn } from './authorize.js';
import type { DescribedGroup } from '../groups/coordinator.js';
import { defineHandler } from './handler.js';

export default defineHandler<DescribeGroupsRequest, DescribeGroupsResponse>({
  apiKey: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx) {
    const mayDescribe = authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.GROUP);
    const allowed = await ctx.groups.describeGroups(request.groups.filter(mayDescribe), ctx.apiVersion);
    let k = 0;
    const described = request.groups.map((groupId) => (mayDescribe(groupId) ? allowed[k++]! : deniedGroup(groupId)));
    const withOperations = ctx.apiVersion >= 3 && request.includeAuthorizedOperations;
    return {
      throttleTimeMs: 0,
      groups: described.map((g) => ({
        errorCode: g.errorCode,
        errorMessage: g.errorMessage,
        groupId: g.groupId,
        groupState: g.state,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          memberMetadata: m.metadata,
          memberAssignment: m.assignment,
        })),
        authorizedOperations:
          withOperations && g.errorCode === ErrorCode.NONE ? authorizedOperationsOn(ctx, ResourceType.GROUP, g.groupId) : AUTHORIZED_OPERATIONS_OMITTED,
      })),
    };
  },
});

function deniedGroup(groupId: string): DescribedGroup {
  return {
    groupId,
    errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED,
    errorMessage: 'Group authorization failed.',
    state: '' as DescribedGroup['state'],
    protocolType: '',
    protocolData: '',
    members: [],
  };
}
