// The caller's deployments (operators: all), newest first. Live by polling the list every 3 s: one cheap read that
// the API answers from its 1-second record cache, instead of a stream per row.
import { get } from './api.js';
import { h, replace, badge, progressBar, age } from './ui.js';

const PollMs = 3000;

export function listView(root) {
  // Not a live region: it is rewritten every poll, and a screen reader would read the whole list each time.
  const list = h('ul', { class: 'deployments', 'aria-busy': 'true', 'aria-label': 'Deployments' });
  const status = h('p', { class: 'muted', role: 'status' });
  replace(root, h('section', {},
    h('div', { class: 'row between' },
      h('h1', {}, 'Deployments'),
      h('a', { class: 'button primary', href: '#/new' }, 'New Sovereign')),
    status, list));

  let timer;
  let stopped = false;
  async function refresh() {
    try {
      const page = await get('/api/v1/deployments?limit=200');
      list.setAttribute('aria-busy', 'false');
      render(page.items ?? []);
      status.textContent = page.total > (page.items?.length ?? 0) ? `Showing the newest ${page.items.length} of ${page.total}.` : '';
    } catch (e) {
      status.textContent = `Could not read the list: ${e.message}`;
    }
    if (!stopped) timer = setTimeout(refresh, PollMs);
  }

  function render(items) {
    if (items.length === 0) {
      replace(list, h('li', { class: 'empty card' }, 'No Sovereigns yet. ', h('a', { href: '#/new' }, 'Create the first one'), '.'));
      return;
    }
    replace(list, items.map(d => h('li', {},
      h('a', { class: 'deployment card', href: `#/deployments/${d.id}`, dataset: { id: d.id, status: d.status } },
        h('span', { class: 'fqdn' }, d.sovereignFQDN || d.id),
        h('span', { class: 'meta' }, badge(d.status), d.sandbox ? badge('sandbox', 'sandbox') : null),
        h('span', { class: 'phase' }, d.phase ? `${d.phase}${d.step ? ` · ${d.step}` : ''}` : '—'),
        progressBar(d.progress, `${d.sovereignFQDN} progress`),
        h('time', { class: 'age', datetime: d.startedAt, title: new Date(d.startedAt).toLocaleString() }, age(d.startedAt))))));
  }

  refresh();
  return () => { stopped = true; clearTimeout(timer); };
}
