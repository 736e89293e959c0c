//! The `Access-Control-Request-Headers` parser agrees with a naive split on
//! commas, trim of spaces and tabs, and lower-casing (docs/behaviour.md §4.3):
//! a preflight passes exactly when every non-empty element is a token the
//! policy allows, a refusal names the first bad element, and an allowed
//! answer echoes exactly the lines that name something.
//!
//! Input: the policy's allowed names on the first line (comma-separated),
//! then one ACRH field line per line.
#![no_main]

#[path = "../../tests/oracle/mod.rs"]
mod oracle;

use cors_policy::{Policy, Refusal, Request, ResponseHeader, evaluate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut lines = data.split(|&b| b == b'\n');
    let first = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let allowed: Vec<&str> = first.split(',').filter(|n| !n.is_empty()).collect();
    let acrh: Vec<&[u8]> = lines.collect();
    let origins = ["https://app.example"];
    let Ok(policy) = Policy::builder()
        .allow_origins(&origins)
        .allow_headers(&allowed)
        .build()
    else {
        return;
    };
    let mut pairs: Vec<(&[u8], &[u8])> = vec![
        (b"Origin", b"https://app.example"),
        (b"Access-Control-Request-Method", b"GET"),
    ];
    pairs.extend(
        acrh.iter()
            .map(|l| (&b"Access-Control-Request-Headers"[..], *l)),
    );
    let d = evaluate(&policy, &Request::from_pairs(b"OPTIONS", &pairs));

    // The naive reading.
    let wildcard = allowed.contains(&"*");
    let listed: Vec<String> = allowed.iter().map(|n| n.to_lowercase()).collect();
    let mut first_bad: Option<(bool, Vec<u8>)> = None;
    'lines: for line in &acrh {
        for element in line.split(|&b| b == b',') {
            let name = oracle::trim(element);
            if name.is_empty() {
                continue;
            }
            if !oracle::is_token(name) {
                first_bad = Some((true, name.to_vec()));
                break 'lines;
            }
            let lower = String::from_utf8_lossy(name).to_lowercase();
            if (!wildcard || lower == "authorization") && !listed.contains(&lower) {
                first_bad = Some((false, name.to_vec()));
                break 'lines;
            }
        }
    }
    match (first_bad, d.refusal()) {
        (None, None) => {
            let echoed: Vec<&[u8]> = d
                .headers()
                .filter(|(h, _)| *h == ResponseHeader::AllowHeaders)
                .map(|(_, v)| v)
                .collect();
            let naming: Vec<&[u8]> = acrh
                .iter()
                .copied()
                .filter(|l| l.iter().any(|&b| !matches!(b, b',' | b' ' | b'\t')))
                .collect();
            assert_eq!(echoed, naming);
        }
        (Some((true, bad)), Some(Refusal::HeaderMalformed(got))) => assert_eq!(got, &bad[..]),
        (Some((false, bad)), Some(Refusal::HeaderNotAllowed(got))) => assert_eq!(got, &bad[..]),
        (want, got) => panic!("naive {want:?}, core {got:?}"),
    }
});
