//! Errors as data: every problem of a policy keeps the core's structure
//! (field, index, entry, a stable code), so a server or a tenant UI can
//! write its own messages; `Display` writes ours.

use std::fmt;
use std::path::PathBuf;

use cors_policy::PolicyError;
use serde::Serialize;
use serde::ser::SerializeMap;

/// The most problems an [`InvalidPolicy`] keeps (it still counts them all):
/// enough to fix a file in one go, and a bound on what a hostile file of a
/// million bad entries makes us store and print.
pub const MAX_REPORTED_PROBLEMS: usize = 100;

/// A position in a policy file, 1-based.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Location {
    /// Line.
    pub line: usize,
    /// Column, in characters.
    pub column: usize,
}

impl Location {
    /// The line and column of a byte offset in `text`.
    pub(crate) fn of(text: &str, offset: usize) -> Location {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Location { line, column }
    }
}

/// One problem of a policy: where it is, which entry, and a stable code.
///
/// Problems come from the core's rules ([`PolicyError`], with the same
/// codes) and from reading a file or the environment: a value of the wrong
/// type (`wrong_type`, naming what the field accepts), an unknown field or
/// variable (`unknown_field`, `unknown_variable`, naming the closest known
/// one), a field given twice (`duplicate_field`), a variable that is not
/// UTF-8 (`not_utf8`), a negative `max_age` (`max_age_negative`).
///
/// ```
/// use cors_policy_config::{ConfigError, PolicyConfig};
/// let err = PolicyConfig::from_json_str(r#"{"allowed_origins": 5, "max_age": -1}"#).unwrap_err();
/// let ConfigError::Invalid { problems, .. } = err else { panic!() };
/// let codes: Vec<&str> = problems.iter().map(|p| p.code()).collect();
/// assert_eq!(codes, ["wrong_type", "max_age_negative"]);
/// assert_eq!(problems.problems()[0].field(), "allowed_origins");
/// assert_eq!(problems.problems()[0].expected(), Some("\"*\" or a list of origins"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub(crate) code: &'static str,
    pub(crate) field: String,
    pub(crate) index: Option<usize>,
    pub(crate) entry: Option<String>,
    pub(crate) canonical: Option<String>,
    pub(crate) opt_in: Option<&'static str>,
    pub(crate) expected: Option<&'static str>,
    pub(crate) suggestion: Option<&'static str>,
    pub(crate) location: Option<Location>,
    pub(crate) variable: Option<String>,
    pub(crate) message: String,
}

impl Problem {
    pub(crate) fn new(code: &'static str, field: impl Into<String>, message: String) -> Self {
        Problem {
            code,
            field: field.into(),
            index: None,
            entry: None,
            canonical: None,
            opt_in: None,
            expected: None,
            suggestion: None,
            location: None,
            variable: None,
            message,
        }
    }

    /// The core's problem, kept as data.
    pub(crate) fn from_core(e: &PolicyError<'_>) -> Self {
        let mut p = Problem::new(e.code(), e.field(), e.to_string());
        p.index = e.index();
        p.entry = e.entry().map(str::to_string);
        p.opt_in = e.opt_in();
        if let PolicyError::NonCanonicalOrigin { canonical, .. } = e {
            p.canonical = Some(canonical.to_string());
        }
        p
    }

    /// A stable identifier: the core's [`PolicyError::code`] for its rules,
    /// or one of the reading codes listed above.
    pub fn code(&self) -> &'static str {
        self.code
    }

    /// The policy field, as files name it (`allowed_origins`); for an
    /// unknown field or variable, its name as written.
    pub fn field(&self) -> &str {
        &self.field
    }

    /// The position of the offending entry in its list.
    pub fn index(&self) -> Option<usize> {
        self.index
    }

    /// The offending entry or value, as written.
    pub fn entry(&self) -> Option<&str> {
        self.entry.as_deref()
    }

    /// For a non-canonical origin, the spelling to write instead.
    pub fn canonical(&self) -> Option<&str> {
        self.canonical.as_deref()
    }

    /// For a dangerous entry, the field that accepts the risk explicitly
    /// (`dangerously_allow_public_suffix_wildcards`, ...).
    pub fn opt_in(&self) -> Option<&'static str> {
        self.opt_in
    }

    /// For a value of the wrong type, what the field accepts.
    pub fn expected(&self) -> Option<&'static str> {
        self.expected
    }

    /// For an unknown field or variable, the closest known name.
    pub fn suggestion(&self) -> Option<&'static str> {
        self.suggestion
    }

    /// Where in the file the value is, when known.
    pub fn location(&self) -> Option<Location> {
        self.location
    }

    /// The environment variable the value came from.
    pub fn variable(&self) -> Option<&str> {
        self.variable.as_deref()
    }

    /// Our English message, without the location.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(at) = self.location {
            write!(f, "{}:{}: ", at.line, at.column)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for Problem {}

impl Serialize for Problem {
    /// `{"code", "field", "index", "entry", "message"}` and, when they
    /// apply, `"canonical"`, `"opt_in"`, `"expected"`, `"suggestion"`,
    /// `"line"`, `"column"`, `"variable"`.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("code", self.code)?;
        m.serialize_entry("field", &self.field)?;
        m.serialize_entry("index", &self.index)?;
        m.serialize_entry("entry", &self.entry)?;
        m.serialize_entry("message", &self.message)?;
        if let Some(c) = &self.canonical {
            m.serialize_entry("canonical", c)?;
        }
        if let Some(o) = self.opt_in {
            m.serialize_entry("opt_in", o)?;
        }
        if let Some(e) = self.expected {
            m.serialize_entry("expected", e)?;
        }
        if let Some(s) = self.suggestion {
            m.serialize_entry("suggestion", s)?;
        }
        if let Some(at) = self.location {
            m.serialize_entry("line", &at.line)?;
            m.serialize_entry("column", &at.column)?;
        }
        if let Some(v) = &self.variable {
            m.serialize_entry("variable", v)?;
        }
        m.end()
    }
}

/// A refused policy: its first [`MAX_REPORTED_PROBLEMS`] problems, in the
/// order of the configuration, and how many there are in all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidPolicy {
    problems: Vec<Problem>,
    total: usize,
}

impl InvalidPolicy {
    pub(crate) fn new() -> Self {
        InvalidPolicy {
            problems: Vec::new(),
            total: 0,
        }
    }

    pub(crate) fn push(&mut self, problem: Problem) {
        self.push_with(|| problem);
    }

    /// Counts a problem, and keeps the one `make` makes while fewer than
    /// [`MAX_REPORTED_PROBLEMS`] are kept: past the bound nothing is made
    /// (a hostile file's millionth problem is never formatted).
    pub(crate) fn push_with(&mut self, make: impl FnOnce() -> Problem) {
        if self.problems.len() < MAX_REPORTED_PROBLEMS {
            self.problems.push(make());
        }
        self.total += 1;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// The problems kept (at most [`MAX_REPORTED_PROBLEMS`]).
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The problems kept, in order.
    pub fn iter(&self) -> std::slice::Iter<'_, Problem> {
        self.problems.iter()
    }

    /// How many problems the policy has, kept or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// How many problems were counted but not kept.
    pub fn omitted(&self) -> usize {
        self.total - self.problems.len()
    }
}

impl<'a> IntoIterator for &'a InvalidPolicy {
    type Item = &'a Problem;
    type IntoIter = std::slice::Iter<'a, Problem>;
    fn into_iter(self) -> Self::IntoIter {
        self.problems.iter()
    }
}

impl fmt::Display for InvalidPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid CORS policy: ")?;
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            fmt::Display::fmt(p, f)?;
        }
        if self.omitted() > 0 {
            write!(f, "; and {} more", self.omitted())?;
        }
        Ok(())
    }
}

impl std::error::Error for InvalidPolicy {}

/// What a JSON or TOML parser said about malformed text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError(pub(crate) String);

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SyntaxError {}

/// Why a configuration could not be read, or what is wrong with it.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    Io {
        /// The file.
        path: PathBuf,
        /// What the system said.
        error: std::io::Error,
    },
    /// The path is not a regular file (a directory, a FIFO, a device such as
    /// `/dev/zero`): it is refused rather than read forever.
    NotAFile {
        /// The file.
        path: PathBuf,
    },
    /// The file is larger than [`MAX_POLICY_FILE_LEN`](crate::MAX_POLICY_FILE_LEN).
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit, in bytes.
        limit: u64,
    },
    /// The extension is neither `.json` nor `.toml`.
    UnknownFormat {
        /// The file.
        path: PathBuf,
    },
    /// The text is not valid JSON or TOML.
    Syntax {
        /// The file, or `<json>`, `<toml>` for strings.
        source: String,
        /// Where.
        location: Location,
        /// What the parser said.
        error: SyntaxError,
    },
    /// The document is not one object with named fields (a JSON array, a
    /// string, ...).
    NotAnObject {
        /// The file, or `<json>`.
        source: String,
        /// What it is instead (`an array`).
        found: &'static str,
    },
    /// The document or the variables were read, but some values have the
    /// wrong type, or fields are unknown; every problem of the policy is
    /// listed, the rules of the core included.
    Invalid {
        /// The file, `<json>`, `<toml>` or `environment`.
        source: String,
        /// Every problem.
        problems: InvalidPolicy,
    },
}

impl ConfigError {
    /// A stable identifier: `io`, `not_a_file`, `too_large`,
    /// `unknown_format`, `syntax`, `not_an_object` or `invalid_policy`.
    pub fn code(&self) -> &'static str {
        match self {
            ConfigError::Io { .. } => "io",
            ConfigError::NotAFile { .. } => "not_a_file",
            ConfigError::TooLarge { .. } => "too_large",
            ConfigError::UnknownFormat { .. } => "unknown_format",
            ConfigError::Syntax { .. } => "syntax",
            ConfigError::NotAnObject { .. } => "not_an_object",
            ConfigError::Invalid { .. } => "invalid_policy",
        }
    }

    /// The problems, when the policy was read but is invalid.
    pub fn invalid_policy(&self) -> Option<&InvalidPolicy> {
        match self {
            ConfigError::Invalid { problems, .. } => Some(problems),
            _ => None,
        }
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { path, error } => {
                write!(f, "{}: cannot read: {error}", path.display())
            }
            ConfigError::NotAFile { path } => write!(
                f,
                "{}: not a regular file (a directory, a pipe or a device); give a policy file",
                path.display()
            ),
            ConfigError::TooLarge { path, limit } => write!(
                f,
                "{}: larger than {limit} bytes, more than any policy needs",
                path.display()
            ),
            ConfigError::UnknownFormat { path } => write!(
                f,
                "{}: unknown policy format: use a .json or .toml file",
                path.display()
            ),
            ConfigError::Syntax {
                source,
                location,
                error,
            } => write!(f, "{source}:{}:{}: {error}", location.line, location.column),
            ConfigError::NotAnObject { source, found } => write!(
                f,
                "{source}: a policy is one object with named fields (\"allowed_origins\", ...), not {found}"
            ),
            ConfigError::Invalid { source, problems } => write!(f, "{source}: {problems}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Io { error, .. } => Some(error),
            ConfigError::Syntax { error, .. } => Some(error),
            ConfigError::Invalid { problems, .. } => Some(problems),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions are counted in characters, from 1; an offset inside a
    /// multi-byte character points at that character (never a panic on a
    /// cut character).
    #[test]
    fn locations_of_offsets() {
        let text = "ab\né€x\n";
        // (offset, line, column)
        let cases = [
            (0, 1, 1),
            (1, 1, 2),
            (3, 2, 1),
            // Inside "é" (bytes 3..5): that character.
            (4, 2, 1),
            (5, 2, 2),
            // Inside "€" (bytes 5..8): that character.
            (6, 2, 2),
            (7, 2, 2),
            (8, 2, 3),
            (10, 3, 1),
            // Past the end: the end.
            (99, 3, 1),
        ];
        for (offset, line, column) in cases {
            assert_eq!(
                Location::of(text, offset),
                Location { line, column },
                "offset {offset}"
            );
        }
    }
}
