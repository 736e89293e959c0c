//! Every conformance vector through `Evaluator::respond` (and
//! `Evaluator::respond_http`), `Preflight` and
//! `ActualHeaders`, with an `http::HeaderMap` on each side (no network; the
//! adapters' and the embedding examples' suites send them over real HTTP).

#[path = "support/vectors.rs"]
mod support;

use cors_policy_http::{CorsRefusal, Evaluator, HttpRespond, RequestHead, Respond};
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

/// The same vectors through `Evaluator::respond_http` (the tower layer's
/// entry point, issue 17), with the refusal extension asked for: the same
/// answers as `respond`, and a `CorsRefusal` exactly when refused.
#[test]
fn every_vector_through_respond_http() {
    let sent = run_all(|_, v| {
        let policy = v.policy().map_err(|e| format!("{}: {e}", v.name))?;
        let cors = Evaluator::new(policy);
        let mut request = http::Request::builder()
            .method(Method::from_bytes(v.request.method.as_bytes()).map_err(|e| e.to_string())?)
            .uri("/");
        for (n, val) in &v.request.headers {
            request = request.header(
                HeaderName::from_bytes(n.as_bytes()).map_err(|e| e.to_string())?,
                HeaderValue::from_bytes(val.as_bytes()).map_err(|e| e.to_string())?,
            );
        }
        let request = request.body(()).map_err(|e| e.to_string())?;
        let refused = cors.respond(&request).refusal().map(|r| r.code());
        let (status, out, extension, handler_called) =
            match cors.respond_http::<String, _>(&request, true) {
                HttpRespond::Preflight(response) => {
                    let extension = response.extensions().get::<CorsRefusal>().map(|r| r.code);
                    (
                        response.status().as_u16(),
                        response.headers().clone(),
                        extension,
                        false,
                    )
                }
                HttpRespond::Forward { headers, refusal } => {
                    let mut out = http::HeaderMap::new();
                    out.insert("x-handler", HeaderValue::from_static("1"));
                    headers.apply(&mut out);
                    (200, out, refusal.map(|r| r.code), true)
                }
            };
        if extension != refused {
            return Err(format!(
                "{}: extension {extension:?}, refusal {refused:?}",
                v.name
            ));
        }
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
