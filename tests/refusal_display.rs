//! A refusal's message is safe to log whatever the request sent: bounded,
//! escaped, and written in whole slices.
//!
//! The bug (issue 15): `Display` wrote one character at a time and repeated
//! the whole origin, so `eprintln!("{refusal}")` made one `write` system
//! call per byte; a 393 KB origin took 267 ms to log and a few such
//! requests a second starved a server. Control bytes were escaped, but a
//! `"` was not, so a value could close its quotes.

use core::fmt::{self, Write};

use cors_policy::{Policy, Refusal, Request, evaluate};

/// Counts the calls a `Display` makes into its writer and keeps the text.
#[derive(Default)]
struct Counting {
    calls: usize,
    empty: usize,
    text: String,
}

impl Write for Counting {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.calls += 1;
        self.empty += usize::from(s.is_empty());
        self.text.push_str(s);
        Ok(())
    }
}

fn shown(refusal: &Refusal<'_>) -> Counting {
    let mut out = Counting::default();
    write!(out, "{refusal}").unwrap();
    out
}

fn policy() -> Policy<'static> {
    Policy::builder()
        .allow_origins(&["https://app.example"])
        .allow_headers(&["content-type"])
        .build()
        .unwrap()
}

#[test]
fn a_huge_origin_is_shown_bounded_in_a_few_writes() {
    let origin = format!("https://{}.example", "a".repeat(393 * 1024));
    let policy = policy();
    let headers = [("Origin", origin.as_str())];
    let decision = evaluate(&policy, &Request::from_pairs(b"GET", &headers));
    let refusal = decision.refusal().unwrap();
    let out = shown(&refusal);
    let expected = format!(
        "origin \"https://{}\" (first 128 of {} bytes) is not allowed",
        "a".repeat(120),
        origin.len()
    );
    assert_eq!(out.text, expected);
    // Whole slices: a constant number of writes (the text around the
    // value, the value, its length), where there was one per byte.
    assert!(out.calls <= 12, "{} writes", out.calls);
}

#[test]
fn a_value_at_the_bound_is_shown_whole() {
    let origin = format!("https://{}", "b".repeat(120));
    assert_eq!(origin.len(), 128);
    let text = Refusal::OriginNotAllowed(origin.as_bytes()).to_string();
    assert_eq!(text, format!("origin \"{origin}\" is not allowed"));
    let longer = format!("{origin}c");
    let text = Refusal::OriginNotAllowed(longer.as_bytes()).to_string();
    assert_eq!(
        text,
        format!("origin \"{origin}\" (first 128 of 129 bytes) is not allowed")
    );
}

#[test]
fn control_bytes_quotes_and_backslashes_cannot_forge_a_log_line() {
    let header = b"x-a\r\n2026-01-01 INFO forged\" line\\\x1b[31m\xc3\xa9\x7f";
    let out = shown(&Refusal::HeaderMalformed(header));
    assert_eq!(
        out.text,
        "malformed Access-Control-Request-Headers: \"x-a\\x0d\\x0a2026-01-01 INFO forged\\\" \
         line\\\\\\x1b[31m\\xc3\\xa9\\x7f\" is not a header name"
    );
    assert!(
        out.text.bytes().all(|b| (0x20..0x7f).contains(&b)),
        "{}",
        out.text
    );
    // Exactly one unescaped quote pair: the value cannot close its quotes.
    let inner = out
        .text
        .strip_prefix("malformed Access-Control-Request-Headers: \"")
        .and_then(|t| t.strip_suffix("\" is not a header name"))
        .unwrap();
    let mut escaped = false;
    for c in inner.chars() {
        assert!(escaped || c != '"', "an unescaped quote in {inner}");
        escaped = !escaped && c == '\\';
    }
}

#[test]
fn escapes_count_toward_the_shown_bytes_not_the_output() {
    // 200 newlines: 128 of them shown, each as \x0a, then the length.
    let value = [b'\n'; 200];
    let text = Refusal::MethodNotAllowed(&value).to_string();
    assert_eq!(
        text,
        format!(
            "method \"{}\" (first 128 of 200 bytes) is not allowed",
            "\\x0a".repeat(128)
        )
    );
}

#[test]
fn every_reason_with_request_bytes_is_bounded() {
    let big = vec![b'x'; 10_000];
    for refusal in [
        Refusal::OriginNotAllowed(&big),
        Refusal::MethodForbidden(&big),
        Refusal::MethodNotAllowed(&big),
        Refusal::HeaderMalformed(&big),
        Refusal::HeaderNotAllowed(&big),
    ] {
        let out = shown(&refusal);
        assert!(out.text.len() < 256, "{}", out.text);
        assert!(
            out.text.contains("(first 128 of 10000 bytes)"),
            "{}",
            out.text
        );
        assert!(out.calls <= 12, "{}: {} writes", refusal.code(), out.calls);
    }
}

/// Every refusal's check, whether it is malformed and its code, the three
/// read together. (Mutation testing, issue 21: `is_malformed` could answer
/// `false`, or `true`, for every refusal and no test noticed.)
#[test]
fn every_refusal_has_its_check_kind_and_code() {
    use cors_policy::{Check, MethodDefect, OriginDefect};
    let cases = [
        (
            Refusal::OriginNotAllowed(b"https://x.example"),
            Check::Origin,
            false,
            "origin_not_allowed",
        ),
        (
            Refusal::OriginMalformed(OriginDefect::Empty),
            Check::Origin,
            true,
            "origin_malformed",
        ),
        (
            Refusal::MethodMalformed(MethodDefect::NotAToken),
            Check::Method,
            true,
            "method_malformed",
        ),
        (
            Refusal::MethodForbidden(b"TRACE"),
            Check::Method,
            false,
            "method_forbidden",
        ),
        (
            Refusal::MethodNotAllowed(b"PATCH"),
            Check::Method,
            false,
            "method_not_allowed",
        ),
        (
            Refusal::HeaderMalformed(b"x a"),
            Check::Headers,
            true,
            "header_malformed",
        ),
        (
            Refusal::HeaderNotAllowed(b"x-a"),
            Check::Headers,
            false,
            "header_not_allowed",
        ),
    ];
    for (refusal, check, malformed, code) in cases {
        assert_eq!(refusal.check(), check, "{refusal:?}");
        assert_eq!(refusal.is_malformed(), malformed, "{refusal:?}");
        assert_eq!(refusal.code(), code, "{refusal:?}");
    }
    // As `evaluate` gives them.
    let policy = policy();
    let refused = |method: &[u8], headers: &[(&str, &str)]| {
        evaluate(&policy, &Request::from_pairs(method, headers))
            .refusal()
            .map(|r| (r.code(), r.is_malformed()))
    };
    assert_eq!(
        refused(b"GET", &[("Origin", "https://a b")]),
        Some(("origin_malformed", true))
    );
    assert_eq!(
        refused(b"GET", &[("Origin", "https://evil.example")]),
        Some(("origin_not_allowed", false))
    );
    fn preflight<'a>(acrm: &'a str, acrh: &'a str) -> [(&'a str, &'a str); 3] {
        [
            ("Origin", "https://app.example"),
            ("Access-Control-Request-Method", acrm),
            ("Access-Control-Request-Headers", acrh),
        ]
    }
    assert_eq!(
        refused(b"OPTIONS", &preflight("GET", "content-type, x a")),
        Some(("header_malformed", true))
    );
    assert_eq!(
        refused(b"OPTIONS", &preflight("GET", "x-other")),
        Some(("header_not_allowed", false))
    );
}

/// Escapes back to back leave no plain run between them, and nothing
/// empty is written for it. (Mutation testing, issue 21: writing the empty
/// runs went unnoticed.)
#[test]
fn no_empty_writes_between_escapes() {
    let out = shown(&Refusal::HeaderMalformed(b"\"\\\x01\x02\"a\x7f"));
    assert_eq!(
        out.text,
        r#"malformed Access-Control-Request-Headers: "\"\\\x01\x02\"a\x7f" is not a header name"#
    );
    assert_eq!(out.empty, 0, "{} writes", out.calls);
}
