// The case table: one fetch() each (two for the max-age cases), run against
// every target. Each expectation is what docs/behaviour.md (the server side) and the
// Fetch standard (the browser side) imply for the APIs of the shared server
// interface:
//   public  origins `*`, methods `*`, headers `*`, expose x-request-id, max age 600
//   private origins [the allowed page's origin], credentials, methods GET POST
//           PUT DELETE PATCH, headers content-type authorization
//           x-custom-header, expose x-request-id, max age 600
// Every handler answers 200 (500 on a path ending in /error) with
// `x-request-id: 42` and `x-unexposed: 1`.
//
// Fields:
//   page         'allowed' (its origin is in the private policy) or 'refused'
//   api          'public' or 'private'
//   method       as passed to fetch(); wire is the method Chromium sends
//                (Fetch "normalize a method" upper-cases only DELETE GET HEAD
//                OPTIONS POST PUT)
//   expect.allowed    whether fetch() resolves (Fetch "CORS check" passed)
//   expect.preflight  null: no OPTIONS line at the server; 204 or 403: exactly
//                     one, with that status (docs/behaviour.md §3)
//   expect.reached    how many times the request itself reaches the server
//   expect.status     the status the script reads
//   expect.corsError  the reason Chromium gives (DevTools Network.CorsError). A
//                     rejected preflight (403, no CORS headers) is reported as
//                     PreflightMissingAllowOriginHeader: Chromium runs the CORS
//                     check before the status check (Fetch "CORS-preflight
//                     fetch" step 7 needs both).
//   maxAge       fetch twice, MAX_AGE_WAIT_MS apart (longer than Chromium's
//                5 s default preflight cache, Fetch "CORS-preflight cache")

export const MAX_AGE_WAIT_MS = 6500;

const custom = { 'X-Custom-Header': 'e2e' };
const json = { 'Content-Type': 'application/json' };

export const CASES = [
  // --- simple requests (Fetch "CORS-safelisted method", "CORS-safelisted request-header"): no preflight
  {
    id: 'simple-get-public',
    title: 'simple GET, credentials omitted, public API',
    page: 'allowed', api: 'public', method: 'GET', credentials: 'omit',
    expect: { allowed: true, status: 200, preflight: null, reached: 1 },
    why: 'docs/behaviour.md §3 actual, origin allowed: ACAO `*` + ACEH; Fetch CORS check passes on `*` without credentials',
  },
  {
    id: 'simple-get-private',
    title: 'simple GET, credentials omitted, private API',
    page: 'allowed', api: 'private', method: 'GET', credentials: 'omit',
    expect: { allowed: true, status: 200, preflight: null, reached: 1 },
    why: 'docs/behaviour.md §3 actual: ACAO = the page origin byte-for-byte, ACAC true, ACEH x-request-id',
  },
  {
    id: 'simple-post-text-private',
    title: 'POST with a text/plain body, private API',
    page: 'allowed', api: 'private', method: 'POST', credentials: 'omit',
    headers: { 'Content-Type': 'text/plain' }, body: 'hello',
    expect: { allowed: true, status: 200, preflight: null, reached: 1 },
    why: 'Fetch: text/plain is a CORS-safelisted Content-Type, so no preflight; docs/behaviour.md §3 actual allowed',
  },
  {
    id: 'simple-head-public',
    title: 'HEAD, public API',
    page: 'allowed', api: 'public', method: 'HEAD', credentials: 'omit', noBody: true,
    expect: { allowed: true, status: 200, preflight: null, reached: 1 },
    why: 'Fetch: HEAD is CORS-safelisted; docs/behaviour.md §3 actual allowed',
  },
  // --- preflights (Fetch "CORS-preflight fetch"; docs/behaviour.md §3 preflight, §4 checks 2 and 3)
  {
    id: 'custom-header-private',
    title: 'GET with X-Custom-Header (listed), private API',
    page: 'allowed', api: 'private', method: 'GET', credentials: 'omit', headers: custom,
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'non-safelisted header: preflight; docs/behaviour.md §4.3 listed header passes; ACAH echoes it',
  },
  {
    id: 'custom-header-public',
    title: 'GET with an arbitrary custom header, public API (headers `*`)',
    page: 'allowed', api: 'public', method: 'GET', credentials: 'omit', headers: { 'X-Anything-Goes': '1' },
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'docs/behaviour.md §2 `*` allows any name but authorization; ACAH echoes the requested names',
  },
  {
    id: 'unlisted-header-private',
    title: 'GET with X-Not-Listed, private API',
    page: 'allowed', api: 'private', method: 'GET', credentials: 'omit', headers: { 'X-Not-Listed': '1' },
    expect: { allowed: false, preflight: 403, reached: 0, corsError: 'PreflightMissingAllowOriginHeader' },
    why: 'docs/behaviour.md §4.3 one header not allowed rejects the preflight: 403, no CORS headers; Fetch: preflight status not ok',
  },
  {
    id: 'json-post-private',
    title: 'POST with a JSON body, private API',
    page: 'allowed', api: 'private', method: 'POST', credentials: 'omit', headers: json, body: '{"a":1}',
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'application/json is not a safelisted Content-Type: preflight; content-type is listed',
  },
  {
    id: 'json-post-public',
    title: 'POST with a JSON body, public API',
    page: 'allowed', api: 'public', method: 'POST', credentials: 'omit', headers: json, body: '{"a":1}',
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'preflight; headers `*` covers content-type',
  },
  ...['PUT', 'DELETE', 'PATCH'].flatMap((m) =>
    ['private', 'public'].map((api) => ({
      id: `${m.toLowerCase()}-${api}`,
      title: `${m}, ${api} API`,
      page: 'allowed', api, method: m, credentials: 'omit',
      expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
      why: `${m} is not safelisted: preflight; docs/behaviour.md §4.2 ${api === 'public' ? 'methods `*`' : 'listed'}; ACAM echoes ${m}`,
    })),
  ),
  {
    id: 'many-headers-private',
    title: 'POST JSON with X-Custom-Header and Authorization, credentials included, private API',
    page: 'allowed', api: 'private', method: 'POST', credentials: 'include',
    headers: { ...json, ...custom, Authorization: 'Bearer e2e' }, body: '{"a":1}',
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'docs/behaviour.md §4.3: every element of ACRH (Chromium sends them sorted, lower-case, comma-joined) is listed; ACAH echoes the line',
  },
  {
    id: 'options-public',
    title: 'fetch() with method OPTIONS, public API',
    page: 'allowed', api: 'public', method: 'OPTIONS', credentials: 'omit',
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'OPTIONS is not safelisted: preflight (ACRM OPTIONS) allowed by methods `*`; the OPTIONS request that follows has no ACRM, so it is `actual` (docs/behaviour.md §1) and the application answers it',
  },
  {
    id: 'options-private',
    title: 'fetch() with method OPTIONS, private API (not listed)',
    page: 'allowed', api: 'private', method: 'OPTIONS', credentials: 'omit',
    expect: { allowed: false, preflight: 403, reached: 0, corsError: 'PreflightMissingAllowOriginHeader' },
    why: 'docs/behaviour.md §4.2: OPTIONS is not in GET POST PUT DELETE PATCH: preflight 403',
  },
  {
    id: 'lower-patch-private',
    title: 'lower-case `patch`, private API (lists PATCH)',
    page: 'allowed', api: 'private', method: 'patch', credentials: 'omit',
    expect: { allowed: false, preflight: 403, reached: 0, corsError: 'PreflightMissingAllowOriginHeader' },
    why: 'Fetch does not upper-case `patch`; docs/behaviour.md §4.2 matching is byte-exact, so `patch` is not `PATCH`: 403',
  },
  {
    id: 'lower-patch-public',
    title: 'lower-case `patch`, public API (methods `*`)',
    page: 'allowed', api: 'public', method: 'patch', credentials: 'omit',
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'docs/behaviour.md §4.2 methods `*` passes any token; ACAM echoes `patch`, which Chromium matches',
  },
  {
    id: 'lower-put-private',
    title: 'lower-case `put`, private API',
    page: 'allowed', api: 'private', method: 'put', wire: 'PUT', credentials: 'omit',
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'Fetch "normalize a method" sends PUT, which is listed',
  },
  {
    id: 'unlisted-method-private',
    title: 'PURGE (not listed), private API',
    page: 'allowed', api: 'private', method: 'PURGE', credentials: 'omit',
    expect: { allowed: false, preflight: 403, reached: 0, corsError: 'PreflightMissingAllowOriginHeader' },
    why: 'docs/behaviour.md §4.2 method not listed: preflight rejected, 403',
  },
  // --- credentials (Fetch "CORS check": `*` never satisfies a credentialed request)
  {
    id: 'creds-get-private',
    title: 'GET, credentials included, private API',
    page: 'allowed', api: 'private', method: 'GET', credentials: 'include',
    expect: { allowed: true, status: 200, preflight: null, reached: 1 },
    why: 'docs/behaviour.md §3: ACAO = origin and ACAC true, which is what a credentialed CORS check needs',
  },
  {
    id: 'creds-get-public',
    title: 'GET, credentials included, public API',
    page: 'allowed', api: 'public', method: 'GET', credentials: 'include',
    expect: { allowed: false, preflight: null, reached: 1, corsError: 'WildcardOriginNotAllowed' },
    why: 'the request is sent (simple), docs/behaviour.md §3 answers ACAO `*`, and Fetch CORS check fails `*` with credentials',
  },
  {
    id: 'creds-put-private',
    title: 'PUT with X-Custom-Header, credentials included, private API',
    page: 'allowed', api: 'private', method: 'PUT', credentials: 'include', headers: custom,
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'preflight answered with ACAO = origin, ACAC true, ACAM PUT, ACAH x-custom-header',
  },
  {
    id: 'creds-put-public',
    title: 'PUT, credentials included, public API',
    page: 'allowed', api: 'public', method: 'PUT', credentials: 'include',
    expect: { allowed: false, preflight: 204, reached: 0, corsError: 'PreflightWildcardOriginNotAllowed' },
    why: 'the server allows the preflight with ACAO `*` (204), but Chromium refuses `*` for a credentialed request, so the PUT is never sent',
  },
  // --- Authorization (docs/behaviour.md §2, §4.3: `*` does not cover authorization; Fetch "CORS non-wildcard request-header name")
  {
    id: 'authorization-public',
    title: 'Authorization header under the `*` header policy (public API)',
    page: 'allowed', api: 'public', method: 'GET', credentials: 'omit', headers: { Authorization: 'Bearer e2e' },
    expect: { allowed: false, preflight: 403, reached: 0, corsError: 'PreflightMissingAllowOriginHeader' },
    why: 'docs/behaviour.md §4.3: authorization needs its own entry even when `*` is listed: preflight 403',
  },
  {
    id: 'authorization-private',
    title: 'Authorization header, credentials included, private API (listed)',
    page: 'allowed', api: 'private', method: 'GET', credentials: 'include', headers: { Authorization: 'Bearer e2e' },
    expect: { allowed: true, status: 200, preflight: 204, reached: 1 },
    why: 'authorization is listed by name: preflight 204 with ACAH authorization, ACAC true',
  },
  // --- error answers keep their CORS headers
  {
    id: 'error-get-private',
    title: 'GET .../error (500), private API',
    page: 'allowed', api: 'private', method: 'GET', credentials: 'include', suffix: '/error',
    expect: { allowed: true, status: 500, preflight: null, reached: 1 },
    why: 'docs/behaviour.md §3: the application status is kept and CORS headers still apply, so the script reads the 500',
  },
  {
    id: 'error-put-public',
    title: 'PUT .../error (500) after a preflight, public API',
    page: 'allowed', api: 'public', method: 'PUT', credentials: 'omit', suffix: '/error',
    expect: { allowed: true, status: 500, preflight: 204, reached: 1 },
    why: 'preflight 204, then the 500 answer carries ACAO `*` and ACEH',
  },
  // --- a refused origin (docs/behaviour.md §3 "origin not allowed": no CORS headers; CORS is not access control)
  {
    id: 'refused-get-private',
    title: 'GET from a page origin not in the private policy',
    page: 'refused', api: 'private', method: 'GET', credentials: 'omit',
    expect: { allowed: false, preflight: null, reached: 1, corsError: 'MissingAllowOriginHeader' },
    why: 'the simple request reaches the application (200), no ACAO, so Chromium blocks the response',
  },
  {
    id: 'refused-creds-get-private',
    title: 'GET, credentials included, from a refused page origin',
    page: 'refused', api: 'private', method: 'GET', credentials: 'include',
    expect: { allowed: false, preflight: null, reached: 1, corsError: 'MissingAllowOriginHeader' },
    why: 'as above, with credentials',
  },
  {
    id: 'refused-put-private',
    title: 'PUT with X-Custom-Header from a refused page origin',
    page: 'refused', api: 'private', method: 'PUT', credentials: 'omit', headers: custom,
    expect: { allowed: false, preflight: 403, reached: 0, corsError: 'PreflightMissingAllowOriginHeader' },
    why: 'docs/behaviour.md §4.1 origin check fails: preflight 403 and the PUT is never sent',
  },
  {
    id: 'refused-page-public',
    title: 'GET from the refused page origin to the public API',
    page: 'refused', api: 'public', method: 'GET', credentials: 'omit',
    expect: { allowed: true, status: 200, preflight: null, reached: 1 },
    why: 'the public policy allows every origin (`*`)',
  },
  // --- max age (Fetch "CORS-preflight cache"; docs/behaviour.md §3 ACMA 600)
  {
    id: 'max-age-private',
    title: 'the same credentialed PUT twice, 6.5 s apart, private API',
    page: 'allowed', api: 'private', method: 'PUT', credentials: 'include', headers: custom, maxAge: true,
    expect: { allowed: true, status: 200, preflight: 204, reached: 2 },
    why: 'ACMA 600 keeps the preflight cached past Chromium\'s 5 s default: one preflight for two requests',
  },
  {
    id: 'max-age-public',
    title: 'the same DELETE twice, 6.5 s apart, public API',
    page: 'allowed', api: 'public', method: 'DELETE', credentials: 'omit', maxAge: true,
    expect: { allowed: true, status: 200, preflight: 204, reached: 2 },
    why: 'ACMA 600: one preflight for two requests',
  },
];

/** The method Chromium puts on the wire (Fetch "normalize a method"). */
export function wireMethod(c) {
  if (c.wire) return c.wire;
  const up = c.method.toUpperCase();
  return ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT'].includes(up) ? up : c.method;
}
