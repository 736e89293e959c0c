//! The actix example under slow-header clients, its refusal log and its
//! hot reload (issue 15). Actix closes slow-header connections itself
//! (`client_request_timeout`, set explicitly by the example); this checks
//! the documented value holds with 300 such connections open.

#[path = "../../../tests/stall/mod.rs"]
mod stall;

use std::time::Duration;

/// The example's documented `HEADER_READ_TIMEOUT`.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);

#[test]
fn actix_example_limits_logging_and_reload() {
    stall::check_example("actix_server", HEADER_READ_TIMEOUT);
}
