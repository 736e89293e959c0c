//! The policy: what a server allows, validated once when it is built.

use core::fmt;

use crate::MAX_ALLOWED_HEADERS;
use crate::bytes::{self, at, eq, is_token};
use crate::error::{PolicyError, PolicyErrors};
use crate::header::{self, HeaderSet};
use crate::method::{self, MAX_METHODS, MethodSet};
use crate::origin::{self, Kind, OriginIndex, PatternCheck, check_pattern};

/// Origin patterns a [`Policy`] holds unless told otherwise. Use
/// `Policy<'_, N>` (and [`PolicyBuilder::build_with_capacity`]) for more.
pub const DEFAULT_CAPACITY: usize = 64;

/// The longest `Access-Control-Expose-Headers` value a policy may produce.
/// It is computed once and stored inline; 1 KiB holds about sixty names,
/// far more than an API exposes, and keeps a policy small.
pub const MAX_EXPOSE_HEADERS_LEN: usize = 1024;

/// The largest `max_age` accepted, one day. Browsers cap it lower still
/// (Chromium at 7200 s, Firefox at 86400 s); a larger value is a mistake.
pub const MAX_MAX_AGE: u32 = 86_400;

/// A dynamic origin check: called with the request's trimmed `Origin` only
/// when no pattern matches. See [`PolicyBuilder::origin_check`].
pub type OriginCheck = fn(&[u8]) -> bool;

/// The settings of a policy before validation (docs/behaviour.md §2).
///
/// Every method is `const`, so a policy can be built at compile time and
/// kept in a `static`:
///
/// ```
/// use cors_policy::{Policy, PolicyBuilder};
///
/// static POLICY: Policy<'static> = match PolicyBuilder::new()
///     .allow_origins(&["https://app.example", "https://*.app.example"])
///     .allow_methods(&["GET", "PUT"])
///     .allow_headers(&["content-type"])
///     .max_age(600)
///     .build()
/// {
///     Ok(policy) => policy,
///     Err(_) => panic!("invalid CORS policy"), // a compile error, not a run-time panic
/// };
///
/// assert!(POLICY.allows_origin(b"https://eu.app.example"));
/// assert!(!POLICY.allows_origin(b"https://app.example.evil"));
/// ```
#[derive(Clone, Copy, Debug)]
#[must_use = "a builder does nothing until it is built"]
pub struct PolicyBuilder<'s> {
    pub(crate) any_origin: bool,
    pub(crate) origins: &'s [&'s str],
    pub(crate) credentials: bool,
    pub(crate) methods: &'s [&'s str],
    pub(crate) headers: &'s [&'s str],
    pub(crate) expose: &'s [&'s str],
    pub(crate) max_age: Option<u32>,
    pub(crate) private_network: bool,
    pub(crate) origin_check: Option<OriginCheck>,
    pub(crate) public_suffix_wildcards: bool,
    pub(crate) insecure_origins: bool,
}

impl Default for PolicyBuilder<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'s> PolicyBuilder<'s> {
    /// Safe defaults: no origin (set one), no credentials, only the
    /// safelisted methods, no extra request headers, nothing exposed, no
    /// max age, no private-network access.
    pub const fn new() -> Self {
        PolicyBuilder {
            any_origin: false,
            origins: &[],
            credentials: false,
            methods: &[],
            headers: &[],
            expose: &[],
            max_age: None,
            private_network: false,
            origin_check: None,
            public_suffix_wildcards: false,
            insecure_origins: false,
        }
    }

    /// Allow every origin: `Access-Control-Allow-Origin: *`. Refused with
    /// credentials.
    pub const fn allow_any_origin(mut self) -> Self {
        self.any_origin = true;
        self.origins = &[];
        self
    }

    /// Allow these origin patterns: `https://app.example` (exact),
    /// `https://*.app.example` (one or more labels before `app.example`),
    /// `http://localhost:*` (any port or none), both combined, and `null`.
    ///
    /// Each must be written as browsers serialise origins (Fetch,
    /// "serialization of an origin"); any other spelling is refused with
    /// the canonical one named. `["*"]` alone means
    /// [`allow_any_origin`](Self::allow_any_origin); `"*"` among other
    /// patterns is an error.
    pub const fn allow_origins(mut self, patterns: &'s [&'s str]) -> Self {
        if let [only] = patterns
            && eq(only.as_bytes(), b"*")
        {
            return self.allow_any_origin();
        }
        self.any_origin = false;
        self.origins = patterns;
        self
    }

    /// Send `Access-Control-Allow-Credentials: true` to allowed origins.
    pub const fn allow_credentials(mut self, yes: bool) -> Self {
        self.credentials = yes;
        self
    }

    /// Allow every method but the forbidden ones. With credentials the
    /// requested method is echoed, since `*` would be taken literally.
    pub const fn allow_any_method(mut self) -> Self {
        self.methods = &["*"];
        self
    }

    /// Allow these methods (byte-exact; `"*"` means any). `GET`, `HEAD` and
    /// `POST` always pass. `delete get head options post put` written in
    /// lower case are upper-cased (Fetch, "normalize a method").
    pub const fn allow_methods(mut self, methods: &'s [&'s str]) -> Self {
        self.methods = methods;
        self
    }

    /// Allow these request headers (any case). `"*"` allows every name but
    /// `authorization`, which must be listed by name.
    pub const fn allow_headers(mut self, names: &'s [&'s str]) -> Self {
        self.headers = names;
        self
    }

    /// Let scripts read these response headers (`"*"`: all, refused with
    /// credentials).
    pub const fn expose_headers(mut self, names: &'s [&'s str]) -> Self {
        self.expose = names;
        self
    }

    /// Send `Access-Control-Max-Age` with this many seconds (at most
    /// [`MAX_MAX_AGE`]; `0` disables caching).
    pub const fn max_age(mut self, seconds: u32) -> Self {
        self.max_age = Some(seconds);
        self
    }

    /// Answer `Access-Control-Request-Private-Network: true` with
    /// `Access-Control-Allow-Private-Network: true` (refused with `"*"`
    /// origins).
    pub const fn allow_private_network(mut self, yes: bool) -> Self {
        self.private_network = yes;
        self
    }

    /// Accept subdomain wildcards over public suffixes (`https://*.com`,
    /// `https://*.co.uk`, `https://*.github.io`), which are refused
    /// otherwise: anyone can register a name under a public suffix, so such
    /// a pattern allows sites nobody vetted. Public suffixes are the
    /// explicit rules of the Public Suffix List built into the crate
    /// (feature `public-suffix-list`; a name the list does not know, such as
    /// `localhost`, is not one).
    ///
    /// ```
    /// use cors_policy::{Policy, PolicyError};
    /// let refused = Policy::builder().allow_origins(&["https://*.github.io"]).build();
    /// assert!(matches!(
    ///     refused.unwrap_err().first(),
    ///     Some(PolicyError::PublicSuffixWildcard { index: 0, .. })
    /// ));
    /// let accepted = Policy::builder()
    ///     .allow_origins(&["https://*.github.io"])
    ///     .dangerously_allow_public_suffix_wildcards(true)
    ///     .build();
    /// assert!(accepted.is_ok());
    /// ```
    pub const fn dangerously_allow_public_suffix_wildcards(mut self, yes: bool) -> Self {
        self.public_suffix_wildcards = yes;
        self
    }

    /// Accept, with credentials, the origins whose pages anyone can
    /// impersonate, which are refused otherwise: `null` (sent by sandboxed
    /// iframes, `data:` and `file:` documents, after redirects) and
    /// `http://` origins other than loopback (`localhost` and its
    /// subdomains, `127.0.0.0/8`, `[::1]`), whose pages anyone on the
    /// network path can rewrite. Without credentials they need no opt-in.
    ///
    /// ```
    /// use cors_policy::Policy;
    /// let origins = ["http://intranet.example", "http://localhost:*"];
    /// let builder = Policy::builder().allow_origins(&origins).allow_credentials(true);
    /// assert_eq!(builder.build().unwrap_err().iter().count(), 1); // localhost is fine
    /// assert!(builder.dangerously_allow_insecure_origins(true).build().is_ok());
    /// ```
    pub const fn dangerously_allow_insecure_origins(mut self, yes: bool) -> Self {
        self.insecure_origins = yes;
        self
    }

    /// A function of the request's origin alone, consulted only when no
    /// pattern matches, for origins that cannot be listed up front.
    ///
    /// It sees nothing but the origin, so the answer stays a function of
    /// `Origin` and `Vary: Origin` keeps shared caches correct; a check
    /// looking at other request headers would let a cache serve one
    /// client's answer to another. An allowed origin is always echoed,
    /// never answered with `*`.
    ///
    /// ```
    /// use cors_policy::{evaluate, Policy, Request};
    /// fn preview(origin: &[u8]) -> bool {
    ///     origin.starts_with(b"https://pr-") && origin.ends_with(b".preview.example")
    /// }
    /// let policy = Policy::builder()
    ///     .allow_origins(&["https://app.example"])
    ///     .origin_check(preview)
    ///     .build()
    ///     .unwrap();
    /// let headers = [("Origin", "https://pr-42.preview.example")];
    /// let decision = evaluate(&policy, &Request::from_pairs(b"GET", &headers));
    /// assert!(decision.is_allowed());
    /// ```
    pub const fn origin_check(mut self, check: OriginCheck) -> Self {
        self.origin_check = Some(check);
        self
    }

    /// Validates and builds a policy with the [`DEFAULT_CAPACITY`].
    ///
    /// # Errors
    ///
    /// Every problem of the configuration, in [`PolicyErrors`].
    pub const fn build(self) -> Result<Policy<'s>, PolicyErrors<'s>> {
        self.build_with_capacity::<DEFAULT_CAPACITY>()
    }

    /// Validates and builds a policy holding up to `N` origin patterns.
    ///
    /// ```
    /// # use cors_policy::{Policy, PolicyBuilder};
    /// let many: Vec<String> = (0..1000).map(|i| format!("https://t{i}.example")).collect();
    /// let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    /// let policy: Policy<'_, 1024> = PolicyBuilder::new()
    ///     .allow_origins(&refs)
    ///     .build_with_capacity()
    ///     .unwrap();
    /// assert!(policy.allows_origin(b"https://t999.example"));
    /// ```
    ///
    /// # Errors
    ///
    /// Every problem of the configuration, in [`PolicyErrors`].
    pub const fn build_with_capacity<const N: usize>(
        self,
    ) -> Result<Policy<'s, N>, PolicyErrors<'s>> {
        if next_error(&self, N, 0).is_some() {
            return Err(PolicyErrors {
                config: self,
                capacity: N,
            });
        }
        let mut expose = [0u8; MAX_EXPOSE_HEADERS_LEN];
        let mut expose_len = 0usize;
        let mut rest = self.expose;
        while let [name, tail @ ..] = rest {
            if expose_len > 0 {
                expose_len = push(&mut expose, expose_len, b", ");
            }
            expose_len = push(&mut expose, expose_len, name.as_bytes());
            rest = tail;
        }
        let mut max_age = [0u8; 10];
        let mut max_age_len = 0;
        if let Some(v) = self.max_age {
            max_age_len = itoa(v, &mut max_age);
        }
        Ok(Policy {
            config: self,
            origins: OriginIndex::build(self.origins),
            methods: MethodSet::build(self.methods),
            headers: HeaderSet::build(self.headers),
            expose,
            expose_len,
            max_age,
            max_age_len,
        })
    }
}

const fn push(buf: &mut [u8], mut len: usize, s: &[u8]) -> usize {
    let mut rest = s;
    while let [b, tail @ ..] = rest {
        bytes::set(buf, len, *b);
        len += 1;
        rest = tail;
    }
    len
}

const fn itoa(mut v: u32, out: &mut [u8; 10]) -> usize {
    let mut tmp = [0u8; 10];
    let mut n = 0;
    loop {
        bytes::set(&mut tmp, n, b'0' + (v % 10) as u8);
        n += 1;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    let mut i = 0;
    while i < n {
        bytes::set(out, i, bytes::get_or(&tmp, n - 1 - i, b'0'));
        i += 1;
    }
    n
}

const fn contains_star(list: &[&str]) -> bool {
    let mut rest = list;
    while let [s, tail @ ..] = rest {
        if eq(s.as_bytes(), b"*") {
            return true;
        }
        rest = tail;
    }
    false
}

/// The length of `list` joined with `", "`.
const fn joined_len(list: &[&str]) -> usize {
    let mut len = 0;
    let mut rest = list;
    while let [s, tail @ ..] = rest {
        len += s.len();
        rest = tail;
    }
    len + 2 * list.len().saturating_sub(1)
}

/// The checks of a policy that do not belong to one entry, tried before
/// the entries, in [`GlobalCheck::ALL`]'s order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum GlobalCheck {
    NoOrigins,
    AnyOriginWithCredentials,
    TooManyOrigins,
    TooManyMethods,
    TooManyHeaders,
    ExposeAnyWithCredentials,
    ExposeHeadersTooLong,
    MaxAgeTooLarge,
    PrivateNetworkWithAnyOrigin,
    OriginCheckWithAnyOrigin,
}

impl GlobalCheck {
    /// Every check, in the order problems are reported; its length is the
    /// number of steps [`next_error`] gives them.
    const ALL: &[GlobalCheck] = &[
        GlobalCheck::NoOrigins,
        GlobalCheck::AnyOriginWithCredentials,
        GlobalCheck::TooManyOrigins,
        GlobalCheck::TooManyMethods,
        GlobalCheck::TooManyHeaders,
        GlobalCheck::ExposeAnyWithCredentials,
        GlobalCheck::ExposeHeadersTooLong,
        GlobalCheck::MaxAgeTooLarge,
        GlobalCheck::PrivateNetworkWithAnyOrigin,
        GlobalCheck::OriginCheckWithAnyOrigin,
    ];

    /// The problem this check finds in `c`, if any.
    const fn run<'s>(self, c: &PolicyBuilder<'s>, capacity: usize) -> Option<PolicyError<'s>> {
        if self.fails(c, capacity) {
            Some(self.error(c, capacity))
        } else {
            None
        }
    }

    const fn fails(self, c: &PolicyBuilder<'_>, capacity: usize) -> bool {
        match self {
            GlobalCheck::NoOrigins => !c.any_origin && c.origins.is_empty(),
            GlobalCheck::AnyOriginWithCredentials => c.any_origin && c.credentials,
            GlobalCheck::TooManyOrigins => c.origins.len() > capacity,
            GlobalCheck::TooManyMethods => c.methods.len() > MAX_METHODS,
            GlobalCheck::TooManyHeaders => c.headers.len() > MAX_ALLOWED_HEADERS,
            GlobalCheck::ExposeAnyWithCredentials => c.credentials && contains_star(c.expose),
            GlobalCheck::ExposeHeadersTooLong => joined_len(c.expose) > MAX_EXPOSE_HEADERS_LEN,
            GlobalCheck::MaxAgeTooLarge => match c.max_age {
                Some(v) => v > MAX_MAX_AGE,
                None => false,
            },
            GlobalCheck::PrivateNetworkWithAnyOrigin => c.any_origin && c.private_network,
            GlobalCheck::OriginCheckWithAnyOrigin => c.any_origin && c.origin_check.is_some(),
        }
    }

    /// The error a failed check reports.
    const fn error<'s>(self, c: &PolicyBuilder<'s>, capacity: usize) -> PolicyError<'s> {
        match self {
            GlobalCheck::NoOrigins => PolicyError::NoOrigins,
            GlobalCheck::AnyOriginWithCredentials => PolicyError::AnyOriginWithCredentials,
            GlobalCheck::TooManyOrigins => PolicyError::TooManyOrigins {
                count: c.origins.len(),
                capacity,
            },
            GlobalCheck::TooManyMethods => PolicyError::TooManyMethods {
                count: c.methods.len(),
            },
            GlobalCheck::TooManyHeaders => PolicyError::TooManyHeaders {
                count: c.headers.len(),
            },
            GlobalCheck::ExposeAnyWithCredentials => PolicyError::ExposeAnyWithCredentials,
            GlobalCheck::ExposeHeadersTooLong => PolicyError::ExposeHeadersTooLong {
                len: joined_len(c.expose),
            },
            GlobalCheck::MaxAgeTooLarge => PolicyError::MaxAgeTooLarge {
                value: match c.max_age {
                    Some(v) => v,
                    None => 0,
                },
            },
            GlobalCheck::PrivateNetworkWithAnyOrigin => PolicyError::PrivateNetworkWithAnyOrigin,
            GlobalCheck::OriginCheckWithAnyOrigin => PolicyError::OriginCheckWithAnyOrigin,
        }
    }
}

const fn origin_error<'s>(
    c: &PolicyBuilder<'s>,
    entry: &'s str,
    index: usize,
) -> Option<PolicyError<'s>> {
    match check_pattern(entry) {
        PatternCheck::Ok(parsed) => {
            if !c.public_suffix_wildcards && origin::is_public_suffix_wildcard(entry, &parsed) {
                Some(PolicyError::PublicSuffixWildcard { index, entry })
            } else if c.credentials && !c.insecure_origins && matches!(parsed.kind, Kind::Null) {
                Some(PolicyError::NullOriginWithCredentials { index, entry })
            } else if c.credentials && !c.insecure_origins && origin::is_insecure(entry, &parsed) {
                Some(PolicyError::InsecureOriginWithCredentials { index, entry })
            } else {
                None
            }
        }
        PatternCheck::Invalid(problem) => Some(PolicyError::InvalidOrigin {
            index,
            entry,
            problem,
        }),
        PatternCheck::NonCanonical(canonical) => Some(PolicyError::NonCanonicalOrigin {
            index,
            entry,
            canonical,
        }),
    }
}

const fn method_error(entry: &str, index: usize) -> Option<PolicyError<'_>> {
    let m = entry.as_bytes();
    if !is_token(m) {
        Some(PolicyError::InvalidMethod { index, entry })
    } else if method::is_forbidden(m) {
        Some(PolicyError::ForbiddenMethod { index, entry })
    } else {
        None
    }
}

const fn header_error(entry: &str, index: usize) -> Option<PolicyError<'_>> {
    let h = entry.as_bytes();
    if eq(h, b"*") {
        None
    } else if !is_token(h) {
        Some(PolicyError::InvalidHeader { index, entry })
    } else if header::is_forbidden(h) {
        Some(PolicyError::ForbiddenHeader { index, entry })
    } else {
        None
    }
}

/// The first problem at or after `step`, and the step to resume from.
/// Steps enumerate the global checks, then each origin, method, header and
/// exposed header, so that iterating names every problem exactly once.
pub(crate) const fn next_error<'s>(
    c: &PolicyBuilder<'s>,
    capacity: usize,
    mut step: usize,
) -> Option<(PolicyError<'s>, usize)> {
    // Where each list's steps start.
    let origins = GlobalCheck::ALL.len();
    let methods = origins + c.origins.len();
    let headers = methods + c.methods.len();
    let exposed = headers + c.headers.len();
    let end = exposed + c.expose.len();
    while step < end {
        let found = if let Some((_, [check, ..])) = GlobalCheck::ALL.split_at_checked(step) {
            check.run(c, capacity)
        } else if step < methods {
            match at(c.origins, step - origins) {
                Some(e) => origin_error(c, e, step - origins),
                None => None,
            }
        } else if step < headers {
            match at(c.methods, step - methods) {
                Some(e) => method_error(e, step - methods),
                None => None,
            }
        } else if step < exposed {
            match at(c.headers, step - headers) {
                Some(e) => header_error(e, step - headers),
                None => None,
            }
        } else {
            match at(c.expose, step - exposed) {
                Some(e) if !eq(e.as_bytes(), b"*") && !is_token(e.as_bytes()) => {
                    Some(PolicyError::InvalidExposedHeader {
                        index: step - exposed,
                        entry: e,
                    })
                }
                _ => None,
            }
        };
        if let Some(err) = found {
            return Some((err, step + 1));
        }
        step += 1;
    }
    None
}

/// A validated CORS policy, with every response value it fixes computed
/// once (docs/behaviour.md §2).
///
/// `N` is the capacity in origin patterns. The policy borrows its lists
/// (`'s`) and stores only indexes and precomputed values, so it can be
/// built in a `const` context; see [`PolicyBuilder`].
///
/// ```
/// use cors_policy::Policy;
/// let policy = Policy::builder()
///     .allow_origins(&["https://app.example", "http://localhost:*"])
///     .allow_methods(&["put", "PATCH"])
///     .expose_headers(&["x-request-id", "etag"])
///     .max_age(600)
///     .build()
///     .unwrap();
/// assert!(!policy.allows_any_origin());
/// assert_eq!(policy.allowed_methods(), ["put", "PATCH"]); // as configured; "put" matches PUT
/// assert_eq!(policy.expose_headers_value(), Some(&b"x-request-id, etag"[..]));
/// assert_eq!(policy.max_age_value(), Some(&b"600"[..]));
/// assert!(policy.allows_origin(b"http://localhost:5173"));
/// assert!(!policy.allows_origin(b"http://localhost.evil:5173"));
/// ```
#[derive(Clone)]
pub struct Policy<'s, const N: usize = DEFAULT_CAPACITY> {
    pub(crate) config: PolicyBuilder<'s>,
    pub(crate) origins: OriginIndex<N>,
    pub(crate) methods: MethodSet,
    pub(crate) headers: HeaderSet,
    expose: [u8; MAX_EXPOSE_HEADERS_LEN],
    expose_len: usize,
    max_age: [u8; 10],
    max_age_len: usize,
}

impl<'s> Policy<'s> {
    /// A [`PolicyBuilder`] with safe defaults.
    pub const fn builder() -> PolicyBuilder<'s> {
        PolicyBuilder::new()
    }
}

impl<'s, const N: usize> Policy<'s, N> {
    /// Is every origin allowed (`"*"`)?
    pub const fn allows_any_origin(&self) -> bool {
        self.config.any_origin
    }

    /// The origin patterns (empty for `"*"`).
    pub const fn allowed_origins(&self) -> &'s [&'s str] {
        self.config.origins
    }

    /// Are credentials allowed?
    pub const fn allows_credentials(&self) -> bool {
        self.config.credentials
    }

    /// The methods as configured (`["*"]` for any).
    pub const fn allowed_methods(&self) -> &'s [&'s str] {
        self.config.methods
    }

    /// Is every (non-forbidden) method allowed?
    pub const fn allows_any_method(&self) -> bool {
        self.methods.any
    }

    /// The request-header names as configured (may contain `"*"`).
    pub const fn allowed_headers(&self) -> &'s [&'s str] {
        self.config.headers
    }

    /// The exposed response-header names as configured.
    pub const fn exposed_headers(&self) -> &'s [&'s str] {
        self.config.expose
    }

    /// The max age in seconds, if one is sent.
    pub const fn max_age(&self) -> Option<u32> {
        self.config.max_age
    }

    /// Is private-network access granted?
    pub const fn allows_private_network(&self) -> bool {
        self.config.private_network
    }

    /// The dynamic origin check, if any.
    pub const fn origin_check(&self) -> Option<OriginCheck> {
        self.config.origin_check
    }

    /// The configuration this policy was built from.
    pub const fn config(&self) -> &PolicyBuilder<'s> {
        &self.config
    }

    /// The `Access-Control-Expose-Headers` value, computed when built.
    pub fn expose_headers_value(&self) -> Option<&[u8]> {
        match self.expose.get(..self.expose_len) {
            Some([]) | None => None,
            Some(v) => Some(v),
        }
    }

    /// The `Access-Control-Max-Age` value, computed when built.
    pub fn max_age_value(&self) -> Option<&[u8]> {
        match self.max_age.get(..self.max_age_len) {
            Some([]) | None => None,
            Some(v) => Some(v),
        }
    }

    /// Would a request from `origin` (trimmed of spaces and tabs) be allowed
    /// by the patterns or the policy's origin check? A `"*"` policy allows
    /// every well-formed origin.
    pub fn allows_origin(&self, origin: &[u8]) -> bool {
        crate::evaluate::origin_allowed(self, bytes::trim_ows(origin), None)
    }
}

impl<const N: usize> fmt::Debug for Policy<'_, N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Policy")
            .field("capacity", &N)
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}
