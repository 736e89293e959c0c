//! What to answer: the kind of request, whether it is allowed, the exact
//! response headers, the `Vary` tokens and, for a refusal, why.

use core::fmt;

use crate::header::names_something;
use crate::refusal::Refusal;

/// How a request is classified (docs/behaviour.md §1; Fetch, "HTTP requests").
///
/// ```
/// use cors_policy::{evaluate, Policy, Request, RequestKind};
/// let policy = Policy::builder().allow_any_origin().build().unwrap();
/// let kind = |method: &[u8], headers: &[(&str, &str)]| {
///     evaluate(&policy, &Request::from_pairs(method, headers)).kind()
/// };
/// let origin = ("Origin", "https://app.example");
/// let acrm = ("Access-Control-Request-Method", "PUT");
/// assert_eq!(kind(b"OPTIONS", &[acrm]), RequestKind::NotCors);
/// assert_eq!(kind(b"OPTIONS", &[origin]), RequestKind::Actual);
/// assert_eq!(kind(b"options", &[origin, acrm]), RequestKind::Actual); // byte-exact
/// assert_eq!(kind(b"OPTIONS", &[origin, acrm]), RequestKind::Preflight);
/// assert_eq!(RequestKind::Preflight.as_str(), "preflight");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RequestKind {
    /// No `Origin`: not a CORS request. The application answers it.
    NotCors,
    /// `Origin` present and not a preflight, `OPTIONS` without
    /// `Access-Control-Request-Method` included.
    Actual,
    /// Method exactly `OPTIONS`, with `Origin` and
    /// `Access-Control-Request-Method`.
    Preflight,
}

impl RequestKind {
    /// `not_cors`, `actual` or `preflight`, as the conformance vectors name them.
    pub const fn as_str(self) -> &'static str {
        match self {
            RequestKind::NotCors => "not_cors",
            RequestKind::Actual => "actual",
            RequestKind::Preflight => "preflight",
        }
    }
}

impl fmt::Display for RequestKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A CORS response header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ResponseHeader {
    /// `Access-Control-Allow-Origin`.
    AllowOrigin,
    /// `Access-Control-Allow-Credentials`.
    AllowCredentials,
    /// `Access-Control-Allow-Methods`.
    AllowMethods,
    /// `Access-Control-Allow-Headers`.
    AllowHeaders,
    /// `Access-Control-Max-Age`.
    MaxAge,
    /// `Access-Control-Expose-Headers`.
    ExposeHeaders,
    /// `Access-Control-Allow-Private-Network`.
    AllowPrivateNetwork,
}

impl ResponseHeader {
    /// Every CORS response header, for adapters that must remove ones an
    /// application set.
    pub const ALL: [ResponseHeader; 7] = [
        ResponseHeader::AllowOrigin,
        ResponseHeader::AllowCredentials,
        ResponseHeader::AllowMethods,
        ResponseHeader::AllowHeaders,
        ResponseHeader::MaxAge,
        ResponseHeader::ExposeHeaders,
        ResponseHeader::AllowPrivateNetwork,
    ];

    /// The name as the Fetch standard writes it.
    ///
    /// ```
    /// use cors_policy::ResponseHeader;
    /// assert_eq!(ResponseHeader::AllowOrigin.as_str(), "Access-Control-Allow-Origin");
    /// ```
    pub const fn as_str(self) -> &'static str {
        match self {
            ResponseHeader::AllowOrigin => "Access-Control-Allow-Origin",
            ResponseHeader::AllowCredentials => "Access-Control-Allow-Credentials",
            ResponseHeader::AllowMethods => "Access-Control-Allow-Methods",
            ResponseHeader::AllowHeaders => "Access-Control-Allow-Headers",
            ResponseHeader::MaxAge => "Access-Control-Max-Age",
            ResponseHeader::ExposeHeaders => "Access-Control-Expose-Headers",
            ResponseHeader::AllowPrivateNetwork => "Access-Control-Allow-Private-Network",
        }
    }

    /// The name in lower case, as `http::HeaderName` and HTTP/2 spell it.
    pub const fn lowercase(self) -> &'static str {
        match self {
            ResponseHeader::AllowOrigin => "access-control-allow-origin",
            ResponseHeader::AllowCredentials => "access-control-allow-credentials",
            ResponseHeader::AllowMethods => "access-control-allow-methods",
            ResponseHeader::AllowHeaders => "access-control-allow-headers",
            ResponseHeader::MaxAge => "access-control-max-age",
            ResponseHeader::ExposeHeaders => "access-control-expose-headers",
            ResponseHeader::AllowPrivateNetwork => "access-control-allow-private-network",
        }
    }
}

/// The `Vary` tokens of an answer, with their joined value. Every answer
/// names one of the six sets below, so merging them costs no allocation.
///
/// `Vary` names every request header an answer depends on, so that a shared
/// cache never serves one request's answer to another
/// (<https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct VarySet {
    /// The request headers, in a fixed order.
    tokens: &'static [&'static str],
    /// The same joined with `", "`: a whole `Vary` value.
    joined: &'static str,
}

impl VarySet {
    const NONE: VarySet = VarySet {
        tokens: &[],
        joined: "",
    };
    const ORIGIN: VarySet = VarySet {
        tokens: &["Origin"],
        joined: "Origin",
    };
    const PREFLIGHT: VarySet = VarySet {
        tokens: &[
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
        ],
        joined: "Access-Control-Request-Method, Access-Control-Request-Headers",
    };
    const PREFLIGHT_ORIGIN: VarySet = VarySet {
        tokens: &[
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
        ],
        joined: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
    };
    const PREFLIGHT_PNA: VarySet = VarySet {
        tokens: &[
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
            "Access-Control-Request-Private-Network",
        ],
        joined: "Access-Control-Request-Method, Access-Control-Request-Headers, \
                 Access-Control-Request-Private-Network",
    };
    const PREFLIGHT_ORIGIN_PNA: VarySet = VarySet {
        tokens: &[
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
            "Access-Control-Request-Private-Network",
        ],
        joined: "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, \
                 Access-Control-Request-Private-Network",
    };

    /// What an answer to any request but a preflight depends on: `Origin`,
    /// unless a `"*"` policy answers `*` to every origin
    /// (docs/behaviour.md §3).
    #[inline(always)]
    pub(crate) const fn not_preflight(any_origin: bool) -> VarySet {
        if any_origin {
            VarySet::NONE
        } else {
            VarySet::ORIGIN
        }
    }

    /// What a preflight's answer depends on: `Origin` (unless `"*"`), the
    /// requested method and headers, whether the request had them or not,
    /// and the private-network request when the policy answers it.
    #[inline(always)]
    pub(crate) const fn preflight(any_origin: bool, private_network: bool) -> VarySet {
        match (any_origin, private_network) {
            (true, false) => VarySet::PREFLIGHT,
            (false, false) => VarySet::PREFLIGHT_ORIGIN,
            (true, true) => VarySet::PREFLIGHT_PNA,
            (false, true) => VarySet::PREFLIGHT_ORIGIN_PNA,
        }
    }
}

/// The value of `Access-Control-Allow-Origin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AllowOrigin<'r> {
    None,
    Any,
    Echo(&'r [u8]),
}

/// The answer to one request; see [`evaluate`](crate::evaluate()).
///
/// It borrows from the policy (`'p`) and the request (`'r`): values the
/// policy fixes were computed when it was built, values taken from the
/// request are echoed, and nothing is copied.
#[derive(Clone, Debug)]
#[must_use = "a decision does nothing until its headers are sent or its refusal acted on"]
pub struct Decision<'p, 'r, L> {
    kind: RequestKind,
    refusal: Option<Refusal<'r>>,
    status: Option<u16>,
    allow_origin: AllowOrigin<'r>,
    credentials: bool,
    methods: Option<&'r [u8]>,
    /// The request's header lines to echo as `Access-Control-Allow-Headers`.
    echoed: Option<EchoedLines<L>>,
    max_age: Option<&'p [u8]>,
    expose: Option<&'p [u8]>,
    private_network: bool,
    vary: VarySet,
}

/// The constructors [`evaluate`](crate::evaluate()) answers with, one per
/// row of docs/behaviour.md §3, and the steps that fill in a preflight's
/// answer as its checks pass.
impl<'p, 'r, L> Decision<'p, 'r, L> {
    /// No CORS header, no refusal: what the others start from.
    #[inline(always)]
    const fn bare(kind: RequestKind, vary: VarySet) -> Self {
        Decision {
            kind,
            refusal: None,
            status: None,
            allow_origin: AllowOrigin::None,
            credentials: false,
            methods: None,
            echoed: None,
            max_age: None,
            expose: None,
            private_network: false,
            vary,
        }
    }

    /// A request without `Origin`. A `"*"` policy answers `*` (and its
    /// exposed headers) to every response, so that shared caches need no
    /// `Vary`; a list policy answers nothing and varies on `Origin`.
    #[inline(always)]
    pub(crate) fn not_cors(any_origin: bool, expose: Option<&'p [u8]>) -> Self {
        let bare = Self::bare(RequestKind::NotCors, VarySet::not_preflight(any_origin));
        if any_origin {
            Decision {
                allow_origin: AllowOrigin::Any,
                expose,
                ..bare
            }
        } else {
            bare
        }
    }

    /// An actual request from an allowed origin.
    #[inline(always)]
    pub(crate) fn actual(
        allow_origin: AllowOrigin<'r>,
        credentials: bool,
        expose: Option<&'p [u8]>,
        vary: VarySet,
    ) -> Self {
        Decision {
            allow_origin,
            credentials,
            expose,
            ..Self::bare(RequestKind::Actual, vary)
        }
    }

    /// A preflight from an allowed origin, before its method is checked:
    /// 204 with the origin and credentials, what debug mode shows when the
    /// method is refused.
    #[inline(always)]
    pub(crate) fn preflight(
        allow_origin: AllowOrigin<'r>,
        credentials: bool,
        vary: VarySet,
    ) -> Self {
        Decision {
            status: Some(204),
            allow_origin,
            credentials,
            ..Self::bare(RequestKind::Preflight, vary)
        }
    }

    /// This preflight, its method allowed: echoed as
    /// `Access-Control-Allow-Methods`.
    #[inline(always)]
    pub(crate) fn allow_method(self, method: &'r [u8]) -> Self {
        Decision {
            methods: Some(method),
            ..self
        }
    }

    /// This preflight, its requested header lines echoed, up to `cut`.
    #[inline(always)]
    pub(crate) fn echo_headers(self, lines: L, cut: Option<Cut>) -> Self {
        Decision {
            echoed: Some(EchoedLines::new(lines, cut)),
            ..self
        }
    }

    /// This preflight, allowed: its max age, and private-network access
    /// when granted.
    #[inline(always)]
    pub(crate) fn allowed(self, max_age: Option<&'p [u8]>, private_network: bool) -> Self {
        Decision {
            max_age,
            private_network,
            ..self
        }
    }

    /// A refused request: no CORS header at all, a 403 for a preflight.
    pub(crate) fn refused(kind: RequestKind, refusal: Refusal<'r>, vary: VarySet) -> Self {
        Decision {
            refusal: Some(refusal),
            status: match kind {
                RequestKind::Preflight => Some(403),
                _ => None,
            },
            ..Self::bare(kind, vary)
        }
    }

    /// This preflight, refused for its method or a header: as
    /// [`refused`](Self::refused), or in debug mode 204 with the headers
    /// computed so far (docs/behaviour.md §3.1).
    #[inline(always)]
    pub(crate) fn refuse(self, refusal: Refusal<'r>, debug: bool) -> Self {
        if debug {
            Decision {
                refusal: Some(refusal),
                ..self
            }
        } else {
            Self::refused(self.kind, refusal, self.vary)
        }
    }
}

impl<'p, 'r, L> Decision<'p, 'r, L>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    /// How the request was classified.
    pub fn kind(&self) -> RequestKind {
        self.kind
    }

    /// Is the request allowed? `true` for requests that are not CORS.
    pub fn is_allowed(&self) -> bool {
        self.refusal.is_none()
    }

    /// Why the request was refused, if it was.
    pub fn refusal(&self) -> Option<Refusal<'r>> {
        self.refusal
    }

    /// For a preflight, the status to answer with: 204 when allowed, 403
    /// when refused (204 in debug mode when only the method or a header was
    /// refused). `None` for other requests: the application answers those.
    pub fn preflight_status(&self) -> Option<u16> {
        self.status
    }

    /// Is this a preflight the adapter must answer itself, without calling
    /// the application?
    pub fn is_preflight(&self) -> bool {
        self.kind == RequestKind::Preflight
    }

    /// The `Vary` tokens to merge into the response's `Vary`.
    pub fn vary(&self) -> &'static [&'static str] {
        self.vary.tokens
    }

    /// The same tokens joined with `", "`, ready to be a `Vary` value when
    /// the response has none yet (empty when there are no tokens).
    ///
    /// ```
    /// use cors_policy::{evaluate, Policy, Request};
    /// let policy = Policy::builder().allow_origins(&["https://app.example"]).build().unwrap();
    /// let headers = [("Origin", "https://app.example")];
    /// let decision = evaluate(&policy, &Request::from_pairs(b"GET", &headers));
    /// assert_eq!(decision.vary_value(), "Origin");
    /// ```
    pub fn vary_value(&self) -> &'static str {
        self.vary.joined
    }

    /// The CORS response headers, in a fixed order: `Allow-Origin`,
    /// `Allow-Credentials`, `Allow-Methods`, `Allow-Headers` (one per
    /// requested line that names a header), `Max-Age`, `Expose-Headers`,
    /// `Allow-Private-Network`.
    pub fn headers(&self) -> Headers<'_, 'r, L> {
        Headers {
            decision: self,
            pending: &ResponseHeader::ALL,
            lines: self.echoed.clone(),
        }
    }

    /// The `Access-Control-Allow-Origin` value, if one is sent.
    pub fn allow_origin(&self) -> Option<&'r [u8]> {
        match self.allow_origin {
            AllowOrigin::None => None,
            AllowOrigin::Any => Some(b"*"),
            AllowOrigin::Echo(o) => Some(o),
        }
    }

    /// Is `Access-Control-Allow-Origin` the request's origin echoed (as
    /// opposed to `*`)? Adapters can then reuse the request's own value.
    pub fn echoes_origin(&self) -> bool {
        matches!(self.allow_origin, AllowOrigin::Echo(_))
    }

    /// Is `Access-Control-Allow-Credentials: true` sent?
    ///
    /// With [`allow_origin`](Self::allow_origin) and
    /// [`expose_headers`](Self::expose_headers) this gives an actual
    /// request's whole answer without iterating [`headers`](Self::headers).
    ///
    /// ```
    /// use cors_policy::{evaluate, Policy, Request};
    /// let policy = Policy::builder()
    ///     .allow_origins(&["https://app.example"])
    ///     .allow_credentials(true)
    ///     .expose_headers(&["x-request-id"])
    ///     .build()
    ///     .unwrap();
    /// let headers = [("Origin", "https://app.example")];
    /// let decision = evaluate(&policy, &Request::from_pairs(b"GET", &headers));
    /// assert!(decision.allows_credentials());
    /// assert_eq!(decision.expose_headers(), Some(&b"x-request-id"[..]));
    /// ```
    pub fn allows_credentials(&self) -> bool {
        self.credentials
    }

    /// The `Access-Control-Expose-Headers` value, if one is sent (actual
    /// requests only), computed when the policy was built.
    pub fn expose_headers(&self) -> Option<&'p [u8]> {
        self.expose
    }

    /// The `Access-Control-Allow-Methods` value, if one is sent
    /// (preflights only): the requested method, echoed.
    ///
    /// With [`allow_origin`](Self::allow_origin),
    /// [`allows_credentials`](Self::allows_credentials),
    /// [`max_age`](Self::max_age) and
    /// [`allows_private_network`](Self::allows_private_network) this gives a
    /// preflight's whole answer but `Access-Control-Allow-Headers`, which
    /// echoes each requested line that names a header (see
    /// [`headers`](Self::headers)), up to a refused element in debug mode.
    ///
    /// ```
    /// use cors_policy::{evaluate, Policy, Request};
    /// let policy = Policy::builder()
    ///     .allow_origins(&["https://app.example"])
    ///     .allow_methods(&["PUT"])
    ///     .max_age(600)
    ///     .build()
    ///     .unwrap();
    /// let headers = [("Origin", "https://app.example"), ("Access-Control-Request-Method", "PUT")];
    /// let decision = evaluate(&policy, &Request::from_pairs(b"OPTIONS", &headers));
    /// assert_eq!(decision.allow_methods(), Some(&b"PUT"[..]));
    /// assert_eq!(decision.max_age(), Some(&b"600"[..]));
    /// assert!(!decision.allows_private_network());
    /// ```
    pub fn allow_methods(&self) -> Option<&'r [u8]> {
        self.methods
    }

    /// The `Access-Control-Allow-Headers` lines, if any are sent
    /// (preflights only): each requested line that names a header, echoed
    /// (cut after the last element that passed, for a preflight refused for
    /// a header in debug mode). The same lines as [`headers`](Self::headers)
    /// gives for that header.
    ///
    /// ```
    /// use cors_policy::{evaluate, Policy, Request};
    /// let policy = Policy::builder()
    ///     .allow_origins(&["https://app.example"])
    ///     .allow_headers(&["content-type", "x-api-key"])
    ///     .build()
    ///     .unwrap();
    /// let headers = [
    ///     ("Origin", "https://app.example"),
    ///     ("Access-Control-Request-Method", "POST"),
    ///     ("Access-Control-Request-Headers", "content-type"),
    ///     ("Access-Control-Request-Headers", " , "),
    ///     ("Access-Control-Request-Headers", "x-api-key"),
    /// ];
    /// let decision = evaluate(&policy, &Request::from_pairs(b"OPTIONS", &headers));
    /// let lines: Vec<_> = decision.allow_headers().collect();
    /// assert_eq!(lines, [&b"content-type"[..], &b"x-api-key"[..]]);
    /// ```
    pub fn allow_headers(&self) -> AllowHeaders<'_, 'r, L> {
        AllowHeaders {
            lines: self.echoed.clone(),
            _decision: core::marker::PhantomData,
        }
    }

    /// The `Access-Control-Max-Age` value, if one is sent (allowed
    /// preflights only), computed when the policy was built.
    pub fn max_age(&self) -> Option<&'p [u8]> {
        self.max_age
    }

    /// Is `Access-Control-Allow-Private-Network: true` sent (allowed
    /// preflights asking for it under a policy that enables it)?
    pub fn allows_private_network(&self) -> bool {
        self.private_network
    }
}

/// Where debug mode cuts the echoed `Access-Control-Request-Headers` lines:
/// before the refused element, which starts `end` bytes into the request's
/// field line number `line` (from 0). Later lines are not echoed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cut {
    pub(crate) line: usize,
    pub(crate) end: usize,
}

/// The request's `Access-Control-Request-Headers` field lines, echoed as
/// `Access-Control-Allow-Headers` lines: each line that names a header, as
/// sent, up to the [`Cut`] if there is one. The one iterator behind
/// [`Headers`] and [`AllowHeaders`].
#[derive(Clone, Debug)]
pub(crate) struct EchoedLines<L> {
    lines: L,
    cut: Option<Cut>,
    /// The number of the next line of `lines`.
    line: usize,
}

impl<L> EchoedLines<L> {
    /// Every line of `lines` that names a header, up to `cut`.
    #[inline(always)]
    pub(crate) fn new(lines: L, cut: Option<Cut>) -> Self {
        EchoedLines {
            lines,
            cut,
            line: 0,
        }
    }
}

impl<'r, L> Iterator for EchoedLines<L>
where
    L: Iterator<Item = &'r [u8]>,
{
    type Item = &'r [u8];

    #[inline]
    fn next(&mut self) -> Option<&'r [u8]> {
        loop {
            let line = self.lines.next()?;
            let no = self.line;
            self.line += 1;
            let line = match self.cut {
                // Lines past a refused element are not echoed.
                Some(cut) if no > cut.line => return None,
                Some(cut) if no == cut.line => trim_list_end(line.get(..cut.end).unwrap_or(&[])),
                _ => line,
            };
            if names_something(line) {
                return Some(line);
            }
        }
    }
}

/// Iterator over a decision's response headers; see [`Decision::headers`].
#[derive(Clone, Debug)]
pub struct Headers<'d, 'r, L> {
    decision: &'d Decision<'d, 'r, L>,
    /// The headers still to look at, in [`ResponseHeader::ALL`]'s order.
    pending: &'static [ResponseHeader],
    lines: Option<EchoedLines<L>>,
}

impl<'d, 'r: 'd, L> Iterator for Headers<'d, 'r, L>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    type Item = (ResponseHeader, &'d [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let d = self.decision;
        while let [header, rest @ ..] = self.pending {
            let value = match header {
                ResponseHeader::AllowOrigin => d.allow_origin(),
                ResponseHeader::AllowCredentials => d.credentials.then_some(&b"true"[..]),
                ResponseHeader::AllowMethods => d.methods,
                ResponseHeader::AllowHeaders => {
                    // One item per echoed line: stay on this header while
                    // lines remain.
                    if let Some(line) = self.lines.as_mut().and_then(Iterator::next) {
                        return Some((*header, line));
                    }
                    None
                }
                ResponseHeader::MaxAge => d.max_age,
                ResponseHeader::ExposeHeaders => d.expose,
                ResponseHeader::AllowPrivateNetwork => d.private_network.then_some(&b"true"[..]),
            };
            self.pending = rest;
            if let Some(value) = value {
                return Some((*header, value));
            }
        }
        None
    }
}

/// The `Access-Control-Allow-Headers` lines of a decision; see
/// [`Decision::allow_headers`].
#[derive(Clone, Debug)]
pub struct AllowHeaders<'d, 'r, L> {
    lines: Option<EchoedLines<L>>,
    _decision: core::marker::PhantomData<&'d Decision<'d, 'r, L>>,
}

impl<'d, 'r: 'd, L> Iterator for AllowHeaders<'d, 'r, L>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    type Item = &'d [u8];

    #[inline]
    fn next(&mut self) -> Option<&'d [u8]> {
        self.lines.as_mut()?.next()
    }
}

/// Drops trailing commas and white space left where a list was cut.
fn trim_list_end(mut s: &[u8]) -> &[u8] {
    while let [rest @ .., b',' | b' ' | b'\t'] = s {
        s = rest;
    }
    s
}
