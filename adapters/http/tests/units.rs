//! Table-driven tests of the pieces: header lines, `Vary` merging, CORS
//! header removal, swapping, the refusal hook.

use std::sync::{Arc, Mutex};

use cors_policy::{CorsRequestHeader, ResponseHeader};
use cors_policy_config::PolicyConfig;
use cors_policy_http::{
    ActualHeaders, Engine, HeaderLines, HttpStack, HttpView, PolicyHandle, Prepared, joined_vary,
    merge_vary, request_view, response_header_name, strip_cors_headers, vary_header,
};
use http::header::{HeaderMap, HeaderValue, ORIGIN, VARY};

fn owned(json: &str) -> cors_policy_config::OwnedPolicy {
    PolicyConfig::from_json_str(json).unwrap().build().unwrap()
}

#[test]
fn header_lines_and_their_clones() {
    for n in 0..4 {
        let mut map = HeaderMap::new();
        let values: Vec<String> = (0..n).map(|i| format!("v{i}")).collect();
        for v in &values {
            map.append(ORIGIN, HeaderValue::from_str(v).unwrap());
        }
        // Noise under other names is not read.
        map.append("x-origin", HeaderValue::from_static("no"));
        for skip in 0..=n {
            let mut lines = HeaderLines::new(&map, CorsRequestHeader::Origin);
            for _ in 0..skip {
                assert!(lines.next().is_some());
            }
            let rest: Vec<&[u8]> = values[skip..].iter().map(|v| v.as_bytes()).collect();
            assert_eq!(
                lines.clone().collect::<Vec<_>>(),
                rest,
                "{n} lines, {skip} read"
            );
            assert_eq!(lines.collect::<Vec<_>>(), rest, "{n} lines, {skip} read");
        }
    }
}

#[test]
fn deferred_lines_read_like_looked_up_ones() {
    for n in 0..4 {
        let mut map = HeaderMap::new();
        for i in 0..n {
            map.append(ORIGIN, HeaderValue::from_str(&format!("v{i}")).unwrap());
        }
        let now = HeaderLines::new(&map, CorsRequestHeader::Origin);
        let later = HeaderLines::deferred(&map, CorsRequestHeader::Origin);
        // A clone of deferred lines, and one taken after the first read.
        let mut read = later.clone();
        let first = read.next();
        assert_eq!(first, now.clone().next(), "{n} lines");
        assert_eq!(
            read.clone().collect::<Vec<_>>(),
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
fn lines_find_the_requests_own_value() {
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
        for lines in [
            HeaderLines::new(map, CorsRequestHeader::Origin),
            HeaderLines::deferred(map, CorsRequestHeader::Origin),
        ] {
            let mut read = lines.clone();
            // Reading the lines does not lose the values.
            while read.next().is_some() {}
            for l in [&lines, &read] {
                let got = l.value(bytes).map(|v| v.to_str().unwrap());
                assert_eq!(got, *want, "{bytes:?} in {map:?}");
            }
        }
    }
}

#[test]
fn view_finds_the_values_to_echo_kept_or_not() {
    // (method, request headers, header asked for, bytes, found)
    type Case = (
        http::Method,
        &'static [(&'static str, &'static str)],
        CorsRequestHeader,
        &'static [u8],
        Option<&'static str>,
    );
    let acrm = CorsRequestHeader::AccessControlRequestMethod;
    let acrh = CorsRequestHeader::AccessControlRequestHeaders;
    let origin = CorsRequestHeader::Origin;
    let cases: Vec<Case> = vec![
        // Kept: one line, looked up when the view was made.
        (
            http::Method::GET,
            &[("origin", "https://a.example")],
            origin,
            b"https://a.example",
            Some("https://a.example"),
        ),
        (
            http::Method::OPTIONS,
            &[("access-control-request-method", "PUT")],
            acrm,
            b"PUT",
            Some("PUT"),
        ),
        (
            http::Method::OPTIONS,
            &[("access-control-request-headers", "x-a, x-b")],
            acrh,
            b"x-a, x-b",
            Some("x-a, x-b"),
        ),
        // A trimmed value is not the request's own.
        (
            http::Method::OPTIONS,
            &[("access-control-request-headers", "x-a, x-b")],
            acrh,
            b"x-a",
            None,
        ),
        // Not kept: deferred (not OPTIONS), or several lines.
        (
            http::Method::GET,
            &[("access-control-request-method", "PUT")],
            acrm,
            b"PUT",
            Some("PUT"),
        ),
        (
            http::Method::GET,
            &[
                ("origin", "https://a.example"),
                ("origin", "https://b.example"),
            ],
            origin,
            b"https://b.example",
            Some("https://b.example"),
        ),
        (http::Method::GET, &[], origin, b"https://a.example", None),
        (
            http::Method::OPTIONS,
            &[("access-control-request-private-network", "true")],
            CorsRequestHeader::AccessControlRequestPrivateNetwork,
            b"true",
            Some("true"),
        ),
    ];
    for (method, headers, h, bytes, want) in cases {
        let mut map = HeaderMap::new();
        for (n, v) in headers {
            map.append(*n, HeaderValue::from_static(v));
        }
        let view = HttpView::new(&method, &map);
        let got = view.value(h, bytes).map(|v| v.to_str().unwrap());
        assert_eq!(got, want, "{h:?} {bytes:?} in {headers:?} ({method})");
        // The core's view is request_view's.
        for h in CorsRequestHeader::ALL {
            assert_eq!(
                view.request().lines(h).collect::<Vec<_>>(),
                request_view(&method, &map).lines(h).collect::<Vec<_>>()
            );
        }
    }
}

#[test]
fn request_view_gives_every_header_whatever_the_method() {
    let mut map = HeaderMap::new();
    for (n, v) in [
        ("origin", "https://a.example"),
        ("access-control-request-method", "PUT"),
        ("access-control-request-headers", "x-a"),
        ("access-control-request-private-network", "true"),
    ] {
        map.append(n, HeaderValue::from_static(v));
    }
    for method in [http::Method::GET, http::Method::OPTIONS, http::Method::PUT] {
        let view = request_view(&method, &map);
        for h in CorsRequestHeader::ALL {
            let got: Vec<&[u8]> = view.lines(h).collect();
            let want: Vec<&[u8]> = map.get_all(h.name()).iter().map(|v| v.as_bytes()).collect();
            assert_eq!(got, want, "{h:?} on {method}");
            assert_eq!(got.len(), 1);
        }
    }
}

#[test]
fn vary_values_are_the_joined_tokens() {
    let sets: &[&[&str]] = &[
        &["Origin"],
        &[
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
        ],
        &[
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
        ],
        &[
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
            "Access-Control-Request-Private-Network",
        ],
        &[
            "Origin",
            "Access-Control-Request-Method",
            "Access-Control-Request-Headers",
            "Access-Control-Request-Private-Network",
        ],
    ];
    for tokens in sets {
        let joined = joined_vary(tokens).unwrap();
        assert_eq!(joined, tokens.join(", "));
        assert_eq!(vary_header(joined).unwrap(), joined);
    }
    assert_eq!(joined_vary(&["Cookie"]), None);
    assert!(vary_header("Cookie").is_none());
    assert!(vary_header("").is_none());
}

#[test]
fn actual_headers_replace_the_applications_and_merge_vary() {
    let policy = owned(
        r#"{"allowed_origins": ["https://a.example"], "allow_credentials": true, "expose_headers": ["x-id"]}"#,
    );
    let prepared = Prepared::<HttpStack>::new(policy);
    let req = http::Request::get("/")
        .header("origin", "https://a.example")
        .body(())
        .unwrap();
    let view = HttpView::new(req.method(), req.headers());
    type Headers<'a> = &'a [(&'a str, &'a str)];
    // (the application's headers, the headers after)
    let cases: &[(Headers<'_>, Headers<'_>)] = &[
        (
            &[],
            &[
                ("access-control-allow-origin", "https://a.example"),
                ("access-control-allow-credentials", "true"),
                ("access-control-expose-headers", "x-id"),
                ("vary", "Origin"),
            ],
        ),
        (
            &[
                ("x-a", "1"),
                ("access-control-allow-origin", "*"),
                ("access-control-max-age", "5"),
                ("vary", "Accept-Encoding"),
                ("access-control-foo", "kept"),
            ],
            &[
                ("x-a", "1"),
                ("vary", "Accept-Encoding"),
                ("vary", "Origin"),
                ("access-control-foo", "kept"),
                ("access-control-allow-origin", "https://a.example"),
                ("access-control-allow-credentials", "true"),
                ("access-control-expose-headers", "x-id"),
            ],
        ),
        (
            &[("vary", "origin")],
            &[
                ("vary", "origin"),
                ("access-control-allow-origin", "https://a.example"),
                ("access-control-allow-credentials", "true"),
                ("access-control-expose-headers", "x-id"),
            ],
        ),
    ];
    for (before, after) in cases {
        let mut map = HeaderMap::new();
        for (n, v) in *before {
            map.append(*n, HeaderValue::from_static(v));
        }
        let decision = prepared
            .policy()
            .evaluate(view.request(), &Default::default());
        ActualHeaders::new(&decision, &view, &prepared).apply(&mut map);
        let mut got: Vec<(String, String)> = map
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_string()))
            .collect();
        let mut want: Vec<(String, String)> = after
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect();
        // A header map keeps the lines of one name in order, not names.
        got.sort();
        want.sort();
        assert_eq!(got, want, "{before:?}");
    }
}

#[test]
fn vary_merging() {
    const PRE: &[&str] = &[
        "Origin",
        "Access-Control-Request-Method",
        "Access-Control-Request-Headers",
    ];
    // (the application's Vary lines, the decision's tokens, the lines after)
    let cases: &[(&[&str], &'static [&'static str], &[&str])] = &[
        (&[], &[], &[]),
        (&[], &["Origin"], &["Origin"]),
        (&["Accept-Encoding"], &[], &["Accept-Encoding"]),
        (
            &["Accept-Encoding"],
            &["Origin"],
            &["Accept-Encoding", "Origin"],
        ),
        (&["origin"], &["Origin"], &["origin"]),
        (&[" ORIGIN ,accept"], &["Origin"], &[" ORIGIN ,accept"]),
        (&["*"], PRE, &["*"]),
        (&["a", "b, *"], PRE, &["a", "b, *"]),
        (
            &[],
            PRE,
            &["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"],
        ),
        (
            &["access-control-request-method"],
            PRE,
            &[
                "access-control-request-method",
                "Origin",
                "Access-Control-Request-Headers",
            ],
        ),
        (
            &["Cookie", "Origin"],
            PRE,
            &[
                "Cookie",
                "Origin",
                "Access-Control-Request-Method",
                "Access-Control-Request-Headers",
            ],
        ),
        // An element that only contains a token's name is another token.
        (&["X-Origin"], &["Origin"], &["X-Origin", "Origin"]),
    ];
    for (before, tokens, after) in cases {
        let mut map = HeaderMap::new();
        for line in *before {
            map.append(VARY, HeaderValue::from_str(line).unwrap());
        }
        merge_vary(&mut map, tokens);
        let got: Vec<&str> = map
            .get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(&got, after, "{before:?} + {tokens:?}");
    }
}

#[test]
fn strip_removes_every_cors_header_and_nothing_else() {
    let mut map = HeaderMap::new();
    for h in ResponseHeader::ALL {
        let name = response_header_name(h).unwrap();
        assert_eq!(name.as_str(), h.lowercase());
        map.append(name.clone(), HeaderValue::from_static("x"));
        map.append(name, HeaderValue::from_static("y"));
    }
    map.insert("x-request-id", HeaderValue::from_static("42"));
    map.insert(VARY, HeaderValue::from_static("Origin"));
    map.insert("access-control-foo", HeaderValue::from_static("kept"));
    strip_cors_headers(&mut map);
    assert_eq!(map.len(), 3);
    assert!(map.contains_key("x-request-id") && map.contains_key(VARY));
    assert!(map.contains_key("access-control-foo"));
    // A map without CORS headers is left as it was.
    let before = map.clone();
    strip_cors_headers(&mut map);
    assert_eq!(map, before);
}

#[test]
fn swapped_policy_answers_the_next_request() {
    let handle =
        PolicyHandle::<HttpStack>::new(owned(r#"{"allowed_origins": ["https://a.example"]}"#));
    let engine = Engine::swappable(&handle);
    let req = http::Request::get("/")
        .header("origin", "https://b.example")
        .body(())
        .unwrap();
    let allowed = |engine: &Engine<HttpStack>| {
        let view = request_view(req.method(), req.headers());
        engine.decide(&view, "/", |d, _| d.is_allowed())
    };
    assert!(!allowed(&engine));
    handle.store(owned(
        r#"{"allowed_origins": ["https://b.example"], "max_age": 5}"#,
    ));
    assert!(allowed(&engine));
    assert_eq!(handle.load().max_age().unwrap(), "5");
    // A clone of the engine reads the same slot.
    let clone = engine.clone();
    handle.store(owned(r#"{"allowed_origins": ["https://a.example"]}"#));
    assert!(!allowed(&clone));
}

#[test]
fn refusal_hook_sees_kind_reason_method_path_and_debug() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let mut engine = Engine::<HttpStack>::new(owned(
        r#"{"allowed_origins": ["https://a.example"], "allowed_methods": ["PUT"]}"#,
    ));
    engine.on_refusal(move |e| {
        s.lock().unwrap().push(format!(
            "{} {} {} {} {} {}",
            e.kind,
            String::from_utf8_lossy(e.method),
            e.path,
            e.refusal.code(),
            e.refusal,
            e.debug
        ))
    });
    let preflight = |origin: &str, method: &str| {
        http::Request::options("/p")
            .header("origin", origin)
            .header("access-control-request-method", method)
            .body(())
            .unwrap()
    };
    let run = |engine: &Engine<HttpStack>, req: &http::Request<()>| {
        let view = request_view(req.method(), req.headers());
        engine.decide(&view, req.uri().path(), |d, _| d.preflight_status())
    };
    assert_eq!(
        run(&engine, &preflight("https://a.example", "PUT")),
        Some(204)
    );
    assert_eq!(
        run(&engine, &preflight("https://a.example", "PATCH")),
        Some(403)
    );
    engine.debug().set(true);
    assert_eq!(
        run(&engine, &preflight("https://a.example", "PATCH")),
        Some(204)
    );
    assert_eq!(
        run(&engine, &preflight("https://z.example", "PUT")),
        Some(403)
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "preflight OPTIONS /p method_not_allowed method \"PATCH\" is not allowed false",
            "preflight OPTIONS /p method_not_allowed method \"PATCH\" is not allowed true",
            "preflight OPTIONS /p origin_not_allowed origin \"https://z.example\" is not allowed false",
        ]
    );
}

#[test]
fn every_kind_of_policy_fits() {
    use cors_policy::{Policy, PolicyBuilder};
    static STATIC: Policy<'static> = match PolicyBuilder::new()
        .allow_origins(&["https://a.example"])
        .build()
    {
        Ok(p) => p,
        Err(_) => panic!("invalid policy"),
    };
    let small: Policy<'static, 4> = PolicyBuilder::new()
        .allow_origins(&["https://a.example"])
        .max_age(7)
        .build_with_capacity::<4>()
        .unwrap();
    let shared = Arc::new(owned(r#"{"allowed_origins": ["https://a.example"]}"#));
    let engines = [
        Engine::<HttpStack>::new(&STATIC),
        Engine::new(small),
        Engine::new(owned(r#"{"allowed_origins": ["https://a.example"]}"#)),
        Engine::new(Arc::clone(&shared)),
        Engine::new(Box::new(&STATIC)),
    ];
    let req = http::Request::get("/")
        .header("origin", "https://a.example")
        .body(())
        .unwrap();
    for (i, engine) in engines.iter().enumerate() {
        let view = request_view(req.method(), req.headers());
        let origin = engine.decide(&view, "/", |d, _| d.allow_origin().map(<[u8]>::to_vec));
        assert_eq!(
            origin.as_deref(),
            Some(&b"https://a.example"[..]),
            "engine {i}"
        );
    }
}

/// Every map written from a template (a new or empty map) equals the map
/// written header by header (`write_answer`), request after request: a
/// template never keeps a previous request's echoed values, and each shape
/// of answer gets its own.
#[test]
fn templates_write_what_header_by_header_writing_does() {
    use cors_policy_http::{Answer, Stack, write_answer};
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
        let prepared = Prepared::<HttpStack>::new(owned(json));
        // Twice over, so the second round is written from templates made
        // by the first, with other requests in between.
        for round in 0..2 {
            for (method, headers) in requests {
                let mut req = http::Request::builder().method(*method).uri("/");
                for (n, v) in *headers {
                    req = req.header(*n, *v);
                }
                let req = req.body(()).unwrap();
                let view = HttpView::new(req.method(), req.headers());
                let decision = prepared
                    .policy()
                    .evaluate(view.request(), &Default::default());
                let answer = Answer::new::<HttpStack>(&decision, &view).unwrap();
                let fixed = prepared.fixed();
                let template = HttpStack::template(prepared.cache(), &answer, fixed);
                let mut by_template = HeaderMap::new();
                HttpStack::instantiate(&mut by_template, template.unwrap(), answer.clone());
                let mut by_header = HeaderMap::new();
                write_answer::<HttpStack>(&mut by_header, answer, fixed);
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
                // And what the core decided, header for header.
                let mut want: Vec<String> = decision
                    .headers()
                    .map(|(h, v)| format!("{}: {}", h.lowercase(), String::from_utf8_lossy(v)))
                    .collect();
                if !decision.vary_value().is_empty() {
                    want.push(format!("vary: {}", decision.vary_value()));
                }
                assert_eq!(list(&by_template), want, "{json}, {method} {headers:?}");
            }
        }
    }
}

/// A preflight that split its header list over several lines is answered
/// one `Access-Control-Allow-Headers` line per requested line (no
/// template), and the template of the one-line shape stays right.
#[test]
fn several_request_header_lines_are_echoed_line_by_line() {
    use cors_policy_http::write_preflight;
    let prepared = Prepared::<HttpStack>::new(owned(
        r#"{"allowed_origins": ["https://a.example"], "allowed_methods": ["PUT"], "allowed_headers": ["x-a", "x-b"]}"#,
    ));
    for lines in [
        &["x-a", "x-b"][..],
        &["x-a, x-b"],
        &["x-b", " , ", "x-a"],
        &["x-a"],
    ] {
        let mut req = http::Request::options("/")
            .header("origin", "https://a.example")
            .header("access-control-request-method", "PUT");
        for l in lines {
            req = req.header("access-control-request-headers", *l);
        }
        let req = req.body(()).unwrap();
        let view = HttpView::new(req.method(), req.headers());
        let decision = prepared
            .policy()
            .evaluate(view.request(), &Default::default());
        let mut out = HeaderMap::new();
        write_preflight(&decision, &view, &prepared, &mut out);
        let got: Vec<_> = out
            .get_all("access-control-allow-headers")
            .iter()
            .map(|v| v.to_str().unwrap().to_string())
            .collect();
        let want: Vec<_> = lines
            .iter()
            .filter(|l| l.trim() != ",")
            .map(|l| l.to_string())
            .collect();
        assert_eq!(got, want);
        assert_eq!(out["access-control-allow-origin"], "https://a.example");
        assert_eq!(out["access-control-allow-methods"], "PUT");
    }
}
