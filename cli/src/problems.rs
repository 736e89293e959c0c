//! How the tool prints a policy it cannot use: an unreadable or malformed
//! file in one line on stderr; an invalid policy as its problems, each with
//! its stable code (the codes of `cors_policy::PolicyError::code` and
//! `cors_policy_config::Problem::code`), the first
//! `cors_policy_config::MAX_REPORTED_PROBLEMS` of them and a count.

use cors_policy_config::{ConfigError, InvalidPolicy, OwnedPolicy, PolicyConfig, Problem};
use serde::Serialize;

use crate::load::Source;

/// A policy file, loaded and built, or why not.
pub enum Loaded {
    /// Ready to use.
    Ready(Box<(PolicyConfig, OwnedPolicy)>),
    /// Read, but invalid: every problem.
    Invalid(InvalidPolicy),
    /// Unreadable or malformed: one line naming the file.
    Unreadable(String),
}

/// Reads and builds the policy from its source.
pub fn load(source: &Source) -> Loaded {
    match source.read() {
        Ok(config) => match config.clone().build() {
            Ok(policy) => Loaded::Ready(Box::new((config, policy))),
            Err(invalid) => Loaded::Invalid(invalid),
        },
        Err(ConfigError::Invalid { problems, .. }) => Loaded::Invalid(problems),
        Err(e) => Loaded::Unreadable(e.to_string()),
    }
}

/// One problem as a line: `error[code]: FILE:LINE:COLUMN: message`, the
/// position when known (a variable's problem names the variable itself).
pub fn line(source: &Source, p: &Problem) -> String {
    match p.location() {
        Some(at) => format!(
            "error[{}]: {}:{}:{}: {}",
            p.code(),
            source.name(),
            at.line,
            at.column,
            p.message()
        ),
        None => format!("error[{}]: {}", p.code(), p.message()),
    }
}

/// The count line after the kept problems, when some were left out.
pub fn omitted(invalid: &InvalidPolicy) -> Option<String> {
    (invalid.omitted() > 0).then(|| {
        format!(
            "... and {} more problem(s), {} in all",
            invalid.omitted(),
            invalid.total()
        )
    })
}

/// The human report of `check` for an invalid policy.
pub fn human(source: &Source, invalid: &InvalidPolicy) -> String {
    let mut text = format!(
        "{}: invalid policy, {} problem(s):\n",
        source.name(),
        invalid.total()
    );
    for p in invalid {
        text.push_str(&format!("  - {}\n", line(source, p)));
    }
    if let Some(more) = omitted(invalid) {
        text.push_str(&format!("  {more}\n"));
    }
    text
}

/// `check --json` for an invalid policy: `{"kind": "invalid_policy",
/// "errors": [{"code", "field", "index", "entry", "message", ...}],
/// "error_count"}` (`errors` holds at most the first 100).
#[derive(Serialize)]
pub struct JsonInvalid<'a> {
    kind: &'static str,
    errors: &'a [Problem],
    error_count: usize,
}

impl<'a> JsonInvalid<'a> {
    /// The answer for `invalid`.
    pub fn new(invalid: &'a InvalidPolicy) -> Self {
        JsonInvalid {
            kind: "invalid_policy",
            errors: invalid.problems(),
            error_count: invalid.total(),
        }
    }
}
