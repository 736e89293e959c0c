//! Allocations the layer adds to one request, counted by a global
//! allocator: the bare service against the same service behind
//! `CorsLayer`, for a preflight and an actual request.
//!
//! `cargo test -p cors-policy-tower --test alloc -- --nocapture` prints the
//! numbers.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::convert::Infallible;
use std::future::{Future, Ready, ready};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use cors_policy::{Policy, PolicyBuilder};
use cors_policy_config::PolicyConfig;
use cors_policy_tower::{CorsLayer, PolicyHandle};
use http::{HeaderValue, Request, Response};
use tower::{Layer, Service};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

// `GlobalAlloc` is an unsafe trait: the one place the workspace allows
// `unsafe` (forwarding to the system allocator while counting).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = COUNTING.try_with(|on| {
            if on.get() {
                COUNT.with(|c| c.set(c.get() + 1));
            }
        });
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = COUNTING.try_with(|on| {
            if on.get() {
                COUNT.with(|c| c.set(c.get() + 1));
            }
        });
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

/// How the request's header values were made.
#[derive(Clone, Copy, Debug)]
enum Values {
    /// As hyper's parser makes them: slices of one shared read buffer, so a
    /// clone is a reference count.
    Parsed,
    /// From `&str` (`Request::builder().header(name, "...")`): each value
    /// owns a copy, and its first clone allocates the shared count.
    Built,
}

fn value(how: Values, s: &str) -> HeaderValue {
    match how {
        Values::Parsed => {
            let mut buffer = bytes::BytesMut::from(s.as_bytes());
            HeaderValue::from_maybe_shared(buffer.split().freeze()).unwrap()
        }
        Values::Built => HeaderValue::from_str(s).unwrap(),
    }
}

fn preflight(how: Values) -> Request<()> {
    Request::options("/items")
        .header("origin", value(how, "https://app.example"))
        .header("access-control-request-method", value(how, "PUT"))
        .header("access-control-request-headers", value(how, "content-type"))
        .body(())
        .unwrap()
}

fn actual(how: Values) -> Request<()> {
    Request::get("/items")
        .header("origin", value(how, "https://app.example"))
        .body(())
        .unwrap()
}

/// An application answering with one header of its own, as most do.
fn app(_: Request<()>) -> Ready<Result<Response<()>, Infallible>> {
    let mut r = Response::new(());
    r.headers_mut()
        .insert("x-request-id", HeaderValue::from_static("42"));
    ready(Ok(r))
}

/// Allocations made by one call, from `call` until the response is ready
/// (the request is built before, the response dropped after).
fn count<S>(service: &mut S, request: Request<()>) -> (usize, Response<()>)
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    assert!(service.poll_ready(&mut cx).is_ready());
    COUNT.with(|c| c.set(0));
    COUNTING.with(|on| on.set(true));
    let mut future = pin!(service.call(request));
    let response = match future.as_mut().poll(&mut cx) {
        Poll::Ready(Ok(r)) => r,
        _ => {
            COUNTING.with(|on| on.set(false));
            panic!("not ready")
        }
    };
    COUNTING.with(|on| on.set(false));
    (COUNT.with(Cell::get), response)
}

fn measure(name: &str, layer: &CorsLayer, how: Values) -> (usize, usize) {
    let mut bare = tower::service_fn(app);
    let mut wrapped = layer.layer(tower::service_fn(app));
    // Warm up: thread-locals, arc-swap's debt slots.
    for _ in 0..3 {
        let _ = count(&mut wrapped, preflight(how));
        let _ = count(&mut wrapped, actual(how));
    }
    let (bare_pre, _) = count(&mut bare, preflight(how));
    let (cors_pre, res) = count(&mut wrapped, preflight(how));
    assert_eq!(res.status(), 204);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    let (bare_act, _) = count(&mut bare, actual(how));
    let (cors_act, res) = count(&mut wrapped, actual(how));
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "https://app.example"
    );
    assert_eq!(res.headers()["vary"], "Origin");
    println!(
        "{name}, {how:?} values: preflight bare {bare_pre} / with layer {cors_pre}; actual bare {bare_act} / with layer {cors_act}"
    );
    (
        cors_pre.saturating_sub(bare_pre),
        cors_act.saturating_sub(bare_act),
    )
}

#[test]
fn allocations_added_by_the_layer() {
    let owned = PolicyConfig::from_json_str(
        r#"{"allowed_origins": ["https://app.example", "https://*.app.example"],
            "allow_credentials": true, "allowed_methods": ["GET", "PUT", "DELETE"],
            "allowed_headers": ["content-type", "authorization"],
            "expose_headers": ["x-request-id"], "max_age": 600}"#,
    )
    .unwrap()
    .build()
    .unwrap();
    let handle = PolicyHandle::new(
        PolicyConfig::from_json_str(r#"{"allowed_origins": ["https://app.example"], "allow_credentials": true, "allowed_methods": ["PUT"], "allowed_headers": ["content-type"]}"#)
            .unwrap()
            .build()
            .unwrap(),
    );
    let cases = [
        ("static policy", CorsLayer::new(&POLICY)),
        ("owned policy", CorsLayer::new(owned)),
        ("swappable policy", CorsLayer::swappable(&handle)),
        (
            "static policy + origin check",
            CorsLayer::new(&POLICY).origin_check(|o| o.ends_with(b".tenant.example")),
        ),
    ];
    for (name, layer) in &cases {
        let (pre, act) = measure(name, layer, Values::Parsed);
        println!("{name}, Parsed values: added by the layer: preflight {pre}, actual {act}");
        // A preflight's answer needs its own header map (its index and
        // entry tables: 2), where the bare application allocated for its
        // own map (counted on its side); an actual response's headers fit
        // in the application's map and echo the request's values.
        assert!(
            pre <= 2,
            "{name}: the layer added {pre} allocations to a preflight"
        );
        assert_eq!(
            act, 0,
            "{name}: the layer added {act} allocations to an actual request"
        );

        // Values that own their bytes: the first clone of each echoed one
        // (origin, method, header list) allocates its shared count.
        let (pre, act) = measure(name, layer, Values::Built);
        println!("{name}, Built values: added by the layer: preflight {pre}, actual {act}");
        assert!(
            pre <= 2 + 3,
            "{name}: the layer added {pre} allocations to a preflight"
        );
        assert!(
            act <= 1,
            "{name}: the layer added {act} allocations to an actual request"
        );
    }
}
