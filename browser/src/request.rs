//! The request a page makes, and the preflight a browser sends before it.

use core::cmp::Ordering;
use core::fmt;

use crate::bytes::{Lower, cmp_ignore_case, trim_http_whitespace};
use crate::safelist::{
    MAX_SAFELISTED_TOTAL_LEN, NotSafelisted, is_forbidden_request_header, is_safelisted_method,
    safelisted_request_header,
};

/// A cross-origin request as a page's script makes it with `fetch()` in
/// `"cors"` mode: the page's origin, the method, the headers the script set
/// and whether credentials are included.
///
/// `K` and `V` are any byte strings (`&str`, `String`, `&[u8]`, ...). Values
/// are normalized as `Headers` does (leading and trailing HTTP whitespace
/// removed), and forbidden request-headers are ignored, as `Headers` drops
/// them silently (Fetch, "forbidden request-header").
///
/// ```
/// use cors_policy_browser::BrowserRequest;
/// let headers = [("Content-Type", "application/json"), ("X-Trace", "1"), ("accept", "*/*")];
/// let request = BrowserRequest::new("https://app.example", "POST", &headers, false);
/// assert!(request.needs_preflight());
/// let preflight = request.preflight().unwrap();
/// assert_eq!(preflight.method, "POST");
/// assert_eq!(preflight.request_headers().unwrap().to_string(), "content-type,x-trace");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct BrowserRequest<'a, K, V> {
    /// The page's origin, serialized as browsers send it in `Origin`
    /// (`https://app.example`, `http://localhost:3000`, or `null`).
    pub origin: &'a str,
    /// The method, already normalized (see [`normalize_method`](crate::normalize_method)).
    pub method: &'a str,
    /// The request headers the script set, in order.
    pub headers: &'a [(K, V)],
    /// Is the credentials mode `"include"` (cookies and HTTP authentication
    /// sent, `credentials: "include"` or `withCredentials`)?
    pub credentials: bool,
}

impl<'a, K: AsRef<[u8]>, V: AsRef<[u8]>> BrowserRequest<'a, K, V> {
    /// A request from `origin` with `method`, `headers` and credentials
    /// mode `"include"` when `credentials` is true.
    pub fn new(origin: &'a str, method: &'a str, headers: &'a [(K, V)], credentials: bool) -> Self {
        BrowserRequest {
            origin,
            method,
            headers,
            credentials,
        }
    }

    /// The headers the browser keeps: forbidden ones dropped, values
    /// normalized.
    pub fn header_list(
        &self,
    ) -> impl Iterator<Item = (&'a [u8], &'a [u8])> + Clone + use<'a, K, V> {
        let headers: &'a [(K, V)] = self.headers;
        headers
            .iter()
            .map(|(n, v)| (n.as_ref(), trim_http_whitespace(v.as_ref())))
            .filter(|(n, v)| !is_forbidden_request_header(n, v))
    }

    /// Fetch, "CORS-unsafe request-header names": the names of the headers
    /// that are not CORS-safelisted, lower-cased, sorted and without
    /// duplicates, as they go into `Access-Control-Request-Headers`.
    pub fn unsafe_header_names(&self) -> UnsafeNames<'a, K, V> {
        let total: usize = self
            .header_list()
            .filter(|(n, v)| safelisted_request_header(n, v).is_ok())
            .map(|(_, v)| v.len())
            .sum();
        UnsafeNames {
            headers: self.headers,
            over_total: total > MAX_SAFELISTED_TOTAL_LEN,
            total,
            last: None,
        }
    }

    /// Each header the browser keeps, with the reason it is not safelisted
    /// (`Ok(())` for a safelisted one), the request-wide 1,024-byte limit
    /// included. For explaining why a preflight is sent.
    ///
    /// ```
    /// use cors_policy_browser::{BrowserRequest, NotSafelisted};
    /// let headers = [("Accept", "*/*"), ("Content-Type", "application/json")];
    /// let request = BrowserRequest::new("https://app.example", "POST", &headers, false);
    /// let verdicts: Vec<_> = request.header_verdicts().map(|(_, _, v)| v).collect();
    /// assert_eq!(verdicts, [Ok(()), Err(NotSafelisted::MimeEssence)]);
    /// ```
    pub fn header_verdicts(
        &self,
    ) -> impl Iterator<Item = (&'a [u8], &'a [u8], Result<(), NotSafelisted>)> + use<'a, K, V> {
        let names = self.unsafe_header_names();
        let (over, total) = (names.over_total, names.total);
        self.header_list().map(move |(n, v)| {
            let verdict = match safelisted_request_header(n, v) {
                Ok(()) if over => Err(NotSafelisted::TotalTooLong { total }),
                other => other,
            };
            (n, v, verdict)
        })
    }

    /// Does the browser send a CORS-preflight request first? Yes when the
    /// method is not CORS-safelisted or a request header is CORS-unsafe
    /// (Fetch, "HTTP fetch", step 4.1, with an empty preflight cache; see
    /// [`PreflightCache`](crate::PreflightCache) for a warm one).
    pub fn needs_preflight(&self) -> bool {
        !is_safelisted_method(self.method.as_bytes()) || self.unsafe_header_names().next().is_some()
    }

    /// The preflight the browser sends, if one is needed (Fetch,
    /// "CORS-preflight fetch", steps 1 to 5).
    pub fn preflight(&self) -> Option<Preflight<'a, K, V>> {
        self.needs_preflight().then(|| {
            let names = self.unsafe_header_names();
            Preflight {
                origin: self.origin,
                method: self.method,
                headers: names.clone().next().is_some().then_some(names),
            }
        })
    }
}

/// The CORS-preflight request a browser sends: `OPTIONS` with `Origin`,
/// `Accept: */*`, `Access-Control-Request-Method` and, when some header is
/// CORS-unsafe, `Access-Control-Request-Headers`; never credentials
/// (Fetch, "CORS-preflight fetch", steps 1 to 5).
#[derive(Clone, Debug)]
pub struct Preflight<'a, K, V> {
    /// The `Origin` value.
    pub origin: &'a str,
    /// The `Access-Control-Request-Method` value: the request's method.
    pub method: &'a str,
    headers: Option<UnsafeNames<'a, K, V>>,
}

impl<'a, K: AsRef<[u8]>, V: AsRef<[u8]>> Preflight<'a, K, V> {
    /// The `Access-Control-Request-Headers` value, if one is sent: the
    /// CORS-unsafe names joined by `,` with no space (step 5: the standard
    /// deliberately does not use ", ").
    pub fn request_headers(&self) -> Option<UnsafeNames<'a, K, V>> {
        self.headers.clone()
    }
}

/// The CORS-unsafe request-header names of a request, lower-case, sorted
/// and deduplicated (Fetch, "CORS-unsafe request-header names"); see
/// [`BrowserRequest::unsafe_header_names`].
///
/// It stores nothing: each step scans the request's headers for the next
/// name in order, so it takes time quadratic in their count (a request has
/// a handful) and no memory. `Display` writes them joined by `,`, as
/// `Access-Control-Request-Headers` carries them.
///
/// ```
/// use cors_policy_browser::BrowserRequest;
/// let headers = [("X-B", "1"), ("x-a", "2"), ("X-A", "3"), ("Accept", "text/html")];
/// let request = BrowserRequest::new("https://app.example", "GET", &headers, false);
/// let names: Vec<&[u8]> = request.unsafe_header_names().collect();
/// assert_eq!(names, [&b"x-a"[..], b"X-B"]); // as written, in lower-case order
/// assert_eq!(request.unsafe_header_names().to_string(), "x-a,x-b");
/// ```
#[derive(Debug)]
pub struct UnsafeNames<'a, K, V> {
    headers: &'a [(K, V)],
    over_total: bool,
    total: usize,
    last: Option<&'a [u8]>,
}

impl<K, V> Clone for UnsafeNames<'_, K, V> {
    fn clone(&self) -> Self {
        UnsafeNames {
            headers: self.headers,
            over_total: self.over_total,
            total: self.total,
            last: self.last,
        }
    }
}

impl<'a, K: AsRef<[u8]>, V: AsRef<[u8]>> Iterator for UnsafeNames<'a, K, V> {
    /// A name as the script wrote it; compare ignoring case.
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let headers: &'a [(K, V)] = self.headers;
        let mut best: Option<&'a [u8]> = None;
        for (name, value) in headers {
            let n = name.as_ref();
            // Cheap comparisons first: only a name between the last one
            // given and the best so far needs the safelist checks.
            if self
                .last
                .is_some_and(|l| cmp_ignore_case(n, l) != Ordering::Greater)
                || best.is_some_and(|b| cmp_ignore_case(n, b) != Ordering::Less)
            {
                continue;
            }
            let v = trim_http_whitespace(value.as_ref());
            if is_forbidden_request_header(n, v)
                || (!self.over_total && safelisted_request_header(n, v).is_ok())
            {
                continue;
            }
            best = Some(n);
        }
        self.last = best.or(self.last);
        best
    }
}

impl<K: AsRef<[u8]>, V: AsRef<[u8]>> fmt::Display for UnsafeNames<'_, K, V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, name) in self.clone().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            write!(f, "{}", Lower(name))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::ToString;

    use super::*;

    fn acrh(headers: &[(&str, &str)]) -> Option<std::string::String> {
        BrowserRequest::new("https://a.example", "GET", headers, false)
            .preflight()
            .and_then(|p| p.request_headers())
            .map(|n| n.to_string())
    }

    #[test]
    fn names_are_lowercased_sorted_and_deduplicated() {
        let h = [
            ("X-B", "1"),
            ("x-a", "2"),
            ("Content-Type", "application/json"),
            ("X-A", "3"),
            ("Accept", "text/html"),
        ];
        assert_eq!(acrh(&h).as_deref(), Some("content-type,x-a,x-b"));
    }

    #[test]
    fn safelisted_only_needs_no_preflight() {
        let h = [
            ("accept", "text/html"),
            ("content-type", "text/plain"),
            ("range", "bytes=0-9"),
        ];
        let r = BrowserRequest::new("https://a.example", "POST", &h, true);
        assert!(!r.needs_preflight());
        assert_eq!(acrh(&h), None);
    }

    #[test]
    fn forbidden_headers_are_dropped() {
        let h = [
            ("Cookie", "a=b"),
            ("Sec-Foo", "x"),
            ("Origin", "https://evil.example"),
        ];
        let r = BrowserRequest::new("https://a.example", "GET", &h, false);
        assert!(!r.needs_preflight());
    }

    #[test]
    fn method_alone_triggers_preflight_without_acrh() {
        let h: [(&str, &str); 0] = [];
        let r = BrowserRequest::new("https://a.example", "PUT", &h, false);
        let p = r.preflight().unwrap();
        assert_eq!(p.method, "PUT");
        assert!(p.request_headers().is_none());
    }

    #[test]
    fn total_over_1024_makes_every_safelisted_header_unsafe() {
        let v = "a".repeat(128);
        let names = [
            "accept", "accept", "accept", "accept", "accept", "accept", "accept",
        ];
        let mut h: std::vec::Vec<(&str, &str)> = names.iter().map(|n| (*n, v.as_str())).collect();
        h.push(("content-language", "en"));
        // 7 * 128 + 2 = 898: still safelisted.
        assert_eq!(acrh(&h), None);
        h.push(("accept-language", &v[..127]));
        // 898 + 127 = 1025: every safelisted one is now unsafe.
        assert_eq!(
            acrh(&h).as_deref(),
            Some("accept,accept-language,content-language")
        );
        let r = BrowserRequest::new("https://a.example", "GET", &h, false);
        assert!(
            r.header_verdicts()
                .all(|(_, _, v)| v == Err(NotSafelisted::TotalTooLong { total: 1025 }))
        );
    }

    #[test]
    fn repeated_safelisted_headers_are_checked_one_by_one() {
        // The standard checks each header-list entry: two 98-byte values
        // stay safelisted. (Chromium 156 joins them into one 198-byte value
        // and preflights; see the crate docs.)
        let v = "en-US,en;q=0.9,de-DE;q=0.8,de;q=0.7,fr-FR;q=0.6,fr;q=0.5,it-IT;q=0.4,it;q=0.3,es-ES;q=0.2,es;q=0.1";
        assert_eq!(v.len(), 98);
        let h = [("Accept-Language", v), ("Accept-Language", v)];
        assert_eq!(acrh(&h), None);
    }

    #[test]
    fn values_are_normalized_before_the_checks() {
        let h = [("content-type", " text/plain \t")];
        assert_eq!(acrh(&h), None);
    }
}
