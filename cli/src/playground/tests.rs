//! The playground's model: the form checked as `fetch()` checks it, the
//! prediction for each case the Chromium test runs, the suggested change,
//! and the copies.

use cors_policy_config::PolicyConfig;

use super::model::{BodyKind, Page, TryForm, check_form, policy_json, predict, suggest};
use super::{Format, copy, default_policy, parse};

const PAGE: &str = "http://127.0.0.1:8700";
const SECOND: &str = "http://127.0.0.1:8702";
const URL: &str = "http://127.0.0.1:8701/try/1";

fn form(method: &str, headers: &str, body: BodyKind, credentials: bool) -> TryForm {
    TryForm {
        page: Page::Main,
        method: method.into(),
        headers: headers.into(),
        body,
        credentials,
    }
}

fn default() -> (PolicyConfig, cors_policy_config::OwnedPolicy) {
    parse(&default_policy(PAGE), Format::Json).unwrap()
}

/// What the prediction says: readable, the browser model's code, the
/// engine's refusal, and the wire methods.
fn outcome(
    origin: &str,
    f: &TryForm,
    json: &str,
    debug: bool,
) -> (
    bool,
    Option<&'static str>,
    Option<&'static str>,
    Vec<String>,
) {
    let (config, policy) = parse(json, Format::Json).unwrap();
    let checked = check_form(f, origin).unwrap();
    let p = predict(&checked, URL, &policy, &config, debug);
    (
        p.verdict.readable,
        p.verdict.blocked,
        p.verdict.engine_refusal,
        p.steps.iter().map(|s| s.method.clone()).collect(),
    )
}

#[test]
fn fetch_type_errors_are_form_errors() {
    let cases: &[(TryForm, &str, &str)] = &[
        (form("", "", BodyKind::None, false), "method", "empty"),
        (
            form("GE T", "", BodyKind::None, false),
            "method",
            "not a method",
        ),
        (
            form("trace", "", BodyKind::None, false),
            "method",
            "forbidden method",
        ),
        (
            form("GET", "", BodyKind::Json, false),
            "body",
            "cannot have a body",
        ),
        (
            form("head", "", BodyKind::Text, false),
            "body",
            "cannot have a body",
        ),
        (
            form("GET", "Bad Name: 1", BodyKind::None, false),
            "headers",
            "not a header name",
        ),
        (
            form("GET", "X-Ok: 1\nno colon", BodyKind::None, false),
            "headers",
            "line 2",
        ),
        (
            form("GET", "X-Nul: a\0b", BodyKind::None, false),
            "headers",
            "NUL",
        ),
    ];
    for (f, field, words) in cases {
        let errors = check_form(f, PAGE).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.field == *field && e.message.contains(words)),
            "{f:?}: {errors:?}"
        );
    }
}

#[test]
fn notes_say_what_the_browser_does() {
    let checked = check_form(
        &form("put", "Cookie: a=b\nX-Trace:  1 \n\n", BodyKind::Text, true),
        PAGE,
    )
    .unwrap();
    assert_eq!(checked.method, "PUT", "fetch() normalizes put");
    assert_eq!(
        checked.headers,
        [
            ("Cookie".to_string(), "a=b".to_string()),
            ("X-Trace".to_string(), "1".to_string())
        ]
    );
    // Cookie is dropped; the string body brings its Content-Type.
    assert_eq!(
        checked.sent_headers(),
        [
            ("X-Trace".to_string(), "1".to_string()),
            (
                "Content-Type".to_string(),
                "text/plain;charset=UTF-8".to_string()
            )
        ]
    );
    let notes = checked.notes.join("\n");
    for words in [
        "Cookie is a forbidden request header",
        "upper-cases \"put\" to PUT",
        "adds Content-Type: text/plain;charset=UTF-8",
        "PUT is not a CORS-safelisted method",
        "X-Trace: 1 is not CORS-safelisted",
        "credentials: 'include'",
    ] {
        assert!(notes.contains(words), "{words:?} missing from {notes}");
    }
    let simple = check_form(&form("GET", "", BodyKind::None, false), PAGE).unwrap();
    assert!(simple.notes.join(" ").contains("without a preflight"));
}

/// The cases of e2e/playground.mjs, predicted under the same policies.
#[test]
fn predictions_of_the_browser_cases() {
    let default = default_policy(PAGE);
    let get = form("GET", "", BodyKind::None, false);
    let creds = form("GET", "", BodyKind::None, true);
    let custom = form("GET", "X-Custom: 1", BodyKind::None, false);
    let put = form(
        "PUT",
        "Content-Type: application/json",
        BodyKind::Json,
        true,
    );
    let allowing = r#"{"allowed_origins": ["http://127.0.0.1:8700"], "allow_credentials": true,
        "allowed_methods": ["GET", "POST", "PUT"], "allowed_headers": ["content-type"]}"#;
    let star = r#"{"allowed_origins": "*"}"#;
    let cases: &[(&str, &str, &TryForm, &str, bool, _)] = &[
        (
            "simple GET",
            PAGE,
            &get,
            &default,
            false,
            (true, None, None, vec!["GET"]),
        ),
        (
            "refused origin",
            SECOND,
            &get,
            &default,
            false,
            (
                false,
                Some("missing_allow_origin"),
                Some("origin_not_allowed"),
                vec!["GET"],
            ),
        ),
        (
            "header refused: the preflight gets no CORS header",
            PAGE,
            &custom,
            &default,
            false,
            (
                false,
                Some("missing_allow_origin"),
                Some("header_not_allowed"),
                vec!["OPTIONS"],
            ),
        ),
        (
            "header refused, debug mode: the browser names the header",
            PAGE,
            &custom,
            &default,
            true,
            (
                false,
                Some("header_not_allowed"),
                Some("header_not_allowed"),
                vec!["OPTIONS"],
            ),
        ),
        (
            "credentials, allowed origin, no allow_credentials",
            PAGE,
            &creds,
            &default,
            false,
            (false, Some("missing_allow_credentials"), None, vec!["GET"]),
        ),
        (
            "credentialed PUT with JSON",
            PAGE,
            &put,
            &default,
            false,
            (
                false,
                Some("missing_allow_origin"),
                Some("method_not_allowed"),
                vec!["OPTIONS"],
            ),
        ),
        (
            "the same, allowed",
            PAGE,
            &put,
            allowing,
            false,
            (true, None, None, vec!["OPTIONS", "PUT"]),
        ),
        (
            "credentials, allowed",
            PAGE,
            &creds,
            allowing,
            false,
            (true, None, None, vec!["GET"]),
        ),
        (
            "credentials, origin not allowed",
            SECOND,
            &creds,
            allowing,
            false,
            (
                false,
                Some("missing_allow_origin"),
                Some("origin_not_allowed"),
                vec!["GET"],
            ),
        ),
        (
            "credentials under *",
            PAGE,
            &creds,
            star,
            false,
            (
                false,
                Some("wildcard_origin_with_credentials"),
                None,
                vec!["GET"],
            ),
        ),
    ];
    for (what, origin, f, json, debug, want) in cases {
        let (readable, blocked, engine, methods) = outcome(origin, f, json, *debug);
        let want_methods: Vec<String> = want.3.iter().map(|s| s.to_string()).collect();
        assert_eq!(
            (readable, blocked, engine, methods),
            (want.0, want.1, want.2, want_methods),
            "{what}"
        );
    }
}

#[test]
fn steps_carry_checks_text() {
    let (config, policy) = default();
    let checked = check_form(&form("GET", "X-Custom: 1", BodyKind::None, false), PAGE).unwrap();
    let p = predict(&checked, URL, &policy, &config, false);
    let [pre] = p.steps.as_slice() else {
        panic!("{:?}", p.steps)
    };
    assert_eq!(pre.status, 403);
    assert_eq!(
        pre.headers,
        [
            ("Origin".to_string(), PAGE.to_string()),
            (
                "Access-Control-Request-Method".to_string(),
                "GET".to_string()
            ),
            (
                "Access-Control-Request-Headers".to_string(),
                "x-custom".to_string()
            ),
        ]
    );
    assert!(
        pre.explanation.starts_with("Request:  OPTIONS\n"),
        "{}",
        pre.explanation
    );
    assert!(
        pre.explanation
            .contains("Fix:      add \"x-custom\" to allowed_headers")
    );
    assert!(pre.browser.starts_with("refused"), "{}", pre.browser);
    assert_eq!(
        p.verdict.engine_fix.as_deref(),
        Some(
            "add \"x-custom\" to allowed_headers (names match in any case), or stop sending it from the page."
        )
    );
}

#[test]
fn the_suggestion_lets_the_request_through() {
    let (config, _) = default();
    let put = check_form(
        &form(
            "PUT",
            "Content-Type: application/json",
            BodyKind::Json,
            true,
        ),
        PAGE,
    )
    .unwrap();
    let s = suggest(&put, URL, &config, false).unwrap();
    assert_eq!(
        s.changes,
        [
            "allowed_methods: add \"PUT\"",
            "allowed_headers: add \"content-type\"",
            "allow_credentials: true"
        ]
    );
    assert!(s.complete);
    let (changed, policy) = parse(&s.policy, Format::Json).unwrap();
    let p = predict(&put, URL, &policy, &changed, false);
    assert!(p.verdict.readable, "{:?}", p.verdict);
    // Nothing to suggest for a request that passes.
    let get = check_form(&form("GET", "", BodyKind::None, false), PAGE).unwrap();
    assert!(suggest(&get, URL, &config, false).is_none());
    // From another origin, with credentials, under *: the origin listed.
    let (star, _) = parse(r#"{"allowed_origins": "*"}"#, Format::Json).unwrap();
    let other = check_form(&form("GET", "", BodyKind::None, true), SECOND).unwrap();
    let s = suggest(&other, URL, &star, false).unwrap();
    assert_eq!(s.changes.len(), 1, "{:?}", s.changes);
    assert!(
        s.changes[0].starts_with("allowed_origins: \"http://127.0.0.1:8702\" instead of \"*\"")
    );
    assert!(parse(&s.policy, Format::Json).is_ok());
}

#[test]
fn suggested_policy_keeps_field_order_and_omits_defaults() {
    let (config, _) = parse(
        r#"{"max_age": 5, "allowed_methods": ["PUT"], "allowed_origins": ["https://a.example"], "allow_private_network": false}"#,
        Format::Json,
    )
    .unwrap();
    assert_eq!(
        policy_json(&config),
        "{\n  \"allowed_origins\": [\"https://a.example\"],\n  \"allowed_methods\": [\"PUT\"],\n  \"max_age\": 5\n}\n"
    );
}

#[test]
fn invalid_policies_are_refused_with_every_problem() {
    let errors = parse(
        r#"{"allowed_origins": "*", "allow_credentials": true, "allowed_methods": ["TRACE"]}"#,
        Format::Json,
    )
    .unwrap_err();
    assert_eq!(errors.len(), 2, "{errors:?}");
    let errors = parse("{\"allowed_origins\": [", Format::Json).unwrap_err();
    assert!(errors[0].contains(":1:"), "the position: {errors:?}");
    let errors = parse("allowed_origins = 3", Format::Toml).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(parse("allowed_origins = [\"https://a.example\"]", Format::Toml).is_ok());
}

/// The snippet of a policy with every field, as `cli/tests/playground_rust.rs`
/// compiles and runs it (the text between its markers).
#[test]
fn rust_snippet_is_the_compiled_one() {
    let source = include_str!("../../tests/playground_rust.rs");
    let start = source.find("// snippet:start\n").unwrap() + "// snippet:start\n".len();
    let end = source.find("// snippet:end\n").unwrap();
    let (_, policy) = parse(
        r#"{"allowed_origins": ["https://app.example", "https://*.app.example"], "allow_credentials": true,
            "allowed_methods": ["PUT", "DELETE"], "allowed_headers": ["content-type", "x-trace"],
            "expose_headers": ["x-request-id"], "max_age": 600, "allow_private_network": true}"#,
        Format::Json,
    )
    .unwrap();
    assert_eq!(copy::rust_snippet(&policy), source[start..end]);
    let (_, star) = parse(
        r#"{"allowed_origins": "*", "allowed_methods": "*"}"#,
        Format::Json,
    )
    .unwrap();
    let text = copy::rust_snippet(&star);
    assert!(
        text.contains(".allow_any_origin()") && text.contains(".allow_any_method()"),
        "{text}"
    );
}

/// The console's words for the blocked cases, as e2e/playground.mjs checks
/// them against Chromium's real console.
#[test]
fn console_words_of_the_blocked_cases() {
    let start = default_policy(PAGE);
    let no_acao = "No 'Access-Control-Allow-Origin' header is present on the requested resource.";
    let preflight = "Response to preflight request doesn't pass access control check: ";
    let cases: &[(&str, TryForm, &str, bool, String, &str)] = &[
        (SECOND, form("GET", "", BodyKind::None, false), &start, false, no_acao.into(), "CORSMissingAllowOrigin"),
        (PAGE, form("GET", "X-Custom: 1", BodyKind::None, false), &start, false, format!("{preflight}{no_acao}"), "CORSMissingAllowOrigin"),
        (
            PAGE,
            form("GET", "X-Custom: 1", BodyKind::None, false),
            &start,
            true,
            "Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response.".into(),
            "CORSMissingAllowHeaderFromPreflight",
        ),
        (
            PAGE,
            form("GET", "", BodyKind::None, true),
            &start,
            false,
            "The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'.".into(),
            "CORSMissingAllowCredentials",
        ),
        (
            PAGE,
            form("GET", "", BodyKind::None, true),
            r#"{"allowed_origins": "*"}"#,
            false,
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.".into(),
            "CORSNotSupportingCredentials",
        ),
    ];
    for (origin, f, json, debug, tail, firefox) in cases {
        let (config, policy) = parse(json, Format::Json).unwrap();
        let checked = check_form(f, origin).unwrap();
        let v = predict(&checked, URL, &policy, &config, *debug).verdict;
        assert_eq!(
            v.chromium_message,
            Some(format!(
                "Access to fetch at '{URL}' from origin '{origin}' has been blocked by CORS policy: {tail}"
            )),
            "{f:?}"
        );
        assert_eq!(v.firefox_reason.as_deref(), Some(*firefox), "{f:?}");
    }
    // A readable try has no words.
    let (config, policy) = default();
    let checked = check_form(&form("GET", "", BodyKind::None, false), PAGE).unwrap();
    let v = predict(&checked, URL, &policy, &config, false).verdict;
    assert_eq!((v.chromium_message, v.firefox_reason), (None, None));
}
