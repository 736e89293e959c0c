//! Reading a policy: files (bounded, regular files only), JSON and TOML
//! documents (one object with named fields), and the values of fields and
//! variables, each checked against what its field accepts.

use std::fmt;
use std::io::Read;
use std::path::Path;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::problem::{ConfigError, InvalidPolicy, Location, Problem, SyntaxError};
use crate::{PolicyConfig, StarOrList};

/// The largest policy file read, 1 MiB: a policy of 1,024 origins of 512
/// bytes fits in half of it. Larger files, and anything but a regular file
/// (a FIFO, `/dev/zero`), are refused before they are read, so that a
/// mistaken path cannot hang a server or fill its memory.
pub const MAX_POLICY_FILE_LEN: u64 = 1 << 20;

/// The fields of a policy, as files name them; variables are these in upper
/// case behind a prefix (`CORS_ALLOWED_ORIGINS`).
pub const FIELDS: [&str; 9] = [
    "allowed_origins",
    "allow_credentials",
    "allowed_methods",
    "allowed_headers",
    "expose_headers",
    "max_age",
    "allow_private_network",
    "dangerously_allow_public_suffix_wildcards",
    "dangerously_allow_insecure_origins",
];

/// What a field accepts, as error messages say it.
fn expected(field: &str) -> &'static str {
    match field {
        "allowed_origins" => "\"*\" or a list of origins",
        "allowed_methods" => "\"*\" or a list of methods",
        "allowed_headers" => "\"*\" or a list of request-header names",
        "expose_headers" => "\"*\" or a list of response-header names",
        "max_age" => {
            "a whole number of seconds from 0 to 86400 (0 disables preflight caching), or null"
        }
        _ => "true or false",
    }
}

/// A value as a document holds it, before it is checked against its field.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Raw {
    Null,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(String),
    List(Vec<Raw>),
    Map,
}

impl Raw {
    fn describe(&self) -> String {
        match self {
            Raw::Null => "null".into(),
            Raw::Bool(b) => b.to_string(),
            Raw::Int(i) => format!("the number {i}"),
            Raw::Float(x) => format!("the number {x}"),
            Raw::Str(s) => format!("the string {s:?}"),
            Raw::List(_) => "a list".into(),
            Raw::Map => "an object".into(),
        }
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Raw, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Raw;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, a number, true or false, a list, an object or null")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Int(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
                Ok(Raw::Int(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Raw, E> {
                Ok(Raw::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::Str(v.to_string()))
            }
            fn visit_string<E>(self, v: String) -> Result<Raw, E> {
                Ok(Raw::Str(v))
            }
            fn visit_unit<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
                Raw::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Raw>()? {
                    items.push(item);
                }
                Ok(Raw::List(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Raw::Map)
            }
        }
        d.deserialize_any(V)
    }
}

/// Where a value came from: a file field (maybe with its position) or an
/// environment variable.
#[derive(Clone, Debug)]
pub(crate) enum Origin {
    Field(Option<Location>),
    Variable(String),
}

/// Collects fields into a [`PolicyConfig`], and the problems of reading them.
pub(crate) struct Reader {
    pub(crate) config: PolicyConfig,
    seen: Vec<&'static str>,
    mistyped: Vec<&'static str>,
    problems: InvalidPolicy,
}

impl Reader {
    pub(crate) fn new() -> Self {
        Reader {
            config: PolicyConfig::default(),
            seen: Vec::new(),
            mistyped: Vec::new(),
            problems: InvalidPolicy::new(),
        }
    }

    fn problem(&mut self, mut p: Problem, origin: &Origin) {
        match origin {
            Origin::Field(at) => p.location = *at,
            Origin::Variable(name) => p.variable = Some(name.clone()),
        }
        self.problems.push(p);
    }

    /// A field whose value cannot be read at all.
    pub(crate) fn reject(&mut self, field: &'static str, p: Problem, origin: &Origin) {
        self.seen.push(field);
        self.mistyped.push(field);
        self.problem(p, origin);
    }

    /// A name that is not a field (`unknown_field`) or not one of our
    /// variables (`unknown_variable`), with the closest known one.
    pub(crate) fn unknown(
        &mut self,
        name: &str,
        origin: &Origin,
        known: &[(&'static str, String)],
    ) {
        let closest = known
            .iter()
            .map(|(field, shown)| (strsim::levenshtein(name, shown), *field, shown))
            .min_by_key(|(d, _, _)| *d);
        let (code, what) = match origin {
            Origin::Field(_) => ("unknown_field", "field"),
            Origin::Variable(_) => ("unknown_variable", "variable"),
        };
        let mut message = format!("unknown {what} {name:?}");
        let mut p = Problem::new(code, name, String::new());
        if let Some((_, field, shown)) = closest {
            message.push_str(&format!("; did you mean {shown:?}?"));
            p.suggestion = Some(field);
        }
        if let Origin::Field(_) = origin {
            message.push_str(" (a policy has the fields ");
            message.push_str(&FIELDS.join(", "));
            message.push(')');
        }
        p.message = message;
        self.problem(p, origin);
    }

    /// Checks `raw` against `field` (one of [`FIELDS`]) and records it.
    pub(crate) fn field(&mut self, field: &'static str, raw: Raw, origin: &Origin) {
        if self.seen.contains(&field) {
            let mut p = Problem::new(
                "duplicate_field",
                field,
                format!("{field} is given more than once"),
            );
            p.entry = Some(field.into());
            self.problem(p, origin);
            self.mistyped.push(field);
            return;
        }
        self.seen.push(field);
        let c = &mut self.config;
        let ok = match field {
            "allowed_origins" | "allowed_methods" | "allowed_headers" | "expose_headers" => {
                match star_or_list(raw, field, origin) {
                    Ok(v) => {
                        *match field {
                            "allowed_origins" => &mut c.allowed_origins,
                            "allowed_methods" => &mut c.allowed_methods,
                            "allowed_headers" => &mut c.allowed_headers,
                            _ => &mut c.expose_headers,
                        } = v;
                        Ok(())
                    }
                    Err(problems) => Err(problems),
                }
            }
            "max_age" => match raw {
                Raw::Null => {
                    c.max_age = None;
                    Ok(())
                }
                Raw::Int(i) => {
                    // Saturated: a value past i64 is reported out of range.
                    c.max_age = Some(i.clamp(i64::MIN.into(), i64::MAX.into()) as i64);
                    Ok(())
                }
                other => Err(vec![wrong_type(field, None, &other, origin)]),
            },
            _ => match raw {
                Raw::Bool(b) => {
                    *match field {
                        "allow_credentials" => &mut c.allow_credentials,
                        "allow_private_network" => &mut c.allow_private_network,
                        "dangerously_allow_public_suffix_wildcards" => {
                            &mut c.dangerously_allow_public_suffix_wildcards
                        }
                        _ => &mut c.dangerously_allow_insecure_origins,
                    } = b;
                    Ok(())
                }
                other => Err(vec![wrong_type(field, None, &other, origin)]),
            },
        };
        if let Err(problems) = ok {
            self.mistyped.push(field);
            for p in problems {
                self.problem(p, origin);
            }
        }
    }

    /// The configuration, or every problem: those of reading, then the
    /// core's rules on the fields that were read (a mistyped field's own
    /// rules are left out, since its value is unknown).
    pub(crate) fn finish(self, source: &str) -> Result<PolicyConfig, ConfigError> {
        if self.problems.is_empty() {
            return Ok(self.config);
        }
        let mut problems = self.problems;
        self.config.policy_problems(&mut problems, &self.mistyped);
        Err(ConfigError::Invalid {
            source: source.into(),
            problems,
        })
    }
}

fn wrong_type(field: &'static str, index: Option<usize>, raw: &Raw, origin: &Origin) -> Problem {
    let (name, accepts) = match index {
        Some(i) => (format!("{field}[{i}]"), "a string"),
        None => (field.to_string(), expected(field)),
    };
    let shown = match origin {
        Origin::Variable(v) => format!(
            "{v}={}",
            match raw {
                Raw::Str(s) => format!("{s:?}"),
                other => other.describe(),
            }
        ),
        Origin::Field(_) => name,
    };
    let found = match origin {
        Origin::Variable(_) => String::new(),
        Origin::Field(_) => format!(", found {}", raw.describe()),
    };
    let mut p = Problem::new(
        "wrong_type",
        field,
        format!("{shown}: expected {accepts}{found}"),
    );
    p.index = index;
    p.expected = Some(accepts);
    p.entry = Some(match raw {
        Raw::Str(s) => s.clone(),
        Raw::Int(i) => i.to_string(),
        Raw::Float(x) => x.to_string(),
        other => other.describe(),
    });
    p
}

fn star_or_list(
    raw: Raw,
    field: &'static str,
    origin: &Origin,
) -> Result<StarOrList, Vec<Problem>> {
    match raw {
        Raw::Str(s) => Ok(StarOrList::One(s)),
        Raw::List(items) => {
            let mut out = Vec::with_capacity(items.len());
            let mut problems = Vec::new();
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Raw::Str(s) => out.push(s),
                    other => problems.push(wrong_type(field, Some(i), &other, origin)),
                }
            }
            if problems.is_empty() {
                Ok(StarOrList::List(out))
            } else {
                Err(problems)
            }
        }
        other => Err(vec![wrong_type(field, None, &other, origin)]),
    }
}

/// The known fields, for suggestions.
fn known_fields() -> Vec<(&'static str, String)> {
    FIELDS.iter().map(|f| (*f, f.to_string())).collect()
}

/// Records one `name: value` of a document.
pub(crate) fn document_field(r: &mut Reader, name: &str, raw: Raw, at: Option<Location>) {
    let origin = Origin::Field(at);
    match FIELDS.iter().find(|f| **f == name) {
        Some(field) => r.field(field, raw, &origin),
        None => r.unknown(name, &origin, &known_fields()),
    }
}

/// The entries of a JSON object, each value kept as its text.
struct JsonEntries<'a>(Vec<(String, &'a RawValue)>);

impl<'de: 'a, 'a> Deserialize<'de> for JsonEntries<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = JsonEntries<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a policy object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, &'de RawValue>()? {
                    out.push((k, v));
                }
                Ok(JsonEntries(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn json_syntax(e: &serde_json::Error, source: &str) -> ConfigError {
    let message = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    ConfigError::Syntax {
        source: source.into(),
        location: Location {
            line: e.line(),
            column: e.column(),
        },
        error: SyntaxError(one_line(message.strip_suffix(&suffix).unwrap_or(&message))),
    }
}

/// Parses a JSON policy document.
pub(crate) fn json(text: &str, source: &str) -> Result<PolicyConfig, ConfigError> {
    let first = text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .chars()
        .next();
    if first != Some('{') {
        serde_json::from_str::<IgnoredAny>(text).map_err(|e| json_syntax(&e, source))?;
        let found = match first {
            Some('[') => "an array",
            Some('"') => "a string",
            Some('t' | 'f') => "a boolean",
            Some('n') => "null",
            _ => "a number",
        };
        return Err(ConfigError::NotAnObject {
            source: source.into(),
            found,
        });
    }
    let entries: JsonEntries<'_> =
        serde_json::from_str(text).map_err(|e| json_syntax(&e, source))?;
    let mut r = Reader::new();
    for (name, value) in entries.0 {
        let raw: Raw = serde_json::from_str(value.get()).map_err(|e| json_syntax(&e, source))?;
        let offset = (value.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
        document_field(&mut r, &name, raw, Some(Location::of(text, offset)));
    }
    r.finish(source)
}

/// The entries of a TOML document, with their positions.
struct TomlEntries(Vec<(String, toml::Spanned<Raw>)>);

impl<'de> Deserialize<'de> for TomlEntries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TomlEntries;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a policy table")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TomlEntries, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, toml::Spanned<Raw>>()? {
                    out.push((k, v));
                }
                Ok(TomlEntries(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// Parses a TOML policy document (always a table).
pub(crate) fn toml(text: &str, source: &str) -> Result<PolicyConfig, ConfigError> {
    let entries: TomlEntries = toml::from_str(text).map_err(|e| ConfigError::Syntax {
        source: source.into(),
        location: e.span().map_or(Location { line: 1, column: 1 }, |s| {
            Location::of(text, s.start)
        }),
        error: SyntaxError(one_line(e.message())),
    })?;
    let mut entries = entries.0;
    // In the order of the document (the parser's table may sort them).
    entries.sort_by_key(|(_, v)| v.span().start);
    let mut r = Reader::new();
    for (name, value) in entries {
        let at = Location::of(text, value.span().start);
        document_field(&mut r, &name, value.into_inner(), Some(at));
    }
    r.finish(source)
}

/// Reads a policy file: a regular file of at most [`MAX_POLICY_FILE_LEN`]
/// bytes, as UTF-8.
pub(crate) fn read_file(path: &Path) -> Result<String, ConfigError> {
    let io = |error| ConfigError::Io {
        path: path.to_path_buf(),
        error,
    };
    // Checked before opening: opening a FIFO blocks until a writer comes.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(ConfigError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let too_large = || ConfigError::TooLarge {
        path: path.to_path_buf(),
        limit: MAX_POLICY_FILE_LEN,
    };
    if meta.len() > MAX_POLICY_FILE_LEN {
        return Err(too_large());
    }
    let file = std::fs::File::open(path).map_err(io)?;
    // Checked again on what was opened, and the read bounded, in case the
    // path changed in between or the size lies (`/proc` files say 0).
    if !file.metadata().map_err(io)?.is_file() {
        return Err(ConfigError::NotAFile {
            path: path.to_path_buf(),
        });
    }
    let bytes = read_at_most(file, MAX_POLICY_FILE_LEN)
        .map_err(io)?
        .ok_or_else(too_large)?;
    String::from_utf8(bytes)
        .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// All of `source` if it holds at most `limit` bytes, `None` if it holds
/// more: at most `limit + 1` bytes are read, whatever its size claimed.
fn read_at_most(source: impl Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::new();
    source.take(limit + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

/// `impl Deserialize for PolicyConfig`, for policies inside a larger
/// configuration: an object with named fields only, every problem in one
/// message (the typed list needs [`PolicyConfig::from_json_str`] and its
/// siblings).
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<PolicyConfig, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = PolicyConfig;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a CORS policy: one object with named fields")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PolicyConfig, A::Error> {
            let mut r = Reader::new();
            while let Some((k, v)) = map.next_entry::<String, Raw>()? {
                document_field(&mut r, &k, v, None);
            }
            r.finish("policy").map_err(de::Error::custom)
        }
    }
    d.deserialize_map(V)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file whose size lies (`/proc` files say 0, a file may grow
    /// between the size check and the read) is still read no further than
    /// the limit and refused: an endless source gives `None` after
    /// `limit + 1` bytes, a source of exactly `limit` bytes is read whole.
    #[test]
    fn reads_are_bounded_whatever_the_size_claimed() {
        let endless = std::io::repeat(b' ');
        assert_eq!(read_at_most(endless, 10).unwrap(), None);
        let exact = read_at_most(&b"0123456789"[..], 10).unwrap();
        assert_eq!(exact.as_deref(), Some(&b"0123456789"[..]));
        let over = read_at_most(&b"0123456789A"[..], 10).unwrap();
        assert_eq!(over, None);
        assert_eq!(read_at_most(&b""[..], 0).unwrap(), Some(Vec::new()));
    }
}
