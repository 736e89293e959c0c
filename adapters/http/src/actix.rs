//! actix-web's stack (feature `actix`, for cors-policy-actix): the
//! [`Backend`] primitives over its [`HeaderMap`], whose values are the
//! `http` 0.2 crate's. Its response heads come from a pool whose maps keep
//! their storage, so inserting allocates nothing and no answer is
//! prepared per shape.

use actix_http::header::{self, HeaderMap, HeaderName, HeaderValue};
use cors_policy::{CorsRequestHeader, Request, ResponseHeader};

use crate::backend::{Backend, Kept, same_bytes};
use crate::vary::vary_values;

const ACRPN: HeaderName = HeaderName::from_static("access-control-request-private-network");
const ACAPN: HeaderName = HeaderName::from_static("access-control-allow-private-network");

fn request_header_name(h: CorsRequestHeader) -> HeaderName {
    match h {
        CorsRequestHeader::Origin => header::ORIGIN,
        CorsRequestHeader::AccessControlRequestMethod => header::ACCESS_CONTROL_REQUEST_METHOD,
        CorsRequestHeader::AccessControlRequestHeaders => header::ACCESS_CONTROL_REQUEST_HEADERS,
        CorsRequestHeader::AccessControlRequestPrivateNetwork => ACRPN,
        // Unknown to this version: no lines, which the core reads as absent.
        _ => HeaderName::from_static("x-cors-policy-unknown"),
    }
}

fn response_header_name(h: ResponseHeader) -> Option<HeaderName> {
    Some(match h {
        ResponseHeader::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        ResponseHeader::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        ResponseHeader::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
        ResponseHeader::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
        ResponseHeader::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
        ResponseHeader::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        ResponseHeader::AllowPrivateNetwork => ACAPN,
        other => return HeaderName::from_bytes(other.lowercase().as_bytes()).ok(),
    })
}

vary_values!(vary_value, HeaderValue);

/// The field lines of one header in actix-web's [`HeaderMap`], borrowed.
///
/// Made either at once ([`new`](Self::new)) or on demand
/// ([`deferred`](Self::deferred): looked up when the core first reads it).
/// Either way a clone is a copy of four words.
#[derive(Clone, Debug)]
pub struct ActixLines<'r> {
    repr: LinesRepr<'r>,
}

#[derive(Clone, Debug)]
enum LinesRepr<'r> {
    /// Not looked up yet.
    Deferred {
        map: &'r HeaderMap,
        header: CorsRequestHeader,
    },
    /// Looked up: every value, and how many were given.
    Read {
        values: &'r [HeaderValue],
        given: usize,
    },
}

impl<'r> ActixLines<'r> {
    /// The lines of `header` in `map`, looked up now.
    fn new(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        ActixLines {
            repr: LinesRepr::Read {
                values: values(map, header),
                given: 0,
            },
        }
    }

    /// The lines of `header` in `map`, looked up only when first read.
    fn deferred(map: &'r HeaderMap, header: CorsRequestHeader) -> Self {
        ActixLines {
            repr: LinesRepr::Deferred { map, header },
        }
    }

    /// Every value of the header, whether or not these lines were read.
    fn values(&self) -> &'r [HeaderValue] {
        match self.repr {
            LinesRepr::Read { values, .. } => values,
            LinesRepr::Deferred { map, header } => values(map, header),
        }
    }
}

/// The values of `header` in `map`.
fn values(map: &HeaderMap, header: CorsRequestHeader) -> &[HeaderValue] {
    map.get_all(request_header_name(header)).as_slice()
}

impl<'r> Iterator for ActixLines<'r> {
    type Item = &'r [u8];

    /// Lines already looked up are given inline; a deferred header is
    /// looked up out of line, so the core's loops stay small (measured:
    /// 101 instructions less on the actix preflight, 30 on the actual
    /// request).
    #[inline]
    fn next(&mut self) -> Option<&'r [u8]> {
        match &mut self.repr {
            LinesRepr::Read { values, given } => {
                let v = values.get(*given)?;
                *given += 1;
                Some(v.as_bytes())
            }
            LinesRepr::Deferred { .. } => self.next_deferred(),
        }
    }
}

impl<'r> ActixLines<'r> {
    /// [`Iterator::next`] of lines not looked up yet.
    #[inline(never)]
    fn next_deferred(&mut self) -> Option<&'r [u8]> {
        if let LinesRepr::Deferred { map, header } = self.repr {
            *self = ActixLines::new(map, header);
        }
        match &mut self.repr {
            LinesRepr::Deferred { .. } => None,
            LinesRepr::Read { values, given } => {
                let v = values.get(*given)?;
                *given += 1;
                Some(v.as_bytes())
            }
        }
    }
}

/// An actix request viewed for the core, without copying, with the
/// request's own values an answer echoes kept aside when they have one
/// line. `Origin` is looked up at once (the core reads it first, always);
/// `Access-Control-Request-Method` and `-Headers` at once for `OPTIONS`
/// (only it can be a preflight) and otherwise only if the core reads them;
/// `Access-Control-Request-Private-Network` only if the core reads it.
#[derive(Debug)]
pub struct ActixView<'r> {
    request: Request<'r, ActixLines<'r>>,
    kept: Kept<'r, HeaderValue>,
}

impl<'r> ActixView<'r> {
    fn new(method: &'r str, headers: &'r HeaderMap) -> Self {
        let options = method == "OPTIONS";
        let mut kept = Kept::default();
        let request = Request::from_fn(method.as_bytes(), |h| {
            let now = match h {
                CorsRequestHeader::Origin => true,
                CorsRequestHeader::AccessControlRequestMethod
                | CorsRequestHeader::AccessControlRequestHeaders => options,
                _ => false,
            };
            if !now {
                return ActixLines::deferred(headers, h);
            }
            let lines = ActixLines::new(headers, h);
            if let [v] = lines.values() {
                kept.set(h, Some(v));
            }
            lines
        });
        ActixView { request, kept }
    }
}

impl Backend for HeaderMap {
    type Lines<'r> = ActixLines<'r>;
    type View<'r> = ActixView<'r>;
    type Value = HeaderValue;
    type Cache = ();
    type Template = ();

    const STAR: HeaderValue = HeaderValue::from_static("*");
    const TRUE: HeaderValue = HeaderValue::from_static("true");

    #[inline]
    fn view<'r>(method: &'r str, headers: &'r HeaderMap) -> Self::View<'r> {
        ActixView::new(method, headers)
    }

    #[inline]
    fn request<'a, 'r>(view: &'a Self::View<'r>) -> &'a Request<'r, Self::Lines<'r>> {
        &view.request
    }

    #[inline]
    fn own_value<'r>(
        view: &Self::View<'r>,
        header: CorsRequestHeader,
        bytes: &[u8],
    ) -> Option<&'r HeaderValue> {
        match view.kept.get(header) {
            Some(v) if same_bytes(v.as_bytes(), bytes) => Some(v),
            _ => view
                .request
                .lines(header)
                .values()
                .iter()
                .find(|v| same_bytes(v.as_bytes(), bytes)),
        }
    }

    #[inline]
    fn own_values<'r>(
        view: &Self::View<'r>,
        header: CorsRequestHeader,
    ) -> impl Iterator<Item = &'r HeaderValue> {
        view.request.lines(header).values().iter()
    }

    #[inline]
    fn value(bytes: &[u8]) -> Option<HeaderValue> {
        HeaderValue::from_bytes(bytes).ok()
    }

    #[inline]
    fn value_bytes(value: &HeaderValue) -> &[u8] {
        value.as_bytes()
    }

    #[inline]
    fn vary_value(joined: &str) -> Option<HeaderValue> {
        vary_value(joined)
    }

    #[inline]
    fn vary_token(token: &'static str) -> HeaderValue {
        HeaderValue::from_static(token)
    }

    #[inline]
    fn is_empty(&self) -> bool {
        HeaderMap::is_empty(self)
    }

    #[inline]
    fn names(&self) -> impl Iterator<Item = &str> {
        self.keys().map(HeaderName::as_str)
    }

    fn remove(&mut self, header: ResponseHeader) {
        if let Some(name) = response_header_name(header) {
            HeaderMap::remove(self, name);
        }
    }

    #[inline]
    fn append(&mut self, header: ResponseHeader, value: HeaderValue) {
        if let Some(name) = response_header_name(header) {
            HeaderMap::append(self, name, value);
        }
    }

    #[inline]
    fn append_vary(&mut self, value: HeaderValue) {
        HeaderMap::append(self, header::VARY, value);
    }

    #[inline]
    fn vary_lines(&self) -> impl Iterator<Item = &[u8]> {
        self.get_all(header::VARY).map(HeaderValue::as_bytes)
    }
}

#[cfg(test)]
#[path = "actix_tests.rs"]
mod tests;
