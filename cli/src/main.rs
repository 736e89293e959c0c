//! `cors-policy`: says exactly what a CORS policy answers to a request and
//! why (`check`), warns about valid but risky policies (`lint`), and serves
//! a policy on loopback so it can be tried from a page (`serve`).
//!
//! Policies are JSON or TOML files (chosen by extension) with the fields of
//! the contract's §2, read by `cors-policy-config`. Exit codes: 0 done, 1
//! warnings denied by `lint --deny-warnings`, 2 usage error, unreadable or
//! malformed file, or invalid policy.

// The doc comments of the argument structs are clap's `--help` text, written
// for a terminal (`http://host[:port]/path`), not rustdoc markup.
#![allow(rustdoc::bare_urls, rustdoc::broken_intra_doc_links)]

mod check;
mod explain;
mod lint;
mod load;
mod problems;
mod serve;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Parser, Subcommand};

const ABOUT: &str = "Explain, lint and serve CORS policies (WHATWG Fetch, CORS protocol).";

const LONG_ABOUT: &str = "\
Explain, lint and serve CORS policies (WHATWG Fetch, CORS protocol).

A policy file is JSON or TOML (chosen by the extension, .json or .toml) with
these fields, each optional:

  allowed_origins        \"*\" or a list of origins: \"https://app.example\",
                         \"https://*.app.example\" (subdomains only),
                         \"http://localhost:*\" (any port), \"null\" (literal)
  allow_credentials      true or false (default false)
  allowed_methods        \"*\" or a list of methods (default: none beyond GET,
                         HEAD and POST, which always pass)
  allowed_headers        a list of request-header names, may contain \"*\"
                         (which never covers authorization); default none
  expose_headers         a list of response-header names, or \"*\"; default none
  max_age                seconds for Access-Control-Max-Age; absent or null:
                         no header (browsers then cache for 5 s)
  allow_private_network  answer Private Network Access preflights (default false)
  dangerously_allow_public_suffix_wildcards
                         accept wildcards over public suffixes (*.com,
                         *.github.io), refused otherwise (default false)
  dangerously_allow_insecure_origins
                         accept \"null\" and non-loopback http:// origins with
                         credentials, refused otherwise (default false)

Omitted fields take these safe defaults. A policy is one object with named
fields; an unknown field, or a value of the wrong type, is an error that
names the field (docs/behaviour.md). A policy file cannot hold a function: dynamic origin checks exist
only in the library API (PolicyBuilder::origin_check, Options::origin_check).

Exit codes: 0 done; 1 warnings with lint --deny-warnings; 2 usage error,
unreadable or malformed file, or invalid policy.";

/// The command line.
#[derive(Parser, Debug)]
#[command(name = "cors-policy", version, about = ABOUT, long_about = LONG_ABOUT)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Evaluate one request against a policy and explain the answer.
    #[command(
        long_about = CHECK_LONG,
        after_help = CHECK_EXAMPLES
    )]
    Check(CheckArgs),
    /// Report errors and risky settings in a policy file.
    #[command(long_about = LINT_LONG, after_help = LINT_EXAMPLES)]
    Lint(LintArgs),
    /// Serve the policy on a loopback address, to try it from a page.
    #[command(long_about = SERVE_LONG, after_help = SERVE_EXAMPLES)]
    Serve(ServeArgs),
    /// Send what a browser would to a live server and say whether a page could read the answer.
    #[command(long_about = PROBE_LONG, after_help = PROBE_EXAMPLES)]
    Probe(ProbeArgs),
}

const CHECK_LONG: &str = "\
Evaluate one request against a policy and explain the answer: the kind of
request (preflight, actual, not_cors), whether it is allowed, the CORS
headers the server sends, the Vary tokens, and for a refusal why and what to
change in the policy.

The request is a JSON file {\"method\": \"OPTIONS\", \"headers\": [[\"Origin\",
\"https://app.example\"], ...]} or is given with --method and -H.

--json prints one object {\"kind\", \"allowed\", \"status\", \"headers\", \"vary\",
\"reason\"} and exits 0; for an invalid policy it prints {\"kind\":
\"invalid_policy\", \"errors\": [{\"code\", \"field\", \"index\", \"entry\",
\"message\", ...}], \"error_count\"} (the first 100 errors) and exits 2. An
unreadable or malformed file prints one line naming the file and the
position, and exits 2.

Dynamic origin checks (a function deciding on origins at run time) cannot be
written in a policy file; they exist only in the library API, so check never
consults one.";

const CHECK_EXAMPLES: &str = "\
Examples:
  cors-policy check --policy examples/policy.json --request examples/preflight.json
  cors-policy check --policy examples/policy.json --method OPTIONS \\
      -H 'Origin: https://app.example.com' -H 'Access-Control-Request-Method: PUT' \\
      -H 'Access-Control-Request-Headers: content-type'
  cors-policy check --policy examples/policy.toml --method GET -H 'Origin: https://evil.example' --json
  cors-policy check --policy examples/policy.json --request examples/refused-preflight.json --debug";

const LINT_LONG: &str = "\
Report errors (the policy would be refused: exit 2) and warnings for valid but
risky settings (exit 0, or 1 with --deny-warnings), each with its reason and
the fix.

Errors are printed as error[code] with the codes of check --json. Wildcards
over public suffixes (the Public Suffix List) and, with credentials, \"null\"
or non-loopback http:// origins are errors unless the policy sets the
dangerously_allow_* field the error names.

Warnings: \"null\" allowed; the risks a dangerously_allow_* field accepts, and
such a field that accepts nothing; max_age above Chromium's 7200 s cap; \"*\"
headers or methods with credentials (echoed, so anything passes); set-cookie
exposed; methods not written in upper case (only the all-lower-case spellings
of the six standard methods are upper-cased when the policy is built).";

const LINT_EXAMPLES: &str = "\
Examples:
  cors-policy lint --policy examples/policy.json
  cors-policy lint --policy examples/policy.toml --deny-warnings";

const SERVE_LONG: &str = "\
Serve the policy on a loopback address, to try it from a page: every path
answers any method with 200 and {\"method\": ..., \"path\": ...} (a path
ending in /error answers 500), with the headers x-request-id: 42 and
x-unexposed: 1, behind the policy (the cors-policy-tower layer). Preflights
are answered by the CORS layer.

It prints \"listening on http://ADDR\" with the bound address first, then
\"METHOD PATH STATUS\" for each request. Only loopback addresses are
accepted (127.0.0.1, [::1]); port 0 picks a free port. It runs until killed.";

const SERVE_EXAMPLES: &str = "\
Examples:
  cors-policy serve --policy examples/policy.json --listen 127.0.0.1:8080
  cors-policy serve --policy examples/policy.toml --listen 127.0.0.1:0

Then, from the console of a page on an allowed origin:
  fetch('http://127.0.0.1:8080/items', {method: 'PUT', credentials: 'include'})";

const PROBE_LONG: &str = "\
Send what a browser would to a live server (the preflight when the request
needs one, then the actual request) and report step by step what a browser
would do and why, with the fix when it fails (cors-policy-browser's probe).

Plain http:// over HTTP/1.1 only; redirects are not followed. Exit codes: 0 a
browser lets the page read the response, 1 a browser blocks it, 2 usage or
network error.";

const PROBE_EXAMPLES: &str = "\
Examples:
  cors-policy probe http://127.0.0.1:8080/items --origin https://app.example.com
  cors-policy probe http://127.0.0.1:8080/items --origin https://app.example.com \\
      --method PUT -H 'Content-Type: application/json' --credentials";

/// Arguments of `probe`.
#[derive(Args, Debug)]
struct ProbeArgs {
    /// The URL the page fetches (http://host[:port]/path).
    url: String,
    /// The page's origin, as browsers send it (https://app.example).
    #[arg(long, value_name = "O")]
    origin: String,
    /// The method the page uses.
    #[arg(long, value_name = "M", default_value = "GET")]
    method: String,
    /// A request header the page sets, as 'Name: value'; repeat for several.
    #[arg(short = 'H', long = "header", value_name = "'Name: value'", value_parser = check::parse_header_arg)]
    header: Vec<(String, String)>,
    /// The page includes credentials (fetch credentials: "include").
    #[arg(long)]
    credentials: bool,
}

/// Arguments of `serve`.
#[derive(Args, Debug)]
struct ServeArgs {
    /// The policy file (.json or .toml).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The loopback address and port to listen on (port 0: any free port).
    #[arg(long, value_name = "127.0.0.1:PORT")]
    listen: String,
}

/// Arguments of `check`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("req").required(true).args(["request", "method"])))]
struct CheckArgs {
    /// The policy file (.json or .toml).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// The request as JSON: {"method": "...", "headers": [["Name", "value"], ...]}.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["method", "header"])]
    request: Option<PathBuf>,
    /// The request method, byte-exact (OPTIONS for a preflight).
    #[arg(long, value_name = "M")]
    method: Option<String>,
    /// A request header, as 'Name: value'; repeat for several (or several lines of one header).
    #[arg(short = 'H', long = "header", value_name = "'Name: value'", value_parser = check::parse_header_arg)]
    header: Vec<(String, String)>,
    /// Print one JSON object instead of the explanation.
    #[arg(long)]
    json: bool,
    /// Debug mode: a refused preflight from an allowed origin is answered 204
    /// with the headers computed so far (never use it in production).
    #[arg(long)]
    debug: bool,
}

/// Arguments of `lint`.
#[derive(Args, Debug)]
struct LintArgs {
    /// The policy file (.json or .toml).
    #[arg(long, value_name = "FILE")]
    policy: PathBuf,
    /// Exit 1 when there are warnings (and no errors).
    #[arg(long)]
    deny_warnings: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let code = match cli.command {
        Command::Check(args) => check::run(
            &check::CheckInput {
                policy: args.policy,
                request: args.request,
                method: args.method,
                headers: args.header,
                json: args.json,
                debug: args.debug,
            },
            &mut out,
        ),
        Command::Lint(args) => lint::run(&args.policy, args.deny_warnings, &mut out),
        Command::Probe(args) => {
            let args = cors_policy_browser::probe::ProbeArgs {
                url: args.url,
                origin: args.origin,
                method: args.method,
                headers: args.header,
                credentials: args.credentials,
            };
            let code = cors_policy_browser::probe::run(&args, &mut out);
            u8::try_from(code).unwrap_or(2)
        }
        Command::Serve(args) => {
            drop(out);
            return ExitCode::from(serve::run(&args.policy, &args.listen));
        }
    };
    // A closed pipe (`| head`) is not worth a panic or a message.
    let _ = out.flush();
    ExitCode::from(code)
}
