//! Allocations of `Evaluator::respond`, counted by a global allocator:
//! deciding and preparing an actual response's headers allocates nothing
//! when no value has to be made, `*` included (a constant, not a copy of
//! the decision's bytes: mutation testing found that making it from the
//! bytes went unnoticed, since the headers written are the same).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use cors_policy::{Policy, PolicyBuilder};
use cors_policy_http::{Evaluator, Respond};

struct Counting;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn counted() {
    let _ = COUNTING.try_with(|on| {
        if on.get() {
            COUNT.with(|c| c.set(c.get() + 1));
        }
    });
}

// `GlobalAlloc` is an unsafe trait: forwarding to the system allocator
// while counting is the only `unsafe` here.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        counted();
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        counted();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

static ANY: Policy<'static> = match PolicyBuilder::new().allow_any_origin().build() {
    Ok(p) => p,
    Err(_) => panic!("invalid policy"),
};

static EXACT: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&["https://app.example"])
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid policy"),
};

/// Allocations made by `f` on this thread.
fn allocations<T>(f: impl FnOnce() -> T) -> (usize, T) {
    COUNT.with(|c| c.set(0));
    COUNTING.with(|on| on.set(true));
    let out = f();
    COUNTING.with(|on| on.set(false));
    (COUNT.with(Cell::get), out)
}

#[test]
fn actual_requests_are_answered_without_allocating() {
    let get = |origin: &'static str| {
        http::Request::get("/")
            .header("origin", http::HeaderValue::from_static(origin))
            .body(())
            .unwrap()
    };
    // (policy, origin, the Access-Control-Allow-Origin it gets)
    let cases = [
        (&ANY, "https://app.example", Some("*")),
        (&EXACT, "https://app.example", Some("https://app.example")),
        (&EXACT, "https://evil.example", None),
    ];
    for (policy, origin, want) in cases {
        let cors = Evaluator::new(policy);
        let req = get(origin);
        let (count, respond) = allocations(|| cors.respond(&req));
        assert_eq!(count, 0, "{origin}: {respond:?}");
        let Respond::Forward { headers, .. } = respond else {
            panic!("a GET is never a preflight");
        };
        let mut map = http::HeaderMap::new();
        headers.apply(&mut map);
        let acao = map.get("access-control-allow-origin");
        assert_eq!(acao.map(|v| v.to_str().unwrap()), want, "{origin}");
    }
}
