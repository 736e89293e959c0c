//! `evaluate` on structured random policies and requests answers what the
//! naive oracle answers, satisfies the invariants of docs/behaviour.md §3, and
//! never panics. Seeded from the conformance vectors (`tools` `seeds`).
#![no_main]

mod common;
#[path = "../../tests/oracle/mod.rs"]
mod oracle;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let case = common::decode(data);
    let p = &case.policy;
    let [o, m, h, e] = oracle::views(p);
    let problems = oracle::validate(p);
    let policy = match oracle::build_core(p, &o, &m, &h, &e) {
        Ok(policy) => policy,
        Err(errors) => {
            assert!(
                !problems.is_empty(),
                "core refused a valid policy: {errors}"
            );
            return;
        }
    };
    assert!(
        problems.is_empty(),
        "core built an invalid policy: {problems:?}"
    );
    let want = oracle::evaluate(p, &case.method, &case.headers);
    let got = oracle::core_evaluate(&policy, &case.method, &case.headers);
    assert_eq!(got, want, "core vs oracle on {:?}", case.headers);
    if let Err(broken) = oracle::check_invariants(p, &case.headers, &got) {
        panic!("invariant broken: {broken}");
    }
});
