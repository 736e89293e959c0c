//! An actix-web server with a public API (`/public/...`, open to every
//! origin) and a credentialed private API (`/private/...`, policy from the
//! `CORS_*` environment variables), each scope behind its own [`Cors`].
//!
//! ```text
//! cargo run -p cors-policy-actix --example actix_server -- --listen 127.0.0.1:0
//! ```
//!
//! It prints `listening on http://ADDR`, then `<METHOD> <PATH> <STATUS>` for
//! every request, preflights answered by the CORS middleware included.

use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;

use actix_web::dev::Service;
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_actix::{Cors, RefusalEvent};
use cors_policy_config::{OwnedPolicy, PolicyConfig, StarOrList};

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

fn log_refusal(event: &RefusalEvent<'_>) {
    eprintln!("cors: {} {}: {}", event.kind, event.path, event.refusal);
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

#[actix_web::main]
async fn main() -> ExitCode {
    let listen = match listen_arg() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("actix_server: {e}");
            return ExitCode::from(2);
        }
    };
    let private_cors = match private_policy() {
        Ok(p) => Cors::new(p).on_refusal(log_refusal),
        Err(e) => {
            eprintln!("actix_server: private API policy: {e}");
            return ExitCode::from(1);
        }
    };
    let public_cors = Cors::new(&PUBLIC).on_refusal(log_refusal);
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
    .workers(2);
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
