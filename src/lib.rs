//! A `no_std`, allocation-free, panic-free CORS engine: it classifies a
//! request, decides, and gives the exact response headers, following the
//! WHATWG Fetch standard's CORS protocol.
//!
//! # Example
//!
//! ```
//! use cors_policy::{evaluate, Policy, Request, RequestKind, ResponseHeader};
//!
//! let policy = Policy::builder()
//!     .allow_origins(&["https://app.example", "https://*.app.example", "http://localhost:*"])
//!     .allow_credentials(true)
//!     .allow_methods(&["GET", "PUT", "DELETE"])
//!     .allow_headers(&["content-type", "authorization"])
//!     .expose_headers(&["x-request-id"])
//!     .max_age(600)
//!     .build()?;
//!
//! // A preflight, as any header store can present it (here: raw pairs).
//! let request = [
//!     ("Origin", "https://eu.app.example"),
//!     ("Access-Control-Request-Method", "PUT"),
//!     ("Access-Control-Request-Headers", "authorization,content-type"),
//! ];
//! let decision = evaluate(&policy, &Request::from_pairs(b"OPTIONS", &request));
//!
//! assert_eq!(decision.kind(), RequestKind::Preflight);
//! assert!(decision.is_allowed());
//! assert_eq!(decision.preflight_status(), Some(204));
//! let headers: Vec<(ResponseHeader, &[u8])> = decision.headers().collect();
//! assert_eq!(headers, [
//!     (ResponseHeader::AllowOrigin, &b"https://eu.app.example"[..]),
//!     (ResponseHeader::AllowCredentials, b"true"),
//!     (ResponseHeader::AllowMethods, b"PUT"),
//!     (ResponseHeader::AllowHeaders, b"authorization,content-type"),
//!     (ResponseHeader::MaxAge, b"600"),
//! ]);
//! assert_eq!(
//!     decision.vary(),
//!     ["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]
//! );
//!
//! // A refused origin gets no CORS header, and a reason for the logs.
//! let request = [("Origin", "https://app.example.evil")];
//! let decision = evaluate(&policy, &Request::from_pairs(b"GET", &request));
//! assert!(!decision.is_allowed());
//! assert_eq!(decision.headers().count(), 0);
//! assert_eq!(decision.refusal().unwrap().to_string(), "origin \"https://app.example.evil\" is not allowed");
//! # Ok::<(), cors_policy::PolicyErrors<'static>>(())
//! ```
//!
//! # Which crate to add
//!
//! This crate decides; the others put its decisions on the wire or load
//! policies. All have the same version:
//!
//! | you use | add to `[dependencies]` |
//! |---|---|
//! | axum, hyper, any tower `Service` over `http` 1.x | `cors-policy-tower` (`CorsLayer`) |
//! | actix-web 4 | `cors-policy-actix` (`Cors`) |
//! | another stack built on the `http` crate | `cors-policy-http` |
//! | your own HTTP parser, `no_std`, embedded | this crate alone |
//! | policies from JSON or TOML files or `CORS_*` variables | `cors-policy-config` (`PolicyConfig`, `OwnedPolicy`) |
//! | tests that judge a server as a browser would | `cors-policy-browser` |
//!
//! With an adapter, add this crate as well to build a policy in a `static`
//! ([`PolicyBuilder`] is `const`); a policy known only at run time goes
//! through `cors-policy-config`. The repository's README leads from
//! `[dependencies]` to a running axum or actix-web app, and its
//! `docs/integration.md` says where the layer goes among the others.
//!
//! # Security considerations
//!
//! - CORS is not access control: a refused actual request still reaches the
//!   application (the browser only hides the response). Authenticate
//!   requests on their own.
//! - Policies are validated when built. `*` with credentials, non-canonical
//!   origins (which would never match), forbidden methods and header names,
//!   `*` exposed with credentials and private-network access for `*` are
//!   refused, each error naming its entry.
//! - Origins are compared byte-exactly after trimming spaces and tabs, as
//!   browsers serialise them. `https://*.example.com` matches one or more
//!   well-formed labels before `.example.com`, never `example.com` itself
//!   nor `evilexample.com`. Two `Origin` lines, a list, an empty value or
//!   bytes that are not visible ASCII are refused.
//! - `Vary` names every request header an answer depends on, so shared
//!   caches never serve one origin's answer to another.
//! - A `*` in `allowed_headers` never covers `authorization` (Fetch, "CORS
//!   non-wildcard request-header name").
//! - Debug mode ([`Options::debug`]) tells allowed origins which methods
//!   and headers pass; keep it off in production.
//!
//! # Cargo features
//!
//! None by default: the crate is `no_std`, uses no allocator and has no
//! dependency. Its fixed-capacity storage is plain arrays sized by const
//! generics, because `const fn` construction (a policy in a `static`) cannot
//! call the non-`const` push methods of `heapless` or `arrayvec`.
//!
//! - `no-panic`: marks [`evaluate`](evaluate()), [`evaluate_with`] and the parsers with
//!   the `no-panic` crate's attribute, a link-time proof that no panic path
//!   survives optimisation. Build it in release only (`cargo build --release
//!   --features no-panic`; a debug build fails to link by design); CI runs
//!   it (`.ci/hardening.sh`). With it, a caller's origin check runs behind
//!   an `extern "C"` boundary, so a panicking check aborts.
//!
//! # Performance
//!
//! [`evaluate`](evaluate()) looks at each byte of the CORS request headers a bounded
//! number of times and finds origins, methods and header names through hash
//! indexes built with the policy, so a policy of 1,000 origins answers as
//! fast as one of 3.
//!
//! <!-- report:core -->
//! Measured with criterion on a shared 2-core machine (medians; `cargo
//! bench -p cors-policy --bench evaluate`): a simple allowed `GET` 20 ns, a
//! refused origin 34 ns, a preflight with 1 requested header 49 ns and with
//! 20 headers 127 ns, an 8 KiB origin 370 ns.
//! <!-- /report:core -->
//!
//! Names, origins and methods are hashed and compared a word (8 bytes) at
//! a time; a long origin is checked 64 bytes a step, and a long list of
//! requested header names is read from its start and its middle at once. Under callgrind (`bash
//! benches/callgrind.sh`), a 1,000-origin policy costs the same
//! instructions as a 3-origin one. Zero allocations on every input
//! (`tests/no_alloc.rs`). The README compares the adapters with tower-http
//! and actix-cors.
//!
//! Limits: [`DEFAULT_CAPACITY`] origin patterns by default (any `N` with
//! `Policy<'_, N>`), [`MAX_METHODS`], [`MAX_ALLOWED_HEADERS`],
//! [`MAX_EXPOSE_HEADERS_LEN`], [`MAX_MAX_AGE`], [`MAX_ORIGIN_PATTERN_LEN`]. Request headers are not
//! bounded by the engine: their cost is linear and needs no storage, so
//! the HTTP server's header-size limit is the bound.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88.
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]

mod bytes;
mod decision;
mod error;
mod evaluate;
mod hash;
mod header;
mod host;
mod index;
mod method;
mod origin;
mod policy;
mod public_suffix;
mod refusal;
mod request;
mod swar;

pub use decision::{AllowHeaders, Decision, Headers, RequestKind, ResponseHeader};
pub use error::{Canonical, Errors, OriginProblem, PolicyError, PolicyErrors};
pub use evaluate::{DynOriginCheck, Options, evaluate, evaluate_with};
pub use header::MAX_ALLOWED_HEADERS;
pub use method::MAX_METHODS;
pub use origin::MAX_ORIGIN_PATTERN_LEN;
pub use policy::{
    DEFAULT_CAPACITY, MAX_EXPOSE_HEADERS_LEN, MAX_MAX_AGE, OriginCheck, Policy, PolicyBuilder,
};
#[cfg(feature = "public-suffix-list")]
pub use public_suffix::PUBLIC_SUFFIX_LIST_SOURCE;
pub use refusal::{Check, MethodDefect, OriginDefect, Refusal};
pub use request::{CorsRequestHeader, PairLines, Request};

// The Rust blocks of the README and of the guides in docs/ are compiled
// and run as this crate's doctests (they use axum, actix-web and the
// adapters, all development dependencies here). Only under `doctest`: the
// published package leaves docs/ out and never needs them.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(doctest)]
#[doc = include_str!("../docs/integration.md")]
struct IntegrationDoctests;

#[cfg(doctest)]
#[doc = include_str!("../docs/migrating-from-tower-http.md")]
struct TowerHttpMigrationDoctests;

#[cfg(doctest)]
#[doc = include_str!("../docs/migrating-from-actix-cors.md")]
struct ActixCorsMigrationDoctests;
