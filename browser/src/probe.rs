//! The probe's client: what `cors-policy probe` needs to send requests as a
//! browser would and read the answers, over `http://` and `https://`.
//! The command itself (its arguments, report and exit codes) lives in the
//! `cors-policy` tool; the verdicts on the answers are the crate's
//! [`check_preflight`](crate::check_preflight) and
//! [`cors_check`](crate::cors_check), and their console wording
//! [`Blocked::chromium_message`](crate::Blocked::chromium_message).
//!
//! HTTP/1.1 only, one request per connection (`Connection: close`), the
//! response head only (the body is never read). `https://` goes through
//! rustls, verifying the server's certificate against Mozilla's root
//! program (the `webpki-roots` bundle, which Firefox also trusts) or
//! against the certificates of a file ([`Client::with_ca_file`], curl's
//! `--cacert`).
//!
//! ```no_run
//! use cors_policy_browser::probe::{Client, Target};
//! let target = Target::parse("https://api.example/items").unwrap();
//! let head = Client::new().unwrap().send(&target, "OPTIONS", &[
//!     ("Origin".into(), "https://app.example".into()),
//!     ("Access-Control-Request-Method".into(), "PUT".into()),
//! ]).unwrap();
//! println!("{} {:?}", head.status, head.response().get(b"access-control-allow-origin"));
//! ```

use std::fmt::Write as _;
use std::io::{self, Read, Write};
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};

use crate::Response;

/// How long to wait for a connection, and for a whole response head
/// (TLS handshake included) after connecting, before giving up with a
/// network error.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The largest response head read, in bytes; a larger one is an error.
pub const MAX_HEAD_LEN: usize = 64 * 1024;

/// `http` or `https`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scheme {
    /// Plain HTTP/1.1 over TCP.
    Http,
    /// HTTP/1.1 over TLS (rustls).
    Https,
}

/// Where to send requests: a parsed `http://` or `https://` URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The scheme.
    pub scheme: Scheme,
    /// The host as written in the URL, lower case (IPv6 in brackets).
    pub host: String,
    /// The port (80 or 443 unless given).
    pub port: u16,
    /// The request target (`/path?query`).
    pub path: String,
}

impl Target {
    /// Parses `http[s]://host[:port][/path][?query]` (a fragment is
    /// dropped, as browsers never send it).
    ///
    /// ```
    /// use cors_policy_browser::probe::Target;
    /// let t = Target::parse("HTTPS://API.example:443/a?b#c").unwrap();
    /// assert_eq!(t.url(), "https://api.example/a?b");
    /// assert_eq!(t.origin(), "https://api.example");
    /// assert!(Target::parse("ftp://x").is_err());
    /// ```
    ///
    /// # Errors
    ///
    /// One line naming the URL and what is wrong with it.
    pub fn parse(url: &str) -> Result<Target, String> {
        let (scheme, rest) = if let Some(r) = strip_prefix_ignore_case(url, "http://") {
            (Scheme::Http, r)
        } else if let Some(r) = strip_prefix_ignore_case(url, "https://") {
            (Scheme::Https, r)
        } else {
            return Err(format!("{url}: not an http:// or https:// URL"));
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(end);
        let path = path.split('#').next().unwrap_or("");
        let path = if path.is_empty() {
            "/".to_string()
        } else if path.starts_with('?') {
            format!("/{path}")
        } else {
            path.to_string()
        };
        if authority.is_empty() || authority.contains('@') {
            return Err(format!("{url}: expected http[s]://host[:port]/path"));
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let close = v6
                .find(']')
                .ok_or_else(|| format!("{url}: unclosed [ in the host"))?;
            let (h, after) = v6.split_at(close);
            let after = after.get(1..).unwrap_or("");
            (format!("[{h}]"), after.strip_prefix(':'))
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), Some(p)),
                None => (authority.to_string(), None),
            }
        };
        let default_port = match scheme {
            Scheme::Http => 80,
            Scheme::Https => 443,
        };
        let port: u16 = match port {
            None | Some("") => default_port,
            Some(p) => p
                .parse()
                .map_err(|_| format!("{url}: port {p:?} is not a number from 0 to 65535"))?,
        };
        if host.is_empty()
            || host
                .bytes()
                .any(|b| b.is_ascii_whitespace() || b.is_ascii_control())
        {
            return Err(format!("{url}: bad host"));
        }
        Ok(Target {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
            path,
        })
    }

    /// `host:port` for `connect`.
    pub fn addr(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    fn default_port(&self) -> bool {
        matches!(
            (self.scheme, self.port),
            (Scheme::Http, 80) | (Scheme::Https, 443)
        )
    }

    /// The `Host` header: the host, with the port unless it is the
    /// scheme's default.
    pub fn host_header(&self) -> String {
        if self.default_port() {
            self.host.clone()
        } else {
            self.addr()
        }
    }

    /// The URL's origin, serialized as browsers do (`https://host[:port]`).
    pub fn origin(&self) -> String {
        let scheme = match self.scheme {
            Scheme::Http => "http",
            Scheme::Https => "https",
        };
        format!("{scheme}://{}", self.host_header())
    }

    /// The URL as browsers serialize it (and so print it in the console):
    /// the origin, then the path and query.
    pub fn url(&self) -> String {
        format!("{}{}", self.origin(), self.path)
    }
}

fn strip_prefix_ignore_case<'s>(s: &'s str, prefix: &str) -> Option<&'s str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| s.get(prefix.len()..))
        .flatten()
}

/// Is `origin` written as a browser serializes one? `null`, or
/// `scheme://host[:port]` in lower case, without path or trailing slash.
///
/// # Errors
///
/// One line saying what is wrong, for an `--origin` argument.
pub fn check_origin(origin: &str) -> Result<(), String> {
    if origin == "null" {
        return Ok(());
    }
    let bad = |why: &str| {
        Err(format!(
            "--origin {origin:?}: {why}; browsers send `scheme://host[:port]` in lower case (such as https://app.example) or `null`"
        ))
    };
    let Some((scheme, rest)) = origin.split_once("://") else {
        return bad("no scheme");
    };
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"+-.".contains(&b))
    {
        return bad("the scheme is not lower-case letters");
    }
    if rest.is_empty() {
        return bad("no host");
    }
    if rest.contains('/') {
        return bad("an origin has no path, not even a trailing slash");
    }
    if rest.bytes().any(|b| b.is_ascii_uppercase()) {
        return bad("the host is not in lower case");
    }
    if !rest.bytes().all(|b| b.is_ascii_graphic()) || rest.contains(['?', '#', '@', ',']) {
        return bad("not a host and port");
    }
    Ok(())
}

/// A response head as read from the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Head {
    /// The status code (interim 1xx responses are skipped).
    pub status: u16,
    /// The reason phrase.
    pub reason: String,
    /// The header field lines, in order.
    pub headers: Vec<(String, Vec<u8>)>,
}

impl Head {
    /// The head as the model's [`Response`].
    pub fn response(&self) -> Response<'_, String, Vec<u8>> {
        Response::new(self.status, &self.headers)
    }
}

/// Sends requests; holds the TLS configuration for `https://`.
#[derive(Clone, Debug)]
pub struct Client {
    tls: Arc<rustls::ClientConfig>,
}

// ring rather than aws-lc-rs (rustls's default): no C library built with
// CMake, a fraction of the build time. rustls 0.23.48 deprecates ring's
// provider for lacking post-quantum key exchange, which does not matter for
// a probe that reads one response head: it only has to agree with the
// server, as a browser does.
#[allow(deprecated)]
fn tls_config(roots: rustls::RootCertStore) -> Result<Arc<rustls::ClientConfig>, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

impl Client {
    /// A client trusting Mozilla's root program (`webpki-roots`).
    ///
    /// # Errors
    ///
    /// When the TLS library cannot be set up (it supports no safe protocol
    /// version), which the crypto provider used here rules out in practice.
    pub fn new() -> Result<Client, String> {
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        Ok(Client {
            tls: tls_config(roots)?,
        })
    }

    /// A client trusting only the certificates in the PEM file `path`, as
    /// curl's `--cacert` does (for a private CA or a self-signed server).
    ///
    /// # Errors
    ///
    /// One line naming the file: unreadable, not PEM, or no certificate
    /// a TLS client can use.
    pub fn with_ca_file(path: &Path) -> Result<Client, String> {
        let name = path.display();
        let text = std::fs::read(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
        let mut roots = rustls::RootCertStore::empty();
        let mut count = 0;
        for cert in CertificateDer::pem_slice_iter(&text) {
            let cert = cert.map_err(|e| format!("{name}: not a PEM certificate file: {e}"))?;
            roots
                .add(cert)
                .map_err(|e| format!("{name}: unusable certificate: {e}"))?;
            count += 1;
        }
        if count == 0 {
            return Err(format!(
                "{name}: no certificate found (expected PEM, -----BEGIN CERTIFICATE-----)"
            ));
        }
        Ok(Client {
            tls: tls_config(roots)?,
        })
    }

    /// Sends one request and reads the response head (the body is not
    /// read: `Connection: close` ends the exchange). Adds `Host`,
    /// `User-Agent`, `Connection: close` and, for methods other than
    /// `GET`, `HEAD` and `OPTIONS`, `Content-Length: 0`.
    ///
    /// # Errors
    ///
    /// One line: the host cannot be resolved or reached, the TLS handshake
    /// failed (a certificate that does not verify, a server that speaks no
    /// TLS), the answer is not HTTP/1.1, or no complete head arrived
    /// within [`TIMEOUT`] or [`MAX_HEAD_LEN`] bytes.
    pub fn send(
        &self,
        target: &Target,
        method: &str,
        headers: &[(String, String)],
    ) -> Result<Head, String> {
        let addr = target.addr();
        let tcp = connect(&addr)?;
        let io = |e: io::Error| format!("{addr}: {e}");
        tcp.set_read_timeout(Some(TIMEOUT)).map_err(io)?;
        tcp.set_write_timeout(Some(TIMEOUT)).map_err(io)?;
        let deadline = Instant::now() + TIMEOUT;
        let mut req = format!(
            "{method} {} HTTP/1.1\r\nHost: {}\r\n",
            target.path,
            target.host_header()
        );
        for (n, v) in headers {
            let _ = write!(req, "{n}: {v}\r\n");
        }
        if !matches!(method, "GET" | "HEAD" | "OPTIONS") {
            req.push_str("Content-Length: 0\r\n");
        }
        req.push_str("User-Agent: cors-policy-probe\r\nConnection: close\r\n\r\n");
        match target.scheme {
            Scheme::Http => {
                let mut tcp = tcp;
                tcp.write_all(req.as_bytes()).map_err(io)?;
                let sock = tcp.try_clone().map_err(io)?;
                read_head(&mut tcp, &sock, &addr, deadline)
            }
            Scheme::Https => {
                let name = server_name(&target.host)?;
                let conn = rustls::ClientConnection::new(Arc::clone(&self.tls), name)
                    .map_err(|e| format!("{addr}: TLS setup: {e}"))?;
                let mut tls = rustls::StreamOwned::new(conn, tcp);
                // The handshake first, so that its failure is named as such.
                while tls.conn.is_handshaking() {
                    tls.conn
                        .complete_io(&mut tls.sock)
                        .map_err(|e| tls_error(&target.origin(), &e))?;
                }
                tls.write_all(req.as_bytes())
                    .map_err(|e| tls_error(&target.origin(), &e))?;
                let sock = tls.sock.try_clone().map_err(io)?;
                read_head(&mut tls, &sock, &addr, deadline)
            }
        }
    }
}

/// The name to verify the certificate against: a DNS name or an IP.
fn server_name(host: &str) -> Result<ServerName<'static>, String> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(ServerName::IpAddress(ip.into()));
    }
    ServerName::try_from(bare.to_string())
        .map_err(|_| format!("{host}: not a host name a certificate can name"))
}

/// One line for a failed TLS exchange, with the way out for a private CA.
fn tls_error(origin: &str, e: &io::Error) -> String {
    let tls = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match tls {
        Some(rustls::Error::InvalidCertificate(why)) => format!(
            "{origin}: TLS: the server's certificate is not trusted ({why:?}); a browser refuses \
             it too. For a private CA or a self-signed server, pass its certificate with --cacert FILE"
        ),
        Some(other @ rustls::Error::InvalidMessage(_)) => format!(
            "{origin}: TLS handshake failed: {other} (does the server speak TLS on this port?)"
        ),
        Some(other) => format!("{origin}: TLS handshake failed: {other}"),
        None if e.kind() == io::ErrorKind::UnexpectedEof => format!(
            "{origin}: TLS handshake failed: the server closed the connection (does it speak TLS on this port?)"
        ),
        None => format!("{origin}: TLS handshake failed: {e}"),
    }
}

fn connect(addr: &str) -> Result<TcpStream, String> {
    let addrs = addr
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {addr}: {e}"))?;
    let mut last = String::from("no address");
    for a in addrs {
        match TcpStream::connect_timeout(&a, TIMEOUT) {
            Ok(s) => return Ok(s),
            Err(e) => last = format!("cannot connect to {a}: {e}"),
        }
    }
    Err(last)
}

/// Reads a response head from `stream` before `deadline` (one deadline
/// for the whole head, so a server sending a byte at a time cannot hold
/// the probe longer); `sock` is the TCP socket under it, for timeouts.
fn read_head(
    stream: &mut dyn Read,
    sock: &TcpStream,
    addr: &str,
    deadline: Instant,
) -> Result<Head, String> {
    let io = |e: io::Error| format!("{addr}: {e}");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut start = 0;
    loop {
        // Parse what we have; interim 1xx responses are skipped.
        if let Some(rest) = buf.get(start..) {
            let mut hs = [httparse::EMPTY_HEADER; 128];
            let mut r = httparse::Response::new(&mut hs);
            match r.parse(rest) {
                Ok(httparse::Status::Complete(len)) => {
                    let status = r.code.unwrap_or(0);
                    if (100..200).contains(&status) && status != 101 {
                        start += len;
                        continue;
                    }
                    return Ok(Head {
                        status,
                        reason: r.reason.unwrap_or("").to_string(),
                        headers: r
                            .headers
                            .iter()
                            .map(|h| (h.name.to_string(), h.value.to_vec()))
                            .collect(),
                    });
                }
                Ok(httparse::Status::Partial) => {}
                Err(e) => return Err(format!("{addr}: not an HTTP/1.1 response: {e}")),
            }
        }
        if buf.len() > MAX_HEAD_LEN {
            return Err(format!(
                "{addr}: response head longer than {MAX_HEAD_LEN} bytes"
            ));
        }
        let timed_out = || {
            format!(
                "{addr}: no complete response head within {} s",
                TIMEOUT.as_secs()
            )
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(timed_out());
        }
        sock.set_read_timeout(Some(left)).map_err(io)?;
        let n = match stream.read(&mut chunk) {
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Err(timed_out());
            }
            Err(e) => return Err(io(e)),
        };
        if n == 0 {
            return Err(format!(
                "{addr}: connection closed before a complete response head"
            ));
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or(&[]));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        let t = Target::parse("http://127.0.0.1:8080/a/b?c=d#frag").unwrap();
        assert_eq!(t.addr(), "127.0.0.1:8080");
        assert_eq!(t.host_header(), "127.0.0.1:8080");
        assert_eq!(t.path, "/a/b?c=d");
        assert_eq!(t.origin(), "http://127.0.0.1:8080");
        assert_eq!(t.url(), "http://127.0.0.1:8080/a/b?c=d");
        let t = Target::parse("HTTP://Example.com").unwrap();
        assert_eq!(
            (t.addr().as_str(), t.host_header().as_str(), t.path.as_str()),
            ("example.com:80", "example.com", "/")
        );
        let t = Target::parse("http://[::1]:9/x").unwrap();
        assert_eq!((t.addr().as_str(), t.path.as_str()), ("[::1]:9", "/x"));
        let t = Target::parse("http://h?q").unwrap();
        assert_eq!(t.path, "/?q");
        let t = Target::parse("https://api.example:8443").unwrap();
        assert_eq!(t.scheme, Scheme::Https);
        assert_eq!(t.url(), "https://api.example:8443/");
        let t = Target::parse("https://api.example:443/x").unwrap();
        assert_eq!(
            (t.addr().as_str(), t.host_header().as_str()),
            ("api.example:443", "api.example")
        );
        assert_eq!(
            server_name("[::1]").unwrap(),
            ServerName::IpAddress("::1".parse::<IpAddr>().unwrap().into())
        );
        assert!(server_name("api.example").is_ok());
        for bad in [
            "ftp://x",
            "http://",
            "http://u@h/",
            "http://h:99999/",
            "http://h:x/",
            "x",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn origins() {
        for ok in [
            "https://app.example",
            "http://localhost:3000",
            "null",
            "http://[::1]:8080",
        ] {
            assert_eq!(check_origin(ok), Ok(()), "{ok}");
        }
        for bad in [
            "https://app.example/",
            "app.example",
            "https://App.example",
            "HTTPS://a",
            "https://",
            "https://a/b",
            "https://a,b",
        ] {
            assert!(check_origin(bad).is_err(), "{bad}");
        }
    }
}
