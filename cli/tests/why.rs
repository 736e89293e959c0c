//! `cors-policy why`: every console message the Chromium suite captured
//! (`e2e/console-messages.json`) is recognised and explained; with a
//! policy (a file or the `CORS_*` variables) the advice names the field.

mod common;

use std::process::Output;

use common::{TempDir, bin, code, stderr, stdout};
use serde::Deserialize;

#[derive(Deserialize)]
struct Fixture {
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    id: String,
    chromium: Option<Captured>,
}

#[derive(Deserialize)]
struct Captured {
    message: String,
}

const URL: &str = "https://api.example/c/case";
const ORIGIN: &str = "https://app.example";

/// The captured message of case `id`, for `URL` and `ORIGIN`.
fn message(id: &str) -> String {
    captured()
        .into_iter()
        .find(|(i, _)| i == id)
        .unwrap_or_else(|| panic!("no captured message for {id}"))
        .1
}

fn captured() -> Vec<(String, String)> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../e2e/console-messages.json");
    let f: Fixture = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    f.cases
        .into_iter()
        .filter_map(|c| {
            let m = c.chromium?.message;
            Some((c.id, m.replace("{url}", URL).replace("{origin}", ORIGIN)))
        })
        .collect()
}

/// Runs the binary with no `CORS_*` variable but `vars`.
fn why(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = bin();
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("CORS_")) {
        command.env_remove(k);
    }
    command
        .arg("why")
        .args(args)
        .envs(vars.iter().copied())
        .output()
        .unwrap()
}

#[test]
fn every_captured_message_is_recognised_and_explained() {
    let all = captured();
    assert!(all.len() >= 25, "{} messages", all.len());
    for (id, text) in all {
        let out = why(&[&text], &[]);
        let report = stdout(&out);
        assert_eq!(code(&out), Some(0), "{id}: {report}{}", stderr(&out));
        assert!(
            report.starts_with("Recognised: Chromium's"),
            "{id}: {report}"
        );
        assert!(
            report.contains(&format!("  page origin: {ORIGIN}\n")),
            "{id}: {report}"
        );
        assert!(
            report.contains(&format!("  URL:         {URL}\n")),
            "{id}: {report}"
        );
        assert!(report.contains("Failed check: "), "{id}: {report}");
        assert!(report.contains("\nFix:  "), "{id}: {report}");
        assert!(report.contains("--policy FILE"), "{id}: {report}");
    }
}

#[test]
fn the_method_or_header_involved_is_named() {
    let report = stdout(&why(&[&message("method-not-allowed")], &[]));
    assert!(report.contains("  method:      PUT\n"), "{report}");
    assert!(report.contains("(Firefox: CORSMethodNotFound)"), "{report}");
    let report = stdout(&why(&[&message("header-not-allowed")], &[]));
    assert!(
        report.contains("  header:      x-custom-header\n"),
        "{report}"
    );
    assert!(
        report.contains("add \"x-custom-header\" to allowed_headers"),
        "{report}"
    );
    let report = stdout(&why(&[&message("preflight-redirect")], &[]));
    assert!(report.contains("never follow for a preflight"), "{report}");
}

#[test]
fn a_preflight_without_cors_headers_lists_the_causes() {
    let report = stdout(&why(&[&message("preflight-refused")], &[]));
    assert!(
        report.contains("the message cannot tell which check failed"),
        "{report}"
    );
    for cause in [
        "1. the origin https://app.example is not allowed",
        "2. the method is not allowed",
        "3. a request header is not allowed",
        "4. no CORS layer answered",
    ] {
        assert!(report.contains(cause), "{cause}: {report}");
    }
    assert!(report.contains("debug mode on the server"), "{report}");
}

const POLICY: &str = r#"{
    "allowed_origins": ["https://app.example"],
    "allow_credentials": true,
    "allowed_methods": ["GET", "DELETE"],
    "allowed_headers": ["content-type"]
}"#;

#[test]
fn with_a_policy_the_field_to_change_is_named() {
    let dir = TempDir::new();
    let policy = dir.file("policy.json", POLICY);
    let policy = policy.to_str().unwrap();
    let cases: &[(&str, &str, &str)] = &[
        (
            "method-not-allowed",
            ORIGIN,
            "add \"PUT\" to allowed_methods",
        ),
        (
            "header-not-allowed",
            ORIGIN,
            "add \"x-custom-header\" to allowed_headers",
        ),
        // The origin is allowed, so the refused preflight was about the
        // method or a header.
        (
            "preflight-refused",
            ORIGIN,
            "the policy allows https://app.example, so the preflight was refused for its method or a request header",
        ),
        // From an origin the policy does not list.
        (
            "missing-allow-origin",
            "https://evil.example",
            "the policy does not allow https://evil.example",
        ),
        (
            "allow-origin-trailing-slash",
            ORIGIN,
            "another layer (proxy, framework middleware, hard-coded header) wrote this one",
        ),
    ];
    for (id, origin, advice) in cases {
        let text = message(id).replace(ORIGIN, origin);
        let out = why(&["--policy", policy, &text], &[]);
        let report = stdout(&out);
        assert_eq!(code(&out), Some(0), "{id}: {report}");
        assert!(
            report.contains(&format!("\nWith the policy in {policy}:\n")),
            "{id}: {report}"
        );
        assert!(report.contains(advice), "{id}: {report}");
    }
}

#[test]
fn with_the_environment_the_same_advice() {
    let vars = [
        ("CORS_ALLOWED_ORIGINS", "*"),
        ("CORS_ALLOWED_METHODS", "GET"),
    ];
    let out = why(
        &["--env", &message("wildcard-origin-with-credentials")],
        &vars,
    );
    let report = stdout(&out);
    assert_eq!(code(&out), Some(0), "{report}");
    assert!(
        report.contains("With the policy in the CORS_* environment variables:"),
        "{report}"
    );
    assert!(
        report.contains("allowed_origins is \"*\", which never serves credentialed requests: list \"https://app.example\""),
        "{report}"
    );
    let out = why(&["--env", &message("allow-credentials-not-true")], &vars);
    assert!(
        stdout(&out).contains("allow_credentials is false: set it to true"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_bad_environment_is_the_loaders_error() {
    let out = why(
        &["--env", &message("missing-allow-origin")],
        &[("CORS_MAX_AGE", "soon")],
    );
    assert_eq!(code(&out), Some(2));
    let want = cors_policy_config::PolicyConfig::from_vars(
        "CORS_",
        [("CORS_MAX_AGE".to_string(), "soon".to_string())],
    )
    .unwrap_err()
    .to_string();
    assert_eq!(stderr(&out).trim_end(), want);
    assert!(stdout(&out).is_empty());
}

#[test]
fn an_unknown_message_is_not_recognised() {
    for text in [
        "TypeError: Failed to fetch",
        "GET https://api.example/ net::ERR_FAILED 403 (Forbidden)",
        "Access to fetch at 'https://a/' from origin 'https://b' has been blocked by CORS policy: a check from the future.",
        "",
    ] {
        let out = why(&[text], &[]);
        assert_eq!(code(&out), Some(2), "{text}");
        assert!(stdout(&out).starts_with("not recognised"), "{text}");
    }
}

#[test]
fn firefox_messages_are_explained() {
    let text = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example/items. (Reason: header \u{2018}x-trace\u{2019} is not allowed according to header \u{2018}Access-Control-Allow-Headers\u{2019} from CORS preflight response).";
    let out = why(&[text], &[]);
    let report = stdout(&out);
    assert_eq!(code(&out), Some(0), "{report}");
    assert!(report.starts_with("Recognised: Firefox's"), "{report}");
    assert!(report.contains("  header:      x-trace\n"), "{report}");
    assert!(
        report.contains("(Firefox: CORSMissingAllowHeaderFromPreflight)"),
        "{report}"
    );
}

/// The README's troubleshooting part runs `why` on a pasted message: the
/// same command, from the repository root, gives the advice it describes.
#[test]
fn the_readme_troubleshooting_command_runs() {
    let readme = std::fs::read_to_string(common::root().join("README.md")).unwrap();
    let section = readme
        .split("### Troubleshooting")
        .nth(1)
        .expect("a troubleshooting part in the README");
    let line = section
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("cors-policy why --policy examples/policy.json \""))
        .expect("a why command in the troubleshooting part");
    let message = line
        .split_once('"')
        .and_then(|(_, rest)| rest.strip_suffix('"'))
        .unwrap();
    let out = bin()
        .current_dir(common::root())
        .args(["why", "--policy", "examples/policy.json", message])
        .output()
        .unwrap();
    let report = stdout(&out);
    assert_eq!(code(&out), Some(0), "{report}");
    assert!(
        report.contains("add \"x-trace\" to allowed_headers"),
        "{report}"
    );
    assert!(
        report.contains("(Firefox: CORSMissingAllowHeaderFromPreflight)"),
        "{report}"
    );
    // The message the README shows first is the same one.
    assert!(section.contains(message.split(" has been blocked").next().unwrap()));
}
