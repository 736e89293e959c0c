//! The `http` 1.x crate's stack (tower, axum, hyper, and any server on
//! `http`'s types): the [`Backend`] primitives over its [`HeaderMap`].

mod template;
mod view;

use cors_policy::{CorsRequestHeader, Request, ResponseHeader};
use http::header::{self, HeaderMap, HeaderName, HeaderValue};

use crate::answer::{Answer, Echo, Fixed};
use crate::backend::Backend;
use crate::vary::vary_values;

pub use template::{Template, Templates};
pub use view::{HeaderLines, HttpView};

/// `Access-Control-Allow-Private-Network` (not among `http`'s constants).
const ACCESS_CONTROL_ALLOW_PRIVATE_NETWORK: HeaderName =
    HeaderName::from_static("access-control-allow-private-network");

/// The `http` name of a CORS response header (constants: no allocation).
#[inline]
fn response_header_name(h: ResponseHeader) -> Option<HeaderName> {
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

vary_values!(vary_value, HeaderValue);

impl Backend for HeaderMap {
    type Lines<'r> = HeaderLines<'r>;
    type View<'r> = HttpView<'r>;
    type Value = HeaderValue;
    type Cache = Templates;
    type Template = Template;

    const STAR: HeaderValue = HeaderValue::from_static("*");
    const TRUE: HeaderValue = HeaderValue::from_static("true");

    #[inline]
    fn view<'r>(method: &'r str, headers: &'r HeaderMap) -> HttpView<'r> {
        HttpView::new(method, headers)
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
        view.value(header, bytes)
    }

    #[inline]
    fn own_values<'r>(
        view: &Self::View<'r>,
        header: CorsRequestHeader,
    ) -> impl Iterator<Item = &'r HeaderValue> {
        view.values(header)
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
        self.get_all(header::VARY).iter().map(HeaderValue::as_bytes)
    }

    const PREPARES: bool = true;

    #[inline]
    fn template<'c>(
        cache: &'c Templates,
        answer: &Answer<HeaderValue>,
        fixed: Fixed<'_, HeaderValue>,
    ) -> Option<&'c Template> {
        cache.get(answer, fixed)
    }

    #[inline]
    fn made_template<'c>(cache: &'c Templates, shape: u8, vary: &str) -> Option<&'c Template> {
        cache.made(shape, vary)
    }

    #[inline]
    fn instantiate(&mut self, template: &Template, echo: Echo<'_, HeaderValue>) {
        template.instantiate(self, echo);
    }

    #[inline]
    fn template_fixed(template: &Template) -> Fixed<'_, HeaderValue> {
        template.fixed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_names_are_the_cores() {
        for h in ResponseHeader::ALL {
            assert_eq!(response_header_name(h).unwrap().as_str(), h.lowercase());
        }
    }

    #[test]
    fn vary_values_are_the_sets() {
        for joined in crate::vary::SETS {
            assert_eq!(vary_value(joined).unwrap(), joined);
        }
        assert!(vary_value("Cookie").is_none());
        assert!(vary_value("").is_none());
    }
}
