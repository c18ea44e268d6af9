import { api } from './api.js';
import { formatBytes, formatCount, formatTime, h, numCell, table } from './dom.js';

export async function renderCluster() {
  const cluster = await api('/api/cluster');
  const card = (label, value, title) => h('li', { title }, h('span', { class: 'value' }, value), label);
  const gateways = table('Gateways', ['Node', 'Endpoints', 'Last heartbeat', 'State'], cluster.gateways.map((gateway) => h('tr', {},
    h('td', {}, String(gateway.nodeId), gateway.nodeId === cluster.controllerId ? h('span', { class: 'badge' }, 'controller') : null),
    h('td', {}, h('ul', { class: 'plain' }, gateway.endpoints.map((endpoint) =>
      h('li', {}, `${endpoint.listener} ${endpoint.host}:${endpoint.port} (${endpoint.securityProtocol})`)))),
    h('td', {}, formatTime(gateway.lastHeartbeat)),
    h('td', {}, h('span', { class: gateway.alive ? 'badge alive' : 'badge dead' }, gateway.alive ? 'alive' : 'not alive')),
  )), { emptyText: 'No gateway registered.' });
  const postgres = cluster.postgres ?? {};
  return {
    title: 'Cluster',
    content: h('div', {},
      h('p', {}, 'Cluster id ', h('code', {}, cluster.clusterId), ', controller node ', String(cluster.controllerId), '.'),
      h('ul', { class: 'cards', 'aria-label': 'Counts' },
        card('topics', formatCount(cluster.topics)),
        card('consumer groups', formatCount(cluster.groups)),
        card('gateways', formatCount(cluster.gateways.length)),
        card('kpg data', formatBytes(postgres.kpgBytes), `${postgres.kpgBytes} bytes`),
        card('database', formatBytes(postgres.databaseBytes), `${postgres.databaseBytes} bytes`)),
      h('h2', {}, 'Gateways'),
      gateways,
      h('h2', {}, 'PostgreSQL'),
      h('p', {}, 'PostgreSQL ', postgres.version ?? '(version unknown)')),
  };
}
