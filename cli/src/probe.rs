//! `cors-policy probe`: sends what a browser would to a live server (the
//! preflight when one is needed, then the actual request) and reports step
//! by step what a browser would do and why, with the fix and the browser's
//! own console message when it fails.
//!
//! `http://` and `https://` (rustls, Mozilla's roots or `--cacert FILE`),
//! HTTP/1.1, through `cors_policy_browser::probe::Client`. Redirects are
//! not followed: a redirect must pass the CORS check like any response
//! (exit 1 if not); if it does, the final response decides, which the
//! probe does not fetch, so it says where to probe next and exits 2. A
//! redirected preflight is always blocked.

use std::io::Write;
use std::path::PathBuf;

use cors_policy_browser::probe::{Client, Head, Target, check_origin};
use cors_policy_browser::{
    Blocked, BrowserRequest, Engine, Exposed, Preflight, Response, Stage, check_preflight,
    cors_check, is_forbidden_method, is_forbidden_request_header, is_safelisted_method,
    normalize_method,
};

/// Exit code: a browser would let the page read the response.
pub const EXIT_READABLE: u8 = 0;
/// Exit code: a browser would block the response.
pub const EXIT_BLOCKED: u8 = 1;
/// Exit code: bad arguments, or the server could not be reached, failed
/// the TLS handshake or spoke no HTTP/1.1.
pub const EXIT_ERROR: u8 = 2;

/// The Chromium version whose console messages and known differences
/// (`e2e/console-messages.json`) the probe's wording was checked against.
const CHROMIUM_CHECKED: &str = "148";

/// What to probe: the page's request, as `cors-policy probe URL --origin O
/// [--method M] [-H 'Name: value']... [--credentials] [--cacert FILE]`
/// gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeArgs {
    /// The URL the page fetches (`http[s]://host[:port]/path`).
    pub url: String,
    /// The page's origin, as browsers serialize it (`https://app.example`).
    pub origin: String,
    /// The method (`GET` when empty); normalized as `fetch()` does.
    pub method: String,
    /// The request headers the page's script sets.
    pub headers: Vec<(String, String)>,
    /// Does the page include credentials (`credentials: "include"`)?
    pub credentials: bool,
    /// A PEM file of the certificates to trust instead of Mozilla's roots.
    pub cacert: Option<PathBuf>,
}

/// Probes the server and writes the step-by-step report to `out`; returns
/// [`EXIT_READABLE`], [`EXIT_BLOCKED`] or [`EXIT_ERROR`]. Failing to write
/// the report is not an error of the probe.
pub fn run(args: &ProbeArgs, out: &mut dyn Write) -> u8 {
    let mut report = Report { out, lines: 0 };
    let verdict = probe(args, &mut report);
    if report.lines > 0 {
        report.line("");
    }
    match verdict {
        Ok(true) => {
            report.line(&format!(
                "result: READABLE: a browser lets the page at {} read this response",
                args.origin
            ));
            EXIT_READABLE
        }
        Ok(false) => {
            report.line(&format!(
                "result: BLOCKED: a browser refuses the page at {} access to this response",
                args.origin
            ));
            EXIT_BLOCKED
        }
        Err(e) => {
            report.line(&format!("error: {e}"));
            EXIT_ERROR
        }
    }
}

/// Writes lines, ignoring write errors (a closed pipe must not turn a
/// verdict into a crash).
struct Report<'o> {
    out: &'o mut dyn Write,
    /// How many lines were written.
    lines: usize,
}

impl Report<'_> {
    fn line(&mut self, s: &str) {
        self.lines += 1;
        let _ = writeln!(self.out, "{s}");
    }
}

/// Is `s` a non-empty token (RFC 9110 §5.6.2)?
fn is_token(s: &[u8]) -> bool {
    !s.is_empty()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// The probe proper: `Ok(true)` readable, `Ok(false)` blocked.
fn probe(args: &ProbeArgs, r: &mut Report<'_>) -> Result<bool, String> {
    let target = Target::parse(&args.url)?;
    check_origin(&args.origin)?;
    let client = match &args.cacert {
        Some(path) => Client::with_ca_file(path)?,
        None => Client::new()?,
    };
    let method = if args.method.is_empty() {
        "GET"
    } else {
        normalize_method(&args.method)
    };
    if !is_token(method.as_bytes()) {
        return Err(format!("method {method:?} is not a method name"));
    }
    if is_forbidden_method(method.as_bytes()) {
        return Err(format!(
            "method {method} is forbidden: fetch() throws a TypeError and sends nothing"
        ));
    }
    let mut headers: Vec<(String, String)> = Vec::new();
    let mut cookie: Option<String> = None;
    let mut notes = Vec::new();
    for (name, value) in &args.headers {
        let value = value.trim_matches([' ', '\t', '\r', '\n']);
        if !is_token(name.as_bytes()) {
            return Err(format!(
                "header name {name:?} is not a token: Headers throws a TypeError"
            ));
        }
        if value.bytes().any(|b| matches!(b, 0 | b'\r' | b'\n')) {
            return Err(format!(
                "header {name}: its value holds NUL, CR or LF: Headers throws a TypeError"
            ));
        }
        if is_forbidden_request_header(name.as_bytes(), value.as_bytes()) {
            if name.eq_ignore_ascii_case("cookie") && args.credentials {
                notes.push("cookie: sent on the actual request as the browser's own cookies (never on the preflight)".to_string());
                cookie = Some(value.to_string());
            } else {
                notes.push(format!(
                    "{}: a forbidden request header; scripts cannot set it, the browser drops it",
                    name.to_ascii_lowercase()
                ));
            }
            continue;
        }
        headers.push((name.clone(), value.to_string()));
    }
    let request = BrowserRequest::new(&args.origin, method, &headers, args.credentials);
    // Chromium joins repeated headers before its safelist checks, the
    // standard does not: say so when it can change the answer.
    let mut safelisted: Vec<String> = request
        .header_verdicts()
        .filter(|(_, _, verdict)| verdict.is_ok())
        .map(|(n, _, _)| String::from_utf8_lossy(n).to_ascii_lowercase())
        .collect();
    safelisted.sort();
    let mut repeated_names: Vec<&String> = Vec::new();
    for pair in safelisted.windows(2) {
        if let [a, b] = pair
            && a == b
            && !repeated_names.contains(&a)
        {
            repeated_names.push(a);
        }
    }
    for n in repeated_names {
        notes.push(format!(
            "{n} is set more than once: the standard checks each value, Chromium checks them \
             joined by \", \" and may send a preflight the standard does not"
        ));
    }

    r.line(&format!(
        "probe: {method} {} from origin {} ({})",
        args.url,
        args.origin,
        if args.credentials {
            "credentials included"
        } else {
            "without credentials"
        }
    ));
    for n in &notes {
        r.line(&format!("note: {n}"));
    }
    if target.origin() == args.origin {
        r.line("note: the page and the URL have the same origin: CORS does not apply");
        return Ok(true);
    }

    // Step 1: the preflight decision (Fetch, "HTTP fetch", step 4.1).
    r.line("");
    let preflight = request.preflight();
    r.line(&format!(
        "1. Preflight needed? {}",
        if preflight.is_some() {
            "yes"
        } else {
            "no: a simple request"
        }
    ));
    if !is_safelisted_method(method.as_bytes()) {
        r.line(&format!(
            "   - method {method} is not CORS-safelisted (GET, HEAD, POST)"
        ));
    }
    for (n, v, verdict) in request.header_verdicts() {
        let n = String::from_utf8_lossy(n).to_ascii_lowercase();
        match verdict {
            Ok(()) => r.line(&format!("   - header {n}: CORS-safelisted")),
            Err(why) => r.line(&format!(
                "   - header {n} ({:?}): not safelisted: {why}",
                String::from_utf8_lossy(v)
            )),
        }
    }

    let mut step = 2;
    if let Some(p) = &preflight {
        r.line("");
        r.line(&format!("{step}. Preflight: OPTIONS {}", target.path));
        step += 1;
        let mut sent = vec![
            ("Origin".to_string(), args.origin.clone()),
            ("Accept".to_string(), "*/*".to_string()),
            (
                "Access-Control-Request-Method".to_string(),
                method.to_string(),
            ),
        ];
        if let Some(names) = p.request_headers() {
            sent.push((
                "Access-Control-Request-Headers".to_string(),
                names.to_string(),
            ));
        }
        sent.push(("Sec-Fetch-Mode".to_string(), "cors".to_string()));
        for (n, v) in &sent {
            r.line(&format!("   > {n}: {v}"));
        }
        let head = client.send(&target, "OPTIONS", &sent)?;
        show_head(r, &head);
        let response = head.response();
        match check_preflight(&request, &response) {
            Ok(ok) => {
                r.line("   ok: the browser accepts the preflight");
                let cache: Vec<String> = Engine::ALL
                    .iter()
                    .map(|e| format!("{} {} s", e.name(), e.cached_seconds(ok.max_age)))
                    .collect();
                r.line(&format!(
                    "   cached for: {}{}",
                    cache.join(", "),
                    if ok.max_age.is_none() {
                        " (no valid Access-Control-Max-Age: the default)"
                    } else {
                        ""
                    }
                ));
            }
            Err(b) => {
                let ambiguous = b == Blocked::MissingAllowOrigin && no_cors_header(&head);
                blocked(r, &b, Stage::Preflight, &target, args, &response, ambiguous);
                if matches!(b, Blocked::AuthorizationNotAllowed { wildcard: true }) {
                    r.line(&format!(
                        "   note: Chromium (checked: version {CHROMIUM_CHECKED}) still lets `*` cover \
                         authorization, so the page may work there and fail in browsers that \
                         follow the standard"
                    ));
                }
                if ambiguous {
                    ambiguous_preflight(r, &head, method, p, &target, args);
                }
                if let Blocked::PreflightRedirect(status) = b {
                    let to = response
                        .get(b"location")
                        .map(|l| String::from_utf8_lossy(l).into_owned())
                        .unwrap_or_default();
                    r.line(&format!(
                        "   note: the preflight was redirected ({status}) to {to:?}: the redirect itself \
                         is the problem, whatever headers either response carries"
                    ));
                }
                r.line("   the browser never sends the actual request");
                return Ok(false);
            }
        }
    }

    r.line("");
    r.line(&format!("{step}. Actual request: {method} {}", target.path));
    let mut sent = vec![("Origin".to_string(), args.origin.clone())];
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("accept"))
    {
        sent.push(("Accept".to_string(), "*/*".to_string()));
    }
    sent.extend(headers.iter().cloned());
    if let Some(c) = cookie {
        sent.push(("Cookie".to_string(), c));
    }
    sent.push(("Sec-Fetch-Mode".to_string(), "cors".to_string()));
    for (n, v) in &sent {
        r.line(&format!("   > {n}: {v}"));
    }
    let head = client.send(&target, method, &sent)?;
    show_head(r, &head);
    let response = head.response();
    if let Err(b) = cors_check(&args.origin, args.credentials, &response) {
        blocked(r, &b, Stage::Response, &target, args, &response, false);
        return Ok(false);
    }
    r.line("   ok: the response passes the CORS check");
    if (300..400).contains(&head.status) && head.status != 304 {
        // Fetch, "HTTP fetch": the redirect passed the CORS check; the
        // browser now follows it, and the final response decides.
        let to = response
            .get(b"location")
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .unwrap_or_default();
        return Err(format!(
            "the response is a redirect ({}) to {to:?}: a browser follows it and judges the final \
             response, which this probe does not fetch; probe that URL (when it is on yet another \
             origin, a browser sends `Origin: null` there: probe it with --origin null)",
            head.status
        ));
    }
    let exposed = Exposed::new(&response, args.credentials);
    let mut readable = Vec::new();
    let mut hidden = Vec::new();
    for (n, _) in &head.headers {
        let lower = n.to_ascii_lowercase();
        // CORS and connection-level headers are not worth exposing.
        let plumbing = lower.starts_with("access-control-")
            || matches!(
                lower.as_str(),
                "vary" | "connection" | "keep-alive" | "transfer-encoding" | "trailer" | "upgrade"
            );
        if plumbing && !exposed.is_readable(n.as_bytes()) {
            continue;
        }
        let list = if exposed.is_readable(n.as_bytes()) {
            &mut readable
        } else {
            &mut hidden
        };
        if !list.contains(&lower) {
            list.push(lower);
        }
    }
    r.line(&format!(
        "   the script may read: {}",
        if readable.is_empty() {
            "(none)".to_string()
        } else {
            readable.join(", ")
        }
    ));
    if !hidden.is_empty() {
        r.line(&format!(
            "   hidden from the script: {} (add to Access-Control-Expose-Headers to expose)",
            hidden.join(", ")
        ));
    }
    Ok(true)
}

fn show_head(r: &mut Report<'_>, head: &Head) {
    r.line(&format!("   < HTTP {} {}", head.status, head.reason));
    for (n, v) in &head.headers {
        let lower = n.to_ascii_lowercase();
        if lower.starts_with("access-control-") || lower == "vary" {
            r.line(&format!("   < {n}: {}", String::from_utf8_lossy(v)));
        }
    }
}

fn blocked(
    r: &mut Report<'_>,
    b: &Blocked<'_>,
    stage: Stage,
    target: &Target,
    args: &ProbeArgs,
    response: &Response<'_, String, Vec<u8>>,
    ambiguous: bool,
) {
    let what = match stage {
        Stage::Preflight => "preflight",
        Stage::Response => "response",
    };
    r.line(&format!("   BLOCKED ({what}, {}): {b}", b.code()));
    if ambiguous {
        r.line("   fix: depends on which check failed; see the possible causes below");
    } else {
        r.line(&format!("   fix: {}", b.fix()));
    }
    // The browser's own words, as users search for them (none where
    // Chromium lets the response through: a note says so).
    let url = target.url();
    if let Some(m) = b.chromium_message(&url, &args.origin, stage, response) {
        r.line(&format!("   chromium: {m}"));
    }
    if let Some(reason) = b.firefox_reason() {
        r.line(&format!("   firefox: {reason}"));
    }
}

/// Does the head carry no CORS header at all?
fn no_cors_header(head: &Head) -> bool {
    !head
        .headers
        .iter()
        .any(|(n, _)| n.to_ascii_lowercase().starts_with("access-control-"))
}

/// A preflight refused without any CORS header: the browser sees a missing
/// `Access-Control-Allow-Origin` whichever check failed, so the causes are
/// listed, most likely first, with how to tell them apart.
fn ambiguous_preflight<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    r: &mut Report<'_>,
    head: &Head,
    method: &str,
    preflight: &Preflight<'_, K, V>,
    target: &Target,
    args: &ProbeArgs,
) {
    let names = preflight.request_headers().map(|n| n.to_string());
    r.line(&format!(
        "   cannot tell which check failed: the preflight was answered {} without any CORS header, \
         which is how a server refuses an origin, a method or a header alike (the browser says \
         \"No 'Access-Control-Allow-Origin' header\" for each). Possible causes, most likely first:",
        head.status
    ));
    let mut causes = Vec::new();
    // A status the CORS layer does not use: the request never reached it.
    let unrouted = matches!(head.status, 301..=308 | 401 | 404 | 405 | 500..=599);
    let no_layer = format!(
        "no CORS layer answered the OPTIONS request: status {} comes from the router, an \
         authentication check or the application (the CORS layer must run before them and answer \
         preflights itself)",
        head.status
    );
    if unrouted {
        causes.push(no_layer.clone());
    }
    causes.push(format!(
        "the origin {} is not allowed (allowed_origins)",
        args.origin
    ));
    if !is_safelisted_method(method.as_bytes()) {
        causes.push(format!(
            "the method {method} is not allowed (allowed_methods)"
        ));
    }
    if let Some(n) = &names {
        causes.push(format!(
            "one of the request headers {n} is not allowed (allowed_headers)"
        ));
    }
    if !unrouted {
        causes.push(no_layer);
    }
    for (i, c) in causes.iter().enumerate() {
        r.line(&format!("     {}. {c}", i + 1));
    }
    r.line("   to tell them apart:");
    r.line(&format!(
        "     - without a preflight: cors-policy probe {} --origin {} (readable: the origin is allowed, \
         so the method or a header is not)",
        target.url(),
        args.origin
    ));
    let mut check = format!(
        "cors-policy check --policy FILE (or --env) --method OPTIONS -H 'Origin: {}' \
         -H 'Access-Control-Request-Method: {method}'",
        args.origin
    );
    if let Some(n) = &names {
        check.push_str(&format!(" -H 'Access-Control-Request-Headers: {n}'"));
    }
    r.line(&format!(
        "     - against the server's policy: {check} (names the refused check)"
    ));
    r.line(
        "     - debug mode on the server (cors-policy: Options { debug: true } or DebugSwitch): a refused \
         preflight from an allowed origin is then answered 204 with what passes, and this probe and \
         the browser's console name the method or header at fault",
    );
}
#[cfg(test)]
#[path = "probe_tests.rs"]
mod tests;
