//! `cors-policy check`: the examples the README uses, request flags,
//! debug mode, invalid policies and bad files with their exit codes.

mod common;

use common::{TempDir, code, run, stderr, stdout};
use serde_json::{Value, json};

fn json_of(args: &[&str]) -> (Option<i32>, Value) {
    let out = run(args);
    let value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {} / {}", stdout(&out), stderr(&out)));
    (code(&out), value)
}

const POLICY: &str = r#"{"allowed_origins": ["https://app.example"], "allowed_methods": ["PUT"], "allowed_headers": ["content-type"]}"#;

#[test]
fn readme_command_explains_an_allowed_preflight() {
    let out = run(&[
        "check",
        "--policy",
        "examples/policy.json",
        "--request",
        "examples/preflight.json",
    ]);
    assert_eq!(code(&out), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Kind:     preflight"), "{text}");
    assert!(text.contains("Answer:   allowed: answer 204"), "{text}");
    assert!(
        text.contains("Access-Control-Allow-Origin: https://app.example.com"),
        "{text}"
    );
    assert!(
        text.contains("Access-Control-Allow-Methods: PATCH"),
        "{text}"
    );
    assert!(
        text.contains(
            "Vary:     Origin, Access-Control-Request-Method, Access-Control-Request-Headers"
        ),
        "{text}"
    );
    assert!(!text.contains("Fix:"), "{text}");
}

#[test]
fn refused_example_says_why_and_what_to_change() {
    let out = run(&[
        "check",
        "--policy",
        "examples/policy.json",
        "--request",
        "examples/refused-preflight.json",
    ]);
    assert_eq!(code(&out), Some(0));
    let text = stdout(&out);
    assert!(text.contains("refused (header_not_allowed)"), "{text}");
    assert!(text.contains("answer 403"), "{text}");
    assert!(
        text.contains("Fix:      add \"x-api-key\" to allowed_headers"),
        "{text}"
    );
    assert!(text.contains("CORS response headers:\n  (none)"), "{text}");
}

#[test]
fn json_and_toml_examples_answer_alike() {
    for request in ["preflight", "refused-preflight", "actual", "refused-origin"] {
        let request = format!("examples/{request}.json");
        let (c1, from_json) = json_of(&[
            "check",
            "--policy",
            "examples/policy.json",
            "--request",
            &request,
            "--json",
        ]);
        let (c2, from_toml) = json_of(&[
            "check",
            "--policy",
            "examples/policy.toml",
            "--request",
            &request,
            "--json",
        ]);
        assert_eq!((c1, c2), (Some(0), Some(0)));
        assert_eq!(from_json, from_toml, "{request}");
    }
    let (_, allowed) = json_of(&[
        "check",
        "--policy",
        "examples/policy.json",
        "--request",
        "examples/preflight.json",
        "--json",
    ]);
    assert_eq!(allowed["allowed"], true);
    assert_eq!(allowed["status"], 204);
    let (_, refused) = json_of(&[
        "check",
        "--policy",
        "examples/policy.json",
        "--request",
        "examples/refused-origin.json",
        "--json",
    ]);
    assert_eq!(refused["allowed"], false);
    assert_eq!(refused["kind"], "actual");
    assert_eq!(refused["headers"], json!([]));
}

#[test]
fn flags_give_the_same_answer_as_a_request_file() {
    let dir = TempDir::new();
    let policy = dir.file("p.json", POLICY);
    let policy = policy.to_str().unwrap();
    let request = dir.file(
        "r.json",
        r#"{"method": "OPTIONS", "headers": [["Origin", "https://app.example"], ["Access-Control-Request-Method", "PUT"], ["Access-Control-Request-Headers", "Content-Type"], ["Access-Control-Request-Headers", "x-other"]]}"#,
    );
    let (c1, from_file) = json_of(&[
        "check",
        "--policy",
        policy,
        "--request",
        request.to_str().unwrap(),
        "--json",
    ]);
    let (c2, from_flags) = json_of(&[
        "check",
        "--policy",
        policy,
        "--method",
        "OPTIONS",
        "-H",
        "Origin: https://app.example",
        "-H",
        "Access-Control-Request-Method:PUT",
        "--header",
        "Access-Control-Request-Headers: Content-Type",
        "-H",
        "Access-Control-Request-Headers: x-other",
        "--json",
    ]);
    assert_eq!((c1, c2), (Some(0), Some(0)));
    assert_eq!(from_file, from_flags);
    assert_eq!(from_flags["allowed"], false);
    assert_eq!(
        from_flags["reason"],
        "request header \"x-other\" is not allowed"
    );
}

#[test]
fn debug_mode_answers_204_with_headers_so_far() {
    let dir = TempDir::new();
    let policy = dir.file("p.json", POLICY);
    let args = |debug: bool| {
        let mut a = vec![
            "check".to_string(),
            "--policy".into(),
            policy.to_str().unwrap().into(),
            "--method".into(),
            "OPTIONS".into(),
            "-H".into(),
            "Origin: https://app.example".into(),
            "-H".into(),
            "Access-Control-Request-Method: PUT".into(),
            "-H".into(),
            "Access-Control-Request-Headers: content-type, x-nope".into(),
            "--json".into(),
        ];
        if debug {
            a.push("--debug".into());
        }
        a
    };
    let plain = args(false);
    let (_, off) = json_of(&plain.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(off["status"], 403);
    assert_eq!(off["headers"], json!([]));
    let debug = args(true);
    let (c, on) = json_of(&debug.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(c, Some(0));
    assert_eq!(on["allowed"], false);
    assert_eq!(on["status"], 204);
    assert_eq!(
        on["headers"],
        json!([
            ["Access-Control-Allow-Origin", "https://app.example"],
            ["Access-Control-Allow-Methods", "PUT"],
            ["Access-Control-Allow-Headers", "content-type"]
        ])
    );
    assert_eq!(on["reason"], "request header \"x-nope\" is not allowed");
    // The human answer says it is debug mode.
    let human: Vec<&str> = debug
        .iter()
        .map(String::as_str)
        .filter(|a| *a != "--json")
        .collect();
    let text = stdout(&run(&human));
    assert!(text.contains("debug mode answers 204"), "{text}");

    // A refused origin still gets nothing in debug mode.
    let dir2 = TempDir::new();
    let refused = dir2.file(
        "r.json",
        r#"{"method": "OPTIONS", "headers": [["Origin", "https://evil.example"], ["Access-Control-Request-Method", "PUT"]]}"#,
    );
    let (_, evil) = json_of(&[
        "check",
        "--policy",
        policy.to_str().unwrap(),
        "--request",
        refused.to_str().unwrap(),
        "--json",
        "--debug",
    ]);
    assert_eq!(evil["status"], 403);
    assert_eq!(evil["headers"], json!([]));
}

#[test]
fn human_output_names_each_kind() {
    let dir = TempDir::new();
    let policy = dir.file("p.json", POLICY);
    let p = policy.to_str().unwrap();
    let cases: &[(&[&str], &str)] = &[
        (&["--method", "GET"], "Kind:     not_cors"),
        (
            &[
                "--method",
                "OPTIONS",
                "-H",
                "Access-Control-Request-Method: PUT",
            ],
            "this OPTIONS is not a preflight",
        ),
        (
            &[
                "--method",
                "options",
                "-H",
                "Origin: https://app.example",
                "-H",
                "Access-Control-Request-Method: PUT",
            ],
            "not exactly \"OPTIONS\"",
        ),
        (
            &["--method", "OPTIONS", "-H", "Origin: https://app.example"],
            "OPTIONS without Access-Control-Request-Method",
        ),
        (
            &[
                "--method",
                "OPTIONS",
                "-H",
                "Origin: https://app.example",
                "-H",
                "Access-Control-Request-Method: TRACE",
            ],
            "refused (method_forbidden)",
        ),
        (
            &[
                "--method",
                "OPTIONS",
                "-H",
                "Origin: https://app.example",
                "-H",
                "Access-Control-Request-Method: DELETE",
            ],
            "Fix:      add \"DELETE\" to allowed_methods",
        ),
        (
            &["--method", "GET", "-H", "Origin: https://evil.example"],
            "CORS is not access control",
        ),
    ];
    for (extra, want) in cases {
        let mut args = vec!["check", "--policy", p];
        args.extend_from_slice(extra);
        let out = run(&args);
        assert_eq!(code(&out), Some(0), "{args:?}: {}", stderr(&out));
        assert!(
            stdout(&out).contains(want),
            "{args:?}: want {want:?} in\n{}",
            stdout(&out)
        );
    }
}

#[test]
fn invalid_policy_exits_2_with_every_error() {
    let dir = TempDir::new();
    let policy = dir.file(
        "bad.json",
        r#"{"allowed_origins": "*", "allow_credentials": true, "allowed_methods": ["TRACE"], "max_age": 90000}"#,
    );
    let p = policy.to_str().unwrap();
    let (c, v) = json_of(&["check", "--policy", p, "--method", "GET", "--json"]);
    assert_eq!(c, Some(2));
    assert_eq!(v["kind"], "invalid_policy");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{v}");
    assert_eq!(v["error_count"], 3, "{v}");
    // Each error is data: a stable code, the field, the entry.
    let rows: Vec<(&str, &str, Value)> = errors
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap(),
                e["field"].as_str().unwrap(),
                e["index"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "any_origin_with_credentials",
                "allowed_origins",
                Value::Null
            ),
            ("max_age_too_large", "max_age", Value::Null),
            ("forbidden_method", "allowed_methods", json!(0)),
        ]
    );
    assert!(
        errors[0]["message"]
            .as_str()
            .unwrap()
            .contains("allow_credentials"),
        "{v}"
    );
    assert_eq!(errors[2]["entry"], "TRACE");
    assert_eq!(v.as_object().unwrap().len(), 3, "{v}");

    let out = run(&["check", "--policy", p, "--method", "GET"]);
    assert_eq!(code(&out), Some(2));
    assert!(
        stdout(&out).contains("invalid policy, 3 problem(s)"),
        "{}",
        stdout(&out)
    );
    // The same codes as lint prints.
    assert!(
        stdout(&out).contains("  - error[forbidden_method]: allowed_methods[0] \"TRACE\""),
        "{}",
        stdout(&out)
    );
    let lint = stdout(&run(&["lint", "--policy", p]));
    for c in [
        "any_origin_with_credentials",
        "max_age_too_large",
        "forbidden_method",
    ] {
        assert!(lint.contains(&format!("error[{c}]: ")), "{lint}");
    }
}

/// Values of the wrong type and unknown fields are problems of the policy,
/// listed with the rest, each naming its field, what it accepts and where.
#[test]
fn type_errors_and_unknown_fields_are_listed_with_codes_and_positions() {
    let dir = TempDir::new();
    let policy = dir.file(
        "types.json",
        "{\n  \"allowed_origin\": \"*\",\n  \"max_age\": \"soon\",\n  \"allowed_methods\": [\"TRACE\"]\n}",
    );
    let p = policy.to_str().unwrap();
    let (c, v) = json_of(&["check", "--policy", p, "--method", "GET", "--json"]);
    assert_eq!(c, Some(2));
    let rows: Vec<(&str, &str, Value)> = v["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["code"].as_str().unwrap(),
                e["field"].as_str().unwrap(),
                e["line"].clone(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("unknown_field", "allowed_origin", json!(2)),
            ("wrong_type", "max_age", json!(3)),
            ("no_origins", "allowed_origins", Value::Null),
            ("forbidden_method", "allowed_methods", Value::Null),
        ]
    );
    assert_eq!(v["errors"][0]["suggestion"], "allowed_origins");
    assert_eq!(
        v["errors"][1]["expected"],
        "a whole number of seconds from 0 to 86400 (0 disables preflight caching), or null"
    );
    let text = stdout(&run(&["check", "--policy", p, "--method", "GET"]));
    assert!(
        text.contains(&format!(
            "error[wrong_type]: {p}:3:14: max_age: expected a whole number"
        )),
        "{text}"
    );
}

/// Output is bounded: the first 100 problems, then a count.
#[test]
fn a_thousand_bad_entries_print_a_hundred_and_a_count() {
    let dir = TempDir::new();
    let methods: Vec<String> = (0..1000).map(|i| format!("\"bad method {i}\"")).collect();
    let policy = dir.file(
        "many.json",
        &format!(
            "{{\"allowed_origins\": [\"https://a.example\"], \"allowed_methods\": [{}]}}",
            methods.join(",")
        ),
    );
    let p = policy.to_str().unwrap();
    let (c, v) = json_of(&["check", "--policy", p, "--method", "GET", "--json"]);
    assert_eq!(c, Some(2));
    assert_eq!(v["errors"].as_array().unwrap().len(), 100);
    // 1,000 bad methods and one for their number (over MAX_METHODS).
    assert_eq!(v["error_count"], 1001);
    let text = stdout(&run(&["check", "--policy", p, "--method", "GET"]));
    assert_eq!(
        text.lines().filter(|l| l.starts_with("  - error[")).count(),
        100
    );
    assert!(
        text.contains("... and 901 more problem(s), 1001 in all"),
        "{text}"
    );
    let lint = stdout(&run(&["lint", "--policy", p]));
    assert_eq!(
        lint.lines().filter(|l| l.starts_with("error[")).count(),
        100
    );
    assert!(lint.contains("1001 error(s)"), "{lint}");
}

/// A FIFO or a device given as the policy or the request is an error at
/// once, not a hang.
#[cfg(unix)]
#[test]
fn special_files_are_refused_at_once() {
    let dir = TempDir::new();
    let zero = dir.path_of("zero.json");
    std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
    let z = zero.to_str().unwrap();
    for args in [
        vec!["check", "--policy", z, "--method", "GET"],
        vec!["check", "--policy", "examples/policy.json", "--request", z],
        vec!["lint", "--policy", z],
    ] {
        let out = run(&args);
        assert_eq!(code(&out), Some(2), "{args:?}");
        assert!(
            stderr(&out).contains("not a regular file"),
            "{}",
            stderr(&out)
        );
    }
}

#[test]
fn bad_files_exit_2_with_one_line_naming_file_and_position() {
    let dir = TempDir::new();
    let good = dir.file("good.json", POLICY);
    let good = good.to_str().unwrap();
    let cases: Vec<(std::path::PathBuf, &str, bool)> = vec![
        // (policy, wanted text in the message, is it the request file?)
        (
            dir.file(
                "syntax.json",
                "{\n  \"allowed_origins\": [\"https://a.example\",]\n}",
            ),
            ":2:",
            false,
        ),
        (
            dir.file("array.json", "[[\"https://evil.example\"], true, \"*\"]"),
            "a policy is one object with named fields",
            false,
        ),
        (
            dir.file("policy.yaml", "allowed_origins: '*'"),
            "policy.yaml",
            false,
        ),
        (
            dir.path_of("missing.json"),
            "missing.json: cannot read",
            false,
        ),
        (
            dir.file(
                "req.json",
                "{\"method\": \"GET\",\n \"headers\": [[\"Origin\"]]}",
            ),
            ":2:",
            true,
        ),
        (
            dir.file("req2.json", "{\"method\": \"GET\", \"extra\": 1}"),
            "extra",
            true,
        ),
        (
            dir.path_of("missing-req.json"),
            "missing-req.json: cannot read",
            true,
        ),
    ];
    for (path, want, is_request) in &cases {
        let path = path.to_str().unwrap();
        let args: Vec<&str> = if *is_request {
            vec!["check", "--policy", good, "--request", path, "--json"]
        } else {
            vec!["check", "--policy", path, "--method", "GET", "--json"]
        };
        let out = run(&args);
        assert_eq!(code(&out), Some(2), "{path}: {}", stderr(&out));
        let err = stderr(&out);
        assert_eq!(err.lines().count(), 1, "{path}: {err}");
        assert!(err.starts_with(path), "{path}: {err}");
        assert!(err.contains(want), "{path}: want {want:?} in {err}");
        assert!(out.stdout.is_empty(), "{path}: {}", stdout(&out));
    }
}

#[test]
fn usage_errors_exit_2() {
    let cases: &[&[&str]] = &[
        &["check", "--policy", "examples/policy.json"],
        &[
            "check",
            "--policy",
            "examples/policy.json",
            "--method",
            "GET",
            "-H",
            "no colon",
        ],
        &[
            "check",
            "--policy",
            "examples/policy.json",
            "--method",
            "GET",
            "--request",
            "examples/actual.json",
        ],
        &["check", "--method", "GET"],
        &["frobnicate"],
    ];
    for args in cases {
        let out = run(args);
        assert_eq!(code(&out), Some(2), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).is_empty(), "{args:?}");
    }
}

#[test]
fn help_of_each_command_has_examples() {
    for (cmd, want) in [
        ("check", "library API"),
        ("lint", "public suffixes"),
        ("serve", "loopback"),
        ("probe", "what a browser"),
        ("why", "console message"),
    ] {
        let out = run(&[cmd, "--help"]);
        assert_eq!(code(&out), Some(0));
        let text = stdout(&out);
        assert!(text.contains("Examples:"), "{cmd}: {text}");
        assert!(
            text.contains(&format!("cors-policy {cmd} ")),
            "{cmd}: {text}"
        );
        assert!(text.contains(want), "{cmd}: {text}");
    }
    let top = stdout(&run(&["--help"]));
    assert!(
        top.contains("allowed_origins") && top.contains("unknown field"),
        "{top}"
    );
}

/// Splits a shell command line of the help's examples: words, and
/// single- or double-quoted strings (no escapes inside them).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quoted: Option<char> = None;
    let mut started = false;
    for c in line.chars() {
        match c {
            '\'' | '"' if quoted.is_none() => {
                quoted = Some(c);
                started = true;
            }
            c if quoted == Some(c) => {
                quoted = None;
            }
            ' ' if quoted.is_none() => {
                if started {
                    words.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        words.push(word);
    }
    words
}

#[test]
fn help_examples_of_check_lint_and_why_run() {
    let mut ran = 0;
    for cmd in ["check", "lint", "why"] {
        let help = stdout(&run(&[cmd, "--help"]));
        let examples = help.split("Examples:\n").nth(1).unwrap();
        // A line ending in `\` goes on at the next (which may start at
        // column 0 in a quoted message).
        let joined = examples.replace("\\\n", "");
        for line in joined.lines().map(str::trim) {
            // `VAR=value ... cors-policy ...   # exits 1: ...`
            let (line, comment) = line.split_once("    # ").unwrap_or((line, ""));
            let mut words = shell_words(line);
            let at = words.iter().position(|w| w == "cors-policy");
            let Some(at) = at else { continue };
            let vars: Vec<(String, String)> = words
                .drain(..at)
                .filter_map(|w| w.split_once('=').map(|(k, v)| (k.into(), v.into())))
                .collect();
            let mut command = common::bin();
            command.current_dir(common::root());
            for (k, _) in std::env::vars().filter(|(k, _)| k.starts_with("CORS_")) {
                command.env_remove(k);
            }
            let out = command
                .envs(vars)
                .args(words.iter().skip(1))
                .output()
                .unwrap();
            let want = if comment.starts_with("exits 1") { 1 } else { 0 };
            assert_eq!(code(&out), Some(want), "{line}: {}", stderr(&out));
            assert!(!out.stdout.is_empty(), "{line}");
            ran += 1;
        }
    }
    assert_eq!(ran, 11, "the help's examples changed: update this count");
    // The flag example is an allowed preflight.
    let help = stdout(&run(&["check", "--help"]));
    let flags = help
        .replace("\\\n", " ")
        .lines()
        .find(|l| l.contains("-H 'Origin"))
        .map(|l| shell_words(l.trim().trim_start_matches("cors-policy ")))
        .unwrap();
    let mut args: Vec<&str> = flags.iter().map(String::as_str).collect();
    args.push("--json");
    let (_, v) = json_of(&args);
    assert_eq!(v["allowed"], true, "{v}");
    assert_eq!(v["status"], 204, "{v}");
}
