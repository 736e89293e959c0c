#!/usr/bin/env node
// The console-message suite (issue 18): for each misconfigured answer in
// e2e/console-messages.json, a page on one loopback origin calls a server
// on another that answers exactly as the case says, in headless Chromium,
// and the suite captures the message Chromium prints in the console. Then:
//
//   1. the captured message must equal the case's `chromium.message` in the
//      fixture (with `{url}` and `{origin}` for this run's URL and page
//      origin), so the fixture the Rust tests read cannot go stale;
//   2. `cors-policy probe` against the same server, from the same origin,
//      must print that message on its `chromium:` line (or print none when
//      Chromium prints none), so probe's wording cannot drift;
//   3. `cors-policy why '<message>'` must recognise it (exit 0) and name the
//      case's check.
//
//   node e2e/messages.mjs [--bin-dir DIR] [--chromium PATH] [--write-fixture]
//
// --write-fixture records what Chromium printed into the fixture instead of
// comparing (to refresh it after a Chromium update; review the diff). Prints
// one line per case and, last, `N passed, M failed`; exits 1 if any failed.

import { createServer } from 'node:http';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { Browser } from './lib/chromium.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');
const FIXTURE = join(HERE, 'console-messages.json');

function parseArgs(argv) {
  const o = {
    binDir: process.env.E2E_BIN_DIR || join(process.env.CARGO_TARGET_DIR || join(REPO, 'target'), 'debug'),
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
    write: false,
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--bin-dir') o.binDir = val();
    else if (a === '--chromium') o.chromium = val();
    else if (a === '--write-fixture') o.write = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const owned = { browser: null, servers: [] };

async function cleanup() {
  const all = [];
  if (owned.browser) all.push(owned.browser.close().catch(() => {}));
  for (const s of owned.servers) {
    all.push(new Promise((r) => s.close(() => r())));
    if (s.closeAllConnections) s.closeAllConnections();
  }
  await Promise.all(all);
  owned.browser = null;
  owned.servers = [];
  if (process.env.E2E_PIDFILE) writeFileSync(process.env.E2E_PIDFILE, '');
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`messages: ${sig}, stopping everything`);
    cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });
}

function listen(handler) {
  return new Promise((resolveListen, reject) => {
    const srv = createServer(handler);
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      owned.servers.push(srv);
      resolveListen(`http://127.0.0.1:${srv.address().port}`);
    });
  });
}

/** The server of the cases: `/c/<id>` answers as case <id> says. */
function caseServer(cases, pageOrigin) {
  const byId = new Map(cases.map((c) => [c.id, c]));
  return listen((req, res) => {
    const id = (req.url.split('?')[0].match(/^\/c\/([a-z0-9-]+)$/) || [])[1];
    const c = byId.get(id);
    const isPreflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    const answer = c && (isPreflight ? c.preflight : c.actual);
    req.resume();
    if (!answer) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such case');
      return;
    }
    // Several lines of one name stay several lines (an array value).
    const headers = {};
    for (const [n, v] of answer.headers) {
      const value = v.replaceAll('{origin}', pageOrigin);
      const k = n.toLowerCase();
      headers[k] = headers[k] === undefined ? value : [].concat(headers[k], value);
    }
    res.writeHead(answer.status, { ...headers, 'content-type': 'text/plain', 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : 'case body');
  });
}

const PAGE = '<!doctype html><html><head><meta charset="utf-8"><title>console messages</title></head><body></body></html>';

/** `{url}` and `{origin}` in `template` replaced. */
function fill(template, url, origin) {
  return template.replaceAll('{url}', url).replaceAll('{origin}', origin);
}

/** The inverse of fill, for writing the fixture. */
function unfill(message, url, origin) {
  return message.replaceAll(url, '{url}').replaceAll(origin, '{origin}');
}

/**
 * Runs the tool without blocking the event loop (the case server answering
 * it lives in this process); resolves to {status, stdout, stderr}.
 */
function runTool(cli, args) {
  return new Promise((resolveRun) => {
    const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolveRun({ status: null, stdout, stderr: String(err) });
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolveRun({ status, stdout, stderr });
    });
  });
}

function probeArgs(c, url, origin) {
  const args = ['probe', url, '--origin', origin, '--method', c.request.method];
  for (const [n, v] of c.request.headers) args.push('-H', `${n}: ${v}`);
  if (c.request.credentials) args.push('--credentials');
  return args;
}

async function main() {
  const o = parseArgs(process.argv);
  const started = Date.now();
  const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8'));
  const cases = fixture.cases;
  const cli = join(o.binDir, 'cors-policy');
  if (!existsSync(cli)) throw new Error(`no binary at ${cli} (cargo build -p cors-policy-cli)`);

  const pageOrigin = await listen((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(PAGE);
  });
  const api = await caseServer(cases, pageOrigin);
  const browser = await Browser.launch(o.chromium, join(tmpdir(), `cors-messages-chromium-${process.pid}.log`));
  owned.browser = browser;
  console.log(`browser: ${browser.version}; page ${pageOrigin}, server ${api}`);
  const page = await browser.open(`${pageOrigin}/`);
  // Console messages Chromium writes itself (not console.log of the page).
  const console_ = [];
  browser.onEvent((m) => {
    if (m.sessionId === page.sessionId && m.method === 'Log.entryAdded') console_.push(m.params.entry);
  });
  await browser.send('Log.enable', {}, page.sessionId);

  const results = [];
  for (const c of cases) {
    const url = `${api}/c/${c.id}`;
    const before = console_.length;
    const init = { method: c.request.method, credentials: c.request.credentials ? 'include' : 'omit', headers: Object.fromEntries(c.request.headers) };
    const outcome = await page.evaluate(`fetch(${JSON.stringify(url)}, ${JSON.stringify(init)}).then((r) => 'readable ' + r.status, (e) => String(e))`);
    // The console message arrives with or just after the rejection.
    await new Promise((r) => setTimeout(r, 150));
    const seen = console_.slice(before).filter((e) => e.source === 'javascript' && e.category === 'cors' && e.text.includes(url));
    const corsMessages = seen.map((e) => e.text);
    const captured = corsMessages.length ? unfill(corsMessages[0], url, pageOrigin) : null;
    const problems = [];
    if (corsMessages.length > 1) problems.push(`Chromium printed ${corsMessages.length} CORS messages: ${JSON.stringify(corsMessages)}`);
    if (captured === null && !outcome.startsWith('readable')) problems.push(`fetch failed (${outcome}) without a CORS console message`);
    if (o.write) {
      c.chromium = captured === null ? null : { message: captured };
    } else {
      const want = c.chromium ? c.chromium.message : null;
      if (captured !== want) problems.push(`Chromium printed ${JSON.stringify(captured)}, the fixture says ${JSON.stringify(want)}`);
    }
    // probe: the same request against the same server.
    const p = await runTool(cli, probeArgs(c, url, pageOrigin));
    const lines = (p.stdout || '').split('\n');
    const said = lines.filter((l) => l.trimStart().startsWith('chromium: ')).map((l) => l.trimStart().slice('chromium: '.length));
    const expected = captured === null ? null : fill(captured, url, pageOrigin);
    if (expected === null) {
      if (said.length) problems.push(`probe printed a Chromium message ${JSON.stringify(said)} where Chromium printed none`);
    } else {
      if (p.status !== 1) problems.push(`probe exited ${p.status}, expected 1 (blocked)`);
      if (!said.includes(expected)) problems.push(`probe printed ${JSON.stringify(said)}, Chromium printed ${JSON.stringify(expected)}`);
      // why: the same message, recognised.
      const w = await runTool(cli, ['why', expected]);
      if (w.status !== 0) problems.push(`why exited ${w.status} on it: ${(w.stdout + w.stderr).trim().split('\n')[0]}`);
    }
    results.push({ c, outcome, captured, problems, probe: p });
  }

  let passed = 0;
  for (const r of results) {
    const ok = r.problems.length === 0;
    if (ok) passed++;
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${r.c.id}: ${r.captured === null ? `no CORS message (${r.outcome})` : r.captured}`);
    for (const p of r.problems) console.log(`       - ${p}`);
    if (!ok && r.probe.stdout) console.log(r.probe.stdout.split('\n').map((l) => `       | ${l}`).join('\n'));
  }
  await cleanup();
  if (o.write) {
    fixture.chromium_version = browser.version.replace(/^[^/]*\//, '');
    writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`wrote ${FIXTURE}`);
  }
  console.log(`console-message suite took ${((Date.now() - started) / 1000).toFixed(1)} s (${cases.length} cases)`);
  console.log(`${passed} passed, ${results.length - passed} failed`);
  process.exit(passed === results.length ? 0 : 1);
}

main().catch((err) => {
  console.error(`messages: ${err.stack || err.message}`);
  cleanup().finally(() => {
    console.log('0 passed, 1 failed');
    process.exit(1);
  });
});
