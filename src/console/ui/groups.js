import { api, segment } from './api.js';
import { formatCount, h, numCell, table } from './dom.js';

export async function renderGroups() {
  const { groups } = await api('/api/groups');
  return {
    title: 'Consumer groups',
    content: table('Consumer groups', ['Group', 'State', 'Protocol type', ['Members', true], ['Lag', true]], groups.map((group) => h('tr', {},
      h('td', {}, h('a', { href: `#/groups/${segment(group.groupId)}` }, group.groupId)),
      h('td', {}, group.state),
      h('td', {}, group.protocolType || '—'),
      numCell(formatCount(group.members)),
      numCell(group.lag === null || group.lag === undefined ? '—' : formatCount(group.lag)),
    )), { emptyText: 'No consumer groups.' }),
  };
}
