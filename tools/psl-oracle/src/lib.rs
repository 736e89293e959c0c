//! The Public Suffix List lookup of `cors-policy`'s test oracle
//! (`tests/oracle`), asked of the `psl` crate, independent of the core's own
//! table (`src/public_suffix_list.txt`).
//!
//! A crate of its own for build time only: `psl::suffix` is generic, so the
//! crate that calls it compiles the whole generated list. Called from here,
//! it is compiled once rather than in every build of the core's tests.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// Is `name` a public suffix by the list's explicit rules: the list names
/// `name` itself, or `name` is the base of a wildcard rule (a child of it is
/// public). The list's implicit `*` rule does not count.
pub fn is_public_suffix(name: &str) -> bool {
    explicit(name) || explicit(&format!("oracle-probe-label.{name}"))
}

/// The list names `n` itself by an explicit rule.
fn explicit(n: &str) -> bool {
    psl::suffix(n.as_bytes()).is_some_and(|s| s.typ().is_some() && s.as_bytes() == n.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::is_public_suffix;

    #[test]
    fn explicit_and_wildcard_rules_count_the_implicit_one_does_not() {
        // Explicit rules.
        assert!(is_public_suffix("com"));
        assert!(is_public_suffix("co.uk"));
        assert!(is_public_suffix("github.io"));
        // `*.ck` is a wildcard rule: `x.ck` is public, and so is `ck`'s
        // base by the probe.
        assert!(is_public_suffix("x.ck"));
        // Registrable names, and a top-level name the list does not know
        // (public only by the implicit `*` rule).
        assert!(!is_public_suffix("example.com"));
        assert!(!is_public_suffix("app.example"));
        assert!(!is_public_suffix("example"));
    }
}
