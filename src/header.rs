//! Request-header names: the policy's list, the forbidden names, and the
//! bounded parsing of `Access-Control-Request-Headers`.

use crate::bytes::{self, FNV_START, eq, eq_ignore_case, fnv, fnv_step, starts_with_ignore_case};
use crate::index::Index;

/// The most request-header names a policy may list. Real APIs allow a
/// handful; 128 leaves room for generated lists while keeping a
/// [`Policy`](crate::Policy) a few kilobytes.
pub const MAX_ALLOWED_HEADERS: usize = 128;

/// Fetch, "forbidden request-header": names a script can never set, so a
/// policy that allows them is mistaken.
const FORBIDDEN: [&[u8]; 21] = [
    b"accept-charset",
    b"accept-encoding",
    b"access-control-request-headers",
    b"access-control-request-method",
    b"connection",
    b"content-length",
    b"cookie",
    b"cookie2",
    b"date",
    b"dnt",
    b"expect",
    b"host",
    b"keep-alive",
    b"origin",
    b"referer",
    b"set-cookie",
    b"te",
    b"trailer",
    b"transfer-encoding",
    b"upgrade",
    b"via",
];

/// Is `name` a forbidden request-header name (any case)?
pub(crate) const fn is_forbidden(name: &[u8]) -> bool {
    if starts_with_ignore_case(name, b"proxy-") || starts_with_ignore_case(name, b"sec-") {
        return true;
    }
    let mut i = 0;
    while i < FORBIDDEN.len() {
        if let Some((_, [f, ..])) = FORBIDDEN.split_at_checked(i)
            && eq_ignore_case(name, f)
        {
            return true;
        }
        i += 1;
    }
    false
}

/// The request-header names a policy lists, indexed case-insensitively.
#[derive(Clone, Copy)]
pub(crate) struct HeaderSet {
    index: Index<MAX_ALLOWED_HEADERS>,
    /// `*` is listed: any name but `authorization`.
    pub(crate) any: bool,
}

impl HeaderSet {
    pub(crate) const fn build(list: &[&str]) -> Self {
        let mut set = HeaderSet {
            index: Index::new(),
            any: false,
        };
        let mut i = 0;
        while i < list.len() {
            if let Some(name) = bytes::str_at(list, i) {
                let name = name.as_bytes();
                if eq(name, b"*") {
                    set.any = true;
                } else {
                    set.index.insert(i, fnv(FNV_START, name, true));
                }
            }
            i += 1;
        }
        set
    }

    /// Fetch, "CORS-preflight fetch" step 7.3-7.5: is a requested name,
    /// whose case-folded hash is `hash`, allowed? `*` covers every name
    /// except `authorization`, which must be listed by name (Fetch, "CORS
    /// non-wildcard request-header name").
    #[inline]
    pub(crate) fn allows(&self, list: &[&str], name: &[u8], hash: u64) -> bool {
        if self.any && !name.eq_ignore_ascii_case(b"authorization") {
            return true;
        }
        self.index.candidates(hash).any(|pos| {
            list.get(pos)
                .is_some_and(|e| bytes::eq_tokens_ignore_case(e.as_bytes(), name))
        })
    }
}

/// One element of `Access-Control-Request-Headers` and where it was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Element<'r> {
    /// The trimmed element.
    pub(crate) name: &'r [u8],
    /// Which field line it is on.
    pub(crate) line: usize,
    /// Offset of its first byte in the untrimmed line.
    pub(crate) start: usize,
    /// Is it a token (RFC 9110 §5.6.2)?
    pub(crate) token: bool,
    /// Its case-folded hash, as [`HeaderSet`] indexes names (meaningful
    /// only for tokens).
    pub(crate) hash: u64,
}

/// Splits every field line on commas, trims spaces and tabs around each
/// element and skips empty ones (CONTRACT.md §4.3; RFC 9110 §5.6.1).
///
/// One fused pass finds the comma, trims, checks the token bytes and hashes
/// the lower-cased name: each byte is looked at once and nothing is
/// stored, so the work is linear in the bytes of the lines, whatever they
/// hold.
pub(crate) struct Elements<'r, L> {
    lines: L,
    line: &'r [u8],
    line_no: usize,
    pos: usize,
    started: bool,
}

impl<'r, L: Iterator<Item = &'r [u8]>> Elements<'r, L> {
    pub(crate) fn new(lines: L) -> Self {
        Elements {
            lines,
            line: &[],
            line_no: 0,
            pos: 0,
            started: false,
        }
    }
}

impl<'r, L: Iterator<Item = &'r [u8]>> Iterator for Elements<'r, L> {
    type Item = Element<'r>;

    #[cfg_attr(feature = "no-panic", no_panic::no_panic)]
    fn next(&mut self) -> Option<Element<'r>> {
        loop {
            if self.pos >= self.line.len() {
                self.line = self.lines.next()?;
                if self.started {
                    self.line_no += 1;
                }
                self.started = true;
                self.pos = 0;
                if self.line.is_empty() {
                    continue;
                }
            }
            let line = self.line;
            let rest = line.get(self.pos..).unwrap_or(&[]);
            let len = rest.iter().position(|&b| b == b',').unwrap_or(rest.len());
            let raw = rest.get(..len).unwrap_or(&[]);
            let lead = raw.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
            let name = bytes::trim_ows(raw);
            let start = self.pos + lead;
            // Step past the comma too.
            self.pos += len + 1;
            // One pass over the name: token bytes (white space inside is
            // not one) and the hash of its lower-cased form.
            let mut token = true;
            let mut hash = FNV_START;
            for &b in name {
                let lower = bytes::lower_tchar(b);
                token &= lower != 0;
                hash = fnv_step(hash, lower);
            }
            if !name.is_empty() {
                return Some(Element {
                    name,
                    line: self.line_no,
                    start,
                    token,
                    hash,
                });
            }
        }
    }
}

/// Does a field line name at least one header (a non-empty element)?
#[cfg_attr(feature = "no-panic", no_panic::no_panic)]
pub(crate) fn names_something(line: &[u8]) -> bool {
    line.iter().any(|&b| !matches!(b, b',' | b' ' | b'\t'))
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    fn names(lines: &[&[u8]]) -> Vec<(std::string::String, usize, usize)> {
        Elements::new(lines.iter().copied())
            .map(|e| {
                (
                    std::string::String::from_utf8_lossy(e.name).into_owned(),
                    e.line,
                    e.start,
                )
            })
            .collect()
    }

    #[test]
    fn splitting() {
        assert_eq!(
            names(&[b" A ,, b\t,", b"", b"c"]),
            [("A".into(), 0, 1), ("b".into(), 0, 6), ("c".into(), 2, 0)]
        );
        assert!(names(&[b",,,", b" "]).is_empty());
        assert!(!names_something(b" , ,"));
        assert!(names_something(b" ,x"));
    }

    #[test]
    fn forbidden_names() {
        for f in [
            "Cookie",
            "HOST",
            "proxy-authorization",
            "Sec-Fetch-Mode",
            "via",
            "origin",
        ] {
            assert!(is_forbidden(f.as_bytes()), "{f}");
        }
        for ok in [
            "content-type",
            "authorization",
            "x-request-id",
            "viaduct",
            "proxy",
        ] {
            assert!(!is_forbidden(ok.as_bytes()), "{ok}");
        }
    }
}
