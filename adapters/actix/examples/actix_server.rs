//! An actix-web server with a public API (`/public/...`, open to every
//! origin) and a credentialed private API (`/private/...`, policy from the
//! `CORS_*` environment variables, or from a file that is reloaded when it
//! changes), each scope behind its own [`Cors`].
//!
//! ```text
//! cargo run -p cors-policy-actix --example actix_server -- --listen 127.0.0.1:0
//! cargo run -p cors-policy-actix --example actix_server -- --listen 127.0.0.1:0 --policy examples/policy.json
//! ```
//!
//! It prints `listening on http://ADDR`, then `<METHOD> <PATH> <STATUS>` for
//! every request, preflights answered by the CORS middleware included. Logs
//! go to stderr through `tracing` (filter: `RUST_LOG`, by default
//! `info,cors_policy=debug`): one event per refused request, with its
//! stable `code`, from the middleware itself, and each policy reload.
//!
//! What slow or idle clients can hold is bounded: [`HEADER_READ_TIMEOUT`]
//! (actix answers 408 and closes), [`KEEP_ALIVE`],
//! [`MAX_CONNECTIONS_PER_WORKER`] with [`WORKERS`] workers; actix-server
//! itself waits 500 ms after a failed `accept` (out of file descriptors,
//! say) before trying again.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use actix_web::dev::Service;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_actix::{Cors, PolicyHandle};
use cors_policy_config::watch::PolicyWatcher;
use cors_policy_config::{OwnedPolicy, PolicyConfig, StarOrList};

/// How long a client has to send its first request's headers before actix
/// answers 408 and closes the connection (actix's `client_request_timeout`).
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a kept-alive connection may idle between requests.
const KEEP_ALIVE: Duration = Duration::from_secs(5);

/// Worker threads.
const WORKERS: usize = 2;

/// Connections each worker serves at once; further ones wait in the
/// listen backlog (512 in all with [`WORKERS`] workers; keep the total
/// below the process's file-descriptor limit, `ulimit -n`).
const MAX_CONNECTIONS_PER_WORKER: usize = 256;

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

fn answer(api: &str, req: &HttpRequest) -> HttpResponse {
    let status = if req.path().ends_with("/error") {
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        StatusCode::OK
    };
    let body =
        serde_json::json!({ "api": api, "method": req.method().as_str(), "path": req.path() });
    HttpResponse::build(status)
        .insert_header((
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        ))
        .insert_header(("x-request-id", "42"))
        .insert_header(("x-unexposed", "1"))
        .body(body.to_string())
}

async fn public(req: HttpRequest) -> HttpResponse {
    answer("public", &req)
}

async fn private(req: HttpRequest) -> HttpResponse {
    answer("private", &req)
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
/// default, `info,cors_policy=debug` (the middleware's refusal events).
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

#[actix_web::main]
async fn main() -> ExitCode {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("actix_server: {e}");
            return ExitCode::from(2);
        }
    };
    let listen = args.listen;
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
            eprintln!("actix_server: private API policy: {e}");
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
                    eprintln!("actix_server: {}: cannot watch: {e}", file.display());
                    return ExitCode::from(1);
                }
            }
        }
        None => None,
    };
    let private_cors = Cors::swappable(&handle);
    let public_cors = Cors::new(&PUBLIC);
    let server = HttpServer::new(move || {
        App::new()
            // One line per request, after the CORS middleware answered or
            // the handler did.
            .wrap_fn(|req, srv| {
                let method = req.method().clone();
                let path = req.path().to_owned();
                let fut = srv.call(req);
                async move {
                    let res = fut.await?;
                    let mut out = std::io::stdout().lock();
                    let _ = writeln!(out, "{method} {path} {}", res.status().as_u16());
                    let _ = out.flush();
                    Ok(res)
                }
            })
            .service(
                web::scope("/public")
                    .wrap(public_cors.clone())
                    .default_service(web::to(public)),
            )
            .service(
                web::scope("/private")
                    .wrap(private_cors.clone())
                    .default_service(web::to(private)),
            )
    })
    .workers(WORKERS)
    .client_request_timeout(HEADER_READ_TIMEOUT)
    .keep_alive(KEEP_ALIVE)
    .max_connections(MAX_CONNECTIONS_PER_WORKER);
    let server = match server.bind(listen) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("actix_server: cannot listen on {listen}: {e}");
            return ExitCode::from(1);
        }
    };
    let Some(addr) = server.addrs().first().copied() else {
        eprintln!("actix_server: no address bound");
        return ExitCode::from(1);
    };
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "listening on http://{addr}");
        let _ = out.flush();
    }
    match server.run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("actix_server: {e}");
            ExitCode::from(1)
        }
    }
}
