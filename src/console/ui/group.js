import { api, segment } from './api.js';
import { errorBox, field, formatCount, formatTime, h, numCell, table } from './dom.js';

export async function renderGroup(id) {
  const group = await api(`/api/groups/${segment(id)}`);
  const offsetsHolder = h('div', {}, offsetsTable(group.offsets));
  return {
    title: `Group ${group.groupId}`,
    content: h('div', {},
      h('p', {}, 'State ', h('strong', {}, group.state),
        group.protocolType ? `, protocol type ${group.protocolType}` : '',
        group.protocol ? `, assignor ${group.protocol}` : '', '.'),
      h('h2', {}, 'Members'),
      table('Members', ['Member', 'Client id', 'Host', 'Assignments'], group.members.map((member) => h('tr', {},
        h('td', { class: 'payload' }, member.memberId),
        h('td', {}, member.clientId),
        h('td', {}, member.clientHost),
        h('td', {}, member.assignments.length
          ? member.assignments.map((a) => h('div', {}, `${a.topic}: ${a.partitions.join(', ')}`))
          : h('span', { class: 'muted' }, 'none')),
      )), { emptyText: 'No members: the group is empty.' }),
      h('h2', {}, 'Lag over time'),
      sparkline(group.lagHistory ?? []),
      h('h2', {}, 'Committed offsets and lag'),
      offsetsHolder,
      h('h2', {}, 'Reset offsets'),
      resetForm(group, async () => {
        const fresh = await api(`/api/groups/${segment(id)}`);
        offsetsHolder.replaceChildren(offsetsTable(fresh.offsets));
      })),
  };
}

function offsetsTable(offsets) {
  return table('Committed offsets and lag', ['Topic', ['Partition', true], ['Committed offset', true], ['End offset', true], ['Lag', true]], offsets.map((o) => h('tr', {},
    h('td', {}, h('a', { href: `#/topics/${segment(o.topic)}` }, o.topic)),
    numCell(String(o.partition)),
    numCell(o.committedOffset === null || o.committedOffset === undefined ? '—' : String(o.committedOffset)),
    numCell(String(o.endOffset)),
    numCell(o.lag === null || o.lag === undefined ? '—' : formatCount(o.lag)),
  )), { emptyText: 'No committed offsets.' });
}

/** Total lag over the sampled history as an inline SVG line, with a text summary for screen readers. */
export function sparkline(history) {
  const width = 320;
  const height = 60;
  if (history.length === 0) return h('p', { class: 'muted' }, 'No samples yet: the console samples each group\'s lag every 10 seconds.');
  const lags = history.map((sample) => Number(sample.lag));
  const highest = Math.max(0, ...lags);
  const max = Math.max(1, highest);
  const step = history.length > 1 ? width / (history.length - 1) : 0;
  const points = lags.map((lag, i) => `${(i * step).toFixed(1)},${(height - 2 - (lag / max) * (height - 4)).toFixed(1)}`).join(' ');
  const latest = history[history.length - 1];
  const description = `Total lag from ${formatTime(history[0].time)} to ${formatTime(latest.time)}: now ${formatCount(latest.lag)}, highest ${formatCount(highest)}, ${history.length} samples.`;
  const svgNs = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('class', 'sparkline');
  svg.setAttribute('width', String(width));
  svg.setAttribute('height', String(height));
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', description);
  const line = document.createElementNS(svgNs, history.length > 1 ? 'polyline' : 'circle');
  if (history.length > 1) line.setAttribute('points', points);
  else {
    const [x, y] = points.split(',');
    line.setAttribute('cx', x);
    line.setAttribute('cy', y);
    line.setAttribute('r', '3');
    line.setAttribute('fill', '#0b57a4');
  }
  svg.append(line);
  return h('figure', {}, svg, h('figcaption', { class: 'muted' }, description));
}

function resetForm(group, afterReset) {
  const topics = [...new Set(group.offsets.map((o) => o.topic))];
  const topic = h('select', { name: 'topic' },
    h('option', { value: '' }, 'All topics of the group'),
    topics.map((name) => h('option', { value: name }, name)));
  const to = h('select', { name: 'to' },
    h('option', { value: 'earliest' }, 'Earliest'),
    h('option', { value: 'latest' }, 'Latest'),
    h('option', { value: 'timestamp' }, 'Timestamp'),
    h('option', { value: 'offset' }, 'Offset'));
  const timestamp = h('input', { type: 'datetime-local', name: 'timestamp', step: '1' });
  const offset = h('input', { type: 'text', name: 'offset', inputmode: 'numeric', autocomplete: 'off' });
  const partitions = h('input', { type: 'text', name: 'partitions', placeholder: 'e.g. 0, 2 (empty for all)', autocomplete: 'off' });
  const dryRun = h('input', { type: 'checkbox', name: 'dryRun', checked: true });
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Preview reset');

  const timestampLabel = field('Timestamp (local time)', timestamp);
  const offsetLabel = field('Offset', offset);
  function showFields() {
    timestampLabel.hidden = to.value !== 'timestamp';
    offsetLabel.hidden = to.value !== 'offset';
    submit.textContent = dryRun.checked ? 'Preview reset' : 'Reset offsets';
  }
  to.addEventListener('change', showFields);
  dryRun.addEventListener('change', showFields);
  showFields();

  async function send(event) {
    event.preventDefault();
    status.replaceChildren();
    const body = { to: to.value, dryRun: dryRun.checked };
    if (topic.value) body.topic = topic.value;
    if (to.value === 'timestamp') {
      if (!timestamp.value) return status.replaceChildren(errorBox(new Error('Choose a timestamp.')));
      body.timestamp = new Date(timestamp.value).toISOString();
    }
    if (to.value === 'offset') {
      if (!/^\d+$/.test(offset.value.trim())) return status.replaceChildren(errorBox(new Error('The offset must be a whole number.')));
      body.offset = offset.value.trim();
    }
    const list = partitions.value.split(',').map((p) => p.trim()).filter(Boolean);
    if (list.some((p) => !/^\d+$/.test(p))) return status.replaceChildren(errorBox(new Error('Partitions must be whole numbers separated by commas.')));
    if (list.length && !topic.value) return status.replaceChildren(errorBox(new Error('Choose a topic to name its partitions.')));
    if (list.length) body.partitions = list.map(Number);
    submit.disabled = true;
    try {
      const result = await api(`/api/groups/${segment(group.groupId)}/reset-offsets`, { method: 'POST', body });
      status.replaceChildren(
        h('p', { class: 'ok' }, body.dryRun ? 'Dry run: these offsets would be committed (nothing changed).' : 'Offsets reset to:'),
        table('Offsets after the reset', ['Topic', ['Partition', true], ['Offset', true]], result.offsets.map((o) => h('tr', {},
          h('td', {}, o.topic), numCell(String(o.partition)), numCell(String(o.offset))))));
      if (!body.dryRun) await afterReset();
    } catch (error) {
      status.replaceChildren(errorBox(error));
    } finally {
      submit.disabled = false;
    }
  }

  return h('form', { class: 'stack', 'aria-label': 'Reset offsets', onsubmit: send },
    h('p', { class: 'muted' }, 'The group must have no members, as with kafka-consumer-groups --reset-offsets.'),
    field('Topic', topic),
    field('Reset to', to),
    timestampLabel,
    offsetLabel,
    field('Partitions', partitions),
    h('label', { class: 'check' }, dryRun, 'Dry run (show the new offsets without committing them)'),
    h('div', {}, submit),
    status);
}
