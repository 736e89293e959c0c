// Headless Chromium driven over the DevTools protocol on a pipe
// (`--remote-debugging-pipe`: commands go in on fd 3, answers and events come
// out on fd 4, each message a JSON text ended by a NUL byte). No npm package,
// no port, and no browser download: the browser is Debian's /usr/bin/chromium.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, openSync, closeSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Appends the process group id of a child we started to $E2E_PIDFILE, so
 * that the calling script's EXIT trap can end it even if this process dies
 * without cleaning up (kill -9, an out-of-memory kill).
 */
export function recordGroup(child) {
  child._e2eGroup = true;
  if (process.env.E2E_PIDFILE && child.pid) appendFileSync(process.env.E2E_PIDFILE, `${child.pid}\n`);
}

/** The flags the issue asks for, plus the pipe and a fresh profile. */
export function chromiumArgs(profileDir) {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--no-first-run',
    '--no-default-browser-check',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--disable-extensions',
    '--disable-dev-shm-usage',
    `--user-data-dir=${profileDir}`,
    '--remote-debugging-pipe',
    'about:blank',
  ];
}

/** A running browser and its DevTools connection. */
export class Browser {
  /**
   * Starts Chromium. `logPath` receives its stderr.
   * @param {string} binary
   * @param {string} logPath
   */
  static async launch(binary, logPath) {
    const profileDir = mkdtempSync(join(tmpdir(), 'cors-e2e-profile-'));
    const logFd = openSync(logPath, 'a');
    const child = spawn(binary, chromiumArgs(profileDir), {
      stdio: ['ignore', logFd, logFd, 'pipe', 'pipe'],
      // Its own process group, so that its renderer and utility processes
      // can be ended with it (see stopChild).
      detached: true,
    });
    closeSync(logFd);
    recordGroup(child);
    const b = new Browser(child, profileDir);
    try {
      await new Promise((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
      // The first answer proves the pipe works.
      const v = await b.send('Browser.getVersion', {}, undefined, 30000);
      b.version = v.product;
    } catch (err) {
      await b.close();
      throw new Error(`cannot start ${binary}: ${err.message}`);
    }
    return b;
  }

  constructor(child, profileDir) {
    this.child = child;
    this.profileDir = profileDir;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = [];
    this.exited = false;
    this.toBrowser = child.stdio[3];
    this.fromBrowser = child.stdio[4];
    let buf = Buffer.alloc(0);
    this.fromBrowser.on('data', (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      let nul;
      while ((nul = buf.indexOf(0)) !== -1) {
        const text = buf.subarray(0, nul).toString('utf8');
        buf = buf.subarray(nul + 1);
        this.dispatch(text);
      }
    });
    this.toBrowser.on('error', () => {});
    child.on('exit', (code, signal) => {
      this.exited = true;
      for (const { reject } of this.pending.values()) {
        reject(new Error(`chromium exited (code ${code}, signal ${signal})`));
      }
      this.pending.clear();
    });
  }

  dispatch(text) {
    let msg;
    try {
      msg = JSON.parse(text);
    } catch {
      return;
    }
    if (msg.id !== undefined) {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result);
    } else {
      for (const l of this.listeners) l(msg);
    }
  }

  /** Sends one command (to the browser, or to a page when `sessionId` is given). */
  send(method, params = {}, sessionId = undefined, timeoutMs = 20000) {
    if (this.exited) return Promise.reject(new Error('chromium is not running'));
    const id = this.nextId++;
    const msg = { id, method, params };
    if (sessionId) msg.sessionId = sessionId;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${method}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer, method });
      this.toBrowser.write(JSON.stringify(msg) + '\0');
    });
  }

  /** Calls `fn(msg)` for every event. */
  onEvent(fn) {
    this.listeners.push(fn);
  }

  /** Opens a new tab on `url`, waits for its load event, and returns a Page. */
  async open(url) {
    const { targetId } = await this.send('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send('Target.attachToTarget', { targetId, flatten: true });
    const page = new Page(this, sessionId, targetId);
    await this.send('Page.enable', {}, sessionId);
    await this.send('Network.enable', {}, sessionId);
    await this.send('Runtime.enable', {}, sessionId);
    const loaded = page.waitFor('Page.loadEventFired', 20000);
    const nav = await this.send('Page.navigate', { url }, sessionId);
    if (nav.errorText) throw new Error(`navigating to ${url}: ${nav.errorText}`);
    await loaded;
    return page;
  }

  /** Ends the browser (SIGTERM, then SIGKILL) and removes its profile. */
  async close() {
    if (!this.exited) {
      try {
        await this.send('Browser.close', {}, undefined, 3000);
      } catch {
        // fall through to the signals below
      }
    }
    await stopChild(this.child, 3000);
    rmSync(this.profileDir, { recursive: true, force: true });
  }
}

/** One tab, with the network events Chromium reported for it. */
export class Page {
  constructor(browser, sessionId, targetId) {
    this.browser = browser;
    this.sessionId = sessionId;
    this.targetId = targetId;
    this.waiters = [];
    /** requestId -> {url, method, preflight} */
    this.requests = new Map();
    /** {url, method, corsError, failedParameter, errorText} for each failed load */
    this.failures = [];
    /** {url, method, acrm, acrh} of each CORS preflight Chromium reported sending */
    this.preflights = [];
    browser.onEvent((msg) => {
      if (msg.sessionId !== sessionId) return;
      this.record(msg);
      this.waiters = this.waiters.filter((w) => {
        if (w.method !== msg.method) return true;
        clearTimeout(w.timer);
        w.resolve(msg.params);
        return false;
      });
    });
  }

  record(msg) {
    const p = msg.params || {};
    if (msg.method === 'Network.requestWillBeSent') {
      const preflight = p.type === 'Preflight' || (p.initiator && p.initiator.type === 'preflight');
      this.requests.set(p.requestId, { url: p.request.url, method: p.request.method, preflight });
      if (preflight) {
        const h = p.request.headers || {};
        const get = (name) => {
          const k = Object.keys(h).find((x) => x.toLowerCase() === name);
          return k === undefined ? undefined : h[k];
        };
        this.preflights.push({
          url: p.request.url,
          method: p.request.method,
          acrm: get('access-control-request-method'),
          acrh: get('access-control-request-headers'),
        });
      }
    } else if (msg.method === 'Network.loadingFailed') {
      const r = this.requests.get(p.requestId) || {};
      this.failures.push({
        url: r.url,
        method: r.method,
        preflight: !!r.preflight,
        errorText: p.errorText,
        corsError: p.corsErrorStatus ? p.corsErrorStatus.corsError : undefined,
        failedParameter: p.corsErrorStatus ? p.corsErrorStatus.failedParameter : undefined,
      });
    }
  }

  waitFor(method, timeoutMs) {
    return new Promise((resolve, reject) => {
      const w = { method, resolve };
      w.timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(new Error(`no ${method} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Evaluates `expression` in the page, awaiting a promise, and returns its JSON value. */
  async evaluate(expression, timeoutMs = 20000) {
    const r = await this.browser.send(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true },
      this.sessionId,
      timeoutMs,
    );
    if (r.exceptionDetails) {
      const d = r.exceptionDetails;
      throw new Error(`page script threw: ${(d.exception && d.exception.description) || d.text}`);
    }
    return r.result.value;
  }
}

/**
 * Stops a child process: SIGTERM, then SIGKILL after `graceMs`. A child
 * spawned with `detached: true` leads its own process group; the signal then
 * goes to that group (the negative pid), which holds only what the child
 * itself started.
 */
export function stopChild(child, graceMs) {
  const signal = (sig) => {
    try {
      if (child._e2eGroup) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      // already gone
    }
  };
  if (child.pid === undefined) return Promise.resolve(); // never started
  if (child.exitCode !== null || child.signalCode !== null) {
    if (child._e2eGroup) signal('SIGKILL');
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => signal('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      // Stragglers of the group (a renderer) go too.
      if (child._e2eGroup) signal('SIGKILL');
      resolve();
    });
    signal('SIGTERM');
  });
}
