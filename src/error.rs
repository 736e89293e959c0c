//! Why a policy was refused when it was built.
//!
//! These errors describe configuration mistakes; they are a different type
//! from [`Refusal`](crate::Refusal), which says why a request was refused.

use core::fmt;

use crate::host::{self, Ip};
use crate::policy::PolicyBuilder;

/// One problem found in a policy, naming the offending entry.
///
/// Entries are named by their position in the list they were given in and by
/// their text, so a message can point at the exact line of a configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError<'s> {
    /// `allowed_origins` is an empty list: nothing could ever be allowed.
    NoOrigins,
    /// `"*"` origins with credentials: browsers refuse `*` with credentials
    /// (Fetch, "CORS check", step 3), so the policy could never work.
    AnyOriginWithCredentials,
    /// More origin patterns than the policy's capacity.
    TooManyOrigins {
        /// Patterns given.
        count: usize,
        /// The capacity (`Policy<'_, N>`'s `N`).
        capacity: usize,
    },
    /// More method names than [`MAX_METHODS`](crate::MAX_METHODS).
    TooManyMethods {
        /// Names given.
        count: usize,
    },
    /// More request-header names than [`MAX_ALLOWED_HEADERS`](crate::MAX_ALLOWED_HEADERS).
    TooManyHeaders {
        /// Names given.
        count: usize,
    },
    /// An origin pattern that is not valid at all.
    InvalidOrigin {
        /// Position in `allowed_origins`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
        /// What is wrong with it.
        problem: OriginProblem,
    },
    /// An origin written in a form browsers never send: it would never match.
    NonCanonicalOrigin {
        /// Position in `allowed_origins`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
        /// The spelling to write instead (its `Display` writes it).
        canonical: Canonical<'s>,
    },
    /// A method that is not a token (RFC 9110 §5.6.2).
    InvalidMethod {
        /// Position in `allowed_methods`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
    },
    /// `CONNECT`, `TRACE` or `TRACK`: forbidden methods (Fetch, "forbidden method").
    ForbiddenMethod {
        /// Position in `allowed_methods`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
    },
    /// A request-header name that is not a token.
    InvalidHeader {
        /// Position in `allowed_headers`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
    },
    /// A forbidden request-header name (Fetch, "forbidden request-header"):
    /// browsers never let a script set it, so allowing it means nothing.
    ForbiddenHeader {
        /// Position in `allowed_headers`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
    },
    /// An exposed response-header name that is not a token.
    InvalidExposedHeader {
        /// Position in `expose_headers`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
    },
    /// `expose_headers` `*` with credentials: browsers would read it as a
    /// header literally named `*` (Fetch, `Access-Control-Expose-Headers`).
    ExposeAnyWithCredentials,
    /// The joined `Access-Control-Expose-Headers` value is longer than
    /// [`MAX_EXPOSE_HEADERS_LEN`](crate::MAX_EXPOSE_HEADERS_LEN).
    ExposeHeadersTooLong {
        /// Length of the joined value.
        len: usize,
    },
    /// `max_age` above [`MAX_MAX_AGE`](crate::MAX_MAX_AGE).
    MaxAgeTooLarge {
        /// The value given.
        value: u32,
    },
    /// Private-network access granted to `"*"` origins: any site could reach
    /// the private network through this server.
    PrivateNetworkWithAnyOrigin,
    /// A dynamic origin check on a `"*"` policy would never be consulted.
    OriginCheckWithAnyOrigin,
    /// A subdomain wildcard over a public suffix (`https://*.com`,
    /// `https://*.github.io`): anyone can register a name under it, so the
    /// pattern allows sites nobody vetted. Accepted only with
    /// [`PolicyBuilder::dangerously_allow_public_suffix_wildcards`].
    PublicSuffixWildcard {
        /// Position in `allowed_origins`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
    },
    /// `null` with credentials: any page can send `Origin: null` (a
    /// sandboxed iframe, a `data:` or `file:` document, a redirect), so every
    /// site could read credentialed responses. Accepted only with
    /// [`PolicyBuilder::dangerously_allow_insecure_origins`].
    NullOriginWithCredentials {
        /// Position in `allowed_origins`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
    },
    /// An `http://` origin other than loopback with credentials: anyone on
    /// the network path can inject script into that page and read
    /// credentialed responses. Accepted only with
    /// [`PolicyBuilder::dangerously_allow_insecure_origins`].
    InsecureOriginWithCredentials {
        /// Position in `allowed_origins`.
        index: usize,
        /// The entry as written.
        entry: &'s str,
    },
}

impl<'s> PolicyError<'s> {
    /// A stable identifier of the problem, for programs (a tenant UI writing
    /// its own messages, metrics); the `Display` text may change.
    ///
    /// ```
    /// use cors_policy::Policy;
    /// let err = Policy::builder().allow_origins(&["https://*.com"]).build().unwrap_err();
    /// assert_eq!(err.first().unwrap().code(), "public_suffix_wildcard");
    /// ```
    pub const fn code(&self) -> &'static str {
        match self {
            PolicyError::NoOrigins => "no_origins",
            PolicyError::AnyOriginWithCredentials => "any_origin_with_credentials",
            PolicyError::TooManyOrigins { .. } => "too_many_origins",
            PolicyError::TooManyMethods { .. } => "too_many_methods",
            PolicyError::TooManyHeaders { .. } => "too_many_headers",
            PolicyError::InvalidOrigin { problem, .. } => problem.code(),
            PolicyError::NonCanonicalOrigin { .. } => "non_canonical_origin",
            PolicyError::InvalidMethod { .. } => "invalid_method",
            PolicyError::ForbiddenMethod { .. } => "forbidden_method",
            PolicyError::InvalidHeader { .. } => "invalid_header",
            PolicyError::ForbiddenHeader { .. } => "forbidden_header",
            PolicyError::InvalidExposedHeader { .. } => "invalid_exposed_header",
            PolicyError::ExposeAnyWithCredentials => "expose_any_with_credentials",
            PolicyError::ExposeHeadersTooLong { .. } => "expose_headers_too_long",
            PolicyError::MaxAgeTooLarge { .. } => "max_age_too_large",
            PolicyError::PrivateNetworkWithAnyOrigin => "private_network_with_any_origin",
            PolicyError::OriginCheckWithAnyOrigin => "origin_check_with_any_origin",
            PolicyError::PublicSuffixWildcard { .. } => "public_suffix_wildcard",
            PolicyError::NullOriginWithCredentials { .. } => "null_origin_with_credentials",
            PolicyError::InsecureOriginWithCredentials { .. } => "insecure_origin_with_credentials",
        }
    }

    /// The policy field the problem is in, as files name it
    /// (`allowed_origins`, `max_age`, ...).
    pub const fn field(&self) -> &'static str {
        match self {
            PolicyError::NoOrigins
            | PolicyError::AnyOriginWithCredentials
            | PolicyError::TooManyOrigins { .. }
            | PolicyError::InvalidOrigin { .. }
            | PolicyError::NonCanonicalOrigin { .. }
            | PolicyError::PrivateNetworkWithAnyOrigin
            | PolicyError::OriginCheckWithAnyOrigin
            | PolicyError::PublicSuffixWildcard { .. }
            | PolicyError::NullOriginWithCredentials { .. }
            | PolicyError::InsecureOriginWithCredentials { .. } => "allowed_origins",
            PolicyError::TooManyMethods { .. }
            | PolicyError::InvalidMethod { .. }
            | PolicyError::ForbiddenMethod { .. } => "allowed_methods",
            PolicyError::TooManyHeaders { .. }
            | PolicyError::InvalidHeader { .. }
            | PolicyError::ForbiddenHeader { .. } => "allowed_headers",
            PolicyError::InvalidExposedHeader { .. }
            | PolicyError::ExposeAnyWithCredentials
            | PolicyError::ExposeHeadersTooLong { .. } => "expose_headers",
            PolicyError::MaxAgeTooLarge { .. } => "max_age",
        }
    }

    /// The position of the offending entry in its list, for problems of one
    /// entry.
    pub const fn index(&self) -> Option<usize> {
        match *self {
            PolicyError::InvalidOrigin { index, .. }
            | PolicyError::NonCanonicalOrigin { index, .. }
            | PolicyError::InvalidMethod { index, .. }
            | PolicyError::ForbiddenMethod { index, .. }
            | PolicyError::InvalidHeader { index, .. }
            | PolicyError::ForbiddenHeader { index, .. }
            | PolicyError::InvalidExposedHeader { index, .. }
            | PolicyError::PublicSuffixWildcard { index, .. }
            | PolicyError::NullOriginWithCredentials { index, .. }
            | PolicyError::InsecureOriginWithCredentials { index, .. } => Some(index),
            _ => None,
        }
    }

    /// The offending entry as written, for problems of one entry.
    pub const fn entry(&self) -> Option<&'s str> {
        match *self {
            PolicyError::InvalidOrigin { entry, .. }
            | PolicyError::NonCanonicalOrigin { entry, .. }
            | PolicyError::InvalidMethod { entry, .. }
            | PolicyError::ForbiddenMethod { entry, .. }
            | PolicyError::InvalidHeader { entry, .. }
            | PolicyError::ForbiddenHeader { entry, .. }
            | PolicyError::InvalidExposedHeader { entry, .. }
            | PolicyError::PublicSuffixWildcard { entry, .. }
            | PolicyError::NullOriginWithCredentials { entry, .. }
            | PolicyError::InsecureOriginWithCredentials { entry, .. } => Some(entry),
            _ => None,
        }
    }

    /// The policy field that accepts this risk explicitly, for the problems
    /// an opt-in can waive (`dangerously_allow_...`).
    pub const fn opt_in(&self) -> Option<&'static str> {
        match self {
            PolicyError::PublicSuffixWildcard { .. } => {
                Some("dangerously_allow_public_suffix_wildcards")
            }
            PolicyError::NullOriginWithCredentials { .. }
            | PolicyError::InsecureOriginWithCredentials { .. } => {
                Some("dangerously_allow_insecure_origins")
            }
            _ => None,
        }
    }
}

/// What makes an origin pattern invalid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum OriginProblem {
    /// `"*"` inside a list: use the any-origin setting instead.
    WildcardInList,
    /// No `scheme://`.
    MissingScheme,
    /// The scheme has a byte outside `[a-z0-9+.-]` or does not start with a letter.
    BadScheme,
    /// No host after `scheme://`.
    MissingHost,
    /// A user name or password (`user@host`): origins never carry one.
    Userinfo,
    /// The host has an empty, over-long or badly formed label.
    BadHost,
    /// `*` anywhere but as the whole first label (`*.example.com`) or the
    /// whole port (`:*`).
    MisplacedWildcard,
    /// A port that is not a number from 1 to 65535 written without leading zeros.
    BadPort,
    /// Longer than [`MAX_ORIGIN_PATTERN_LEN`](crate::MAX_ORIGIN_PATTERN_LEN).
    TooLong,
    /// The host ends in a number but is not an IPv4 address
    /// (`foo.bar.255`, `127.0.0.1.1`, `256.0.0.1`): the URL parser refuses
    /// such a URL, so no browser sends it.
    NotAnIpv4Address,
    /// An `xn--` label that is not valid Punycode for a non-ASCII label
    /// (`xn--f`): the URL parser refuses it.
    InvalidPunycode,
    /// `*.` in front of an IP address (`http://*.127.0.0.1`): no host is a
    /// subdomain of an address.
    WildcardOverIp,
}

impl OriginProblem {
    /// A stable identifier, as [`PolicyError::code`] gives it.
    pub const fn code(self) -> &'static str {
        match self {
            OriginProblem::WildcardInList => "origin_wildcard_in_list",
            OriginProblem::MissingScheme => "origin_missing_scheme",
            OriginProblem::BadScheme => "origin_bad_scheme",
            OriginProblem::MissingHost => "origin_missing_host",
            OriginProblem::Userinfo => "origin_userinfo",
            OriginProblem::BadHost => "origin_bad_host",
            OriginProblem::MisplacedWildcard => "origin_misplaced_wildcard",
            OriginProblem::BadPort => "origin_bad_port",
            OriginProblem::TooLong => "origin_too_long",
            OriginProblem::NotAnIpv4Address => "origin_not_an_ipv4_address",
            OriginProblem::InvalidPunycode => "origin_invalid_punycode",
            OriginProblem::WildcardOverIp => "origin_wildcard_over_ip",
        }
    }

    const fn describe(self) -> &'static str {
        match self {
            OriginProblem::WildcardInList => {
                "\"*\" cannot be mixed with other origins; allow any origin instead"
            }
            OriginProblem::MissingScheme => "no scheme: write it as scheme://host",
            OriginProblem::BadScheme => "the scheme is not valid",
            OriginProblem::MissingHost => "no host after scheme://",
            OriginProblem::Userinfo => "origins never contain user@",
            OriginProblem::BadHost => {
                "the host is not a valid host name (labels of letters, digits, - and _, at most 63 bytes each, 253 in all) or address"
            }
            OriginProblem::MisplacedWildcard => {
                "\"*\" may only be the first label (https://*.example.com) or the port (:*)"
            }
            OriginProblem::BadPort => "the port is not a number from 1 to 65535",
            OriginProblem::TooLong => "longer than any origin a browser sends (512 bytes)",
            OriginProblem::NotAnIpv4Address => {
                "the host ends in a number but is not an IPv4 address, so browsers refuse the URL"
            }
            OriginProblem::InvalidPunycode => {
                "an xn-- label that is not valid Punycode, so browsers refuse the URL"
            }
            OriginProblem::WildcardOverIp => {
                "\"*.\" cannot stand in front of an IP address: no host is a subdomain of one"
            }
        }
    }
}

/// The canonical spelling of a non-canonical origin, written by `Display`.
///
/// It is computed from the entry as written, without allocating: lower-cased,
/// without path or trailing slash, without a default or empty port, and an
/// IP address written as browsers send it (`127.1` as `127.0.0.1`, IPv6
/// compressed: URL standard, "host serializing").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Canonical<'s> {
    pub(crate) entry: &'s str,
    pub(crate) lowercase: bool,
    /// Byte offset where the path (or query, fragment) starts.
    pub(crate) cut: usize,
    /// Byte range of a port to remove (`:443`, `:`), empty when none.
    pub(crate) strip: (usize, usize),
    /// Byte range of the host (with its brackets for IPv6).
    pub(crate) host: (usize, usize),
    /// The address to write in place of the host, when it is not written as
    /// browsers serialise it.
    pub(crate) ip: Option<Ip>,
}

impl fmt::Display for Canonical<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, c) in self.entry.char_indices() {
            if i >= self.cut {
                break;
            }
            if i >= self.strip.0 && i < self.strip.1 {
                continue;
            }
            if let Some(ip) = self.ip
                && i >= self.host.0
                && i < self.host.1
            {
                if i == self.host.0 {
                    let (open, text, close) = match ip {
                        Ip::V4(a) => ("", host::serialize_ipv4(a), ""),
                        Ip::V6(p) => ("[", host::serialize_ipv6(&p), "]"),
                    };
                    f.write_str(open)?;
                    for &b in text.as_bytes() {
                        fmt::Write::write_char(f, char::from(b))?;
                    }
                    f.write_str(close)?;
                }
                continue;
            }
            let c = if self.lowercase {
                c.to_ascii_lowercase()
            } else {
                c
            };
            fmt::Write::write_char(f, c)?;
        }
        Ok(())
    }
}

impl fmt::Display for PolicyError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PolicyError::NoOrigins => f.write_str("allowed_origins is empty: no origin could ever be allowed"),
            PolicyError::AnyOriginWithCredentials => f.write_str(
                "allowed_origins \"*\" with allow_credentials: browsers reject `*` with credentials; list the origins",
            ),
            PolicyError::TooManyOrigins { count, capacity } => write!(
                f,
                "{count} origin patterns exceed the capacity of {capacity}; use Policy<'_, N> with a larger N"
            ),
            PolicyError::TooManyMethods { count } => write!(
                f,
                "{count} methods exceed the limit of {}",
                crate::MAX_METHODS
            ),
            PolicyError::TooManyHeaders { count } => write!(
                f,
                "{count} request-header names exceed the limit of {}",
                crate::MAX_ALLOWED_HEADERS
            ),
            PolicyError::InvalidOrigin { index, entry, problem } => write!(
                f,
                "allowed_origins[{index}] {entry:?}: {}",
                problem.describe()
            ),
            PolicyError::NonCanonicalOrigin { index, entry, canonical } => write!(
                f,
                "allowed_origins[{index}] {entry:?} is not how browsers send origins and would never match; write \"{canonical}\""
            ),
            PolicyError::InvalidMethod { index, entry } => {
                write!(f, "allowed_methods[{index}] {entry:?} is not a valid method token")
            }
            PolicyError::ForbiddenMethod { index, entry } => write!(
                f,
                "allowed_methods[{index}] {entry:?} is a forbidden method that browsers never send"
            ),
            PolicyError::InvalidHeader { index, entry } => {
                write!(f, "allowed_headers[{index}] {entry:?} is not a valid header name")
            }
            PolicyError::ForbiddenHeader { index, entry } => write!(
                f,
                "allowed_headers[{index}] {entry:?} is a forbidden request header that scripts can never set"
            ),
            PolicyError::InvalidExposedHeader { index, entry } => {
                write!(f, "expose_headers[{index}] {entry:?} is not a valid header name")
            }
            PolicyError::ExposeAnyWithCredentials => f.write_str(
                "expose_headers \"*\" with allow_credentials: browsers would take `*` literally; list the headers",
            ),
            PolicyError::ExposeHeadersTooLong { len } => write!(
                f,
                "expose_headers joined are {len} bytes, above the limit of {}",
                crate::MAX_EXPOSE_HEADERS_LEN
            ),
            PolicyError::MaxAgeTooLarge { value } => write!(
                f,
                "max_age {value} is above {}; browsers cap it far lower (Chromium: 7200)",
                crate::MAX_MAX_AGE
            ),
            PolicyError::PrivateNetworkWithAnyOrigin => f.write_str(
                "allow_private_network with allowed_origins \"*\": any site could reach the private network; list the origins",
            ),
            PolicyError::OriginCheckWithAnyOrigin => f.write_str(
                "a dynamic origin check with allowed_origins \"*\" would never be consulted",
            ),
            PolicyError::PublicSuffixWildcard { index, entry } => write!(
                f,
                "allowed_origins[{index}] {entry:?}: {} is a public suffix (Public Suffix List) where anyone can register a name, so the wildcard allows sites nobody vetted; list your own origins, or set dangerously_allow_public_suffix_wildcards to accept the risk",
                wildcard_suffix(entry)
            ),
            PolicyError::NullOriginWithCredentials { index, entry } => write!(
                f,
                "allowed_origins[{index}] {entry:?} with allow_credentials: any page can send Origin: null (sandboxed iframes, data: and file: documents), so every site could read credentialed responses; remove it, or set dangerously_allow_insecure_origins to accept the risk"
            ),
            PolicyError::InsecureOriginWithCredentials { index, entry } => write!(
                f,
                "allowed_origins[{index}] {entry:?} is http:// with allow_credentials: anyone on the network path can inject script into that page and read credentialed responses; serve it over https, or set dangerously_allow_insecure_origins to accept the risk"
            ),
        }
    }
}

impl core::error::Error for PolicyError<'_> {}

/// The suffix of a `scheme://*.suffix[:port]` pattern.
fn wildcard_suffix(entry: &str) -> &str {
    let rest = entry.split_once("*.").map_or(entry, |(_, r)| r);
    rest.split_once(':').map_or(rest, |(s, _)| s)
}

/// Every problem found in a refused policy.
///
/// Holds the refused configuration and finds its problems again when
/// iterated, so it names every one of them without storing a list.
#[derive(Clone, Copy, Debug)]
pub struct PolicyErrors<'s> {
    pub(crate) config: PolicyBuilder<'s>,
    pub(crate) capacity: usize,
}

impl<'s> PolicyErrors<'s> {
    /// Every problem, in the order of the configuration's fields.
    ///
    /// ```
    /// use cors_policy::{Policy, PolicyError};
    /// let err = Policy::builder()
    ///     .allow_origins(&["https://App.example/", "https://ok.example"])
    ///     .allow_methods(&["TRACE"])
    ///     .build()
    ///     .unwrap_err();
    /// let all: Vec<PolicyError> = err.iter().collect();
    /// assert_eq!(all.len(), 2);
    /// assert_eq!(
    ///     all[0].to_string(),
    ///     "allowed_origins[0] \"https://App.example/\" is not how browsers send origins \
    ///      and would never match; write \"https://app.example\""
    /// );
    /// ```
    pub fn iter(&self) -> Errors<'s> {
        Errors {
            config: self.config,
            capacity: self.capacity,
            step: 0,
        }
    }

    /// The first problem.
    pub fn first(&self) -> Option<PolicyError<'s>> {
        self.iter().next()
    }
}

impl<'s> IntoIterator for &PolicyErrors<'s> {
    type Item = PolicyError<'s>;
    type IntoIter = Errors<'s>;
    fn into_iter(self) -> Errors<'s> {
        self.iter()
    }
}

impl fmt::Display for PolicyErrors<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid CORS policy: ")?;
        for (i, e) in self.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            fmt::Display::fmt(&e, f)?;
        }
        Ok(())
    }
}

impl core::error::Error for PolicyErrors<'_> {}

/// Iterator over the problems of a refused policy; see [`PolicyErrors::iter`].
#[derive(Clone, Debug)]
pub struct Errors<'s> {
    config: PolicyBuilder<'s>,
    capacity: usize,
    step: usize,
}

impl<'s> Iterator for Errors<'s> {
    type Item = PolicyError<'s>;
    fn next(&mut self) -> Option<PolicyError<'s>> {
        let (err, next) = crate::policy::next_error(&self.config, self.capacity, self.step)?;
        self.step = next;
        Some(err)
    }
}
