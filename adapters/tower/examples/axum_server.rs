//! An axum server with a public API (`/public/...`, open to every origin)
//! and a credentialed private API (`/private/...`, policy from the `CORS_*`
//! environment variables, or from a file that is reloaded when it changes),
//! each behind its own [`CorsLayer`].
//!
//! ```text
//! cargo run -p cors-policy-tower --example axum_server -- --listen 127.0.0.1:0
//! cargo run -p cors-policy-tower --example axum_server -- --listen 127.0.0.1:0 --policy examples/policy.json
//! ```
//!
//! It prints `listening on http://ADDR`, then `<METHOD> <PATH> <STATUS>` for
//! every request, preflights answered by the CORS layer included. Logs go
//! to stderr through `tracing` (filter: `RUST_LOG`, by default
//! `info,cors_policy=debug`): one event per refused request, with its
//! stable `code`, from the layer itself, and each policy reload.
//!
//! It serves connections itself (hyper's HTTP/1 server under the axum
//! router) to bound what slow or idle clients can hold:
//! [`HEADER_READ_TIMEOUT`], [`MAX_CONNECTIONS`], and a back-off on failed
//! `accept`s ([`ACCEPT_BACKOFF_MIN`] to [`ACCEPT_BACKOFF_MAX`]).

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_config::watch::PolicyWatcher;
use cors_policy_config::{OwnedPolicy, PolicyConfig, StarOrList};
use cors_policy_tower::{CorsLayer, PolicyHandle};
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How long a client has to send a request's headers (from the moment the
/// server starts reading them: a new connection, or a kept-alive one after
/// its last answer) before the connection is closed.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// Connections served at once; the next ones wait in the listen backlog.
/// Keep it below the process's file-descriptor limit (`ulimit -n`).
const MAX_CONNECTIONS: usize = 512;

/// The first wait after a failed `accept` (out of file descriptors, say),
/// doubled after each failure in a row up to [`ACCEPT_BACKOFF_MAX`].
const ACCEPT_BACKOFF_MIN: Duration = Duration::from_millis(10);

/// The longest wait after failed `accept`s in a row.
const ACCEPT_BACKOFF_MAX: Duration = Duration::from_secs(1);

/// The public API's policy: any origin, method and header; `x-request-id`
/// readable; preflights cached ten minutes.
static PUBLIC: Policy<'static> = match PolicyBuilder::new()
    .allow_any_origin()
    .allow_any_method()
    .allow_headers(&["*"])
    .expose_headers(&["x-request-id"])
    .max_age(600)
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid public policy"), // a compile error, not a run-time panic
};

/// The private API's policy: the `CORS_*` variables, each unset one taking
/// the demo's default.
fn private_policy() -> Result<OwnedPolicy, String> {
    let mut c = PolicyConfig::from_env().map_err(|e| e.to_string())?;
    let unset = |name: &str| std::env::var_os(name).is_none();
    let list = |items: &[&str]| StarOrList::List(items.iter().map(|s| s.to_string()).collect());
    if unset("CORS_ALLOWED_ORIGINS") {
        c.allowed_origins = list(&["https://app.example"]);
    }
    if unset("CORS_ALLOW_CREDENTIALS") {
        c.allow_credentials = true;
    }
    if unset("CORS_ALLOWED_METHODS") {
        c.allowed_methods = list(&["GET", "POST", "PUT", "DELETE", "PATCH"]);
    }
    if unset("CORS_ALLOWED_HEADERS") {
        c.allowed_headers = list(&["content-type", "authorization", "x-custom-header"]);
    }
    if unset("CORS_EXPOSE_HEADERS") {
        c.expose_headers = list(&["x-request-id"]);
    }
    if unset("CORS_MAX_AGE") {
        c.max_age = Some(600);
    }
    c.build().map_err(|e| e.to_string())
}

fn answer(api: &str, method: &Method, path: &str) -> Response {
    let status = if path.ends_with("/error") {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let body = serde_json::json!({ "api": api, "method": method.as_str(), "path": path });
    let mut response = (status, body.to_string()).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert("x-request-id", HeaderValue::from_static("42"));
    headers.insert("x-unexposed", HeaderValue::from_static("1"));
    response
}

async fn public(method: Method, OriginalUri(uri): OriginalUri) -> Response {
    answer("public", &method, uri.path())
}

async fn private(method: Method, OriginalUri(uri): OriginalUri) -> Response {
    answer("private", &method, uri.path())
}

/// One line per request, after the CORS layer has answered or the handler
/// has: `<METHOD> <PATH> <STATUS>`.
async fn log(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = next.run(request).await;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{method} {path} {}", response.status().as_u16());
    let _ = out.flush();
    response
}

/// The command line: `--listen ADDR`, `--policy FILE`.
struct Args {
    listen: SocketAddr,
    policy: Option<PathBuf>,
}

fn args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let mut parsed = Args {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        policy: None,
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                let value = args.next().ok_or("--listen needs an address")?;
                parsed.listen = value
                    .parse()
                    .map_err(|e| format!("--listen {value}: {e}"))?;
            }
            "--policy" => {
                parsed.policy = Some(args.next().ok_or("--policy needs a file")?.into());
            }
            other => {
                return Err(format!(
                    "unknown argument {other:?}; usage: --listen ADDR [--policy FILE]"
                ));
            }
        }
    }
    Ok(parsed)
}

/// Logs through `tracing` to stderr, filtered by `RUST_LOG` or, by
/// default, `info,cors_policy=debug` (the layer's refusal events).
fn init_logging() {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter: tracing_subscriber::filter::Targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| "info,cors_policy=debug".parse().unwrap_or_default());
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
}

/// Serves `app` on `listener` with the limits above.
async fn serve(listener: TcpListener, app: Router) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let mut backoff = ACCEPT_BACKOFF_MIN;
    loop {
        // At the limit, new connections wait in the backlog.
        let Ok(slot) = Arc::clone(&slots).acquire_owned().await else {
            return; // never closed
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => {
                backoff = ACCEPT_BACKOFF_MIN;
                stream
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "accept failed");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(ACCEPT_BACKOFF_MAX);
                continue;
            }
        };
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| app.clone().oneshot(request),
            );
            // A client that goes away, or is too slow, is its own business.
            let _ = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_READ_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service)
                .await;
            drop(slot);
        });
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("axum_server: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging();
    let loaded = match &args.policy {
        Some(file) => PolicyConfig::from_path(file)
            .map_err(|e| e.to_string())
            .and_then(|c| c.build().map_err(|e| format!("{}: {e}", file.display()))),
        None => private_policy(),
    };
    let private_policy = match loaded {
        Ok(p) => p,
        Err(e) => {
            eprintln!("axum_server: private API policy: {e}");
            return ExitCode::from(1);
        }
    };
    // The private policy sits in a handle; with --policy, a watcher stores
    // each valid new version of the file into it (hot reload), and refuses
    // an invalid one, logging why, while the policy in force keeps serving.
    let baseline = private_policy.config().clone();
    let handle = PolicyHandle::new(private_policy);
    let _watcher = match &args.policy {
        Some(file) => {
            let store = handle.clone();
            match PolicyWatcher::new(file)
                .loaded(baseline)
                .start(move |p| store.store(p))
            {
                Ok(w) => Some(w),
                Err(e) => {
                    eprintln!("axum_server: {}: cannot watch: {e}", file.display());
                    return ExitCode::from(1);
                }
            }
        }
        None => None,
    };
    let app = Router::new()
        .route(
            "/public/{*rest}",
            any(public).layer(CorsLayer::new(&PUBLIC)),
        )
        .route(
            "/private/{*rest}",
            any(private).layer(CorsLayer::swappable(&handle)),
        )
        .layer(middleware::from_fn(log));
    let listener = match TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("axum_server: cannot listen on {}: {e}", args.listen);
            return ExitCode::from(1);
        }
    };
    let addr = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("axum_server: {e}");
            return ExitCode::from(1);
        }
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
    serve(listener, app).await;
    ExitCode::SUCCESS
}
