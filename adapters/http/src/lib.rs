//! [`cors_policy`] for any stack on the `http` crate's types (hyper, poem,
//! salvo, a proxy; the tower and actix adapters are built on it): one
//! [`Evaluator`] per policy answers each request in one call.
//!
//! # Example
//!
//! A handler that answers CORS around an application:
//!
//! ```
//! use cors_policy::{Policy, PolicyBuilder};
//! use cors_policy_http::{Evaluator, Respond};
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
//! fn app(_req: http::Request<String>) -> http::Response<String> {
//!     http::Response::new("hello".into())
//! }
//!
//! fn handle(cors: &Evaluator, req: http::Request<String>) -> http::Response<String> {
//!     let respond = cors.respond(&req);
//!     match respond {
//!         // A preflight: the answer is complete, the application never sees it.
//!         Respond::Preflight(answer) => answer.into_response(),
//!         // Anything else: the application answers, the decision's headers
//!         // are added (error statuses too).
//!         Respond::Forward { headers, .. } => {
//!             let mut response = app(req);
//!             headers.apply(response.headers_mut());
//!             response
//!         }
//!     }
//! }
//!
//! let cors = Evaluator::new(&POLICY);
//! let preflight = http::Request::options("/items")
//!     .header("origin", "https://app.example")
//!     .header("access-control-request-method", "PUT")
//!     .body(String::new())
//!     .unwrap();
//! let response = handle(&cors, preflight);
//! assert_eq!(response.status(), 204);
//! assert_eq!(response.headers()["access-control-allow-methods"], "PUT");
//!
//! let get = http::Request::get("/items").header("origin", "https://app.example").body(String::new()).unwrap();
//! let response = handle(&cors, get);
//! assert_eq!(response.body(), "hello");
//! assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example");
//! assert_eq!(response.headers()["vary"], "Origin");
//! ```
//!
//! hyper's `service_fn` wired this way is `embed/examples/hyper_server.rs`
//! in the repository; the embedding guide (`docs/embedding.md`) also
//! shows the core alone on a parser's slices (a stack of its own, a proxy,
//! `no_std`) and how the tower and actix adapters use this crate.
//!
//! # What a call does
//!
//! [`Evaluator::respond`] views the request's headers (borrowed, looked up
//! only when the core needs them), asks the core to decide, calls the
//! refusal hook if the request is refused, and hands back a [`Respond`]:
//! a [`Preflight`] (status and headers, to write into a new response) or
//! the [`ActualHeaders`] the application's response gets. Neither holds
//! the policy by reference: [`PolicyHandle::store`] may replace it in the
//! meantime.
//!
//! Policies: a `static` one, a [`cors_policy_config::OwnedPolicy`] from a
//! file or the environment, or a [`PolicyHandle`] swapped while the server
//! runs ([`Evaluator::swappable`]). [`Evaluator::origin_check`] adds a
//! run-time origin check, [`DebugSwitch`] debug mode,
//! [`Evaluator::on_refusal`] a hook for logs and metrics.
//!
//! # Security considerations
//!
//! - Everything sent comes from the core's decision; see [`cors_policy`]'s
//!   notes.
//! - Answer a [`Respond::Preflight`] with its answer only: the application
//!   must not see a preflight (Fetch, "CORS-preflight fetch",
//!   <https://fetch.spec.whatwg.org/#cors-preflight-fetch>).
//! - Apply [`ActualHeaders`] to every response of the request, errors
//!   included, or the page cannot read them. A refused request still goes
//!   to the application: CORS is not access control.
//! - [`ActualHeaders::apply`] removes CORS headers the application set, so
//!   a response never carries two `Access-Control-Allow-Origin`, and merges
//!   `Vary`, never overwriting it (Fetch, "CORS protocol and HTTP caches").
//! - A refusal's reason ([`Respond::refusal`], the hook's
//!   [`RefusalEvent`]) is for logs, never for the client.
//! - Debug mode is off unless switched on; it tells allowed origins which
//!   methods and headers pass.
//!
//! # Cargo features
//!
//! - `tracing` (default): each refused request is logged as one `tracing`
//!   event at `debug` level, target `cors_policy`, message `CORS request
//!   refused`, fields `code`, `reason`, `kind`, `method`, `path` (bounded),
//!   `debug_answer`; hooks ([`Evaluator::on_refusal`]) run either way. The
//!   tower and actix adapters turn it on with their own default `tracing`
//!   feature.
//! - `actix`: actix-web's header map as a [`Headers`] type, for
//!   cors-policy-actix. Off by default.
//!
//! # Performance
//!
//! Nothing of the request is copied: the core reads its header values in
//! place, and an echoed origin, method or header list is a clone of the
//! request's own value (a reference count). The values a policy fixes are
//! made into header values once, when the policy is installed; a new
//! response's map is filled by cloning a map prepared per shape of answer.
//! [`Respond`] is a few words, so handing it back costs no large copy.
//! Per-request instructions and allocations against tower-http and
//! actix-cors are in the tower and actix adapters' docs and
//! `benches/RESULTS.md`.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The modules, in the order a request goes through them: each imports
// only modules above it (no circle), and the stack-specific ones (`http`,
// `actix`) sit at the edges, behind the primitives of `backend`.
//
// vary       the joined `Vary` sets the core names; what a response lacks
// answer     what an answer holds: echoed values, flags, `Vary` (data)
// backend    the primitives a stack gives (sealed trait `Backend`)
// http       the `http` crate's stack: request view, header map, templates
// actix      actix-web's stack (feature `actix`): request view, header map
// policy     the policies a layer holds; a policy prepared for one stack
// handle     a policy installed for every stack; `PolicyHandle`; `Headers`
// write      an answer written into a map: CORS headers replaced, `Vary` merged
// respond    a decision turned into a `Preflight` or `ActualHeaders`
// refusal    `RefusalEvent` and `CorsRefusal`
// evaluator  the entry point: view → decide → respond
//
// tests/layering.rs checks the order.
#[cfg(feature = "actix")]
mod actix;
mod answer;
mod backend;
mod evaluator;
mod handle;
mod http;
mod policy;
mod refusal;
mod respond;
mod vary;
mod write;

pub use evaluator::{DebugSwitch, Evaluator, RequestHead};
pub use handle::{Headers, PolicyHandle};
pub use policy::CorsPolicy;
pub use refusal::{CorsRefusal, RefusalEvent};
pub use respond::{ActualHeaders, HttpRespond, Preflight, Respond};
