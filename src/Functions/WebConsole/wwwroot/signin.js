// Sign-in by magic link (CATALYST_AUTH_MODE=session): the API mails a one-time link; opening it sets the session
// cookie and lands on CATALYST_POST_AUTH_REDIRECT (set it to "/" for this console).
import { api, ApiError } from './api.js';
import { h, replace } from './ui.js';

export function signInView(root) {
  const email = h('input', { id: 'signin-email', name: 'email', type: 'email', autocomplete: 'email', required: true, placeholder: 'you@example.com' });
  const message = h('p', { id: 'signin-message', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Email me a sign-in link');
  const error = new URLSearchParams(location.search).get('error');
  const form = h('form', { class: 'card narrow', 'aria-labelledby': 'signin-title', onsubmit: submit },
    h('h1', { id: 'signin-title' }, 'Sign in to Catalyst'),
    h('p', { class: 'muted' }, 'We send a one-time link to your email. Open it in this browser to sign in.'),
    error ? h('p', { class: 'error', role: 'alert' }, `The last sign-in did not complete (${error}). Ask for a new link.`) : null,
    h('label', { for: 'signin-email' }, 'Email'),
    email,
    h('div', { class: 'row' }, button),
    message);
  replace(root, h('section', { class: 'center' }, form));
  email.focus();

  async function submit(event) {
    event.preventDefault();
    button.disabled = true;
    message.className = '';
    message.textContent = 'Sending…';
    try {
      await api('POST', '/api/v1/auth/magic-link', { email: email.value.trim() });
      message.textContent = `Check ${email.value.trim()}: the link signs you in here.`;
    } catch (e) {
      message.className = 'error';
      message.textContent = e instanceof ApiError ? e.message : `Could not send the link: ${e.message}`;
    } finally {
      button.disabled = false;
    }
  }
}
