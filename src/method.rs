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
        // Each name at its position `i` in the list.
        let (mut i, mut rest) = (0, list);
        while let [m, tail @ ..] = rest {
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
            i += 1;
            rest = tail;
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

    /// Each of the six names Fetch normalizes, listed in lower case, is
    /// matched by its upper-case form only; a name that is not one of them,
    /// or is not all lower case, keeps its case. (Mutation testing, issue
    /// 21: one `||` of `normalizes` made `&&` went unnoticed, since only
    /// `put` was tried.)
    #[test]
    fn the_six_normalized_names() {
        let six = ["delete", "get", "head", "options", "post", "put"];
        let upper = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
        for (name, up) in six.iter().zip(upper) {
            assert!(normalizes(name.as_bytes()), "{name}");
            let list = [*name];
            let set = MethodSet::build(&list);
            assert!(set.contains(&list, up.as_bytes()), "{name}");
            assert!(!set.contains(&list, name.as_bytes()), "{name}");
        }
        for other in ["patch", "gets", "pu", "Delete", "POST", "propfind", ""] {
            assert!(!normalizes(other.as_bytes()), "{other}");
        }
    }

    /// A request method is listed only if it has the listed name's length:
    /// a NUL byte past a short name reads as the same word. Names of nine
    /// bytes and more are compared whole.
    #[test]
    fn lengths_and_long_names() {
        let list = ["PATCH", "put", "VERSION-CONTROL", "X"];
        let set = MethodSet::build(&list);
        assert!(set.contains(&list, b"PATCH"));
        assert!(!set.contains(&list, b"PATCH\0"));
        assert!(!set.contains(&list, b"PUT\0"));
        assert!(!set.contains(&list, b"X\0\0\0\0\0\0\0"));
        assert!(!set.contains(&list, b"PATC"));
        assert!(set.contains(&list, b"VERSION-CONTROL"));
        assert!(!set.contains(&list, b"VERSION-CONTROl"));
        assert!(!set.contains(&list, b"VERSION-CONTROL\0"));
        assert!(!set.contains(&list, b""));
    }

    /// The index spreads: a full list of methods is at most a few per
    /// bucket, so a lookup compares a few at most. Every hit is confirmed
    /// by comparing words, so a poor key (a constant) would keep every
    /// answer right and only cost time: this is what notices it.
    #[test]
    fn the_index_spreads() {
        extern crate std;
        use std::{format, string::String, vec::Vec};
        let names: Vec<String> = (0..MAX_METHODS)
            .map(|i| match i % 3 {
                0 => format!("M{i}"),
                1 => format!("PROP{i:02}X"),
                _ => format!("VERSION-CONTROL-{i}"),
            })
            .collect();
        let list: Vec<&str> = names.iter().map(String::as_str).collect();
        let set = MethodSet::build(&list);
        assert!(
            set.index.longest_chain() <= 4,
            "{}",
            set.index.longest_chain()
        );
        for name in &list {
            assert!(set.contains(&list, name.as_bytes()), "{name}");
        }
        // 1,000 distinct names keyed as a list keys them, in 1,024 buckets.
        let mut ix = Index::<1024>::new();
        for i in 0..1000 {
            let name = match i % 4 {
                0 => format!("M{i}"),
                1 => format!("GET{i}"),
                2 => format!("PROP{i:04}"),
                _ => format!("VERSION-CONTROL-{i}"),
            };
            let m = name.as_bytes();
            let key = if m.len() <= 8 {
                hash::key16(swar::load(m), 0, m.len())
            } else {
                hash::key(m, Case::Exact)
            };
            ix.insert(i, key);
        }
        assert!(ix.longest_chain() <= 8, "{}", ix.longest_chain());
    }
}
