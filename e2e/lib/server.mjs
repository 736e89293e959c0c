// A demo server under test, started as a child process, speaking the shared
// interface: first stdout line `listening on http://ADDR`, then one line
// `<METHOD> <PATH> <STATUS>` per request it receives (preflights included).

import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { stopChild, recordGroup } from './chromium.mjs';

const LISTENING = /^listening on (http:\/\/\S+)\s*$/;
const REQUEST = /^(\S+) (\S+) (\d{3})\s*$/;

/** One running server and the request lines it has printed so far. */
export class Server {
  /**
   * Spawns `command args` with `env`; then await `ready()` for its
   * `listening on` line.
   * @param {string} name a label for messages
   */
  static spawn(name, command, args, env) {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env, detached: true });
    recordGroup(child);
    return new Server(name, child);
  }

  constructor(name, child) {
    this.name = name;
    this.child = child;
    /** {method, path, status} of each request line, in order */
    this.log = [];
    /** stdout lines that are neither the first line nor a request line */
    this.otherLines = [];
    this.stderr = '';
    this.origin = undefined;
    this.exit = undefined;
    this.changed = [];
    child.stderr.on('data', (d) => {
      if (this.stderr.length < 64 * 1024) this.stderr += d.toString('utf8');
    });
    this.readyPromise = new Promise((resolve, reject) => {
      child.once('error', (e) => reject(new Error(`${name}: cannot start: ${e.message}`)));
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        reject(new Error(`${name}: exited before listening (code ${code}, signal ${signal})\n${this.stderr}`));
        this.notify();
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (this.origin === undefined) {
          const m = LISTENING.exec(line);
          if (!m) {
            reject(new Error(`${name}: first stdout line is not "listening on http://ADDR": ${JSON.stringify(line)}`));
            return;
          }
          // `http://127.0.0.1:PORT`, whatever form ADDR had (no trailing slash).
          this.origin = m[1].replace(/\/+$/, '');
          resolve();
          return;
        }
        const m = REQUEST.exec(line);
        if (m) this.log.push({ method: m[1], path: m[2], status: Number(m[3]) });
        else this.otherLines.push(line);
        this.notify();
      });
    });
  }

  /** Waits for the `listening on` line (rejects on a wrong first line, an exit, or the timeout). */
  async ready(timeoutMs = 60000) {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`${this.name}: no "listening on" line within ${timeoutMs} ms\n${this.stderr}`)),
        timeoutMs,
      );
    });
    try {
      await Promise.race([this.readyPromise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  notify() {
    const waiters = this.changed;
    this.changed = [];
    for (const w of waiters) w();
  }

  /** The request lines for `path` (exact match). */
  linesFor(path) {
    return this.log.filter((l) => l.path === path);
  }

  /**
   * Waits until `done(lines for path)` holds or `timeoutMs` passes, then
   * `settleMs` more so that a line that should not be there has time to show.
   */
  async waitForLines(path, done, timeoutMs = 3000, settleMs = 150) {
    const deadline = Date.now() + timeoutMs;
    while (!done(this.linesFor(path)) && Date.now() < deadline && this.exit === undefined) {
      await new Promise((resolve) => {
        const t = setTimeout(resolve, Math.max(1, deadline - Date.now()));
        this.changed.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    await new Promise((r) => setTimeout(r, settleMs));
    return this.linesFor(path);
  }

  async stop() {
    await stopChild(this.child, 3000);
  }
}
