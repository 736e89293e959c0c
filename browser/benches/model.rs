//! Cost of the browser model's steps, timed with `std::time::Instant`
//! (no external harness): `cargo bench -p cors-policy-browser --bench model`.
//! Each case asserts its expected result before it is timed.

use std::hint::black_box;
use std::time::Instant;

use cors_policy_browser::{BrowserRequest, Exposed, Response, check_preflight, cors_check};

/// Runs `f` `n` times and prints the mean time per call.
fn time(name: &str, n: u32, mut f: impl FnMut() -> bool) {
    assert!(f(), "{name}: unexpected result");
    let start = Instant::now();
    for _ in 0..n {
        black_box(f());
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(n);
    println!("{name:<44} {ns:>9.1} ns/iter");
}

fn main() {
    let few = [
        ("Content-Type", "application/json"),
        ("X-Trace", "1"),
        ("Accept", "*/*"),
    ];
    let many: Vec<(String, String)> = (0..20)
        .map(|i| (format!("X-H{i:02}"), "v".into()))
        .collect();
    let allow_many = many
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(",");
    let preflight_ok = [
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", "content-type,x-trace"),
        ("Access-Control-Max-Age", "600"),
    ];
    let preflight_many = [
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Methods", "PUT"),
        ("Access-Control-Allow-Headers", allow_many.as_str()),
    ];
    let actual = [
        ("Access-Control-Allow-Origin", "https://app.example"),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Expose-Headers", "x-request-id, x-total"),
        ("Content-Type", "application/json"),
        ("X-Request-Id", "42"),
    ];
    const N: u32 = 200_000;

    time("simple GET: needs_preflight", N, || {
        let r = BrowserRequest::<&str, &str>::new("https://app.example", "GET", &[], false);
        !r.needs_preflight()
    });
    time("3 headers: Access-Control-Request-Headers", N, || {
        let r = BrowserRequest::new("https://app.example", "PUT", &few, true);
        let mut s = String::new();
        std::fmt::Write::write_fmt(
            &mut s,
            format_args!(
                "{}",
                r.preflight().and_then(|p| p.request_headers()).unwrap()
            ),
        )
        .unwrap();
        s == "content-type,x-trace"
    });
    time("3 headers: check_preflight", N, || {
        let r = BrowserRequest::new("https://app.example", "PUT", &few, true);
        check_preflight(&r, &Response::new(204, &preflight_ok)).is_ok()
    });
    time("20 headers: check_preflight", N / 10, || {
        let r = BrowserRequest::new("https://app.example", "PUT", &many, false);
        check_preflight(&r, &Response::new(204, &preflight_many)).is_ok()
    });
    time("actual: cors_check + 2 exposure lookups", N, || {
        let resp = Response::new(200, &actual);
        let e = Exposed::new(&resp, true);
        cors_check("https://app.example", true, &resp).is_ok()
            && e.is_readable(b"x-request-id")
            && !e.is_readable(b"etag")
    });
}
