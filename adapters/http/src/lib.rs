//! [`cors_policy`] for the `http` crate's types: view an
//! [`http::HeaderMap`] as the core's request, write a decision into a
//! response's headers, and hold a policy (fixed or swappable at run time)
//! with its header values made once. The tower and actix adapters are
//! built on it; it holds no CORS logic of its own.
//!
//! # Example
//!
//! ```
//! use cors_policy::{Policy, PolicyBuilder};
//! use cors_policy_http::{ActualHeaders, Engine, HttpStack, HttpView, write_preflight};
//!
//! static POLICY: Policy<'static> = match PolicyBuilder::new()
//!     .allow_origins(&["https://app.example"])
//!     .allow_methods(&["PUT"])
//!     .build()
//! {
//!     Ok(p) => p,
//!     Err(_) => panic!("invalid CORS policy"),
//! };
//! let engine = Engine::<HttpStack>::new(&POLICY);
//!
//! let req = http::Request::options("/items")
//!     .header("origin", "https://app.example")
//!     .header("access-control-request-method", "PUT")
//!     .body(())
//!     .unwrap();
//! let view = HttpView::new(req.method(), req.headers());
//! let mut response = http::Response::new(());
//! engine.decide(view.request(), req.uri().path(), |decision, prepared| {
//!     assert!(decision.is_preflight());
//!     *response.status_mut() = http::StatusCode::from_u16(decision.preflight_status().unwrap()).unwrap();
//!     write_preflight(decision, &view, prepared, response.headers_mut());
//! });
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers()["access-control-allow-methods"], "PUT");
//! ```
//!
//! # Security considerations
//!
//! Everything sent comes from the core's decision; see [`cors_policy`]'s
//! notes. CORS headers an application set itself are removed
//! ([`strip_cors_headers`]) so a response never carries two
//! `Access-Control-Allow-Origin`. A refusal's reason goes to the
//! application's hook or a response extension, never to the client. Debug
//! mode ([`DebugSwitch`]) is off unless switched on.
//!
//! # Cargo features
//!
//! - `tracing` (default): [`Engine`] logs each refused request as one
//!   `tracing` event at `debug` level, target `cors_policy`, message `CORS
//!   request refused`, fields `code`, `reason`, `kind`, `method`, `path`
//!   (bounded), `debug_answer`; hooks ([`Engine::on_refusal`]) run either
//!   way. The tower and actix adapters turn it on with their own default
//!   `tracing` feature.
//!
//! # Performance
//!
//! Request header values are viewed, not copied, and looked up only when
//! the core needs them ([`request_view`], [`HeaderLines::deferred`]);
//! values the policy fixes are made into header values once per policy
//! ([`Prepared`]), `Vary` values at compile time ([`vary_header`]); an
//! echoed origin, method or header list is a clone of the request's own
//! value (a reference count), found through the view without a new
//! lookup ([`HttpView`]). Measured per-request allocations are in the tower
//! and actix adapters' docs (`cargo test -p cors-policy-tower --test alloc
//! -- --nocapture`).
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod answer;
mod engine;
mod policy;
mod stack;
mod vary;
mod write;

pub use answer::{ActualHeaders, Answer, Fixed, merge_vary_tokens, write_answer, write_preflight};
pub use engine::{
    CorsRefusal, DebugSwitch, DynOriginCheck, Engine, PolicyHandle, Prepared, RefusalEvent,
    RefusalHook,
};
pub use policy::CorsPolicy;
pub use stack::{
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK, HeaderLines,
    HttpStack, INTERN_BUDGET, Stack, intern, request_header_name,
};
pub use vary::{
    VARY_ORIGIN, VARY_PREFLIGHT, VARY_PREFLIGHT_ORIGIN, VARY_PREFLIGHT_ORIGIN_PNA,
    VARY_PREFLIGHT_PNA, VaryMerge, joined_vary, vary_merge,
};
pub use write::{
    HttpDecision, HttpTemplate, HttpTemplates, HttpView, merge_vary, parts_view, request_view,
    response_header_name, strip_cors_headers, vary_header,
};
