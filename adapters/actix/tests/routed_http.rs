//! The middleware inside actix-web apps written the way actix-web apps are
//! written (`App::wrap` with routes, `scope(..).wrap(..)` with `.route`,
//! `.service(web::resource(..))`, guards, `default_service`, sibling and
//! stacked scopes with different policies, authentication and logging
//! middleware on either side, handlers and middleware that fail), served
//! by `HttpServer` on 127.0.0.1 and driven by a real HTTP/1.1 client, each
//! case on a fresh connection and on a kept-alive one. Each case checks the
//! status, what ran in the application, the CORS headers and `Vary`.
//! `docs/integration.md` explains the placements.
//!
//! Regression: until 6b2ac17 every non-preflight request to a `.route` or
//! `.service(resource)` behind the middleware panicked in actix's router
//! (`HttpRequest::match_info_mut`), and the client got an empty reply.

#[path = "../../http/tests/support/routed.rs"]
mod routed;

use std::net::SocketAddr;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::{Logger, Next, from_fn};
use actix_web::{App, HttpResponse, HttpServer, error, guard, web};
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_actix::Cors;
use routed::{APP, EVIL, Trace, VARY_PREFLIGHT, VARY_PREFLIGHT_ANY, case, preflight, req, run};

/// Any origin, no credentials.
static PUBLIC: Policy<'static> = match PolicyBuilder::new()
    .allow_any_origin()
    .allow_methods(&["GET", "POST"])
    .allow_headers(&["content-type"])
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid policy"),
};

/// `APP` only, with credentials.
static PRIVATE: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&[APP])
    .allow_credentials(true)
    .allow_methods(&["GET", "POST", "PUT", "DELETE"])
    .allow_headers(&["content-type", "authorization"])
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid policy"),
};

/// Starts `HttpServer` (one worker, its own thread and actix system) with
/// the app the factory closure makes; the server stops with the test
/// process. (A macro: `HttpServer::new`'s bounds name crates this test
/// does not otherwise need.)
macro_rules! serve {
    ($factory:expr) => {{
        let factory = $factory;
        let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = HttpServer::new(factory)
                    .workers(1)
                    .disable_signals()
                    .bind(("127.0.0.1", 0))
                    .unwrap();
                tx.send(server.addrs()[0]).unwrap();
                server.run().await
            })
        });
        rx.recv().unwrap()
    }};
}

// The application: each handler records that it ran.

async fn list(t: web::Data<Trace>) -> HttpResponse {
    t.push("list");
    HttpResponse::Ok().body("[]")
}

#[derive(serde::Deserialize)]
struct NewItem {
    #[allow(dead_code)]
    name: String,
}

async fn create(t: web::Data<Trace>, _item: web::Json<NewItem>) -> HttpResponse {
    t.push("create");
    HttpResponse::Created().finish()
}

async fn show(t: web::Data<Trace>, id: web::Path<u32>) -> HttpResponse {
    t.push("show");
    HttpResponse::Ok().body(format!("item {id}"))
}

async fn update(t: web::Data<Trace>, _id: web::Path<u32>) -> HttpResponse {
    t.push("update");
    HttpResponse::Ok().finish()
}

/// A handler failing with `Err` (actix makes the response from the error).
async fn conflict(t: web::Data<Trace>) -> Result<HttpResponse, actix_web::Error> {
    t.push("conflict");
    Err(error::ErrorConflict("taken"))
}

/// Handlers answering 4xx and 5xx themselves.
async fn bad_request(t: web::Data<Trace>) -> HttpResponse {
    t.push("bad-request");
    HttpResponse::BadRequest().body("no")
}

async fn broken(t: web::Data<Trace>) -> HttpResponse {
    t.push("broken");
    HttpResponse::InternalServerError().body("it broke")
}

async fn not_found(t: web::Data<Trace>) -> HttpResponse {
    t.push("default");
    HttpResponse::NotFound().body("nothing here")
}

async fn scope_default(t: web::Data<Trace>) -> HttpResponse {
    t.push("scope-default");
    HttpResponse::NotFound().body("no such API")
}

fn trace_of(req: &ServiceRequest) -> web::Data<Trace> {
    req.app_data::<web::Data<Trace>>()
        .expect("the app's trace")
        .clone()
}

/// Authentication: a request without `Authorization: Bearer good` fails
/// with a 401 error, as authentication middleware usually does in actix.
async fn auth(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    trace_of(&req).push("auth");
    match req.headers().get("authorization") {
        Some(v) if v == "Bearer good" => next.call(req).await,
        _ => Err(error::ErrorUnauthorized("no token")),
    }
}

async fn log_outer(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    trace_of(&req).push("log-outer");
    next.call(req).await
}

async fn log_inner(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    trace_of(&req).push("log-inner");
    next.call(req).await
}

/// `App::new().wrap(..)` with routes of several methods, handlers that
/// fail, failing extractors and the app's `default_service`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_wrap_with_routes_and_default_service() {
    let trace = Trace::default();
    let t = trace.clone();
    let addr = serve!(move || {
        App::new()
            .app_data(web::Data::new(t.clone()))
            .wrap(Cors::new(&PRIVATE))
            .route("/items", web::get().to(list))
            .route("/items", web::post().to(create))
            .route("/items/{id}", web::get().to(show))
            .route("/items/{id}", web::put().to(update))
            .route("/conflict", web::get().to(conflict))
            .route("/bad", web::get().to(bad_request))
            .route("/broken", web::get().to(broken))
            .default_service(web::to(not_found))
    });
    let json = "application/json";
    let cases = [
        // The middleware wraps the whole router: preflights are answered
        // before routing, whatever the path.
        case(
            "preflight PUT /items/7",
            preflight("/items/7", APP, "PUT"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "PUT")
        .vary(VARY_PREFLIGHT),
        case(
            "preflight POST /items with content-type",
            preflight("/items", APP, "POST")
                .header("access-control-request-headers", "content-type"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "POST")
        .cors("access-control-allow-headers", "content-type")
        .vary(VARY_PREFLIGHT),
        case(
            "preflight from a refused origin",
            preflight("/items", EVIL, "PUT"),
            403,
        )
        .vary(VARY_PREFLIGHT),
        case(
            "preflight for a path no route matches",
            preflight("/nowhere", APP, "DELETE"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "DELETE")
        .vary(VARY_PREFLIGHT),
        case("GET /items", req("GET", "/items").origin(APP), 200)
            .ran(&["list"])
            .credentialed()
            .vary("Origin")
            .body("[]"),
        case(
            "POST /items",
            req("POST", "/items")
                .origin(APP)
                .header("content-type", json)
                .body(r#"{"name": "a"}"#),
            201,
        )
        .ran(&["create"])
        .credentialed()
        .vary("Origin"),
        case("GET /items/7", req("GET", "/items/7").origin(APP), 200)
            .ran(&["show"])
            .credentialed()
            .vary("Origin")
            .body("item 7"),
        case("PUT /items/7", req("PUT", "/items/7").origin(APP), 200)
            .ran(&["update"])
            .credentialed()
            .vary("Origin"),
        // Handlers that fail, with `Err` or with an error status: the page
        // can read every one of them.
        case("a handler's Err", req("GET", "/conflict").origin(APP), 409)
            .ran(&["conflict"])
            .credentialed()
            .vary("Origin"),
        case("a handler's 400", req("GET", "/bad").origin(APP), 400)
            .ran(&["bad-request"])
            .credentialed()
            .vary("Origin")
            .body("no"),
        case("a handler's 500", req("GET", "/broken").origin(APP), 500)
            .ran(&["broken"])
            .credentialed()
            .vary("Origin")
            .body("it broke"),
        // actix's own answers: a method no route has (405 from the
        // resource), failing extractors, the app's default service.
        // `App::route` makes one resource per call, guarded by the route's
        // method: a method no route has matches no resource and gets the
        // app's default service (a `web::resource` answers 405 instead;
        // see the scope test).
        case(
            "DELETE /items/7: the default service",
            req("DELETE", "/items/7").origin(APP),
            404,
        )
        .ran(&["default"])
        .credentialed()
        .vary("Origin"),
        case(
            "Path<u32> of \"abc\": 404",
            req("GET", "/items/abc").origin(APP),
            404,
        )
        .credentialed()
        .vary("Origin"),
        case(
            "Json of a syntax error: 400",
            req("POST", "/items")
                .origin(APP)
                .header("content-type", json)
                .body("{"),
            400,
        )
        .credentialed()
        .vary("Origin"),
        case(
            "Json missing a field: 400",
            req("POST", "/items")
                .origin(APP)
                .header("content-type", json)
                .body("{}"),
            400,
        )
        .credentialed()
        .vary("Origin"),
        // Refused on its content type before the body is read: actix then
        // closes the connection (it does with any unread body).
        case(
            "Json without its content type: 400",
            req("POST", "/items").origin(APP).body(r#"{"name": "a"}"#),
            400,
        )
        .credentialed()
        .vary("Origin")
        .closes(),
        case(
            "default_service under the middleware",
            req("GET", "/nowhere").origin(APP),
            404,
        )
        .ran(&["default"])
        .credentialed()
        .vary("Origin")
        .body("nothing here"),
        case(
            "GET /items from a refused origin",
            req("GET", "/items").origin(EVIL),
            200,
        )
        .ran(&["list"])
        .vary("Origin"),
        case("GET /items without Origin", req("GET", "/items"), 200)
            .ran(&["list"])
            .vary("Origin"),
        case(
            "OPTIONS that is not a preflight",
            req("OPTIONS", "/items").origin(APP),
            404,
        )
        .ran(&["default"])
        .credentialed()
        .vary("Origin"),
    ];
    run("actix App::wrap", addr, &trace, &cases).await;
}

/// `web::scope(..).wrap(..)` with `.route`, `.service(web::resource(..))`,
/// a guarded route and the scope's `default_service`; the app's default
/// service outside the scope.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_wrap_with_routes_resources_guards_and_defaults() {
    let trace = Trace::default();
    let t = trace.clone();
    let addr = serve!(move || {
        App::new()
            .app_data(web::Data::new(t.clone()))
            .service(
                web::scope("/api")
                    .wrap(Cors::new(&PRIVATE))
                    .route("/items", web::get().to(list))
                    .service(
                        web::resource("/things/{id}")
                            .route(web::get().to(show))
                            .route(web::put().to(update)),
                    )
                    .route(
                        "/json-only",
                        web::post()
                            .guard(guard::Header("content-type", "application/json"))
                            .to(create),
                    )
                    .default_service(web::to(scope_default)),
            )
            .default_service(web::to(not_found))
    });
    let cases = [
        case(
            "preflight for a route",
            preflight("/api/items", APP, "GET"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "GET")
        .vary(VARY_PREFLIGHT),
        case(
            "preflight for a resource",
            preflight("/api/things/7", APP, "PUT"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "PUT")
        .vary(VARY_PREFLIGHT),
        case(
            "preflight anywhere in the scope",
            preflight("/api/nowhere", APP, "PUT"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "PUT")
        .vary(VARY_PREFLIGHT),
        case("GET a route", req("GET", "/api/items").origin(APP), 200)
            .ran(&["list"])
            .credentialed()
            .vary("Origin"),
        case(
            "GET a resource",
            req("GET", "/api/things/7").origin(APP),
            200,
        )
        .ran(&["show"])
        .credentialed()
        .vary("Origin")
        .body("item 7"),
        case(
            "PUT a resource",
            req("PUT", "/api/things/7").origin(APP),
            200,
        )
        .ran(&["update"])
        .credentialed()
        .vary("Origin"),
        case(
            "DELETE a resource: 405",
            req("DELETE", "/api/things/7").origin(APP),
            405,
        )
        .credentialed()
        .vary("Origin"),
        case(
            "the guard passes",
            req("POST", "/api/json-only")
                .origin(APP)
                .header("content-type", "application/json")
                .body(r#"{"name": "a"}"#),
            201,
        )
        .ran(&["create"])
        .credentialed()
        .vary("Origin"),
        // The route's guard fails: `.route` moved it to its resource, so
        // no resource matches and the scope's default service answers
        // (with the body unread: actix closes the connection).
        case(
            "the guard fails",
            req("POST", "/api/json-only")
                .origin(APP)
                .header("content-type", "text/plain")
                .body("a"),
            404,
        )
        .ran(&["scope-default"])
        .credentialed()
        .vary("Origin")
        .closes(),
        case(
            "the scope's default_service",
            req("GET", "/api/nowhere").origin(APP),
            404,
        )
        .ran(&["scope-default"])
        .credentialed()
        .vary("Origin")
        .body("no such API"),
        // Outside the scope, the middleware does not run.
        case(
            "the app's default_service",
            req("GET", "/nowhere").origin(APP),
            404,
        )
        .ran(&["default"])
        .body("nothing here"),
        case(
            "preflight outside the scope",
            preflight("/nowhere", APP, "PUT"),
            404,
        )
        .ran(&["default"]),
    ];
    run("actix scope", addr, &trace, &cases).await;
}

/// A scope guarded on a header a browser's preflight never carries (its
/// request headers are only named in `Access-Control-Request-Headers`):
/// under a guarded scope's own middleware, preflights miss the scope and
/// get the app's 404; with the middleware on the app they are answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guarded_scopes() {
    let trace = Trace::default();
    let t = trace.clone();
    let addr = serve!(move || {
        App::new()
            .app_data(web::Data::new(t.clone()))
            .service(
                web::scope("/v2")
                    .guard(guard::Header("x-api-version", "2"))
                    .wrap(Cors::new(&PRIVATE))
                    .route("/items", web::get().to(list)),
            )
            .default_service(web::to(not_found))
    });
    let t2 = trace.clone();
    let app_wide = serve!(move || {
        App::new()
            .app_data(web::Data::new(t2.clone()))
            .wrap(Cors::new(&PRIVATE))
            .service(
                web::scope("/v2")
                    .guard(guard::Header("x-api-version", "2"))
                    .route("/items", web::get().to(list)),
            )
            .default_service(web::to(not_found))
    });
    let ask = "x-api-version";
    let listed = "content-type";
    let scoped = [
        case(
            "preflight misses the guarded scope",
            preflight("/v2/items", APP, "POST").header("access-control-request-headers", listed),
            404,
        )
        .ran(&["default"]),
        case(
            "GET with the header",
            req("GET", "/v2/items").origin(APP).header(ask, "2"),
            200,
        )
        .ran(&["list"])
        .credentialed()
        .vary("Origin"),
    ];
    run("actix guarded scope", addr, &trace, &scoped).await;
    let wide = [
        case(
            "preflight answered by the app's middleware",
            preflight("/v2/items", APP, "POST").header("access-control-request-headers", listed),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "POST")
        .cors("access-control-allow-headers", "content-type")
        .vary(VARY_PREFLIGHT),
        case(
            "GET with the header",
            req("GET", "/v2/items").origin(APP).header(ask, "2"),
            200,
        )
        .ran(&["list"])
        .credentialed()
        .vary("Origin"),
        case(
            "GET without the header",
            req("GET", "/v2/items").origin(APP),
            404,
        )
        .ran(&["default"])
        .credentialed()
        .vary("Origin"),
    ];
    run(
        "actix app-wide middleware, guarded scope",
        app_wide,
        &trace,
        &wide,
    )
    .await;
}

/// Sibling scopes each with its own policy; and one policy's scope nested
/// in another's, where both middleware run: the outer one answers every
/// preflight and has the last word on actual responses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sibling_and_stacked_scopes_with_different_policies() {
    let trace = Trace::default();
    let t = trace.clone();
    let addr = serve!(move || {
        App::new()
            .app_data(web::Data::new(t.clone()))
            .service(
                web::scope("/api")
                    .service(
                        web::scope("/public")
                            .wrap(Cors::new(&PUBLIC))
                            .route("/items", web::get().to(list)),
                    )
                    .service(
                        web::scope("/private")
                            .wrap(Cors::new(&PRIVATE))
                            .route("/items", web::get().to(list)),
                    ),
            )
            .service(
                web::scope("/stacked").wrap(Cors::new(&PUBLIC)).service(
                    web::scope("/private")
                        .wrap(Cors::new(&PRIVATE))
                        .route("/items", web::get().to(list)),
                ),
            )
    });
    let cases = [
        case(
            "public preflight",
            preflight("/api/public/items", EVIL, "POST"),
            204,
        )
        .acao("*")
        .cors("access-control-allow-methods", "POST")
        .vary(VARY_PREFLIGHT_ANY),
        case(
            "public GET",
            req("GET", "/api/public/items").origin(EVIL),
            200,
        )
        .ran(&["list"])
        .acao("*"),
        case(
            "private preflight",
            preflight("/api/private/items", APP, "PUT"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "PUT")
        .vary(VARY_PREFLIGHT),
        case(
            "private preflight, refused",
            preflight("/api/private/items", EVIL, "PUT"),
            403,
        )
        .vary(VARY_PREFLIGHT),
        case(
            "private GET",
            req("GET", "/api/private/items").origin(APP),
            200,
        )
        .ran(&["list"])
        .credentialed()
        .vary("Origin"),
        case(
            "private GET, refused",
            req("GET", "/api/private/items").origin(EVIL),
            200,
        )
        .ran(&["list"])
        .vary("Origin"),
        // Stacked: the inner (private) policy never sees a preflight, and
        // its headers on an actual response are replaced by the outer
        // one's (only its `Vary: Origin` stays). Don't stack policies.
        case(
            "stacked: the outer policy answers",
            preflight("/stacked/private/items", APP, "POST"),
            204,
        )
        .acao("*")
        .cors("access-control-allow-methods", "POST")
        .vary(VARY_PREFLIGHT_ANY),
        case(
            "stacked: the outer policy refuses",
            preflight("/stacked/private/items", APP, "PUT"),
            403,
        )
        .vary(VARY_PREFLIGHT_ANY),
        case(
            "stacked: the outer policy's headers win",
            req("GET", "/stacked/private/items").origin(APP),
            200,
        )
        .ran(&["list"])
        .acao("*")
        .vary("Origin"),
    ];
    run("actix sibling and stacked scopes", addr, &trace, &cases).await;
}

/// Authentication (`from_fn`, failing with `Err`) inside the CORS
/// middleware (right) and outside it (wrong); logging on either side, and
/// actix's `Logger` outermost.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_and_logging_inside_and_outside_the_middleware() {
    let trace = Trace::default();
    let t = trace.clone();
    let addr = serve!(move || {
        App::new()
            .app_data(web::Data::new(t.clone()))
            // In actix the last `wrap` is the outermost.
            .service(
                web::scope("/right")
                    .wrap(from_fn(auth))
                    .wrap(Cors::new(&PRIVATE))
                    .route("/me", web::get().to(list))
                    .route("/me", web::post().to(create)),
            )
            .service(
                web::scope("/wrong")
                    .wrap(Cors::new(&PRIVATE))
                    .wrap(from_fn(auth))
                    .route("/me", web::get().to(list)),
            )
            .service(
                web::scope("/bare")
                    .wrap(from_fn(auth))
                    .route("/me", web::post().to(create)),
            )
            .service(
                web::scope("/logged")
                    .wrap(from_fn(log_inner))
                    .wrap(Cors::new(&PRIVATE))
                    .wrap(from_fn(log_outer))
                    .wrap(Logger::default())
                    .route("/me", web::get().to(list)),
            )
    });
    let token = ("authorization", "Bearer good");
    let cases = [
        case(
            "right: preflight never reaches auth",
            preflight("/right/me", APP, "GET")
                .header("access-control-request-headers", "authorization"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "GET")
        .cors("access-control-allow-headers", "authorization")
        .vary(VARY_PREFLIGHT),
        case(
            "right: auth's Err readable by the page",
            req("GET", "/right/me").origin(APP),
            401,
        )
        .ran(&["auth"])
        .credentialed()
        .vary("Origin"),
        case(
            "right: authenticated",
            req("GET", "/right/me").origin(APP).header(token.0, token.1),
            200,
        )
        .ran(&["auth", "list"])
        .credentialed()
        .vary("Origin"),
        // The body is never read (auth fails first): actix closes the
        // connection after the answer, as it does without any CORS
        // middleware (the `bare` case).
        case(
            "right: POST refused before its body is read",
            req("POST", "/right/me")
                .origin(APP)
                .header("content-type", "application/json")
                .body(r#"{"name": "a body the server never reads"}"#),
            401,
        )
        .ran(&["auth"])
        .credentialed()
        .vary("Origin")
        .closes(),
        case(
            "bare: POST refused before its body is read",
            req("POST", "/bare/me")
                .origin(APP)
                .header("content-type", "application/json")
                .body(r#"{"name": "a body the server never reads"}"#),
            401,
        )
        .ran(&["auth"])
        .closes(),
        case(
            "wrong: auth refuses the preflight",
            preflight("/wrong/me", APP, "GET")
                .header("access-control-request-headers", "authorization"),
            401,
        )
        .ran(&["auth"]),
        case(
            "wrong: 401 without CORS headers",
            req("GET", "/wrong/me").origin(APP),
            401,
        )
        .ran(&["auth"]),
        case(
            "wrong: authenticated",
            req("GET", "/wrong/me").origin(APP).header(token.0, token.1),
            200,
        )
        .ran(&["auth", "list"])
        .credentialed()
        .vary("Origin"),
        case(
            "logged: preflight",
            preflight("/logged/me", APP, "GET"),
            204,
        )
        .ran(&["log-outer"])
        .credentialed()
        .cors("access-control-allow-methods", "GET")
        .vary(VARY_PREFLIGHT),
        case("logged: GET", req("GET", "/logged/me").origin(APP), 200)
            .ran(&["log-outer", "log-inner", "list"])
            .credentialed()
            .vary("Origin"),
    ];
    run("actix auth", addr, &trace, &cases).await;
}
