//! The prepared answers (templates) against header-by-header writing.

use cors_policy::Options;
use cors_policy_config::PolicyConfig;
use http::HeaderMap;

use super::{echo, origin};
use crate::answer::Answer;
use crate::backend::Backend;
use crate::policy::Prepared;
use crate::write::write_answer;

/// What the core decided, as a response's lines (`name: value`, lower-case
/// names, `Vary` last when there is one): what every stack must write.
pub(crate) fn decided_lines<'r, L: Iterator<Item = &'r [u8]> + Clone>(
    decision: &cors_policy::Decision<'_, 'r, L>,
) -> Vec<String> {
    let mut lines: Vec<String> = decision
        .headers()
        .map(|(h, v)| format!("{}: {}", h.lowercase(), String::from_utf8_lossy(v)))
        .collect();
    if !decision.vary_value().is_empty() {
        lines.push(format!("vary: {}", decision.vary_value()));
    }
    lines
}

std::thread_local! {
    /// Answers this thread wrote by the general path (`write_answer`,
    /// `apply_answer`) rather than from a prepared answer.
    pub(super) static GENERAL: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Every map written from a template (a new or empty map) equals the map
/// written header by header (`write_answer`), request after request: a
/// template never keeps a previous request's echoed values, and each shape
/// of answer gets its own. Both are what the core decided, header for
/// header.
#[test]
fn templates_write_what_header_by_header_writing_does() {
    let policies = [
        r#"{"allowed_origins": ["https://a.example", "https://b.example"], "allow_credentials": true,
            "allowed_methods": ["GET", "PUT"], "allowed_headers": ["x-a", "x-b"],
            "expose_headers": ["x-id"], "max_age": 600, "allow_private_network": true}"#,
        r#"{"allowed_origins": "*", "allowed_methods": "*", "allowed_headers": ["x-a"]}"#,
        r#"{"allowed_origins": ["https://a.example"]}"#,
    ];
    // (method, headers): preflights of every shape, actual requests,
    // refusals, a request that is not CORS.
    let requests: &[(&str, &[(&str, &str)])] = &[
        (
            "OPTIONS",
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("origin", "https://b.example"),
                ("access-control-request-method", "GET"),
                ("access-control-request-headers", "x-a, X-B"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-b"),
                ("access-control-request-private-network", "true"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", " , "),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("origin", "https://c.example"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PATCH"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("origin", " https://a.example "),
                ("access-control-request-method", " PUT "),
            ],
        ),
        ("GET", &[("origin", "https://a.example")]),
        ("GET", &[("origin", "https://b.example")]),
        ("POST", &[("origin", "https://c.example")]),
        ("GET", &[]),
    ];
    for json in policies {
        let owned = PolicyConfig::from_json_str(json).unwrap().build().unwrap();
        let prepared = Prepared::<HeaderMap>::new(std::sync::Arc::new(owned));
        let fixed = prepared.fixed();
        // Twice over, so the second round is written from templates made
        // by the first, with other requests in between.
        for round in 0..2 {
            for (method, headers) in requests {
                let mut map = HeaderMap::new();
                for (n, v) in *headers {
                    map.append(*n, v.parse().unwrap());
                }
                let view = HeaderMap::view(method, &map);
                let decision = prepared.evaluate(HeaderMap::request(&view), &Options::default());
                let mut lines = decision.allow_headers();
                let line = lines.next();
                assert!(lines.next().is_none());
                let acrh = cors_policy::CorsRequestHeader::AccessControlRequestHeaders;
                let acrm = cors_policy::CorsRequestHeader::AccessControlRequestMethod;
                let mut answer = Answer {
                    origin: origin::<HeaderMap>(&decision, &view),
                    credentials: decision.allows_credentials(),
                    methods: decision
                        .allow_methods()
                        .and_then(|m| echo::<HeaderMap>(&view, acrm, m)),
                    headers: line.and_then(|l| echo::<HeaderMap>(&view, acrh, l)),
                    max_age: decision.max_age().is_some(),
                    expose: decision.expose_headers().is_some(),
                    private_network: decision.allows_private_network(),
                    preflight: decision.is_preflight(),
                    vary: decision.vary_value(),
                };
                let template = HeaderMap::template(&prepared.cache, &answer, fixed).unwrap();
                let mut by_template = HeaderMap::new();
                let copy = answer.clone();
                let echo = crate::answer::Echo {
                    origin: copy.origin,
                    methods: copy.methods.as_ref(),
                    headers: copy.headers.as_ref(),
                };
                by_template.instantiate(template, echo);
                let mut by_header = HeaderMap::new();
                write_answer(&mut by_header, &mut answer, fixed);
                let list = |m: &HeaderMap| {
                    m.iter()
                        .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap()))
                        .collect::<Vec<_>>()
                };
                assert_eq!(
                    list(&by_template),
                    list(&by_header),
                    "round {round}, {json}, {method} {headers:?}"
                );
                let want = decided_lines(&decision);
                assert_eq!(list(&by_template), want, "{json}, {method} {headers:?}");
            }
        }
    }
}

/// What `respond` hands back stays a few words: it is moved on its way to
/// the response, and a move of a large value is a `memcpy` (measured with
/// `bash benches/callgrind.sh`: a 304-byte `Preflight` cost the tower
/// preflight row about 300 instructions).
#[test]
fn answers_stay_small() {
    use std::mem::size_of;
    assert!(
        size_of::<super::Preflight<'static>>() <= 88,
        "{}",
        size_of::<super::Preflight<'static>>()
    );
    assert!(
        size_of::<super::Respond<'static>>() <= 96,
        "{}",
        size_of::<super::Respond<'static>>()
    );
    assert!(
        size_of::<super::ActualHeaders>() <= 72,
        "{}",
        size_of::<super::ActualHeaders>()
    );
}

/// A new (empty) response's map is written from the prepared answer of
/// its shape, made once per shape and reused; a map that already holds
/// headers (the application's response) is written header by header and
/// makes none. Both write the same headers (the test above), so only the
/// prepared answers made tell the fast path was taken.
#[test]
fn empty_maps_are_written_from_prepared_answers() {
    use crate::Evaluator;
    use crate::handle::Sealed as _;
    use crate::respond::Respond;
    use http::HeaderValue;

    let policy = PolicyConfig::from_json_str(
        r#"{"allowed_origins": ["https://a.example"], "allowed_methods": ["PUT"]}"#,
    )
    .unwrap()
    .build()
    .unwrap();
    let cors = Evaluator::new(policy);
    let request = |method: &str, origin: &str| {
        let mut r = http::Request::builder().method(method).uri("/");
        r = r.header("origin", origin);
        if method == "OPTIONS" {
            r = r.header("access-control-request-method", "PUT");
        }
        r.body(()).unwrap()
    };
    let made = |installed: &std::sync::Arc<crate::handle::Installed>| {
        HeaderMap::prepared(installed).cache.made_count()
    };
    // (request method, origin, the map's headers before, prepared answers
    // made after)
    type Case<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)], usize);
    let cases: &[Case<'_>] = &[
        // The application's response: header by header, nothing made.
        ("GET", "https://a.example", &[("x-app", "1")], 0),
        ("OPTIONS", "https://a.example", &[("x-app", "1")], 0),
        // New maps: one prepared answer per shape, reused.
        ("OPTIONS", "https://a.example", &[], 1),
        ("OPTIONS", "https://a.example", &[], 1),
        ("GET", "https://a.example", &[], 2),
        ("GET", "https://a.example", &[], 2),
        // A refused origin's answer is another shape.
        ("GET", "https://z.example", &[], 3),
    ];
    for (method, origin, before, want) in cases {
        let req = request(method, origin);
        let mut map = HeaderMap::new();
        for (n, v) in *before {
            map.append(*n, HeaderValue::from_static(v));
        }
        let installed = match cors.respond(&req) {
            Respond::Preflight(p) => {
                let installed = std::sync::Arc::clone(&p.installed);
                p.write(&mut map);
                installed
            }
            Respond::Forward { headers, .. } => {
                let installed = std::sync::Arc::clone(&headers.installed);
                headers.apply(&mut map);
                installed
            }
        };
        assert_eq!(made(&installed), *want, "{method} {origin} {before:?}");
        assert_eq!(
            map.contains_key("x-app"),
            !before.is_empty(),
            "the application's headers stay"
        );
        let echoed = map.get("access-control-allow-origin");
        assert_eq!(
            echoed.map(|v| v.to_str().unwrap()),
            (*origin == "https://a.example").then_some(*origin)
        );
    }
}

/// Once an answer of a shape was written, the next of that shape into a new
/// map is written from the prepared answer, not by the general path, and
/// both carry what the core decided: preflights allowed with and without
/// requested headers, refused ones, actual requests allowed and refused,
/// on a listed-origin policy and a `*` one. (Mutation testing, issue 21:
/// `Preflight::shape` giving 0, or its flags combined with `&`, sent every
/// preflight to the general path unnoticed, since it writes the same
/// headers; this is what the prepared path is for.)
#[test]
fn the_prepared_path_is_taken_after_the_first_of_a_shape() {
    use crate::Evaluator;
    use crate::respond::Respond;
    use cors_policy::{Request, evaluate_with};

    let policies = [
        r#"{"allowed_origins": ["https://a.example"], "allow_credentials": true,
            "allowed_methods": ["PUT"], "allowed_headers": ["x-a"], "max_age": 60,
            "expose_headers": ["x-id"], "allow_private_network": true}"#,
        r#"{"allowed_origins": "*", "allowed_methods": ["PUT"], "allowed_headers": ["x-a"]}"#,
    ];
    let requests: &[(&str, &[(&str, &str)])] = &[
        (
            "OPTIONS",
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-a"),
            ],
        ),
        // The same with private-network access: a shape of its own.
        // (Mutation testing, issue 21: its flag combined with `&` gave the
        // shape without it, and the prepared answer without the header.)
        (
            "OPTIONS",
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-a"),
                ("access-control-request-private-network", "true"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("origin", "https://z.example"),
                ("access-control-request-method", "PUT"),
            ],
        ),
        ("GET", &[("origin", "https://a.example")]),
        ("GET", &[("origin", "https://z.example")]),
    ];
    for json in policies {
        let build = || PolicyConfig::from_json_str(json).unwrap().build().unwrap();
        let owned = build();
        let cors = Evaluator::new(build());
        for round in 0..3 {
            for (method, headers) in requests {
                let mut req = http::Request::builder().method(*method).uri("/");
                for (n, v) in *headers {
                    req = req.header(*n, *v);
                }
                let req = req.body(()).unwrap();
                let before = GENERAL.with(std::cell::Cell::get);
                let mut map = HeaderMap::new();
                match cors.respond(&req) {
                    Respond::Preflight(p) => p.write(&mut map),
                    Respond::Forward { headers, .. } => headers.apply(&mut map),
                }
                let general = GENERAL.with(std::cell::Cell::get) - before;
                // The first round makes the prepared answers (a request of
                // a shape seen before may already find one).
                if round > 0 {
                    assert_eq!(general, 0, "round {round}, {json}, {method} {headers:?}");
                }
                let decision = evaluate_with(
                    owned.policy(),
                    &Request::from_pairs(method.as_bytes(), headers),
                    &Options::default(),
                );
                let want = decided_lines(&decision);
                let got: Vec<String> = map
                    .iter()
                    .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap()))
                    .collect();
                assert_eq!(got, want, "round {round}, {json}, {method} {headers:?}");
            }
        }
    }
}
