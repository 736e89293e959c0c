//! The conformance vectors seen from the browser: for every vector whose
//! request a browser could have sent, the model accepts the contract's
//! expected answer (the JSON's headers, not the core's) exactly when the
//! vector says the request is allowed.

use cors_policy_browser::{
    BrowserRequest, Response, check_preflight, cors_check, is_forbidden_method, normalize_method,
};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    name: String,
    policy: VPolicy,
    request: VRequest,
    expect: Expect,
}

#[derive(Deserialize)]
struct VPolicy {
    allow_credentials: bool,
}

#[derive(Deserialize)]
struct VRequest {
    headers: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct Expect {
    kind: String,
    allowed: Option<bool>,
    headers: Option<Vec<(String, String)>>,
}

fn vectors() -> Vec<Vector> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/vectors.json");
    let text = std::fs::read_to_string(path).expect("read vectors.json");
    serde_json::from_str(&text).expect("parse vectors.json")
}

fn lines<'v>(v: &'v Vector, name: &str) -> Vec<&'v str> {
    v.request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, val)| val.as_str())
        .collect()
}

/// A value that makes `name` CORS-unsafe, so that it lands in
/// `Access-Control-Request-Headers` as the vector's request has it.
fn unsafe_value(name: &str) -> &'static str {
    match name {
        "content-type" => "application/json",
        "range" => "bytes=-5",
        "accept" | "accept-language" | "content-language" => "{unsafe}",
        _ => "1",
    }
}

/// A page's request: origin, method, headers.
type Page = (String, String, Vec<(String, String)>);

/// The page request behind a preflight vector, if a browser could have
/// sent exactly that preflight: one origin, a normalized non-forbidden
/// method, at most one `Access-Control-Request-Headers` line in the
/// browser's own form, and a reason to preflight at all.
fn page_of_preflight(v: &Vector) -> Option<Page> {
    let (origin, method, acrh) = (
        lines(v, "origin"),
        lines(v, "access-control-request-method"),
        lines(v, "access-control-request-headers"),
    );
    let ([origin], [method]) = (origin.as_slice(), method.as_slice()) else {
        return None;
    };
    if method.is_empty()
        || normalize_method(method) != *method
        || is_forbidden_method(method.as_bytes())
    {
        return None;
    }
    let headers: Vec<(String, String)> = match acrh.as_slice() {
        [] => Vec::new(),
        [one] => one
            .split(',')
            .map(|n| (n.to_string(), unsafe_value(n).to_string()))
            .collect(),
        _ => return None,
    };
    Some((origin.to_string(), method.to_string(), headers))
}

#[test]
fn browser_accepts_the_contracts_answers_exactly_when_allowed() {
    let mut checked = 0;
    let mut skipped = Vec::new();
    for v in vectors() {
        let (Some(allowed), Some(expected)) = (v.expect.allowed, &v.expect.headers) else {
            skipped.push(v.name.clone());
            continue;
        };
        let credentials = v.policy.allow_credentials;
        match v.expect.kind.as_str() {
            "preflight" => {
                let Some((origin, method, headers)) = page_of_preflight(&v) else {
                    skipped.push(v.name.clone());
                    continue;
                };
                let page = BrowserRequest::new(&origin, &method, &headers, credentials);
                let Some(preflight) = page.preflight() else {
                    skipped.push(v.name.clone());
                    continue;
                };
                // The reconstruction is faithful only if the model sends
                // exactly the vector's preflight.
                let acrh = preflight.request_headers().map(|n| n.to_string());
                let sent: Vec<&str> = lines(&v, "access-control-request-headers");
                if acrh.as_deref() != sent.first().copied() {
                    skipped.push(v.name.clone());
                    continue;
                }
                let status = if allowed { 204 } else { 403 };
                let verdict = check_preflight(&page, &Response::new(status, expected));
                assert_eq!(verdict.is_ok(), allowed, "{}: {:?}", v.name, verdict.err());
                checked += 1;
            }
            "actual" => {
                let origin = lines(&v, "origin");
                let [origin] = origin.as_slice() else {
                    skipped.push(v.name.clone());
                    continue;
                };
                let verdict = cors_check(origin.trim(), credentials, &Response::new(200, expected));
                assert_eq!(verdict.is_ok(), allowed, "{}: {:?}", v.name, verdict.err());
                checked += 1;
            }
            _ => skipped.push(v.name.clone()),
        }
    }
    println!("checked {checked} vectors; skipped (not browser-shaped): {skipped:?}");
    // Most vectors are browser-shaped; a change to the file that made this
    // test check next to nothing must not pass silently.
    assert!(
        checked >= 40,
        "only {checked} vectors checked; skipped {skipped:?}"
    );
}
