//! The no-panic proof. Built in release (`--profile proof`) with the core's
//! `no-panic` feature, this program links `evaluate`, `evaluate_with` and
//! the request parsers, each wrapped by `#[no_panic]`: a wrapper whose
//! unwinding path calls an undefined symbol. The link succeeds only if the
//! optimiser removed every such path, i.e. proved no input can panic.
//!
//! The request comes from standard input and the policy is chosen at run
//! time, so nothing about either is known when the program is compiled.
//! Running it evaluates the request and prints the answer's kind.

use std::io::Read;

use cors_policy::{Options, Policy, PolicyBuilder, Request, evaluate, evaluate_with};

static LISTED: Policy<'static> = match PolicyBuilder::new()
    .allow_origins(&[
        "https://app.example",
        "https://*.app.example",
        "http://localhost:*",
        "https://*.b.example:*",
        "null",
    ])
    .allow_credentials(true)
    // `null` with credentials, so that its path is in the proof too.
    .dangerously_allow_insecure_origins(true)
    .allow_methods(&["PUT", "patch", "*"])
    .allow_headers(&["content-type", "authorization", "*"])
    .expose_headers(&["x-request-id"])
    .max_age(600)
    .allow_private_network(true)
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid policy"),
};

static ANY: Policy<'static> = match PolicyBuilder::new()
    .allow_any_origin()
    .allow_methods(&["PUT"])
    .allow_headers(&["x-a"])
    .build()
{
    Ok(p) => p,
    Err(_) => panic!("invalid policy"),
};

fn main() {
    let mut input = Vec::new();
    if std::io::stdin().read_to_end(&mut input).is_err() {
        std::process::exit(2);
    }
    // One field line per input line: `name:value`; the first line is the method.
    let mut lines = input.split(|&b| b == b'\n');
    let method = lines.next().unwrap_or_default();
    let pairs: Vec<(&[u8], &[u8])> = lines
        .map(|l| {
            let colon = l.iter().position(|&b| b == b':').unwrap_or(l.len());
            let (name, value) = l.split_at(colon);
            (name, value.get(1..).unwrap_or_default())
        })
        .collect();
    let policy = std::hint::black_box(if method.first() == Some(&b'*') {
        &ANY
    } else {
        &LISTED
    });
    let request = Request::from_pairs(method, &pairs);
    let decision = evaluate(policy, &request);
    println!("{} {}", decision.kind(), decision.headers().count());
    // `evaluate_with` with a caller's closure and debug mode, both chosen at
    // run time.
    let tenant = pairs.last().map(|(_, v)| *v).unwrap_or_default();
    let check = |origin: &[u8]| origin == tenant;
    let options = Options {
        origin_check: std::hint::black_box(Some(&check)),
        debug: std::hint::black_box(method.len() % 2 == 0),
    };
    let decision = evaluate_with(policy, &request, &options);
    println!("{} {}", decision.kind(), decision.headers().count());
}
