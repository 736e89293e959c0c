//! The errors as data and as text: every `ConfigError` with its stable
//! code, its message and its source; an invalid policy's problems, their
//! fields and their text; `check` against `build`. Each case was a gap
//! mutation testing found (issue 21): a code, a message or a source could
//! be replaced and no test noticed.

use std::error::Error as _;
use std::path::PathBuf;

use cors_policy_config::{
    ConfigError, InvalidPolicy, MAX_POLICY_FILE_LEN, OwnedPolicy, PolicyConfig, Problem,
    SyntaxError,
};

/// A scratch directory removed on drop.
struct Dir(PathBuf);

impl Dir {
    fn new(name: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!("cors-config-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Dir(dir)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What `source()` is: nothing, or which of the crate's types.
#[derive(Debug, PartialEq)]
enum Source {
    None,
    Io,
    Syntax(String),
    Invalid(usize),
}

fn source_of(e: &ConfigError) -> Source {
    match e.source() {
        None => Source::None,
        Some(s) if s.is::<std::io::Error>() => Source::Io,
        Some(s) if s.is::<SyntaxError>() => Source::Syntax(s.to_string()),
        Some(s) => Source::Invalid(s.downcast_ref::<InvalidPolicy>().unwrap().total()),
    }
}

/// Every kind of `ConfigError`, as a server or the tool meets it: its code,
/// its whole message, and what it wraps.
#[test]
fn every_config_error_has_its_code_message_and_source() {
    let dir = Dir::new("errors");
    let at = |name: &str| dir.0.join(name);
    std::fs::create_dir(at("dir.json")).unwrap();
    std::fs::write(at("big.json"), " ".repeat(MAX_POLICY_FILE_LEN as usize + 1)).unwrap();
    let shown = |name: &str| at(name).display().to_string();
    // (the error, its code, its message, its source)
    let cases: Vec<(ConfigError, &str, String, Source)> = vec![
        (
            PolicyConfig::from_path(at("missing.json")).unwrap_err(),
            "io",
            format!(
                "{}: cannot read: No such file or directory (os error 2)",
                shown("missing.json")
            ),
            Source::Io,
        ),
        (
            PolicyConfig::from_path(at("dir.json")).unwrap_err(),
            "not_a_file",
            format!(
                "{}: not a regular file (a directory, a pipe or a device); give a policy file",
                shown("dir.json")
            ),
            Source::None,
        ),
        (
            PolicyConfig::from_path(at("big.json")).unwrap_err(),
            "too_large",
            format!(
                "{}: larger than 1048576 bytes, more than any policy needs",
                shown("big.json")
            ),
            Source::None,
        ),
        (
            PolicyConfig::from_path(at("policy.yaml")).unwrap_err(),
            "unknown_format",
            format!(
                "{}: unknown policy format: use a .json or .toml file",
                shown("policy.yaml")
            ),
            Source::None,
        ),
        (
            PolicyConfig::from_json_str("{\"allowed_origins\": }").unwrap_err(),
            "syntax",
            "<json>:1:21: expected value".into(),
            Source::Syntax("expected value".into()),
        ),
        (
            PolicyConfig::from_toml_str("allowed_origins = [\"a\"\n").unwrap_err(),
            "syntax",
            "<toml>:1:23: unclosed array, expected `]`".into(),
            Source::Syntax("unclosed array, expected `]`".into()),
        ),
        (
            PolicyConfig::from_json_str("[]").unwrap_err(),
            "not_an_object",
            "<json>: a policy is one object with named fields (\"allowed_origins\", ...), not an array"
                .into(),
            Source::None,
        ),
        (
            PolicyConfig::from_json_str(r#"{"allowed_origins": 5, "max_age": -1}"#).unwrap_err(),
            "invalid_policy",
            "<json>: invalid CORS policy: 1:21: allowed_origins: expected \"*\" or a list of \
             origins, found the number 5; max_age -1 is negative; write 0 to disable \
             preflight caching, or leave max_age out for the browser's default (5 s)"
                .into(),
            Source::Invalid(2),
        ),
    ];
    for (error, code, message, source) in cases {
        assert_eq!(error.code(), code, "{error}");
        assert_eq!(error.to_string(), message);
        assert_eq!(source_of(&error), source, "{error}");
        assert_eq!(error.invalid_policy().is_some(), code == "invalid_policy");
    }
}

/// An invalid policy's text: its problems joined by "; ", then how many
/// were left out, if any; iterating it by reference gives the problems
/// kept, in order, each with its message without the location.
#[test]
fn an_invalid_policys_text_and_problems() {
    let e = PolicyConfig::from_json_str(
        r#"{"allowed_origins": ["https://A.example", "https://b.example/"], "allowed_methods": ["TRACE"]}"#,
    )
    .unwrap()
    .build()
    .unwrap_err();
    let messages = [
        "allowed_origins[0] \"https://A.example\" is not how browsers send origins and would never match; write \"https://a.example\"",
        "allowed_origins[1] \"https://b.example/\" is not how browsers send origins and would never match; write \"https://b.example\"",
        "allowed_methods[0] \"TRACE\" is a forbidden method that browsers never send",
    ];
    assert_eq!(
        e.to_string(),
        format!("invalid CORS policy: {}", messages.join("; "))
    );
    assert_eq!((e.total(), e.omitted()), (3, 0));
    let mut seen = Vec::new();
    for p in &e {
        seen.push(p.message());
    }
    assert_eq!(seen, messages);
    // (code, canonical spelling)
    let rows: Vec<(&str, Option<&str>)> = e.iter().map(|p| (p.code(), p.canonical())).collect();
    assert_eq!(
        rows,
        [
            ("non_canonical_origin", Some("https://a.example")),
            ("non_canonical_origin", Some("https://b.example")),
            ("forbidden_method", None),
        ]
    );
    // A problem's text is its message behind its location, when it has one.
    let e = PolicyConfig::from_json_str("{\n  \"max_age\": \"soon\"}").unwrap_err();
    let p: &Problem = &e.invalid_policy().unwrap().problems()[0];
    assert_eq!(
        p.message(),
        "max_age: expected a whole number of seconds from 0 to 86400 (0 disables preflight caching), or null, found the string \"soon\""
    );
    assert_eq!(p.to_string(), format!("2:14: {}", p.message()));
}

/// `check` finds what `build` finds, without building; `max_age: 0` (no
/// caching) is valid, -1 is not.
#[test]
fn check_reports_what_build_reports() {
    // (policy, the codes of its problems)
    let cases: &[(&str, &[&str])] = &[
        (r#"{"allowed_origins": ["https://a.example"]}"#, &[]),
        (
            r#"{"allowed_origins": ["https://a.example"], "max_age": 0}"#,
            &[],
        ),
        (
            r#"{"allowed_origins": ["https://a.example"], "max_age": -1}"#,
            &["max_age_negative"],
        ),
        (
            r#"{"allowed_origins": ["https://a.example"], "max_age": 4294967296}"#,
            &["max_age_too_large"],
        ),
        (
            r#"{"allowed_origins": "*", "allow_credentials": true, "allowed_methods": ["TRACE"]}"#,
            &["any_origin_with_credentials", "forbidden_method"],
        ),
    ];
    for (json, codes) in cases {
        let config = PolicyConfig::from_json_str(json).unwrap();
        let checked: Vec<&str> = match config.check() {
            Ok(()) => Vec::new(),
            Err(e) => e.iter().map(Problem::code).collect(),
        };
        assert_eq!(checked, *codes, "{json}");
        let built: Vec<&str> = match config.clone().build() {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(Problem::code).collect(),
        };
        assert_eq!(built, *codes, "{json}");
    }
}

/// An owned policy hands back the configuration it was built from, and
/// shows it when debugged.
#[test]
fn an_owned_policy_keeps_its_configuration() {
    let config = PolicyConfig::from_json_str(
        r#"{"allowed_origins": ["https://a.example"], "max_age": 60, "allow_credentials": true}"#,
    )
    .unwrap();
    let owned = OwnedPolicy::try_from(config.clone()).unwrap();
    assert_eq!(owned.config(), &config);
    let shown = format!("{owned:?}");
    assert!(
        shown.starts_with("OwnedPolicy { config: PolicyConfig {"),
        "{shown}"
    );
    assert!(shown.contains("https://a.example"), "{shown}");
    assert!(shown.contains("max_age: Some(60)"), "{shown}");
}
