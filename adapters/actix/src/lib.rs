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
//! slices kept then. `Vary` is a header value made at compile time. A new
//! response (a preflight's) gets each header appended; the application's
//! response is scanned once for CORS headers to remove and a `Vary` to
//! merge with, unless it has no header at all.
//!
//! <!-- report:actix -->
//! Measured against actix-cors on the same policy and requests
//! (`benches/RESULTS.md`), the cost this middleware adds over the bare
//! application is 0.28 of actix-cors's on a preflight and 0.68 on an actual
//! request in instructions (`bash benches/callgrind.sh`), 0.31 and 0.90 in
//! time (`cargo bench --bench adapters`, median of 3 runs).
//! <!-- /report:actix -->
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod middleware;

use std::fmt;

use cors_policy_http::Evaluator;

pub use cors_policy_http::{CorsPolicy, CorsRefusal, DebugSwitch, PolicyHandle, RefusalEvent};
pub use middleware::{CorsFuture, CorsMiddleware};

/// CORS middleware for actix-web (`App::wrap`, `Scope::wrap`); see the
/// crate docs.
///
/// Cheap to clone (one reference count) and `Send`, so one value can be
/// moved into `HttpServer::new`'s factory and cloned per worker.
#[derive(Clone)]
#[must_use = "a middleware does nothing until an app wraps it"]
pub struct Cors {
    cors: Evaluator,
    refusal_extension: bool,
}

impl fmt::Debug for Cors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cors")
            .field("cors", &self.cors)
            .field("refusal_extension", &self.refusal_extension)
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
    pub fn new(policy: impl CorsPolicy) -> Self {
        Self::from_evaluator(Evaluator::new(policy))
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
        Self::from_evaluator(Evaluator::swappable(handle))
    }

    fn from_evaluator(cors: Evaluator) -> Self {
        Cors {
            cors,
            refusal_extension: false,
        }
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
        self.cors = self.cors.origin_check(check);
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
        self.cors = self.cors.debug_switch(switch);
        self
    }

    /// The debug switch in use (off unless switched on).
    pub fn debug(&self) -> &DebugSwitch {
        self.cors.debug()
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
        self.cors = self.cors.on_refusal(hook);
        self
    }

    /// Puts a [`CorsRefusal`] in refused requests' response extensions.
    /// Off by default (it allocates the message).
    pub fn refusal_extension(mut self, on: bool) -> Self {
        self.refusal_extension = on;
        self
    }
}
