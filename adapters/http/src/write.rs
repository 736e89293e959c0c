//! The `http` 1.x side: view a request, write a decision into a
//! [`HeaderMap`].

use std::fmt;
use std::sync::{Arc, OnceLock};

use cors_policy::{CorsRequestHeader, Decision, Request, ResponseHeader};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::{Method, request::Parts};

use crate::answer::{Answer, Fixed, merge_vary_tokens};
use crate::stack::{
    ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK, HeaderLines, HttpStack, Stack, request_header_name,
    same_bytes,
};
use crate::vary::{
    VARY_ORIGIN, VARY_PREFLIGHT, VARY_PREFLIGHT_ORIGIN, VARY_PREFLIGHT_ORIGIN_PNA,
    VARY_PREFLIGHT_PNA,
};

/// A decision on a request whose headers are an [`http::HeaderMap`].
pub type HttpDecision<'p, 'r> = Decision<'p, 'r, HeaderLines<'r>>;

/// Views a request's method and headers as the core's [`Request`], without
/// copying anything.
///
/// `Origin` is looked up at once (the core reads it first, always). Only
/// an `OPTIONS` request can be a preflight (Fetch, "CORS-preflight
/// request"), so `Access-Control-Request-Method` and
/// `Access-Control-Request-Headers` are looked up at once for `OPTIONS`
/// and otherwise only if the core reads them;
/// `Access-Control-Request-Private-Network` only if the core reads it
/// (when the policy enables Private Network Access).
///
/// ```
/// use cors_policy::{evaluate, Policy, RequestKind};
/// let policy = Policy::builder().allow_origins(&["https://a.example"]).build().unwrap();
/// let req = http::Request::options("/")
///     .header("origin", "https://a.example")
///     .header("access-control-request-method", "GET")
///     .body(())
///     .unwrap();
/// let view = cors_policy_http::request_view(req.method(), req.headers());
/// assert_eq!(evaluate(&policy, &view).kind(), RequestKind::Preflight);
/// ```
pub fn request_view<'r>(
    method: &'r Method,
    headers: &'r HeaderMap,
) -> Request<'r, HeaderLines<'r>> {
    HttpView::new(method, headers).request
}

/// A request viewed for the core ([`request_view`]), with the request's
/// own values of the headers an answer may echo (`Origin`, and for
/// `OPTIONS` the method and header list) kept aside when they have one
/// line, so writing the answer clones them without a new lookup.
///
/// ```
/// use cors_policy::Policy;
/// use cors_policy_http::{HttpStack, HttpView, Prepared, write_preflight};
/// let policy: &'static Policy<'static> =
///     Box::leak(Box::new(Policy::builder().allow_origins(&["https://a.example"]).build().unwrap()));
/// let prepared = Prepared::<HttpStack>::new(policy);
/// let req = http::Request::options("/")
///     .header("origin", "https://a.example")
///     .header("access-control-request-method", "GET")
///     .body(())
///     .unwrap();
/// let view = HttpView::new(req.method(), req.headers());
/// let decision = prepared.policy().evaluate(view.request(), &Default::default());
/// let mut out = http::HeaderMap::new();
/// write_preflight(&decision, &view, &prepared, &mut out);
/// assert_eq!(out["access-control-allow-origin"], "https://a.example");
/// ```
#[derive(Debug)]
pub struct HttpView<'r> {
    request: Request<'r, HeaderLines<'r>>,
    map: &'r HeaderMap,
    /// `Origin`, ACRM and ACRH, when looked up and of one line.
    single: [Option<&'r HeaderValue>; 3],
}

impl<'r> HttpView<'r> {
    /// Views a request's method and headers, as [`request_view`] does.
    pub fn new(method: &'r Method, headers: &'r HeaderMap) -> Self {
        if *method == Method::OPTIONS {
            return Self::options(method, headers);
        }
        let mut single = [None; 3];
        let request = Request::from_fn(method.as_str().as_bytes(), |h| match h {
            CorsRequestHeader::Origin => {
                let lines = HeaderLines::new(headers, h);
                single[0] = lines.single();
                lines
            }
            _ => HeaderLines::deferred(headers, h),
        });
        HttpView {
            request,
            map: headers,
            single,
        }
    }

    /// An `OPTIONS` request (maybe a preflight): `Origin`, ACRM and ACRH
    /// are found in one pass over the request's headers, which costs less
    /// than three lookups (each hashes a name) for the dozen or so headers
    /// a browser's preflight carries.
    fn options(method: &'r Method, headers: &'r HeaderMap) -> Self {
        let mut found: [(Option<&'r HeaderValue>, usize); 3] = [(None, 0); 3];
        for (name, value) in headers {
            let slot = if *name == header::ORIGIN {
                &mut found[0]
            } else if *name == header::ACCESS_CONTROL_REQUEST_METHOD {
                &mut found[1]
            } else if *name == header::ACCESS_CONTROL_REQUEST_HEADERS {
                &mut found[2]
            } else {
                continue;
            };
            if slot.0.is_none() {
                slot.0 = Some(value);
            }
            slot.1 += 1;
        }
        let mut single = [None; 3];
        let request = Request::from_fn(method.as_str().as_bytes(), |h| {
            let i = match h {
                CorsRequestHeader::Origin => 0,
                CorsRequestHeader::AccessControlRequestMethod => 1,
                CorsRequestHeader::AccessControlRequestHeaders => 2,
                _ => return HeaderLines::deferred(headers, h),
            };
            let (first, count) = found[i];
            let lines = HeaderLines::scanned(headers, h, first, count);
            single[i] = lines.single();
            lines
        });
        HttpView {
            request,
            map: headers,
            single,
        }
    }

    /// The core's view of the request.
    pub fn request(&self) -> &Request<'r, HeaderLines<'r>> {
        &self.request
    }

    /// The request's own value of `header` whose bytes are `bytes`, if one
    /// is: a kept value costs a comparison, another header a lookup.
    ///
    /// ```
    /// use cors_policy::CorsRequestHeader;
    /// let req = http::Request::get("/").header("origin", "https://a.example").body(()).unwrap();
    /// let view = cors_policy_http::HttpView::new(req.method(), req.headers());
    /// assert_eq!(view.value(CorsRequestHeader::Origin, b"https://a.example").unwrap(), "https://a.example");
    /// assert!(view.value(CorsRequestHeader::Origin, b"https://b.example").is_none());
    /// ```
    #[inline]
    pub fn value(&self, header: CorsRequestHeader, bytes: &[u8]) -> Option<&'r HeaderValue> {
        let slot = match header {
            CorsRequestHeader::Origin => 0,
            CorsRequestHeader::AccessControlRequestMethod => 1,
            CorsRequestHeader::AccessControlRequestHeaders => 2,
            _ => 3,
        };
        match self.single.get(slot).copied().flatten() {
            Some(v) => same_bytes(v, bytes).then_some(v),
            None => self
                .map
                .get_all(request_header_name(header))
                .iter()
                .find(|v| same_bytes(v, bytes)),
        }
    }
}

/// [`request_view`] of a request's [`Parts`].
///
/// ```
/// let (parts, ()) = http::Request::get("/").body(()).unwrap().into_parts();
/// assert_eq!(cors_policy_http::parts_view(&parts).method(), b"GET");
/// ```
pub fn parts_view(parts: &Parts) -> Request<'_, HeaderLines<'_>> {
    request_view(&parts.method, &parts.headers)
}

/// The `http` name of a CORS response header (constants: no allocation).
///
/// ```
/// use cors_policy::ResponseHeader;
/// assert_eq!(cors_policy_http::response_header_name(ResponseHeader::MaxAge), Some(http::header::ACCESS_CONTROL_MAX_AGE));
/// ```
#[inline]
pub fn response_header_name(h: ResponseHeader) -> Option<HeaderName> {
    Some(match h {
        ResponseHeader::AllowOrigin => header::ACCESS_CONTROL_ALLOW_ORIGIN,
        ResponseHeader::AllowCredentials => header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
        ResponseHeader::AllowMethods => header::ACCESS_CONTROL_ALLOW_METHODS,
        ResponseHeader::AllowHeaders => header::ACCESS_CONTROL_ALLOW_HEADERS,
        ResponseHeader::MaxAge => header::ACCESS_CONTROL_MAX_AGE,
        ResponseHeader::ExposeHeaders => header::ACCESS_CONTROL_EXPOSE_HEADERS,
        ResponseHeader::AllowPrivateNetwork => ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
        other => return HeaderName::from_bytes(other.lowercase().as_bytes()).ok(),
    })
}

/// The joined `Vary` value of a decision ([`Decision::vary_value`]) as a
/// header value made at compile time, for every set the core names; `None`
/// for an empty value or one it does not know (the caller then merges the
/// tokens one by one).
///
/// ```
/// assert_eq!(cors_policy_http::vary_header("Origin").unwrap(), "Origin");
/// assert!(cors_policy_http::vary_header("").is_none());
/// ```
#[inline]
pub fn vary_header(joined: &str) -> Option<HeaderValue> {
    const ORIGIN: HeaderValue = HeaderValue::from_static(VARY_ORIGIN);
    const PREFLIGHT: HeaderValue = HeaderValue::from_static(VARY_PREFLIGHT);
    const PREFLIGHT_ORIGIN: HeaderValue = HeaderValue::from_static(VARY_PREFLIGHT_ORIGIN);
    const PREFLIGHT_PNA: HeaderValue = HeaderValue::from_static(VARY_PREFLIGHT_PNA);
    const PREFLIGHT_ORIGIN_PNA: HeaderValue = HeaderValue::from_static(VARY_PREFLIGHT_ORIGIN_PNA);
    Some(match joined {
        VARY_ORIGIN => ORIGIN,
        VARY_PREFLIGHT_ORIGIN => PREFLIGHT_ORIGIN,
        VARY_PREFLIGHT => PREFLIGHT,
        VARY_PREFLIGHT_ORIGIN_PNA => PREFLIGHT_ORIGIN_PNA,
        VARY_PREFLIGHT_PNA => PREFLIGHT_PNA,
        _ => return None,
    })
}

/// Adds `tokens` to `map`'s `Vary`: appended to what is there, never
/// overwriting it, and without repeating a token already present (any
/// case). A response that varies on `*` is left alone. A map without
/// `Vary` gets the tokens as one line, with no parsing.
///
/// ```
/// use http::{HeaderMap, HeaderValue, header::VARY};
/// let mut map = HeaderMap::new();
/// map.insert(VARY, HeaderValue::from_static("accept-encoding, origin"));
/// cors_policy_http::merge_vary(&mut map, &["Origin", "Access-Control-Request-Method"]);
/// let all: Vec<_> = map.get_all(VARY).iter().collect();
/// assert_eq!(all, ["accept-encoding, origin", "Access-Control-Request-Method"]);
/// ```
pub fn merge_vary(map: &mut HeaderMap, tokens: &'static [&'static str]) {
    merge_vary_tokens::<HttpStack>(map, tokens);
}

/// Removes every CORS response header from `map`, so the decision's are
/// the only ones sent. A map holding none (seen in one pass over its
/// names, no hashing) is left untouched.
pub fn strip_cors_headers(map: &mut HeaderMap) {
    if !map
        .keys()
        .any(|n| n.as_str().starts_with("access-control-"))
    {
        return;
    }
    HttpStack::remove_cors(map);
}

/// Prepared answers' header maps, one per shape ([`Answer::shape`]), made
/// on first use: writing an answer into a new (or empty) map then clones
/// one, the two allocations any non-empty map makes, and sets the echoed
/// values in place, without hashing a name. One per policy
/// ([`Prepared::cache`](crate::Prepared::cache)); 4 KiB of slots.
pub struct HttpTemplates {
    slots: Box<[OnceLock<Option<HttpTemplate>>; 256]>,
}

impl Default for HttpTemplates {
    fn default() -> Self {
        HttpTemplates {
            slots: Box::new(std::array::from_fn(|_| OnceLock::new())),
        }
    }
}

impl fmt::Debug for HttpTemplates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let made = self.slots.iter().filter(|s| s.get().is_some()).count();
        f.debug_struct("HttpTemplates")
            .field("made", &made)
            .finish()
    }
}

impl HttpTemplates {
    /// The template of `answer`'s shape, made now (with the policy's
    /// `fixed` values) if it is the first of its shape. `None` when the
    /// answer's `Vary` is not one the core names as a whole (then it is
    /// written header by header).
    #[inline]
    pub fn get(
        &self,
        answer: &Answer<HeaderValue>,
        fixed: Fixed<'_, HeaderValue>,
    ) -> Option<&HttpTemplate> {
        let slot = self.slots.get(usize::from(answer.shape()))?;
        let t = slot
            .get_or_init(|| HttpTemplate::build(answer, fixed))
            .as_ref()?;
        // A policy's answers of one shape have one `Vary`; checked anyway.
        let (a, b) = (t.0.vary, answer.vary_value);
        ((a.as_ptr() == b.as_ptr() && a.len() == b.len()) || a == b).then_some(t)
    }
}

/// The header map of one shape of answer: every name in the order the
/// answer lists them, the values the policy fixes, and empty values
/// where the request's are echoed. Cloning it is a reference count.
#[derive(Clone, Debug)]
pub struct HttpTemplate(Arc<TemplateMap>);

#[derive(Debug)]
struct TemplateMap {
    map: HeaderMap,
    vary: &'static str,
    max_age: Option<HeaderValue>,
    expose: Option<HeaderValue>,
}

impl HttpTemplate {
    fn build(answer: &Answer<HeaderValue>, fixed: Fixed<'_, HeaderValue>) -> Option<HttpTemplate> {
        const ECHOED: HeaderValue = HeaderValue::from_static("");
        let vary = match answer.vary_value {
            "" => None,
            joined => Some(vary_header(joined)?),
        };
        let max_age = fixed.max_age.filter(|_| answer.max_age).cloned();
        let expose = fixed.expose.filter(|_| answer.expose).cloned();
        if (answer.max_age && max_age.is_none()) || (answer.expose && expose.is_none()) {
            return None;
        }
        let present = |p: bool, v: &HeaderValue| p.then(|| v.clone());
        let entries = [
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                present(answer.origin.is_some(), &ECHOED),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
                present(answer.credentials, &HttpStack::TRUE),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_METHODS,
                present(answer.methods.is_some(), &ECHOED),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                present(answer.headers.is_some(), &ECHOED),
            ),
            (header::ACCESS_CONTROL_MAX_AGE, max_age.clone()),
            (header::ACCESS_CONTROL_EXPOSE_HEADERS, expose.clone()),
            (
                ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK,
                present(answer.private_network, &HttpStack::TRUE),
            ),
            (header::VARY, vary),
        ];
        let mut map = HeaderMap::with_capacity(entries.iter().filter(|e| e.1.is_some()).count());
        for (name, value) in entries {
            if let Some(v) = value {
                map.append(name, v);
            }
        }
        Some(HttpTemplate(Arc::new(TemplateMap {
            map,
            vary: answer.vary_value,
            max_age,
            expose,
        })))
    }

    /// The values the policy fixes, as this template holds them.
    pub fn fixed(&self) -> Fixed<'_, HeaderValue> {
        Fixed {
            max_age: self.0.max_age.as_ref(),
            expose: self.0.expose.as_ref(),
        }
    }

    /// A new map holding `answer`, which has this template's shape.
    #[inline]
    pub fn instantiate(&self, answer: Answer<HeaderValue>) -> HeaderMap {
        let mut map = self.0.map.clone();
        let mut slots = map.values_mut();
        let mut set = |v: HeaderValue| {
            if let Some(slot) = slots.next() {
                *slot = v;
            }
        };
        // The echoed values, in the template's order; the others are the
        // policy's, already in place.
        if let Some(v) = answer.origin {
            set(v);
        }
        if answer.credentials {
            set(HttpStack::TRUE);
        }
        if let Some(v) = answer.methods {
            set(v);
        }
        if let Some(v) = answer.headers {
            set(v);
        }
        map
    }
}
