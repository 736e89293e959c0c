//! A decision turned into what answers the request: a preflight's whole
//! answer, or the headers the application's response gets. The values
//! echoed are the request's own (cloned: a reference count, no copy),
//! found through the view the decision was made on.

use std::fmt;
use std::sync::Arc;

use cors_policy::{CorsRequestHeader, Decision, Refusal, ResponseHeader};

use crate::answer::shape::{self, when};
use crate::answer::{Answer, Echo};
use crate::backend::{Backend, inside, same_bytes};
use crate::handle::{Headers, Installed};
use crate::write::{append_vary, write, write_answer};

/// What to do with a request; see [`Evaluator::respond`](crate::Evaluator::respond).
///
/// The type parameter is the stack's header map; it defaults to the `http`
/// crate's.
#[must_use]
pub enum Respond<'r, M: Headers = http::HeaderMap> {
    /// A CORS preflight (Fetch, "CORS-preflight request",
    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch>): answer it
    /// with this, allowed or not; the application never sees it.
    Preflight(Preflight<'r, M>),
    /// Any other request: the application answers it, and its response
    /// gets `headers` ([`ActualHeaders::apply`]), error statuses included.
    /// A refused request still goes on: CORS is not access control, the
    /// browser keeps the response from the page.
    Forward {
        /// The headers the response gets.
        headers: ActualHeaders<M>,
        /// Why the request was refused, if it was: for logs and metrics,
        /// never for the client.
        refusal: Option<Refusal<'r>>,
    },
}

impl<'r, M: Headers> Respond<'r, M> {
    /// Why the request was refused, if it was.
    pub fn refusal(&self) -> Option<Refusal<'r>> {
        match self {
            Respond::Preflight(p) => p.refusal,
            Respond::Forward { refusal, .. } => *refusal,
        }
    }
}

impl<M: Headers> fmt::Debug for Respond<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Respond::Preflight(p) => f.debug_tuple("Preflight").field(p).finish(),
            Respond::Forward { headers, refusal } => f
                .debug_struct("Forward")
                .field("headers", headers)
                .field("refusal", refusal)
                .finish(),
        }
    }
}

/// What to do with a request, for a server on `http`'s types; see
/// [`Evaluator::respond_http`](crate::Evaluator::respond_http).
#[must_use]
pub enum HttpRespond<B> {
    /// A CORS preflight's whole answer (204, or 403 when refused): send
    /// it; the application never sees the request.
    Preflight(http::Response<B>),
    /// Any other request: the application answers it, and its response
    /// gets `headers` ([`ActualHeaders::apply`]), error statuses included.
    Forward {
        /// The headers the response gets.
        headers: ActualHeaders,
        /// Why the request was refused, when it was and a
        /// [`CorsRefusal`](crate::CorsRefusal) was asked for: for the
        /// response's extensions, never for the client.
        refusal: Option<Box<crate::CorsRefusal>>,
    },
}

impl<B> fmt::Debug for HttpRespond<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HttpRespond::Preflight(r) => f.debug_tuple("Preflight").field(&r.status()).finish(),
            HttpRespond::Forward { headers, refusal } => f
                .debug_struct("Forward")
                .field("headers", headers)
                .field("refusal", refusal)
                .finish(),
        }
    }
}

/// A preflight's answer: its status (204, or 403 when refused) and its
/// headers, to write into a new response.
///
/// Small (it is moved a few times on its way to the response): the
/// values it echoes are held as references to the request's own, cloned
/// when written (a reference count each).
#[must_use]
pub struct Preflight<'r, M: Headers = http::HeaderMap> {
    status: u16,
    any_origin: bool,
    credentials: bool,
    max_age: bool,
    expose: bool,
    private_network: bool,
    refusal: Option<Refusal<'r>>,
    origin: Option<&'r M::Value>,
    methods: Option<&'r M::Value>,
    headers: Option<&'r M::Value>,
    vary: &'static str,
    /// The policy, for the values it fixes and the stack's templates.
    installed: Arc<Installed>,
    /// What the request's own values cannot give; none in the usual case.
    made: Option<Box<Made<'r, M::Value>>>,
}

/// The values of a preflight's answer made for it: copies of request
/// bytes the core trimmed, and the `Access-Control-Allow-Headers` lines of
/// a request that split its header list over several lines.
struct Made<'r, V> {
    origin: Option<V>,
    methods: Option<V>,
    headers: Option<V>,
    /// One answer line per requested line (then `headers` is `None`).
    lines: Option<Lines<'r, V>>,
}

impl<V> Default for Made<'_, V> {
    fn default() -> Self {
        Made {
            origin: None,
            methods: None,
            headers: None,
            lines: None,
        }
    }
}

/// The `Access-Control-Allow-Headers` lines of a request that split its
/// header list over several lines: the request's own (cloned when
/// written), and last, in debug mode, the part of a line that passed.
struct Lines<'r, V> {
    own: Vec<&'r V>,
    cut: Option<V>,
}

impl<'r, M: Headers> Preflight<'r, M> {
    /// The answer to the preflight `decision` (made on `view`) under the
    /// policy `installed`.
    #[inline]
    pub(crate) fn new(
        decision: &Decision<'_, 'r, M::Lines<'r>>,
        view: &M::View<'r>,
        installed: &Arc<Installed>,
    ) -> Self {
        type Slot<'r, V> = for<'m> fn(&'m mut Made<'r, V>) -> &'m mut Option<V>;
        let mut made: Option<Box<Made<'r, M::Value>>> = None;
        // The request's own value, or (rarely) a copy kept in `made`.
        let mut own = |header, bytes: Option<&[u8]>, slot: Slot<'r, M::Value>| {
            let bytes = bytes?;
            let v = M::own_value(view, header, bytes);
            if v.is_none() {
                *slot(made.get_or_insert_default()) = M::value(bytes);
            }
            v
        };
        let origin = match decision.echoes_origin() {
            true => own(CorsRequestHeader::Origin, decision.allow_origin(), |m| {
                &mut m.origin
            }),
            false => None,
        };
        let methods = own(
            CorsRequestHeader::AccessControlRequestMethod,
            decision.allow_methods(),
            |m| &mut m.methods,
        );
        let mut lines = decision.allow_headers();
        let headers = match (lines.next(), lines.next()) {
            (Some(_), Some(_)) => {
                made.get_or_insert_default().lines = Some(echo_lines::<M>(decision, view));
                None
            }
            (line, _) => own(CorsRequestHeader::AccessControlRequestHeaders, line, |m| {
                &mut m.headers
            }),
        };
        Preflight {
            status: decision.preflight_status().unwrap_or(403),
            any_origin: decision.allow_origin().is_some() && !decision.echoes_origin(),
            credentials: decision.allows_credentials(),
            max_age: decision.max_age().is_some(),
            expose: decision.expose_headers().is_some(),
            private_network: decision.allows_private_network(),
            refusal: decision.refusal(),
            origin,
            methods,
            headers,
            vary: decision.vary_value(),
            installed: Arc::clone(installed),
            made,
        }
    }

    /// The status to answer with: 204, or 403 when refused (204 in debug
    /// mode when only the method or a header was refused).
    pub fn status(&self) -> u16 {
        self.status
    }

    /// Why the preflight was refused, if it was: for logs and metrics,
    /// never for the client.
    pub fn refusal(&self) -> Option<Refusal<'r>> {
        self.refusal
    }

    /// Writes the answer's headers into `headers`, a new response's map
    /// (headers already there stay, CORS ones are replaced, `Vary` is
    /// merged).
    #[inline]
    pub fn write(self, headers: &mut M) {
        // The usual case, a new map and the request's own values: the
        // stack's prepared answer of this shape, with the values cloned
        // into place. (Going through an `Answer` first cost 136
        // instructions of copies on the tower preflight and 50 on the
        // actual request, `bash benches/callgrind.sh`.)
        if self.made.is_none() && headers.is_empty() {
            let prepared = M::prepared(&self.installed);
            if !M::PREPARES {
                return self.append_new(headers, prepared.fixed());
            }
            if let Some(t) = M::made_template(&prepared.cache, self.shape(), self.vary) {
                let origin = match self.any_origin {
                    true => Some(M::STAR),
                    false => self.origin.cloned(),
                };
                let echo = Echo {
                    origin,
                    methods: self.methods,
                    headers: self.headers,
                };
                return headers.instantiate(t, echo);
            }
        }
        self.write_answer(headers);
    }

    /// [`write`](Self::write) into a new map of a stack that prepares no
    /// answers (actix-web's, whose pooled maps keep their storage): each
    /// header appended, the values cloned straight into place (through an
    /// `Answer`, 231 instructions more on the actix preflight and 122 on
    /// the actual request, `bash benches/callgrind.sh`).
    #[inline]
    fn append_new(&self, map: &mut M, fixed: crate::answer::Fixed<'_, M::Value>) {
        let origin = match self.any_origin {
            true => Some(M::STAR),
            false => self.origin.cloned(),
        };
        if let Some(v) = origin {
            map.append(ResponseHeader::AllowOrigin, v);
        }
        if self.credentials {
            map.append(ResponseHeader::AllowCredentials, M::TRUE);
        }
        if let Some(v) = self.methods {
            map.append(ResponseHeader::AllowMethods, v.clone());
        }
        if let Some(v) = self.headers {
            map.append(ResponseHeader::AllowHeaders, v.clone());
        }
        if let Some(v) = fixed.max_age.filter(|_| self.max_age) {
            map.append(ResponseHeader::MaxAge, v.clone());
        }
        if let Some(v) = fixed.expose.filter(|_| self.expose) {
            map.append(ResponseHeader::ExposeHeaders, v.clone());
        }
        if self.private_network {
            map.append(ResponseHeader::AllowPrivateNetwork, M::TRUE);
        }
        append_vary(map, self.vary);
    }

    /// Which headers the answer holds, when it holds the request's own
    /// values ([`Answer::shape`]).
    #[inline]
    fn shape(&self) -> u8 {
        when(self.any_origin || self.origin.is_some(), shape::ORIGIN)
            | when(self.credentials, shape::CREDENTIALS)
            | when(self.methods.is_some(), shape::METHODS)
            | when(self.headers.is_some(), shape::HEADERS)
            | when(self.max_age, shape::MAX_AGE)
            | when(self.expose, shape::EXPOSE)
            | when(self.private_network, shape::PRIVATE_NETWORK)
            | shape::PREFLIGHT
    }

    /// [`write`](Self::write) in every case: the first answer of its
    /// shape (which makes the prepared one), values the core trimmed,
    /// several header lines, a map that is not empty.
    #[inline(never)]
    fn write_answer(self, headers: &mut M) {
        #[cfg(test)]
        tests::GENERAL.with(|n| n.set(n.get() + 1));
        let prepared = M::prepared(&self.installed);
        let made = self.made.map_or_else(Made::default, |m| *m);
        let answer = &mut Answer {
            origin: match self.any_origin {
                true => Some(M::STAR),
                false => self.origin.cloned().or(made.origin),
            },
            credentials: self.credentials,
            methods: self.methods.cloned().or(made.methods),
            headers: self.headers.cloned().or(made.headers),
            max_age: self.max_age,
            expose: self.expose,
            private_network: self.private_network,
            preflight: true,
            vary: self.vary,
        };
        let fixed = prepared.fixed();
        if let Some(lines) = made.lines {
            // One `Access-Control-Allow-Headers` line per requested line.
            let max_age = fixed.max_age.filter(|_| answer.max_age).cloned();
            let expose = fixed.expose.filter(|_| answer.expose).cloned();
            let lines = lines.own.into_iter().cloned().chain(lines.cut);
            return write(headers, answer, max_age, expose, lines);
        }
        write_prepared(headers, answer, prepared);
    }
}

/// Writes `answer` into `headers`: from the stack's prepared answer of its
/// shape (made now if it is the first) when the map is empty, header by
/// header otherwise.
fn write_prepared<M: Headers>(
    headers: &mut M,
    answer: &mut Answer<M::Value>,
    prepared: &crate::policy::Prepared<M>,
) {
    let fixed = prepared.fixed();
    // A template is made only for an empty map, the one it is used for.
    if headers.is_empty()
        && let Some(t) = M::template(&prepared.cache, answer, fixed)
    {
        let echo = Echo {
            origin: answer.origin.take(),
            methods: answer.methods.as_ref(),
            headers: answer.headers.as_ref(),
        };
        headers.instantiate(t, echo);
    } else {
        write_answer(headers, answer, fixed);
    }
}

impl Preflight<'_, http::HeaderMap> {
    /// The answer as a new `http` response with an empty body.
    ///
    /// ```
    /// use cors_policy::{Policy, PolicyBuilder};
    /// use cors_policy_http::{Evaluator, Respond};
    ///
    /// static POLICY: Policy<'static> = match PolicyBuilder::new()
    ///     .allow_origins(&["https://app.example"])
    ///     .build()
    /// {
    ///     Ok(p) => p,
    ///     Err(_) => panic!("invalid policy"),
    /// };
    /// let req = http::Request::options("/")
    ///     .header("origin", "https://evil.example")
    ///     .header("access-control-request-method", "GET")
    ///     .body(())
    ///     .unwrap();
    /// let Respond::Preflight(answer) = Evaluator::new(&POLICY).respond(&req) else { panic!() };
    /// assert_eq!(answer.refusal().unwrap().code(), "origin_not_allowed");
    /// let response: http::Response<String> = answer.into_response();
    /// assert_eq!(response.status(), 403);
    /// assert!(response.headers().get("access-control-allow-origin").is_none());
    /// ```
    pub fn into_response<B: Default>(self) -> http::Response<B> {
        let mut response = http::Response::new(B::default());
        self.fill(&mut response);
        response
    }

    /// [`into_response`](Self::into_response) into `response`, a new
    /// one, inline: made where the decision is
    /// (`Evaluator::respond_http`), the answer is not moved into a
    /// function of its own first.
    #[inline]
    pub(crate) fn fill<B>(self, response: &mut http::Response<B>) {
        *response.status_mut() =
            http::StatusCode::from_u16(self.status).unwrap_or(http::StatusCode::FORBIDDEN);
        // A new map makes its storage on the first insert: measured
        // (benches/callgrind.rs), `HeaderMap::with_capacity` costs more
        // instructions for the same two allocations.
        self.write(response.headers_mut());
    }
}

impl<M: Headers> fmt::Debug for Preflight<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Preflight")
            .field("status", &self.status)
            .field("refusal", &self.refusal)
            .finish_non_exhaustive()
    }
}

/// The headers a decision adds to the application's response, made before
/// the request goes to the application and applied to its response
/// afterwards. Holds nothing borrowed from the request.
#[must_use]
pub struct ActualHeaders<M: Headers = http::HeaderMap> {
    origin: Option<M::Value>,
    credentials: bool,
    /// Is `Access-Control-Expose-Headers` sent?
    expose: bool,
    vary: &'static str,
    /// The policy, for the values it fixes and the stack's templates.
    installed: Arc<Installed>,
}

impl<M: Headers> ActualHeaders<M> {
    /// What `decision` (made on `view`) adds under the policy `installed`.
    #[inline]
    pub(crate) fn new<'r>(
        decision: &Decision<'_, 'r, M::Lines<'r>>,
        view: &M::View<'r>,
        installed: &Arc<Installed>,
    ) -> Self {
        // docs/behaviour.md §3: actual responses get `Allow-Origin`,
        // `Allow-Credentials` and `Expose-Headers` only.
        ActualHeaders {
            origin: origin::<M>(decision, view),
            credentials: decision.allows_credentials(),
            expose: decision.expose_headers().is_some(),
            vary: decision.vary_value(),
            installed: Arc::clone(installed),
        }
    }

    /// Writes them into the application's response headers: its own CORS
    /// headers are removed first, `Vary` is merged, never overwritten.
    ///
    /// ```
    /// use cors_policy::{Policy, PolicyBuilder};
    /// use cors_policy_http::{Evaluator, Respond};
    /// use http::HeaderValue;
    ///
    /// static POLICY: Policy<'static> = match PolicyBuilder::new()
    ///     .allow_origins(&["https://app.example"])
    ///     .build()
    /// {
    ///     Ok(p) => p,
    ///     Err(_) => panic!("invalid policy"),
    /// };
    /// let req = http::Request::get("/").header("origin", "https://app.example").body(()).unwrap();
    /// let Respond::Forward { headers, .. } = Evaluator::new(&POLICY).respond(&req) else { panic!() };
    /// let mut response = http::Response::new(());
    /// response.headers_mut().insert("access-control-allow-origin", HeaderValue::from_static("*"));
    /// response.headers_mut().insert("vary", HeaderValue::from_static("Accept-Encoding"));
    /// headers.apply(response.headers_mut());
    /// let h = response.headers();
    /// assert_eq!(h.get_all("access-control-allow-origin").iter().collect::<Vec<_>>(), ["https://app.example"]);
    /// assert_eq!(h.get_all("vary").iter().collect::<Vec<_>>(), ["Accept-Encoding", "Origin"]);
    /// ```
    #[inline]
    pub fn apply(self, headers: &mut M) {
        // The usual case for a new map: the stack's prepared answer (see
        // `Preflight::write`).
        if headers.is_empty() {
            let prepared = M::prepared(&self.installed);
            if !M::PREPARES {
                // See `Preflight::append_new`.
                if let Some(v) = self.origin {
                    headers.append(ResponseHeader::AllowOrigin, v);
                }
                if self.credentials {
                    headers.append(ResponseHeader::AllowCredentials, M::TRUE);
                }
                if let Some(v) = prepared.fixed().expose.filter(|_| self.expose) {
                    headers.append(ResponseHeader::ExposeHeaders, v.clone());
                }
                return append_vary(headers, self.vary);
            }
            let shape = when(self.origin.is_some(), shape::ORIGIN)
                | when(self.credentials, shape::CREDENTIALS)
                | when(self.expose, shape::EXPOSE);
            if let Some(t) = M::made_template(&prepared.cache, shape, self.vary) {
                let echo = Echo {
                    origin: self.origin,
                    methods: None,
                    headers: None,
                };
                return headers.instantiate(t, echo);
            }
        }
        self.apply_answer(headers);
    }

    /// [`apply`](Self::apply) in every case.
    #[inline(never)]
    fn apply_answer(self, headers: &mut M) {
        #[cfg(test)]
        tests::GENERAL.with(|n| n.set(n.get() + 1));
        let prepared = M::prepared(&self.installed);
        let answer = &mut Answer {
            origin: self.origin,
            credentials: self.credentials,
            methods: None,
            headers: None,
            max_age: false,
            expose: self.expose,
            private_network: false,
            preflight: false,
            vary: self.vary,
        };
        write_prepared(headers, answer, prepared);
    }
}

impl<M: Headers> Clone for ActualHeaders<M> {
    fn clone(&self) -> Self {
        ActualHeaders {
            origin: self.origin.clone(),
            credentials: self.credentials,
            expose: self.expose,
            vary: self.vary,
            installed: Arc::clone(&self.installed),
        }
    }
}

impl<M: Headers> fmt::Debug for ActualHeaders<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActualHeaders")
            .field("origin", &self.origin)
            .field("credentials", &self.credentials)
            .field("expose", &self.expose)
            .field("vary", &self.vary)
            .finish_non_exhaustive()
    }
}

/// The request's own value of `header` whose bytes are `bytes` (a cheap
/// clone, found through the view), or a copy when the core trimmed it.
#[inline]
fn echo<M: Backend>(
    view: &M::View<'_>,
    header: CorsRequestHeader,
    bytes: &[u8],
) -> Option<M::Value> {
    match M::own_value(view, header, bytes) {
        Some(v) => Some(v.clone()),
        None => M::value(bytes),
    }
}

/// The `Access-Control-Allow-Origin` value: the request's own origin when
/// echoed, otherwise `*`.
#[inline]
fn origin<'r, M: Backend>(
    decision: &Decision<'_, 'r, M::Lines<'r>>,
    view: &M::View<'r>,
) -> Option<M::Value> {
    match decision.allow_origin() {
        Some(o) if decision.echoes_origin() => echo::<M>(view, CorsRequestHeader::Origin, o),
        Some(_) => Some(M::STAR),
        None => None,
    }
}

/// The `Access-Control-Allow-Headers` lines of a request that split its
/// list over several lines, each the request's own value.
///
/// Linear in the lines: the decision gives them in the request's order,
/// so one pass over the request's values finds them all (a lookup per
/// line, from the first, made a request of 32,000 lines take seconds),
/// and the list is made at its final size (growing it copies it).
#[cold]
#[inline(never)]
fn echo_lines<'r, M: Backend>(
    decision: &Decision<'_, 'r, M::Lines<'r>>,
    view: &M::View<'r>,
) -> Lines<'r, M::Value> {
    let header = CorsRequestHeader::AccessControlRequestHeaders;
    let mut lines = Lines {
        own: Vec::with_capacity(M::own_values(view, header).count()),
        cut: None,
    };
    let mut own = M::own_values(view, header);
    for line in decision.allow_headers() {
        let mut found = None;
        for v in own.by_ref() {
            let bytes = M::value_bytes(v);
            if same_bytes(bytes, line) {
                found = Some(v);
                break;
            }
            if inside(bytes, line) {
                // The part of a line a debug-mode answer keeps: the last.
                break;
            }
        }
        match found {
            Some(v) => lines.own.push(v),
            None => lines.cut = M::value(line),
        }
    }
    lines
}

#[cfg(test)]
#[path = "respond_tests.rs"]
pub(crate) mod tests;
