//! `cors-policy serve --watch` (hot reload) and its refusal log (issue 15,
//! items 1 and 5).

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use common::{TempDir, bin};

fn policy(origin: &str) -> String {
    format!(r#"{{"allowed_origins": ["{origin}"]}}"#)
}

/// `serve --watch`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    stderr: Receiver<String>,
}

impl Server {
    fn start(policy: &std::path::Path, watch: bool) -> Server {
        let mut cmd = bin();
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--policy"])
            .arg(policy)
            .env_remove("RUST_LOG");
        if watch {
            cmd.arg("--watch");
        }
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        stdout.read_line(&mut first).unwrap();
        let addr = first
            .trim_end()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .to_string();
        std::thread::spawn(move || for _ in stdout.lines() {});
        let (tx, stderr) = channel();
        let err = BufReader::new(child.stderr.take().unwrap());
        std::thread::spawn(move || {
            for line in err.lines() {
                let Ok(line) = line else { return };
                let _ = tx.send(line);
            }
        });
        Server {
            child,
            addr,
            stderr,
        }
    }

    /// The `Access-Control-Allow-Origin` of a GET from `origin`, if any.
    fn allow_origin(&self, origin: &str) -> Option<String> {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(
            s,
            "GET /items HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
        raw.lines().find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("access-control-allow-origin:")
                .map(|v| v.trim().to_string())
        })
    }

    /// Waits (at most 10 s) for a stderr line containing every one of
    /// `parts`, and returns it.
    fn log_line(&self, parts: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.stderr.recv_timeout(left) {
                Ok(line) if parts.iter().all(|p| line.contains(p)) => return line,
                Ok(_) => {}
                Err(_) => panic!("no log line with {parts:?}"),
            }
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Polls `done` every 20 ms for at most 20 s.
fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn replace(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

#[test]
fn watch_swaps_valid_versions_and_keeps_serving_through_invalid_ones() {
    let dir = TempDir::new();
    let file = dir.file("policy.json", &policy("https://a.example"));
    let server = Server::start(&file, true);
    assert_eq!(
        server.allow_origin("https://a.example").as_deref(),
        Some("https://a.example")
    );
    assert_eq!(server.allow_origin("https://b.example"), None);

    replace(&file, &policy("https://b.example"));
    wait_for("b allowed", || {
        server.allow_origin("https://b.example").is_some()
    });
    assert_eq!(server.allow_origin("https://a.example"), None);
    server.log_line(&["CORS policy reloaded"]);

    // Invalid: refused, logged with its errors; b is still allowed.
    replace(
        &file,
        r#"{"allowed_origins": "*", "allow_credentials": true}"#,
    );
    let line = server.log_line(&["WARN", "the current one stays", "allow_credentials"]);
    assert!(line.contains("policy.json"), "{line}");
    assert_eq!(
        server.allow_origin("https://b.example").as_deref(),
        Some("https://b.example")
    );

    // Deleted, then created again.
    std::fs::remove_file(&file).unwrap();
    server.log_line(&["WARN", "cannot read"]);
    assert!(server.allow_origin("https://b.example").is_some());
    std::fs::write(&file, policy("https://c.example")).unwrap();
    wait_for("c allowed", || {
        server.allow_origin("https://c.example").is_some()
    });
}

#[test]
fn each_refusal_is_one_bounded_log_event_with_its_code() {
    let dir = TempDir::new();
    let file = dir.file("policy.json", &policy("https://a.example"));
    let server = Server::start(&file, false);
    assert_eq!(server.allow_origin("https://evil.example"), None);
    let line = server.log_line(&["CORS request refused"]);
    assert!(line.contains("DEBUG"), "{line}");
    assert!(line.contains("code=\"origin_not_allowed\""), "{line}");
    assert!(
        line.contains("origin \"https://evil.example\" is not allowed"),
        "{line}"
    );
    assert!(line.contains("path=\"/items\""), "{line}");

    // 16 KiB of origin: the line shows 128 bytes of it and its length.
    let huge = format!("https://{}.example", "a".repeat(16 * 1024));
    assert_eq!(server.allow_origin(&huge), None);
    let line = server.log_line(&["CORS request refused", "of 16400 bytes"]);
    assert!(line.len() < 1024, "{} bytes: {line}", line.len());
}
