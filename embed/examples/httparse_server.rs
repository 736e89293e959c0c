//! cors-policy in a server of its own: `std::net` and `httparse`, the shape
//! of a proxy or a custom stack, answering through the core alone. The
//! core reads the parser's header slices in place (`Request::from_fn`), and
//! the answer is written from `Decision::headers` and `Decision::vary_value`.
//!
//! `cargo run -p cors-policy-embed --example httparse_server -- --listen
//! 127.0.0.1:8080`, then for instance `curl -i -X OPTIONS -H 'origin:
//! https://app.example' -H 'access-control-request-method: PUT'
//! http://127.0.0.1:8080/items`. One request per connection, heads of at
//! most 8 KiB and 64 header lines (431 beyond): a demonstration, not a
//! production server.

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use cors_policy::{Policy, PolicyBuilder, Request, evaluate};

/// The demo's policy, checked when the program is compiled.
static POLICY: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&["https://app.example"])
    .allow_methods(&["GET", "PUT"])
    .allow_headers(&["content-type"])
    .expose_headers(&["x-request-id"])
    .max_age(600)
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid CORS policy"),
};

/// The most bytes and header lines of a request head.
const MAX_HEAD: usize = 8 * 1024;
const MAX_HEADERS: usize = 64;

/// Serves `listener`, a thread per connection; `policy_for` gives the
/// policy of a path (`None`: 404).
pub fn serve<const N: usize>(
    listener: TcpListener,
    policy_for: impl Fn(&str) -> Option<&'static Policy<'static, N>> + Send + Sync + 'static,
) -> io::Result<()> {
    let policy_for = Arc::new(policy_for);
    for stream in listener.incoming() {
        let (stream, policy_for) = (stream?, Arc::clone(&policy_for));
        std::thread::spawn(move || handle(stream, &*policy_for));
    }
    Ok(())
}

fn handle<const N: usize>(
    mut stream: TcpStream,
    policy_for: &dyn Fn(&str) -> Option<&'static Policy<'static, N>>,
) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(5)))?;
    // Read until the head is complete (an empty line), then parse it once.
    let mut buf = vec![0; MAX_HEAD];
    let mut len = 0;
    loop {
        let n = stream.read(&mut buf[len..])?;
        if n == 0 {
            return Ok(()); // the client went away
        }
        // Only the new bytes (and the three before) can end the head.
        let from = len.saturating_sub(3);
        len += n;
        if buf[from..len].windows(4).any(|w| w == b"\r\n\r\n") {
            break;
        }
        if len == MAX_HEAD {
            return stream.write_all(b"HTTP/1.1 431 Too Large\r\nconnection: close\r\n\r\n");
        }
    }
    let mut lines = [httparse::EMPTY_HEADER; MAX_HEADERS];
    let mut req = httparse::Request::new(&mut lines);
    match req.parse(&buf[..len]) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) | Err(httparse::Error::TooManyHeaders) => {
            return stream.write_all(b"HTTP/1.1 431 Too Large\r\nconnection: close\r\n\r\n");
        }
        Err(_) => {
            return stream.write_all(b"HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
        }
    }
    let method = req.method.unwrap_or("");
    let path = req.path.unwrap_or("/").split('?').next().unwrap_or("/");
    let Some(policy) = policy_for(path) else {
        return stream.write_all(
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
        );
    };
    stream.write_all(&answer(policy, method, path, req.headers))
}

/// The whole response to a parsed request.
fn answer<const N: usize>(
    policy: &Policy<'_, N>,
    method: &str,
    path: &str,
    headers: &[httparse::Header<'_>],
) -> Vec<u8> {
    // The core reads each header's lines from the parser's slices.
    let request = Request::from_fn(method.as_bytes(), |h| {
        headers
            .iter()
            .filter(move |line| line.name.eq_ignore_ascii_case(h.name()))
            .map(|line| line.value)
    });
    let decision = evaluate(policy, &request);
    let (head, body) = match decision.preflight_status() {
        // A preflight: answered here, the application never sees it.
        Some(status) => (format!("HTTP/1.1 {status} \r\n"), String::new()),
        // Anything else: the application's response (here a greeting;
        // `x-handler` tells the tests who answered), with the decision's
        // headers added.
        None => {
            let body = format!("hello from {path}\n");
            let head = format!(
                "HTTP/1.1 200 OK\r\nx-handler: 1\r\ncontent-type: text/plain\r\ncontent-length: {}\r\n",
                body.len()
            );
            (head, body)
        }
    };
    let mut out = head.into_bytes();
    for (header, value) in decision.headers() {
        out.extend_from_slice(header.lowercase().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    if !decision.vary_value().is_empty() {
        out.extend_from_slice(format!("vary: {}\r\n", decision.vary_value()).as_bytes());
    }
    out.extend_from_slice(b"connection: close\r\n\r\n");
    out.extend_from_slice(body.as_bytes());
    out
}

#[allow(dead_code)] // the tests call `serve`, not `main`
fn main() -> io::Result<()> {
    let addr = std::env::args()
        .skip_while(|a| a != "--listen")
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = TcpListener::bind(&addr)?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, |_| Some(&POLICY))
}
