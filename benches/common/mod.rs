//! What `benches/adapters.rs` and `benches/alloc_counts.rs` share: the one
//! policy of the side-by-side comparison, the two requests, the services of
//! each library, and a check that an answer is what CORS requires.
//!
//! Every library gets the same request, built the same way outside the
//! measured code, and the same inner handler, which answers `200` with an
//! empty body; `bare` is that handler without any CORS layer.

// Each bench binary uses a part of this module.
#![allow(dead_code)]

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

/// The inner handler: `200`, empty body.
pub async fn tower_handler(_req: TowerRequest) -> Result<TowerResponse, Infallible> {
    Ok(http::Response::new(String::new()))
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
/// with no decision at all: look the echoed values up once, write the
/// headers docs/behaviour.md §3 requires into the response map, answer the
/// preflight itself. Not a CORS layer (it checks nothing); it shows which
/// part of a layer's cost is the header map's.
pub fn tower_floor<S>(inner: &mut S, req: TowerRequest) -> TowerResponse
where
    S: tower::Service<TowerRequest, Response = TowerResponse>,
    S::Error: std::fmt::Debug,
{
    use http::HeaderMap;
    use http::HeaderValue;
    use http::header::{
        ACCESS_CONTROL_ALLOW_CREDENTIALS as ACAC, ACCESS_CONTROL_ALLOW_HEADERS as ACAH,
        ACCESS_CONTROL_ALLOW_METHODS as ACAM, ACCESS_CONTROL_ALLOW_ORIGIN as ACAO,
        ACCESS_CONTROL_EXPOSE_HEADERS as ACEH, ACCESS_CONTROL_MAX_AGE as ACMA,
        ACCESS_CONTROL_REQUEST_HEADERS as ACRH, ACCESS_CONTROL_REQUEST_METHOD as ACRM, ORIGIN,
        VARY,
    };
    use std::sync::LazyLock;
    // The cheapest way we know to fill a new or empty map: clone a map
    // made once (two allocations, no hashing) and set the echoed values
    // in place (what `cors-policy-http`'s templates do).
    const ECHOED: HeaderValue = HeaderValue::from_static("");
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
    static ACTUAL: LazyLock<HeaderMap> = LazyLock::new(|| {
        let mut m = HeaderMap::with_capacity(4);
        m.append(ACAO, ECHOED);
        m.append(ACAC, HeaderValue::from_static("true"));
        m.append(ACEH, HeaderValue::from_static("x-request-id"));
        m.append(VARY, HeaderValue::from_static("Origin"));
        m
    });
    let origin = req.headers().get(ORIGIN).cloned().unwrap_or(ECHOED);
    if req.method() == http::Method::OPTIONS {
        let mut resp = http::Response::new(String::new());
        *resp.status_mut() = http::StatusCode::NO_CONTENT;
        let echoed = [
            origin,
            req.headers().get(ACRM).cloned().unwrap_or(ECHOED),
            req.headers().get(ACRH).cloned().unwrap_or(ECHOED),
        ];
        let mut m = PREFLIGHT.clone();
        for (slot, i) in [0, 2, 3].into_iter().enumerate() {
            if let Some(v) = m.values_mut().nth(i) {
                *v = echoed[slot].clone();
            }
        }
        *resp.headers_mut() = m;
        return resp;
    }
    let mut resp = tower_call(inner, req);
    let m = resp.headers_mut();
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
    resp
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
        ACCESS_CONTROL_ALLOW_CREDENTIALS as ACAC, ACCESS_CONTROL_ALLOW_HEADERS as ACAH,
        ACCESS_CONTROL_ALLOW_METHODS as ACAM, ACCESS_CONTROL_ALLOW_ORIGIN as ACAO,
        ACCESS_CONTROL_EXPOSE_HEADERS as ACEH, ACCESS_CONTROL_MAX_AGE as ACMA,
        ACCESS_CONTROL_REQUEST_HEADERS as ACRH, ACCESS_CONTROL_REQUEST_METHOD as ACRM, HeaderValue,
        ORIGIN, VARY,
    };
    let origin = r.headers().get(ORIGIN).cloned();
    if let Some(acrm) = r.headers().get(ACRM).cloned() {
        let acrh = r.headers().get(ACRH).cloned();
        drop(r);
        let mut resp = actix_web::HttpResponse::NoContent().finish();
        let m = resp.headers_mut();
        if let Some(o) = origin {
            m.insert(ACAO, o);
        }
        m.insert(ACAC, HeaderValue::from_static("true"));
        m.insert(ACAM, acrm);
        if let Some(v) = acrh {
            m.insert(ACAH, v);
        }
        m.insert(ACMA, HeaderValue::from_static("86400"));
        m.insert(
            VARY,
            HeaderValue::from_static(
                "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
            ),
        );
        look(resp.headers());
        return Some(resp.status());
    }
    let mut resp = app.call(r).await.ok()?;
    let m = resp.headers_mut();
    if let Some(o) = origin {
        m.insert(ACAO, o);
    }
    m.insert(ACAC, HeaderValue::from_static("true"));
    m.insert(ACEH, HeaderValue::from_static("x-request-id"));
    m.append(VARY, HeaderValue::from_static("Origin"));
    look(resp.headers());
    Some(resp.status())
}
