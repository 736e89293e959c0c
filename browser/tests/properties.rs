//! The browser model against the core: for random policies and
//! browser-shaped requests, a browser accepts the answers `evaluate` gives
//! exactly when the policy allows the request, with credentials and
//! without. "The policy allows" is read straight from the policy's lists
//! (docs/behaviour.md §2 and §4), never from the core.

use cors_policy::{PolicyBuilder, Request, RequestKind, evaluate};
use cors_policy_browser::{
    BrowserRequest, Engine, Exposed, PreflightCache, Response, check_preflight, cors_check,
    is_safelisted_method, is_safelisted_response_header_name,
};
use proptest::prelude::*;

/// A policy as plain lists, the oracle's input.
#[derive(Clone, Debug)]
struct Lists {
    any_origin: bool,
    origins: Vec<&'static str>,
    credentials: bool,
    methods: Vec<&'static str>,
    headers: Vec<&'static str>,
    expose: Vec<&'static str>,
    max_age: Option<u32>,
}

const ORIGIN_PATTERNS: &[&str] = &[
    "https://app.example",
    "https://*.app.example",
    "http://localhost:*",
    "null",
    "https://other.example",
];
const METHODS: &[&str] = &["PUT", "DELETE", "PATCH", "delete", "patch", "QUERY", "put"];
const HEADERS: &[&str] = &["x-a", "X-B", "content-type", "authorization", "*", "range"];
const EXPOSE: &[&str] = &["x-total", "ETag", "x-a"];

const REQUEST_ORIGINS: &[&str] = &[
    "https://app.example",
    "https://eu.app.example",
    "https://a.b.app.example",
    "https://app.example.evil",
    "https://evilapp.example",
    "http://app.example",
    "http://localhost:3000",
    "http://localhost",
    "http://localhost.evil:3000",
    "null",
    "https://other.example",
];
const REQUEST_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "patch", "OPTIONS", "QUERY",
];
const REQUEST_HEADERS: &[(&str, &str)] = &[
    ("X-A", "1"),
    ("x-b", "2"),
    ("X-C", "3"),
    ("Content-Type", "text/plain;charset=utf-8"),
    ("content-type", "application/json"),
    ("Authorization", "Bearer t"),
    ("Accept", "*/*"),
    ("Accept-Language", "en-US"),
    ("Range", "bytes=0-1"),
    ("range", "bytes=-5"),
    ("accept", LONG),
    ("Accept-Language", LANGS),
    ("content-language", LANGS),
];
/// 128 bytes, the most a safelisted value may have: nine of these exceed
/// the 1,024-byte total and make every safelisted header unsafe.
const LANGS: &str = "en-US,en;q=0.9,de-DE;q=0.8,de;q=0.7,fr-FR;q=0.6,fr;q=0.5,it-IT;q=0.4,it;q=0.3,es-ES;q=0.2,es;q=0.1,nl-NL;q=0.1,nl;q=0.1,pt;q=0.1";
const LONG: &str = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7";

fn subset(pool: &'static [&'static str], min: usize) -> impl Strategy<Value = Vec<&'static str>> {
    proptest::sample::subsequence(pool, min..=pool.len()).prop_shuffle()
}

fn policy_lists() -> impl Strategy<Value = Lists> {
    (
        any::<bool>(),
        subset(ORIGIN_PATTERNS, 1),
        any::<bool>(),
        prop_oneof![Just(vec!["*"]), subset(METHODS, 0)],
        prop_oneof![Just(vec!["*"]), subset(HEADERS, 0)],
        prop_oneof![Just(vec!["*"]), subset(EXPOSE, 0)],
        proptest::option::of(prop_oneof![Just(0u32), 1u32..=86_400]),
    )
        .prop_map(
            |(any_origin, origins, credentials, methods, headers, expose, max_age)| {
                // Keep the policy valid (docs/behaviour.md §2): no `*` origins or
                // `*` exposed with credentials.
                let credentials = credentials && !any_origin;
                let expose = if credentials && expose == ["*"] {
                    vec![]
                } else {
                    expose
                };
                Lists {
                    any_origin,
                    origins,
                    credentials,
                    methods,
                    headers,
                    expose,
                    max_age,
                }
            },
        )
}

#[derive(Clone, Debug)]
struct Page {
    origin: &'static str,
    method: &'static str,
    headers: Vec<(&'static str, &'static str)>,
    credentials: bool,
}

fn page() -> impl Strategy<Value = Page> {
    (
        proptest::sample::select(REQUEST_ORIGINS),
        proptest::sample::select(REQUEST_METHODS),
        prop_oneof![
            3 => proptest::collection::vec(proptest::sample::select(REQUEST_HEADERS), 0..4),
            1 => proptest::collection::vec(proptest::sample::select(REQUEST_HEADERS), 4..14),
        ],
        any::<bool>(),
    )
        .prop_map(|(origin, method, headers, credentials)| Page {
            origin,
            method,
            headers,
            credentials,
        })
}

// ---- The oracle: a direct reading of the lists. ----

fn origin_allowed(l: &Lists, origin: &str) -> bool {
    if l.any_origin {
        return true;
    }
    l.origins.iter().any(|p| match *p {
        "https://*.app.example" => origin
            .strip_prefix("https://")
            .and_then(|h| h.strip_suffix(".app.example"))
            .is_some_and(|labels| !labels.is_empty() && labels.split('.').all(|l| !l.is_empty())),
        "http://localhost:*" => {
            origin == "http://localhost"
                || origin
                    .strip_prefix("http://localhost:")
                    .is_some_and(|port| {
                        !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                    })
        }
        exact => exact == origin,
    })
}

/// `delete get head options post put` written in lower case are upper-cased.
fn policy_method(m: &str) -> String {
    if ["delete", "get", "head", "options", "post", "put"].contains(&m) {
        m.to_ascii_uppercase()
    } else {
        m.to_string()
    }
}

fn method_allowed(l: &Lists, method: &str) -> bool {
    is_safelisted_method(method.as_bytes())
        || l.methods == ["*"]
        || l.methods.iter().any(|m| policy_method(m) == method)
}

fn header_allowed(l: &Lists, name: &str) -> bool {
    l.headers.iter().any(|h| h.eq_ignore_ascii_case(name))
        || (l.headers.contains(&"*") && !name.eq_ignore_ascii_case("authorization"))
}

fn policy_allows(l: &Lists, p: &Page, unsafe_names: &[String]) -> bool {
    origin_allowed(l, p.origin)
        && (!p.credentials || l.credentials)
        && method_allowed(l, p.method)
        && unsafe_names.iter().all(|n| header_allowed(l, n))
}

fn oracle_readable(l: &Lists, name: &str, credentials: bool) -> bool {
    let n = name.to_ascii_lowercase();
    if n == "set-cookie" {
        return false;
    }
    is_safelisted_response_header_name(n.as_bytes())
        || l.expose.iter().any(|e| e.eq_ignore_ascii_case(&n))
        || (l.expose.contains(&"*") && !credentials)
}

// ---- The browser model talking to the core. ----

fn with_policy<T>(l: &Lists, f: impl FnOnce(&cors_policy::Policy<'_>) -> T) -> T {
    let mut b = PolicyBuilder::new()
        .allow_credentials(l.credentials)
        .allow_methods(&l.methods)
        .allow_headers(&l.headers)
        .expose_headers(&l.expose)
        // The browser side is modelled for every policy a server can run,
        // `null` with credentials included (docs/behaviour.md §2.9).
        .dangerously_allow_insecure_origins(true);
    b = if l.any_origin {
        b.allow_any_origin()
    } else {
        b.allow_origins(&l.origins)
    };
    if let Some(a) = l.max_age {
        b = b.max_age(a);
    }
    match b.build() {
        Ok(policy) => f(&policy),
        Err(e) => panic!("generated an invalid policy {l:?}: {e}"),
    }
}

type Pairs = Vec<(String, Vec<u8>)>;

fn answer_preflight(policy: &cors_policy::Policy<'_>, pairs: &[(String, String)]) -> (u16, Pairs) {
    let d = evaluate(policy, &Request::from_pairs(b"OPTIONS", pairs));
    assert_eq!(d.kind(), RequestKind::Preflight);
    let status = d.preflight_status().expect("a preflight has a status");
    let headers = d
        .headers()
        .map(|(h, v)| (h.as_str().to_string(), v.to_vec()))
        .collect();
    (status, headers)
}

fn preflight_pairs(req: &BrowserRequest<'_, &str, &str>) -> Option<Vec<(String, String)>> {
    let p = req.preflight()?;
    let mut pairs = vec![
        ("Origin".to_string(), p.origin.to_string()),
        (
            "Access-Control-Request-Method".to_string(),
            p.method.to_string(),
        ),
    ];
    if let Some(names) = p.request_headers() {
        pairs.push((
            "Access-Control-Request-Headers".to_string(),
            names.to_string(),
        ));
    }
    Some(pairs)
}

/// The actual request's response: the core's CORS headers plus what the
/// application sends.
fn answer_actual(policy: &cors_policy::Policy<'_>, page: &Page) -> Pairs {
    let mut pairs = vec![("Origin".to_string(), page.origin.to_string())];
    pairs.extend(
        page.headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string())),
    );
    let d = evaluate(policy, &Request::from_pairs(page.method.as_bytes(), &pairs));
    assert_eq!(d.kind(), RequestKind::Actual);
    let mut headers: Pairs = d
        .headers()
        .map(|(h, v)| (h.as_str().to_string(), v.to_vec()))
        .collect();
    for app in ["Content-Type", "X-Total", "etag", "Set-Cookie", "x-other"] {
        headers.push((app.to_string(), b"v".to_vec()));
    }
    headers
}

/// Runs the browser model's whole exchange; `Ok(actual response)` when the
/// page may read it. With a cache, a preflight is sent only on a miss.
fn browse<'c>(
    policy: &cors_policy::Policy<'_>,
    page: &Page,
    cache: Option<(&mut PreflightCache<'c, 64>, &'c str, u64)>,
) -> Result<Pairs, String> {
    let req = BrowserRequest::new(page.origin, page.method, &page.headers, page.credentials);
    let needed = match &cache {
        Some((c, url, now)) => c.needs_preflight(&req, url, *now),
        None => req.needs_preflight(),
    };
    if needed {
        let pairs = preflight_pairs(&req).expect("a needed preflight exists");
        let (status, headers) = answer_preflight(policy, &pairs);
        check_preflight(&req, &Response::new(status, &headers))
            .map_err(|b| format!("preflight: {b}"))?;
    }
    let headers = answer_actual(policy, page);
    cors_check(page.origin, page.credentials, &Response::new(200, &headers))
        .map_err(|b| format!("actual: {b}"))?;
    Ok(headers)
}

fn unsafe_names(page: &Page) -> Vec<String> {
    let req = BrowserRequest::new(page.origin, page.method, &page.headers, page.credentials);
    req.unsafe_header_names()
        .map(|n| String::from_utf8_lossy(n).to_ascii_lowercase())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4096, ..ProptestConfig::default() })]

    /// The central property: browser acceptance == policy allowance.
    #[test]
    fn browser_accepts_exactly_what_the_policy_allows(l in policy_lists(), page in page()) {
        with_policy(&l, |policy| {
            let allowed = policy_allows(&l, &page, &unsafe_names(&page));
            let outcome = browse(policy, &page, None);
            prop_assert_eq!(
                outcome.is_ok(), allowed,
                "policy {:?}\npage {:?}\nbrowser: {:?}", l, page, outcome.as_ref().err()
            );
            if let Ok(headers) = outcome {
                let exposed = Exposed::new(&Response::new(200, &headers), page.credentials);
                for (name, _) in &headers {
                    prop_assert_eq!(
                        exposed.is_readable(name.as_bytes()),
                        oracle_readable(&l, name, page.credentials),
                        "header {} policy {:?} page {:?}", name, l, page
                    );
                }
            }
            Ok(())
        })?;
    }

    /// A warm preflight cache never lets through what the policy refuses:
    /// the core echoes only what it allowed, so whatever a second request
    /// takes from the cache was allowed for the same origin and credentials.
    #[test]
    fn a_warm_cache_agrees_with_the_policy(
        l in policy_lists(),
        first in page(),
        second in page(),
        engine in proptest::sample::select(&Engine::ALL[..]),
        later in 0u64..10_000,
    ) {
        let second = Page { origin: first.origin, ..second };
        with_policy(&l, |policy| {
            let url = "http://api.example/x";
            let req = BrowserRequest::new(first.origin, first.method, &first.headers, first.credentials);
            let mut cache = PreflightCache::<64>::new();
            let stored;
            if let Some(pairs) = preflight_pairs(&req) {
                stored = answer_preflight(policy, &pairs);
                if let Ok(ok) = check_preflight(&req, &Response::new(stored.0, &stored.1)) {
                    cache.store(&req, url, &ok, engine, 0);
                    // The cached time follows Access-Control-Max-Age and the engine's cap.
                    let seconds = engine.cached_seconds(l.max_age.map(u64::from));
                    prop_assert_eq!(cache.needs_preflight(&req, url, seconds.saturating_sub(1)), seconds == 0);
                    prop_assert!(cache.needs_preflight(&req, url, seconds));
                }
            }
            let outcome = browse(policy, &second, Some((&mut cache, url, later)));
            let allowed = policy_allows(&l, &second, &unsafe_names(&second));
            prop_assert_eq!(outcome.is_ok(), allowed, "policy {:?}\nfirst {:?}\nsecond {:?}", l, first, second);
            Ok(())
        })?;
    }

    /// `Access-Control-Request-Headers` is the set of CORS-unsafe names,
    /// lower-cased, sorted, deduplicated and joined by `,`: compared with a
    /// naive computation on random headers.
    #[test]
    fn acrh_is_the_sorted_lowercase_set_of_unsafe_names(
        headers in proptest::collection::vec(
            (
                proptest::sample::select(&["x-a", "X-A", "x-b", "Accept", "content-type", "Range", "accept-language", "Content-Language", "Cookie", "sec-x", "X-Z"][..]),
                "[ -~]{0,140}",
            ),
            0..12,
        )
    ) {
        let hs: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let req = BrowserRequest::new("https://app.example", "GET", &hs, false);
        // Naive: forbidden names dropped, values trimmed, the 1,024-byte rule.
        let kept: Vec<(&str, &str)> = hs
            .iter()
            .map(|(n, v)| (*n, v.trim_matches([' ', '\t'])))
            .filter(|(n, _)| !n.eq_ignore_ascii_case("cookie") && !n.to_ascii_lowercase().starts_with("sec-"))
            .collect();
        let safe = |n: &str, v: &str| cors_policy_browser::is_safelisted_request_header(n.as_bytes(), v.as_bytes());
        let total: usize = kept.iter().filter(|(n, v)| safe(n, v)).map(|(_, v)| v.len()).sum();
        let mut want: Vec<String> = kept
            .iter()
            .filter(|(n, v)| total > 1024 || !safe(n, v))
            .map(|(n, _)| n.to_ascii_lowercase())
            .collect();
        want.sort();
        want.dedup();
        let got = req.preflight().and_then(|p| p.request_headers()).map(|n| n.to_string());
        prop_assert_eq!(got, (!want.is_empty()).then(|| want.join(",")));
    }
}

/// The property runs the interesting cases, not only refusals: on the
/// fixed policy below every branch of the oracle is reached.
#[test]
fn both_outcomes_and_every_refusal_kind_occur() {
    let l = Lists {
        any_origin: false,
        origins: vec!["https://app.example", "https://*.app.example"],
        credentials: true,
        methods: vec!["PUT"],
        headers: vec!["x-a", "*"],
        expose: vec!["x-total"],
        max_age: Some(600),
    };
    /// origin, method, headers, credentials, allowed.
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], bool, bool);
    let cases: &[Case<'_>] = &[
        ("https://eu.app.example", "PUT", &[("X-A", "1")], true, true),
        (
            "https://eu.app.example",
            "PUT",
            &[("X-C", "1")],
            false,
            true,
        ),
        ("https://eu.app.example", "PUT", &[("X-C", "1")], true, true), // echoed, so `*` works with credentials
        (
            "https://eu.app.example",
            "PUT",
            &[("Authorization", "t")],
            false,
            false,
        ),
        ("https://eu.app.example", "DELETE", &[], false, false),
        ("https://app.example.evil", "GET", &[], false, false),
        ("https://app.example", "GET", &[], true, true),
        ("https://app.example", "patch", &[], false, false),
    ];
    // Nine 128-byte Accept-Language values: over 1,024 bytes in all, so
    // the safelisted header needs a preflight and `*` (echoed) allows it.
    let langs = [("Accept-Language", LANGS); 9];
    let page = Page {
        origin: "https://app.example",
        method: "GET",
        headers: langs.to_vec(),
        credentials: true,
    };
    assert_eq!(unsafe_names(&page), ["accept-language"]);
    with_policy(&l, |policy| {
        assert!(browse(policy, &page, None).is_ok());
        for (origin, method, headers, credentials, want) in cases {
            let page = Page {
                origin,
                method,
                headers: headers.to_vec(),
                credentials: *credentials,
            };
            assert_eq!(
                policy_allows(&l, &page, &unsafe_names(&page)),
                *want,
                "oracle {page:?}"
            );
            assert_eq!(
                browse(policy, &page, None).is_ok(),
                *want,
                "browser {page:?}"
            );
        }
    });
}
