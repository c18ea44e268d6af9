/**
 * ListGroups (key 16), versions 0-5: every group of the cluster, whichever gateway is asked (they share
 * one Postgres). v4+ filter by state and v5+ by type, both case-insensitively as Kafka compares them;
 * every kpg group is of type "classic". DESCRIBE on the cluster lists every group; without it only the
 * groups the client may DESCRIBE are listed, as Kafka lists them.
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../protocol/messages/types.js';
import { authorizedFilter, isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

const GROUP_TYPE = 'classic';

export default defineHandler<ListGroupsRequest, ListGroupsResponse>({
  apiKey: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    const states = new Set((apiVersion >= 4 ? request.statesFilter : []).map((s) => s.toLowerCase()));
    const types = new Set((apiVersion >= 5 ? request.typesFilter : []).map((s) => s.toLowerCase()));
    // DESCRIBE on the cluster lists every group; otherwise only the groups the client may describe.
    const mayDescribe = isAuthorizedOnCluster(ctx, AclOperation.DESCRIBE, false)
      ? (): boolean => true
      : authorizedFilter(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, false);
    const groups = (await ctx.groups.listGroups()).filter(
      (g) => mayDescribe(g.groupId) && (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has(GROUP_TYPE)),
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: GROUP_TYPE })),
    };
  },
});
