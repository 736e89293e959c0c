//! Every conformance vector through `Evaluator::respond`, `Preflight` and
//! `ActualHeaders`, with an `http::HeaderMap` on each side (no network; the
//! adapters' and the embedding examples' suites send them over real HTTP).

#[path = "support/vectors.rs"]
mod support;

use cors_policy_http::{Evaluator, RequestHead, Respond};
use http::{HeaderName, HeaderValue, Method};
use support::{Observed, check, run_all};

#[test]
fn every_vector_through_header_maps() {
    let sent = run_all(|_, v| {
        let policy = v.policy().map_err(|e| format!("{}: {e}", v.name))?;
        let cors = Evaluator::new(policy);
        let method = Method::from_bytes(v.request.method.as_bytes()).map_err(|e| e.to_string())?;
        let mut headers = http::HeaderMap::new();
        for (n, val) in &v.request.headers {
            headers.append(
                HeaderName::from_bytes(n.as_bytes()).map_err(|e| e.to_string())?,
                HeaderValue::from_bytes(val.as_bytes()).map_err(|e| e.to_string())?,
            );
        }
        let head = RequestHead {
            method: method.as_str(),
            path: "/",
            headers: &headers,
        };
        let mut out = http::HeaderMap::new();
        let (status, handler_called) = match cors.respond(head) {
            Respond::Preflight(answer) => {
                let status = answer.status();
                answer.write(&mut out);
                (status, false)
            }
            Respond::Forward { headers, .. } => {
                out.insert("x-handler", HeaderValue::from_static("1"));
                headers.apply(&mut out);
                (200, true)
            }
        };
        let observed = Observed {
            status,
            headers: out
                .iter()
                .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
                .collect(),
            handler_called,
        };
        check(v, &observed)
    });
    assert_eq!(sent, 59);
}
