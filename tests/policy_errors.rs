//! Table-driven tests of policy validation (docs/behaviour.md §2): every problem
//! is reported, each naming its entry.

use cors_policy::{MAX_MAX_AGE, OriginProblem, PolicyBuilder, PolicyError};

fn errors(b: PolicyBuilder<'_>) -> Vec<String> {
    match b.build() {
        Ok(_) => Vec::new(),
        Err(e) => e.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn origin_problems() {
    let cases: &[(&str, Option<OriginProblem>, Option<&str>)] = &[
        ("https://app.example", None, None),
        ("https://App.Example", None, Some("https://app.example")),
        ("https://app.example/", None, Some("https://app.example")),
        (
            "https://app.example/path",
            None,
            Some("https://app.example"),
        ),
        ("https://app.example:443", None, Some("https://app.example")),
        ("http://app.example:80", None, Some("http://app.example")),
        ("https://app.example:", None, Some("https://app.example")),
        (
            "HTTPS://*.APP.example:8443/",
            None,
            Some("https://*.app.example:8443"),
        ),
        ("*", Some(OriginProblem::WildcardInList), None),
        ("app.example", Some(OriginProblem::MissingScheme), None),
        ("https://", Some(OriginProblem::MissingHost), None),
        (
            "https://user@app.example",
            Some(OriginProblem::Userinfo),
            None,
        ),
        (
            "https://app.*.example",
            Some(OriginProblem::MisplacedWildcard),
            None,
        ),
        (
            "https://*app.example",
            Some(OriginProblem::MisplacedWildcard),
            None,
        ),
        ("https://app..example", Some(OriginProblem::BadHost), None),
        ("https://app.example.", Some(OriginProblem::BadHost), None),
        ("https://app_1.example", Some(OriginProblem::BadHost), None),
        ("https://[zz::1]", Some(OriginProblem::BadHost), None),
        ("https://app.example:0", Some(OriginProblem::BadPort), None),
        (
            "https://app.example:65536",
            Some(OriginProblem::BadPort),
            None,
        ),
        ("https://app.example:x", Some(OriginProblem::BadPort), None),
        ("1ttp://app.example", Some(OriginProblem::BadScheme), None),
    ];
    for &(entry, problem, canonical) in cases {
        let list = [entry];
        let got: Vec<PolicyError> = match PolicyBuilder::new().allow_origins(&list).build() {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().collect(),
        };
        match (problem, canonical) {
            (None, None) => assert!(got.is_empty(), "{entry}: {got:?}"),
            (Some(p), _) => assert_eq!(
                got,
                [PolicyError::InvalidOrigin {
                    index: 0,
                    entry,
                    problem: p
                }],
                "{entry}"
            ),
            (None, Some(c)) => match got.as_slice() {
                [
                    PolicyError::NonCanonicalOrigin {
                        index: 0,
                        entry: e,
                        canonical: got_c,
                    },
                ] => {
                    assert_eq!(*e, entry);
                    assert_eq!(got_c.to_string(), c, "{entry}");
                    // The canonical spelling is itself valid.
                    let fixed = [c];
                    assert!(
                        PolicyBuilder::new().allow_origins(&fixed).build().is_ok(),
                        "{c}"
                    );
                }
                other => panic!("{entry}: {other:?}"),
            },
        }
    }
}

#[test]
fn every_problem_is_listed_together() {
    let origins = ["https://ok.example", "https://Bad.example", "*"];
    let methods = ["GET", "TRACE", "bad method", "connect"];
    let headers = ["content-type", "Cookie", "sec-fetch-mode", "x bad", "*"];
    let expose = ["x-ok", "bad header"];
    let all = errors(
        PolicyBuilder::new()
            .allow_origins(&origins)
            .allow_methods(&methods)
            .allow_headers(&headers)
            .expose_headers(&expose)
            .max_age(MAX_MAX_AGE + 1),
    );
    assert_eq!(
        all,
        [
            "max_age 86401 is above 86400; browsers cap it far lower (Chromium: 7200)",
            "allowed_origins[1] \"https://Bad.example\" is not how browsers send origins and would never match; write \"https://bad.example\"",
            "allowed_origins[2] \"*\": \"*\" cannot be mixed with other origins; allow any origin instead",
            "allowed_methods[1] \"TRACE\" is a forbidden method that browsers never send",
            "allowed_methods[2] \"bad method\" is not a valid method token",
            "allowed_methods[3] \"connect\" is a forbidden method that browsers never send",
            "allowed_headers[1] \"Cookie\" is a forbidden request header that scripts can never set",
            "allowed_headers[2] \"sec-fetch-mode\" is a forbidden request header that scripts can never set",
            "allowed_headers[3] \"x bad\" is not a valid header name",
            "expose_headers[1] \"bad header\" is not a valid header name",
        ]
    );
}

#[test]
fn cross_field_rules() {
    let table: &[(PolicyBuilder<'static>, PolicyError<'static>)] = &[
        (PolicyBuilder::new(), PolicyError::NoOrigins),
        (
            PolicyBuilder::new().allow_origins(&[]),
            PolicyError::NoOrigins,
        ),
        (
            PolicyBuilder::new()
                .allow_any_origin()
                .allow_credentials(true),
            PolicyError::AnyOriginWithCredentials,
        ),
        (
            PolicyBuilder::new()
                .allow_origins(&["https://a.example"])
                .allow_credentials(true)
                .expose_headers(&["*"]),
            PolicyError::ExposeAnyWithCredentials,
        ),
        (
            PolicyBuilder::new()
                .allow_any_origin()
                .allow_private_network(true),
            PolicyError::PrivateNetworkWithAnyOrigin,
        ),
        (
            PolicyBuilder::new()
                .allow_any_origin()
                .origin_check(|_| true),
            PolicyError::OriginCheckWithAnyOrigin,
        ),
        (
            PolicyBuilder::new()
                .allow_origins(&["https://a.example"])
                .max_age(86_401),
            PolicyError::MaxAgeTooLarge { value: 86_401 },
        ),
    ];
    for (builder, want) in table {
        let got: Vec<PolicyError> = builder.build().map(|_| ()).unwrap_err().iter().collect();
        assert_eq!(got, [*want]);
    }
}

#[test]
fn valid_edge_policies_build() {
    // Credentials with `*` methods and headers are fine: they are echoed.
    assert!(
        PolicyBuilder::new()
            .allow_origins(&["https://a.example"])
            .allow_credentials(true)
            .allow_any_method()
            .allow_headers(&["*", "authorization"])
            .max_age(0)
            .build()
            .is_ok()
    );
    assert!(
        PolicyBuilder::new()
            .allow_any_origin()
            .expose_headers(&["*"])
            .max_age(86_400)
            .build()
            .is_ok()
    );
    let many: Vec<String> = (0..cors_policy::MAX_ALLOWED_HEADERS)
        .map(|i| format!("x-h{i}"))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    assert!(
        PolicyBuilder::new()
            .allow_any_origin()
            .allow_headers(&refs)
            .build()
            .is_ok()
    );
    let mut more = refs.clone();
    more.push("x-one-more");
    assert_eq!(
        PolicyBuilder::new()
            .allow_any_origin()
            .allow_headers(&more)
            .build()
            .unwrap_err()
            .first(),
        Some(PolicyError::TooManyHeaders {
            count: cors_policy::MAX_ALLOWED_HEADERS + 1
        })
    );
}

#[test]
fn long_expose_list_is_refused_not_truncated() {
    let names: Vec<String> = (0..200).map(|i| format!("x-exposed-header-{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let err = PolicyBuilder::new()
        .allow_any_origin()
        .expose_headers(&refs)
        .build()
        .unwrap_err();
    assert!(matches!(
        err.first(),
        Some(PolicyError::ExposeHeadersTooLong { .. })
    ));
}

#[test]
fn over_long_origin_pattern() {
    let long = format!(
        "https://{}.example",
        "a".repeat(cors_policy::MAX_ORIGIN_PATTERN_LEN)
    );
    let list = [long.as_str()];
    let err = PolicyBuilder::new()
        .allow_origins(&list)
        .build()
        .unwrap_err();
    assert_eq!(
        err.first(),
        Some(PolicyError::InvalidOrigin {
            index: 0,
            entry: &long,
            problem: OriginProblem::TooLong
        })
    );
}
