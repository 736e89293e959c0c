//! Table-driven tests of actix header lines and views (moved from
//! cors-policy-actix's `tests/lines.rs` when these types moved here).

use actix_http::header::{HeaderMap, HeaderValue, ORIGIN};
use cors_policy::CorsRequestHeader;

use super::{ActixLines, ActixView};
use crate::backend::Backend;

#[test]
fn deferred_lines_read_like_looked_up_ones() {
    for n in 0..4 {
        let mut map = HeaderMap::new();
        for i in 0..n {
            map.append(ORIGIN, HeaderValue::from_str(&format!("v{i}")).unwrap());
        }
        let now = ActixLines::new(&map, CorsRequestHeader::Origin);
        let later = ActixLines::deferred(&map, CorsRequestHeader::Origin);
        let mut read = later.clone();
        assert_eq!(read.next(), now.clone().next(), "{n} lines");
        assert_eq!(
            read.collect::<Vec<_>>(),
            now.clone().skip(1).collect::<Vec<_>>(),
            "{n} lines"
        );
        assert_eq!(
            later.collect::<Vec<_>>(),
            now.collect::<Vec<_>>(),
            "{n} lines"
        );
    }
}

#[test]
fn the_view_finds_the_requests_own_values() {
    let mut one = HeaderMap::new();
    one.append(ORIGIN, HeaderValue::from_static("https://a.example"));
    let mut two = one.clone();
    two.append(ORIGIN, HeaderValue::from_static("https://b.example"));
    let empty = HeaderMap::new();
    // (map, bytes asked for, found)
    let cases: &[(&HeaderMap, &[u8], Option<&str>)] = &[
        (&one, b"https://a.example", Some("https://a.example")),
        (&one, b"https://a.exampl", None),
        (&two, b"https://b.example", Some("https://b.example")),
        (&two, b"https://c.example", None),
        (&empty, b"https://a.example", None),
    ];
    for (map, bytes, want) in cases {
        for method in ["GET", "OPTIONS"] {
            let view = ActixView::new(method, map);
            // Reading the lines does not lose the values.
            let read: Vec<_> = view.request.lines(CorsRequestHeader::Origin).collect();
            assert_eq!(read.len(), map.get_all(ORIGIN).count());
            let got = HeaderMap::own_value(&view, CorsRequestHeader::Origin, bytes)
                .map(|v| v.to_str().unwrap());
            assert_eq!(got, *want, "{bytes:?} ({method})");
        }
    }
}

#[test]
fn the_view_gives_every_header_whatever_the_method() {
    let mut map = HeaderMap::new();
    for (n, v) in [
        ("origin", "https://a.example"),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "x-a"),
        ("access-control-request-private-network", "true"),
        ("access-control-request-headers", "x-b"),
    ] {
        map.append(
            actix_http::header::HeaderName::from_static(n),
            HeaderValue::from_static(v),
        );
    }
    for method in ["GET", "OPTIONS", "PUT"] {
        let view = ActixView::new(method, &map);
        assert_eq!(view.request.method(), method.as_bytes());
        for h in CorsRequestHeader::ALL {
            let want: Vec<&[u8]> = map.get_all(h.name()).map(HeaderValue::as_bytes).collect();
            assert_eq!(
                view.request.lines(h).collect::<Vec<_>>(),
                want,
                "{h:?} on {method}"
            );
            let own: Vec<&[u8]> = HeaderMap::own_values(&view, h)
                .map(HeaderValue::as_bytes)
                .collect();
            assert_eq!(own, want, "{h:?} on {method}");
        }
    }
}

/// Answers written into actix-web's maps carry exactly the headers the core
/// decided, with its `Vary`: preflights written into a new map (appended
/// header by header, `Preflight::append_new`), actual requests' headers
/// applied to a new map and to the application's map (which keeps its own
/// headers). (Mutation testing, issue 21: writing nothing into a new actix
/// map went unnoticed, since only cors-policy-actix's tests wrote one.)
#[test]
fn actix_maps_get_what_the_core_decided() {
    use crate::{Evaluator, RequestHead, Respond};
    use actix_http::header::HeaderName;
    use cors_policy::{Options, Request, evaluate_with};
    use cors_policy_config::PolicyConfig;

    let policies = [
        r#"{"allowed_origins": ["https://a.example"], "allow_credentials": true,
            "allowed_methods": ["GET", "PUT"], "allowed_headers": ["x-a", "x-b"],
            "expose_headers": ["x-id"], "max_age": 600, "allow_private_network": true}"#,
        r#"{"allowed_origins": "*", "allowed_methods": "*", "allowed_headers": ["x-a"],
            "expose_headers": ["x-id"]}"#,
    ];
    let requests: &[(&str, &[(&str, &str)])] = &[
        (
            "OPTIONS",
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "PUT"),
                ("access-control-request-headers", "x-a, X-B"),
                ("access-control-request-private-network", "true"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("origin", "https://a.example"),
                ("access-control-request-method", "GET"),
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
        ("POST", &[("origin", "https://z.example")]),
        ("GET", &[]),
    ];
    let list = |m: &HeaderMap| {
        let mut l: Vec<String> = m
            .iter()
            .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap()))
            .collect();
        l.sort();
        l
    };
    let mut written = 0;
    for json in policies {
        let build = || PolicyConfig::from_json_str(json).unwrap().build().unwrap();
        let owned = build();
        let policy = owned.policy();
        let cors = Evaluator::new(build());
        for (method, headers) in requests {
            let mut map = HeaderMap::new();
            for (n, v) in *headers {
                map.append(HeaderName::from_static(n), HeaderValue::from_static(v));
            }
            let pairs: Vec<(&str, &str)> = headers.to_vec();
            let decision = evaluate_with(
                policy,
                &Request::from_pairs(method.as_bytes(), &pairs),
                &Options::default(),
            );
            let mut want = crate::respond::tests::decided_lines(&decision);
            want.sort();
            let head = RequestHead {
                method,
                path: "/",
                headers: &map,
            };
            match cors.respond(head) {
                Respond::Preflight(answer) => {
                    assert!(decision.is_preflight(), "{json}, {method} {headers:?}");
                    let mut new = HeaderMap::new();
                    answer.write(&mut new);
                    assert_eq!(list(&new), want, "{json}, {method} {headers:?}");
                }
                Respond::Forward {
                    headers: actual, ..
                } => {
                    assert!(!decision.is_preflight(), "{json}, {method} {headers:?}");
                    let mut new = HeaderMap::new();
                    actual.clone().apply(&mut new);
                    assert_eq!(list(&new), want, "{json}, {method} {headers:?}");
                    let mut app = HeaderMap::new();
                    app.append(
                        HeaderName::from_static("x-app"),
                        HeaderValue::from_static("1"),
                    );
                    actual.apply(&mut app);
                    want.push("x-app: 1".into());
                    want.sort();
                    assert_eq!(list(&app), want, "{json}, {method} {headers:?}");
                }
            }
            written += 1;
        }
    }
    assert_eq!(written, policies.len() * requests.len());
}
