//! Bounded cost (docs/behaviour.md §5): the adversarial requests of issue 5 are
//! answered correctly, and the work they cause is counted.
//!
//! Here the count is of field lines and bytes the engine pulls from the
//! request (through a counting line iterator): it must be a fixed multiple
//! of the input, so no line is re-read per element or per pattern. The
//! instruction count, which also covers the bytes examined inside each
//! line, is checked by `.ci/hardening.sh` under callgrind
//! (`fuzz/tools/src/bin/cost.rs`, at two sizes; the ratio must follow the
//! size ratio).

mod adversarial;
mod oracle;

use std::cell::Cell;
use std::rc::Rc;

use adversarial::{Scenario, inputs};
use cors_policy::{CorsRequestHeader, Refusal, Request, ResponseHeader, evaluate};

const MIB: usize = 1 << 20;

/// The full sizes of issue 5: 1 MiB of bytes, 10,000 lines, 1,000 tenants.
fn full_size(s: Scenario) -> usize {
    match s {
        Scenario::EmptyLines => 10_000,
        Scenario::ManyOrigins => 1_000,
        _ => MIB,
    }
}

/// Field lines of one header, counting what the engine pulls.
#[derive(Clone)]
struct Counted<'r> {
    lines: std::slice::Iter<'r, &'r [u8]>,
    /// (lines, bytes) handed out, shared by every clone.
    seen: Rc<Cell<(usize, usize)>>,
}

impl<'r> Iterator for Counted<'r> {
    type Item = &'r [u8];
    fn next(&mut self) -> Option<&'r [u8]> {
        let line = *self.lines.next()?;
        let (n, b) = self.seen.get();
        self.seen.set((n + 1, b + line.len()));
        Some(line)
    }
}

/// Runs one scenario; returns the lines and bytes pulled, after checking
/// the answer.
fn run(s: Scenario, n: usize) -> (usize, usize) {
    let inp = inputs(s, n);
    let origins: Vec<&str> = inp.origins.iter().map(String::as_str).collect();
    let policy = adversarial::policy(&origins);
    let by_header: Vec<Vec<&[u8]>> = CorsRequestHeader::ALL
        .iter()
        .map(|h| {
            inp.pairs
                .iter()
                .filter(|(name, _)| name.eq_ignore_ascii_case(h.name().as_bytes()))
                .map(|(_, v)| v.as_slice())
                .collect()
        })
        .collect();
    let seen = Rc::new(Cell::new((0, 0)));
    let request = Request::from_fn(inp.method, |h| Counted {
        lines: by_header[CorsRequestHeader::ALL.iter().position(|x| *x == h).unwrap()].iter(),
        seen: seen.clone(),
    });
    let d = evaluate(&policy, &request);
    assert!(d.is_preflight(), "{s:?}");
    assert_eq!(d.is_allowed(), s.allowed(), "{s:?}: {:?}", d.refusal());
    let echoed: Vec<&[u8]> = d
        .headers()
        .filter(|(h, _)| *h == ResponseHeader::AllowHeaders)
        .map(|(_, v)| v)
        .collect();
    // What answering the request pulled: the checks and one pass over the
    // response headers.
    let pulled = seen.get();
    let want: Vec<&[u8]> = inp.echoed.iter().map(Vec::as_slice).collect();
    assert_eq!(echoed, want, "{s:?}");
    if s.allowed() {
        assert_eq!(d.preflight_status(), Some(204));
    } else {
        assert_eq!(d.preflight_status(), Some(403));
        assert!(
            matches!(d.refusal(), Some(Refusal::OriginNotAllowed(_))),
            "{s:?}"
        );
        assert_eq!(d.headers().count(), 0);
    }
    // The naive oracle agrees (it has no capacity limit of its own).
    let op = oracle::OPolicy {
        origins: inp.origins.clone(),
        methods: vec!["PUT".into()],
        headers: adversarial::HEADERS.iter().map(|h| h.to_string()).collect(),
        ..oracle::OPolicy::default()
    };
    let want = oracle::evaluate(&op, inp.method, &inp.pairs);
    let got = oracle::core_answer(&d);
    assert_eq!(got.refusal.is_none(), want.refusal.is_none(), "{s:?}");
    assert_eq!(got.headers, want.headers, "{s:?}");
    assert_eq!(got.vary, want.vary, "{s:?}");
    pulled
}

#[test]
fn adversarial_requests_are_answered_correctly() {
    for s in Scenario::ALL {
        run(s, full_size(s));
    }
}

/// The lines and bytes pulled from the request grow exactly with the input
/// (a quarter of the size pulls a quarter as much, give or take the fixed
/// Origin and ACRM lines), and stay within two passes over it: one to
/// check, one to echo.
#[test]
fn lines_and_bytes_pulled_are_linear() {
    for s in Scenario::ALL {
        let n = full_size(s);
        let (small_lines, small_bytes) = run(s, n / 4);
        let (lines, bytes) = run(s, n);
        let inp = inputs(s, n);
        let input_lines = inp.pairs.len();
        let input_bytes: usize = inp.pairs.iter().map(|(_, v)| v.len()).sum();
        assert!(
            lines <= 2 * input_lines + 4 && bytes <= 2 * input_bytes + 64,
            "{s:?}: pulled {lines} lines / {bytes} bytes of {input_lines} / {input_bytes}"
        );
        if s == Scenario::ManyOrigins {
            // The request is the same size whatever the policy: so is the work.
            assert!(
                lines == small_lines && bytes.abs_diff(small_bytes) <= 8,
                "{s:?}"
            );
        } else if s == Scenario::EmptyLines {
            assert!(
                lines.abs_diff(4 * small_lines) <= 16,
                "{s:?}: {small_lines} -> {lines}"
            );
        } else {
            assert!(
                bytes.abs_diff(4 * small_bytes) <= 256,
                "{s:?}: {small_bytes} -> {bytes}"
            );
        }
    }
}

/// More 1 MiB inputs: their answers only (the work is the same kind of
/// single pass as above).
#[test]
fn more_adversarial_answers() {
    let origins = [
        "https://app.example",
        "https://*.app.example",
        "http://localhost:*",
    ];
    let policy = adversarial::policy(&origins);
    let spaces = vec![b' '; MIB];
    let mut upper = b"https://".to_vec();
    upper.extend(std::iter::repeat_n(b'A', MIB));
    upper.extend_from_slice(b".app.example");
    let mut port = b"http://localhost:".to_vec();
    port.extend(std::iter::repeat_n(b'9', MIB));
    let mut evil = b"https://".to_vec();
    evil.extend(std::iter::repeat_n(b'a', MIB));
    evil.extend_from_slice(b".app.example.evil");
    let cases: [(&[u8], Option<&str>); 4] = [
        // An Origin of 1 MiB of spaces trims to nothing: malformed.
        (&spaces, Some("origin_malformed")),
        // Upper-case labels never match a subdomain pattern.
        (&upper, Some("origin_not_allowed")),
        // A wildcard port is 1 to 5 digits.
        (&port, Some("origin_not_allowed")),
        (&evil, Some("origin_not_allowed")),
    ];
    for (origin, want) in cases {
        let pairs = [(&b"Origin"[..], origin)];
        let d = evaluate(&policy, &Request::from_pairs(b"GET", &pairs));
        assert_eq!(d.refusal().map(|r| r.code()), want);
        assert_eq!(d.headers().count(), 0);
        assert_eq!(d.vary(), ["Origin"]);
    }
    // 10,000 Origin lines: more than one, malformed, and answered at once.
    let many: Vec<(&[u8], &[u8])> = vec![(b"Origin", b"https://app.example"); 10_000];
    let d = evaluate(&policy, &Request::from_pairs(b"GET", &many));
    assert_eq!(d.refusal().map(|r| r.code()), Some("origin_malformed"));
    // 1 MiB of commas and tabs around one allowed name: allowed, echoed as sent.
    let mut line = vec![b','; MIB / 2];
    line.extend_from_slice(b"\tContent-Type\t");
    line.extend(std::iter::repeat_n(b',', MIB / 2));
    let pairs: [(&[u8], &[u8]); 3] = [
        (b"Origin", b"https://x.app.example"),
        (b"Access-Control-Request-Method", b"PUT"),
        (b"Access-Control-Request-Headers", &line),
    ];
    let d = evaluate(&policy, &Request::from_pairs(b"OPTIONS", &pairs));
    assert!(d.is_allowed(), "{:?}", d.refusal());
    let echoed: Vec<_> = d
        .headers()
        .filter(|(h, _)| *h == ResponseHeader::AllowHeaders)
        .map(|(_, v)| v.len())
        .collect();
    assert_eq!(echoed, [line.len()]);
}
