//! Instruction counts, which a noisy machine cannot disturb: `evaluate` on
//! a 3-origin and a 1,000-origin policy (a cross-check of the `origins`
//! group of benches/evaluate.rs), `evaluate_with` with options known only
//! at run time (`*_with_options`, how the adapters call it), and every
//! library of the side-by-side comparison (benches/adapters.rs) on its two
//! requests, with one more row: `floor` (writing the required headers the
//! cheapest way we know and deciding nothing, what the response header map
//! alone costs).
//!
//! Each case runs in its own `#[inline(never)]` function, [`RUNS`] times
//! (core) or [`ADAPTER_RUNS`] times (adapters, on requests built
//! beforehand); under callgrind, its inclusive count divided by the runs
//! is the cost of one call. `bash benches/callgrind.sh` runs valgrind and
//! prints the table. Run alone (`cargo bench --bench callgrind`) it checks
//! every case's answers and exits.

mod common;

use std::hint::black_box;

use actix_web::{App, test, web};
use common::lean::{self, Lean};
use common::{Req, TowerRequest, TowerResponse};
use cors_policy::{Options, Policy, PolicyBuilder, Request, RequestKind, evaluate, evaluate_with};
use tower::Layer as _;

/// Calls per case.
const RUNS: usize = 10_000;

const ORIGINS: &[&str] = &[
    "https://myapp.com",
    "https://staging.myapp.com",
    "https://app.example.com",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE"];
const HEADERS: &[&str] = &["content-type", "authorization", "x-custom-header"];

type Pairs = [(&'static str, &'static str)];

const HIT: &Pairs = &[("origin", "https://app.example.com")];
const NEAR_MISS: &Pairs = &[("origin", "https://app.example.co")];
const PREFLIGHT: &Pairs = &[
    ("origin", "https://app.example.com"),
    ("access-control-request-method", "PUT"),
    (
        "access-control-request-headers",
        "authorization,content-type,x-custom-header",
    ),
];

fn build<const N: usize>(origins: &'static [&'static str]) -> Policy<'static, N> {
    match PolicyBuilder::new()
        .allow_origins(origins)
        .allow_methods(METHODS)
        .allow_headers(HEADERS)
        .expose_headers(&["x-request-id"])
        .allow_credentials(true)
        .max_age(86_400)
        .build_with_capacity::<N>()
    {
        Ok(p) => p,
        Err(e) => panic!("policy refused: {e}"),
    }
}

/// Runs `evaluate` [`RUNS`] times; returns how many calls were allowed.
fn run<const N: usize>(policy: &Policy<'_, N>, method: &[u8], pairs: &Pairs) -> usize {
    let request = Request::from_pairs(method, pairs);
    let mut allowed = 0;
    for _ in 0..RUNS {
        let d = evaluate(black_box(policy), black_box(&request));
        allowed += usize::from(black_box(d.is_allowed()));
    }
    allowed
}

macro_rules! case {
    ($name:ident, $n:literal, $tag:literal) => {
        // `$tag` keeps the bodies distinct, so LLVM never merges two cases
        // into one symbol.
        #[inline(never)]
        fn $name(policy: &Policy<'_, $n>, method: &[u8], pairs: &Pairs) -> usize {
            run(policy, method, pairs) + black_box($tag) - $tag
        }
    };
}

/// [`run`] through `evaluate_with` and options unknown at compile time, as
/// the adapters call the core.
fn run_with<const N: usize>(policy: &Policy<'_, N>, method: &[u8], pairs: &Pairs) -> usize {
    let request = Request::from_pairs(method, pairs);
    let options = Options::default();
    let mut allowed = 0;
    for _ in 0..RUNS {
        let d = evaluate_with(black_box(policy), black_box(&request), black_box(&options));
        allowed += usize::from(black_box(d.is_allowed()));
    }
    allowed
}

macro_rules! case_with {
    ($name:ident, $n:literal, $tag:literal) => {
        #[inline(never)]
        fn $name(policy: &Policy<'_, $n>, method: &[u8], pairs: &Pairs) -> usize {
            run_with(policy, method, pairs) + black_box($tag) - $tag
        }
    };
}

case_with!(case_3_hit_with_options, 64, 7);
case_with!(case_3_preflight_with_options, 64, 8);

case!(case_3_hit, 64, 1);
case!(case_1000_hit, 1024, 2);
case!(case_3_near_miss, 64, 3);
case!(case_1000_near_miss, 1024, 4);
case!(case_3_preflight, 64, 5);
case!(case_1000_preflight, 1024, 6);

/// The twenty allowed request headers of benches/evaluate.rs, for the two
/// inputs of issue 17 measured here too: a preflight asking for all twenty
/// (`evaluate/preflight_20_headers`) and an 8 KiB origin
/// (`evaluate/adversarial_origin_8k`).
const HEADERS_20: &[&str] = &[
    "content-type",
    "authorization",
    "x-custom-header",
    "x-h03",
    "x-h04",
    "x-h05",
    "x-h06",
    "x-h07",
    "x-h08",
    "x-h09",
    "x-h10",
    "x-h11",
    "x-h12",
    "x-h13",
    "x-h14",
    "x-h15",
    "x-h16",
    "x-h17",
    "x-h18",
    "x-h19",
];

case!(case_core_preflight_20_headers, 64, 9);
case!(case_core_origin_8k, 64, 10);

/// The two inputs of benches/evaluate.rs, under its 3-origin,
/// 20-header policy.
fn core_inputs() {
    let policy = match PolicyBuilder::new()
        .allow_origins(ORIGINS)
        .allow_methods(METHODS)
        .allow_headers(HEADERS_20)
        .expose_headers(&["x-request-id"])
        .allow_credentials(true)
        .max_age(86_400)
        .build()
    {
        Ok(p) => p,
        Err(e) => panic!("policy refused: {e}"),
    };
    let twenty: &'static str = Box::leak(HEADERS_20.join(",").into_boxed_str());
    let preflight: &'static Pairs = Vec::leak(vec![
        ("Host", "api.myapp.com"),
        ("Origin", "https://app.example.com"),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", twenty),
    ]);
    let long: &'static str =
        Box::leak(format!("https://{}.myapp.com", "a".repeat(8192)).into_boxed_str());
    let origin_8k: &'static Pairs = Vec::leak(vec![("Origin", long)]);
    assert_eq!(
        case_core_preflight_20_headers(&policy, b"OPTIONS", preflight),
        RUNS
    );
    assert_eq!(case_core_origin_8k(&policy, b"GET", origin_8k), 0);
}

/// Requests per adapter case.
const ADAPTER_RUNS: usize = 2_000;

/// Calls a tower service on each request (built beforehand, uncounted).
fn tower_run<S>(svc: &mut S, reqs: Vec<TowerRequest>) -> usize
where
    S: tower::Service<TowerRequest, Response = TowerResponse>,
    S::Error: std::fmt::Debug,
{
    let mut ok = 0;
    for r in reqs {
        let resp = common::tower_call(svc, black_box(r));
        ok += usize::from(black_box(resp).status().is_success());
    }
    ok
}

macro_rules! tower_case {
    ($name:ident, $tag:literal) => {
        #[inline(never)]
        fn $name<S>(svc: &mut S, reqs: Vec<TowerRequest>) -> usize
        where
            S: tower::Service<TowerRequest, Response = TowerResponse>,
            S::Error: std::fmt::Debug,
        {
            tower_run(svc, reqs) + black_box($tag) - $tag
        }
    };
}

tower_case!(case_tower_bare_preflight, 11);
tower_case!(case_tower_bare_actual, 12);
tower_case!(case_tower_ours_preflight, 13);
tower_case!(case_tower_ours_actual, 14);
tower_case!(case_tower_theirs_preflight, 15);
tower_case!(case_tower_theirs_actual, 16);

macro_rules! tower_floor_case {
    ($name:ident, $tag:literal) => {
        #[inline(never)]
        fn $name<S>(svc: &mut S, reqs: Vec<TowerRequest>) -> usize
        where
            S: tower::Service<TowerRequest, Response = TowerResponse>,
            S::Error: std::fmt::Debug,
        {
            let mut ok = 0;
            for r in reqs {
                let resp = common::tower_floor(svc, black_box(r));
                ok += usize::from(black_box(resp).status().is_success());
            }
            ok + black_box($tag) - $tag
        }
    };
}

tower_case!(case_tower_lean_preflight, 41);
tower_case!(case_tower_lean_actual, 42);
tower_case!(case_tower_leanfeatures_preflight, 43);
tower_case!(case_tower_leanfeatures_actual, 44);
tower_case!(case_tower_leanstatic_preflight, 45);
tower_case!(case_tower_leanstatic_actual, 46);
tower_case!(case_tower_floorlayer_preflight, 19);
tower_case!(case_tower_floorlayer_actual, 20);

tower_floor_case!(case_tower_floor_preflight, 17);
tower_floor_case!(case_tower_floor_actual, 18);

/// Instruction counts of the `tower` and `actix` groups of
/// benches/adapters.rs, per request.
fn adapters() {
    let reqs = |req| {
        (0..ADAPTER_RUNS)
            .map(|_| common::tower_request(req))
            .collect::<Vec<_>>()
    };
    let bare = tower::service_fn(common::tower_handler);
    let mut ours = cors_policy_tower::CorsLayer::new(&common::POLICY).layer(bare);
    let mut theirs = common::tower_http_layer().layer(bare);
    let n = ADAPTER_RUNS;
    assert_eq!(
        case_tower_bare_preflight(&mut { bare }, reqs(Req::Preflight)),
        n
    );
    assert_eq!(case_tower_bare_actual(&mut { bare }, reqs(Req::Actual)), n);
    assert_eq!(
        case_tower_ours_preflight(&mut ours, reqs(Req::Preflight)),
        n
    );
    assert_eq!(case_tower_ours_actual(&mut ours, reqs(Req::Actual)), n);
    assert_eq!(
        case_tower_theirs_preflight(&mut theirs, reqs(Req::Preflight)),
        n
    );
    assert_eq!(case_tower_theirs_actual(&mut theirs, reqs(Req::Actual)), n);
    for req in Req::ALL {
        let r = common::tower_floor(&mut { bare }, common::tower_request(req));
        let floor = common::tower_headers(&r);
        common::assert_answer("tower", "floor", req, r.status().as_u16(), &floor);
        let o = common::tower_call(&mut ours, common::tower_request(req));
        common::assert_floor_matches(
            "tower",
            req,
            (r.status().as_u16(), &floor),
            (o.status().as_u16(), &common::tower_headers(&o)),
        );
    }
    assert_eq!(
        case_tower_floor_preflight(&mut { bare }, reqs(Req::Preflight)),
        n
    );
    assert_eq!(case_tower_floor_actual(&mut { bare }, reqs(Req::Actual)), n);
    let mut floor = common::TowerFloor(bare);
    for req in Req::ALL {
        let r = common::tower_call(&mut floor, common::tower_request(req));
        let o = common::tower_call(&mut ours, common::tower_request(req));
        common::assert_floor_matches(
            "tower",
            req,
            (r.status().as_u16(), &common::tower_headers(&r)),
            (o.status().as_u16(), &common::tower_headers(&o)),
        );
    }
    assert_eq!(
        case_tower_floorlayer_preflight(&mut floor, reqs(Req::Preflight)),
        n
    );
    assert_eq!(
        case_tower_floorlayer_actual(&mut floor, reqs(Req::Actual)),
        n
    );

    // The lean layer (benches/common/lean.rs): without the features, with
    // them, and with them but the policy called directly.
    let mut lean = Lean::<_, false, false>::new(bare, &common::POLICY);
    let mut lean_features = Lean::<_, true, true>::new(bare, &common::POLICY);
    let mut lean_static = Lean::<_, true, false>::new(bare, &common::POLICY);
    // Checked around an application whose responses have headers in
    // benches/alloc_counts.rs: a second instance of our layer here moved
    // our rows by 53 and 95 instructions (how this binary is inlined).
    lean::matches_ours(&mut lean, &mut ours);
    lean::matches_ours(&mut lean_features, &mut ours);
    lean::matches_ours(&mut lean_static, &mut ours);
    assert_eq!(
        case_tower_lean_preflight(&mut lean, reqs(Req::Preflight)),
        n
    );
    assert_eq!(case_tower_lean_actual(&mut lean, reqs(Req::Actual)), n);
    assert_eq!(
        case_tower_leanfeatures_preflight(&mut lean_features, reqs(Req::Preflight)),
        n
    );
    assert_eq!(
        case_tower_leanfeatures_actual(&mut lean_features, reqs(Req::Actual)),
        n
    );
    assert_eq!(
        case_tower_leanstatic_preflight(&mut lean_static, reqs(Req::Preflight)),
        n
    );
    assert_eq!(
        case_tower_leanstatic_actual(&mut lean_static, reqs(Req::Actual)),
        n
    );

    let sys = actix_web::rt::System::new();
    macro_rules! actix_cases {
        ($preflight:ident, $actual:ident, $app:expr) => {{
            let app = sys.block_on(test::init_service($app));
            let reqs = |req| {
                (0..ADAPTER_RUNS)
                    .map(|_| common::actix_request(req).to_request())
                    .collect::<Vec<_>>()
            };
            assert_eq!($preflight(&sys, &app, reqs(Req::Preflight)), n);
            assert_eq!($actual(&sys, &app, reqs(Req::Actual)), n);
        }};
    }
    actix_cases!(
        case_actix_bare_preflight,
        case_actix_bare_actual,
        App::new().default_service(web::to(common::actix_handler))
    );
    actix_cases!(
        case_actix_ours_preflight,
        case_actix_ours_actual,
        App::new()
            .wrap(cors_policy_actix::Cors::new(&common::POLICY))
            .default_service(web::to(common::actix_handler))
    );
    {
        let app = sys.block_on(test::init_service(
            App::new().default_service(web::to(common::actix_handler)),
        ));
        let ours = sys.block_on(test::init_service(
            App::new()
                .wrap(cors_policy_actix::Cors::new(&common::POLICY))
                .default_service(web::to(common::actix_handler)),
        ));
        for req in Req::ALL {
            let mut floor = Vec::new();
            let status = sys.block_on(common::actix_floor_headers(
                &app,
                common::actix_request(req).to_request(),
                |m| floor = actix_pairs(m),
            ));
            let Some(status) = status else {
                panic!("actix/floor/{}: the application failed", req.name())
            };
            common::assert_answer("actix", "floor", req, status.as_u16(), &floor);
            let o = sys.block_on(test::call_service(
                &ours,
                common::actix_request(req).to_request(),
            ));
            common::assert_floor_matches(
                "actix",
                req,
                (status.as_u16(), &floor),
                (o.status().as_u16(), &common::actix_headers(&o)),
            );
        }
        let reqs = |req| {
            (0..ADAPTER_RUNS)
                .map(|_| common::actix_request(req).to_request())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            case_actix_floor_preflight(&sys, &app, reqs(Req::Preflight)),
            n
        );
        assert_eq!(case_actix_floor_actual(&sys, &app, reqs(Req::Actual)), n);
    }
    {
        let floor = sys.block_on(test::init_service(
            App::new()
                .wrap(common::ActixFloor)
                .default_service(web::to(common::actix_handler)),
        ));
        let ours = sys.block_on(test::init_service(
            App::new()
                .wrap(cors_policy_actix::Cors::new(&common::POLICY))
                .default_service(web::to(common::actix_handler)),
        ));
        for req in Req::ALL {
            let f = sys.block_on(test::call_service(
                &floor,
                common::actix_request(req).to_request(),
            ));
            let o = sys.block_on(test::call_service(
                &ours,
                common::actix_request(req).to_request(),
            ));
            common::assert_floor_matches(
                "actix",
                req,
                (f.status().as_u16(), &common::actix_headers(&f)),
                (o.status().as_u16(), &common::actix_headers(&o)),
            );
        }
    }
    actix_cases!(
        case_actix_floorlayer_preflight,
        case_actix_floorlayer_actual,
        App::new()
            .wrap(common::ActixFloor)
            .default_service(web::to(common::actix_handler))
    );
    actix_cases!(
        case_actix_theirs_preflight,
        case_actix_theirs_actual,
        App::new()
            .wrap(common::actix_cors())
            .default_service(web::to(common::actix_handler))
    );
}

/// An actix header map as `(lower-case name, value)` pairs.
fn actix_pairs(m: &actix_web::http::header::HeaderMap) -> Vec<(String, String)> {
    m.iter()
        .map(|(n, v)| {
            let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (n.as_str().to_owned(), v)
        })
        .collect()
}

/// Calls an actix service on each request (built beforehand, uncounted).
fn actix_run<S, R, B>(sys: &actix_web::rt::SystemRunner, app: &S, reqs: Vec<R>) -> usize
where
    S: actix_web::dev::Service<
            R,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
{
    sys.block_on(async {
        let mut ok = 0;
        for r in reqs {
            if let Ok(resp) = app.call(black_box(r)).await {
                ok += usize::from(black_box(resp).status().is_success());
            }
        }
        ok
    })
}

macro_rules! actix_case {
    ($name:ident, $tag:literal) => {
        #[inline(never)]
        fn $name<S, R, B>(sys: &actix_web::rt::SystemRunner, app: &S, reqs: Vec<R>) -> usize
        where
            S: actix_web::dev::Service<
                    R,
                    Response = actix_web::dev::ServiceResponse<B>,
                    Error = actix_web::Error,
                >,
        {
            actix_run(sys, app, reqs) + black_box($tag) - $tag
        }
    };
}

actix_case!(case_actix_bare_preflight, 21);
actix_case!(case_actix_bare_actual, 22);
actix_case!(case_actix_ours_preflight, 23);
actix_case!(case_actix_ours_actual, 24);
actix_case!(case_actix_theirs_preflight, 25);
actix_case!(case_actix_theirs_actual, 26);

macro_rules! actix_floor_case {
    ($name:ident, $tag:literal) => {
        #[inline(never)]
        fn $name<S, R, B>(sys: &actix_web::rt::SystemRunner, app: &S, reqs: Vec<R>) -> usize
        where
            S: actix_web::dev::Service<
                    R,
                    Response = actix_web::dev::ServiceResponse<B>,
                    Error = actix_web::Error,
                >,
            R: actix_web::HttpMessage,
        {
            actix_floor_run(sys, app, reqs) + black_box($tag) - $tag
        }
    };
}

/// Runs [`common::actix_floor`] on each request.
fn actix_floor_run<S, R, B>(sys: &actix_web::rt::SystemRunner, app: &S, reqs: Vec<R>) -> usize
where
    S: actix_web::dev::Service<
            R,
            Response = actix_web::dev::ServiceResponse<B>,
            Error = actix_web::Error,
        >,
    R: actix_web::HttpMessage,
{
    sys.block_on(async {
        let mut ok = 0;
        for r in reqs {
            if let Some(status) = common::actix_floor(app, black_box(r)).await {
                ok += usize::from(black_box(status).is_success());
            }
        }
        ok
    })
}

actix_case!(case_actix_floorlayer_preflight, 29);
actix_case!(case_actix_floorlayer_actual, 30);

actix_floor_case!(case_actix_floor_preflight, 27);
actix_floor_case!(case_actix_floor_actual, 28);

/// Lines of `Access-Control-Request-Headers` in the `case_echo_*_n`
/// preflights (the `_4n` ones send four times as many), and requests per
/// echo case. The adapters echo each requested line: the instructions
/// must grow with the lines, not with their square (`.ci/benches.sh`
/// checks the 4N / N ratio).
const ECHO_LINES: usize = 250;
const ECHO_RUNS: usize = 20;

/// A preflight from the shared origin asking for `PUT` and `lines` lines
/// of `Access-Control-Request-Headers`: the allowed `x-custom-header`,
/// each line in another mix of upper and lower case, so that no two lines
/// are equal and finding a line's own value cannot stop at the first.
fn echo_parts(lines: usize) -> Vec<(&'static str, &'static str)> {
    let mut headers = vec![
        ("origin", common::ORIGIN),
        ("access-control-request-method", common::ACRM),
    ];
    headers.extend((0..lines).map(|i| {
        // Bit `k` of `i` upper-cases the `k`-th letter (13 letters: 8,192
        // distinct lines).
        let mut k = 0;
        let name: String = "x-custom-header"
            .chars()
            .map(|c| {
                if !c.is_ascii_alphabetic() {
                    return c;
                }
                k += 1;
                match (i >> (k - 1)) & 1 {
                    1 => c.to_ascii_uppercase(),
                    _ => c,
                }
            })
            .collect();
        (
            "access-control-request-headers",
            &*Box::leak(name.into_boxed_str()),
        )
    }));
    headers
}

tower_case!(case_echo_tower_n, 31);
tower_case!(case_echo_tower_4n, 32);
actix_case!(case_echo_actix_n, 33);
actix_case!(case_echo_actix_4n, 34);

/// The echo cases: every answer must echo every line.
fn echo() {
    let tower_reqs = |lines| {
        (0..ECHO_RUNS)
            .map(|_| {
                let mut b = http::Request::builder().method("OPTIONS").uri("/");
                for (n, v) in echo_parts(lines) {
                    b = b.header(n, common::static_value(v));
                }
                b.body(String::new()).unwrap_or_default()
            })
            .collect::<Vec<_>>()
    };
    let bare = tower::service_fn(common::tower_handler);
    let mut ours = cors_policy_tower::CorsLayer::new(&common::POLICY).layer(bare);
    let mut one = tower_reqs(ECHO_LINES);
    let answer = common::tower_call(&mut ours, one.remove(0));
    let echoed = answer
        .headers()
        .get_all("access-control-allow-headers")
        .iter()
        .count();
    assert_eq!(echoed, ECHO_LINES, "every requested line is echoed");
    assert_eq!(
        case_echo_tower_n(&mut ours, tower_reqs(ECHO_LINES)),
        ECHO_RUNS
    );
    assert_eq!(
        case_echo_tower_4n(&mut ours, tower_reqs(4 * ECHO_LINES)),
        ECHO_RUNS
    );

    let sys = actix_web::rt::System::new();
    let app = sys.block_on(test::init_service(
        App::new()
            .wrap(cors_policy_actix::Cors::new(&common::POLICY))
            .default_service(web::to(common::actix_handler)),
    ));
    let actix_reqs = |lines| {
        (0..ECHO_RUNS)
            .map(|_| {
                use actix_web::http::header::{HeaderName, HeaderValue};
                let mut t = test::TestRequest::default()
                    .method(actix_web::http::Method::OPTIONS)
                    .uri("/");
                for (n, v) in echo_parts(lines) {
                    t = t.append_header((HeaderName::from_static(n), HeaderValue::from_static(v)));
                }
                t.to_request()
            })
            .collect::<Vec<_>>()
    };
    let answer = sys.block_on(test::call_service(&app, actix_reqs(ECHO_LINES).remove(0)));
    let echoed = answer
        .headers()
        .get_all("access-control-allow-headers")
        .count();
    assert_eq!(echoed, ECHO_LINES, "every requested line is echoed");
    assert_eq!(
        case_echo_actix_n(&sys, &app, actix_reqs(ECHO_LINES)),
        ECHO_RUNS
    );
    assert_eq!(
        case_echo_actix_4n(&sys, &app, actix_reqs(4 * ECHO_LINES)),
        ECHO_RUNS
    );
}

fn main() {
    let mut many: Vec<&'static str> = (0..997)
        .map(|i| &*Box::leak(format!("https://tenant{i:03}.myapp.com").into_boxed_str()))
        .collect();
    many.extend_from_slice(ORIGINS);
    let many: &'static [&'static str] = Vec::leak(many);
    let three = build::<64>(ORIGINS);
    let thousand = build::<1024>(many);
    for (pairs, method, kind) in [
        (HIT, &b"GET"[..], RequestKind::Actual),
        (PREFLIGHT, b"OPTIONS", RequestKind::Preflight),
    ] {
        for d in [
            evaluate(&three, &Request::from_pairs(method, pairs)).kind(),
            evaluate(&thousand, &Request::from_pairs(method, pairs)).kind(),
        ] {
            assert_eq!(d, kind);
        }
    }
    let counts = [
        ("3 hit", case_3_hit(&three, b"GET", HIT), RUNS),
        ("1000 hit", case_1000_hit(&thousand, b"GET", HIT), RUNS),
        (
            "3 near_miss",
            case_3_near_miss(&three, b"GET", NEAR_MISS),
            0,
        ),
        (
            "1000 near_miss",
            case_1000_near_miss(&thousand, b"GET", NEAR_MISS),
            0,
        ),
        (
            "3 preflight",
            case_3_preflight(&three, b"OPTIONS", PREFLIGHT),
            RUNS,
        ),
        (
            "1000 preflight",
            case_1000_preflight(&thousand, b"OPTIONS", PREFLIGHT),
            RUNS,
        ),
        (
            "3 hit, evaluate_with",
            case_3_hit_with_options(&three, b"GET", HIT),
            RUNS,
        ),
        (
            "3 preflight, evaluate_with",
            case_3_preflight_with_options(&three, b"OPTIONS", PREFLIGHT),
            RUNS,
        ),
    ];
    for (name, got, want) in counts {
        assert_eq!(got, want, "{name}: allowed {got} of {RUNS}");
    }
    println!("ok: {} cases, {RUNS} calls each", counts.len());
    core_inputs();
    println!("ok: 2 core inputs of benches/evaluate.rs, {RUNS} calls each");
    adapters();
    println!("ok: 28 adapter cases, {ADAPTER_RUNS} requests each");
    echo();
    println!(
        "ok: 4 echo cases, {ECHO_RUNS} requests each of {ECHO_LINES} and {} lines",
        4 * ECHO_LINES
    );
}
