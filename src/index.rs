//! A fixed-capacity chained hash index over a borrowed list.
//!
//! The index stores only positions and hashes; the entries themselves stay in
//! the caller's list. Lookups cost one hash of the needle plus the length of
//! one bucket chain, which is fixed when the policy is built: the work per
//! request does not grow with the number of entries (docs/behaviour.md §5).

use crate::bytes::{get_or, set};

/// Positions are stored plus one, so that zero means "empty".
const EMPTY: u32 = 0;

#[derive(Clone, Copy)]
pub(crate) struct Index<const N: usize> {
    head: [u32; N],
    next: [u32; N],
    hash: [u64; N],
    len: usize,
}

impl<const N: usize> Index<N> {
    pub(crate) const fn new() -> Self {
        Index {
            head: [EMPTY; N],
            next: [EMPTY; N],
            hash: [0; N],
            len: 0,
        }
    }

    /// The bucket of key `h`: its high 32 bits scaled to `0..N` (one
    /// multiply). The high bits, since they are the best mixed of every
    /// key: the keys end in a multiply, whose low bits depend only on the
    /// low bits of what it multiplied, so `h % N` for `N` a power of two
    /// chained 1,000 header names such as `x-custom-123` up to 47 deep in
    /// 1,024 buckets.
    #[inline(always)]
    const fn bucket(h: u64) -> usize {
        (((h >> 32) * N as u64) >> 32) as usize
    }

    /// Records that list position `pos` has hash `h`. Positions past the
    /// capacity are ignored: the builder refuses such policies beforehand.
    pub(crate) const fn insert(&mut self, pos: usize, h: u64) {
        if pos >= N || self.len >= N {
            return;
        }
        let b = Self::bucket(h);
        set(&mut self.hash, pos, h);
        set(&mut self.next, pos, get_or(&self.head, b, EMPTY));
        set(&mut self.head, b, pos as u32 + 1);
        self.len += 1;
    }

    /// Number of positions recorded.
    #[cfg(test)]
    pub(crate) const fn len(&self) -> usize {
        self.len
    }

    /// The length of the longest bucket chain: what a lookup costs at most
    /// in comparisons. The keys are not collision-resistant and need not
    /// be (every hit is compared), so a poor key costs only time: the
    /// tests bound this to see that the keys spread.
    #[cfg(test)]
    pub(crate) fn longest_chain(&self) -> usize {
        let mut longest = 0;
        for &head in &self.head {
            let mut n = 0;
            let mut cursor = head;
            while cursor != EMPTY {
                n += 1;
                cursor = self.next[(cursor - 1) as usize];
            }
            longest = longest.max(n);
        }
        longest
    }

    /// The positions whose full hash equals `h`, most recently inserted first.
    #[inline]
    pub(crate) fn candidates(&self, h: u64) -> Candidates<'_, N> {
        let first = if N == 0 {
            EMPTY
        } else {
            self.head.get(Self::bucket(h)).copied().unwrap_or(EMPTY)
        };
        Candidates {
            index: self,
            cursor: first,
            h,
        }
    }
}

/// Iterator over one bucket chain, filtered on the full hash.
pub(crate) struct Candidates<'i, const N: usize> {
    index: &'i Index<N>,
    cursor: u32,
    h: u64,
}

impl<const N: usize> Iterator for Candidates<'_, N> {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        while self.cursor != EMPTY {
            let pos = (self.cursor - 1) as usize;
            self.cursor = self.index.next.get(pos).copied().unwrap_or(EMPTY);
            if self.index.hash.get(pos).copied() == Some(self.h) {
                return Some(pos);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_and_filters() {
        let mut ix = Index::<4>::new();
        ix.insert(0, 5);
        ix.insert(1, 9); // same bucket as 5 (mod 4)
        ix.insert(2, 5);
        let mut got: [usize; 2] = [9, 9];
        let mut n = 0;
        for p in ix.candidates(5) {
            got[n] = p;
            n += 1;
        }
        assert_eq!(n, 2);
        assert_eq!(got, [2, 0]);
        assert_eq!(ix.candidates(9).next(), Some(1));
        assert_eq!(ix.candidates(6).next(), None);
        // Past capacity: ignored, never a panic.
        ix.insert(7, 1);
        assert_eq!(ix.len(), 3);
        assert_eq!(ix.longest_chain(), 3);
        let empty = Index::<0>::new();
        assert_eq!(empty.candidates(1).next(), None);
    }
}
