//! The routed-app suites' client and table of cases: a real HTTP/1.1
//! client (hyper's) sends each case to a real server on 127.0.0.1, first
//! each on a fresh connection, then all of them, twice over, on one
//! kept-alive connection; every answer is checked for its status, what ran
//! in the application (the server side records it in a [`Trace`]), its
//! CORS headers and its `Vary`.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;

/// The origin the policies allow.
pub const APP: &str = "https://app.example";
/// An origin no policy allows.
pub const EVIL: &str = "https://evil.example";
/// `Vary` of a preflight answered under a policy that lists origins.
pub const VARY_PREFLIGHT: &str =
    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";
/// `Vary` of a preflight answered under a `"*"` policy.
pub const VARY_PREFLIGHT_ANY: &str =
    "Access-Control-Request-Method, Access-Control-Request-Headers";

/// What ran on the server for one request, in order: handlers, middleware
/// and fallbacks each push their name.
#[derive(Clone, Default)]
pub struct Trace(Arc<Mutex<Vec<&'static str>>>);

impl Trace {
    /// Records that `what` ran.
    pub fn push(&self, what: &'static str) {
        self.0.lock().unwrap().push(what);
    }

    fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// A request to send.
#[derive(Clone, Debug)]
pub struct Req {
    method: &'static str,
    path: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    body: &'static str,
}

/// A request with `method` for `path`, no header yet.
pub fn req(method: &'static str, path: &'static str) -> Req {
    Req {
        method,
        path,
        headers: Vec::new(),
        body: "",
    }
}

/// A browser's preflight from `origin` for `method` on `path`.
pub fn preflight(path: &'static str, origin: &'static str, method: &'static str) -> Req {
    req("OPTIONS", path)
        .header("origin", origin)
        .header("access-control-request-method", method)
}

impl Req {
    /// Adds a header line.
    pub fn header(mut self, name: &'static str, value: &'static str) -> Req {
        self.headers.push((name, value));
        self
    }

    /// Adds `Origin`.
    pub fn origin(self, origin: &'static str) -> Req {
        self.header("origin", origin)
    }

    /// Sets the body (its `Content-Length` is set by the client).
    pub fn body(mut self, body: &'static str) -> Req {
        self.body = body;
        self
    }
}

/// An answer, as received.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// Every value of `name`, in order.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The values of `name` joined with `", "`, or `None` without one.
    pub fn joined(&self, name: &str) -> Option<String> {
        let all = self.all(name);
        (!all.is_empty()).then(|| all.join(", "))
    }
}

/// One HTTP/1.1 connection to the server.
pub struct Conn {
    sender: http1::SendRequest<Full<Bytes>>,
    addr: SocketAddr,
    sent: usize,
}

impl Conn {
    /// Opens a new connection to `addr`.
    pub async fn open(addr: SocketAddr) -> Conn {
        let stream = tokio::net::TcpStream::connect(addr)
            .await
            .expect("connect to the server");
        let (sender, connection) = http1::handshake(TokioIo::new(stream))
            .await
            .expect("HTTP/1.1 handshake");
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Conn {
            sender,
            addr,
            sent: 0,
        }
    }

    /// Sends `r` on this connection and reads the whole answer. Fails if
    /// the server closed the connection after an earlier request.
    pub async fn send(&mut self, r: &Req) -> Result<Reply, String> {
        self.sender
            .ready()
            .await
            .map_err(|e| format!("the connection closed after {} request(s): {e}", self.sent))?;
        let mut builder = hyper::Request::builder()
            .method(r.method)
            .uri(r.path)
            .header("host", self.addr.to_string());
        for (n, v) in &r.headers {
            builder = builder.header(*n, *v);
        }
        let request = builder
            .body(Full::new(Bytes::from_static(r.body.as_bytes())))
            .expect("a valid request");
        let response = self.sender.send_request(request).await.map_err(|e| {
            format!(
                "no answer on a connection that had carried {} request(s): {e}",
                self.sent
            )
        })?;
        self.sent += 1;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response
            .into_body()
            .collect()
            .await
            .map_err(|e| format!("reading the body: {e}"))?
            .to_bytes();
        Ok(Reply {
            status,
            headers,
            body: String::from_utf8_lossy(&body).into_owned(),
        })
    }
}

/// What a case expects. Every CORS header it does not name must be
/// absent; `Vary` must be exactly the one named (or absent).
#[derive(Clone, Debug)]
pub struct Case {
    pub name: &'static str,
    pub req: Req,
    status: u16,
    ran: Vec<&'static str>,
    cors: Vec<(&'static str, &'static str)>,
    vary: Option<&'static str>,
    body: Option<&'static str>,
    closes: bool,
}

/// A case named `name` sending `req` and expecting `status`, nothing run
/// in the application, no CORS header and no `Vary` until told otherwise.
pub fn case(name: &'static str, req: Req, status: u16) -> Case {
    Case {
        name,
        req,
        status,
        ran: Vec::new(),
        cors: Vec::new(),
        vary: None,
        body: None,
        closes: false,
    }
}

impl Case {
    /// What must have run on the server, in order.
    pub fn ran(mut self, ran: &[&'static str]) -> Case {
        self.ran = ran.to_vec();
        self
    }

    /// A CORS header that must be present with exactly this value (once).
    pub fn cors(mut self, name: &'static str, value: &'static str) -> Case {
        self.cors.push((name, value));
        self
    }

    /// `Access-Control-Allow-Origin`.
    pub fn acao(self, value: &'static str) -> Case {
        self.cors("access-control-allow-origin", value)
    }

    /// `Access-Control-Allow-Origin: <APP>` and
    /// `Access-Control-Allow-Credentials: true`.
    pub fn credentialed(self) -> Case {
        self.acao(APP)
            .cors("access-control-allow-credentials", "true")
    }

    /// The whole `Vary` value (its lines joined with `", "`).
    pub fn vary(mut self, vary: &'static str) -> Case {
        self.vary = Some(vary);
        self
    }

    /// The body, exactly.
    pub fn body(mut self, body: &'static str) -> Case {
        self.body = Some(body);
        self
    }

    /// The server answers with `Connection: close` and closes the
    /// connection (actix-web does when it answers without reading the
    /// request's body); the next request goes on a new connection.
    pub fn closes(mut self) -> Case {
        self.closes = true;
        self
    }

    /// The differences between `reply` (with `ran`, the trace) and what is
    /// expected; empty when they agree.
    fn diff(&self, reply: &Reply, ran: &[&str]) -> String {
        let mut out = String::new();
        if reply.status != self.status {
            let _ = write!(
                out,
                "\n  status {} (expected {})",
                reply.status, self.status
            );
        }
        if ran != self.ran.as_slice() {
            let _ = write!(out, "\n  ran {ran:?} (expected {:?})", self.ran);
        }
        for (name, value) in &reply.headers {
            if !name.starts_with("access-control-") {
                continue;
            }
            let wanted: Vec<_> = self.cors.iter().filter(|(n, _)| n == name).collect();
            if wanted.is_empty() {
                let _ = write!(out, "\n  unexpected {name}: {value}");
            }
        }
        for (name, value) in &self.cors {
            let got = reply.all(name);
            if got != [*value] {
                let _ = write!(out, "\n  {name}: {got:?} (expected [{value:?}])");
            }
        }
        let vary = reply.joined("vary");
        if vary.as_deref() != self.vary {
            let _ = write!(out, "\n  vary {vary:?} (expected {:?})", self.vary);
        }
        if let Some(body) = self.body
            && reply.body != body
        {
            let _ = write!(out, "\n  body {:?} (expected {body:?})", reply.body);
        }
        let close = reply
            .joined("connection")
            .is_some_and(|c| c.contains("close"));
        match (close, self.closes) {
            (true, false) => {
                let _ = write!(out, "\n  the server asked to close the connection");
            }
            (false, true) => {
                let _ = write!(
                    out,
                    "\n  the server kept the connection (expected it closed)"
                );
            }
            _ => {}
        }
        out
    }
}

async fn check(
    conn: &mut Conn,
    trace: &Trace,
    c: &Case,
    path: &str,
    failures: &mut Vec<String>,
) -> bool {
    trace.take();
    match conn.send(&c.req).await {
        Ok(reply) => {
            let diff = c.diff(&reply, &trace.take());
            if !diff.is_empty() {
                failures.push(format!("{} [{path}]:{diff}", c.name));
            }
            true
        }
        Err(e) => {
            failures.push(format!("{} [{path}]: {e}", c.name));
            false
        }
    }
}

/// Sends every case to the server at `addr` on a fresh connection each,
/// then all of them twice over on one kept-alive connection (a new one
/// only after a case that [`closes`](Case::closes) it); panics listing
/// every disagreement, each named by its case and path.
pub async fn run(server: &str, addr: SocketAddr, trace: &Trace, cases: &[Case]) {
    let mut failures = Vec::new();
    for c in cases {
        let mut conn = Conn::open(addr).await;
        check(&mut conn, trace, c, "fresh connection", &mut failures).await;
    }
    let mut conn = Conn::open(addr).await;
    let mut carried = 0;
    'kept: for round in 1..=2 {
        for (i, c) in cases.iter().enumerate() {
            let path = format!(
                "kept-alive connection, round {round}, request {} (after {} on it)",
                i + 1,
                conn.sent
            );
            if !check(&mut conn, trace, c, &path, &mut failures).await {
                break 'kept;
            }
            if c.closes {
                carried += conn.sent;
                conn = Conn::open(addr).await;
            }
        }
    }
    if failures.is_empty() {
        carried += conn.sent;
        assert_eq!(
            carried,
            2 * cases.len(),
            "{server}: requests on kept-alive connections"
        );
        if !cases.iter().any(|c| c.closes) {
            assert_eq!(
                conn.sent,
                2 * cases.len(),
                "{server}: one connection for every request"
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{server}: {} disagreement(s):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
