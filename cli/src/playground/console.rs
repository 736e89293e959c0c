//! The browser's own words for a blocked try: the message Chromium prints
//! in the console and Firefox's reason name.
//!
//! PENDING issue 18: the browser model's console messages
//! (`Blocked::chromium_message`, `Blocked::firefox_reason`) are not on
//! main yet; until they are, no message is predicted.

use cors_policy_browser::{Blocked, Response};

/// Which response the browser was checking when it refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    /// The answer to the preflight.
    Preflight,
    /// The answer to the request itself.
    Response,
}

/// The console's words for one blocked try.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Words {
    /// Chromium's console message, `None` where it prints none.
    pub chromium: Option<String>,
    /// Firefox's reason name.
    pub firefox: Option<String>,
}

/// The console's words when the browser blocks a `fetch()` of `url` from
/// `origin` for `blocked`, given the `response` it checked at `stage`.
pub fn words<K: AsRef<[u8]>, V: AsRef<[u8]>>(
    blocked: &Blocked<'_>,
    url: &str,
    origin: &str,
    stage: Stage,
    response: &Response<'_, K, V>,
) -> Words {
    let _ = (blocked, url, origin, stage, response);
    Words::default()
}
