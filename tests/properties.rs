//! Property tests: the core agrees with the naive oracle (`tests/oracle/`)
//! on random policies and browser-like or adversarial requests, and every
//! answer satisfies the invariants of docs/behaviour.md §3.
//!
//! Failing cases proptest finds are kept in `proptest-regressions/`.

mod oracle;

use oracle::OPolicy;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::FileFailurePersistence;

const VALID_PATTERNS: &[&str] = &[
    "https://app.example",
    "https://admin.app.example",
    "https://*.app.example",
    "http://localhost:*",
    "https://*.app.example:*",
    "https://*.b.example:8443",
    "null",
    "http://[::1]:8080",
    "http://[::1]:*",
    "https://api.example:8443",
    "wss://x.example",
    "http://127.0.0.1:3000",
];

const INVALID_PATTERNS: &[&str] = &[
    "*",
    "https://App.example",
    "https://app.example/",
    "https://app.example:443",
    "http://app.example:80",
    "app.example",
    "https://*",
    "https://a..b",
    "https://x.example:0",
    "https://x.example:080",
    "https://x.example:65536",
    "https://u@x.example",
    "https://foo*.example",
    "https://*.x.example:8*",
    "https://[::G]",
    "HTTPS://x.example",
    "1http://x.example",
    "https://",
    "",
    "https://x.example:",
    "http://127.1:3999",
    "http://1:6060",
    "http://foo.bar.255:6060",
    "http://127.0.0.1.1",
    "http://[2001:4860:4860:0000:0000:0000:0000:8888]:90",
    "http://xn--f",
    "http://*.127.0.0.1:3999",
    "ftp://example.com:21",
    "https://[::1]:",
];

/// Valid patterns some policies refuse: dangerous without an opt-in.
const DANGEROUS_PATTERNS: &[&str] = &[
    "https://*.com",
    "https://*.co.uk",
    "https://*.github.io",
    "http://api.example",
    "http://*.example.com:*",
    "https://*.localhost",
    "http://*.localhost:*",
    "http://127.0.0.1:*",
    "https://x_y.example",
    "https://*.x_y.example",
    "https://xn--bcher-kva.example",
    "ftp://example.com:2121",
];

const METHODS: &[&str] = &[
    "GET",
    "PUT",
    "put",
    "patch",
    "PATCH",
    "DELETE",
    "delete",
    "*",
    "PROPFIND",
    "Get",
    "OPTIONS",
    "options",
    "TRACE",
    "connect",
    "Track",
    "bad method",
    "",
    "chicken",
];

const HEADERS: &[&str] = &[
    "content-type",
    "Content-Type",
    "X-Request-Id",
    "*",
    "Authorization",
    "authorization",
    "Range",
    "x-a",
    "cookie",
    "Sec-Foo",
    "proxy-x",
    "Host",
    "bad header",
    "",
    "x,y",
];

const EXPOSE: &[&str] = &["X-Total-Count", "ETag", "*", "bad name", "x-a"];

fn pattern() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => select(VALID_PATTERNS).prop_map(String::from),
        2 => select(INVALID_PATTERNS).prop_map(String::from),
        2 => select(DANGEROUS_PATTERNS).prop_map(String::from),
        1 => (
            select(&["http", "https", "Http", "ws", "x+y"][..]),
            select(&["", "*."][..]),
            "[a-zA-Z0-9_-]{1,8}(\\.[a-z0-9_-]{1,6}){0,2}",
            select(&["", ":80", ":443", ":8080", ":*", ":", ":0"][..]),
            select(&["", "/", "/p"][..]),
        )
            .prop_map(|(s, w, h, p, t)| format!("{s}://{w}{h}{p}{t}")),
    ]
}

fn policy() -> impl Strategy<Value = OPolicy> {
    (
        prop::bool::weighted(0.25),
        prop::collection::vec(pattern(), 0..6),
        any::<bool>(),
        prop::collection::vec(select(METHODS).prop_map(String::from), 0..5),
        prop::collection::vec(select(HEADERS).prop_map(String::from), 0..5),
        prop::collection::vec(select(EXPOSE).prop_map(String::from), 0..3),
        prop_oneof![
            Just(None),
            select(&[0u32, 600, 86_400, 86_401][..]).prop_map(Some),
            any::<u32>().prop_map(Some)
        ],
        any::<bool>(),
        (prop::bool::weighted(0.3), prop::bool::weighted(0.3)),
    )
        .prop_map(
            |(
                any_origin,
                origins,
                credentials,
                methods,
                headers,
                expose,
                max_age,
                pn,
                (psw, io),
            )| OPolicy {
                any_origin,
                origins: if any_origin { vec![] } else { origins },
                credentials,
                methods,
                headers,
                expose,
                max_age,
                private_network: pn,
                public_suffix_wildcards: psw,
                insecure_origins: io,
            },
        )
}

/// Policies that build: the invalid draws are nudged into valid ones, so the
/// request-level properties are not starved.
fn valid_policy() -> impl Strategy<Value = OPolicy> {
    policy().prop_map(|mut p| {
        let q = p.clone();
        p.origins
            .retain(|o| oracle::origin_problem(&q, o).is_none());
        if !p.any_origin && p.origins.is_empty() {
            p.origins.push("https://app.example".into());
        }
        if p.any_origin {
            p.credentials = false;
            p.private_network = false;
        }
        p.methods.retain(|m| {
            oracle::is_token(m.as_bytes()) && !oracle::is_forbidden_method(m.as_bytes())
        });
        p.headers.retain(|h| {
            h == "*" || (oracle::is_token(h.as_bytes()) && !oracle::is_forbidden_header(h))
        });
        p.expose
            .retain(|e| oracle::is_token(e.as_bytes()) && !(p.credentials && e == "*"));
        p.max_age = p.max_age.map(|a| a % (oracle::MAX_MAX_AGE + 1));
        p
    })
}

/// How a request's origin is made: from one of the policy's patterns (with
/// its wildcards filled in), then changed into a near miss or not.
#[derive(Clone, Debug)]
struct OriginRecipe {
    base: usize,
    label: String,
    port: &'static str,
    mutation: u8,
    pad: (&'static str, &'static str),
}

fn origin_recipe() -> impl Strategy<Value = OriginRecipe> {
    (
        any::<usize>(),
        "[a-z0-9-]{1,6}(\\.[a-z0-9]{1,4}){0,2}",
        select(
            &[
                "", ":8080", ":1", ":65535", ":99999", ":123456", ":", ":0080", ":x",
            ][..],
        ),
        0u8..16,
        (
            select(&["", " ", "\t", " \t "][..]),
            select(&["", " ", "\t", "\t "][..]),
        ),
    )
        .prop_map(|(base, label, port, mutation, pad)| OriginRecipe {
            base,
            label,
            port,
            mutation,
            pad,
        })
}

fn make_origin(p: &OPolicy, r: &OriginRecipe) -> Vec<u8> {
    let fallback = "https://app.example".to_string();
    let pat = if p.origins.is_empty() {
        &fallback
    } else {
        &p.origins[r.base % p.origins.len()]
    };
    let mut o = pat.replace("*.", &format!("{}.", r.label));
    if o.ends_with(":*") {
        o.truncate(o.len() - 2);
        o.push_str(r.port);
    }
    let o = match r.mutation {
        0..=6 => o,
        7 => o.to_uppercase(),
        8 => format!("{o}/"),
        9 => format!("{o}.evil"),
        10 => o.replacen("://", "://evil", 1),
        11 => format!("{o}{}", r.port),
        12 => o.replacen("https", "http", 1),
        13 => format!("{o}, https://evil.example"),
        14 => format!("{o}\u{e9}"),
        _ => String::new(),
    };
    format!("{}{o}{}", r.pad.0, r.pad.1).into_bytes()
}

#[derive(Clone, Debug)]
enum Line {
    Origin(&'static str, OriginRecipe),
    Acrm(&'static str, String),
    Acrh(&'static str, Vec<(String, &'static str)>),
    Acrpn(&'static str),
    /// ACRM naming one of the policy's methods (by index), as listed.
    AcrmListed(usize),
    /// ACRH naming the policy's headers (by index), upper-cased or not,
    /// joined by the separators.
    AcrhListed(Vec<(usize, bool, &'static str)>),
    Other(Vec<u8>),
}

fn line() -> impl Strategy<Value = Line> {
    let name = |names: &'static [&'static str]| select(names);
    prop_oneof![
        3 => (name(&["Origin", "origin", "ORIGIN"]), origin_recipe())
            .prop_map(|(n, r)| Line::Origin(n, r)),
        2 => (
            name(&["Access-Control-Request-Method", "access-control-request-method"]),
            prop_oneof![
                select(&[
                    "PUT", "put", "GET", " PATCH\t", "PATCH", "patch", "PROPFIND", "TRACE",
                    "chicken", "", " ", "bad method", "GET,PUT", "OPTIONS", "DELETE", "Get"
                ][..])
                .prop_map(String::from),
                "[!-~]{0,8}",
            ],
        )
            .prop_map(|(n, v)| Line::Acrm(n, v)),
        3 => (
            name(&["Access-Control-Request-Headers", "access-control-request-headers"]),
            prop::collection::vec(
                (
                    prop_oneof![
                        select(&[
                            "content-type", "Content-Type", "x-request-id", "X-REQUEST-ID",
                            "authorization", "range", "x-a", "x-other", "", " ", "bad name",
                            "caf\u{e9}", "*", "x;y", "cookie"
                        ][..])
                        .prop_map(String::from),
                        "[ -~]{0,6}",
                    ],
                    select(&[",", ", ", " ,", ",,", "\t,", " , "][..]),
                ),
                0..6,
            ),
        )
            .prop_map(|(n, v)| Line::Acrh(n, v)),
        1 => (
            name(&["Access-Control-Request-Private-Network"]),
            select(&["true", "TRUE", " true ", "false", ""][..]),
        )
            .prop_map(|(_, v)| Line::Acrpn(v)),
        1 => prop::collection::vec(any::<u8>(), 0..12).prop_map(Line::Other),
    ]
}

fn browser_like() -> impl Strategy<Value = Vec<Line>> {
    (
        prop_oneof![1 => Just(0usize), 8 => Just(1usize), 1 => Just(2usize)],
        origin_recipe(),
        prop_oneof![
            1 => Just(0usize), 3 => Just(1usize), 1 => Just(2usize)
        ],
        any::<usize>(),
        prop::collection::vec(
            (
                any::<usize>(),
                any::<bool>(),
                select(&[",", ", ", " ,", ",,", "\t,"][..]),
            ),
            0..4,
        ),
        prop::collection::vec(line(), 0..2),
    )
        .prop_map(|(origins, mut recipe, acrm, method, acrh, extra)| {
            // Mostly the origin as a browser sends it; near misses too.
            if recipe.mutation % 2 == 0 {
                recipe.mutation = 0;
            }
            let mut lines = Vec::new();
            for _ in 0..origins {
                lines.push(Line::Origin("Origin", recipe.clone()));
            }
            for i in 0..acrm {
                lines.push(Line::AcrmListed(method.wrapping_add(i)));
            }
            if !acrh.is_empty() {
                lines.push(Line::AcrhListed(acrh));
            }
            lines.extend(extra);
            lines
        })
}

fn request() -> impl Strategy<Value = (&'static str, Vec<Line>)> {
    prop_oneof![
        1 => (
            select(&["OPTIONS", "options", "GET", "POST", "PUT"][..]),
            prop::collection::vec(line(), 0..6),
        ),
        3 => (
            prop_oneof![9 => Just("OPTIONS"), 1 => Just("GET")],
            browser_like(),
        ),
    ]
}

fn realise(p: &OPolicy, lines: &[Line]) -> Vec<(Vec<u8>, Vec<u8>)> {
    lines
        .iter()
        .map(|l| match l {
            Line::Origin(n, r) => (n.as_bytes().to_vec(), make_origin(p, r)),
            Line::Acrm(n, v) => (n.as_bytes().to_vec(), v.clone().into_bytes()),
            Line::Acrh(n, parts) => {
                let mut v = String::new();
                for (i, (name, sep)) in parts.iter().enumerate() {
                    if i > 0 {
                        v.push_str(sep);
                    }
                    v.push_str(name);
                }
                (n.as_bytes().to_vec(), v.into_bytes())
            }
            Line::Acrpn(v) => (
                b"Access-Control-Request-Private-Network".to_vec(),
                v.as_bytes().to_vec(),
            ),
            Line::AcrmListed(i) => {
                let m = match p.methods.len() {
                    0 => "PUT".to_string(),
                    n => p.methods[i % n].to_uppercase(),
                };
                (b"Access-Control-Request-Method".to_vec(), m.into_bytes())
            }
            Line::AcrhListed(parts) => {
                let mut v = String::new();
                for (k, (i, upper, sep)) in parts.iter().enumerate() {
                    if k > 0 {
                        v.push_str(sep);
                    }
                    let name = match p.headers.len() {
                        0 => "content-type".to_string(),
                        n => p.headers[i % n].replace('*', "x-any"),
                    };
                    v.push_str(&if *upper { name.to_uppercase() } else { name });
                }
                (b"Access-Control-Request-Headers".to_vec(), v.into_bytes())
            }
            Line::Other(v) => (b"X-Other".to_vec(), v.clone()),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 4096,
        // Relative to the package root, where `cargo test` runs.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/properties.txt",
        ))),
        ..ProptestConfig::default()
    })]

    /// Every policy builds exactly when the oracle finds no problem, and a
    /// refused one names as many problems as the oracle finds.
    #[test]
    fn building_agrees_with_the_oracle(p in policy()) {
        let [o, m, h, e] = oracle::views(&p);
        let problems = oracle::validate(&p);
        match oracle::build_core(&p, &o, &m, &h, &e) {
            Ok(built) => {
                prop_assert!(problems.is_empty(), "built, but the oracle finds {problems:?}");
                // Invariants of a built policy (docs/behaviour.md §2).
                prop_assert!(!(built.allows_any_origin() && built.allows_credentials()));
                prop_assert!(!(built.allows_any_origin() && built.allows_private_network()));
                prop_assert!(built.max_age().is_none_or(|a| a <= oracle::MAX_MAX_AGE));
                let joined = p.expose.join(", ");
                prop_assert_eq!(
                    built.expose_headers_value(),
                    (!joined.is_empty()).then_some(joined.as_bytes())
                );
                let age = p.max_age.map(|a| a.to_string());
                prop_assert_eq!(built.max_age_value(), age.as_deref().map(str::as_bytes));
            }
            Err(errors) => {
                prop_assert!(!problems.is_empty(), "refused: {errors}");
                prop_assert_eq!(errors.iter().count(), problems.len(),
                    "core: {} / oracle: {:?}", errors, problems);
                for err in &errors {
                    prop_assert!(!err.to_string().is_empty());
                }
            }
        }
    }

    /// On every valid policy and request, the core answers what the oracle
    /// answers, and the answer satisfies the invariants.
    #[test]
    fn evaluate_agrees_with_the_oracle(p in valid_policy(), (method, lines) in request()) {
        let [o, m, h, e] = oracle::views(&p);
        let problems = oracle::validate(&p);
        prop_assert!(problems.is_empty(), "{problems:?}");
        let built = oracle::build_core(&p, &o, &m, &h, &e);
        let policy = match built {
            Ok(policy) => policy,
            Err(errors) => return Err(TestCaseError::fail(format!("refused: {errors}"))),
        };
        let headers = realise(&p, &lines);
        let want = oracle::evaluate(&p, method.as_bytes(), &headers);
        let got = oracle::core_evaluate(&policy, method.as_bytes(), &headers);
        prop_assert_eq!(&got, &want, "request {:?}", headers);
        prop_assert_eq!(oracle::check_invariants(&p, &headers, &got), Ok(()));
        // A `*` policy's answer does not depend on the origin's value, so it
        // may go without `Vary: Origin`.
        if p.any_origin {
            let other: Vec<(Vec<u8>, Vec<u8>)> = headers
                .iter()
                .map(|(n, v)| if n.eq_ignore_ascii_case(b"origin") {
                    (n.clone(), b"https://other.example".to_vec())
                } else {
                    (n.clone(), v.clone())
                })
                .collect();
            let again = oracle::core_evaluate(&policy, method.as_bytes(), &other);
            prop_assert_eq!(again, got);
        }
    }

    /// A run-time origin check (`Options::origin_check`) over a tenant list
    /// answers as if the tenants were listed as exact patterns: it sees the
    /// trimmed origin alone, and `*` policies ignore it.
    #[test]
    fn dynamic_origin_check_agrees(
        p in valid_policy(),
        tenants in prop::collection::vec("https://t[0-9]\\.example(:8[0-9]{3})?", 0..3),
        (method, lines) in request(),
    ) {
        let [o, m, h, e] = oracle::views(&p);
        let policy = match oracle::build_core(&p, &o, &m, &h, &e) {
            Ok(policy) => policy,
            Err(errors) => return Err(TestCaseError::fail(format!("refused: {errors}"))),
        };
        let mut with_tenants = p.clone();
        if !p.any_origin {
            with_tenants.origins.extend(tenants.iter().cloned());
        }
        // Requests are made from the patterns and the tenants alike.
        let headers = realise(&with_tenants, &lines);
        let check = |origin: &[u8]| tenants.iter().any(|t| t.as_bytes() == origin);
        let options = cors_policy::Options { origin_check: Some(&check), debug: false };
        let request = cors_policy::Request::from_pairs(method.as_bytes(), &headers);
        let got = oracle::core_answer(&cors_policy::evaluate_with(&policy, &request, &options));
        let want = oracle::evaluate(&with_tenants, method.as_bytes(), &headers);
        prop_assert_eq!(&got, &want, "request {:?}", headers);
        prop_assert_eq!(oracle::check_invariants(&p, &headers, &got), Ok(()));
    }

    /// Origin patterns: an origin made from a valid pattern (wildcards
    /// filled in) is allowed by the core exactly when the oracle matches it.
    #[test]
    fn origin_matching_agrees(pat in pattern(), r in origin_recipe()) {
        // The opt-ins are on: this property is about patterns and matching.
        let p = OPolicy {
            origins: vec![pat.clone()],
            public_suffix_wildcards: true,
            ..OPolicy::default()
        };
        if p.any() {
            // `["*"]` is the any-origin policy, not a pattern.
            return Ok(());
        }
        let list = [pat.as_str()];
        let Ok(policy) = cors_policy::Policy::builder()
            .allow_origins(&list)
            .dangerously_allow_public_suffix_wildcards(true)
            .build()
        else {
            prop_assert!(oracle::parse_pattern(&pat).is_none(), "{pat} refused");
            return Ok(());
        };
        prop_assert!(oracle::parse_pattern(&pat).is_some(), "{pat} built");
        let origin = make_origin(&p, &r);
        let trimmed = oracle::trim(&origin);
        let want = std::str::from_utf8(trimmed)
            .is_ok_and(|s| !s.contains(',') && oracle::pattern_matches(&pat, s))
            && trimmed.iter().all(|&b| (0x21..=0x7e).contains(&b));
        prop_assert_eq!(policy.allows_origin(&origin), want, "{} vs {:?}", pat,
            String::from_utf8_lossy(&origin));
    }
}

/// The conformance vectors' policies and requests, run through the oracle:
/// the oracle itself must pass them, or its agreement proves nothing.
#[test]
fn oracle_passes_the_vectors() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/vectors.json"
    ))
    .expect("vectors.json");
    let vectors: serde_json::Value = serde_json::from_str(&text).expect("vectors parse");
    let list = |v: &serde_json::Value| -> Vec<String> {
        match v {
            serde_json::Value::String(s) => vec![s.clone()],
            serde_json::Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().expect("string").to_string())
                .collect(),
            _ => vec![],
        }
    };
    let mut checked = 0;
    for v in vectors.as_array().expect("array") {
        let pol = &v["policy"];
        let p = OPolicy {
            any_origin: pol["allowed_origins"].is_string(),
            origins: if pol["allowed_origins"].is_string() {
                vec![]
            } else {
                list(&pol["allowed_origins"])
            },
            credentials: pol["allow_credentials"].as_bool().expect("bool"),
            methods: list(&pol["allowed_methods"]),
            headers: list(&pol["allowed_headers"]),
            expose: list(&pol["expose_headers"]),
            max_age: pol["max_age"].as_u64().map(|a| a as u32),
            private_network: pol["allow_private_network"].as_bool().expect("bool"),
            public_suffix_wildcards: false,
            insecure_origins: false,
        };
        let name = v["name"].as_str().expect("name");
        let expect = &v["expect"];
        let problems = oracle::validate(&p);
        if expect["kind"] == "invalid_policy" {
            assert!(
                !problems.is_empty(),
                "{name}: oracle accepts an invalid policy"
            );
            checked += 1;
            continue;
        }
        assert!(problems.is_empty(), "{name}: {problems:?}");
        let req = &v["request"];
        let headers: Vec<(Vec<u8>, Vec<u8>)> = req["headers"]
            .as_array()
            .expect("headers")
            .iter()
            .map(|h| {
                (
                    h[0].as_str().expect("name").as_bytes().to_vec(),
                    h[1].as_str().expect("value").as_bytes().to_vec(),
                )
            })
            .collect();
        let a = oracle::evaluate(
            &p,
            req["method"].as_str().expect("method").as_bytes(),
            &headers,
        );
        assert_eq!(a.kind, expect["kind"].as_str().expect("kind"), "{name}");
        if let Some(allowed) = expect["allowed"].as_bool() {
            assert_eq!(a.refusal.is_none(), allowed, "{name}: {a:?}");
        }
        if let Some(want) = expect["headers"].as_array() {
            let want: Vec<(String, Vec<u8>)> = want
                .iter()
                .map(|h| {
                    (
                        h[0].as_str().expect("name").to_string(),
                        h[1].as_str().expect("value").as_bytes().to_vec(),
                    )
                })
                .collect();
            assert_eq!(a.headers, want, "{name}");
        }
        if let Some(want) = expect["vary"].as_array() {
            let want: Vec<&str> = want.iter().map(|x| x.as_str().expect("vary")).collect();
            assert_eq!(a.vary, want, "{name}");
        }
        checked += 1;
    }
    assert!(checked >= 61, "only {checked} vectors checked");
}
