//! Is a name a public suffix, one under which anyone can register a name or
//! publish a site (`com`, `co.uk`, `github.io`)? A subdomain wildcard over
//! one allows origins nobody vetted (docs/behaviour.md §2.9).
//!
//! The rules are the explicit rules of the Public Suffix List
//! (<https://publicsuffix.org/list/>), as the `psl` crate ships them,
//! written to `public_suffix_list.txt` by `tools/psl-table` (internationalised
//! rules in their `xn--` form, sorted byte-wise, one a line) and searched
//! here by a `const fn`, so that a policy built at compile time is checked
//! too (the `psl` crate's lookup is not `const`). The table costs nothing in
//! a binary whose policies are all built in `const` context; a policy built
//! at run time links it (about 150 KB); the `public-suffix-list` feature
//! (on by default) can drop it.
//!
//! Only explicit rules count: a name the list does not know (`localhost`,
//! `internal`, `example`) is not a public suffix, although the list's
//! algorithm applies an implicit `*` rule to it.

/// Where the built-in copy of the Public Suffix List comes from: the `psl`
/// crate's data at this version.
#[cfg(feature = "public-suffix-list")]
pub const PUBLIC_SUFFIX_LIST_SOURCE: &str = "psl 2.1.247";

#[cfg(feature = "public-suffix-list")]
const LIST: &[u8] = include_bytes!("public_suffix_list.txt");

/// Is `name` (lower case, ASCII, no trailing dot) a public suffix by the
/// list's explicit rules: a rule names it, or a wildcard rule (`*.ck`)
/// covers it and no exception rule (`!www.ck`) takes it out, or it is the
/// base of a wildcard rule (`ck`, every child of which is public)?
///
/// Without the `public-suffix-list` feature nothing is. (One function with
/// the feature inside rather than two: cargo-mutants mutates each body, and
/// the tests build with the feature, so a second body's mutants could never
/// be caught; issue 21.)
pub(crate) const fn is_public_suffix(name: &[u8]) -> bool {
    #[cfg(not(feature = "public-suffix-list"))]
    {
        let _ = name;
        false
    }
    #[cfg(feature = "public-suffix-list")]
    {
        if name.is_empty() {
            return false;
        }
        if listed(b"", name) || listed(b"*.", name) {
            return true;
        }
        // `*.parent` covers `label.parent` unless `!label.parent` is listed.
        match parent(name) {
            Some(p) => listed(b"*.", p) && !listed(b"!", name),
            None => false,
        }
    }
}

/// `name` without its first label.
#[cfg(feature = "public-suffix-list")]
const fn parent(name: &[u8]) -> Option<&[u8]> {
    let mut rest = name;
    while let [b, tail @ ..] = rest {
        if *b == b'.' {
            return if tail.is_empty() { None } else { Some(tail) };
        }
        rest = tail;
    }
    None
}

/// Compares a line of the list with `prefix` followed by `name`.
#[cfg(feature = "public-suffix-list")]
const fn compare(line: &[u8], prefix: &[u8], name: &[u8]) -> core::cmp::Ordering {
    use core::cmp::Ordering;
    let mut i = 0usize;
    let total = prefix.len() + name.len();
    loop {
        let a = crate::bytes::at(line, i);
        let b = if i < prefix.len() {
            crate::bytes::at(prefix, i)
        } else if i < total {
            crate::bytes::at(name, i - prefix.len())
        } else {
            None
        };
        match (a, b) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                if x < y {
                    return Ordering::Less;
                }
                if x > y {
                    return Ordering::Greater;
                }
            }
        }
        i += 1;
    }
}

/// Binary search of the sorted, newline-terminated lines of [`LIST`] for
/// `prefix` + `name`: each step finds the line around the middle byte.
#[cfg(feature = "public-suffix-list")]
const fn listed(prefix: &[u8], name: &[u8]) -> bool {
    use crate::bytes::{at, range};
    // `lo` and `hi` are always line starts (or the end).
    let (mut lo, mut hi) = (0usize, LIST.len());
    while lo < hi {
        let mut start = lo + (hi - lo) / 2;
        while start > lo && !matches!(at(LIST, start - 1), Some(b'\n')) {
            start -= 1;
        }
        let mut end = start;
        while end < hi && !matches!(at(LIST, end), Some(b'\n')) {
            end += 1;
        }
        match compare(range(LIST, start, end), prefix, name) {
            core::cmp::Ordering::Equal => return true,
            core::cmp::Ordering::Less => lo = end + 1,
            core::cmp::Ordering::Greater => hi = start,
        }
    }
    false
}

#[cfg(all(test, feature = "public-suffix-list"))]
mod tests {
    use super::*;

    #[test]
    fn explicit_rules_only() {
        for public in [
            "com",
            "co.uk",
            "github.io",
            "herokuapp.com",
            "xn--55qx5d.cn",
            "x.ck",
            "ck",
            "bd",
            "x.compute.amazonaws.com",
            "compute.amazonaws.com",
        ] {
            assert!(is_public_suffix(public.as_bytes()), "{public}");
        }
        for private in [
            "localhost",
            "internal",
            "example",
            "example.com",
            "me.github.io",
            "www.ck",
            "amazonaws.com",
            "",
            "zz",
            "a.b.c.example",
        ] {
            assert!(!is_public_suffix(private.as_bytes()), "{private}");
        }
    }

    #[test]
    fn the_table_is_sorted_ascii_and_newline_terminated() {
        assert!(LIST.ends_with(b"\n"));
        let text = core::str::from_utf8(LIST).unwrap();
        let mut previous = "";
        let mut n = 0;
        for line in text.lines() {
            assert!(line.is_ascii() && !line.is_empty(), "{line:?}");
            assert!(previous < line, "{previous:?} before {line:?}");
            assert!(
                is_public_suffix(line.trim_start_matches("*.").as_bytes()) || line.starts_with('!')
            );
            previous = line;
            n += 1;
        }
        assert!(n > 9_000, "{n} rules");
    }
}
