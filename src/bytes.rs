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
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' {
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

/// Lower-case letter, digit or hyphen: the bytes of a canonical DNS label.
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

/// One FNV-1a step.
#[inline(always)]
pub(crate) const fn fnv_step(h: u64, b: u8) -> u64 {
    (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
}

const fn build_lower_tchar() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut i = 0usize;
    while i < 256 {
        let b = i as u8;
        if is_tchar(b) {
            set(&mut table, i, b.to_ascii_lowercase());
        }
        i += 1;
    }
    table
}

static LOWER_TCHAR: [u8; 256] = build_lower_tchar();

/// The lower-cased byte if `b` is a `tchar`, else 0 (no `tchar` is 0).
#[inline(always)]
pub(crate) fn lower_tchar(b: u8) -> u8 {
    LOWER_TCHAR.get(b as usize).copied().unwrap_or(0)
}

/// Case-insensitive equality of two tokens, through the same table as the
/// hash (cheaper than the general ASCII comparison on short names).
#[inline]
pub(crate) fn eq_tokens_ignore_case(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(&x, &y)| lower_tchar(x) == lower_tchar(y) && lower_tchar(x) != 0)
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
