//! Origin patterns and origins: a pattern is accepted exactly when the
//! oracle accepts it; a non-canonical one names a canonical spelling that
//! is itself accepted and canonical (the round trip); an accepted pattern
//! allows the origins it stands for; and matching agrees with the oracle.
//!
//! Input: the pattern on the first line, a request origin on the second.
#![no_main]

#[path = "../../tests/oracle/mod.rs"]
mod oracle;

use cors_policy::{Policy, PolicyError};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut lines = data.splitn(2, |&b| b == b'\n');
    let pattern = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let origin = lines.next().unwrap_or_default();
    if pattern == "*" {
        // `["*"]` is the any-origin policy, not a pattern (docs/behaviour.md §2.2).
        return;
    }
    let list = [pattern.as_str()];
    let parsed = oracle::parse_pattern(&pattern);
    // Public-suffix wildcards are accepted here: this target is about the
    // patterns' syntax and matching (the `policy` target covers the opt-in).
    let policy = match Policy::builder()
        .allow_origins(&list)
        .dangerously_allow_public_suffix_wildcards(true)
        .build()
    {
        Ok(policy) => policy,
        Err(errors) => {
            assert!(parsed.is_none(), "core refused {pattern:?}: {errors}");
            if let Some(PolicyError::NonCanonicalOrigin { canonical, .. }) = errors.first() {
                let fixed = canonical.to_string();
                assert!(
                    oracle::parse_pattern(&fixed).is_some(),
                    "{pattern:?}: canonical {fixed:?} is not valid"
                );
                let again = [fixed.as_str()];
                assert!(
                    Policy::builder()
                        .allow_origins(&again)
                        .dangerously_allow_public_suffix_wildcards(true)
                        .build()
                        .is_ok(),
                    "{pattern:?}: canonical {fixed:?} refused"
                );
            }
            return;
        }
    };
    let Some(parsed) = parsed else {
        panic!("core built {pattern:?}, which the oracle refuses");
    };
    // The origins the pattern stands for are allowed.
    let stand_in = pattern.replacen("*.", "a.", 1);
    let stand_in = stand_in.strip_suffix(":*").unwrap_or(&stand_in).to_string();
    assert!(
        policy.allows_origin(stand_in.as_bytes()),
        "{pattern:?} refuses {stand_in:?}"
    );
    if parsed.port.as_deref() == Some("*") {
        let with_port = format!("{stand_in}:8080");
        assert!(
            policy.allows_origin(with_port.as_bytes()),
            "{pattern:?} refuses {with_port:?}"
        );
    }
    // Matching agrees with the oracle on the fuzzed origin.
    let trimmed = oracle::trim(origin);
    let want = trimmed.iter().all(|&b| (0x21..=0x7e).contains(&b))
        && !trimmed.contains(&b',')
        && std::str::from_utf8(trimmed).is_ok_and(|s| oracle::pattern_matches(&pattern, s));
    assert_eq!(
        policy.allows_origin(origin),
        want,
        "{pattern:?} vs {:?}",
        String::from_utf8_lossy(origin)
    );
});
