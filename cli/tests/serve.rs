//! `cors-policy serve`: started on port 0, it answers real HTTP requests
//! behind the policy and logs one line per request.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStdout, Stdio};
use std::time::Duration;

use common::{TempDir, bin, code, stderr};

const POLICY: &str = r#"{
    "allowed_origins": ["https://app.example"],
    "allow_credentials": true,
    "allowed_methods": ["PUT"],
    "allowed_headers": ["content-type"],
    "expose_headers": ["x-request-id"],
    "max_age": 600
}"#;

/// The server process, killed when dropped.
struct Server {
    child: Child,
    lines: BufReader<ChildStdout>,
    addr: String,
    _dir: TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = TempDir::new();
        let policy = dir.file("policy.json", POLICY);
        let mut child = bin()
            .args(["serve", "--listen", "127.0.0.1:0", "--policy"])
            .arg(&policy)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        lines.read_line(&mut first).unwrap();
        let addr = first
            .trim_end()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .to_string();
        assert!(
            addr.starts_with("127.0.0.1:") && !addr.ends_with(":0"),
            "{addr}"
        );
        Server {
            child,
            lines,
            addr,
            _dir: dir,
        }
    }

    /// Sends one request; returns the status, the headers (names in lower
    /// case) and the body.
    fn send(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (n, v) in headers {
            request.push_str(&format!("{n}: {v}\r\n"));
        }
        request.push_str("Content-Length: 0\r\n\r\n");
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let text = String::from_utf8(raw).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        let mut head = head.split("\r\n");
        let status = head
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers = head
            .map(|l| {
                let (n, v) = l.split_once(':').unwrap();
                (n.to_ascii_lowercase(), v.trim().to_string())
            })
            .collect();
        Reply {
            status,
            headers,
            body: body.to_string(),
        }
    }

    fn log_line(&mut self) -> String {
        let mut line = String::new();
        self.lines.read_line(&mut line).unwrap();
        line.trim_end().to_string()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn get(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

#[test]
fn serves_the_policy_and_logs_each_request() {
    let mut server = Server::start();

    // An allowed preflight: 204 from the CORS layer.
    let r = server.send(
        "OPTIONS",
        "/items",
        &[
            ("Origin", "https://app.example"),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        r.get("access-control-allow-origin"),
        ["https://app.example"]
    );
    assert_eq!(r.get("access-control-allow-credentials"), ["true"]);
    assert_eq!(r.get("access-control-allow-methods"), ["PUT"]);
    assert_eq!(r.get("access-control-allow-headers"), ["content-type"]);
    assert_eq!(r.get("access-control-max-age"), ["600"]);
    assert_eq!(server.log_line(), "OPTIONS /items 204");

    // A refused preflight: 403, no CORS header, the application not called.
    let r = server.send(
        "OPTIONS",
        "/items",
        &[
            ("Origin", "https://app.example"),
            ("Access-Control-Request-Method", "PATCH"),
        ],
    );
    assert_eq!(r.status, 403);
    assert!(r.get("access-control-allow-origin").is_empty());
    assert!(!r.body.contains("\"path\""), "{}", r.body);
    assert_eq!(server.log_line(), "OPTIONS /items 403");

    // An allowed actual request: the application's answer with CORS headers.
    let r = server.send("PUT", "/items/7", &[("Origin", "https://app.example")]);
    assert_eq!(r.status, 200);
    let body: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"method": "PUT", "path": "/items/7"})
    );
    assert_eq!(
        r.get("access-control-allow-origin"),
        ["https://app.example"]
    );
    assert_eq!(r.get("access-control-expose-headers"), ["x-request-id"]);
    assert_eq!(r.get("x-request-id"), ["42"]);
    assert_eq!(r.get("x-unexposed"), ["1"]);
    assert!(
        r.get("vary")
            .iter()
            .any(|v| v.contains("Origin") || v.contains("origin")),
        "{:?}",
        r.headers
    );
    assert_eq!(server.log_line(), "PUT /items/7 200");

    // A refused origin: the application still answers, without CORS headers.
    let r = server.send("GET", "/items", &[("Origin", "https://evil.example")]);
    assert_eq!(r.status, 200);
    assert!(r.get("access-control-allow-origin").is_empty());
    assert_eq!(server.log_line(), "GET /items 200");

    // A path ending in /error: 500, CORS headers still on it.
    let r = server.send(
        "DELETE",
        "/things/error",
        &[("Origin", "https://app.example")],
    );
    assert_eq!(r.status, 500);
    assert_eq!(
        r.get("access-control-allow-origin"),
        ["https://app.example"]
    );
    assert_eq!(server.log_line(), "DELETE /things/error 500");

    // Not CORS at all.
    let r = server.send("POST", "/", &[]);
    assert_eq!(r.status, 200);
    assert!(r.get("access-control-allow-origin").is_empty());
    assert_eq!(server.log_line(), "POST / 200");
}

#[test]
fn refuses_non_loopback_addresses_and_bad_policies() {
    let dir = TempDir::new();
    let policy = dir.file("policy.json", POLICY);
    let policy = policy.to_str().unwrap();
    for listen in ["0.0.0.0:0", "[::]:0", "192.0.2.1:8080", "nonsense"] {
        let out = bin()
            .args(["serve", "--policy", policy, "--listen", listen])
            .output()
            .unwrap();
        assert_eq!(code(&out), Some(2), "{listen}");
        assert!(out.stdout.is_empty(), "{listen}");
        assert!(!stderr(&out).is_empty(), "{listen}");
    }
    let bad = dir.file(
        "bad.json",
        r#"{"allowed_origins": "*", "allow_credentials": true}"#,
    );
    let out = bin()
        .args(["serve", "--listen", "127.0.0.1:0", "--policy"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("invalid policy"), "{}", stderr(&out));
}

/// Runs `cors-policy probe` with `args`.
fn probe(args: &[&str]) -> std::process::Output {
    bin().arg("probe").args(args).output().unwrap()
}

#[test]
fn probe_judges_the_served_policy_as_a_browser() {
    let mut server = Server::start();
    let url = format!("http://{}/items", server.addr);

    // A credentialed PUT with a JSON body type: preflight, then the request.
    let out = probe(&[
        &url,
        "--origin",
        "https://app.example",
        "--method",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "--credentials",
    ]);
    let text = common::stdout(&out);
    assert_eq!(code(&out), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("READABLE"), "{text}");
    assert_eq!(server.log_line(), "OPTIONS /items 204");
    assert_eq!(server.log_line(), "PUT /items 200");

    // A header the policy does not allow: the preflight fails.
    let out = probe(&[
        &url,
        "--origin",
        "https://app.example",
        "--method",
        "PUT",
        "-H",
        "X-Api-Key: 1",
    ]);
    assert_eq!(code(&out), Some(1), "{}", common::stdout(&out));
    assert!(common::stdout(&out).contains("BLOCKED"));
    assert_eq!(server.log_line(), "OPTIONS /items 403");

    // A refused origin on a simple GET: the server answers, the browser blocks.
    let out = probe(&[&url, "--origin", "https://evil.example"]);
    assert_eq!(code(&out), Some(1), "{}", common::stdout(&out));
    assert_eq!(server.log_line(), "GET /items 200");

    // Usage errors exit 2.
    for bad in [
        &["--origin", "https://app.example"][..],
        &[
            url.as_str(),
            "--origin",
            "https://app.example",
            "-H",
            "no colon",
        ][..],
    ] {
        let out = probe(bad);
        assert_eq!(code(&out), Some(2), "{bad:?}");
    }
}

#[test]
fn probe_of_an_unreachable_server_exits_2() {
    // Bind a port, then free it, so nothing listens there.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = probe(&[
        &format!("http://127.0.0.1:{port}/"),
        "--origin",
        "https://app.example",
    ]);
    assert_eq!(code(&out), Some(2), "{}", common::stdout(&out));
    assert!(
        common::stdout(&out).contains("error:"),
        "{}",
        common::stdout(&out)
    );
}
