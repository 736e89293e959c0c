//! hyper's `service_fn` through `cors_policy_http::Evaluator`
//! (`examples/hyper_server.rs`) over real HTTP: every conformance vector,
//! each on its own path with its own policy, and the program as a user
//! runs it.

#[path = "../../adapters/http/tests/support/client.rs"]
mod client;
mod common;
#[allow(dead_code)]
#[path = "../examples/hyper_server.rs"]
mod example;
#[path = "../../adapters/http/tests/support/example.rs"]
mod example_bin;
#[path = "../../adapters/http/tests/support/scenarios.rs"]
mod scenarios;
#[path = "../../adapters/http/tests/support/vectors.rs"]
mod support;

use std::sync::Arc;

use cors_policy_http::Evaluator;

#[tokio::test]
async fn serves_every_vector() {
    let vectors = support::vectors();
    let evaluators: Arc<Vec<Option<Evaluator>>> = Arc::new(
        vectors
            .iter()
            .map(|v| v.policy().ok().map(Evaluator::new))
            .collect(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(example::serve(listener, move |path: &str| {
        let i: usize = path.strip_prefix("/v/")?.parse().ok()?;
        evaluators.get(i)?.clone()
    }));
    scenarios::serves_every_vector("hyper", &vectors, |i| format!("{base}/v/{i}")).await;
}

#[tokio::test]
async fn the_demo_program() {
    common::check_demo_program("hyper_server").await;
}
