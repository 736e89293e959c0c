//! cors-policy in picoserve, a `no_std` HTTP server for embedded targets
//! (on embassy), run here on tokio: the application is wrapped in this
//! crate's `Cors` layer (`src/lib.rs`: no `std`, no `alloc`, a `static`
//! policy, fixed-capacity buffers). On a board, only the socket loop
//! changes (`picoserve::Server::new` over an `embassy-net` stack).
//!
//! `cargo run -p cors-policy-embed --example picoserve_server -- --listen
//! 127.0.0.1:8080`.

use cors_policy::{Policy, PolicyBuilder};
use cors_policy_embed::Cors;
use picoserve::ResponseSent;
use picoserve::io::Read;
use picoserve::request::{Path, Request};
use picoserve::response::{IntoResponse, Response, ResponseWriter};
use picoserve::routing::PathRouterService;

/// The demo's policy, checked when the program is compiled.
static POLICY: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&["https://app.example"])
    .allow_methods(&["GET", "PUT"])
    .expose_headers(&["x-request-id"])
    .max_age(600)
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid CORS policy"),
};

/// picoserve's settings: a static, as on a board.
static CONFIG: picoserve::Config = picoserve::Config::const_default().keep_connection_alive();

/// The application: a greeting for every path and method (`x-handler`
/// tells the tests who answered).
struct App;

impl PathRouterService<()> for App {
    async fn call_path_router_service<R: Read, W: ResponseWriter<Error = R::Error>>(
        &self,
        _state: &(),
        _path_parameters: (),
        path: Path<'_>,
        request: Request<'_, R>,
        response_writer: W,
    ) -> Result<ResponseSent, W::Error> {
        let body = format_args!("hello from {}\n", path.encoded());
        Response::ok(body)
            .with_header("x-handler", "1")
            .write_to(request.body_connection.finalize().await?, response_writer)
            .await
    }
}

/// Serves `listener` with the application behind `cors`, a task per
/// connection (picoserve's futures stay on one thread, as on a board).
pub async fn serve<const N: usize>(listener: tokio::net::TcpListener, cors: Cors<N>) {
    let app = picoserve::Router::from_service(App).layer(cors);
    let local = tokio::task::LocalSet::new();
    local
        .run_until(async {
            let app = std::rc::Rc::new(app);
            while let Ok((stream, _)) = listener.accept().await {
                // picoserve writes a response in several small writes:
                // without this, Nagle's algorithm holds each answer for
                // the client's delayed acknowledgement (about 40 ms).
                let _ = stream.set_nodelay(true);
                let app = app.clone();
                tokio::task::spawn_local(async move {
                    // The request head and body are read into this buffer:
                    // 4 KiB takes every conformance vector (the largest
                    // head is about 2.3 KiB); a longer head is refused.
                    let mut buffer = [0; 4096];
                    let _ = picoserve::Server::new_tokio(&app, &CONFIG, &mut buffer)
                        .serve(stream)
                        .await;
                });
            }
        })
        .await;
}

#[allow(dead_code)] // the tests call `serve`, not `main`
#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .skip_while(|a| a != "--listen")
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, Cors::new(&POLICY)).await;
    Ok(())
}
