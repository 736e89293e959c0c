//! Bytes one at a time, in `const fn` so that a policy can be validated at
//! compile time: checked access without indexing (nothing here can panic),
//! comparisons, trimming and the byte classes of RFC 9110. Word-at-a-time
//! reads are in [`crate::swar`], index keys in [`crate::hash`].

/// Class bits, one per class, of each byte in [`CLASSES`].
const TOKEN: u8 = 1;
const LOWER_DIGIT_HYPHEN: u8 = 2;

/// RFC 9110 §5.6.2: `tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+"
/// / "-" / "." / "^" / "_" / "`" / "|" / "~" / DIGIT / ALPHA`.
const TCHAR_SYMBOLS: &[u8] = b"!#$%&'*+-.^_`|~";

/// The class bits of every byte value. A `static`, which a `const fn` may
/// read since Rust 1.83: the builder and the request path share it.
static CLASSES: [u8; 256] = build_classes();

const fn build_classes() -> [u8; 256] {
    let mut table = [0u8; 256];
    let mut b = 0u8;
    loop {
        let mut class = 0u8;
        if b.is_ascii_alphanumeric() || find(TCHAR_SYMBOLS, b).is_some() {
            class |= TOKEN;
        }
        // URL standard, "host parsing": browsers keep `_` in domain labels
        // (https://url.spec.whatwg.org/#forbidden-domain-code-point), so a
        // host label is lower-case letters, digits, `-` and `_`.
        if b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_' {
            class |= LOWER_DIGIT_HYPHEN;
        }
        set(&mut table, b as usize, class);
        if b == u8::MAX {
            break;
        }
        b += 1;
    }
    table
}

#[inline(always)]
const fn class(b: u8) -> u8 {
    // A `u8` always indexes a 256-entry table: the optimiser drops the
    // check, and clippy's indexing lint has nothing to say.
    match at(&CLASSES, b as usize) {
        Some(c) => c,
        None => 0,
    }
}

/// Is `b` a `tchar` (RFC 9110 §5.6.2)?
#[inline(always)]
pub(crate) const fn is_tchar(b: u8) -> bool {
    class(b) & TOKEN != 0
}

/// Lower-case letter, digit, hyphen or underscore: the bytes of a canonical
/// host label (docs/behaviour.md §2.2).
#[inline(always)]
pub(crate) const fn is_ldh(b: u8) -> bool {
    class(b) & LOWER_DIGIT_HYPHEN != 0
}

/// Is `s` a non-empty token (RFC 9110 §5.6.2)?
#[inline]
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
pub(crate) const fn at<T: Copy>(s: &[T], i: usize) -> Option<T> {
    match s.split_at_checked(i) {
        Some((_, [v, ..])) => Some(*v),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_and_access() {
        assert!(is_token(b"x-request-id") && is_token(b"PATCH"));
        for bad in [&b""[..], b"x a", b"x,a", "x-caf\u{e9}".as_bytes()] {
            assert!(!is_token(bad), "{bad:?}");
        }
        assert!(is_ldh(b'a') && is_ldh(b'0') && is_ldh(b'-') && is_ldh(b'_'));
        assert!(!is_ldh(b'A') && !is_ldh(b'.') && !is_ldh(0xe9));
        // The same table at compile time.
        const { assert!(is_tchar(b'~') && !is_tchar(b'@') && is_token(b"GET")) };
        assert_eq!(trim_ows(b" \t a b\t "), b"a b");
        assert_eq!(trim_ows(b"   "), b"");
        assert_eq!(range(b"abcdef", 1, 3), b"bc");
        assert_eq!(range(b"abc", 2, 9), b"");
        assert_eq!((at(b"abc", 2), at(b"abc", 3)), (Some(b'c'), None));
        assert_eq!(find(b"a:b", b':'), Some(1));
    }

    /// Every byte value's classes, against RFC 9110's `tchar` and the host
    /// label bytes spelled out.
    #[test]
    fn every_byte_class() {
        for b in 0..=255u8 {
            let tchar = matches!(b, b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z')
                || b"!#$%&'*+-.^_`|~".contains(&b);
            assert_eq!(is_tchar(b), tchar, "{b:#04x}");
            let ldh = matches!(b, b'0'..=b'9' | b'a'..=b'z' | b'-' | b'_');
            assert_eq!(is_ldh(b), ldh, "{b:#04x}");
        }
    }
}
