//! Properties of debug mode (issue 9) on random preflights: it changes only
//! the answer to a preflight refused for its method or a header, from an
//! allowed origin, and then only to reveal what passed.

use cors_policy::{
    Check, Options, PolicyBuilder, Request, ResponseHeader, evaluate, evaluate_with,
};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const ORIGINS: &[&str] = &[
    "https://app.example",
    "https://*.app.example",
    "http://localhost:*",
];
const REQUEST_ORIGINS: &[&str] = &[
    "https://app.example",
    "https://eu.app.example",
    "http://localhost:3000",
    "https://evil.example",
    "https://app.example.evil",
    "null",
    "",
];
const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "put", "DELETE", "PATCH", "patch", "PROPFIND", "TRACE", "x y",
];
const NAMES: &[&str] = &[
    "content-type",
    "Content-Type",
    "x-a",
    "X-B",
    "authorization",
    "x-not",
    "bad name",
    "",
];

fn acrh_line() -> impl Strategy<Value = String> {
    (prop::collection::vec((0..NAMES.len(), 0..4usize), 0..5)).prop_map(|parts| {
        parts
            .into_iter()
            .map(|(n, sep)| format!("{}{}", NAMES[n], [",", ", ", " ,\t", ",,"][sep]))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2048,
        // Relative to the package root, where `cargo test` runs.
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "proptest-regressions/debug_properties.txt",
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn debug_mode_reveals_only_what_passed(
        credentials in any::<bool>(),
        any_headers in any::<bool>(),
        origin in 0..REQUEST_ORIGINS.len(),
        method in 0..METHODS.len(),
        lines in prop::collection::vec(acrh_line(), 0..3),
    ) {
        let headers: &[&str] = if any_headers { &["*", "x-a"] } else { &["content-type", "x-a", "x-b"] };
        let policy = PolicyBuilder::new()
            .allow_origins(ORIGINS)
            .allow_credentials(credentials)
            .allow_methods(&["PUT", "PATCH", "DELETE"])
            .allow_headers(headers)
            .max_age(600)
            .build()
            .unwrap();
        let mut pairs = vec![
            ("Origin".to_string(), REQUEST_ORIGINS[origin].to_string()),
            ("Access-Control-Request-Method".to_string(), METHODS[method].to_string()),
        ];
        for l in &lines {
            pairs.push(("Access-Control-Request-Headers".to_string(), l.clone()));
        }
        let request = Request::from_pairs(b"OPTIONS", &pairs);
        let plain = evaluate(&policy, &request);
        let debug = evaluate_with(&policy, &request, &Options { origin_check: None, debug: true });
        let plain_headers: Vec<_> = plain.headers().collect();
        let debug_headers: Vec<_> = debug.headers().collect();

        // The accessors give what `headers()` lists, header by header.
        for (d, listed) in [(&plain, &plain_headers), (&debug, &debug_headers)] {
            let only = |want: ResponseHeader| -> Vec<&[u8]> {
                listed.iter().filter(|(h, _)| *h == want).map(|(_, v)| *v).collect()
            };
            prop_assert_eq!(d.allow_headers().collect::<Vec<_>>(), only(ResponseHeader::AllowHeaders));
            prop_assert_eq!(d.allow_methods().into_iter().collect::<Vec<_>>(), only(ResponseHeader::AllowMethods));
            prop_assert_eq!(d.allow_origin().into_iter().collect::<Vec<_>>(), only(ResponseHeader::AllowOrigin));
            prop_assert_eq!(d.max_age().into_iter().collect::<Vec<_>>(), only(ResponseHeader::MaxAge));
            prop_assert_eq!(d.allows_credentials(), !only(ResponseHeader::AllowCredentials).is_empty());
            prop_assert_eq!(d.allows_private_network(), !only(ResponseHeader::AllowPrivateNetwork).is_empty());
        }
        prop_assert_eq!(plain.vary(), debug.vary());
        prop_assert_eq!(plain.refusal(), debug.refusal());
        prop_assert_eq!(plain.is_allowed(), debug.is_allowed());
        match plain.refusal() {
            None => {
                prop_assert_eq!(&plain_headers, &debug_headers);
                prop_assert_eq!(debug.preflight_status(), Some(204));
            }
            Some(r) if r.check() == Check::Origin => {
                // Refused origins get nothing, debug or not.
                prop_assert!(debug_headers.is_empty());
                prop_assert_eq!(debug.preflight_status(), Some(403));
            }
            Some(r) => {
                prop_assert!(plain_headers.is_empty());
                prop_assert_eq!(plain.preflight_status(), Some(403));
                prop_assert_eq!(debug.preflight_status(), Some(204));
                // The origin as an allowed request would get it, and credentials.
                prop_assert_eq!(debug.allow_origin(), Some(REQUEST_ORIGINS[origin].as_bytes()));
                prop_assert_eq!(debug.allows_credentials(), credentials);
                for (h, v) in &debug_headers {
                    match h {
                        ResponseHeader::AllowOrigin | ResponseHeader::AllowCredentials => {}
                        ResponseHeader::AllowMethods => {
                            prop_assert_eq!(r.check(), Check::Headers);
                            prop_assert_eq!(*v, METHODS[method].as_bytes());
                        }
                        ResponseHeader::AllowHeaders => {
                            prop_assert_eq!(r.check(), Check::Headers);
                            // A prefix of one of the requested lines, naming only what passed.
                            prop_assert!(lines.iter().any(|l| l.as_bytes().starts_with(v)));
                            let refused = match r {
                                cors_policy::Refusal::HeaderNotAllowed(n)
                                | cors_policy::Refusal::HeaderMalformed(n) => n,
                                _ => unreachable!(),
                            };
                            prop_assert!(!v.split(|&b| b == b',').any(|e| e.trim_ascii() == refused));
                        }
                        other => prop_assert!(false, "debug sent {:?}", other),
                    }
                }
            }
        }
    }
}
