//! A refused request, as the refusal hook sees it, as the `tracing` event
//! logs it, and in owned form. Nothing of any is ever sent to the client.

use std::fmt;

use cors_policy::{Check, Refusal, RequestKind};

/// A refused request, as the refusal hook sees it
/// ([`Evaluator::on_refusal`](crate::Evaluator::on_refusal)).
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct RefusalEvent<'a> {
    /// How the request was classified.
    pub kind: RequestKind,
    /// Why it was refused (Display gives a message; `code()` a metrics label).
    pub refusal: Refusal<'a>,
    /// The request method.
    pub method: &'a [u8],
    /// The request path.
    pub path: &'a str,
    /// Was it answered anyway, as debug mode answers preflights refused for
    /// a method or a header?
    pub debug: bool,
}

/// The `debug` event of a refused request (feature `tracing`, on by
/// default): target `cors_policy`, message `CORS request refused`, fields
/// `code` (the stable label, such as `origin_not_allowed`), `reason` (the
/// core's bounded, escaped message), `kind`, `method`, `path` (its first
/// 128 bytes) and `debug_answer` (answered anyway by debug mode). Enable
/// it with a subscriber filter such as `cors_policy=debug`; off, it costs
/// one relaxed atomic load per refused request.
#[cfg(feature = "tracing")]
pub(crate) fn trace_refusal(event: &RefusalEvent<'_>) {
    /// The longest prefix of `s` of at most 128 bytes that ends on a
    /// character boundary.
    fn bounded(s: &str) -> &str {
        let mut end = s.len().min(128);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        &s[..end]
    }
    tracing::debug!(
        target: "cors_policy",
        code = event.refusal.code(),
        reason = %event.refusal,
        kind = %event.kind,
        method = bounded(std::str::from_utf8(event.method).unwrap_or("(not UTF-8)")),
        path = bounded(event.path),
        debug_answer = event.debug,
        "CORS request refused"
    );
}

/// A refusal in owned form, for middleware further out (logging,
/// metrics), e.g. in a response's extensions. It is never written to the
/// wire.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct CorsRefusal {
    /// How the request was classified.
    pub kind: RequestKind,
    /// The check of docs/behaviour.md §4 that refused it.
    pub check: Check,
    /// A stable label, such as `origin_not_allowed`.
    pub code: &'static str,
    /// The reason, as the core words it.
    pub message: String,
}

impl CorsRefusal {
    /// The owned form of a refusal.
    ///
    /// ```
    /// use cors_policy::{Refusal, RequestKind};
    /// let r = cors_policy_http::CorsRefusal::new(RequestKind::Preflight, &Refusal::MethodNotAllowed(b"PATCH"));
    /// assert_eq!(r.code, "method_not_allowed");
    /// assert_eq!(r.message, "method \"PATCH\" is not allowed");
    /// ```
    pub fn new(kind: RequestKind, refusal: &Refusal<'_>) -> Self {
        CorsRefusal {
            kind,
            check: refusal.check(),
            code: refusal.code(),
            message: refusal.to_string(),
        }
    }
}

impl fmt::Display for CorsRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CORS {} refused: {}", self.kind, self.message)
    }
}

impl std::error::Error for CorsRefusal {}
