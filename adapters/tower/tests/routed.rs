//! The layer inside axum apps written the way axum apps are written
//! (routes with several methods, `nest`, `route_layer`, a route's own
//! layer, fallbacks, failing extractors, an authentication middleware on
//! either side), served on 127.0.0.1 by `axum::serve` and driven by a real
//! HTTP/1.1 client, each case on a fresh connection and on a kept-alive
//! one. Each case checks the status, what ran in the application, the CORS
//! headers and `Vary`. `docs/integration.md` explains the placements.

#[path = "../../http/tests/support/routed.rs"]
mod routed;

use std::net::SocketAddr;

use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_tower::CorsLayer;
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

async fn serve(app: Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

// The application: each handler records that it ran.

async fn list(State(t): State<Trace>) -> &'static str {
    t.push("list");
    "[]"
}

#[derive(serde::Deserialize)]
struct NewItem {
    #[allow(dead_code)]
    name: String,
}

async fn create(State(t): State<Trace>, Json(_item): Json<NewItem>) -> StatusCode {
    t.push("create");
    StatusCode::CREATED
}

async fn show(State(t): State<Trace>, Path(id): Path<u32>) -> String {
    t.push("show");
    format!("item {id}")
}

async fn update(State(t): State<Trace>, Path(_id): Path<u32>) -> StatusCode {
    t.push("update");
    StatusCode::OK
}

async fn remove(State(t): State<Trace>, Path(_id): Path<u32>) -> StatusCode {
    t.push("remove");
    StatusCode::NO_CONTENT
}

async fn failing(State(t): State<Trace>) -> Response {
    t.push("failing");
    (StatusCode::INTERNAL_SERVER_ERROR, "it broke").into_response()
}

async fn not_found(State(t): State<Trace>) -> (StatusCode, &'static str) {
    t.push("fallback");
    (StatusCode::NOT_FOUND, "nothing here")
}

/// Authentication: a request without `Authorization: Bearer good` gets 401.
async fn auth(State(t): State<Trace>, req: Request, next: Next) -> Response {
    t.push("auth");
    match req.headers().get("authorization") {
        Some(v) if v == "Bearer good" => next.run(req).await,
        _ => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn log_outer(State(t): State<Trace>, req: Request, next: Next) -> Response {
    t.push("log-outer");
    next.run(req).await
}

async fn log_inner(State(t): State<Trace>, req: Request, next: Next) -> Response {
    t.push("log-inner");
    next.run(req).await
}

/// A routed app: several methods per route, a fallback, everything under
/// `Router::layer`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_with_several_methods_and_a_fallback_under_the_layer() {
    let trace = Trace::default();
    let app = Router::new()
        .route("/items", get(list).post(create))
        .route("/items/{id}", get(show).put(update).delete(remove))
        .route("/fail", get(failing))
        .fallback(not_found)
        .layer(CorsLayer::new(&PRIVATE))
        .with_state(trace.clone());
    let addr = serve(app).await;
    let json = "application/json";
    let cases = [
        // Preflights are answered by the layer, before routing: the
        // handlers never run, whatever the path.
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
        // Actual requests reach their handler and get the headers.
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
        case(
            "DELETE /items/7",
            req("DELETE", "/items/7").origin(APP),
            204,
        )
        .ran(&["remove"])
        .credentialed()
        .vary("Origin"),
        case("a handler's 500", req("GET", "/fail").origin(APP), 500)
            .ran(&["failing"])
            .credentialed()
            .vary("Origin"),
        // axum's own answers carry the headers too, so the page can read
        // them: a method the route lacks, failing extractors, the fallback.
        case(
            "PATCH /items/7: 405 from axum",
            req("PATCH", "/items/7").origin(APP),
            405,
        )
        .credentialed()
        .vary("Origin"),
        case(
            "Path<u32> of \"abc\": 400",
            req("GET", "/items/abc").origin(APP),
            400,
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
            "Json missing a field: 422",
            req("POST", "/items")
                .origin(APP)
                .header("content-type", json)
                .body("{}"),
            422,
        )
        .credentialed()
        .vary("Origin"),
        case(
            "Json without its content type: 415",
            req("POST", "/items").origin(APP).body(r#"{"name": "a"}"#),
            415,
        )
        .credentialed()
        .vary("Origin"),
        case(
            "the fallback under the layer",
            req("GET", "/nowhere").origin(APP),
            404,
        )
        .ran(&["fallback"])
        .credentialed()
        .vary("Origin")
        .body("nothing here"),
        // CORS is not access control: a refused origin's request runs, and
        // its answer carries no CORS header (the browser hides it).
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
        // OPTIONS without Access-Control-Request-Method is not a preflight:
        // it reaches the router, which has no OPTIONS handler.
        case(
            "OPTIONS that is not a preflight",
            req("OPTIONS", "/items").origin(APP),
            405,
        )
        .credentialed()
        .vary("Origin"),
    ];
    run("axum routes", addr, &trace, &cases).await;
}

/// A public (`*`) and a private (credentialed) router nested side by side,
/// each with its own layer, and the app's fallback outside both.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_public_and_private_routers_each_with_its_layer() {
    let trace = Trace::default();
    let public = Router::new()
        .route("/items", get(list).post(create))
        .layer(CorsLayer::new(&PUBLIC));
    let private = Router::new()
        .route("/items", get(list).post(create))
        .route("/items/{id}", get(show).put(update))
        .layer(CorsLayer::new(&PRIVATE));
    let app = Router::new()
        .nest("/public", public)
        .nest("/private", private)
        .fallback(not_found)
        .with_state(trace.clone());
    let addr = serve(app).await;
    let cases = [
        case(
            "public preflight, any origin",
            preflight("/public/items", EVIL, "POST"),
            204,
        )
        .acao("*")
        .cors("access-control-allow-methods", "POST")
        .vary(VARY_PREFLIGHT_ANY),
        case(
            "public GET, any origin",
            req("GET", "/public/items").origin(EVIL),
            200,
        )
        .ran(&["list"])
        .acao("*"),
        case(
            "private preflight",
            preflight("/private/items/7", APP, "PUT"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "PUT")
        .vary(VARY_PREFLIGHT),
        case(
            "private preflight, refused origin",
            preflight("/private/items", EVIL, "POST"),
            403,
        )
        .vary(VARY_PREFLIGHT),
        case(
            "private GET",
            req("GET", "/private/items/7").origin(APP),
            200,
        )
        .ran(&["show"])
        .credentialed()
        .vary("Origin")
        .body("item 7"),
        case(
            "private GET, refused origin",
            req("GET", "/private/items").origin(EVIL),
            200,
        )
        .ran(&["list"])
        .vary("Origin"),
        // A path under a nested router that matches none of its routes:
        // axum answers from the app's fallback, outside the nested layer.
        case(
            "GET /private/nowhere",
            req("GET", "/private/nowhere").origin(APP),
            404,
        )
        .ran(&["fallback"])
        .body("nothing here"),
        // Requests no router claims never meet a layer: no CORS headers,
        // and a preflight there gets the fallback's 404 (the browser
        // reports a CORS failure). Put a layer on the whole app to answer
        // them (see the first test).
        case("GET /nowhere", req("GET", "/nowhere").origin(APP), 404)
            .ran(&["fallback"])
            .body("nothing here"),
        case("preflight /nowhere", preflight("/nowhere", APP, "PUT"), 404).ran(&["fallback"]),
    ];
    run("axum nest", addr, &trace, &cases).await;
}

/// `Router::route_layer` puts the layer on every route's whole method
/// router: a matched path gets it for every method (preflights answered,
/// axum's 405 with CORS headers), a path no route matches does not.
/// `MethodRouter::route_layer` is narrower: it runs only for the methods
/// the route has, so a preflight (`OPTIONS`) on a route without an
/// `OPTIONS` handler gets axum's 405 without CORS headers, and the
/// browser reports a CORS failure. (On `any(..)`, which has no method
/// routes, axum refuses `route_layer` with a panic when the app is built.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_layer_on_the_router_and_on_a_method_router() {
    let trace = Trace::default();
    let app = Router::new()
        .route("/items", get(list).post(create))
        .route_layer(CorsLayer::new(&PRIVATE))
        .route(
            "/methods",
            get(list).post(create).route_layer(CorsLayer::new(&PRIVATE)),
        )
        .fallback(not_found)
        .with_state(trace.clone());
    let addr = serve(app).await;
    let cases = [
        case(
            "Router::route_layer: preflight",
            preflight("/items", APP, "POST"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "POST")
        .vary(VARY_PREFLIGHT),
        case(
            "Router::route_layer: GET",
            req("GET", "/items").origin(APP),
            200,
        )
        .ran(&["list"])
        .credentialed()
        .vary("Origin"),
        case(
            "Router::route_layer: 405",
            req("PUT", "/items").origin(APP),
            405,
        )
        .credentialed()
        .vary("Origin"),
        case(
            "no route: the fallback, no layer",
            req("GET", "/nowhere").origin(APP),
            404,
        )
        .ran(&["fallback"]),
        case(
            "MethodRouter::route_layer: preflight gets axum's 405",
            preflight("/methods", APP, "POST"),
            405,
        ),
        case(
            "MethodRouter::route_layer: GET",
            req("GET", "/methods").origin(APP),
            200,
        )
        .ran(&["list"])
        .credentialed()
        .vary("Origin"),
        case(
            "MethodRouter::route_layer: 405 outside the layer",
            req("PUT", "/methods").origin(APP),
            405,
        ),
    ];
    run("axum route_layer", addr, &trace, &cases).await;
}

/// A layer on one route's `MethodRouter` covers every method of that
/// path, the ones it lacks (405) and preflights included; other routes
/// are untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_layer_on_one_route() {
    let trace = Trace::default();
    let app = Router::new()
        .route(
            "/items",
            get(list).post(create).layer(CorsLayer::new(&PRIVATE)),
        )
        .route("/open", get(list))
        .with_state(trace.clone());
    let addr = serve(app).await;
    let cases = [
        case(
            "preflight on the route",
            preflight("/items", APP, "PUT"),
            204,
        )
        .credentialed()
        .cors("access-control-allow-methods", "PUT")
        .vary(VARY_PREFLIGHT),
        case("GET on the route", req("GET", "/items").origin(APP), 200)
            .ran(&["list"])
            .credentialed()
            .vary("Origin"),
        case(
            "DELETE on the route: 405 with CORS",
            req("DELETE", "/items").origin(APP),
            405,
        )
        .credentialed()
        .vary("Origin"),
        case("GET on another route", req("GET", "/open").origin(APP), 200).ran(&["list"]),
        case(
            "preflight on another route",
            preflight("/open", APP, "GET"),
            405,
        ),
        case(
            "no route: axum's empty 404",
            req("GET", "/nowhere").origin(APP),
            404,
        )
        .body(""),
    ];
    run("axum route layer", addr, &trace, &cases).await;
}

/// Authentication inside the CORS layer (right) and outside it (wrong),
/// and logging on either side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authentication_and_logging_inside_and_outside_the_layer() {
    let trace = Trace::default();
    let t = || trace.clone();
    // Right: CORS outermost (in axum the last `.layer` call is the
    // outermost): a preflight is answered before authentication runs, and
    // a 401 carries the CORS headers, so the page can read it.
    let right = Router::new()
        .route("/me", get(list).post(create))
        .layer(from_fn_with_state(t(), auth))
        .layer(CorsLayer::new(&PRIVATE));
    // Wrong: authentication outermost. The preflight, which never carries
    // credentials, is refused with 401 and no CORS headers; the browser
    // reports a CORS failure and never sends the request.
    let wrong = Router::new()
        .route("/me", get(list))
        .layer(CorsLayer::new(&PRIVATE))
        .layer(from_fn_with_state(t(), auth));
    // Logging outside the layer sees preflights; inside, it does not.
    let logged = Router::new()
        .route("/me", get(list))
        .layer(from_fn_with_state(t(), log_inner))
        .layer(CorsLayer::new(&PRIVATE))
        .layer(from_fn_with_state(t(), log_outer));
    let app = Router::new()
        .nest("/right", right)
        .nest("/wrong", wrong)
        .nest("/logged", logged)
        .with_state(trace.clone());
    let addr = serve(app).await;
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
            "right: 401 readable by the page",
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
        // The body is never read (auth answers first): the server must
        // still keep the connection usable for the next request.
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
        .vary("Origin"),
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
    run("axum auth", addr, &trace, &cases).await;
}
