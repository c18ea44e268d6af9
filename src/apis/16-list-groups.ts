/**
 * ListGroups (key 16), versions 0-5: every group of the cluster, whichever gateway is asked (they share
 * one Postgres). v4+ filter by state and v5+ by type, both case-insensitively as Kafka compares them;
 * every kpg group is of type "classic".
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { ListGroupsRequest, ListGroupsResponse } from '../protocol/messages/types.js';
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
    const groups = (await ctx.groups.listGroups()).filter(
      (g) => (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has(GROUP_TYPE)),
    );
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.NONE,
      groups: groups.map((g) => ({ groupId: g.groupId, protocolType: g.protocolType, groupState: g.state, groupType: GROUP_TYPE })),
    };
  },
});
