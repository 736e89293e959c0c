//! `cors-policy check`: evaluates one request and explains the answer.

use std::io::{self, Write};
use std::path::PathBuf;

use crate::load::Source;

use cors_policy::{Decision, Options, PairLines, Refusal, Request, RequestKind, evaluate_with};
use cors_policy_config::PolicyConfig;
use serde::Serialize;

use crate::explain::explain;
use crate::load::{self, RequestFile};
use crate::problems::{self, JsonInvalid, Loaded};

/// What `check` was asked.
#[derive(Debug)]
pub struct CheckInput {
    /// The policy: a file, or the `CORS_*` variables.
    pub policy: Source,
    /// The request file, or `None` for `method` and `headers`.
    pub request: Option<PathBuf>,
    /// `--method`.
    pub method: Option<String>,
    /// `-H` headers.
    pub headers: Vec<(String, String)>,
    /// `--json`.
    pub json: bool,
    /// `--debug`.
    pub debug: bool,
    /// `--exit-code`: exit 1 when the request is refused.
    pub exit_code: bool,
}

/// Parses `-H 'Name: value'` like curl: the name up to the first colon,
/// the value after it without leading spaces or tabs.
pub fn parse_header_arg(arg: &str) -> Result<(String, String), String> {
    let Some((name, value)) = arg.split_once(':') else {
        return Err(format!("expected 'Name: value', got {arg:?}"));
    };
    let valid_name = !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    if !valid_name {
        return Err(format!("{name:?} is not a header name"));
    }
    Ok((
        name.to_string(),
        value.trim_start_matches([' ', '\t']).to_string(),
    ))
}

/// The `--json` answer; the field order is part of the interface.
#[derive(Serialize)]
struct JsonAnswer<'a> {
    kind: &'static str,
    allowed: bool,
    status: Option<u16>,
    headers: Vec<(&'static str, String)>,
    vary: &'a [&'static str],
    reason: Option<String>,
}

pub(crate) type PairDecision<'p, 'r> = Decision<'p, 'r, PairLines<'r, String, String>>;

/// Runs `check`, writing the answer to `out`; returns the exit code.
pub fn run(input: &CheckInput, out: &mut dyn Write) -> u8 {
    let (config, owned) = match problems::load(&input.policy) {
        Loaded::Ready(ready) => *ready,
        Loaded::Unreadable(line) => {
            eprintln!("{line}");
            return 2;
        }
        Loaded::Invalid(invalid) => {
            let written = if input.json {
                write_json(out, &JsonInvalid::new(&invalid))
            } else {
                out.write_all(problems::human(&input.policy, &invalid).as_bytes())
            };
            report_write_error(written);
            return 2;
        }
    };
    let request = match &input.request {
        Some(path) => match load::read_request(path) {
            Ok(r) => r,
            Err(line) => {
                eprintln!("{line}");
                return 2;
            }
        },
        None => RequestFile {
            method: input.method.clone().unwrap_or_default(),
            headers: input.headers.clone(),
        },
    };
    let req = Request::from_pairs(request.method.as_bytes(), &request.headers);
    let options = Options {
        origin_check: None,
        debug: input.debug,
    };
    let decision = evaluate_with(owned.policy(), &req, &options);
    let written = if input.json {
        write_json(out, &json_answer(&decision))
    } else {
        out.write_all(human(&decision, &request, &config, input.debug).as_bytes())
    };
    report_write_error(written);
    if input.exit_code && decision.refusal().is_some() {
        1
    } else {
        0
    }
}

fn report_write_error(result: io::Result<()>) {
    // A closed pipe is the reader's choice; anything else is worth a line.
    if let Err(e) = result
        && e.kind() != io::ErrorKind::BrokenPipe
    {
        eprintln!("cannot write the answer: {e}");
    }
}

fn write_json(out: &mut dyn Write, value: &impl Serialize) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

pub(crate) fn header_list(decision: &PairDecision<'_, '_>) -> Vec<(&'static str, String)> {
    decision
        .headers()
        .map(|(h, v)| (h.as_str(), String::from_utf8_lossy(v).into_owned()))
        .collect()
}

fn json_answer<'a>(decision: &'a PairDecision<'_, '_>) -> JsonAnswer<'a> {
    JsonAnswer {
        kind: decision.kind().as_str(),
        allowed: decision.is_allowed(),
        status: decision.preflight_status(),
        headers: header_list(decision),
        vary: decision.vary(),
        reason: decision.refusal().map(|r| r.to_string()),
    }
}

/// Shows a header value, escaping control characters.
fn shown(value: &str) -> String {
    if value.chars().any(char::is_control) {
        format!("{value:?}")
    } else {
        value.to_string()
    }
}

fn has_header(request: &RequestFile, name: &str) -> bool {
    request
        .headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// Why the request was classified as it was (Fetch, "HTTP requests").
fn kind_line(kind: RequestKind, request: &RequestFile) -> String {
    let acrm = has_header(request, "access-control-request-method");
    let options = request.method == "OPTIONS";
    match kind {
        RequestKind::NotCors if options && acrm => "not_cors: no Origin header, so this OPTIONS is not a preflight and not a CORS request; the application answers it.".into(),
        RequestKind::NotCors => "not_cors: no Origin header, so this is not a CORS request; the application answers it.".into(),
        RequestKind::Actual if acrm && request.method.eq_ignore_ascii_case("OPTIONS") && !options => format!(
            "actual: the method is \"{}\", not exactly \"OPTIONS\" (methods are case-sensitive), so this is not a preflight but a CORS request the application answers.",
            request.method
        ),
        RequestKind::Actual if options => "actual: OPTIONS without Access-Control-Request-Method is not a preflight but a CORS request the application answers.".into(),
        RequestKind::Actual => "actual: a CORS request (Origin present, not a preflight); the application answers it.".into(),
        RequestKind::Preflight => "preflight: OPTIONS with Origin and Access-Control-Request-Method; the CORS layer answers it and the application is not called.".into(),
    }
}

fn answer_line(decision: &PairDecision<'_, '_>, refusal: Option<&Refusal<'_>>) -> String {
    let code = refusal.map_or("", |r| r.code());
    match (decision.kind(), refusal, decision.preflight_status()) {
        (RequestKind::NotCors, _, _) => {
            "not a CORS decision: the application answers as usual, with the headers below added.".into()
        }
        (RequestKind::Actual, None, _) => {
            "allowed: the application answers as usual, with the headers below added; the page can read the response.".into()
        }
        (RequestKind::Actual, Some(_), _) => format!(
            "refused ({code}): the application still runs and answers (CORS is not access control), but without CORS headers, so the browser hides the response from the page."
        ),
        (RequestKind::Preflight, None, _) => {
            "allowed: answer 204 No Content with the headers below; the browser then sends the actual request.".into()
        }
        (RequestKind::Preflight, Some(_), Some(204)) => format!(
            "refused ({code}), but debug mode answers 204 with the headers computed so far, so the browser's console names the method or header at fault. Never enable debug mode in production: it tells allowed origins what passes."
        ),
        (RequestKind::Preflight, Some(_), status) => format!(
            "refused ({code}): answer {} with no CORS header; the browser does not send the actual request.",
            status.unwrap_or(403)
        ),
    }
}

/// The human explanation of a decision.
pub(crate) fn human(
    decision: &PairDecision<'_, '_>,
    request: &RequestFile,
    config: &PolicyConfig,
    debug: bool,
) -> String {
    let mut s = String::new();
    s.push_str(&format!("Request:  {}\n", shown(&request.method)));
    for (name, value) in &request.headers {
        s.push_str(&format!("  {name}: {}\n", shown(value)));
    }
    if debug {
        s.push_str("Mode:     debug (Options { debug: true })\n");
    }
    s.push_str(&format!(
        "\nKind:     {}\n",
        kind_line(decision.kind(), request)
    ));
    let refusal = decision.refusal();
    s.push_str(&format!(
        "Answer:   {}\n",
        answer_line(decision, refusal.as_ref())
    ));
    if let Some(r) = &refusal {
        let e = explain(r, config);
        s.push_str(&format!("Reason:   {r}\n"));
        s.push_str(&format!("Why:      {}\n", e.why));
        s.push_str(&format!("Fix:      {}\n", e.fix));
    }
    let headers = header_list(decision);
    s.push_str("\nCORS response headers:\n");
    if headers.is_empty() {
        s.push_str("  (none)\n");
    }
    for (name, value) in &headers {
        s.push_str(&format!("  {name}: {}\n", shown(value)));
    }
    if decision.vary().is_empty() {
        s.push_str("Vary:     (nothing to add: the answer does not depend on request headers)\n");
    } else {
        s.push_str(&format!(
            "Vary:     {}\n          (merge into the response's Vary, so shared caches keep answers apart)\n",
            decision.vary().join(", ")
        ));
    }
    if decision.is_allowed() && decision.kind() != RequestKind::NotCors {
        if config.allow_credentials {
            s.push_str("\nNote:     credentials are allowed: the page may send cookies (fetch credentials: \"include\").\n");
        } else if decision.allow_origin() == Some(b"*") {
            s.push_str("\nNote:     Access-Control-Allow-Origin is *: a page sending cookies (credentials: \"include\") is refused by the browser; such pages need listed origins and allow_credentials.\n");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_args() {
        assert_eq!(
            parse_header_arg("Origin:  https://a.example").unwrap(),
            ("Origin".into(), "https://a.example".into())
        );
        assert_eq!(
            parse_header_arg("X-Empty:").unwrap(),
            ("X-Empty".into(), String::new())
        );
        assert!(parse_header_arg("no colon").is_err());
        assert!(parse_header_arg(": value").is_err());
        assert!(parse_header_arg("Bad Name: v").is_err());
    }
}
