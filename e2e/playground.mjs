#!/usr/bin/env node
// The playground in headless Chromium (issue 19): starts `cors-policy
// playground --listen 127.0.0.1:0`, opens its page, and goes through the
// form as a user would (typing into the fields, clicking the checkboxes and
// buttons; the <select>s are set by script, since a headless browser draws
// no drop-down). For each case it checks that:
//
//   1. the page shows the browser's real verdict: the verdict it displays
//      (readable or blocked) is what Chromium reported over the DevTools
//      protocol (Network.loadingFailed for the try's URL, or not);
//   2. the page's prediction (the engine's answers through the browser
//      model) agrees with that verdict, and the page says so;
//   3. for a blocked try, the console message the page predicts is the one
//      Chromium really printed (Log.entryAdded, category cors); for a
//      readable one, Chromium printed none and the page predicts none;
//   4. the wire record the page shows has as many exchanges as the API's
//      own log lines for the try's path and as Chromium sent requests
//      (its preflights counted over DevTools).
//
// Plus: a policy edit that is refused shows its problems and leaves the
// policy in force (the next try behaves as before), an invalid header name
// is refused in the page with the server still answering, and the
// suggested change applied from the page makes the blocked request pass.
// Screenshots of two states go to the artefacts directory.
//
//   node e2e/playground.mjs [--bin-dir DIR] [--chromium PATH] [--artifacts DIR]
//                           [--listen 127.0.0.1:PORT]
//
// --listen (default 127.0.0.1:0, any free ports) is for pictures with the
// default ports: docs/playground.png was made with --listen 127.0.0.1:8700.
// Prints one line per case and, last, `N passed, M failed`; exits 1 if any
// failed.

import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser } from './lib/chromium.mjs';
import { Server } from './lib/server.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');

function parseArgs(argv) {
  const target = process.env.CARGO_TARGET_DIR || join(REPO, 'target');
  const o = {
    binDir: process.env.E2E_BIN_DIR || join(target, 'debug'),
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
    artifacts: process.env.E2E_ARTIFACTS || join(target, 'e2e-artifacts'),
    timeoutMs: Number(process.env.E2E_TIMEOUT_MS || 180000),
    listen: '127.0.0.1:0',
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--bin-dir') o.binDir = val();
    else if (a === '--chromium') o.chromium = val();
    else if (a === '--artifacts') o.artifacts = val();
    else if (a === '--listen') o.listen = val();
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const owned = { browser: null, server: null };

async function cleanup() {
  const all = [];
  if (owned.browser) all.push(owned.browser.close().catch(() => {}));
  if (owned.server) all.push(owned.server.stop().catch(() => {}));
  await Promise.all(all);
  owned.browser = null;
  owned.server = null;
  if (process.env.E2E_PIDFILE) writeFileSync(process.env.E2E_PIDFILE, '');
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`playground: ${sig}, stopping everything`);
    cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** The page, driven as a user would. */
class Driver {
  constructor(browser, page) {
    this.browser = browser;
    this.page = page;
    /** Chromium's own console entries (Log.entryAdded) */
    this.console = [];
    /** the page's own uncaught errors (a broken page fails the case that shows it) */
    this.errors = [];
    browser.onEvent((m) => {
      if (m.sessionId !== page.sessionId) return;
      if (m.method === 'Log.entryAdded') this.console.push(m.params.entry);
      if (m.method === 'Runtime.exceptionThrown') {
        const d = m.params.exceptionDetails;
        this.errors.push((d.exception && d.exception.description) || d.text);
      }
    });
  }

  send(method, params) {
    return this.browser.send(method, params, this.page.sessionId);
  }

  eval(expr) {
    return this.page.evaluate(expr);
  }

  async waitFor(expr, what, timeoutMs = 15000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await this.eval(expr);
      if (v) return v;
      if (Date.now() > deadline) {
        const shown = await this.eval(`document.getElementById('form-errors').textContent`);
        throw new Error(`timed out waiting for ${what}${shown ? `; the page says: ${shown}` : ''}${this.errors.length ? `; page errors: ${this.errors.join(' | ')}` : ''}`);
      }
      await sleep(50);
    }
  }

  /** A real mouse click in the middle of the element. */
  async click(selector) {
    const box = await this.eval(`(() => {
      const e = document.querySelector(${JSON.stringify(selector)});
      if (!e) return null;
      e.scrollIntoView({ block: 'center' });
      const r = e.getBoundingClientRect();
      return { x: r.left + r.width / 2, y: r.top + r.height / 2 };
    })()`);
    if (!box) throw new Error(`no element ${selector}`);
    for (const type of ['mouseMoved', 'mousePressed', 'mouseReleased']) {
      await this.send('Input.dispatchMouseEvent', { type, x: box.x, y: box.y, button: 'left', clickCount: 1 });
    }
  }

  /** Replaces a text field's content by typing `text` into it. */
  async type(selector, text) {
    await this.click(selector);
    await this.eval(`document.querySelector(${JSON.stringify(selector)}).select()`);
    await this.send('Input.dispatchKeyEvent', { type: 'keyDown', key: 'Delete', code: 'Delete', windowsVirtualKeyCode: 46 });
    await this.send('Input.dispatchKeyEvent', { type: 'keyUp', key: 'Delete', code: 'Delete', windowsVirtualKeyCode: 46 });
    if (text) await this.send('Input.insertText', { text });
    const now = await this.eval(`document.querySelector(${JSON.stringify(selector)}).value`);
    if (now !== text) throw new Error(`typing into ${selector}: it holds ${JSON.stringify(now)}`);
  }

  async select(selector, value) {
    await this.eval(`(() => {
      const s = document.querySelector(${JSON.stringify(selector)});
      s.value = ${JSON.stringify(value)};
      s.dispatchEvent(new Event('change', { bubbles: true }));
    })()`);
  }

  async check(selector, on) {
    const now = await this.eval(`document.querySelector(${JSON.stringify(selector)}).checked`);
    if (now !== on) await this.click(selector);
    const after = await this.eval(`document.querySelector(${JSON.stringify(selector)}).checked`);
    if (after !== on) throw new Error(`clicking ${selector} did not ${on ? 'check' : 'uncheck'} it`);
  }

  async fill(form) {
    await this.select('#f-page', form.page);
    await this.type('#f-method', form.method);
    await this.select('#f-body', form.body);
    await this.type('#f-headers', form.headers);
    await this.check('#f-credentials', form.credentials);
  }

  /** Clicks `selector` and waits for the result of a new try; returns what the page shows. */
  async sendTry(selector = '#send') {
    const before = await this.eval(`document.getElementById('result').dataset.tryId || ''`);
    await this.click(selector);
    await this.waitFor(
      `(() => { const id = document.getElementById('result').dataset.tryId || ''; return id !== ${JSON.stringify(before)} && !document.getElementById('send').disabled; })()`,
      'the try to be shown',
      30000,
    );
    return this.shown();
  }

  shown() {
    return this.eval(`(() => {
      const v = document.getElementById('verdict');
      const text = (sel) => { const e = document.querySelector(sel); return e ? e.textContent : null; };
      return {
        id: Number(document.getElementById('result').dataset.tryId),
        real: v.dataset.real,
        predicted: v.dataset.predicted,
        agree: v.dataset.agree,
        title: text('#verdict-title'),
        agreeText: text('#verdict-agree'),
        why: text('#verdict-why'),
        fix: text('#verdict-fix'),
        chromium: text('#console pre.chromium'),
        firefox: text('#console pre.firefox'),
        pageResult: text('#page-result'),
        wire: document.querySelectorAll('#wire h4').length,
        engine: text('#engine'),
        suggestion: document.getElementById('suggestion').hidden ? null : [...document.querySelectorAll('#suggestion-list li')].map((l) => l.textContent),
      };
    })()`);
  }

  /** A PNG of the page from the top down to the bottom of `until`. */
  async screenshot(path, until) {
    const size = await this.eval(`(() => {
      const e = document.querySelector(${JSON.stringify(until)});
      return { w: document.documentElement.scrollWidth, h: Math.ceil(e.getBoundingClientRect().bottom + window.scrollY + 8) };
    })()`);
    const clip = { x: 0, y: 0, width: size.w, height: size.h, scale: 1 };
    const { data } = await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true, clip });
    writeFileSync(path, Buffer.from(data, 'base64'));
  }
}

/** What Chromium itself says about the try at `url`. */
function chromiumTruth(driver, url) {
  const failures = driver.page.failures.filter((f) => f.url === url && !f.preflight);
  const preflights = driver.page.preflights.filter((p) => p.url === url);
  const messages = driver.console
    .filter((e) => e.category === 'cors' && e.text.includes(url))
    .map((e) => e.text);
  return { blocked: failures.length > 0, corsError: failures.map((f) => f.corsError).join(','), preflights: preflights.length, messages };
}

async function main() {
  const o = parseArgs(process.argv);
  const started = Date.now();
  const watchdog = setTimeout(() => {
    console.error(`playground: still running after ${o.timeoutMs} ms, giving up`);
    console.log('0 passed, 1 failed');
    cleanup().finally(() => process.exit(1));
  }, o.timeoutMs);
  const cli = join(o.binDir, 'cors-policy');
  if (!existsSync(cli)) throw new Error(`no binary at ${cli} (cargo build -p cors-policy-cli)`);
  mkdirSync(o.artifacts, { recursive: true });

  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CORS_')) env[k] = v;
  const server = Server.spawn('playground', cli, ['playground', '--listen', o.listen], env);
  owned.server = server;
  await server.ready();
  const pageUrl = `${server.origin}/`;

  const browser = await Browser.launch(o.chromium, join(tmpdir(), `cors-playground-chromium-${process.pid}.log`));
  owned.browser = browser;
  const page = await browser.open('about:blank');
  const driver = new Driver(browser, page);
  await driver.send('Log.enable', {});
  await driver.send('Emulation.setDeviceMetricsOverride', { width: 1280, height: 900, deviceScaleFactor: 1, mobile: false });
  await driver.send('Page.navigate', { url: pageUrl });
  await driver.waitFor(`document.body && document.body.dataset.ready === 'true'`, 'the page to start');
  const origins = await driver.eval(`fetch('/api/state').then((r) => r.json()).then((s) => s.origins)`);
  console.log(`browser: ${browser.version}; page ${origins.page}, API ${origins.api}, second page ${origins.second}`);

  const results = [];
  const record = (id, problems, detail) => {
    results.push({ id, problems });
    console.log(`${problems.length ? 'FAIL' : 'ok  '} ${id}: ${detail}`);
    for (const p of problems) console.log(`       - ${p}`);
  };

  /**
   * Fills the form, sends, and checks the page against Chromium. `want`:
   * {readable, message (the end of Chromium's message, or null)}.
   */
  async function tryCase(id, form, want, extra = () => []) {
    const problems = [];
    let shown = null;
    try {
      await driver.fill(form);
      shown = await driver.sendTry();
      const url = `${origins.api}/try/${shown.id}`;
      const path = `/try/${shown.id}`;
      // Chromium's console message arrives with or just after the rejection.
      await sleep(200);
      const truth = chromiumTruth(driver, url);
      const lines = await server.waitForLines(path, (ls) => ls.length >= shown.wire, 3000, 50);
      const realWord = truth.blocked ? 'blocked' : 'readable';
      if (shown.real !== realWord) problems.push(`the page shows ${shown.real}, Chromium says ${realWord} (${truth.corsError || 'no failure'})`);
      if (shown.agree !== 'true' || shown.predicted !== shown.real) problems.push(`the page's prediction ${shown.predicted} does not agree with its verdict ${shown.real}`);
      const wantWord = want.readable ? 'readable' : 'blocked';
      if (realWord !== wantWord) problems.push(`Chromium: ${realWord}, expected ${wantWord}`);
      if (truth.messages.length > 1) problems.push(`Chromium printed ${truth.messages.length} CORS messages: ${JSON.stringify(truth.messages)}`);
      const printed = truth.messages[0] || null;
      if (printed !== shown.chromium) problems.push(`Chromium printed ${JSON.stringify(printed)}, the page predicts ${JSON.stringify(shown.chromium)}`);
      if (want.message === null && printed !== null) problems.push(`expected no CORS message, Chromium printed ${JSON.stringify(printed)}`);
      if (want.message && !(printed || '').endsWith(want.message)) problems.push(`Chromium's message does not end with ${JSON.stringify(want.message)}`);
      if (!want.readable && !shown.firefox) problems.push('the page predicts no Firefox reason');
      if (lines.length !== shown.wire) problems.push(`the page shows ${shown.wire} exchange(s) on the wire, the API logged ${lines.length}`);
      const sent = truth.preflights + (want.reached === false ? 0 : 1);
      if (shown.wire !== sent) problems.push(`the page shows ${shown.wire} exchange(s), Chromium sent ${truth.preflights} preflight(s) and ${sent - truth.preflights} request(s)`);
      problems.push(...extra(shown, truth));
      record(id, problems, `${form.method} from ${form.page}${form.credentials ? ' with credentials' : ''}: ${realWord}${printed ? ` — ${printed.replace(/^.*CORS policy: /, '')}` : ''}`);
    } catch (err) {
      record(id, [`driver error: ${err.message}`], 'did not finish');
    }
    return shown;
  }

  async function applyPolicy(text) {
    await driver.type('#policy-text', text);
    // Cleared first, so the wait below sees this edit's status.
    await driver.eval(`document.getElementById('policy-status').dataset.state = ''`);
    await driver.click('#policy-apply');
    await driver.waitFor(`(document.getElementById('policy-status').dataset.state || '') !== ''`, 'the policy status');
    return driver.eval(`({ state: document.getElementById('policy-status').dataset.state, text: document.getElementById('policy-status').textContent })`);
  }

  const NO_ACAO = "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
  const simple = { page: 'main', method: 'GET', headers: '', body: 'none', credentials: false };

  await tryCase('allowed-simple-get', simple, { readable: true, message: null }, (s) =>
    s.pageResult.includes('x-request-id') ? [] : ['the page does not list x-request-id as readable'],
  );
  await tryCase('refused-origin', { ...simple, page: 'second' }, { readable: false, message: NO_ACAO }, (s) =>
    s.why.includes('matches no entry of allowed_origins') ? [] : [`the page's why does not name allowed_origins: ${s.why}`],
  );
  await tryCase(
    'preflight-refused-for-a-header',
    { ...simple, headers: 'X-Custom: 1' },
    { readable: false, reached: false, message: `Response to preflight request doesn't pass access control check: ${NO_ACAO}` },
    (s) => (s.fix.includes('add "x-custom" to allowed_headers') ? [] : [`the page's fix does not name the header: ${s.fix}`]),
  );
  await driver.check('#debug', true);
  await driver.waitFor(`fetch('/api/state').then((r) => r.json()).then((s) => s.debug)`, 'debug mode on');
  await tryCase(
    'preflight-refused-for-a-header-debug-mode',
    { ...simple, headers: 'X-Custom: 1' },
    { readable: false, reached: false, message: 'Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response.' },
  );
  await driver.check('#debug', false);
  await driver.waitFor(`fetch('/api/state').then((r) => r.json()).then((s) => !s.debug)`, 'debug mode off');
  await tryCase(
    'credentials-allowed-origin-without-allow-credentials',
    { ...simple, credentials: true },
    {
      readable: false,
      message: "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.",
    },
  );

  // The newcomer's question: a credentialed PUT with JSON from the page.
  const put = { page: 'main', method: 'PUT', headers: 'Content-Type: application/json', body: 'json', credentials: true };
  const blocked = await tryCase('credentialed-put-json-blocked', put, { readable: false, reached: false, message: `Response to preflight request doesn't pass access control check: ${NO_ACAO}` }, (s) => {
    const p = [];
    const want = ['allowed_methods: add "PUT"', 'allowed_headers: add "content-type"', 'allow_credentials: true'];
    if (JSON.stringify(s.suggestion) !== JSON.stringify(want)) p.push(`the suggested changes are ${JSON.stringify(s.suggestion)}, expected ${JSON.stringify(want)}`);
    if (!s.why.includes('"PUT"') || !s.fix.includes('allowed_methods')) p.push(`why/fix do not name PUT and allowed_methods: ${s.why} / ${s.fix}`);
    return p;
  });
  if (blocked) await driver.screenshot(join(o.artifacts, 'playground-blocked.png'), '#result .grid');
  // Apply the suggestion from the page: the same request now passes.
  {
    const problems = [];
    try {
      const shown = await driver.sendTry('#suggestion-apply');
      if (shown.real !== 'readable' || shown.agree !== 'true') problems.push(`after the suggested change: ${shown.real}, agree ${shown.agree}`);
      const version = await driver.eval(`fetch('/api/state').then((r) => r.json()).then((s) => s.policy.version)`);
      if (version !== 2) problems.push(`policy version ${version} after applying the suggestion, expected 2`);
      record('suggested-change-applied', problems, `PUT with credentials after the change: ${shown.real}`);
    } catch (err) {
      record('suggested-change-applied', [`driver error: ${err.message}`], 'did not finish');
    }
  }
  await tryCase('credentials-allowed-origin', { ...simple, credentials: true }, { readable: true, message: null });
  await tryCase('credentials-origin-not-allowed', { ...simple, page: 'second', credentials: true }, { readable: false, message: NO_ACAO });

  {
    const st = await applyPolicy('{"allowed_origins": "*", "expose_headers": ["x-request-id"]}');
    const problems = st.state === 'applied' ? [] : [`the * policy was not applied: ${st.text}`];
    record('policy-edit-applied', problems, st.text.trim());
  }
  await tryCase('credentials-wildcard-origin', { ...simple, credentials: true }, {
    readable: false,
    message: "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
  });

  // A refused edit: the problems shown, the policy in force kept.
  {
    const problems = [];
    const before = await driver.eval(`fetch('/api/state').then((r) => r.json()).then((s) => s.policy)`);
    const st = await applyPolicy('{"allowed_origins": "*", "allow_credentials": true, "allowed_methods": ["GET", "TRACE"]}');
    if (st.state !== 'refused') problems.push(`the invalid policy was not refused: ${st.text}`);
    if (!/unchanged/.test(st.text)) problems.push(`the page does not say the policy in force is unchanged: ${st.text}`);
    if (!/credentials/i.test(st.text) || !/TRACE/.test(st.text)) problems.push(`the page does not list both problems: ${st.text}`);
    const after = await driver.eval(`fetch('/api/state').then((r) => r.json()).then((s) => s.policy)`);
    if (after.version !== before.version || after.text !== before.text) problems.push('the policy in force changed');
    await driver.screenshot(join(o.artifacts, 'playground-refused-policy.png'), '#verdict');
    record('policy-edit-refused', problems, st.text.replace(/\s+/g, ' ').slice(0, 160));
  }
  // The old policy still answers: * without credentials.
  await tryCase('old-policy-kept', { ...simple, page: 'second' }, { readable: true, message: null });

  // Bad input: a clear error in the page, and the server still answers.
  {
    const problems = [];
    try {
      await driver.fill({ ...simple, headers: 'Bad Name: 1' });
      await driver.click('#send');
      await driver.waitFor(`document.getElementById('form-errors').textContent.length > 0`, 'the form error');
      const text = await driver.eval(`document.getElementById('form-errors').textContent`);
      if (!text.includes('is not a header name')) problems.push(`the form error does not say what is wrong: ${text}`);
      const invalid = await driver.eval(`document.getElementById('f-headers').getAttribute('aria-invalid')`);
      if (invalid !== 'true') problems.push('the headers field is not marked invalid');
      const shown = await tryCase('after-bad-input', simple, { readable: true, message: null });
      if (!shown) problems.push('the next try did not run');
      if (server.exit !== undefined) problems.push(`the server exited: ${JSON.stringify(server.exit)}`);
      record('invalid-header-name', problems, text.trim());
    } catch (err) {
      record('invalid-header-name', [`driver error: ${err.message}`], 'did not finish');
    }
  }

  await cleanup();
  clearTimeout(watchdog);
  const failed = results.filter((r) => r.problems.length).length;
  console.log(`screenshots: ${join(o.artifacts, 'playground-blocked.png')}, ${join(o.artifacts, 'playground-refused-policy.png')}`);
  console.log(`playground suite took ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch(async (err) => {
  console.error(`playground: ${err.stack || err.message}`);
  await cleanup();
  console.log('0 passed, 1 failed');
  process.exit(1);
});
