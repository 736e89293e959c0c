//! The lean layer (issue 17): the cheapest general CORS layer for tower
//! we know how to write on the core's public API, measured beside ours to
//! bound what any other shape of `cors-policy-tower` could reach. Not a
//! product: benches only, and checked to answer as ours does
//! ([`matches_ours`], in `benches/callgrind.rs` before it is counted and in
//! `benches/alloc_counts.rs` around an application with headers).
//!
//! General where the floor is not: any policy (the answer of each shape
//! made once, on first use, as ours does), the core's decision on every
//! request, the echoed values checked against what the core decided (it
//! may trim them), `Origin` refused when it has several lines, a response
//! that already has headers. What it gives up, and ours does not:
//!
//! - a header of several lines is looked up again for each line (the http
//!   crate's value iterator is neither `Clone` nor small), which is
//!   quadratic in the lines; ours keeps such a header's iterator in a box,
//!   linear, at the price of header lines that are not `Copy`;
//! - unless `FEATURES`: the policy of several types (ours calls it through
//!   `dyn`), the swappable policy source, the run-time origin check, the
//!   debug switch, the refusal hook and the refusal extension. `FEATURES`
//!   adds them at their cheapest; `DYN` calls the policy through `dyn`, as
//!   a layer of one type for every kind of policy must.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::task::{Context, Poll};

use cors_policy::{Decision, Options, Policy, Refusal, Request, RequestKind, evaluate_with};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use super::{TowerRequest, TowerResponse};

const ACAPN: HeaderName = HeaderName::from_static("access-control-allow-private-network");
static ORIGIN: HeaderName = header::ORIGIN;
static ACRM: HeaderName = header::ACCESS_CONTROL_REQUEST_METHOD;
static ACRH: HeaderName = header::ACCESS_CONTROL_REQUEST_HEADERS;
static ACRPN: HeaderName = HeaderName::from_static("access-control-request-private-network");
const ECHOED: HeaderValue = HeaderValue::from_static("");
const STAR: HeaderValue = HeaderValue::from_static("*");
const TRUE: HeaderValue = HeaderValue::from_static("true");

/// The lines of one request header: `Copy`, three words.
#[derive(Clone, Copy)]
pub enum Lines<'r> {
    /// Absent, or every line given.
    Done,
    /// One line, not given yet.
    One(&'r HeaderValue),
    /// Not looked up yet.
    Deferred(&'r HeaderMap, &'static HeaderName),
    /// Several lines, `.2` of them given.
    Many(&'r HeaderMap, &'static HeaderName, usize),
}

impl<'r> Lines<'r> {
    /// The lines a pass over the map found: the first, and how many.
    #[inline]
    fn found(
        map: &'r HeaderMap,
        name: &'static HeaderName,
        first: Option<&'r HeaderValue>,
        n: usize,
    ) -> Self {
        match (first, n) {
            (Some(v), 1) => Lines::One(v),
            (Some(_), _) => Lines::Many(map, name, 0),
            _ => Lines::Done,
        }
    }

    #[inline(never)]
    fn slow(&mut self) -> Option<&'r [u8]> {
        match *self {
            Lines::Deferred(map, name) => {
                let mut it = map.get_all(name).iter();
                let (first, second) = (it.next(), it.next());
                *self = match second {
                    Some(_) => Lines::Many(map, name, 1),
                    None => Lines::Done,
                };
                first.map(HeaderValue::as_bytes)
            }
            Lines::Many(map, name, k) => {
                let v = map.get_all(name).iter().nth(k)?;
                *self = Lines::Many(map, name, k + 1);
                Some(v.as_bytes())
            }
            Lines::Done | Lines::One(_) => None,
        }
    }
}

impl<'r> Iterator for Lines<'r> {
    type Item = &'r [u8];

    #[inline]
    fn next(&mut self) -> Option<&'r [u8]> {
        match *self {
            Lines::Done => None,
            Lines::One(v) => {
                *self = Lines::Done;
                Some(v.as_bytes())
            }
            _ => self.slow(),
        }
    }
}

/// The bits of an answer's shape: which headers it has.
mod bit {
    pub const ORIGIN: u8 = 1;
    pub const METHODS: u8 = 2;
    pub const HEADERS: u8 = 4;
    pub const CREDENTIALS: u8 = 8;
    pub const MAX_AGE: u8 = 16;
    pub const EXPOSE: u8 = 32;
    pub const PRIVATE_NETWORK: u8 = 64;
    pub const PREFLIGHT: u8 = 128;
}

#[inline]
fn when(on: bool, bit: u8) -> u8 {
    if on { bit } else { 0 }
}

/// An answer of one shape, the echoed values empty and first.
struct Template {
    vary: &'static str,
    map: HeaderMap,
}

/// The core's evaluation behind a pointer.
pub trait Eval: Send + Sync {
    /// [`evaluate_with`] under this policy.
    fn eval<'p, 'r>(
        &'p self,
        request: &Request<'r, Lines<'r>>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, Lines<'r>>;
}

impl Eval for &'static Policy<'static> {
    #[inline]
    fn eval<'p, 'r>(
        &'p self,
        request: &Request<'r, Lines<'r>>,
        options: &Options<'_>,
    ) -> Decision<'p, 'r, Lines<'r>> {
        evaluate_with(*self, request, options)
    }
}

/// What the layer keeps per policy.
pub struct Shared {
    policy: &'static Policy<'static>,
    eval: Arc<dyn Eval>,
    max_age: Option<HeaderValue>,
    expose: Option<HeaderValue>,
    /// One answer per shape, made on first use.
    slots: Box<[OnceLock<Option<Template>>]>,
}

impl Shared {
    #[inline]
    fn template(&self, shape: u8, vary: &'static str) -> Option<&HeaderMap> {
        let t = self
            .slots
            .get(usize::from(shape))?
            .get_or_init(|| self.build(shape, vary))
            .as_ref()?;
        (t.vary.as_ptr() == vary.as_ptr() && t.vary.len() == vary.len()).then_some(&t.map)
    }

    #[cold]
    fn build(&self, shape: u8, vary: &'static str) -> Option<Template> {
        let on = |b: u8| shape & b != 0;
        let mut map = HeaderMap::new();
        // The echoed values first, in the order `Plan::apply` and
        // `Lean::call` set them.
        if on(bit::ORIGIN) {
            map.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, ECHOED);
        }
        if on(bit::METHODS) {
            map.append(header::ACCESS_CONTROL_ALLOW_METHODS, ECHOED);
        }
        if on(bit::HEADERS) {
            map.append(header::ACCESS_CONTROL_ALLOW_HEADERS, ECHOED);
        }
        if on(bit::CREDENTIALS) {
            map.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
        if on(bit::MAX_AGE) {
            map.append(header::ACCESS_CONTROL_MAX_AGE, self.max_age.clone()?);
        }
        if on(bit::EXPOSE) {
            map.append(header::ACCESS_CONTROL_EXPOSE_HEADERS, self.expose.clone()?);
        }
        if on(bit::PRIVATE_NETWORK) {
            map.append(ACAPN, TRUE);
        }
        if !vary.is_empty() {
            map.append(header::VARY, HeaderValue::from_static(vary));
        }
        Some(Template { vary, map })
    }
}

type OriginCheck = Arc<dyn Fn(&[u8]) -> bool + Send + Sync>;
type RefusalHook = Arc<dyn Fn(&Refusal<'_>) + Send + Sync>;

/// The features, at their cheapest.
struct Features {
    source: Source,
    origin_check: Option<OriginCheck>,
    debug: Arc<AtomicBool>,
    on_refusal: Option<RefusalHook>,
}

enum Source {
    Fixed(Arc<Shared>),
    Swappable(Arc<RwLock<Arc<Shared>>>),
}

/// What an actual request's response gets, carried to `poll`.
pub struct Plan {
    origin: Option<HeaderValue>,
    shape: u8,
    vary: &'static str,
    shared: Arc<Shared>,
}

/// Every CORS response header's name, removed from a response that
/// already has headers.
const CORS_HEADERS: [HeaderName; 7] = [
    header::ACCESS_CONTROL_ALLOW_ORIGIN,
    header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
    header::ACCESS_CONTROL_ALLOW_METHODS,
    header::ACCESS_CONTROL_ALLOW_HEADERS,
    header::ACCESS_CONTROL_MAX_AGE,
    header::ACCESS_CONTROL_EXPOSE_HEADERS,
    ACAPN,
];

impl Plan {
    #[inline]
    fn apply(self, map: &mut HeaderMap) {
        if map.is_empty()
            && let Some(t) = self.shared.template(self.shape, self.vary)
        {
            *map = t.clone();
            if let Some(o) = self.origin
                && let Some(slot) = map.values_mut().next()
            {
                *slot = o;
            }
            return;
        }
        self.general(map);
    }

    #[inline(never)]
    fn general(self, map: &mut HeaderMap) {
        for n in CORS_HEADERS {
            map.remove(n);
        }
        if let Some(o) = self.origin {
            map.append(header::ACCESS_CONTROL_ALLOW_ORIGIN, o);
        }
        if self.shape & bit::CREDENTIALS != 0 {
            map.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
        }
        if self.shape & bit::EXPOSE != 0
            && let Some(e) = self.shared.expose.clone()
        {
            map.append(header::ACCESS_CONTROL_EXPOSE_HEADERS, e);
        }
        merge_vary(map, self.vary);
    }
}

/// Adds the tokens of `joined` to `map`'s `Vary`, as ours does: one line
/// when the map has no `Vary` or none of them, each missing token on a
/// line of its own otherwise, nothing when it varies on `*`.
fn merge_vary(map: &mut HeaderMap, joined: &'static str) {
    let present: Vec<String> = map
        .get_all(header::VARY)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().to_ascii_lowercase())
        .collect();
    if joined.is_empty() || present.iter().any(|t| t == "*") {
        return;
    }
    let missing: Vec<&'static str> = joined
        .split(", ")
        .filter(|t| !present.contains(&t.to_ascii_lowercase()))
        .collect();
    if missing.len() == joined.split(", ").count() {
        map.append(header::VARY, HeaderValue::from_static(joined));
    } else {
        for t in missing {
            map.append(header::VARY, HeaderValue::from_static(t));
        }
    }
}

/// The lean layer's service; see the module docs.
pub struct Lean<S, const FEATURES: bool, const DYN: bool> {
    inner: S,
    shared: Arc<Shared>,
    features: Arc<Features>,
    refusal_extension: bool,
}

impl<S, const FEATURES: bool, const DYN: bool> Lean<S, FEATURES, DYN> {
    /// The layer's service for `policy` around `inner`.
    pub fn new(inner: S, policy: &'static Policy<'static>) -> Self {
        let value = |b: Option<&[u8]>| b.and_then(|b| HeaderValue::from_bytes(b).ok());
        let shared = Arc::new(Shared {
            policy,
            eval: Arc::new(policy),
            max_age: value(policy.max_age_value()),
            expose: value(policy.expose_headers_value()),
            slots: (0..256).map(|_| OnceLock::new()).collect(),
        });
        Lean {
            inner,
            features: Arc::new(Features {
                source: Source::Fixed(Arc::clone(&shared)),
                origin_check: None,
                debug: Arc::new(AtomicBool::new(false)),
                on_refusal: None,
            }),
            shared,
            refusal_extension: false,
        }
    }
}

/// Are `own`'s bytes `bytes`? The core hands back the request's own bytes
/// when it did not trim them: then the pointers match.
#[inline]
fn same_bytes(own: &[u8], bytes: &[u8]) -> bool {
    (own.as_ptr() == bytes.as_ptr() && own.len() == bytes.len()) || own == bytes
}

/// The value to echo for `bytes`, if any: the request's own single `line`
/// when it is those bytes (a clone); `Err` when it is not (the answer is
/// then written header by header).
#[inline]
fn own(line: Option<&HeaderValue>, bytes: Option<&[u8]>) -> Result<Option<HeaderValue>, ()> {
    match (line, bytes) {
        (_, None) => Ok(None),
        (Some(v), Some(b)) if same_bytes(v.as_bytes(), b) => Ok(Some(v.clone())),
        (_, Some(_)) => Err(()),
    }
}

/// The value to echo for `bytes`: the request's own `line` when it is
/// those bytes (a clone), a new value otherwise.
#[inline]
fn echo(line: Option<&HeaderValue>, bytes: &[u8]) -> Option<HeaderValue> {
    match line {
        Some(v) if same_bytes(v.as_bytes(), bytes) => Some(v.clone()),
        _ => HeaderValue::from_bytes(bytes).ok(),
    }
}

/// A preflight's answer header by header: several header lines, trimmed
/// values, the first answer of a shape the policy cannot prepare.
#[inline(never)]
fn preflight_general(d: &Decision<'_, '_, Lines<'_>>, shared: &Shared) -> HeaderMap {
    let mut m = HeaderMap::new();
    let value = |b: &[u8]| HeaderValue::from_bytes(b).ok();
    match d.allow_origin() {
        Some(o) if d.echoes_origin() => {
            m.extend(value(o).map(|v| (header::ACCESS_CONTROL_ALLOW_ORIGIN, v)))
        }
        Some(_) => m.extend([(header::ACCESS_CONTROL_ALLOW_ORIGIN, STAR)]),
        None => {}
    }
    if d.allows_credentials() {
        m.append(header::ACCESS_CONTROL_ALLOW_CREDENTIALS, TRUE);
    }
    if let Some(v) = d.allow_methods().and_then(value) {
        m.append(header::ACCESS_CONTROL_ALLOW_METHODS, v);
    }
    for v in d.allow_headers().filter_map(value) {
        m.append(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
    }
    if let Some(v) = shared.max_age.clone().filter(|_| d.max_age().is_some()) {
        m.append(header::ACCESS_CONTROL_MAX_AGE, v);
    }
    if d.allows_private_network() {
        m.append(ACAPN, TRUE);
    }
    if !d.vary_value().is_empty() {
        m.append(header::VARY, HeaderValue::from_static(d.vary_value()));
    }
    m
}

impl<S, const FEATURES: bool, const DYN: bool> tower::Service<TowerRequest>
    for Lean<S, FEATURES, DYN>
where
    S: tower::Service<TowerRequest, Response = TowerResponse>,
{
    type Response = TowerResponse;
    type Error = S::Error;
    type Future = LeanFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    #[inline]
    fn call(&mut self, req: TowerRequest) -> Self::Future {
        let features = &*self.features;
        let guard;
        let shared_arc: &Arc<Shared> = match &features.source {
            Source::Fixed(s) if FEATURES => s,
            Source::Swappable(l) if FEATURES => {
                guard = match l.read() {
                    Ok(g) => Arc::clone(&g),
                    Err(_) => Arc::clone(&self.shared),
                };
                &guard
            }
            _ => &self.shared,
        };
        let shared = &**shared_arc;
        let options = Options {
            origin_check: match FEATURES {
                true => features
                    .origin_check
                    .as_deref()
                    .map(|f| f as &dyn Fn(&[u8]) -> bool),
                false => None,
            },
            debug: FEATURES && features.debug.load(Ordering::Relaxed),
        };
        // A macro rather than a closure: the decision borrows the request.
        macro_rules! decide {
            ($request:expr) => {{
                let d = match DYN {
                    true => shared.eval.eval($request, &options),
                    false => evaluate_with(shared.policy, $request, &options),
                };
                if FEATURES
                    && let Some(r) = d.refusal()
                    && let Some(hook) = &features.on_refusal
                {
                    hook(&r);
                }
                d
            }};
        }
        let map = req.headers();
        if req.method() == http::Method::OPTIONS {
            // `Origin`, ACRM and ACRH in one pass: the first line of each,
            // and how many.
            let mut first: [Option<&HeaderValue>; 3] = [None; 3];
            let mut n = [0usize; 3];
            for (name, value) in map {
                let i = if *name == header::ORIGIN {
                    0
                } else if *name == header::ACCESS_CONTROL_REQUEST_METHOD {
                    1
                } else if *name == header::ACCESS_CONTROL_REQUEST_HEADERS {
                    2
                } else {
                    continue;
                };
                if let (Some(f), Some(k)) = (first.get_mut(i), n.get_mut(i)) {
                    f.get_or_insert(value);
                    *k += 1;
                }
            }
            let [f0, f1, f2] = first;
            let [n0, n1, n2] = n;
            let request = Request::from_lines(
                b"OPTIONS",
                [
                    Lines::found(map, &ORIGIN, f0, n0),
                    Lines::found(map, &ACRM, f1, n1),
                    Lines::found(map, &ACRH, f2, n2),
                    Lines::Deferred(map, &ACRPN),
                ],
            );
            let d = decide!(&request);
            if d.kind() == RequestKind::Preflight {
                let mut resp = http::Response::new(String::new());
                *resp.status_mut() =
                    http::StatusCode::from_u16(d.preflight_status().unwrap_or(403))
                        .unwrap_or(http::StatusCode::FORBIDDEN);
                // The request's own single lines are echoed, the usual
                // case; anything else (`Err`) is answered header by header.
                let origin = match d.allow_origin() {
                    Some(o) if d.echoes_origin() => own(f0.filter(|_| n0 == 1), Some(o)),
                    Some(_) => Ok(Some(STAR)),
                    None => Ok(None),
                };
                let methods = own(f1.filter(|_| n1 == 1), d.allow_methods());
                let mut lines = d.allow_headers();
                let headers = match (lines.next(), lines.next()) {
                    (Some(_), Some(_)) => Err(()),
                    (line, _) => own(f2.filter(|_| n2 == 1), line),
                };
                let m = resp.headers_mut();
                if let (Ok(origin), Ok(methods), Ok(headers)) = (origin, methods, headers) {
                    let shape = when(origin.is_some(), bit::ORIGIN)
                        | when(methods.is_some(), bit::METHODS)
                        | when(headers.is_some(), bit::HEADERS)
                        | when(d.allows_credentials(), bit::CREDENTIALS)
                        | when(d.max_age().is_some(), bit::MAX_AGE)
                        | when(d.allows_private_network(), bit::PRIVATE_NETWORK)
                        | bit::PREFLIGHT;
                    if let Some(t) = shared.template(shape, d.vary_value()) {
                        *m = t.clone();
                        let mut slots = m.values_mut();
                        for v in [origin, methods, headers].into_iter().flatten() {
                            if let Some(s) = slots.next() {
                                *s = v;
                            }
                        }
                        return LeanFuture::Answer {
                            response: Some(resp),
                        };
                    }
                }
                *m = preflight_general(&d, shared);
                return LeanFuture::Answer {
                    response: Some(resp),
                };
            }
        }
        // Not a preflight: `Origin`, refused by the core when it has
        // several lines.
        let mut it = map.get_all(&ORIGIN).iter();
        let (o1, o2) = (it.next(), it.next());
        let origin_lines = match (o1, o2) {
            (None, _) => Lines::Done,
            (Some(v), None) => Lines::One(v),
            (Some(_), Some(_)) => Lines::Many(map, &ORIGIN, 0),
        };
        let request = Request::from_lines(
            req.method().as_str().as_bytes(),
            [
                origin_lines,
                Lines::Deferred(map, &ACRM),
                Lines::Deferred(map, &ACRH),
                Lines::Deferred(map, &ACRPN),
            ],
        );
        let d = decide!(&request);
        let origin = match d.allow_origin() {
            Some(o) if d.echoes_origin() => echo(o1.filter(|_| o2.is_none()), o),
            Some(_) => Some(STAR),
            None => None,
        };
        let shape = when(origin.is_some(), bit::ORIGIN)
            | when(d.allows_credentials(), bit::CREDENTIALS)
            | when(d.expose_headers().is_some(), bit::EXPOSE);
        let vary = d.vary_value();
        let plan = (shape != 0 || !vary.is_empty()).then(|| Plan {
            origin,
            shape,
            vary,
            shared: Arc::clone(shared_arc),
        });
        let refusal = match FEATURES && self.refusal_extension {
            true => d.refusal().map(|r| Box::new(r.code())),
            false => None,
        };
        LeanFuture::Inner {
            future: self.inner.call(req),
            plan,
            refusal,
        }
    }
}

pin_project_lite::pin_project! {
    /// The lean layer's response future.
    #[project = LeanProj]
    pub enum LeanFuture<F> {
        /// A preflight's answer.
        Answer { response: Option<TowerResponse> },
        /// The application's response, and what it gets.
        Inner {
            #[pin]
            future: F,
            plan: Option<Plan>,
            refusal: Option<Box<&'static str>>,
        },
    }
}

impl<F, E> Future for LeanFuture<F>
where
    F: Future<Output = Result<TowerResponse, E>>,
{
    type Output = Result<TowerResponse, E>;

    #[inline]
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project() {
            LeanProj::Answer { response } => match response.take() {
                Some(r) => Poll::Ready(Ok(r)),
                None => Poll::Pending,
            },
            LeanProj::Inner {
                future,
                plan,
                refusal,
            } => {
                let mut resp = match future.poll(cx) {
                    Poll::Ready(Ok(r)) => r,
                    other => return other,
                };
                if let Some(p) = plan.take() {
                    p.apply(resp.headers_mut());
                }
                if let Some(r) = refusal.take() {
                    resp.extensions_mut().insert(*r);
                }
                Poll::Ready(Ok(resp))
            }
        }
    }
}

/// An application that answers with headers: a type, `Vary` on two
/// tokens (one of which a CORS answer varies on too) and its own
/// `Access-Control-Allow-Origin`, which a CORS layer replaces.
pub async fn app_with_headers(_: TowerRequest) -> Result<TowerResponse, std::convert::Infallible> {
    let mut r = TowerResponse::new(String::new());
    let h = r.headers_mut();
    h.insert("content-type", http::HeaderValue::from_static("text/plain"));
    h.append(
        "vary",
        http::HeaderValue::from_static("Accept-Encoding, origin"),
    );
    h.insert(
        "access-control-allow-origin",
        http::HeaderValue::from_static("*"),
    );
    Ok(r)
}

/// Checks that the lean layer answers as ours does (status, headers and
/// their lines) on the measured requests and on requests that take its
/// other paths: refusals, no `Origin`, several lines, trimmed values,
/// private network. Panics naming the first request answered otherwise.
pub fn matches_ours<L, O>(lean: &mut L, ours: &mut O)
where
    L: tower::Service<TowerRequest, Response = TowerResponse>,
    L::Error: std::fmt::Debug,
    O: tower::Service<TowerRequest, Response = TowerResponse>,
    O::Error: std::fmt::Debug,
{
    let o = ("origin", super::ORIGIN);
    let m = |v| ("access-control-request-method", v);
    let h = |v| ("access-control-request-headers", v);
    let cases: &[(&str, &[(&str, &str)])] = &[
        ("OPTIONS", &[o, m("PUT"), h(super::ACRH)]),
        ("GET", &[o]),
        ("GET", &[]),
        ("GET", &[("origin", "https://evil.example")]),
        ("GET", &[o, o]),
        ("POST", &[o, m("PUT")]),
        ("OPTIONS", &[o]),
        ("OPTIONS", &[]),
        ("OPTIONS", &[o, m("PATCH")]),
        ("OPTIONS", &[o, m("PUT"), h("x-unknown")]),
        ("OPTIONS", &[o, m("GET")]),
        (
            "OPTIONS",
            &[o, m("PUT"), h("authorization"), h("content-type")],
        ),
        ("OPTIONS", &[o, m("PUT"), h(" authorization ")]),
        ("OPTIONS", &[("origin", "https://evil.example"), m("PUT")]),
        ("OPTIONS", &[o, o, m("PUT")]),
        ("OPTIONS", &[o, m("PUT"), m("PUT")]),
        (
            "OPTIONS",
            &[
                o,
                m("PUT"),
                ("access-control-request-private-network", "true"),
            ],
        ),
    ];
    for (method, headers) in cases {
        let request = || {
            let mut b = http::Request::builder().method(*method).uri("/");
            for (n, v) in *headers {
                b = b.header(*n, *v);
            }
            b.body(String::new()).expect("a valid request")
        };
        let answer = |r: TowerResponse| {
            let mut h = super::tower_headers(&r);
            h.sort();
            (r.status().as_u16(), h)
        };
        assert_eq!(
            answer(super::tower_call(lean, request())),
            answer(super::tower_call(ours, request())),
            "the lean layer answers {method} {headers:?} otherwise than ours (left: lean)"
        );
    }
}
