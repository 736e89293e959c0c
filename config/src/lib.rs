//! Policies for [`cors_policy`] from files (JSON or TOML) and environment
//! variables, for servers and for the `cors-policy` tool alike.
//!
//! A file holds exactly the fields of docs/behaviour.md §2:
//!
//! ```
//! use cors_policy_config::{OwnedPolicy, PolicyConfig};
//! let config = PolicyConfig::from_json_str(r#"{
//!     "allowed_origins": ["https://app.example", "https://*.app.example"],
//!     "allow_credentials": true,
//!     "allowed_methods": ["GET", "PUT"],
//!     "allowed_headers": ["content-type", "authorization"],
//!     "expose_headers": ["x-request-id"],
//!     "max_age": 600
//! }"#).unwrap();
//! let policy: OwnedPolicy = config.build().unwrap();
//! assert!(policy.policy().allows_origin(b"https://eu.app.example"));
//! ```
//!
//! Omitted fields take safe defaults: no credentials, only the safelisted
//! methods, no extra request headers, nothing exposed, no max age, no
//! private-network access. An unknown field is an error naming it.
//!
//! # Environment variables
//!
//! [`PolicyConfig::from_env`] reads `CORS_ALLOWED_ORIGINS`,
//! `CORS_ALLOW_CREDENTIALS`, `CORS_ALLOWED_METHODS`, `CORS_ALLOWED_HEADERS`,
//! `CORS_EXPOSE_HEADERS`, `CORS_MAX_AGE` and `CORS_ALLOW_PRIVATE_NETWORK`.
//! Lists are comma-separated (`https://a.example,https://b.example`) or `*`;
//! booleans are `true` or `false`; an unset variable takes the default.

use std::fmt;
use std::path::Path;

#[cfg(feature = "watch")]
pub mod watch;

use cors_policy::{Policy, PolicyBuilder};
use serde::{Deserialize, Serialize};

/// Capacity in origin patterns of an [`OwnedPolicy`] unless told otherwise.
pub const OWNED_CAPACITY: usize = 1024;

/// `"*"` or a list of strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum StarOrList {
    /// A single string: `"*"` means any; another string is a one-item list.
    One(String),
    /// A list, which may contain `"*"` where the field allows it.
    List(Vec<String>),
}

impl Default for StarOrList {
    fn default() -> Self {
        StarOrList::List(Vec::new())
    }
}

impl StarOrList {
    /// Is this exactly `"*"` (or `["*"]`)?
    pub fn is_star(&self) -> bool {
        match self {
            StarOrList::One(s) => s == "*",
            StarOrList::List(l) => l.len() == 1 && l[0] == "*",
        }
    }

    /// The entries, a lone string being a one-item list.
    pub fn items(&self) -> Vec<&str> {
        match self {
            StarOrList::One(s) => vec![s.as_str()],
            StarOrList::List(l) => l.iter().map(String::as_str).collect(),
        }
    }

    fn parse_env(value: &str) -> StarOrList {
        let value = value.trim();
        if value == "*" {
            return StarOrList::One("*".into());
        }
        StarOrList::List(
            value
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        )
    }
}

/// A policy as written in a file or the environment (docs/behaviour.md §2).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyConfig {
    /// `"*"` or a list of origin patterns.
    #[serde(default)]
    pub allowed_origins: StarOrList,
    /// Send `Access-Control-Allow-Credentials: true`.
    #[serde(default)]
    pub allow_credentials: bool,
    /// `"*"` or a list of methods.
    #[serde(default)]
    pub allowed_methods: StarOrList,
    /// A list of request-header names, which may contain `"*"`.
    #[serde(default)]
    pub allowed_headers: StarOrList,
    /// A list of response-header names, or `"*"`.
    #[serde(default)]
    pub expose_headers: StarOrList,
    /// Seconds for `Access-Control-Max-Age`; absent or null: none.
    #[serde(default)]
    pub max_age: Option<u32>,
    /// Grant Private Network Access.
    #[serde(default)]
    pub allow_private_network: bool,
}

/// Why a configuration could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    Io {
        /// The file.
        path: String,
        /// What the system said.
        error: std::io::Error,
    },
    /// The extension is neither `.json` nor `.toml`.
    UnknownFormat {
        /// The file.
        path: String,
    },
    /// The text is not valid JSON or TOML, or has a field of the wrong type
    /// or an unknown field.
    Syntax {
        /// The file, or `<json>`, `<toml>` for strings.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// An environment variable has a value that cannot be read.
    Env {
        /// The variable.
        name: String,
        /// Its value.
        value: String,
        /// What is expected.
        expected: &'static str,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Io { path, error } => write!(f, "{path}: cannot read: {error}"),
            ConfigError::UnknownFormat { path } => {
                write!(
                    f,
                    "{path}: unknown policy format: use a .json or .toml file"
                )
            }
            ConfigError::Syntax {
                path,
                line,
                column,
                message,
            } => write!(f, "{path}:{line}:{column}: {message}"),
            ConfigError::Env {
                name,
                value,
                expected,
            } => write!(f, "{name}={value:?}: expected {expected}"),
        }
    }
}

impl std::error::Error for ConfigError {}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

impl PolicyConfig {
    /// Parses JSON; `path` names the source in errors.
    fn json(text: &str, path: &str) -> Result<Self, ConfigError> {
        serde_json::from_str(text).map_err(|e| ConfigError::Syntax {
            path: path.into(),
            line: e.line(),
            column: e.column(),
            message: one_line(
                &e.to_string()
                    .replace(&format!(" at line {} column {}", e.line(), e.column()), ""),
            ),
        })
    }

    fn toml(text: &str, path: &str) -> Result<Self, ConfigError> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
            ConfigError::Syntax {
                path: path.into(),
                line,
                column,
                message: one_line(e.message()),
            }
        })
    }

    /// Parses a JSON policy.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Syntax`] with the position.
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        Self::json(text, "<json>")
    }

    /// Parses a TOML policy.
    ///
    /// ```
    /// let c = cors_policy_config::PolicyConfig::from_toml_str(
    ///     "allowed_origins = [\"https://app.example\"]\nmax_age = 600\n",
    /// ).unwrap();
    /// assert_eq!(c.max_age, Some(600));
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::Syntax`] with the position.
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        Self::toml(text, "<toml>")
    }

    /// Reads a `.json` or `.toml` file.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Io`], [`ConfigError::UnknownFormat`] or
    /// [`ConfigError::Syntax`], each naming the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if !matches!(ext.as_deref(), Some("json" | "toml")) {
            return Err(ConfigError::UnknownFormat { path: name });
        }
        let text = std::fs::read_to_string(path).map_err(|error| ConfigError::Io {
            path: name.clone(),
            error,
        })?;
        match ext.as_deref() {
            Some("json") => Self::json(&text, &name),
            _ => Self::toml(&text, &name),
        }
    }

    /// Reads the `CORS_*` environment variables (see the crate docs).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Env`] for a value that cannot be read.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars("CORS_", std::env::vars())
    }

    /// Reads variables named `PREFIX` + `ALLOWED_ORIGINS` and so on from
    /// `vars`, for other prefixes and for tests.
    ///
    /// ```
    /// use cors_policy_config::PolicyConfig;
    /// let vars = [
    ///     ("APP_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example"),
    ///     ("APP_CORS_MAX_AGE", "600"),
    /// ];
    /// let c = PolicyConfig::from_vars("APP_CORS_", vars.map(|(k, v)| (k.to_string(), v.to_string()))).unwrap();
    /// assert_eq!(c.allowed_origins.items(), ["https://a.example", "https://b.example"]);
    /// ```
    ///
    /// # Errors
    ///
    /// [`ConfigError::Env`] for a value that cannot be read.
    pub fn from_vars(
        prefix: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let mut c = PolicyConfig::default();
        for (name, value) in vars {
            let Some(field) = name.strip_prefix(prefix) else {
                continue;
            };
            let bool_of = |v: &str| match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" | "" => Ok(false),
                _ => Err(ConfigError::Env {
                    name: name.clone(),
                    value: v.into(),
                    expected: "true or false",
                }),
            };
            match field {
                "ALLOWED_ORIGINS" => c.allowed_origins = StarOrList::parse_env(&value),
                "ALLOW_CREDENTIALS" => c.allow_credentials = bool_of(&value)?,
                "ALLOWED_METHODS" => c.allowed_methods = StarOrList::parse_env(&value),
                "ALLOWED_HEADERS" => c.allowed_headers = StarOrList::parse_env(&value),
                "EXPOSE_HEADERS" => c.expose_headers = StarOrList::parse_env(&value),
                "MAX_AGE" => {
                    c.max_age = if value.trim().is_empty() {
                        None
                    } else {
                        Some(value.trim().parse().map_err(|_| ConfigError::Env {
                            name: name.clone(),
                            value: value.clone(),
                            expected: "a number of seconds",
                        })?)
                    }
                }
                "ALLOW_PRIVATE_NETWORK" => c.allow_private_network = bool_of(&value)?,
                _ => {}
            }
        }
        Ok(c)
    }

    /// The lists of this configuration, borrowed as the core's builder
    /// wants them.
    pub fn lists(&self) -> Lists<'_> {
        Lists {
            any_origin: self.allowed_origins.is_star(),
            origins: self.allowed_origins.items(),
            methods: self.allowed_methods.items(),
            headers: self.allowed_headers.items(),
            expose: self.expose_headers.items(),
            credentials: self.allow_credentials,
            max_age: self.max_age,
            private_network: self.allow_private_network,
        }
    }

    /// Validates the configuration and builds a self-contained policy.
    ///
    /// # Errors
    ///
    /// Every problem, as [`InvalidPolicy`].
    pub fn build(self) -> Result<OwnedPolicy, InvalidPolicy> {
        OwnedPolicy::new(self)
    }

    /// Every problem of the configuration, as messages (empty when valid).
    pub fn problems<const N: usize>(&self) -> Vec<String> {
        let lists = self.lists();
        match lists.builder().build_with_capacity::<N>() {
            Ok(_) => Vec::new(),
            Err(e) => e.iter().map(|e| e.to_string()).collect(),
        }
    }
}

/// A configuration's lists, borrowed; see [`PolicyConfig::lists`].
#[derive(Clone, Debug)]
pub struct Lists<'a> {
    any_origin: bool,
    origins: Vec<&'a str>,
    methods: Vec<&'a str>,
    headers: Vec<&'a str>,
    expose: Vec<&'a str>,
    credentials: bool,
    max_age: Option<u32>,
    private_network: bool,
}

impl<'a> Lists<'a> {
    /// The core's builder over these lists.
    pub fn builder(&self) -> PolicyBuilder<'_> {
        let mut b = PolicyBuilder::new()
            .allow_credentials(self.credentials)
            .allow_methods(&self.methods)
            .allow_headers(&self.headers)
            .expose_headers(&self.expose)
            .allow_private_network(self.private_network);
        b = if self.any_origin {
            b.allow_any_origin()
        } else {
            b.allow_origins(&self.origins)
        };
        if let Some(age) = self.max_age {
            b = b.max_age(age);
        }
        b
    }
}

/// A refused configuration: every problem, as messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvalidPolicy {
    /// One message per problem, each naming its entry.
    pub errors: Vec<String>,
}

impl fmt::Display for InvalidPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid CORS policy: {}", self.errors.join("; "))
    }
}

impl std::error::Error for InvalidPolicy {}

type OwnedCapacityPolicy<'a> = Policy<'a, OWNED_CAPACITY>;

self_cell::self_cell!(
    struct ListsCell {
        owner: PolicyConfig,
        #[covariant]
        dependent: Lists,
    }
);

self_cell::self_cell!(
    struct PolicyCell {
        owner: ListsCell,
        #[covariant]
        dependent: OwnedCapacityPolicy,
    }
);

/// A validated policy that owns its configuration: `'static`, `Send` and
/// `Sync`, for servers that load or swap policies at run time. It holds up
/// to [`OWNED_CAPACITY`] origin patterns.
pub struct OwnedPolicy {
    cell: PolicyCell,
}

impl OwnedPolicy {
    /// Validates `config` and builds the policy.
    ///
    /// # Errors
    ///
    /// Every problem, as [`InvalidPolicy`].
    pub fn new(config: PolicyConfig) -> Result<Self, InvalidPolicy> {
        let lists = ListsCell::new(config, |c| c.lists());
        let cell = PolicyCell::try_new(lists, |l| {
            l.borrow_dependent()
                .builder()
                .build_with_capacity::<OWNED_CAPACITY>()
                .map_err(|e| InvalidPolicy {
                    errors: e.iter().map(|e| e.to_string()).collect(),
                })
        })?;
        Ok(OwnedPolicy { cell })
    }

    /// The policy, to pass to [`cors_policy::evaluate`].
    pub fn policy(&self) -> &Policy<'_, OWNED_CAPACITY> {
        self.cell.borrow_dependent()
    }

    /// The configuration it was built from.
    pub fn config(&self) -> &PolicyConfig {
        self.cell.borrow_owner().borrow_owner()
    }
}

impl fmt::Debug for OwnedPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OwnedPolicy")
            .field("config", self.config())
            .finish()
    }
}

impl TryFrom<PolicyConfig> for OwnedPolicy {
    type Error = InvalidPolicy;
    fn try_from(config: PolicyConfig) -> Result<Self, InvalidPolicy> {
        OwnedPolicy::new(config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_field_is_named() {
        let e = PolicyConfig::from_json_str("{\"allowed_origin\": \"*\"}").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("allowed_origin"), "{msg}");
        assert!(msg.starts_with("<json>:1:"), "{msg}");
    }

    #[test]
    fn toml_error_has_position() {
        let e = PolicyConfig::from_toml_str("allowed_origins = [\"a\"]\nmax_age = \"x\"\n")
            .unwrap_err();
        assert!(e.to_string().starts_with("<toml>:2:"), "{e}");
    }

    #[test]
    fn defaults_are_safe() {
        let c =
            PolicyConfig::from_json_str(r#"{"allowed_origins": ["https://a.example"]}"#).unwrap();
        let p = c.build().unwrap();
        let p = p.policy();
        assert!(!p.allows_credentials());
        assert!(p.allowed_methods().is_empty());
        assert!(p.allowed_headers().is_empty());
        assert_eq!(p.max_age(), None);
        assert!(!p.allows_private_network());
    }

    #[test]
    fn invalid_lists_every_problem() {
        let c = PolicyConfig::from_json_str(
            r#"{"allowed_origins": "*", "allow_credentials": true, "allowed_methods": ["TRACE"], "max_age": 90000}"#,
        )
        .unwrap();
        let e = c.build().unwrap_err();
        assert_eq!(e.errors.len(), 3, "{e}");
    }

    #[test]
    fn env_lists_and_star() {
        let vars = [
            ("CORS_ALLOWED_ORIGINS", "*"),
            ("CORS_ALLOWED_METHODS", "GET, PUT"),
            ("CORS_ALLOW_CREDENTIALS", "false"),
            ("OTHER", "x"),
        ];
        let c = PolicyConfig::from_vars("CORS_", vars.map(|(k, v)| (k.into(), v.into()))).unwrap();
        assert!(c.allowed_origins.is_star());
        assert_eq!(c.allowed_methods.items(), ["GET", "PUT"]);
        let bad =
            PolicyConfig::from_vars("CORS_", [("CORS_MAX_AGE".into(), "soon".into())]).unwrap_err();
        assert!(bad.to_string().contains("CORS_MAX_AGE"));
    }

    #[test]
    fn owned_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<OwnedPolicy>();
    }
}
