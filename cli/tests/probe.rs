//! `cors-policy probe` end to end: the binary probing `cors-policy serve`
//! (started on 127.0.0.1 port 0) and small misconfigured servers started
//! here, on loopback only. Exit codes: 0 readable, 1 blocked, 2 usage or
//! network error.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Child, ChildStdout, Output, Stdio};

use common::{TempDir, bin, code, stdout};

const POLICY: &str = r#"{
    "allowed_origins": ["https://app.example", "https://*.app.example"],
    "allow_credentials": true,
    "allowed_methods": ["PUT", "DELETE"],
    "allowed_headers": ["content-type", "x-trace"],
    "expose_headers": ["x-request-id"],
    "max_age": 3600
}"#;

/// `cors-policy serve` on a free loopback port, killed when dropped.
struct Serve {
    child: Child,
    log: BufReader<ChildStdout>,
    url: String,
    _dir: TempDir,
}

impl Serve {
    fn start() -> Serve {
        let dir = TempDir::new();
        let policy = dir.file("policy.json", POLICY);
        let mut child = bin()
            .args(["serve", "--listen", "127.0.0.1:0", "--policy"])
            .arg(&policy)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start cors-policy serve");
        let mut log = BufReader::new(child.stdout.take().expect("piped stdout"));
        let mut first = String::new();
        log.read_line(&mut first).expect("first line");
        let url = first
            .trim_end()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .to_string();
        Serve {
            child,
            log,
            url,
            _dir: dir,
        }
    }

    /// The next `METHOD PATH STATUS` line the server logged.
    fn next_log(&mut self) -> String {
        let mut line = String::new();
        self.log.read_line(&mut line).expect("log line");
        line.trim_end().to_string()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn probe(url: &str, origin: &str, extra: &[&str]) -> Output {
    bin()
        .args(["probe", url, "--origin", origin])
        .args(extra)
        .output()
        .expect("run cors-policy probe")
}

#[test]
fn preflighted_credentialed_put_is_readable() {
    let mut serve = Serve::start();
    let out = probe(
        &format!("{}/items", serve.url),
        "https://eu.app.example",
        &[
            "--method",
            "PUT",
            "-H",
            "Content-Type: application/json",
            "-H",
            "X-Trace: 1",
            "--credentials",
        ],
    );
    let report = stdout(&out);
    assert_eq!(code(&out), Some(0), "{report}");
    assert!(report.contains("1. Preflight needed? yes"), "{report}");
    assert!(
        report.contains("> Access-Control-Request-Headers: content-type,x-trace"),
        "{report}"
    );
    assert!(
        report.contains("ok: the browser accepts the preflight"),
        "{report}"
    );
    assert!(
        report.contains("cached for: Chromium 3600 s, Firefox 3600 s, WebKit 600 s"),
        "{report}"
    );
    assert!(report.contains("x-request-id"), "{report}");
    assert!(
        report.contains("hidden from the script: x-unexposed"),
        "{report}"
    );
    assert!(report.contains("result: READABLE"), "{report}");
    assert_eq!(serve.next_log(), "OPTIONS /items 204");
    assert_eq!(serve.next_log(), "PUT /items 200");
}

#[test]
fn an_error_response_with_cors_headers_is_still_readable() {
    let mut serve = Serve::start();
    let out = probe(
        &format!("{}/x/error", serve.url),
        "https://app.example",
        &[],
    );
    let report = stdout(&out);
    assert_eq!(code(&out), Some(0), "{report}");
    assert!(report.contains("Preflight needed? no"), "{report}");
    assert!(report.contains("< HTTP 500"), "{report}");
    assert_eq!(serve.next_log(), "GET /x/error 500");
}

#[test]
fn refusals_by_the_policy_are_blocked() {
    let serve = Serve::start();
    let url = format!("{}/items", serve.url);
    let cases: &[(&str, &[&str], &str)] = &[
        // A header the policy does not list: the preflight gets 403 and no
        // CORS header.
        (
            "https://app.example",
            &["-H", "X-Other: 1"],
            "request headers x-other",
        ),
        // A method the policy does not list.
        (
            "https://app.example",
            &["--method", "PATCH"],
            "the method PATCH",
        ),
        // An origin the policy does not list, on a simple request.
        (
            "https://app.example.evil",
            &[],
            "no Access-Control-Allow-Origin header is present",
        ),
    ];
    for (origin, extra, phrase) in cases {
        let out = probe(&url, origin, extra);
        let report = stdout(&out);
        assert_eq!(code(&out), Some(1), "{report}");
        assert!(report.contains(phrase), "{phrase}: {report}");
        assert!(report.contains("fix: "), "{report}");
        assert!(report.contains("result: BLOCKED"), "{report}");
    }
}

/// A status and header lines for a request method.
type Answer = fn(&str) -> (u16, &'static [(&'static str, &'static str)]);

/// A one-connection-at-a-time server answering every request with the
/// headers `answer` gives for its method; at most `max` connections.
fn misconfigured(max: usize, answer: Answer) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(mut stream) = stream else { continue };
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.extend_from_slice(&byte);
            }
            let text = String::from_utf8_lossy(&head);
            let method = text.split(' ').next().unwrap_or("");
            let (status, headers) = answer(method);
            let mut out = format!("HTTP/1.1 {status} X\r\n");
            for (n, v) in headers {
                out.push_str(&format!("{n}: {v}\r\n"));
            }
            out.push_str("Content-Length: 0\r\nConnection: close\r\n\r\n");
            let _ = stream.write_all(out.as_bytes());
        }
    });
    url
}

#[test]
fn misconfigured_servers_are_blocked_with_the_fix() {
    /// What is wrong, the server, probe arguments, the refusal code.
    type Case<'a> = (&'a str, Answer, &'a [&'a str], &'a str);
    let cases: &[Case<'_>] = &[
        (
            "`*` with credentials",
            |_| {
                (
                    200,
                    &[
                        ("Access-Control-Allow-Origin", "*"),
                        ("Access-Control-Allow-Credentials", "true"),
                    ],
                )
            },
            &["--credentials"],
            "wildcard_origin_with_credentials",
        ),
        ("no ACAO", |_| (200, &[]), &[], "missing_allow_origin"),
        (
            "preflight answered 500",
            |m| {
                let h: &'static [(&str, &str)] = &[
                    ("Access-Control-Allow-Origin", "https://app.example"),
                    ("Access-Control-Allow-Methods", "PUT"),
                ];
                (if m == "OPTIONS" { 500 } else { 200 }, h)
            },
            &["--method", "PUT"],
            "preflight_status",
        ),
        (
            "`*` for authorization",
            |_| {
                (
                    204,
                    &[
                        ("Access-Control-Allow-Origin", "*"),
                        ("Access-Control-Allow-Headers", "*"),
                    ],
                )
            },
            &["-H", "Authorization: Bearer t"],
            "authorization_not_allowed",
        ),
    ];
    for (what, answer, extra, code_name) in cases {
        let url = misconfigured(2, *answer);
        let out = probe(&url, "https://app.example", extra);
        let report = stdout(&out);
        assert_eq!(code(&out), Some(1), "{what}: {report}");
        assert!(report.contains(code_name), "{what}: {report}");
        assert!(report.contains("fix: "), "{what}: {report}");
    }
}

#[test]
fn network_and_usage_errors_exit_2() {
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}", l.local_addr().expect("addr"))
    };
    let out = probe(&closed, "https://app.example", &[]);
    assert_eq!(code(&out), Some(2), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("error: cannot connect"),
        "{}",
        stdout(&out)
    );

    let out = probe("https://127.0.0.1:9/", "https://app.example", &[]);
    assert_eq!(code(&out), Some(2), "{}", stdout(&out));
    let out = probe("http://127.0.0.1:9/", "https://app.example/", &[]);
    assert_eq!(code(&out), Some(2), "{}", stdout(&out));
    // No --origin at all: the argument parser's usage error.
    let out = bin()
        .args(["probe", "http://127.0.0.1:9/"])
        .output()
        .expect("run");
    assert_eq!(code(&out), Some(2));
}
