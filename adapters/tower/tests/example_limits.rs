//! The axum example under slow-header clients, its refusal log and its hot
//! reload (issue 15). The bug: the example served with `axum::serve`,
//! which has no header-read timeout, so a slow-header client held a
//! connection as long as it liked, and 300 of them locked out every new
//! request under a 256-descriptor limit; each refusal was logged with
//! `eprintln!`, one `write` per byte of the origin.

#[path = "../../../tests/stall/mod.rs"]
mod stall;

use std::time::Duration;

/// The example's documented `HEADER_READ_TIMEOUT`.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

#[test]
fn axum_example_limits_logging_and_reload() {
    stall::check_example("axum_server", HEADER_READ_TIMEOUT);
}
