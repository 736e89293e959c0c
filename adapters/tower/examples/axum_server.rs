//! An axum server with a public API (`/public/...`, open to every origin)
//! and a credentialed private API (`/private/...`, policy from the `CORS_*`
//! environment variables), each behind its own [`CorsLayer`].
//!
//! ```text
//! cargo run -p cors-policy-tower --example axum_server -- --listen 127.0.0.1:0
//! ```
//!
//! It prints `listening on http://ADDR`, then `<METHOD> <PATH> <STATUS>` for
//! every request, preflights answered by the CORS layer included.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Router;
use axum::extract::{OriginalUri, Request};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_config::{OwnedPolicy, PolicyConfig, StarOrList};
use cors_policy_tower::CorsLayer;

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

fn listen_arg() -> Result<SocketAddr, String> {
    let mut args = std::env::args().skip(1);
    let mut listen = SocketAddr::from(([127, 0, 0, 1], 0));
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => {
                let value = args.next().ok_or("--listen needs an address")?;
                listen = value
                    .parse()
                    .map_err(|e| format!("--listen {value}: {e}"))?;
            }
            other => return Err(format!("unknown argument {other:?}; usage: --listen ADDR")),
        }
    }
    Ok(listen)
}

#[tokio::main]
async fn main() -> ExitCode {
    let listen = match listen_arg() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("axum_server: {e}");
            return ExitCode::from(2);
        }
    };
    let private_policy = match private_policy() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("axum_server: private API policy: {e}");
            return ExitCode::from(1);
        }
    };
    let log_refusal = |event: &cors_policy_tower::RefusalEvent<'_>| {
        eprintln!("cors: {} {}: {}", event.kind, event.path, event.refusal);
    };
    let app = Router::new()
        .route(
            "/public/{*rest}",
            any(public).layer(CorsLayer::new(&PUBLIC).on_refusal(log_refusal)),
        )
        .route(
            "/private/{*rest}",
            any(private).layer(CorsLayer::new(private_policy).on_refusal(log_refusal)),
        )
        .layer(middleware::from_fn(log));
    let listener = match tokio::net::TcpListener::bind(listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("axum_server: cannot listen on {listen}: {e}");
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
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axum_server: {e}");
            ExitCode::from(1)
        }
    }
}
