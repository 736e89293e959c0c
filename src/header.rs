//! Request-header names: the policy's list, the forbidden names, and the
//! bounded parsing of `Access-Control-Request-Headers`.

use crate::bytes::{self, eq, eq_ignore_case, starts_with_ignore_case};
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
                    set.index.insert(i, bytes::hash(name, true));
                }
            }
            i += 1;
        }
        set
    }

    /// Fetch, "CORS-preflight fetch" step 7.3-7.5: is a requested name
    /// allowed? `*` covers every token except `authorization`, which must
    /// be listed by name (Fetch, "CORS non-wildcard request-header name").
    ///
    /// A name allowed here is a token: listed names are tokens (the builder
    /// checks), and a name equal to one but for the case of ASCII letters is
    /// one too. So the token check of the name is only needed for `*`, or
    /// once refused, to tell a malformed name from a refused one.
    #[inline]
    pub(crate) fn allows(&self, list: &[&str], name: &[u8]) -> bool {
        if self.any && !bytes::eq_words(name, b"authorization", true) {
            return bytes::is_token_rt(name);
        }
        self.index.candidates(bytes::hash(name, true)).any(|pos| {
            list.get(pos)
                .is_some_and(|e| bytes::eq_words(e.as_bytes(), name, true))
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
}

/// Splits every field line on commas, trims spaces and tabs around each
/// element and skips empty ones (CONTRACT.md §4.3; RFC 9110 §5.6.1).
///
/// The comma is found eight bytes a step and only the ends of an element
/// are trimmed byte by byte; nothing is stored, so the work is linear in
/// the bytes of the lines, whatever they hold.
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
    #[inline]
    fn next(&mut self) -> Option<Element<'r>> {
        loop {
            let rest = match self.line.split_at_checked(self.pos) {
                Some((_, rest)) if !rest.is_empty() => rest,
                _ => {
                    self.line = self.lines.next()?;
                    if self.started {
                        self.line_no += 1;
                    }
                    self.started = true;
                    self.pos = 0;
                    self.line
                }
            };
            let len = bytes::find_or_len(rest, b',');
            let raw = rest.get(..len).unwrap_or(&[]);
            let mut name = raw;
            while let [b' ' | b'\t', tail @ ..] = name {
                name = tail;
            }
            let start = self.pos + (raw.len() - name.len());
            while let [init @ .., b' ' | b'\t'] = name {
                name = init;
            }
            // Step past the comma too.
            self.pos += len + 1;
            if !name.is_empty() {
                return Some(Element {
                    name,
                    line: self.line_no,
                    start,
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
