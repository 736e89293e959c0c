//! Why a request was refused: the check, the defect and a message safe to
//! log whatever the request sent.

use core::fmt;

/// What is wrong with a malformed `Origin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OriginDefect {
    /// More than one `Origin` field line.
    MultipleLines,
    /// An empty value.
    Empty,
    /// A comma: a list, where one origin is expected.
    List,
    /// A byte that is not visible ASCII (non-ASCII, a control, a space inside).
    NotVisibleAscii,
}

/// What is wrong with a malformed `Access-Control-Request-Method`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MethodDefect {
    /// More than one field line.
    MultipleLines,
    /// An empty value.
    Empty,
    /// Not a token (RFC 9110 §5.6.2).
    NotAToken,
}

/// Which check of docs/behaviour.md §4 refused a request, for metrics.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Check {
    /// §4.1, the origin.
    Origin,
    /// §4.2, the requested method.
    Method,
    /// §4.3, the requested headers.
    Headers,
}

/// Why a request was refused: a reason a program can match on, for logs and
/// metrics. It is never meant for the client.
///
/// Its `Display` is safe to log whatever the request sent: it shows at most
/// the first 128 bytes of the request's value, then its length (`origin
/// "https://aaaa…" (first 128 of 16393 bytes) is not allowed`), escapes `"`,
/// `\` and every byte that is not printable ASCII (`\x0a`), so a value can
/// neither flood a log nor forge a line in it, and writes whole slices (a
/// few writes per message, whatever the value's length), without
/// allocating.
///
/// ```
/// use cors_policy::{evaluate, Check, Policy, Refusal, Request};
/// let policy = Policy::builder()
///     .allow_origins(&["https://app.example"])
///     .allow_headers(&["content-type"])
///     .build()
///     .unwrap();
/// let headers = [
///     ("Origin", "https://app.example"),
///     ("Access-Control-Request-Method", "POST"),
///     ("Access-Control-Request-Headers", "content-type,x-api-key"),
/// ];
/// let decision = evaluate(&policy, &Request::from_pairs(b"OPTIONS", &headers));
/// let refusal = decision.refusal().unwrap();
/// assert_eq!(refusal, Refusal::HeaderNotAllowed(b"x-api-key"));
/// assert_eq!((refusal.check(), refusal.code()), (Check::Headers, "header_not_allowed"));
/// assert_eq!(refusal.to_string(), "request header \"x-api-key\" is not allowed");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Refusal<'r> {
    /// The origin (trimmed) matches no pattern and no dynamic check.
    OriginNotAllowed(&'r [u8]),
    /// `Origin` is malformed.
    OriginMalformed(OriginDefect),
    /// `Access-Control-Request-Method` is malformed.
    MethodMalformed(MethodDefect),
    /// The requested method is `CONNECT`, `TRACE` or `TRACK`.
    MethodForbidden(&'r [u8]),
    /// The requested method is not allowed by the policy.
    MethodNotAllowed(&'r [u8]),
    /// An element of `Access-Control-Request-Headers` is not a token.
    HeaderMalformed(&'r [u8]),
    /// A requested header is not allowed (`authorization` under `*` included).
    HeaderNotAllowed(&'r [u8]),
}

impl Refusal<'_> {
    /// The check that failed.
    ///
    /// ```
    /// use cors_policy::{Check, Refusal};
    /// assert_eq!(Refusal::HeaderNotAllowed(b"x-foo").check(), Check::Headers);
    /// ```
    pub const fn check(&self) -> Check {
        match self {
            Refusal::OriginNotAllowed(_) | Refusal::OriginMalformed(_) => Check::Origin,
            Refusal::MethodMalformed(_)
            | Refusal::MethodForbidden(_)
            | Refusal::MethodNotAllowed(_) => Check::Method,
            Refusal::HeaderMalformed(_) | Refusal::HeaderNotAllowed(_) => Check::Headers,
        }
    }

    /// Was the request malformed, rather than well-formed but not allowed?
    pub const fn is_malformed(&self) -> bool {
        matches!(
            self,
            Refusal::OriginMalformed(_) | Refusal::MethodMalformed(_) | Refusal::HeaderMalformed(_)
        )
    }

    /// A short stable identifier, such as `origin_not_allowed`, for metrics labels.
    pub const fn code(&self) -> &'static str {
        match self {
            Refusal::OriginNotAllowed(_) => "origin_not_allowed",
            Refusal::OriginMalformed(_) => "origin_malformed",
            Refusal::MethodMalformed(_) => "method_malformed",
            Refusal::MethodForbidden(_) => "method_forbidden",
            Refusal::MethodNotAllowed(_) => "method_not_allowed",
            Refusal::HeaderMalformed(_) => "header_malformed",
            Refusal::HeaderNotAllowed(_) => "header_not_allowed",
        }
    }
}

/// How many bytes of a request value a refusal's message shows: the rest
/// is only counted, so logging a refusal costs the same for a 16 KiB origin
/// as for a short one.
const SHOWN_BYTES: usize = 128;

/// Writes request bytes as a quoted string, bounded and escaped so that
/// they can neither flood a log nor forge a line in it: at most
/// [`SHOWN_BYTES`] are shown (then `(first 128 of N bytes)`), printable
/// ASCII as is, `"` and `\` escaped with a backslash, every other byte as
/// `\xNN`. Runs of plain bytes are written as whole slices.
struct Quoted<'a>(&'a [u8]);

/// A lower-case hexadecimal digit.
const fn hex_digit(n: u8) -> u8 {
    if n < 10 { b'0' + n } else { b'a' + (n - 10) }
}

/// Writes `bytes`, which are printable ASCII, as one slice.
fn write_plain(f: &mut fmt::Formatter<'_>, bytes: &[u8]) -> fmt::Result {
    match core::str::from_utf8(bytes) {
        Ok(s) if !s.is_empty() => f.write_str(s),
        _ => Ok(()),
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let all = self.0;
        let shown = all.get(..SHOWN_BYTES).unwrap_or(all);
        f.write_str("\"")?;
        let mut rest = shown;
        while !rest.is_empty() {
            // The longest run of plain bytes, written as one slice, then
            // the byte that ended it, escaped.
            let run = rest
                .iter()
                .position(|&b| !(0x20..0x7f).contains(&b) || b == b'"' || b == b'\\')
                .unwrap_or(rest.len());
            let (plain, after) = rest.split_at_checked(run).unwrap_or((rest, &[]));
            write_plain(f, plain)?;
            let Some((&b, after)) = after.split_first() else {
                break;
            };
            let pair;
            let quad;
            let escape: &[u8] = if b == b'"' || b == b'\\' {
                pair = [b'\\', b];
                &pair
            } else {
                quad = [b'\\', b'x', hex_digit(b >> 4), hex_digit(b & 0xf)];
                &quad
            };
            write_plain(f, escape)?;
            rest = after;
        }
        f.write_str("\"")?;
        if all.len() > shown.len() {
            write!(f, " (first {} of {} bytes)", shown.len(), all.len())?;
        }
        Ok(())
    }
}

impl fmt::Display for Refusal<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Refusal::OriginNotAllowed(o) => write!(f, "origin {} is not allowed", Quoted(o)),
            Refusal::OriginMalformed(OriginDefect::MultipleLines) => {
                f.write_str("malformed Origin: more than one Origin field line")
            }
            Refusal::OriginMalformed(OriginDefect::Empty) => f.write_str("malformed Origin: empty"),
            Refusal::OriginMalformed(OriginDefect::List) => {
                f.write_str("malformed Origin: a comma-separated list where one origin is expected")
            }
            Refusal::OriginMalformed(OriginDefect::NotVisibleAscii) => {
                f.write_str("malformed Origin: bytes that are not visible ASCII")
            }
            Refusal::MethodMalformed(MethodDefect::MultipleLines) => {
                f.write_str("malformed Access-Control-Request-Method: more than one field line")
            }
            Refusal::MethodMalformed(MethodDefect::Empty) => {
                f.write_str("malformed Access-Control-Request-Method: empty")
            }
            Refusal::MethodMalformed(MethodDefect::NotAToken) => {
                f.write_str("malformed Access-Control-Request-Method: not a method token")
            }
            Refusal::MethodForbidden(m) => {
                write!(f, "method {} is forbidden and never allowed", Quoted(m))
            }
            Refusal::MethodNotAllowed(m) => write!(f, "method {} is not allowed", Quoted(m)),
            Refusal::HeaderMalformed(h) => write!(
                f,
                "malformed Access-Control-Request-Headers: {} is not a header name",
                Quoted(h)
            ),
            Refusal::HeaderNotAllowed(h) => {
                write!(f, "request header {} is not allowed", Quoted(h))
            }
        }
    }
}
