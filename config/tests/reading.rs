//! Reading policies from files, strings and the environment (issue 14):
//! each test names the defect it guards against.

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::Command;

use cors_policy_config::{
    ConfigError, MAX_POLICY_FILE_LEN, MAX_REPORTED_PROBLEMS, PolicyConfig, Problem,
};

fn problems(e: &ConfigError) -> Vec<(&'static str, String, Option<usize>)> {
    e.invalid_policy()
        .unwrap_or_else(|| panic!("not an invalid policy: {e}"))
        .iter()
        .map(|p| (p.code(), p.field().to_string(), p.index()))
        .collect()
}

fn row(
    code: &'static str,
    field: &str,
    index: Option<usize>,
) -> (&'static str, String, Option<usize>) {
    (code, field.to_string(), index)
}

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

/// Regression: `"max_age": -1` (which other libraries use to disable
/// caching) was a malformed file ("expected u32"), so the file's other
/// errors were never reported. It is a policy problem like any other.
#[test]
fn negative_max_age_is_a_policy_problem_among_the_others() {
    let c = PolicyConfig::from_json_str(
        r#"{"allowed_origins": ["https://App.example"], "allowed_methods": ["TRACE"], "max_age": -1}"#,
    )
    .expect("a negative max_age still reads");
    assert_eq!(c.max_age, Some(-1));
    let e = c.build().unwrap_err();
    let codes: Vec<&str> = e.iter().map(Problem::code).collect();
    assert_eq!(
        codes,
        [
            "max_age_negative",
            "non_canonical_origin",
            "forbidden_method"
        ]
    );
    let message = e.problems()[0].to_string();
    assert!(
        message.contains("write 0 to disable preflight caching"),
        "{message}"
    );
    // Out of range past u32 too, from a file and from the environment.
    for text in [
        r#"{"allowed_origins": ["https://a.example"], "max_age": 99999999999}"#,
        r#"{"allowed_origins": ["https://a.example"], "max_age": 18446744073709551615}"#,
    ] {
        let e = PolicyConfig::from_json_str(text)
            .unwrap()
            .build()
            .unwrap_err();
        assert_eq!(e.problems()[0].code(), "max_age_too_large");
    }
    let e = PolicyConfig::from_vars(
        "CORS_",
        [
            ("CORS_ALLOWED_ORIGINS".into(), "https://a.example".into()),
            ("CORS_MAX_AGE".into(), "-1".into()),
        ],
    )
    .unwrap()
    .build()
    .unwrap_err();
    assert_eq!(e.problems()[0].code(), "max_age_negative");
}

/// Regression: a JSON array was accepted as a policy, so
/// `[["https://evil.example"], true, "*", ["*"]]` built a credentialed
/// policy with no field names. A policy is one object with named fields.
#[test]
fn a_policy_is_one_object() {
    for (text, found) in [
        (
            r#"[["https://evil.example"], true, "*", ["*"]]"#,
            "an array",
        ),
        (r#""https://a.example""#, "a string"),
        ("42", "a number"),
        ("true", "a boolean"),
        ("null", "null"),
    ] {
        match PolicyConfig::from_json_str(text) {
            Err(ConfigError::NotAnObject { found: f, .. }) => assert_eq!(f, found, "{text}"),
            other => panic!("{text}: {other:?}"),
        }
    }
    // The same through serde, inside a larger configuration.
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct App {
        cors: PolicyConfig,
    }
    let e = serde_json::from_str::<App>(r#"{"cors": [["https://evil.example"], true, "*"]}"#)
        .unwrap_err();
    assert!(
        e.to_string().contains("one object with named fields"),
        "{e}"
    );
    let ok = serde_json::from_str::<App>(r#"{"cors": {"allowed_origins": ["https://a.example"]}}"#)
        .unwrap();
    assert_eq!(ok.cors.allowed_origins.items(), ["https://a.example"]);
    let e = serde_json::from_str::<App>(r#"{"cors": {"allowed_origins": 5}}"#).unwrap_err();
    assert!(
        e.to_string()
            .contains("allowed_origins: expected \"*\" or a list of origins"),
        "{e}"
    );
}

/// Regression: type errors named internal types (`untagged enum
/// StarOrList`) or only a line and column. Every one names the field and
/// what it accepts, and all are reported together with the policy's own
/// problems.
#[test]
fn type_errors_name_the_field_and_what_it_accepts() {
    let text = r#"{
  "allowed_origins": 5,
  "allowed_methods": ["GET", 7],
  "allow_credentials": "yes",
  "max_age": 1.5,
  "expose_headers": {"a": 1},
  "allowed_headers": ["cookie"]
}"#;
    let e = PolicyConfig::from_json_str(text).unwrap_err();
    assert_eq!(
        problems(&e),
        [
            row("wrong_type", "allowed_origins", None),
            row("wrong_type", "allowed_methods", Some(1)),
            row("wrong_type", "allow_credentials", None),
            row("wrong_type", "max_age", None),
            row("wrong_type", "expose_headers", None),
            // The well-typed fields are still checked; allowed_origins'
            // own rule (no origins) is left out, since its value is unknown.
            row("forbidden_header", "allowed_headers", Some(0)),
        ]
    );
    let messages: Vec<String> = e
        .invalid_policy()
        .unwrap()
        .iter()
        .map(|p| p.to_string())
        .collect();
    assert_eq!(
        messages,
        [
            "2:22: allowed_origins: expected \"*\" or a list of origins, found the number 5",
            "3:22: allowed_methods[1]: expected a string, found the number 7",
            "4:24: allow_credentials: expected true or false, found the string \"yes\"",
            "5:14: max_age: expected a whole number of seconds from 0 to 86400 (0 disables preflight caching), or null, found the number 1.5",
            "6:21: expose_headers: expected \"*\" or a list of response-header names, found an object",
            "allowed_headers[0] \"cookie\" is a forbidden request header that scripts can never set",
        ]
    );
    for m in &messages {
        assert!(!m.contains("StarOrList") && !m.contains("untagged"), "{m}");
    }
    let p = &e.invalid_policy().unwrap().problems()[0];
    assert_eq!(p.expected(), Some("\"*\" or a list of origins"));
    assert_eq!(p.entry(), Some("5"));
    // TOML says the same.
    let e = PolicyConfig::from_toml_str("allowed_origins = 5\nallow_credentials = \"yes\"\n")
        .unwrap_err();
    assert_eq!(
        problems(&e),
        [
            row("wrong_type", "allowed_origins", None),
            row("wrong_type", "allow_credentials", None)
        ]
    );
    // A field given twice is named too.
    let e = PolicyConfig::from_json_str(
        r#"{"allowed_origins": ["https://a.example"], "allowed_origins": ["https://b.example"]}"#,
    )
    .unwrap_err();
    assert_eq!(
        problems(&e),
        [row("duplicate_field", "allowed_origins", None)]
    );
}

/// Regression: a misspelt variable (`CORS_ALLOWED_ORIGIN`) was silently
/// ignored, while files refuse unknown fields.
#[test]
fn an_unknown_cors_variable_names_the_closest_known_one() {
    let e = PolicyConfig::from_vars(
        "CORS_",
        [
            (
                "CORS_ALLOWED_ORIGIN".to_string(),
                "https://a.example".to_string(),
            ),
            ("CORS_ALLOW_CREDENTAILS".to_string(), "true".to_string()),
            ("CORS_allowed_origins".to_string(), "x".to_string()),
            ("NOT_CORS_THING".to_string(), "ignored".to_string()),
        ],
    )
    .unwrap_err();
    let rows: Vec<_> = e
        .invalid_policy()
        .unwrap()
        .iter()
        .map(|p| (p.code(), p.field().to_string(), p.suggestion()))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "unknown_variable",
                "CORS_ALLOWED_ORIGIN".into(),
                Some("allowed_origins")
            ),
            (
                "unknown_variable",
                "CORS_ALLOW_CREDENTAILS".into(),
                Some("allow_credentials")
            ),
            (
                "unknown_variable",
                "CORS_allowed_origins".into(),
                Some("allowed_origins")
            ),
            ("no_origins", "allowed_origins".into(), None),
        ]
    );
    assert!(
        e.to_string().contains(
            "unknown variable \"CORS_ALLOWED_ORIGIN\"; did you mean \"CORS_ALLOWED_ORIGINS\"?"
        ),
        "{e}"
    );
}

#[test]
fn the_opt_ins_are_read_from_files_and_the_environment() {
    let dangerous =
        r#"{"allowed_origins": ["https://*.github.io", "null"], "allow_credentials": true}"#;
    let e = PolicyConfig::from_json_str(dangerous)
        .unwrap()
        .build()
        .unwrap_err();
    let rows: Vec<_> = e.iter().map(|p| (p.code(), p.opt_in())).collect();
    assert_eq!(
        rows,
        [
            (
                "public_suffix_wildcard",
                Some("dangerously_allow_public_suffix_wildcards")
            ),
            (
                "null_origin_with_credentials",
                Some("dangerously_allow_insecure_origins")
            ),
        ]
    );
    let accepted = r#"{"allowed_origins": ["https://*.github.io", "null"], "allow_credentials": true,
        "dangerously_allow_public_suffix_wildcards": true, "dangerously_allow_insecure_origins": true}"#;
    assert!(
        PolicyConfig::from_json_str(accepted)
            .unwrap()
            .build()
            .is_ok()
    );
    let toml =
        "allowed_origins = [\"https://*.com\"]\ndangerously_allow_public_suffix_wildcards = true\n";
    assert!(PolicyConfig::from_toml_str(toml).unwrap().build().is_ok());
    // The issue's deployment: refused without the opt-ins, accepted with.
    let env = |extra: &[(&str, &str)]| {
        let mut vars = vec![
            (
                "CORS_ALLOWED_ORIGINS".to_string(),
                "https://*.com,null".to_string(),
            ),
            ("CORS_ALLOW_CREDENTIALS".to_string(), "true".to_string()),
        ];
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        PolicyConfig::from_vars("CORS_", vars).unwrap().build()
    };
    let e = env(&[]).unwrap_err();
    assert_eq!(e.total(), 2);
    assert!(
        env(&[
            ("CORS_DANGEROUSLY_ALLOW_PUBLIC_SUFFIX_WILDCARDS", "true"),
            ("CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS", "true"),
        ])
        .is_ok()
    );
}

#[test]
fn a_lone_star_list_means_any_origin() {
    let c = PolicyConfig::from_json_str(r#"{"allowed_origins": ["*"]}"#).unwrap();
    assert!(c.build().unwrap().policy().allows_any_origin());
    let e = PolicyConfig::from_json_str(r#"{"allowed_origins": ["*", "https://a.example"]}"#)
        .unwrap()
        .build()
        .unwrap_err();
    assert_eq!(e.problems()[0].code(), "origin_wildcard_in_list");
}

/// Regression: `from_env` panicked (exit 101) when any variable, even an
/// unrelated one, was not UTF-8 (`std::env::vars()`). Only our variables
/// are read; a value of ours that is not UTF-8 is an error naming it.
#[cfg(unix)]
#[test]
fn non_utf8_variables() {
    use std::os::unix::ffi::OsStringExt;
    let bad = OsString::from_vec(b"\xff\xfe".to_vec());
    let vars = vec![
        (OsString::from("UNRELATED"), bad.clone()),
        (
            OsString::from_vec(b"WEIRD_\xff".to_vec()),
            OsString::from("x"),
        ),
        (
            OsString::from("CORS_ALLOWED_ORIGINS"),
            OsString::from("https://a.example"),
        ),
    ];
    let c = PolicyConfig::from_vars_os("CORS_", vars.clone()).unwrap();
    assert_eq!(c.allowed_origins.items(), ["https://a.example"]);
    let mut ours = vars;
    ours.push((OsString::from("CORS_ALLOWED_METHODS"), bad));
    let e = PolicyConfig::from_vars_os("CORS_", ours).unwrap_err();
    let p = &e.invalid_policy().unwrap().problems()[0];
    assert_eq!(
        (p.code(), p.field(), p.variable()),
        ("not_utf8", "allowed_methods", Some("CORS_ALLOWED_METHODS"))
    );
}

/// The same through the real environment, in a child process (setting
/// variables in this one would race with the other tests).
#[cfg(unix)]
#[test]
fn from_env_reads_only_our_variables() {
    use std::os::unix::ffi::OsStrExt;
    if std::env::var_os("CONFIG_TEST_CHILD").is_some() {
        match PolicyConfig::from_env() {
            Ok(c) => println!("\n@ok {:?}@", c.allowed_origins.items()),
            Err(e) => println!(
                "\n@err {}@",
                e.invalid_policy().map_or("?", |p| p.problems()[0].code())
            ),
        }
        return;
    }
    let run = |vars: &[(&str, &[u8])]| {
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.args([
            "--exact",
            "from_env_reads_only_our_variables",
            "--nocapture",
            "--test-threads=1",
        ]);
        cmd.env_clear().env("CONFIG_TEST_CHILD", "1");
        for (k, v) in vars {
            cmd.env(k, std::ffi::OsStr::from_bytes(v));
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let start = text.find('@')? + 1;
        let end = start + text[start..].find('@')?;
        Some(text[start..end].to_string())
    };
    // An unrelated variable that is not UTF-8 does not matter.
    assert_eq!(
        run(&[
            ("UNRELATED", b"\xff"),
            ("CORS_ALLOWED_ORIGINS", b"https://a.example")
        ])
        .as_deref(),
        Some("ok [\"https://a.example\"]")
    );
    // One of ours is an error naming it; so is a misspelt one.
    assert_eq!(
        run(&[
            ("CORS_ALLOWED_ORIGINS", b"https://a.example"),
            ("CORS_ALLOWED_METHODS", b"GET,\xff")
        ])
        .as_deref(),
        Some("err not_utf8")
    );
    assert_eq!(
        run(&[("CORS_ALLOWED_ORIGIN", b"https://a.example")]).as_deref(),
        Some("err unknown_variable")
    );
}

#[test]
fn files_are_bounded_and_regular() {
    let dir = Dir::new("files");
    // Just at the limit: read whole (the policy is at the end, so a read
    // cut short is a syntax error); one byte more: refused before parsing.
    let at_limit = dir.0.join("big.json");
    let body = r#"{"allowed_origins": ["https://a.example"]}"#;
    let mut text = " ".repeat(MAX_POLICY_FILE_LEN as usize - body.len());
    text.push_str(body);
    std::fs::write(&at_limit, &text).unwrap();
    let read = PolicyConfig::from_path(&at_limit).unwrap();
    assert_eq!(read.allowed_origins.items(), ["https://a.example"]);
    text.push(' ');
    std::fs::write(&at_limit, &text).unwrap();
    match PolicyConfig::from_path(&at_limit) {
        Err(ConfigError::TooLarge { limit, .. }) => assert_eq!(limit, 1 << 20),
        other => panic!("{other:?}"),
    }
    // A directory, /dev/zero behind a .json name, a FIFO: errors, at once.
    let sub = dir.0.join("dir.json");
    std::fs::create_dir(&sub).unwrap();
    assert!(matches!(
        PolicyConfig::from_path(&sub),
        Err(ConfigError::NotAFile { .. })
    ));
    #[cfg(unix)]
    {
        let zero = dir.0.join("zero.json");
        std::os::unix::fs::symlink("/dev/zero", &zero).unwrap();
        let e = PolicyConfig::from_path(&zero).unwrap_err();
        assert!(matches!(e, ConfigError::NotAFile { .. }), "{e}");
        assert!(e.to_string().contains("not a regular file"), "{e}");
        let fifo = dir.0.join("fifo.toml");
        let made = Command::new("mkfifo").arg(&fifo).status();
        if made.is_ok_and(|s| s.success()) {
            let started = std::time::Instant::now();
            assert!(matches!(
                PolicyConfig::from_path(&fifo),
                Err(ConfigError::NotAFile { .. })
            ));
            assert!(started.elapsed() < std::time::Duration::from_secs(5));
        } else {
            println!("SKIPPED: the FIFO case (no mkfifo)");
        }
    }
}

/// Error output is bounded: the first problems and a count.
#[test]
fn problems_are_bounded() {
    let origins: Vec<String> = (0..1500)
        .map(|i| format!("\"https://T{i}.example\""))
        .collect();
    let text = format!("{{\"allowed_origins\": [{}]}}", origins.join(","));
    let e = PolicyConfig::from_json_str(&text)
        .unwrap()
        .build()
        .unwrap_err();
    // Too many origins for OwnedPolicy, and 1,500 non-canonical ones.
    assert_eq!(e.total(), 1501);
    assert_eq!(e.problems().len(), MAX_REPORTED_PROBLEMS);
    assert_eq!(e.omitted(), 1401);
    assert!(
        e.to_string().ends_with("; and 1401 more"),
        "{}",
        &e.to_string()[e.to_string().len() - 40..]
    );
    // The same bound when reading problems and the policy's own are mixed.
    let fields: Vec<String> = (0..300).map(|i| format!("\"unknown_{i}\": 1")).collect();
    let e = PolicyConfig::from_json_str(&format!("{{{}}}", fields.join(","))).unwrap_err();
    let list = e.invalid_policy().unwrap();
    assert_eq!(
        (list.problems().len(), list.total()),
        (MAX_REPORTED_PROBLEMS, 301)
    );
}

/// What each field accepts is named in its type error, field by field
/// (mutation testing found two fields' texts could be swapped for another's
/// unnoticed).
#[test]
fn each_field_names_what_it_accepts() {
    // (field, a value of the wrong type, what the field accepts)
    let cases = [
        ("allowed_origins", "5", "\"*\" or a list of origins"),
        ("allowed_methods", "5", "\"*\" or a list of methods"),
        (
            "allowed_headers",
            "5",
            "\"*\" or a list of request-header names",
        ),
        (
            "expose_headers",
            "5",
            "\"*\" or a list of response-header names",
        ),
        (
            "max_age",
            "\"600\"",
            "a whole number of seconds from 0 to 86400 (0 disables preflight caching), or null",
        ),
        ("allow_credentials", "\"yes\"", "true or false"),
        ("allow_private_network", "1", "true or false"),
        (
            "dangerously_allow_public_suffix_wildcards",
            "[]",
            "true or false",
        ),
        (
            "dangerously_allow_insecure_origins",
            "null",
            "true or false",
        ),
    ];
    for (field, value, accepts) in cases {
        let text = match field {
            "allowed_origins" => format!(r#"{{"{field}": {value}}}"#),
            _ => format!(r#"{{"allowed_origins": ["https://a.example"], "{field}": {value}}}"#),
        };
        let e = PolicyConfig::from_json_str(&text).unwrap_err();
        let p = &e.invalid_policy().unwrap().problems()[0];
        assert_eq!(
            (p.code(), p.field(), p.expected()),
            ("wrong_type", field, Some(accepts)),
            "{text}"
        );
        assert!(
            p.message()
                .starts_with(&format!("{field}: expected {accepts}, found "))
        );
    }
}

/// Each flag sets its own field and no other (mutation testing found
/// `allow_private_network` could set another flag unnoticed).
#[test]
fn each_flag_sets_its_own_field() {
    let flags = [
        "allow_credentials",
        "allow_private_network",
        "dangerously_allow_public_suffix_wildcards",
        "dangerously_allow_insecure_origins",
    ];
    let read = |c: &PolicyConfig| {
        [
            c.allow_credentials,
            c.allow_private_network,
            c.dangerously_allow_public_suffix_wildcards,
            c.dangerously_allow_insecure_origins,
        ]
    };
    for (i, flag) in flags.iter().enumerate() {
        let want: Vec<bool> = (0..flags.len()).map(|j| j == i).collect();
        let json = format!(r#"{{"allowed_origins": ["https://a.example"], "{flag}": true}}"#);
        let c = PolicyConfig::from_json_str(&json).unwrap();
        assert_eq!(read(&c).to_vec(), want, "{json}");
        let toml = format!("allowed_origins = [\"https://a.example\"]\n{flag} = true\n");
        let c = PolicyConfig::from_toml_str(&toml).unwrap();
        assert_eq!(read(&c).to_vec(), want, "{toml}");
        let var = format!("CORS_{}", flag.to_ascii_uppercase());
        let c = PolicyConfig::from_vars(
            "CORS_",
            [
                (
                    "CORS_ALLOWED_ORIGINS".to_string(),
                    "https://a.example".to_string(),
                ),
                (var.clone(), "yes".to_string()),
            ],
        )
        .unwrap();
        assert_eq!(read(&c).to_vec(), want, "{var}");
    }
}

/// `CORS_MAX_AGE` as a number: digits too many for any integer type are
/// still a number out of range (not "expected a whole number"), and a
/// lone sign is not a number.
#[test]
fn max_age_variables_out_of_range() {
    let huge = "9".repeat(60);
    // (value, the problem's code, or None when it reads)
    let cases: Vec<(String, Option<&str>, Option<i64>)> = vec![
        ("600".into(), None, Some(600)),
        ("+600".into(), None, Some(600)),
        (" 0 ".into(), None, Some(0)),
        ("".into(), None, None),
        (huge.clone(), Some("max_age_too_large"), Some(i64::MAX)),
        (
            format!("+{huge}"),
            Some("max_age_too_large"),
            Some(i64::MAX),
        ),
        (format!("-{huge}"), Some("max_age_negative"), Some(i64::MIN)),
        ("-".into(), Some("wrong_type"), None),
        ("+".into(), Some("wrong_type"), None),
        ("12s".into(), Some("wrong_type"), None),
    ];
    for (value, code, age) in cases {
        let vars = [
            (
                "CORS_ALLOWED_ORIGINS".to_string(),
                "https://a.example".to_string(),
            ),
            ("CORS_MAX_AGE".to_string(), value.clone()),
        ];
        let got = match PolicyConfig::from_vars("CORS_", vars) {
            Ok(c) => {
                assert_eq!(c.max_age, age, "{value:?}");
                c.build().err().map(|e| e.problems()[0].code())
            }
            Err(e) => Some(e.invalid_policy().unwrap().problems()[0].code()),
        };
        assert_eq!(got, code, "{value:?}");
    }
}

/// Inside a larger configuration in another format, a value no field can
/// hold (bytes, here) is refused with what a field holds.
#[test]
fn a_value_no_field_can_hold_is_refused_by_name() {
    use serde::Deserialize;
    use serde::de::value::{BytesDeserializer, Error, MapDeserializer};
    let entries = [("max_age", BytesDeserializer::<Error>::new(b"600"))];
    let e = PolicyConfig::deserialize(MapDeserializer::<_, Error>::new(entries.into_iter()))
        .unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid type: byte array, expected a string, a number, true or false, a list, an object or null"
    );
}
