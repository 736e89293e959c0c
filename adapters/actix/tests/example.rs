//! The actix-web demo server's interface (see `examples/actix_server.rs`).

#[path = "../../http/tests/support/client.rs"]
mod client;
#[path = "../../http/tests/support/example.rs"]
mod example;
#[path = "../../http/tests/support/vectors.rs"]
mod support;

#[tokio::test]
async fn actix_demo_server() {
    example::check_demo("actix_server").await;
}
