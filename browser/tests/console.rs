//! The console messages the Chromium suite captured (`e2e/messages.mjs`
//! writes and checks `e2e/console-messages.json`): for every case, the
//! model, given the same request and the same answers, blocks it exactly
//! when Chromium printed a message, and writes that message word for word;
//! and `recognise` reads every captured message back to the same check.

use cors_policy_browser::{
    Blocked, BrowserRequest, Console, Failure, Response, Stage, check_preflight, cors_check,
    recognise,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    request: Req,
    preflight: Option<Answer>,
    actual: Option<Answer>,
    chromium: Option<Captured>,
}

#[derive(Deserialize)]
struct Req {
    method: String,
    headers: Vec<(String, String)>,
    credentials: bool,
}

#[derive(Deserialize)]
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Captured {
    message: String,
}

const URL: &str = "http://127.0.0.1:8081/c/case";
const ORIGIN: &str = "http://127.0.0.1:8080";

fn fixture() -> Vec<Case> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../e2e/console-messages.json");
    let text = std::fs::read_to_string(path).expect("read e2e/console-messages.json");
    let f: Fixture = serde_json::from_str(&text).expect("parse e2e/console-messages.json");
    f.cases
}

fn filled(a: &Answer) -> Vec<(String, String)> {
    a.headers
        .iter()
        .map(|(n, v)| (n.clone(), v.replace("{origin}", ORIGIN)))
        .collect()
}

/// The model's message for a case, or `None` when the model lets it through
/// or Chromium would print nothing.
fn model_message(c: &Case) -> (Option<String>, Option<&'static str>) {
    let request = BrowserRequest::new(
        ORIGIN,
        &c.request.method,
        &c.request.headers,
        c.request.credentials,
    );
    let verdict = |stage: Stage, a: &Answer, b: Blocked<'_>| {
        let headers = filled(a);
        let response = Response::new(a.status, &headers);
        // Re-run the check on owned headers so the message can borrow them.
        let b = match stage {
            Stage::Preflight => check_preflight(&request, &response).map(|_| ()),
            Stage::Response => cors_check(ORIGIN, c.request.credentials, &response),
        }
        .err()
        .unwrap_or(b);
        (
            b.chromium_message(URL, ORIGIN, stage, &response)
                .map(|m| m.to_string()),
            Some(b.code()),
        )
    };
    if request.preflight().is_some() {
        let a = c.preflight.as_ref().expect("a preflight answer");
        let headers = filled(a);
        let response = Response::new(a.status, &headers);
        if let Err(b) = check_preflight(&request, &response) {
            return verdict(Stage::Preflight, a, b);
        }
    }
    let a = c.actual.as_ref().expect("an actual answer");
    let headers = filled(a);
    let response = Response::new(a.status, &headers);
    match cors_check(ORIGIN, c.request.credentials, &response) {
        Ok(()) => (None, None),
        Err(b) => verdict(Stage::Response, a, b),
    }
}

#[test]
fn the_model_writes_every_message_chromium_printed() {
    let cases = fixture();
    assert!(cases.len() >= 25, "{} cases", cases.len());
    for c in &cases {
        let want = c
            .chromium
            .as_ref()
            .map(|m| m.message.replace("{url}", URL).replace("{origin}", ORIGIN));
        let (got, code) = model_message(c);
        assert_eq!(got, want, "case {} (model: {code:?})", c.id);
    }
}

#[test]
fn every_captured_message_is_recognised() {
    for c in fixture() {
        let Some(m) = &c.chromium else { continue };
        let text = m.message.replace("{url}", URL).replace("{origin}", ORIGIN);
        let r = recognise(&text).unwrap_or_else(|| panic!("{}: not recognised: {text}", c.id));
        assert_eq!(r.console, Console::Chromium, "{}", c.id);
        assert_eq!(r.url, URL, "{}", c.id);
        assert_eq!(r.origin, Some(ORIGIN), "{}", c.id);
        // A case whose only answer is the preflight's failed there, and
        // every message of it says so.
        if c.preflight.is_some() && c.actual.is_none() {
            assert_eq!(r.stage, Some(Stage::Preflight), "{}", c.id);
        }
        // Pasted with DevTools' source location before it and the network
        // line after it.
        let pasted = format!("(index):1 {text}\nGET {URL} net::ERR_FAILED 403 (Forbidden)");
        assert_eq!(recognise(&pasted), Some(r), "{}", c.id);
    }
}

#[test]
fn captured_messages_name_the_check() {
    let by_id = |id: &str| {
        let c = fixture().into_iter().find(|c| c.id == id).expect(id);
        let text = c.chromium.expect("a message").message;
        let text = text.replace("{url}", URL).replace("{origin}", ORIGIN);
        format!("{:?}", recognise(&text).expect("recognised").failure)
    };
    assert_eq!(by_id("missing-allow-origin"), "MissingAllowOrigin");
    assert_eq!(
        by_id("method-not-allowed"),
        "MethodNotAllowed(Some(\"PUT\"))"
    );
    assert_eq!(
        by_id("header-not-allowed"),
        "HeaderNotAllowed(\"x-custom-header\")"
    );
    assert_eq!(
        by_id("allow-credentials-not-true"),
        "AllowCredentialsNotTrue(Some(\"True\"))"
    );
    assert_eq!(by_id("preflight-redirect"), "PreflightRedirect");
    assert_eq!(
        by_id("allow-origin-invalid"),
        "InvalidAllowOrigin(\"app.example\")"
    );
}

/// Firefox's messages, written from its reason strings (not captured from a
/// running Firefox): each is recognised, with its reason name.
#[test]
fn firefox_messages_are_recognised() {
    let at = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example/items.";
    let cases: &[(&str, &str)] = &[
        (
            "(Reason: CORS header \u{2018}Access-Control-Allow-Origin\u{2019} missing). Status code: 403.",
            "CORSMissingAllowOrigin",
        ),
        (
            "(Reason: CORS header \u{2018}Access-Control-Allow-Origin\u{2019} does not match \u{2018}https://app.example/\u{2019}).",
            "CORSAllowOriginNotMatchingOrigin",
        ),
        (
            "(Reason: Multiple CORS header \u{2018}Access-Control-Allow-Origin\u{2019} not allowed).",
            "CORSMultipleAllowOriginNotAllowed",
        ),
        (
            "(Reason: Credential is not supported if the CORS header \u{2018}Access-Control-Allow-Origin\u{2019} is \u{2018}*\u{2019}).",
            "CORSNotSupportingCredentials",
        ),
        (
            "(Reason: expected \u{2018}true\u{2019} in CORS header \u{2018}Access-Control-Allow-Credentials\u{2019}).",
            "CORSMissingAllowCredentials",
        ),
        (
            "(Reason: Did not find method in CORS header \u{2018}Access-Control-Allow-Methods\u{2019}).",
            "CORSMethodNotFound",
        ),
        (
            "(Reason: header \u{2018}x-trace\u{2019} is not allowed according to header \u{2018}Access-Control-Allow-Headers\u{2019} from CORS preflight response).",
            "CORSMissingAllowHeaderFromPreflight",
        ),
        (
            "(Reason: invalid token \u{2018}PUT GET\u{2019} in CORS header \u{2018}Access-Control-Allow-Methods\u{2019}).",
            "CORSInvalidAllowMethod",
        ),
        (
            "(Reason: invalid token \u{2018}x y\u{2019} in CORS header \u{2018}Access-Control-Allow-Headers\u{2019}).",
            "CORSInvalidAllowHeader",
        ),
        (
            "(Reason: CORS preflight response did not succeed). Status code: 500.",
            "CORSPreflightDidNotSucceed",
        ),
        (
            "(Reason: CORS request did not succeed). Status code: (null).",
            "CORSDidNotSucceed",
        ),
    ];
    for (reason, name) in cases {
        let text = format!("{at} {reason}");
        let r = recognise(&text).unwrap_or_else(|| panic!("not recognised: {text}"));
        assert_eq!(r.console, Console::Firefox);
        assert_eq!(r.url, "https://api.example/items");
        assert_eq!(r.origin, None);
        assert_eq!(r.failure.firefox_reason(), Some(*name), "{text}");
    }
    let first = format!("{at} {}", cases[0].0);
    assert_eq!(recognise(&first).unwrap().status, Some(403));
    let header = format!("{at} {}", cases[6].0);
    assert_eq!(
        recognise(&header).unwrap().failure,
        Failure::HeaderNotAllowed("x-trace")
    );
}

#[test]
fn other_text_is_not_recognised() {
    for text in [
        "",
        "TypeError: Failed to fetch",
        "Access to fetch at 'https://a/' from origin 'https://b' has been blocked by CORS policy: something new.",
        "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://a/. (Reason: a reason from the future).",
        "Access to the path is denied",
    ] {
        assert_eq!(recognise(text), None, "{text}");
    }
}

#[test]
fn redirected_requests_are_recognised_with_both_urls() {
    let text = "Access to fetch at 'https://login.example/' (redirected from 'https://api.example/me') from origin 'https://app.example' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.";
    let r = recognise(text).unwrap();
    assert_eq!(r.url, "https://login.example/");
    assert_eq!(r.redirected_from, Some("https://api.example/me"));
    assert_eq!(r.origin, Some("https://app.example"));
    assert_eq!(r.failure, Failure::MissingAllowOrigin);
}

#[test]
fn firefox_reason_names_of_the_model() {
    assert_eq!(
        Blocked::WildcardOriginWithCredentials.firefox_reason(),
        Some("CORSNotSupportingCredentials")
    );
    assert_eq!(
        Blocked::HeaderNotAllowed(b"x").firefox_reason(),
        Some("CORSMissingAllowHeaderFromPreflight")
    );
    assert_eq!(Blocked::PreflightRedirect(307).firefox_reason(), None);
}
