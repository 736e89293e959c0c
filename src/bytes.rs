//! Byte helpers usable in `const fn`: checked access without indexing, trimming,
//! comparisons and the byte classes of RFC 9110.
//!
//! Everything here is `const` so that a policy can be validated and indexed at
//! compile time; nothing here can panic.

/// Byte classes, one bit per class, in a 256-entry table built at compile time.
const TOKEN: u8 = 1;
const LOWER_DIGIT_HYPHEN: u8 = 2;
const VISIBLE: u8 = 4;

const fn build_classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0usize;
    while i < 256 {
        let b = i as u8;
        let mut class = 0u8;
        // RFC 9110 §5.6.2: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "."
        //   / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#'
                    | b'$'
                    | b'%'
                    | b'&'
                    | b'\''
                    | b'*'
                    | b'+'
                    | b'-'
                    | b'.'
                    | b'^'
                    | b'_'
                    | b'`'
                    | b'|'
                    | b'~'
            )
        {
            class |= TOKEN;
        }
        // URL standard, "host parsing": browsers keep `_` in domain labels
        // (https://url.spec.whatwg.org/#forbidden-domain-code-point), so a
        // host label is lower-case letters, digits, `-` and `_`.
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' {
            class |= LOWER_DIGIT_HYPHEN;
        }
        if b >= 0x21 && b <= 0x7e {
            class |= VISIBLE;
        }
        set(&mut table, i, class);
        i += 1;
    }
    table
}

static CLASSES: [u8; 256] = build_classes();
const CLASSES_CONST: [u8; 256] = build_classes();

#[inline(always)]
const fn class(b: u8) -> u8 {
    // A `u8` always indexes a 256-entry table; `match` keeps clippy's
    // indexing lint satisfied without a runtime check the optimiser can't drop.
    match at(&CLASSES_CONST, b as usize) {
        Some(c) => c,
        None => 0,
    }
}

/// Runtime lookup, through a `static` so the table is not copied per call.
#[inline(always)]
pub(crate) fn class_rt(b: u8) -> u8 {
    CLASSES.get(b as usize).copied().unwrap_or(0)
}

/// Is `b` a `tchar` (RFC 9110 §5.6.2)?
#[inline(always)]
pub(crate) const fn is_tchar(b: u8) -> bool {
    class(b) & TOKEN != 0
}

/// Runtime twin of [`is_tchar`], reading the static table.
#[inline(always)]
pub(crate) fn is_tchar_rt(b: u8) -> bool {
    class_rt(b) & TOKEN != 0
}

/// Runtime twin of [`is_token`], reading the static table.
#[inline]
pub(crate) fn is_token_rt(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&b| is_tchar_rt(b))
}

/// Lower-case letter, digit, hyphen or underscore: the bytes of a canonical
/// host label (docs/behaviour.md §2.2).
#[inline(always)]
pub(crate) const fn is_ldh(b: u8) -> bool {
    class(b) & LOWER_DIGIT_HYPHEN != 0
}

/// Runtime twin of [`is_ldh`].
#[inline(always)]
pub(crate) fn is_ldh_rt(b: u8) -> bool {
    class_rt(b) & LOWER_DIGIT_HYPHEN != 0
}

/// Is `s` a non-empty token (RFC 9110 §5.6.2)?
pub(crate) const fn is_token(s: &[u8]) -> bool {
    if s.is_empty() {
        return false;
    }
    let mut rest = s;
    while let [b, tail @ ..] = rest {
        if !is_tchar(*b) {
            return false;
        }
        rest = tail;
    }
    true
}

/// `s[i]`, or `None` past the end.
#[inline(always)]
pub(crate) const fn at(s: &[u8], i: usize) -> Option<u8> {
    match s.split_at_checked(i) {
        Some((_, [b, ..])) => Some(*b),
        _ => None,
    }
}

/// `s[start..end]`, or an empty slice when the range is out of bounds.
#[inline(always)]
pub(crate) const fn range(s: &[u8], start: usize, end: usize) -> &[u8] {
    match s.split_at_checked(end) {
        Some((head, _)) => match head.split_at_checked(start) {
            Some((_, mid)) => mid,
            None => &[],
        },
        None => &[],
    }
}

/// `list[i]` for a list of strings.
#[inline(always)]
pub(crate) const fn str_at<'s>(list: &[&'s str], i: usize) -> Option<&'s str> {
    match list.split_at_checked(i) {
        Some((_, [s, ..])) => Some(*s),
        _ => None,
    }
}

/// `arr[i] = v`, ignored past the end (callers size their arrays first).
#[inline(always)]
pub(crate) const fn set<T: Copy>(arr: &mut [T], i: usize, v: T) {
    if let Some((_, tail)) = arr.split_at_mut_checked(i)
        && let Some(slot) = tail.first_mut()
    {
        *slot = v;
    }
}

/// `arr[i]` for `Copy` items, with a default past the end.
#[inline(always)]
pub(crate) const fn get_or<T: Copy>(arr: &[T], i: usize, default: T) -> T {
    match arr.split_at_checked(i) {
        Some((_, [v, ..])) => *v,
        _ => default,
    }
}

/// Byte-exact equality.
pub(crate) const fn eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a, b);
    while let ([p, xs @ ..], [q, ys @ ..]) = (x, y) {
        if *p != *q {
            return false;
        }
        x = xs;
        y = ys;
    }
    true
}

/// ASCII case-insensitive equality.
pub(crate) const fn eq_ignore_case(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a, b);
    while let ([p, xs @ ..], [q, ys @ ..]) = (x, y) {
        if !p.eq_ignore_ascii_case(q) {
            return false;
        }
        x = xs;
        y = ys;
    }
    true
}

/// Does `s` start with `prefix`, ignoring ASCII case?
pub(crate) const fn starts_with_ignore_case(s: &[u8], prefix: &[u8]) -> bool {
    match s.split_at_checked(prefix.len()) {
        Some((head, _)) => eq_ignore_case(head, prefix),
        None => false,
    }
}

/// Trim optional white space (spaces and horizontal tabs, RFC 9110 §5.6.3).
pub(crate) const fn trim_ows(s: &[u8]) -> &[u8] {
    let mut t = s;
    while let [b' ' | b'\t', rest @ ..] = t {
        t = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = t {
        t = rest;
    }
    t
}

/// Position of the first `needle` in `s`.
pub(crate) const fn find(s: &[u8], needle: u8) -> Option<usize> {
    let mut i = 0;
    let mut rest = s;
    while let [b, tail @ ..] = rest {
        if *b == needle {
            return Some(i);
        }
        i += 1;
        rest = tail;
    }
    None
}

/// Position of the first `"://"` in `s`.
pub(crate) const fn find_scheme_sep(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    let mut rest = s;
    while let [a, tail @ ..] = rest {
        if *a == b':'
            && let [b'/', b'/', ..] = tail
        {
            return Some(i);
        }
        i += 1;
        rest = tail;
    }
    None
}

/// FNV-1a over `s`, lower-casing ASCII letters first when `fold` is set.
#[inline]
pub(crate) const fn fnv(mut h: u64, s: &[u8], fold: bool) -> u64 {
    let mut rest = s;
    while let [b, tail @ ..] = rest {
        let c = if fold { b.to_ascii_lowercase() } else { *b };
        h ^= c as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
        rest = tail;
    }
    h
}

/// FNV-1a offset basis.
pub(crate) const FNV_START: u64 = 0xcbf2_9ce4_8422_2325;

/// Final avalanche (SplitMix64's), so that bucket selection uses all bits.
#[inline(always)]
pub(crate) const fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Word-at-a-time (SWAR) helpers: eight bytes per step in a `u64`, byte 0
/// in the low bits (little-endian loads, whatever the target).
const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// The first (up to) eight bytes of `s` as a little-endian word, zero-filled
/// past its end. Short slices are read with two overlapping loads, never
/// past their end.
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

/// Up to seven bytes of `s` in a word, for comparing two values of the same
/// length byte for byte (not [`load`]'s layout: no shift by the length).
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

/// The last eight bytes of `s` (which has at least eight) as a word.
#[inline(always)]
const fn load_last(s: &[u8]) -> u64 {
    match s.last_chunk::<8>() {
        Some(c) => u64::from_le_bytes(*c),
        None => load(s),
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
pub(crate) const fn not_visible_or_comma(w: u64) -> u64 {
    let low7 = w & !HI;
    // High bit set where the low seven bits are >= 0x21, then >= 0x7f; no
    // carry crosses a byte.
    let ge_21 = low7 + LO * (0x80 - 0x21);
    let ge_7f = low7 + LO;
    let visible = ge_21 & !ge_7f & !w;
    (!visible & HI) | first_zero_byte(w ^ (LO * b',' as u64))
}

/// Position of the first `needle` (not 0) in `s`, or `s.len()`, eight
/// bytes a step.
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

const WORD_K: u64 = 0x9e37_79b9_7f4a_7c15;

#[inline(always)]
const fn absorb(h: u64, w: u64) -> u64 {
    (h ^ w).wrapping_mul(WORD_K).rotate_left(29)
}

/// A hash of `s`, eight bytes a step (ASCII letters lower-cased first when
/// `folded`), for the policy's indexes: the same `const fn` hashes the
/// policy's entries when it is built and the request's values. Not
/// collision-resistant; every index hit is confirmed by a comparison.
#[inline(always)]
pub(crate) const fn hash(s: &[u8], folded: bool) -> u64 {
    let mut h = 0x243f_6a88_85a3_08d3 ^ (s.len() as u64);
    let mut rest = s;
    while let Some((c, tail)) = rest.split_first_chunk::<8>() {
        let w = u64::from_le_bytes(*c);
        h = absorb(h, if folded { fold(w) } else { w });
        rest = tail;
    }
    if !rest.is_empty() {
        // The last eight bytes, overlapping the previous word, or the
        // whole of a short value.
        let w = if s.len() >= 8 {
            load_last(s)
        } else {
            load(rest)
        };
        h = absorb(h, if folded { fold(w) } else { w });
    }
    finish(h)
}

/// A value of at most 16 bytes as two zero-filled words: bytes 0 to 7 and
/// bytes 8 to 15. Two values of the same length up to 16 are equal exactly
/// when their words are.
#[inline(always)]
pub(crate) const fn split16(s: &[u8]) -> (u64, u64) {
    match s.split_at_checked(8) {
        Some((head, tail)) => (load(head), load(tail)),
        None => (load(s), 0),
    }
}

/// The index key of a value of `len` bytes, at most 16, from its
/// [`split16`] words (folded for a case-insensitive key): one multiply.
/// Cheap rather than strong: a key only picks a bucket of an index whose
/// chains were fixed when the policy was built, and every hit is
/// confirmed by comparing the words.
#[inline(always)]
pub(crate) const fn key16(a: u64, b: u64, len: usize) -> u64 {
    let h = (a ^ b.rotate_left(23) ^ (len as u64).rotate_left(56)).wrapping_mul(WORD_K);
    h ^ (h >> 29)
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

/// Position of the first comma of the word `w`, if any; only bytes of the
/// value may be commas (a zero fill never is).
#[inline(always)]
pub(crate) fn comma_in(w: u64) -> Option<usize> {
    let m = first_zero_byte(w ^ (LO * b',' as u64));
    if m == 0 {
        None
    } else {
        Some((m.trailing_zeros() / 8) as usize)
    }
}

/// The low `n` bytes of `w` (`n < 8`).
#[inline(always)]
pub(crate) fn low_bytes(w: u64, n: usize) -> u64 {
    w & ((1u64 << (n * 8)) - 1)
}

/// Is every byte of `s` visible ASCII but a comma (what an `Origin` value
/// may hold)? Eight bytes a step.
#[inline]
pub(crate) fn visible_no_comma(s: &[u8]) -> bool {
    let mut bad = 0;
    let mut rest = s;
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

/// Spreads the high bits into the low ones, which pick the bucket.
#[inline(always)]
const fn finish(h: u64) -> u64 {
    let h = (h ^ (h >> 32)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 29)
}

/// Equality of `a` and `b`, eight bytes a step, with ASCII letters
/// lower-cased first when `folded` (exactly `eq_ignore_ascii_case`).
#[inline(always)]
pub(crate) fn eq_words(a: &[u8], b: &[u8], folded: bool) -> bool {
    if folded {
        eq_words_with(a, b, fold, fold)
    } else {
        eq_words_with(a, b, |w| w, |w| w)
    }
}

/// ASCII case-insensitive equality of `a` and `lower`, which has no
/// upper-case letter: a word of `a` is folded only when it differs.
#[inline(always)]
pub(crate) fn eq_ignore_case_lower(a: &[u8], lower: &[u8]) -> bool {
    eq_words_with(a, lower, |w| w, |w| w) || eq_words_with(a, lower, fold, |w| w)
}

/// Equality of `a` and `b` read eight bytes a step, each word of `a`
/// mapped by `fa` and each of `b` by `fb` before they are compared.
#[inline(always)]
pub(crate) fn eq_words_with(
    a: &[u8],
    b: &[u8],
    fa: impl Fn(u64) -> u64,
    fb: impl Fn(u64) -> u64,
) -> bool {
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

    #[test]
    fn tokens() {
        assert!(is_token(b"x-request-id"));
        assert!(is_token(b"PATCH"));
        assert!(!is_token(b""));
        assert!(!is_token(b"x a"));
        assert!(!is_token(b"x,a"));
        assert!(!is_token("x-caf\u{e9}".as_bytes()));
    }

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
            assert!(eq_words(s, &upper, true));
            assert_eq!(eq_words(s, &upper, false), s == &upper[..]);
            assert_eq!(hash(s, true), hash(&upper, true));
            // One byte changed: equal exactly when the bytes are.
            for at in 0..len {
                let mut t = buf;
                t[at] ^= 0x20;
                let t = &t[..len];
                assert_eq!(
                    eq_words(s, t, true),
                    s.eq_ignore_ascii_case(t),
                    "{s:?} {t:?}"
                );
                let lower = s.to_ascii_lowercase();
                assert_eq!(
                    eq_ignore_case_lower(t, &lower),
                    s.eq_ignore_ascii_case(t),
                    "{s:?} {t:?}"
                );
                assert!(!eq_words(s, t, false));
                let mut u = buf;
                u[at] = u[at].wrapping_add(1);
                assert!(!eq_words(s, &u[..len], false));
            }
        }
        // `^` and `~` differ by 0x20 but are not letters.
        assert!(!eq_words(b"x^y", b"x~y", true));
        assert!(!eq_words(b"x@y", b"x`y", true));
        assert!(!eq_words(b"x[y", b"x{y", true));
        assert!(!eq_words(b"abc", b"abcd", true));
    }

    #[test]
    fn trimming_and_ranges() {
        assert_eq!(trim_ows(b" \t a b\t "), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(range(b"abcdef", 1, 3), b"bc");
        assert_eq!(range(b"abc", 2, 9), b"");
        assert_eq!(at(b"abc", 3), None);
        assert_eq!(find_scheme_sep(b"https://x"), Some(5));
        assert_eq!(find_scheme_sep(b"https:/x"), None);
    }
}
