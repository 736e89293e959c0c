//! What `benches/adapters.rs` and `benches/alloc_counts.rs` share: the one
//! policy of the side-by-side comparison, the two requests, the services of
//! each library, and a check that an answer is what CORS requires. The lean
//! layer ([`lean`]) is counted by `benches/callgrind.rs` only.
//!
//! Every library gets the same request, built the same way outside the
//! measured code, and the same inner handler, which answers `200` with an
//! empty body; `bare` is that handler without any CORS layer.

// Each bench binary uses a part of this module.
#![allow(dead_code)]

pub mod lean;

use std::convert::Infallible;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

/// Origins of the shared policy.
pub const ORIGINS: [&str; 3] = [
    "https://myapp.com",
    "https://staging.myapp.com",
    "https://app.example.com",
];
/// Methods of the shared policy.
pub const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
/// Request headers of the shared policy.
pub const HEADERS: [&str; 3] = ["content-type", "authorization", "x-custom-header"];
/// Exposed response header of the shared policy.
pub const EXPOSE: &str = "x-request-id";
/// `Access-Control-Max-Age` of the shared policy, in seconds.
pub const MAX_AGE: u32 = 86_400;

/// The shared policy, for cors-policy's adapters and the core.
pub static POLICY: cors_policy::Policy<'static> = match cors_policy::PolicyBuilder::new()
    .allow_origins(&ORIGINS)
    .allow_methods(&METHODS)
    .allow_headers(&HEADERS)
    .expose_headers(&[EXPOSE])
    .allow_credentials(true)
    .max_age(MAX_AGE)
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("the shared policy is invalid"),
};

/// The origin both requests come from.
pub const ORIGIN: &str = "https://app.example.com";
/// The preflight's requested method.
pub const ACRM: &str = "PUT";
/// The preflight's requested headers.
pub const ACRH: &str = "authorization,content-type,x-custom-header";

/// The two requests of the comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Req {
    /// `OPTIONS` from [`ORIGIN`] asking for `PUT` and three headers.
    Preflight,
    /// `GET` from [`ORIGIN`].
    Actual,
}

impl Req {
    /// Both, in the order of the criterion ids.
    pub const ALL: [Req; 2] = [Req::Preflight, Req::Actual];

    /// The criterion parameter: `preflight` or `actual`.
    pub fn name(self) -> &'static str {
        match self {
            Req::Preflight => "preflight",
            Req::Actual => "actual",
        }
    }

    /// The method and the header lines, identical for every library.
    pub fn parts(self) -> (&'static str, &'static [(&'static str, &'static str)]) {
        match self {
            Req::Preflight => (
                "OPTIONS",
                &[
                    ("host", "api.myapp.com"),
                    ("origin", ORIGIN),
                    ("access-control-request-method", ACRM),
                    ("access-control-request-headers", ACRH),
                ],
            ),
            Req::Actual => ("GET", &[("host", "api.myapp.com"), ("origin", ORIGIN)]),
        }
    }
}

/// Requests built per timed batch: building is kept out of the timing.
pub const BATCH: u64 = 256;

/// Times `iters` runs of `run` on requests from `make`, built (untimed) in
/// batches of [`BATCH`]; dropping each response is timed, as it is part of
/// the work a layer adds.
pub fn timed_batches<R>(
    iters: u64,
    mut make: impl FnMut() -> R,
    mut run: impl FnMut(&mut Vec<R>) -> Duration,
) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters;
    let mut batch = Vec::with_capacity(BATCH as usize);
    while left > 0 {
        let n = left.min(BATCH);
        left -= n;
        batch.extend((0..n).map(|_| make()));
        total += run(&mut batch);
    }
    total
}

/// Polls a future that is ready without waiting (every service here is),
/// so no executor's cost is added to any library.
pub fn now<F: Future>(f: F) -> F::Output {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    match f.as_mut().poll(&mut cx) {
        Poll::Ready(v) => v,
        Poll::Pending => panic!("a benchmarked service did not answer at once"),
    }
}

// ---------------------------------------------------------------- checks

/// Checks that an answer is what the Fetch standard requires for the
/// browser to accept it ("CORS check", "CORS-preflight fetch" steps 7.1-7.7)
/// under the shared policy with credentials.
///
/// Returns the problems (which make the library unfit to compare) and,
/// separately, notes: differences from docs/behaviour.md §3 a browser tolerates.
pub fn check_answer(
    req: Req,
    status: u16,
    headers: &[(String, String)],
) -> (Vec<String>, Vec<String>) {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    let all = |name: &str| -> Vec<&str> {
        headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let list = |name: &str| -> Vec<String> {
        all(name)
            .iter()
            .flat_map(|v| v.split(','))
            .map(|e| e.trim().to_ascii_lowercase())
            .filter(|e| !e.is_empty())
            .collect()
    };
    // Fetch, "CORS check": exactly one ACAO equal to the origin (credentials
    // rule out `*`), and ACAC exactly `true`.
    if all("access-control-allow-origin") != [ORIGIN] {
        problems.push(format!(
            "ACAO {:?} != [{ORIGIN}]",
            all("access-control-allow-origin")
        ));
    }
    if all("access-control-allow-credentials") != ["true"] {
        problems.push(format!(
            "ACAC {:?} != [true]",
            all("access-control-allow-credentials")
        ));
    }
    let vary = list("vary");
    match req {
        Req::Preflight => {
            // "CORS-preflight fetch" step 7: an ok status.
            if !(200..300).contains(&status) {
                problems.push(format!("preflight status {status} is not ok"));
            } else if status != 204 {
                notes.push(format!(
                    "preflight status {status} (docs/behaviour.md: 204)"
                ));
            }
            // Steps 7.3-7.6: the method and every header name listed (with
            // credentials a `*` is taken literally).
            if !all("access-control-allow-methods")
                .iter()
                .flat_map(|v| v.split(','))
                .any(|m| m.trim() == ACRM)
            {
                problems.push(format!(
                    "ACAM {:?} lacks {ACRM}",
                    all("access-control-allow-methods")
                ));
            }
            let acah = list("access-control-allow-headers");
            for h in ACRH.split(',') {
                if !acah.iter().any(|a| a == h) {
                    problems.push(format!("ACAH {acah:?} lacks {h}"));
                }
            }
            // Step 7.2's cache entry: without ACMA it lasts 5 s.
            if all("access-control-max-age") != ["86400"] {
                problems.push(format!(
                    "ACMA {:?} != [86400]",
                    all("access-control-max-age")
                ));
            }
            if !all("access-control-expose-headers").is_empty() {
                notes.push("ACEH on a preflight (docs/behaviour.md §3: never)".into());
            }
            for want in [
                "origin",
                "access-control-request-method",
                "access-control-request-headers",
            ] {
                if !vary.iter().any(|v| v == want) {
                    notes.push(format!("Vary {vary:?} lacks {want}"));
                }
            }
        }
        Req::Actual => {
            if !(200..300).contains(&status) {
                problems.push(format!("actual status {status}"));
            }
            // The policy exposes `x-request-id` ("CORS-exposed header-name list").
            if !list("access-control-expose-headers")
                .iter()
                .any(|h| h == EXPOSE)
            {
                problems.push(format!(
                    "ACEH {:?} lacks {EXPOSE}",
                    all("access-control-expose-headers")
                ));
            }
            for h in [
                "access-control-allow-methods",
                "access-control-allow-headers",
                "access-control-max-age",
            ] {
                if !all(h).is_empty() {
                    notes.push(format!(
                        "{h} on an actual response (docs/behaviour.md §3: never)"
                    ));
                }
            }
            // "CORS protocol and HTTP caches": the answer depends on Origin.
            if !vary.iter().any(|v| v == "origin") {
                notes.push(format!("Vary {vary:?} lacks Origin"));
            }
        }
    }
    (problems, notes)
}

/// Asserts that `lib` answers `req` as CORS requires (`bare` must send no
/// CORS header at all) and prints the notes once.
pub fn assert_answer(group: &str, lib: &str, req: Req, status: u16, headers: &[(String, String)]) {
    if lib == "bare" {
        assert_eq!(status, 200, "{group}/{lib}/{}: status", req.name());
        assert!(
            !headers
                .iter()
                .any(|(n, _)| n.starts_with("access-control-")),
            "{group}/{lib}/{}: bare sends CORS headers: {headers:?}",
            req.name()
        );
        return;
    }
    let (problems, notes) = check_answer(req, status, headers);
    assert!(
        problems.is_empty(),
        "{group}/{lib}/{} does not answer as CORS requires: {problems:?}\n(status {status}, headers {headers:?})",
        req.name()
    );
    for n in notes {
        eprintln!("note: {group}/{lib}/{}: {n}", req.name());
    }
}

/// Asserts that the floor sends what cors-policy sends for `req`: the same
/// status and the same header lines (names and values; order aside), so
/// that the floor writes no less than a layer must.
pub fn assert_floor_matches(
    group: &str,
    req: Req,
    floor: (u16, &[(String, String)]),
    ours: (u16, &[(String, String)]),
) {
    let sorted = |h: &[(String, String)]| {
        let mut h = h.to_vec();
        h.sort();
        h
    };
    assert_eq!(
        (floor.0, sorted(floor.1)),
        (ours.0, sorted(ours.1)),
        "{group}/floor/{} writes other headers than cors-policy (left: floor, right: ours)",
        req.name()
    );
}

// ---------------------------------------------------------------- tower

/// tower's request and response types: `String` bodies, so an empty body
/// costs no allocation.
pub type TowerRequest = http::Request<String>;
/// See [`TowerRequest`].
pub type TowerResponse = http::Response<String>;

/// A request header value as a server hands it over: borrowed from a buffer
/// that outlives the request (hyper's values share the read buffer), so
/// cloning it, as layers do to echo the origin, allocates nothing.
pub fn static_value(v: &'static str) -> http::HeaderValue {
    http::HeaderValue::from_static(v)
}

/// Builds `req` as an `http::Request`.
pub fn tower_request(req: Req) -> TowerRequest {
    let (method, headers) = req.parts();
    let mut b = http::Request::builder().method(method).uri("/");
    for (n, v) in headers {
        b = b.header(*n, static_value(v));
    }
    match b.body(String::new()) {
        Ok(r) => r,
        Err(e) => panic!("building the tower request: {e}"),
    }
}

/// The inner handler: `200`, empty body. Its work (dropping the request,
/// making the response) is one function that is never inlined, so every
/// library calls the same code: inlined, its cost moved by about 100
/// instructions from one build to another as other cases were added.
pub fn tower_handler(req: TowerRequest) -> std::future::Ready<Result<TowerResponse, Infallible>> {
    std::future::ready(Ok(tower_answer(req)))
}

#[inline(never)]
fn tower_answer(req: TowerRequest) -> TowerResponse {
    drop(req);
    http::Response::new(String::new())
}

/// Calls a tower service once, ready or not.
pub fn tower_call<S>(svc: &mut S, req: TowerRequest) -> TowerResponse
where
    S: tower::Service<TowerRequest, Response = TowerResponse>,
    S::Error: std::fmt::Debug,
{
    let mut cx = Context::from_waker(Waker::noop());
    match svc.poll_ready(&mut cx) {
        Poll::Ready(Ok(())) => {}
        other => panic!("service not ready: {other:?}"),
    }
    match now(svc.call(req)) {
        Ok(r) => r,
        Err(e) => panic!("service error: {e:?}"),
    }
}

/// The headers of a tower response as `(lower-case name, value)` pairs.
pub fn tower_headers(r: &TowerResponse) -> Vec<(String, String)> {
    r.headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// tower-http's `CorsLayer` with the shared policy.
pub fn tower_http_layer() -> tower_http::cors::CorsLayer {
    use http::{HeaderName, HeaderValue, Method};
    let origins: Vec<HeaderValue> = ORIGINS
        .iter()
        .map(|o| HeaderValue::from_static(o))
        .collect();
    let methods: Vec<Method> = METHODS
        .iter()
        .map(|m| Method::from_bytes(m.as_bytes()).unwrap_or(Method::GET))
        .collect();
    let headers: Vec<HeaderName> = HEADERS.iter().map(|h| HeaderName::from_static(h)).collect();
    tower_http::cors::CorsLayer::new()
        .allow_origin(origins)
        .allow_methods(methods)
        .allow_headers(headers)
        .expose_headers([HeaderName::from_static(EXPOSE)])
        .allow_credentials(true)
        .max_age(Duration::from_secs(u64::from(MAX_AGE)))
}

/// The floor: what any CORS layer must at least do for these two requests,
/// with no decision at all: find the echoed values, write the headers
/// docs/behaviour.md §3 requires into the response map, answer the
/// preflight itself. Not a CORS layer (it checks nothing); it shows which
/// part of a layer's cost is the header map's. Called directly, so it pays
/// no layer's response future ([`TowerFloor`] does).
pub fn tower_floor<S>(inner: &mut S, req: TowerRequest) -> TowerResponse
where
    S: tower::Service<TowerRequest, Response = TowerResponse>,
    S::Error: std::fmt::Debug,
{
    if req.method() == http::Method::OPTIONS {
        return tower_floor_preflight(req);
    }
    let origin = tower_floor_origin(&req);
    let mut resp = tower_call(inner, req);
    tower_floor_actual(origin, resp.headers_mut());
    resp
}

/// A value an answer echoes, before it is set.
const ECHOED: http::HeaderValue = http::HeaderValue::from_static("");

/// [`tower_floor`]'s answer to a preflight: the request's values, found in
/// one pass over its headers (cheaper than three lookups, each of which
/// hashes a name; cors-policy-http's view does the same for `OPTIONS`),
/// set into a clone of a map made once (two allocations, no hashing: the
/// cheapest way we know to fill a new map, what cors-policy-http's
/// templates do).
#[inline(always)]
pub fn tower_floor_preflight(req: TowerRequest) -> TowerResponse {
    use http::HeaderMap;
    use http::HeaderValue;
    use http::header::{
        ACCESS_CONTROL_ALLOW_CREDENTIALS as ACAC, ACCESS_CONTROL_ALLOW_HEADERS as ACAH,
        ACCESS_CONTROL_ALLOW_METHODS as ACAM, ACCESS_CONTROL_ALLOW_ORIGIN as ACAO,
        ACCESS_CONTROL_MAX_AGE as ACMA, ACCESS_CONTROL_REQUEST_HEADERS as ACRH,
        ACCESS_CONTROL_REQUEST_METHOD as ACRM, ORIGIN, VARY,
    };
    use std::sync::LazyLock;
    static PREFLIGHT: LazyLock<HeaderMap> = LazyLock::new(|| {
        let mut m = HeaderMap::with_capacity(6);
        m.append(ACAO, ECHOED);
        m.append(ACAC, HeaderValue::from_static("true"));
        m.append(ACAM, ECHOED);
        m.append(ACAH, ECHOED);
        m.append(ACMA, HeaderValue::from_static("86400"));
        m.append(
            VARY,
            HeaderValue::from_static(
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
        );
        m
    });
    let mut echoed = [ECHOED; 3];
    for (name, value) in req.headers() {
        let slot = if name == ORIGIN {
            0
        } else if name == ACRM {
            1
        } else if name == ACRH {
            2
        } else {
            continue;
        };
        echoed[slot] = value.clone();
    }
    drop(req);
    let mut resp = http::Response::new(String::new());
    *resp.status_mut() = http::StatusCode::NO_CONTENT;
    let mut m = PREFLIGHT.clone();
    // One pass over the values: the echoed ones are the 1st, 3rd and 4th.
    let mut values = m.values_mut();
    for (skip, v) in [0, 1, 0].into_iter().zip(echoed) {
        if let Some(slot) = values.nth(skip) {
            *slot = v;
        }
    }
    *resp.headers_mut() = m;
    resp
}

/// The origin an actual request's answer echoes (one lookup).
#[inline(always)]
pub fn tower_floor_origin(req: &TowerRequest) -> http::HeaderValue {
    req.headers()
        .get(http::header::ORIGIN)
        .cloned()
        .unwrap_or(ECHOED)
}

/// [`tower_floor`]'s headers on the application's response to an actual
/// request: a new (empty) map gets a clone of a map made once, with the
/// origin set in place; another one gets each header.
#[inline(always)]
pub fn tower_floor_actual(origin: http::HeaderValue, m: &mut http::HeaderMap) {
    use http::HeaderMap;
    use http::HeaderValue;
    use http::header::{
        ACCESS_CONTROL_ALLOW_CREDENTIALS as ACAC, ACCESS_CONTROL_ALLOW_ORIGIN as ACAO,
        ACCESS_CONTROL_EXPOSE_HEADERS as ACEH, VARY,
    };
    use std::sync::LazyLock;
    static ACTUAL: LazyLock<HeaderMap> = LazyLock::new(|| {
        let mut m = HeaderMap::with_capacity(4);
        m.append(ACAO, ECHOED);
        m.append(ACAC, HeaderValue::from_static("true"));
        m.append(ACEH, HeaderValue::from_static("x-request-id"));
        m.append(VARY, HeaderValue::from_static("Origin"));
        m
    });
    if m.is_empty() {
        let mut t = ACTUAL.clone();
        if let Some(v) = t.values_mut().next() {
            *v = origin;
        }
        *m = t;
    } else {
        m.insert(ACAO, origin);
        m.insert(ACAC, HeaderValue::from_static("true"));
        m.insert(ACEH, HeaderValue::from_static("x-request-id"));
        m.append(VARY, HeaderValue::from_static("Origin"));
    }
}

/// [`tower_floor`] as a tower layer's service, with the response future
/// such a layer needs (unboxed): the floor plus what the framework makes
/// any layer pay. Not a CORS layer; it checks nothing.
#[derive(Clone, Copy)]
pub struct TowerFloor<S>(pub S);

impl<S> tower::Service<TowerRequest> for TowerFloor<S>
where
    S: tower::Service<TowerRequest, Response = TowerResponse>,
{
    type Response = TowerResponse;
    type Error = S::Error;
    type Future = TowerFloorFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: TowerRequest) -> Self::Future {
        if req.method() == http::Method::OPTIONS {
            return TowerFloorFuture::Answer {
                response: Some(tower_floor_preflight(req)),
            };
        }
        let origin = Some(tower_floor_origin(&req));
        TowerFloorFuture::Inner {
            future: self.0.call(req),
            origin,
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`TowerFloor`].
    #[project = TowerFloorProj]
    pub enum TowerFloorFuture<F> {
        Answer { response: Option<TowerResponse> },
        Inner {
            #[pin]
            future: F,
            origin: Option<http::HeaderValue>,
        },
    }
}

impl<F, E> Future for TowerFloorFuture<F>
where
    F: Future<Output = Result<TowerResponse, E>>,
{
    type Output = Result<TowerResponse, E>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            TowerFloorProj::Answer { response } => match response.take() {
                Some(r) => Poll::Ready(Ok(r)),
                None => Poll::Pending,
            },
            TowerFloorProj::Inner { future, origin } => {
                let mut resp = match future.poll(cx) {
                    Poll::Ready(Ok(r)) => r,
                    other => return other,
                };
                if let Some(o) = origin.take() {
                    tower_floor_actual(o, resp.headers_mut());
                }
                Poll::Ready(Ok(resp))
            }
        }
    }
}

// ---------------------------------------------------------------- actix

/// Builds `req` for actix-web (`.to_request()` gives the request itself).
pub fn actix_request(req: Req) -> actix_web::test::TestRequest {
    let (method, headers) = req.parts();
    let method = actix_web::http::Method::from_bytes(method.as_bytes()).unwrap_or_default();
    let mut t = actix_web::test::TestRequest::default()
        .method(method)
        .uri("/");
    for (n, v) in headers {
        // actix-web 4 has its own header types (the `http` 0.2 ones).
        use actix_web::http::header::{HeaderName, HeaderValue};
        t = t.insert_header((HeaderName::from_static(n), HeaderValue::from_static(v)));
    }
    t
}

/// The inner handler: `200`, empty body.
pub async fn actix_handler() -> actix_web::HttpResponse {
    actix_web::HttpResponse::Ok().finish()
}

/// The headers of an actix response as `(lower-case name, value)` pairs.
pub fn actix_headers<B>(r: &actix_web::dev::ServiceResponse<B>) -> Vec<(String, String)> {
    r.headers()
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// actix-cors's `Cors` with the shared policy.
pub fn actix_cors() -> actix_cors::Cors {
    let mut c = actix_cors::Cors::default();
    for o in ORIGINS {
        c = c.allowed_origin(o);
    }
    c.allowed_methods(METHODS)
        .allowed_headers(HEADERS)
        .expose_headers([EXPOSE])
        .supports_credentials()
        .max_age(Some(MAX_AGE as usize))
}

/// [`tower_floor`] for actix: the preflight is answered with a new
/// response carrying the required headers, the actual response gets them
/// inserted. Not a CORS layer; it checks nothing. Returns the status and
/// the headers it sent, or `None` if the application failed.
pub async fn actix_floor<S, R, B>(app: &S, r: R) -> Option<actix_web::http::StatusCode>
where
    S: actix_web::dev::Service<
            R,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    R: actix_web::HttpMessage,
{
    actix_floor_headers(app, r, |_| {}).await
}

/// [`actix_floor`], handing the response's headers to `look` before it is dropped.
pub async fn actix_floor_headers<S, R, B>(
    app: &S,
    r: R,
    look: impl FnOnce(&actix_web::http::header::HeaderMap),
) -> Option<actix_web::http::StatusCode>
where
    S: actix_web::dev::Service<
            R,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    R: actix_web::HttpMessage,
{
    use actix_web::http::header::{
        ACCESS_CONTROL_REQUEST_HEADERS as ACRH, ACCESS_CONTROL_REQUEST_METHOD as ACRM, ORIGIN,
    };
    let origin = r.headers().get(ORIGIN).cloned();
    if let Some(acrm) = r.headers().get(ACRM).cloned() {
        let acrh = r.headers().get(ACRH).cloned();
        drop(r);
        let resp = actix_floor_preflight(origin, acrm, acrh);
        look(resp.headers());
        return Some(resp.status());
    }
    let mut resp = app.call(r).await.ok()?;
    actix_floor_actual(origin, resp.headers_mut());
    look(resp.headers());
    Some(resp.status())
}

/// What [`actix_floor`] echoes: the origin and, for a preflight, the
/// requested method and headers (three lookups: actix-web's iterator over
/// a map costs more, measured in issue 8).
#[allow(clippy::type_complexity)]
#[inline(always)]
fn actix_floor_read(
    h: &actix_web::http::header::HeaderMap,
) -> (
    Option<actix_web::http::header::HeaderValue>,
    Option<(
        actix_web::http::header::HeaderValue,
        Option<actix_web::http::header::HeaderValue>,
    )>,
) {
    use actix_web::http::header::{
        ACCESS_CONTROL_REQUEST_HEADERS as ACRH, ACCESS_CONTROL_REQUEST_METHOD as ACRM, ORIGIN,
    };
    let origin = h.get(ORIGIN).cloned();
    let preflight = h
        .get(ACRM)
        .cloned()
        .map(|acrm| (acrm, h.get(ACRH).cloned()));
    (origin, preflight)
}

/// [`actix_floor`]'s answer to a preflight. A new response's map holds none
/// of these names: `append` adds without looking for an old value, which
/// `insert` hands back (measured: 246 instructions an insert against 124
/// an append, `bash benches/callgrind.sh`).
#[inline(always)]
fn actix_floor_preflight(
    origin: Option<actix_web::http::header::HeaderValue>,
    acrm: actix_web::http::header::HeaderValue,
    acrh: Option<actix_web::http::header::HeaderValue>,
) -> actix_web::HttpResponse {
    use actix_web::http::header::{
        ACCESS_CONTROL_ALLOW_CREDENTIALS as ACAC, ACCESS_CONTROL_ALLOW_HEADERS as ACAH,
        ACCESS_CONTROL_ALLOW_METHODS as ACAM, ACCESS_CONTROL_ALLOW_ORIGIN as ACAO,
        ACCESS_CONTROL_MAX_AGE as ACMA, HeaderValue, VARY,
    };
    let mut resp = actix_web::HttpResponse::new(actix_web::http::StatusCode::NO_CONTENT);
    let m = resp.headers_mut();
    if let Some(o) = origin {
        m.append(ACAO, o);
    }
    m.append(ACAC, HeaderValue::from_static("true"));
    m.append(ACAM, acrm);
    if let Some(v) = acrh {
        m.append(ACAH, v);
    }
    m.append(ACMA, HeaderValue::from_static("86400"));
    m.append(
        VARY,
        HeaderValue::from_static(
            "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
        ),
    );
    resp
}

/// [`actix_floor`]'s headers on the application's response to an actual
/// request: appended to a map without them (the application's here),
/// inserted otherwise.
#[inline(always)]
fn actix_floor_actual(
    origin: Option<actix_web::http::header::HeaderValue>,
    m: &mut actix_web::http::header::HeaderMap,
) {
    use actix_web::http::header::{
        ACCESS_CONTROL_ALLOW_CREDENTIALS as ACAC, ACCESS_CONTROL_ALLOW_ORIGIN as ACAO,
        ACCESS_CONTROL_EXPOSE_HEADERS as ACEH, HeaderValue, VARY,
    };
    let fresh = m.is_empty();
    let mut put = |name, value| match fresh {
        true => m.append(name, value),
        false => drop(m.insert(name, value)),
    };
    if let Some(o) = origin {
        put(ACAO, o);
    }
    put(ACAC, HeaderValue::from_static("true"));
    put(ACEH, HeaderValue::from_static("x-request-id"));
    m.append(VARY, HeaderValue::from_static("Origin"));
}

/// [`actix_floor`] as a middleware: the floor plus what actix-web makes any
/// middleware pay (the request made into a `ServiceRequest` before any
/// middleware runs, the response future, the `EitherBody` a middleware
/// that answers preflights itself needs). Not a CORS layer; it checks
/// nothing.
pub struct ActixFloor;

impl<S, B> actix_web::dev::Transform<S, actix_web::dev::ServiceRequest> for ActixFloor
where
    S: actix_web::dev::Service<
            actix_web::dev::ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    type Response = actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>;
    type Error = actix_web::Error;
    type Transform = ActixFloorService<S>;
    type InitError = ();
    type Future = std::future::Ready<Result<ActixFloorService<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        std::future::ready(Ok(ActixFloorService { service }))
    }
}

/// The service of [`ActixFloor`].
pub struct ActixFloorService<S> {
    service: S,
}

impl<S, B> actix_web::dev::Service<actix_web::dev::ServiceRequest> for ActixFloorService<S>
where
    S: actix_web::dev::Service<
            actix_web::dev::ServiceRequest,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    B: actix_web::body::MessageBody,
{
    type Response = actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>;
    type Error = actix_web::Error;
    type Future = ActixFloorFuture<S::Future, B>;

    actix_web::dev::forward_ready!(service);

    fn call(&self, req: actix_web::dev::ServiceRequest) -> Self::Future {
        let (origin, preflight) = actix_floor_read(req.headers());
        if let Some((acrm, acrh)) = preflight {
            let resp = actix_floor_preflight(origin, acrm, acrh);
            return ActixFloorFuture::Answer {
                response: Some(req.into_response(resp.map_into_right_body())),
            };
        }
        ActixFloorFuture::Inner {
            future: self.service.call(req),
            origin,
        }
    }
}

pin_project_lite::pin_project! {
    /// The response future of [`ActixFloorService`].
    #[project = ActixFloorProj]
    pub enum ActixFloorFuture<F, B> {
        Answer {
            response: Option<
                actix_web::dev::ServiceResponse<
                    actix_web::body::EitherBody<B, actix_web::body::BoxBody>,
                >,
            >,
        },
        Inner {
            #[pin]
            future: F,
            origin: Option<actix_web::http::header::HeaderValue>,
        },
    }
}

impl<F, B> Future for ActixFloorFuture<F, B>
where
    F: Future<Output = Result<actix_web::dev::ServiceResponse<B>, actix_web::Error>>,
{
    type Output =
        Result<actix_web::dev::ServiceResponse<actix_web::body::EitherBody<B>>, actix_web::Error>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            ActixFloorProj::Answer { response } => match response.take() {
                Some(r) => Poll::Ready(Ok(r)),
                None => Poll::Pending,
            },
            ActixFloorProj::Inner { future, origin } => {
                let mut resp = match future.poll(cx) {
                    Poll::Ready(Ok(r)) => r.map_into_left_body(),
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => return Poll::Pending,
                };
                actix_floor_actual(origin.take(), resp.headers_mut());
                Poll::Ready(Ok(resp))
            }
        }
    }
}
