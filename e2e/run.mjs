#!/usr/bin/env node
// The browser end-to-end suite (issue 7): a page served from one loopback
// origin calls the APIs of `cors-policy serve`, the axum example and the
// actix-web example on other loopback origins, in headless Chromium, and each
// case asserts what Chromium did against what docs/behaviour.md implies.
//
//   node e2e/run.mjs [--only cli,axum,actix] [--bin-dir DIR] [--chromium PATH]
//                    [--require-all] [--report FILE] [--self-check]
//
// Servers are prebuilt binaries (see .ci/browser.sh), looked up in --bin-dir
// (default: $CARGO_TARGET_DIR or <repo>/target, then debug/). A server whose
// binary is missing has its cases counted as skipped (failed with
// --require-all), never as passed. Prints one line per case and, last,
// `N passed, M failed[, K skipped]`; exits 1 if any case failed.

import { createServer } from 'node:http';
import { readFileSync, writeFileSync, mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Browser } from './lib/chromium.mjs';
import { Server } from './lib/server.mjs';
import { CASES, MAX_AGE_WAIT_MS, wireMethod } from './lib/cases.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, '..');

// ---------------------------------------------------------------- arguments

function parseArgs(argv) {
  const o = {
    only: null,
    binDir: process.env.E2E_BIN_DIR || join(process.env.CARGO_TARGET_DIR || join(REPO, 'target'), 'debug'),
    chromium: process.env.CHROMIUM || '/usr/bin/chromium',
    requireAll: process.env.E2E_REQUIRE_ALL === '1',
    report: null,
    selfCheck: false,
    timeoutMs: Number(process.env.E2E_TIMEOUT_MS || 240000),
  };
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--only') o.only = val().split(',');
    else if (a === '--bin-dir') o.binDir = val();
    else if (a === '--chromium') o.chromium = val();
    else if (a === '--require-all') o.requireAll = true;
    else if (a === '--report') o.report = val();
    else if (a === '--self-check') o.selfCheck = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

// ---------------------------------------------------------------- processes we own

const owned = { servers: [], pages: [], browser: null, tmp: [] };

async function cleanup() {
  const all = [];
  if (owned.browser) all.push(owned.browser.close().catch(() => {}));
  for (const s of owned.servers) all.push(s.stop().catch(() => {}));
  for (const p of owned.pages) {
    all.push(new Promise((r) => p.close(() => r())));
    if (p.closeAllConnections) p.closeAllConnections();
  }
  await Promise.all(all);
  owned.browser = null;
  owned.servers = [];
  owned.pages = [];
  for (const d of owned.tmp) rmSync(d, { recursive: true, force: true });
  owned.tmp = [];
  // All ended: nothing is left for the calling script's trap to end.
  if (process.env.E2E_PIDFILE) writeFileSync(process.env.E2E_PIDFILE, '');
}

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    console.error(`e2e: ${sig}, stopping everything`);
    cleanup().finally(() => process.exit(sig === 'SIGINT' ? 130 : 143));
  });
}

// ---------------------------------------------------------------- the page origins

const PAGE = readFileSync(join(HERE, 'page', 'index.html'));

function startPageServer() {
  return new Promise((resolveStart, reject) => {
    const srv = createServer((req, res) => {
      if (req.url === '/' || req.url === '/index.html') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(PAGE);
      } else {
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('not found');
      }
    });
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      owned.pages.push(srv);
      resolveStart(`http://127.0.0.1:${srv.address().port}`);
    });
  });
}

// ---------------------------------------------------------------- targets

/** The environment of a server: ours without any CORS_* variable, plus `extra`. */
function serverEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('CORS_')) env[k] = v;
  return { ...env, ...extra };
}

const PUBLIC_POLICY = {
  allowed_origins: '*',
  allow_credentials: false,
  allowed_methods: '*',
  allowed_headers: '*',
  expose_headers: ['x-request-id'],
  max_age: 600,
  allow_private_network: false,
};

function privatePolicy(origin) {
  return {
    allowed_origins: [origin],
    allow_credentials: true,
    allowed_methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    allowed_headers: ['content-type', 'authorization', 'x-custom-header'],
    expose_headers: ['x-request-id'],
    max_age: 600,
    allow_private_network: false,
  };
}

/**
 * The servers under test. `start(ctx)` returns {public, private}, each
 * {server, prefix}. `apiField`: the body names its API.
 */
function realTargets(o) {
  const bin = (...p) => join(o.binDir, ...p);
  return [
    {
      name: 'cli',
      binary: bin('cors-policy'),
      apiField: false,
      // `cors-policy serve` serves one policy, so two instances: a public
      // one and a private one, each from a generated policy file.
      async start(ctx) {
        const pub = join(ctx.tmp, 'public.json');
        const priv = join(ctx.tmp, 'private.json');
        writeFileSync(pub, JSON.stringify(PUBLIC_POLICY, null, 2));
        writeFileSync(priv, JSON.stringify(privatePolicy(ctx.allowedOrigin), null, 2));
        const run = (name, file) =>
          startOwned(name, this.binary, ['serve', '--policy', file, '--listen', '127.0.0.1:0'], serverEnv({}));
        const a = await run('cli(public)', pub);
        const b = await run('cli(private)', priv);
        return { public: { server: a, prefix: '/public' }, private: { server: b, prefix: '/private' } };
      },
    },
    exampleTarget('axum', bin('examples', 'axum_server')),
    exampleTarget('actix', bin('examples', 'actix_server')),
  ];
}

function exampleTarget(name, binary) {
  return {
    name,
    binary,
    apiField: true,
    async start(ctx) {
      // Only the origins are set: every other CORS_* falls back to the
      // documented default, which the cases rely on.
      const s = await startOwned(
        name,
        this.binary,
        ['--listen', '127.0.0.1:0'],
        serverEnv({ CORS_ALLOWED_ORIGINS: ctx.allowedOrigin }),
      );
      return { public: { server: s, prefix: '/public' }, private: { server: s, prefix: '/private' } };
    },
  };
}

async function startOwned(name, command, args, env) {
  const s = Server.spawn(name, command, args, env);
  // Owned from the start, so that one that never says `listening` is ended too.
  owned.servers.push(s);
  await s.ready();
  return s;
}

// ---------------------------------------------------------------- running cases

function caseUrl(api, c) {
  return `${api.server.origin}${api.prefix}/${c.id}${c.suffix || ''}`;
}

async function fetchInPage(page, c, url) {
  const spec = {
    url,
    method: c.method,
    credentials: c.credentials,
    headers: c.headers || null,
    body: c.body === undefined ? null : c.body,
    read: ['x-request-id', 'x-unexposed', 'content-type'],
  };
  return page.evaluate(`window.runFetch(${JSON.stringify(spec)})`);
}

/**
 * Sorts a case's server lines into preflights, the request itself, and
 * anything else. For a request whose method is OPTIONS (an `actual` request
 * when it has no ACRM, docs/behaviour.md §1) the status tells them apart: the CORS
 * layer answers preflights 204 or 403, the application 200 or 500.
 */
function splitLines(lines, wire) {
  const pre = (l) => l.method === 'OPTIONS' && (wire !== 'OPTIONS' || l.status === 204 || l.status === 403);
  return {
    options: lines.filter(pre),
    actual: lines.filter((l) => !pre(l) && l.method === wire),
    other: lines.filter((l) => !pre(l) && l.method !== wire),
  };
}

/** What went wrong with one case, as a list of sentences (empty: it passed). */
function judge(c, target, url, path, fetches, lines, page) {
  const failures = page.failures;
  const e = c.expect;
  const problems = [];
  const wire = wireMethod(c);
  for (const [i, r] of fetches.entries()) {
    const n = fetches.length > 1 ? ` (fetch ${i + 1})` : '';
    if (r.allowed !== e.allowed) {
      problems.push(`Chromium ${r.allowed ? `allowed it (status ${r.status})` : `blocked it (${r.error})`}${n}, expected ${e.allowed ? 'allowed' : 'blocked'}`);
      continue;
    }
    if (e.allowed) {
      if (r.status !== e.status) problems.push(`status ${r.status}${n}, expected ${e.status}`);
      // Fetch "CORS-filtered response": only safelisted and exposed names.
      if (r.read['x-request-id'] !== '42') problems.push(`script read x-request-id = ${JSON.stringify(r.read['x-request-id'])}${n}, expected "42" (exposed)`);
      if (r.read['x-unexposed'] !== null) problems.push(`script read x-unexposed = ${JSON.stringify(r.read['x-unexposed'])}${n}, expected null (not exposed)`);
      if (!r.names.includes('x-request-id') || r.names.includes('x-unexposed')) problems.push(`readable header names ${JSON.stringify(r.names)}${n}`);
      if (c.method !== 'HEAD') {
        if (!r.json) problems.push(`body is not JSON${n}`);
        else {
          if (r.json.method !== wire) problems.push(`body method ${JSON.stringify(r.json.method)}${n}, expected ${JSON.stringify(wire)}`);
          if (r.json.path !== path) problems.push(`body path ${JSON.stringify(r.json.path)}${n}, expected ${JSON.stringify(path)}`);
          if (target.apiField && r.json.api !== c.api) problems.push(`body api ${JSON.stringify(r.json.api)}${n}, expected ${JSON.stringify(c.api)}`);
        }
      }
    } else if (e.corsError) {
      const seen = failures.filter((f) => f.url === url && !f.preflight).map((f) => f.corsError || f.errorText);
      if (!seen.includes(e.corsError)) problems.push(`Chromium's reason ${JSON.stringify(seen)}, expected ${e.corsError}`);
    }
  }
  // The server's own log: preflights counted there (docs/behaviour.md §3 statuses).
  const { options, actual, other } = splitLines(lines, wire);
  const wantPre = e.preflight === null ? 0 : 1;
  if (options.length !== wantPre) problems.push(`server saw ${options.length} preflight(s), expected ${wantPre}`);
  else if (wantPre && options[0].status !== e.preflight) problems.push(`preflight answered ${options[0].status}, expected ${e.preflight}`);
  // Chromium's own account of the preflights it sent (DevTools) must agree
  // with the server's, and ask for the method as it went on the wire.
  const sent = page.preflights.filter((p) => p.url === url);
  if (sent.length !== options.length) problems.push(`Chromium reported ${sent.length} preflight(s), the server logged ${options.length}`);
  for (const p of sent) {
    if (p.acrm !== wire) problems.push(`preflight asked for method ${JSON.stringify(p.acrm)}, expected ${JSON.stringify(wire)}`);
  }
  const wantStatus = c.suffix === '/error' ? 500 : 200;
  if (actual.length !== e.reached) problems.push(`server saw the ${wire} ${actual.length} time(s), expected ${e.reached}`);
  for (const l of actual) if (l.status !== wantStatus) problems.push(`server answered the ${wire} ${l.status}, expected ${wantStatus}`);
  if (other.length) problems.push(`unexpected server lines ${JSON.stringify(other)}`);
  return problems;
}

function describeExpect(e) {
  const pre = e.preflight === null ? 'no preflight' : `preflight ${e.preflight}`;
  const what = e.allowed ? `allowed ${e.status}` : `blocked${e.corsError ? ` (${e.corsError})` : ''}`;
  return `${what}, ${pre}, reached ${e.reached}`;
}

function describeResult(fetches, lines, page, url) {
  const f = fetches
    .map((r) => {
      if (r.allowed) return `allowed ${r.status} [${r.names.join(' ')}]`;
      const why = page.failures.filter((x) => x.url === url && !x.preflight).map((x) => x.corsError || x.errorText);
      return `blocked (${[...new Set(why)].join(', ') || r.error})`;
    })
    .join(' / ');
  const pre = page.preflights.filter((p) => p.url === url);
  const sent = pre.length ? `, ${pre.length} preflight(s) sent (${pre.map((p) => `ACRM ${p.acrm}${p.acrh ? ` ACRH ${p.acrh}` : ''}`).join('; ')})` : '';
  const server = lines.map((l) => `${l.method} ${l.status}`).join(', ') || 'nothing';
  return `Chromium: ${f}${sent}; server: ${server}`;
}

/**
 * Runs every case against every target; returns the list of results
 * {target, id, status: 'passed'|'failed'|'skipped', detail, problems}.
 */
async function runSuite(o, targets, chromiumPath) {
  const results = [];
  const tmp = mkdtempSync(join(tmpdir(), 'cors-e2e-'));
  owned.tmp.push(tmp);
  const allowedOrigin = await startPageServer();
  const refusedOrigin = await startPageServer();
  console.log(`page origins: allowed ${allowedOrigin}, refused ${refusedOrigin}`);

  // Start every target first (a target that cannot start fails its cases).
  const live = [];
  for (const t of targets) {
    if (!existsSync(t.binary)) {
      const status = o.requireAll ? 'failed' : 'skipped';
      console.log(`${status === 'failed' ? 'FAIL' : 'SKIP'} ${t.name}: no binary at ${t.binary} (all ${CASES.length} cases ${status})`);
      for (const c of CASES) results.push({ target: t.name, id: c.id, status, detail: `no binary at ${t.binary}`, problems: [] });
      continue;
    }
    const ctxDir = mkdtempSync(join(tmp, `${t.name}-`));
    try {
      const apis = await t.start({ tmp: ctxDir, allowedOrigin });
      console.log(`${t.name}: public API on ${apis.public.server.origin}, private API on ${apis.private.server.origin}`);
      live.push({ t, apis });
    } catch (err) {
      console.log(`FAIL ${t.name}: could not start: ${err.message}`);
      for (const c of CASES) results.push({ target: t.name, id: c.id, status: 'failed', detail: 'server did not start', problems: [err.message] });
    }
  }
  if (live.length === 0) return results;

  const logPath = join(tmp, 'chromium.log');
  const browser = await Browser.launch(chromiumPath, logPath).catch((err) => {
    let log = '';
    try {
      log = readFileSync(logPath, 'utf8').slice(-4000);
    } catch {
      // no log written
    }
    throw new Error(`${err.message}${log ? `\n--- chromium stderr (end) ---\n${log}` : ''}`);
  });
  owned.browser = browser;
  console.log(`browser: ${browser.version}`);
  const pages = { allowed: await browser.open(`${allowedOrigin}/`), refused: await browser.open(`${refusedOrigin}/`) };
  for (const [k, p] of Object.entries(pages)) {
    const origin = await p.evaluate('location.origin');
    const want = k === 'allowed' ? allowedOrigin : refusedOrigin;
    if (origin !== want) throw new Error(`the ${k} page has origin ${origin}, expected ${want}`);
  }

  // Phase 1: every case once; phase 2: the second fetch of the max-age cases.
  const runs = [];
  for (const { t, apis } of live) {
    for (const c of CASES) {
      const api = apis[c.api];
      const url = caseUrl(api, c);
      const path = new URL(url).pathname;
      const run = { t, c, api, url, path, fetches: [], firstAt: 0, error: null };
      runs.push(run);
      try {
        run.firstAt = Date.now();
        run.fetches.push(await fetchInPage(pages[c.page], c, url));
      } catch (err) {
        run.error = err.message;
      }
    }
  }
  for (const run of runs.filter((r) => r.c.maxAge && !r.error)) {
    const wait = run.firstAt + MAX_AGE_WAIT_MS - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    try {
      run.fetches.push(await fetchInPage(pages[run.c.page], run.c, run.url));
    } catch (err) {
      run.error = err.message;
    }
  }

  for (const run of runs) {
    const { t, c, api, url, path, fetches } = run;
    const wire = wireMethod(c);
    const want = c.expect;
    const lines = await api.server.waitForLines(
      path,
      (ls) => {
        const { options, actual } = splitLines(ls, wire);
        return options.length >= (want.preflight === null ? 0 : 1) && actual.length >= want.reached;
      },
      3000,
      50,
    );
    const page = pages[c.page];
    const problems = run.error ? [`driver error: ${run.error}`] : judge(c, t, url, path, fetches, lines, page);
    const detail = run.error ? '' : describeResult(fetches, lines, page, url);
    results.push({
      target: t.name,
      id: c.id,
      title: c.title,
      expected: describeExpect(want),
      why: c.why,
      status: problems.length ? 'failed' : 'passed',
      detail,
      problems,
    });
  }
  for (const s of new Set(live.flatMap(({ apis }) => [apis.public.server, apis.private.server]))) {
    if (s.otherLines.length) console.log(`note: ${s.name} printed ${s.otherLines.length} line(s) that are not request lines, e.g. ${JSON.stringify(s.otherLines[0])}`);
  }
  return results;
}

function printResults(results) {
  for (const r of results) {
    if (r.status === 'skipped') continue;
    const tag = r.status === 'passed' ? 'ok  ' : 'FAIL';
    console.log(`${tag} ${r.target.padEnd(6)} ${r.id}: expected ${r.expected || '-'}; ${r.detail}`);
    for (const p of r.problems) console.log(`       - ${p}`);
  }
}

function counts(results) {
  const n = (s) => results.filter((r) => r.status === s).length;
  return { passed: n('passed'), failed: n('failed'), skipped: n('skipped') };
}

function summaryLine({ passed, failed, skipped }) {
  return `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

// ---------------------------------------------------------------- self-check

// Proves the cases can fail: runs them against mock servers with injected
// defects (e2e/selfcheck/mock_server.mjs) and checks that the cases that
// should catch each defect fail, and that a mock following docs/behaviour.md passes.
// For each defect, the cases that must fail; `exact`: and no other.
const DEFECTS = {
  '': { mustFail: [], exact: true },
  'authorization-wildcard': { mustFail: ['authorization-public'], exact: true },
  'ci-methods': { mustFail: ['lower-patch-private'], exact: true },
  'no-max-age': { mustFail: ['max-age-private', 'max-age-public'], exact: true },
  // Every allowed case reads x-request-id, so all of them fail here.
  'no-expose': { mustFail: ['simple-get-public', 'simple-get-private', 'creds-put-private', 'error-get-private'], exact: false },
  'no-cors-on-error': { mustFail: ['error-get-private', 'error-put-public'], exact: true },
  'reflect-any-origin': { mustFail: ['refused-get-private', 'refused-creds-get-private', 'refused-put-private'], exact: true },
};

function mockTargets() {
  const mock = join(HERE, 'selfcheck', 'mock_server.mjs');
  return Object.keys(DEFECTS).map((d) => ({
    name: d ? `mock:${d}` : 'mock',
    binary: mock,
    apiField: true,
    async start(ctx) {
      const env = serverEnv({ CORS_ALLOWED_ORIGINS: ctx.allowedOrigin, MOCK_BREAK: d });
      const s = await startOwned(this.name, process.execPath, [mock, '--listen', '127.0.0.1:0'], env);
      return { public: { server: s, prefix: '/public' }, private: { server: s, prefix: '/private' } };
    },
  }));
}

function judgeSelfCheck(results) {
  const checks = [];
  for (const [d, { mustFail, exact }] of Object.entries(DEFECTS)) {
    const name = d ? `mock:${d}` : 'mock';
    const mine = results.filter((r) => r.target === name);
    const failed = mine.filter((r) => r.status !== 'passed').map((r) => r.id);
    const missed = mustFail.filter((id) => !failed.includes(id));
    const extra = exact ? failed.filter((id) => !mustFail.includes(id)) : [];
    const what = d
      ? `defect ${d} is caught by ${mustFail.join(', ')}${exact ? ' and nothing else' : ''}`
      : `a specification-following mock passes all ${CASES.length} cases`;
    checks.push({ target: name, what, ok: mine.length === CASES.length && missed.length === 0 && extra.length === 0, got: failed });
  }
  return checks;
}

// ---------------------------------------------------------------- main

async function main() {
  const started = Date.now();
  const o = parseArgs(process.argv);
  const watchdog = setTimeout(() => {
    console.error(`e2e: still running after ${o.timeoutMs} ms, giving up`);
    console.log('0 passed, 1 failed');
    cleanup().finally(() => process.exit(1));
  }, o.timeoutMs);

  let targets = o.selfCheck ? mockTargets() : realTargets(o);
  if (o.only) targets = targets.filter((t) => o.only.includes(t.name));
  let results;
  try {
    results = await runSuite(o, targets, o.chromium);
  } catch (err) {
    console.error(`e2e: ${err.stack || err.message}`);
    await cleanup();
    console.log('0 passed, 1 failed');
    process.exit(1);
  }
  await cleanup();
  clearTimeout(watchdog);
  if (o.report) writeFileSync(o.report, JSON.stringify(results, null, 2));
  const secs = ((Date.now() - started) / 1000).toFixed(1);

  if (o.selfCheck) {
    // Failing cases are the point here; their details are shown only for a
    // mock whose check did not hold.
    const checks = judgeSelfCheck(results);
    for (const ch of checks) {
      if (!ch.ok) printResults(results.filter((r) => r.target === ch.target));
      console.log(`${ch.ok ? 'ok  ' : 'FAIL'} self-check: ${ch.what} (cases that failed: ${ch.got.join(', ') || 'none'})`);
    }
    const passed = checks.filter((c) => c.ok).length;
    console.log(`self-check took ${secs} s`);
    console.log(`self-check: ${passed} passed, ${checks.length - passed} failed`);
    process.exit(passed === checks.length ? 0 : 1);
  }
  printResults(results);
  const c = counts(results);
  console.log(`browser suite took ${secs} s (${targets.length} targets x ${CASES.length} cases)`);
  console.log(summaryLine(c));
  process.exit(c.failed ? 1 : 0);
}

main().catch((err) => {
  console.error(`e2e: ${err.message}`);
  cleanup().finally(() => process.exit(2));
});
