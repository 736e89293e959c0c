//! Methods: the safelisted and forbidden ones, and the policy's list.

use crate::bytes::{self, eq, eq_ignore_case};
use crate::index::Index;

/// The most method names a policy may list. Methods in use number a dozen at
/// most; the bound keeps a [`Policy`](crate::Policy) small.
pub const MAX_METHODS: usize = 32;

/// Fetch, "CORS-safelisted method": `GET`, `HEAD`, `POST`, byte-exact.
#[inline]
pub(crate) fn is_safelisted(m: &[u8]) -> bool {
    matches!(m, b"GET" | b"HEAD" | b"POST")
}

/// Fetch, "forbidden method": `CONNECT`, `TRACE`, `TRACK`, in any case.
pub(crate) const fn is_forbidden(m: &[u8]) -> bool {
    eq_ignore_case(m, b"CONNECT") || eq_ignore_case(m, b"TRACE") || eq_ignore_case(m, b"TRACK")
}

/// Fetch, "normalize a method": these names written in lower case are
/// upper-cased, since browsers send them upper-cased. Others keep their case.
const fn normalizes(m: &[u8]) -> bool {
    let mut rest = m;
    while let [b, tail @ ..] = rest {
        if b.is_ascii_uppercase() {
            return false;
        }
        rest = tail;
    }
    eq(m, b"delete")
        || eq(m, b"get")
        || eq(m, b"head")
        || eq(m, b"options")
        || eq(m, b"post")
        || eq(m, b"put")
}

/// Hash of a method, case-folded so that a listed `put` and a requested
/// `PUT` land together; the comparison that follows is exact.
#[inline(always)]
const fn hash(m: &[u8]) -> u64 {
    bytes::hash(m, true)
}

/// The methods a policy lists, indexed.
#[derive(Clone, Copy)]
pub(crate) struct MethodSet {
    index: Index<MAX_METHODS>,
    /// For a listed name that [`normalizes`], the upper-case name a request
    /// must send, as [`bytes::load`] reads it (such names are at most seven
    /// bytes); 0 for the others, compared byte-exactly.
    upper: [u64; MAX_METHODS],
    pub(crate) any: bool,
}

impl MethodSet {
    pub(crate) const fn build(list: &[&str]) -> Self {
        let mut set = MethodSet {
            index: Index::new(),
            upper: [0; MAX_METHODS],
            any: false,
        };
        let mut i = 0;
        while i < list.len() {
            if let Some(m) = bytes::str_at(list, i) {
                let m = m.as_bytes();
                if eq(m, b"*") {
                    set.any = true;
                } else {
                    set.index.insert(i, hash(m));
                    if normalizes(m) {
                        // Lower-case letters only: clearing 0x20 upper-cases.
                        bytes::set(&mut set.upper, i, bytes::load(m) & !0x2020_2020_2020_2020);
                    }
                }
            }
            i += 1;
        }
        set
    }

    /// Is the request method `m` (byte-exact) listed?
    #[inline]
    pub(crate) fn contains(&self, list: &[&str], m: &[u8]) -> bool {
        self.index.candidates(hash(m)).any(|pos| {
            list.get(pos).is_some_and(|e| {
                let e = e.as_bytes();
                match self.upper.get(pos) {
                    Some(&upper) if upper != 0 => e.len() == m.len() && bytes::load(m) == upper,
                    _ => bytes::eq_words(e, m, false),
                }
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_and_exactness() {
        let list = ["put", "patch", "Get", "PROPFIND"];
        let set = MethodSet::build(&list);
        assert!(set.contains(&list, b"PUT"));
        assert!(!set.contains(&list, b"put"));
        assert!(set.contains(&list, b"patch"));
        assert!(!set.contains(&list, b"PATCH"));
        assert!(set.contains(&list, b"Get"));
        assert!(!set.contains(&list, b"GET"));
        assert!(set.contains(&list, b"PROPFIND"));
        assert!(!set.contains(&list, b"propfind"));
        assert!(is_forbidden(b"tRaCk"));
        assert!(!is_safelisted(b"get"));
    }
}
