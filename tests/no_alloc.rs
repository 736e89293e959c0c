//! Every conformance vector through `evaluate`, and iterating its decision,
//! under a counting global allocator: zero allocations.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cors_policy::{Options, Policy, Request, evaluate, evaluate_with};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// `GlobalAlloc` is an unsafe trait: the one place the workspace allows
// `unsafe` (forwarding to the system allocator while counting).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs `f` and returns how many allocations it made.
fn count<R>(f: impl FnOnce() -> R) -> (R, usize) {
    ALLOCATIONS.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let r = std::hint::black_box(f());
    COUNTING.store(false, Ordering::SeqCst);
    (r, ALLOCATIONS.load(Ordering::SeqCst))
}

#[test]
fn evaluate_never_allocates() {
    // One test function, so no other test thread allocates while counting.
    let (_, control) = count(|| vec![1u8, 2, 3]);
    assert_eq!(control, 1, "the counter works");

    let vectors = common::vectors();
    let mut evaluated = 0;
    for v in &vectors {
        let lists = v.policy.lists();
        let Ok(policy) = v.policy.builder(&lists).build() else {
            continue;
        };
        let policy: Policy = policy;
        let pairs = v.request.pairs();
        let request = Request::from_pairs(v.request.method.as_bytes(), &pairs);
        let check = |o: &[u8]| o.len() > 1000;
        let (sum, n) = count(|| {
            let mut sum = 0usize;
            for options in [
                Options::default(),
                Options {
                    origin_check: Some(&check),
                    debug: true,
                },
            ] {
                let d = evaluate(&policy, &request);
                let e = evaluate_with(&policy, &request, &options);
                for (h, v) in d.headers().chain(e.headers()) {
                    sum += h.as_str().len() + v.len();
                }
                sum += d.vary().len()
                    + usize::from(d.is_allowed())
                    + d.refusal().map_or(0, |r| r.code().len());
            }
            sum
        });
        assert_eq!(n, 0, "{} allocated {n} times", v.name);
        assert!(sum > 0);
        evaluated += 1;
    }
    assert!(evaluated >= 58, "{evaluated} vectors evaluated");
}
