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
//! Under load or attack it stays up, with the limits of `crate::listen`
//! (shared with `playground`): a client has `HEADER_READ_TIMEOUT` to send a
//! request's headers (and a kept-alive connection may idle that long), at
//! most `MAX_CONNECTIONS` connections are served at once (the next ones
//! wait in the listen backlog), and a failing `accept` (out of file
//! descriptors, say) backs off from `ACCEPT_BACKOFF_MIN` to
//! `ACCEPT_BACKOFF_MAX` instead of spinning.

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::path::Path;

use bytes::Bytes;
use clap::Args;
use cors_policy_config::watch::PolicyWatcher;
use cors_policy_tower::{CorsLayer, PolicyHandle};
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use serde::Serialize;
use tower::{Layer, ServiceExt};

use crate::listen::{self, LimitArgs, Limits};
use crate::load::Source;
use crate::problems::{self, Loaded};

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
    /// The connection limits.
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// Writes one line to stdout and flushes it; a closed stdout is ignored so
/// the server keeps answering.
pub(crate) fn say(line: &str) {
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
pub(crate) async fn app(request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
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
pub(crate) fn init_logging() {
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
    let addr = match listen::loopback_addr(listen, "serve") {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    let limits = match Limits::new(&options.limits) {
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

async fn serve(addr: SocketAddr, layer: CorsLayer, limits: Limits) -> u8 {
    let (listener, bound) = match listen::bind(addr).await {
        Ok(l) => l,
        Err(message) => {
            eprintln!("{message}");
            return 1;
        }
    };
    let service = layer.layer(tower::service_fn(app));
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
    say(&format!("listening on http://{bound}"));
    listen::serve_connections(listener, limits, per_request).await;
    1 // never reached: the loop runs until the process ends
}
