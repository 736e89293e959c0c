//! The tower layer in real servers on 127.0.0.1 (axum, and plain hyper),
//! driven over HTTP/1.1 by a real client (reqwest).

#[path = "../../http/tests/support/client.rs"]
mod client;
#[path = "../../http/tests/support/scenarios.rs"]
mod scenarios;
#[path = "../../http/tests/support/vectors.rs"]
mod support;

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::routing::any;
use client::{header, send};
use cors_policy_tower::{CorsLayer, CorsRefusal, DebugSwitch, PolicyHandle};
use http::{HeaderValue, Request, Response, StatusCode};
use scenarios::{PUBLIC, owned, private};
use tower::{Layer, ServiceExt};

/// The application: marks its responses with `x-handler`, and misbehaves
/// on request, by the end of the path.
fn app_response<B: Default>(path: &str) -> Response<B> {
    let mut r = Response::new(B::default());
    let h = r.headers_mut();
    h.insert("x-handler", HeaderValue::from_static("1"));
    h.insert("x-request-id", HeaderValue::from_static("42"));
    if path.ends_with("/error") {
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    } else if path.ends_with("/notfound") {
        *r.status_mut() = StatusCode::NOT_FOUND;
    } else if path.ends_with("/vary") {
        h.insert("vary", HeaderValue::from_static("Accept-Encoding"));
    } else if path.ends_with("/vary-origin") {
        h.insert("vary", HeaderValue::from_static("accept-encoding, origin"));
    } else if path.ends_with("/vary-star") {
        h.insert("vary", HeaderValue::from_static("*"));
    } else if path.ends_with("/own-cors") {
        h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
        h.append(
            "access-control-allow-origin",
            HeaderValue::from_static("https://other.example"),
        );
        h.insert(
            "access-control-allow-methods",
            HeaderValue::from_static("GET"),
        );
        h.insert(
            "access-control-allow-credentials",
            HeaderValue::from_static("true"),
        );
    }
    r
}

async fn axum_handler(req: axum::extract::Request) -> axum::response::Response {
    app_response(req.uri().path())
}

async fn serve_axum(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn axum_serves_every_vector() {
    let vectors = support::vectors();
    let mut app = Router::new();
    for (i, v) in vectors.iter().enumerate() {
        if let Ok(policy) = v.policy() {
            app = app.route(
                &format!("/v/{i}"),
                any(axum_handler).layer(CorsLayer::new(policy)),
            );
        }
    }
    let base = serve_axum(app).await;
    scenarios::serves_every_vector("axum", &vectors, |i| format!("{base}/v/{i}")).await;
}

async fn hyper_app(
    req: Request<hyper::body::Incoming>,
) -> Result<Response<http_body_util::Empty<bytes::Bytes>>, Infallible> {
    Ok(app_response(req.uri().path()))
}

/// A plain hyper 1 server (no axum): each connection is served by a
/// `service_fn` that sends `/v/{i}` through the i-th vector's layer.
async fn serve_hyper(layers: Arc<Vec<Option<CorsLayer>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let layers = layers.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req: Request<_>| {
                    let layer = req
                        .uri()
                        .path()
                        .strip_prefix("/v/")
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| layers.get(i).cloned().flatten());
                    async move {
                        match layer {
                            Some(layer) => {
                                layer.layer(tower::service_fn(hyper_app)).oneshot(req).await
                            }
                            None => {
                                let mut r = Response::new(http_body_util::Empty::new());
                                *r.status_mut() = StatusCode::NOT_FOUND;
                                Ok(r)
                            }
                        }
                    }
                });
                let io = hyper_util::rt::TokioIo::new(stream);
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await;
            });
        }
    });
    format!("http://{addr}")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hyper_serves_every_vector() {
    let vectors = support::vectors();
    let layers: Vec<Option<CorsLayer>> = vectors
        .iter()
        .map(|v| v.policy().ok().map(CorsLayer::new))
        .collect();
    let base = serve_hyper(Arc::new(layers)).await;
    scenarios::serves_every_vector("hyper", &vectors, |i| format!("{base}/v/{i}")).await;
}

/// The demo's two APIs: a public one open to `*` beside a credentialed
/// private one.
fn two_apis() -> Router {
    Router::new()
        .route(
            "/public/{*rest}",
            any(axum_handler).layer(CorsLayer::new(&PUBLIC)),
        )
        .route(
            "/private/{*rest}",
            any(axum_handler).layer(CorsLayer::new(private())),
        )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_options_and_not_cors_options_reach_the_application() {
    let base = serve_axum(two_apis()).await;
    scenarios::plain_options_and_not_cors_options_reach_the_application("axum", &base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_responses_carry_the_cors_headers() {
    let app = Router::new()
        .route("/private/{*rest}", any(axum_handler))
        .layer(CorsLayer::new(private()));
    let base = serve_axum(app).await;
    let client = reqwest::Client::new();
    let origin = [("origin", "https://app.example")];
    for (path, status) in [
        ("/private/x/error", 500),
        ("/private/x/notfound", 404),
        ("/nowhere", 404),
    ] {
        let o = send(&client, &format!("{base}{path}"), "GET", &origin).await;
        assert_eq!(o.status, status, "{path}");
        assert_eq!(
            header(&o, "access-control-allow-origin"),
            ["https://app.example"],
            "{path}"
        );
        assert_eq!(
            header(&o, "access-control-allow-credentials"),
            ["true"],
            "{path}"
        );
        assert_eq!(header(&o, "vary"), ["Origin"], "{path}");
    }
    // The application's 500 keeps its own headers too.
    let o = send(&client, &format!("{base}/private/x/error"), "GET", &origin).await;
    assert_eq!(
        header(&o, "access-control-expose-headers"),
        ["x-request-id"]
    );
    assert_eq!(header(&o, "x-request-id"), ["42"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vary_is_merged_and_own_cors_headers_replaced() {
    let base = serve_axum(two_apis()).await;
    scenarios::vary_is_merged_and_own_cors_headers_replaced("axum", &base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_route_has_its_own_policy() {
    let base = serve_axum(two_apis()).await;
    scenarios::each_api_has_its_own_policy("axum", &base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_swap_under_concurrent_requests() {
    let handle = PolicyHandle::new(owned(r#"{"allowed_origins": ["https://a.example"]}"#));
    let app = Router::new()
        .route("/{*rest}", any(axum_handler))
        .layer(CorsLayer::swappable(&handle));
    let base = serve_axum(app).await;
    scenarios::policy_swap_under_concurrent_requests("axum", &base, || {
        handle.store(owned(r#"{"allowed_origins": ["https://b.example"]}"#))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_origin_check() {
    let calls = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (c, r) = (calls.clone(), refused.clone());
    let layer = CorsLayer::new(owned(
        r#"{"allowed_origins": ["https://app.example"], "allowed_methods": ["PUT"]}"#,
    ))
    .origin_check(move |origin| {
        c.fetch_add(1, Ordering::SeqCst);
        origin.ends_with(b".tenant.example")
    })
    .on_refusal(move |e| {
        r.lock()
            .unwrap()
            .push((e.refusal.code(), e.path.to_string()))
    });
    let base = serve_axum(
        Router::new()
            .route("/{*rest}", any(axum_handler))
            .layer(layer),
    )
    .await;
    scenarios::dynamic_origin_check("axum", &base, &calls, &refused).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_mode_switched_while_running() {
    let switch = DebugSwitch::default();
    let layer = CorsLayer::new(private()).debug_switch(&switch);
    let base = serve_axum(
        Router::new()
            .route("/{*rest}", any(axum_handler))
            .layer(layer),
    )
    .await;
    scenarios::debug_mode_switched_while_running("axum", &base, |on| switch.set(on)).await;
}

#[tokio::test]
async fn refusal_reason_goes_to_the_application_not_the_client() {
    let hook_saw = Arc::new(std::sync::Mutex::new(Vec::new()));
    let saw = hook_saw.clone();
    let layer = CorsLayer::new(private())
        .refusal_extension(true)
        .on_refusal(move |e| saw.lock().unwrap().push(e.refusal.to_string()));
    let app = tower::service_fn(|req: Request<()>| async move {
        Ok::<_, Infallible>(app_response::<String>(req.uri().path()))
    });
    let service = layer.layer(app);

    let preflight = Request::options("/items")
        .header("origin", "https://app.example")
        .header("access-control-request-method", "PROPFIND")
        .body(())
        .unwrap();
    let res = service.clone().oneshot(preflight).await.unwrap();
    assert_eq!(res.status(), 403);
    let refusal = res
        .extensions()
        .get::<CorsRefusal>()
        .expect("refusal extension");
    assert_eq!(refusal.code, "method_not_allowed");
    assert_eq!(refusal.message, "method \"PROPFIND\" is not allowed");
    assert!(res.body().is_empty());
    for (_, v) in res.headers() {
        assert!(
            !v.to_str().unwrap_or("").contains("PROPFIND"),
            "reason leaked: {v:?}"
        );
    }

    let actual = Request::get("/items")
        .header("origin", "https://evil.example")
        .body(())
        .unwrap();
    let res = service.clone().oneshot(actual).await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.extensions().get::<CorsRefusal>().unwrap().code,
        "origin_not_allowed"
    );

    let allowed = Request::get("/items")
        .header("origin", "https://app.example")
        .body(())
        .unwrap();
    let res = service.oneshot(allowed).await.unwrap();
    assert!(res.extensions().get::<CorsRefusal>().is_none());
    assert_eq!(
        *hook_saw.lock().unwrap(),
        [
            "method \"PROPFIND\" is not allowed".to_string(),
            "origin \"https://evil.example\" is not allowed".to_string()
        ]
    );
}
