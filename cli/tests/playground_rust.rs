//! The playground's "copy the policy as Rust": the snippet it writes for a
//! policy with every field (the text between the markers, which the
//! playground's unit test `rust_snippet_is_the_compiled_one` compares byte
//! for byte with what it generates) compiles, and answers as the same
//! policy read by `cors-policy-config` does.

// snippet:start
use cors_policy::{Policy, PolicyBuilder};

// Checked while compiling: an invalid policy is a build error.
static POLICY: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&["https://app.example", "https://*.app.example"])
    .allow_credentials(true)
    .allow_methods(&["PUT", "DELETE"])
    .allow_headers(&["content-type", "x-trace"])
    .expose_headers(&["x-request-id"])
    .max_age(600)
    .allow_private_network(true)
    .build()
{
    Ok(policy) => policy,
    Err(_) => panic!("invalid CORS policy"),
};

// axum (cors-policy-tower): .layer(cors_policy_tower::CorsLayer::new(&POLICY))
// actix-web (cors-policy-actix): .wrap(cors_policy_actix::Cors::new(&POLICY))
// snippet:end

use cors_policy::{Request, evaluate};
use cors_policy_config::PolicyConfig;

const JSON: &str = r#"{"allowed_origins": ["https://app.example", "https://*.app.example"], "allow_credentials": true,
    "allowed_methods": ["PUT", "DELETE"], "allowed_headers": ["content-type", "x-trace"],
    "expose_headers": ["x-request-id"], "max_age": 600, "allow_private_network": true}"#;

#[test]
fn the_snippet_answers_as_the_policy_file() {
    let owned = PolicyConfig::from_json_str(JSON).unwrap().build().unwrap();
    let requests: &[(&str, &[(&str, &str)])] = &[
        ("GET", &[("Origin", "https://app.example")]),
        ("GET", &[("Origin", "https://eu.app.example")]),
        ("GET", &[("Origin", "https://evil.example")]),
        (
            "OPTIONS",
            &[
                ("Origin", "https://app.example"),
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "content-type,x-trace"),
                ("Access-Control-Request-Private-Network", "true"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("Origin", "https://app.example"),
                ("Access-Control-Request-Method", "PATCH"),
            ],
        ),
        (
            "OPTIONS",
            &[
                ("Origin", "https://app.example"),
                ("Access-Control-Request-Method", "DELETE"),
                ("Access-Control-Request-Headers", "authorization"),
            ],
        ),
    ];
    for (method, headers) in requests {
        let request = Request::from_pairs(method.as_bytes(), headers);
        let a = evaluate(&POLICY, &request);
        let b = evaluate(owned.policy(), &request);
        let sent = |d: &cors_policy::Decision<'_, '_, _>| {
            d.headers()
                .map(|(h, v)| (h.as_str(), v.to_vec()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            (a.is_allowed(), a.preflight_status(), sent(&a)),
            (b.is_allowed(), b.preflight_status(), sent(&b)),
            "{method} {headers:?}"
        );
    }
}
