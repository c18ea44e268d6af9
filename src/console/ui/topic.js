import { api, segment } from './api.js';
import { errorBox, formatBytes, formatCount, h, numCell, table } from './dom.js';
import { messageBrowser } from './messages.js';
import { produceForm } from './produce.js';

export async function renderTopic(name) {
  const topic = await api(`/api/topics/${segment(name)}`);
  const browser = messageBrowser(topic);
  return {
    title: `Topic ${topic.name}`,
    leave: browser.leave,
    content: h('div', {},
      h('p', { class: 'muted' }, 'Topic id ', h('code', {}, topic.topicId), topic.internal ? ' (internal)' : ''),
      h('h2', { id: 'partitions-heading' }, 'Partitions'),
      partitionsTable(topic.partitions),
      h('h2', {}, 'Messages'),
      browser.element,
      h('h2', {}, 'Produce a message'),
      produceForm(topic, () => browser.reload()),
      h('h2', {}, 'Configs'),
      configsSection(topic)),
  };
}

function partitionsTable(partitions) {
  return table('Partitions', [['Partition', true], ['Start offset', true], ['End offset', true], ['Records', true], ['Size', true]], partitions.map((p) => h('tr', {},
    numCell(String(p.partition)),
    numCell(String(p.startOffset)),
    numCell(String(p.endOffset)),
    numCell(formatCount(p.records)),
    numCell(formatBytes(p.bytes), `${p.bytes} bytes`),
  )));
}

/** The configs table; one value at a time is edited in place and saved as an incremental alter. */
function configsSection(topic) {
  const holder = h('div', {});
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  let editing = null;

  function draw(configs) {
    holder.replaceChildren(table(`Configs of ${topic.name}`, ['Name', 'Value', 'Source', 'Action'], configs.map((config) => configRow(config))));
  }

  function configRow(config) {
    const valueText = config.sensitive ? '(sensitive)' : config.value ?? '(null)';
    if (editing === config.name) {
      const input = h('input', { type: 'text', name: 'config-value', value: config.value ?? '', 'aria-label': `New value of ${config.name}` });
      const form = h('form', { class: 'inline', onsubmit: (event) => { event.preventDefault(); save({ set: { [config.name]: input.value } }, config.name); } },
        input,
        h('button', { type: 'submit' }, 'Save'),
        h('button', { type: 'button', class: 'secondary', onclick: () => { editing = null; draw(topic.configs); } }, 'Cancel'));
      queueMicrotask(() => input.focus());
      return h('tr', {}, h('td', {}, config.name), h('td', { colspan: 3 }, form));
    }
    const actions = [];
    if (!config.readOnly) {
      actions.push(h('button', { type: 'button', class: 'secondary', 'aria-label': `Edit ${config.name}`, onclick: () => { editing = config.name; draw(topic.configs); } }, 'Edit'));
      if (!config.isDefault && config.source === 'DYNAMIC_TOPIC_CONFIG') {
        actions.push(' ', h('button', { type: 'button', class: 'secondary', 'aria-label': `Reset ${config.name} to its default`, onclick: () => save({ delete: [config.name] }, config.name) }, 'Reset'));
      }
    }
    return h('tr', {},
      h('td', {}, config.name),
      h('td', { class: 'payload' }, valueText),
      h('td', {}, config.source),
      h('td', {}, actions.length ? actions : h('span', { class: 'muted' }, 'read-only')));
  }

  async function save(change, name) {
    status.replaceChildren();
    try {
      const result = await api(`/api/topics/${segment(topic.name)}/configs`, { method: 'PATCH', body: { set: change.set ?? {}, delete: change.delete ?? [] } });
      topic.configs = result.configs ?? result;
      editing = null;
      draw(topic.configs);
      status.replaceChildren(h('p', { class: 'ok' }, `Saved ${name}.`));
    } catch (error) {
      status.replaceChildren(errorBox(error));
    }
  }

  // The API gives configs: null to a user without DESCRIBE_CONFIGS on the topic.
  if (!Array.isArray(topic.configs)) return h('p', { class: 'muted' }, 'Not shown: describing this topic\'s configs is not allowed for you.');
  draw(topic.configs);
  return h('div', {}, status, holder);
}
