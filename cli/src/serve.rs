//! `cors-policy serve`: a loopback HTTP server answering every path and
//! method behind a policy, through the tower adapter, so the policy can be
//! tried from a page.
//!
//! It prints `listening on http://ADDR` first, then `<METHOD> <PATH>
//! <STATUS>` for each request, preflights answered by the CORS layer
//! included, flushing after each line (the shared server interface).

use std::convert::Infallible;
use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use cors_policy_config::OwnedPolicy;
use http::{HeaderValue, Request, Response, StatusCode, header};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use serde::Serialize;
use tower::{Layer, ServiceExt};

use crate::problems::{self, Loaded};

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

/// Runs `serve`; returns the exit code when it cannot start (it otherwise
/// runs until killed).
pub fn run(policy: &Path, listen: &str) -> u8 {
    let owned = match problems::load(policy) {
        Loaded::Ready(ready) => ready.1,
        Loaded::Unreadable(line) => {
            eprintln!("{line}");
            return 2;
        }
        Loaded::Invalid(invalid) => {
            eprint!("{}", problems::human(policy, &invalid));
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
    runtime.block_on(serve(addr, owned))
}

async fn serve(addr: SocketAddr, policy: OwnedPolicy) -> u8 {
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
    let service = cors_policy_tower::CorsLayer::new(policy).layer(tower::service_fn(app));
    say(&format!("listening on http://{bound}"));
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors and the like: wait, then go on.
                eprintln!("accept: {e}");
                tokio::time::sleep(Duration::from_millis(50)).await;
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
            // A client that goes away mid-request is its own business.
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), per_request)
                .await;
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
