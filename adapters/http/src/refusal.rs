//! A refused request, as the refusal hook sees it and in owned form.
//! Nothing of either is ever sent to the client.

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
