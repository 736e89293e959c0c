//! A deliberately naive CORS evaluator, written straight from
//! `docs/behaviour.md` and used only by tests and fuzz targets.
//!
//! It shares no code with the core: linear scans, `String`s, `to_lowercase`,
//! no indexes, no hashing. Where the core makes a choice the contract leaves
//! open, the oracle follows it and says so in a comment marked `CORE CHOICE`.
//!
//! Used with `mod oracle;` from `tests/*.rs` and with
//! `#[path = "../../tests/oracle/mod.rs"] mod oracle;` from `fuzz/`.
#![allow(dead_code)]

/// A policy as the contract's §2 describes it (the vectors' `policy` object).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OPolicy {
    /// `allowed_origins: "*"`.
    pub any_origin: bool,
    /// The origin patterns (ignored when `any_origin`).
    pub origins: Vec<String>,
    /// `allow_credentials`.
    pub credentials: bool,
    /// `allowed_methods` (may hold `"*"`).
    pub methods: Vec<String>,
    /// `allowed_headers` (may hold `"*"`).
    pub headers: Vec<String>,
    /// `expose_headers` (may be `["*"]`).
    pub expose: Vec<String>,
    /// `max_age`.
    pub max_age: Option<u32>,
    /// `allow_private_network`.
    pub private_network: bool,
    /// `dangerously_allow_public_suffix_wildcards`.
    pub public_suffix_wildcards: bool,
    /// `dangerously_allow_insecure_origins`.
    pub insecure_origins: bool,
}

impl OPolicy {
    /// §2: `["*"]` alone means any origin.
    pub fn any(&self) -> bool {
        self.any_origin || self.origins == ["*"]
    }
}

/// The core's documented budgets (its `pub const`s), restated here so that a
/// change to one of them shows up as a disagreement.
pub const ORIGIN_CAPACITY: usize = 64;
pub const MAX_METHODS: usize = 32;
pub const MAX_ALLOWED_HEADERS: usize = 128;
pub const MAX_EXPOSE_HEADERS_LEN: usize = 1024;
pub const MAX_MAX_AGE: u32 = 86_400;
pub const MAX_ORIGIN_PATTERN_LEN: usize = 512;

/// RFC 9110 §5.6.2 `tchar`.
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".as_bytes().contains(&b)
}

/// RFC 9110 §5.6.2 `token`.
pub fn is_token(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar(b))
}

/// Trim spaces and tabs (RFC 9110 §5.6.3 OWS).
pub fn trim(s: &[u8]) -> &[u8] {
    let mut v = s;
    while let Some((&b, rest)) = v.split_first() {
        if b == b' ' || b == b'\t' {
            v = rest;
        } else {
            break;
        }
    }
    while let Some((&b, rest)) = v.split_last() {
        if b == b' ' || b == b'\t' {
            v = rest;
        } else {
            break;
        }
    }
    v
}

/// Fetch, "forbidden request-header" names (compared in lower case).
const FORBIDDEN_HEADERS: &[&str] = &[
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Fetch, "forbidden request-header" (name part only).
pub fn is_forbidden_header(name: &str) -> bool {
    let l = name.to_lowercase();
    l.starts_with("proxy-") || l.starts_with("sec-") || FORBIDDEN_HEADERS.contains(&l.as_str())
}

/// Fetch, "forbidden method", in any case.
pub fn is_forbidden_method(m: &[u8]) -> bool {
    let u = String::from_utf8_lossy(m).to_uppercase();
    u == "CONNECT" || u == "TRACE" || u == "TRACK"
}

/// A valid origin pattern, split into its parts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pattern {
    /// `"null"`.
    pub null: bool,
    /// The scheme.
    pub scheme: String,
    /// `*.` was written before the host.
    pub subdomains: bool,
    /// The host (for a subdomain pattern, the suffix without `*.`).
    pub host: String,
    /// `Some("*")` for any port, `Some(digits)` for a port, `None` for none.
    pub port: Option<String>,
}

fn is_ldh_label(l: &str) -> bool {
    // CORE CHOICE: the core accepts any lower-case letter/digit/hyphen/
    // underscore label of 1 to 63 bytes (leading or trailing hyphens
    // included); §2 adds that an `xn--` label must be Punycode for a
    // non-ASCII label (checked here with the `idna` crate's decoder).
    let chars_ok = !l.is_empty()
        && l.len() <= 63
        && l.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
    chars_ok
        && match l.strip_prefix("xn--") {
            Some(code) => idna::punycode::decode_to_string(code)
                .is_some_and(|u| !u.is_empty() && !u.is_ascii()),
            None => true,
        }
}

/// URL standard, "ends in a number checker".
pub fn ends_in_a_number(host: &str) -> bool {
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.last() == Some(&"") {
        if parts.len() == 1 {
            return false;
        }
        parts.pop();
    }
    let last = parts.last().copied().unwrap_or("");
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    let lower = last.to_ascii_lowercase();
    lower
        .strip_prefix("0x")
        .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// URL standard, "IPv4 parser", written out naively: the dotted-decimal
/// serialisation, or `None` on failure.
pub fn ipv4(host: &str) -> Option<String> {
    let mut parts: Vec<&str> = host.split('.').collect();
    if parts.last() == Some(&"") && parts.len() > 1 {
        parts.pop();
    }
    if parts.len() > 4 {
        return None;
    }
    let mut numbers: Vec<u128> = Vec::new();
    for part in &parts {
        if part.is_empty() {
            return None;
        }
        let lower = part.to_ascii_lowercase();
        let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
            (h.to_string(), 16)
        } else if lower.len() >= 2 && lower.starts_with('0') {
            (lower[1..].to_string(), 8)
        } else {
            (lower.clone(), 10)
        };
        let n = if digits.is_empty() {
            0
        } else if digits.len() > 30 {
            // Far past 2^32 (or not digits at all): a failure either way.
            if !digits.chars().all(|c| c.is_digit(radix)) {
                return None;
            }
            u128::MAX
        } else {
            u128::from_str_radix(&digits, radix).ok()?
        };
        numbers.push(n);
    }
    let (last, init) = numbers.split_last()?;
    if init.iter().any(|&n| n > 255) {
        return None;
    }
    if *last >= 256u128.pow(5 - numbers.len() as u32) {
        return None;
    }
    let mut v: u128 = *last;
    for (i, n) in init.iter().enumerate() {
        v += n * 256u128.pow(3 - i as u32);
    }
    let v = v as u32;
    Some(format!(
        "{}.{}.{}.{}",
        v >> 24,
        (v >> 16) & 255,
        (v >> 8) & 255,
        v & 255
    ))
}

/// URL standard, "IPv6 serializer", over std's parser: the canonical text
/// inside the brackets, or `None` when std cannot parse it.
pub fn ipv6(inner: &str) -> Option<String> {
    let pieces = inner.parse::<std::net::Ipv6Addr>().ok()?.segments();
    // The first longest run of two or more zero pieces.
    let mut best: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < 8 {
        let mut j = i;
        while j < 8 && pieces[j] == 0 {
            j += 1;
        }
        if j - i >= 2 && best.is_none_or(|(_, len)| j - i > len) {
            best = Some((i, j - i));
        }
        i = if j > i { j } else { i + 1 };
    }
    let hex = |r: &[u16]| {
        r.iter()
            .map(|p| format!("{p:x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    Some(match best {
        Some((start, len)) => format!("{}::{}", hex(&pieces[..start]), hex(&pieces[start + len..])),
        None => hex(&pieces),
    })
}

/// Parses a pattern of `allowed_origins` as docs/behaviour.md §2 describes it;
/// `None` when it is invalid or not canonical.
pub fn parse_pattern(p: &str) -> Option<Pattern> {
    if p == "null" {
        return Some(Pattern {
            null: true,
            scheme: String::new(),
            subdomains: false,
            host: String::new(),
            port: None,
        });
    }
    if p.len() > MAX_ORIGIN_PATTERN_LEN {
        return None;
    }
    let (scheme, rest) = p.split_once("://")?;
    let sb = scheme.as_bytes();
    if sb.is_empty()
        || !sb[0].is_ascii_lowercase()
        || !sb
            .iter()
            .all(|&b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
    {
        return None;
    }
    // Canonical: no path, query, fragment or user info.
    if rest.contains(['/', '?', '#', '@']) || rest.is_empty() {
        return None;
    }
    let (host, port) = if rest.starts_with('[') {
        let close = rest.find(']')?;
        let inner = &rest[1..close];
        // §2: an IPv6 address as browsers send it (compressed, lower case).
        if ipv6(inner).as_deref() != Some(inner) {
            return None;
        }
        (&rest[..=close], &rest[close + 1..])
    } else {
        match rest.find(':') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    let (subdomains, host) = match host.strip_prefix("*.") {
        Some(h) => (true, h),
        None => (false, host),
    };
    if host.starts_with('[') {
        if subdomains {
            return None;
        }
    } else if ends_in_a_number(host) {
        // §2: an IPv4 address in dotted decimal, never under a wildcard.
        if subdomains || ipv4(host).as_deref() != Some(host) {
            return None;
        }
    } else {
        // A subdomain pattern leaves room for one label and a dot.
        let room = if subdomains { 251 } else { 253 };
        if host.is_empty() || host.len() > room || !host.split('.').all(is_ldh_label) {
            return None;
        }
    }
    let port = if port.is_empty() {
        None
    } else {
        let digits = port.strip_prefix(':')?;
        if digits == "*" {
            Some("*".to_string())
        } else {
            if digits.is_empty()
                || digits.len() > 5
                || !digits.bytes().all(|b| b.is_ascii_digit())
                || digits.starts_with('0')
            {
                return None;
            }
            let n: u32 = digits.parse().ok()?;
            let default = match scheme {
                "http" | "ws" => 80,
                "https" | "wss" => 443,
                "ftp" => 21,
                _ => 0,
            };
            if n == 0 || n > 65535 || n == default {
                return None;
            }
            Some(digits.to_string())
        }
    };
    Some(Pattern {
        null: false,
        scheme: scheme.to_string(),
        subdomains,
        host: host.to_string(),
        port,
    })
}

/// Is `name` a public suffix by the list's explicit rules, asked of the
/// `psl` crate (through `cors-policy-psl-oracle`, which compiles its lookup
/// once): it names `name` itself, or `name` is the base of a wildcard rule
/// (a child of it is public). Its implicit `*` rule does not count.
pub fn is_public_suffix(name: &str) -> bool {
    cors_policy_psl_oracle::is_public_suffix(name)
}

/// Is `host` loopback: `localhost` or a subdomain, `127.0.0.0/8`, `[::1]`?
fn loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || ipv4(host).is_some_and(|a| a.starts_with("127."))
}

/// The problem with one entry of `allowed_origins`, if any: invalid, or
/// dangerous without its opt-in (§2).
pub fn origin_problem(p: &OPolicy, o: &str) -> Option<String> {
    let Some(pat) = parse_pattern(o) else {
        return Some(format!("origin {o:?}"));
    };
    if pat.subdomains && !p.public_suffix_wildcards && is_public_suffix(&pat.host) {
        return Some(format!("public suffix wildcard {o:?}"));
    }
    if p.credentials && !p.insecure_origins {
        if pat.null {
            return Some("null with credentials".into());
        }
        let host = if pat.subdomains {
            format!("x.{}", pat.host)
        } else {
            pat.host.clone()
        };
        if pat.scheme == "http" && !loopback(&host) {
            return Some(format!("http origin with credentials {o:?}"));
        }
    }
    None
}

/// Every problem with a policy, one message per problem (docs/behaviour.md §2).
pub fn validate(p: &OPolicy) -> Vec<String> {
    let normalised;
    let p = if p.any() && !p.any_origin {
        normalised = OPolicy {
            any_origin: true,
            origins: vec![],
            ..p.clone()
        };
        &normalised
    } else {
        p
    };
    let mut errs = Vec::new();
    if !p.any_origin && p.origins.is_empty() {
        errs.push("no origins".to_string());
    }
    if p.any_origin && p.credentials {
        errs.push("* with credentials".to_string());
    }
    if !p.any_origin && p.origins.len() > ORIGIN_CAPACITY {
        errs.push("too many origins".to_string());
    }
    if p.methods.len() > MAX_METHODS {
        errs.push("too many methods".to_string());
    }
    if p.headers.len() > MAX_ALLOWED_HEADERS {
        errs.push("too many headers".to_string());
    }
    if p.credentials && p.expose.iter().any(|e| e == "*") {
        errs.push("expose * with credentials".to_string());
    }
    if p.expose.join(", ").len() > MAX_EXPOSE_HEADERS_LEN {
        errs.push("expose too long".to_string());
    }
    if p.max_age.is_some_and(|a| a > MAX_MAX_AGE) {
        errs.push("max_age too large".to_string());
    }
    if p.any_origin && p.private_network {
        errs.push("private network with *".to_string());
    }
    if !p.any_origin {
        for o in &p.origins {
            if let Some(problem) = origin_problem(p, o) {
                errs.push(problem);
            }
        }
    }
    for m in &p.methods {
        if !is_token(m.as_bytes()) || is_forbidden_method(m.as_bytes()) {
            errs.push(format!("method {m:?}"));
        }
    }
    for h in &p.headers {
        if h != "*" && (!is_token(h.as_bytes()) || is_forbidden_header(h)) {
            errs.push(format!("header {h:?}"));
        }
    }
    for e in &p.expose {
        if e != "*" && !is_token(e.as_bytes()) {
            errs.push(format!("expose {e:?}"));
        }
    }
    errs
}

/// The oracle's answer to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAnswer {
    /// `not_cors`, `actual` or `preflight`.
    pub kind: &'static str,
    /// `None` when allowed; else the refusal code and, for header refusals,
    /// the offending element (trimmed).
    pub refusal: Option<(&'static str, Vec<u8>)>,
    /// `Some(204|403)` for preflights.
    pub status: Option<u16>,
    /// `(Title-Case name, value)`, in the contract's fixed order.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The `Vary` tokens.
    pub vary: Vec<&'static str>,
}

fn lines<'a>(headers: &'a [(Vec<u8>, Vec<u8>)], name: &str) -> Vec<&'a [u8]> {
    headers
        .iter()
        // Field names are bytes compared ASCII-case-insensitively (RFC 9110
        // §5.1); Unicode lower-casing would fold e.g. the Kelvin sign into `k`.
        .filter(|(n, _)| n.to_ascii_lowercase() == name.as_bytes())
        .map(|(_, v)| v.as_slice())
        .collect()
}

fn is_digits(s: &str, min: usize, max: usize) -> bool {
    s.len() >= min && s.len() <= max && s.bytes().all(|b| b.is_ascii_digit())
}

/// Is `host` one or more non-empty labels of lower-case letters, digits and
/// hyphens?
fn lower_ldh_host(host: &str) -> bool {
    // CORE CHOICE: a host a subdomain wildcard may stand for is lower-case
    // labels of letters, digits, `-` and `_`, 1 to 63 bytes each, 253 bytes
    // in all (RFC 1035 §2.3.4).
    !host.is_empty()
        && host.len() <= 253
        && host.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

/// Does a (trimmed, well-formed) request origin match a pattern?
pub fn pattern_matches(pattern: &str, origin: &str) -> bool {
    let Some(p) = parse_pattern(pattern) else {
        return false;
    };
    if p.null {
        return origin == "null";
    }
    let Some(rest) = origin.strip_prefix(&format!("{}://", p.scheme)) else {
        return false;
    };
    // Split the request's authority into host and port text (`:` included).
    let (host, port) = if rest.starts_with('[') {
        match rest.find(']') {
            Some(i) => (&rest[..=i], &rest[i + 1..]),
            None => return false,
        }
    } else {
        match rest.find(':') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        }
    };
    let port_ok = match p.port.as_deref() {
        None => port.is_empty(),
        // CORE CHOICE: a wildcard port stands for none or a port a browser
        // sends: `:` and 1 to 65535 without a leading zero.
        Some("*") => {
            port.is_empty()
                || port.strip_prefix(':').is_some_and(|d| {
                    is_digits(d, 1, 5)
                        && !d.starts_with('0')
                        && d.parse::<u32>().is_ok_and(|v| v <= 65535)
                })
        }
        Some(d) => port == format!(":{d}"),
    };
    if !port_ok {
        return false;
    }
    if p.subdomains {
        lower_ldh_host(host)
            && host.len() > p.host.len() + 1
            && host.ends_with(&format!(".{}", p.host))
    } else {
        host == p.host
    }
}

/// docs/behaviour.md §4.1: the origin value, or why it is malformed.
fn checked_origin<'a>(origin_lines: &[&'a [u8]]) -> Result<&'a [u8], ()> {
    if origin_lines.len() != 1 {
        return Err(());
    }
    let o = trim(origin_lines[0]);
    if o.is_empty() || o.contains(&b',') || !o.iter().all(|&b| (0x21..=0x7e).contains(&b)) {
        return Err(());
    }
    Ok(o)
}

/// Answers one request as docs/behaviour.md §1, §3 and §4 describe. The policy
/// must be valid (see [`validate`]).
pub fn evaluate(p: &OPolicy, method: &[u8], headers: &[(Vec<u8>, Vec<u8>)]) -> OAnswer {
    let normalised;
    let p = if p.any() && !p.any_origin {
        normalised = OPolicy {
            any_origin: true,
            origins: vec![],
            ..p.clone()
        };
        &normalised
    } else {
        p
    };
    let origin_lines = lines(headers, "origin");
    let acrm = lines(headers, "access-control-request-method");
    let acrh = lines(headers, "access-control-request-headers");
    let acrpn = lines(headers, "access-control-request-private-network");
    let expose: Option<Vec<u8>> = if p.expose.is_empty() {
        None
    } else {
        Some(p.expose.join(", ").into_bytes())
    };
    let h = |name: &str, v: &[u8]| (name.to_string(), v.to_vec());

    if origin_lines.is_empty() {
        let mut out = Vec::new();
        if p.any_origin {
            out.push(h("Access-Control-Allow-Origin", b"*"));
            if let Some(e) = &expose {
                out.push(h("Access-Control-Expose-Headers", e));
            }
        }
        return OAnswer {
            kind: "not_cors",
            refusal: None,
            status: None,
            headers: out,
            vary: if p.any_origin { vec![] } else { vec!["Origin"] },
        };
    }
    let preflight = method == b"OPTIONS" && !acrm.is_empty();

    // §4.1 origin.
    let origin: Result<Vec<u8>, (&'static str, Vec<u8>)> = match checked_origin(&origin_lines) {
        _ if p.any_origin => Ok(b"*".to_vec()),
        Err(()) => Err(("origin_malformed", vec![])),
        Ok(o) => {
            let s = std::str::from_utf8(o).unwrap_or("");
            if p.origins.iter().any(|pat| pattern_matches(pat, s)) {
                Ok(o.to_vec())
            } else {
                Err(("origin_not_allowed", o.to_vec()))
            }
        }
    };

    if !preflight {
        let vary = if p.any_origin { vec![] } else { vec!["Origin"] };
        return match origin {
            Ok(acao) => {
                let mut out = vec![h("Access-Control-Allow-Origin", &acao)];
                if p.credentials {
                    out.push(h("Access-Control-Allow-Credentials", b"true"));
                }
                if let Some(e) = &expose {
                    out.push(h("Access-Control-Expose-Headers", e));
                }
                OAnswer {
                    kind: "actual",
                    refusal: None,
                    status: None,
                    headers: out,
                    vary,
                }
            }
            Err(r) => OAnswer {
                kind: "actual",
                refusal: Some(r),
                status: None,
                headers: vec![],
                vary,
            },
        };
    }

    let mut vary = vec![];
    if !p.any_origin {
        vary.push("Origin");
    }
    vary.push("Access-Control-Request-Method");
    vary.push("Access-Control-Request-Headers");
    if p.private_network {
        vary.push("Access-Control-Request-Private-Network");
    }
    let refused = |r: (&'static str, Vec<u8>), vary: Vec<&'static str>| OAnswer {
        kind: "preflight",
        refusal: Some(r),
        status: Some(403),
        headers: vec![],
        vary,
    };
    let acao = match origin {
        Ok(a) => a,
        Err(r) => return refused(r, vary),
    };

    // §4.2 method.
    if acrm.len() != 1 {
        return refused(("method_malformed", vec![]), vary);
    }
    let m = trim(acrm[0]);
    if !is_token(m) {
        return refused(("method_malformed", vec![]), vary);
    }
    if is_forbidden_method(m) {
        return refused(("method_forbidden", vec![]), vary);
    }
    let safelisted = m == b"GET" || m == b"HEAD" || m == b"POST";
    let listed = p.methods.iter().any(|e| {
        if e == "*" {
            return true;
        }
        // §2: these names written in lower case are upper-cased.
        let normalized =
            if ["delete", "get", "head", "options", "post", "put"].contains(&e.as_str()) {
                e.to_uppercase()
            } else {
                e.clone()
            };
        normalized.as_bytes() == m
    });
    if !safelisted && !listed {
        return refused(("method_not_allowed", vec![]), vary);
    }

    // §4.3 headers.
    let any_header = p.headers.iter().any(|e| e == "*");
    for line in &acrh {
        for element in line.split(|&b| b == b',') {
            let name = trim(element);
            if name.is_empty() {
                continue;
            }
            if !is_token(name) {
                return refused(("header_malformed", name.to_vec()), vary);
            }
            let lower = String::from_utf8_lossy(name).to_lowercase();
            let ok = (any_header && lower != "authorization")
                || p.headers
                    .iter()
                    .any(|e| e != "*" && e.to_lowercase() == lower);
            if !ok {
                return refused(("header_not_allowed", name.to_vec()), vary);
            }
        }
    }

    let mut out = vec![h("Access-Control-Allow-Origin", &acao)];
    if p.credentials {
        out.push(h("Access-Control-Allow-Credentials", b"true"));
    }
    out.push(h("Access-Control-Allow-Methods", m));
    for line in &acrh {
        // §3: the requested lines echoed as sent, omitted if they name nothing.
        if line.iter().any(|&b| b != b',' && b != b' ' && b != b'\t') {
            out.push(h("Access-Control-Allow-Headers", line));
        }
    }
    if let Some(age) = p.max_age {
        out.push(h("Access-Control-Max-Age", age.to_string().as_bytes()));
    }
    // §4.4. CORE CHOICE: the single ACRPN line is compared after trimming
    // spaces and tabs (an HTTP parser strips them anyway).
    if p.private_network && acrpn.len() == 1 && trim(acrpn[0]) == b"true" {
        out.push(h("Access-Control-Allow-Private-Network", b"true"));
    }
    OAnswer {
        kind: "preflight",
        refusal: None,
        status: Some(204),
        headers: out,
        vary,
    }
}

/// The invariants of docs/behaviour.md §3 on one answer of the core.
pub fn check_invariants(
    p: &OPolicy,
    headers: &[(Vec<u8>, Vec<u8>)],
    a: &OAnswer,
) -> Result<(), String> {
    let acao: Vec<&Vec<u8>> = a
        .headers
        .iter()
        .filter(|(n, _)| n == "Access-Control-Allow-Origin")
        .map(|(_, v)| v)
        .collect();
    ensure(acao.len() <= 1, format!("more than one ACAO: {a:?}"))?;
    let origin_lines: Vec<&[u8]> = headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(b"origin"))
        .map(|(_, v)| trim(v))
        .collect();
    // ACAO is `*` or the request's origin (trimmed), byte for byte.
    if let Some(v) = acao.first() {
        ensure(
            v.as_slice() == b"*" || origin_lines == [v.as_slice()],
            format!("ACAO {v:?} is neither * nor the origin {origin_lines:?}"),
        )?;
        // Never `*` with credentials.
        if v.as_slice() == b"*" {
            ensure(
                !a.headers
                    .iter()
                    .any(|(n, _)| n == "Access-Control-Allow-Credentials"),
                format!("* with credentials: {a:?}"),
            )?;
        }
    }
    // `Vary: Origin` whenever the answer depends on the origin: always for a
    // list policy (the not_cors answer included, so a cache never serves it
    // to a CORS request).
    if !p.any() {
        ensure(
            a.vary.contains(&"Origin"),
            format!("no Vary: Origin: {a:?}"),
        )?;
    }
    match a.kind {
        "not_cors" => {
            let allowed: &[&str] = if p.any() {
                &[
                    "Access-Control-Allow-Origin",
                    "Access-Control-Expose-Headers",
                ]
            } else {
                &[]
            };
            ensure(
                a.headers.iter().all(|(n, _)| allowed.contains(&n.as_str())),
                format!("not_cors carries CORS headers: {a:?}"),
            )?;
            ensure(a.refusal.is_none() && a.status.is_none(), format!("{a:?}"))?;
        }
        "actual" => {
            ensure(a.status.is_none(), format!("{a:?}"))?;
            ensure(
                !a.headers.iter().any(|(n, _)| {
                    matches!(
                        n.as_str(),
                        "Access-Control-Allow-Methods"
                            | "Access-Control-Allow-Headers"
                            | "Access-Control-Max-Age"
                            | "Access-Control-Allow-Private-Network"
                    )
                }),
                format!("preflight-only header on an actual response: {a:?}"),
            )?;
        }
        "preflight" => {
            ensure(
                !a.headers
                    .iter()
                    .any(|(n, _)| n == "Access-Control-Expose-Headers"),
                format!("ACEH on a preflight: {a:?}"),
            )?;
            let want = if a.refusal.is_none() { 204 } else { 403 };
            ensure(
                a.status == Some(want),
                format!("status {:?}: {a:?}", a.status),
            )?;
        }
        k => return Err(format!("unknown kind {k}")),
    }
    // A refused request, a refused preflight included, carries no CORS header.
    if a.refusal.is_some() {
        ensure(
            a.headers.is_empty(),
            format!("refused but carries headers: {a:?}"),
        )?;
    }
    Ok(())
}

fn ensure(ok: bool, message: String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(message) }
}

// ---------------------------------------------------------------------------
// Adapters between the oracle's plain data and the core's API: they only
// build inputs and read outputs, and decide nothing.

/// Builds the core's policy from an oracle policy.
pub fn build_core<'s>(
    p: &OPolicy,
    origins: &'s [&'s str],
    methods: &'s [&'s str],
    headers: &'s [&'s str],
    expose: &'s [&'s str],
) -> Result<cors_policy::Policy<'s>, cors_policy::PolicyErrors<'s>> {
    let mut b = cors_policy::PolicyBuilder::new()
        .allow_credentials(p.credentials)
        .allow_methods(methods)
        .allow_headers(headers)
        .expose_headers(expose)
        .allow_private_network(p.private_network)
        .dangerously_allow_public_suffix_wildcards(p.public_suffix_wildcards)
        .dangerously_allow_insecure_origins(p.insecure_origins);
    b = if p.any_origin {
        b.allow_any_origin()
    } else {
        b.allow_origins(origins)
    };
    if let Some(age) = p.max_age {
        b = b.max_age(age);
    }
    b.build()
}

/// Borrowed views of an oracle policy's lists, for [`build_core`].
pub fn views(p: &OPolicy) -> [Vec<&str>; 4] {
    fn v(l: &[String]) -> Vec<&str> {
        l.iter().map(String::as_str).collect()
    }
    [v(&p.origins), v(&p.methods), v(&p.headers), v(&p.expose)]
}

/// The core's decision in the oracle's terms.
pub fn core_answer<'r, L>(d: &cors_policy::Decision<'_, 'r, L>) -> OAnswer
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    use cors_policy::Refusal;
    let refusal = d.refusal().map(|r| {
        let payload = match r {
            Refusal::OriginNotAllowed(o) => o.to_vec(),
            Refusal::HeaderMalformed(h) | Refusal::HeaderNotAllowed(h) => h.to_vec(),
            _ => vec![],
        };
        (r.code(), payload)
    });
    OAnswer {
        kind: d.kind().as_str(),
        refusal,
        status: d.preflight_status(),
        headers: d
            .headers()
            .map(|(h, v)| (h.as_str().to_string(), v.to_vec()))
            .collect(),
        vary: d.vary().to_vec(),
    }
}

/// Runs the core on an oracle-style request.
pub fn core_evaluate(
    policy: &cors_policy::Policy<'_>,
    method: &[u8],
    headers: &[(Vec<u8>, Vec<u8>)],
) -> OAnswer {
    let request = cors_policy::Request::from_pairs(method, headers);
    core_answer(&cors_policy::evaluate(policy, &request))
}
