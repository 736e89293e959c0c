//! Every policy that builds satisfies the contract's invariants (§2), and an
//! invalid one never builds: the core agrees with the oracle's validation,
//! names every problem, and a built policy allows what it lists.
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
    match oracle::build_core(p, &o, &m, &h, &e) {
        Err(errors) => {
            assert!(
                !problems.is_empty(),
                "core refused a valid policy: {errors}"
            );
            assert_eq!(
                errors.iter().count(),
                problems.len(),
                "core: {errors} / oracle: {problems:?}"
            );
            for err in &errors {
                assert!(!err.to_string().is_empty());
            }
        }
        Ok(policy) => {
            assert!(
                problems.is_empty(),
                "core built an invalid policy: {problems:?}"
            );
            assert!(!(policy.allows_any_origin() && policy.allows_credentials()));
            assert!(!(policy.allows_any_origin() && policy.allows_private_network()));
            assert!(policy.max_age().is_none_or(|a| a <= oracle::MAX_MAX_AGE));
            let joined = p.expose.join(", ");
            assert_eq!(
                policy.expose_headers_value(),
                (!joined.is_empty()).then_some(joined.as_bytes())
            );
            assert!(joined.len() <= oracle::MAX_EXPOSE_HEADERS_LEN);
            let age = p.max_age.map(|a| a.to_string());
            assert_eq!(policy.max_age_value(), age.as_deref().map(str::as_bytes));
            // Every exact pattern (and `null`) allows itself.
            for pat in &p.origins {
                if !pat.contains('*') {
                    assert!(policy.allows_origin(pat.as_bytes()), "{pat} not allowed");
                }
            }
        }
    }
});
