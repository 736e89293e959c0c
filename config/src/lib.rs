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
//! private-network access, no dangerous opt-in. A policy is one object with
//! named fields: an unknown field is an error naming the closest known one,
//! and a value of the wrong type an error naming its field and what it
//! accepts. Every problem is reported together, each as data (a stable
//! code, the field, the entry's index and text): see [`Problem`].
//!
//! ```
//! use cors_policy_config::PolicyConfig;
//! let err = PolicyConfig::from_json_str(r#"{
//!     "allowed_origins": ["https://*.com", "null"],
//!     "allow_credentials": true,
//!     "max_age": -1
//! }"#).unwrap().build().unwrap_err();
//! let codes: Vec<&str> = err.iter().map(|p| p.code()).collect();
//! assert_eq!(codes, ["max_age_negative", "public_suffix_wildcard", "null_origin_with_credentials"]);
//! assert_eq!(err.problems()[1].opt_in(), Some("dangerously_allow_public_suffix_wildcards"));
//! ```
//!
//! Files are read only when they are regular files of at most
//! [`MAX_POLICY_FILE_LEN`] bytes; an invalid policy keeps its first
//! [`MAX_REPORTED_PROBLEMS`] problems and counts the rest.
//!
//! The Public Suffix List (which refuses `https://*.com` unless
//! `dangerously_allow_public_suffix_wildcards` is set) is always on here:
//! the core's `public-suffix-list` feature, with the list of
//! [`cors_policy::PUBLIC_SUFFIX_LIST_SOURCE`].
//!
//! # Environment variables
//!
//! [`PolicyConfig::from_env`] reads `CORS_ALLOWED_ORIGINS`,
//! `CORS_ALLOW_CREDENTIALS`, `CORS_ALLOWED_METHODS`, `CORS_ALLOWED_HEADERS`,
//! `CORS_EXPOSE_HEADERS`, `CORS_MAX_AGE`, `CORS_ALLOW_PRIVATE_NETWORK`,
//! `CORS_DANGEROUSLY_ALLOW_PUBLIC_SUFFIX_WILDCARDS` and
//! `CORS_DANGEROUSLY_ALLOW_INSECURE_ORIGINS`, and nothing else. Lists are
//! comma-separated (`https://a.example,https://b.example`) or `*`; booleans
//! are `true` or `false` (`1`/`0`, `yes`/`no`, empty for false); an unset
//! variable takes the default. Another variable starting with `CORS_` is an
//! error naming the closest known one (`CORS_ALLOWED_ORIGIN`: did you mean
//! `CORS_ALLOWED_ORIGINS`?); a value of ours that is not UTF-8 is an error
//! naming the variable; other variables are never read.

use std::ffi::OsString;
use std::fmt;
use std::path::Path;

#[cfg(feature = "watch")]
pub mod watch;

use cors_policy::{MAX_MAX_AGE, Policy, PolicyBuilder};
use serde::{Deserialize, Deserializer, Serialize};

mod env;
mod problem;
mod read;

pub use problem::{
    ConfigError, InvalidPolicy, Location, MAX_REPORTED_PROBLEMS, Problem, SyntaxError,
};
pub use read::{FIELDS, MAX_POLICY_FILE_LEN};

/// Capacity in origin patterns of an [`OwnedPolicy`] unless told otherwise.
pub const OWNED_CAPACITY: usize = 1024;

/// `"*"` or a list of strings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
}

/// A policy as written in a file or the environment (docs/behaviour.md §2).
///
/// It is read by [`from_path`](Self::from_path), [`from_json_str`](Self::from_json_str),
/// [`from_toml_str`](Self::from_toml_str), [`from_env`](Self::from_env) and
/// [`from_vars`](Self::from_vars), which accept one object with named
/// fields and nothing else, and report every problem of the policy together
/// ([`ConfigError::Invalid`]); or through `serde` inside a larger
/// configuration (the same rules, in one message).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PolicyConfig {
    /// `"*"` or a list of origin patterns (`["*"]` means `"*"`).
    pub allowed_origins: StarOrList,
    /// Send `Access-Control-Allow-Credentials: true`.
    pub allow_credentials: bool,
    /// `"*"` or a list of methods.
    pub allowed_methods: StarOrList,
    /// A list of request-header names, which may contain `"*"`.
    pub allowed_headers: StarOrList,
    /// A list of response-header names, or `"*"`.
    pub expose_headers: StarOrList,
    /// Seconds for `Access-Control-Max-Age`; absent or null: none. Read as
    /// any whole number, so that a negative or huge value is reported as a
    /// problem of the policy like any other (`0` disables caching).
    pub max_age: Option<i64>,
    /// Grant Private Network Access.
    pub allow_private_network: bool,
    /// Accept subdomain wildcards over public suffixes (see
    /// [`PolicyBuilder::dangerously_allow_public_suffix_wildcards`]).
    pub dangerously_allow_public_suffix_wildcards: bool,
    /// Accept `null` and non-loopback `http://` origins with credentials
    /// (see [`PolicyBuilder::dangerously_allow_insecure_origins`]).
    pub dangerously_allow_insecure_origins: bool,
}

impl<'de> Deserialize<'de> for PolicyConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        read::deserialize(d)
    }
}

impl PolicyConfig {
    /// Parses a JSON policy: one object with named fields.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Syntax`] with the position, [`ConfigError::NotAnObject`],
    /// or [`ConfigError::Invalid`] listing every problem (values of the
    /// wrong type, unknown fields, and the policy's own problems).
    pub fn from_json_str(text: &str) -> Result<Self, ConfigError> {
        read::json(text, "<json>")
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
    /// [`ConfigError::Syntax`] with the position, or [`ConfigError::Invalid`].
    pub fn from_toml_str(text: &str) -> Result<Self, ConfigError> {
        read::toml(text, "<toml>")
    }

    /// Reads a `.json` or `.toml` file: a regular file of at most
    /// [`MAX_POLICY_FILE_LEN`] bytes.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownFormat`], [`ConfigError::NotAFile`] (a FIFO,
    /// `/dev/zero`, a directory), [`ConfigError::TooLarge`],
    /// [`ConfigError::Io`], or the errors of parsing, each naming the file.
    pub fn from_path(path: impl AsRef<Path>) -> Result<Self, ConfigError> {
        let path = path.as_ref();
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        if !matches!(ext.as_deref(), Some("json" | "toml")) {
            return Err(ConfigError::UnknownFormat {
                path: path.to_path_buf(),
            });
        }
        let text = read::read_file(path)?;
        let name = path.display().to_string();
        match ext.as_deref() {
            Some("json") => read::json(&text, &name),
            _ => read::toml(&text, &name),
        }
    }

    /// Reads the `CORS_*` environment variables (see the crate docs). Only
    /// their values are read: other variables may hold anything.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] listing every problem: a value that cannot
    /// be read (naming the variable and what it accepts, or that it is not
    /// UTF-8), a `CORS_` variable that is not one of ours (naming the
    /// closest one), and the policy's own problems.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_env_prefix("CORS_")
    }

    /// Like [`from_env`](Self::from_env), with another prefix (`APP_CORS_`).
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_env_prefix(prefix: &str) -> Result<Self, ConfigError> {
        let vars = std::env::vars_os().filter_map(|(name, value)| {
            // Names are compared as bytes: a name that is not UTF-8 cannot
            // be ours, and an unrelated value is never looked at.
            let name_bytes = name.as_encoded_bytes();
            if !name_bytes.starts_with(prefix.as_bytes()) {
                return None;
            }
            let name = name.to_string_lossy().into_owned();
            Some((name, value.into_string()))
        });
        env::read(prefix, vars)
    }

    /// Reads variables named `PREFIX` + `ALLOWED_ORIGINS` and so on from
    /// `vars`, for other prefixes and for tests; names without the prefix
    /// are ignored.
    ///
    /// ```
    /// use cors_policy_config::PolicyConfig;
    /// let vars = [
    ///     ("APP_CORS_ALLOWED_ORIGINS", "https://a.example, https://b.example"),
    ///     ("APP_CORS_MAX_AGE", "600"),
    /// ];
    /// let c = PolicyConfig::from_vars("APP_CORS_", vars.map(|(k, v)| (k.to_string(), v.to_string()))).unwrap();
    /// assert_eq!(c.allowed_origins.items(), ["https://a.example", "https://b.example"]);
    ///
    /// // A misspelt variable is an error naming the right one.
    /// let typo = [("APP_CORS_ALLOWED_ORIGIN".to_string(), "https://a.example".to_string())];
    /// let err = PolicyConfig::from_vars("APP_CORS_", typo).unwrap_err();
    /// let problem = &err.invalid_policy().unwrap().problems()[0];
    /// assert_eq!(problem.code(), "unknown_variable");
    /// assert_eq!(problem.suggestion(), Some("allowed_origins"));
    /// ```
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_vars(
        prefix: &str,
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        env::read(prefix, vars.into_iter().map(|(k, v)| (k, Ok(v))))
    }

    /// Like [`from_vars`](Self::from_vars) over raw values, as
    /// [`std::env::vars_os`] gives them; a value of ours that is not UTF-8
    /// is an error naming the variable.
    ///
    /// # Errors
    ///
    /// As [`from_env`](Self::from_env).
    pub fn from_vars_os(
        prefix: &str,
        vars: impl IntoIterator<Item = (OsString, OsString)>,
    ) -> Result<Self, ConfigError> {
        env::read(
            prefix,
            vars.into_iter().filter_map(|(name, value)| {
                if !name.as_encoded_bytes().starts_with(prefix.as_bytes()) {
                    return None;
                }
                Some((name.to_string_lossy().into_owned(), value.into_string()))
            }),
        )
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
            max_age: self.max_age.and_then(|a| u32::try_from(a).ok()),
            private_network: self.allow_private_network,
            public_suffix_wildcards: self.dangerously_allow_public_suffix_wildcards,
            insecure_origins: self.dangerously_allow_insecure_origins,
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

    /// Checks the configuration as [`build`](Self::build) does, without
    /// building.
    ///
    /// # Errors
    ///
    /// Every problem, as [`InvalidPolicy`].
    pub fn check(&self) -> Result<(), InvalidPolicy> {
        let mut problems = InvalidPolicy::new();
        self.policy_problems(&mut problems, &[]);
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }

    /// Adds the policy's own problems to `into`: a `max_age` out of range,
    /// then the core's rules, leaving out those of the fields in `skip`.
    pub(crate) fn policy_problems(&self, into: &mut InvalidPolicy, skip: &[&str]) {
        if !skip.contains(&"max_age")
            && let Some(age) = self.max_age
        {
            if age < 0 {
                let mut p = Problem::new(
                    "max_age_negative",
                    "max_age",
                    format!(
                        "max_age {age} is negative; write 0 to disable preflight caching, or leave max_age out for the browser's default (5 s)"
                    ),
                );
                p.entry = Some(age.to_string());
                into.push(p);
            } else if u32::try_from(age).is_err() {
                let mut p = Problem::new(
                    "max_age_too_large",
                    "max_age",
                    format!(
                        "max_age {age} is above {MAX_MAX_AGE}; browsers cap it far lower (Chromium: 7200)"
                    ),
                );
                p.entry = Some(age.to_string());
                into.push(p);
            }
        }
        let lists = self.lists();
        if let Err(errors) = lists.builder().build_with_capacity::<OWNED_CAPACITY>() {
            for e in errors.iter() {
                if skip.contains(&e.field()) {
                    continue;
                }
                into.push_with(|| Problem::from_core(&e));
            }
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
    public_suffix_wildcards: bool,
    insecure_origins: bool,
}

impl<'a> Lists<'a> {
    /// The core's builder over these lists. A `max_age` out of `u32`'s range
    /// is left out (the configuration reports it).
    pub fn builder(&self) -> PolicyBuilder<'_> {
        let mut b = PolicyBuilder::new()
            .allow_credentials(self.credentials)
            .allow_methods(&self.methods)
            .allow_headers(&self.headers)
            .expose_headers(&self.expose)
            .allow_private_network(self.private_network)
            .dangerously_allow_public_suffix_wildcards(self.public_suffix_wildcards)
            .dangerously_allow_insecure_origins(self.insecure_origins);
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
        // The check the core cannot make: max_age below 0 or past u32.
        if config.max_age.is_some_and(|a| u32::try_from(a).is_err()) {
            let mut problems = InvalidPolicy::new();
            config.policy_problems(&mut problems, &[]);
            return Err(problems);
        }
        let lists = ListsCell::new(config, |c| c.lists());
        let cell = PolicyCell::try_new(lists, |l| {
            l.borrow_dependent()
                .builder()
                .build_with_capacity::<OWNED_CAPACITY>()
                .map_err(|_| {
                    let mut problems = InvalidPolicy::new();
                    l.borrow_owner().policy_problems(&mut problems, &[]);
                    problems
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

    fn codes(e: &ConfigError) -> Vec<&'static str> {
        e.invalid_policy()
            .map(|p| p.iter().map(Problem::code).collect())
            .unwrap_or_default()
    }

    #[test]
    fn unknown_field_is_named_with_the_closest_one() {
        let e = PolicyConfig::from_json_str("{\"allowed_origin\": \"*\"}").unwrap_err();
        let p = &e.invalid_policy().unwrap().problems()[0];
        assert_eq!(p.code(), "unknown_field");
        assert_eq!(p.field(), "allowed_origin");
        assert_eq!(p.suggestion(), Some("allowed_origins"));
        assert_eq!(
            p.location(),
            Some(Location {
                line: 1,
                column: 20
            })
        );
        assert!(e.to_string().starts_with("<json>: invalid CORS policy: 1:20: unknown field \"allowed_origin\"; did you mean \"allowed_origins\"?"), "{e}");
    }

    #[test]
    fn toml_errors_have_positions() {
        let e = PolicyConfig::from_toml_str("allowed_origins = [\"a\"\n").unwrap_err();
        assert!(matches!(e, ConfigError::Syntax { .. }), "{e}");
        let e = PolicyConfig::from_toml_str(
            "allowed_origins = [\"https://a.example\"]\nmax_age = \"x\"\n",
        )
        .unwrap_err();
        let p = &e.invalid_policy().unwrap().problems()[0];
        assert_eq!((p.code(), p.field()), ("wrong_type", "max_age"));
        assert_eq!(p.location().map(|l| l.line), Some(2));
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
        assert_eq!(e.total(), 3, "{e}");
        let codes: Vec<_> = e.iter().map(Problem::code).collect();
        assert_eq!(
            codes,
            [
                "any_origin_with_credentials",
                "max_age_too_large",
                "forbidden_method"
            ]
        );
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
        let bad = PolicyConfig::from_vars(
            "CORS_",
            [
                ("CORS_ALLOWED_ORIGINS".into(), "https://a.example".into()),
                ("CORS_MAX_AGE".into(), "soon".into()),
            ],
        )
        .unwrap_err();
        assert_eq!(codes(&bad), ["wrong_type"]);
        assert!(
            bad.to_string()
                .contains("CORS_MAX_AGE=\"soon\": expected a whole number"),
            "{bad}"
        );
    }

    #[test]
    fn owned_is_send_sync_static() {
        fn check<T: Send + Sync + 'static>() {}
        check::<OwnedPolicy>();
    }
}
