//! `cors-policy lint`: each warning on the policy that should raise it and
//! not on its safe twin, errors with exit 2, and `--deny-warnings`.

mod common;

use common::{TempDir, code, run, stderr, stdout};

/// The warning codes `lint` prints, in order.
fn codes(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("warning["))
        .filter_map(|l| l.split_once(']'))
        .map(|(c, _)| c.to_string())
        .collect()
}

/// (policy, warning codes expected, in order).
const CASES: &[(&str, &[&str])] = &[
    (r#"{"allowed_origins": ["https://app.example"]}"#, &[]),
    (
        r#"{"allowed_origins": "*", "allowed_methods": "*", "allowed_headers": ["*"]}"#,
        &[],
    ),
    (
        r#"{"allowed_origins": ["https://app.example", "null"]}"#,
        &["null-origin"],
    ),
    (
        r#"{"allowed_origins": ["http://api.example"], "allow_credentials": true, "dangerously_allow_insecure_origins": true}"#,
        &["http-origin-with-credentials"],
    ),
    (r#"{"allowed_origins": ["http://api.example"]}"#, &[]),
    (
        r#"{"allowed_origins": ["http://localhost:*", "http://127.0.0.1:8080", "http://[::1]:3000", "http://app.localhost"], "allow_credentials": true}"#,
        &[],
    ),
    (
        r#"{"allowed_origins": ["https://*.github.io", "https://*.co.uk", "https://*.com"], "dangerously_allow_public_suffix_wildcards": true}"#,
        &[
            "public-suffix-wildcard",
            "public-suffix-wildcard",
            "public-suffix-wildcard",
        ],
    ),
    (
        r#"{"allowed_origins": ["https://*.example.com", "https://me.github.io"]}"#,
        &[],
    ),
    (
        r#"{"allowed_origins": ["https://a.example"], "max_age": 86400}"#,
        &["max-age-capped"],
    ),
    (
        r#"{"allowed_origins": ["https://a.example"], "max_age": 7200}"#,
        &[],
    ),
    (
        r#"{"allowed_origins": ["https://a.example"], "allow_credentials": true, "allowed_headers": ["*"]}"#,
        &["wildcard-headers-with-credentials"],
    ),
    (
        r#"{"allowed_origins": ["https://a.example"], "allow_credentials": true, "allowed_methods": "*"}"#,
        &["wildcard-methods-with-credentials"],
    ),
    (
        r#"{"allowed_origins": ["https://a.example"], "expose_headers": ["x-id", "Set-Cookie"]}"#,
        &["expose-set-cookie"],
    ),
    (
        r#"{"allowed_origins": ["https://a.example"], "allowed_methods": ["patch", "get", "PUT"]}"#,
        &["lowercase-method", "lowercase-method"],
    ),
    (
        r#"{"allowed_origins": ["null", "http://*.herokuapp.com"], "allow_credentials": true, "max_age": 10000,
            "dangerously_allow_public_suffix_wildcards": true, "dangerously_allow_insecure_origins": true}"#,
        &[
            "null-origin",
            "public-suffix-wildcard",
            "http-origin-with-credentials",
            "max-age-capped",
        ],
    ),
];

#[test]
fn each_warning_and_its_safe_twin() {
    let dir = TempDir::new();
    for (i, (policy, want)) in CASES.iter().enumerate() {
        let path = dir.file(&format!("p{i}.json"), policy);
        let out = run(&["lint", "--policy", path.to_str().unwrap()]);
        let text = stdout(&out);
        assert_eq!(code(&out), Some(0), "{policy}: {text}{}", stderr(&out));
        assert_eq!(codes(&text), *want, "{policy}:\n{text}");
        // Every warning comes with its fix.
        assert_eq!(text.matches("\n  fix: ").count(), want.len(), "{text}");
        if want.is_empty() {
            assert!(text.ends_with("no problems found\n"), "{text}");
        } else {
            assert!(
                text.contains(&format!("0 error(s), {} warning(s)", want.len())),
                "{text}"
            );
        }
        // --deny-warnings turns warnings into exit 1.
        let denied = run(&[
            "lint",
            "--policy",
            path.to_str().unwrap(),
            "--deny-warnings",
        ]);
        let expected = if want.is_empty() { 0 } else { 1 };
        assert_eq!(code(&denied), Some(expected), "{policy}");
    }
}

#[test]
fn public_suffix_warning_names_the_suffix_and_the_fix() {
    let dir = TempDir::new();
    let path = dir.file(
        "p.toml",
        "allowed_origins = [\"https://*.github.io\"]\ndangerously_allow_public_suffix_wildcards = true\n",
    );
    let text = stdout(&run(&["lint", "--policy", path.to_str().unwrap()]));
    assert!(text.contains("github.io is a public suffix"), "{text}");
    assert!(text.contains("(Public Suffix List, psl 2.1.247)"), "{text}");
    assert!(
        text.contains("fix: list your own sites exactly, e.g. \"https://yourname.github.io\""),
        "{text}"
    );
}

/// Regression (issue 14): these policies were valid and only lint warned,
/// which a server cannot run. They are refused now, and the error names the
/// opt-in that accepts the risk.
#[test]
fn dangerous_policies_are_errors_naming_their_opt_in() {
    let dir = TempDir::new();
    let cases = [
        (
            r#"{"allowed_origins": ["https://*.com"]}"#,
            "error[public_suffix_wildcard]: ",
            "dangerously_allow_public_suffix_wildcards",
        ),
        (
            r#"{"allowed_origins": ["null"], "allow_credentials": true}"#,
            "error[null_origin_with_credentials]: ",
            "dangerously_allow_insecure_origins",
        ),
        (
            r#"{"allowed_origins": ["http://api.example"], "allow_credentials": true}"#,
            "error[insecure_origin_with_credentials]: ",
            "dangerously_allow_insecure_origins",
        ),
    ];
    for (i, (policy, error, opt_in)) in cases.iter().enumerate() {
        let path = dir.file(&format!("d{i}.json"), policy);
        let out = run(&["lint", "--policy", path.to_str().unwrap()]);
        let text = stdout(&out);
        assert_eq!(code(&out), Some(2), "{text}");
        let line = text
            .lines()
            .find(|l| l.starts_with(error))
            .unwrap_or_else(|| panic!("{text}"));
        assert!(line.contains(opt_in), "{line}");
        assert!(
            !text.contains("warning["),
            "an error is not also a warning: {text}"
        );
    }
}

/// Regression (issue 14): for `["Delete"]` lint said the name "is
/// upper-cased when the policy is built ... so it works", but only the
/// all-lower-case spellings are, and `check` refuses a `DELETE` preflight.
#[test]
fn mixed_case_methods_are_said_to_fail() {
    let dir = TempDir::new();
    let path = dir.file(
        "m.json",
        r#"{"allowed_origins": ["https://a.example"], "allowed_methods": ["Delete", "Put", "OPTIONs", "delete"]}"#,
    );
    let text = stdout(&run(&["lint", "--policy", path.to_str().unwrap()]));
    let reasons: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("warning[lowercase-method]"))
        .collect();
    assert_eq!(reasons.len(), 4, "{text}");
    for (line, method) in reasons[..3].iter().zip(["DELETE", "PUT", "OPTIONS"]) {
        assert!(
            line.contains(&format!("a preflight for {method} is refused")),
            "{line}"
        );
        assert!(!line.contains("so it works"), "{line}");
    }
    assert!(reasons[3].contains("so it works"), "{}", reasons[3]);
    // What lint says is what check does.
    let out = run(&[
        "check",
        "--policy",
        path.to_str().unwrap(),
        "--method",
        "OPTIONS",
        "-H",
        "Origin: https://a.example",
        "-H",
        "Access-Control-Request-Method: PUT",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["allowed"], false, "{v}");
}

#[test]
fn unused_opt_ins_are_warned_about() {
    let dir = TempDir::new();
    let path = dir.file(
        "u.json",
        r#"{"allowed_origins": ["https://a.example"], "dangerously_allow_insecure_origins": true}"#,
    );
    let out = run(&[
        "lint",
        "--policy",
        path.to_str().unwrap(),
        "--deny-warnings",
    ]);
    assert_eq!(code(&out), Some(1));
    assert_eq!(codes(&stdout(&out)), ["unused-opt-in"]);
}

#[test]
fn errors_exit_2_and_warnings_still_shown() {
    let dir = TempDir::new();
    let path = dir.file(
        "p.json",
        r#"{"allowed_origins": ["https://App.example/", "null"], "allowed_headers": ["cookie"]}"#,
    );
    for extra in [None, Some("--deny-warnings")] {
        let mut args = vec!["lint", "--policy", path.to_str().unwrap()];
        args.extend(extra);
        let out = run(&args);
        let text = stdout(&out);
        assert_eq!(code(&out), Some(2), "{text}");
        let errors: Vec<&str> = text.lines().filter(|l| l.starts_with("error[")).collect();
        assert_eq!(errors.len(), 2, "{text}");
        assert!(
            errors[0].contains("write \"https://app.example\""),
            "{text}"
        );
        assert!(errors[1].contains("cookie"), "{text}");
        assert_eq!(codes(&text), ["null-origin"], "{text}");
        assert!(text.contains("2 error(s), 1 warning(s)"), "{text}");
    }
}

#[test]
fn unreadable_policy_exits_2() {
    let dir = TempDir::new();
    let bad = dir.file("p.json", "{\"allowed_origins\": [}");
    for path in [bad, dir.path_of("nope.toml")] {
        let out = run(&["lint", "--policy", path.to_str().unwrap()]);
        assert_eq!(code(&out), Some(2));
        assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
        assert!(
            stderr(&out).starts_with(path.to_str().unwrap()),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn examples_lint_clean() {
    for p in ["examples/policy.json", "examples/policy.toml"] {
        let out = run(&["lint", "--policy", p, "--deny-warnings"]);
        assert_eq!(code(&out), Some(0), "{p}: {}", stdout(&out));
    }
}
