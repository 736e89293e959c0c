//! `cors-policy serve`: a loopback HTTP server answering every path and
//! method behind a policy, through the tower adapter, so the policy can be
//! tried from a page.
//!
//! It prints `listening on http://ADDR` first, then `<METHOD> <PATH>
//! <STATUS>` for each request, preflights answered by the CORS layer
//! included, flushing after each line (the shared server interface).
//! Refusals and policy reloads are logged to stderr through `tracing` (one
//! event per refused request, with its stable `code`).
//!
//! Under load or attack it stays up: a client has [`HEADER_READ_TIMEOUT`]
//! to send a request's headers (and a kept-alive connection may idle that
//! long), at most [`MAX_CONNECTIONS`] connections are served at once (the
//! next ones wait in the listen backlog), and a failing `accept` (out of
//! file descriptors, say) backs off from [`ACCEPT_BACKOFF_MIN`] to
//! [`ACCEPT_BACKOFF_MAX`] instead of spinning.

use std::convert::Infallible;
use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use clap::Args;
use cors_policy_config::watch::PolicyWatcher;
use cors_policy_tower::{CorsLayer, PolicyHandle};
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use serde::Serialize;
use tokio::sync::Semaphore;
use tower::{Layer, ServiceExt};

use crate::load::Source;
use crate::problems::{self, Loaded};

/// How long a client has to send a request's headers, from the moment the
/// server starts reading them (a new connection, or a kept-alive one after
/// its last answer), before the connection is closed: slow-header clients
/// cannot hold connections.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections served at once; the next ones wait in the listen backlog
/// until one closes. Below the usual 1,024 file descriptors of a process.
pub const MAX_CONNECTIONS: usize = 512;

/// The first wait after a failed `accept` (out of file descriptors, say),
/// doubled after each failure in a row up to [`ACCEPT_BACKOFF_MAX`].
pub const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);

/// The longest wait after failed `accept`s in a row.
pub const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// The default log filter when `RUST_LOG` is not set: refusals (the
/// adapters' `debug` events, target `cors_policy`) and reloads shown.
const DEFAULT_LOG_FILTER: &str = "info,cors_policy=debug";

/// `serve`'s options beyond the policy and the address.
#[derive(Args, Debug, Clone)]
pub struct Options {
    /// Follow the policy file: each valid new version is swapped in while
    /// the server runs; an invalid one is refused, its errors logged, and
    /// the policy in force stays.
    #[arg(long)]
    pub watch: bool,
    /// Seconds a client has to send a request's headers (also how long a
    /// kept-alive connection may idle) before it is closed.
    #[arg(long, value_name = "SECS", default_value_t = HEADER_READ_TIMEOUT.as_secs_f64())]
    pub header_read_timeout: f64,
    /// Connections served at once; the next ones wait until one closes.
    #[arg(long, value_name = "N", default_value_t = MAX_CONNECTIONS)]
    pub max_connections: usize,
}

/// Resolves `listen` and refuses any address that is not loopback.
pub fn loopback_addr(listen: &str) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = listen
        .to_socket_addrs()
        .map_err(|e| format!("--listen {listen:?}: {e} (expected 127.0.0.1:PORT)"))?
        .collect();
    let Some(first) = addrs.first().copied() else {
        return Err(format!("--listen {listen:?}: no address"));
    };
    if let Some(open) = addrs.iter().find(|a| !a.ip().is_loopback()) {
        return Err(format!(
            "--listen {listen:?}: refusing to listen on {}, which is not a loopback address: serve is for trying a policy locally; use 127.0.0.1:PORT or [::1]:PORT",
            open.ip()
        ));
    }
    Ok(first)
}

/// Writes one line to stdout and flushes it; a closed stdout is ignored so
/// the server keeps answering.
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

/// The body of every answer.
#[derive(Serialize)]
struct Echo<'a> {
    method: &'a str,
    path: &'a str,
}

/// The application behind the policy: 200 with `{"method", "path"}` for
/// every path and method, 500 for a path ending in `/error`.
async fn app(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path();
    let status = if path.ends_with("/error") {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let body = serde_json::to_vec(&Echo {
        method: request.method().as_str(),
        path,
    })
    .unwrap_or_default();
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("x-request-id", HeaderValue::from_static("42"));
    headers.insert("x-unexposed", HeaderValue::from_static("1"));
    Ok(response)
}

/// Logs through `tracing` to stderr, filtered by `RUST_LOG` (targets and
/// levels, such as `info,cors_policy=debug`) or [`DEFAULT_LOG_FILTER`].
fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter: tracing_subscriber::filter::Targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| DEFAULT_LOG_FILTER.parse().unwrap_or_default());
    let _ = tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .try_init();
}

/// Runs `serve`; returns the exit code when it cannot start (it otherwise
/// runs until killed).
pub fn run(policy: &Path, listen: &str, options: &Options) -> u8 {
    let source = Source::File(policy.to_path_buf());
    let owned = match problems::load(&source) {
        Loaded::Ready(ready) => ready.1,
        Loaded::Unreadable(line) => {
            eprintln!("{line}");
            return 2;
        }
        Loaded::Invalid(invalid) => {
            eprint!("{}", problems::human(&source, &invalid));
            return 2;
        }
    };
    let addr = match loopback_addr(listen) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    let limits = match Limits::new(options) {
        Ok(l) => l,
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    init_logging();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return 1;
        }
    };
    // With --watch, the layer reads the policy from a handle that the
    // watcher stores each valid new version into.
    let (layer, _watcher) = if options.watch {
        let baseline = owned.config().clone();
        let handle = PolicyHandle::new(owned);
        let store = handle.clone();
        let watcher = PolicyWatcher::new(policy)
            .loaded(baseline)
            .start(move |p| store.store(p));
        match watcher {
            Ok(w) => (CorsLayer::swappable(&handle), Some(w)),
            Err(e) => {
                eprintln!("{}: cannot watch: {e}", policy.display());
                return 1;
            }
        }
    } else {
        (CorsLayer::new(owned), None)
    };
    runtime.block_on(serve(addr, layer, limits))
}

/// The connection limits in force; see [`Options`].
#[derive(Clone, Copy, Debug)]
struct Limits {
    header_read_timeout: Duration,
    max_connections: usize,
}

impl Limits {
    fn new(options: &Options) -> Result<Limits, String> {
        let header_read_timeout = Duration::try_from_secs_f64(options.header_read_timeout)
            .ok()
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                format!(
                    "--header-read-timeout {}: expected a positive number of seconds",
                    options.header_read_timeout
                )
            })?;
        if options.max_connections == 0 || options.max_connections > Semaphore::MAX_PERMITS {
            return Err(format!(
                "--max-connections {}: expected at least 1",
                options.max_connections
            ));
        }
        Ok(Limits {
            header_read_timeout,
            max_connections: options.max_connections,
        })
    }
}

async fn serve(addr: SocketAddr, layer: CorsLayer, limits: Limits) -> u8 {
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("cannot listen on {addr}: {e}");
            return 1;
        }
    };
    let bound = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("cannot read the bound address: {e}");
            return 1;
        }
    };
    let service = layer.layer(tower::service_fn(app));
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut backoff = ACCEPT_BACKOFF_MIN;
    say(&format!("listening on http://{bound}"));
    loop {
        // A free slot first: at the limit, new connections wait in the
        // backlog rather than taking file descriptors.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return 1; // never closed
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
            let per_request = hyper::service::service_fn(move |request: Request<Incoming>| {
                let method = request.method().clone();
                let path = request.uri().path().to_string();
                let service = service.clone();
                async move {
                    let response = service.oneshot(request).await?;
                    say(&format!("{method} {path} {}", response.status().as_u16()));
                    Ok::<_, Infallible>(response)
                }
            });
            // A client that goes away mid-request, or too slowly, is its
            // own business.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout)
                .serve_connection(TokioIo::new(stream), per_request)
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
            assert!(loopback_addr(ok).is_ok(), "{ok}");
        }
        for refused in ["0.0.0.0:0", "192.0.2.1:80", "[::]:0", "not an address"] {
            assert!(loopback_addr(refused).is_err(), "{refused}");
        }
    }
}
