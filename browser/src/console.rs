//! The browser's own words: the message Chromium prints in the console for
//! a blocked request, Firefox's reason name for it, and the reverse, which
//! check failed given a pasted console message.
//!
//! Chromium's wording was captured from headless Chromium 148 by the
//! end-to-end suite (`e2e/messages.mjs`), which also checks, on every CI
//! run, that the real console still prints exactly what
//! [`Blocked::chromium_message`] writes (the captured messages are kept in
//! `e2e/console-messages.json`, which the crate's tests read). Firefox's
//! reason names (`CORSMissingAllowOrigin`, ...) are the ones its console
//! links to on MDN; its messages are recognised by their reason text, which
//! was not captured from a running Firefox.

use core::fmt;

use crate::bytes::{Escaped, Lower};
use crate::check::{Blocked, Response};

/// Which response the browser was checking when it refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The response to the preflight (`OPTIONS`).
    Preflight,
    /// The response to the request itself (or one of its redirects).
    Response,
}

/// Chromium's console message for a blocked `fetch()`; see
/// [`Blocked::chromium_message`]. Writes one line with [`fmt::Display`].
#[derive(Clone, Copy, Debug)]
pub struct ChromiumMessage<'r, K, V> {
    url: &'r str,
    origin: &'r str,
    stage: Stage,
    blocked: Blocked<'r>,
    response: &'r Response<'r, K, V>,
}

const PREFLIGHT_PREFIX: &str = "Response to preflight request doesn't pass access control check: ";
const VALID_VALUE: &str = " Have the server send the header with a valid value.";

impl<'a> Blocked<'a> {
    /// The message Chromium prints in the console when it blocks a
    /// `fetch()` of `url` from a page of `origin` for this reason, given
    /// the `response` it was checking at `stage`. `None` where Chromium
    /// does not block: it still lets `*` in `Access-Control-Allow-Headers`
    /// cover `authorization` ([`Blocked::AuthorizationNotAllowed`] with
    /// `wildcard: true`).
    ///
    /// `url` is written as given: pass it serialized as the browser does
    /// (`http://host:port/path`, the default port left out, a `/` path at
    /// least).
    ///
    /// ```
    /// use cors_policy_browser::{cors_check, Response, Stage};
    /// let headers = [("Access-Control-Allow-Origin", "*")];
    /// let response = Response::new(200, &headers);
    /// let blocked = cors_check("https://app.example", true, &response).unwrap_err();
    /// let message = blocked
    ///     .chromium_message("https://api.example/items", "https://app.example", Stage::Response, &response)
    ///     .unwrap();
    /// assert_eq!(
    ///     message.to_string(),
    ///     "Access to fetch at 'https://api.example/items' from origin 'https://app.example' has been \
    ///      blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the \
    ///      response must not be the wildcard '*' when the request's credentials mode is 'include'."
    /// );
    /// ```
    pub fn chromium_message<'r, K: AsRef<[u8]>, V: AsRef<[u8]>>(
        &self,
        url: &'r str,
        origin: &'r str,
        stage: Stage,
        response: &'r Response<'r, K, V>,
    ) -> Option<ChromiumMessage<'r, K, V>>
    where
        'a: 'r,
    {
        if matches!(self, Blocked::AuthorizationNotAllowed { wildcard: true }) {
            return None;
        }
        Some(ChromiumMessage {
            url,
            origin,
            stage,
            blocked: *self,
            response,
        })
    }

    /// The reason name Firefox gives in its console message (and its MDN
    /// page), such as `CORSMissingAllowOrigin`; `None` for a redirected
    /// preflight, which Firefox reports under a name this crate does not
    /// know for certain.
    ///
    /// ```
    /// use cors_policy_browser::Blocked;
    /// assert_eq!(Blocked::MissingAllowOrigin.firefox_reason(), Some("CORSMissingAllowOrigin"));
    /// ```
    pub fn firefox_reason(&self) -> Option<&'static str> {
        Some(match self {
            Blocked::PreflightStatus(_) => "CORSPreflightDidNotSucceed",
            Blocked::PreflightRedirect(_) => return None,
            Blocked::MissingAllowOrigin => "CORSMissingAllowOrigin",
            Blocked::MultipleAllowOrigin => "CORSMultipleAllowOriginNotAllowed",
            Blocked::WildcardOriginWithCredentials => "CORSNotSupportingCredentials",
            Blocked::OriginMismatch(_) => "CORSAllowOriginNotMatchingOrigin",
            Blocked::MissingAllowCredentials | Blocked::AllowCredentialsNotTrue(_) => {
                "CORSMissingAllowCredentials"
            }
            Blocked::MalformedAllowMethods(_) => "CORSInvalidAllowMethod",
            Blocked::MalformedAllowHeaders(_) => "CORSInvalidAllowHeader",
            Blocked::MethodNotAllowed(_) | Blocked::MethodWildcardWithCredentials(_) => {
                "CORSMethodNotFound"
            }
            Blocked::AuthorizationNotAllowed { .. }
            | Blocked::HeaderNotAllowed(_)
            | Blocked::HeaderWildcardWithCredentials(_) => "CORSMissingAllowHeaderFromPreflight",
        })
    }
}

/// Writes the lines named `name` joined by `", "`, as Chromium's network
/// stack joins repeated header lines.
struct Joined<'r, K, V>(&'r Response<'r, K, V>, &'static [u8]);

impl<K: AsRef<[u8]>, V: AsRef<[u8]>> fmt::Display for Joined<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, line) in self.0.lines(self.1).enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{}", Escaped(line))?;
        }
        Ok(())
    }
}

/// Would Chromium's URL parser take `value` as a URL? An approximation of
/// `GURL::is_valid`: a scheme (a letter, then letters, digits, `+`, `-`,
/// `.`), a colon, and for the special schemes a host after it.
fn parses_as_url(value: &[u8]) -> bool {
    let Some(colon) = value.iter().position(|&b| b == b':') else {
        return false;
    };
    let (scheme, rest) = value.split_at(colon);
    let rest = rest.get(1..).unwrap_or(&[]);
    let scheme_ok = matches!(scheme.first(), Some(b) if b.is_ascii_alphabetic())
        && scheme
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
    if !scheme_ok {
        return false;
    }
    let special = ["http", "https", "ws", "wss", "ftp"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s.as_bytes()));
    !special || rest.iter().any(|&b| b != b'/')
}

impl<K: AsRef<[u8]>, V: AsRef<[u8]>> fmt::Display for ChromiumMessage<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "Access to fetch at '{}' from origin '{}' has been blocked by CORS policy: ",
            self.url, self.origin
        )?;
        let preflight = self.stage == Stage::Preflight;
        let prefix = if preflight { PREFLIGHT_PREFIX } else { "" };
        match self.blocked {
            Blocked::PreflightStatus(_) => {
                write!(f, "{PREFLIGHT_PREFIX}It does not have HTTP ok status.")
            }
            Blocked::PreflightRedirect(_) => write!(
                f,
                "{PREFLIGHT_PREFIX}Redirect is not allowed for a preflight request."
            ),
            Blocked::MissingAllowOrigin => write!(
                f,
                "{prefix}No 'Access-Control-Allow-Origin' header is present on the requested resource."
            ),
            Blocked::MultipleAllowOrigin => write!(
                f,
                "{prefix}The 'Access-Control-Allow-Origin' header contains multiple values '{}', but \
                 only one is allowed.{VALID_VALUE}",
                Joined(self.response, b"access-control-allow-origin")
            ),
            Blocked::OriginMismatch(v) if v.iter().any(|&b| b == b' ' || b == b',') => write!(
                f,
                "{prefix}The 'Access-Control-Allow-Origin' header contains multiple values '{}', but \
                 only one is allowed.{VALID_VALUE}",
                Escaped(v)
            ),
            Blocked::OriginMismatch(v) if !parses_as_url(v) => write!(
                f,
                "{prefix}The 'Access-Control-Allow-Origin' header contains the invalid value '{}'.\
                 {VALID_VALUE}",
                Escaped(v)
            ),
            Blocked::OriginMismatch(v) => write!(
                f,
                "{prefix}The 'Access-Control-Allow-Origin' header has a value '{}' that is not equal \
                 to the supplied origin.{VALID_VALUE}",
                Escaped(v)
            ),
            Blocked::WildcardOriginWithCredentials => write!(
                f,
                "{prefix}The value of the 'Access-Control-Allow-Origin' header in the response must \
                 not be the wildcard '*' when the request's credentials mode is 'include'."
            ),
            Blocked::MissingAllowCredentials | Blocked::AllowCredentialsNotTrue(_) => write!(
                f,
                "{prefix}The value of the 'Access-Control-Allow-Credentials' header in the response \
                 is '{}' which must be 'true' when the request's credentials mode is 'include'.",
                Joined(self.response, b"access-control-allow-credentials")
            ),
            Blocked::MalformedAllowMethods(_) => f.write_str(
                "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
            ),
            Blocked::MalformedAllowHeaders(_) => f.write_str(
                "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
            ),
            Blocked::MethodNotAllowed(m) | Blocked::MethodWildcardWithCredentials(m) => write!(
                f,
                "Method {} is not allowed by Access-Control-Allow-Methods in preflight response.",
                Escaped(m)
            ),
            Blocked::AuthorizationNotAllowed { .. } => f.write_str(
                "Request header field authorization is not allowed by Access-Control-Allow-Headers in \
                 preflight response.",
            ),
            Blocked::HeaderNotAllowed(h) | Blocked::HeaderWildcardWithCredentials(h) => write!(
                f,
                "Request header field {} is not allowed by Access-Control-Allow-Headers in preflight \
                 response.",
                Lower(h)
            ),
        }
    }
}

/// The browser whose console message was recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Console {
    /// Chromium and the browsers built on it (Chrome, Edge, Opera, ...):
    /// `Access to fetch at '…' from origin '…' has been blocked by CORS
    /// policy: …`.
    Chromium,
    /// Firefox: `Cross-Origin Request Blocked: The Same Origin Policy
    /// disallows reading the remote resource at …. (Reason: …).`
    Firefox,
}

/// The check a console message says failed. Fields the message does not
/// carry are `None` (Firefox names neither the method nor, for a
/// mismatch, always the value).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Failure<'m> {
    /// No `Access-Control-Allow-Origin` (Firefox `CORSMissingAllowOrigin`).
    MissingAllowOrigin,
    /// `Access-Control-Allow-Origin` holds several values, as written by
    /// Chromium (two lines are joined by `", "`).
    MultipleAllowOrigin(Option<&'m str>),
    /// `Access-Control-Allow-Origin` is not a URL at all.
    InvalidAllowOrigin(&'m str),
    /// `Access-Control-Allow-Origin` is another origin than the page's.
    AllowOriginMismatch(Option<&'m str>),
    /// `Access-Control-Allow-Origin: *` with credentials.
    WildcardOriginWithCredentials,
    /// `Access-Control-Allow-Credentials` is not `true` (`Some("")` when
    /// absent, as Chromium writes it).
    AllowCredentialsNotTrue(Option<&'m str>),
    /// The preflight's status is not 2xx (or, for Firefox, the preflight
    /// failed in some other way it reports separately).
    PreflightStatus,
    /// The preflight was redirected.
    PreflightRedirect,
    /// The method is not allowed by `Access-Control-Allow-Methods`.
    MethodNotAllowed(Option<&'m str>),
    /// A request header is not allowed by `Access-Control-Allow-Headers`.
    HeaderNotAllowed(&'m str),
    /// `Access-Control-Allow-Methods` cannot be parsed.
    MalformedAllowMethods(Option<&'m str>),
    /// `Access-Control-Allow-Headers` cannot be parsed.
    MalformedAllowHeaders(Option<&'m str>),
    /// Firefox `CORSDidNotSucceed`: the request failed at the network
    /// level (no answer, TLS, connection refused, or a failed preflight).
    RequestFailed,
    /// Firefox `CORSExternalRedirectNotAllowed`: a redirect was refused.
    RedirectNotAllowed,
}

/// What a pasted console message says; see [`recognise`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recognised<'m> {
    /// Whose message it is.
    pub console: Console,
    /// The URL the page fetched.
    pub url: &'m str,
    /// The URL the request was redirected from, if the message says so.
    pub redirected_from: Option<&'m str>,
    /// The page's origin (Chromium says it; Firefox does not).
    pub origin: Option<&'m str>,
    /// The response checked, when the message says: `Some(Preflight)` for
    /// a preflight, `Some(Response)` for the request itself, `None` when
    /// it does not tell.
    pub stage: Option<Stage>,
    /// The failed check.
    pub failure: Failure<'m>,
    /// The status code, when the message gives one (Firefox).
    pub status: Option<u16>,
}

/// Quote characters a pasted message may use: Firefox writes `‘’`, a
/// copy through a word processor may turn `'` into `’`, and so on.
fn is_quote(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2018}' | '\u{2019}' | '"' | '\u{201c}' | '\u{201d}' | '`'
    )
}

/// Matches `text` against `template` from the start: `'` in the template
/// matches any quote character, `{}` captures (lazily) into `caps`, any
/// other character matches itself. Returns the rest of `text`.
fn matches<'m>(text: &'m str, template: &str, caps: &mut [&'m str]) -> Option<&'m str> {
    let Some(hole) = template.find("{}") else {
        return literal(text, template);
    };
    let (head, tail) = template.split_at(hole);
    let tail = tail.get(2..).unwrap_or("");
    let rest = literal(text, head)?;
    let (first, others) = caps.split_first_mut()?;
    // Lazily: the shortest capture after which the tail matches.
    for (i, _) in rest
        .char_indices()
        .chain(core::iter::once((rest.len(), ' ')))
    {
        let (cap, after) = rest.split_at(i);
        if let Some(end) = matches(after, tail, others) {
            *first = cap;
            return Some(end);
        }
    }
    None
}

/// Matches a literal piece (no holes) at the start of `text`.
fn literal<'m>(text: &'m str, lit: &str) -> Option<&'m str> {
    let mut rest = text.chars();
    for want in lit.chars() {
        let got = rest.next()?;
        let ok = if want == '\'' {
            is_quote(got)
        } else {
            got == want
        };
        if !ok {
            return None;
        }
    }
    Some(rest.as_str())
}

/// Recognises a console message pasted by a user: Chromium's `Access to
/// fetch at '…' from origin '…' has been blocked by CORS policy: …` (also
/// for `XMLHttpRequest` and other kinds, and with `(redirected from '…')`)
/// and Firefox's `Cross-Origin Request Blocked: …. (Reason: …).` form. Text
/// around the message (the source location DevTools prints before it, the
/// `net::ERR_FAILED` line after it) is ignored. `None` when it is not a
/// message this crate knows.
///
/// ```
/// use cors_policy_browser::{recognise, Console, Failure, Stage};
/// let pasted = "(index):1 Access to fetch at 'https://api.example/items' from origin \
///     'https://app.example' has been blocked by CORS policy: Request header field \
///     x-trace is not allowed by Access-Control-Allow-Headers in preflight response.";
/// let r = recognise(pasted).unwrap();
/// assert_eq!(r.console, Console::Chromium);
/// assert_eq!(r.origin, Some("https://app.example"));
/// assert_eq!(r.stage, Some(Stage::Preflight));
/// assert_eq!(r.failure, Failure::HeaderNotAllowed("x-trace"));
/// ```
pub fn recognise(message: &str) -> Option<Recognised<'_>> {
    if let Some(at) = message.find("Access to ") {
        let text = message.get(at..)?;
        if let Some(r) = recognise_chromium(text) {
            return Some(r);
        }
    }
    let at = message.find("Cross-Origin Request Blocked")?;
    recognise_firefox(message.get(at..)?)
}

fn recognise_chromium(text: &str) -> Option<Recognised<'_>> {
    const REDIRECTED: &str = "Access to {} at '{}' (redirected from '{}') from origin '{}' has been blocked by CORS policy: ";
    const PLAIN: &str = "Access to {} at '{}' from origin '{}' has been blocked by CORS policy: ";
    let mut c = [""; 4];
    let (url, redirected_from, origin, rest) = match matches(text, REDIRECTED, &mut c) {
        Some(rest) => (c[1], Some(c[2]), c[3], rest),
        None => {
            let rest = matches(text, PLAIN, &mut c[..3])?;
            (c[1], None, c[2], rest)
        }
    };
    let (preflight_prefix, detail) = match literal(rest, PREFLIGHT_PREFIX) {
        Some(d) => (true, d),
        None => (false, rest),
    };
    let stage_if = |s: Stage| {
        Some(if preflight_prefix {
            Stage::Preflight
        } else {
            s
        })
    };
    let mut c = [""; 1];
    let (failure, stage) = if literal(
        detail,
        "No 'Access-Control-Allow-Origin' header is present on the requested resource",
    )
    .is_some()
    {
        (Failure::MissingAllowOrigin, stage_if(Stage::Response))
    } else if matches(
        detail,
        "The 'Access-Control-Allow-Origin' header contains multiple values '{}', but only one is allowed",
        &mut c,
    )
    .is_some()
    {
        (Failure::MultipleAllowOrigin(Some(c[0])), stage_if(Stage::Response))
    } else if matches(
        detail,
        "The 'Access-Control-Allow-Origin' header contains the invalid value '{}'.",
        &mut c,
    )
    .is_some()
    {
        (Failure::InvalidAllowOrigin(c[0]), stage_if(Stage::Response))
    } else if matches(
        detail,
        "The 'Access-Control-Allow-Origin' header has a value '{}' that is not equal to the supplied origin",
        &mut c,
    )
    .is_some()
    {
        (Failure::AllowOriginMismatch(Some(c[0])), stage_if(Stage::Response))
    } else if literal(
        detail,
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'",
    )
    .is_some()
    {
        (Failure::WildcardOriginWithCredentials, stage_if(Stage::Response))
    } else if matches(
        detail,
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '{}' which must be 'true'",
        &mut c,
    )
    .is_some()
    {
        (Failure::AllowCredentialsNotTrue(Some(c[0])), stage_if(Stage::Response))
    } else if literal(detail, "It does not have HTTP ok status").is_some() {
        (Failure::PreflightStatus, Some(Stage::Preflight))
    } else if literal(detail, "Redirect is not allowed for a preflight request").is_some() {
        (Failure::PreflightRedirect, Some(Stage::Preflight))
    } else if matches(
        detail,
        "Method {} is not allowed by Access-Control-Allow-Methods in preflight response",
        &mut c,
    )
    .is_some()
    {
        (Failure::MethodNotAllowed(Some(c[0])), Some(Stage::Preflight))
    } else if matches(
        detail,
        "Request header field {} is not allowed by Access-Control-Allow-Headers in preflight response",
        &mut c,
    )
    .is_some()
    {
        (Failure::HeaderNotAllowed(c[0]), Some(Stage::Preflight))
    } else if literal(
        detail,
        "Cannot parse Access-Control-Allow-Methods response header field in preflight response",
    )
    .is_some()
    {
        (Failure::MalformedAllowMethods(None), Some(Stage::Preflight))
    } else if literal(
        detail,
        "Cannot parse Access-Control-Allow-Headers response header field in preflight response",
    )
    .is_some()
    {
        (Failure::MalformedAllowHeaders(None), Some(Stage::Preflight))
    } else {
        return None;
    };
    if url.is_empty() || origin.is_empty() {
        return None;
    }
    Some(Recognised {
        console: Console::Chromium,
        url,
        redirected_from,
        origin: Some(origin),
        stage,
        failure,
        status: None,
    })
}

fn recognise_firefox(text: &str) -> Option<Recognised<'_>> {
    let mut caps = [""; 2];
    let after = matches(
        text,
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {}. (Reason: {})",
        &mut caps,
    )?;
    let [url, reason] = caps;
    let mut c = [""; 1];
    let (failure, stage) = if literal(reason, "CORS header 'Access-Control-Allow-Origin' missing")
        .is_some()
    {
        (Failure::MissingAllowOrigin, None)
    } else if matches(
        reason,
        "CORS header 'Access-Control-Allow-Origin' does not match '{}'",
        &mut c,
    )
    .is_some()
    {
        (Failure::AllowOriginMismatch(Some(c[0])), None)
    } else if literal(reason, "CORS header 'Access-Control-Allow-Origin' does not match").is_some()
    {
        (Failure::AllowOriginMismatch(None), None)
    } else if literal(reason, "Multiple CORS header 'Access-Control-Allow-Origin' not allowed")
        .is_some()
    {
        (Failure::MultipleAllowOrigin(None), None)
    } else if literal(
        reason,
        "Credential is not supported if the CORS header 'Access-Control-Allow-Origin' is '*'",
    )
    .is_some()
    {
        (Failure::WildcardOriginWithCredentials, None)
    } else if literal(
        reason,
        "expected 'true' in CORS header 'Access-Control-Allow-Credentials'",
    )
    .is_some()
    {
        (Failure::AllowCredentialsNotTrue(None), None)
    } else if literal(
        reason,
        "Did not find method in CORS header 'Access-Control-Allow-Methods'",
    )
    .is_some()
    {
        (Failure::MethodNotAllowed(None), Some(Stage::Preflight))
    } else if matches(
        reason,
        "header '{}' is not allowed according to header 'Access-Control-Allow-Headers' from CORS preflight response",
        &mut c,
    )
    .is_some()
        || matches(
            reason,
            "missing token '{}' in CORS header 'Access-Control-Allow-Headers' from CORS preflight channel",
            &mut c,
        )
        .is_some()
    {
        (Failure::HeaderNotAllowed(c[0]), Some(Stage::Preflight))
    } else if matches(
        reason,
        "invalid token '{}' in CORS header 'Access-Control-Allow-Methods'",
        &mut c,
    )
    .is_some()
    {
        (Failure::MalformedAllowMethods(Some(c[0])), Some(Stage::Preflight))
    } else if matches(
        reason,
        "invalid token '{}' in CORS header 'Access-Control-Allow-Headers'",
        &mut c,
    )
    .is_some()
    {
        (Failure::MalformedAllowHeaders(Some(c[0])), Some(Stage::Preflight))
    } else if literal(reason, "CORS preflight response did not succeed").is_some()
        || literal(reason, "CORS preflight channel did not succeed").is_some()
    {
        (Failure::PreflightStatus, Some(Stage::Preflight))
    } else if literal(reason, "CORS request did not succeed").is_some() {
        (Failure::RequestFailed, None)
    } else if literal(reason, "CORS request external redirect not allowed").is_some() {
        (Failure::RedirectNotAllowed, None)
    } else {
        return None;
    };
    // `). Status code: 403.`
    let status = after
        .find("Status code: ")
        .and_then(|i| after.get(i + "Status code: ".len()..))
        .and_then(|s| s.get(..s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len())))
        .and_then(|d| d.parse().ok());
    Some(Recognised {
        console: Console::Firefox,
        url,
        redirected_from: None,
        origin: None,
        stage,
        failure,
        status,
    })
}

impl Failure<'_> {
    /// Firefox's reason name for this failure, where one exists.
    pub fn firefox_reason(&self) -> Option<&'static str> {
        Some(match self {
            Failure::MissingAllowOrigin => "CORSMissingAllowOrigin",
            Failure::MultipleAllowOrigin(_) => "CORSMultipleAllowOriginNotAllowed",
            Failure::InvalidAllowOrigin(_) | Failure::AllowOriginMismatch(_) => {
                "CORSAllowOriginNotMatchingOrigin"
            }
            Failure::WildcardOriginWithCredentials => "CORSNotSupportingCredentials",
            Failure::AllowCredentialsNotTrue(_) => "CORSMissingAllowCredentials",
            Failure::PreflightStatus => "CORSPreflightDidNotSucceed",
            Failure::MethodNotAllowed(_) => "CORSMethodNotFound",
            Failure::HeaderNotAllowed(_) => "CORSMissingAllowHeaderFromPreflight",
            Failure::MalformedAllowMethods(_) => "CORSInvalidAllowMethod",
            Failure::MalformedAllowHeaders(_) => "CORSInvalidAllowHeader",
            Failure::RequestFailed => "CORSDidNotSucceed",
            Failure::RedirectNotAllowed => "CORSExternalRedirectNotAllowed",
            Failure::PreflightRedirect => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates() {
        let mut c = [""; 2];
        assert_eq!(
            matches("a 'x' b 'y' c!", "a '{}' b '{}' c", &mut c),
            Some("!")
        );
        assert_eq!(c, ["x", "y"]);
        assert_eq!(
            matches("a \u{2018}x\u{2019} b", "a '{}' b", &mut c[..1]),
            Some("")
        );
        assert_eq!(c[0], "x");
        assert_eq!(matches("a 'x", "a '{}' b", &mut c), None);
        assert_eq!(matches("", "{}", &mut c), Some(""));
        assert!(!parses_as_url(b"app.example"));
        assert!(!parses_as_url(b"null"));
        assert!(!parses_as_url(b"https://"));
        assert!(parses_as_url(b"https://app.example/"));
        assert!(parses_as_url(b"foo:bar"));
    }
}
