// One deployment: the outcome and its actions, a timeline of phases with durations, the components turning from
// pending to installed (or failed, with the reason), and the log grouped by phase and searchable — all fed by the
// SSE stream, whose events are appended as they arrive.
import { get, post, ApiError } from './api.js';
import { h, replace, badge, progressBar, age, duration, clock, confirmDialog, debounce } from './ui.js';
import { follow } from './stream.js';

// Lines about a component belong to the grid; audit lines (who minted, who wiped) stay in the log only.
const NotTimelinePhases = new Set(['component', 'audit']);
const ActorText = {
  user: ['You (the owner)', 'The cause is in what the Sovereign was given — a token, quota, domain or key. Fix it, then retry.'],
  operator: ['The operator of this Catalyst', 'The cause is on Catalyst\'s side. Tell your operator; retry once they have fixed it.'],
};

export function deploymentView(root, id) {
  const events = [];
  const components = new Map();
  const groups = new Map();
  let state = null;
  let stream = null;
  let mintURL = null;
  let left = false;
  let refreshTimer = null;
  let lastSaid = null;

  const title = h('h1', { id: 'deployment-title' }, '…');
  const badges = h('span', { class: 'meta' });
  const bar = h('div', { class: 'bar' });
  const facts = h('p', { class: 'muted facts' });
  const connection = h('span', { class: 'connection', id: 'connection', role: 'status' });
  const outcome = h('section', { class: 'card outcome', id: 'outcome', 'aria-live': 'polite', 'aria-labelledby': 'outcome-title' });
  const actions = h('div', { class: 'actions', id: 'actions' });
  const handover = h('div', { id: 'handover', 'aria-live': 'polite' });
  const timeline = h('ol', { class: 'timeline', id: 'timeline' });
  const grid = h('ul', { class: 'components', id: 'components' });
  const search = h('input', { type: 'search', id: 'log-search', placeholder: 'Search the log', 'aria-label': 'Search the log' });
  const matches = h('span', { class: 'muted', id: 'log-matches', role: 'status' });
  const log = h('div', { class: 'log', id: 'log' });

  replace(root, h('article', { class: 'deployment-page', 'aria-labelledby': 'deployment-title' },
    h('p', {}, h('a', { href: '#/' }, '← Deployments')),
    h('header', { class: 'page-head' }, h('div', { class: 'row between wrap' }, title, h('span', { class: 'row' }, badges, connection)), bar, facts),
    outcome,
    h('div', { class: 'columns' },
      h('section', { class: 'card', 'aria-labelledby': 'timeline-title' }, h('h2', { id: 'timeline-title' }, 'Phases'), timeline),
      h('section', { class: 'card', 'aria-labelledby': 'components-title' }, h('h2', { id: 'components-title' }, 'Components'), grid)),
    h('section', { class: 'card', 'aria-labelledby': 'log-title' },
      h('div', { class: 'row between wrap' }, h('h2', { id: 'log-title' }, 'Log'), h('span', { class: 'row' }, search, matches)),
      log)));

  search.addEventListener('input', debounce(filterLog, 150));
  const ticker = setInterval(() => { if (state && !isDone(state.status)) renderTimeline(); }, 1000);

  load();
  return () => { left = true; clearInterval(ticker); stream?.stop(); };

  async function load() {
    try {
      state = await get(`/api/v1/deployments/${encodeURIComponent(id)}`);
    } catch (e) {
      replace(outcome, h('h2', { id: 'outcome-title' }, e.status === 404 ? 'No such deployment' : 'Could not read the deployment'), h('p', { class: 'error' }, e.message));
      return;
    }
    for (const [name, s] of Object.entries(state.componentStates ?? {})) components.set(name, { state: s });
    renderState();
    renderComponents();
    openStream();
  }

  function openStream() {
    if (left) return;
    stream?.stop();
    stream = follow(id, events.length ? events[events.length - 1].seq : -1, {
      event: onEvent,
      handover: frame => { mintURL = frame.mintURL; renderActions(); },
      done: final => { if (final) state = final; connection.textContent = ''; renderState(); },
      connection: c => { connection.textContent = c === 'live' ? '● live' : 'reconnecting…'; connection.className = `connection ${c}`; },
    });
  }

  function onEvent(e) {
    events.push(e);
    appendLine(e);
    if (e.component) {
      const c = components.get(e.component) ?? {};
      components.set(e.component, { state: e.state ?? c.state, message: e.message, time: e.time });
      renderComponents();
    } else if (!NotTimelinePhases.has(e.phase)) {
      renderTimeline();
    }
    // The record is the truth for status and progress; an event says it changed, so read it (cheap, cached 1 s).
    refreshSoon();
  }

  function refreshSoon() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(async () => {
      refreshTimer = null;
      try { state = await get(`/api/v1/deployments/${encodeURIComponent(id)}`); renderState(); } catch { /* the next event tries again */ }
    }, 700);
  }

  function renderState() {
    title.textContent = state.sovereignFQDN || id;
    document.title = `${state.sovereignFQDN} · Catalyst`;
    replace(badges, badge(state.status), state.sandbox ? badge('sandbox', 'sandbox') : null);
    badges.firstChild.id = 'status';
    replace(bar, progressBar(state.progress, 'Provisioning progress'), h('span', { class: 'pct' }, `${state.progress ?? 0}%`));
    replace(facts, `Started ${clock(state.startedAt)} (${age(state.startedAt)})`, state.region ? ` · ${state.region}` : '',
      state.finishedAt ? ` · finished after ${duration(Date.parse(state.finishedAt) - Date.parse(state.startedAt))}` : '', ` · id ${id}`);
    for (const [name, s] of Object.entries(state.componentStates ?? {}))
      if (components.get(name)?.state !== s) components.set(name, { ...components.get(name), state: s });
    // The outcome is a live region: rewrite it only when what it says changes, or a screen reader repeats it every read.
    const said = [state.status, state.phase, state.step, state.error, state.failure?.actor, !!state.result?.kubeconfigReceivedAt].join('|');
    if (said !== lastSaid) {
      lastSaid = said;
      // Rebuilding the buttons must not take the keyboard's place away (a step recorded while someone tabs to Wipe).
      const focused = actions.contains(document.activeElement) ? document.activeElement.id : null;
      renderOutcome();
      renderActions();
      if (focused) document.getElementById(focused)?.focus();
    }
    renderTimeline();
    renderComponents();
  }

  function renderOutcome() {
    const s = state.status;
    if (s === 'ready') {
      const url = state.result?.consoleURL;
      replace(outcome, h('h2', { id: 'outcome-title' }, 'Ready'),
        h('p', {}, 'Every component is installed. ', url ? ['Its console: ', h('a', { href: url, target: '_blank', rel: 'noopener' }, url), '. '] : null,
          'Hand it over to sign its owner in there.'), handover);
      outcome.className = 'card outcome ok';
    } else if (s === 'failed') {
      const f = state.failure;
      const [who, why] = ActorText[f?.actor] ?? ['Unknown', ''];
      replace(outcome, h('h2', { id: 'outcome-title' }, 'Failed', f?.phase ? ` in ${f.phase}` : ''),
        h('p', { class: 'error', id: 'failure-error' }, state.error ?? 'The deployment failed.'),
        h('dl', { class: 'facts-list' },
          h('dt', {}, 'Who must act'), h('dd', { id: 'failure-actor', dataset: { actor: f?.actor ?? '' } }, h('strong', {}, who), why ? ` — ${why}` : ''),
          f?.code ? [h('dt', {}, 'Code'), h('dd', {}, f.code)] : null,
          f?.detail ? [h('dt', {}, 'Detail'), h('dd', {}, f.detail)] : null));
      outcome.className = 'card outcome bad';
    } else if (s === 'wiped' || s === 'wiping') {
      replace(outcome, h('h2', { id: 'outcome-title' }, s === 'wiped' ? 'Wiped' : 'Wiping…'),
        h('p', {}, s === 'wiped' ? 'Its servers, networks and DNS records are gone.' : 'Destroying its servers, networks and DNS records.'));
      outcome.className = 'card outcome muted';
    } else {
      replace(outcome, h('h2', { id: 'outcome-title' }, 'Provisioning'),
        h('p', {}, state.phase ? `Now: ${state.phase}${state.step ? ` — ${state.step}` : ''}.` : 'Starting.', ' This page follows it live.'));
      outcome.className = 'card outcome busy';
    }
    outcome.append(actions);
  }

  function renderActions() {
    const s = state.status;
    const kubeconfig = state.result?.kubeconfigReceivedAt && s !== 'wiped' && s !== 'wiping';
    replace(actions,
      s === 'ready' ? h('button', { type: 'button', class: 'primary', id: 'handover-button', onclick: mint }, 'Hand over') : null,
      kubeconfig ? h('a', { class: 'button', id: 'kubeconfig', href: `/api/v1/deployments/${encodeURIComponent(id)}/kubeconfig`, download: `${state.sovereignFQDN}.kubeconfig.yaml` }, 'Download kubeconfig') : null,
      s === 'failed' ? h('button', { type: 'button', class: 'primary', id: 'retry-button', onclick: retry }, 'Retry') : null,
      isDone(s) && s !== 'wiped' ? h('button', { type: 'button', class: 'danger', id: 'wipe-button', onclick: wipe }, 'Wipe…') : null);
  }

  async function mint(event) {
    const button = event.currentTarget;
    button.disabled = true;
    try {
      const minted = await post(mintURL ?? `/api/v1/deployments/${encodeURIComponent(id)}/mint-handover-token`);
      replace(handover, h('p', { class: 'ok' }, 'One-time link, valid for 5 minutes: ',
        h('a', { id: 'handover-link', href: minted.redirectURL, target: '_blank', rel: 'noopener' }, minted.redirectURL)));
    } catch (e) {
      replace(handover, h('p', { class: 'error' }, `No link: ${e.message}`));
    } finally {
      button.disabled = false;
    }
  }

  async function retry(event) {
    event.currentTarget.disabled = true;
    // Phase 0 reruns from tofu; a Phase-1 failure names its component (the API answers with the runbook for those).
    const phase = state.failure?.phase && state.failure.phase !== 'dns' ? state.failure.phase : 'tofu';
    await act(() => post(`/api/v1/deployments/${encodeURIComponent(id)}/phases/${encodeURIComponent(phase)}/retry`), answer =>
      answer?.status === 'manual-retry-required' ? `${answer.runbook ?? 'This component needs a manual retry.'}` : null);
  }

  async function wipe() {
    const name = state.sovereignFQDN;
    const ok = await confirmDialog({ title: `Wipe ${name}?`, danger: true, confirm: `Wipe ${name}`,
      body: `This destroys every server, network, load balancer and DNS record of ${name}. It cannot be undone.` });
    if (!ok) return;
    replace(outcome, h('h2', { id: 'outcome-title' }, 'Wiping…'), h('p', {}, `Destroying ${name}.`));
    outcome.className = 'card outcome muted';
    await act(() => post(`/api/v1/deployments/${encodeURIComponent(id)}/wipe`));
  }

  // After an action the record changed and the timeline grows again: re-read the state and follow the stream on.
  async function act(call, note = () => null) {
    let message = null;
    try {
      message = note(await call());
    } catch (e) {
      message = e instanceof ApiError ? e.message : `Catalyst did not answer: ${e.message}`;
    }
    try { state = await get(`/api/v1/deployments/${encodeURIComponent(id)}`); } catch { /* keep the last state */ }
    lastSaid = null;
    renderState();
    if (message) outcome.append(h('p', { class: 'error', role: 'alert', id: 'action-message' }, message));
    openStream();
  }

  function renderTimeline() {
    const phases = [];
    for (const e of events) {
      if (NotTimelinePhases.has(e.phase) || e.component) continue;
      let p = phases.find(x => x.name === e.phase);
      if (!p) phases.push(p = { name: e.phase, start: Date.parse(e.time), last: Date.parse(e.time), lines: 0, error: false });
      p.last = Date.parse(e.time);
      p.lines++;
      if (e.level === 'error') p.error = true;
    }
    const done = state && isDone(state.status);
    replace(timeline, phases.length === 0 ? h('li', { class: 'muted' }, 'Waiting for the first event…') : phases.map((p, i) => {
      const next = phases[i + 1];
      const current = !next && !done;
      // A phase lasts until the next one starts, or until its own last line when that comes later (tofu's output
      // continues through tofu-init, -plan and -apply, which are steps inside it).
      const end = current ? Date.now() : Math.max(next ? next.start : 0, p.last);
      const failed = p.error || (state?.status === 'failed' && state.failure?.phase === p.name);
      const kind = failed ? 'bad' : current ? 'busy' : 'ok';
      return h('li', { class: `step ${kind}`, dataset: { phase: p.name } },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h('span', { class: 'name' }, p.name),
        h('span', { class: 'when muted' }, clock(new Date(p.start).toISOString())),
        h('span', { class: 'took' }, current ? `${duration(end - p.start)}…` : duration(end - p.start)),
        h('span', { class: 'sr-only' }, failed ? ' failed' : current ? ' running' : ' done'));
    }));
  }

  function renderComponents() {
    if (components.size === 0) {
      replace(grid, h('li', { class: 'muted wide' }, 'Components appear when the new cluster\'s Flux reports them.'));
      return;
    }
    const counts = [...components.values()].reduce((a, c) => (a[c.state] = (a[c.state] ?? 0) + 1, a), {});
    replace(grid, [...components].map(([name, c]) => h('li', { class: `component ${c.state ?? 'pending'}`, dataset: { component: name, state: c.state ?? 'pending' } },
      h('span', { class: 'name' }, name),
      h('span', { class: 'state' }, c.state ?? 'pending'),
      c.state === 'failed' && c.message ? h('span', { class: 'reason' }, c.message) : null)));
    grid.setAttribute('aria-label', Object.entries(counts).map(([k, v]) => `${v} ${k}`).join(', '));
  }

  function appendLine(e) {
    let group = groups.get(e.phase);
    if (!group) {
      const list = h('ol', { class: 'lines' });
      const count = h('span', { class: 'count muted' });
      const details = h('details', { dataset: { phase: e.phase } }, h('summary', {}, h('span', { class: 'name' }, e.phase), ' ', count), list);
      group = { details, list, count, n: 0 };
      groups.set(e.phase, group);
      log.append(details);
    }
    group.n++;
    group.count.textContent = `${group.n} line${group.n === 1 ? '' : 's'}`;
    const line = h('li', { class: `line ${e.level}`, dataset: { seq: String(e.seq), time: e.time } },
      h('time', { datetime: e.time }, clock(e.time)), ' ',
      e.component ? h('strong', {}, `${e.component} ${e.state ?? ''} `) : null,
      e.message);
    const q = search.value.trim().toLowerCase();
    if (q && !line.textContent.toLowerCase().includes(q)) line.hidden = true;
    group.list.append(line);
  }

  function filterLog() {
    const q = search.value.trim().toLowerCase();
    let total = 0;
    for (const group of groups.values()) {
      let n = 0;
      for (const line of group.list.children) {
        const hit = !q || line.textContent.toLowerCase().includes(q);
        line.hidden = !hit;
        if (hit) n++;
      }
      total += n;
      group.details.hidden = q && n === 0;
      if (q) group.details.open = n > 0;
    }
    matches.textContent = q ? `${total} match${total === 1 ? '' : 'es'}` : '';
  }
}

const isDone = s => ['ready', 'failed', 'adopted', 'wiped'].includes(s);
