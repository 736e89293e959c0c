//! What a browser lets through without a preflight, and what it never sends
//! or never shows: the safelists and forbidden lists of the Fetch standard.

use core::fmt;

#[cfg(test)]
use crate::bytes::Escaped;
use crate::bytes::{is_token, trim_ows};

/// The CORS-safelisted methods: `GET`, `HEAD` and `POST`, byte-exact
/// (Fetch, "CORS-safelisted method"). Any other method needs a preflight.
///
/// ```
/// use cors_policy_browser::is_safelisted_method;
/// assert!(is_safelisted_method(b"POST"));
/// assert!(!is_safelisted_method(b"post")); // fetch() upper-cases it first
/// assert!(!is_safelisted_method(b"PUT"));
/// ```
pub fn is_safelisted_method(method: &[u8]) -> bool {
    matches!(method, b"GET" | b"HEAD" | b"POST")
}

/// `CONNECT`, `TRACE` and `TRACK` in any case: a script cannot send them,
/// `fetch()` throws (Fetch, "forbidden method").
///
/// ```
/// use cors_policy_browser::is_forbidden_method;
/// assert!(is_forbidden_method(b"trace"));
/// assert!(!is_forbidden_method(b"PATCH"));
/// ```
pub fn is_forbidden_method(method: &[u8]) -> bool {
    [&b"CONNECT"[..], b"TRACE", b"TRACK"]
        .iter()
        .any(|f| f.eq_ignore_ascii_case(method))
}

/// Upper-cases `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST` and `PUT` written
/// in any case, as `fetch()` does; any other method keeps its case, so
/// `patch` stays `patch` (Fetch, "normalize a method").
///
/// ```
/// use cors_policy_browser::normalize_method;
/// assert_eq!(normalize_method("delete"), "DELETE");
/// assert_eq!(normalize_method("patch"), "patch");
/// ```
pub fn normalize_method(method: &str) -> &str {
    const NORMAL: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    NORMAL
        .into_iter()
        .find(|n| n.eq_ignore_ascii_case(method))
        .unwrap_or(method)
}

/// A byte that makes an `accept` or `content-type` value unsafe: controls
/// other than tab, `"():<>?@[\]{}` and DEL (Fetch, "CORS-unsafe
/// request-header byte").
///
/// ```
/// use cors_policy_browser::is_unsafe_request_header_byte;
/// assert!(is_unsafe_request_header_byte(b'@'));
/// assert!(!is_unsafe_request_header_byte(b'\t'));
/// ```
pub fn is_unsafe_request_header_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09)
        || matches!(
            b,
            b'"' | b'('
                | b')'
                | b':'
                | b'<'
                | b'>'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'{'
                | b'}'
                | 0x7f
        )
}

/// The longest value a CORS-safelisted request header may have, in bytes
/// (Fetch, "CORS-safelisted request-header", step 1).
pub const MAX_SAFELISTED_VALUE_LEN: usize = 128;

/// The most bytes the values of all safelisted request headers of one
/// request may add up to; past it, every one of them needs a preflight
/// (Fetch, "CORS-unsafe request-header names", step 5).
pub const MAX_SAFELISTED_TOTAL_LEN: usize = 1024;

/// Why a request header is not CORS-safelisted, and so needs a preflight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NotSafelisted {
    /// The name is none of `accept`, `accept-language`, `content-language`,
    /// `content-type` and `range`.
    Name,
    /// The value is longer than [`MAX_SAFELISTED_VALUE_LEN`] bytes.
    TooLong {
        /// The value's length in bytes.
        len: usize,
    },
    /// The value holds a byte not allowed for this name.
    Byte(u8),
    /// A `content-type` value that is not a MIME type.
    NotAMimeType,
    /// A `content-type` whose essence is not `application/x-www-form-urlencoded`,
    /// `multipart/form-data` or `text/plain`.
    MimeEssence,
    /// A `range` value that is not one `bytes=start-[end]` range.
    Range,
    /// The safelisted values of the request add up to more than
    /// [`MAX_SAFELISTED_TOTAL_LEN`] bytes.
    TotalTooLong {
        /// The sum of the safelisted values' lengths.
        total: usize,
    },
}

impl fmt::Display for NotSafelisted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            NotSafelisted::Name => f.write_str("its name is not CORS-safelisted"),
            NotSafelisted::TooLong { len } => write!(
                f,
                "its value is {len} bytes long, more than {MAX_SAFELISTED_VALUE_LEN}"
            ),
            NotSafelisted::Byte(b) => write!(
                f,
                "its value holds the byte {:?}, not allowed there",
                char::from(b)
            ),
            NotSafelisted::NotAMimeType => f.write_str("its value is not a MIME type"),
            NotSafelisted::MimeEssence => f.write_str(
                "its MIME type is not application/x-www-form-urlencoded, multipart/form-data or text/plain",
            ),
            NotSafelisted::Range => {
                f.write_str("its value is not a single range `bytes=start-` or `bytes=start-end`")
            }
            NotSafelisted::TotalTooLong { total } => write!(
                f,
                "the safelisted request headers' values add up to {total} bytes, more than {MAX_SAFELISTED_TOTAL_LEN}"
            ),
        }
    }
}

/// Is (`name`, `value`) a CORS-safelisted request-header, which a browser
/// sends without a preflight? (Fetch, "CORS-safelisted request-header".)
///
/// `value` is the header value as the browser holds it, already
/// normalized (leading and trailing HTTP whitespace removed).
/// The request-wide limit of [`MAX_SAFELISTED_TOTAL_LEN`] is checked by
/// [`UnsafeNames`](crate::UnsafeNames), not here.
///
/// ```
/// use cors_policy_browser::{safelisted_request_header, NotSafelisted};
/// assert_eq!(safelisted_request_header(b"Content-Type", b"text/plain;charset=utf-8"), Ok(()));
/// assert_eq!(
///     safelisted_request_header(b"content-type", b"application/json"),
///     Err(NotSafelisted::MimeEssence)
/// );
/// assert_eq!(safelisted_request_header(b"range", b"bytes=-500"), Err(NotSafelisted::Range));
/// assert_eq!(safelisted_request_header(b"x-api-key", b"k"), Err(NotSafelisted::Name));
/// ```
///
/// # Errors
///
/// The reason the header is not safelisted.
pub fn safelisted_request_header(name: &[u8], value: &[u8]) -> Result<(), NotSafelisted> {
    // Step 1.
    if value.len() > MAX_SAFELISTED_VALUE_LEN {
        return Err(NotSafelisted::TooLong { len: value.len() });
    }
    let lower = |n: &[u8]| name.eq_ignore_ascii_case(n);
    if lower(b"accept") {
        first_byte(value, is_unsafe_request_header_byte)
    } else if lower(b"accept-language") || lower(b"content-language") {
        first_byte(value, |b| {
            !(b.is_ascii_alphanumeric()
                || matches!(b, b' ' | b'*' | b',' | b'-' | b'.' | b';' | b'='))
        })
    } else if lower(b"content-type") {
        first_byte(value, is_unsafe_request_header_byte)?;
        let essence = mime_essence(value).ok_or(NotSafelisted::NotAMimeType)?;
        let ok = [
            &b"application/x-www-form-urlencoded"[..],
            b"multipart/form-data",
            b"text/plain",
        ]
        .iter()
        .any(|e| essence.matches(e));
        if ok {
            Ok(())
        } else {
            Err(NotSafelisted::MimeEssence)
        }
    } else if lower(b"range") {
        // A suffix range (`bytes=-500`) has no start and is not safelisted.
        match parse_single_range(value) {
            Some((Some(_), _)) => Ok(()),
            _ => Err(NotSafelisted::Range),
        }
    } else {
        Err(NotSafelisted::Name)
    }
}

/// [`safelisted_request_header`] as a `bool`.
///
/// ```
/// assert!(cors_policy_browser::is_safelisted_request_header(b"accept", b"*/*"));
/// ```
pub fn is_safelisted_request_header(name: &[u8], value: &[u8]) -> bool {
    safelisted_request_header(name, value).is_ok()
}

fn first_byte(value: &[u8], bad: impl Fn(u8) -> bool) -> Result<(), NotSafelisted> {
    match value.iter().find(|&&b| bad(b)) {
        Some(&b) => Err(NotSafelisted::Byte(b)),
        None => Ok(()),
    }
}

/// The type and subtype of a MIME type, as written.
struct Essence<'a> {
    ty: &'a [u8],
    subtype: &'a [u8],
}

impl Essence<'_> {
    /// Does `type/subtype` equal `essence`, ignoring ASCII case?
    fn matches(&self, essence: &[u8]) -> bool {
        match essence.iter().position(|&b| b == b'/') {
            Some(i) => {
                let (ty, sub) = essence.split_at(i);
                self.ty.eq_ignore_ascii_case(ty)
                    && sub
                        .get(1..)
                        .is_some_and(|s| self.subtype.eq_ignore_ascii_case(s))
            }
            None => false,
        }
    }
}

/// Steps 1 to 9 of MIME Sniffing's "parse a MIME type": the rest only
/// reads parameters and never fails, so the essence is decided here.
fn mime_essence(value: &[u8]) -> Option<Essence<'_>> {
    let s = crate::bytes::trim_http_whitespace(value);
    let slash = s.iter().position(|&b| b == b'/')?;
    let (ty, rest) = s.split_at(slash);
    let rest = rest.get(1..)?;
    let end = rest.iter().position(|&b| b == b';').unwrap_or(rest.len());
    // Step 8: only trailing whitespace is removed from the subtype.
    let mut subtype = rest.get(..end)?;
    while let [r @ .., b' ' | b'\t' | b'\r' | b'\n'] = subtype {
        subtype = r;
    }
    (is_token(ty) && is_token(subtype)).then_some(Essence { ty, subtype })
}

/// The digits of a range's start and end, each possibly absent.
type RangeBounds<'a> = (Option<&'a [u8]>, Option<&'a [u8]>);

/// Fetch, "parse a single range header value" with allowWhitespace false:
/// `bytes=` then an optional start, `-`, an optional end, nothing else.
/// Returns the start and end digits, each possibly absent; numbers of any
/// length compare.
fn parse_single_range(value: &[u8]) -> Option<RangeBounds<'_>> {
    let rest = value.strip_prefix(b"bytes=")?;
    let dash = rest.iter().position(|&b| b == b'-')?;
    let (start, end) = rest.split_at(dash);
    let end = end.get(1..)?;
    if !start.iter().all(u8::is_ascii_digit) || !end.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let start = (!start.is_empty()).then_some(start);
    let end = (!end.is_empty()).then_some(end);
    match (start, end) {
        (None, None) => None,
        (Some(s), Some(e)) if cmp_decimal(s, e) == core::cmp::Ordering::Greater => None,
        pair => Some(pair),
    }
}

/// Compares two non-empty strings of ASCII digits as numbers, without
/// overflow: strip leading zeros, then the longer is larger.
fn cmp_decimal(a: &[u8], b: &[u8]) -> core::cmp::Ordering {
    fn strip(mut s: &[u8]) -> &[u8] {
        while let [b'0', rest @ ..] = s {
            s = rest;
        }
        s
    }
    let (a, b) = (strip(a), strip(b));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// A header name a script cannot set: the browser drops it from `fetch()`
/// and XHR requests (Fetch, "forbidden request-header"). `value` matters
/// only for `x-http-method`, `x-http-method-override` and
/// `x-method-override`, forbidden when they name a forbidden method.
///
/// ```
/// use cors_policy_browser::is_forbidden_request_header;
/// assert!(is_forbidden_request_header(b"Cookie", b"a=b"));
/// assert!(is_forbidden_request_header(b"sec-fetch-mode", b"cors"));
/// assert!(is_forbidden_request_header(b"x-http-method-override", b"GET, trace"));
/// assert!(!is_forbidden_request_header(b"x-http-method-override", b"PUT"));
/// assert!(!is_forbidden_request_header(b"authorization", b"Bearer t"));
/// ```
pub fn is_forbidden_request_header(name: &[u8], value: &[u8]) -> bool {
    const NAMES: [&[u8]; 21] = [
        b"accept-charset",
        b"accept-encoding",
        b"access-control-request-headers",
        b"access-control-request-method",
        b"connection",
        b"content-length",
        b"cookie",
        b"cookie2",
        b"date",
        b"dnt",
        b"expect",
        b"host",
        b"keep-alive",
        b"origin",
        b"referer",
        b"set-cookie",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"via",
    ];
    if NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)) {
        return true;
    }
    let prefix = |p: &[u8]| {
        name.get(..p.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(p))
    };
    if prefix(b"proxy-") || prefix(b"sec-") {
        return true;
    }
    let overrides = [
        &b"x-http-method"[..],
        b"x-http-method-override",
        b"x-method-override",
    ];
    overrides.iter().any(|n| n.eq_ignore_ascii_case(name))
        && value
            .split(|&b| b == b',')
            .any(|m| is_forbidden_method(trim_ows(m)))
}

/// `authorization`: a `*` in `Access-Control-Allow-Headers` never covers it
/// (Fetch, "CORS non-wildcard request-header name").
///
/// ```
/// assert!(cors_policy_browser::is_non_wildcard_request_header_name(b"Authorization"));
/// ```
pub fn is_non_wildcard_request_header_name(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"authorization")
}

/// Response headers a script may always read from a CORS response:
/// `cache-control`, `content-language`, `content-length`, `content-type`,
/// `expires`, `last-modified` and `pragma` (Fetch, "CORS-safelisted
/// response-header name"). Others need `Access-Control-Expose-Headers`.
///
/// ```
/// use cors_policy_browser::is_safelisted_response_header_name;
/// assert!(is_safelisted_response_header_name(b"Content-Type"));
/// assert!(!is_safelisted_response_header_name(b"etag"));
/// ```
pub fn is_safelisted_response_header_name(name: &[u8]) -> bool {
    [
        &b"cache-control"[..],
        b"content-language",
        b"content-length",
        b"content-type",
        b"expires",
        b"last-modified",
        b"pragma",
    ]
    .iter()
    .any(|n| n.eq_ignore_ascii_case(name))
}

/// `set-cookie` and `set-cookie2`: never shown to a script, whatever the
/// server exposes (Fetch, "forbidden response-header name").
///
/// ```
/// assert!(cors_policy_browser::is_forbidden_response_header_name(b"Set-Cookie"));
/// ```
pub fn is_forbidden_response_header_name(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"set-cookie") || name.eq_ignore_ascii_case(b"set-cookie2")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(value: &[u8]) -> Escaped<'_> {
        Escaped(value)
    }

    #[test]
    fn content_type_essences() {
        let cases: &[(&[u8], Result<(), NotSafelisted>)] = &[
            (b"text/plain", Ok(())),
            (b"TEXT/Plain", Ok(())),
            (b"text/plain;charset=UTF-8", Ok(())),
            (b"text/plain ; charset=utf-8", Ok(())),
            (b"multipart/form-data; boundary=x", Ok(())),
            (b"application/x-www-form-urlencoded", Ok(())),
            (b"application/json", Err(NotSafelisted::MimeEssence)),
            (b"text/html", Err(NotSafelisted::MimeEssence)),
            (b"text /plain", Err(NotSafelisted::NotAMimeType)),
            (b"text/ plain", Err(NotSafelisted::NotAMimeType)),
            (b"text", Err(NotSafelisted::NotAMimeType)),
            (b"/plain", Err(NotSafelisted::NotAMimeType)),
            (b"text/", Err(NotSafelisted::NotAMimeType)),
            (b"text/plain; a=\"b\"", Err(NotSafelisted::Byte(b'"'))),
            (b"text/plain;x=(y)", Err(NotSafelisted::Byte(b'('))),
        ];
        for (value, want) in cases {
            assert_eq!(
                safelisted_request_header(b"content-type", value),
                *want,
                "{}",
                show(value)
            );
        }
    }

    #[test]
    fn ranges() {
        let cases: &[(&[u8], bool)] = &[
            (b"bytes=0-", true),
            (b"bytes=0-499", true),
            (b"bytes=500-500", true),
            (b"bytes=0000000000000000000000000000001-2", true),
            (b"bytes=99999999999999999999999999-1", false),
            (b"bytes=-500", false),
            (b"bytes=-", false),
            (b"bytes=5-4", false),
            (b"bytes= 0-1", false),
            (b"Bytes=0-1", false),
            (b"bytes=0-1,2-3", false),
            (b"bytes=0-1 ", false),
            (b"items=0-1", false),
        ];
        for (value, ok) in cases {
            assert_eq!(
                is_safelisted_request_header(b"Range", value),
                *ok,
                "{}",
                show(value)
            );
        }
    }

    #[test]
    fn languages_and_accept() {
        assert!(is_safelisted_request_header(
            b"accept-language",
            b"en-US,en;q=0.9"
        ));
        assert!(is_safelisted_request_header(b"content-language", b"de-DE"));
        assert_eq!(
            safelisted_request_header(b"accept-language", b"en_US"),
            Err(NotSafelisted::Byte(b'_'))
        );
        assert!(is_safelisted_request_header(
            b"accept",
            b"application/json, text/*;q=0.5"
        ));
        assert_eq!(
            safelisted_request_header(b"accept", b"a{b}"),
            Err(NotSafelisted::Byte(b'{'))
        );
    }

    #[test]
    fn value_length_limit() {
        let v = [b'a'; MAX_SAFELISTED_VALUE_LEN + 1];
        assert!(is_safelisted_request_header(
            b"accept",
            &v[..MAX_SAFELISTED_VALUE_LEN]
        ));
        assert_eq!(
            safelisted_request_header(b"accept", &v),
            Err(NotSafelisted::TooLong { len: 129 })
        );
    }

    #[test]
    fn unsafe_bytes_are_exactly_the_listed_ones() {
        let listed = b"\"():<>?@[\\]{}";
        for b in 0u8..=255 {
            let want = (b < 0x20 && b != b'\t') || b == 0x7f || listed.contains(&b);
            assert_eq!(is_unsafe_request_header_byte(b), want, "{b:#x}");
        }
    }
}
