//! Criterion benches of the core's [`evaluate`] on named inputs.
//!
//! Every input asserts, before it is timed, the decision the contract
//! (docs/behaviour.md §3-§4) requires of it, so a bench can never time a wrong
//! answer. Run: `cargo bench -p cors-policy --bench evaluate`; `-- --test`
//! runs each input once (the assertions only).
//!
//! Groups:
//! - `evaluate`: simple `GET` allowed, actual request from a refused origin,
//!   preflights with 1 and 20 requested headers, a refused preflight, and
//!   adversarial request headers.
//! - `origins`: the same requests under a 3-origin and a 1,000-origin
//!   policy (docs/behaviour.md §5: the work must not grow with the policy's list).

use std::hint::black_box;
use std::time::Duration;

use cors_policy::{Policy, PolicyBuilder, Request, RequestKind, evaluate};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// The three origins of the side-by-side comparison (benches/adapters.rs).
const ORIGINS: &[&str] = &[
    "https://myapp.com",
    "https://staging.myapp.com",
    "https://app.example.com",
];
const METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE"];
/// Twenty allowed request headers, so a preflight can ask for all of them.
const HEADERS: &[&str] = &[
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
const EXPOSE: &[&str] = &["x-request-id"];

/// A header list as a raw HTTP/1 parser yields it.
type Pairs = Vec<(&'static str, String)>;

/// What an input must be answered, checked outside the timed loop.
#[derive(Clone, Copy, Debug)]
struct Expect {
    kind: RequestKind,
    allowed: bool,
    /// The refusal code (`Refusal::code`), for refused inputs.
    refusal: Option<&'static str>,
    /// How many distinct CORS response headers the answer carries.
    headers: usize,
}

const fn allowed(kind: RequestKind, headers: usize) -> Expect {
    Expect {
        kind,
        allowed: true,
        refusal: None,
        headers,
    }
}

const fn refused(kind: RequestKind, code: &'static str) -> Expect {
    Expect {
        kind,
        allowed: false,
        refusal: Some(code),
        headers: 0,
    }
}

/// Panics (in the bench setup, never in the timed loop) unless `policy`
/// answers `pairs` as `expect` says.
fn assert_decision<const N: usize>(
    name: &str,
    policy: &Policy<'_, N>,
    method: &[u8],
    pairs: &Pairs,
    expect: Expect,
) {
    let request = Request::from_pairs(method, pairs);
    let d = evaluate(policy, &request);
    assert_eq!(d.kind(), expect.kind, "{name}: kind");
    assert_eq!(
        d.is_allowed(),
        expect.allowed,
        "{name}: allowed ({:?})",
        d.refusal()
    );
    assert_eq!(
        d.refusal().map(|r| r.code()),
        expect.refusal,
        "{name}: refusal"
    );
    // Distinct header names: ACAH echoes each request line on its own.
    let mut names: Vec<&str> = d.headers().map(|(h, _)| h.as_str()).collect();
    names.dedup();
    assert_eq!(names.len(), expect.headers, "{name}: headers {names:?}");
    if expect.kind == RequestKind::Preflight {
        let status = if expect.allowed { 204 } else { 403 };
        assert_eq!(d.preflight_status(), Some(status), "{name}: status");
    }
}

fn policy_3() -> Policy<'static> {
    match PolicyBuilder::new()
        .allow_origins(ORIGINS)
        .allow_methods(METHODS)
        .allow_headers(HEADERS)
        .expose_headers(EXPOSE)
        .allow_credentials(true)
        .max_age(86_400)
        .build()
    {
        Ok(p) => p,
        Err(e) => panic!("the 3-origin policy is refused: {e}"),
    }
}

/// 997 tenant origins, then the three of [`ORIGINS`] last, so the hit is the
/// most recently inserted entry in neither policy's favour.
fn many_origins() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = (0..997)
        .map(|i| &*Box::leak(format!("https://tenant{i:03}.myapp.com").into_boxed_str()))
        .collect();
    v.extend_from_slice(ORIGINS);
    v
}

fn policy_1000(origins: &'static [&'static str]) -> Policy<'static, 1024> {
    assert_eq!(origins.len(), 1000);
    match PolicyBuilder::new()
        .allow_origins(origins)
        .allow_methods(METHODS)
        .allow_headers(HEADERS)
        .expose_headers(EXPOSE)
        .allow_credentials(true)
        .max_age(86_400)
        .build_with_capacity::<1024>()
    {
        Ok(p) => p,
        Err(e) => panic!("the 1,000-origin policy is refused: {e}"),
    }
}

fn pairs(list: &[(&'static str, &str)]) -> Pairs {
    list.iter().map(|&(n, v)| (n, v.to_owned())).collect()
}

fn preflight(acrh: &str) -> Pairs {
    pairs(&[
        ("Host", "api.myapp.com"),
        ("Origin", "https://app.example.com"),
        ("Access-Control-Request-Method", "PUT"),
        ("Access-Control-Request-Headers", acrh),
    ])
}

/// The named inputs of the `evaluate` group: (name, method, headers, expected).
fn inputs() -> Vec<(&'static str, &'static [u8], Pairs, Expect)> {
    use RequestKind::{Actual, Preflight};
    let twenty = HEADERS.join(",");
    // 150 elements (docs/behaviour.md §5: "a request header list of 150 elements
    // must work"), in mixed case with spaces and tabs, all allowed, so every
    // element is read.
    let acrh_150: String = (0..150)
        .map(|i| {
            let h = HEADERS[i % HEADERS.len()];
            if i % 2 == 0 {
                h.to_ascii_uppercase()
            } else {
                format!(" \t{h} ")
            }
        })
        .collect::<Vec<_>>()
        .join(",");
    // 8 KiB of empty elements (ignored, docs/behaviour.md §4.3) around one name.
    let empties = format!("{}content-type,", ", \t".repeat(2730));
    // 8 KiB origin: well-formed bytes, allowed by no pattern.
    let long_origin = format!("https://{}.myapp.com", "a".repeat(8192));
    // 100 ACRH field lines of one element each.
    let mut many_lines = pairs(&[
        ("Origin", "https://app.example.com"),
        ("Access-Control-Request-Method", "PUT"),
    ]);
    for i in 0..100 {
        many_lines.push((
            "Access-Control-Request-Headers",
            HEADERS[i % HEADERS.len()].to_owned(),
        ));
    }
    // A realistic browser request: 30 other headers before the CORS ones.
    let mut noisy: Pairs = (0..30)
        .map(|i| ("X-Forwarded-Something", format!("value-{i}")))
        .collect();
    noisy.extend(pairs(&[("Origin", "https://app.example.com")]));
    // A refused header at the end of 20 allowed ones: every element is read.
    let refused_last = format!("{twenty},x-not-allowed");

    vec![
        (
            "simple_get_allowed",
            b"GET",
            pairs(&[("Origin", "https://app.example.com")]),
            allowed(Actual, 3),
        ),
        (
            "actual_refused_origin",
            b"GET",
            pairs(&[("Origin", "https://evil.example")]),
            refused(Actual, "origin_not_allowed"),
        ),
        (
            "preflight_1_header",
            b"OPTIONS",
            preflight("content-type"),
            allowed(Preflight, 5),
        ),
        (
            "preflight_20_headers",
            b"OPTIONS",
            preflight(&twenty),
            allowed(Preflight, 5),
        ),
        (
            "preflight_refused_header",
            b"OPTIONS",
            preflight(&refused_last),
            refused(Preflight, "header_not_allowed"),
        ),
        (
            "preflight_refused_method",
            b"OPTIONS",
            pairs(&[
                ("Origin", "https://app.example.com"),
                ("Access-Control-Request-Method", "PATCH"),
            ]),
            refused(Preflight, "method_not_allowed"),
        ),
        (
            "preflight_refused_origin",
            b"OPTIONS",
            pairs(&[
                ("Origin", "https://evil.example"),
                ("Access-Control-Request-Method", "PUT"),
            ]),
            refused(Preflight, "origin_not_allowed"),
        ),
        (
            "adversarial_acrh_150_elements",
            b"OPTIONS",
            preflight(&acrh_150),
            allowed(Preflight, 5),
        ),
        (
            "adversarial_acrh_8k_empty_elements",
            b"OPTIONS",
            preflight(&empties),
            allowed(Preflight, 5),
        ),
        (
            "adversarial_acrh_100_lines",
            b"OPTIONS",
            many_lines,
            allowed(Preflight, 5),
        ),
        (
            "adversarial_origin_8k",
            b"GET",
            pairs(&[("Origin", &long_origin)]),
            refused(Actual, "origin_not_allowed"),
        ),
        (
            "adversarial_two_origins",
            b"GET",
            pairs(&[
                ("Origin", "https://app.example.com"),
                ("Origin", "https://app.example.com"),
            ]),
            refused(Actual, "origin_malformed"),
        ),
        ("actual_30_other_headers", b"GET", noisy, allowed(Actual, 3)),
    ]
}

fn bench_evaluate(c: &mut Criterion) {
    let policy = policy_3();
    let mut group = c.benchmark_group("evaluate");
    for (name, method, pairs, expect) in inputs() {
        assert_decision(name, &policy, method, &pairs, expect);
        group.bench_function(name, |b| {
            let request = Request::from_pairs(method, &pairs);
            b.iter(|| black_box(evaluate(black_box(&policy), black_box(&request))));
        });
    }
    group.finish();
}

fn bench_origins(c: &mut Criterion) {
    let three = policy_3();
    let many: &'static [&'static str] = Vec::leak(many_origins());
    let thousand = policy_1000(many);
    use RequestKind::{Actual, Preflight};
    let cases: [(&str, &[u8], Pairs, Expect); 4] = [
        (
            "hit",
            b"GET",
            pairs(&[("Origin", "https://app.example.com")]),
            allowed(Actual, 3),
        ),
        // One byte short of an allowed origin, then one byte more.
        (
            "near_miss",
            b"GET",
            pairs(&[("Origin", "https://app.example.co")]),
            refused(Actual, "origin_not_allowed"),
        ),
        (
            "near_miss_longer",
            b"GET",
            pairs(&[("Origin", "https://app.example.comm")]),
            refused(Actual, "origin_not_allowed"),
        ),
        (
            "preflight_hit",
            b"OPTIONS",
            preflight("content-type,authorization,x-custom-header"),
            allowed(Preflight, 5),
        ),
    ];
    let mut group = c.benchmark_group("origins");
    for (name, method, pairs, expect) in &cases {
        assert_decision(name, &three, method, pairs, *expect);
        assert_decision(name, &thousand, method, pairs, *expect);
        let request = Request::from_pairs(method, pairs);
        group.bench_with_input(BenchmarkId::new("3", name), &request, |b, r| {
            b.iter(|| black_box(evaluate(black_box(&three), black_box(r))));
        });
        group.bench_with_input(BenchmarkId::new("1000", name), &request, |b, r| {
            b.iter(|| black_box(evaluate(black_box(&thousand), black_box(r))));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    // Short defaults for a shared 2-core machine; the command line
    // (`--warm-up-time`, `--measurement-time`) overrides them.
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench_evaluate, bench_origins
}
criterion_main!(benches);
