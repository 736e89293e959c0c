//! The loopback HTTP/1.1 server loop shared by `serve` and `playground`:
//! the same limits and timeouts for every listener the tool opens.
//!
//! A client has [`HEADER_READ_TIMEOUT`] to send a request's headers (and a
//! kept-alive connection may idle that long), at most [`MAX_CONNECTIONS`]
//! connections are served at once per listener (the next ones wait in the
//! listen backlog), and a failing `accept` (out of file descriptors, say)
//! backs off from [`ACCEPT_BACKOFF_MIN`] to [`ACCEPT_BACKOFF_MAX`] instead of
//! spinning.

use std::error::Error as StdError;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response};
use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// How long a client has to send a request's headers, from the moment the
/// server starts reading them (a new connection, or a kept-alive one after
/// its last answer), before the connection is closed: slow-header clients
/// cannot hold connections.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections served at once by one listener; the next ones wait in the
/// listen backlog until one closes. Below the usual 1,024 file descriptors
/// of a process.
pub const MAX_CONNECTIONS: usize = 512;

/// The first wait after a failed `accept`, doubled after each failure in a
/// row up to [`ACCEPT_BACKOFF_MAX`].
pub const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);

/// The longest wait after failed `accept`s in a row.
pub const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// The limits as command-line options, shared by `serve` and
/// `playground`.
#[derive(clap::Args, Debug, Clone)]
pub struct LimitArgs {
    /// Seconds a client has to send a request's headers (also how long a
    /// kept-alive connection may idle) before it is closed.
    #[arg(long, value_name = "SECS", default_value_t = HEADER_READ_TIMEOUT.as_secs_f64())]
    pub header_read_timeout: f64,
    /// Connections served at once; the next ones wait until one closes.
    #[arg(long, value_name = "N", default_value_t = MAX_CONNECTIONS)]
    pub max_connections: usize,
}

/// The limits a listener serves under.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// See [`HEADER_READ_TIMEOUT`].
    pub header_read_timeout: Duration,
    /// See [`MAX_CONNECTIONS`].
    pub max_connections: usize,
}

impl Limits {
    /// The limits the options ask for; the error names the bad option.
    pub fn new(args: &LimitArgs) -> Result<Limits, String> {
        let header_read_timeout = Duration::try_from_secs_f64(args.header_read_timeout)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                format!(
                    "--header-read-timeout {}: expected a positive number of seconds",
                    args.header_read_timeout
                )
            })?;
        if args.max_connections == 0 || args.max_connections > Semaphore::MAX_PERMITS {
            return Err(format!(
                "--max-connections {}: expected at least 1",
                args.max_connections
            ));
        }
        Ok(Limits {
            header_read_timeout,
            max_connections: args.max_connections,
        })
    }
}

/// Resolves `listen` and refuses any address that is not loopback; `what`
/// names the command in the message.
pub fn loopback_addr(listen: &str, what: &str) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = listen
        .to_socket_addrs()
        .map_err(|e| format!("--listen {listen:?}: {e} (expected 127.0.0.1:PORT)"))?
        .collect();
    let Some(first) = addrs.first().copied() else {
        return Err(format!("--listen {listen:?}: no address"));
    };
    if let Some(open) = addrs.iter().find(|a| !a.ip().is_loopback()) {
        return Err(format!(
            "--listen {listen:?}: refusing to listen on {}, which is not a loopback address: {what} is for trying a policy locally; use 127.0.0.1:PORT or [::1]:PORT",
            open.ip()
        ));
    }
    Ok(first)
}

/// Binds `addr`; the error is one line naming it.
pub async fn bind(addr: SocketAddr) -> Result<(TcpListener, SocketAddr), String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("cannot listen on {addr}: {e}"))?;
    let bound = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address of {addr}: {e}"))?;
    Ok((listener, bound))
}

/// Serves HTTP/1.1 connections accepted on `listener` with `service` under
/// `limits`, until the runtime stops. A client that goes away mid-request,
/// or is too slow, only loses its own connection.
pub async fn serve_connections<S, B>(listener: TcpListener, limits: Limits, service: S)
where
    S: Service<Request<Incoming>, Response = Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<Box<dyn StdError + Send + Sync>>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut backoff = ACCEPT_BACKOFF_MIN;
    loop {
        // A free slot first: at the limit, new connections wait in the
        // backlog rather than taking file descriptors.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return; // never closed
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => {
                backoff = ACCEPT_BACKOFF_MIN;
                stream
            }
            Err(e) => {
                // Out of file descriptors and the like: wait, longer after
                // each failure in a row, then go on.
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "accept failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                continue;
            }
        };
        let service = service.clone();
        tokio::spawn(async move {
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_is_accepted() {
        for ok in ["127.0.0.1:0", "[::1]:8080", "127.0.0.2:1"] {
            assert!(loopback_addr(ok, "serve").is_ok(), "{ok}");
        }
        for refused in ["0.0.0.0:0", "192.0.2.1:80", "[::]:0", "not an address"] {
            assert!(loopback_addr(refused, "serve").is_err(), "{refused}");
        }
    }
}
