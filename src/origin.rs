//! Origin patterns: their validation when a policy is built, and matching a
//! request's `Origin` against them in time independent of their number.
//!
//! Fetch, "origin" and "serialization of an origin": a browser sends a
//! scheme, `://`, a lower-case host and a port only when it is not the
//! scheme's default, with no path and no trailing slash; or `null`.
//! Patterns are therefore required in exactly that form and compared
//! byte-exactly (docs/behaviour.md §2.2, §4.1).

use crate::bytes::{self, at, eq, range};
use crate::error::{Canonical, OriginProblem};
use crate::hash;
use crate::host::{self, Ip};
use crate::index::Index;
use crate::swar::{self, Case};

/// How a pattern matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `scheme://host[:port]`, compared whole.
    Exact,
    /// `scheme://host:*`: any port, or none.
    AnyPort,
    /// `scheme://*.suffix[:port]`: one or more labels before `suffix`.
    Sub,
    /// `scheme://*.suffix:*`.
    SubAnyPort,
    /// `null`.
    Null,
}

/// A parsed, valid pattern: byte ranges into the entry.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Parsed {
    pub(crate) kind: Kind,
    scheme_end: u16,
    /// Host, or for `Sub*` the suffix starting at its leading dot.
    host: Span,
    /// Port including its colon, empty when none (or `:*`).
    port: Span,
}

/// The byte range `start..end` of a part of a pattern. Offsets fit in
/// `u16`: a pattern is at most [`MAX_ORIGIN_PATTERN_LEN`] bytes.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: u16,
    end: u16,
}

impl Span {
    const EMPTY: Span = Span { start: 0, end: 0 };

    const fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u16,
            end: end as u16,
        }
    }

    /// The bytes of `entry` in this range (empty when out of bounds).
    #[inline(always)]
    const fn of(self, entry: &[u8]) -> &[u8] {
        range(entry, self.start as usize, self.end as usize)
    }

    /// The bytes of `entry` in this range, if it is in bounds.
    #[inline(always)]
    fn get(self, entry: &[u8]) -> Option<&[u8]> {
        entry.get(usize::from(self.start)..usize::from(self.end))
    }
}

/// The longest origin pattern accepted: a 253-byte host (the DNS limit)
/// with a scheme and a port fits with room to spare, and offsets fit in
/// `u16`, which keeps a policy of 1,000 patterns small.
pub const MAX_ORIGIN_PATTERN_LEN: usize = 512;

/// The outcome of parsing a pattern.
#[derive(Clone, Copy, Debug)]
pub(crate) enum PatternCheck<'s> {
    Ok(Parsed),
    Invalid(OriginProblem),
    NonCanonical(Canonical<'s>),
}

/// The special schemes' default ports (URL standard, "special scheme"):
/// browsers never write them in an origin.
const fn default_port(scheme: &[u8]) -> &'static [u8] {
    if bytes::eq_ignore_case(scheme, b"http") || bytes::eq_ignore_case(scheme, b"ws") {
        b"80"
    } else if bytes::eq_ignore_case(scheme, b"https") || bytes::eq_ignore_case(scheme, b"wss") {
        b"443"
    } else if bytes::eq_ignore_case(scheme, b"ftp") {
        b"21"
    } else {
        b""
    }
}

/// Position of the first `"://"` in `s`.
const fn find_scheme_sep(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    let mut rest = s;
    while let [a, tail @ ..] = rest {
        if *a == b':'
            && let [b'/', b'/', ..] = tail
        {
            return Some(i);
        }
        i += 1;
        rest = tail;
    }
    None
}

/// What [`check_labels`] tells of valid labels.
struct Labels {
    /// Some letter is upper-case: the canonical spelling lowers it.
    upper_case: bool,
}

/// Checks a domain (or a wildcard's suffix without its dot): labels of
/// letters, digits, `-` and `_`, 1 to 63 bytes each, 253 in all, and every
/// `xn--` label valid Punycode.
const fn check_labels(host: &[u8]) -> Result<Labels, OriginProblem> {
    if host.is_empty() || host.len() > 253 {
        return Err(OriginProblem::BadHost);
    }
    let mut upper = false;
    let mut label = 0usize;
    let mut start = 0usize;
    let mut i = 0usize;
    while i <= host.len() {
        let c = match at(host, i) {
            Some(c) => c,
            None => b'.',
        };
        if c == b'.' {
            if label == 0 {
                return Err(OriginProblem::BadHost);
            }
            let l = range(host, start, i);
            if let [b'x' | b'X', b'n' | b'N', b'-', b'-', code @ ..] = l
                && !host::is_valid_punycode(code)
            {
                return Err(OriginProblem::InvalidPunycode);
            }
            label = 0;
            start = i + 1;
        } else {
            if c.is_ascii_uppercase() {
                upper = true;
            } else if !bytes::is_ldh(c) {
                return Err(OriginProblem::BadHost);
            }
            label += 1;
            if label > 63 {
                return Err(OriginProblem::BadHost);
            }
        }
        i += 1;
    }
    Ok(Labels { upper_case: upper })
}

/// Parses and validates one pattern of `allowed_origins`.
pub(crate) const fn check_pattern(entry: &str) -> PatternCheck<'_> {
    let p = entry.as_bytes();
    if eq(p, b"null") {
        return PatternCheck::Ok(Parsed {
            kind: Kind::Null,
            scheme_end: 0,
            host: Span::EMPTY,
            port: Span::EMPTY,
        });
    }
    if eq(p, b"*") {
        return PatternCheck::Invalid(OriginProblem::WildcardInList);
    }
    if p.len() > MAX_ORIGIN_PATTERN_LEN {
        return PatternCheck::Invalid(OriginProblem::TooLong);
    }
    let Some(sep) = find_scheme_sep(p) else {
        return PatternCheck::Invalid(OriginProblem::MissingScheme);
    };
    let scheme = range(p, 0, sep);
    let mut lowercase = false;
    // RFC 3986 §3.1: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )
    match scheme {
        [first, ..] if first.is_ascii_alphabetic() => {}
        _ => return PatternCheck::Invalid(OriginProblem::BadScheme),
    }
    let mut rest = scheme;
    while let [b, tail @ ..] = rest {
        if b.is_ascii_uppercase() {
            lowercase = true;
        } else if !(b.is_ascii_lowercase()
            || b.is_ascii_digit()
            || matches!(*b, b'+' | b'-' | b'.'))
        {
            return PatternCheck::Invalid(OriginProblem::BadScheme);
        }
        rest = tail;
    }
    let auth_start = sep + 3;
    // The authority ends at the first '/', '?' or '#'.
    let mut auth_end = auth_start;
    while auth_end < p.len() {
        match at(p, auth_end) {
            Some(b'/' | b'?' | b'#') => break,
            _ => auth_end += 1,
        }
    }
    let cut = auth_end;
    let authority = range(p, auth_start, auth_end);
    if authority.is_empty() {
        return PatternCheck::Invalid(OriginProblem::MissingHost);
    }
    if bytes::find(authority, b'@').is_some() {
        return PatternCheck::Invalid(OriginProblem::Userinfo);
    }
    // Split host and port.
    let host_end_rel = if let [b'[', ..] = authority {
        match bytes::find(authority, b']') {
            Some(i) => i + 1,
            None => return PatternCheck::Invalid(OriginProblem::BadHost),
        }
    } else {
        match bytes::find(authority, b':') {
            Some(i) => i,
            None => authority.len(),
        }
    };
    let host = range(authority, 0, host_end_rel);
    let port_part = range(authority, host_end_rel, authority.len());
    let mut kind = Kind::Exact;
    let mut host_start = auth_start;
    // An address the URL parser rewrites: its canonical spelling.
    let mut ip = None;
    if let [b'[', inner @ .., b']'] = host {
        // https://url.spec.whatwg.org/#concept-ipv6-parser; sent compressed.
        let Some(pieces) = host::parse_ipv6(inner) else {
            return PatternCheck::Invalid(OriginProblem::BadHost);
        };
        if !eq(host::serialize_ipv6(&pieces).as_bytes(), inner) {
            ip = Some(Ip::V6(pieces));
        }
    } else if host.is_empty() {
        return PatternCheck::Invalid(OriginProblem::MissingHost);
    } else {
        let labels = if let [b'*', b'.', tail @ ..] = host {
            kind = Kind::Sub;
            // The suffix is kept with its leading dot: `.example.com`.
            host_start = auth_start + 1;
            tail
        } else {
            host
        };
        if let [b'[', ..] = labels {
            return PatternCheck::Invalid(OriginProblem::WildcardOverIp);
        }
        if bytes::find(labels, b'*').is_some() {
            return PatternCheck::Invalid(OriginProblem::MisplacedWildcard);
        }
        if host::ends_in_a_number(labels) {
            // https://url.spec.whatwg.org/#host-parsing (steps 10-11): an
            // IPv4 address or nothing; no label can stand in front of one.
            if matches!(kind, Kind::Sub) {
                return PatternCheck::Invalid(OriginProblem::WildcardOverIp);
            }
            let Some(address) = host::parse_ipv4(labels) else {
                return PatternCheck::Invalid(OriginProblem::NotAnIpv4Address);
            };
            if !eq(host::serialize_ipv4(address).as_bytes(), labels) {
                ip = Some(Ip::V4(address));
            }
        } else {
            let checked = match check_labels(labels) {
                Ok(found) => found,
                Err(problem) => return PatternCheck::Invalid(problem),
            };
            // A subdomain needs room for one label and a dot within the 253
            // bytes of a host name (RFC 1035 §2.3.4), else it matches nothing.
            if matches!(kind, Kind::Sub) && labels.len() > 251 {
                return PatternCheck::Invalid(OriginProblem::BadHost);
            }
            lowercase = lowercase || checked.upper_case;
        }
    }
    let host_end = auth_start + host_end_rel;
    let port_start = host_end;
    let mut strip = (0usize, 0usize);
    let mut port = (port_start, port_start);
    match port_part {
        [] => {}
        [b':'] => strip = (port_start, port_start + 1),
        [b':', b'*'] => {
            kind = match kind {
                Kind::Sub => Kind::SubAnyPort,
                _ => Kind::AnyPort,
            };
        }
        [b':', digits @ ..] => {
            if digits.len() > 5 {
                return PatternCheck::Invalid(OriginProblem::BadPort);
            }
            let mut value = 0u32;
            let mut rest = digits;
            while let [d, tail @ ..] = rest {
                if !d.is_ascii_digit() {
                    return PatternCheck::Invalid(if *d == b'*' {
                        OriginProblem::MisplacedWildcard
                    } else {
                        OriginProblem::BadPort
                    });
                }
                value = value * 10 + (*d - b'0') as u32;
                rest = tail;
            }
            if value == 0 || value > 65535 || matches!(digits, [b'0', ..]) {
                return PatternCheck::Invalid(OriginProblem::BadPort);
            }
            if eq(digits, default_port(scheme)) {
                strip = (port_start, port_start + port_part.len());
            } else {
                port = (port_start, port_start + port_part.len());
            }
        }
        _ => return PatternCheck::Invalid(OriginProblem::BadPort),
    }
    if lowercase || cut < p.len() || strip.1 > strip.0 || ip.is_some() {
        // The spelling it names must itself fit (found by fuzzing: a
        // 510-byte pattern whose host `0` is written `0.0.0.0` named a
        // 516-byte spelling, which is refused in turn).
        let host = (auth_start, auth_start + host_end_rel);
        let mut len = cut.saturating_sub(strip.1.saturating_sub(strip.0));
        if let Some(ip) = ip {
            let written = match ip {
                Ip::V4(a) => host::serialize_ipv4(a).as_bytes().len(),
                Ip::V6(q) => host::serialize_ipv6(&q).as_bytes().len() + 2,
            };
            len = len.saturating_sub(host.1.saturating_sub(host.0)) + written;
        }
        if len > MAX_ORIGIN_PATTERN_LEN {
            return PatternCheck::Invalid(OriginProblem::TooLong);
        }
        return PatternCheck::NonCanonical(Canonical {
            entry,
            lowercase,
            cut,
            strip,
            host: (auth_start, auth_start + host_end_rel),
            ip,
        });
    }
    PatternCheck::Ok(Parsed {
        kind,
        scheme_end: sep as u16,
        host: Span::new(host_start, host_end),
        port: Span::new(port.0, port.1),
    })
}

/// Is a valid pattern a subdomain wildcard over a public suffix
/// (docs/behaviour.md §2.9)?
pub(crate) const fn is_public_suffix_wildcard(entry: &str, parsed: &Parsed) -> bool {
    match parsed.kind {
        Kind::Sub | Kind::SubAnyPort => {
            // The suffix is stored with its leading dot.
            let suffix = match parsed.host.of(entry.as_bytes()) {
                [_dot, suffix @ ..] => suffix,
                [] => &[],
            };
            crate::public_suffix::is_public_suffix(suffix)
        }
        _ => false,
    }
}

/// Is a valid pattern an `http://` origin other than loopback, one whose
/// pages anyone on the network path can rewrite? Loopback is `localhost`
/// and its subdomains, `127.0.0.0/8` and `[::1]` (Secure Contexts,
/// "potentially trustworthy origin":
/// <https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy>).
pub(crate) const fn is_insecure(entry: &str, parsed: &Parsed) -> bool {
    let p = entry.as_bytes();
    if matches!(parsed.kind, Kind::Null) || !eq(range(p, 0, parsed.scheme_end as usize), b"http") {
        return false;
    }
    let host = parsed.host.of(p);
    let loopback = eq(host, b"localhost")
        || eq(host, b"[::1]")
        || ends_with(host, b".localhost")
        || (starts_with(host, b"127.") && host::ends_in_a_number(host));
    !loopback
}

const fn ends_with(s: &[u8], suffix: &[u8]) -> bool {
    s.len() >= suffix.len() && eq(range(s, s.len() - suffix.len(), s.len()), suffix)
}

const fn starts_with(s: &[u8], prefix: &[u8]) -> bool {
    s.len() >= prefix.len() && eq(range(s, 0, prefix.len()), prefix)
}

/// The key of an exact pattern, and of a request's trimmed `Origin` looked
/// up among them: the whole origin, byte for byte ([`hash::key`]).
#[inline(always)]
pub(crate) const fn exact_key(origin: &[u8]) -> u64 {
    hash::key(origin, Case::Exact)
}

/// The key of a wildcard pattern, from the hashes of its parts: a request's
/// origin is looked up with the key of each pattern it could match.
#[inline(always)]
const fn pattern_key(kind: Kind, scheme_h: u64, host_h: u64, port_h: u64) -> u64 {
    let salt = match kind {
        Kind::Exact => 0x9e37_79b9_7f4a_7c15,
        Kind::AnyPort => 0xd1b5_4a32_d192_ed03,
        Kind::Sub => 0x8cb9_2ba7_2f3d_8dd7,
        Kind::SubAnyPort => 0xabc9_8388_fb8f_ac03,
        Kind::Null => 0,
    };
    hash::mix(salt ^ scheme_h ^ host_h.rotate_left(21) ^ port_h.rotate_left(42))
}

/// The origin patterns of a policy, indexed for lookups whose cost does not
/// depend on how many there are.
#[derive(Clone, Copy)]
pub(crate) struct OriginIndex<const N: usize> {
    index: Index<N>,
    parsed: [Parsed; N],
    null: bool,
    /// Some pattern is `AnyPort`, `Sub` or `SubAnyPort`.
    wildcards: bool,
    subdomains: bool,
}

const NO_PARSE: Parsed = Parsed {
    kind: Kind::Null,
    scheme_end: 0,
    host: Span::EMPTY,
    port: Span::EMPTY,
};

impl<const N: usize> OriginIndex<N> {
    /// Indexes valid patterns; the builder has validated them all before.
    pub(crate) const fn build(list: &[&str]) -> Self {
        let mut ix = OriginIndex {
            index: Index::new(),
            parsed: [NO_PARSE; N],
            null: false,
            wildcards: false,
            subdomains: false,
        };
        // Each pattern at its position `i` in the list. The builder has
        // refused lists longer than `N`; positions past it would be
        // ignored (`set` and `insert` are bounded).
        let (mut i, mut rest) = (0, list);
        while let [entry, tail @ ..] = rest {
            if let PatternCheck::Ok(parsed) = check_pattern(entry) {
                let p = entry.as_bytes();
                let scheme = range(p, 0, parsed.scheme_end as usize);
                let host = parsed.host.of(p);
                let port = parsed.port.of(p);
                let h = match parsed.kind {
                    Kind::Exact => exact_key(p),
                    _ => pattern_key(
                        parsed.kind,
                        hash::fnv(scheme),
                        hash::host(host),
                        hash::fnv(port),
                    ),
                };
                match parsed.kind {
                    Kind::Null => ix.null = true,
                    Kind::Exact => {}
                    Kind::AnyPort => ix.wildcards = true,
                    Kind::Sub | Kind::SubAnyPort => {
                        ix.wildcards = true;
                        ix.subdomains = true;
                    }
                }
                if !matches!(parsed.kind, Kind::Null) {
                    bytes::set(&mut ix.parsed, i, parsed);
                    ix.index.insert(i, h);
                }
            }
            i += 1;
            rest = tail;
        }
        ix
    }

    fn probe(
        &self,
        list: &[&str],
        kind: Kind,
        h: u64,
        scheme: &[u8],
        host: &[u8],
        port: &[u8],
    ) -> bool {
        for pos in self.index.candidates(h) {
            let (Some(parsed), Some(entry)) = (self.parsed.get(pos), list.get(pos)) else {
                continue;
            };
            if parsed.kind != kind {
                continue;
            }
            let p = entry.as_bytes();
            if p.get(..usize::from(parsed.scheme_end)) == Some(scheme)
                && parsed.host.get(p) == Some(host)
                && parsed.port.get(p) == Some(port)
            {
                return true;
            }
        }
        false
    }

    /// Does a trimmed request origin equal an exact pattern? `key` is its
    /// [`exact_key`]. Exact patterns are keyed by the whole origin, so this
    /// is one hash pass and one comparison; an origin equal to a pattern is
    /// well-formed, since patterns are.
    #[cfg_attr(feature = "no-panic", no_panic::no_panic)]
    #[inline(always)]
    pub(crate) fn matches_exact(&self, list: &[&str], origin: &[u8], key: u64) -> bool {
        for pos in self.index.candidates(key) {
            if matches!(self.parsed.get(pos), Some(p) if p.kind == Kind::Exact)
                && list
                    .get(pos)
                    .is_some_and(|e| swar::eq(e.as_bytes(), origin, Case::Exact))
            {
                return true;
            }
        }
        false
    }

    /// Does a trimmed, visible-ASCII request origin match a pattern?
    /// `key` is its [`exact_key`].
    #[cfg_attr(feature = "no-panic", no_panic::no_panic)]
    #[inline]
    pub(crate) fn matches_keyed(&self, list: &[&str], origin: &[u8], key: u64) -> bool {
        self.matches_exact(list, origin, key) || self.matches_inexact(list, origin)
    }

    /// Does a trimmed, visible-ASCII request origin match `null` or a
    /// wildcard pattern?
    ///
    /// One pass to split the origin, one backward pass over the host for
    /// subdomain patterns; each candidate key costs one bucket chain.
    #[cfg_attr(feature = "no-panic", no_panic::no_panic)]
    pub(crate) fn matches_inexact(&self, list: &[&str], origin: &[u8]) -> bool {
        if origin == b"null" {
            return self.null;
        }
        if !self.wildcards {
            return false;
        }
        let Some(sep) = find_scheme_sep(origin) else {
            return false;
        };
        let (Some(scheme), Some(authority)) = (origin.get(..sep), origin.get(sep + 3..)) else {
            return false;
        };
        let host_len = match authority {
            [b'[', ..] => match authority.iter().position(|&b| b == b']') {
                Some(i) => i + 1,
                None => return false,
            },
            _ => authority
                .iter()
                .position(|&b| b == b':')
                .unwrap_or(authority.len()),
        };
        let (host, port) = authority
            .split_at_checked(host_len)
            .unwrap_or((authority, &[]));
        let scheme_h = hash::fnv(scheme);
        let port_h = hash::fnv(port);
        let empty_h = hash::fnv(b"");
        // A port a wildcard may stand for: `:` and a number a browser sends.
        let port_ok = match port {
            [] => true,
            [b':', digits @ ..] => valid_request_port(digits),
            _ => false,
        };
        let subdomains = self.subdomains && port_ok && valid_request_host(host);
        let mut h = 0u64;
        for (i, &b) in host.iter().enumerate().rev() {
            h = hash::host_step(h, b);
            // (No `i > 0`: `subdomains` holds only for a valid host, which
            // does not start with a dot. Mutation testing, issue 21: the
            // test could never fail.)
            if subdomains && b == b'.' {
                let suffix = host.get(i..).unwrap_or(&[]);
                if self.probe(
                    list,
                    Kind::Sub,
                    pattern_key(Kind::Sub, scheme_h, h, port_h),
                    scheme,
                    suffix,
                    port,
                ) || self.probe(
                    list,
                    Kind::SubAnyPort,
                    pattern_key(Kind::SubAnyPort, scheme_h, h, empty_h),
                    scheme,
                    suffix,
                    &[],
                ) {
                    return true;
                }
            }
        }
        port_ok
            && self.probe(
                list,
                Kind::AnyPort,
                pattern_key(Kind::AnyPort, scheme_h, h, empty_h),
                scheme,
                host,
                &[],
            )
    }
}

/// Is a request's host a sequence of non-empty lower-case LDH labels, the
/// only hosts a subdomain pattern may match? Labels are at most 63 bytes
/// and the host at most 253 (RFC 1035 §2.3.4), as for patterns: no browser
/// serialises a longer one, so a megabyte of labels is never echoed.
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
fn valid_request_host(host: &[u8]) -> bool {
    if host.len() > 253 {
        return false;
    }
    let mut label = 0usize;
    for &b in host {
        if b == b'.' {
            if label == 0 {
                return false;
            }
            label = 0;
        } else if bytes::is_ldh(b) && label < 63 {
            label += 1;
        } else {
            return false;
        }
    }
    label > 0
}

/// Is `digits` a port a browser serialises: 1 to 65535, no leading zero?
fn valid_request_port(digits: &[u8]) -> bool {
    match digits {
        [] | [b'0', ..] => false,
        _ if digits.len() > 5 => false,
        _ => {
            let mut value = 0u32;
            for &d in digits {
                if !d.is_ascii_digit() {
                    return false;
                }
                value = value * 10 + u32::from(d - b'0');
            }
            value <= 65_535
        }
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::string::ToString;

    fn canonical(entry: &str) -> std::string::String {
        match check_pattern(entry) {
            PatternCheck::NonCanonical(c) => c.to_string(),
            other => std::format!("{other:?}"),
        }
    }

    /// The index spreads: 1,000 distinct patterns (exact origins, any port,
    /// subdomain wildcards, some told apart by their port alone) make chains of a few at most in 1,024 buckets.
    /// Every hit is compared with the pattern, so a poor key (a constant)
    /// would keep every answer right and only cost time: this is what
    /// notices it.
    #[test]
    fn the_index_spreads() {
        use std::{string::String, vec::Vec};
        let patterns: Vec<String> = (0..1000)
            .map(|i| match i % 6 {
                0 => std::format!("https://app{i}.example.com"),
                1 => std::format!("http://localhost:{}", 3000 + i),
                2 => std::format!("https://*.t{i}.example.com"),
                3 => std::format!("https://s{i}.example.com:*"),
                // Only the port tells these apart.
                4 => std::format!("https://*.example.com:{}", 3000 + i),
                _ => std::format!("https://*.u{i}.example.com:*"),
            })
            .collect();
        let list: Vec<&str> = patterns.iter().map(String::as_str).collect();
        let ix = OriginIndex::<1024>::build(&list);
        assert_eq!(ix.index.len(), 1000);
        assert!(
            ix.index.longest_chain() <= 8,
            "{}",
            ix.index.longest_chain()
        );
    }

    /// An index hit is confirmed by comparing the origin with the
    /// pattern: an origin whose key equals a listed pattern's (a 64-bit
    /// collision, which no test input has, but which someone could look
    /// for) is not allowed by it. (Mutation testing, issue 21: `||` for the
    /// `&&` before the comparison went unnoticed.)
    #[test]
    fn a_key_collision_is_not_a_match() {
        let list = ["https://a.example", "https://*.b.example"];
        let ix = OriginIndex::<4>::build(&list);
        let key = exact_key(b"https://a.example");
        assert!(ix.matches_exact(&list, b"https://a.example", key));
        assert!(!ix.matches_exact(&list, b"https://evil.example", key));
        assert!(!ix.matches_keyed(&list, b"https://evil.example", key));
    }

    /// The same for wildcard patterns: a probe whose key is the pattern's
    /// confirms the scheme, the host's suffix and the port. (Mutation
    /// testing, issue 21: `||` for the first `&&` went unnoticed.)
    #[test]
    fn a_wildcard_key_collision_is_not_a_match() {
        let list = ["https://*.b.example"];
        let ix = OriginIndex::<4>::build(&list);
        let suffix = b".b.example";
        let host_h = suffix.iter().rev().fold(0, |h, &b| hash::host_step(h, b));
        let key = pattern_key(Kind::Sub, hash::fnv(b"https"), host_h, hash::fnv(b""));
        assert!(ix.probe(&list, Kind::Sub, key, b"https", suffix, b""));
        assert!(!ix.probe(&list, Kind::Sub, key, b"https", b".c.example", b""));
        assert!(!ix.probe(&list, Kind::Sub, key, b"http", suffix, b""));
        assert!(!ix.probe(&list, Kind::Sub, key, b"https", suffix, b":1"));
    }

    /// A pattern that fits but whose canonical spelling would not (its
    /// host `0` written `0.0.0.0`) is too long, rather than naming a
    /// spelling that is refused in turn (found by fuzzing, `origin`).
    #[test]
    fn a_canonical_spelling_must_fit_too() {
        let pattern = |n: usize| std::format!("h{}://0", "x".repeat(n));
        // 506 bytes, canonical 512: named.
        assert!(matches!(
            check_pattern(&pattern(501)),
            PatternCheck::NonCanonical(_)
        ));
        assert_eq!(canonical(&pattern(501)).len(), MAX_ORIGIN_PATTERN_LEN);
        // 507 and 510 bytes, canonical 513 and 516: too long.
        for n in [502, 505] {
            assert!(matches!(
                check_pattern(&pattern(n)),
                PatternCheck::Invalid(OriginProblem::TooLong)
            ));
        }
        // An IPv6 host written compressed is shorter: named.
        let v6 = std::format!("h{}://[0:0:0:0:0:0:0:1]", "x".repeat(480));
        assert_eq!(canonical(&v6), std::format!("h{}://[::1]", "x".repeat(480)));
        // An IPv6 host can also grow: a single zero piece is never
        // compressed (WHATWG URL, "IPv6 serializer"), so `[1::2:3:4:5:6:7]`
        // is spelled `[1:0:2:3:4:5:6:7]`, one byte longer, brackets counted.
        let v6 = |n: usize| std::format!("h{}://[1::2:3:4:5:6:7]", "x".repeat(n));
        assert_eq!(v6(491).len(), 511);
        assert_eq!(canonical(&v6(491)).len(), MAX_ORIGIN_PATTERN_LEN);
        assert_eq!(v6(492).len(), MAX_ORIGIN_PATTERN_LEN);
        assert!(matches!(
            check_pattern(&v6(492)),
            PatternCheck::Invalid(OriginProblem::TooLong)
        ));
        // A canonical pattern of exactly the bound is accepted.
        // (Mutation testing, issue 21: `>` -> `>=` went unnoticed.)
        let exact = std::format!("h{}://a", "x".repeat(507));
        assert_eq!(exact.len(), MAX_ORIGIN_PATTERN_LEN);
        assert!(matches!(check_pattern(&exact), PatternCheck::Ok(_)));
    }

    #[test]
    fn canonical_spellings() {
        assert_eq!(canonical("https://App.Example/"), "https://app.example");
        assert_eq!(canonical("https://app.example:443"), "https://app.example");
        assert_eq!(
            canonical("http://app.example:80/path?q"),
            "http://app.example"
        );
        assert_eq!(canonical("HTTP://[::1]:"), "http://[::1]");
        // Hex digits a to f, lower case. (Mutation testing, issue 21:
        // `d < 10` -> `d <= 10` wrote `:` for `a`, unnoticed.)
        assert_eq!(
            canonical("http://[0:0:0:0:0:0:A:FF09]"),
            "http://[::a:ff09]"
        );
        assert_eq!(
            canonical("https://*.Example.com:8443/"),
            "https://*.example.com:8443"
        );
    }

    #[test]
    fn invalid_patterns() {
        let problem = |e| match check_pattern(e) {
            PatternCheck::Invalid(p) => Some(p),
            _ => None,
        };
        assert_eq!(problem("*"), Some(OriginProblem::WildcardInList));
        assert_eq!(problem("app.example"), Some(OriginProblem::MissingScheme));
        assert_eq!(problem("https://"), Some(OriginProblem::MissingHost));
        assert_eq!(
            problem("https://a@b.example"),
            Some(OriginProblem::Userinfo)
        );
        assert_eq!(
            problem("https://foo*.example"),
            Some(OriginProblem::MisplacedWildcard)
        );
        assert_eq!(problem("https://*"), Some(OriginProblem::MisplacedWildcard));
        assert_eq!(problem("https://a..b"), Some(OriginProblem::BadHost));
        assert_eq!(
            problem("https://a.example:99999"),
            Some(OriginProblem::BadPort)
        );
        assert_eq!(
            problem("https://a.example:080"),
            Some(OriginProblem::BadPort)
        );
        // Ports of five digits, up to 65535, are ports; six digits are not,
        // whatever their value. (Mutation testing, issue 21: refusing every
        // five-digit port, or 65535, went unnoticed.)
        assert_eq!(problem("https://a.example:65535"), None);
        assert_eq!(problem("https://a.example:10000"), None);
        assert_eq!(
            problem("https://a.example:65536"),
            Some(OriginProblem::BadPort)
        );
        assert_eq!(
            problem("https://a.example:100000"),
            Some(OriginProblem::BadPort)
        );
        assert_eq!(
            problem("https://a.example:99999999999"),
            Some(OriginProblem::BadPort)
        );
        assert_eq!(
            problem("https://a.example:8*"),
            Some(OriginProblem::MisplacedWildcard)
        );
        assert_eq!(problem("1https://a"), Some(OriginProblem::BadScheme));
    }
}
