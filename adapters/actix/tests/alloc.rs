//! Allocations the middleware adds to one request, counted by a global
//! allocator: the same actix-web app with and without `Cors`, for a
//! preflight and an actual request.
//!
//! `cargo test -p cors-policy-actix --test alloc -- --nocapture` prints the
//! numbers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use actix_web::dev::{Service, ServiceResponse};
use actix_web::http::header::HeaderValue;
use actix_web::{App, HttpResponse, test, web};
use cors_policy::{Policy, PolicyBuilder};
use cors_policy_actix::{Cors, PolicyHandle};
use cors_policy_config::PolicyConfig;

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn tick() {
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            COUNT.with(|c| c.set(c.get() + 1));
        }
    });
}

// `GlobalAlloc` is an unsafe trait: the one place the workspace allows
// `unsafe` (forwarding to the system allocator while counting).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        tick();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        tick();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

static POLICY: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&["https://app.example", "https://*.app.example"])
    .allow_credentials(true)
    .allow_methods(&["GET", "PUT", "DELETE"])
    .allow_headers(&["content-type", "authorization"])
    .expose_headers(&["x-request-id"])
    .max_age(600)
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid policy"),
};

/// A value as actix's parser makes it: a slice of a shared read buffer.
fn parsed(s: &str) -> HeaderValue {
    let mut buffer = bytes::BytesMut::from(s.as_bytes());
    HeaderValue::from_maybe_shared(buffer.split().freeze()).unwrap()
}

fn preflight() -> actix_http::Request {
    test::TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .insert_header(("origin", parsed("https://app.example")))
        .insert_header(("access-control-request-method", parsed("PUT")))
        .insert_header(("access-control-request-headers", parsed("content-type")))
        .to_request()
}

fn actual() -> actix_http::Request {
    test::TestRequest::get()
        .insert_header(("origin", parsed("https://app.example")))
        .to_request()
}

async fn handler() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header(("x-request-id", HeaderValue::from_static("42")))
        .finish()
}

/// Allocations made from `call` until the response is ready.
fn count<S, B>(service: &S, request: actix_http::Request) -> (usize, ServiceResponse<B>)
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let mut cx = Context::from_waker(Waker::noop());
    COUNT.with(|c| c.set(0));
    COUNTING.with(|on| on.set(true));
    let mut future = pin!(service.call(request));
    let polled = future.as_mut().poll(&mut cx);
    COUNTING.with(|on| on.set(false));
    match polled {
        Poll::Ready(Ok(r)) => (COUNT.with(Cell::get), r),
        _ => panic!("not ready"),
    }
}

async fn measure(name: &str, cors: Cors) -> (usize, usize) {
    let bare = test::init_service(App::new().default_service(web::to(handler))).await;
    let wrapped = test::init_service(App::new().wrap(cors).default_service(web::to(handler))).await;
    // Warm up pools and thread-locals.
    for _ in 0..3 {
        let _ = count(&bare, preflight());
        let _ = count(&bare, actual());
        let _ = count(&wrapped, preflight());
        let _ = count(&wrapped, actual());
    }
    // The fewest of five runs: actix's pools refill now and then.
    let fewest = |f: &dyn Fn() -> usize| (0..5).map(|_| f()).min().unwrap_or(0);
    let bare_pre = fewest(&|| count(&bare, preflight()).0);
    let cors_pre = fewest(&|| count(&wrapped, preflight()).0);
    let bare_act = fewest(&|| count(&bare, actual()).0);
    let cors_act = fewest(&|| count(&wrapped, actual()).0);
    let (_, res) = count(&wrapped, preflight());
    assert_eq!(res.status(), 204);
    assert_eq!(
        res.headers().get("access-control-allow-origin").unwrap(),
        "https://app.example"
    );
    let (_, res) = count(&wrapped, actual());
    assert_eq!(
        res.headers().get("access-control-allow-origin").unwrap(),
        "https://app.example"
    );
    assert_eq!(res.headers().get("vary").unwrap(), "Origin");
    println!(
        "{name}: preflight bare {bare_pre} / with Cors {cors_pre}; actual bare {bare_act} / with Cors {cors_act}"
    );
    (
        cors_pre.saturating_sub(bare_pre),
        cors_act.saturating_sub(bare_act),
    )
}

#[actix_web::test]
async fn allocations_added_by_the_middleware() {
    let owned = || {
        PolicyConfig::from_json_str(
            r#"{"allowed_origins": ["https://app.example", "https://*.app.example"],
                "allow_credentials": true, "allowed_methods": ["GET", "PUT", "DELETE"],
                "allowed_headers": ["content-type", "authorization"],
                "expose_headers": ["x-request-id"], "max_age": 600}"#,
        )
        .unwrap()
        .build()
        .unwrap()
    };
    let handle = PolicyHandle::new(owned());
    let cases = [
        ("static policy", Cors::new(&POLICY)),
        ("owned policy", Cors::new(owned())),
        ("swappable policy", Cors::swappable(&handle)),
    ];
    for (name, cors) in cases {
        let (pre, act) = measure(name, cors).await;
        println!("{name}: added by the middleware: preflight {pre}, actual {act}");
        // A preflight is answered from actix's pooled response head; the
        // bare app pays for its handler instead.
        assert_eq!(
            pre, 0,
            "{name}: the middleware added {pre} allocations to a preflight"
        );
        // The headers are clones of prepared values and of the request's
        // origin; they fit in the response's map.
        assert_eq!(
            act, 0,
            "{name}: the middleware added {act} allocations to an actual request"
        );
    }
}
