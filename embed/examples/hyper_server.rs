//! cors-policy in hyper without tower: a `service_fn` answers through
//! `cors_policy_http::Evaluator`, the embedding API for stacks on the
//! `http` crate's types (poem, salvo, a proxy work the same way).
//!
//! `cargo run -p cors-policy-embed --example hyper_server -- --listen
//! 127.0.0.1:8080`.

use std::convert::Infallible;

use bytes::Bytes;
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_http::{Evaluator, Respond};
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

/// The demo's policy, checked when the program is compiled.
static POLICY: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&["https://app.example"])
    .allow_methods(&["GET", "PUT"])
    .expose_headers(&["x-request-id"])
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid CORS policy"),
};

// ---- the embedding: these 30 lines are all CORS needs ----

/// Answers one request: a preflight by the CORS answer alone, anything
/// else by the application, with the decision's headers added.
async fn handle(
    cors: Evaluator,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let respond = cors.respond(&req);
    match respond {
        Respond::Preflight(answer) => Ok(answer.into_response()),
        Respond::Forward { headers, .. } => {
            let mut response = app(req).await;
            // Error statuses too: the page must be able to read them.
            headers.apply(response.headers_mut());
            Ok(response)
        }
    }
}

/// Serves `listener`, a task per connection; `cors_for` gives the
/// evaluator of a path (`None`: 404).
pub async fn serve(
    listener: TcpListener,
    cors_for: impl Fn(&str) -> Option<Evaluator> + Clone + Send + 'static,
) {
    while let Ok((stream, _)) = listener.accept().await {
        let cors_for = cors_for.clone();
        let service = service_fn(move |req: Request<Incoming>| {
            let cors = cors_for(req.uri().path());
            async move {
                match cors {
                    Some(cors) => handle(cors, req).await,
                    None => Ok(not_found()),
                }
            }
        });
        tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
    }
}

// ---- the application ----

/// The application: a greeting (`x-handler` tells the tests who answered).
async fn app(req: Request<Incoming>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::from(format!("hello from {}\n", req.uri().path())));
    response
        .headers_mut()
        .insert("x-handler", http::HeaderValue::from_static("1"));
    response
}

fn not_found() -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::default());
    *response.status_mut() = http::StatusCode::NOT_FOUND;
    response
}

#[allow(dead_code)] // the tests call `serve`, not `main`
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .skip_while(|a| a != "--listen")
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    let cors = Evaluator::new(&POLICY);
    serve(listener, move |_| Some(cors.clone())).await;
    Ok(())
}
