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
//! use cors_policy_http::{ActualHeaders, Engine, HttpStack, request_view, write_preflight};
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
//! let view = request_view(req.method(), req.headers());
//! let mut response = http::Response::new(());
//! engine.decide(&view, req.uri().path(), |decision, prepared| {
//!     assert!(decision.is_preflight());
//!     *response.status_mut() = http::StatusCode::from_u16(decision.preflight_status().unwrap()).unwrap();
//!     write_preflight(decision, req.headers(), prepared, response.headers_mut());
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
//! None.
//!
//! # Performance
//!
//! Request header values are viewed, not copied; values the policy fixes
//! are made into header values once per policy ([`Prepared`]); an echoed
//! origin, method or header list is a clone of the request's own value
//! (a reference count). Measured per-request allocations are in the tower
//! and actix adapters' docs (`cargo test -p cors-policy-tower --test alloc
//! -- --nocapture`).
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod engine;
mod policy;
mod stack;
mod vary;
mod write;

pub use engine::{
    CorsRefusal, DebugSwitch, DynOriginCheck, Engine, PolicyHandle, Prepared, RefusalEvent,
    RefusalHook,
};
pub use policy::CorsPolicy;
pub use stack::{
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK, HeaderLines,
    HttpStack, Stack, request_header_name,
};
pub use vary::{VaryMerge, joined_vary, vary_merge};
pub use write::{
    ActualHeaders, HttpDecision, merge_vary, parts_view, request_view, response_header_name,
    strip_cors_headers, write_preflight,
};
