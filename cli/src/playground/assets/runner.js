'use strict';
// The runner: the playground's page frames this page on each page origin
// and asks it, by postMessage, to run one fetch() from this origin. It
// answers with what the script could see: the status, the headers and the
// body it could read, or the error fetch() rejected with. Only the
// playground's page may ask (its origin is written into the meta tag).

const PAGE = document.querySelector('meta[name="page-origin"]').content;
const TIMEOUT_MS = 15000;

async function run(spec) {
  const init = {
    method: spec.method,
    headers: spec.headers,
    mode: 'cors',
    cache: 'no-store',
    // Without 'include', fetch's default: cookies only for this origin.
    credentials: spec.credentials ? 'include' : 'same-origin',
  };
  if (spec.body === 'form') init.body = new URLSearchParams(spec.body_text);
  else if (spec.body_text !== null) init.body = spec.body_text;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
  init.signal = controller.signal;
  const started = performance.now();
  try {
    const response = await fetch(spec.url, init);
    let body;
    try {
      body = (await response.text()).slice(0, 4000);
    } catch (err) {
      body = `(the body could not be read: ${err})`;
    }
    return {
      readable: true,
      status: response.status,
      responseType: response.type,
      headers: [...response.headers],
      body,
      ms: Math.round(performance.now() - started),
    };
  } catch (err) {
    return {
      readable: false,
      error: `${err.name}: ${err.message}`,
      ms: Math.round(performance.now() - started),
    };
  } finally {
    clearTimeout(timer);
  }
}

window.addEventListener('message', async (event) => {
  if (event.origin !== PAGE || event.source !== window.parent) return;
  const spec = event.data;
  if (!spec || spec.type !== 'fetch') return;
  const result = await run(spec);
  window.parent.postMessage({ type: 'result', id: spec.id, ...result }, PAGE);
});

window.parent.postMessage({ type: 'ready', origin: location.origin }, PAGE);
