//! Client-side scenarios the tower and actix suites both run, each against
//! a server of its own framework exposing the same routes. `server` names
//! that server in every failure message.

#![allow(dead_code)]

use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use cors_policy::{Policy, PolicyBuilder};
use cors_policy_config::{OwnedPolicy, PolicyConfig};

use crate::client::{header, send, send_vector};
use crate::support::{Vector, check, cors_headers, run_all, vary_tokens};

// The policies of the two APIs (`/public/...`, `/private/...`) the
// scenarios expect.

/// The public API's policy, open to any origin.
pub static PUBLIC: Policy<'static> = match PolicyBuilder::new()
    .allow_any_origin()
    .allow_any_method()
    .allow_headers(&["*"])
    .expose_headers(&["x-request-id"])
    .max_age(600)
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid policy"),
};

/// A policy from its JSON configuration.
pub fn owned(json: &str) -> OwnedPolicy {
    PolicyConfig::from_json_str(json).unwrap().build().unwrap()
}

/// The private API's policy: `https://app.example`, with credentials.
pub fn private() -> OwnedPolicy {
    owned(
        r#"{"allowed_origins": ["https://app.example"], "allow_credentials": true,
            "allowed_methods": ["GET", "POST", "PUT", "DELETE", "PATCH"],
            "allowed_headers": ["content-type", "authorization", "x-custom-header"],
            "expose_headers": ["x-request-id"], "max_age": 600}"#,
    )
}

/// Sends each vector with a valid policy to `url(i)`, a route behind the
/// i-th vector's policy, and checks every answer.
pub async fn serves_every_vector(server: &str, vectors: &[Vector], url: impl Fn(usize) -> String) {
    let client = reqwest::Client::new();
    let mut observed = Vec::new();
    for (i, v) in vectors.iter().enumerate() {
        if !v.invalid_policy() {
            observed.push((i, send_vector(&client, &url(i), v).await));
        }
    }
    let sent = run_all(|i, v| {
        let o = &observed.iter().find(|(j, _)| *j == i).unwrap().1;
        check(v, o).map_err(|e| format!("{server}: {e}"))
    });
    assert_eq!(sent, 59, "{server}");
}

/// The two APIs (`two_apis` in each suite): `/public/...` open to `*`
/// beside the credentialed `/private/...`, over the application that
/// marks its answers with `x-handler`.
pub async fn plain_options_and_not_cors_options_reach_the_application(server: &str, base: &str) {
    let client = reqwest::Client::new();
    // OPTIONS with Origin but no ACRM: an actual request (docs/behaviour.md §1).
    let o = send(
        &client,
        &format!("{base}/private/items"),
        "OPTIONS",
        &[("origin", "https://app.example")],
    )
    .await;
    assert_eq!(o.status, 200, "{server}");
    assert!(o.handler_called, "{server}");
    assert_eq!(
        header(&o, "access-control-allow-origin"),
        ["https://app.example"],
        "{server}"
    );
    assert_eq!(
        header(&o, "access-control-allow-methods"),
        Vec::<&str>::new(),
        "{server}"
    );
    // OPTIONS with ACRM but no Origin: not CORS, the application answers.
    let o = send(
        &client,
        &format!("{base}/private/items"),
        "OPTIONS",
        &[("access-control-request-method", "PUT")],
    )
    .await;
    assert_eq!(o.status, 200, "{server}");
    assert!(o.handler_called, "{server}");
    assert!(cors_headers(&o.headers).is_empty(), "{server}");
    assert_eq!(vary_tokens(&o.headers), ["Origin"], "{server}");
    // The same with both: a preflight, answered by the CORS layer.
    let o = send(
        &client,
        &format!("{base}/private/items"),
        "OPTIONS",
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(o.status, 204, "{server}");
    assert!(!o.handler_called, "{server}");
}

/// The two APIs, on the application's paths that set `Vary` or CORS
/// headers of their own.
pub async fn vary_is_merged_and_own_cors_headers_replaced(server: &str, base: &str) {
    let client = reqwest::Client::new();
    let app_origin = [("origin", "https://app.example")];
    let o = send(&client, &format!("{base}/private/vary"), "GET", &app_origin).await;
    assert_eq!(
        vary_tokens(&o.headers),
        ["Accept-Encoding", "Origin"],
        "{server}"
    );
    // Already there, in another case: not repeated.
    let o = send(
        &client,
        &format!("{base}/private/vary-origin"),
        "GET",
        &app_origin,
    )
    .await;
    assert_eq!(
        vary_tokens(&o.headers),
        ["accept-encoding", "origin"],
        "{server}"
    );
    // `Vary: *` covers everything.
    let o = send(
        &client,
        &format!("{base}/private/vary-star"),
        "GET",
        &app_origin,
    )
    .await;
    assert_eq!(vary_tokens(&o.headers), ["*"], "{server}");
    // The public API varies on nothing; the application's Vary is untouched.
    let o = send(&client, &format!("{base}/public/vary"), "GET", &app_origin).await;
    assert_eq!(vary_tokens(&o.headers), ["Accept-Encoding"], "{server}");

    // The application's own CORS headers are replaced by the decision's.
    let o = send(
        &client,
        &format!("{base}/private/own-cors"),
        "GET",
        &app_origin,
    )
    .await;
    assert_eq!(
        cors_headers(&o.headers),
        [
            (
                "access-control-allow-credentials".to_string(),
                "true".to_string()
            ),
            (
                "access-control-allow-origin".to_string(),
                "https://app.example".to_string()
            ),
            (
                "access-control-expose-headers".to_string(),
                "x-request-id".to_string()
            ),
        ],
        "{server}"
    );
    // ... and removed for a refused origin.
    let o = send(
        &client,
        &format!("{base}/private/own-cors"),
        "GET",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert!(o.handler_called, "{server}");
    assert!(
        cors_headers(&o.headers).is_empty(),
        "{server}: {:?}",
        o.headers
    );
    let o = send(
        &client,
        &format!("{base}/public/own-cors"),
        "GET",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(header(&o, "access-control-allow-origin"), ["*"], "{server}");
}

/// The two APIs: each answers by its own policy.
pub async fn each_api_has_its_own_policy(server: &str, base: &str) {
    let client = reqwest::Client::new();
    let evil = [("origin", "https://evil.example")];
    let o = send(&client, &format!("{base}/public/items"), "GET", &evil).await;
    assert_eq!(header(&o, "access-control-allow-origin"), ["*"], "{server}");
    assert_eq!(
        header(&o, "access-control-allow-credentials"),
        Vec::<&str>::new(),
        "{server}"
    );
    let o = send(&client, &format!("{base}/private/items"), "GET", &evil).await;
    assert!(cors_headers(&o.headers).is_empty(), "{server}");
    let preflight = |origin: &'static str, method: &'static str| {
        [
            ("origin", origin),
            ("access-control-request-method", method),
            ("access-control-request-headers", "x-anything"),
        ]
    };
    let o = send(
        &client,
        &format!("{base}/public/items"),
        "OPTIONS",
        &preflight("https://evil.example", "PROPFIND"),
    )
    .await;
    assert_eq!(o.status, 204, "{server}");
    assert_eq!(
        header(&o, "access-control-allow-methods"),
        ["PROPFIND"],
        "{server}"
    );
    assert_eq!(
        header(&o, "access-control-allow-headers"),
        ["x-anything"],
        "{server}"
    );
    assert_eq!(header(&o, "access-control-max-age"), ["600"], "{server}");
    let o = send(
        &client,
        &format!("{base}/private/items"),
        "OPTIONS",
        &preflight("https://app.example", "PUT"),
    )
    .await;
    assert_eq!(
        o.status, 403,
        "{server}: x-anything is not allowed on the private API"
    );
    assert!(cors_headers(&o.headers).is_empty(), "{server}");
}

/// `{base}/items` behind a swappable policy that allows only
/// `https://a.example`; `swap` stores one that allows only
/// `https://b.example`, while four clients send requests.
pub async fn policy_swap_under_concurrent_requests(server: &str, base: &str, swap: impl FnOnce()) {
    let base = Arc::new(base.to_string());
    let server = Arc::new(server.to_string());
    let client = reqwest::Client::new();
    let swapped = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for t in 0..4 {
        let (client, base, server, swapped, done) = (
            client.clone(),
            base.clone(),
            server.clone(),
            swapped.clone(),
            done.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut seen = Vec::new();
            for n in 0..60 {
                let origin = if (n + t) % 2 == 0 {
                    "https://a.example"
                } else {
                    "https://b.example"
                };
                let after = swapped.load(Ordering::SeqCst);
                let o = send(
                    &client,
                    &format!("{base}/items"),
                    "GET",
                    &[("origin", origin)],
                )
                .await;
                assert_eq!(o.status, 200, "{server}");
                let acao = header(&o, "access-control-allow-origin")
                    .first()
                    .map(|s| s.to_string());
                seen.push((origin, acao, after));
                done.fetch_add(1, Ordering::SeqCst);
            }
            seen
        }));
    }
    while done.load(Ordering::SeqCst) < 80 {
        tokio::task::yield_now().await;
    }
    swap();
    swapped.store(true, Ordering::SeqCst);
    let (mut under_a, mut under_b) = (0, 0);
    for task in tasks {
        for (origin, acao, after) in task.await.unwrap() {
            // Each answer is one policy's, whole: A allows a, B allows b.
            let by_a = (origin == "https://a.example").then(|| origin.to_string());
            let by_b = (origin == "https://b.example").then(|| origin.to_string());
            assert!(acao == by_a || acao == by_b, "{server}: {origin}: {acao:?}");
            if after {
                assert_eq!(
                    acao, by_b,
                    "{server}: a request started after the swap got the old policy"
                );
            }
            if acao.is_some() {
                if origin == "https://a.example" {
                    under_a += 1
                } else {
                    under_b += 1
                }
            }
        }
    }
    assert!(
        under_a > 0 && under_b > 0,
        "{server}: both policies answered ({under_a}, {under_b})"
    );
}

/// `{base}/items` behind a policy allowing `https://app.example` and
/// `PUT`, with an origin check that counts its `calls` and allows
/// `*.tenant.example`, and a refusal hook that pushes `(code, path)` to
/// `refused`.
pub async fn dynamic_origin_check(
    server: &str,
    base: &str,
    calls: &AtomicUsize,
    refused: &Mutex<Vec<(&'static str, String)>>,
) {
    let client = reqwest::Client::new();
    let url = format!("{base}/items");
    // A pattern allows it: the closure is not consulted.
    let o = send(&client, &url, "GET", &[("origin", "https://app.example")]).await;
    assert_eq!(
        header(&o, "access-control-allow-origin"),
        ["https://app.example"],
        "{server}"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 0, "{server}");
    // The closure allows it.
    let o = send(
        &client,
        &url,
        "GET",
        &[("origin", "https://shop.tenant.example")],
    )
    .await;
    assert_eq!(
        header(&o, "access-control-allow-origin"),
        ["https://shop.tenant.example"],
        "{server}"
    );
    assert_eq!(vary_tokens(&o.headers), ["Origin"], "{server}");
    assert_eq!(calls.load(Ordering::SeqCst), 1, "{server}");
    let o = send(
        &client,
        &url,
        "OPTIONS",
        &[
            ("origin", "https://shop.tenant.example"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(o.status, 204, "{server}");
    assert_eq!(
        header(&o, "access-control-allow-origin"),
        ["https://shop.tenant.example"],
        "{server}"
    );
    // Neither allows it.
    let o = send(&client, &url, "GET", &[("origin", "https://evil.example")]).await;
    assert!(cors_headers(&o.headers).is_empty(), "{server}");
    assert_eq!(calls.load(Ordering::SeqCst), 3, "{server}");
    assert_eq!(
        *refused.lock().unwrap(),
        [("origin_not_allowed", "/items".to_string())],
        "{server}"
    );
}

/// `{base}/items` behind the private API's policy with a debug switch,
/// off at first; `set_debug` turns it on and off.
pub async fn debug_mode_switched_while_running(server: &str, base: &str, set_debug: impl Fn(bool)) {
    let client = reqwest::Client::new();
    let url = format!("{base}/items");
    let bad_method = [
        ("origin", "https://app.example"),
        ("access-control-request-method", "PROPFIND"),
    ];
    let bad_header = [
        ("origin", "https://app.example"),
        ("access-control-request-method", "PUT"),
        (
            "access-control-request-headers",
            "content-type, x-not-allowed",
        ),
    ];
    let bad_origin = [
        ("origin", "https://evil.example"),
        ("access-control-request-method", "PROPFIND"),
    ];

    let o = send(&client, &url, "OPTIONS", &bad_method).await;
    assert_eq!(o.status, 403, "{server}");
    assert!(cors_headers(&o.headers).is_empty(), "{server}");

    set_debug(true);
    let o = send(&client, &url, "OPTIONS", &bad_method).await;
    assert_eq!(o.status, 204, "{server}");
    assert_eq!(
        header(&o, "access-control-allow-origin"),
        ["https://app.example"],
        "{server}"
    );
    assert_eq!(
        header(&o, "access-control-allow-credentials"),
        ["true"],
        "{server}"
    );
    assert_eq!(
        header(&o, "access-control-allow-methods"),
        Vec::<&str>::new(),
        "{server}"
    );
    let o = send(&client, &url, "OPTIONS", &bad_header).await;
    assert_eq!(o.status, 204, "{server}");
    assert_eq!(
        header(&o, "access-control-allow-methods"),
        ["PUT"],
        "{server}"
    );
    assert_eq!(
        header(&o, "access-control-allow-headers"),
        ["content-type"],
        "{server}"
    );
    // A refused origin still gets nothing.
    let o = send(&client, &url, "OPTIONS", &bad_origin).await;
    assert_eq!(o.status, 403, "{server}");
    assert!(cors_headers(&o.headers).is_empty(), "{server}");

    set_debug(false);
    let o = send(&client, &url, "OPTIONS", &bad_header).await;
    assert_eq!(o.status, 403, "{server}");
    assert!(cors_headers(&o.headers).is_empty(), "{server}");
}
