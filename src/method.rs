//! Methods: the safelisted and forbidden ones, and the policy's list.

use crate::bytes::{self, eq, eq_ignore_case};
use crate::hash;
use crate::index::Index;
use crate::swar::{self, Case};

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

/// The methods a policy lists, indexed by the bytes a request must send
/// to match each: a name that [`normalizes`] is matched by its upper-case
/// form only, any other byte-exactly (Fetch, "normalize a method").
#[derive(Clone, Copy)]
pub(crate) struct MethodSet {
    index: Index<MAX_METHODS>,
    /// For a name of at most eight bytes, the bytes a request must send as
    /// [`swar::load`] reads them (not 0: a method is a non-empty token,
    /// which holds no zero byte); 0 for longer names.
    word: [u64; MAX_METHODS],
    pub(crate) any: bool,
}

impl MethodSet {
    pub(crate) const fn build(list: &[&str]) -> Self {
        let mut set = MethodSet {
            index: Index::new(),
            word: [0; MAX_METHODS],
            any: false,
        };
        let mut i = 0;
        while i < list.len() {
            if let Some(m) = bytes::at(list, i) {
                let m = m.as_bytes();
                if eq(m, b"*") {
                    set.any = true;
                } else if m.len() <= 8 {
                    let mut w = swar::load(m);
                    if normalizes(m) {
                        // Lower-case letters only: clearing 0x20 upper-cases.
                        w &= !0x2020_2020_2020_2020;
                    }
                    bytes::set(&mut set.word, i, w);
                    set.index.insert(i, hash::key16(w, 0, m.len()));
                } else {
                    // Names that normalize are at most seven bytes.
                    set.index.insert(i, hash::key(m, Case::Exact));
                }
            }
            i += 1;
        }
        set
    }

    /// Is the request method `m` (byte-exact) listed?
    #[inline(always)]
    pub(crate) fn contains(&self, list: &[&str], m: &[u8]) -> bool {
        let n = m.len();
        if n <= 8 {
            let w = swar::load(m);
            for pos in self.index.candidates(hash::key16(w, 0, n)) {
                if self.word.get(pos) == Some(&w) && list.get(pos).is_some_and(|e| e.len() == n) {
                    return true;
                }
            }
            false
        } else {
            self.index.candidates(hash::key(m, Case::Exact)).any(|pos| {
                list.get(pos)
                    .is_some_and(|e| swar::eq(e.as_bytes(), m, Case::Exact))
            })
        }
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
