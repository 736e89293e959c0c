//! SWAR: SIMD Within A Register. Eight bytes a step in a `u64`, for the
//! values of a request (origins, methods, header names).
//!
//! # The layout
//!
//! Every word here is read **little-endian, whatever the target**: byte `i`
//! of the eight is bits `8i..8i + 8` of the word, so the first byte of a
//! value is its lowest byte and `trailing_zeros() / 8` of a mask is a
//! position. A word that reaches past the end of a value is **zero-filled**
//! there: its high bytes are 0, which no byte of a token or of visible
//! ASCII is, so a zero fill never matches a comma, a letter or a needle.
//! Every function keeps to this rule but [`pack`], which says how it
//! differs. Nothing reads past the end of a slice: short tails are read
//! with overlapping loads.
//!
//! The masks work on the seven low bits of each byte with the high bit as
//! the flag, so no carry crosses from one byte into the next.

/// The low bit of every byte.
const LO: u64 = 0x0101_0101_0101_0101;
/// The high bit of every byte.
const HI: u64 = 0x8080_8080_8080_8080;

/// How two values are compared or hashed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Case {
    /// Byte for byte.
    Exact,
    /// ASCII letters lower-cased first ([`fold`]): exactly
    /// `eq_ignore_ascii_case`.
    Folded,
}

impl Case {
    /// `w`, folded for [`Case::Folded`].
    #[inline(always)]
    pub(crate) const fn apply(self, w: u64) -> u64 {
        match self {
            Case::Exact => w,
            Case::Folded => fold(w),
        }
    }
}

/// The first (up to) eight bytes of `s` as a word, zero-filled past its
/// end. Short slices are read with two overlapping loads, never past their
/// end.
#[inline(always)]
pub(crate) const fn load(s: &[u8]) -> u64 {
    if let Some(c) = s.first_chunk::<8>() {
        return u64::from_le_bytes(*c);
    }
    let n = s.len();
    if n >= 4 {
        let lo = match s.first_chunk::<4>() {
            Some(c) => u32::from_le_bytes(*c) as u64,
            None => 0,
        };
        let hi = match s.last_chunk::<4>() {
            Some(c) => u32::from_le_bytes(*c) as u64,
            None => 0,
        };
        lo | (hi << ((n - 4) * 8))
    } else if n >= 2 {
        let lo = match s.first_chunk::<2>() {
            Some(c) => u16::from_le_bytes(*c) as u64,
            None => 0,
        };
        let hi = match s.last_chunk::<2>() {
            Some(c) => u16::from_le_bytes(*c) as u64,
            None => 0,
        };
        lo | (hi << ((n - 2) * 8))
    } else if let [b] = s {
        *b as u64
    } else {
        0
    }
}

/// Eight bytes of `line` from `pos` (`pos < line.len()`), zero-filled past
/// its end: one load, shifted when fewer than eight bytes are left.
#[inline(always)]
pub(crate) fn load_at(line: &[u8], pos: usize) -> u64 {
    let rest = line.get(pos..).unwrap_or(&[]);
    if let Some(c) = rest.first_chunk::<8>() {
        u64::from_le_bytes(*c)
    } else if let Some(c) = line.last_chunk::<8>() {
        // `rest` is the end of these eight bytes.
        u64::from_le_bytes(*c) >> ((8 - rest.len()) * 8)
    } else {
        load(rest)
    }
}

/// The last eight bytes of `s` (which has at least eight) as a word.
#[inline(always)]
pub(crate) const fn load_last(s: &[u8]) -> u64 {
    match s.last_chunk::<8>() {
        Some(c) => u64::from_le_bytes(*c),
        None => load(s),
    }
}

/// Up to seven bytes of `s` in a word, for comparing two values of the same
/// length byte for byte. Not the layout above: the two overlapping halves
/// are not shifted by the length, so only equality of two words packed
/// from values of one length means anything.
#[inline(always)]
fn pack(s: &[u8]) -> u64 {
    match (s.first_chunk::<4>(), s.last_chunk::<4>()) {
        (Some(a), Some(b)) => {
            u64::from(u32::from_le_bytes(*a)) | u64::from(u32::from_le_bytes(*b)) << 32
        }
        _ => match (s.first_chunk::<2>(), s.last_chunk::<2>()) {
            (Some(a), Some(b)) => {
                u64::from(u16::from_le_bytes(*a)) | u64::from(u16::from_le_bytes(*b)) << 16
            }
            _ => load(s),
        },
    }
}

/// A value of at most 16 bytes as two words: bytes 0 to 7 and bytes 8 to
/// 15. Two values of the same length up to 16 are equal exactly when their
/// words are.
#[inline(always)]
pub(crate) const fn split16(s: &[u8]) -> (u64, u64) {
    match s.split_at_checked(8) {
        Some((head, tail)) => (load(head), load(tail)),
        None => (load(s), 0),
    }
}

/// The high bit of the first zero byte of `x` at least, and possibly of
/// later bytes: only the lowest set bit is exact.
#[inline(always)]
const fn first_zero_byte(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

/// Lower-cases the ASCII letters of eight bytes at once; other bytes
/// (`^`, `~`, `@`, bytes past 0x7f, ...) are left as they are.
#[inline(always)]
pub(crate) const fn fold(w: u64) -> u64 {
    let low7 = w & !HI;
    // High bit set where the low seven bits are >= 'A', then > 'Z'; no
    // carry crosses a byte (at most 0x7f + 0x3f).
    let ge_a = low7 + LO * (0x80 - b'A' as u64);
    let gt_z = low7 + LO * (0x80 - b'Z' as u64 - 1);
    let upper = ge_a & !gt_z & !w & HI;
    w | (upper >> 2)
}

/// The high bit of every byte of `w` that is not visible ASCII (0x21 to
/// 0x7e) or is a comma: what an `Origin` value may not hold.
///
/// Commas are found with [`first_zero_byte`]: its false positives only
/// ever follow a real comma, so whether any byte is flagged is exact.
#[inline(always)]
const fn not_visible_or_comma(w: u64) -> u64 {
    let low7 = w & !HI;
    // High bit set where the low seven bits are >= 0x21, then >= 0x7f; no
    // carry crosses a byte.
    let ge_21 = low7 + LO * (0x80 - 0x21);
    let ge_7f = low7 + LO;
    let visible = ge_21 & !ge_7f & !w;
    (!visible & HI) | first_zero_byte(w ^ (LO * b',' as u64))
}

/// The high bit of the first comma of the word `w`, at least, and possibly
/// of later bytes (only the lowest set bit is exact); 0 when `w` holds none.
#[inline(always)]
pub(crate) const fn commas(w: u64) -> u64 {
    first_zero_byte(w ^ (LO * b',' as u64))
}

/// The position of the byte of the lowest set bit of `m` (not 0).
#[inline(always)]
pub(crate) const fn first_flagged(m: u64) -> usize {
    (m.trailing_zeros() / 8) as usize
}

/// All the bits of the bytes below the lowest set bit of `m` (not 0): the
/// mask that keeps the bytes of `w` before the first flagged one. Bits up
/// to the flag (bit 7 of its byte), less that byte: no shift by a count.
#[inline(always)]
pub(crate) const fn before_first(m: u64) -> u64 {
    (m ^ m.wrapping_sub(1)) >> 8
}

/// Position of the first comma of the word `w`, if any; only bytes of the
/// value may be commas (a zero fill never is).
#[inline(always)]
pub(crate) fn comma_in(w: u64) -> Option<usize> {
    let m = commas(w);
    if m == 0 { None } else { Some(first_flagged(m)) }
}

/// The low `n` bytes of `w` (`n < 8`).
#[inline(always)]
pub(crate) fn low_bytes(w: u64, n: usize) -> u64 {
    w & ((1u64 << (n * 8)) - 1)
}

/// Position of the first `needle` (not 0) in `s`, or `s.len()`.
#[inline(always)]
pub(crate) fn find_or_len(s: &[u8], needle: u8) -> usize {
    let pattern = LO * u64::from(needle);
    let mut i = 0;
    let mut rest = s;
    while let Some((c, tail)) = rest.split_first_chunk::<8>() {
        let m = first_zero_byte(u64::from_le_bytes(*c) ^ pattern);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
        rest = tail;
    }
    // Zero-filled bytes past the end never equal a non-zero needle.
    let m = first_zero_byte(load(rest) ^ pattern);
    if m != 0 {
        i + (m.trailing_zeros() / 8) as usize
    } else {
        s.len()
    }
}

/// Is every byte of `s` visible ASCII but a comma (what an `Origin` value
/// may hold)?
///
/// Long values (32 bytes and more) are read 32 bytes a step, each byte
/// tested on its own in a loop the compiler turns into 16-byte vector
/// operations: on an 8 KiB origin, `evaluate` takes 5,450 instructions
/// instead of 7,720 with the eight-byte words below, and 1.5 times less
/// time (`case_core_origin_8k` in `bash benches/callgrind.sh`,
/// `evaluate/adversarial_origin_8k`). The words read what is left.
#[inline]
pub(crate) fn visible_no_comma(s: &[u8]) -> bool {
    let mut lanes = [0u8; 64];
    let mut rest = s;
    while let Some((c, tail)) = rest.split_first_chunk::<64>() {
        for (lane, &b) in lanes.iter_mut().zip(c) {
            // 0x21..=0x7e, less 0x21, is 0..=0x5d; any other byte wraps
            // above. All ones when bad: a vector compare's own result.
            let bad = b.wrapping_sub(0x21) > 0x5d || b == b',';
            *lane |= 0u8.wrapping_sub(u8::from(bad));
        }
        rest = tail;
    }
    if lanes != [0; 64] {
        return false;
    }
    let mut bad = 0;
    while let Some((c, tail)) = rest.split_first_chunk::<8>() {
        bad |= not_visible_or_comma(u64::from_le_bytes(*c));
        rest = tail;
    }
    if !rest.is_empty() {
        // Only the bytes of `s` count: the zero fill is not visible.
        let (w, keep) = if s.len() >= 8 {
            (load_last(s), u64::MAX)
        } else {
            (load(rest), (1u64 << (rest.len() * 8)) - 1)
        };
        bad |= not_visible_or_comma(w) & keep;
    }
    bad == 0
}

/// Are `a` and `b` equal, byte for byte or ignoring ASCII case?
#[inline(always)]
pub(crate) fn eq(a: &[u8], b: &[u8], case: Case) -> bool {
    match case {
        Case::Exact => eq_mapped(a, b, |w| w, |w| w),
        Case::Folded => eq_mapped(a, b, fold, fold),
    }
}

/// Equality of `a` and `b` read eight bytes a step, each word of `a`
/// mapped by `fa` and each of `b` by `fb` before they are compared.
#[inline(always)]
fn eq_mapped(a: &[u8], b: &[u8], fa: impl Fn(u64) -> u64, fb: impl Fn(u64) -> u64) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let n = a.len();
    let mut i = 0;
    while i + 8 <= n {
        let (Some(p), Some(q)) = (a.get(i..i + 8), b.get(i..i + 8)) else {
            return false;
        };
        let word = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
        if fa(word(p)) != fb(word(q)) {
            return false;
        }
        i += 8;
    }
    if i == n {
        true
    } else if n >= 8 {
        fa(load_last(a)) == fb(load_last(b))
    } else {
        fa(pack(a)) == fb(pack(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value at every position of values of length 0 to 20.
    fn samples() -> impl Iterator<Item = ([u8; 20], usize)> {
        (0..=20usize).flat_map(|len| {
            (0..=255u8).flat_map(move |b| {
                (0..len.max(1)).map(move |at| {
                    let mut out = *b"Content-Type:x^~@[`a";
                    if at < len {
                        out[at] = b;
                    }
                    (out, len)
                })
            })
        })
    }

    /// The 64-byte steps of `visible_no_comma` and what they leave to the
    /// words: every byte value at every position of values around the
    /// step's size.
    #[test]
    fn long_values_are_checked_byte_for_byte() {
        for len in [63, 64, 65, 127, 128, 129, 200] {
            let base = [b'a'; 200];
            let base = &base[..len];
            assert!(visible_no_comma(base), "{len}");
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut s = [0u8; 200];
                    s[..len].copy_from_slice(base);
                    let s = &mut s[..len];
                    s[at] = b;
                    let visible = b != b',' && (0x21..=0x7e).contains(&b);
                    assert_eq!(visible_no_comma(s), visible, "{len} {at} {b}");
                }
            }
        }
    }

    #[test]
    /// `before_first` keeps the bytes below the first flagged byte, and
    /// nothing above it, whatever other bytes are flagged. (Mutation
    /// testing, issue 21: `|` for `^` went unnoticed, since it keeps the
    /// top bits of later flagged bytes, which ASCII text never sets.)
    fn before_first_keeps_only_the_bytes_before_the_first_flag() {
        for flags in 1u32..256 {
            let mut m = 0u64;
            for byte in 0..8 {
                if flags & (1 << byte) != 0 {
                    m |= 0x80 << (8 * byte);
                }
            }
            let first = flags.trailing_zeros();
            let want = if first == 0 {
                0
            } else {
                u64::MAX >> (64 - 8 * first)
            };
            assert_eq!(before_first(m), want, "{m:#x}");
        }
    }

    #[test]
    fn words_agree_with_bytes() {
        for (buf, len) in samples() {
            let s = &buf[..len];
            let mut expect = [0u8; 8];
            let n = len.min(8);
            expect[..n].copy_from_slice(&s[..n]);
            assert_eq!(load(s), u64::from_le_bytes(expect), "{s:?}");
            let lower: [u8; 8] = expect.map(|b| b.to_ascii_lowercase());
            assert_eq!(fold(load(s)), u64::from_le_bytes(lower), "{s:?}");
            let visible = s.iter().all(|&b| b != b',' && (0x21..=0x7e).contains(&b));
            assert_eq!(visible_no_comma(s), visible, "{s:?}");
            for needle in [b',', b':', b'a'] {
                let pos = s.iter().position(|&b| b == needle).unwrap_or(len);
                assert_eq!(find_or_len(s, needle), pos, "{s:?} {needle}");
            }
            if len <= 16 {
                let mut expect = [0u8; 16];
                expect[..len].copy_from_slice(s);
                let (a, b) = split16(s);
                assert_eq!(a, u64::from_le_bytes(expect[..8].try_into().unwrap()));
                assert_eq!(b, u64::from_le_bytes(expect[8..].try_into().unwrap()));
            }
            // Eight bytes from every position of a longer line.
            for pos in 0..len {
                let mut expect = [0u8; 8];
                let n = (len - pos).min(8);
                expect[..n].copy_from_slice(&s[pos..pos + n]);
                assert_eq!(load_at(s, pos), u64::from_le_bytes(expect), "{s:?} {pos}");
            }
            let first = load(s);
            let comma = s.iter().take(8).position(|&b| b == b',');
            assert_eq!(comma_in(first), comma, "{s:?}");
            if let Some(k) = comma {
                assert_eq!(low_bytes(first, k), load(&s[..k]), "{s:?}");
            }
            let upper = s.to_ascii_uppercase();
            assert!(eq(s, &upper, Case::Folded));
            assert_eq!(eq(s, &upper, Case::Exact), s == &upper[..]);
            // One byte changed: equal exactly when the bytes are.
            for at in 0..len {
                let mut t = buf;
                t[at] ^= 0x20;
                let t = &t[..len];
                assert_eq!(
                    eq(s, t, Case::Folded),
                    s.eq_ignore_ascii_case(t),
                    "{s:?} {t:?}"
                );
                assert!(!eq(s, t, Case::Exact));
                let mut u = buf;
                u[at] = u[at].wrapping_add(1);
                assert!(!eq(s, &u[..len], Case::Exact));
            }
        }
        // `^` and `~` differ by 0x20 but are not letters.
        assert!(!eq(b"x^y", b"x~y", Case::Folded));
        assert!(!eq(b"x@y", b"x`y", Case::Folded));
        assert!(!eq(b"x[y", b"x{y", Case::Folded));
        assert!(!eq(b"abc", b"abcd", Case::Folded));
    }
}
