//! What the three stacks' suites share: the conformance vectors' policies
//! as `'static` (the core-only servers take `&'static Policy`), and a check
//! of each example program as a user runs it.

#![allow(dead_code)]

use std::sync::OnceLock;

use cors_policy::Policy;
use cors_policy_config::OWNED_CAPACITY;

use crate::client::{header, send};
use crate::example_bin::Example;
use crate::support;

/// Each vector's policy, leaked once for the whole test binary (`None` for
/// the vectors whose policy is invalid).
pub fn policies() -> &'static [Option<&'static Policy<'static, OWNED_CAPACITY>>] {
    static POLICIES: OnceLock<Vec<Option<&'static Policy<'static, OWNED_CAPACITY>>>> =
        OnceLock::new();
    POLICIES.get_or_init(|| {
        support::vectors()
            .iter()
            .map(|v| {
                let owned: &'static _ = Box::leak(Box::new(v.policy().ok()?));
                Some(cors_policy_config::OwnedPolicy::policy(owned))
            })
            .collect()
    })
}

/// The policy of `/v/{i}`: the i-th vector's.
pub fn vector_policy(path: &str) -> Option<&'static Policy<'static, OWNED_CAPACITY>> {
    let i: usize = path.strip_prefix("/v/")?.parse().ok()?;
    *policies().get(i)?
}

/// Runs the example program `name` as a user does (`--listen
/// 127.0.0.1:0`) and checks its demo policy over HTTP: a preflight
/// answered 204 without reaching the application, a GET answered by the
/// application with the CORS headers, a refused origin getting none.
pub async fn check_demo_program(name: &str) {
    let Some(demo) = Example::start(name, &[]) else {
        eprintln!("SKIPPED: examples/{name} not built (run `cargo test` without --test)");
        return;
    };
    let client = reqwest::Client::new();
    let base = &demo.base;
    let o = send(
        &client,
        &format!("{base}/items"),
        "OPTIONS",
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "PUT"),
        ],
    )
    .await;
    assert_eq!(o.status, 204, "{name}");
    assert!(!o.handler_called, "{name}");
    assert_eq!(
        header(&o, "access-control-allow-origin"),
        ["https://app.example"],
        "{name}"
    );
    assert_eq!(
        header(&o, "access-control-allow-methods"),
        ["PUT"],
        "{name}"
    );
    let o = send(
        &client,
        &format!("{base}/items"),
        "GET",
        &[("origin", "https://app.example")],
    )
    .await;
    assert_eq!(o.status, 200, "{name}");
    assert!(o.handler_called, "{name}");
    assert_eq!(
        header(&o, "access-control-allow-origin"),
        ["https://app.example"],
        "{name}"
    );
    assert_eq!(
        header(&o, "access-control-expose-headers"),
        ["x-request-id"],
        "{name}"
    );
    assert_eq!(header(&o, "vary"), ["Origin"], "{name}");
    let o = send(
        &client,
        &format!("{base}/items"),
        "GET",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert_eq!(o.status, 200, "{name}");
    assert!(
        header(&o, "access-control-allow-origin").is_empty(),
        "{name}"
    );
}
