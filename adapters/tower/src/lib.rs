//! [`cors_policy`] as a tower [`Layer`]: CORS for axum, hyper and any
//! tower-based `http` 1.x server, with every answer taken from the core's
//! decision.
//!
//! # Example
//!
//! ```
//! use cors_policy::{Policy, PolicyBuilder};
//! use cors_policy_tower::CorsLayer;
//! use tower::{Layer, Service, ServiceExt};
//!
//! static POLICY: Policy<'static> = match PolicyBuilder::new()
//!     .allow_origins(&["https://app.example"])
//!     .allow_methods(&["GET", "PUT"])
//!     .expose_headers(&["x-request-id"])
//!     .build()
//! {
//!     Ok(p) => p,
//!     Err(_) => panic!("invalid CORS policy"),
//! };
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let app = tower::service_fn(|_req: http::Request<()>| async {
//!     Ok::<_, std::convert::Infallible>(http::Response::new(String::from("hello")))
//! });
//! let mut service = CorsLayer::new(&POLICY).layer(app);
//!
//! // A preflight is answered by the layer; the application is not called.
//! let preflight = http::Request::options("/items")
//!     .header("origin", "https://app.example")
//!     .header("access-control-request-method", "PUT")
//!     .body(())
//!     .unwrap();
//! let response = service.ready().await?.call(preflight).await?;
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers()["access-control-allow-methods"], "PUT");
//!
//! // Other requests reach the application and get the decision's headers.
//! let get = http::Request::get("/items").header("origin", "https://app.example").body(()).unwrap();
//! let response = service.ready().await?.call(get).await?;
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example");
//! assert_eq!(response.headers()["access-control-expose-headers"], "x-request-id");
//! assert_eq!(response.headers()["vary"], "Origin");
//! # Ok::<(), std::convert::Infallible>(())
//! # }).unwrap();
//! ```
//!
//! Policies: a `&'static Policy<'static, N>` or `Policy<'static, N>` built
//! in a `static`, a [`cors_policy_config::OwnedPolicy`] read from a file or
//! the environment, or a [`PolicyHandle`] whose policy can be replaced
//! while the server runs ([`CorsLayer::swappable`]). Different routes take
//! different layers (in axum, `Router::layer` on each nested router).
//!
//! # Installing
//!
//! ```toml
//! [dependencies]
//! cors-policy-tower = "0.1"
//! cors-policy = "0.1"          # `PolicyBuilder`, for a policy in a `static`
//! cors-policy-config = "0.1"   # `PolicyConfig`: policies from files or `CORS_*` variables
//! ```
//!
//! A policy read at run time goes straight into the layer:
//! `CorsLayer::new(PolicyConfig::from_env()?.build()?)` (or `from_path`).
//!
//! Put the layer outside authentication, timeouts and rate limits, and
//! inside tracing: a preflight carries no credentials, so it must be
//! answered before authentication runs, and every error the layers inside
//! make then carries the CORS headers. In axum the last `Router::layer`
//! call is the outermost; in a `ServiceBuilder`, the first. The
//! repository's `docs/integration.md` has the details, with unmatched
//! routes (`Router::layer` covers the fallback; a nested router's layer
//! does not) and per-route policies.
//!
//! # Security considerations
//!
//! - Preflights (Fetch, "CORS-preflight request") are answered by the
//!   layer with the decision's status (204 or 403) and headers; the
//!   application never sees them. `OPTIONS` without
//!   `Access-Control-Request-Method` and every other request reach it.
//! - A refused actual request still reaches the application: CORS is not
//!   access control (Fetch, "CORS protocol"). Authenticate on your own.
//! - The application's own CORS headers are removed from its responses, so
//!   a response never carries two `Access-Control-Allow-Origin`; `Vary` is
//!   merged, never overwritten (Fetch, "CORS protocol and HTTP caches").
//! - Refusal reasons go to [`CorsLayer::on_refusal`] or, if asked, a
//!   [`CorsRefusal`] response extension; never to the client.
//! - Debug mode ([`CorsLayer::debug_switch`]) is off by default. It tells
//!   allowed origins which methods and headers pass.
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
//! No lock and no allocation on the request path beyond what the response
//! header map itself needs: request header values are viewed, values the
//! policy fixes are made once per policy, an echoed origin is a clone of
//! the request's own value, and the response future is not boxed.
//! Measured with a counting allocator (`cargo test -p cors-policy-tower
//! --test alloc -- --nocapture`), with request header values as hyper's
//! parser makes them (slices of a shared buffer): a preflight answered by
//! the layer makes 2 allocations in all (its response's header map, index
//! and entries; the bare application made 3 for its own response), and an
//! actual request gets 0 more than the bare application. When the
//! request's values own their bytes (built from `&str`), the first clone of
//! each echoed value allocates its shared count: +1 per echoed value
//! (origin; method and header list on preflights).
//!
//! Work per request, besides the core's decision: `Origin` is looked up
//! once; `Access-Control-Request-Method` and `-Headers` once each, and
//! only for `OPTIONS` unless the core asks for them; the Private Network
//! Access header only if the core asks (the policy enables it). Echoed
//! values are cloned from the references kept then, with no new lookup.
//! `Vary` is a header value made at compile time. A new or empty map (a
//! preflight's answer, or an application's response without headers) is
//! filled by cloning a map prepared once per shape of answer and setting
//! the echoed values in place; another response is scanned once for CORS
//! headers to remove and a `Vary` to merge with.
//!
//! <!-- report:tower -->
//! Measured against tower-http on the same policy and requests
//! (`benches/RESULTS.md`), the cost this layer adds over the bare service
//! is 0.48 of tower-http's on a preflight and 0.27 on an actual request in
//! instructions (`bash benches/callgrind.sh`), 0.69 and 0.45 in time
//! (`cargo bench --bench adapters`, median of 3 runs); it checks the
//! requested method and headers, which tower-http does not.
//! <!-- /report:tower -->
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use cors_policy_http::{ActualHeaders, Evaluator, HttpRespond};
use http::{Request, Response};
use pin_project_lite::pin_project;
use tower_layer::Layer;
use tower_service::Service;

pub use cors_policy_http::{CorsPolicy, CorsRefusal, DebugSwitch, PolicyHandle, RefusalEvent};

/// A tower [`Layer`] applying a CORS policy; see the crate docs.
///
/// Cheap to clone (one reference count); every service it makes shares the
/// policy, the origin check, the debug switch and the refusal hook.
#[derive(Clone)]
#[must_use = "a layer does nothing until it wraps a service"]
pub struct CorsLayer {
    cors: Evaluator,
    refusal_extension: bool,
}

impl fmt::Debug for CorsLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CorsLayer")
            .field("cors", &self.cors)
            .field("refusal_extension", &self.refusal_extension)
            .finish()
    }
}

impl CorsLayer {
    /// A layer for a fixed policy: `&'static Policy<'static, N>`,
    /// `Policy<'static, N>`, an `OwnedPolicy`, or an `Arc` of one.
    ///
    /// ```
    /// use cors_policy_config::PolicyConfig;
    /// let policy = PolicyConfig::from_json_str(r#"{"allowed_origins": ["https://app.example"]}"#)
    ///     .unwrap()
    ///     .build()
    ///     .unwrap();
    /// let layer = cors_policy_tower::CorsLayer::new(policy);
    /// # let _ = layer;
    /// ```
    pub fn new(policy: impl CorsPolicy) -> Self {
        Self::from_evaluator(Evaluator::new(policy))
    }

    /// A layer whose policy is read from `handle` on each request, so that
    /// [`PolicyHandle::store`] changes it while the server runs, without a
    /// lock on the request path.
    ///
    /// ```
    /// use cors_policy_config::PolicyConfig;
    /// use cors_policy_tower::{CorsLayer, PolicyHandle};
    /// let load = |json: &str| PolicyConfig::from_json_str(json).unwrap().build().unwrap();
    /// let handle = PolicyHandle::new(load(r#"{"allowed_origins": ["https://a.example"]}"#));
    /// let layer = CorsLayer::swappable(&handle);
    /// handle.store(load(r#"{"allowed_origins": ["https://b.example"]}"#));
    /// # let _ = layer;
    /// ```
    pub fn swappable(handle: &PolicyHandle) -> Self {
        Self::from_evaluator(Evaluator::swappable(handle))
    }

    fn from_evaluator(cors: Evaluator) -> Self {
        CorsLayer {
            cors,
            refusal_extension: false,
        }
    }

    /// Adds a dynamic origin check, consulted only when no pattern of the
    /// policy matches; it sees the trimmed origin alone. `"*"` policies
    /// ignore it.
    ///
    /// ```
    /// # use cors_policy::{Policy, PolicyBuilder};
    /// # static POLICY: Policy<'static> = match PolicyBuilder::new().allow_origins(&["https://app.example"]).build() { Ok(p) => p, Err(_) => panic!() };
    /// let tenants = vec![b"https://shop.tenant.example".to_vec()];
    /// let layer = cors_policy_tower::CorsLayer::new(&POLICY)
    ///     .origin_check(move |origin| tenants.iter().any(|t| t == origin));
    /// # let _ = layer;
    /// ```
    pub fn origin_check(mut self, check: impl Fn(&[u8]) -> bool + Send + Sync + 'static) -> Self {
        self.cors = self.cors.origin_check(check);
        self
    }

    /// Uses `switch` for debug mode. Keep a clone of the switch to turn it
    /// on or off while the server runs.
    ///
    /// ```
    /// # use cors_policy::{Policy, PolicyBuilder};
    /// # static POLICY: Policy<'static> = match PolicyBuilder::new().allow_origins(&["https://app.example"]).build() { Ok(p) => p, Err(_) => panic!() };
    /// use cors_policy_tower::{CorsLayer, DebugSwitch};
    /// let switch = DebugSwitch::default();
    /// let layer = CorsLayer::new(&POLICY).debug_switch(&switch);
    /// switch.set(true); // from an admin endpoint, a signal handler, ...
    /// assert!(layer.debug().get());
    /// ```
    pub fn debug_switch(mut self, switch: &DebugSwitch) -> Self {
        self.cors = self.cors.debug_switch(switch);
        self
    }

    /// The debug switch in use (off unless switched on).
    pub fn debug(&self) -> &DebugSwitch {
        self.cors.debug()
    }

    /// Calls `hook` for every refused request, for metrics (or logs at
    /// another level). It runs on the request path: keep it short. The
    /// layer logs each refusal itself, as a `tracing` event at `debug`
    /// (target `cors_policy`, field `code`; default feature `tracing`), so
    /// the hook is not needed for that.
    ///
    /// ```
    /// # use cors_policy::{Policy, PolicyBuilder};
    /// # use tower::{Layer, ServiceExt};
    /// use std::sync::Arc;
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// # static POLICY: Policy<'static> = match PolicyBuilder::new().allow_origins(&["https://app.example"]).build() { Ok(p) => p, Err(_) => panic!() };
    /// let refused = Arc::new(AtomicU64::new(0)); // a metrics counter
    /// let counter = Arc::clone(&refused);
    /// let layer = cors_policy_tower::CorsLayer::new(&POLICY).on_refusal(move |event| {
    ///     counter.fetch_add(1, Ordering::Relaxed);
    ///     // One structured event, with the stable code as a field.
    ///     tracing::warn!(code = event.refusal.code(), reason = %event.refusal, path = event.path, "CORS refused");
    /// });
    /// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
    /// # let app = tower::service_fn(|_: http::Request<()>| async { Ok::<_, std::convert::Infallible>(http::Response::new(String::new())) });
    /// let request = http::Request::get("/").header("origin", "https://evil.example").body(()).unwrap();
    /// layer.layer(app).oneshot(request).await.unwrap();
    /// # });
    /// assert_eq!(refused.load(Ordering::Relaxed), 1);
    /// ```
    pub fn on_refusal(mut self, hook: impl Fn(&RefusalEvent<'_>) + Send + Sync + 'static) -> Self {
        self.cors = self.cors.on_refusal(hook);
        self
    }

    /// Puts a [`CorsRefusal`] in the extensions of refused requests'
    /// responses, for middleware further out. Off by default (it allocates
    /// the message).
    pub fn refusal_extension(mut self, on: bool) -> Self {
        self.refusal_extension = on;
        self
    }
}

impl<S> Layer<S> for CorsLayer {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            inner,
            cors: self.cors.clone(),
            refusal_extension: self.refusal_extension,
        }
    }
}

/// The service [`CorsLayer`] wraps around an application.
#[derive(Clone)]
pub struct Cors<S> {
    inner: S,
    cors: Evaluator,
    refusal_extension: bool,
}

impl<S: fmt::Debug> fmt::Debug for Cors<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("inner", &self.inner)
            .field("cors", &self.cors)
            .finish()
    }
}

impl<S> Cors<S> {
    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for Cors<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    // Inline, like `poll`: the future is then built where it is kept
    // (measured: 43 instructions less on an actual request, 5 on a
    // preflight, `bash benches/callgrind.sh`).
    //
    // `respond_http` rather than `respond`: the same decision, with the
    // preflight's response made where the decision is and the refusal's
    // extension made there too, so no `Respond` or `Preflight` is moved on
    // the way. With the view's small functions made inline (issue 17),
    // measured with `bash benches/callgrind.sh`: preflight 3,584 to 3,517
    // instructions, actual request 2,599 to 2,563.
    //
    // Each arm makes the whole future (rather than its state, wrapped
    // after the `match`): the preflight's answer is moved once less
    // (3,517 to 3,489 instructions; the actual request 2,563 to 2,568).
    #[inline]
    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        match self.cors.respond_http(&req, self.refusal_extension) {
            // Fetch, "CORS-preflight fetch": the preflight is answered
            // here and never reaches the application.
            HttpRespond::Preflight(response) => ResponseFuture {
                state: State::Answer {
                    response: Some(response),
                },
            },
            HttpRespond::Forward { headers, refusal } => ResponseFuture {
                state: State::Inner {
                    future: self.inner.call(req),
                    headers: Some(headers),
                    refusal,
                },
            },
        }
    }
}

pin_project! {
    /// The response future of [`Cors`]: the application's, with the
    /// decision's headers added, or a preflight's answer. Not boxed.
    pub struct ResponseFuture<F, B> {
        #[pin]
        state: State<F, B>,
    }
}

pin_project! {
    #[project = StateProj]
    enum State<F, B> {
        Answer { response: Option<Response<B>> },
        Inner {
            #[pin]
            future: F,
            headers: Option<ActualHeaders>,
            refusal: Option<Box<CorsRefusal>>,
        },
    }
}

impl<F, B> fmt::Debug for ResponseFuture<F, B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").finish_non_exhaustive()
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    #[inline]
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
                    Poll::Ready(Ok(r)) => r,
                    other => return other,
                };
                // Error statuses (4xx, 5xx) get the headers too: the browser
                // must be able to read them.
                if let Some(h) = headers.take() {
                    h.apply(response.headers_mut());
                }
                if let Some(r) = refusal.take() {
                    response.extensions_mut().insert(*r);
                }
                Poll::Ready(Ok(response))
            }
        }
    }
}
