//! What an HTTP stack gives the shared adapter code: how it lists the field
//! lines of one request header, and its header-value type.

use cors_policy::CorsRequestHeader;
use http::header::{self, HeaderMap, HeaderName, HeaderValue, ValueIter};

/// An HTTP stack's types, as the shared adapter code needs them.
///
/// [`HttpStack`] is the `http` 1.x crate's (tower, axum, hyper);
/// `cors-policy-actix` implements it for actix-web's header map.
pub trait Stack: 'static {
    /// The field lines of one request header, borrowed from the request.
    type Lines<'r>: Iterator<Item = &'r [u8]> + Clone;
    /// The stack's response-header value type.
    type Value: Clone + Send + Sync + 'static;

    /// Makes a header value from bytes the policy fixes, once per policy.
    /// `None` if the bytes cannot be a header value (never for a valid
    /// policy's values).
    fn value(bytes: &[u8]) -> Option<Self::Value>;
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

    fn value(bytes: &[u8]) -> Option<HeaderValue> {
        HeaderValue::from_bytes(bytes).ok()
    }
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
/// A header of one line (the usual case) is held as that line, so the
/// clones the core makes cost nothing; a header of several lines
/// remembers how many it gave, and a clone looks the header up again.
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
    Done,
    One(&'r [u8]),
    Many {
        map: &'r HeaderMap,
        header: CorsRequestHeader,
        iter: ValueIter<'r, HeaderValue>,
        taken: usize,
    },
}

impl<'r> HeaderLines<'r> {
    /// The lines of `header` in `map`.
    pub fn new(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        let mut iter = map.get_all(request_header_name(header)).into_iter();
        let repr = match (iter.next(), iter.next()) {
            (None, _) => Repr::Done,
            (Some(v), None) => Repr::One(v.as_bytes()),
            (Some(_), Some(_)) => Repr::Many {
                map,
                header,
                iter: map.get_all(request_header_name(header)).into_iter(),
                taken: 0,
            },
        };
        HeaderLines { repr }
    }
}

impl Clone for HeaderLines<'_> {
    fn clone(&self) -> Self {
        let repr = match &self.repr {
            Repr::Done => Repr::Done,
            Repr::One(v) => Repr::One(v),
            // `http`'s `ValueIter` is not `Clone`: look the header up again
            // and skip what was given.
            Repr::Many {
                map, header, taken, ..
            } => {
                let mut iter = map.get_all(request_header_name(*header)).into_iter();
                for _ in 0..*taken {
                    if iter.next().is_none() {
                        break;
                    }
                }
                Repr::Many {
                    map,
                    header: *header,
                    iter,
                    taken: *taken,
                }
            }
        };
        HeaderLines { repr }
    }
}

impl<'r> Iterator for HeaderLines<'r> {
    type Item = &'r [u8];

    fn next(&mut self) -> Option<&'r [u8]> {
        match &mut self.repr {
            Repr::Done => None,
            Repr::One(v) => {
                let v = *v;
                self.repr = Repr::Done;
                Some(v)
            }
            Repr::Many { iter, taken, .. } => {
                let v = iter.next()?;
                *taken += 1;
                Some(v.as_bytes())
            }
        }
    }
}
