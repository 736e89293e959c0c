//! `Vary` merging, independent of the header map type (Fetch, "CORS
//! protocol and HTTP caches").

/// The `Vary` tokens of a decision joined into one field value, for the
/// lists the core gives; `None` for an empty list or one it does not know
/// (the adapter then writes one line per token).
///
/// ```
/// assert_eq!(
///     cors_policy_http::joined_vary(&["Origin", "Access-Control-Request-Method", "Access-Control-Request-Headers"]),
///     Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")
/// );
/// ```
pub fn joined_vary(tokens: &[&str]) -> Option<&'static str> {
    const ORIGIN: &str = "Origin";
    const ACRM: &str = "Access-Control-Request-Method";
    const ACRH: &str = "Access-Control-Request-Headers";
    const ACRPN: &str = "Access-Control-Request-Private-Network";
    Some(match tokens {
        [ORIGIN] => VARY_ORIGIN,
        [ACRM, ACRH] => VARY_PREFLIGHT,
        [ORIGIN, ACRM, ACRH] => VARY_PREFLIGHT_ORIGIN,
        [ACRM, ACRH, ACRPN] => VARY_PREFLIGHT_PNA,
        [ORIGIN, ACRM, ACRH, ACRPN] => VARY_PREFLIGHT_ORIGIN_PNA,
        _ => return None,
    })
}

/// `Vary` of an answer that depends on the origin alone.
pub const VARY_ORIGIN: &str = "Origin";
/// `Vary` of a `"*"` policy's preflight.
pub const VARY_PREFLIGHT: &str = "Access-Control-Request-Method, Access-Control-Request-Headers";
/// `Vary` of a preflight.
pub const VARY_PREFLIGHT_ORIGIN: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
/// `Vary` of a `"*"` policy's preflight with Private Network Access.
pub const VARY_PREFLIGHT_PNA: &str = "Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network";
/// `Vary` of a preflight with Private Network Access.
pub const VARY_PREFLIGHT_ORIGIN_PNA: &str = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers, Access-Control-Request-Private-Network";

/// Which of a decision's `Vary` tokens a response still lacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VaryMerge {
    /// Nothing to add: all present, or the response varies on `*`.
    Nothing,
    /// Every token is missing: add them all (as one joined line).
    All,
    /// Only some are missing: bit `i` set means `tokens[i]` is missing.
    Some(u64),
}

/// Compares the response's `Vary` lines (given by `existing`, called
/// once per token) with `tokens`, case-insensitively,
/// element by element (RFC 9110 §12.5.5: a list of field names, or `*`).
///
/// ```
/// use cors_policy_http::{VaryMerge, vary_merge};
/// let tokens = ["Origin", "Access-Control-Request-Method"];
/// assert_eq!(vary_merge(|| [&b"accept-encoding"[..]].into_iter(), &tokens), VaryMerge::All);
/// assert_eq!(vary_merge(|| [&b"Accept-Encoding, origin"[..]].into_iter(), &tokens), VaryMerge::Some(0b10));
/// assert_eq!(vary_merge(|| [&b"*"[..]].into_iter(), &tokens), VaryMerge::Nothing);
/// ```
pub fn vary_merge<'a, I>(existing: impl Fn() -> I, tokens: &[&str]) -> VaryMerge
where
    I: Iterator<Item = &'a [u8]>,
{
    let elements = || {
        existing()
            .flat_map(|line| line.split(|&b| b == b','))
            .map(trim)
    };
    if elements().any(|e| e == b"*") {
        return VaryMerge::Nothing;
    }
    let mut missing = 0u64;
    let mut count = 0usize;
    for (i, t) in tokens.iter().enumerate() {
        let present = elements().any(|e| e.eq_ignore_ascii_case(t.as_bytes()));
        if !present {
            count += 1;
            if i < 64 {
                missing |= 1 << i;
            }
        }
    }
    if count == 0 {
        VaryMerge::Nothing
    } else if count == tokens.len() {
        VaryMerge::All
    } else {
        VaryMerge::Some(missing)
    }
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}
