//! The `std::net` + `httparse` server (`examples/httparse_server.rs`, the
//! core alone) over real HTTP: every conformance vector, each on its own
//! path with its own policy, and the program as a user runs it.

#[path = "../../adapters/http/tests/support/client.rs"]
mod client;
mod common;
#[allow(dead_code)]
#[path = "../examples/httparse_server.rs"]
mod example;
#[path = "../../adapters/http/tests/support/example.rs"]
mod example_bin;
#[path = "../../adapters/http/tests/support/scenarios.rs"]
mod scenarios;
#[path = "../../adapters/http/tests/support/vectors.rs"]
mod support;

#[tokio::test]
async fn serves_every_vector() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || example::serve(listener, common::vector_policy));
    let vectors = support::vectors();
    scenarios::serves_every_vector("httparse", &vectors, |i| format!("{base}/v/{i}")).await;
}

#[tokio::test]
async fn the_demo_program() {
    common::check_demo_program("httparse_server").await;
}
