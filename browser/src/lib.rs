//! A model of the browser side of the Fetch standard's CORS checks: what a
//! browser sends, what it accepts, what it lets a script read and how long
//! it trusts a preflight, and what it prints in the console when it
//! blocks; with the `probe` feature, the client of `cors-policy probe`,
//! which judges a live server as a browser would.
//!
//! # Example
//!
//! ```
//! use cors_policy_browser::{
//!     check_preflight, cors_check, BrowserRequest, Engine, Exposed, Response,
//! };
//!
//! // A script on https://app.example calls
//! // fetch(url, { method: "PUT", credentials: "include",
//! //              headers: { "Content-Type": "application/json" } }).
//! let headers = [("Content-Type", "application/json")];
//! let request = BrowserRequest::new("https://app.example", "PUT", &headers, true);
//!
//! // The browser first sends a preflight.
//! let preflight = request.preflight().expect("PUT needs a preflight");
//! assert_eq!(preflight.method, "PUT");
//! assert_eq!(preflight.request_headers().unwrap().to_string(), "content-type");
//!
//! // The server's answer to it.
//! let answer = [
//!     ("Access-Control-Allow-Origin", "https://app.example"),
//!     ("Access-Control-Allow-Credentials", "true"),
//!     ("Access-Control-Allow-Methods", "PUT"),
//!     ("Access-Control-Allow-Headers", "content-type"),
//!     ("Access-Control-Max-Age", "86400"),
//! ];
//! let ok = check_preflight(&request, &Response::new(204, &answer)).unwrap();
//! assert_eq!(Engine::Chromium.cached_seconds(ok.max_age), 7200);
//!
//! // Then the actual request, whose response must pass the CORS check.
//! let actual = [
//!     ("Access-Control-Allow-Origin", "https://app.example"),
//!     ("Access-Control-Allow-Credentials", "true"),
//!     ("Access-Control-Expose-Headers", "x-request-id"),
//!     ("X-Request-Id", "42"),
//! ];
//! let response = Response::new(200, &actual);
//! assert_eq!(cors_check(request.origin, request.credentials, &response), Ok(()));
//! assert!(Exposed::new(&response, true).is_readable(b"X-Request-Id"));
//! ```
//!
//! # What is modelled
//!
//! Each function cites the Fetch section it follows:
//! - when a request needs a preflight: [`is_safelisted_method`],
//!   [`safelisted_request_header`] ("CORS-safelisted request-header": the
//!   `content-type` MIME essences, the 128-byte limit, `range`),
//!   [`BrowserRequest::unsafe_header_names`] ("CORS-unsafe request-header
//!   names", with the 1,024-byte limit);
//! - the preflight a browser sends: [`BrowserRequest::preflight`]
//!   ("CORS-preflight fetch"; `Access-Control-Request-Headers` lower-case,
//!   sorted, deduplicated, joined by `,`);
//! - the validation of its response: [`check_preflight`] (ok status, the
//!   "CORS check", the methods and headers lists with the `*` rules and the
//!   `authorization` exception);
//! - the CORS check of the actual response: [`cors_check`];
//! - what a script may read: [`Exposed`] ("CORS-safelisted response-header
//!   name");
//! - the preflight cache: [`Engine`] (Chromium 7,200 s, Firefox 86,400 s,
//!   WebKit 600 s, default 5 s) and [`PreflightCache`] ("CORS-preflight
//!   cache");
//! - the browser's words: [`Blocked::chromium_message`] (the console
//!   message, word for word, checked against headless Chromium 148 on 30
//!   misconfigured answers by `e2e/messages.mjs`),
//!   [`Blocked::firefox_reason`] (`CORSMissingAllowOrigin`, ...), and
//!   [`recognise`], which reads a pasted Chromium or Firefox message back
//!   to the failed check.
//!
//! ```
//! use cors_policy_browser::{recognise, Failure};
//! let pasted = "Access to fetch at 'https://api.example/items' from origin \
//!     'https://app.example' has been blocked by CORS policy: Method PUT is not \
//!     allowed by Access-Control-Allow-Methods in preflight response.";
//! assert_eq!(recognise(pasted).unwrap().failure, Failure::MethodNotAllowed(Some("PUT")));
//! ```
//!
//! Not modelled: redirects (but a redirected preflight, which is always
//! refused: [`Blocked::PreflightRedirect`]), Private Network Access, the network partition
//! key, `no-cors` and `same-origin` modes, and the use-CORS-preflight flag
//! (set only by upload listeners of `XMLHttpRequest`).
//!
//! # Where Chromium differs
//!
//! The model follows the standard. Checked against headless Chromium 156
//! on 27 cases (and again against Chromium 148 by the console-message
//! suite) (the model's verdict and the set of readable headers agreed
//! on 25), Chromium differs in two ways:
//! - it still lets `*` in `Access-Control-Allow-Headers` cover
//!   `authorization`, which the standard (and so [`check_preflight`])
//!   refuses;
//! - it joins repeated request headers with `", "` before the safelist
//!   checks, so two 100-byte `Accept-Language` values need a preflight
//!   there (one 202-byte value), while the standard checks each value.
//!
//! It also skips its preflight cache for `cache: "no-store"` requests.
//!
//! # Security considerations
//!
//! - The model says what a standards-following browser enforces; it is a
//!   test oracle and a diagnostic, not a security boundary. CORS protects
//!   the *reader* of a response; a server must still authenticate requests,
//!   since simple requests reach it whatever the answer.
//! - Where the standard's text and the engines differ, the model takes the
//!   stricter reading: a cached `*` never serves a credentialed request
//!   ([`PreflightCache`]), and `Access-Control-Allow-Methods` compares
//!   methods byte for byte.
//! - The probe's client only sends the requests it is given (the tool sends
//!   one preflight and one actual request per run), with bounded timeouts
//!   (`probe::TIMEOUT`) and a bounded response head (`probe::MAX_HEAD_LEN`);
//!   it never reads response bodies. `https://` certificates are verified
//!   (rustls, Mozilla's roots or a given CA file); there is no option to
//!   skip the verification, since a browser would not either.
//!
//! # Cargo features
//!
//! - `probe` (off by default): the `probe` module, which needs `std` and
//!   sends real HTTP/1.1 requests over `http://` and `https://` (rustls
//!   with ring, `webpki-roots`). Without it the crate is `#![no_std]` and
//!   allocation-free, console messages included
//!   (`cargo build -p cors-policy-browser --target thumbv7em-none-eabihf`).
//!
//! # Performance
//!
//! Nothing is stored: [`UnsafeNames`] finds each next name by scanning the
//! request's headers, so building `Access-Control-Request-Headers` is
//! quadratic in the number of headers a script set (a handful in practice)
//! and needs no memory. Measured on the project's 2-core machine with
//! `cargo bench -p cors-policy-browser --bench model` (ranges over runs on
//! the shared machine): a simple `GET`'s preflight decision about 5 ns;
//! checking a preflight response for 3 request headers 0.5 to 0.9 µs, for
//! 20 headers 6.5 to 8.5 µs; the CORS check of an actual response with two
//! exposure lookups about 0.1 µs.
//!
//! # Minimum supported Rust version
//!
//! Rust 1.88.
#![cfg_attr(not(feature = "probe"), no_std)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod bytes;
mod cache;
mod check;
mod console;
mod expose;
mod request;
mod safelist;

#[cfg(feature = "probe")]
pub mod probe;

pub use cache::{DEFAULT_MAX_AGE, Engine, PreflightCache};
pub use check::{Blocked, Lines, PreflightOk, Response, TokenList, check_preflight, cors_check};
pub use console::{ChromiumMessage, Console, Failure, Recognised, Stage, recognise};
pub use expose::Exposed;
pub use request::{BrowserRequest, Preflight, UnsafeNames};
pub use safelist::{
    MAX_SAFELISTED_TOTAL_LEN, MAX_SAFELISTED_VALUE_LEN, NotSafelisted, is_forbidden_method,
    is_forbidden_request_header, is_forbidden_response_header_name,
    is_non_wildcard_request_header_name, is_safelisted_method, is_safelisted_request_header,
    is_safelisted_response_header_name, is_unsafe_request_header_byte, normalize_method,
    safelisted_request_header,
};
