//! Regression: the middleware inside routed apps (`.route`, `.service`
//! with a resource, scopes). Before 6b2ac17 it cloned the `HttpRequest`
//! before calling the inner service, and actix-web's router, which must be
//! the request's only holder, panicked in `HttpRequest::match_info_mut` on
//! every request that was not a preflight. (In-process, with actix's test
//! service; `routed_http.rs` runs the same shapes and more over real HTTP.)

use actix_web::http::{Method, StatusCode};
use actix_web::{App, HttpResponse, error, test, web};
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_actix::Cors;

static POLICY: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&["https://app.example"])
    .allow_methods(&["GET", "PUT"])
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid CORS policy"),
};

async fn item(path: web::Path<u32>) -> HttpResponse {
    HttpResponse::Ok().body(format!("item {}", path.into_inner()))
}

async fn failing() -> Result<HttpResponse, actix_web::Error> {
    Err(error::ErrorConflict("taken"))
}

#[actix_web::test]
async fn routes_resources_and_scopes_answer_without_panic() {
    let app = test::init_service(
        App::new().service(
            web::scope("/api")
                .wrap(Cors::new(&POLICY))
                .route("/items/{id}", web::get().to(item))
                .route("/fail", web::get().to(failing))
                .service(web::resource("/things").route(web::put().to(HttpResponse::Created))),
        ),
    )
    .await;

    let get = test::TestRequest::get()
        .uri("/api/items/7")
        .insert_header(("origin", "https://app.example"))
        .to_request();
    let response = test::call_service(&app, get).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "https://app.example"
    );
    assert_eq!(response.headers().get("vary").unwrap(), "Origin");
    assert_eq!(test::read_body(response).await, "item 7");

    let put = test::TestRequest::put()
        .uri("/api/things")
        .insert_header(("origin", "https://app.example"))
        .to_request();
    let response = test::call_service(&app, put).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "https://app.example"
    );

    let fail = test::TestRequest::get()
        .uri("/api/fail")
        .insert_header(("origin", "https://app.example"))
        .to_request();
    let response = test::call_service(&app, fail).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "https://app.example"
    );

    let preflight = test::TestRequest::default()
        .method(Method::OPTIONS)
        .uri("/api/things")
        .insert_header(("origin", "https://app.example"))
        .insert_header(("access-control-request-method", "PUT"))
        .to_request();
    let response = test::call_service(&app, preflight).await;
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-methods")
            .unwrap(),
        "PUT"
    );
}

/// An `Err` from a middleware inside the CORS one stays an `Err` (the
/// server turns it into its response) and that response carries the CORS
/// headers.
#[actix_web::test]
async fn errors_from_inner_middleware_carry_cors_headers() {
    use actix_web::dev::Service;
    let app = test::init_service(
        App::new().service(
            web::scope("/api")
                .wrap_fn(|req, srv| {
                    let deny = req.headers().get("authorization").is_none();
                    let fut = (!deny).then(|| srv.call(req));
                    async move {
                        match fut {
                            Some(f) => f.await,
                            None => Err(error::ErrorUnauthorized("no token")),
                        }
                    }
                })
                .wrap(Cors::new(&POLICY))
                .route("/me", web::get().to(HttpResponse::Ok)),
        ),
    )
    .await;
    let req = test::TestRequest::get()
        .uri("/api/me")
        .insert_header(("origin", "https://app.example"))
        .to_request();
    let err = match app.call(req).await {
        Ok(r) => panic!(
            "expected the inner error to stay an error, got {}",
            r.status()
        ),
        Err(e) => e,
    };
    let response = err.error_response();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        response
            .headers()
            .get("access-control-allow-origin")
            .unwrap(),
        "https://app.example"
    );
    assert_eq!(response.headers().get("vary").unwrap(), "Origin");
}

/// The error an inner middleware fails with, so the outer one can look for
/// it by type.
#[derive(Debug)]
struct NoToken;

impl std::fmt::Display for NoToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no token")
    }
}

impl error::ResponseError for NoToken {
    fn status_code(&self) -> StatusCode {
        StatusCode::UNAUTHORIZED
    }
}

/// Regression: 6b2ac17 turned an inner `Err` into an `InternalError`
/// holding one response made in advance. Middleware outside the CORS one
/// then no longer found the error by its type (`Error::as_error`), and the
/// second response made from it (`error_response()` is called by whoever
/// wants one: an outer middleware, then the server) was a bare 500 without
/// CORS headers. The error must stay itself, and every response made from
/// it must carry the headers.
#[actix_web::test]
async fn inner_errors_keep_their_type_and_every_response_has_cors_headers() {
    use actix_web::dev::Service;
    let seen: std::rc::Rc<std::cell::Cell<Option<bool>>> = Default::default();
    let outer_saw = seen.clone();
    let app = test::init_service(
        App::new().service(
            web::scope("/api")
                .wrap_fn(|req, srv| {
                    let deny = req.headers().get("authorization").is_none();
                    let fut = (!deny).then(|| srv.call(req));
                    async move {
                        match fut {
                            Some(f) => f.await,
                            None => Err(NoToken.into()),
                        }
                    }
                })
                .wrap(Cors::new(&POLICY))
                // Outside the CORS middleware: looks at the error, and
                // makes a response from it (as a logging or metrics
                // middleware might), before passing it on.
                .wrap_fn(move |req, srv| {
                    let fut = srv.call(req);
                    let seen = outer_saw.clone();
                    async move {
                        let result = fut.await;
                        if let Err(e) = &result {
                            let first = e.error_response();
                            seen.set(Some(
                                e.as_error::<NoToken>().is_some()
                                    && first.status() == StatusCode::UNAUTHORIZED
                                    && first.headers().contains_key("access-control-allow-origin"),
                            ));
                        }
                        result
                    }
                })
                .route("/me", web::get().to(HttpResponse::Ok)),
        ),
    )
    .await;
    let req = test::TestRequest::get()
        .uri("/api/me")
        .insert_header(("origin", "https://app.example"))
        .to_request();
    let Err(err) = app.call(req).await else {
        panic!("expected the inner error to stay an error");
    };
    assert_eq!(
        seen.get(),
        Some(true),
        "the outer middleware found NoToken by type, with its status and the CORS headers"
    );
    assert!(
        err.as_error::<NoToken>().is_some(),
        "the error keeps its type"
    );
    // The server's own response, made after the outer middleware's.
    for _ in 0..2 {
        let response = err.error_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            response
                .headers()
                .get_all("access-control-allow-origin")
                .collect::<Vec<_>>(),
            ["https://app.example"]
        );
        assert_eq!(
            response.headers().get_all("vary").collect::<Vec<_>>(),
            ["Origin"]
        );
    }
}
