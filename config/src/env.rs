//! Policies from environment variables: `PREFIX` + a field in upper case
//! (`CORS_ALLOWED_ORIGINS`). Only our variables' values are read; a name
//! behind the prefix that is not ours is an error naming the closest one.

use std::ffi::OsString;

use crate::PolicyConfig;
use crate::problem::{ConfigError, Problem};
use crate::read::{FIELDS, Origin, Raw, Reader};

/// A variable's value, or the fact that it is not UTF-8.
pub(crate) type Value = Result<String, OsString>;

/// Reads the variables whose names start with `prefix`.
pub(crate) fn read(
    prefix: &str,
    vars: impl IntoIterator<Item = (String, Value)>,
) -> Result<PolicyConfig, ConfigError> {
    let known: Vec<(&'static str, String)> = FIELDS
        .iter()
        .map(|f| (*f, format!("{prefix}{}", f.to_ascii_uppercase())))
        .collect();
    // In name order, so that reports do not depend on the environment's.
    let mut vars: Vec<(String, Value)> = vars.into_iter().collect();
    vars.sort_by(|a, b| a.0.cmp(&b.0));
    let mut r = Reader::new();
    for (name, value) in vars {
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        let origin = Origin::Variable(name.clone());
        let Some(field) = FIELDS.iter().find(|f| f.to_ascii_uppercase() == rest) else {
            r.unknown(&name, &origin, &known);
            continue;
        };
        let value = match value {
            Ok(v) => v,
            Err(os) => {
                let mut p = Problem::new(
                    "not_utf8",
                    *field,
                    format!("{name}: the value {os:?} is not UTF-8"),
                );
                p.entry = Some(os.to_string_lossy().into_owned());
                r.reject(field, p, &origin);
                continue;
            }
        };
        r.field(field, parse(field, &value), &origin);
    }
    r.finish("environment")
}

/// A variable's text as the value a document would hold: lists are
/// comma-separated (`*` alone for any), booleans `true`/`false` (also
/// `1`/`0`, `yes`/`no`, empty for false), `max_age` a number (empty: none).
fn parse(field: &str, value: &str) -> Raw {
    let v = value.trim();
    match field {
        "allowed_origins" | "allowed_methods" | "allowed_headers" | "expose_headers" => {
            if v == "*" {
                Raw::Str("*".into())
            } else {
                Raw::List(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(|s| Raw::Str(s.into()))
                        .collect(),
                )
            }
        }
        "max_age" => {
            if v.is_empty() {
                return Raw::Null;
            }
            match v.parse::<i128>() {
                Ok(n) => Raw::Int(n),
                // Digits too many for i128 still say "a number out of range".
                Err(_)
                    if !v.is_empty()
                        && v.trim_start_matches(['-', '+'])
                            .bytes()
                            .all(|b| b.is_ascii_digit())
                        && v.len() > 1 =>
                {
                    Raw::Int(if v.starts_with('-') {
                        i128::MIN
                    } else {
                        i128::MAX
                    })
                }
                Err(_) => Raw::Str(value.into()),
            }
        }
        _ => match v.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Raw::Bool(true),
            "false" | "0" | "no" | "" => Raw::Bool(false),
            _ => Raw::Str(value.into()),
        },
    }
}
