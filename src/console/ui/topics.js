import { api, query, segment } from './api.js';
import { errorBox, field, formatBytes, formatCount, h, numCell, table } from './dom.js';

export async function renderTopics() {
  const filter = h('input', { type: 'search', name: 'filter', placeholder: 'part of a name', autocomplete: 'off' });
  const showInternal = h('input', { type: 'checkbox', name: 'internal' });
  const summary = h('p', { class: 'muted', 'aria-live': 'polite' });
  const holder = h('div', {});
  let topics = [];

  function draw() {
    const needle = filter.value.trim().toLowerCase();
    const shown = topics.filter((topic) => topic.name.toLowerCase().includes(needle));
    summary.textContent = `${shown.length} of ${topics.length} topics`;
    holder.replaceChildren(table('Topics', ['Name', ['Partitions', true], ['Records', true], ['Size', true]], shown.map((topic) => h('tr', {},
      h('td', {}, h('a', { href: `#/topics/${segment(topic.name)}` }, topic.name), topic.internal ? h('span', { class: 'badge' }, 'internal') : null),
      numCell(formatCount(topic.partitions)),
      numCell(formatCount(topic.records)),
      numCell(formatBytes(topic.bytes), `${topic.bytes} bytes`),
    )), { emptyText: needle ? 'No topic matches the filter.' : 'No topics.' }));
  }

  async function load() {
    try {
      topics = (await api(`/api/topics${query({ internal: showInternal.checked ? 'true' : 'false' })}`)).topics;
      draw();
    } catch (error) {
      holder.replaceChildren(errorBox(error));
    }
  }

  filter.addEventListener('input', draw);
  showInternal.addEventListener('change', load);
  await load();
  return {
    title: 'Topics',
    content: h('div', {},
      h('form', { class: 'inline', role: 'search', onsubmit: (event) => event.preventDefault() },
        field('Filter topics', filter),
        h('label', { class: 'check' }, showInternal, 'Show internal topics')),
      summary,
      holder),
  };
}
