//! The actix-web middleware in real servers on 127.0.0.1, driven over
//! HTTP/1.1 by a real client (reqwest).

#[path = "../../http/tests/support/client.rs"]
mod client;
#[path = "../../http/tests/support/scenarios.rs"]
mod scenarios;
#[path = "../../http/tests/support/vectors.rs"]
mod support;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use actix_web::dev::Service;
use actix_web::http::header::HeaderValue;
use actix_web::{App, HttpRequest, HttpResponse, HttpServer, error, web};
use client::{header, send};
use cors_policy_actix::{Cors, CorsRefusal, DebugSwitch, PolicyHandle};
use scenarios::{PUBLIC, owned, private};

/// The application: marks its responses with `x-handler`, and misbehaves
/// on request, by the end of the path.
async fn handler(req: HttpRequest) -> Result<HttpResponse, actix_web::Error> {
    let path = req.path();
    if path.ends_with("/fail") {
        return Err(error::ErrorBadRequest("bad request"));
    }
    let mut r = if path.ends_with("/error") {
        HttpResponse::InternalServerError()
    } else if path.ends_with("/notfound") {
        HttpResponse::NotFound()
    } else {
        HttpResponse::Ok()
    };
    r.insert_header(("x-handler", "1"));
    r.insert_header(("x-request-id", "42"));
    if path.ends_with("/vary") {
        r.insert_header(("vary", "Accept-Encoding"));
    } else if path.ends_with("/vary-origin") {
        r.insert_header(("vary", "accept-encoding, origin"));
    } else if path.ends_with("/vary-star") {
        r.insert_header(("vary", "*"));
    } else if path.ends_with("/own-cors") {
        r.insert_header(("access-control-allow-origin", "*"));
        r.append_header(("access-control-allow-origin", "https://other.example"));
        r.insert_header(("access-control-allow-methods", "GET"));
        r.insert_header(("access-control-allow-credentials", "true"));
    }
    Ok(r.finish())
}

/// Starts an actix-web server on its own thread and system; `configure`
/// sets up each worker's app.
fn serve(configure: impl Fn(&mut web::ServiceConfig) + Send + Sync + Clone + 'static) -> String {
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let configure = configure.clone();
                App::new().configure(move |cfg| configure(cfg))
            })
            .workers(1)
            .disable_signals()
            .bind(("127.0.0.1", 0))
            .unwrap();
            tx.send(server.addrs()[0]).unwrap();
            server.run().await
        })
    });
    format!("http://{}", rx.recv().unwrap())
}

fn scope(path: &str, cors: Cors) -> impl actix_web::dev::HttpServiceFactory + use<> {
    // actix runs the last `wrap` first: the CORS middleware is outermost,
    // and a middleware failing with `Err` sits inside it.
    web::scope(path)
        .wrap_fn(|req, srv| {
            let fail = req.path().ends_with("/mw-error");
            let fut = (!fail).then(|| srv.call(req));
            async move {
                match fut {
                    Some(fut) => fut.await,
                    None => Err(error::ErrorServiceUnavailable("unavailable")),
                }
            }
        })
        .wrap(cors)
        .default_service(web::to(handler))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn actix_serves_every_vector() {
    let vectors = support::vectors();
    let cors: Arc<Vec<Option<Cors>>> = Arc::new(
        vectors
            .iter()
            .map(|v| v.policy().ok().map(Cors::new))
            .collect(),
    );
    let base = serve(move |cfg| {
        for (i, c) in cors.iter().enumerate() {
            if let Some(c) = c {
                cfg.service(scope(&format!("/v/{i}"), c.clone()));
            }
        }
    });
    scenarios::serves_every_vector("actix", &vectors, |i| format!("{base}/v/{i}/x")).await;
}

fn two_apis(cfg: &mut web::ServiceConfig) {
    cfg.service(scope("/public", Cors::new(&PUBLIC)));
    cfg.service(scope("/private", Cors::new(private())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_options_and_not_cors_options_reach_the_application() {
    let base = serve(two_apis);
    scenarios::plain_options_and_not_cors_options_reach_the_application("actix", &base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_responses_carry_the_cors_headers() {
    let base = serve(two_apis);
    let client = reqwest::Client::new();
    let origin = [("origin", "https://app.example")];
    for (path, status) in [
        ("/private/x/error", 500),
        ("/private/x/notfound", 404),
        ("/private/x/fail", 400),     // the handler returns Err
        ("/private/x/mw-error", 503), // a middleware inside returns Err
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
        assert_eq!(
            header(&o, "access-control-expose-headers"),
            ["x-request-id"],
            "{path}"
        );
        assert_eq!(header(&o, "vary"), ["Origin"], "{path}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vary_is_merged_and_own_cors_headers_replaced() {
    let base = serve(two_apis);
    scenarios::vary_is_merged_and_own_cors_headers_replaced("actix", &base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_scope_has_its_own_policy() {
    let base = serve(two_apis);
    scenarios::each_api_has_its_own_policy("actix", &base).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn policy_swap_under_concurrent_requests() {
    let handle = PolicyHandle::new(owned(r#"{"allowed_origins": ["https://a.example"]}"#));
    let cors = Cors::swappable(&handle);
    let base = serve(move |cfg| {
        cfg.service(scope("", cors.clone()));
    });
    scenarios::policy_swap_under_concurrent_requests("actix", &base, || {
        handle.store(owned(r#"{"allowed_origins": ["https://b.example"]}"#))
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dynamic_origin_check() {
    let calls = Arc::new(AtomicUsize::new(0));
    let refused = Arc::new(Mutex::new(Vec::new()));
    let (c, r) = (calls.clone(), refused.clone());
    let cors = Cors::new(owned(
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
    let base = serve(move |cfg| {
        cfg.service(scope("", cors.clone()));
    });
    scenarios::dynamic_origin_check("actix", &base, &calls, &refused).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug_mode_switched_while_running() {
    let switch = DebugSwitch::default();
    let cors = Cors::new(private()).debug_switch(&switch);
    let base = serve(move |cfg| {
        cfg.service(scope("", cors.clone()));
    });
    scenarios::debug_mode_switched_while_running("actix", &base, |on| switch.set(on)).await;
}

#[actix_web::test]
async fn refusal_reason_goes_to_the_application_not_the_client() {
    use actix_web::test;
    let hook_saw = Arc::new(Mutex::new(Vec::new()));
    let saw = hook_saw.clone();
    let cors = Cors::new(private())
        .refusal_extension(true)
        .on_refusal(move |e| saw.lock().unwrap().push(e.refusal.to_string()));
    let app = test::init_service(App::new().wrap(cors).default_service(web::to(handler))).await;

    let preflight = test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .insert_header(("origin", "https://app.example"))
        .insert_header(("access-control-request-method", "PROPFIND"))
        .to_request();
    let res = test::call_service(&app, preflight).await;
    assert_eq!(res.status(), 403);
    let refusal = res
        .response()
        .extensions()
        .get::<CorsRefusal>()
        .cloned()
        .expect("refusal extension");
    assert_eq!(refusal.code, "method_not_allowed");
    for (_, v) in res.headers() {
        assert!(
            !v.to_str().unwrap_or("").contains("PROPFIND"),
            "reason leaked: {v:?}"
        );
    }
    let body = test::read_body(res).await;
    assert!(body.is_empty());

    let actual = test::TestRequest::get()
        .insert_header(("origin", "https://evil.example"))
        .to_request();
    let res = test::call_service(&app, actual).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.response()
            .extensions()
            .get::<CorsRefusal>()
            .unwrap()
            .code,
        "origin_not_allowed"
    );

    let allowed = test::TestRequest::get()
        .insert_header(("origin", "https://app.example"))
        .to_request();
    let res = test::call_service(&app, allowed).await;
    assert!(res.response().extensions().get::<CorsRefusal>().is_none());
    assert_eq!(
        res.headers().get("access-control-allow-origin"),
        Some(&HeaderValue::from_static("https://app.example"))
    );
    assert_eq!(
        *hook_saw.lock().unwrap(),
        [
            "method \"PROPFIND\" is not allowed".to_string(),
            "origin \"https://evil.example\" is not allowed".to_string()
        ]
    );
}
