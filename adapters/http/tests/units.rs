//! Table-driven tests of the pieces: header lines, `Vary` merging, CORS
//! header removal, swapping, the refusal hook.

use std::sync::{Arc, Mutex};

use cors_policy::{CorsRequestHeader, ResponseHeader};
use cors_policy_config::PolicyConfig;
use cors_policy_http::{
    Engine, HeaderLines, HttpStack, PolicyHandle, merge_vary, request_view, response_header_name,
    strip_cors_headers,
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
    strip_cors_headers(&mut map);
    assert_eq!(map.len(), 2);
    assert!(map.contains_key("x-request-id") && map.contains_key(VARY));
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
