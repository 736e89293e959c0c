//! cors-policy embedded in three more stacks, as examples with tests over
//! real HTTP (`cargo test -p cors-policy-embed`); the embedding guide,
//! `docs/embedding.md`, walks through them.
//!
//! - `examples/httparse_server.rs`: a server of its own on `std::net` and
//!   `httparse` (the shape of a proxy or a custom stack), answering
//!   through the core alone;
//! - `examples/hyper_server.rs`: hyper's `service_fn` without tower,
//!   through `cors_policy_http::Evaluator`;
//! - `examples/picoserve_server.rs`: [picoserve], a `no_std` HTTP server
//!   for embedded targets (embassy), run on tokio for the tests, with this
//!   library's [`Cors`] layer.
//!
//! This library is that layer, `#![no_std]` and without `alloc`: a
//! `static` policy, the answer's headers in a fixed-capacity
//! [`heapless::Vec`], values borrowed from picoserve's request buffer. It
//! builds for bare metal (`cargo build -p cors-policy-embed --target
//! thumbv7em-none-eabihf`, run by CI).
//!
//! [picoserve]: https://docs.rs/picoserve
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use core::fmt;

use cors_policy::{Decision, Policy, Request, evaluate};
use picoserve::ResponseSent;
use picoserve::io::Read;
use picoserve::request::{Headers, RequestParts};
use picoserve::response::{Body, Connection, HeadersIter, Response, ResponseWriter, StatusCode};
use picoserve::routing::{Layer, Next};

/// The embedding guide, `docs/embedding.md`: its examples run as this
/// crate's doctests.
#[cfg(doctest)]
#[doc = include_str!("../../docs/embedding.md")]
pub struct EmbeddingGuide;

/// The most response headers a CORS answer may need here: six CORS
/// headers, `Vary`, and up to nine `Access-Control-Allow-Headers` lines
/// (one per requested line). A preflight needing more is answered `431
/// Request Header Fields Too Large` with no CORS header (the browser fails
/// it, as any refused preflight); picoserve's request buffer bounds how
/// many lines a request can send anyway.
pub const MAX_HEADERS: usize = 16;

/// The policies a [`Cors`] layer applies: one for every path, or one
/// chosen by path (`None`: the layer stays out of the way).
#[derive(Clone, Copy)]
enum Policies<const N: usize> {
    One(&'static Policy<'static, N>),
    ByPath(fn(&str) -> Option<&'static Policy<'static, N>>),
}

/// A picoserve [`Layer`] applying a `static` CORS policy: it answers
/// preflights itself and adds the decision's headers to the
/// application's other responses, error statuses included.
///
/// ```
/// use cors_policy::{Policy, PolicyBuilder};
///
/// static POLICY: Policy<'static> = match PolicyBuilder::new()
///     .allow_origins(&["https://app.example"])
///     .build()
/// {
///     Ok(p) => p,
///     Err(_) => panic!("invalid CORS policy"),
/// };
/// let app: picoserve::Router<_, (), ()> = picoserve::Router::new()
///     .route("/", picoserve::routing::get(|| async { "hello" }))
///     .layer(cors_policy_embed::Cors::new(&POLICY));
/// # let _ = app;
/// ```
#[derive(Clone, Copy)]
pub struct Cors<const N: usize> {
    policies: Policies<N>,
}

impl<const N: usize> Cors<N> {
    /// A layer applying `policy` to every request.
    pub const fn new(policy: &'static Policy<'static, N>) -> Self {
        Cors {
            policies: Policies::One(policy),
        }
    }

    /// A layer applying the policy `policy_for` gives for each request's
    /// path; none for a path it gives none.
    pub const fn by_path(policy_for: fn(&str) -> Option<&'static Policy<'static, N>>) -> Self {
        Cors {
            policies: Policies::ByPath(policy_for),
        }
    }

    fn policy(&self, path: &str) -> Option<&'static Policy<'static, N>> {
        match self.policies {
            Policies::One(p) => Some(p),
            Policies::ByPath(f) => f(path),
        }
    }
}

/// One header field line of a request, the core's way: the lines of
/// `name` in picoserve's headers, borrowed from the request buffer.
fn lines<'r>(headers: Headers<'r>, name: &'static str) -> impl Iterator<Item = &'r [u8]> + Clone {
    headers
        .iter()
        .filter(move |(n, _)| *n == name)
        .map(|(_, v)| v.as_raw())
}

/// A header value for picoserve, which writes values with `Display`. The
/// core's values are visible ASCII (allowed origins, method and header
/// tokens); any other byte is escaped rather than written raw.
#[derive(Clone, Copy)]
struct Value<'a>(&'a [u8]);

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

/// The decision's response headers and `Vary`, or `None` when they do not
/// fit in [`MAX_HEADERS`].
type Answer<'d> = heapless::Vec<(&'static str, Value<'d>), MAX_HEADERS>;

fn answer<'d, 'r: 'd, L>(decision: &'d Decision<'_, 'r, L>) -> Option<Answer<'d>>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    let mut out = Answer::new();
    for (header, value) in decision.headers() {
        out.push((header.lowercase(), Value(value))).ok()?;
    }
    match decision.vary_value() {
        "" => {}
        vary => out.push(("vary", Value(vary.as_bytes()))).ok()?,
    }
    Some(out)
}

impl<State, PathParameters, const N: usize> Layer<State, PathParameters> for Cors<N> {
    type NextState = State;
    type NextPathParameters = PathParameters;

    async fn call_layer<
        'a,
        R: Read + 'a,
        NextLayer: Next<'a, R, Self::NextState, Self::NextPathParameters>,
        W: ResponseWriter<Error = R::Error>,
    >(
        &self,
        next: NextLayer,
        state: &State,
        path_parameters: PathParameters,
        request_parts: RequestParts<'_>,
        response_writer: W,
    ) -> Result<ResponseSent, W::Error> {
        let Some(policy) = self.policy(request_parts.path().encoded()) else {
            return next.run(state, path_parameters, response_writer).await;
        };
        let headers = request_parts.headers();
        let request = Request::from_fn(request_parts.method().as_bytes(), |h| {
            lines(headers, h.name())
        });
        let decision = evaluate(policy, &request);
        let answer = answer(&decision);
        if decision.is_preflight() {
            // Fetch, "CORS-preflight fetch": answered here; the
            // application never sees it.
            let connection = next.into_connection().await?;
            let (status, headers) = match (decision.preflight_status(), &answer) {
                (Some(status), Some(headers)) => (status, &headers[..]),
                _ => (431, &[][..]),
            };
            // A 204 has no body by definition; any other status says its
            // body is empty, or a keep-alive client waits for one.
            let length = (status != 204).then_some(("content-length", 0));
            let response = Response::empty(StatusCode::new(status))
                .with_headers(headers)
                .with_headers(length);
            return response_writer.write_response(connection, response).await;
        }
        // An actual answer is at most three CORS headers and `Vary`: it
        // always fits.
        let headers = answer.unwrap_or_default();
        next.run(
            state,
            path_parameters,
            WithHeaders {
                response_writer,
                headers,
            },
        )
        .await
    }
}

/// The application's response writer, adding the decision's headers.
struct WithHeaders<'d, W> {
    response_writer: W,
    headers: Answer<'d>,
}

impl<W: ResponseWriter> ResponseWriter for WithHeaders<'_, W> {
    type Error = W::Error;

    async fn write_response<R: Read<Error = Self::Error>, H: HeadersIter, B: Body>(
        self,
        connection: Connection<'_, R>,
        response: Response<H, B>,
    ) -> Result<ResponseSent, Self::Error> {
        let headers: &[(&str, Value<'_>)] = &self.headers;
        self.response_writer
            .write_response(connection, response.with_headers(headers))
            .await
    }
}
