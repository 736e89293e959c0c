//! `probe::run` against servers started here on 127.0.0.1: one answering
//! with the core's decisions, and deliberately misconfigured ones. Each
//! server records what it received, so the tests also check that the probe
//! sends what a browser sends. (Moved from cors-policy-browser with the
//! command, issue 20.)

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use cors_policy::{Policy, Request, evaluate};

use super::*;

/// One request as a test server received it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
}

impl Seen {
    fn get(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Answer = (u16, Vec<(String, String)>);
type Log = Arc<Mutex<Vec<Seen>>>;

/// Serves at most `max` connections on 127.0.0.1 with `handler`; returns
/// the base URL and the log of requests.
fn serve(max: usize, handler: impl Fn(&Seen) -> Answer + Send + 'static) -> (String, Log) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("local addr"));
    let log: Log = Arc::default();
    let seen = Arc::clone(&log);
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(stream) = stream else { continue };
            let mut reader = BufReader::new(stream);
            let mut line = String::new();
            if reader.read_line(&mut line).is_err() {
                continue;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or("").to_string();
            let path = parts.next().unwrap_or("").to_string();
            let mut headers = Vec::new();
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim_end().is_empty() {
                    break;
                }
                if let Some((n, v)) = h.trim_end().split_once(':') {
                    headers.push((n.to_string(), v.trim().to_string()));
                }
            }
            let req = Seen {
                method,
                path,
                headers,
            };
            let (status, answer) = handler(&req);
            seen.lock().unwrap().push(req);
            let mut out = format!("HTTP/1.1 {status} X\r\n");
            for (n, v) in &answer {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("Content-Length: 2\r\nConnection: close\r\n\r\nok");
            let _ = reader.get_mut().write_all(out.as_bytes());
        }
    });
    (url, log)
}

/// A server whose CORS headers come from the core, as an adapter would
/// send them, with a few application headers on actual responses.
fn core_server(policy: &'static Policy<'static>) -> (String, Log) {
    serve(4, move |req| {
        let pairs: Vec<(String, String)> = req.headers.clone();
        let d = evaluate(policy, &Request::from_pairs(req.method.as_bytes(), &pairs));
        let mut headers: Vec<(String, String)> = d
            .headers()
            .map(|(h, v)| {
                (
                    h.as_str().to_string(),
                    String::from_utf8_lossy(v).into_owned(),
                )
            })
            .collect();
        if !d.vary().is_empty() {
            headers.push(("Vary".into(), d.vary().join(", ")));
        }
        match d.preflight_status() {
            Some(status) => (status, headers),
            None => {
                headers.push(("Content-Type".into(), "text/plain".into()));
                headers.push(("X-Request-Id".into(), "7".into()));
                headers.push(("ETag".into(), "\"x\"".into()));
                (200, headers)
            }
        }
    })
}

fn policy() -> &'static Policy<'static> {
    static POLICY: std::sync::OnceLock<Policy<'static>> = std::sync::OnceLock::new();
    POLICY.get_or_init(|| {
        Policy::builder()
            .allow_origins(&["https://app.example"])
            .allow_credentials(true)
            .allow_methods(&["PUT", "DELETE"])
            .allow_headers(&["content-type", "x-trace"])
            .expose_headers(&["x-request-id"])
            .max_age(86_400)
            .build()
            .expect("valid policy")
    })
}

fn args(url: &str, method: &str, headers: &[(&str, &str)], credentials: bool) -> ProbeArgs {
    ProbeArgs {
        url: format!("{url}/api/items?x=1"),
        origin: "https://app.example".into(),
        method: method.into(),
        headers: headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect(),
        credentials,
        cacert: None,
    }
}

fn probe(a: &ProbeArgs) -> (u8, String) {
    let mut out = Vec::new();
    let code = run(a, &mut out);
    (code, String::from_utf8(out).expect("utf-8 report"))
}

#[test]
fn core_server_preflighted_request_is_readable_and_sent_as_a_browser_sends_it() {
    let (url, log) = core_server(policy());
    let a = args(
        &url,
        "put",
        &[
            ("Content-Type", "application/json"),
            ("X-Trace", "1"),
            ("Cookie", "sid=1"),
        ],
        true,
    );
    let (code, report) = probe(&a);
    assert_eq!(code, EXIT_READABLE, "{report}");
    assert!(report.contains("1. Preflight needed? yes"), "{report}");
    assert!(
        report.contains("method PUT is not CORS-safelisted"),
        "{report}"
    );
    assert!(
        report.contains("ok: the browser accepts the preflight"),
        "{report}"
    );
    assert!(
        report.contains("cached for: Chromium 7200 s, Firefox 86400 s, WebKit 600 s"),
        "{report}"
    );
    // ACAO itself is not readable (Fetch, "CORS-safelisted response-header name").
    assert!(
        report.contains("the script may read: content-type, x-request-id, content-length\n"),
        "{report}"
    );
    assert!(
        report.contains("hidden from the script: etag ("),
        "{report}"
    );
    assert!(report.contains("result: READABLE"), "{report}");

    let log = log.lock().unwrap();
    assert_eq!(log.len(), 2, "{log:?}");
    let (pre, actual) = (&log[0], &log[1]);
    assert_eq!(pre.method, "OPTIONS");
    assert_eq!(pre.path, "/api/items?x=1");
    assert_eq!(pre.get("origin"), Some("https://app.example"));
    assert_eq!(pre.get("access-control-request-method"), Some("PUT"));
    assert_eq!(
        pre.get("access-control-request-headers"),
        Some("content-type,x-trace")
    );
    assert_eq!(
        pre.get("cookie"),
        None,
        "a preflight never carries credentials"
    );
    assert_eq!(actual.method, "PUT");
    assert_eq!(actual.get("origin"), Some("https://app.example"));
    assert_eq!(actual.get("x-trace"), Some("1"));
    assert_eq!(actual.get("cookie"), Some("sid=1"));
    assert_eq!(actual.get("access-control-request-method"), None);
}

#[test]
fn core_server_simple_request_needs_no_preflight() {
    let (url, log) = core_server(policy());
    let (code, report) = probe(&args(&url, "GET", &[("Accept", "text/plain")], false));
    assert_eq!(code, EXIT_READABLE, "{report}");
    assert!(report.contains("Preflight needed? no"), "{report}");
    assert!(
        report.contains("header accept: CORS-safelisted"),
        "{report}"
    );
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].method, "GET");
}

#[test]
fn core_server_refusals_are_blocked_with_the_reason() {
    /// Method, request headers, refusal code, a phrase of the report.
    type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case<'_>] = &[
        // The core refuses with 403 and no CORS header at all, so a browser
        // sees the missing Access-Control-Allow-Origin whichever check
        // failed: the report says it cannot tell, and lists the causes.
        (
            "PATCH",
            &[],
            "missing_allow_origin",
            "     2. the method PATCH is not allowed (allowed_methods)\n     3. no CORS layer",
        ),
        (
            "GET",
            &[("X-Other", "1"), ("X-Trace", "2")],
            "missing_allow_origin",
            "     2. one of the request headers x-other,x-trace is not allowed (allowed_headers)\n",
        ),
    ];
    for (method, headers, code_name, cause) in cases {
        let (url, _) = core_server(policy());
        let (code, report) = probe(&args(&url, method, headers, false));
        assert_eq!(code, EXIT_BLOCKED, "{report}");
        assert!(report.contains(code_name), "{code_name}: {report}");
        assert!(
            report.contains("cannot tell which check failed: the preflight was answered 403"),
            "{report}"
        );
        assert!(
            report.contains("     1. the origin https://app.example is not allowed"),
            "{report}"
        );
        assert!(report.contains(cause), "{report}");
        assert!(
            report.contains(&format!("-H 'Access-Control-Request-Method: {method}'")),
            "{report}"
        );
        assert!(report.contains("debug mode on the server"), "{report}");
        // Regression (issue 18): the advice was "add it to allowed_origins",
        // wrong when the origin is allowed and the method or a header is not.
        assert!(!report.contains("add it to allowed_origins"), "{report}");
        assert!(
            report.contains("chromium: Access to fetch at 'http://127.0.0.1:")
                && report.contains("has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.\n"),
            "{report}"
        );
        assert!(
            report.contains("firefox: CORSMissingAllowOrigin"),
            "{report}"
        );
        assert!(
            report.contains("the browser never sends the actual request"),
            "{report}"
        );
    }
    // A refused origin on a simple request: the application answers, but
    // without CORS headers.
    let (url, _) = core_server(policy());
    let mut a = args(&url, "GET", &[], false);
    a.origin = "https://evil.example".into();
    let (code, report) = probe(&a);
    assert_eq!(code, EXIT_BLOCKED, "{report}");
    assert!(
        report.contains("no Access-Control-Allow-Origin header is present"),
        "{report}"
    );
}

fn header(n: &str, v: &str) -> (String, String) {
    (n.to_string(), v.to_string())
}

/// Echoes what a preflight asks for, with `acao` as the origin.
fn echo(req: &Seen, acao: &str) -> Vec<(String, String)> {
    let mut h = vec![header("Access-Control-Allow-Origin", acao)];
    if let Some(m) = req.get("access-control-request-method") {
        h.push(header("Access-Control-Allow-Methods", m));
    }
    if let Some(names) = req.get("access-control-request-headers") {
        h.push(header("Access-Control-Allow-Headers", names));
    }
    h
}

#[test]
fn misconfigured_servers_are_blocked_with_the_right_reason() {
    type Handler = fn(&Seen) -> Answer;
    /// What is wrong, the server, method, headers, credentials, refusal code.
    type Case<'a> = (
        &'a str,
        Handler,
        &'a str,
        &'a [(&'a str, &'a str)],
        bool,
        &'a str,
    );
    let cases: &[Case<'_>] = &[
        (
            "`*` with credentials",
            |r| {
                let mut h = echo(r, "*");
                h.push(header("Access-Control-Allow-Credentials", "true"));
                (200, h)
            },
            "GET",
            &[],
            true,
            "wildcard_origin_with_credentials",
        ),
        (
            "no ACAO at all",
            |_| (200, vec![]),
            "GET",
            &[],
            false,
            "missing_allow_origin",
        ),
        (
            "preflight answered 500",
            |r| {
                (
                    if r.method == "OPTIONS" { 500 } else { 200 },
                    echo(r, "https://app.example"),
                )
            },
            "DELETE",
            &[],
            false,
            "preflight_status",
        ),
        (
            "`*` for authorization",
            |r| {
                let mut h = vec![header("Access-Control-Allow-Origin", "*")];
                h.push(header("Access-Control-Allow-Headers", "*"));
                let _ = r;
                (204, h)
            },
            "GET",
            &[("Authorization", "Bearer t")],
            false,
            "authorization_not_allowed",
        ),
        (
            "ACAO sent twice (proxy and application)",
            |r| {
                let mut h = echo(r, "https://app.example");
                h.push(header("Access-Control-Allow-Origin", "https://app.example"));
                (200, h)
            },
            "GET",
            &[],
            false,
            "multiple_allow_origin",
        ),
        (
            "ACAO with a trailing slash",
            |r| (200, echo(r, "https://app.example/")),
            "GET",
            &[],
            false,
            "origin_mismatch",
        ),
        (
            "credentials without ACAC",
            |r| (200, echo(r, "https://app.example")),
            "GET",
            &[],
            true,
            "missing_allow_credentials",
        ),
        (
            "methods in lower case",
            |r| {
                let mut h = vec![header("Access-Control-Allow-Origin", "https://app.example")];
                h.push(header("Access-Control-Allow-Methods", "get, put"));
                let _ = r;
                (204, h)
            },
            "PUT",
            &[],
            false,
            "method_not_allowed",
        ),
        (
            "`*` methods with credentials",
            |_| {
                let h = vec![
                    header("Access-Control-Allow-Origin", "https://app.example"),
                    header("Access-Control-Allow-Credentials", "true"),
                    header("Access-Control-Allow-Methods", "*"),
                ];
                (204, h)
            },
            "PUT",
            &[],
            true,
            "method_wildcard_with_credentials",
        ),
    ];
    for (what, handler, method, headers, credentials, code_name) in cases {
        let (url, _) = serve(2, handler);
        let (code, report) = probe(&args(&url, method, headers, *credentials));
        assert_eq!(code, EXIT_BLOCKED, "{what}: {report}");
        assert!(
            report.contains(&format!("({code_name})"))
                || report.contains(&format!(", {code_name})")),
            "{what}: {report}"
        );
        assert!(report.contains("fix: "), "{what}: {report}");
        assert!(report.contains("result: BLOCKED"), "{what}: {report}");
    }
}

#[test]
fn the_same_misconfigured_star_server_is_fine_without_credentials() {
    let (url, _) = serve(2, |r| {
        let mut h = echo(r, "*");
        h.push(header("Access-Control-Allow-Credentials", "true"));
        (200, h)
    });
    let (code, report) = probe(&args(&url, "GET", &[], false));
    assert_eq!(code, EXIT_READABLE, "{report}");
}

#[test]
fn network_and_usage_errors_exit_2() {
    // A port nothing listens on: bind, note the port, close.
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", l.local_addr().unwrap())
    };
    let (code, report) = probe(&args(&closed, "GET", &[], false));
    assert_eq!(code, EXIT_ERROR, "{report}");
    assert!(report.contains("error: cannot connect"), "{report}");

    // A server that speaks something else.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let garbage = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        if let Some(Ok(mut s)) = listener.incoming().next() {
            let _ = s.write_all(b"SSH-2.0-OpenSSH\r\n\r\n");
        }
    });
    let (code, report) = probe(&args(&garbage, "GET", &[], false));
    assert_eq!(code, EXIT_ERROR, "{report}");
    assert!(report.contains("not an HTTP/1.1 response"), "{report}");

    let usage: &[(ProbeArgs, &str)] = &[
        (
            args("ftp://127.0.0.1:1", "GET", &[], false),
            "not an http:// or https:// URL",
        ),
        (
            ProbeArgs {
                origin: "https://app.example/".into(),
                ..args("http://127.0.0.1:1", "GET", &[], false)
            },
            "no path",
        ),
        (args("http://127.0.0.1:1", "TRACE", &[], false), "forbidden"),
        (
            args("http://127.0.0.1:1", "GET", &[("Bad Name", "x")], false),
            "not a token",
        ),
    ];
    for (a, msg) in usage {
        let (code, report) = probe(a);
        assert_eq!(code, EXIT_ERROR, "{report}");
        assert!(report.contains(msg), "{msg}: {report}");
    }
}

#[test]
fn forbidden_headers_are_dropped_and_cookies_need_credentials() {
    let (url, log) = serve(2, |r| (200, echo(r, "https://app.example")));
    let (code, report) = probe(&args(
        &url,
        "GET",
        &[("Cookie", "a=b"), ("Sec-Fetch-Dest", "x")],
        false,
    ));
    assert_eq!(code, EXIT_READABLE, "{report}");
    assert!(
        report.contains("note: cookie: a forbidden request header"),
        "{report}"
    );
    let log = log.lock().unwrap();
    assert_eq!(log.len(), 1, "no preflight: forbidden headers do not count");
    assert_eq!(log[0].get("cookie"), None);
    assert_eq!(log[0].get("sec-fetch-dest"), None);
}

#[test]
fn same_origin_is_not_cors() {
    let (url, log) = serve(1, |_| (200, vec![]));
    let a = ProbeArgs {
        origin: url.clone(),
        ..args(&url, "PUT", &[], false)
    };
    let (code, report) = probe(&a);
    assert_eq!(code, EXIT_READABLE, "{report}");
    assert!(report.contains("same origin"), "{report}");
    assert!(log.lock().unwrap().is_empty());
}

#[test]
fn a_server_dripping_bytes_is_cut_off_at_the_deadline() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // A header line that never ends, one byte every 100 ms: each read
    // succeeds, so only the overall deadline stops the probe.
    std::thread::spawn(move || {
        if let Some(Ok(mut s)) = listener.incoming().next() {
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nX-Slow: ");
            let end = std::time::Instant::now()
                + cors_policy_browser::probe::TIMEOUT
                + std::time::Duration::from_secs(2);
            while std::time::Instant::now() < end && s.write_all(b"a").is_ok() {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
    });
    let start = std::time::Instant::now();
    let (code, report) = probe(&args(&url, "GET", &[], false));
    assert_eq!(code, EXIT_ERROR, "{report}");
    assert!(
        report.contains("no complete response head within 10 s"),
        "{report}"
    );
    assert!(
        start.elapsed() < cors_policy_browser::probe::TIMEOUT + std::time::Duration::from_secs(2)
    );
}

#[test]
fn a_silent_server_times_out_with_a_network_error() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Accepts, reads nothing, answers nothing, and holds the connection
    // a little longer than the probe waits.
    std::thread::spawn(move || {
        if let Some(Ok(s)) = listener.incoming().next() {
            std::thread::sleep(
                cors_policy_browser::probe::TIMEOUT + std::time::Duration::from_secs(2),
            );
            drop(s);
        }
    });
    let start = std::time::Instant::now();
    let (code, report) = probe(&args(&url, "GET", &[], false));
    assert_eq!(code, EXIT_ERROR, "{report}");
    assert!(
        report.contains("no complete response head within 10 s"),
        "{report}"
    );
    assert!(
        start.elapsed() < cors_policy_browser::probe::TIMEOUT * 2,
        "{report}"
    );
}

#[test]
fn redirects_are_checked_but_not_followed() {
    // Without CORS headers the redirect itself is blocked.
    let (url, _) = serve(1, |_| (302, vec![header("Location", "/elsewhere")]));
    let (code, report) = probe(&args(&url, "GET", &[], false));
    assert_eq!(code, EXIT_BLOCKED, "{report}");
    assert!(report.contains("missing_allow_origin"), "{report}");
    // With them, the final response decides: the probe cannot judge it.
    let (url, log) = serve(1, |r| {
        let mut h = echo(r, "https://app.example");
        h.push(header("Location", "/elsewhere"));
        (307, h)
    });
    let (code, report) = probe(&args(&url, "GET", &[], false));
    assert_eq!(code, EXIT_ERROR, "{report}");
    assert!(
        report.contains("redirect (307) to \"/elsewhere\""),
        "{report}"
    );
    assert_eq!(log.lock().unwrap().len(), 1, "the redirect is not followed");
}

#[test]
fn a_redirected_preflight_has_its_own_message() {
    // Regression (issue 18): a redirected preflight was reported as a
    // missing Access-Control-Allow-Origin or a status that is not ok; the
    // browser refuses the redirect itself, whatever the headers.
    for with_cors in [false, true] {
        let (url, log) = serve(1, move |r| {
            let mut h = if with_cors {
                echo(r, "https://app.example")
            } else {
                vec![]
            };
            h.push(header("Location", "https://api.example/login"));
            (301, h)
        });
        let (code, report) = probe(&args(&url, "PUT", &[], false));
        assert_eq!(code, EXIT_BLOCKED, "{report}");
        assert!(
            report.contains("(preflight, preflight_redirect)"),
            "{report}"
        );
        assert!(
            report.contains("browsers never follow a redirect of a preflight"),
            "{report}"
        );
        assert!(
            report.contains("redirected (301) to \"https://api.example/login\""),
            "{report}"
        );
        assert!(
            report.contains("Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request.\n"),
            "{report}"
        );
        assert!(
            !report.contains("cannot tell which check failed"),
            "{report}"
        );
        assert_eq!(log.lock().unwrap().len(), 1, "only the preflight was sent");
    }
}

#[test]
fn a_preflight_the_router_answers_lists_the_missing_cors_layer_first() {
    let (url, _) = serve(1, |_| (404, vec![]));
    let (code, report) = probe(&args(&url, "DELETE", &[], false));
    assert_eq!(code, EXIT_BLOCKED, "{report}");
    assert!(
        report.contains("     1. no CORS layer answered the OPTIONS request: status 404"),
        "{report}"
    );
    assert!(
        report.contains("     2. the origin https://app.example is not allowed"),
        "{report}"
    );
    assert!(
        report.contains("     3. the method DELETE is not allowed"),
        "{report}"
    );
}

#[test]
fn known_chromium_differences_are_pointed_out() {
    let (url, _) = serve(2, |_| {
        let h = vec![
            header("Access-Control-Allow-Origin", "*"),
            header("Access-Control-Allow-Headers", "*"),
        ];
        (204, h)
    });
    let (code, report) = probe(&args(&url, "GET", &[("Authorization", "Bearer t")], false));
    assert_eq!(code, EXIT_BLOCKED, "{report}");
    assert!(
        report.contains("Chromium (checked: version 148) still lets `*` cover authorization"),
        "{report}"
    );
    // The server sent `*`, so the advice names it; Chromium prints nothing.
    assert!(
        report.contains("fix: list `authorization` by name in Access-Control-Allow-Headers (allowed_headers): the `*` the server sent never covers it"),
        "{report}"
    );
    assert!(!report.contains("chromium:"), "{report}");
    assert!(
        report.contains("firefox: CORSMissingAllowHeaderFromPreflight"),
        "{report}"
    );

    // Regression (issue 18): without `*` the advice said "`*` never covers
    // it" all the same.
    let (url, _) = serve(2, |_| {
        let h = vec![
            header("Access-Control-Allow-Origin", "https://app.example"),
            header("Access-Control-Allow-Headers", "content-type"),
        ];
        (204, h)
    });
    let (code, report) = probe(&args(&url, "GET", &[("Authorization", "Bearer t")], false));
    assert_eq!(code, EXIT_BLOCKED, "{report}");
    assert!(report.contains("authorization_not_allowed"), "{report}");
    assert!(!report.contains("`*`"), "{report}");
    assert!(
        report.contains("Request header field authorization is not allowed by Access-Control-Allow-Headers in preflight response."),
        "{report}"
    );

    // Two short Accept-Language values: safelisted one by one (no
    // preflight), which the report qualifies.
    let (url, log) = serve(1, |r| (200, echo(r, "https://app.example")));
    let langs = [("Accept-Language", "en"), ("accept-language", "de")];
    let (code, report) = probe(&args(&url, "GET", &langs, false));
    assert_eq!(code, EXIT_READABLE, "{report}");
    assert!(
        report.contains("note: accept-language is set more than once"),
        "{report}"
    );
    assert!(report.contains("Preflight needed? no"), "{report}");
    assert_eq!(log.lock().unwrap()[0].method, "GET");
}
