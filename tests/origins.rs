//! Table-driven tests of origin patterns and origin matching (docs/behaviour.md
//! §2 patterns, §4.1 checks), with the regressions other libraries had.

use cors_policy::{OriginDefect, Policy, PolicyBuilder, Refusal, Request, evaluate};

/// `allowed(patterns, origin) == expected` for each row.
macro_rules! origin_table {
    ($($patterns:expr => [$($origin:expr => $expected:expr),* $(,)?]);* $(;)?) => {{
        let mut failures = Vec::new();
        $(
            let patterns: &[&str] = &$patterns;
            let policy = PolicyBuilder::new().allow_origins(patterns).build()
                .unwrap_or_else(|e| panic!("{patterns:?}: {e}"));
            $(
                let got = allowed(&policy, $origin);
                if got != $expected {
                    failures.push(format!("{:?} with {:?}: got {got}, want {}", $origin, patterns, $expected));
                }
            )*
        )*
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }};
}

fn allowed(policy: &Policy, origin: &str) -> bool {
    let headers = [("Origin", origin)];
    let d = evaluate(policy, &Request::from_pairs(b"GET", &headers));
    let echoed = d.allow_origin().is_some();
    assert_eq!(
        echoed,
        d.is_allowed(),
        "ACAO present iff allowed for {origin:?}"
    );
    d.is_allowed()
}

#[test]
fn exact_origins() {
    origin_table! {
        ["https://foo.com", "https://bar.com"] => [
            "https://foo.com" => true,
            "https://bar.com" => true,
            // Regression: suffix and substring matching (seen in several libraries).
            "https://barfoo.com" => false,
            "https://oo.com" => false,
            "https://foo.com.evil" => false,
            "https://evilfoo.com" => false,
            "https://foo.co" => false,
            "http://foo.com" => false,
            "https://foo.com:443" => false,
            "https://foo.com/" => false,
            "https://FOO.com" => false,
            "  https://foo.com\t" => true,
            "https://foo.com, https://bar.com" => false,
            "null" => false,
            "*" => false,
        ];
        ["http://[::1]:8080", "http://127.0.0.1:3000"] => [
            "http://[::1]:8080" => true,
            "http://[::1]" => false,
            "http://127.0.0.1:3000" => true,
            "http://127.0.0.1:30000" => false,
        ];
    }
}

#[test]
fn subdomain_and_port_wildcards() {
    origin_table! {
        ["https://*.example.com"] => [
            "https://a.example.com" => true,
            "https://a.b.example.com" => true,
            "https://x-1.example.com" => true,
            // Never the bare domain, never a suffix trick.
            "https://example.com" => false,
            "https://.example.com" => false,
            "https://evilexample.com" => false,
            "https://a.evilexample.com" => false,
            "https://a.example.com.evil" => false,
            "https://a..example.com" => false,
            "https://A.example.com" => false,
            // Regression (issue 14): `_` was refused, though the URL standard
            // keeps it in domains and browsers send it.
            "https://a_b.example.com" => true,
            "https://sub_1.example.com" => true,
            "https://a_b.c_d.example.com" => true,
            "https://a.example.com:8443" => false,
            "http://a.example.com" => false,
        ];
        ["http://localhost:*"] => [
            "http://localhost" => true,
            "http://localhost:3000" => true,
            "http://localhost:65535" => true,
            "http://localhost:" => false,
            "http://localhost:abc" => false,
            "http://localhost:123456" => false,
            "http://localhostx:3000" => false,
            "https://localhost:3000" => false,
            "http://a.localhost:3000" => false,
        ];
        ["https://*.example.com:*"] => [
            "https://a.example.com" => true,
            "https://a.example.com:8443" => true,
            "https://example.com:8443" => false,
        ];
        ["https://*.example.com:8443"] => [
            "https://a.example.com:8443" => true,
            "https://a.example.com" => false,
            "https://a.example.com:443" => false,
        ];
        ["null", "https://app.example"] => [
            "null" => true,
            "NULL" => false,
            "https://app.example" => true,
        ];
    }
}

#[test]
fn thousand_origins_all_match_and_near_misses_do_not() {
    let owned: Vec<String> = (0..1000)
        .map(|i| match i % 4 {
            0 => format!("https://tenant{i}.example.com"),
            1 => format!("https://*.zone{i}.example.net"),
            2 => format!("http://host{i}.test:*"),
            _ => format!("https://app{i}.example.org:8{:03}", i % 1000),
        })
        .collect();
    let patterns: Vec<&str> = owned.iter().map(String::as_str).collect();
    let policy: Policy<'_, 1024> = PolicyBuilder::new()
        .allow_origins(&patterns)
        .build_with_capacity()
        .expect("1,000 patterns fit a capacity of 1,024");
    for i in 0..1000 {
        let (hit, miss) = match i % 4 {
            0 => (
                format!("https://tenant{i}.example.com"),
                format!("https://tenant{i}.example.co"),
            ),
            1 => (
                format!("https://a.zone{i}.example.net"),
                format!("https://zone{i}.example.net"),
            ),
            2 => (
                format!("http://host{i}.test:1234"),
                format!("https://host{i}.test:1234"),
            ),
            _ => (
                format!("https://app{i}.example.org:8{:03}", i % 1000),
                format!("https://app{i}.example.org"),
            ),
        };
        for (origin, want) in [(hit, true), (miss, false)] {
            let headers = [("Origin", origin.as_str())];
            let d = evaluate(&policy, &Request::from_pairs(b"GET", &headers));
            assert_eq!(d.is_allowed(), want, "{origin}");
        }
    }
}

/// Exactly as many origins as the capacity build. (Mutation testing,
/// issue 21: `>=` for `>` went unnoticed.)
#[test]
fn origins_up_to_the_capacity_build() {
    let owned: Vec<String> = (0..64).map(|i| format!("https://t{i}.example")).collect();
    let patterns: Vec<&str> = owned.iter().map(String::as_str).collect();
    let policy = PolicyBuilder::new()
        .allow_origins(&patterns)
        .build()
        .unwrap();
    assert!(allowed(&policy, "https://t63.example"));
}

#[test]
fn capacity_exceeded_is_an_error_not_a_truncation() {
    let owned: Vec<String> = (0..65).map(|i| format!("https://t{i}.example")).collect();
    let patterns: Vec<&str> = owned.iter().map(String::as_str).collect();
    let err = PolicyBuilder::new()
        .allow_origins(&patterns)
        .build()
        .unwrap_err();
    let all: Vec<_> = err.iter().collect();
    assert_eq!(all.len(), 1);
    assert_eq!(
        all[0],
        cors_policy::PolicyError::TooManyOrigins {
            count: 65,
            capacity: 64
        }
    );
}

#[test]
fn malformed_origins_are_refused_with_a_reason() {
    let policy = PolicyBuilder::new()
        .allow_origins(&["https://app.example"])
        .build()
        .unwrap();
    let any = PolicyBuilder::new().allow_any_origin().build().unwrap();
    let cases: &[(&[(&str, &str)], OriginDefect)] = &[
        (
            &[
                ("Origin", "https://app.example"),
                ("origin", "https://app.example"),
            ],
            OriginDefect::MultipleLines,
        ),
        (&[("Origin", "")], OriginDefect::Empty),
        (&[("Origin", " \t ")], OriginDefect::Empty),
        (
            &[("Origin", "https://app.example,https://x")],
            OriginDefect::List,
        ),
        (
            &[("Origin", "https://app.exa mple")],
            OriginDefect::NotVisibleAscii,
        ),
        (
            &[("Origin", "https://\u{e9}.example")],
            OriginDefect::NotVisibleAscii,
        ),
        (
            &[("Origin", "https://app.example\r\nx: y")],
            OriginDefect::NotVisibleAscii,
        ),
    ];
    for (headers, defect) in cases {
        let d = evaluate(&policy, &Request::from_pairs(b"GET", headers));
        assert_eq!(
            d.refusal(),
            Some(Refusal::OriginMalformed(*defect)),
            "{headers:?}"
        );
        assert_eq!(d.headers().count(), 0);
        assert_eq!(d.vary(), ["Origin"]);
        // A "*" policy still answers `*` (docs/behaviour.md §4.1).
        let d = evaluate(&any, &Request::from_pairs(b"GET", headers));
        assert!(d.is_allowed());
        assert_eq!(d.allow_origin(), Some(&b"*"[..]));
    }
}

#[test]
fn hosts_and_ports_no_browser_sends_do_not_match_wildcards() {
    let policy = PolicyBuilder::new()
        .allow_origins(&["https://*.example.com", "http://localhost:*"])
        .build()
        .unwrap();
    let label63 = "a".repeat(63);
    let label64 = "a".repeat(64);
    // 253 bytes in all: three labels of 63, one of 49, and "example.com".
    let host253 = format!(
        "{label63}.{label63}.{label63}.{}.example.com",
        "b".repeat(49)
    );
    assert_eq!(host253.len(), 253);
    let host254 = format!(
        "{label63}.{label63}.{label63}.{}.example.com",
        "b".repeat(50)
    );
    for (origin, want) in [
        (format!("https://{label63}.example.com"), true),
        (format!("https://{label64}.example.com"), false),
        (format!("https://{host253}"), true),
        (format!("https://{host254}"), false),
        ("http://localhost:1".into(), true),
        ("http://localhost:65535".into(), true),
        ("http://localhost:65536".into(), false),
        ("http://localhost:99999".into(), false),
        ("http://localhost:0".into(), false),
        ("http://localhost:0080".into(), false),
    ] {
        assert_eq!(allowed(&policy, &origin), want, "{origin}");
    }
}

#[test]
fn one_mebibyte_origin_is_refused() {
    let policy = PolicyBuilder::new()
        .allow_origins(&["https://*.example.com", "https://app.example"])
        .build()
        .unwrap();
    // Well-formed labels, but a host no browser sends: never echoed.
    for suffix in ["example.com", "example.co"] {
        let long = format!("https://{}{suffix}", "a.".repeat(512 * 1024));
        let headers = [("Origin", long.as_str())];
        let d = evaluate(&policy, &Request::from_pairs(b"GET", &headers));
        assert!(!d.is_allowed());
        assert_eq!(d.headers().count(), 0);
    }
}

/// Regression (found by the `origin` fuzz target): a subdomain pattern whose
/// suffix left no room for a label within 253 bytes was accepted, and then
/// matched nothing once request hosts were bounded like patterns.
#[test]
fn subdomain_suffix_leaves_room_for_a_label() {
    // Suffixes of 251 and 252 bytes: three labels of 62, one of 62 or 63.
    let label = "c".repeat(62);
    for (tail, ok) in [("d".repeat(62), true), ("d".repeat(63), false)] {
        let suffix = format!("{label}.{label}.{label}.{tail}");
        let pattern = format!("https://*.{suffix}");
        let list = [pattern.as_str()];
        match PolicyBuilder::new().allow_origins(&list).build() {
            Ok(policy) => {
                assert!(ok, "{} accepted", suffix.len());
                assert!(allowed(&policy, &format!("https://a.{suffix}")));
            }
            Err(e) => {
                assert!(!ok, "{} refused: {e}", suffix.len());
                assert!(matches!(
                    e.first(),
                    Some(cors_policy::PolicyError::InvalidOrigin {
                        problem: cors_policy::OriginProblem::BadHost,
                        ..
                    })
                ));
            }
        }
    }
}

/// `echoes_origin` says whether `Access-Control-Allow-Origin` is the
/// request's origin (a listed one) or `*`, and `allows_origin` of a `"*"`
/// policy allows every origin but an empty one. (Mutation testing, issue
/// 21: `echoes_origin` could answer `false` always, and a `"*"` policy's
/// `allows_origin` could be inverted, and no test noticed.)
#[test]
fn echoed_or_any_origin() {
    let listed = PolicyBuilder::new()
        .allow_origins(&["https://app.example"])
        .build()
        .unwrap();
    let any = Policy::builder().allow_any_origin().build().unwrap();
    let get = |policy: &Policy, origin: &str| {
        let headers = [("Origin", origin)];
        let d = evaluate(policy, &Request::from_pairs(b"GET", &headers));
        (d.allow_origin().map(<[u8]>::to_vec), d.echoes_origin())
    };
    assert_eq!(
        get(&listed, "https://app.example"),
        (Some(b"https://app.example".to_vec()), true)
    );
    assert_eq!(get(&listed, "https://evil.example"), (None, false));
    assert_eq!(
        get(&any, "https://app.example"),
        (Some(b"*".to_vec()), false)
    );

    assert!(listed.allows_origin(b" https://app.example\t"));
    assert!(!listed.allows_origin(b"https://evil.example"));
    for origin in [&b"https://app.example"[..], b"null", b"https://x.test:8443"] {
        assert!(any.allows_origin(origin), "{origin:?}");
    }
    assert!(!any.allows_origin(b""));
    assert!(!any.allows_origin(b" \t "));
}
