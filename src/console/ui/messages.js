import { api, query, segment } from './api.js';
import { errorBox, field, formatTime, h, numCell } from './dom.js';

const PAGE_SIZE = 50;
// The live tail keeps at most this many rows on the page; older ones drop off the bottom.
const TAIL_ROWS = 200;

/**
 * The message browser of a topic: newest first, pages of 50 fetched from the API (never the whole
 * partition), a search form, and a live tail that prepends records as they are committed.
 */
export function messageBrowser(topic) {
  const partition = h('select', { name: 'partition' },
    h('option', { value: '' }, 'All partitions'),
    topic.partitions.map((p) => h('option', { value: String(p.partition) }, `Partition ${p.partition}`)));
  const direction = h('select', { name: 'direction' },
    h('option', { value: 'backward' }, 'Newest first'),
    h('option', { value: 'forward' }, 'Oldest first'));
  const offset = h('input', { type: 'text', name: 'offset', inputmode: 'numeric', size: '10', autocomplete: 'off' });
  const key = h('input', { type: 'search', name: 'key', autocomplete: 'off' });
  const from = h('input', { type: 'datetime-local', name: 'from', step: '1' });
  const to = h('input', { type: 'datetime-local', name: 'to', step: '1' });
  const header = h('input', { type: 'text', name: 'header', placeholder: 'name:value', autocomplete: 'off' });
  const jsonPath = h('input', { type: 'text', name: 'jsonPath', placeholder: '$.a.b', autocomplete: 'off' });
  const jsonValue = h('input', { type: 'text', name: 'jsonValue', autocomplete: 'off' });
  const tailToggle = h('input', { type: 'checkbox', name: 'tail' });

  const body = h('tbody', {});
  const summary = h('p', { class: 'muted' });
  const tailStatus = h('p', { class: 'muted', role: 'status', 'aria-live': 'polite' });
  const errors = h('div', {});
  const newer = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Newer page');
  const older = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Next page');

  // Offsets of the pages before this one, to go back; the current request; the next page's offset.
  let previousPages = [];
  let currentOffset = '';
  let nextOffset;
  let source = null;
  let tailCount = 0;
  let loads = 0;

  // datetime-local values are in the browser's zone; the API gets ISO instants.
  const isoOf = (input) => (input.value ? new Date(input.value).toISOString() : undefined);

  function parameters(startOffset) {
    return {
      partition: partition.value,
      offset: startOffset,
      limit: PAGE_SIZE,
      direction: direction.value,
      key: key.value,
      from: isoOf(from),
      to: isoOf(to),
      header: header.value.trim(),
      jsonPath: jsonPath.value.trim(),
      jsonValue: jsonPath.value.trim() ? jsonValue.value : '',
    };
  }

  async function load(startOffset) {
    const current = ++loads;
    errors.replaceChildren();
    try {
      const page = await api(`/api/topics/${segment(topic.name)}/messages${query(parameters(startOffset))}`);
      if (current !== loads) return;
      currentOffset = startOffset;
      nextOffset = page.nextOffset;
      body.replaceChildren(...page.messages.map((message) => messageRow(message)));
      if (page.messages.length === 0) body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'No messages match.')));
      summary.textContent = `${page.messages.length} message${page.messages.length === 1 ? '' : 's'} on this page${previousPages.length ? ` (page ${previousPages.length + 1})` : ''}.`;
      newer.disabled = previousPages.length === 0;
      older.disabled = nextOffset === undefined || nextOffset === null || page.messages.length === 0;
      older.textContent = direction.value === 'backward' ? 'Older page' : 'Next page';
      newer.textContent = direction.value === 'backward' ? 'Newer page' : 'Previous page';
    } catch (error) {
      if (current === loads) errors.replaceChildren(errorBox(error));
    }
  }

  function firstPage() {
    previousPages = [];
    return load(offset.value.trim());
  }

  newer.addEventListener('click', () => { load(previousPages.pop() ?? ''); });
  older.addEventListener('click', () => { previousPages.push(currentOffset); load(String(nextOffset)); });
  partition.addEventListener('change', () => { firstPage(); if (source) startTail(); });
  direction.addEventListener('change', firstPage);

  function startTail() {
    stopTail();
    tailCount = 0;
    source = new EventSource(`/api/topics/${segment(topic.name)}/tail${query({ partition: partition.value })}`);
    source.addEventListener('open', () => { tailStatus.textContent = 'Live tail on: new messages appear at the top.'; });
    source.addEventListener('message', (event) => {
      const message = JSON.parse(event.data);
      const placeholder = body.querySelector('td[colspan]');
      if (placeholder) placeholder.parentElement.remove();
      body.prepend(messageRow(message, true));
      while (body.rows.length > TAIL_ROWS) body.deleteRow(body.rows.length - 1);
      tailCount += 1;
      tailStatus.textContent = `Live tail: ${tailCount} new message${tailCount === 1 ? '' : 's'}, latest at partition ${message.partition} offset ${message.offset}.`;
    });
    source.addEventListener('error', () => {
      if (source && source.readyState === EventSource.CLOSED) tailStatus.textContent = 'Live tail stopped: the connection closed.';
      else tailStatus.textContent = 'Live tail reconnecting…';
    });
  }

  function stopTail() {
    if (source) source.close();
    source = null;
  }

  tailToggle.addEventListener('change', async () => {
    if (tailToggle.checked) {
      // The tail prepends to the newest page, so it starts from there.
      direction.value = 'backward';
      offset.value = '';
      await firstPage();
      startTail();
    } else {
      stopTail();
      tailStatus.textContent = 'Live tail off.';
    }
  });

  const search = h('form', { class: 'inline', role: 'search', 'aria-label': 'Search messages', onsubmit: (event) => { event.preventDefault(); firstPage(); } },
    field('Partition', partition),
    field('Order', direction),
    field('Start offset', offset),
    field('Key', key),
    field('From (local time)', from),
    field('To (local time)', to),
    field('Header', header),
    field('JSON path', jsonPath),
    field('JSON value', jsonValue),
    h('button', { type: 'submit' }, 'Search'));

  const element = h('div', {},
    search,
    h('div', { class: 'toolbar' }, h('label', { class: 'check' }, tailToggle, 'Live tail'), tailStatus),
    errors,
    summary,
    h('table', { class: 'messages' },
      h('caption', { class: 'visually-hidden' }, `Messages of ${topic.name}`),
      h('thead', {}, h('tr', {}, ['Partition', 'Offset', 'Timestamp', 'Key', 'Value', 'Headers', 'Size'].map((text) => h('th', { scope: 'col' }, text)))),
      body),
    h('div', { class: 'toolbar' }, newer, older));

  firstPage();
  return { element, reload: () => { if (!source) firstPage(); }, leave: stopTail };
}

function payload(text, encoding) {
  if (text === null || text === undefined) return h('span', { class: 'muted' }, 'null');
  return [text, encoding === 'base64' ? h('span', { class: 'badge', title: 'not valid UTF-8, shown as base64' }, 'base64') : null];
}

function messageRow(message, fresh = false) {
  const headers = (message.headers ?? []).map((header) => h('div', {}, `${header.key}: `, payload(header.value, header.valueEncoding)));
  return h('tr', { class: fresh ? 'fresh' : null, 'data-offset': message.offset, 'data-partition': message.partition },
    numCell(String(message.partition)),
    numCell(String(message.offset)),
    h('td', {}, formatTime(message.timestamp)),
    h('td', { class: 'payload' }, payload(message.key, message.keyEncoding)),
    h('td', { class: 'payload' }, payload(message.value, message.valueEncoding)),
    h('td', { class: 'payload' }, headers.length ? headers : h('span', { class: 'muted' }, '—')),
    numCell(String(message.size)));
}
