//! Heap allocations per request, counted by a global allocator: the core
//! (which must make none, docs/behaviour.md §5) and each library of the
//! side-by-side comparison (benches/adapters.rs), on the same requests.
//!
//! `cargo bench -p cors-policy --bench alloc_counts` prints a Markdown table
//! and exits non-zero if the core allocates. Only the call and the dropping
//! of its response are counted; building the request is not.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed};

use actix_web::dev::Service as _;
use actix_web::{App, test, web};
use common::{Req, TowerRequest, TowerResponse};
use cors_policy::{Request, evaluate};
use tower::Layer as _;

/// Counts allocations (and reallocations, which may move) while `ON` is set.
struct Counting;

static ON: AtomicBool = AtomicBool::new(false);
static ALLOCS: AtomicU64 = AtomicU64::new(0);
static BYTES: AtomicU64 = AtomicU64::new(0);

// SAFETY: every method forwards to `System` unchanged; the counters are
// atomics and never allocate.
// `GlobalAlloc` is an unsafe trait: the one place the workspace allows
// `unsafe` (forwarding to the system allocator while counting).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if ON.load(Relaxed) {
            ALLOCS.fetch_add(1, Relaxed);
            BYTES.fetch_add(layout.size() as u64, Relaxed);
        }
        // SAFETY: the caller upholds `alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if ON.load(Relaxed) {
            ALLOCS.fetch_add(1, Relaxed);
            BYTES.fetch_add(layout.size() as u64, Relaxed);
        }
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if ON.load(Relaxed) {
            ALLOCS.fetch_add(1, Relaxed);
            BYTES.fetch_add(new_size as u64, Relaxed);
        }
        // SAFETY: as for `alloc`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as for `alloc`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Runs per request.
const RUNS: u64 = 1000;

/// Allocations and bytes per request of `call`, averaged over [`RUNS`]
/// requests from `make` (built uncounted), after one uncounted warm-up call.
fn count<R>(mut make: impl FnMut() -> R, mut call: impl FnMut(R)) -> (f64, f64) {
    call(make());
    let mut allocs = 0;
    let mut bytes = 0;
    for _ in 0..RUNS {
        let r = make();
        ALLOCS.store(0, Relaxed);
        BYTES.store(0, Relaxed);
        ON.store(true, Relaxed);
        call(r);
        ON.store(false, Relaxed);
        allocs += ALLOCS.load(Relaxed);
        bytes += BYTES.load(Relaxed);
    }
    (allocs as f64 / RUNS as f64, bytes as f64 / RUNS as f64)
}

/// One row of the table.
struct Row {
    group: &'static str,
    lib: &'static str,
    req: &'static str,
    allocs: f64,
    bytes: f64,
}

fn tower_rows<S>(rows: &mut Vec<Row>, lib: &'static str, mut svc: S)
where
    S: tower::Service<TowerRequest, Response = TowerResponse>,
    S::Error: std::fmt::Debug,
{
    for req in Req::ALL {
        let r = common::tower_call(&mut svc, common::tower_request(req));
        common::assert_answer(
            "tower",
            lib,
            req,
            r.status().as_u16(),
            &common::tower_headers(&r),
        );
        let (allocs, bytes) = count(
            || common::tower_request(req),
            |r| drop(black_box(common::tower_call(&mut svc, r))),
        );
        rows.push(Row {
            group: "tower",
            lib,
            req: req.name(),
            allocs,
            bytes,
        });
    }
}

macro_rules! actix_rows {
    ($rows:expr, $sys:expr, $lib:expr, $app:expr) => {{
        let app = $sys.block_on(test::init_service($app));
        for req in Req::ALL {
            let r = match $sys.block_on(app.call(common::actix_request(req).to_request())) {
                Ok(r) => r,
                Err(e) => panic!("actix/{}/{}: {e}", $lib, req.name()),
            };
            common::assert_answer(
                "actix",
                $lib,
                req,
                r.status().as_u16(),
                &common::actix_headers(&r),
            );
            // The system's `block_on` is outside the count: the count starts
            // and stops inside the future.
            let mut allocs = 0;
            let mut bytes = 0;
            for run in 0..=RUNS {
                let request = common::actix_request(req).to_request();
                let (a, b) = $sys.block_on(async {
                    ALLOCS.store(0, Relaxed);
                    BYTES.store(0, Relaxed);
                    ON.store(true, Relaxed);
                    drop(black_box(app.call(request).await));
                    ON.store(false, Relaxed);
                    (ALLOCS.load(Relaxed), BYTES.load(Relaxed))
                });
                // Run 0 warms up (lazy initialisation), uncounted.
                if run > 0 {
                    allocs += a;
                    bytes += b;
                }
            }
            $rows.push(Row {
                group: "actix",
                lib: $lib,
                req: req.name(),
                allocs: allocs as f64 / RUNS as f64,
                bytes: bytes as f64 / RUNS as f64,
            });
        }
    }};
}

/// The floor (see `common::actix_floor`): what writing the required
/// headers alone allocates.
fn actix_floor_rows(rows: &mut Vec<Row>, sys: &actix_web::rt::SystemRunner) {
    let app = sys.block_on(test::init_service(
        App::new().default_service(web::to(common::actix_handler)),
    ));
    for req in Req::ALL {
        let (status, headers) = sys.block_on(async {
            let mut seen = Vec::new();
            let request = common::actix_request(req).to_request();
            let status = common::actix_floor_headers(&app, request, |m| {
                seen = m
                    .iter()
                    .map(|(n, v)| {
                        let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                        (n.as_str().to_owned(), v)
                    })
                    .collect();
            })
            .await;
            (status, seen)
        });
        let Some(status) = status else {
            panic!("actix/floor/{}: the application failed", req.name())
        };
        common::assert_answer("actix", "floor", req, status.as_u16(), &headers);
        let mut allocs = 0;
        let mut bytes = 0;
        for run in 0..=RUNS {
            let request = common::actix_request(req).to_request();
            let (a, b) = sys.block_on(async {
                ALLOCS.store(0, Relaxed);
                BYTES.store(0, Relaxed);
                ON.store(true, Relaxed);
                black_box(common::actix_floor(&app, request).await);
                ON.store(false, Relaxed);
                (ALLOCS.load(Relaxed), BYTES.load(Relaxed))
            });
            // Run 0 warms up, uncounted.
            if run > 0 {
                allocs += a;
                bytes += b;
            }
        }
        rows.push(Row {
            group: "actix",
            lib: "floor",
            req: req.name(),
            allocs: allocs as f64 / RUNS as f64,
            bytes: bytes as f64 / RUNS as f64,
        });
    }
}

/// A named request for the core: method and `(name, value)` lines.
type CoreCase<'a> = (&'static str, &'static [u8], Vec<(&'a str, &'a str)>);

/// The core on each kind of answer, headers and `Vary` read as an adapter
/// reads them: it must allocate nothing.
fn core_rows(rows: &mut Vec<Row>) {
    let policy = &common::POLICY;
    let long_acrh = vec![common::ACRH; 50].join(" , ");
    let cases: [CoreCase<'_>; 5] = [
        ("actual", b"GET", vec![("origin", common::ORIGIN)]),
        ("preflight", b"OPTIONS", Req::Preflight.parts().1.to_vec()),
        (
            "actual_refused_origin",
            b"GET",
            vec![("origin", "https://evil.example")],
        ),
        (
            "preflight_refused_header",
            b"OPTIONS",
            vec![
                ("origin", common::ORIGIN),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-nope"),
            ],
        ),
        (
            "preflight_150_headers",
            b"OPTIONS",
            vec![
                ("origin", common::ORIGIN),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", &long_acrh),
            ],
        ),
    ];
    for (name, method, pairs) in &cases {
        let (allocs, bytes) = count(
            || (),
            |()| {
                let request = Request::from_pairs(method, pairs);
                let d = evaluate(policy, &request);
                let mut n = 0usize;
                for (h, v) in d.headers() {
                    n += h.as_str().len() + v.len();
                }
                black_box((n, d.vary(), d.refusal(), d.preflight_status()));
            },
        );
        rows.push(Row {
            group: "core",
            lib: "cors-policy",
            req: name,
            allocs,
            bytes,
        });
    }
}

fn main() {
    // The lean layer (benches/common/lean.rs, counted by
    // benches/callgrind.rs) must answer as ours around an application whose
    // responses have headers already, its own CORS header and `Vary` among
    // them. Checked here, not there: a second instance of our layer in that
    // binary moved our rows (how it is inlined).
    let app = tower::service_fn(common::lean::app_with_headers);
    common::lean::matches_ours(
        &mut common::lean::Lean::<_, false, false>::new(app, &common::POLICY),
        &mut cors_policy_tower::CorsLayer::new(&common::POLICY).layer(app),
    );
    println!("ok: the lean layer answers as ours around an application with headers");

    let mut rows = Vec::new();
    core_rows(&mut rows);

    let bare = tower::service_fn(common::tower_handler);
    tower_rows(&mut rows, "bare", bare);
    tower_rows(
        &mut rows,
        "cors-policy",
        cors_policy_tower::CorsLayer::new(&common::POLICY).layer(bare),
    );
    tower_rows(
        &mut rows,
        "tower-http",
        common::tower_http_layer().layer(bare),
    );
    let mut inner = bare;
    let floor = tower::service_fn(move |req| {
        let r = common::tower_floor(&mut inner, req);
        async move { Ok::<_, std::convert::Infallible>(r) }
    });
    tower_rows(&mut rows, "floor", floor);

    let sys = actix_web::rt::System::new();
    actix_rows!(
        rows,
        sys,
        "bare",
        App::new().default_service(web::to(common::actix_handler))
    );
    actix_rows!(
        rows,
        sys,
        "cors-policy",
        App::new()
            .wrap(cors_policy_actix::Cors::new(&common::POLICY))
            .default_service(web::to(common::actix_handler))
    );
    actix_rows!(
        rows,
        sys,
        "actix-cors",
        App::new()
            .wrap(common::actix_cors())
            .default_service(web::to(common::actix_handler))
    );

    actix_floor_rows(&mut rows, &sys);

    println!(
        "| group | library | request | allocations / request | bytes / request | allocations added over `bare` |"
    );
    println!("|---|---|---|---:|---:|---:|");
    for r in &rows {
        let added = rows
            .iter()
            .find(|b| b.group == r.group && b.lib == "bare" && b.req == r.req)
            .map_or_else(
                || "-".to_owned(),
                |b| format!("{:+.1}", r.allocs - b.allocs),
            );
        println!(
            "| {} | {} | {} | {:.1} | {:.0} | {} |",
            r.group, r.lib, r.req, r.allocs, r.bytes, added
        );
    }
    // The adapters' goal: no allocation beyond what the response's header
    // map needs, which is what the floor (writing the required headers and
    // nothing else) allocates, or what the framework allocates anyway (the
    // `bare` service: actix's `App` makes its `HttpRequest` before any
    // middleware runs, which the actix floor's preflight skips).
    let mut failed = false;
    let allocs = |group: &str, lib: &str, req: &str| {
        rows.iter()
            .find(|r| r.group == group && r.lib == lib && r.req == req)
            .map_or(0.0, |r| r.allocs)
    };
    for r in rows
        .iter()
        .filter(|r| r.lib == "cors-policy" && r.group != "core")
    {
        let allowed = allocs(r.group, "floor", r.req).max(allocs(r.group, "bare", r.req));
        if r.allocs > allowed {
            eprintln!(
                "FAIL: {}/cors-policy/{} allocates {} per request; floor and bare allow {}",
                r.group, r.req, r.allocs, allowed
            );
            failed = true;
        }
    }
    let core_allocs: Vec<&Row> = rows
        .iter()
        .filter(|r| r.group == "core" && r.allocs != 0.0)
        .collect();
    if !core_allocs.is_empty() {
        for r in core_allocs {
            eprintln!(
                "FAIL: the core allocates on {}: {} allocations",
                r.req, r.allocs
            );
        }
        failed = true;
    }
    if failed {
        std::process::exit(1);
    }
    eprintln!(
        "ok: the core made no allocation on {} inputs; no adapter allocated beyond the floor",
        rows.iter().filter(|r| r.group == "core").count()
    );
}
