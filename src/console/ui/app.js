// Hash router of the console: #/ cluster, #/topics, #/topics/<name>, #/groups, #/groups/<id>.
import { errorBox, h } from './dom.js';
import { renderCluster } from './cluster.js';
import { renderTopics } from './topics.js';
import { renderTopic } from './topic.js';
import { renderGroups } from './groups.js';
import { renderGroup } from './group.js';

const routes = [
  { pattern: /^\/?$/, nav: 'cluster', render: () => renderCluster() },
  { pattern: /^\/topics\/?$/, nav: 'topics', render: () => renderTopics() },
  { pattern: /^\/topics\/([^/]+)$/, nav: 'topics', render: (name) => renderTopic(name) },
  { pattern: /^\/groups\/?$/, nav: 'groups', render: () => renderGroups() },
  { pattern: /^\/groups\/([^/]+)$/, nav: 'groups', render: (id) => renderGroup(id) },
];

const view = document.getElementById('view');
const announcer = document.getElementById('announcer');
let leaveCurrentPage = () => {};
let navigation = 0;

export function announce(text) {
  // Cleared first so the same text said twice is announced twice.
  announcer.textContent = '';
  setTimeout(() => { announcer.textContent = text; }, 30);
}

async function route() {
  const current = ++navigation;
  leaveCurrentPage();
  leaveCurrentPage = () => {};
  const path = decodeURIComponentSafe(location.hash.replace(/^#/, '') || '/');
  const match = routes.map((r) => ({ r, m: r.pattern.exec(path.split('?')[0]) })).find((x) => x.m);
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (match && link.dataset.nav === match.r.nav) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  let page;
  try {
    page = match ? await match.r.render(...match.m.slice(1).map(decodeURIComponentSafe)) : { title: 'Not found', content: h('p', {}, 'No such page.') };
  } catch (error) {
    page = { title: 'Error', content: errorBox(error) };
  }
  if (current !== navigation) {
    page.leave?.();
    return;
  }
  leaveCurrentPage = page.leave ?? (() => {});
  const heading = h('h1', { tabindex: '-1' }, page.title);
  view.replaceChildren(heading, page.content);
  document.title = `${page.title} · kpg console`;
  // Focus moves to the new page's heading so keyboard and screen-reader users start there.
  heading.focus();
  announce(`${page.title} page loaded`);
}

function decodeURIComponentSafe(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

window.addEventListener('hashchange', route);
route();
