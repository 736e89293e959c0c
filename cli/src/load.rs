//! Where the tool reads a policy (a file or the environment, through
//! `cors-policy-config`; see `problems` for how its errors are printed),
//! and request files.

use std::path::{Path, PathBuf};

use cors_policy_config::{ConfigError, PolicyConfig};
use serde::Deserialize;

/// Where a command reads its policy: `--policy FILE`, or `--env` for the
/// `CORS_*` variables the servers read.
#[derive(Clone, Debug)]
pub enum Source {
    /// A `.json` or `.toml` file.
    File(PathBuf),
    /// The `CORS_*` environment variables, read by the servers' loader
    /// (`PolicyConfig::from_env`), with its errors.
    Env,
}

impl Source {
    /// `--policy FILE` if given, else `--env` (clap requires one of them).
    pub fn new(policy: Option<PathBuf>, env: bool) -> Source {
        match policy {
            Some(path) if !env => Source::File(path),
            _ => Source::Env,
        }
    }

    /// The name of the source in reports: the file, or the variables.
    pub fn name(&self) -> String {
        match self {
            Source::File(path) => path.display().to_string(),
            Source::Env => "the CORS_* environment variables".into(),
        }
    }

    /// Reads the policy.
    pub fn read(&self) -> Result<PolicyConfig, ConfigError> {
        match self {
            Source::File(path) => PolicyConfig::from_path(path),
            Source::Env => PolicyConfig::from_env(),
        }
    }
}

/// A request file: `{"method": "...", "headers": [["Name", "value"], ...]}`,
/// the shape of the conformance vectors' `request` objects.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestFile {
    /// The method, byte-exact.
    pub method: String,
    /// One `(name, value)` pair per field line, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
}

/// Reads a request file; the error is one line naming the file and the
/// position.
pub fn read_request(path: &Path) -> Result<RequestFile, String> {
    let name = path.display();
    // The same guards as policy files: a regular file of at most 1 MiB, so
    // that a FIFO or /dev/zero is an error, not a hang.
    let meta = std::fs::metadata(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    if !meta.is_file() {
        return Err(format!(
            "{name}: not a regular file (a directory, a pipe or a device); give a request file"
        ));
    }
    let limit = cors_policy_config::MAX_POLICY_FILE_LEN;
    if meta.len() > limit {
        return Err(format!("{name}: larger than {limit} bytes"));
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: cannot read: {e}"))?;
    serde_json::from_str(&text).map_err(|e| {
        let message = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let message = message.strip_suffix(&suffix).unwrap_or(&message);
        let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
        format!("{name}:{}:{}: {message}", e.line(), e.column())
    })
}
