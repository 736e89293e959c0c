//! `cors-policy playground`: a page, an API behind a policy, and a second
//! page origin, on three loopback ports, to see what a browser does with a
//! policy and why.
//!
//! - The page origin (`--listen`, default 127.0.0.1:8700) serves the page
//!   (plain HTML, CSS and JavaScript embedded in the binary) and its
//!   control endpoints (`/api/...`: the policy, a try's prediction, the
//!   wire record).
//! - The API origin (the next port) answers every path and method as
//!   `serve` does, behind the policy in force (the tower layer, swapped
//!   when the page changes the policy), and records each request it
//!   receives under `/try/<id>` with the headers it answered.
//! - The second page origin (the port after) serves only the small runner
//!   page that the main page frames to `fetch()` from another origin.
//!
//! With `--listen 127.0.0.1:0` the three ports are any free ones. Every
//! listener runs under the limits of `serve` (`crate::listen`). It prints
//! `listening on http://ADDR` (the page) first, the three origins, then
//! `<METHOD> <PATH> <STATUS>` for each request the API answers.

mod console;
mod copy;
mod http;
mod model;
mod record;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use cors_policy_config::{ConfigError, InvalidPolicy, OwnedPolicy, PolicyConfig};
use cors_policy_tower::{DebugSwitch, PolicyHandle};
use serde::{Deserialize, Serialize};

use crate::listen::{self, LimitArgs, Limits};

/// The default `--listen`: the page; the API and the second page take the
/// next two ports.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8700";

/// `--help`'s description.
pub const LONG_ABOUT: &str = "\
Start, on loopback, a page, an API answering under the policy, and a second
page origin (three ports: --listen's, the next one for the API, the one
after for the second page), then open the printed URL in a browser.

The page shows the policy (editable: a change is read by the same loader as
every command, and a refused one is shown with its problems while the policy
in force stays) and a request form (page origin, method, headers, body,
credentials). Send runs a real fetch() from the chosen page origin and shows
side by side: what the API received and answered (preflight included),
whether the page could read the response, the message the browser prints in
its console (predicted by the browser model), and the policy's decision with
its explanation and fix (the same text as cors-policy check); with a history
of tries, each copyable as cors-policy check and curl commands and the
policy as Rust.

Without --policy the policy allows the page's origin, GET and POST, no
credentials and no extra request header. The playground never writes the
policy file. It prints \"listening on http://ADDR\" (the page) first, the
three origins, then \"METHOD PATH STATUS\" for each request the API answers.
Only loopback addresses are accepted; port 0 picks three free ports. Each
listener has serve's limits (--header-read-timeout, --max-connections) and
refusals are logged to stderr as serve logs them. It runs until killed.";

/// `--help`'s examples.
pub const EXAMPLES: &str = "\
Examples:
  cors-policy playground                     # then open http://127.0.0.1:8700/
  cors-policy playground --policy examples/policy.json --listen 127.0.0.1:9000";

/// Arguments of `playground`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The policy to start with (.json or .toml; default: the page's origin, GET and POST).
    #[arg(long, value_name = "FILE")]
    pub policy: Option<PathBuf>,
    /// The page's loopback address; the API and the second page take the next two ports.
    #[arg(long, value_name = "127.0.0.1:PORT", default_value = DEFAULT_LISTEN)]
    pub listen: String,
    /// The connection limits of each listener (as `serve`'s).
    #[command(flatten)]
    pub limits: LimitArgs,
}

/// The longest policy text the page may send, in bytes.
pub const MAX_POLICY_TEXT: usize = 64 * 1024;

/// How a policy text is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// JSON.
    Json,
    /// TOML.
    Toml,
}

impl Format {
    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Toml => "toml",
        }
    }

    fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("toml") => Format::Toml,
            _ => Format::Json,
        }
    }
}

/// The three origins, as browsers serialize them.
#[derive(Clone, Debug, Serialize)]
pub struct Origins {
    /// The page's origin.
    pub page: String,
    /// The second page origin.
    pub second: String,
    /// The API's origin.
    pub api: String,
}

/// The policy in force.
pub struct InForce {
    /// As written (the page's editor shows it).
    pub text: String,
    /// How it is written.
    pub format: Format,
    /// As read.
    pub config: PolicyConfig,
    /// As built (the API's layer holds the same).
    pub policy: Arc<OwnedPolicy>,
    /// Counts the accepted changes, from 1.
    pub version: u64,
}

/// What the listeners share.
pub struct Shared {
    /// The origins.
    pub origins: Origins,
    /// The policy in force.
    pub in_force: Mutex<InForce>,
    /// The API layer's policy.
    pub handle: PolicyHandle,
    /// The API layer's debug mode.
    pub debug: DebugSwitch,
    /// What the API received.
    pub records: Mutex<record::Records>,
    /// The next try's number.
    pub next_try: AtomicU64,
}

/// Every problem of an invalid policy, one line each with its stable code
/// (the codes `cors-policy check` prints), its position in the editor when
/// known, and a count of those left out.
fn problem_lines(invalid: &InvalidPolicy) -> Vec<String> {
    let mut lines: Vec<String> = invalid
        .iter()
        .map(|p| match p.location() {
            Some(at) => format!(
                "error[{}]: line {}, column {}: {}",
                p.code(),
                at.line,
                at.column,
                p.message()
            ),
            None => format!("error[{}]: {}", p.code(), p.message()),
        })
        .collect();
    if invalid.omitted() > 0 {
        lines.push(format!(
            "... and {} more problem(s), {} in all",
            invalid.omitted(),
            invalid.total()
        ));
    }
    lines
}

/// Reads and builds a policy text with the loader every command uses
/// (`cors-policy-config`); the errors are lines to show.
pub fn parse(text: &str, format: Format) -> Result<(PolicyConfig, OwnedPolicy), Vec<String>> {
    let config = match format {
        Format::Json => PolicyConfig::from_json_str(text),
        Format::Toml => PolicyConfig::from_toml_str(text),
    }
    .map_err(|e: ConfigError| match e.invalid_policy() {
        Some(invalid) => problem_lines(invalid),
        None => vec![e.to_string()],
    })?;
    let policy = config.clone().build().map_err(|i| problem_lines(&i))?;
    Ok((config, policy))
}

/// The policy of a playground started without `--policy`: the page's
/// origin, GET and POST, no credentials, no extra request header; the
/// request id exposed.
pub fn default_policy(page: &str) -> String {
    format!(
        "{{\n  \"allowed_origins\": [\"{page}\"],\n  \"allow_credentials\": false,\n  \"allowed_methods\": [\"GET\", \"POST\"],\n  \"allowed_headers\": [],\n  \"expose_headers\": [\"x-request-id\"],\n  \"max_age\": 600\n}}\n"
    )
}

/// The three addresses: the page on `addr`, the API and the second page on
/// the next two ports (or any free ones for port 0).
fn addresses(addr: SocketAddr) -> Result<[SocketAddr; 3], String> {
    let port = addr.port();
    if port == 0 {
        return Ok([addr, addr, addr]);
    }
    let next = |n: u16| {
        port.checked_add(n)
            .map(|p| SocketAddr::new(addr.ip(), p))
            .ok_or_else(|| {
                format!("--listen {addr}: the playground also needs ports {port}+1 and {port}+2; use a port below 65534")
            })
    };
    Ok([addr, next(1)?, next(2)?])
}

fn origin_of(addr: SocketAddr) -> String {
    format!("http://{addr}")
}

/// Runs `playground`; returns the exit code when it cannot start (it
/// otherwise runs until killed).
pub fn run(args: &Args) -> u8 {
    let (policy_file, listen) = (args.policy.as_deref(), args.listen.as_str());
    let file = match policy_file {
        None => None,
        Some(path) => match std::fs::read_to_string(path) {
            Ok(text) => Some((path, text)),
            Err(e) => {
                eprintln!("{}: cannot read: {e}", path.display());
                return 2;
            }
        },
    };
    if let Some((path, text)) = &file
        && let Err(errors) = parse(text, Format::of_path(path))
    {
        eprintln!("{}: invalid policy: {}", path.display(), errors.join("; "));
        return 2;
    }
    let addr = match listen::loopback_addr(listen, "playground") {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    let addrs = match addresses(addr) {
        Ok(a) => a,
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    let limits = match Limits::new(&args.limits) {
        Ok(l) => l,
        Err(message) => {
            eprintln!("{message}");
            return 2;
        }
    };
    crate::serve::init_logging();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the runtime: {e}");
            return 1;
        }
    };
    runtime.block_on(start(
        addrs,
        file.map(|(p, t)| (Format::of_path(p), t)),
        limits,
    ))
}

async fn start(addrs: [SocketAddr; 3], file: Option<(Format, String)>, limits: Limits) -> u8 {
    let [page_addr, api_addr, second_addr] = addrs;
    let mut bound = Vec::new();
    for addr in [page_addr, api_addr, second_addr] {
        match listen::bind(addr).await {
            Ok(l) => bound.push(l),
            Err(message) => {
                eprintln!("{message}");
                return 1;
            }
        }
    }
    let (Some((second, second_at)), Some((api, api_at)), Some((page, page_at))) =
        (bound.pop(), bound.pop(), bound.pop())
    else {
        return 1;
    };
    let origins = Origins {
        page: origin_of(page_at),
        second: origin_of(second_at),
        api: origin_of(api_at),
    };
    let (format, text) = file.unwrap_or_else(|| (Format::Json, default_policy(&origins.page)));
    let (config, policy) = match parse(&text, format) {
        Ok(p) => p,
        Err(errors) => {
            eprintln!("invalid policy: {}", errors.join("; "));
            return 2;
        }
    };
    let policy = Arc::new(policy);
    let handle = PolicyHandle::new(Arc::clone(&policy));
    let shared = Arc::new(Shared {
        origins: origins.clone(),
        in_force: Mutex::new(InForce {
            text,
            format,
            config,
            policy,
            version: 1,
        }),
        handle,
        debug: DebugSwitch::new(false),
        records: Mutex::new(record::Records::default()),
        next_try: AtomicU64::new(1),
    });
    crate::serve::say(&format!("listening on {}", origins.page));
    crate::serve::say(&format!(
        "page origin:        {}/ (open it in a browser)",
        origins.page
    ));
    crate::serve::say(&format!("API origin:         {}", origins.api));
    crate::serve::say(&format!(
        "second page origin: {} (for a page on another origin)",
        origins.second
    ));
    let assets = Arc::new(http::Assets::new(&origins));
    tokio::spawn(listen::serve_connections(
        page,
        limits,
        http::page_service(Arc::clone(&shared), Arc::clone(&assets), http::Which::Main),
    ));
    tokio::spawn(listen::serve_connections(
        second,
        limits,
        http::page_service(Arc::clone(&shared), assets, http::Which::Second),
    ));
    listen::serve_connections(api, limits, http::api_service(shared)).await;
    1
}

#[cfg(test)]
mod tests;
