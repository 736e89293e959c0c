//! Runs one adversarial request of `tests/adversarial` for callgrind.
//!
//! `cost <scenario> <size>` builds the policy and the request, then answers
//! it inside `cost_measured_region`, the only function callgrind counts
//! (`--collect-atstart=no --toggle-collect='*cost_measured_region*'`).
//! It checks the answer too and exits non-zero when it is wrong, so a
//! count is never taken of a wrong answer.

#[path = "../../../../tests/adversarial/mod.rs"]
mod adversarial;

use std::hint::black_box;
use std::process::ExitCode;

use adversarial::{Scenario, inputs};
use cors_policy::{Policy, Request, ResponseHeader, evaluate};

/// Answers the request and walks the response headers, as an adapter does.
/// Returns (allowed, bytes of response header values).
#[inline(never)]
fn cost_measured_region(policy: &Policy<'_, 2048>, pairs: &[(Vec<u8>, Vec<u8>)]) -> (bool, usize) {
    let request = Request::from_pairs(b"OPTIONS", pairs);
    let decision = evaluate(policy, &request);
    let bytes = decision.headers().map(|(_, v)| v.len()).sum();
    (decision.is_allowed(), bytes)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(scenario), Some(Ok(size @ 1..))) = (
        args.get(1).and_then(|s| Scenario::from_name(s)),
        args.get(2).map(|s| s.parse::<usize>()),
    ) else {
        eprintln!(
            "usage: cost <scenario> <size>; scenarios: commas spaces empty_lines long_origin repeated_name many_origins"
        );
        return ExitCode::from(2);
    };
    let inp = inputs(scenario, size);
    let origins: Vec<&str> = inp.origins.iter().map(String::as_str).collect();
    let policy = adversarial::policy(&origins);
    let (allowed, bytes) = cost_measured_region(black_box(&policy), black_box(&inp.pairs));
    // Check the answer outside the measured region.
    let pairs = &inp.pairs;
    let d = evaluate(&policy, &Request::from_pairs(b"OPTIONS", pairs));
    let echoed: Vec<Vec<u8>> = d
        .headers()
        .filter(|(h, _)| *h == ResponseHeader::AllowHeaders)
        .map(|(_, v)| v.to_vec())
        .collect();
    if allowed != scenario.allowed() || echoed != inp.echoed {
        eprintln!(
            "cost: wrong answer for {} at {size}: allowed {allowed}",
            scenario.name()
        );
        return ExitCode::FAILURE;
    }
    println!(
        "{} {size}: allowed={allowed} response_bytes={bytes}",
        scenario.name()
    );
    ExitCode::SUCCESS
}
