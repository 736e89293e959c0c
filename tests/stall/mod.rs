//! Slow-header clients, for the tests of the servers' header-read timeout
//! and connection limit (`cli/tests/serve_limits.rs`, the examples' tests).
//! Included with `#[path]` by those tests; not a test target itself.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Stalled connections the tests hold open at once.
pub const STALLED: usize = 300;

/// Makes sure this process (and the servers it starts, which inherit the
/// limit) may open `needed` file descriptors, raising the soft limit up to
/// the hard one if it is lower. Panics, naming the limits, when it cannot.
pub fn ensure_fd_limit(needed: u64) {
    let (soft, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).expect("read RLIMIT_NOFILE");
    if soft >= needed {
        return;
    }
    assert!(
        hard >= needed,
        "this test needs {needed} file descriptors; the hard limit is {hard} (raise it with ulimit -Hn)"
    );
    rlimit::setrlimit(rlimit::Resource::NOFILE, needed, hard).expect("raise RLIMIT_NOFILE");
}

/// A connection that sent part of a request's headers and then nothing.
pub struct Stalled {
    stream: TcpStream,
    pub opened: Instant,
}

impl Stalled {
    /// Connects and sends an unfinished request head (or nothing at all
    /// when `silent`).
    pub fn open(addr: SocketAddr, silent: bool) -> Stalled {
        let mut stream =
            TcpStream::connect_timeout(&addr, Duration::from_secs(5)).expect("connect");
        let opened = Instant::now();
        if !silent {
            stream
                .write_all(b"GET /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: 1")
                .expect("send part of a head");
        }
        Stalled { stream, opened }
    }

    /// Waits until the server closes the connection (end of stream or a
    /// reset), reading and dropping what it sends (a 408, say); returns
    /// how long after opening that was, or `None` if it was still open
    /// after `limit`.
    pub fn closed_after(mut self, limit: Duration) -> Option<Duration> {
        let deadline = self.opened + limit;
        let mut buf = [0u8; 512];
        loop {
            let left = deadline.checked_duration_since(Instant::now())?;
            self.stream
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .ok()?;
            match self.stream.read(&mut buf) {
                Ok(0) => return Some(self.opened.elapsed()),
                Ok(_) => continue,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    if Instant::now() >= deadline {
                        return None;
                    }
                }
                Err(_) => return Some(self.opened.elapsed()), // reset
            }
        }
    }
}

/// Sends one complete `GET path` (Connection: close) and returns the
/// status, or an error after `limit`.
pub fn get(addr: SocketAddr, path: &str, limit: Duration) -> Result<u16, String> {
    let mut stream = TcpStream::connect_timeout(&addr, limit).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(limit))
        .map_err(|e| e.to_string())?;
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream
        .read_to_end(&mut raw)
        .map_err(|e| format!("no answer: {e}"))?;
    let text = String::from_utf8_lossy(&raw);
    text.split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("not an HTTP answer: {text:?}"))
}

/// The checks the issue asks for, against a server at `addr` whose
/// documented header-read timeout is `timeout`:
/// - while [`STALLED`] slow-header connections are open, new requests are
///   answered promptly;
/// - every stalled connection is closed within `timeout` (plus slack for a
///   loaded machine), and not long before it.
pub fn check_stalled_connections(addr: SocketAddr, path: &str, timeout: Duration) {
    // Each side (this process, the server) holds STALLED sockets and a few more.
    ensure_fd_limit(2 * STALLED as u64 + 128);
    // Half send an unfinished head, half nothing at all.
    let stalled: Vec<Stalled> = (0..STALLED)
        .map(|i| Stalled::open(addr, i % 2 == 0))
        .collect();
    let opened = stalled[0].opened;

    for _ in 0..10 {
        let asked = Instant::now();
        assert_eq!(
            get(addr, path, Duration::from_secs(3)),
            Ok(200),
            "a new request while {STALLED} stalled connections are open"
        );
        assert!(asked.elapsed() < Duration::from_secs(3));
    }
    assert!(
        opened.elapsed() < timeout,
        "the new requests must be checked while the stalled connections are still open"
    );

    let slack = Duration::from_secs(3);
    let handles: Vec<_> = stalled
        .into_iter()
        .map(|s| std::thread::spawn(move || s.closed_after(timeout + slack)))
        .collect();
    let closed: Vec<Option<Duration>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let open = closed.iter().filter(|c| c.is_none()).count();
    assert_eq!(
        open,
        0,
        "{open} of {STALLED} stalled connections still open {:?} after they were opened",
        timeout + slack
    );
    let earliest = closed.iter().flatten().min().copied().unwrap();
    assert!(
        earliest + Duration::from_millis(500) >= timeout,
        "a stalled connection closed after {earliest:?}, long before the {timeout:?} timeout"
    );
}

/// A demo server (`examples/axum_server`, `examples/actix_server`) started
/// from the test binary's target directory; killed when dropped. Its
/// stdout is drained; its stderr lines are kept for [`Example::log_line`].
pub struct Example {
    child: std::process::Child,
    pub addr: SocketAddr,
    stderr: std::sync::mpsc::Receiver<String>,
}

impl Example {
    /// Starts `name` with `args` after `--listen 127.0.0.1:0`; `None` (the
    /// caller prints SKIPPED) when `cargo test` did not build it.
    pub fn start(name: &str, args: &[&std::ffi::OsStr]) -> Option<Example> {
        use std::io::{BufRead, BufReader};
        let exe = std::env::current_exe().ok()?;
        let bin = exe.parent()?.parent()?.join("examples").join(name);
        if !bin.exists() {
            return None;
        }
        let mut child = std::process::Command::new(bin)
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("RUST_LOG")
            .env_remove("CORS_ALLOWED_ORIGINS")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("start the example");
        let mut stdout = BufReader::new(child.stdout.take().expect("piped"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("the first line");
        let addr = first
            .trim_end()
            .strip_prefix("listening on http://")
            .unwrap_or_else(|| panic!("first line {first:?}"))
            .parse()
            .expect("an address");
        std::thread::spawn(move || for _ in stdout.lines() {});
        let (tx, stderr) = std::sync::mpsc::channel();
        let err = BufReader::new(child.stderr.take().expect("piped"));
        std::thread::spawn(move || {
            for line in err.lines() {
                let Ok(line) = line else { return };
                let _ = tx.send(line);
            }
        });
        Some(Example {
            child,
            addr,
            stderr,
        })
    }

    /// Waits (at most 10 s) for a stderr line containing every one of
    /// `parts`, and returns it.
    pub fn log_line(&self, parts: &[&str]) -> String {
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

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `Access-Control-Allow-Origin` of a `GET path` from `origin`, if any
/// (the answer must be 200).
pub fn allow_origin(addr: SocketAddr, path: &str, origin: &str) -> Option<String> {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).expect("an answer");
    let raw = String::from_utf8_lossy(&raw);
    assert!(raw.starts_with("HTTP/1.1 200"), "{raw}");
    raw.lines().find_map(|l| {
        l.to_ascii_lowercase()
            .strip_prefix("access-control-allow-origin:")
            .map(|v| v.trim().to_string())
    })
}

/// Polls `done` every 20 ms for at most 20 s.
pub fn wait_for(what: &str, done: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Replaces `path` with `text` by a rename, as deployment tools do.
pub fn replace(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

/// The demo servers' shared checks for issue 15: the stalled-connection
/// checks, one `debug` refusal event with its code (bounded for a 16 KiB
/// origin), and hot reload of the private API's policy with `--policy`.
pub fn check_example(name: &str, header_read_timeout: Duration) {
    let Some(demo) = Example::start(name, &[]) else {
        eprintln!("SKIPPED: examples/{name} not built (run `cargo test` without --test)");
        return;
    };
    check_stalled_connections(demo.addr, "/public/x", header_read_timeout);

    // The private API refuses this origin: one event, with its code.
    assert_eq!(
        allow_origin(demo.addr, "/private/x", "https://evil.example"),
        None
    );
    let line = demo.log_line(&["CORS request refused"]);
    assert!(
        line.contains("DEBUG") && line.contains("code=\"origin_not_allowed\""),
        "{line}"
    );
    let huge = format!("https://{}.example", "a".repeat(16 * 1024));
    assert_eq!(allow_origin(demo.addr, "/private/x", &huge), None);
    let line = demo.log_line(&["CORS request refused", "(first 128 of 16400 bytes)"]);
    assert!(line.len() < 1024, "{} bytes: {line}", line.len());
    drop(demo);

    // Hot reload: the private API's policy from a watched file.
    let dir = std::env::temp_dir().join(format!("cors-policy-{name}-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    let file = dir.join("policy.json");
    let policy = |o: &str| format!(r#"{{"allowed_origins": ["{o}"], "allow_credentials": true}}"#);
    std::fs::write(&file, policy("https://a.example")).expect("write");
    let demo = Example::start(name, &[std::ffi::OsStr::new("--policy"), file.as_os_str()])
        .expect("built above");
    let addr = demo.addr;
    assert!(allow_origin(addr, "/private/x", "https://a.example").is_some());
    replace(&file, &policy("https://b.example"));
    wait_for("the new policy", || {
        allow_origin(addr, "/private/x", "https://b.example").is_some()
    });
    assert_eq!(allow_origin(addr, "/private/x", "https://a.example"), None);
    replace(
        &file,
        r#"{"allowed_origins": "*", "allow_credentials": true}"#,
    );
    demo.log_line(&["WARN", "the current one stays", "allow_credentials"]);
    assert!(allow_origin(addr, "/private/x", "https://b.example").is_some());
    drop(demo);
    let _ = std::fs::remove_dir_all(&dir);
}
