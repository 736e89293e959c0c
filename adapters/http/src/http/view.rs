//! An `http` request viewed for the core: the field lines of each CORS
//! request header, borrowed from the [`HeaderMap`] and looked up only when
//! needed, and the request's own values an answer echoes.

use cors_policy::{CorsRequestHeader, Request};
use http::header::{self, HeaderMap, HeaderName, HeaderValue, ValueIter};

use crate::backend::{Kept, same_bytes};
use Plain::{Deferred, Done, One};

/// `Access-Control-Request-Private-Network` (not among `http`'s constants).
const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// The `http` names of the CORS request headers, in the order of
/// [`CorsRequestHeader::ALL`], and a name no request has.
static REQUEST_NAMES: [HeaderName; 5] = [
    header::ORIGIN,
    header::ACCESS_CONTROL_REQUEST_METHOD,
    header::ACCESS_CONTROL_REQUEST_HEADERS,
    ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK,
    HeaderName::from_static("x-cors-policy-unknown"),
];

/// The `http` name of a CORS request header, borrowed: a lookup by
/// reference has no name to drop (the tower actual request 2,428 to 2,419
/// instructions, `bash benches/callgrind.sh`).
pub(crate) fn request_header_name(h: CorsRequestHeader) -> &'static HeaderName {
    let [origin, acrm, acrh, acrpn, unknown] = &REQUEST_NAMES;
    match h {
        CorsRequestHeader::Origin => origin,
        CorsRequestHeader::AccessControlRequestMethod => acrm,
        CorsRequestHeader::AccessControlRequestHeaders => acrh,
        CorsRequestHeader::AccessControlRequestPrivateNetwork => acrpn,
        // The core may name more headers one day; an unknown one has no
        // lines here, which the core reads as "absent".
        _ => unknown,
    }
}

/// A request viewed for the core, with the request's own values of the
/// headers an answer may echo (`Origin`, and for `OPTIONS` the method and
/// header list) kept aside when they have one line, so writing the answer
/// clones them without a new lookup.
///
/// `Origin` is looked up at once (the core reads it first, always). Only
/// an `OPTIONS` request can be a preflight (Fetch, "CORS-preflight
/// request"), so `Access-Control-Request-Method` and
/// `Access-Control-Request-Headers` are found at once for `OPTIONS` and
/// otherwise only if the core reads them;
/// `Access-Control-Request-Private-Network` only if the core reads it
/// (when the policy enables Private Network Access).
#[derive(Debug)]
pub struct HttpView<'r> {
    pub(crate) request: Request<'r, HeaderLines<'r>>,
    map: &'r HeaderMap,
    kept: Kept<'r, HeaderValue>,
}

impl<'r> HttpView<'r> {
    /// Views a request's method and headers.
    ///
    /// Inline, with [`options`](Self::options), `HeaderLines::new` and
    /// `Repr::read`: as calls of their own, their frames cost more than
    /// their work (with `respond_http`, the tower preflight 3,584 to 3,517
    /// instructions, the actual request 2,599 to 2,563, `bash
    /// benches/callgrind.sh`, issue 17).
    ///
    /// Here the core's request is made with `Request::from_lines`
    /// (inline) from the lines found, rather than with `Request::from_fn`,
    /// whose one call per header stays out of line: the tower actual
    /// request 2,453 to 2,428 instructions (2,419 with the names of
    /// `request_header_name`; 2,455 to 2,426 in all in a build of one
    /// codegen unit, so not an accident of inlining). `options` keeps
    /// `from_fn`: made the same way, it saved the tower preflight 46 in the
    /// default build and nothing in a build of one codegen unit, and it
    /// cost the actix rows 86 and 21 (their view, which also uses
    /// `from_fn`, was no longer inlined the same way).
    #[inline]
    pub(crate) fn new(method: &'r str, headers: &'r HeaderMap) -> Self {
        if method == "OPTIONS" {
            return Self::options(method, headers);
        }
        let mut kept = Kept::default();
        let origin = HeaderLines::new(headers, CorsRequestHeader::Origin);
        kept.set(CorsRequestHeader::Origin, origin.single());
        let deferred = |h| HeaderLines::deferred(headers, h);
        let (acrm, acrh, acrpn) = (
            deferred(CorsRequestHeader::AccessControlRequestMethod),
            deferred(CorsRequestHeader::AccessControlRequestHeaders),
            deferred(CorsRequestHeader::AccessControlRequestPrivateNetwork),
        );
        HttpView {
            request: Request::from_lines(method.as_bytes(), [origin, acrm, acrh, acrpn]),
            map: headers,
            kept,
        }
    }

    /// An `OPTIONS` request (maybe a preflight): `Origin`, ACRM and ACRH
    /// are found in one pass over the request's headers, which costs less
    /// than three lookups (each hashes a name) for the dozen or so headers
    /// a browser's preflight carries.
    fn options(method: &'r str, headers: &'r HeaderMap) -> Self {
        let mut scan = PreflightScan::default();
        for (name, value) in headers {
            let found = if *name == header::ORIGIN {
                &mut scan.origin
            } else if *name == header::ACCESS_CONTROL_REQUEST_METHOD {
                &mut scan.acrm
            } else if *name == header::ACCESS_CONTROL_REQUEST_HEADERS {
                &mut scan.acrh
            } else {
                continue;
            };
            found.add(value);
        }
        let mut kept = Kept::default();
        let request = Request::from_fn(method.as_bytes(), |h| {
            let found = match h {
                CorsRequestHeader::Origin => scan.origin,
                CorsRequestHeader::AccessControlRequestMethod => scan.acrm,
                CorsRequestHeader::AccessControlRequestHeaders => scan.acrh,
                _ => return HeaderLines::deferred(headers, h),
            };
            let lines = HeaderLines::scanned(headers, h, found);
            kept.set(h, lines.single());
            lines
        });
        HttpView {
            request,
            map: headers,
            kept,
        }
    }

    /// The request's own value of `header` whose bytes are `bytes`, if one
    /// is: a kept value costs a comparison, another header a lookup.
    #[inline]
    pub(crate) fn value(&self, header: CorsRequestHeader, bytes: &[u8]) -> Option<&'r HeaderValue> {
        match self.kept.get(header) {
            Some(v) => same_bytes(v.as_bytes(), bytes).then_some(v),
            None => self
                .values(header)
                .find(|v| same_bytes(v.as_bytes(), bytes)),
        }
    }

    /// The request's own values of `header`, in order.
    pub(crate) fn values(&self, header: CorsRequestHeader) -> ValueIter<'r, HeaderValue> {
        self.map.get_all(request_header_name(header)).into_iter()
    }
}

/// What one pass over a request's headers found of one header.
#[derive(Clone, Copy, Debug, Default)]
struct Found<'r> {
    /// Its first line.
    first: Option<&'r HeaderValue>,
    /// How many lines it has.
    lines: usize,
}

impl<'r> Found<'r> {
    #[inline]
    fn add(&mut self, value: &'r HeaderValue) {
        if self.first.is_none() {
            self.first = Some(value);
        }
        self.lines += 1;
    }
}

/// `Origin`, `Access-Control-Request-Method` and
/// `Access-Control-Request-Headers`, as one pass over an `OPTIONS`
/// request's headers finds them.
#[derive(Debug, Default)]
struct PreflightScan<'r> {
    origin: Found<'r>,
    acrm: Found<'r>,
    acrh: Found<'r>,
}

/// The field lines of one header in an [`http::HeaderMap`], borrowed: the
/// core's view of a request reads them without copying a byte.
///
/// Made either at once ([`new`](Self::new): the header is looked up now)
/// or on demand ([`deferred`](Self::deferred): looked up when the core
/// first reads it, so a header the core never asks for costs nothing). A
/// header of one line (the usual case) is held as a reference to that
/// value, so the clones the core makes are copies; a header of several
/// lines remembers how many it gave, and a clone looks the header up again.
#[derive(Debug)]
pub struct HeaderLines<'r> {
    repr: Repr<'r>,
}

/// Small (two words): the core's `Request` holds four of these and a
/// `Decision` one, and both are moved a few times per request. A header of
/// several lines keeps its iterator in a box (allocated for such requests
/// only): held inline, it made every `HeaderLines` 72 bytes, which cost
/// the tower preflight 156 instructions and the actual request 17 in
/// copies (`bash benches/callgrind.sh`).
///
/// The cases without a box are one `Copy` enum, whose spare tags hold the
/// box's case: a clone of them (the core makes about ten per preflight) is
/// then a copy of two words rather than a match on four cases (tower
/// preflight 3,413 to 3,360 instructions, actual request 2,506 to 2,484,
/// `bash benches/callgrind.sh`, issue 17).
#[derive(Debug)]
enum Repr<'r> {
    /// No line, one, or not looked up yet.
    Plain(Plain<'r>),
    /// A header of several lines.
    Many(Box<Many<'r>>),
}

/// [`Repr`] but for a header of several lines.
#[derive(Clone, Copy, Debug)]
enum Plain<'r> {
    /// Not looked up yet.
    Deferred {
        map: &'r HeaderMap,
        header: CorsRequestHeader,
    },
    /// The header is absent, or every line was given.
    Done,
    /// A header of one line, not given yet.
    One(&'r HeaderValue),
}

/// The lines of a header of several lines.
#[derive(Debug)]
struct Many<'r> {
    map: &'r HeaderMap,
    header: CorsRequestHeader,
    iter: ValueIter<'r, HeaderValue>,
    /// How many were given.
    taken: usize,
}

impl<'r> HeaderLines<'r> {
    /// The lines of `header` in `map`, looked up now.
    #[inline]
    pub(crate) fn new(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        HeaderLines {
            repr: Repr::read(map, header),
        }
    }

    /// The lines of `header` in `map`, looked up only when first read.
    pub(crate) fn deferred(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        HeaderLines {
            repr: Repr::Plain(Deferred { map, header }),
        }
    }

    /// The lines of `header` in `map` from a pass over the map that
    /// `found` them.
    fn scanned(map: &'r HeaderMap, header: CorsRequestHeader, found: Found<'r>) -> Self {
        let repr = match (found.first, found.lines) {
            (None, _) | (_, 0) => Repr::Plain(Done),
            (Some(value), 1) => Repr::Plain(One(value)),
            _ => Repr::many(map, header, 0),
        };
        HeaderLines { repr }
    }

    /// The header's value when it was looked up and has exactly one line
    /// (asked before any line is read).
    fn single(&self) -> Option<&'r HeaderValue> {
        match self.repr {
            Repr::Plain(One(value)) => Some(value),
            _ => None,
        }
    }
}

impl<'r> Repr<'r> {
    /// Looks `header` up in `map`.
    #[inline]
    fn read(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        let mut iter = map.get_all(request_header_name(header)).into_iter();
        match (iter.next(), iter.next()) {
            (None, _) => Repr::Plain(Done),
            (Some(value), None) => Repr::Plain(One(value)),
            (Some(_), Some(_)) => Repr::many(map, header, 0),
        }
    }

    /// The lines of a header of several lines, `taken` of them given.
    /// `http`'s `ValueIter` is not `Clone`: look the header up again and
    /// skip what was given.
    #[cold]
    #[inline(never)]
    fn many(map: &'r HeaderMap, header: CorsRequestHeader, taken: usize) -> Self {
        let mut iter = map.get_all(request_header_name(header)).into_iter();
        for _ in 0..taken {
            if iter.next().is_none() {
                break;
            }
        }
        Repr::Many(Box::new(Many {
            map,
            header,
            iter,
            taken,
        }))
    }
}

impl Clone for HeaderLines<'_> {
    /// A copy but for a header of several lines (out of line).
    #[inline]
    fn clone(&self) -> Self {
        let repr = match self.repr {
            Repr::Plain(plain) => Repr::Plain(plain),
            Repr::Many(ref many) => Repr::many(many.map, many.header, many.taken),
        };
        HeaderLines { repr }
    }
}

impl<'r> Iterator for HeaderLines<'r> {
    type Item = &'r [u8];

    /// One line (the usual case) is given inline; the rest is out of line,
    /// so the core's loops stay small (measured: 97 instructions less on
    /// the tower preflight, 23 on the actual request).
    #[inline]
    fn next(&mut self) -> Option<&'r [u8]> {
        match self.repr {
            Repr::Plain(Done) => None,
            Repr::Plain(One(value)) => {
                self.repr = Repr::Plain(Done);
                Some(value.as_bytes())
            }
            _ => self.next_slow(),
        }
    }
}

impl<'r> HeaderLines<'r> {
    /// [`Iterator::next`] for deferred lines and headers of several lines.
    #[inline(never)]
    fn next_slow(&mut self) -> Option<&'r [u8]> {
        if let Repr::Plain(Deferred { map, header }) = self.repr {
            self.repr = Repr::read(map, header);
        }
        match &mut self.repr {
            Repr::Plain(Deferred { .. } | Done) => None,
            Repr::Plain(One(value)) => {
                let bytes = value.as_bytes();
                self.repr = Repr::Plain(Done);
                Some(bytes)
            }
            Repr::Many(many) => {
                let v = many.iter.next()?;
                many.taken += 1;
                Some(v.as_bytes())
            }
        }
    }
}

#[cfg(test)]
#[path = "view_tests.rs"]
mod tests;
