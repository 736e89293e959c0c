//! Index keys: the hashes that pick a bucket of the policy's indexes
//! ([`crate::index`]).
//!
//! The same `const fn` hashes an entry when the policy is built and a
//! request's value when it is looked up, so the two always agree. None of
//! these is collision-resistant, nor needs to be: every index hit is
//! confirmed by comparing the value with the entry, and the chains were
//! fixed when the policy was built, so a request cannot lengthen them.

use crate::swar::{self, Case};

/// A multiplier with well-mixed bits (2^64 divided by the golden ratio).
const WORD_K: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline(always)]
const fn absorb(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(WORD_K).rotate_left(29)
}

/// One more multiply, so that the high bits, which pick the bucket
/// ([`crate::index`]), depend on every bit of the last word absorbed.
#[inline(always)]
const fn finish(h: u64) -> u64 {
    h.wrapping_mul(0xbf58_476d_1ce4_e5b9)
}

/// The index key of a value of any length, eight bytes a step ([`swar`]'s
/// words, folded for [`Case::Folded`]).
#[inline(always)]
pub(crate) const fn key(s: &[u8], case: Case) -> u64 {
    let mut h = 0x243f_6a88_85a3_08d3 ^ (s.len() as u64);
    let mut rest = s;
    while let Some((c, tail)) = rest.split_first_chunk::<8>() {
        h = absorb(h, case.apply(u64::from_le_bytes(*c)));
        rest = tail;
    }
    if !rest.is_empty() {
        // The last eight bytes, overlapping the previous word, or the
        // whole of a short value.
        let w = if s.len() >= 8 {
            swar::load_last(s)
        } else {
            swar::load(rest)
        };
        h = absorb(h, case.apply(w));
    }
    finish(h)
}

/// The index key of a value of `len` bytes, at most 16, from its
/// [`swar::split16`] words (folded for a case-insensitive key): one
/// multiply, whose high bits (which pick the bucket) depend on every bit
/// multiplied. Cheap rather than strong: a key only picks a bucket, and
/// every hit is confirmed by comparing the words.
#[inline(always)]
pub(crate) const fn key16(a: u64, b: u64, len: usize) -> u64 {
    (a ^ b.rotate_left(23) ^ (len as u64).rotate_left(56)).wrapping_mul(WORD_K)
}

/// FNV-1a over `s`, byte by byte: the scheme and the port of a wildcard
/// origin pattern.
#[inline]
pub(crate) const fn fnv(s: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut rest = s;
    while let [b, tail @ ..] = rest {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        rest = tail;
    }
    h
}

/// One step of the hash of a host read right to left, a polynomial, so
/// that the hash of every dot-suffix of a request's host is at hand in one
/// backward pass over it.
#[inline(always)]
pub(crate) const fn host_step(h: u64, b: u8) -> u64 {
    h.wrapping_mul(0x100_0000_01b3).wrapping_add(b as u64 + 1)
}

/// The hash of a whole host (or a wildcard's suffix), [`host_step`] by
/// step from its last byte.
pub(crate) const fn host(host: &[u8]) -> u64 {
    let mut h = 0u64;
    let mut rest = host;
    while let [init @ .., last] = rest {
        h = host_step(h, *last);
        rest = init;
    }
    h
}

/// The key of a wildcard origin pattern from the hashes of its parts
/// (XORed, rotated apart): one multiply, whose high bits (which pick the
/// bucket, [`crate::index`]) depend on every bit of each part.
#[inline(always)]
pub(crate) const fn mix(z: u64) -> u64 {
    finish(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_agree_where_values_do() {
        let name = b"X-Custom-Header-Long";
        for len in 0..=name.len() {
            let s = &name[..len];
            let lower = s.to_ascii_lowercase();
            assert_eq!(key(s, Case::Folded), key(&lower, Case::Folded), "{s:?}");
            if s.iter().any(u8::is_ascii_uppercase) {
                assert_ne!(key(s, Case::Exact), key(&lower, Case::Exact), "{s:?}");
            }
        }
        // A suffix's hash is a step of the whole host's.
        let mut h = host(b".example");
        for &b in b"app".iter().rev() {
            h = host_step(h, b);
        }
        assert_eq!(h, host(b"app.example"));
        // FNV-1a's offset basis is the hash of nothing.
        assert_eq!(fnv(b""), 0xcbf2_9ce4_8422_2325);
    }
}
