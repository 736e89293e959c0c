'use strict';
// The playground's page. It asks its server to check and predict a try
// (POST /api/try), has the runner framed on the chosen page origin run the
// real fetch(), reads back what the API received (GET /api/record/ID), and
// shows the four side by side. Everything is written with textContent:
// nothing from the server or the form is parsed as HTML.

const $ = (id) => document.getElementById(id);

const state = {
  origins: null,
  inForce: null, // {text, format, version}
  runners: {}, // page -> {frame, ready: Promise}
  pending: new Map(), // try id -> resolve
  history: [],
  last: null, // the form of the last try, to send again
};

// ------------------------------------------------------------ helpers

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

async function call(method, path, body) {
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = { error: `the server answered ${response.status} without JSON` };
  }
  return { ok: response.ok, status: response.status, data };
}

const CORS_REQUEST = /^(origin|access-control-request-.*)$/i;
const CORS_RESPONSE = /^(access-control-.*|vary)$/i;
// Headers every browser request carries, shown folded.
const ROUTINE = /^(host|connection|user-agent|accept|accept-encoding|accept-language|referer|sec-.*|pragma|cache-control|priority)$/i;

function headerList(lines, highlight) {
  const list = el('ul', { class: 'headers' });
  if (lines.length === 0) list.append(el('li', { class: 'muted', text: '(no headers)' }));
  for (const [name, value] of lines) {
    list.append(el('li', { class: highlight.test(name) ? 'cors' : '' }, el('b', { text: `${name}: ` }), value));
  }
  return list;
}

function sameSet(a, b) {
  const x = [...new Set(a.map((s) => s.toLowerCase()))].sort();
  const y = [...new Set(b.map((s) => s.toLowerCase()))].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

function jsString(s) {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The fetch() call the page runs, as a developer would write it. */
function fetchCode(plan) {
  const f = plan.fetch;
  const lines = [`// on the page at ${plan.origin}`, `fetch(${jsString(f.url)}, {`];
  if (f.method !== 'GET') lines.push(`  method: ${jsString(f.method)},`);
  if (f.credentials) lines.push(`  credentials: 'include',`);
  if (f.headers.length) {
    lines.push('  headers: {');
    for (const [n, v] of f.headers) lines.push(`    ${jsString(n)}: ${jsString(v)},`);
    lines.push('  },');
  }
  if (f.body === 'form') lines.push(`  body: new URLSearchParams(${jsString(f.body_text)}),`);
  else if (f.body_text !== null) lines.push(`  body: ${jsString(f.body_text)},`);
  lines.push('})');
  return lines.join('\n');
}

// ------------------------------------------------------------ runners

function startRunners() {
  window.addEventListener('message', (event) => {
    const page = Object.keys(state.runners).find((p) => state.runners[p].origin === event.origin);
    if (!page || event.source !== state.runners[page].frame.contentWindow) return;
    const msg = event.data || {};
    if (msg.type === 'ready') state.runners[page].markReady();
    else if (msg.type === 'result' && state.pending.has(msg.id)) {
      state.pending.get(msg.id)(msg);
      state.pending.delete(msg.id);
    }
  });
  for (const [page, origin] of [['main', state.origins.page], ['second', state.origins.second]]) {
    let markReady;
    const ready = new Promise((resolve) => (markReady = resolve));
    const frame = el('iframe', { src: `${origin}/runner.html`, title: `runner on ${origin}`, hidden: '' });
    state.runners[page] = { origin, frame, ready, markReady };
    $('runners').append(frame);
  }
}

function withTimeout(promise, ms, what) {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: no answer within ${ms / 1000} s`)), ms)),
  ]);
}

async function runFetch(plan) {
  const runner = state.runners[plan.page];
  await withTimeout(runner.ready, 10000, `the runner on ${runner.origin}`);
  const result = new Promise((resolve) => state.pending.set(plan.id, resolve));
  runner.frame.contentWindow.postMessage({ type: 'fetch', id: plan.id, ...plan.fetch }, runner.origin);
  return withTimeout(result, 20000, 'the fetch');
}

// ------------------------------------------------------------ policy

function showPolicy(view) {
  state.inForce = view;
  $('policy-text').value = view.text;
  $('policy-format').value = view.format;
  $('policy-version').textContent = `(version ${view.version} in force)`;
}

function policyStatus(kind, title, errors = []) {
  const box = $('policy-status');
  box.replaceChildren(el('p', { text: title }));
  box.className = `status ${kind}`;
  box.dataset.state = kind;
  if (errors.length) {
    const list = el('ul');
    for (const e of errors) list.append(el('li', { text: e }));
    box.append(list);
  }
}

async function applyPolicy() {
  const body = { text: $('policy-text').value, format: $('policy-format').value };
  const r = await call('POST', '/api/policy', body);
  if (r.ok) {
    showPolicy(r.data);
    policyStatus('applied', `Version ${r.data.version} is in force: the API answers under it from the next request.`);
    return true;
  }
  if (r.status === 422) {
    state.inForce = r.data.policy;
    $('policy-version').textContent = `(version ${r.data.policy.version} in force)`;
    policyStatus(
      'refused',
      `Refused, the policy in force is unchanged (version ${r.data.policy.version}). ${r.data.errors.length} problem(s):`,
      r.data.errors,
    );
  } else {
    policyStatus('refused', r.data.error || `the server answered ${r.status}`);
  }
  return false;
}

// ------------------------------------------------------------ the form

const EXAMPLES = {
  simple: { page: 'main', method: 'GET', headers: '', body: 'none', credentials: false },
  put: { page: 'main', method: 'PUT', headers: 'Content-Type: application/json', body: 'json', credentials: true },
  other: { page: 'second', method: 'GET', headers: '', body: 'none', credentials: false },
  header: { page: 'main', method: 'GET', headers: 'X-Custom: 1', body: 'none', credentials: false },
};

function readForm() {
  return {
    page: $('f-page').value,
    method: $('f-method').value,
    headers: $('f-headers').value,
    body: $('f-body').value,
    credentials: $('f-credentials').checked,
  };
}

function fillForm(f) {
  $('f-page').value = f.page;
  $('f-method').value = f.method;
  $('f-headers').value = f.headers;
  $('f-body').value = f.body;
  $('f-credentials').checked = f.credentials;
}

// Choosing a JSON body adds the Content-Type a JSON API expects, as
// developers write it (fetch itself would send text/plain).
function onBodyChange() {
  if ($('f-body').value !== 'json') return;
  const headers = $('f-headers').value;
  if (!/^\s*content-type\s*:/im.test(headers)) {
    $('f-headers').value = `${headers.trim() ? `${headers.trimEnd()}\n` : ''}Content-Type: application/json`;
  }
}

function formErrors(errors) {
  const box = $('form-errors');
  box.replaceChildren();
  for (const id of ['f-method', 'f-headers', 'f-body']) $(id).removeAttribute('aria-invalid');
  for (const e of errors) {
    box.append(el('p', { text: `${e.field ? `${e.field}: ` : ''}${e.message}` }));
    if (e.field) $(`f-${e.field}`)?.setAttribute('aria-invalid', 'true');
  }
}

// ------------------------------------------------------------ a try

async function send(form) {
  const button = $('send');
  button.disabled = true;
  formErrors([]);
  try {
    const planned = await call('POST', '/api/try', form);
    if (!planned.ok) {
      formErrors(planned.data.errors || [{ field: '', message: planned.data.error || `error ${planned.status}` }]);
      return;
    }
    const plan = planned.data;
    const real = await runFetch(plan);
    const record = await call('GET', `/api/record/${plan.id}?credentials=${plan.fetch.credentials ? 1 : 0}`);
    const entry = { form, plan, real, record: record.ok ? record.data : { exchanges: [], readable: [] } };
    state.history.unshift(entry);
    state.last = form;
    render(entry);
    renderHistory();
  } catch (err) {
    formErrors([{ field: '', message: String(err.message || err) }]);
  } finally {
    button.disabled = false;
  }
}

function verdictWord(readable) {
  return readable ? 'readable' : 'blocked';
}

function render(entry) {
  const { plan, real, record } = entry;
  const v = plan.verdict;
  const result = $('result');
  result.hidden = false;
  result.dataset.tryId = String(plan.id);

  // The verdict.
  const box = $('verdict');
  box.className = `verdict ${real.readable ? 'ok' : 'blocked'}`;
  box.dataset.real = verdictWord(real.readable);
  box.dataset.predicted = verdictWord(v.readable);
  box.dataset.agree = String(real.readable === v.readable);
  const what = `${plan.fetch.method} from ${plan.origin}${plan.fetch.credentials ? ' with credentials' : ''}`;
  $('verdict-title').textContent = real.readable
    ? `Readable: the page read the API's response (${what}).`
    : `Blocked: the browser did not let the page read the response (${what}).`;
  $('verdict-agree').textContent =
    real.readable === v.readable
      ? `The browser's real verdict and the prediction (the policy's answers through the browser model) agree: ${verdictWord(real.readable)}.`
      : `The browser's real verdict (${verdictWord(real.readable)}) and the prediction (${verdictWord(v.readable)}) disagree: please report this.`;
  const why = $('verdict-why');
  const fix = $('verdict-fix');
  if (v.readable) {
    why.textContent = plan.steps.length > 1
      ? 'the preflight passed, and the answer carries the CORS headers the browser needs.'
      : 'the answer carries the CORS headers the browser needs.';
    fix.textContent = 'nothing.';
  } else if (v.engine_why) {
    why.textContent = `the policy refused the ${v.stage === 'preflight' ? 'preflight' : 'request'}: ${v.engine_why}`;
    fix.textContent = v.engine_fix;
  } else {
    why.textContent = `the policy allowed the request, but the browser refused the answer: ${v.why}.`;
    fix.textContent = `${v.browser_fix}.`;
  }
  const sug = plan.suggestion;
  $('suggestion').hidden = !sug;
  if (sug) {
    const list = $('suggestion-list');
    list.replaceChildren(...sug.changes.map((c) => el('li', {}, el('code', { text: c }))));
    if (!sug.complete) list.append(el('li', { class: 'muted', text: 'and more that a policy cannot fix (see the explanation below)' }));
    $('suggestion-apply').onclick = async () => {
      $('policy-text').value = sug.policy;
      $('policy-format').value = 'json';
      if (await applyPolicy()) {
        fillForm(entry.form);
        await send(entry.form);
      }
    };
  }

  // What the page got.
  const page = $('page-result');
  page.replaceChildren(el('pre', { class: 'code', text: fetchCode(plan) }));
  if (real.readable) {
    page.append(
      el('p', { class: 'ok-text', text: `fetch() resolved: status ${real.status}, in ${real.ms} ms.` }),
      el('p', { text: 'Response headers the script can read:' }),
      headerList(real.headers, /^$/),
    );
    const names = real.headers.map(([n]) => n);
    const agree = sameSet(names, record.readable);
    page.append(
      el('p', {
        class: agree ? 'muted' : 'warn',
        text: agree
          ? `The browser model names the same ones (${record.readable.join(', ') || 'none'}); the others the API sent are hidden from the script.`
          : `The browser model names ${record.readable.join(', ') || 'none'}: they differ.`,
      }),
      el('p', { text: 'Body:' }),
      el('pre', { class: 'code', text: real.body || '(empty)' }),
    );
  } else {
    page.append(
      el('p', { class: 'bad-text', text: `fetch() rejected with ${real.error} (after ${real.ms} ms).` }),
      el('p', {
        class: 'muted',
        text: 'That is all the script learns: the browser keeps the reason from it, so it cannot tell a CORS refusal from a network failure. The reason is in the console.',
      }),
    );
  }
  page.append(el('h4', { text: 'What the browser does with this request' }), listOf(plan.notes));

  // The console.
  const con = $('console');
  if (v.readable) {
    con.replaceChildren(el('p', { class: 'muted', text: 'Nothing: a readable response prints no CORS error.' }));
  } else {
    con.replaceChildren(
      el('p', { text: 'Chromium (Chrome, Edge):' }),
      v.chromium_message
        ? el('pre', { class: 'console chromium', text: v.chromium_message })
        : el('p', { class: 'muted', text: '(no message predicted)' }),
      el('p', { text: 'Firefox:' }),
      v.firefox_reason
        ? el('pre', { class: 'console firefox', text: `Reason: ${v.firefox_reason}` })
        : el('p', { class: 'muted', text: '(no reason name predicted)' }),
      el('p', {
        class: 'muted',
        text: `A page cannot read its own console; open DevTools (F12) to see the real one. The browser model's reason: ${v.blocked} — ${v.why}.`,
      }),
    );
    if (v.stage === 'preflight' && v.blocked === 'missing_allow_origin' && v.engine_refusal && v.engine_refusal !== 'origin_not_allowed') {
      con.append(
        el('p', {
          class: 'warn',
          text: `The console blames Access-Control-Allow-Origin because a refused preflight gets no CORS header at all, whatever the cause. The policy refused it for another reason (${v.engine_refusal}), explained on the right; with debug mode on, the console names the method or header.`,
        }),
      );
    }
  }

  // The wire.
  const wire = $('wire');
  wire.replaceChildren();
  if (record.exchanges.length === 0) wire.append(el('p', { class: 'warn', text: 'The API received nothing for this try.' }));
  for (const x of record.exchanges) {
    const preflight = x.method === 'OPTIONS' && x.request.some(([n]) => /^access-control-request-method$/i.test(n));
    const shown = x.request.filter(([n]) => !ROUTINE.test(n));
    const routine = x.request.filter(([n]) => ROUTINE.test(n));
    wire.append(
      el('h4', { text: `${preflight ? 'Preflight: ' : ''}${x.method} ${x.target} → ${x.status}` }),
      el('p', { class: 'dir', text: 'received' }),
      headerList(shown, CORS_REQUEST),
    );
    if (routine.length) {
      const more = el('details', {}, el('summary', { text: `and ${routine.length} headers every request carries` }));
      more.append(headerList(routine, /^$/));
      wire.append(more);
    }
    wire.append(el('p', { class: 'dir', text: 'answered' }), headerList(x.response, CORS_RESPONSE));
  }
  const last = plan.steps[plan.steps.length - 1];
  if (last && last.step === 'preflight' && !v.readable) {
    wire.append(el('p', { class: 'muted', text: `The ${plan.fetch.method} itself was never sent: the browser stops at a failed preflight.` }));
  }
  const predicted = plan.steps.length;
  if (record.exchanges.length !== predicted) {
    wire.append(el('p', { class: 'muted', text: `(the prediction has ${predicted} request(s) on the wire)` }));
  }

  // The engine.
  const engine = $('engine');
  engine.replaceChildren();
  plan.steps.forEach((s, i) => {
    engine.append(
      el('h4', { text: `${i + 1}. ${s.step === 'preflight' ? 'The preflight' : 'The request'}: ${s.allowed ? 'allowed' : 'refused'}` }),
      el('pre', { class: 'code', text: s.explanation }),
      el('p', { class: s.browser.startsWith('refused') || s.browser.startsWith('fails') ? 'bad-text' : 'ok-text', text: `Browser: ${s.browser}` }),
    );
  });
  if (plan.debug) engine.append(el('p', { class: 'warn', text: 'Debug mode is on for the API.' }));

  // Copies.
  for (const b of document.querySelectorAll('[data-copy]')) {
    b.onclick = async () => {
      const text = plan.copy[b.dataset.copy];
      const out = $('copy-out');
      out.hidden = false;
      out.textContent = text;
      try {
        await navigator.clipboard.writeText(text);
        b.dataset.copied = 'yes';
      } catch {
        b.dataset.copied = 'shown';
      }
    };
  }
  $('copy-out').hidden = true;
}

function listOf(items) {
  const list = el('ul', { class: 'notes' });
  for (const t of items) list.append(el('li', { text: t }));
  return list;
}

function renderHistory() {
  $('history-card').hidden = state.history.length === 0;
  const body = $('history').tBodies[0];
  body.replaceChildren();
  state.history.forEach((entry) => {
    const { plan, real } = entry;
    const headers = plan.fetch.headers.map(([n]) => n).join(', ');
    const request = `${plan.fetch.method}${headers ? ` + ${headers}` : ''}${plan.fetch.credentials ? ', credentials' : ''}`;
    const row = el(
      'tr',
      { tabindex: '0', class: real.readable ? 'ok' : 'blocked' },
      el('td', { text: String(plan.id) }),
      el('td', { text: plan.origin }),
      el('td', { text: request }),
      el('td', { text: `v${plan.policy_version}${plan.debug ? ' debug' : ''}` }),
      el('td', { text: verdictWord(real.readable) }),
      el('td', { text: real.readable === plan.verdict.readable ? 'agrees' : 'DISAGREES' }),
    );
    const show = () => {
      fillForm(entry.form);
      render(entry);
      $('result').scrollIntoView({ behavior: 'smooth' });
    };
    row.addEventListener('click', show);
    row.addEventListener('keydown', (e) => e.key === 'Enter' && show());
    body.append(row);
  });
}

// ------------------------------------------------------------ start

async function start() {
  const r = await call('GET', '/api/state');
  if (!r.ok) {
    policyStatus('refused', r.data.error || 'cannot read the playground state');
    return;
  }
  state.origins = r.data.origins;
  $('origin-page').textContent = state.origins.page;
  $('origin-api').textContent = state.origins.api;
  $('origin-second').textContent = state.origins.second;
  for (const o of $('f-page').options) {
    o.textContent = o.value === 'main' ? `this page, ${state.origins.page}` : `the second page origin, ${state.origins.second}`;
  }
  showPolicy(r.data.policy);
  $('debug').checked = r.data.debug;
  startRunners();

  $('try-form').addEventListener('submit', (e) => {
    e.preventDefault();
    send(readForm());
  });
  $('f-body').addEventListener('change', onBodyChange);
  for (const b of document.querySelectorAll('[data-example]')) {
    b.addEventListener('click', () => fillForm(EXAMPLES[b.dataset.example]));
  }
  $('policy-apply').addEventListener('click', applyPolicy);
  $('policy-revert').addEventListener('click', () => {
    showPolicy(state.inForce);
    policyStatus('applied', `Back to version ${state.inForce.version}, the policy in force.`);
  });
  $('debug').addEventListener('change', async () => {
    const d = await call('POST', '/api/debug', { on: $('debug').checked });
    if (d.ok) $('debug').checked = d.data.debug;
  });
  document.body.dataset.ready = 'true';
}

start();
