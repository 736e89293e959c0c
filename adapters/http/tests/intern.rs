//! The interner's budget (its own test binary: the interner is process-wide).

use cors_policy_http::{HttpStack, INTERN_BUDGET, Stack, intern};

#[test]
fn interning_stops_at_the_budget_and_values_stay_right() {
    let mut kept = 0;
    let mut i = 0u32;
    let last = loop {
        let v = format!("x-header-{i:08}");
        match intern(v.as_bytes()) {
            Some(s) => {
                assert_eq!(s, v);
                // The same bytes again: the same copy, nothing more kept.
                assert!(std::ptr::eq(s, intern(v.as_bytes()).unwrap()));
                kept += v.len();
            }
            None => break v,
        }
        i += 1;
    };
    assert!(
        kept <= INTERN_BUDGET && kept + last.len() > INTERN_BUDGET,
        "{kept}"
    );
    // Past the budget, values are made as usual, with the same bytes.
    let v = HttpStack::value(last.as_bytes()).unwrap();
    assert_eq!(v, last.as_str());
    // Values that cannot be headers are still refused.
    assert!(HttpStack::value(b"a\nb").is_none());
}
