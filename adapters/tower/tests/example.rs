//! The axum demo server's interface (see `examples/axum_server.rs`).

#[path = "../../http/tests/support/client.rs"]
mod client;
#[path = "../../http/tests/support/example.rs"]
mod example;
#[path = "../../http/tests/support/vectors.rs"]
mod support;

#[tokio::test]
async fn axum_demo_server() {
    example::check_demo("axum_server").await;
}
