//! `cors-policy probe`: sends what a browser would to a live server (the
//! preflight when one is needed, then the actual request) and reports step
//! by step what a browser would do and why, with the fix when it fails.
//!
//! Plain `http://` over HTTP/1.1 only. Redirects are not followed: a
//! redirect must pass the CORS check like any response (exit 1 if not);
//! if it does, the final response decides, which the probe does not fetch,
//! so it says where to probe next and exits 2.
//!
//! ```no_run
//! use cors_policy_browser::probe::{run, ProbeArgs};
//! let args = ProbeArgs {
//!     url: "http://127.0.0.1:8080/api/items".into(),
//!     origin: "https://app.example".into(),
//!     method: "PUT".into(),
//!     headers: vec![("Content-Type".into(), "application/json".into())],
//!     credentials: true,
//! };
//! let code = run(&args, &mut std::io::stdout());
//! std::process::exit(code);
//! ```

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

use crate::{
    Blocked, BrowserRequest, Engine, Exposed, Response, check_preflight, cors_check,
    is_forbidden_method, is_forbidden_request_header, is_safelisted_method, normalize_method,
};

/// Exit code: a browser would let the page read the response.
pub const EXIT_READABLE: i32 = 0;
/// Exit code: a browser would block the response.
pub const EXIT_BLOCKED: i32 = 1;
/// Exit code: bad arguments, or the server could not be reached or spoke
/// no HTTP/1.1.
pub const EXIT_ERROR: i32 = 2;

/// How long to wait for a connection, and for a whole response head
/// after the request is sent, before giving up with a network error.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The largest response head read, in bytes; a larger one is an error.
pub const MAX_HEAD_LEN: usize = 64 * 1024;

/// What to probe: the page's request, as `cors-policy probe URL --origin O
/// [--method M] [-H 'Name: value']... [--credentials]` gives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProbeArgs {
    /// The URL the page fetches (`http://host[:port]/path`).
    pub url: String,
    /// The page's origin, as browsers serialize it (`https://app.example`).
    pub origin: String,
    /// The method (`GET` when empty); normalized as `fetch()` does.
    pub method: String,
    /// The request headers the page's script sets.
    pub headers: Vec<(String, String)>,
    /// Does the page include credentials (`credentials: "include"`)?
    pub credentials: bool,
}

/// Probes the server and writes the step-by-step report to `out`; returns
/// [`EXIT_READABLE`], [`EXIT_BLOCKED`] or [`EXIT_ERROR`]. Failing to write
/// the report is not an error of the probe.
pub fn run(args: &ProbeArgs, out: &mut dyn Write) -> i32 {
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

/// Where to send requests.
#[derive(Debug, PartialEq, Eq)]
struct Target {
    /// `host[:port]` for `connect`.
    addr: String,
    /// The `Host` header.
    host: String,
    /// The request target (`/path?query`).
    path: String,
    /// The URL's origin, to tell a same-origin request.
    origin: String,
}

fn parse_url(url: &str) -> Result<Target, String> {
    let rest = if let Some(r) = strip_prefix_ignore_case(url, "http://") {
        r
    } else if strip_prefix_ignore_case(url, "https://").is_some() {
        return Err(format!(
            "{url}: https:// is not supported by the probe; probe the server's plain http:// address"
        ));
    } else {
        return Err(format!("{url}: not an http:// URL"));
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let path = path.split('#').next().unwrap_or("");
    let path = if path.is_empty() {
        "/".to_string()
    } else if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_string()
    };
    if authority.is_empty() || authority.contains('@') {
        return Err(format!("{url}: expected http://host[:port]/path"));
    }
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let close = v6
            .find(']')
            .ok_or_else(|| format!("{url}: unclosed [ in the host"))?;
        let (h, after) = v6.split_at(close);
        let after = after.get(1..).unwrap_or("");
        (format!("[{h}]"), after.strip_prefix(':'))
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h.to_string(), Some(p)),
            None => (authority.to_string(), None),
        }
    };
    let port: u16 = match port {
        None | Some("") => 80,
        Some(p) => p
            .parse()
            .map_err(|_| format!("{url}: port {p:?} is not a number from 0 to 65535"))?,
    };
    if host.is_empty()
        || host
            .bytes()
            .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
    {
        return Err(format!("{url}: bad host"));
    }
    let host = host.to_ascii_lowercase();
    let host_header = if port == 80 {
        host.clone()
    } else {
        format!("{host}:{port}")
    };
    Ok(Target {
        addr: format!("{host}:{port}"),
        origin: format!("http://{host_header}"),
        host: host_header,
        path,
    })
}

fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// Is `origin` written as a browser serializes one? `null`, or
/// `scheme://host[:port]` in lower case, without path or trailing slash.
fn check_origin(origin: &str) -> Result<(), String> {
    if origin == "null" {
        return Ok(());
    }
    let bad = |why: &str| {
        Err(format!(
            "--origin {origin:?}: {why}; browsers send `scheme://host[:port]` in lower case (such as https://app.example) or `null`"
        ))
    };
    let Some((scheme, rest)) = origin.split_once("://") else {
        return bad("no scheme");
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
    {
        return bad("the scheme is not lower-case letters");
    }
    if rest.is_empty() {
        return bad("no host");
    }
    if rest.contains('/') {
        return bad("an origin has no path, not even a trailing slash");
    }
    if rest.bytes().any(|b| b.is_ascii_uppercase()) {
        return bad("the host is not in lower case");
    }
    if !rest.bytes().all(|b| b.is_ascii_graphic()) || rest.contains(['?', '#', '@', ',']) {
        return bad("not a host and port");
    }
    Ok(())
}

/// A response head as read from the wire.
#[derive(Debug)]
struct Head {
    status: u16,
    reason: String,
    headers: Vec<(String, Vec<u8>)>,
}

/// Sends one request and reads the response head (the body is not read:
/// `Connection: close` ends the exchange).
fn send(target: &Target, method: &str, headers: &[(String, String)]) -> Result<Head, String> {
    let mut last = String::from("no address");
    let addrs = target
        .addr
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {}: {e}", target.addr))?;
    let mut stream = None;
    for a in addrs {
        match TcpStream::connect_timeout(&a, TIMEOUT) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = format!("cannot connect to {a}: {e}"),
        }
    }
    let mut stream = stream.ok_or(last)?;
    let io = |e: io::Error| format!("{}: {e}", target.addr);
    stream.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
    stream.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
    let mut req = format!(
        "{method} {} HTTP/1.1\r\nHost: {}\r\n",
        target.path, target.host
    );
    for (n, v) in headers {
        let _ = write!(req, "{n}: {v}\r\n");
    }
    if !matches!(method, "GET" | "HEAD" | "OPTIONS") {
        req.push_str("Content-Length: 0\r\n");
    }
    req.push_str("User-Agent: cors-policy-probe\r\nConnection: close\r\n\r\n");
    stream.write_all(req.as_bytes()).map_err(io)?;
    // One deadline for the whole head, so a server sending a byte at a time
    // cannot hold the probe for longer than TIMEOUT.
    let deadline = Instant::now() + TIMEOUT;
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut start = 0;
    loop {
        // Parse what we have; interim 1xx responses are skipped.
        if let Some(rest) = buf.get(start..) {
            let mut hs = [httparse::EMPTY_HEADER; 128];
            let mut r = httparse::Response::new(&mut hs);
            match r.parse(rest) {
                Ok(httparse::Status::Complete(len)) => {
                    let status = r.code.unwrap_or(0);
                    if (100..200).contains(&status) && status != 101 {
                        start += len;
                        continue;
                    }
                    return Ok(Head {
                        status,
                        reason: r.reason.unwrap_or("").to_string(),
                        headers: r
                            .headers
                            .iter()
                            .map(|h| (h.name.to_string(), h.value.to_vec()))
                            .collect(),
                    });
                }
                Ok(httparse::Status::Partial) => {}
                Err(e) => {
                    return Err(format!("{}: not an HTTP/1.1 response: {e}", target.addr));
                }
            }
        }
        if buf.len() > MAX_HEAD_LEN {
            return Err(format!(
                "{}: response head longer than {MAX_HEAD_LEN} bytes",
                target.addr
            ));
        }
        let timed_out = || {
            format!(
                "{}: no complete response head within {} s",
                target.addr,
                TIMEOUT.as_secs()
            )
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        stream.set_read_timeout(Some(left)).map_err(io)?;
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out());
            }
            Err(e) => return Err(io(e)),
        };
        if n == 0 {
            return Err(format!(
                "{}: connection closed before a complete response head",
                target.addr
            ));
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
    }
}

/// The probe proper: `Ok(true)` readable, `Ok(false)` blocked.
fn probe(args: &ProbeArgs, r: &mut Report<'_>) -> Result<bool, String> {
    let target = parse_url(&args.url)?;
    check_origin(&args.origin)?;
    let method = if args.method.is_empty() {
        "GET"
    } else {
        normalize_method(&args.method)
    };
    if !crate::bytes::is_token(method.as_bytes()) {
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
        if !crate::bytes::is_token(name.as_bytes()) {
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
    if target.origin == args.origin {
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
        let head = send(&target, "OPTIONS", &sent)?;
        show_head(r, &head);
        let response = Response::new(head.status, &head.headers);
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
                blocked(r, &b, "preflight");
                if matches!(b, Blocked::AuthorizationNotAllowed { wildcard: true }) {
                    r.line(
                        "   note: Chromium (checked: version 156) still lets `*` cover authorization, \
                         so the page may work there and fail in browsers that follow the standard",
                    );
                }
                if b == Blocked::MissingAllowOrigin && !(200..=299).contains(&head.status) {
                    r.line(&format!(
                        "   note: the server refused the preflight ({}) without any CORS header: \
                         check that it allows this origin, the method {method}{}",
                        head.status,
                        p.request_headers()
                            .map(|n| format!(" and the request headers {n}"))
                            .unwrap_or_default()
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
    let head = send(&target, method, &sent)?;
    show_head(r, &head);
    let response = Response::new(head.status, &head.headers);
    if let Err(b) = cors_check(&args.origin, args.credentials, &response) {
        blocked(r, &b, "response");
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

fn blocked(r: &mut Report<'_>, b: &Blocked<'_>, what: &str) {
    r.line(&format!("   BLOCKED ({what}, {}): {b}", b.code()));
    r.line(&format!("   fix: {}", b.fix()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = parse_url("http://127.0.0.1:8080/a/b?c=d#frag").unwrap();
        assert_eq!(t.addr, "127.0.0.1:8080");
        assert_eq!(t.host, "127.0.0.1:8080");
        assert_eq!(t.path, "/a/b?c=d");
        assert_eq!(t.origin, "http://127.0.0.1:8080");
        let t = parse_url("HTTP://Example.com").unwrap();
        assert_eq!(
            (t.addr.as_str(), t.host.as_str(), t.path.as_str()),
            ("example.com:80", "example.com", "/")
        );
        let t = parse_url("http://[::1]:9/x").unwrap();
        assert_eq!((t.addr.as_str(), t.path.as_str()), ("[::1]:9", "/x"));
        let t = parse_url("http://h?q").unwrap();
        assert_eq!(t.path, "/?q");
        for bad in [
            "https://x",
            "ftp://x",
            "http://",
            "http://u@h/",
            "http://h:99999/",
            "http://h:x/",
            "x",
        ] {
            assert!(parse_url(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins() {
        for ok in [
            "https://app.example",
            "http://localhost:3000",
            "null",
            "http://[::1]:8080",
        ] {
            assert_eq!(check_origin(ok), Ok(()), "{ok}");
        }
        for bad in [
            "https://app.example/",
            "app.example",
            "https://App.example",
            "HTTPS://a",
            "https://",
            "https://a/b",
            "https://a,b",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
