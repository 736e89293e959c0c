//! The CORS-preflight cache: how long a browser reuses a preflight's answer.

use crate::bytes::cmp_ignore_case;
use crate::check::PreflightOk;
use crate::request::BrowserRequest;
use crate::safelist::{is_non_wildcard_request_header_name, is_safelisted_method};

/// How long a preflight's answer is kept without `Access-Control-Max-Age`
/// (or with an invalid one), in seconds (Fetch, "CORS-preflight fetch",
/// step 7.9).
pub const DEFAULT_MAX_AGE: u64 = 5;

/// A browser engine, for the limit it imposes on `Access-Control-Max-Age`
/// (Fetch, "CORS-preflight fetch", step 7.10: "an imposed limit").
///
/// ```
/// use cors_policy_browser::Engine;
/// assert_eq!(Engine::Chromium.cached_seconds(Some(86_400)), 7_200);
/// assert_eq!(Engine::WebKit.cached_seconds(Some(3_600)), 600);
/// assert_eq!(Engine::Firefox.cached_seconds(None), 5);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Engine {
    /// Chrome, Edge, Opera: at most 7,200 s (two hours).
    Chromium,
    /// Firefox: at most 86,400 s (one day).
    Firefox,
    /// Safari: at most 600 s (ten minutes).
    WebKit,
}

impl Engine {
    /// All three.
    pub const ALL: [Engine; 3] = [Engine::Chromium, Engine::Firefox, Engine::WebKit];

    /// The engine's name.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "Chromium",
            Engine::Firefox => "Firefox",
            Engine::WebKit => "WebKit",
        }
    }

    /// The longest time the engine caches a preflight, in seconds.
    pub fn max_age_cap(self) -> u64 {
        match self {
            Engine::Chromium => 7_200,
            Engine::Firefox => 86_400,
            Engine::WebKit => 600,
        }
    }

    /// How long the engine caches a preflight whose response gave
    /// `max_age` ([`PreflightOk::max_age`]): [`DEFAULT_MAX_AGE`] when
    /// absent, capped at [`Engine::max_age_cap`]; `0` means not at all.
    pub fn cached_seconds(self, max_age: Option<u64>) -> u64 {
        max_age.unwrap_or(DEFAULT_MAX_AGE).min(self.max_age_cap())
    }
}

/// What one cache entry allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Item<'a> {
    Method(&'a [u8]),
    Header(&'a [u8]),
}

#[derive(Clone, Copy, Debug)]
struct Entry<'a> {
    origin: &'a str,
    url: &'a str,
    credentials: bool,
    item: Item<'a>,
    expires: u64,
}

/// A browser's CORS-preflight cache (Fetch, "CORS-preflight cache"), with
/// room for `N` entries and a clock the caller supplies (seconds).
///
/// Entries are keyed by origin, URL and credentials, one per allowed method
/// or header name. A `*` entry matches only requests without credentials,
/// as the preflight check itself treats `*` (the standard's text lets a
/// credentialed `*` entry match too; Chromium re-checks and does not). When
/// full, the entry that expires first makes room. Network partitioning
/// is not modelled: one page, one partition.
///
/// ```
/// use cors_policy_browser::{check_preflight, BrowserRequest, Engine, PreflightCache, Response};
/// let put = BrowserRequest::<&str, &str>::new("https://app.example", "PUT", &[], false);
/// let answer = [
///     ("access-control-allow-origin", "https://app.example"),
///     ("access-control-allow-methods", "PUT"),
///     ("access-control-max-age", "86400"),
/// ];
/// let ok = check_preflight(&put, &Response::new(204, &answer)).unwrap();
/// let mut cache = PreflightCache::<8>::new();
/// let url = "https://api.example/items";
/// cache.store(&put, url, &ok, Engine::WebKit, 0);
/// assert!(!cache.needs_preflight(&put, url, 599));
/// assert!(cache.needs_preflight(&put, url, 600)); // WebKit caps at 600 s
/// ```
#[derive(Clone, Debug)]
pub struct PreflightCache<'a, const N: usize> {
    entries: [Option<Entry<'a>>; N],
}

impl<const N: usize> Default for PreflightCache<'_, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a, const N: usize> PreflightCache<'a, N> {
    /// An empty cache.
    pub const fn new() -> Self {
        PreflightCache { entries: [None; N] }
    }

    /// How many live entries there are at time `now`.
    pub fn len(&self, now: u64) -> usize {
        self.entries
            .iter()
            .flatten()
            .filter(|e| e.expires > now)
            .count()
    }

    /// Is the cache empty at time `now`?
    pub fn is_empty(&self, now: u64) -> bool {
        self.len(now) == 0
    }

    /// Fetch, "cache entry match": same origin and URL, not expired, and
    /// a credentialed request needs an entry made with credentials.
    fn matches(e: &Entry<'_>, origin: &str, url: &str, credentials: bool, now: u64) -> bool {
        e.expires > now && e.origin == origin && e.url == url && (e.credentials || !credentials)
    }

    fn find(&self, origin: &str, url: &str, credentials: bool, now: u64, item: Item<'_>) -> bool {
        self.entries.iter().flatten().any(|e| {
            Self::matches(e, origin, url, credentials, now)
                && match (e.item, item) {
                    // "method cache entry match": the method, byte-exact, or `*`.
                    (Item::Method(m), Item::Method(want)) => {
                        m == want || (m == b"*" && !e.credentials && !credentials)
                    }
                    // "header-name cache entry match": the name ignoring
                    // case, or `*` for all but `authorization`.
                    (Item::Header(h), Item::Header(want)) => {
                        cmp_ignore_case(h, want).is_eq()
                            || (h == b"*"
                                && !is_non_wildcard_request_header_name(want)
                                && !e.credentials
                                && !credentials)
                    }
                    _ => false,
                }
        })
    }

    /// Does `request` to `url` need a preflight at time `now`, given what
    /// is cached? (Fetch, "HTTP fetch", step 4.1: a method not safelisted
    /// without a method cache entry match, or a CORS-unsafe request-header
    /// name without a header-name cache entry match.)
    pub fn needs_preflight<K: AsRef<[u8]>, V: AsRef<[u8]>>(
        &self,
        request: &BrowserRequest<'_, K, V>,
        url: &str,
        now: u64,
    ) -> bool {
        let (o, c) = (request.origin, request.credentials);
        let method = request.method.as_bytes();
        (!is_safelisted_method(method) && !self.find(o, url, c, now, Item::Method(method)))
            || request
                .unsafe_header_names()
                .any(|h| !self.find(o, url, c, now, Item::Header(h)))
    }

    /// Records an accepted preflight's answer (Fetch, "CORS-preflight
    /// fetch", steps 7.8 to 7.15) for `engine`'s limits, at time `now`.
    /// A max age of 0 stores nothing.
    pub fn store<K, V, RK, RV>(
        &mut self,
        request: &BrowserRequest<'a, K, V>,
        url: &'a str,
        ok: &PreflightOk<'a, RK, RV>,
        engine: Engine,
        now: u64,
    ) where
        K: AsRef<[u8]>,
        V: AsRef<[u8]>,
        RK: AsRef<[u8]>,
        RV: AsRef<[u8]>,
    {
        let seconds = engine.cached_seconds(ok.max_age);
        if seconds == 0 {
            return;
        }
        let expires = now.saturating_add(seconds);
        if let Some(methods) = &ok.methods {
            for m in methods.iter() {
                self.put(request, url, Item::Method(m), expires);
            }
        }
        if let Some(names) = &ok.headers {
            for h in names.iter() {
                self.put(request, url, Item::Header(h), expires);
            }
        }
    }

    fn put<K, V>(
        &mut self,
        request: &BrowserRequest<'a, K, V>,
        url: &'a str,
        item: Item<'a>,
        expires: u64,
    ) {
        let entry = Entry {
            origin: request.origin,
            url,
            credentials: request.credentials,
            item,
            expires,
        };
        // Steps 7.12 and 7.14: an entry for the same key is refreshed.
        let same = |e: &Entry<'_>| {
            e.origin == entry.origin
                && e.url == entry.url
                && e.credentials == entry.credentials
                && match (e.item, item) {
                    (Item::Method(a), Item::Method(b)) => a == b,
                    (Item::Header(a), Item::Header(b)) => cmp_ignore_case(a, b).is_eq(),
                    _ => false,
                }
        };
        let slot = match self
            .entries
            .iter()
            .position(|e| e.as_ref().is_some_and(same))
        {
            Some(i) => Some(i),
            None => match self.entries.iter().position(Option::is_none) {
                Some(i) => Some(i),
                None => (0..N).min_by_key(|&i| {
                    self.entries
                        .get(i)
                        .and_then(|e| e.map(|e| e.expires))
                        .unwrap_or(0)
                }),
            },
        };
        if let Some(e) = slot.and_then(|i| self.entries.get_mut(i)) {
            *e = Some(entry);
        }
    }

    /// Fetch, "clear cache entries": forgets what was cached for `origin`
    /// and `url`, as a browser does when a request that needed a preflight
    /// ends in a network error.
    pub fn clear(&mut self, origin: &str, url: &str) {
        for e in &mut self.entries {
            if e.as_ref()
                .is_some_and(|x| x.origin == origin && x.url == url)
            {
                *e = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Response, check_preflight};

    const URL: &str = "https://api.example/x";

    #[test]
    fn caps_and_default() {
        for (engine, cap) in [
            (Engine::Chromium, 7200),
            (Engine::Firefox, 86_400),
            (Engine::WebKit, 600),
        ] {
            assert_eq!(engine.max_age_cap(), cap);
            assert_eq!(engine.cached_seconds(None), DEFAULT_MAX_AGE);
            assert_eq!(engine.cached_seconds(Some(0)), 0);
            assert_eq!(engine.cached_seconds(Some(cap + 1)), cap);
            assert_eq!(engine.cached_seconds(Some(cap - 1)), cap - 1);
        }
    }

    #[test]
    fn cache_keys_on_method_headers_origin_url_and_credentials() {
        let h = [("X-A", "1")];
        let put = BrowserRequest::new("https://app.example", "PUT", &h, false);
        let resp = [
            ("access-control-allow-origin", "https://app.example"),
            ("access-control-allow-methods", "PUT"),
            ("access-control-allow-headers", "x-a"),
        ];
        let ok = check_preflight(&put, &Response::new(204, &resp)).unwrap();
        let mut cache = PreflightCache::<4>::new();
        assert!(cache.needs_preflight(&put, URL, 0));
        cache.store(&put, URL, &ok, Engine::Chromium, 100);
        assert_eq!(cache.len(100), 2);
        assert!(!cache.needs_preflight(&put, URL, 104));
        assert!(cache.needs_preflight(&put, URL, 105)); // default 5 s
        assert!(cache.needs_preflight(&put, "https://api.example/y", 101));
        let other = BrowserRequest::new("https://other.example", "PUT", &h, false);
        assert!(cache.needs_preflight(&other, URL, 101));
        let cred = BrowserRequest::new("https://app.example", "PUT", &h, true);
        assert!(cache.needs_preflight(&cred, URL, 101));
        let del = BrowserRequest::new("https://app.example", "DELETE", &h, false);
        assert!(cache.needs_preflight(&del, URL, 101));
        let more = [("X-A", "1"), ("x-b", "2")];
        let more = BrowserRequest::new("https://app.example", "PUT", &more, false);
        assert!(cache.needs_preflight(&more, URL, 101));
        cache.clear("https://app.example", URL);
        assert!(cache.is_empty(101));
    }

    #[test]
    fn wildcards_serve_only_uncredentialed_requests_and_never_authorization() {
        let h = [("x-a", "1")];
        let req = BrowserRequest::new("https://app.example", "PATCH", &h, false);
        let resp = [
            ("access-control-allow-origin", "https://app.example"),
            ("access-control-allow-methods", "*"),
            ("access-control-allow-headers", "*"),
            ("access-control-max-age", "60"),
        ];
        let ok = check_preflight(&req, &Response::new(204, &resp)).unwrap();
        let mut cache = PreflightCache::<4>::new();
        cache.store(&req, URL, &ok, Engine::Firefox, 0);
        let other = [("x-other", "1")];
        let other = BrowserRequest::new("https://app.example", "DELETE", &other, false);
        assert!(!cache.needs_preflight(&other, URL, 59));
        let auth = [("authorization", "t")];
        let auth = BrowserRequest::new("https://app.example", "GET", &auth, false);
        assert!(cache.needs_preflight(&auth, URL, 1));
    }

    #[test]
    fn full_cache_evicts_the_soonest_to_expire() {
        let mut cache = PreflightCache::<1>::new();
        let put_resp = [
            ("access-control-allow-origin", "https://app.example"),
            ("access-control-allow-methods", "PUT"),
            ("access-control-max-age", "60"),
        ];
        let del_resp = [
            ("access-control-allow-origin", "https://app.example"),
            ("access-control-allow-methods", "DELETE"),
            ("access-control-max-age", "60"),
        ];
        for (i, (m, resp)) in [("PUT", &put_resp), ("DELETE", &del_resp)]
            .into_iter()
            .enumerate()
        {
            let req = BrowserRequest::<&str, &str>::new("https://app.example", m, &[], false);
            let ok = check_preflight(&req, &Response::new(204, resp)).unwrap();
            cache.store(&req, URL, &ok, Engine::Chromium, i as u64);
        }
        let put = BrowserRequest::<&str, &str>::new("https://app.example", "PUT", &[], false);
        let del = BrowserRequest::<&str, &str>::new("https://app.example", "DELETE", &[], false);
        assert!(cache.needs_preflight(&put, URL, 2));
        assert!(!cache.needs_preflight(&del, URL, 2));
    }
}
