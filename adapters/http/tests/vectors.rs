//! Every conformance vector through `request_view`, `write_preflight` and
//! `ActualHeaders`, with an `http::HeaderMap` on each side (no network; the
//! tower and actix suites send them over real HTTP).

#[path = "support/vectors.rs"]
mod support;

use cors_policy_http::{ActualHeaders, Engine, HttpStack, HttpView, write_preflight};
use http::{HeaderName, HeaderValue, Method};
use support::{Observed, check, run_all};

#[test]
fn every_vector_through_header_maps() {
    let sent = run_all(|_, v| {
        let policy = v.policy().map_err(|e| format!("{}: {e}", v.name))?;
        let engine = Engine::<HttpStack>::new(policy);
        let method = Method::from_bytes(v.request.method.as_bytes()).map_err(|e| e.to_string())?;
        let mut headers = http::HeaderMap::new();
        for (n, val) in &v.request.headers {
            headers.append(
                HeaderName::from_bytes(n.as_bytes()).map_err(|e| e.to_string())?,
                HeaderValue::from_bytes(val.as_bytes()).map_err(|e| e.to_string())?,
            );
        }
        let view = HttpView::new(&method, &headers);
        let mut out = http::HeaderMap::new();
        let (status, handler_called) = engine.decide(view.request(), "/", |d, p| {
            if d.is_preflight() {
                write_preflight(d, &view, p, &mut out);
                (d.preflight_status().unwrap_or(0), false)
            } else {
                out.insert("x-handler", HeaderValue::from_static("1"));
                ActualHeaders::new(d, &view, p).apply(&mut out);
                (200, true)
            }
        });
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
