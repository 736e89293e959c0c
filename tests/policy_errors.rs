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
        // `["*"]` alone means any origin (docs/behaviour.md §2); mixed with
        // other patterns it stays an error (every_problem_is_listed_together).
        ("*", None, None),
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
        // Regressions (issue 14). `_` is kept in domains by the URL standard
        // and sent by browsers; it used to be refused.
        ("https://app_1.example", None, None),
        ("https://my_app.example.com", None, None),
        ("http://my_host:*", None, None),
        ("https://*.sub_1.example", None, None),
        // Hosts the URL parser rewrites were accepted silently and never
        // matched; now refused with what browsers send.
        ("http://127.1:3999", None, Some("http://127.0.0.1:3999")),
        ("http://1:6060", None, Some("http://0.0.0.1:6060")),
        ("http://0x7F.0.0.1", None, Some("http://127.0.0.1")),
        ("http://127.0.0.1.", None, Some("http://127.0.0.1")),
        (
            "http://[2001:4860:4860:0000:0000:0000:0000:8888]:90",
            None,
            Some("http://[2001:4860:4860::8888]:90"),
        ),
        (
            "https://[::FFFF:127.0.0.1]",
            None,
            Some("https://[::ffff:7f00:1]"),
        ),
        ("HTTP://[0:0::1]:80/x", None, Some("http://[::1]")),
        // ... or refuses: hosts ending in a number that are not IPv4
        // addresses, invalid Punycode, wildcards over addresses.
        (
            "http://foo.bar.255:6060",
            Some(OriginProblem::NotAnIpv4Address),
            None,
        ),
        (
            "http://127.0.0.1.1",
            Some(OriginProblem::NotAnIpv4Address),
            None,
        ),
        (
            "http://256.0.0.1",
            Some(OriginProblem::NotAnIpv4Address),
            None,
        ),
        ("http://xn--f", Some(OriginProblem::InvalidPunycode), None),
        (
            "https://a.xn--abc-.example",
            Some(OriginProblem::InvalidPunycode),
            None,
        ),
        ("https://xn--bcher-kva.example", None, None),
        // Found by the evaluate fuzz target: a leading `-` is no delimiter.
        (
            "https://xn---lev6lad.example",
            Some(OriginProblem::InvalidPunycode),
            None,
        ),
        (
            "http://*.127.0.0.1:3999",
            Some(OriginProblem::WildcardOverIp),
            None,
        ),
        ("http://*.[::1]", Some(OriginProblem::WildcardOverIp), None),
        // ftp's default port (21) is never written by browsers either.
        ("ftp://example.com:21", None, Some("ftp://example.com")),
        ("ftp://example.com:2121", None, None),
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
    // Two bad exposed names: the second's index is not its position among
    // all lists over the ones before it. (Mutation testing, issue 21: with
    // one, at index 1, `step / exposed` gave the same index as
    // `step - exposed`.)
    let expose = ["x-ok", "bad header", "x-ok-2", "also bad"];
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
            "expose_headers[3] \"also bad\" is not a valid header name",
        ]
    );
    // None of these is a risk an opt-in accepts. (Mutation testing, issue
    // 21: `opt_in` naming an empty field for them went unnoticed.)
    let err = PolicyBuilder::new()
        .allow_origins(&origins)
        .allow_methods(&methods)
        .allow_headers(&headers)
        .expose_headers(&expose)
        .max_age(MAX_MAX_AGE + 1)
        .build()
        .unwrap_err();
    assert_eq!(err.iter().count(), 11);
    for e in &err {
        assert_eq!(e.opt_in(), None, "{e}");
    }
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

/// The joined length counts ", " between names: n names of total length L
/// join to L + 2(n - 1) bytes, and exactly `MAX_EXPOSE_HEADERS_LEN` is
/// accepted. (Mutation testing, issue 21: `2 * (n - 1)` written `2 + (n -
/// 1)` went unnoticed, so one name could be two bytes short of the bound.)
#[test]
fn expose_list_bound_counts_the_separators() {
    use cors_policy::MAX_EXPOSE_HEADERS_LEN as MAX;
    let built = |names: &[String]| {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        match PolicyBuilder::new()
            .allow_any_origin()
            .expose_headers(&refs)
            .build()
        {
            Ok(p) => Ok(p.expose_headers_value().map(<[u8]>::len)),
            Err(e) => match e.first() {
                Some(PolicyError::ExposeHeadersTooLong { len }) => Err(len),
                other => panic!("{other:?}"),
            },
        }
    };
    // One name: no separator.
    assert_eq!(built(&["x".repeat(MAX)]), Ok(Some(MAX)));
    assert_eq!(built(&["x".repeat(MAX + 1)]), Err(MAX + 1));
    // Five names: four separators of two bytes.
    let five = |last: usize| {
        let mut names: Vec<String> = (0..4).map(|i| format!("x-{i}")).collect();
        names.push("y".repeat(last));
        names
    };
    let rest = MAX - 4 * 3 - 4 * 2;
    assert_eq!(built(&five(rest)), Ok(Some(MAX)));
    assert_eq!(built(&five(rest + 1)), Err(MAX + 1));
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

/// Regression (issue 14): a credentialed policy allowing `https://*.com` and
/// `null` built without a word and then echoed `https://evil.com` and `null`
/// with `Access-Control-Allow-Credentials: true`. Dangerous entries are now
/// refused unless the policy opts in, and the error names the opt-in.
#[test]
fn dangerous_policies_need_their_opt_in() {
    // (origins, credentials, refused entries with their codes)
    type Row = (
        &'static [&'static str],
        bool,
        &'static [(usize, &'static str)],
    );
    let table: &[Row] = &[
        (
            &["https://*.com", "null"],
            true,
            &[
                (0, "public_suffix_wildcard"),
                (1, "null_origin_with_credentials"),
            ],
        ),
        (
            &["https://*.co.uk", "https://*.github.io"],
            false,
            &[(0, "public_suffix_wildcard"), (1, "public_suffix_wildcard")],
        ),
        // The base of a wildcard rule (`*.ck`) and names under one.
        (
            &["https://*.ck", "https://*.x.ck"],
            false,
            &[(0, "public_suffix_wildcard"), (1, "public_suffix_wildcard")],
        ),
        // Names the list does not know, and registrable domains, are fine.
        (
            &[
                "https://*.localhost",
                "https://*.internal",
                "https://*.example",
                "https://*.example.com",
                "https://*.me.github.io",
                "https://*.www.ck",
            ],
            false,
            &[],
        ),
        (
            &[
                "http://api.example",
                "http://*.example.com:*",
                "http://localhost:*",
                "http://app.localhost",
                "http://*.localhost:*",
                "http://127.0.0.1:8080",
                "http://127.255.0.1",
                "http://[::1]:3000",
                "https://app.example",
                "http://10.0.0.1",
            ],
            true,
            &[
                (0, "insecure_origin_with_credentials"),
                (1, "insecure_origin_with_credentials"),
                (9, "insecure_origin_with_credentials"),
            ],
        ),
        // Without credentials, null and http:// need no opt-in.
        (&["null", "http://api.example"], false, &[]),
    ];
    for &(origins, credentials, want) in table {
        let builder = PolicyBuilder::new()
            .allow_origins(origins)
            .allow_credentials(credentials);
        let got: Vec<(usize, &str)> = match builder.build() {
            Ok(_) => vec![],
            Err(e) => e.iter().map(|e| (e.index().unwrap(), e.code())).collect(),
        };
        assert_eq!(got, want, "{origins:?}");
        for e in builder.build().err().iter().flat_map(|e| e.iter()) {
            let opt_in = e.opt_in().expect("a dangerous entry names its opt-in");
            assert!(e.to_string().contains(opt_in), "{e}");
            assert_eq!(e.field(), "allowed_origins");
        }
        // Each opt-in waives its own risk, and only it.
        let both = builder
            .dangerously_allow_public_suffix_wildcards(true)
            .dangerously_allow_insecure_origins(true);
        assert!(both.build().is_ok(), "{origins:?}");
        let suffixes_only = builder.dangerously_allow_public_suffix_wildcards(true);
        let left: Vec<&str> = match suffixes_only.build() {
            Ok(_) => vec![],
            Err(e) => e.iter().map(|e| e.code()).collect(),
        };
        assert!(
            left.iter().all(|c| *c != "public_suffix_wildcard"),
            "{left:?}"
        );
    }
}

#[test]
fn a_refused_dangerous_policy_says_why_and_how_to_accept_it() {
    let err = PolicyBuilder::new()
        .allow_origins(&["https://*.github.io", "http://intranet.example", "null"])
        .allow_credentials(true)
        .build()
        .unwrap_err();
    let all: Vec<String> = err.iter().map(|e| e.to_string()).collect();
    assert_eq!(
        all,
        [
            "allowed_origins[0] \"https://*.github.io\": github.io is a public suffix (Public Suffix List) where anyone can register a name, so the wildcard allows sites nobody vetted; list your own origins, or set dangerously_allow_public_suffix_wildcards to accept the risk",
            "allowed_origins[1] \"http://intranet.example\" is http:// with allow_credentials: anyone on the network path can inject script into that page and read credentialed responses; serve it over https, or set dangerously_allow_insecure_origins to accept the risk",
            "allowed_origins[2] \"null\" with allow_credentials: any page can send Origin: null (sandboxed iframes, data: and file: documents), so every site could read credentialed responses; remove it, or set dangerously_allow_insecure_origins to accept the risk",
        ]
    );
}

/// `["*"]` alone is the any-origin policy (docs/behaviour.md §2), with its
/// rules: refused with credentials; `"*"` among other patterns stays an error.
#[test]
fn a_lone_star_list_means_any_origin() {
    let star = PolicyBuilder::new().allow_origins(&["*"]).build().unwrap();
    assert!(star.allows_any_origin());
    assert_eq!(
        PolicyBuilder::new()
            .allow_origins(&["*"])
            .allow_credentials(true)
            .build()
            .unwrap_err()
            .first(),
        Some(PolicyError::AnyOriginWithCredentials)
    );
    assert_eq!(
        PolicyBuilder::new()
            .allow_origins(&["*", "https://a.example"])
            .build()
            .unwrap_err()
            .first(),
        Some(PolicyError::InvalidOrigin {
            index: 0,
            entry: "*",
            problem: OriginProblem::WildcardInList
        })
    );
}

/// Every error carries a stable code, its field and, for an entry, its
/// position and text.
#[test]
fn errors_are_data() {
    let err = PolicyBuilder::new()
        .allow_origins(&["https://ok.example", "https://Bad.example"])
        .allow_methods(&["TRACE"])
        .max_age(MAX_MAX_AGE + 1)
        .build()
        .unwrap_err();
    let rows: Vec<_> = err
        .iter()
        .map(|e| (e.code(), e.field(), e.index(), e.entry()))
        .collect();
    assert_eq!(
        rows,
        [
            ("max_age_too_large", "max_age", None, None),
            (
                "non_canonical_origin",
                "allowed_origins",
                Some(1),
                Some("https://Bad.example")
            ),
            (
                "forbidden_method",
                "allowed_methods",
                Some(0),
                Some("TRACE")
            ),
        ]
    );
}

/// Each origin problem's stable code, as metrics and `--json` show it.
/// (Mutation testing, issue 21: `OriginProblem::code` could answer one
/// string for every problem and no test noticed.)
#[test]
fn origin_problem_codes() {
    use OriginProblem::*;
    let table = [
        (WildcardInList, "origin_wildcard_in_list"),
        (MissingScheme, "origin_missing_scheme"),
        (BadScheme, "origin_bad_scheme"),
        (MissingHost, "origin_missing_host"),
        (Userinfo, "origin_userinfo"),
        (BadHost, "origin_bad_host"),
        (MisplacedWildcard, "origin_misplaced_wildcard"),
        (BadPort, "origin_bad_port"),
        (TooLong, "origin_too_long"),
        (NotAnIpv4Address, "origin_not_an_ipv4_address"),
        (InvalidPunycode, "origin_invalid_punycode"),
        (WildcardOverIp, "origin_wildcard_over_ip"),
    ];
    for (problem, code) in table {
        assert_eq!(problem.code(), code, "{problem:?}");
    }
    // As a policy's error gives it.
    for (entry, code) in [
        ("app.example", "origin_missing_scheme"),
        ("https://a@b.example", "origin_userinfo"),
        ("https://a.example:99999", "origin_bad_port"),
    ] {
        let list = [entry];
        let err = PolicyBuilder::new()
            .allow_origins(&list)
            .build()
            .unwrap_err();
        assert_eq!(err.first().map(|e| e.code()), Some(code), "{entry}");
    }
}

/// A refused policy's message names every problem, in order, after one
/// prefix. (Mutation testing, issue 21: an empty `Display` of
/// `PolicyErrors` went unnoticed.)
#[test]
fn the_errors_message_lists_each_problem() {
    let err = PolicyBuilder::new()
        .allow_origins(&["app.example", "https://a.example:99999"])
        .max_age(MAX_MAX_AGE + 1)
        .build()
        .unwrap_err();
    let each: Vec<String> = err.iter().map(|e| e.to_string()).collect();
    assert_eq!(each.len(), 3, "{each:?}");
    assert_eq!(
        err.to_string(),
        format!("invalid CORS policy: {}", each.join("; "))
    );
    let one = PolicyBuilder::new()
        .allow_origins(&["app.example"])
        .build()
        .unwrap_err();
    assert_eq!(
        one.to_string(),
        format!("invalid CORS policy: {}", one.first().unwrap())
    );
}

/// A pattern's host may be 253 bytes long, not 254 (RFC 1035's bound, as
/// the URL standard's host parsing keeps it). (Mutation testing, issue 21:
/// the bound written `>=` went unnoticed.)
#[test]
fn a_pattern_host_of_253_bytes_and_no_more() {
    let label63 = "a".repeat(63);
    for (last, ok) in [(61, true), (62, false)] {
        let host = format!("{label63}.{label63}.{label63}.{}", "b".repeat(last));
        assert_eq!(host.len(), 192 + last);
        let pattern = format!("https://{host}");
        let list = [pattern.as_str()];
        let built = PolicyBuilder::new().allow_origins(&list).build();
        match built {
            Ok(_) => assert!(ok, "{} bytes", host.len()),
            Err(e) => {
                assert!(!ok, "{} bytes: {e}", host.len());
                assert_eq!(e.first().map(|e| e.code()), Some("origin_bad_host"));
            }
        }
    }
}

/// Exactly `MAX_METHODS` methods and `MAX_ALLOWED_HEADERS` names are
/// accepted, one more refused with its count. (Mutation testing, issue 21:
/// the methods' bound written `==` went unnoticed.)
#[test]
fn method_and_header_bounds() {
    use cors_policy::{MAX_ALLOWED_HEADERS, MAX_METHODS};
    let methods: Vec<String> = (0..=MAX_METHODS).map(|i| format!("M{i}")).collect();
    let names: Vec<String> = (0..=MAX_ALLOWED_HEADERS)
        .map(|i| format!("x-{i}"))
        .collect();
    let m: Vec<&str> = methods.iter().map(String::as_str).collect();
    let h: Vec<&str> = names.iter().map(String::as_str).collect();
    let first = |m: &[&str], h: &[&str]| {
        PolicyBuilder::new()
            .allow_any_origin()
            .allow_methods(m)
            .allow_headers(h)
            .build()
            .err()
            .and_then(|e| e.first().map(|e| e.code()))
    };
    assert_eq!(first(&m[..MAX_METHODS], &h[..MAX_ALLOWED_HEADERS]), None);
    assert_eq!(first(&m, &h[..1]), Some("too_many_methods"));
    assert_eq!(first(&m[..1], &h), Some("too_many_headers"));
}

/// A built policy reports what it was built with. (Mutation testing,
/// issue 21: `allows_any_method` always true and `max_age` always `None`
/// went unnoticed: the getters were read by no test.)
#[test]
fn a_built_policy_reports_its_settings() {
    let listed = PolicyBuilder::new()
        .allow_origins(&["https://a.example", "https://*.b.example"])
        .allow_credentials(true)
        .allow_methods(&["PUT", "patch"])
        .allow_headers(&["x-a", "*"])
        .expose_headers(&["x-id", "etag"])
        .max_age(600)
        .allow_private_network(true)
        .build()
        .unwrap();
    assert!(!listed.allows_any_origin());
    assert_eq!(
        listed.allowed_origins(),
        ["https://a.example", "https://*.b.example"]
    );
    assert!(listed.allows_credentials());
    assert!(!listed.allows_any_method());
    assert_eq!(listed.allowed_methods(), ["PUT", "patch"]);
    assert_eq!(listed.allowed_headers(), ["x-a", "*"]);
    assert_eq!(listed.exposed_headers(), ["x-id", "etag"]);
    assert_eq!(listed.max_age(), Some(600));
    assert_eq!(listed.max_age_value(), Some(&b"600"[..]));
    assert_eq!(listed.expose_headers_value(), Some(&b"x-id, etag"[..]));
    assert!(listed.allows_private_network());
    assert!(listed.origin_check().is_none());

    let open = PolicyBuilder::new()
        .allow_any_origin()
        .allow_any_method()
        .build()
        .unwrap();
    assert!(open.allows_any_origin());
    assert!(!open.allows_credentials());
    assert!(open.allows_any_method());
    assert_eq!(open.max_age(), None);
    assert_eq!(open.max_age_value(), None);
    assert_eq!(open.expose_headers_value(), None);
    assert!(!open.allows_private_network());
    // A run-time origin check is kept. (Mutation testing, issue 21:
    // `origin_check` giving `None` went unnoticed.)
    fn tenant(origin: &[u8]) -> bool {
        origin == b"https://tenant.example"
    }
    let checked = PolicyBuilder::new()
        .allow_origins(&["https://a.example"])
        .origin_check(tenant)
        .build()
        .unwrap();
    assert!(
        checked
            .origin_check()
            .is_some_and(|f| f(b"https://tenant.example"))
    );
    // Its `Debug` shows the capacity and the settings. (Mutation testing,
    // issue 21: an empty `Debug` went unnoticed.)
    let shown = format!("{open:?}");
    assert!(shown.starts_with("Policy { capacity: "), "{shown}");
    assert!(shown.contains("config: PolicyBuilder {"), "{shown}");
}
