import { api, segment } from './api.js';
import { errorBox, field, h } from './dom.js';

/** Parses "name: value" lines into record headers. */
export function parseHeaders(text) {
  return text.split('\n').map((line) => line.trim()).filter(Boolean).map((line) => {
    const colon = line.indexOf(':');
    if (colon < 1) throw new Error(`header line "${line}" is not "name: value"`);
    return { key: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
  });
}

export function produceForm(topic, afterProduce) {
  const partition = h('select', { name: 'partition' },
    h('option', { value: '' }, 'Chosen by key (or any)'),
    topic.partitions.map((p) => h('option', { value: String(p.partition) }, `Partition ${p.partition}`)));
  const key = h('input', { type: 'text', name: 'key', autocomplete: 'off' });
  const value = h('textarea', { name: 'value', rows: '3', cols: '60' });
  const headers = h('textarea', { name: 'headers', rows: '2', cols: '60', placeholder: 'name: value (one per line)' });
  const status = h('div', { role: 'status', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit' }, 'Produce');

  async function send(event) {
    event.preventDefault();
    status.replaceChildren();
    submit.disabled = true;
    try {
      const body = { value: value.value, headers: parseHeaders(headers.value) };
      if (key.value !== '') body.key = key.value;
      if (partition.value !== '') body.partition = Number(partition.value);
      const result = await api(`/api/topics/${segment(topic.name)}/messages`, { method: 'POST', body });
      status.replaceChildren(h('p', { class: 'ok' }, `Produced to partition ${result.partition} at offset ${result.offset}.`));
      afterProduce?.();
    } catch (error) {
      status.replaceChildren(errorBox(error));
    } finally {
      submit.disabled = false;
    }
  }

  // Enter in the key field submits; in the text areas it adds a line, as usual.
  return h('form', { class: 'stack', 'aria-label': 'Produce a message', onsubmit: send },
    field('Partition', partition),
    field('Key (empty for none)', key),
    field('Value', value),
    field('Headers', headers),
    h('div', {}, submit),
    status);
}
