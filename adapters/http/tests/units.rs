//! Table-driven tests of the embedding API as an embedder calls it:
//! `Evaluator::respond`, then `Preflight` or `ActualHeaders` into `http`
//! maps; swapping, the refusal hook, every kind of policy.

use std::sync::{Arc, Mutex};

use cors_policy_config::PolicyConfig;
use cors_policy_http::{DebugSwitch, Evaluator, PolicyHandle, Preflight, RequestHead, Respond};
use http::header::{HeaderMap, HeaderValue, VARY};

fn owned(json: &str) -> cors_policy_config::OwnedPolicy {
    PolicyConfig::from_json_str(json).unwrap().build().unwrap()
}

fn request(method: &str, headers: &[(&str, &str)]) -> http::Request<()> {
    let mut req = http::Request::builder().method(method).uri("/p");
    for (n, v) in headers {
        req = req.header(*n, *v);
    }
    req.body(()).unwrap()
}

fn lines(map: &HeaderMap) -> Vec<String> {
    map.iter()
        .map(|(n, v)| format!("{n}: {}", v.to_str().unwrap()))
        .collect()
}

fn preflight<'r>(cors: &Evaluator, req: &'r http::Request<()>) -> Preflight<'r> {
    match cors.respond(req) {
        Respond::Preflight(p) => p,
        other => panic!("not answered as a preflight: {other:?}"),
    }
}

#[test]
fn actual_headers_replace_the_applications_and_merge_vary() {
    let cors = Evaluator::new(owned(
        r#"{"allowed_origins": ["https://a.example"], "allow_credentials": true, "expose_headers": ["x-id"]}"#,
    ));
    let allowed = request("GET", &[("origin", "https://a.example")]);
    let refused = request("GET", &[("origin", "https://z.example")]);
    type Headers<'a> = &'a [(&'a str, &'a str)];
    // (request, the application's headers, the headers after)
    let cases: &[(&http::Request<()>, Headers<'_>, Headers<'_>)] = &[
        (
            &allowed,
            &[],
            &[
                ("access-control-allow-origin", "https://a.example"),
                ("access-control-allow-credentials", "true"),
                ("access-control-expose-headers", "x-id"),
                ("vary", "Origin"),
            ],
        ),
        (
            &allowed,
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
            &allowed,
            &[("vary", "origin")],
            &[
                ("vary", "origin"),
                ("access-control-allow-origin", "https://a.example"),
                ("access-control-allow-credentials", "true"),
                ("access-control-expose-headers", "x-id"),
            ],
        ),
        // Refused: the application's own CORS headers go, nothing is
        // added but `Vary`.
        (
            &refused,
            &[
                ("x-a", "1"),
                ("access-control-allow-origin", "*"),
                ("access-control-allow-credentials", "true"),
                ("access-control-allow-private-network", "true"),
                ("access-control-foo", "kept"),
            ],
            &[
                ("x-a", "1"),
                ("access-control-foo", "kept"),
                ("vary", "Origin"),
            ],
        ),
    ];
    for (req, before, after) in cases {
        let mut map = HeaderMap::new();
        for (n, v) in *before {
            map.append(*n, HeaderValue::from_static(v));
        }
        let Respond::Forward { headers, .. } = cors.respond(*req) else {
            panic!("a GET is never a preflight");
        };
        headers.apply(&mut map);
        let mut got = lines(&map);
        let mut want: Vec<String> = after.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        // A header map keeps the lines of one name in order, not names.
        got.sort();
        want.sort();
        assert_eq!(got, want, "{before:?}");
    }
}

#[test]
fn vary_is_merged_never_overwritten() {
    let cors = Evaluator::new(owned(r#"{"allowed_origins": ["https://a.example"]}"#));
    let any = Evaluator::new(owned(r#"{"allowed_origins": "*"}"#));
    let get = request("GET", &[("origin", "https://a.example")]);
    let pre = request(
        "OPTIONS",
        &[
            ("origin", "https://a.example"),
            ("access-control-request-method", "GET"),
        ],
    );
    // (evaluator, request, the response's Vary lines, the lines after)
    type Case<'a> = (
        &'a Evaluator,
        &'a http::Request<()>,
        &'a [&'a str],
        &'a [&'a str],
    );
    let cases: &[Case<'_>] = &[
        (&cors, &get, &[], &["Origin"]),
        (
            &cors,
            &get,
            &["Accept-Encoding"],
            &["Accept-Encoding", "Origin"],
        ),
        (&cors, &get, &["origin"], &["origin"]),
        (&cors, &get, &[" ORIGIN ,accept"], &[" ORIGIN ,accept"]),
        (&cors, &get, &["X-Origin"], &["X-Origin", "Origin"]),
        (&cors, &get, &["a", "b, *"], &["a", "b, *"]),
        // A "*" policy's actual answer does not vary.
        (&any, &get, &["Accept-Encoding"], &["Accept-Encoding"]),
        (&any, &get, &[], &[]),
        (
            &cors,
            &pre,
            &[],
            &["Origin, Access-Control-Request-Method, Access-Control-Request-Headers"],
        ),
        (&cors, &pre, &["*"], &["*"]),
        (
            &cors,
            &pre,
            &["access-control-request-method"],
            &[
                "access-control-request-method",
                "Origin",
                "Access-Control-Request-Headers",
            ],
        ),
        (
            &cors,
            &pre,
            &["Cookie", "Origin"],
            &[
                "Cookie",
                "Origin",
                "Access-Control-Request-Method",
                "Access-Control-Request-Headers",
            ],
        ),
    ];
    for (cors, req, before, after) in cases {
        let mut map = HeaderMap::new();
        for line in *before {
            map.append(VARY, HeaderValue::from_str(line).unwrap());
        }
        match cors.respond(*req) {
            Respond::Preflight(p) => p.write(&mut map),
            Respond::Forward { headers, .. } => headers.apply(&mut map),
        }
        let got: Vec<&str> = map
            .get_all(VARY)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(&got, after, "{} {before:?}", req.method());
    }
}

#[test]
fn request_heads_of_every_shape_read_alike() {
    let cors = Evaluator::new(owned(r#"{"allowed_origins": ["https://a.example"]}"#));
    let req = request(
        "OPTIONS",
        &[
            ("origin", "https://a.example"),
            ("access-control-request-method", "GET"),
        ],
    );
    let (parts, ()) = req.clone().into_parts();
    let head = RequestHead {
        method: "OPTIONS",
        path: "/p",
        headers: req.headers(),
    };
    for respond in [cors.respond(&req), cors.respond(&parts), cors.respond(head)] {
        let Respond::Preflight(p) = respond else {
            panic!("a preflight")
        };
        assert_eq!(p.status(), 204);
        let r: http::Response<()> = p.into_response();
        assert_eq!(
            r.headers()["access-control-allow-origin"],
            "https://a.example"
        );
    }
}

#[test]
fn swapped_policy_answers_the_next_request() {
    let handle = PolicyHandle::new(owned(r#"{"allowed_origins": ["https://a.example"]}"#));
    let cors = Evaluator::swappable(&handle);
    let req = request(
        "OPTIONS",
        &[
            ("origin", "https://b.example"),
            ("access-control-request-method", "GET"),
        ],
    );
    let answer = |cors: &Evaluator| {
        let p = preflight(cors, &req);
        let status = p.status();
        let r: http::Response<()> = p.into_response();
        (status, r.headers().get("access-control-max-age").cloned())
    };
    assert_eq!(answer(&cors), (403, None));
    handle.store(owned(
        r#"{"allowed_origins": ["https://b.example"], "max_age": 5}"#,
    ));
    assert_eq!(answer(&cors), (204, Some(HeaderValue::from_static("5"))));
    // A clone of the evaluator reads the same slot.
    let clone = cors.clone();
    handle.store(owned(r#"{"allowed_origins": ["https://a.example"]}"#));
    assert_eq!(answer(&clone).0, 403);
}

#[test]
fn refusal_hook_sees_kind_reason_method_path_and_debug() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let s = seen.clone();
    let switch = DebugSwitch::default();
    let cors = Evaluator::new(owned(
        r#"{"allowed_origins": ["https://a.example"], "allowed_methods": ["PUT"]}"#,
    ))
    .debug_switch(&switch)
    .on_refusal(move |e| {
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
    let status = |origin: &str, method: &str| {
        let req = request(
            "OPTIONS",
            &[
                ("origin", origin),
                ("access-control-request-method", method),
            ],
        );
        let p = preflight(&cors, &req);
        // The answer says why too.
        let code = p.refusal().map(|r| r.code());
        (p.status(), code)
    };
    assert_eq!(status("https://a.example", "PUT"), (204, None));
    assert_eq!(
        status("https://a.example", "PATCH"),
        (403, Some("method_not_allowed"))
    );
    assert!(std::ptr::eq(cors.debug(), cors.debug()));
    switch.set(true);
    assert_eq!(
        status("https://a.example", "PATCH"),
        (204, Some("method_not_allowed"))
    );
    assert_eq!(
        status("https://z.example", "PUT"),
        (403, Some("origin_not_allowed"))
    );
    // Actual requests: the hook and `Forward`'s refusal.
    let req = request("GET", &[("origin", "https://z.example")]);
    let respond = cors.respond(&req);
    assert_eq!(
        respond.refusal().map(|r| r.code()),
        Some("origin_not_allowed")
    );
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "preflight OPTIONS /p method_not_allowed method \"PATCH\" is not allowed false",
            "preflight OPTIONS /p method_not_allowed method \"PATCH\" is not allowed true",
            "preflight OPTIONS /p origin_not_allowed origin \"https://z.example\" is not allowed false",
            "actual GET /p origin_not_allowed origin \"https://z.example\" is not allowed false",
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
    let evaluators = [
        Evaluator::new(&STATIC),
        Evaluator::new(small),
        Evaluator::new(owned(r#"{"allowed_origins": ["https://a.example"]}"#)),
        Evaluator::new(Arc::clone(&shared)),
        Evaluator::new(Box::new(&STATIC)),
    ];
    let req = request("GET", &[("origin", "https://a.example")]);
    for (i, cors) in evaluators.iter().enumerate() {
        let Respond::Forward { headers, refusal } = cors.respond(&req) else {
            panic!("evaluator {i}: a GET is not a preflight")
        };
        assert!(refusal.is_none(), "evaluator {i}");
        let mut map = HeaderMap::new();
        headers.apply(&mut map);
        assert_eq!(
            map["access-control-allow-origin"], "https://a.example",
            "evaluator {i}"
        );
    }
}

/// A preflight that split its header list over several lines is answered
/// one `Access-Control-Allow-Headers` line per requested line naming a
/// header, each the request's own; in debug mode the line with the refused
/// element is cut after the last element that passed.
#[test]
fn several_request_header_lines_are_echoed_line_by_line() {
    let switch = DebugSwitch::default();
    let cors = Evaluator::new(owned(
        r#"{"allowed_origins": ["https://a.example"], "allowed_methods": ["PUT"], "allowed_headers": ["x-a", "x-b"]}"#,
    ))
    .debug_switch(&switch);
    // (debug, requested lines, status, answered lines)
    let cases: &[(bool, &[&str], u16, &[&str])] = &[
        (false, &["x-a", "x-b"], 204, &["x-a", "x-b"]),
        (false, &["x-a, x-b"], 204, &["x-a, x-b"]),
        (false, &["x-b", " , ", "x-a"], 204, &["x-b", "x-a"]),
        (false, &["x-a", "x-a"], 204, &["x-a", "x-a"]),
        (false, &["x-a"], 204, &["x-a"]),
        (false, &["x-a", "x-c"], 403, &[]),
        (true, &["x-a", "x-b, x-c, x-a", "x-b"], 204, &["x-a", "x-b"]),
        (true, &["x-c"], 204, &[]),
    ];
    for (debug, requested, status, answered) in cases {
        switch.set(*debug);
        let mut headers = vec![
            ("origin", "https://a.example"),
            ("access-control-request-method", "PUT"),
        ];
        headers.extend(
            requested
                .iter()
                .map(|l| ("access-control-request-headers", *l)),
        );
        let req = request("OPTIONS", &headers);
        let answer: http::Response<()> = preflight(&cors, &req).into_response();
        let got: Vec<_> = answer
            .headers()
            .get_all("access-control-allow-headers")
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect();
        assert_eq!(&got, answered, "debug {debug}, {requested:?}");
        assert_eq!(answer.status(), *status, "debug {debug}, {requested:?}");
        let origin = answer.headers().get("access-control-allow-origin");
        assert_eq!(
            origin.is_some(),
            *status == 204,
            "debug {debug}, {requested:?}"
        );
    }
}

/// Values the core trims (white space around an origin or a method, as a
/// proxy may hand them over) are echoed as copies of the trimmed bytes.
/// Such copies once went into a process-wide table meant for policy values
/// only: 2,500 tab-padded origins used up its 64 KiB in one process. The
/// table is gone; the copies belong to the response alone.
#[test]
fn trimmed_values_are_echoed_as_copies() {
    let cors = Evaluator::new(owned(
        r#"{"allowed_origins": ["https://*.a.example"], "allowed_methods": ["PUT"]}"#,
    ));
    for i in 0..2_500 {
        let origin = format!("\thttps://t{i}.a.example\t");
        let preflight_req = request(
            "OPTIONS",
            &[
                ("origin", &origin),
                ("access-control-request-method", " PUT "),
            ],
        );
        let answer: http::Response<()> = preflight(&cors, &preflight_req).into_response();
        assert_eq!(answer.status(), 204, "{origin:?}");
        let h = answer.headers();
        assert_eq!(
            h["access-control-allow-origin"],
            origin.trim(),
            "{origin:?}"
        );
        assert_eq!(h["access-control-allow-methods"], "PUT");
        let get = request("GET", &[("origin", &origin)]);
        let Respond::Forward { headers, refusal } = cors.respond(&get) else {
            panic!("a GET is not a preflight")
        };
        assert!(refusal.is_none());
        let mut map = HeaderMap::new();
        headers.apply(&mut map);
        assert_eq!(
            map["access-control-allow-origin"],
            origin.trim(),
            "{origin:?}"
        );
    }
}

/// What a log shows of an answer: the status and refusal of a preflight,
/// the values an actual response gets, never the policy.
#[test]
fn answers_debug_as_what_they_send() {
    let cors = Evaluator::new(owned(
        r#"{"allowed_origins": ["https://a.example"], "allowed_methods": ["PUT"]}"#,
    ));
    let pre = request(
        "OPTIONS",
        &[
            ("origin", "https://a.example"),
            ("access-control-request-method", "PUT"),
        ],
    );
    let refused = request(
        "OPTIONS",
        &[
            ("origin", "https://z.example"),
            ("access-control-request-method", "PUT"),
        ],
    );
    let get = request("GET", &[("origin", "https://a.example")]);
    // (request, its answer debugged)
    let cases = [
        (
            &pre,
            "Preflight(Preflight { status: 204, refusal: None, .. })".to_string(),
        ),
        (
            &refused,
            format!(
                "Preflight(Preflight {{ status: 403, refusal: {:?}, .. }})",
                cors.respond(&refused).refusal()
            ),
        ),
        (
            &get,
            "Forward { headers: ActualHeaders { origin: Some(\"https://a.example\"), credentials: false, expose: false, vary: \"Origin\", .. }, refusal: None }".to_string(),
        ),
    ];
    for (req, want) in cases {
        assert_eq!(format!("{:?}", cors.respond(req)), want);
    }
    assert!(cors.respond(&refused).refusal().is_some());
    // `respond_http`'s answers too: a preflight's response by its status,
    // the rest as `respond` shows them. (Mutation testing, issue 21: an
    // empty `Debug` went unnoticed.)
    let http = |req: &http::Request<()>| format!("{:?}", cors.respond_http::<(), _>(req, false));
    assert_eq!(http(&pre), "Preflight(204)");
    assert_eq!(http(&refused), "Preflight(403)");
    assert_eq!(
        http(&get),
        "Forward { headers: ActualHeaders { origin: Some(\"https://a.example\"), credentials: false, expose: false, vary: \"Origin\", .. }, refusal: None }"
    );
}
