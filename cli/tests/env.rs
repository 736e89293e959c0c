//! `check --env` and `lint --env`: the policy from the `CORS_*` variables,
//! read by the servers' loader (`PolicyConfig::from_env`) with its errors;
//! and `check --exit-code`.

mod common;

use std::process::Output;

use common::{TempDir, bin, code, root, stderr, stdout};

/// Runs the binary with no `CORS_*` variable but `vars`.
fn run_env(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = bin();
    for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("CORS_")) {
        command.env_remove(k);
    }
    command
        .current_dir(root())
        .args(args)
        .envs(vars.iter().copied())
        .output()
        .unwrap()
}

const VARS: &[(&str, &str)] = &[
    (
        "CORS_ALLOWED_ORIGINS",
        "https://app.example, https://*.app.example",
    ),
    ("CORS_ALLOW_CREDENTIALS", "true"),
    ("CORS_ALLOWED_METHODS", "GET,PUT"),
    ("CORS_ALLOWED_HEADERS", "content-type"),
    ("CORS_MAX_AGE", "600"),
];

/// The same policy as a file.
const FILE: &str = r#"{
    "allowed_origins": ["https://app.example", "https://*.app.example"],
    "allow_credentials": true,
    "allowed_methods": ["GET", "PUT"],
    "allowed_headers": ["content-type"],
    "max_age": 600
}"#;

const PREFLIGHT: &[&str] = &[
    "--method",
    "OPTIONS",
    "-H",
    "Origin: https://eu.app.example",
    "-H",
    "Access-Control-Request-Method: PUT",
    "-H",
    "Access-Control-Request-Headers: content-type",
    "--json",
];

#[test]
fn check_env_answers_as_the_same_policy_in_a_file() {
    let dir = TempDir::new();
    let file = dir.file("policy.json", FILE);
    let mut with_env = vec!["check", "--env"];
    with_env.extend_from_slice(PREFLIGHT);
    let mut with_file = vec!["check", "--policy", file.to_str().unwrap()];
    with_file.extend_from_slice(PREFLIGHT);
    let env = run_env(&with_env, VARS);
    let from_file = run_env(&with_file, &[]);
    assert_eq!(code(&env), Some(0), "{}", stderr(&env));
    assert_eq!(stdout(&env), stdout(&from_file));
    assert!(
        stdout(&env).contains("\"allowed\":true"),
        "{}",
        stdout(&env)
    );
    // Without the variables there is no origin: an invalid policy.
    let empty = run_env(&with_env, &[]);
    assert_eq!(code(&empty), Some(2));
    assert!(
        stdout(&empty).contains("\"kind\":\"invalid_policy\""),
        "{}",
        stdout(&empty)
    );
}

/// A variable the loader cannot read is a problem of the policy, listed with
/// its code and the variable's name (issue 14: typed errors all the way).
#[test]
fn env_errors_are_the_loaders_problems_and_exit_2() {
    let bad = [
        ("CORS_ALLOWED_ORIGINS", "https://app.example"),
        ("CORS_ALLOW_CREDENTIALS", "maybe"),
        ("CORS_ALLOWED_ORIGIN", "https://typo.example"),
    ];
    let want: Vec<String> = cors_policy_config::PolicyConfig::from_vars(
        "CORS_",
        bad.iter().map(|(k, v)| (k.to_string(), v.to_string())),
    )
    .unwrap_err()
    .invalid_policy()
    .unwrap()
    .iter()
    .map(|p| format!("error[{}]: {}", p.code(), p.message()))
    .collect();
    assert_eq!(
        want,
        [
            "error[unknown_variable]: unknown variable \"CORS_ALLOWED_ORIGIN\"; did you mean \"CORS_ALLOWED_ORIGINS\"?",
            "error[wrong_type]: CORS_ALLOW_CREDENTIALS=\"maybe\": expected true or false",
        ]
    );
    for args in [
        &[
            "check",
            "--env",
            "--method",
            "GET",
            "-H",
            "Origin: https://a.example",
        ][..],
        &["lint", "--env"][..],
    ] {
        let out = run_env(args, &bad);
        assert_eq!(code(&out), Some(2), "{args:?}");
        for line in &want {
            assert!(
                stdout(&out).contains(line.as_str()),
                "{args:?}: {}",
                stdout(&out)
            );
        }
        assert!(stderr(&out).is_empty(), "{args:?}: {}", stderr(&out));
    }
    let out = run_env(&["check", "--env", "--method", "GET", "--json"], &bad);
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["errors"][0]["suggestion"], "allowed_origins", "{v}");
    assert_eq!(v["errors"][1]["variable"], "CORS_ALLOW_CREDENTIALS", "{v}");
}

#[test]
fn policy_and_env_are_exclusive_and_one_is_required() {
    for args in [
        &[
            "check",
            "--env",
            "--policy",
            "examples/policy.json",
            "--method",
            "GET",
        ][..],
        &["check", "--method", "GET"][..],
        &["lint"][..],
        &["lint", "--env", "--policy", "examples/policy.json"][..],
    ] {
        let out = run_env(args, VARS);
        assert_eq!(code(&out), Some(2), "{args:?}: {}", stdout(&out));
        assert!(stderr(&out).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn lint_env_warns_like_the_file() {
    // The issue 14 deployment: refused unless the variables opt in.
    let risky = [
        ("CORS_ALLOWED_ORIGINS", "null, https://*.github.io"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
    ];
    let out = run_env(&["lint", "--env"], &risky);
    assert_eq!(code(&out), Some(2), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("error[null_origin_with_credentials]"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("error[public_suffix_wildcard]"),
        "{}",
        stdout(&out)
    );
    let vars = [
        ("CORS_ALLOWED_ORIGINS", "null, https://*.github.io"),
        ("CORS_ALLOW_CREDENTIALS", "true"),
        ("CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS", "true"),
        ("CORS_DANGEROUSLY_ALLOW_PUBLIC_SUFFIX_WILDCARDS", "true"),
    ];
    let out = run_env(&["lint", "--env", "--deny-warnings"], &vars);
    let report = stdout(&out);
    assert_eq!(code(&out), Some(1), "{report}");
    assert!(report.contains("warning[null-origin]"), "{report}");
    assert!(
        report.contains("warning[public-suffix-wildcard]"),
        "{report}"
    );
    assert!(
        report.contains("the CORS_* environment variables: 0 error(s), 2 warning(s)"),
        "{report}"
    );
    let out = run_env(&["lint", "--env"], VARS);
    assert_eq!(code(&out), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("the CORS_* environment variables: no problems found"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn check_exit_code_is_1_exactly_when_refused() {
    let refused = ["--method", "GET", "-H", "Origin: https://evil.example"];
    let allowed = ["--method", "GET", "-H", "Origin: https://app.example"];
    let not_cors = ["--method", "GET"];
    let cases: &[(&[&str], bool, i32)] = &[
        (&refused, true, 1),
        (&refused, false, 0),
        (&allowed, true, 0),
        (&not_cors, true, 0),
    ];
    for (request, flag, want) in cases {
        for json in [false, true] {
            let mut args = vec!["check", "--env"];
            args.extend_from_slice(request);
            if *flag {
                args.push("--exit-code");
            }
            if json {
                args.push("--json");
            }
            let out = run_env(&args, VARS);
            assert_eq!(code(&out), Some(*want), "{args:?}: {}", stdout(&out));
            assert!(!stdout(&out).is_empty(), "{args:?}");
        }
    }
    // A refused preflight, from a file.
    let out = run_env(
        &[
            "check",
            "--policy",
            "examples/policy.json",
            "--request",
            "examples/refused-preflight.json",
            "--exit-code",
        ],
        &[],
    );
    assert_eq!(code(&out), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("refused"), "{}", stdout(&out));
}
