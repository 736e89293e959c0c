//! A zero-copy view of the parts of a request that CORS reads.

/// The request headers CORS reads (Fetch, "CORS protocol" §3.2.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CorsRequestHeader {
    /// `Origin`.
    Origin,
    /// `Access-Control-Request-Method`.
    AccessControlRequestMethod,
    /// `Access-Control-Request-Headers`.
    AccessControlRequestHeaders,
    /// `Access-Control-Request-Private-Network` (Private Network Access).
    AccessControlRequestPrivateNetwork,
}

impl CorsRequestHeader {
    /// All four, in a fixed order.
    pub const ALL: [CorsRequestHeader; 4] = [
        CorsRequestHeader::Origin,
        CorsRequestHeader::AccessControlRequestMethod,
        CorsRequestHeader::AccessControlRequestHeaders,
        CorsRequestHeader::AccessControlRequestPrivateNetwork,
    ];

    /// The lower-case name, as `http::HeaderName` and HTTP/2 spell it.
    ///
    /// ```
    /// assert_eq!(cors_policy::CorsRequestHeader::Origin.name(), "origin");
    /// ```
    pub const fn name(self) -> &'static str {
        match self {
            CorsRequestHeader::Origin => "origin",
            CorsRequestHeader::AccessControlRequestMethod => "access-control-request-method",
            CorsRequestHeader::AccessControlRequestHeaders => "access-control-request-headers",
            CorsRequestHeader::AccessControlRequestPrivateNetwork => {
                "access-control-request-private-network"
            }
        }
    }
}

/// What [`evaluate`](crate::evaluate()) reads of a request: its method and,
/// for each [`CorsRequestHeader`], every field line, borrowed.
///
/// `L` iterates over the values of one header's field lines, in order; it
/// is cloned to read them again (an `http::header::GetAll` iterator, a
/// filter over a parser's header slice), so nothing is copied.
///
/// ```
/// use cors_policy::{CorsRequestHeader, Request};
/// // Any header store works; here a slice of (name, value) pairs.
/// let raw: &[(&str, &[u8])] = &[("origin", b"https://app.example")];
/// let request = Request::from_fn(b"GET", |h: CorsRequestHeader| {
///     raw.iter()
///         .filter(move |(n, _)| n.eq_ignore_ascii_case(h.name()))
///         .map(|(_, v)| *v)
/// });
/// assert_eq!(request.method(), b"GET");
/// ```
#[derive(Clone, Debug)]
pub struct Request<'r, L> {
    method: &'r [u8],
    pub(crate) origin: L,
    pub(crate) acrm: L,
    pub(crate) acrh: L,
    pub(crate) acrpn: L,
}

impl<'r, L> Request<'r, L>
where
    L: Iterator<Item = &'r [u8]> + Clone,
{
    /// Views a request through `lines`, which gives the field lines of one
    /// header; it is called once for each [`CorsRequestHeader`].
    pub fn from_fn(method: &'r [u8], mut lines: impl FnMut(CorsRequestHeader) -> L) -> Self {
        Request {
            method,
            origin: lines(CorsRequestHeader::Origin),
            acrm: lines(CorsRequestHeader::AccessControlRequestMethod),
            acrh: lines(CorsRequestHeader::AccessControlRequestHeaders),
            acrpn: lines(CorsRequestHeader::AccessControlRequestPrivateNetwork),
        }
    }

    /// A request from the field lines of each [`CorsRequestHeader`], in
    /// the order of [`CorsRequestHeader::ALL`]: what [`from_fn`](Self::from_fn)
    /// makes, for a stack that has the four at hand. Inline, unlike
    /// `from_fn`, whose calls of `lines` stay in one function of their own:
    /// `cors-policy-http` views an `http` request with it (the tower layer's
    /// actual request 34 instructions less, `bash benches/callgrind.sh`).
    ///
    /// ```
    /// use cors_policy::Request;
    /// let origin: &[&[u8]] = &[b"https://app.example"];
    /// let none: &[&[u8]] = &[];
    /// let lines = |l: &'static [&'static [u8]]| l.iter().copied();
    /// let request = Request::from_lines(b"GET", [lines(origin), lines(none), lines(none), lines(none)]);
    /// let mut found = request.lines(cors_policy::CorsRequestHeader::Origin);
    /// assert_eq!(found.next(), Some(&b"https://app.example"[..]));
    /// ```
    #[inline]
    pub fn from_lines(method: &'r [u8], lines: [L; 4]) -> Self {
        let [origin, acrm, acrh, acrpn] = lines;
        Request {
            method,
            origin,
            acrm,
            acrh,
            acrpn,
        }
    }

    /// The request method, byte-exact.
    pub fn method(&self) -> &'r [u8] {
        self.method
    }

    /// The field lines of one header.
    pub fn lines(&self, header: CorsRequestHeader) -> L {
        match header {
            CorsRequestHeader::Origin => self.origin.clone(),
            CorsRequestHeader::AccessControlRequestMethod => self.acrm.clone(),
            CorsRequestHeader::AccessControlRequestHeaders => self.acrh.clone(),
            CorsRequestHeader::AccessControlRequestPrivateNetwork => self.acrpn.clone(),
        }
    }
}

impl<'r, K, V> Request<'r, PairLines<'r, K, V>>
where
    K: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    /// Views a slice of `(name, value)` pairs, one per field line, as a raw
    /// HTTP/1 parser yields them. Names match case-insensitively.
    ///
    /// ```
    /// use cors_policy::{evaluate, Policy, Request, RequestKind};
    /// let policy = Policy::builder().allow_any_origin().build().unwrap();
    /// let headers = [("Origin", "https://app.example"), ("Access-Control-Request-Method", "PUT")];
    /// let decision = evaluate(&policy, &Request::from_pairs(b"OPTIONS", &headers));
    /// assert_eq!(decision.kind(), RequestKind::Preflight);
    /// ```
    pub fn from_pairs(method: &'r [u8], pairs: &'r [(K, V)]) -> Self {
        Request::from_fn(method, |h| PairLines {
            pairs: pairs.iter(),
            name: NameWords::of(h),
        })
    }
}

/// The field lines of one header in a slice of `(name, value)` pairs; see
/// [`Request::from_pairs`].
#[derive(Debug)]
pub struct PairLines<'r, K, V> {
    pairs: core::slice::Iter<'r, (K, V)>,
    name: &'static NameWords,
}

impl<K, V> Clone for PairLines<'_, K, V> {
    fn clone(&self) -> Self {
        PairLines {
            pairs: self.pairs.clone(),
            name: self.name,
        }
    }
}

impl<'r, K: AsRef<[u8]>, V: AsRef<[u8]>> Iterator for PairLines<'r, K, V> {
    type Item = &'r [u8];

    fn next(&mut self) -> Option<&'r [u8]> {
        let name = self.name;
        // The lengths first, in a tight loop: the four names differ in
        // length, so the comparison runs only for the header sought.
        for (n, v) in self.pairs.by_ref() {
            let n = n.as_ref();
            if n.len() == name.len && name.matches(n) {
                return Some(v.as_ref());
            }
        }
        None
    }
}

/// One of the four lower-case names of [`CorsRequestHeader`] as
/// [`PairLines`] compares a request's names with it: in words of eight
/// bytes (the last one overlapping the one before, for lengths that are
/// not a multiple of eight) and, for each word, the bit 0x20 of its
/// letters. A word of a request's name matches when, with those bits set,
/// it is the lower-case word: a letter of either case then matches its
/// lower case, any other byte only itself, which is exactly
/// `eq_ignore_ascii_case`, without folding either side.
///
/// As a raw parser's names come (`Origin`, `Access-Control-Request-Method`,
/// capitalised as browsers send them over HTTP/1.1), each lookup cost a
/// failed exact comparison then a folded one, both sides folded word by
/// word: with these words, a preflight asking for 20 headers takes
/// 1,688 instead of 1,872 instructions (`case_core_preflight_20_headers` in
/// `bash benches/callgrind.sh`).
#[derive(Debug)]
struct NameWords {
    len: usize,
    lower: [u64; 5],
    case: [u64; 5],
}

impl NameWords {
    /// The words of `name`, lower case, at most 40 bytes.
    const fn new(name: &str) -> Self {
        let name = name.as_bytes();
        let len = name.len();
        let words = if len <= 8 { 1 } else { len.div_ceil(8) };
        let mut out = NameWords {
            len,
            lower: [0; 5],
            case: [0; 5],
        };
        let mut k = 0;
        while k < words {
            let at = Self::offset(k, len);
            let mut i = 0;
            let (mut lower, mut case) = (0, 0);
            while i < 8 {
                if let Some(b) = crate::bytes::at(name, at + i) {
                    lower |= (b as u64) << (8 * i);
                    if b.is_ascii_lowercase() {
                        case |= 0x20 << (8 * i);
                    }
                }
                i += 1;
            }
            crate::bytes::set(&mut out.lower, k, lower);
            crate::bytes::set(&mut out.case, k, case);
            k += 1;
        }
        out
    }

    /// Where word `k` of a name of `len` bytes starts: every eight bytes,
    /// the last word ending with the name.
    #[inline(always)]
    const fn offset(k: usize, len: usize) -> usize {
        let at = 8 * k;
        if len >= 8 && at + 8 > len {
            len - 8
        } else {
            at
        }
    }

    const fn of(h: CorsRequestHeader) -> &'static NameWords {
        const ORIGIN: NameWords = NameWords::new(CorsRequestHeader::Origin.name());
        const ACRM: NameWords =
            NameWords::new(CorsRequestHeader::AccessControlRequestMethod.name());
        const ACRH: NameWords =
            NameWords::new(CorsRequestHeader::AccessControlRequestHeaders.name());
        const ACRPN: NameWords =
            NameWords::new(CorsRequestHeader::AccessControlRequestPrivateNetwork.name());
        match h {
            CorsRequestHeader::Origin => &ORIGIN,
            CorsRequestHeader::AccessControlRequestMethod => &ACRM,
            CorsRequestHeader::AccessControlRequestHeaders => &ACRH,
            CorsRequestHeader::AccessControlRequestPrivateNetwork => &ACRPN,
        }
    }

    /// Is `n` (of this name's length) this name, ignoring ASCII case? Out
    /// of line, so that the loop of [`PairLines::next`] over the lengths is
    /// inlined where it is called.
    #[inline(never)]
    fn matches(&self, n: &[u8]) -> bool {
        if n.len() < 8 {
            // Zero-filled past the end, as the words are.
            return crate::swar::load(n) | self.case[0] == self.lower[0];
        }
        // Word `k` of `n` against word `k` of the name: 0 when they match.
        let differ = |k: usize, w: &[u8; 8]| match (self.lower.get(k), self.case.get(k)) {
            (Some(&lower), Some(&case)) => (u64::from_le_bytes(*w) | case) ^ lower,
            _ => 1,
        };
        let mut diff = 0;
        let mut k = 0;
        let mut rest = n;
        while let Some((w, tail)) = rest.split_first_chunk::<8>() {
            diff |= differ(k, w);
            k += 1;
            rest = tail;
        }
        if !rest.is_empty()
            && let Some(w) = n.last_chunk::<8>()
        {
            diff |= differ(k, w);
        }
        diff == 0
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use super::*;
    use std::vec::Vec;

    /// Every byte value at every position of each of the four names, and
    /// each name in upper case: `matches` is `eq_ignore_ascii_case`.
    #[test]
    fn name_words_match_as_eq_ignore_ascii_case() {
        let mut checked = 0;
        for h in CorsRequestHeader::ALL {
            let name = h.name().as_bytes();
            let words = NameWords::of(h);
            assert_eq!(words.len, name.len());
            assert!(words.matches(name));
            assert!(words.matches(&name.to_ascii_uppercase()));
            for at in 0..name.len() {
                for b in 0..=255u8 {
                    let mut n = name.to_vec();
                    n[at] = b;
                    assert_eq!(words.matches(&n), n.eq_ignore_ascii_case(name), "{n:?}");
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, (6 + 29 + 30 + 38) * 256);
    }

    #[test]
    fn pairs_are_found_in_any_case() {
        let pairs = [
            ("ORIGIN", "a"),
            ("Access-Control-Request-Headers", "b"),
            ("access-control-request-headerz", "c"),
            ("Access-Control-Request-HEADERS", "d"),
            ("Access-Control-Request-Private-Network", "e"),
        ];
        let request = Request::from_pairs(b"GET", &pairs);
        let lines = |h| request.lines(h).collect::<Vec<_>>();
        assert_eq!(lines(CorsRequestHeader::Origin), [b"a"]);
        assert_eq!(
            lines(CorsRequestHeader::AccessControlRequestHeaders),
            [b"b", b"d"]
        );
        assert!(lines(CorsRequestHeader::AccessControlRequestMethod).is_empty());
        assert_eq!(
            lines(CorsRequestHeader::AccessControlRequestPrivateNetwork),
            [b"e"]
        );
    }

    /// `from_lines` puts each header's lines where `from_fn` does: the
    /// order of `CorsRequestHeader::ALL`.
    #[test]
    fn from_lines_is_from_fn_in_the_order_of_all() {
        let values: [&[u8]; 4] = [b"o", b"m", b"h", b"p"];
        let one = |v: &'static [u8]| core::iter::once(v);
        let from_lines = Request::from_lines(b"OPTIONS", values.map(one));
        // Each header named, so the test does not rest on `ALL`'s order.
        let from_fn = Request::from_fn(b"OPTIONS", |h| {
            one(match h {
                CorsRequestHeader::Origin => b"o",
                CorsRequestHeader::AccessControlRequestMethod => b"m",
                CorsRequestHeader::AccessControlRequestHeaders => b"h",
                CorsRequestHeader::AccessControlRequestPrivateNetwork => b"p",
            })
        });
        assert_eq!(from_lines.method(), b"OPTIONS");
        for h in CorsRequestHeader::ALL {
            let got: Vec<_> = from_lines.lines(h).collect();
            assert_eq!(got, from_fn.lines(h).collect::<Vec<_>>(), "{h:?}");
            assert_eq!(got.len(), 1);
        }
        assert_eq!(
            from_lines
                .lines(CorsRequestHeader::AccessControlRequestHeaders)
                .next(),
            Some(&b"h"[..])
        );
    }
}
