// Small DOM helpers: every piece of data reaches the page as text nodes, never as HTML.

/** Creates an element; attributes starting with "on" become listeners, false/null ones are left out. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'class') element.className = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

let nextId = 0;
/** A page-unique id, for label/for and aria-describedby pairs. */
export const uid = (prefix) => `${prefix}-${++nextId}`;

/** A labelled control: the label wraps it, so every input has an accessible name. */
export function field(labelText, control) {
  return h('label', {}, labelText, control);
}

/** A table with a caption (for screen readers), a header row and the given body rows. */
export function table(caption, headers, rows, { emptyText = 'None.' } = {}) {
  const head = h('tr', {}, headers.map((header) => {
    const [text, numeric] = Array.isArray(header) ? header : [header, false];
    return h('th', { scope: 'col', class: numeric ? 'num' : null }, text);
  }));
  const body = h('tbody', {}, rows);
  if (rows.length === 0) body.append(h('tr', {}, h('td', { colspan: headers.length, class: 'muted' }, emptyText)));
  return h('table', {}, h('caption', { class: 'visually-hidden' }, caption), h('thead', {}, head), body);
}

export const numCell = (value, title) => h('td', { class: 'num', title }, value);

export function errorBox(error) {
  const code = error && error.code ? `${error.code}: ` : '';
  return h('p', { class: 'error', role: 'alert' }, code + (error && error.message ? error.message : String(error)));
}

export function formatBytes(bytes) {
  const n = Number(bytes);
  if (!Number.isFinite(n)) return String(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
  return unit === 0 ? `${n} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

export function formatCount(count) {
  const n = Number(count);
  return Number.isFinite(n) ? n.toLocaleString('en') : String(count);
}

export function formatTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : date.toISOString().replace('T', ' ').replace('Z', ' UTC');
}
