//! Table-driven tests of preflight checks (docs/behaviour.md §4.2-4.4), debug mode
//! and dynamic origin checks (issue 9).

use cors_policy::{
    MethodDefect, Options, Policy, PolicyBuilder, Refusal, Request, ResponseHeader, evaluate,
    evaluate_with,
};

const ORIGIN: &str = "https://app.example";

/// What a preflight got: allowed, the reason, the headers sent, the status.
type Answer = (
    bool,
    Option<String>,
    Vec<(ResponseHeader, String)>,
    Option<u16>,
);

/// A header-list case: the policy, the ACRH lines, the ACAH lines or the reason.
type HeaderCase<'a> = (
    &'a Policy<'a>,
    &'a [&'a str],
    Result<&'a [&'a str], &'a str>,
);

fn preflight(policy: &Policy<'_>, method: &str, acrh: &[&str], options: &Options<'_>) -> Answer {
    let mut headers = vec![("Origin".to_string(), ORIGIN.to_string())];
    headers.push(("Access-Control-Request-Method".into(), method.into()));
    for line in acrh {
        headers.push(("Access-Control-Request-Headers".into(), (*line).into()));
    }
    let request = Request::from_pairs(b"OPTIONS", &headers);
    let d = evaluate_with(policy, &request, options);
    let sent = d
        .headers()
        .map(|(h, v)| (h, String::from_utf8_lossy(v).into_owned()))
        .collect();
    (
        d.is_allowed(),
        d.refusal().map(|r| r.to_string()),
        sent,
        d.preflight_status(),
    )
}

#[test]
fn methods() {
    let listed = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_methods(&["put", "PATCH", "propfind"])
        .build()
        .unwrap();
    let any = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_any_method()
        .build()
        .unwrap();
    let o = Options::default();
    let table: &[(&Policy, &str, Result<(), &str>)] = &[
        (&listed, "GET", Ok(())),
        (&listed, "HEAD", Ok(())),
        (&listed, "POST", Ok(())),
        (&listed, "get", Err("method \"get\" is not allowed")),
        (&listed, "PUT", Ok(())), // "put" is upper-cased when built
        (&listed, "put", Err("method \"put\" is not allowed")),
        (&listed, "PATCH", Ok(())),
        (&listed, "patch", Err("method \"patch\" is not allowed")),
        (&listed, "propfind", Ok(())), // kept as written
        (
            &listed,
            "PROPFIND",
            Err("method \"PROPFIND\" is not allowed"),
        ),
        (&listed, " PUT\t", Ok(())),
        (
            &listed,
            "TRACE",
            Err("method \"TRACE\" is forbidden and never allowed"),
        ),
        (&any, "chicken", Ok(())),
        (
            &any,
            "CONNECT",
            Err("method \"CONNECT\" is forbidden and never allowed"),
        ),
        (
            &any,
            "track",
            Err("method \"track\" is forbidden and never allowed"),
        ),
        (
            &any,
            "",
            Err("malformed Access-Control-Request-Method: empty"),
        ),
        (
            &any,
            "P UT",
            Err("malformed Access-Control-Request-Method: not a method token"),
        ),
    ];
    for &(policy, method, want) in table {
        let (allowed, reason, headers, status) = preflight(policy, method, &[], &o);
        match want {
            Ok(()) => {
                assert!(allowed, "{method:?}: {reason:?}");
                assert_eq!(status, Some(204));
                assert!(
                    headers.contains(&(ResponseHeader::AllowMethods, method.trim().to_string()))
                );
            }
            Err(r) => {
                assert!(!allowed, "{method:?}");
                assert_eq!(reason.as_deref(), Some(r));
                assert_eq!(status, Some(403));
                assert!(headers.is_empty(), "{method:?}: {headers:?}");
            }
        }
    }
}

#[test]
fn two_acrm_lines_are_malformed() {
    let p = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .build()
        .unwrap();
    let h = [
        ("Origin", ORIGIN),
        ("Access-Control-Request-Method", "GET"),
        ("Access-Control-Request-Method", "GET"),
    ];
    let d = evaluate(&p, &Request::from_pairs(b"OPTIONS", &h));
    assert_eq!(
        d.refusal(),
        Some(Refusal::MethodMalformed(MethodDefect::MultipleLines))
    );
}

#[test]
fn header_lists() {
    let p = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_headers(&["Content-Type", "X-Request-Id"])
        .build()
        .unwrap();
    let star = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_headers(&["*"])
        .build()
        .unwrap();
    let star_auth = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_headers(&["*", "Authorization"])
        .build()
        .unwrap();
    let o = Options::default();
    let table: &[HeaderCase] = &[
        (&p, &["content-type"], Ok(&["content-type"])),
        (
            &p,
            &["X-REQUEST-ID ,\tcontent-type"],
            Ok(&["X-REQUEST-ID ,\tcontent-type"]),
        ),
        (
            &p,
            &["content-type,,x-request-id,", "", ","],
            Ok(&["content-type,,x-request-id,"]),
        ),
        (&p, &[",, ,"], Ok(&[])),
        (
            &p,
            &["content-type", "x-request-id"],
            Ok(&["content-type", "x-request-id"]),
        ),
        (
            &p,
            &["content-type,x-other"],
            Err("request header \"x-other\" is not allowed"),
        ),
        (
            &p,
            &["content-type", "x-other"],
            Err("request header \"x-other\" is not allowed"),
        ),
        (
            &p,
            &["x-a b"],
            Err("malformed Access-Control-Request-Headers: \"x-a b\" is not a header name"),
        ),
        (
            &p,
            &["x-caf\u{e9}"],
            Err(
                "malformed Access-Control-Request-Headers: \"x-caf\\xc3\\xa9\" is not a header name",
            ),
        ),
        (&star, &["x-anything,x-else"], Ok(&["x-anything,x-else"])),
        (
            &star,
            &["x-anything,Authorization"],
            Err("request header \"Authorization\" is not allowed"),
        ),
        (
            &star_auth,
            &["authorization,x-foo"],
            Ok(&["authorization,x-foo"]),
        ),
    ];
    for &(policy, acrh, want) in table {
        // POST is safelisted, so only the header check can refuse.
        let (allowed, reason, headers, _) = preflight(policy, "POST", acrh, &o);
        let got_acah: Vec<&str> = headers
            .iter()
            .filter(|(h, _)| *h == ResponseHeader::AllowHeaders)
            .map(|(_, v)| v.as_str())
            .collect();
        match want {
            Ok(lines) => {
                assert!(allowed, "{acrh:?}: {reason:?}");
                assert_eq!(got_acah, lines, "{acrh:?}");
            }
            Err(r) => {
                assert!(!allowed, "{acrh:?}");
                assert_eq!(reason.as_deref(), Some(r), "{acrh:?}");
                assert!(headers.is_empty());
            }
        }
    }
}

/// A requested name is allowed only when every byte matches a listed name,
/// whatever bits the two share. (Mutation testing found that comparing the
/// words as read with `&` in place of `^` went unnoticed; issue 21.) Names
/// of digits and names of capitals share no bit when the digits are 0 to 7
/// (`'0'` is 0x30, `'H'` 0x48): a policy listing the hundred two-digit
/// names refuses each two-capital name, which lands in the slot of some
/// digit name it shares no bit with, and allows each listed one, as read
/// or behind another.
#[test]
fn names_sharing_no_bits_are_not_equal() {
    let digits: Vec<String> = (0..100).map(|n| format!("{n:02}")).collect();
    let listed: Vec<&str> = digits.iter().map(String::as_str).collect();
    let policy = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_headers(&listed)
        .build()
        .unwrap();
    let o = Options::default();
    for name in &listed {
        let (allowed, reason, _, _) = preflight(&policy, "POST", &[name], &o);
        assert!(allowed, "{name}: {reason:?}");
    }
    let mut disjoint = 0;
    for a in b'A'..=b'Z' {
        for b in b'A'..=b'Z' {
            let asked = String::from_utf8(vec![a, b]).unwrap();
            disjoint += usize::from(a & 0x30 == 0 && b & 0x30 == 0);
            for line in [asked.clone(), format!("00,{asked}"), format!("{asked},00")] {
                let (allowed, _, _, _) = preflight(&policy, "POST", &[&line], &o);
                assert!(!allowed, "{line:?} allowed by the two-digit names");
            }
        }
    }
    // The names this test exists for are among those asked.
    assert!(disjoint > 100, "{disjoint} names share no bit with 00");
}

#[test]
fn a_hundred_and_fifty_names_and_a_mebibyte_of_repeats() {
    let p = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_headers(&["*"])
        .build()
        .unwrap();
    let names: Vec<String> = (1..=150).map(|i| format!("x-h{i:03}")).collect();
    let line = names.join(",");
    let (allowed, _, headers, _) = preflight(&p, "GET", &[&line], &Options::default());
    assert!(allowed);
    assert_eq!(
        headers
            .iter()
            .filter(|(h, _)| *h == ResponseHeader::AllowHeaders)
            .count(),
        1
    );

    let q = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_headers(&["x-request-id"])
        .build()
        .unwrap();
    let repeated = "x-request-id,".repeat(1024 * 1024 / 13);
    let (allowed, ..) = preflight(&q, "GET", &[&repeated], &Options::default());
    assert!(allowed, "duplicates are fine (docs/behaviour.md §4.3)");
    let commas = ",".repeat(1024 * 1024);
    let spaces = " ".repeat(1024 * 1024);
    let (allowed, _, headers, _) = preflight(&q, "GET", &[&commas, &spaces], &Options::default());
    assert!(allowed);
    assert!(
        !headers
            .iter()
            .any(|(h, _)| *h == ResponseHeader::AllowHeaders),
        "names nothing: no ACAH"
    );
    let empty_lines = vec![""; 10_000];
    let (allowed, ..) = preflight(&q, "GET", &empty_lines, &Options::default());
    assert!(allowed);
    let mut last_bad = repeated.clone();
    last_bad.push_str("x-not-allowed");
    let (allowed, reason, ..) = preflight(&q, "GET", &[&last_bad], &Options::default());
    assert!(!allowed);
    assert_eq!(
        reason.as_deref(),
        Some("request header \"x-not-allowed\" is not allowed")
    );
}

#[test]
fn private_network() {
    let on = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_private_network(true)
        .build()
        .unwrap();
    let off = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .build()
        .unwrap();
    for (policy, value, granted) in [
        (&on, "true", true),
        (&on, " true ", true),
        (&on, "TRUE", false),
        (&on, "1", false),
        (&off, "true", false),
    ] {
        let h = [
            ("Origin", ORIGIN),
            ("Access-Control-Request-Method", "GET"),
            ("Access-Control-Request-Private-Network", value),
        ];
        let d = evaluate(policy, &Request::from_pairs(b"OPTIONS", &h));
        assert!(d.is_allowed());
        let has = d
            .headers()
            .any(|(h, v)| h == ResponseHeader::AllowPrivateNetwork && v == b"true");
        assert_eq!(has, granted, "{value:?}");
        assert_eq!(
            d.vary().contains(&"Access-Control-Request-Private-Network"),
            policy.allows_private_network()
        );
    }
}

#[test]
fn debug_mode_names_the_fault_to_allowed_origins_only() {
    let p = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_credentials(true)
        .allow_methods(&["PUT"])
        .allow_headers(&["content-type", "x-a"])
        .max_age(600)
        .build()
        .unwrap();
    let debug = Options {
        debug: true,
        ..Options::default()
    };
    // Its Debug shows whether a check is set, not the closure.
    // (Mutation testing, issue 21: an empty Debug went unnoticed.)
    assert_eq!(
        format!("{debug:?}"),
        "Options { origin_check: false, debug: true }"
    );
    let check = |o: &[u8]| o.is_empty();
    let with_check = Options {
        origin_check: Some(&check),
        debug: false,
    };
    assert_eq!(
        format!("{with_check:?}"),
        "Options { origin_check: true, debug: false }"
    );
    // Method refused: origin and credentials only, so the console names the method.
    let (allowed, reason, headers, status) = preflight(&p, "DELETE", &[], &debug);
    assert!(!allowed);
    assert_eq!(reason.as_deref(), Some("method \"DELETE\" is not allowed"));
    assert_eq!(status, Some(204));
    assert_eq!(
        headers,
        [
            (ResponseHeader::AllowOrigin, ORIGIN.to_string()),
            (ResponseHeader::AllowCredentials, "true".into())
        ]
    );
    // Header refused: the method and the headers that passed before it.
    let (allowed, _, headers, status) =
        preflight(&p, "PUT", &["content-type, x-a,x-b,x-c", "x-d"], &debug);
    assert!(!allowed);
    assert_eq!(status, Some(204));
    assert_eq!(
        headers,
        [
            (ResponseHeader::AllowOrigin, ORIGIN.to_string()),
            (ResponseHeader::AllowCredentials, "true".into()),
            (ResponseHeader::AllowMethods, "PUT".into()),
            (ResponseHeader::AllowHeaders, "content-type, x-a".into()),
        ]
    );
    // Refused on a later line: the lines before it are echoed whole, the
    // refused line up to its refused element. (Mutation testing, issue 21:
    // cutting every line at the refused element's offset went unnoticed.)
    let (_, _, headers, _) = preflight(
        &p,
        "PUT",
        &["content-type, x-a", "x-a, x-b", "content-type"],
        &debug,
    );
    let acah: Vec<&str> = headers
        .iter()
        .filter(|(h, _)| *h == ResponseHeader::AllowHeaders)
        .map(|(_, v)| v.as_str())
        .collect();
    assert_eq!(acah, ["content-type, x-a", "x-a"]);
    // Refused on the first line's first element: no ACAH at all.
    let (_, _, headers, _) = preflight(&p, "PUT", &["x-z,content-type"], &debug);
    assert!(
        !headers
            .iter()
            .any(|(h, _)| *h == ResponseHeader::AllowHeaders)
    );
    // Off by default: the same requests get 403 and nothing.
    let (_, _, headers, status) = preflight(&p, "DELETE", &[], &Options::default());
    assert_eq!((headers.len(), status), (0, Some(403)));
    // A refused origin gets nothing even in debug mode.
    let h = [
        ("Origin", "https://evil.example"),
        ("Access-Control-Request-Method", "PUT"),
    ];
    let d = evaluate_with(&p, &Request::from_pairs(b"OPTIONS", &h), &debug);
    assert_eq!((d.headers().count(), d.preflight_status()), (0, Some(403)));
}

fn preview(origin: &[u8]) -> bool {
    origin.starts_with(b"https://pr-") && origin.ends_with(b".preview.example")
}

#[test]
fn dynamic_origin_checks() {
    let p = PolicyBuilder::new()
        .allow_origins(&[ORIGIN])
        .allow_credentials(true)
        .origin_check(preview)
        .build()
        .unwrap();
    let tenants = ["https://shop.tenant.example"];
    let calls = std::cell::Cell::new(0);
    let closure = |o: &[u8]| {
        calls.set(calls.get() + 1);
        tenants.iter().any(|t| t.as_bytes() == o)
    };
    let opts = Options {
        origin_check: Some(&closure),
        debug: false,
    };
    for (origin, want) in [
        (ORIGIN, true),
        ("https://pr-7.preview.example", true),
        ("https://shop.tenant.example", true),
        ("https://evil.example", false),
        ("https://pr-7.preview.example.evil", false),
    ] {
        let h = [("Origin", origin)];
        let d = evaluate_with(&p, &Request::from_pairs(b"GET", &h), &opts);
        assert_eq!(d.is_allowed(), want, "{origin}");
        if want {
            // Echoed, with credentials; never `*`.
            assert_eq!(d.allow_origin(), Some(origin.as_bytes()));
            assert!(
                d.headers()
                    .any(|(h, _)| h == ResponseHeader::AllowCredentials)
            );
        }
        assert_eq!(d.vary(), ["Origin"]);
    }
    // The closure is consulted only when no pattern (nor the policy's fn) matched.
    assert_eq!(calls.get(), 3);
    // A `*` policy ignores a run-time check.
    let any = PolicyBuilder::new().allow_any_origin().build().unwrap();
    let never = |_: &[u8]| -> bool { unreachable!("not consulted") };
    let h = [("Origin", "https://x.example")];
    let d = evaluate_with(
        &any,
        &Request::from_pairs(b"GET", &h),
        &Options {
            origin_check: Some(&never),
            debug: false,
        },
    );
    assert_eq!(d.allow_origin(), Some(&b"*"[..]));
}
