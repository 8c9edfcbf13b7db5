// Every call to Catalyst's HTTP API goes through here: same origin, the session cookie, JSON both ways, and the API's
// own error messages ({error, detail}) kept so views can show them beside the field they name ("detail": "field: x").

export class ApiError extends Error {
  constructor(status, body) {
    const error = body?.error || body?.message || `HTTP ${status}`;
    super(body?.detail && !String(body.detail).startsWith('field: ') ? `${error} — ${body.detail}` : error);
    this.status = status;
    this.body = body;
    this.error = error;
    this.field = /^field: (.+)$/.exec(body?.detail || '')?.[1]?.replace(/^regions\[\d+\]\./, '') ?? null;
  }
}

const listeners = new Set();
/** Called with no argument when any call answers 401: the session is gone and the shell shows sign-in. */
export function onUnauthenticated(fn) { listeners.add(fn); }

export async function api(method, path, body, headers = {}) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json', ...headers } };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, init);
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: text.trim() }; }
  if (!response.ok) {
    if (response.status === 401 && !path.startsWith('/api/v1/auth/')) listeners.forEach(fn => fn());
    throw new ApiError(response.status, data);
  }
  return data;
}

export const get = path => api('GET', path);
export const post = (path, body, headers) => api('POST', path, body, headers);
