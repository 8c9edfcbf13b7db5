// New Sovereign: every field POST /api/v1/deployments takes, with the API's helpers where a person needs them.
// Errors appear beside the field they belong to, in the API's own words ("detail": "field: <name>").
// The Idempotency-Key is fixed for one body: a double click (or a retry after a lost answer) creates one Sovereign.
import { api, ApiError } from './api.js';
import { h, replace, debounce, download } from './ui.js';

const PoolDomains = ['omani.works', 'openova.io'];
const Locations = ['fsn1', 'nbg1', 'hel1', 'ash', 'hil', 'sin'];
const ObjectStorageRegions = ['fsn1', 'nbg1', 'hel1'];

function field(name, label, input, hint) {
  if (!input.id) input.id = `f-${name}`;
  input.name = name;
  const error = h('p', { class: 'field-error', id: `err-${name}`, role: 'alert' });
  const help = hint ? h('p', { class: 'hint', id: `hint-${name}` }, hint) : null;
  input.setAttribute('aria-describedby', [help ? `hint-${name}` : '', `err-${name}`].filter(Boolean).join(' '));
  return h('div', { class: 'field', dataset: { field: name } }, h('label', { for: input.id }, label), input, help, error);
}

const text = (attrs = {}) => h('input', { type: 'text', autocomplete: 'off', spellcheck: false, ...attrs });
const select = (options, value) => h('select', {}, options.map(o => h('option', { value: o, selected: o === value }, o)));

export function wizardView(root) {
  const f = {
    orgName: text({ autocomplete: 'organization', required: true }),
    orgEmail: h('input', { type: 'email', autocomplete: 'email', required: true }),
    poolDomain: text({ list: 'pool-domains', value: PoolDomains[0] }),
    subdomain: text({ placeholder: 'acme', pattern: '[a-z][a-z0-9-]{0,62}' }),
    ownFqdn: text({ placeholder: 'k8s.acme.example' }),
    ownMode: select(['byo', 'byo-api', 'byo-manual'], 'byo'),
    hetznerToken: h('input', { type: 'password', autocomplete: 'off', spellcheck: false }),
    hetznerProjectID: text({ inputmode: 'numeric' }),
    region: select(Locations, 'fsn1'),
    controlPlaneSize: text({ value: 'cx23' }),
    workerSize: text({ value: 'cx33' }),
    workerCount: h('input', { type: 'number', min: '0', max: '50', value: '1' }),
    haEnabled: h('input', { type: 'checkbox' }),
    sshPublicKey: h('textarea', { rows: 2, spellcheck: false, placeholder: 'ssh-ed25519 AAAA… you@laptop' }),
    objectStorageRegion: select(ObjectStorageRegions, 'fsn1'),
    objectStorageAccessKey: text(),
    objectStorageSecretKey: h('input', { type: 'password', autocomplete: 'off' }),
    objectStorageBucket: text({ placeholder: 'derived from the FQDN when empty' }),
  };
  const modePool = h('input', { type: 'radio', name: 'domainMode', id: 'mode-pool', value: 'pool', checked: true });
  const modeOwn = h('input', { type: 'radio', name: 'domainMode', id: 'mode-own', value: 'own' });
  const availability = h('p', { class: 'check', id: 'subdomain-availability', role: 'status', 'aria-live': 'polite' });
  const fqdnPreview = h('p', { class: 'hint', id: 'fqdn-preview' });
  const tokenResult = h('p', { class: 'check', id: 'token-result', role: 'status', 'aria-live': 'polite' });
  const storageResult = h('p', { class: 'check', id: 'storage-result', role: 'status', 'aria-live': 'polite' });
  const keyResult = h('div', { class: 'check', id: 'sshkey-result', role: 'status', 'aria-live': 'polite' });
  const formError = h('div', { class: 'form-error', id: 'form-error', role: 'alert' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'create' }, 'Create Sovereign');

  const poolFields = h('div', { class: 'grid2', id: 'pool-fields' },
    field('sovereignPoolDomain', 'Pool domain', f.poolDomain, 'A domain Catalyst manages; your Sovereign gets a name under it.'),
    field('sovereignSubdomain', 'Subdomain', f.subdomain, 'Lower-case letters, digits and hyphens; starts with a letter.'),
    h('datalist', { id: 'pool-domains' }, PoolDomains.map(d => h('option', { value: d }))));
  const ownFields = h('div', { class: 'grid2', id: 'own-fields', hidden: true },
    field('sovereignFQDN', 'Your domain (FQDN)', f.ownFqdn, 'You publish its DNS yourself, or Catalyst does through your registrar.'),
    field('sovereignDomainMode', 'How DNS is managed', f.ownMode));

  const form = h('form', { class: 'wizard', novalidate: true, onsubmit: create, 'aria-labelledby': 'wizard-title' },
    h('h1', { id: 'wizard-title' }, 'New Sovereign'),
    formError,
    h('fieldset', { class: 'card' }, h('legend', {}, 'Organisation'),
      h('div', { class: 'grid2' },
        field('orgName', 'Organisation name', f.orgName),
        field('orgEmail', 'Admin email', f.orgEmail, 'Becomes the Sovereign\'s first administrator.'))),
    h('fieldset', { class: 'card' }, h('legend', {}, 'Domain'),
      h('div', { class: 'segmented', role: 'radiogroup', 'aria-label': 'Domain' },
        h('label', { for: 'mode-pool' }, modePool, ' A name in a pool domain'),
        h('label', { for: 'mode-own' }, modeOwn, ' My own domain')),
      poolFields, ownFields, availability, fqdnPreview),
    h('fieldset', { class: 'card' }, h('legend', {}, 'Hetzner Cloud'),
      h('div', { class: 'grid2' },
        h('div', {}, field('hetznerToken', 'API token', f.hetznerToken, 'Project → Security → API tokens (read & write).'),
          h('button', { type: 'button', id: 'check-token', onclick: checkToken }, 'Check token'), tokenResult),
        field('hetznerProjectID', 'Project ID', f.hetznerProjectID)),
      h('div', { class: 'grid3' },
        field('region', 'Location', f.region),
        field('controlPlaneSize', 'Control-plane server type', f.controlPlaneSize),
        field('workerSize', 'Worker server type', f.workerSize),
        field('workerCount', 'Workers', f.workerCount),
        h('div', { class: 'field checkbox' }, h('label', { for: 'f-haEnabled' }, Object.assign(f.haEnabled, { id: 'f-haEnabled', name: 'haEnabled' }), ' Highly available control plane (three nodes)')))),
    h('fieldset', { class: 'card' }, h('legend', {}, 'SSH access'),
      field('sshPublicKey', 'SSH public key', f.sshPublicKey, 'For break-glass access to the nodes. Paste yours, or generate a pair here.'),
      h('button', { type: 'button', id: 'generate-key', onclick: generateKey }, 'Generate a key pair'), keyResult),
    h('fieldset', { class: 'card' }, h('legend', {}, 'Object storage (backups)'),
      h('div', { class: 'grid2' },
        field('objectStorageRegion', 'Region', f.objectStorageRegion),
        field('objectStorageBucket', 'Bucket', f.objectStorageBucket),
        field('objectStorageAccessKey', 'Access key', f.objectStorageAccessKey),
        field('objectStorageSecretKey', 'Secret key', f.objectStorageSecretKey)),
      h('button', { type: 'button', id: 'check-storage', onclick: checkStorage }, 'Check object storage'), storageResult),
    h('div', { class: 'row end sticky' }, h('a', { class: 'button', href: '#/' }, 'Cancel'), submit));
  replace(root, form);
  f.orgName.focus();

  // Pool or own domain: only the chosen one's fields are shown and sent.
  const own = () => modeOwn.checked;
  for (const radio of [modePool, modeOwn]) radio.addEventListener('change', () => {
    poolFields.hidden = own();
    ownFields.hidden = !own();
    checkName();
  });

  function fqdn() {
    return own() ? f.ownFqdn.value.trim().toLowerCase() : `${f.subdomain.value.trim().toLowerCase()}.${f.poolDomain.value.trim().toLowerCase()}`;
  }

  // Availability as you type, debounced; an answer for a name no longer in the box is dropped.
  const checkName = debounce(async () => {
    let sub, pool;
    if (own()) {
      const name = f.ownFqdn.value.trim().toLowerCase();
      [sub, pool] = [name.split('.')[0], name.split('.').slice(1).join('.')];
    } else {
      [sub, pool] = [f.subdomain.value.trim().toLowerCase(), f.poolDomain.value.trim().toLowerCase()];
    }
    fqdnPreview.textContent = sub ? `Your Sovereign: ${fqdn()}` : '';
    if (!sub || !pool) { setCheck(availability, '', ''); return; }
    const asked = fqdn();
    setCheck(availability, 'busy', `Checking ${asked}…`);
    try {
      const reply = await api('POST', '/api/v1/subdomains/check', { subdomain: sub, poolDomain: pool });
      if (asked !== fqdn()) return;
      setCheck(availability, reply.available ? 'ok' : 'bad', reply.available ? `${asked} is available` : `${asked} is not available: ${reply.detail ?? reply.reason}`);
    } catch (e) {
      if (asked === fqdn()) setCheck(availability, 'bad', answer(e));
    }
  }, 350);
  for (const input of [f.subdomain, f.poolDomain, f.ownFqdn]) input.addEventListener('input', checkName);

  async function checkToken() {
    setCheck(tokenResult, 'busy', 'Asking Hetzner…');
    try {
      const v = await api('POST', '/api/v1/credentials/validate', { token: f.hetznerToken.value.trim(), provider: 'hetzner' });
      setCheck(tokenResult, v.valid ? 'ok' : 'bad', v.message);
    } catch (e) {
      setCheck(tokenResult, 'bad', answer(e));
    }
  }

  async function checkStorage() {
    setCheck(storageResult, 'busy', 'Listing buckets…');
    try {
      const v = await api('POST', '/api/v1/credentials/object-storage/validate',
        { region: f.objectStorageRegion.value, accessKey: f.objectStorageAccessKey.value.trim(), secretKey: f.objectStorageSecretKey.value.trim() });
      setCheck(storageResult, v.valid ? 'ok' : 'bad', v.message);
    } catch (e) {
      setCheck(storageResult, 'bad', answer(e));
    }
  }

  // The private key is offered once, as a download, and then forgotten: it is never put in storage or in the page.
  async function generateKey() {
    setCheck(keyResult, 'busy', 'Generating…');
    try {
      const name = fqdn().replace(/^\.|\.$/g, '');
      const pair = await api('POST', '/api/v1/sshkey/generate', /^[a-z0-9.-]+\.[a-z0-9-]+$/.test(name) ? { fqdn: name } : {});
      f.sshPublicKey.value = pair.publicKey;
      let privateKey = pair.privateKey;
      pair.privateKey = null; // only the download button's closure holds it, until it is used
      const save = h('button', { type: 'button', class: 'primary', id: 'download-private-key', onclick: () => {
        download(`${name || 'sovereign'}-ed25519`, privateKey, 'application/x-pem-file');
        privateKey = null;
        replace(keyResult, h('span', { class: 'ok' }, `Private key downloaded (${pair.fingerprint}). Catalyst kept no copy.`));
      } }, 'Download the private key');
      replace(keyResult, h('span', { class: 'warn' }, `Key ${pair.fingerprint} generated. Its private half is offered once: `), save);
      keyResult.className = 'check';
    } catch (e) {
      setCheck(keyResult, 'bad', answer(e));
    }
  }

  function body() {
    const b = {
      orgName: f.orgName.value.trim(),
      orgEmail: f.orgEmail.value.trim(),
      sovereignFQDN: fqdn(),
      sovereignDomainMode: own() ? f.ownMode.value : 'pool',
      hetznerToken: f.hetznerToken.value.trim(),
      hetznerProjectID: f.hetznerProjectID.value.trim(),
      region: f.region.value,
      controlPlaneSize: f.controlPlaneSize.value.trim(),
      workerSize: f.workerSize.value.trim(),
      workerCount: Number.parseInt(f.workerCount.value, 10) || 0,
      haEnabled: f.haEnabled.checked,
      sshPublicKey: f.sshPublicKey.value.trim(),
      objectStorageRegion: f.objectStorageRegion.value,
      objectStorageAccessKey: f.objectStorageAccessKey.value.trim(),
      objectStorageSecretKey: f.objectStorageSecretKey.value.trim(),
      objectStorageBucket: f.objectStorageBucket.value.trim(),
    };
    if (!own()) {
      b.sovereignPoolDomain = f.poolDomain.value.trim().toLowerCase();
      b.sovereignSubdomain = f.subdomain.value.trim().toLowerCase();
    }
    return b;
  }

  // One key per body: the same body sent twice is one Sovereign; a corrected body is a new request.
  let key = null;
  let keyedBody = null;
  let inFlight = null;
  async function create(event) {
    event.preventDefault();
    if (inFlight) return inFlight;
    const b = body();
    const json = JSON.stringify(b);
    if (json !== keyedBody) { key = crypto.randomUUID(); keyedBody = json; }
    clearErrors();
    submit.disabled = true;
    submit.textContent = 'Creating…';
    inFlight = (async () => {
      try {
        const created = await api('POST', '/api/v1/deployments', b, { 'Idempotency-Key': key });
        location.hash = `#/deployments/${created.id}`;
      } catch (e) {
        showError(e);
      } finally {
        inFlight = null;
        submit.disabled = false;
        submit.textContent = 'Create Sovereign';
      }
    })();
    return inFlight;
  }

  // The API names a field by its wire name; the form shows the error there (pool FQDN errors belong to the subdomain).
  function showError(e) {
    let name = e instanceof ApiError ? e.field : null;
    if (e instanceof ApiError && e.error === 'subdomain-conflict') name = own() ? 'sovereignFQDN' : 'sovereignSubdomain';
    if (name === 'sovereignFQDN' && !own()) name = 'sovereignSubdomain';
    if (name === 'sovereignDomainMode' && !own()) name = null;
    const box = name && form.querySelector(`[data-field="${CSS.escape(name)}"]`);
    const message = e instanceof ApiError && e.error === 'subdomain-conflict' && e.body?.detail ? `${e.error}: ${e.body.detail}` : answer(e);
    if (box && !box.closest('[hidden]')) {
      box.classList.add('invalid');
      box.querySelector('.field-error').textContent = message;
      box.querySelector('input, select, textarea')?.setAttribute('aria-invalid', 'true');
      box.querySelector('input, select, textarea')?.focus();
    } else {
      formError.textContent = message;
      formError.scrollIntoView({ block: 'center' });
    }
  }

  function clearErrors() {
    formError.textContent = '';
    for (const box of form.querySelectorAll('.field.invalid')) {
      box.classList.remove('invalid');
      box.querySelector('.field-error').textContent = '';
      box.querySelector('[aria-invalid]')?.removeAttribute('aria-invalid');
    }
  }
}

function setCheck(el, kind, message) {
  el.className = `check ${kind}`;
  el.textContent = message;
}

// The helpers answer {valid, message} even with an error status; other errors are {error, detail}.
function answer(e) {
  if (e instanceof ApiError) return e.body?.message ?? e.message;
  return `Catalyst did not answer: ${e.message}`;
}
