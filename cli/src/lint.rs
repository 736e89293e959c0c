//! `cors-policy lint`: errors (the policy would be refused) and warnings
//! for valid but risky settings, each with its reason and the fix.

use std::io::Write;

use cors_policy_config::{InvalidPolicy, PolicyConfig};

use crate::load::Source;
use crate::problems::{self, Loaded};

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

/// Every warning for `config`, in the order of its fields.
pub fn warnings(config: &PolicyConfig) -> Vec<Warning> {
    let mut out = Vec::new();
    let credentials = config.allow_credentials;
    if !config.allowed_origins.is_star() {
        for (i, entry) in config.allowed_origins.items().into_iter().enumerate() {
            // With credentials and no opt-in, `null` is an error already.
            if entry == "null" && (!credentials || config.dangerously_allow_insecure_origins) {
                out.push(null_warning(i, credentials));
            }
        }
    }
    opt_in_warnings(config, &mut out);
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
        let standard =
            ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"].contains(&upper.as_str());
        // Only the all-lower-case spellings of the six are upper-cased when
        // the policy is built (docs/behaviour.md §2.3).
        let reason = if standard && *m == upper.to_ascii_lowercase() {
            format!(
                "allowed_methods[{i}] {m:?} is not in upper case: it is upper-cased when the policy is built (browsers normalise {upper}), so it works, but the file does not say what is matched."
            )
        } else if standard {
            format!(
                "allowed_methods[{i}] {m:?} is matched byte-exactly: only the all-lower-case spellings of DELETE, GET, HEAD, OPTIONS, POST and PUT are upper-cased when the policy is built, and browsers send {upper} (Fetch, \"normalize a method\"), so a preflight for {upper} is refused."
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
        && age > i64::from(CHROMIUM_MAX_AGE)
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

fn null_warning(i: usize, credentials: bool) -> Warning {
    warn(
        "null-origin",
        format!(
            "allowed_origins[{i}] \"null\": any page can send Origin: null, from a sandboxed iframe, a data: or file: document, or after a cross-origin redirect (Fetch, \"serializing a request origin\"), so this allows everyone{}.",
            if credentials {
                ", with their cookies"
            } else {
                ""
            }
        ),
        "remove \"null\"; serve the page from a real origin and list that.",
    )
}

/// The risks a policy accepted with a `dangerously_*` opt-in (what the same
/// policy without the opt-ins refuses), and opt-ins that accept nothing.
fn opt_in_warnings(config: &PolicyConfig, out: &mut Vec<Warning>) {
    // Each opt-in turned off alone, the other kept on: an entry carrying
    // both risks is then named for each.
    let without = |suffixes: bool| {
        PolicyConfig {
            dangerously_allow_public_suffix_wildcards: !suffixes,
            dangerously_allow_insecure_origins: suffixes,
            ..config.clone()
        }
        .check()
        .err()
    };
    let refused = [without(true), without(false)];
    let mut used = (false, false);
    for p in refused.iter().flatten().flat_map(InvalidPolicy::iter) {
        let entry = p.entry().unwrap_or_default();
        let i = p.index().unwrap_or_default();
        match p.code() {
            "public_suffix_wildcard" if config.dangerously_allow_public_suffix_wildcards => {
                used.0 = true;
                let base = entry
                    .split_once("*.")
                    .map_or(entry, |(_, rest)| rest)
                    .split(':')
                    .next()
                    .unwrap_or_default();
                let scheme = entry.split("://").next().unwrap_or("https");
                out.push(warn(
                    "public-suffix-wildcard",
                    format!(
                        "allowed_origins[{i}] {entry:?}: {base} is a public suffix where anyone can register a name or publish a site (Public Suffix List, {}), so the wildcard allows origins you do not control; accepted by dangerously_allow_public_suffix_wildcards.",
                        cors_policy::PUBLIC_SUFFIX_LIST_SOURCE
                    ),
                    format!("list your own sites exactly, e.g. \"{scheme}://yourname.{base}\", and remove the opt-in."),
                ));
            }
            "insecure_origin_with_credentials" if config.dangerously_allow_insecure_origins => {
                used.1 = true;
                out.push(warn(
                    "http-origin-with-credentials",
                    format!(
                        "allowed_origins[{i}] {entry:?} is http:// with allow_credentials: anyone on the network path (public Wi-Fi) can inject script into that page and read credentialed responses; accepted by dangerously_allow_insecure_origins."
                    ),
                    format!(
                        "serve the page over HTTPS, list \"https://{}\" and remove the opt-in.",
                        entry.split_once("://").map_or(entry, |(_, rest)| rest)
                    ),
                ));
            }
            "null_origin_with_credentials" if config.dangerously_allow_insecure_origins => {
                used.1 = true;
            }
            _ => {}
        }
    }
    for (set, used, field) in [
        (
            config.dangerously_allow_public_suffix_wildcards,
            used.0,
            "dangerously_allow_public_suffix_wildcards",
        ),
        (
            config.dangerously_allow_insecure_origins,
            used.1,
            "dangerously_allow_insecure_origins",
        ),
    ] {
        if set && !used {
            out.push(warn(
                "unused-opt-in",
                format!("{field} is set, but the policy has no entry that needs it, so it only hides the risk if one is added later."),
                format!("remove {field}."),
            ));
        }
    }
}

/// Runs `lint`, writing the report to `out`; returns the exit code.
pub fn run(source: &Source, deny_warnings: bool, out: &mut dyn Write) -> u8 {
    let (config, errors) = match problems::load(source) {
        Loaded::Ready(ready) => (Some(ready.0), None),
        Loaded::Invalid(invalid) => {
            // Warnings need the configuration: read it again when only the
            // rules of the policy failed (not its fields' types).
            let config = source.read().ok();
            (config, Some(invalid))
        }
        Loaded::Unreadable(line) => {
            eprintln!("{line}");
            return 2;
        }
    };
    let warnings = config.as_ref().map(warnings).unwrap_or_default();
    let mut text = String::new();
    for e in errors.iter().flat_map(InvalidPolicy::iter) {
        text.push_str(&problems::line(source, e));
        text.push('\n');
    }
    if let Some(more) = errors.as_ref().and_then(problems::omitted) {
        text.push_str(&more);
        text.push('\n');
    }
    for w in &warnings {
        text.push_str(&format!(
            "warning[{}]: {}\n  fix: {}\n",
            w.code, w.reason, w.fix
        ));
    }
    let name = source.name();
    let error_count = errors.as_ref().map_or(0, InvalidPolicy::total);
    if error_count == 0 && warnings.is_empty() {
        text.push_str(&format!("{name}: no problems found\n"));
    } else {
        text.push_str(&format!(
            "{name}: {error_count} error(s), {} warning(s)\n",
            warnings.len()
        ));
    }
    if let Err(e) = out.write_all(text.as_bytes())
        && e.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("cannot write the report: {e}");
    }
    if error_count > 0 {
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

    fn codes(json: &str) -> Vec<&'static str> {
        let config = PolicyConfig::from_json_str(json).unwrap();
        warnings(&config).iter().map(|w| w.code).collect()
    }

    #[test]
    fn opt_ins_warn_about_what_they_accept_or_that_they_accept_nothing() {
        assert_eq!(
            codes(
                r#"{"allowed_origins": ["https://*.com"], "dangerously_allow_public_suffix_wildcards": true}"#
            ),
            ["public-suffix-wildcard"]
        );
        assert_eq!(
            codes(
                r#"{"allowed_origins": ["https://*.example.com"], "dangerously_allow_public_suffix_wildcards": true}"#
            ),
            ["unused-opt-in"]
        );
        assert_eq!(
            codes(
                r#"{"allowed_origins": ["http://a.example", "null"], "allow_credentials": true, "dangerously_allow_insecure_origins": true}"#
            ),
            ["null-origin", "http-origin-with-credentials"]
        );
        assert_eq!(
            codes(
                r#"{"allowed_origins": ["http://a.example"], "dangerously_allow_insecure_origins": true}"#
            ),
            ["unused-opt-in"]
        );
    }
}
