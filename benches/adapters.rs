//! Side by side: the cost each CORS layer adds to the same service, on
//! identical requests, in one run.
//!
//! `cargo bench --workspace --bench adapters` (from the repository root).
//! Criterion ids: group `tower` with `BenchmarkId::new(LIB, REQ)` for LIB in
//! `bare`, `cors-policy`, `tower-http`; group `actix` with LIB in `bare`,
//! `cors-policy`, `actix-cors`; REQ in `preflight`, `actual`. `bare` is the
//! same service without a CORS layer: subtract it to get what a layer adds.
//! Group `floor` (ids `tower/REQ`, `actix/REQ`) is not a layer: it writes
//! the required headers and decides nothing. Group `decision` (ids
//! `core/REQ`) is the core's decision alone on the same request
//! (`evaluate_with`, as the adapters call it): the floor plus the decision
//! is the limit a layer can reach.
//!
//! Services are called in-process (no sockets). Requests are built outside
//! the timing, the same way for every library ([`common::timed_batches`]);
//! each library's answer is checked against what CORS requires before it
//! is timed ([`common::assert_answer`]).

mod common;

use std::hint::black_box;
use std::time::{Duration, Instant};

use actix_web::dev::Service as _;
use actix_web::{App, test, web};
use common::{Req, TowerRequest, TowerResponse};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use tower::Layer as _;

/// Checks, then times, one tower service on both requests.
fn bench_tower_service<S>(
    c: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    lib: &str,
    mut svc: S,
) where
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
        c.bench_function(BenchmarkId::new(lib, req.name()), |b| {
            b.iter_custom(|iters| {
                common::timed_batches(
                    iters,
                    || common::tower_request(req),
                    |batch| {
                        let start = Instant::now();
                        for r in batch.drain(..) {
                            black_box(common::tower_call(&mut svc, black_box(r)));
                        }
                        start.elapsed()
                    },
                )
            });
        });
    }
}

fn bench_tower(c: &mut Criterion) {
    let mut group = c.benchmark_group("tower");
    let bare = tower::service_fn(common::tower_handler);
    bench_tower_service(&mut group, "bare", bare);
    bench_tower_service(
        &mut group,
        "cors-policy",
        cors_policy_tower::CorsLayer::new(&common::POLICY).layer(bare),
    );
    bench_tower_service(
        &mut group,
        "tower-http",
        common::tower_http_layer().layer(bare),
    );
    group.finish();
}

/// Not a CORS layer: group `floor`, id `tower/REQ`, writes the headers
/// these two requests need the cheapest way we know and decides nothing
/// ([`common::tower_floor`]). What any layer pays for the response header
/// map alone; subtract `tower/bare` to compare.
fn bench_floor(c: &mut Criterion) {
    let mut group = c.benchmark_group("floor");
    let mut inner = tower::service_fn(common::tower_handler);
    let floor = tower::service_fn(move |req| {
        let r = common::tower_floor(&mut inner, req);
        async move { Ok::<_, std::convert::Infallible>(r) }
    });
    bench_tower_service(&mut group, "tower", floor);
    let sys = actix_web::rt::System::new();
    let app = sys.block_on(test::init_service(
        App::new().default_service(web::to(common::actix_handler)),
    ));
    for req in Req::ALL {
        let mut seen = Vec::new();
        let status = sys.block_on(common::actix_floor_headers(
            &app,
            common::actix_request(req).to_request(),
            |m| {
                seen = m
                    .iter()
                    .map(|(n, v)| {
                        let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                        (n.as_str().to_owned(), v)
                    })
                    .collect()
            },
        ));
        let Some(status) = status else {
            panic!("actix/floor/{}: the application failed", req.name())
        };
        common::assert_answer("actix", "floor", req, status.as_u16(), &seen);
        group.bench_function(BenchmarkId::new("actix", req.name()), |b| {
            b.iter_custom(|iters| {
                common::timed_batches(
                    iters,
                    || common::actix_request(req).to_request(),
                    |batch| {
                        sys.block_on(async {
                            let start = Instant::now();
                            for r in batch.drain(..) {
                                black_box(common::actix_floor(&app, black_box(r)).await);
                            }
                            start.elapsed()
                        })
                    },
                )
            });
        });
    }
    group.finish();
}

/// Not a layer: group `decision`, id `core/REQ`, the core's decision on
/// the request alone (`evaluate_with` on its `(name, value)` pairs, with
/// options known only at run time, as the adapters call it).
fn bench_decision(c: &mut Criterion) {
    use cors_policy::{Options, Request, evaluate_with};
    let mut group = c.benchmark_group("decision");
    for req in Req::ALL {
        let (method, pairs) = req.parts();
        let request = Request::from_pairs(method.as_bytes(), pairs);
        let options = Options::default();
        let kind = evaluate_with(&common::POLICY, &request, &options).kind();
        assert!(
            evaluate_with(&common::POLICY, &request, &options).is_allowed(),
            "decision/core/{}: refused ({kind:?})",
            req.name()
        );
        group.bench_function(BenchmarkId::new("core", req.name()), |b| {
            b.iter(|| {
                let d = evaluate_with(
                    black_box(&common::POLICY),
                    black_box(&request),
                    black_box(&options),
                );
                black_box(d.is_allowed())
            });
        });
    }
    group.finish();
}

/// Checks, then times, one actix app on both requests.
macro_rules! bench_actix_app {
    ($group:expr, $sys:expr, $lib:expr, $app:expr) => {{
        let app = $sys.block_on(test::init_service($app));
        for req in Req::ALL {
            let r = $sys.block_on(app.call(common::actix_request(req).to_request()));
            let r = match r {
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
            $group.bench_function(BenchmarkId::new($lib, req.name()), |b| {
                b.iter_custom(|iters| {
                    common::timed_batches(
                        iters,
                        || common::actix_request(req).to_request(),
                        |batch| {
                            $sys.block_on(async {
                                let start = Instant::now();
                                for r in batch.drain(..) {
                                    let _ = black_box(app.call(black_box(r)).await);
                                }
                                start.elapsed()
                            })
                        },
                    )
                });
            });
        }
    }};
}

fn bench_actix(c: &mut Criterion) {
    let sys = actix_web::rt::System::new();
    let mut group = c.benchmark_group("actix");
    bench_actix_app!(
        group,
        sys,
        "bare",
        App::new().default_service(web::to(common::actix_handler))
    );
    bench_actix_app!(
        group,
        sys,
        "cors-policy",
        App::new()
            .wrap(cors_policy_actix::Cors::new(&common::POLICY))
            .default_service(web::to(common::actix_handler))
    );
    bench_actix_app!(
        group,
        sys,
        "actix-cors",
        App::new()
            .wrap(common::actix_cors())
            .default_service(web::to(common::actix_handler))
    );
    group.finish();
}

criterion_group! {
    name = benches;
    // Short defaults for a shared 2-core machine; the command line
    // (`--warm-up-time`, `--measurement-time`) overrides them.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_tower, bench_actix, bench_floor, bench_decision
}
criterion_main!(benches);
