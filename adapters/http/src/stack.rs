//! What an HTTP stack gives the shared adapter code: how it lists the field
//! lines of one request header, its header-value and header-map types, and
//! the map operations that writing an answer needs.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Mutex;

use cors_policy::{CorsRequestHeader, ResponseHeader};
use http::header::{self, HeaderMap, HeaderName, HeaderValue, ValueIter};

use crate::answer::{Answer, Fixed, write_answer};
use crate::write::{HttpTemplate, HttpTemplates, HttpView, response_header_name, vary_header};

/// An HTTP stack's types and the few header-map operations the shared
/// adapter code needs, so that turning a decision into response headers
/// ([`write_preflight`](crate::write_preflight),
/// [`ActualHeaders`](crate::ActualHeaders)) is written once for every
/// stack.
///
/// [`HttpStack`] is the `http` 1.x crate's (tower, axum, hyper);
/// `cors-policy-actix` implements it for actix-web's header map.
pub trait Stack: 'static {
    /// The field lines of one request header, borrowed from the request.
    type Lines<'r>: Iterator<Item = &'r [u8]> + Clone;
    /// The stack's response-header value type.
    type Value: Clone + fmt::Debug + Send + Sync + 'static;
    /// A request as the adapter viewed it for the core: it finds the
    /// request's own values to echo ([`own_value`](Self::own_value)).
    type View<'r>;
    /// The stack's header-map type.
    type Map;

    /// `*`, the value of `Access-Control-Allow-Origin` for any origin.
    const STAR: Self::Value;
    /// `true`, the value of `Access-Control-Allow-Credentials` and
    /// `Access-Control-Allow-Private-Network`.
    const TRUE: Self::Value;

    /// Makes a header value from bytes the policy fixes, once per policy.
    /// `None` if the bytes cannot be a header value (never for a valid
    /// policy's values).
    fn value(bytes: &[u8]) -> Option<Self::Value>;

    /// A header value's bytes.
    fn value_bytes(value: &Self::Value) -> &[u8];

    /// The request's own value of `header` whose bytes are `bytes`, if one
    /// is: what an answer echoes, cloning a reference count rather than
    /// copying the bytes.
    fn own_value<'r>(
        view: &Self::View<'r>,
        header: CorsRequestHeader,
        bytes: &[u8],
    ) -> Option<&'r Self::Value>;

    /// Is `map` empty (a new response's, with no `Vary` to merge with)?
    fn is_empty(map: &Self::Map) -> bool;

    /// One pass over `map`'s names: does it hold a CORS response header
    /// (`access-control-*`), and does it hold `Vary`? In that order.
    fn scan(map: &Self::Map) -> (bool, bool);

    /// Removes every CORS response header from `map`.
    fn remove_cors(map: &mut Self::Map);

    /// Appends `value` to `map` under the name of `header`, keeping what
    /// is there.
    fn append(map: &mut Self::Map, header: ResponseHeader, value: Self::Value);

    /// Appends `value` to `map`'s `Vary`.
    fn append_vary(map: &mut Self::Map, value: Self::Value);

    /// A decision's joined `Vary` value
    /// ([`Decision::vary_value`](cors_policy::Decision::vary_value)) as a
    /// header value made at compile time, for every set the core names;
    /// `None` for any other.
    fn vary_header(joined: &str) -> Option<Self::Value>;

    /// The field lines of `map`'s `Vary`, none if it has none.
    fn vary_lines(map: &Self::Map) -> impl Iterator<Item = &[u8]>;

    /// A header value of a `Vary` token the core names.
    fn vary_token(token: &'static str) -> Self::Value;

    /// What the stack keeps per policy to write answers faster (see
    /// [`template`](Self::template)); `()` for none.
    type Cache: Default + Send + Sync + 'static;

    /// A prepared answer of one shape, cheap to clone; `()` for none.
    type Template: Clone + Send + Sync + 'static;

    /// The prepared answer of `answer`'s shape ([`Answer::shape`]), made
    /// on first use (with the values the policy fixes, `fixed`) and kept
    /// in `cache`, if the stack prepares answers. The default has none.
    #[inline]
    fn template<'c>(
        cache: &'c Self::Cache,
        answer: &Answer<Self::Value>,
        fixed: Fixed<'_, Self::Value>,
    ) -> Option<&'c Self::Template> {
        let _ = (cache, answer, fixed);
        None
    }

    /// Writes `answer` into `map`, an empty map, from `template`, which
    /// [`template`](Self::template) gave for it. Only called with a
    /// template; the default writes header by header without the fixed
    /// values.
    #[inline]
    fn instantiate(map: &mut Self::Map, template: &Self::Template, answer: Answer<Self::Value>)
    where
        Self: Sized,
    {
        write_answer::<Self>(map, answer, Self::template_fixed(template));
    }

    /// The values the policy fixes, as `template` holds them.
    #[inline]
    fn template_fixed(template: &Self::Template) -> Fixed<'_, Self::Value> {
        let _ = template;
        Fixed {
            max_age: None,
            expose: None,
        }
    }
}

/// The `http` 1.x crate's stack: [`HeaderLines`] and [`HeaderValue`].
///
/// ```
/// use cors_policy_http::{HttpStack, Stack};
/// let v = HttpStack::value(b"600").unwrap();
/// assert_eq!(v, "600");
/// ```
#[derive(Debug)]
pub enum HttpStack {}

impl Stack for HttpStack {
    type Lines<'r> = HeaderLines<'r>;
    type Value = HeaderValue;
    type View<'r> = HttpView<'r>;
    type Map = HeaderMap;

    const STAR: HeaderValue = HeaderValue::from_static("*");
    const TRUE: HeaderValue = HeaderValue::from_static("true");

    fn value(bytes: &[u8]) -> Option<HeaderValue> {
        let value = HeaderValue::from_bytes(bytes).ok()?;
        // Valid (checked just above) and interned: a static value, whose
        // clones and drops on the request path touch no reference count.
        Some(match intern(bytes) {
            Some(s) => HeaderValue::from_static(s),
            None => value,
        })
    }

    #[inline]
    fn value_bytes(value: &HeaderValue) -> &[u8] {
        value.as_bytes()
    }

    #[inline]
    fn own_value<'r>(
        view: &Self::View<'r>,
        header: CorsRequestHeader,
        bytes: &[u8],
    ) -> Option<&'r HeaderValue> {
        view.value(header, bytes)
    }

    #[inline]
    fn is_empty(map: &HeaderMap) -> bool {
        map.is_empty()
    }

    #[inline]
    fn scan(map: &HeaderMap) -> (bool, bool) {
        let mut cors = false;
        let mut vary = false;
        for name in map.keys() {
            if *name == header::VARY {
                vary = true;
            } else if name.as_str().starts_with("access-control-") {
                cors = true;
            }
        }
        (cors, vary)
    }

    fn remove_cors(map: &mut HeaderMap) {
        for h in ResponseHeader::ALL {
            if let Some(name) = response_header_name(h) {
                map.remove(name);
            }
        }
    }

    #[inline]
    fn append(map: &mut HeaderMap, header: ResponseHeader, value: HeaderValue) {
        if let Some(name) = response_header_name(header) {
            map.append(name, value);
        }
    }

    #[inline]
    fn append_vary(map: &mut HeaderMap, value: HeaderValue) {
        map.append(header::VARY, value);
    }

    #[inline]
    fn vary_header(joined: &str) -> Option<HeaderValue> {
        vary_header(joined)
    }

    #[inline]
    fn vary_lines(map: &HeaderMap) -> impl Iterator<Item = &[u8]> {
        map.get_all(header::VARY).iter().map(HeaderValue::as_bytes)
    }

    #[inline]
    fn vary_token(token: &'static str) -> HeaderValue {
        HeaderValue::from_static(token)
    }

    type Cache = HttpTemplates;
    type Template = HttpTemplate;

    #[inline]
    fn template<'c>(
        cache: &'c HttpTemplates,
        answer: &Answer<HeaderValue>,
        fixed: Fixed<'_, HeaderValue>,
    ) -> Option<&'c HttpTemplate> {
        cache.get(answer, fixed)
    }

    #[inline]
    fn instantiate(map: &mut HeaderMap, template: &HttpTemplate, answer: Answer<HeaderValue>) {
        *map = template.instantiate(answer);
    }

    #[inline]
    fn template_fixed(template: &HttpTemplate) -> Fixed<'_, HeaderValue> {
        template.fixed()
    }
}

/// The most bytes [`intern`] keeps for the whole process.
pub const INTERN_BUDGET: usize = 64 * 1024;

/// A `'static` copy of `bytes`, made once per distinct value for the whole
/// process (later calls with equal bytes get the same copy), or `None` for
/// bytes that are not ASCII or once [`INTERN_BUDGET`] bytes are kept.
///
/// [`Stack::value`] makes the values a policy fixes (`Access-Control-Max-Age`,
/// `Access-Control-Expose-Headers`) through it, once per policy: as static
/// header values, the copies every response takes cost no atomic
/// reference count. The budget bounds what a process that installs many
/// different policies keeps; past it, values are reference-counted as
/// usual.
///
/// ```
/// let a = cors_policy_http::intern(b"x-request-id").unwrap();
/// let b = cors_policy_http::intern(b"x-request-id").unwrap();
/// assert_eq!(a, "x-request-id");
/// assert!(std::ptr::eq(a, b));
/// assert!(cors_policy_http::intern("caf\u{e9}".as_bytes()).is_none());
/// ```
pub fn intern(bytes: &[u8]) -> Option<&'static str> {
    static KEPT: Mutex<(BTreeSet<&'static str>, usize)> = Mutex::new((BTreeSet::new(), 0));
    if !bytes.is_ascii() {
        return None;
    }
    let s = std::str::from_utf8(bytes).ok()?;
    // A poisoned lock still holds a consistent set (insertions are single
    // calls): keep using it.
    let mut kept = KEPT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(k) = kept.0.get(s) {
        return Some(k);
    }
    if kept.1 + s.len() > INTERN_BUDGET {
        return None;
    }
    let leaked: &'static str = Box::leak(s.to_owned().into_boxed_str());
    kept.0.insert(leaked);
    kept.1 += s.len();
    Some(leaked)
}

/// `Access-Control-Request-Private-Network` (not among `http`'s constants).
pub const ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-request-private-network");

/// `Access-Control-Allow-Private-Network` (not among `http`'s constants).
pub const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// The `http` name of a CORS request header. Built from constants: no
/// allocation.
///
/// ```
/// use cors_policy::CorsRequestHeader;
/// assert_eq!(cors_policy_http::request_header_name(CorsRequestHeader::Origin), http::header::ORIGIN);
/// ```
pub fn request_header_name(h: CorsRequestHeader) -> HeaderName {
    match h {
        CorsRequestHeader::Origin => header::ORIGIN,
        CorsRequestHeader::AccessControlRequestMethod => header::ACCESS_CONTROL_REQUEST_METHOD,
        CorsRequestHeader::AccessControlRequestHeaders => header::ACCESS_CONTROL_REQUEST_HEADERS,
        CorsRequestHeader::AccessControlRequestPrivateNetwork => {
            ACCESS_CONTROL_REQUEST_PRIVATE_NETWORK
        }
        // The core may name more headers one day; an unknown one has no
        // lines here, which the core reads as "absent".
        _ => HeaderName::from_static("x-cors-policy-unknown"),
    }
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
///
/// ```
/// use cors_policy::CorsRequestHeader;
/// use http::{HeaderMap, HeaderValue, header::ORIGIN};
/// let mut map = HeaderMap::new();
/// map.append(ORIGIN, HeaderValue::from_static("https://a.example"));
/// map.append(ORIGIN, HeaderValue::from_static("https://b.example"));
/// let mut lines = cors_policy_http::HeaderLines::new(&map, CorsRequestHeader::Origin);
/// assert_eq!(lines.next(), Some(&b"https://a.example"[..]));
/// let copy = lines.clone();
/// assert_eq!(copy.collect::<Vec<_>>(), [&b"https://b.example"[..]]);
/// ```
#[derive(Debug)]
pub struct HeaderLines<'r> {
    repr: Repr<'r>,
}

#[derive(Debug)]
enum Repr<'r> {
    /// Not looked up yet.
    Deferred {
        map: &'r HeaderMap,
        header: CorsRequestHeader,
    },
    /// The header is absent.
    Done,
    /// A header of one line, given or not yet.
    One { value: &'r HeaderValue, given: bool },
    /// A header of several lines.
    Many {
        map: &'r HeaderMap,
        header: CorsRequestHeader,
        iter: ValueIter<'r, HeaderValue>,
        taken: usize,
    },
}

impl<'r> HeaderLines<'r> {
    /// The lines of `header` in `map`, looked up now.
    pub fn new(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        HeaderLines {
            repr: Repr::read(map, header),
        }
    }

    /// The lines of `header` in `map`, looked up only when first read.
    ///
    /// ```
    /// use cors_policy::CorsRequestHeader;
    /// use http::{HeaderMap, HeaderValue, header::ORIGIN};
    /// let mut map = HeaderMap::new();
    /// map.append(ORIGIN, HeaderValue::from_static("https://a.example"));
    /// let lines = cors_policy_http::HeaderLines::deferred(&map, CorsRequestHeader::Origin);
    /// assert_eq!(lines.collect::<Vec<_>>(), [&b"https://a.example"[..]]);
    /// ```
    pub fn deferred(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        HeaderLines {
            repr: Repr::Deferred { map, header },
        }
    }

    /// The request's own value of this header whose bytes are `bytes`, if
    /// one is (whether or not these lines have been read): what an adapter
    /// echoes, cloning a reference count rather than copying the bytes. A
    /// header of one line costs a comparison; otherwise the header is
    /// looked up.
    ///
    /// ```
    /// use cors_policy::CorsRequestHeader;
    /// use http::{HeaderMap, HeaderValue, header::ORIGIN};
    /// let mut map = HeaderMap::new();
    /// map.append(ORIGIN, HeaderValue::from_static("https://a.example"));
    /// let lines = cors_policy_http::HeaderLines::new(&map, CorsRequestHeader::Origin);
    /// assert_eq!(lines.value(b"https://a.example").unwrap(), "https://a.example");
    /// assert!(lines.value(b"https://b.example").is_none());
    /// ```
    pub fn value(&self, bytes: &[u8]) -> Option<&'r HeaderValue> {
        let same = |v: &HeaderValue| same_bytes(v, bytes);
        let (map, header) = match &self.repr {
            Repr::One { value, .. } => {
                return same(value).then_some(*value);
            }
            Repr::Deferred { map, header } | Repr::Many { map, header, .. } => (*map, *header),
            Repr::Done => return None,
        };
        map.get_all(request_header_name(header))
            .iter()
            .find(|v| same(v))
    }
}

impl<'r> HeaderLines<'r> {
    /// The lines of `header` in `map` from a pass over the map that found
    /// `count` lines, the first being `first`.
    pub(crate) fn scanned(
        map: &'r HeaderMap,
        header: CorsRequestHeader,
        first: Option<&'r HeaderValue>,
        count: usize,
    ) -> Self {
        let repr = match (first, count) {
            (None, _) | (_, 0) => Repr::Done,
            (Some(value), 1) => Repr::One {
                value,
                given: false,
            },
            _ => Repr::many(map, header, 0),
        };
        HeaderLines { repr }
    }

    /// The header's value when it was looked up and has exactly one line.
    pub(crate) fn single(&self) -> Option<&'r HeaderValue> {
        match self.repr {
            Repr::One { value, .. } => Some(value),
            _ => None,
        }
    }
}

/// Are `v`'s bytes `bytes`? The core hands back the request's own bytes
/// when it did not trim them: then the pointers match and nothing is
/// compared.
#[inline]
pub(crate) fn same_bytes(v: &HeaderValue, bytes: &[u8]) -> bool {
    let own = v.as_bytes();
    (own.as_ptr() == bytes.as_ptr() && own.len() == bytes.len()) || own == bytes
}

impl<'r> Repr<'r> {
    /// Looks `header` up in `map`.
    fn read(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        let mut iter = map.get_all(request_header_name(header)).into_iter();
        match (iter.next(), iter.next()) {
            (None, _) => Repr::Done,
            (Some(value), None) => Repr::One {
                value,
                given: false,
            },
            (Some(_), Some(_)) => Repr::Many {
                map,
                header,
                iter: map.get_all(request_header_name(header)).into_iter(),
                taken: 0,
            },
        }
    }
}

impl Clone for HeaderLines<'_> {
    #[inline]
    fn clone(&self) -> Self {
        let repr = match &self.repr {
            Repr::Deferred { map, header } => Repr::Deferred {
                map,
                header: *header,
            },
            Repr::Done => Repr::Done,
            Repr::One { value, given } => Repr::One {
                value,
                given: *given,
            },
            Repr::Many {
                map, header, taken, ..
            } => Repr::many(map, *header, *taken),
        };
        HeaderLines { repr }
    }
}

impl<'r> Repr<'r> {
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
        Repr::Many {
            map,
            header,
            iter,
            taken,
        }
    }
}

impl<'r> Iterator for HeaderLines<'r> {
    type Item = &'r [u8];

    fn next(&mut self) -> Option<&'r [u8]> {
        if let Repr::Deferred { map, header } = self.repr {
            self.repr = Repr::read(map, header);
        }
        match &mut self.repr {
            Repr::Deferred { .. } | Repr::Done => None,
            Repr::One { value, given } => {
                if *given {
                    None
                } else {
                    *given = true;
                    Some(value.as_bytes())
                }
            }
            Repr::Many { iter, taken, .. } => {
                let v = iter.next()?;
                *taken += 1;
                Some(v.as_bytes())
            }
        }
    }
}
