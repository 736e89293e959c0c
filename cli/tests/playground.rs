//! `cors-policy playground` over real HTTP: its three origins, the page's
//! control endpoints (policy edits refused or taken, tries predicted, bad
//! input answered with errors), the API answering under the policy in force
//! and recording what it received, the copies run as the user would run
//! them, and the limits it shares with `serve`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{TempDir, bin, code, stderr};
use serde_json::{Value, json};

/// The playground process, killed when dropped.
struct Playground {
    child: Child,
    lines: Receiver<String>,
    page: String,
    api: String,
    second: String,
}

fn authority(origin: &str) -> &str {
    origin.strip_prefix("http://").unwrap()
}

impl Playground {
    fn start(args: &[&str]) -> Playground {
        let mut child = bin()
            .args(["playground", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in stdout.lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let next = || lines.recv_timeout(Duration::from_secs(30)).unwrap();
        let first = next();
        let page = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .to_string();
        let field = |line: String, label: &str| {
            let rest = line
                .strip_prefix(label)
                .unwrap_or_else(|| panic!("{line:?} does not start with {label:?}"));
            rest.split_whitespace().next().unwrap().to_string()
        };
        assert_eq!(field(next(), "page origin:"), format!("{page}/"));
        let api = field(next(), "API origin:");
        let second = field(next(), "second page origin:");
        for o in [&page, &api, &second] {
            assert!(
                o.starts_with("http://127.0.0.1:") && !o.ends_with(":0"),
                "{o}"
            );
        }
        assert!(page != api && api != second && page != second);
        Playground {
            child,
            lines,
            page,
            api,
            second,
        }
    }

    /// The next stdout line that is not about the policy.
    fn log_line(&self) -> String {
        loop {
            let line = self.lines.recv_timeout(Duration::from_secs(10)).unwrap();
            if !line.starts_with("policy version") {
                return line;
            }
        }
    }

    fn get(&self, path: &str) -> Reply {
        send(authority(&self.page), "GET", path, &[], "")
    }

    fn post(&self, path: &str, body: &Value) -> Reply {
        send(
            authority(&self.page),
            "POST",
            path,
            &[("Content-Type", "application/json"), ("Origin", &self.page)],
            &body.to_string(),
        )
    }

    fn api(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> Reply {
        send(authority(&self.api), method, path, headers, "")
    }
}

impl Drop for Playground {
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
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {} {}", self.status, self.body))
    }
}

/// Sends one HTTP/1.1 request (`Host` is `host` unless given) and reads the
/// whole answer.
fn send(host: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut stream = TcpStream::connect(host).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
    if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {host}\r\n"));
    }
    for (n, v) in headers {
        request.push_str(&format!("{n}: {v}\r\n"));
    }
    request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
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

fn state(p: &Playground) -> Value {
    let r = p.get("/api/state");
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[test]
fn serves_the_page_and_the_runner_on_their_origins() {
    let p = Playground::start(&[]);
    let r = p.get("/");
    assert_eq!(r.status, 200);
    assert!(r.body.contains("<title>cors-policy playground</title>"));
    let csp = r.header("content-security-policy").unwrap();
    assert!(
        csp.contains(&format!("frame-src {} {}", p.page, p.second)),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    for (path, kind) in [
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/runner.js", "text/javascript; charset=utf-8"),
    ] {
        let r = p.get(path);
        assert_eq!(
            (r.status, r.header("content-type")),
            (200, Some(kind)),
            "{path}"
        );
    }
    // The runner, on the second origin too, takes orders from the page only.
    let r = send(authority(&p.second), "GET", "/runner.html", &[], "");
    assert_eq!(r.status, 200);
    assert!(
        r.body.contains(&format!("content=\"{}\"", p.page)),
        "{}",
        r.body
    );
    let csp = r.header("content-security-policy").unwrap();
    assert!(csp.contains(&format!("connect-src {}", p.api)), "{csp}");
    assert!(
        csp.contains(&format!("frame-ancestors {}", p.page)),
        "{csp}"
    );
    // The control endpoints live on the page's origin only.
    let r = send(authority(&p.second), "GET", "/api/state", &[], "");
    assert_eq!(r.status, 404);
    // Another Host (localhost, a rebound name) is sent to the address the
    // origins use, or refused.
    let r = send(authority(&p.page), "GET", "/", &[("Host", "localhost")], "");
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), Some(format!("{}/", p.page).as_str()));
    let r = send(
        authority(&p.page),
        "GET",
        "/api/state",
        &[("Host", "evil.example")],
        "",
    );
    assert_eq!(r.status, 421);
    assert_eq!(
        state(&p)["origins"],
        json!({"page": p.page, "second": p.second, "api": p.api})
    );
}

#[test]
fn control_requests_come_from_the_page_only() {
    let p = Playground::start(&[]);
    let host = authority(&p.page);
    let body = json!({"on": true}).to_string();
    // Another origin (a page elsewhere posting to loopback).
    let r = send(
        host,
        "POST",
        "/api/debug",
        &[
            ("Content-Type", "application/json"),
            ("Origin", "https://evil.example"),
        ],
        &body,
    );
    assert_eq!(r.status, 403, "{}", r.body);
    // A form post (text/plain needs no preflight): refused too.
    let r = send(
        host,
        "POST",
        "/api/debug",
        &[("Content-Type", "text/plain")],
        &body,
    );
    assert_eq!(r.status, 415, "{}", r.body);
    assert_eq!(state(&p)["debug"], false);
    // Too large.
    let big = json!({"text": "x".repeat(100_000), "format": "json"}).to_string();
    let r = send(
        host,
        "POST",
        "/api/policy",
        &[("Content-Type", "application/json")],
        &big,
    );
    assert_eq!(r.status, 413, "{}", r.body);
    // Not JSON of the right shape.
    let r = send(
        host,
        "POST",
        "/api/try",
        &[("Content-Type", "application/json")],
        "{",
    );
    assert_eq!(r.status, 400);
    assert!(
        r.json()["error"]
            .as_str()
            .unwrap()
            .starts_with("bad request")
    );
    let r = p.post("/api/debug", &json!({"on": true}));
    assert_eq!((r.status, r.json()["debug"].clone()), (200, json!(true)));
}

#[test]
fn a_refused_edit_keeps_the_policy_in_force() {
    let p = Playground::start(&[]);
    let before = state(&p)["policy"].clone();
    assert_eq!(before["version"], 1);
    let r = p.post(
        "/api/policy",
        &json!({"format": "json", "text": r#"{"allowed_origins": "*", "allow_credentials": true, "allowed_methods": ["TRACE"]}"#}),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let refused = r.json();
    assert_eq!(refused["errors"].as_array().unwrap().len(), 2, "{refused}");
    assert_eq!(refused["policy"], before);
    let r = p.post(
        "/api/policy",
        &json!({"format": "toml", "text": "allowed_origins = ["}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(state(&p)["policy"], before);
    // The API still answers under the old policy: the page's origin only.
    let r = p.api("GET", "/try/900", &[("Origin", &p.second)]);
    assert_eq!(
        (r.status, r.header("access-control-allow-origin")),
        (200, None)
    );
    assert_eq!(p.log_line(), "GET /try/900 200");

    // An accepted edit (TOML) is in force for the next request.
    let text = format!(
        "allowed_origins = [\"{}\"]\nallowed_methods = [\"PATCH\"]\n",
        p.second
    );
    let r = p.post("/api/policy", &json!({"format": "toml", "text": text}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.json(),
        json!({"text": text, "format": "toml", "version": 2})
    );
    let r = p.api(
        "OPTIONS",
        "/try/901",
        &[
            ("Origin", &p.second),
            ("Access-Control-Request-Method", "PATCH"),
        ],
    );
    assert_eq!(r.status, 204);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some(p.second.as_str())
    );
    assert_eq!(r.header("access-control-allow-methods"), Some("PATCH"));
    assert_eq!(p.log_line(), "OPTIONS /try/901 204");
}

#[test]
fn bad_input_is_answered_and_the_server_stays_up() {
    let p = Playground::start(&[]);
    let r = p.post(
        "/api/try",
        &json!({"page": "main", "method": "TRACE", "headers": "Bad Name: 1\nX-Ok: 2", "body": "json"}),
    );
    assert_eq!(r.status, 400, "{}", r.body);
    let errors = r.json()["errors"].clone();
    let fields: Vec<&str> = errors
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["method", "headers"], "{errors}");
    assert!(
        errors[1]["message"]
            .as_str()
            .unwrap()
            .contains("\"Bad Name\" is not a header name")
    );
    let r = p.post("/api/try", &json!({"page": "third", "method": "GET"}));
    assert_eq!(r.status, 400, "{}", r.body);
    let r = p.post("/api/try", &json!({"page": "main", "method": "GET"}));
    assert_eq!(r.status, 200, "{}", r.body);
}

/// The headline case: a credentialed PUT with JSON from the page, refused
/// by the default policy, predicted, sent as the browser sends it, recorded,
/// and copied as `cors-policy check` commands that print the page's text.
#[test]
fn a_try_is_predicted_recorded_and_copied() {
    let p = Playground::start(&[]);
    let r = p.post(
        "/api/try",
        &json!({"page": "main", "method": "PUT", "headers": "Content-Type: application/json", "body": "json", "credentials": true}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let plan = r.json();
    let id = plan["id"].as_u64().unwrap();
    let url = format!("{}/try/{id}", p.api);
    assert_eq!(plan["fetch"]["url"], url);
    assert_eq!(plan["verdict"]["readable"], false);
    assert_eq!(plan["verdict"]["engine_refusal"], "method_not_allowed");
    assert_eq!(
        plan["steps"].as_array().unwrap().len(),
        1,
        "the preflight only"
    );
    assert_eq!(
        plan["suggestion"]["changes"],
        json!([
            "allowed_methods: add \"PUT\"",
            "allowed_headers: add \"content-type\"",
            "allow_credentials: true"
        ])
    );

    // What the browser sends, sent to the API: recorded with its answer.
    let path = format!("/try/{id}");
    let r = p.api(
        "OPTIONS",
        &path,
        &[
            ("Origin", &p.page),
            ("Access-Control-Request-Method", "PUT"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
    );
    assert_eq!(
        r.status as u64,
        plan["steps"][0]["status"].as_u64().unwrap()
    );
    assert_eq!(p.log_line(), format!("OPTIONS {path} 403"));
    let record = p.get(&format!("/api/record/{id}")).json();
    let exchanges = record["exchanges"].as_array().unwrap();
    assert_eq!(exchanges.len(), 1, "{record}");
    assert_eq!(exchanges[0]["method"], "OPTIONS");
    assert_eq!(exchanges[0]["status"], 403);
    assert!(
        exchanges[0]["request"]
            .as_array()
            .unwrap()
            .contains(&json!(["access-control-request-method", "PUT"])),
        "{record}"
    );
    assert!(
        exchanges[0]["response"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| !h[0].as_str().unwrap().starts_with("access-control-"))
    );

    // A readable request: the model names what the page may read.
    let r = p.api("GET", &path, &[("Origin", &p.page)]);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some(p.page.as_str())
    );
    let record = p.get(&format!("/api/record/{id}")).json();
    assert_eq!(record["exchanges"].as_array().unwrap().len(), 2);
    let mut readable: Vec<&str> = record["readable"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    readable.sort_unstable();
    assert_eq!(readable, ["content-type", "x-request-id"], "{record}");
    assert_eq!(p.get("/api/record/99999").json()["exchanges"], json!([]));

    // The copy as `cors-policy check`: run by a shell, with this binary,
    // it prints the explanation the page shows, word for word.
    let dir = TempDir::new();
    let script = plan["copy"]["check"].as_str().unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(script.replace(
            "cors-policy check",
            &format!("'{}' check", env!("CARGO_BIN_EXE_cors-policy")),
        ))
        .current_dir(dir.path_of(""))
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let shown: String = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["explanation"].as_str().unwrap())
        .collect();
    assert_eq!(String::from_utf8_lossy(&out.stdout), shown);
}

/// The copy as `curl`, run when curl is installed: the API answers it as
/// the prediction says, and records it under the try.
#[test]
fn the_curl_copy_sends_what_the_browser_sends() {
    if Command::new("curl").arg("--version").output().is_err() {
        println!("SKIPPED: curl is not installed");
        return;
    }
    let p = Playground::start(&[]);
    let plan = p
        .post(
            "/api/try",
            &json!({"page": "main", "method": "POST", "headers": "X-Custom: 1", "body": "text"}),
        )
        .json();
    let id = plan["id"].as_u64().unwrap();
    let out = Command::new("sh")
        .arg("-c")
        .arg(plan["copy"]["curl"].as_str().unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("HTTP/1.1 403"), "{text}");
    let record = p.get(&format!("/api/record/{id}")).json();
    let exchanges = record["exchanges"].as_array().unwrap();
    assert_eq!(exchanges.len(), 1, "{record}");
    assert!(
        exchanges[0]["request"]
            .as_array()
            .unwrap()
            .contains(&json!(["access-control-request-headers", "x-custom"])),
        "{record}"
    );
}

#[test]
fn bad_arguments_are_refused() {
    let dir = TempDir::new();
    let bad = dir.file(
        "bad.json",
        r#"{"allowed_origins": "*", "allow_credentials": true}"#,
    );
    let out = bin()
        .args(["playground", "--listen", "127.0.0.1:0", "--policy"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("bad.json: invalid policy"), "{err}");
    let out = bin()
        .args(["playground", "--policy", "/nonexistent/policy.json"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("cannot read"), "{}", stderr(&out));
    let out = bin()
        .args(["playground", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("not a loopback address"),
        "{}",
        stderr(&out)
    );
    let out = bin()
        .args(["playground", "--listen", "127.0.0.1:65535"])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
    assert!(stderr(&out).contains("below 65534"), "{}", stderr(&out));
    // serve's limits, checked by the same code.
    let out = bin()
        .args([
            "playground",
            "--listen",
            "127.0.0.1:0",
            "--max-connections",
            "0",
        ])
        .output()
        .unwrap();
    assert_eq!(code(&out), Some(2));
    assert!(
        stderr(&out).contains("--max-connections 0"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_policy_file_is_shown_as_written() {
    let dir = TempDir::new();
    let text = "# mine\nallowed_origins = [\"https://app.example\"]\n";
    let file = dir.file("policy.toml", text);
    let p = Playground::start(&["--policy", file.to_str().unwrap()]);
    assert_eq!(
        state(&p)["policy"],
        json!({"text": text, "format": "toml", "version": 1})
    );
}

/// The API has `serve`'s header-read timeout: a client that sends no
/// complete request head within 5 s loses its connection.
#[test]
fn the_api_closes_slow_header_connections() {
    let p = Playground::start(&[]);
    let mut stream = TcpStream::connect(authority(&p.api)).unwrap();
    stream
        .write_all(b"GET /try/1 HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    let started = Instant::now();
    let mut buf = Vec::new();
    let _ = stream.read_to_end(&mut buf);
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(4) && waited < Duration::from_secs(12),
        "closed after {waited:?}"
    );
    // Still answering others.
    assert_eq!(p.api("GET", "/try/2", &[]).status, 200);
}

/// The README's Playground section: its commands are this command with
/// the default address, and its picture is in the repository.
#[test]
fn the_readme_section_shows_this_command() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let section = readme
        .split("\n## ")
        .find(|s| s.starts_with("Playground\n"))
        .expect("a Playground section in the README");
    let block = section
        .split("```sh\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .unwrap();
    for line in block.lines() {
        let command = line.split('#').next().unwrap().trim();
        assert!(
            command == "cors-policy playground"
                || command == "cargo run -p cors-policy-cli -- playground",
            "{line}"
        );
    }
    assert!(section.contains("http://127.0.0.1:8700/"));
    let help = bin().args(["playground", "--help"]).output().unwrap();
    assert!(common::stdout(&help).contains("[default: 127.0.0.1:8700]"));
    assert!(section.contains("](docs/playground.png)"));
    assert!(common::root().join("docs/playground.png").is_file());
}
