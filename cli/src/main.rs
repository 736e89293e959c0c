//! `cors-policy`: says exactly what a CORS policy answers to a request and
//! why (`check`), warns about valid but risky policies (`lint`), serves a
//! policy on loopback so it can be tried from a page (`serve`), judges a
//! live server as a browser would (`probe`), and explains a browser's CORS
//! console message (`why`).
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
mod listen;
mod load;
mod playground;
mod probe;
mod problems;
mod serve;
mod why;

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

--env (check, lint, why) reads the policy from the CORS_* environment
variables instead, as the servers do (cors-policy-config's from_env: the
same variables, the same errors).

Exit codes: 0 done; 1 warnings with lint --deny-warnings, a refused request
with check --exit-code, a blocked response with probe; 2 usage error,
unreadable or malformed file, invalid policy, unrecognised message (why) or
network error (probe).";

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
    /// Explain a CORS error message from the browser's console, and the fix.
    #[command(long_about = WHY_LONG, after_help = WHY_EXAMPLES)]
    Why(WhyArgs),
    /// A page, an API behind the policy and a second page origin on loopback: see what a browser does, and why.
    #[command(long_about = playground::LONG_ABOUT, after_help = playground::EXAMPLES)]
    Playground(playground::Args),
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

--exit-code exits 1 when the request is refused (for scripts and CI); without
it check exits 0 whatever the answer. --env reads the policy from the CORS_*
variables the servers read, instead of --policy FILE.

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
  cors-policy check --policy examples/policy.json --request examples/refused-preflight.json --debug
  CORS_ALLOWED_ORIGINS=https://app.example.com cors-policy check --env --exit-code \\
      --method GET -H 'Origin: https://evil.example'    # exits 1: refused";

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
  cors-policy lint --policy examples/policy.toml --deny-warnings
  CORS_ALLOWED_ORIGINS='https://*.github.io' CORS_ALLOW_CREDENTIALS=true \\
      CORS_DANGEROUSLY_ALLOW_PUBLIC_SUFFIX_WILDCARDS=true cors-policy lint --env";

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
  cors-policy serve --policy examples/policy.json --listen 127.0.0.1:8080 --watch

Then, from the console of a page on an allowed origin:
  fetch('http://127.0.0.1:8080/items', {method: 'PUT', credentials: 'include'})";

const PROBE_LONG: &str = "\
Send what a browser would to a live server (the preflight when the request
needs one, then the actual request) and report step by step what a browser
would do and why, with the fix when it fails (cors-policy-browser's probe).

For each block it prints the reason, the fix, the message Chromium shows in
the console (checked against Chromium 148 by the project's browser suite) and
Firefox's reason name (such as CORSMissingAllowOrigin). A preflight refused
without any CORS header cannot say which check failed (origin, method or
header): the report then lists the possible causes and how to tell them
apart.

http:// and https:// (rustls; certificates verified against Mozilla's roots,
or only against the PEM certificates of --cacert FILE, as curl does), HTTP/1.1,
one preflight and one request, response heads only; redirects are not
followed. Exit codes: 0 a browser lets the page read the response, 1 a browser
blocks it, 2 usage or network error (an untrusted certificate included).";

const PROBE_EXAMPLES: &str = "\
Examples:
  cors-policy probe http://127.0.0.1:8080/items --origin https://app.example.com
  cors-policy probe http://127.0.0.1:8080/items --origin https://app.example.com \\
      --method PUT -H 'Content-Type: application/json' --credentials
  cors-policy probe https://api.internal.example/items --origin https://app.example.com \\
      --cacert /etc/ssl/private-ca.pem";

const WHY_LONG: &str = "\
Explain a CORS error message pasted from the browser's console: Chromium's
\"Access to fetch at '...' from origin '...' has been blocked by CORS policy:
...\" (Chrome, Edge, Opera; also XMLHttpRequest and redirected requests) and
Firefox's \"Cross-Origin Request Blocked: The Same Origin Policy disallows
reading the remote resource at ... (Reason: ...)\". It names the failed check,
the page's origin, the URL, the method or header involved, and the fix on the
server. With --policy FILE (or --env) it evaluates the request the message
implies against that policy and says which field to change and how.

A message it does not recognise gets \"not recognised\" and exit 2. Exit
codes: 0 recognised; 2 not recognised, or an unreadable or invalid policy.";

const WHY_EXAMPLES: &str = "\
Examples:
  cors-policy why \"Access to fetch at 'https://api.example.com/items' from origin \\
'https://app.example.com' has been blocked by CORS policy: Request header field \\
x-trace is not allowed by Access-Control-Allow-Headers in preflight response.\"
  cors-policy why --policy examples/policy.json \"Access to fetch at \\
'https://api.example.com/items' from origin 'https://evil.example' has been blocked by \\
CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.\"
  CORS_ALLOWED_ORIGINS=https://app.example.com cors-policy why --env \"Cross-Origin Request Blocked: The Same Origin Policy disallows \\
reading the remote resource at https://api.example.com/items. (Reason: CORS header \\
‘Access-Control-Allow-Origin’ missing). Status code: 403.\"";

/// Arguments of `why`.
#[derive(Args, Debug)]
struct WhyArgs {
    /// The console message, as copied from the browser (quote it).
    message: String,
    /// Say which field of this policy file (.json or .toml) to change.
    #[arg(long, value_name = "FILE", conflicts_with = "env")]
    policy: Option<PathBuf>,
    /// Read the policy from the CORS_* environment variables, as the servers do.
    #[arg(long)]
    env: bool,
}

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
    /// Trust only the certificates in this PEM file for https:// (a private
    /// CA or a self-signed server), as curl's --cacert.
    #[arg(long, value_name = "FILE")]
    cacert: Option<PathBuf>,
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
    #[command(flatten)]
    options: serve::Options,
}

/// Arguments of `check`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("req").required(true).args(["request", "method"])))]
#[command(group(ArgGroup::new("source").required(true).args(["policy", "env"])))]
struct CheckArgs {
    /// The policy file (.json or .toml).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Read the policy from the CORS_* environment variables, as the servers do.
    #[arg(long)]
    env: bool,
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
    /// Exit 1 when the request is refused (0 otherwise), for scripts and CI.
    #[arg(long)]
    exit_code: bool,
}

/// Arguments of `lint`.
#[derive(Args, Debug)]
#[command(group(ArgGroup::new("source").required(true).args(["policy", "env"])))]
struct LintArgs {
    /// The policy file (.json or .toml).
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Read the policy from the CORS_* environment variables, as the servers do.
    #[arg(long)]
    env: bool,
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
                policy: load::Source::new(args.policy, args.env),
                request: args.request,
                method: args.method,
                headers: args.header,
                json: args.json,
                debug: args.debug,
                exit_code: args.exit_code,
            },
            &mut out,
        ),
        Command::Lint(args) => lint::run(
            &load::Source::new(args.policy, args.env),
            args.deny_warnings,
            &mut out,
        ),
        Command::Why(args) => {
            let policy = if args.policy.is_some() || args.env {
                let source = load::Source::new(args.policy, args.env);
                match source.read() {
                    Ok(config) => Some(why::WhyPolicy {
                        config,
                        name: source.name(),
                    }),
                    Err(line) => {
                        eprintln!("{line}");
                        return ExitCode::from(2);
                    }
                }
            } else {
                None
            };
            why::run(&args.message, policy.as_ref(), &mut out)
        }
        Command::Probe(args) => probe::run(
            &probe::ProbeArgs {
                url: args.url,
                origin: args.origin,
                method: args.method,
                headers: args.header,
                credentials: args.credentials,
                cacert: args.cacert,
            },
            &mut out,
        ),
        Command::Playground(args) => {
            drop(out);
            return ExitCode::from(playground::run(&args));
        }
        Command::Serve(args) => {
            drop(out);
            return ExitCode::from(serve::run(&args.policy, &args.listen, &args.options));
        }
    };
    // A closed pipe (`| head`) is not worth a panic or a message.
    let _ = out.flush();
    ExitCode::from(code)
}
