// A stand-in for the axum/actix example servers, used ONLY by the suite's
// self-check (`node e2e/run.mjs --self-check`), never counted as a server
// under test. It speaks the shared server interface and answers CORS as
// docs/behaviour.md says, unless MOCK_BREAK names defects to inject (a comma list),
// which lets the self-check prove that the suite's cases can fail:
//   authorization-wildcard  `*` in allowed headers also covers `authorization`
//   ci-methods              methods compared case-insensitively (`patch` ~ `PATCH`)
//   no-max-age              no Access-Control-Max-Age
//   no-expose               no Access-Control-Expose-Headers
//   no-cors-on-error        no CORS headers on 500 answers
//   reflect-any-origin      the private policy allows every origin
//
// Usage: node mock_server.mjs --listen 127.0.0.1:0 (private origins from CORS_ALLOWED_ORIGINS)

import { createServer } from 'node:http';

const breaks = new Set((process.env.MOCK_BREAK || '').split(',').filter(Boolean));
const listenArg = process.argv.indexOf('--listen');
const [host, port] = (listenArg > 0 ? process.argv[listenArg + 1] : '127.0.0.1:0').split(':');
const list = (v, d) => (v === undefined ? d : v.split(',').map((s) => s.trim()).filter(Boolean));

const POLICIES = {
  public: { origins: '*', credentials: false, methods: '*', headers: ['*'], expose: ['x-request-id'], maxAge: 600 },
  private: {
    origins: list(process.env.CORS_ALLOWED_ORIGINS, ['https://app.example']),
    credentials: true,
    methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    headers: ['content-type', 'authorization', 'x-custom-header'],
    expose: ['x-request-id'],
    maxAge: 600,
  },
};

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function originAllowed(p, origin) {
  if (p.origins === '*') return true;
  if (breaks.has('reflect-any-origin')) return true;
  return p.origins.includes(origin.trim());
}

function methodAllowed(p, m) {
  if (['GET', 'HEAD', 'POST'].includes(m)) return true;
  if (['CONNECT', 'TRACE', 'TRACK'].includes(m.toUpperCase())) return false;
  if (p.methods === '*') return true;
  if (breaks.has('ci-methods')) return p.methods.some((x) => x.toUpperCase() === m.toUpperCase());
  return p.methods.includes(m);
}

function headersAllowed(p, acrh) {
  const names = (acrh || '').split(',').map((s) => s.trim()).filter(Boolean);
  return names.every((n) => {
    if (!TOKEN.test(n)) return false;
    const l = n.toLowerCase();
    if (p.headers.includes(l)) return true;
    return p.headers.includes('*') && (l !== 'authorization' || breaks.has('authorization-wildcard'));
  });
}

function corsHeaders(p, origin, h) {
  h['access-control-allow-origin'] = p.origins === '*' ? '*' : origin;
  if (p.credentials) h['access-control-allow-credentials'] = 'true';
}

/** The answer to one request: {status, headers, body}. `headers` has lower-case names. */
function answer(method, path, headers) {
  const api = path.startsWith('/private') ? 'private' : 'public';
  const p = POLICIES[api];
  const origin = headers.origin;
  const acrm = headers['access-control-request-method'];
  const h = { vary: p.origins === '*' ? 'access-control-request-method' : 'origin' };
  if (method === 'OPTIONS' && origin !== undefined && acrm !== undefined) {
    const acrh = headers['access-control-request-headers'];
    const ok = originAllowed(p, origin) && methodAllowed(p, acrm.trim()) && headersAllowed(p, acrh);
    if (ok) {
      corsHeaders(p, origin, h);
      h['access-control-allow-methods'] = acrm.trim();
      if (acrh && acrh.trim()) h['access-control-allow-headers'] = acrh;
      if (!breaks.has('no-max-age')) h['access-control-max-age'] = String(p.maxAge);
    }
    return { status: ok ? 204 : 403, headers: h, body: '' };
  }
  const status = path.endsWith('/error') ? 500 : 200;
  const cors = !(status === 500 && breaks.has('no-cors-on-error'));
  if (origin !== undefined && originAllowed(p, origin) && cors) {
    corsHeaders(p, origin, h);
    if (!breaks.has('no-expose')) h['access-control-expose-headers'] = p.expose.join(', ');
  }
  h['content-type'] = 'application/json';
  h['x-request-id'] = '42';
  h['x-unexposed'] = '1';
  return { status, headers: h, body: method === 'HEAD' ? '' : JSON.stringify({ api, method, path }) };
}

const server = createServer((req, res) => {
  const path = req.url.split('?')[0];
  const a = answer(req.method, path, req.headers);
  res.writeHead(a.status, a.headers).end(a.body);
  process.stdout.write(`${req.method} ${path} ${a.status}\n`);
  req.resume();
});

// Node's parser refuses methods it does not know, lower-case `patch` among
// them; the servers under test accept any token. Such a request is answered
// here from the raw bytes, and its connection closed.
server.on('clientError', (err, socket) => {
  const raw = err.rawPacket ? err.rawPacket.toString('latin1') : '';
  const [head] = raw.split('\r\n\r\n');
  const [start, ...fields] = head.split('\r\n');
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\S+) HTTP\/1\.1$/.exec(start || '');
  if (!m || !socket.writable) {
    socket.destroy();
    return;
  }
  const headers = {};
  for (const f of fields) {
    const i = f.indexOf(':');
    if (i > 0) headers[f.slice(0, i).trim().toLowerCase()] = f.slice(i + 1).trim();
  }
  const path = m[2].split('?')[0];
  const a = answer(m[1], path, headers);
  const body = Buffer.from(a.body);
  const lines = Object.entries(a.headers).map(([k, v]) => `${k}: ${v}`);
  lines.push(`content-length: ${body.length}`, 'connection: close');
  socket.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${a.status} X\r\n${lines.join('\r\n')}\r\n\r\n`), body]));
  process.stdout.write(`${m[1]} ${path} ${a.status}\n`);
});

server.listen(Number(port), host, () => {
  const a = server.address();
  process.stdout.write(`listening on http://${a.address}:${a.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
