// The console's shell: who is signed in, the navigation, and a hash router (#/, #/new, #/deployments/{id}) — hash
// routes need no server route, so nothing here can shadow an API path. Each view returns a function that stops what
// it started (polls, streams) when the view is left.
import { api, ApiError, onUnauthenticated } from './api.js';
import { h, replace } from './ui.js';
import { signInView } from './signin.js';
import { listView } from './list.js';
import { wizardView } from './wizard.js';
import { deploymentView } from './deployment.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
let session = null; // {email} when signed in; {open: true} when sign-in is off
let leave = () => {};

// The page says the sign-in mode (the server writes it into a meta tag): with sign-in off there is nobody to ask about.
const authMode = document.querySelector('meta[name="catalyst-auth"]')?.content || 'session';

async function whoami() {
  if (authMode === 'off') return { open: true };
  try {
    return await api('GET', '/api/v1/whoami');
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

function renderNav() {
  const route = location.hash || '#/';
  const link = (href, text) => h('a', { href, 'aria-current': route === href ? 'page' : null }, text);
  replace(nav,
    session ? [link('#/', 'Deployments'), link('#/new', 'New Sovereign')] : [],
    session?.email ? h('span', { class: 'who', title: session.email }, session.email) : null,
    session?.open ? h('span', { class: 'badge warn', title: 'CATALYST_AUTH_MODE=off: anyone who reaches this port is trusted' }, 'sign-in off') : null,
    session?.email ? h('button', { type: 'button', class: 'link', onclick: signOut }, 'Sign out') : null);
}

async function signOut() {
  try { await api('DELETE', '/api/v1/auth/session'); } catch { /* the cookie is cleared either way */ }
  session = null;
  location.hash = '#/';
  render();
}

function route() {
  const hash = location.hash.replace(/^#/, '') || '/';
  const deployment = /^\/deployments\/([A-Za-z0-9-]+)$/.exec(hash);
  if (deployment) return root => deploymentView(root, deployment[1]);
  if (hash === '/new') return root => wizardView(root);
  return root => listView(root, session);
}

async function render() {
  leave();
  leave = () => {};
  if (!session) {
    try {
      session = await whoami();
    } catch (e) {
      replace(main, h('div', { class: 'card error', role: 'alert' }, `Catalyst did not answer: ${e.message}`));
      return;
    }
  }
  renderNav();
  if (!session) {
    leave = signInView(main) ?? (() => {});
    return;
  }
  leave = route()(main) ?? (() => {});
  main.focus({ preventScroll: true });
}

onUnauthenticated(() => { if (session?.email) { session = null; render(); } });
window.addEventListener('hashchange', render);
render();
