//! Runs a demo server binary (`examples/axum_server`, `examples/actix_server`)
//! and checks the interface the browser end-to-end suite relies on: the
//! `listening on` line, the request log lines, the two APIs and their
//! policies, the `CORS_*` variables with their fallbacks.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use crate::client::{header, send};

/// A running example; killed when dropped.
pub struct Example {
    child: Child,
    lines: Receiver<String>,
    pub base: String,
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Example {
    /// Starts `target/<profile>/examples/<name>`, which `cargo test` builds;
    /// `None` (the caller reports the check as skipped) when it was not built.
    pub fn start(name: &str, env: &[(&str, &str)]) -> Option<Example> {
        let exe = std::env::current_exe().ok()?;
        let bin = exe.parent()?.parent()?.join("examples").join(name);
        if !bin.exists() {
            return None;
        }
        let mut cmd = Command::new(bin);
        cmd.args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for var in [
            "CORS_ALLOWED_ORIGINS",
            "CORS_ALLOW_CREDENTIALS",
            "CORS_ALLOWED_METHODS",
            "CORS_ALLOWED_HEADERS",
            "CORS_EXPOSE_HEADERS",
            "CORS_MAX_AGE",
            "CORS_ALLOW_PRIVATE_NETWORK",
        ] {
            cmd.env_remove(var);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start the example");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        let first = lines
            .recv_timeout(Duration::from_secs(30))
            .expect("a first line");
        let base = first
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .to_string();
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        assert!(!base.ends_with(":0"), "the real port is printed: {base}");
        Some(Example { child, lines, base })
    }

    /// The next request log line.
    pub fn next_line(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(10))
            .expect("a log line")
    }
}

/// The checks shared by both demo servers.
pub async fn check_demo(name: &str) {
    let Some(demo) = Example::start(name, &[]) else {
        eprintln!("SKIPPED: examples/{name} not built (run `cargo test` without --test)");
        return;
    };
    let client = reqwest::Client::new();
    let base = &demo.base;

    let o = send(
        &client,
        &format!("{base}/private/items"),
        "OPTIONS",
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "PATCH"),
            (
                "access-control-request-headers",
                "content-type,x-custom-header",
            ),
        ],
    )
    .await;
    assert_eq!(o.status, 204);
    assert_eq!(
        header(&o, "access-control-allow-origin"),
        ["https://app.example"]
    );
    assert_eq!(header(&o, "access-control-allow-credentials"), ["true"]);
    assert_eq!(header(&o, "access-control-allow-methods"), ["PATCH"]);
    assert_eq!(header(&o, "access-control-max-age"), ["600"]);
    assert_eq!(demo.next_line(), "OPTIONS /private/items 204");

    let res = client
        .get(format!("{base}/private/items"))
        .header("origin", "https://app.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers().clone();
    assert_eq!(h["x-request-id"], "42");
    assert_eq!(h["x-unexposed"], "1");
    assert_eq!(h["access-control-expose-headers"], "x-request-id");
    let body: serde_json::Value = serde_json::from_slice(&res.bytes().await.unwrap()).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"api": "private", "method": "GET", "path": "/private/items"})
    );
    assert_eq!(demo.next_line(), "GET /private/items 200");

    let o = send(
        &client,
        &format!("{base}/public/a/error"),
        "DELETE",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(o.status, 500);
    assert_eq!(header(&o, "access-control-allow-origin"), ["*"]);
    assert_eq!(
        header(&o, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert_eq!(demo.next_line(), "DELETE /public/a/error 500");

    let o = send(
        &client,
        &format!("{base}/public/a"),
        "OPTIONS",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PROPFIND"),
        ],
    )
    .await;
    assert_eq!(o.status, 204);
    assert_eq!(header(&o, "access-control-allow-origin"), ["*"]);
    assert_eq!(demo.next_line(), "OPTIONS /public/a 204");

    let o = send(
        &client,
        &format!("{base}/private/items"),
        "OPTIONS",
        &[
            ("origin", "https://evil.example"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(o.status, 403);
    assert_eq!(demo.next_line(), "OPTIONS /private/items 403");
    drop(demo);

    // The private API's policy from the environment; unset variables keep
    // the demo's defaults (max age 600, credentials).
    let demo = Example::start(
        name,
        &[
            ("CORS_ALLOWED_ORIGINS", "https://other.example"),
            ("CORS_ALLOWED_METHODS", "PUT"),
        ],
    )
    .expect("built above");
    let base = &demo.base;
    let o = send(
        &client,
        &format!("{base}/private/x"),
        "GET",
        &[("origin", "https://app.example")],
    )
    .await;
    assert!(header(&o, "access-control-allow-origin").is_empty());
    let o = send(
        &client,
        &format!("{base}/private/x"),
        "OPTIONS",
        &[
            ("origin", "https://other.example"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(o.status, 204);
    assert_eq!(
        header(&o, "access-control-allow-origin"),
        ["https://other.example"]
    );
    assert_eq!(header(&o, "access-control-allow-credentials"), ["true"]);
    assert_eq!(header(&o, "access-control-max-age"), ["600"]);
    let o = send(
        &client,
        &format!("{base}/private/x"),
        "OPTIONS",
        &[
            ("origin", "https://other.example"),
            ("access-control-request-method", "PATCH"),
        ],
    )
    .await;
    assert_eq!(o.status, 403);
    drop(demo);

    // A bad variable: the server refuses to start, saying why.
    let exe = std::env::current_exe().unwrap();
    let bin = exe
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .join("examples")
        .join(name);
    let out = Command::new(bin)
        .args(["--listen", "127.0.0.1:0"])
        .env("CORS_ALLOWED_ORIGINS", "*")
        .env("CORS_ALLOW_CREDENTIALS", "true")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
    assert!(!out.stderr.is_empty());
}
