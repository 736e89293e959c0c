//! [`cors_policy`] as actix-web 4 middleware, with every answer taken from
//! the core's decision.
//!
//! # Example
//!
//! ```
//! use actix_web::{App, HttpResponse, test, web};
//! use cors_policy::{Policy, PolicyBuilder};
//! use cors_policy_actix::Cors;
//!
//! static POLICY: Policy<'static> = match PolicyBuilder::new()
//!     .allow_origins(&["https://app.example"])
//!     .allow_methods(&["GET", "PUT"])
//!     .build()
//! {
//!     Ok(p) => p,
//!     Err(_) => panic!("invalid CORS policy"),
//! };
//!
//! # actix_web::rt::System::new().block_on(async {
//! let app = test::init_service(
//!     App::new()
//!         .wrap(Cors::new(&POLICY))
//!         .default_service(web::to(|| async { HttpResponse::Ok().body("hello") })),
//! )
//! .await;
//!
//! // A preflight is answered by the middleware; the handler is not called.
//! let preflight = test::TestRequest::default()
//!     .method(actix_web::http::Method::OPTIONS)
//!     .insert_header(("origin", "https://app.example"))
//!     .insert_header(("access-control-request-method", "PUT"))
//!     .to_request();
//! let response = test::call_service(&app, preflight).await;
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers().get("access-control-allow-methods").unwrap(), "PUT");
//!
//! let get = test::TestRequest::get().insert_header(("origin", "https://app.example")).to_request();
//! let response = test::call_service(&app, get).await;
//! assert_eq!(response.headers().get("access-control-allow-origin").unwrap(), "https://app.example");
//! assert_eq!(response.headers().get("vary").unwrap(), "Origin");
//! # });
//! ```
//!
//! Policies: a `&'static Policy<'static, N>` or `Policy<'static, N>`, a
//! [`cors_policy_config::OwnedPolicy`], or a [`PolicyHandle`] whose policy
//! can be replaced while the server runs ([`Cors::swappable`]). Different
//! scopes take different middleware (`web::scope("/api").wrap(...)`).
//!
//! # Installing
//!
//! ```toml
//! [dependencies]
//! cors-policy-actix = "0.1"
//! cors-policy = "0.1"          # `PolicyBuilder`, for a policy in a `static`
//! cors-policy-config = "0.1"   # `PolicyConfig`: policies from files or `CORS_*` variables
//! ```
//!
//! A policy read at run time goes straight into the middleware:
//! `Cors::new(PolicyConfig::from_env()?.build()?)` (or `from_path`); build
//! it once, before `HttpServer::new`, and clone it into the factory.
//!
//! Put the middleware outside authentication and inside logging (in
//! actix-web the last `wrap` is the outermost): a preflight carries no
//! credentials, so it must be answered before authentication runs, and an
//! authentication error (an `Err` or a 401) then carries the CORS headers.
//! Different policies go on sibling scopes, never one inside another. The
//! repository's `docs/integration.md` has the details, with unmatched
//! routes and guards.
//!
//! # Security considerations
//!
//! - Preflights (Fetch, "CORS-preflight request") are answered by the
//!   middleware with the decision's status and headers; the application
//!   never sees them. `OPTIONS` without `Access-Control-Request-Method`
//!   and every other request reach it.
//! - A refused actual request still reaches the application: CORS is not
//!   access control.
//! - The application's own CORS headers are removed from its responses;
//!   `Vary` is merged, never overwritten (Fetch, "CORS protocol and HTTP
//!   caches").
//! - Refusal reasons go to [`Cors::on_refusal`] or, if asked, a
//!   [`CorsRefusal`] response extension; never to the client.
//! - Debug mode ([`Cors::debug_switch`]) is off by default.
//!
//! # Cargo features
//!
//! - `tracing` (default): each refused request is logged as one `tracing`
//!   event at `debug` level, target `cors_policy`, message `CORS request
//!   refused`, with fields `code` (stable, such as `origin_not_allowed`),
//!   `reason` (bounded and escaped), `kind`, `method`, `path`. Show it with
//!   a filter such as `cors_policy=debug`. Without the feature, or with the
//!   level off, it costs nothing beyond a check.
//!
//! # Performance
//!
//! Request header values are viewed in actix's header map, not copied;
//! values the policy fixes are made once per policy; an echoed origin is a
//! clone of the request's own value; the response future is not boxed.
//! Measured with a counting allocator (`cargo test -p cors-policy-actix
//! --test alloc -- --nocapture`; the fewest of five runs, request values
//! as actix's parser makes them): a preflight answered by the middleware
//! makes 1 allocation in all (its header table; the response head comes
//! from actix's pool), against 4 for the bare app answering it; an actual
//! request gets 0 more than the bare app.
//!
//! Work per request, besides the core's decision: `Origin` is looked up
//! once; `Access-Control-Request-Method` and `-Headers` once each, and
//! only for `OPTIONS` unless the core asks for them; the Private Network
//! Access header only if the core asks. Echoed values are cloned from the
//! slices kept then. `Vary` is a header value made at compile time,
//! inserted directly when the response has none; the application's
//! response is scanned once for CORS headers to remove and a `Vary` to
//! merge with. Measured against actix-cors 0.7 on the same policy and
//! requests (`bash benches/callgrind.sh`, `cargo bench --bench adapters`;
//! tables in `benches/RESULTS.md`): the cost this middleware adds over the
//! bare app is about 0.5 to 0.6 of actix-cors's on a preflight and about
//! the same as actix-cors's on an actual request, where both mostly pay
//! for the same header inserts.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::future::{Future, Ready, ready};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use actix_web::body::{BoxBody, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse, Transform, forward_ready};
use actix_web::http::Method;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::{Error, HttpResponse};
use cors_policy::{CorsRequestHeader, Request, ResponseHeader};
use cors_policy_http::{
    ActualHeaders, Engine, Stack, VARY_ORIGIN, VARY_PREFLIGHT, VARY_PREFLIGHT_ORIGIN,
    VARY_PREFLIGHT_ORIGIN_PNA, VARY_PREFLIGHT_PNA,
};
use pin_project_lite::pin_project;

pub use cors_policy_http::{CorsPolicy, CorsRefusal, DebugSwitch, RefusalEvent};

/// actix-web's stack: [`ActixLines`] over its header map, and its
/// [`HeaderValue`].
#[derive(Debug)]
pub enum ActixStack {}

impl Stack for ActixStack {
    type Lines<'r> = ActixLines<'r>;
    type Value = HeaderValue;
    type View<'r> = ActixView<'r>;
    type Map = HeaderMap;

    const STAR: HeaderValue = HeaderValue::from_static("*");
    const TRUE: HeaderValue = HeaderValue::from_static("true");

    fn value(bytes: &[u8]) -> Option<HeaderValue> {
        let value = HeaderValue::from_bytes(bytes).ok()?;
        // Valid (checked just above) and interned: static, so clones cost
        // no reference count (see `cors_policy_http::intern`).
        Some(match cors_policy_http::intern(bytes) {
            Some(s) => HeaderValue::from_static(s),
            None => value,
        })
    }

    #[inline]
    fn value_bytes(value: &HeaderValue) -> &[u8] {
        value.as_bytes()
    }

    #[inline]
    fn own_value<'r>(
        view: &Self::View<'r>,
        header: CorsRequestHeader,
        bytes: &[u8],
    ) -> Option<&'r HeaderValue> {
        view.value(header, bytes)
    }

    #[inline]
    fn is_empty(map: &HeaderMap) -> bool {
        map.is_empty()
    }

    #[inline]
    fn scan(map: &HeaderMap) -> (bool, bool) {
        let mut cors = false;
        let mut vary = false;
        if !map.is_empty() {
            for name in map.keys() {
                if *name == header::VARY {
                    vary = true;
                } else if name.as_str().starts_with("access-control-") {
                    cors = true;
                }
            }
        }
        (cors, vary)
    }

    fn remove_cors(map: &mut HeaderMap) {
        for h in ResponseHeader::ALL {
            if let Some(name) = response_header_name(h) {
                map.remove(name);
            }
        }
    }

    #[inline]
    fn append(map: &mut HeaderMap, header: ResponseHeader, value: HeaderValue) {
        if let Some(name) = response_header_name(header) {
            map.append(name, value);
        }
    }

    #[inline]
    fn append_vary(map: &mut HeaderMap, value: HeaderValue) {
        map.append(header::VARY, value);
    }

    #[inline]
    fn vary_header(joined: &str) -> Option<HeaderValue> {
        vary_header(joined)
    }

    #[inline]
    fn vary_lines(map: &HeaderMap) -> impl Iterator<Item = &[u8]> {
        map.get_all(header::VARY)
            .as_slice()
            .iter()
            .map(HeaderValue::as_bytes)
    }

    #[inline]
    fn vary_token(token: &'static str) -> HeaderValue {
        HeaderValue::from_static(token)
    }

    // actix-web's response heads come from a pool whose header maps keep
    // their storage: inserting allocates nothing, so there is nothing to
    // prepare.
    type Cache = ();
    type Template = ();
}

/// A policy that can be replaced at run time; see [`Cors::swappable`].
pub type PolicyHandle = cors_policy_http::PolicyHandle<ActixStack>;

/// The field lines of one header in actix-web's [`HeaderMap`], borrowed.
///
/// Made either at once ([`new`](Self::new): the header is looked up now)
/// or on demand ([`deferred`](Self::deferred): looked up when the core
/// first reads it). Either way a clone is a copy of four words.
///
/// ```
/// use actix_web::http::header::{HeaderMap, HeaderValue, ORIGIN};
/// use cors_policy::CorsRequestHeader;
/// let mut map = HeaderMap::new();
/// map.append(ORIGIN, HeaderValue::from_static("https://a.example"));
/// let lines = cors_policy_actix::ActixLines::new(&map, CorsRequestHeader::Origin);
/// assert_eq!(lines.collect::<Vec<_>>(), [&b"https://a.example"[..]]);
/// ```
#[derive(Clone, Debug)]
pub struct ActixLines<'r> {
    repr: LinesRepr<'r>,
}

#[derive(Clone, Debug)]
enum LinesRepr<'r> {
    /// Not looked up yet.
    Deferred {
        map: &'r HeaderMap,
        header: CorsRequestHeader,
    },
    /// Looked up: every value, and how many were given.
    Read {
        values: &'r [HeaderValue],
        given: usize,
    },
}

impl<'r> ActixLines<'r> {
    /// The lines of `header` in `map`, looked up now.
    pub fn new(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        ActixLines {
            repr: LinesRepr::Read {
                values: map.get_all(request_header_name(header)).as_slice(),
                given: 0,
            },
        }
    }

    /// The lines of `header` in `map`, looked up only when first read.
    ///
    /// ```
    /// use actix_web::http::header::{HeaderMap, HeaderValue, ORIGIN};
    /// use cors_policy::CorsRequestHeader;
    /// let mut map = HeaderMap::new();
    /// map.append(ORIGIN, HeaderValue::from_static("https://a.example"));
    /// let lines = cors_policy_actix::ActixLines::deferred(&map, CorsRequestHeader::Origin);
    /// assert_eq!(lines.collect::<Vec<_>>(), [&b"https://a.example"[..]]);
    /// ```
    pub fn deferred(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        ActixLines {
            repr: LinesRepr::Deferred { map, header },
        }
    }

    /// The request's own value of this header whose bytes are `bytes`, if
    /// one is (whether or not these lines have been read), to echo it by
    /// cloning a reference count.
    ///
    /// ```
    /// use actix_web::http::header::{HeaderMap, HeaderValue, ORIGIN};
    /// use cors_policy::CorsRequestHeader;
    /// let mut map = HeaderMap::new();
    /// map.append(ORIGIN, HeaderValue::from_static("https://a.example"));
    /// let lines = cors_policy_actix::ActixLines::new(&map, CorsRequestHeader::Origin);
    /// assert_eq!(lines.value(b"https://a.example").unwrap(), "https://a.example");
    /// assert!(lines.value(b"https://b.example").is_none());
    /// ```
    pub fn value(&self, bytes: &[u8]) -> Option<&'r HeaderValue> {
        let values = match self.repr {
            LinesRepr::Read { values, .. } => values,
            LinesRepr::Deferred { map, header } => {
                map.get_all(request_header_name(header)).as_slice()
            }
        };
        values.iter().find(|v| same_bytes(v, bytes))
    }
}

impl<'r> Iterator for ActixLines<'r> {
    type Item = &'r [u8];

    fn next(&mut self) -> Option<&'r [u8]> {
        if let LinesRepr::Deferred { map, header } = self.repr {
            *self = ActixLines::new(map, header);
        }
        match &mut self.repr {
            LinesRepr::Deferred { .. } => None,
            LinesRepr::Read { values, given } => {
                let v = values.get(*given)?;
                *given += 1;
                Some(v.as_bytes())
            }
        }
    }
}

const ACRPN: HeaderName = HeaderName::from_static("access-control-request-private-network");
const ACAPN: HeaderName = HeaderName::from_static("access-control-allow-private-network");

fn request_header_name(h: CorsRequestHeader) -> HeaderName {
    match h {
        CorsRequestHeader::Origin => header::ORIGIN,
        CorsRequestHeader::AccessControlRequestMethod => header::ACCESS_CONTROL_REQUEST_METHOD,
        CorsRequestHeader::AccessControlRequestHeaders => header::ACCESS_CONTROL_REQUEST_HEADERS,
        CorsRequestHeader::AccessControlRequestPrivateNetwork => ACRPN,
        _ => HeaderName::from_static("x-cors-policy-unknown"),
    }
}

fn response_header_name(h: ResponseHeader) -> Option<HeaderName> {
    Some(match h {
        ResponseHeader::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        ResponseHeader::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        ResponseHeader::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
        ResponseHeader::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
        ResponseHeader::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
        ResponseHeader::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        ResponseHeader::AllowPrivateNetwork => ACAPN,
        other => return HeaderName::from_bytes(other.lowercase().as_bytes()).ok(),
    })
}

/// Views an actix request as the core's [`Request`], without copying.
///
/// `Origin` is looked up at once (the core reads it first, always). Only
/// an `OPTIONS` request can be a preflight (Fetch, "CORS-preflight
/// request"), so `Access-Control-Request-Method` and
/// `Access-Control-Request-Headers` are looked up at once for `OPTIONS`
/// and otherwise only if the core reads them;
/// `Access-Control-Request-Private-Network` only if the core reads it
/// (when the policy enables Private Network Access).
///
/// ```
/// let req = actix_web::test::TestRequest::get().insert_header(("origin", "https://a.example")).to_srv_request();
/// assert_eq!(cors_policy_actix::request_view(&req).method(), b"GET");
/// ```
pub fn request_view(req: &ServiceRequest) -> Request<'_, ActixLines<'_>> {
    ActixView::new(req).request
}

/// A request viewed for the core, with the request's own values of the
/// headers an answer echoes (`Origin`, and for `OPTIONS` the method and
/// header list) kept aside when they have one line, so writing the answer
/// clones them after a pointer comparison.
pub struct ActixView<'r> {
    request: Request<'r, ActixLines<'r>>,
    single: [Option<&'r HeaderValue>; 3],
}

impl<'r> ActixView<'r> {
    /// Views `req` as [`request_view`] does.
    pub fn new(req: &'r ServiceRequest) -> Self {
        let headers = req.headers();
        let options = req.method() == Method::OPTIONS;
        let mut single = [None; 3];
        let request = Request::from_fn(req.method().as_str().as_bytes(), |h| {
            let slot = match h {
                CorsRequestHeader::Origin => 0,
                CorsRequestHeader::AccessControlRequestMethod if options => 1,
                CorsRequestHeader::AccessControlRequestHeaders if options => 2,
                _ => return ActixLines::deferred(headers, h),
            };
            let lines = ActixLines::new(headers, h);
            if let (LinesRepr::Read { values: [v], .. }, Some(s)) =
                (&lines.repr, single.get_mut(slot))
            {
                *s = Some(v);
            }
            lines
        });
        ActixView { request, single }
    }

    /// The core's view of the request.
    pub fn request(&self) -> &Request<'r, ActixLines<'r>> {
        &self.request
    }

    /// The request's own value of `header` whose bytes are `bytes`, if one
    /// is.
    #[inline]
    fn value(&self, header: CorsRequestHeader, bytes: &[u8]) -> Option<&'r HeaderValue> {
        let slot = match header {
            CorsRequestHeader::Origin => 0,
            CorsRequestHeader::AccessControlRequestMethod => 1,
            CorsRequestHeader::AccessControlRequestHeaders => 2,
            _ => 3,
        };
        match self.single.get(slot).copied().flatten() {
            Some(v) if same_bytes(v, bytes) => Some(v),
            _ => self.request.lines(header).value(bytes),
        }
    }
}

impl fmt::Debug for ActixView<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActixView")
            .field("request", &self.request)
            .finish_non_exhaustive()
    }
}

/// Are `v`'s bytes `bytes`? The core hands back the request's own bytes
/// when it did not trim them: then the pointers match and nothing is
/// compared.
#[inline]
fn same_bytes(v: &HeaderValue, bytes: &[u8]) -> bool {
    let own = v.as_bytes();
    (own.as_ptr() == bytes.as_ptr() && own.len() == bytes.len()) || own == bytes
}

/// The joined `Vary` value of a decision as a header value made at
/// compile time, for every set the core names; `None` for an empty value
/// or one it does not know.
fn vary_header(joined: &str) -> Option<HeaderValue> {
    const ORIGIN: HeaderValue = HeaderValue::from_static(VARY_ORIGIN);
    const PREFLIGHT: HeaderValue = HeaderValue::from_static(VARY_PREFLIGHT);
    const PREFLIGHT_ORIGIN: HeaderValue = HeaderValue::from_static(VARY_PREFLIGHT_ORIGIN);
    const PREFLIGHT_PNA: HeaderValue = HeaderValue::from_static(VARY_PREFLIGHT_PNA);
    const PREFLIGHT_ORIGIN_PNA: HeaderValue = HeaderValue::from_static(VARY_PREFLIGHT_ORIGIN_PNA);
    Some(match joined {
        VARY_ORIGIN => ORIGIN,
        VARY_PREFLIGHT_ORIGIN => PREFLIGHT_ORIGIN,
        VARY_PREFLIGHT => PREFLIGHT,
        VARY_PREFLIGHT_ORIGIN_PNA => PREFLIGHT_ORIGIN_PNA,
        VARY_PREFLIGHT_PNA => PREFLIGHT_PNA,
        _ => return None,
    })
}

/// Adds `tokens` to `map`'s `Vary`: appended, never overwritten, no token
/// repeated (any case); a response varying on `*` is left alone. A map
/// without `Vary` gets the tokens as one line, with no parsing.
///
/// ```
/// use actix_web::http::header::{HeaderMap, HeaderValue, VARY};
/// let mut map = HeaderMap::new();
/// map.insert(VARY, HeaderValue::from_static("Accept-Encoding"));
/// cors_policy_actix::merge_vary(&mut map, &["Origin"]);
/// assert_eq!(map.get_all(VARY).collect::<Vec<_>>(), ["Accept-Encoding", "Origin"]);
/// ```
pub fn merge_vary(map: &mut HeaderMap, tokens: &'static [&'static str]) {
    cors_policy_http::merge_vary_tokens::<ActixStack>(map, tokens);
}

/// Removes every CORS response header from `map`. A map holding none
/// (seen in one pass over its names, no hashing) is left untouched.
pub fn strip_cors_headers(map: &mut HeaderMap) {
    if !map
        .keys()
        .any(|n| n.as_str().starts_with("access-control-"))
    {
        return;
    }
    ActixStack::remove_cors(map);
}

/// CORS middleware for actix-web (`App::wrap`, `Scope::wrap`); see the
/// crate docs.
///
/// Cheap to clone (one reference count) and `Send`, so one value can be
/// moved into `HttpServer::new`'s factory and cloned per worker.
#[derive(Clone)]
pub struct Cors {
    engine: Arc<Engine<ActixStack>>,
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("engine", &self.engine)
            .finish()
    }
}

impl Cors {
    /// Middleware for a fixed policy: `&'static Policy<'static, N>`,
    /// `Policy<'static, N>`, an `OwnedPolicy`, or an `Arc` of one.
    ///
    /// ```
    /// use cors_policy_config::PolicyConfig;
    /// let policy = PolicyConfig::from_json_str(r#"{"allowed_origins": "*"}"#).unwrap().build().unwrap();
    /// let cors = cors_policy_actix::Cors::new(policy);
    /// # let _ = cors;
    /// ```
    pub fn new(policy: impl CorsPolicy<ActixStack>) -> Self {
        Cors {
            engine: Arc::new(Engine::new(policy)),
        }
    }

    /// Middleware reading its policy from `handle` on each request, so
    /// [`PolicyHandle::store`] changes it while the server runs, lock-free.
    ///
    /// ```
    /// use cors_policy_config::PolicyConfig;
    /// use cors_policy_actix::{Cors, PolicyHandle};
    /// let load = |json: &str| PolicyConfig::from_json_str(json).unwrap().build().unwrap();
    /// let handle = PolicyHandle::new(load(r#"{"allowed_origins": ["https://a.example"]}"#));
    /// let cors = Cors::swappable(&handle);
    /// handle.store(load(r#"{"allowed_origins": ["https://b.example"]}"#));
    /// # let _ = cors;
    /// ```
    pub fn swappable(handle: &PolicyHandle) -> Self {
        Cors {
            engine: Arc::new(Engine::swappable(handle)),
        }
    }

    fn engine_mut(&mut self) -> &mut Engine<ActixStack> {
        Arc::make_mut(&mut self.engine)
    }

    /// Adds a dynamic origin check, consulted only when no pattern of the
    /// policy matches; it sees the trimmed origin alone.
    ///
    /// ```
    /// # use cors_policy::{Policy, PolicyBuilder};
    /// # static POLICY: Policy<'static> = match PolicyBuilder::new().allow_origins(&["https://app.example"]).build() { Ok(p) => p, Err(_) => panic!() };
    /// let cors = cors_policy_actix::Cors::new(&POLICY)
    ///     .origin_check(|origin| origin.ends_with(b".tenant.example"));
    /// # let _ = cors;
    /// ```
    pub fn origin_check(mut self, check: impl Fn(&[u8]) -> bool + Send + Sync + 'static) -> Self {
        self.engine_mut().origin_check(check);
        self
    }

    /// Uses `switch` for debug mode; keep a clone to flip it at run time.
    ///
    /// ```
    /// # use cors_policy::{Policy, PolicyBuilder};
    /// # static POLICY: Policy<'static> = match PolicyBuilder::new().allow_origins(&["https://app.example"]).build() { Ok(p) => p, Err(_) => panic!() };
    /// use cors_policy_actix::{Cors, DebugSwitch};
    /// let switch = DebugSwitch::default();
    /// let cors = Cors::new(&POLICY).debug_switch(&switch);
    /// switch.set(true);
    /// assert!(cors.debug().get());
    /// ```
    pub fn debug_switch(mut self, switch: &DebugSwitch) -> Self {
        self.engine_mut().debug_switch(switch);
        self
    }

    /// The debug switch in use (off unless switched on).
    pub fn debug(&self) -> &DebugSwitch {
        self.engine.debug()
    }

    /// Calls `hook` for every refused request, for metrics (or logs at
    /// another level). The middleware logs each refusal itself, as a
    /// `tracing` event at `debug` (target `cors_policy`, field `code`;
    /// default feature `tracing`), so the hook is not needed for that.
    ///
    /// ```
    /// # use cors_policy::{Policy, PolicyBuilder};
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// # static POLICY: Policy<'static> = match PolicyBuilder::new().allow_origins(&["https://app.example"]).build() { Ok(p) => p, Err(_) => panic!() };
    /// static REFUSED: AtomicU64 = AtomicU64::new(0); // a metrics counter
    /// let cors = cors_policy_actix::Cors::new(&POLICY).on_refusal(|event| {
    ///     REFUSED.fetch_add(1, Ordering::Relaxed);
    ///     // One structured event, with the stable code as a field.
    ///     tracing::warn!(code = event.refusal.code(), reason = %event.refusal, path = event.path, "CORS refused");
    /// });
    /// # actix_web::rt::System::new().block_on(async {
    /// # use actix_web::{test, web, App, HttpResponse};
    /// let app = test::init_service(App::new().wrap(cors).default_service(web::to(HttpResponse::Ok))).await;
    /// let request = test::TestRequest::get().insert_header(("origin", "https://evil.example")).to_request();
    /// test::call_service(&app, request).await;
    /// # });
    /// assert_eq!(REFUSED.load(Ordering::Relaxed), 1);
    /// ```
    pub fn on_refusal(mut self, hook: impl Fn(&RefusalEvent<'_>) + Send + Sync + 'static) -> Self {
        self.engine_mut().on_refusal(hook);
        self
    }

    /// Puts a [`CorsRefusal`] in refused requests' response extensions.
    /// Off by default (it allocates the message).
    pub fn refusal_extension(mut self, on: bool) -> Self {
        self.engine_mut().set_refusal_extension(on);
        self
    }
}

impl<S, B> Transform<S, ServiceRequest> for Cors
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Transform = CorsMiddleware<S>;
    type InitError = ();
    type Future = Ready<Result<CorsMiddleware<S>, ()>>;

    fn new_transform(&self, service: S) -> Self::Future {
        ready(Ok(CorsMiddleware {
            service,
            engine: Arc::clone(&self.engine),
        }))
    }
}

/// The service [`Cors`] wraps around an actix-web service.
pub struct CorsMiddleware<S> {
    service: S,
    engine: Arc<Engine<ActixStack>>,
}

impl<S> fmt::Debug for CorsMiddleware<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsMiddleware")
            .field("engine", &self.engine)
            .finish_non_exhaustive()
    }
}

enum Step {
    Answer(HttpResponse),
    // Boxed: the future stays small (fewer bytes moved per request); it is
    // made only for refused requests when asked for, and allocates anyway.
    Forward(ActualHeaders<ActixStack>, Option<Box<CorsRefusal>>),
}

impl<S, B> Service<ServiceRequest> for CorsMiddleware<S>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    type Response = ServiceResponse<EitherBody<B>>;
    type Error = Error;
    type Future = CorsFuture<S::Future, B>;

    forward_ready!(service);

    fn call(&self, req: ServiceRequest) -> Self::Future {
        let engine = &*self.engine;
        let view = ActixView::new(&req);
        let step = engine.decide(view.request(), req.path(), |decision, prepared| {
            let refusal = match decision.refusal() {
                Some(r) if engine.refusal_extension() => {
                    Some(Box::new(CorsRefusal::new(decision.kind(), &r)))
                }
                _ => None,
            };
            if decision.is_preflight() {
                // Fetch, "CORS-preflight fetch": answered here, never
                // reaching the application.
                let status = decision
                    .preflight_status()
                    .and_then(|s| StatusCode::from_u16(s).ok())
                    .unwrap_or(StatusCode::FORBIDDEN);
                let mut response = HttpResponse::new(status);
                cors_policy_http::write_preflight(
                    decision,
                    &view,
                    prepared,
                    response.headers_mut(),
                );
                if let Some(r) = refusal {
                    response.extensions_mut().insert(*r);
                }
                Step::Answer(response)
            } else {
                Step::Forward(ActualHeaders::new(decision, &view, prepared), refusal)
            }
        });
        let state = match step {
            Step::Answer(response) => State::Answer {
                response: Some(req.into_response(response.map_into_right_body())),
            },
            // The request is moved into the inner service, never cloned:
            // actix-web's router needs to be the only holder of the
            // `HttpRequest` (it mutates its match info in place and panics
            // if another reference exists; regression test
            // `tests/routed.rs`).
            Step::Forward(headers, refusal) => State::Inner {
                future: self.service.call(req),
                headers: Some(headers),
                refusal,
            },
        };
        CorsFuture { state }
    }
}

pin_project! {
    /// The response future of [`CorsMiddleware`]. Not boxed.
    pub struct CorsFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Answer { response: Option<ServiceResponse<EitherBody<B, BoxBody>>> },
        Inner {
            #[pin]
            future: F,
            headers: Option<ActualHeaders<ActixStack>>,
            refusal: Option<Box<CorsRefusal>>,
        },
    }
}

impl<F, B> fmt::Debug for CorsFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsFuture").finish_non_exhaustive()
    }
}

impl<F, B> Future for CorsFuture<F, B>
where
    F: Future<Output = Result<ServiceResponse<B>, Error>>,
{
    type Output = Result<ServiceResponse<EitherBody<B>>, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().state.project() {
            // Polled again after completion (a caller bug): stay pending
            // rather than panic.
            StateProj::Answer { response } => match response.take() {
                Some(r) => Poll::Ready(Ok(r)),
                None => Poll::Pending,
            },
            StateProj::Inner {
                future,
                headers,
                refusal,
            } => {
                let mut response = match future.poll(cx) {
                    Poll::Ready(Ok(r)) => r.map_into_left_body(),
                    // An error stays the same error: outer middleware and
                    // the server still see it as one, of its own type
                    // (`Error::as_error` still finds it) and status. The
                    // response it becomes, each time one is made from it,
                    // gets the CORS headers like any 4xx or 5xx, so the
                    // browser lets the page read it. (A response made once
                    // here and stored in the error, as `InternalError`
                    // does, would be lost to whoever asks first: a second
                    // `error_response()` gave a bare 500.)
                    Poll::Ready(Err(mut e)) => {
                        let headers = headers.take();
                        let refusal = refusal.take();
                        e.add_response_mapper(move |mut answer| {
                            if let Some(h) = &headers {
                                h.clone().apply(answer.headers_mut());
                            }
                            if let Some(r) = &refusal {
                                answer.extensions_mut().insert(CorsRefusal::clone(r));
                            }
                            answer
                        });
                        return Poll::Ready(Err(e));
                    }
                    Poll::Pending => return Poll::Pending,
                };
                // Error statuses get the headers too, so the browser can
                // read them.
                if let Some(h) = headers.take() {
                    h.apply(response.headers_mut());
                }
                if let Some(r) = refusal.take() {
                    response.response_mut().extensions_mut().insert(*r);
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}
