//! Which response headers a page's script may read from a CORS response.

use crate::check::{Response, TokenList};
use crate::safelist::{is_forbidden_response_header_name, is_safelisted_response_header_name};

/// The response headers a script may read from a CORS response (Fetch,
/// "CORS filtered response", with the CORS-exposed header-name list of
/// "main fetch" step 14, and "CORS-safelisted response-header name").
///
/// ```
/// use cors_policy_browser::{Exposed, Response};
/// let headers = [
///     ("access-control-allow-origin", "*"),
///     ("access-control-expose-headers", "X-Request-Id"),
///     ("content-type", "application/json"),
///     ("x-request-id", "7"),
///     ("etag", "\"a\""),
/// ];
/// let response = Response::new(200, &headers);
/// let exposed = Exposed::new(&response, false);
/// assert!(exposed.is_readable(b"Content-Type"));
/// assert!(exposed.is_readable(b"x-request-id"));
/// assert!(!exposed.is_readable(b"etag"));
/// ```
#[derive(Debug)]
pub struct Exposed<'a, K, V> {
    /// `Access-Control-Expose-Headers`, unless absent or malformed.
    list: Option<TokenList<'a, K, V>>,
    /// `*` listed and no credentials: every header is exposed.
    all: bool,
}

impl<'a, K: AsRef<[u8]>, V: AsRef<[u8]>> Exposed<'a, K, V> {
    /// What `response` exposes to a request with (or without) credentials.
    /// A malformed `Access-Control-Expose-Headers` exposes nothing.
    pub fn new(response: &Response<'a, K, V>, credentials: bool) -> Self {
        let list = response
            .list(b"access-control-expose-headers")
            .ok()
            .flatten();
        // With credentials, `*` is the literal name `*`.
        let all = !credentials && list.as_ref().is_some_and(|l| l.contains(b"*"));
        Exposed { list, all }
    }

    /// May a script read the response header `name` (`headers.get(name)`)?
    /// The safelisted names always; others when exposed; `set-cookie`
    /// and `set-cookie2` never.
    pub fn is_readable(&self, name: &[u8]) -> bool {
        if is_forbidden_response_header_name(name) {
            return false;
        }
        is_safelisted_response_header_name(name)
            || self.all
            || self
                .list
                .as_ref()
                .is_some_and(|l| l.contains_ignore_case(name))
    }
}
