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
    ensure_fd_limit(4 * STALLED as u64);
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
