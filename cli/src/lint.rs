//! `cors-policy lint`: errors (the policy would be refused) and warnings
//! for valid but risky settings, each with its reason and the fix.

use std::io::Write;

use cors_policy_config::PolicyConfig;

use crate::load::Source;
use crate::suffix::is_public_suffix;

/// Chromium's cap on `Access-Control-Max-Age`, in seconds (Firefox caps at
/// 86400; the Fetch standard leaves the cap to the browser).
pub const CHROMIUM_MAX_AGE: u32 = 7200;

/// A warning about a valid but risky policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// A stable identifier, such as `null-origin`.
    pub code: &'static str,
    /// What is risky and why.
    pub reason: String,
    /// What to change.
    pub fix: String,
}

fn warn(code: &'static str, reason: String, fix: impl Into<String>) -> Warning {
    Warning {
        code,
        reason,
        fix: fix.into(),
    }
}

/// Is `host` (lower case) a loopback host: `localhost`, `*.localhost`,
/// `127.0.0.0/8` or `[::1]`?
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "[::1]"
        || host
            .strip_prefix("127.")
            .is_some_and(|rest| rest.split('.').count() == 3)
}

/// The host of `scheme://host[:port]`, lower case, with its scheme.
fn scheme_and_host(origin: &str) -> Option<(String, String)> {
    let (scheme, rest) = origin.split_once("://")?;
    let host = match rest.strip_prefix('[') {
        Some(v6) => format!("[{}]", v6.split(']').next().unwrap_or_default()),
        None => rest.split(':').next().unwrap_or_default().to_string(),
    };
    Some((scheme.to_ascii_lowercase(), host.to_ascii_lowercase()))
}

/// Every warning for `config`, in the order of its fields.
pub fn warnings(config: &PolicyConfig) -> Vec<Warning> {
    let mut out = Vec::new();
    let credentials = config.allow_credentials;
    if !config.allowed_origins.is_star() {
        for (i, entry) in config.allowed_origins.items().into_iter().enumerate() {
            origin_warnings(i, entry, credentials, &mut out);
        }
    }
    let methods = config.allowed_methods.items();
    if credentials && methods.contains(&"*") {
        out.push(warn(
            "wildcard-methods-with-credentials",
            "allowed_methods \"*\" with allow_credentials: browsers read Access-Control-Allow-Methods \"*\" literally on credentialed requests (Fetch, \"CORS-preflight fetch\"), so the engine echoes the requested method: every method passes for pages sending cookies.".into(),
            "list the methods the pages use, e.g. [\"GET\", \"POST\", \"PUT\", \"DELETE\"].",
        ));
    }
    for (i, m) in methods.iter().enumerate() {
        if *m == "*" || !m.bytes().any(|b| b.is_ascii_lowercase()) {
            continue;
        }
        let upper = m.to_ascii_uppercase();
        let normalised =
            ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].contains(&upper.as_str());
        let reason = if normalised {
            format!(
                "allowed_methods[{i}] {m:?} is not in upper case: it is upper-cased when the policy is built (browsers normalise {upper}), so it works, but the file does not say what is matched."
            )
        } else {
            format!(
                "allowed_methods[{i}] {m:?} is not in upper case: methods match byte-exactly and browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT (Fetch, \"normalize a method\"), so a page sending {upper:?} is refused."
            )
        };
        out.push(warn(
            "lowercase-method",
            reason,
            format!("write {upper:?}, and send it that way from the pages."),
        ));
    }
    if credentials && config.allowed_headers.items().contains(&"*") {
        out.push(warn(
            "wildcard-headers-with-credentials",
            "allowed_headers \"*\" with allow_credentials: browsers read Access-Control-Allow-Headers \"*\" literally on credentialed requests, so the engine echoes the requested headers: every request header but authorization passes for pages sending cookies.".into(),
            "list the request headers the pages send, e.g. [\"content-type\", \"x-csrf-token\"].",
        ));
    }
    for (i, h) in config.expose_headers.items().into_iter().enumerate() {
        if h.eq_ignore_ascii_case("set-cookie") || h.eq_ignore_ascii_case("set-cookie2") {
            out.push(warn(
                "expose-set-cookie",
                format!(
                    "expose_headers[{i}] {h:?}: browsers never let scripts read Set-Cookie (Fetch, \"forbidden response-header name\"), whatever the policy says."
                ),
                format!("remove {h:?}; put what the page needs in the body or an ordinary header."),
            ));
        }
    }
    if let Some(age) = config.max_age
        && age > CHROMIUM_MAX_AGE
    {
        out.push(warn(
            "max-age-capped",
            format!(
                "max_age {age} is above what browsers honour: Chromium caps preflight caching at {CHROMIUM_MAX_AGE} s (Firefox at 86400 s), so policy changes still take up to {age} s to reach Firefox users while Chromium preflights anyway."
            ),
            format!("set max_age to {CHROMIUM_MAX_AGE} or less."),
        ));
    }
    out
}

fn origin_warnings(i: usize, entry: &str, credentials: bool, out: &mut Vec<Warning>) {
    if entry == "null" {
        out.push(warn(
            "null-origin",
            format!(
                "allowed_origins[{i}] \"null\": any page can send Origin: null, from a sandboxed iframe, a data: or file: document, or after a cross-origin redirect (Fetch, \"serializing a request origin\"), so this allows everyone{}.",
                if credentials { ", with their cookies" } else { "" }
            ),
            "remove \"null\"; serve the page from a real origin and list that.",
        ));
        return;
    }
    let Some((scheme, host)) = scheme_and_host(entry) else {
        return;
    };
    if credentials && scheme == "http" && !is_loopback(&host) {
        out.push(warn(
            "http-origin-with-credentials",
            format!(
                "allowed_origins[{i}] {entry:?} is http:// with allow_credentials: anyone on the network path (public Wi-Fi) can inject script into that page and read credentialed responses."
            ),
            format!(
                "serve the page over HTTPS and list \"https://{}\".",
                entry.split_once("://").map_or(entry, |(_, rest)| rest)
            ),
        ));
    }
    if let Some(base) = host.strip_prefix("*.")
        && is_public_suffix(base)
    {
        out.push(warn(
            "public-suffix-wildcard",
            format!(
                "allowed_origins[{i}] {entry:?}: {base} is a public suffix where anyone can register a name or publish a site, so the wildcard allows origins you do not control (built-in list of common public suffixes)."
            ),
            format!("list your own sites exactly, e.g. \"{scheme}://yourname.{base}\"."),
        ));
    }
}

/// Runs `lint`, writing the report to `out`; returns the exit code.
pub fn run(source: &Source, deny_warnings: bool, out: &mut dyn Write) -> u8 {
    let config = match source.read() {
        Ok(c) => c,
        Err(line) => {
            eprintln!("{line}");
            return 2;
        }
    };
    let errors = config
        .clone()
        .build()
        .err()
        .map(|e| e.errors)
        .unwrap_or_default();
    let warnings = warnings(&config);
    let mut text = String::new();
    for e in &errors {
        text.push_str(&format!("error: {e}\n"));
    }
    for w in &warnings {
        text.push_str(&format!(
            "warning[{}]: {}\n  fix: {}\n",
            w.code, w.reason, w.fix
        ));
    }
    let name = source.name();
    if errors.is_empty() && warnings.is_empty() {
        text.push_str(&format!("{name}: no problems found\n"));
    } else {
        text.push_str(&format!(
            "{name}: {} error(s), {} warning(s)\n",
            errors.len(),
            warnings.len()
        ));
    }
    if let Err(e) = out.write_all(text.as_bytes())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("cannot write the report: {e}");
    }
    if !errors.is_empty() {
        2
    } else if deny_warnings && !warnings.is_empty() {
        1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts() {
        for h in [
            "localhost",
            "app.localhost",
            "127.0.0.1",
            "127.1.2.3",
            "[::1]",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in [
            "localhost.example",
            "127.0.0.1.nip.io",
            "10.0.0.1",
            "example.com",
        ] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn hosts_of_origins() {
        assert_eq!(
            scheme_and_host("http://[::1]:8080"),
            Some(("http".into(), "[::1]".into()))
        );
        assert_eq!(
            scheme_and_host("https://*.github.io"),
            Some(("https".into(), "*.github.io".into()))
        );
        assert_eq!(scheme_and_host("null"), None);
    }
}
