//! The browser's checks of a server's answers: the CORS check of any CORS
//! response, and the validation of a preflight response.

use core::fmt;

use crate::bytes::{Escaped, is_token, list_elements, trim_ows};
use crate::request::BrowserRequest;
use crate::safelist::{is_non_wildcard_request_header_name, is_safelisted_method};

/// A response as the browser sees it: its status and header field lines
/// (`(name, value)` pairs, one per line, in order; names match ignoring
/// case, values are trimmed of spaces and tabs as the HTTP parser does).
///
/// ```
/// use cors_policy_browser::Response;
/// let headers = [("Access-Control-Allow-Origin", "*")];
/// let response = Response::new(200, &headers);
/// assert_eq!(response.get(b"access-control-allow-origin"), Some(&b"*"[..]));
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Response<'a, K, V> {
    /// The status code.
    pub status: u16,
    /// The header field lines.
    pub headers: &'a [(K, V)],
}

impl<'a, K: AsRef<[u8]>, V: AsRef<[u8]>> Response<'a, K, V> {
    /// A response with `status` and `headers`.
    pub fn new(status: u16, headers: &'a [(K, V)]) -> Self {
        Response { status, headers }
    }

    /// The values of every line named `name`, trimmed.
    pub fn lines(&self, name: &'a [u8]) -> impl Iterator<Item = &'a [u8]> + Clone + use<'a, K, V> {
        let headers: &'a [(K, V)] = self.headers;
        headers
            .iter()
            .filter(move |(n, _)| n.as_ref().eq_ignore_ascii_case(name))
            .map(|(_, v)| trim_ows(v.as_ref()))
    }

    /// The value of the single line named `name`; `None` when there is
    /// none or more than one. (Fetch "get" would join several lines with
    /// ", ", which never equals a valid single value; see [`Lines`].)
    pub fn get(&self, name: &'a [u8]) -> Option<&'a [u8]> {
        match self.header(name) {
            Lines::One(v) => Some(v),
            Lines::None | Lines::Many => None,
        }
    }

    /// How many lines named `name` there are, and the value if just one.
    ///
    /// ```
    /// use cors_policy_browser::{Lines, Response};
    /// let h = [("ACAO-ish", "a"), ("x", "1"), ("X", "2")];
    /// let r = Response::new(200, &h);
    /// assert_eq!(r.header(b"acao-ish"), Lines::One(b"a"));
    /// assert_eq!(r.header(b"x"), Lines::Many);
    /// assert_eq!(r.header(b"y"), Lines::None);
    /// ```
    pub fn header(&self, name: &'a [u8]) -> Lines<'a> {
        let mut lines = self.lines(name);
        match (lines.next(), lines.next()) {
            (None, _) => Lines::None,
            (Some(v), None) => Lines::One(v),
            (Some(_), Some(_)) => Lines::Many,
        }
    }

    /// Fetch, "extracting header list values" for a `#token` list header
    /// (`Access-Control-Allow-Methods`, `-Allow-Headers`, `-Expose-Headers`):
    /// `Ok(None)` when absent, the elements of all lines otherwise, and the
    /// first element that is not a token as the error.
    ///
    /// ```
    /// use cors_policy_browser::Response;
    /// let h = [("Access-Control-Allow-Methods", "GET, PUT"), ("access-control-allow-methods", ",DELETE")];
    /// let methods = Response::new(204, &h).list(b"access-control-allow-methods").unwrap().unwrap();
    /// assert_eq!(methods.iter().collect::<Vec<_>>(), [&b"GET"[..], b"PUT", b"DELETE"]);
    /// let bad = [("access-control-allow-headers", "x-a, x b")];
    /// assert_eq!(Response::new(204, &bad).list(b"access-control-allow-headers").unwrap_err(), b"x b");
    /// ```
    ///
    /// # Errors
    ///
    /// The first element that is not a token: the whole header is then
    /// a failure.
    pub fn list(&self, name: &'a [u8]) -> Result<Option<TokenList<'a, K, V>>, &'a [u8]> {
        let lines = self.lines(name);
        if lines.clone().next().is_none() {
            return Ok(None);
        }
        if let Some(bad) = lines.clone().flat_map(list_elements).find(|e| !is_token(e)) {
            return Err(bad);
        }
        Ok(Some(TokenList {
            headers: self.headers,
            name,
        }))
    }
}

/// How many field lines of a header a response has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines<'a> {
    /// None.
    None,
    /// Exactly one, with this value.
    One(&'a [u8]),
    /// More than one.
    Many,
}

/// The elements of a well-formed list header; see [`Response::list`].
#[derive(Debug)]
pub struct TokenList<'a, K, V> {
    headers: &'a [(K, V)],
    name: &'a [u8],
}

impl<K, V> Clone for TokenList<'_, K, V> {
    fn clone(&self) -> Self {
        TokenList {
            headers: self.headers,
            name: self.name,
        }
    }
}

impl<'a, K: AsRef<[u8]>, V: AsRef<[u8]>> TokenList<'a, K, V> {
    /// The elements, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + Clone + use<'a, K, V> {
        Response::new(0, self.headers)
            .lines(self.name)
            .flat_map(list_elements)
    }

    /// Is `item` an element, byte for byte (as methods compare)?
    pub fn contains(&self, item: &[u8]) -> bool {
        self.iter().any(|e| e == item)
    }

    /// Is `item` an element, ignoring ASCII case (as header names compare)?
    pub fn contains_ignore_case(&self, item: &[u8]) -> bool {
        self.iter().any(|e| e.eq_ignore_ascii_case(item))
    }
}

/// Why a browser refuses a response: the page's script gets a network
/// error (a `TypeError` from `fetch()`) and the console says why.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Blocked<'a> {
    /// The preflight's status is not an ok status (200 to 299).
    PreflightStatus(u16),
    /// The preflight was answered with a redirect (a 301, 302, 303, 307 or
    /// 308 with a `Location`): a preflight is never redirected (Fetch,
    /// "CORS-preflight fetch" uses "HTTP-network-or-cache fetch", which does
    /// not follow redirects, so the status is not ok). Browsers report it
    /// before any header check.
    PreflightRedirect(u16),
    /// No `Access-Control-Allow-Origin`.
    MissingAllowOrigin,
    /// More than one `Access-Control-Allow-Origin` line.
    MultipleAllowOrigin,
    /// `Access-Control-Allow-Origin: *` on a request with credentials.
    WildcardOriginWithCredentials,
    /// `Access-Control-Allow-Origin` is neither `*` nor the page's origin.
    OriginMismatch(&'a [u8]),
    /// Credentials included, but no `Access-Control-Allow-Credentials`.
    MissingAllowCredentials,
    /// Credentials included, and `Access-Control-Allow-Credentials` is not
    /// exactly `true` (or appears more than once: `None`).
    AllowCredentialsNotTrue(Option<&'a [u8]>),
    /// An `Access-Control-Allow-Methods` element that is not a method.
    MalformedAllowMethods(&'a [u8]),
    /// An `Access-Control-Allow-Headers` element that is not a header name.
    MalformedAllowHeaders(&'a [u8]),
    /// The method is not in `Access-Control-Allow-Methods`.
    MethodNotAllowed(&'a [u8]),
    /// The method is covered only by `*`, which with credentials is taken
    /// literally.
    MethodWildcardWithCredentials(&'a [u8]),
    /// `authorization` is not listed by name (`*` never covers it).
    AuthorizationNotAllowed {
        /// Was `*` listed (and not enough)?
        wildcard: bool,
    },
    /// A CORS-unsafe request header is not in `Access-Control-Allow-Headers`.
    HeaderNotAllowed(&'a [u8]),
    /// A header is covered only by `*`, which with credentials is taken
    /// literally.
    HeaderWildcardWithCredentials(&'a [u8]),
}

impl Blocked<'_> {
    /// A short stable identifier, such as `missing_allow_origin`.
    ///
    /// ```
    /// assert_eq!(cors_policy_browser::Blocked::MissingAllowOrigin.code(), "missing_allow_origin");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Blocked::PreflightStatus(_) => "preflight_status",
            Blocked::PreflightRedirect(_) => "preflight_redirect",
            Blocked::MissingAllowOrigin => "missing_allow_origin",
            Blocked::MultipleAllowOrigin => "multiple_allow_origin",
            Blocked::WildcardOriginWithCredentials => "wildcard_origin_with_credentials",
            Blocked::OriginMismatch(_) => "origin_mismatch",
            Blocked::MissingAllowCredentials => "missing_allow_credentials",
            Blocked::AllowCredentialsNotTrue(_) => "allow_credentials_not_true",
            Blocked::MalformedAllowMethods(_) => "malformed_allow_methods",
            Blocked::MalformedAllowHeaders(_) => "malformed_allow_headers",
            Blocked::MethodNotAllowed(_) => "method_not_allowed",
            Blocked::MethodWildcardWithCredentials(_) => "method_wildcard_with_credentials",
            Blocked::AuthorizationNotAllowed { .. } => "authorization_not_allowed",
            Blocked::HeaderNotAllowed(_) => "header_not_allowed",
            Blocked::HeaderWildcardWithCredentials(_) => "header_wildcard_with_credentials",
        }
    }

    /// What to change on the server so the browser accepts the response.
    ///
    /// ```
    /// use cors_policy_browser::Blocked;
    /// assert!(Blocked::AuthorizationNotAllowed { wildcard: true }.fix().contains("authorization"));
    /// ```
    pub fn fix(&self) -> &'static str {
        match self {
            Blocked::PreflightStatus(_) => {
                "answer the preflight (OPTIONS with Access-Control-Request-Method) with a 2xx status, \
                 before authentication, routing or method checks run; browsers never send cookies or \
                 Authorization on it (cors-policy answers 204)"
            }
            Blocked::PreflightRedirect(_) => {
                "answer the preflight where it is sent, with a 2xx status and the CORS headers: \
                 browsers never follow a redirect of a preflight. Typical causes: http:// redirected \
                 to https://, a missing or extra trailing slash, a login redirect; fetch the final \
                 URL from the page instead"
            }
            Blocked::MissingAllowOrigin => {
                "send Access-Control-Allow-Origin with the page's origin (add it to allowed_origins), \
                 on every response to this origin, errors included"
            }
            Blocked::MultipleAllowOrigin => {
                "send Access-Control-Allow-Origin exactly once: two layers (proxy and application, or \
                 two middlewares) both add it"
            }
            Blocked::WildcardOriginWithCredentials => {
                "with credentials, echo the request's Origin instead of `*` and send \
                 Access-Control-Allow-Credentials: true (list the origin in allowed_origins)"
            }
            Blocked::OriginMismatch(_) => {
                "echo the request's Origin byte for byte (scheme, host and port, no trailing slash), \
                 or send `*` for requests without credentials"
            }
            Blocked::MissingAllowCredentials | Blocked::AllowCredentialsNotTrue(_) => {
                "send Access-Control-Allow-Credentials: true (exactly, once) with the echoed origin \
                 (allow_credentials: true), or make the request without credentials"
            }
            Blocked::MalformedAllowMethods(_) => {
                "send Access-Control-Allow-Methods as a comma-separated list of method names"
            }
            Blocked::MalformedAllowHeaders(_) => {
                "send Access-Control-Allow-Headers as a comma-separated list of header names"
            }
            Blocked::MethodNotAllowed(_) => {
                "list the method, in the same case, in Access-Control-Allow-Methods (allowed_methods)"
            }
            Blocked::MethodWildcardWithCredentials(_) => {
                "with credentials `*` is taken literally: list the method by name in \
                 Access-Control-Allow-Methods, or echo Access-Control-Request-Method"
            }
            Blocked::AuthorizationNotAllowed { wildcard: true } => {
                "list `authorization` by name in Access-Control-Allow-Headers (allowed_headers): \
                 the `*` the server sent never covers it"
            }
            Blocked::AuthorizationNotAllowed { wildcard: false } => {
                "list `authorization` in Access-Control-Allow-Headers (allowed_headers)"
            }
            Blocked::HeaderNotAllowed(_) => {
                "list the header in Access-Control-Allow-Headers (allowed_headers), or echo \
                 Access-Control-Request-Headers for allowed origins"
            }
            Blocked::HeaderWildcardWithCredentials(_) => {
                "with credentials `*` is taken literally: list the header by name in \
                 Access-Control-Allow-Headers, or echo Access-Control-Request-Headers"
            }
        }
    }
}

impl fmt::Display for Blocked<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Blocked::PreflightStatus(s) => {
                write!(f, "the preflight response's status {s} is not an ok status (200-299)")
            }
            Blocked::PreflightRedirect(s) => {
                write!(f, "the preflight was answered with a redirect ({s}), which browsers never follow")
            }
            Blocked::MissingAllowOrigin => {
                f.write_str("no Access-Control-Allow-Origin header is present")
            }
            Blocked::MultipleAllowOrigin => f.write_str(
                "Access-Control-Allow-Origin is sent more than once, so its value is a list",
            ),
            Blocked::WildcardOriginWithCredentials => f.write_str(
                "Access-Control-Allow-Origin is `*`, which is refused when credentials are included",
            ),
            Blocked::OriginMismatch(v) => write!(
                f,
                "Access-Control-Allow-Origin is \"{}\", which is not the page's origin",
                Escaped(v)
            ),
            Blocked::MissingAllowCredentials => f.write_str(
                "credentials are included but Access-Control-Allow-Credentials is absent",
            ),
            Blocked::AllowCredentialsNotTrue(Some(v)) => write!(
                f,
                "credentials are included but Access-Control-Allow-Credentials is \"{}\", not \"true\"",
                Escaped(v)
            ),
            Blocked::AllowCredentialsNotTrue(None) => f.write_str(
                "credentials are included but Access-Control-Allow-Credentials is sent more than once",
            ),
            Blocked::MalformedAllowMethods(e) => write!(
                f,
                "Access-Control-Allow-Methods holds \"{}\", which is not a method name",
                Escaped(e)
            ),
            Blocked::MalformedAllowHeaders(e) => write!(
                f,
                "Access-Control-Allow-Headers holds \"{}\", which is not a header name",
                Escaped(e)
            ),
            Blocked::MethodNotAllowed(m) => write!(
                f,
                "method {} is not allowed by Access-Control-Allow-Methods",
                Escaped(m)
            ),
            Blocked::MethodWildcardWithCredentials(m) => write!(
                f,
                "method {} is allowed only by `*` in Access-Control-Allow-Methods, which does not \
                 count when credentials are included",
                Escaped(m)
            ),
            Blocked::AuthorizationNotAllowed { wildcard: true } => f.write_str(
                "request header authorization is not allowed: `*` in Access-Control-Allow-Headers \
                 does not cover it",
            ),
            Blocked::AuthorizationNotAllowed { wildcard: false } => f.write_str(
                "request header authorization is not allowed by Access-Control-Allow-Headers",
            ),
            Blocked::HeaderNotAllowed(h) => write!(
                f,
                "request header {} is not allowed by Access-Control-Allow-Headers",
                crate::bytes::Lower(h)
            ),
            Blocked::HeaderWildcardWithCredentials(h) => write!(
                f,
                "request header {} is allowed only by `*` in Access-Control-Allow-Headers, which \
                 does not count when credentials are included",
                crate::bytes::Lower(h)
            ),
        }
    }
}

/// Fetch, "CORS check": does `response` allow a page of `origin` to read
/// it, given the credentials mode? Runs on preflight responses, on actual
/// responses and on each redirect of a CORS request.
///
/// ```
/// use cors_policy_browser::{cors_check, Blocked, Response};
/// let star = [("access-control-allow-origin", "*")];
/// assert_eq!(cors_check("https://app.example", false, &Response::new(200, &star)), Ok(()));
/// assert_eq!(
///     cors_check("https://app.example", true, &Response::new(200, &star)),
///     Err(Blocked::WildcardOriginWithCredentials)
/// );
/// ```
///
/// # Errors
///
/// Why the browser blocks the response.
pub fn cors_check<'a, K: AsRef<[u8]>, V: AsRef<[u8]>>(
    origin: &str,
    credentials: bool,
    response: &Response<'a, K, V>,
) -> Result<(), Blocked<'a>> {
    // Steps 1-2: "get" joins several lines with ", ", which matches neither
    // `*` nor an origin, so several lines always fail.
    let allow = match response.header(b"access-control-allow-origin") {
        Lines::None => return Err(Blocked::MissingAllowOrigin),
        Lines::Many => return Err(Blocked::MultipleAllowOrigin),
        Lines::One(v) => v,
    };
    // Step 3.
    if allow == b"*" {
        return if credentials {
            Err(Blocked::WildcardOriginWithCredentials)
        } else {
            Ok(())
        };
    }
    // Step 4: byte-exact.
    if allow != origin.as_bytes() {
        return Err(Blocked::OriginMismatch(allow));
    }
    // Step 5.
    if !credentials {
        return Ok(());
    }
    // Steps 6-8: exactly `true`, case-sensitive.
    match response.header(b"access-control-allow-credentials") {
        Lines::One(b"true") => Ok(()),
        Lines::None => Err(Blocked::MissingAllowCredentials),
        Lines::One(v) => Err(Blocked::AllowCredentialsNotTrue(Some(v))),
        Lines::Many => Err(Blocked::AllowCredentialsNotTrue(None)),
    }
}

/// Is `response` a redirect a browser would follow (Fetch, "redirect
/// status" with a `Location` header)?
fn is_redirect<K: AsRef<[u8]>, V: AsRef<[u8]>>(response: &Response<'_, K, V>) -> bool {
    matches!(response.status, 301 | 302 | 303 | 307 | 308)
        && response.lines(b"location").next().is_some()
}

/// A preflight response the browser accepted: what it allows, for the
/// preflight cache.
#[derive(Debug)]
pub struct PreflightOk<'a, K, V> {
    /// `Access-Control-Allow-Methods`, if sent.
    pub methods: Option<TokenList<'a, K, V>>,
    /// `Access-Control-Allow-Headers`, if sent.
    pub headers: Option<TokenList<'a, K, V>>,
    /// `Access-Control-Max-Age` in seconds, if it is one well-formed line
    /// (steps 8-9: otherwise the browser's default applies).
    pub max_age: Option<u64>,
}

/// Fetch, "CORS-preflight fetch", step 7: does the browser accept this
/// preflight response for `request`? Checks, in order: the CORS check,
/// an ok status, the syntax of the methods and headers lists, the method
/// (byte-exact; `*` only without credentials), `authorization` (named,
/// never by `*`), then every CORS-unsafe request header (ignoring case;
/// `*` only without credentials).
///
/// ```
/// use cors_policy_browser::{check_preflight, BrowserRequest, Blocked, Response};
/// let sent = [("authorization", "Bearer t")];
/// let request = BrowserRequest::new("https://app.example", "GET", &sent, false);
/// let answer = [
///     ("access-control-allow-origin", "*"),
///     ("access-control-allow-headers", "*"),
/// ];
/// assert_eq!(
///     check_preflight(&request, &Response::new(204, &answer)).unwrap_err(),
///     Blocked::AuthorizationNotAllowed { wildcard: true }
/// );
/// ```
///
/// # Errors
///
/// Why the browser refuses the preflight: it then reports a network error
/// and never sends the actual request.
pub fn check_preflight<'a, K, V, RK, RV>(
    request: &BrowserRequest<'a, K, V>,
    response: &Response<'a, RK, RV>,
) -> Result<PreflightOk<'a, RK, RV>, Blocked<'a>>
where
    K: AsRef<[u8]>,
    V: AsRef<[u8]>,
    RK: AsRef<[u8]>,
    RV: AsRef<[u8]>,
{
    // A redirect is refused before any header is looked at (Chromium:
    // "Redirect is not allowed for a preflight request"); by the standard
    // its status is not ok either way.
    if is_redirect(response) {
        return Err(Blocked::PreflightRedirect(response.status));
    }
    cors_check(request.origin, request.credentials, response)?;
    if !(200..=299).contains(&response.status) {
        return Err(Blocked::PreflightStatus(response.status));
    }
    // Steps 7.1-7.3.
    let methods = response
        .list(b"access-control-allow-methods")
        .map_err(Blocked::MalformedAllowMethods)?;
    let names = response
        .list(b"access-control-allow-headers")
        .map_err(Blocked::MalformedAllowHeaders)?;
    // Step 7.5.
    let method = request.method.as_bytes();
    let listed = methods.as_ref().is_some_and(|m| m.contains(method));
    if !listed && !is_safelisted_method(method) {
        let star = methods.as_ref().is_some_and(|m| m.contains(b"*"));
        match (star, request.credentials) {
            (true, false) => {}
            (true, true) => return Err(Blocked::MethodWildcardWithCredentials(method)),
            (false, _) => return Err(Blocked::MethodNotAllowed(method)),
        }
    }
    let named = |h: &[u8]| names.as_ref().is_some_and(|l| l.contains_ignore_case(h));
    let star = names.as_ref().is_some_and(|l| l.contains(b"*"));
    // Step 7.6.
    if request
        .header_list()
        .any(|(n, _)| is_non_wildcard_request_header_name(n) && !named(n))
    {
        return Err(Blocked::AuthorizationNotAllowed { wildcard: star });
    }
    // Step 7.7.
    for unsafe_name in request.unsafe_header_names() {
        if named(unsafe_name) {
            continue;
        }
        match (star, request.credentials) {
            (true, false) => {}
            (true, true) => return Err(Blocked::HeaderWildcardWithCredentials(unsafe_name)),
            (false, _) => return Err(Blocked::HeaderNotAllowed(unsafe_name)),
        }
    }
    // Steps 7.8-7.9: one line of digits, else the default.
    let max_age = match response.header(b"access-control-max-age") {
        Lines::One(v) if !v.is_empty() && v.iter().all(u8::is_ascii_digit) => {
            Some(v.iter().fold(0u64, |acc, d| {
                acc.saturating_mul(10).saturating_add(u64::from(d - b'0'))
            }))
        }
        _ => None,
    };
    Ok(PreflightOk {
        methods,
        headers: names,
        max_age,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Pairs<'a> = &'a [(&'a str, &'a str)];

    fn pre(
        req: Pairs<'_>,
        method: &str,
        cred: bool,
        status: u16,
        resp: Pairs<'_>,
    ) -> Result<(), &'static str> {
        let r = BrowserRequest::new("https://app.example", method, req, cred);
        check_preflight(&r, &Response::new(status, resp))
            .map(|_| ())
            .map_err(|b| b.code())
    }

    const ACAO: (&str, &str) = ("Access-Control-Allow-Origin", "https://app.example");
    const ACAC: (&str, &str) = ("Access-Control-Allow-Credentials", "true");

    #[test]
    fn preflight_table() {
        let none: Pairs<'_> = &[];
        /// Request headers, method, credentials, status, response headers, verdict.
        type Case<'a> = (
            Pairs<'a>,
            &'a str,
            bool,
            u16,
            Pairs<'a>,
            Result<(), &'a str>,
        );
        let cases: &[Case<'_>] = &[
            (
                none,
                "PUT",
                false,
                204,
                &[ACAO, ("access-control-allow-methods", "PUT")],
                Ok(()),
            ),
            (
                none,
                "PUT",
                false,
                200,
                &[ACAO, ("access-control-allow-methods", "GET, PUT")],
                Ok(()),
            ),
            (
                none,
                "PUT",
                false,
                500,
                &[ACAO, ("access-control-allow-methods", "PUT")],
                Err("preflight_status"),
            ),
            (none, "PUT", false, 500, &[], Err("missing_allow_origin")),
            (
                none,
                "PUT",
                false,
                204,
                &[ACAO, ("access-control-allow-methods", "put")],
                Err("method_not_allowed"),
            ),
            (
                none,
                "PUT",
                false,
                204,
                &[ACAO, ("access-control-allow-methods", "*")],
                Ok(()),
            ),
            (
                none,
                "PUT",
                true,
                204,
                &[ACAO, ACAC, ("access-control-allow-methods", "*")],
                Err("method_wildcard_with_credentials"),
            ),
            (
                none,
                "PUT",
                true,
                204,
                &[ACAO, ACAC, ("access-control-allow-methods", "PUT")],
                Ok(()),
            ),
            (
                none,
                "PUT",
                true,
                204,
                &[ACAO, ("access-control-allow-methods", "PUT")],
                Err("missing_allow_credentials"),
            ),
            (
                none,
                "PUT",
                true,
                204,
                &[
                    ACAO,
                    ("access-control-allow-credentials", "True"),
                    ("access-control-allow-methods", "PUT"),
                ],
                Err("allow_credentials_not_true"),
            ),
            (
                none,
                "PUT",
                false,
                204,
                &[ACAO, ("access-control-allow-methods", "GET PUT")],
                Err("malformed_allow_methods"),
            ),
            (
                none,
                "PUT",
                false,
                204,
                &[
                    ACAO,
                    ("access-control-allow-methods", "GET"),
                    ("access-control-allow-methods", ",PUT,"),
                ],
                Ok(()),
            ),
            (
                none,
                "PUT",
                false,
                204,
                &[("Access-Control-Allow-Origin", "*")],
                Err("method_not_allowed"),
            ),
            (
                none,
                "PUT",
                true,
                204,
                &[("Access-Control-Allow-Origin", "*"), ACAC],
                Err("wildcard_origin_with_credentials"),
            ),
            (
                none,
                "PUT",
                false,
                204,
                &[ACAO, ACAO, ("access-control-allow-methods", "PUT")],
                Err("multiple_allow_origin"),
            ),
            (
                none,
                "PUT",
                false,
                204,
                &[
                    ("Access-Control-Allow-Origin", "https://app.example/"),
                    ("access-control-allow-methods", "PUT"),
                ],
                Err("origin_mismatch"),
            ),
            (
                &[("X-Foo", "1")],
                "GET",
                false,
                204,
                &[ACAO, ("access-control-allow-headers", "x-foo")],
                Ok(()),
            ),
            (
                &[("X-Foo", "1")],
                "GET",
                false,
                204,
                &[ACAO, ("access-control-allow-headers", "X-FOO")],
                Ok(()),
            ),
            (
                &[("X-Foo", "1")],
                "GET",
                false,
                204,
                &[ACAO],
                Err("header_not_allowed"),
            ),
            (
                &[("X-Foo", "1")],
                "GET",
                false,
                204,
                &[ACAO, ("access-control-allow-headers", "*")],
                Ok(()),
            ),
            (
                &[("X-Foo", "1")],
                "GET",
                true,
                204,
                &[ACAO, ACAC, ("access-control-allow-headers", "*")],
                Err("header_wildcard_with_credentials"),
            ),
            (
                &[("Authorization", "t")],
                "GET",
                false,
                204,
                &[ACAO, ("access-control-allow-headers", "*")],
                Err("authorization_not_allowed"),
            ),
            (
                &[("Authorization", "t")],
                "GET",
                false,
                204,
                &[ACAO, ("access-control-allow-headers", "*, Authorization")],
                Ok(()),
            ),
            (
                &[("X-Foo", "1")],
                "GET",
                false,
                204,
                &[ACAO, ("access-control-allow-headers", "x-foo, x y")],
                Err("malformed_allow_headers"),
            ),
            // A redirected preflight is refused before its headers count.
            (
                none,
                "PUT",
                false,
                307,
                &[
                    ACAO,
                    ("access-control-allow-methods", "PUT"),
                    ("location", "/elsewhere"),
                ],
                Err("preflight_redirect"),
            ),
            (
                none,
                "PUT",
                false,
                301,
                &[("location", "/login")],
                Err("preflight_redirect"),
            ),
            // A 3xx without Location is not a redirect: the CORS check runs.
            (none, "PUT", false, 302, &[], Err("missing_allow_origin")),
            // Safelisted headers and methods need no listing.
            (
                &[("content-type", "text/plain")],
                "POST",
                false,
                204,
                &[ACAO],
                Ok(()),
            ),
        ];
        for (i, (req, method, cred, status, resp, want)) in cases.iter().enumerate() {
            assert_eq!(pre(req, method, *cred, *status, resp), *want, "case {i}");
        }
    }

    #[test]
    fn max_age_parsing() {
        let r = BrowserRequest::<&str, &str>::new("https://app.example", "PUT", &[], false);
        extern crate std;
        let age = |lines: Pairs<'_>| {
            let mut h = std::vec![ACAO, ("access-control-allow-methods", "PUT")];
            h.extend_from_slice(lines);
            check_preflight(&r, &Response::new(204, &h))
                .map(|ok| ok.max_age)
                .map_err(|b| b.code())
        };
        assert_eq!(age(&[("access-control-max-age", "600")]), Ok(Some(600)));
        assert_eq!(age(&[]), Ok(None));
        assert_eq!(age(&[("access-control-max-age", "-1")]), Ok(None));
        assert_eq!(age(&[("access-control-max-age", "1.5")]), Ok(None));
        assert_eq!(
            age(&[
                ("access-control-max-age", "5"),
                ("access-control-max-age", "5")
            ]),
            Ok(None)
        );
        assert_eq!(
            age(&[("access-control-max-age", "99999999999999999999999")]),
            Ok(Some(u64::MAX))
        );
    }
}
