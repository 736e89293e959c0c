//! The README's axum quick start (`examples/axum_quickstart.rs`) is a
//! block of the README, and serves the three ways it shows.

#[path = "../../http/tests/support/quickstart.rs"]
mod quickstart;
#[path = "../../http/tests/support/routed.rs"]
mod routed;

#[test]
fn the_readme_shows_the_example() {
    quickstart::in_readme("adapters/tower/examples/axum_quickstart.rs");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_serves_each_policy_source() {
    quickstart::check(
        "axum_quickstart",
        "adapters/tower/examples/axum_quickstart.rs",
    )
    .await;
}
