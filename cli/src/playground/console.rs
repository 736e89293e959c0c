//! The browser's own words for a blocked try: the message Chromium prints
//! in the console and Firefox's reason name, from the browser model
//! (`cors_policy_browser`'s console messages, which its own end-to-end
//! suite checks against Chromium's real console).

use cors_policy_browser::{Blocked, Response, Stage};

/// The console's words for one blocked try.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Words {
    /// Chromium's console message, `None` where it prints none.
    pub chromium: Option<String>,
    /// Firefox's reason name, `None` where the model knows none.
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
    Words {
        chromium: blocked
            .chromium_message(url, origin, stage, response)
            .map(|m| m.to_string()),
        firefox: blocked.firefox_reason().map(str::to_string),
    }
}
