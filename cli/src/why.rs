//! `cors-policy why '<console message>'`: reads a CORS error as the browser
//! printed it (Chromium's `Access to fetch at … has been blocked by CORS
//! policy: …`, Firefox's `Cross-Origin Request Blocked: …`), says which
//! check failed, for which page, URL, method or header, and how to fix it;
//! with a policy (`--policy FILE` or `--env`), which field to change.
//!
//! Recognition is `cors_policy_browser::recognise`, the inverse of the
//! messages `probe` prints, so the two agree word for word.

use std::io::Write;

use cors_policy::{PairLines, Refusal, Request, evaluate};
use cors_policy_browser::{Console, Failure, Recognised, Stage, recognise};
use cors_policy_config::PolicyConfig;

use crate::explain::explain;

/// Where the policy comes from, if any, and its name in the report.
pub struct WhyPolicy {
    /// The policy as written.
    pub config: PolicyConfig,
    /// `examples/policy.json`, or `the CORS_* environment variables`.
    pub name: String,
}

/// Runs `why`: 0 when the message was recognised, 2 when not (or the
/// policy is invalid).
pub fn run(message: &str, policy: Option<&WhyPolicy>, out: &mut dyn Write) -> u8 {
    let Some(r) = recognise(message) else {
        let _ = writeln!(
            out,
            "not recognised: this is not a CORS console message cors-policy knows.\n\
             It reads Chromium's \"Access to fetch at '…' from origin '…' has been blocked by CORS \
             policy: …\" and Firefox's \"Cross-Origin Request Blocked: … (Reason: …)\"; paste the \
             whole line from the console. Messages about Private Network Access, mixed content, \
             file:// pages or CSP are not CORS checks this tool explains.\n\
             To see what a browser does with the request: cors-policy probe URL --origin ORIGIN"
        );
        return 2;
    };
    let mut text = String::new();
    describe(&r, &mut text);
    if let Some(p) = policy {
        match against_policy(&r, p) {
            Ok(advice) => {
                text.push_str(&format!("\nWith the policy in {}:\n", p.name));
                for line in advice {
                    text.push_str(&format!("  - {line}\n"));
                }
            }
            Err(errors) => {
                let _ = out.write_all(text.as_bytes());
                let _ = writeln!(out, "\n{}: invalid policy:", p.name);
                for e in errors {
                    let _ = writeln!(out, "  - {e}");
                }
                return 2;
            }
        }
    } else {
        text.push_str(
            "\nTo be told which policy field to change: cors-policy why '<message>' --policy FILE \
             (or --env, to read the CORS_* variables a server reads).\n",
        );
    }
    let _ = out.write_all(text.as_bytes());
    0
}

/// The check's name, what it means, and the fix on the server.
struct Meaning {
    check: &'static str,
    why: String,
    fix: String,
}

fn meaning(r: &Recognised<'_>) -> Meaning {
    let origin = r.origin.unwrap_or("the page's origin");
    match r.failure {
        Failure::MissingAllowOrigin if r.stage == Some(Stage::Preflight) => Meaning {
            check: "the preflight's CORS check (Access-Control-Allow-Origin)",
            why: "the preflight (OPTIONS) was answered without Access-Control-Allow-Origin. A server \
                  refuses an origin, a method or a request header alike by leaving out every CORS \
                  header, so the message cannot tell which check failed."
                .into(),
            fix: format!(
                "the possible causes, most likely first:\n\
                 \x20   1. the origin {origin} is not allowed;\n\
                 \x20   2. the method is not allowed (the Network panel shows it as \
                 Access-Control-Request-Method on the OPTIONS request);\n\
                 \x20   3. a request header is not allowed (Access-Control-Request-Headers);\n\
                 \x20   4. no CORS layer answered the OPTIONS request: the router (404, 405), an \
                 authentication check (401) or a redirect answered it first.\n\
                 \x20 To tell them apart: the OPTIONS request's status in the Network panel (cors-policy \
                 answers a refused preflight 403; 401, 404 and 405 point to cause 4); cors-policy \
                 check --policy FILE --method OPTIONS -H 'Origin: {origin}' -H \
                 'Access-Control-Request-Method: M' [-H 'Access-Control-Request-Headers: h'] names the \
                 refused check; or debug mode on the server (Options {{ debug: true }}), after which \
                 the console names the method or header."
            ),
        },
        Failure::MissingAllowOrigin => Meaning {
            check: "the CORS check (Access-Control-Allow-Origin)",
            why: format!(
                "the response has no Access-Control-Allow-Origin: the server does not allow {origin}, \
                 or the response did not pass through the CORS layer (an error page from a proxy or \
                 the framework, a route outside the layer, a redirect to a login page).{}",
                if r.stage.is_none() {
                    " Firefox gives this reason for a preflight refused without CORS headers too: if \
                     the Network panel shows the OPTIONS request failing, the method or a request \
                     header may be refused instead of the origin."
                } else {
                    ""
                }
            ),
            fix: format!(
                "allow {origin} (allowed_origins), and make sure every response to it carries the \
                 CORS headers, errors and redirects included."
            ),
        },
        Failure::MultipleAllowOrigin(v) => Meaning {
            check: "the CORS check (one Access-Control-Allow-Origin)",
            why: format!(
                "Access-Control-Allow-Origin holds several values{}: usually two layers both add it \
                 (a proxy such as nginx's add_header and the application, or two middlewares).",
                v.map(|v| format!(" ('{v}')")).unwrap_or_default()
            ),
            fix: "let exactly one layer send the CORS headers and remove them from the other.".into(),
        },
        Failure::InvalidAllowOrigin(v) => Meaning {
            check: "the CORS check (Access-Control-Allow-Origin)",
            why: format!(
                "Access-Control-Allow-Origin is '{v}', which is not an origin (an origin is \
                 scheme://host[:port])."
            ),
            fix: format!(
                "send the request's Origin ({origin}) byte for byte, or `*` for requests without \
                 credentials; check the configuration that produced '{v}'."
            ),
        },
        Failure::AllowOriginMismatch(v) => Meaning {
            check: "the CORS check (Access-Control-Allow-Origin)",
            why: format!(
                "Access-Control-Allow-Origin is {} but the page's origin is {origin}: the two must be \
                 equal byte for byte (scheme, host and port, no trailing slash). A hard-coded value, \
                 or a cache that kept another origin's answer (a missing Vary: Origin), sends the \
                 wrong one.",
                v.map_or("another origin".to_string(), |v| format!("'{v}'"))
            ),
            fix: format!(
                "echo the request's Origin for allowed origins (cors-policy does, with Vary: Origin), \
                 and list {origin} in allowed_origins."
            ),
        },
        Failure::WildcardOriginWithCredentials => Meaning {
            check: "the CORS check (`*` with credentials)",
            why: "the page sends credentials (fetch credentials: \"include\", or XMLHttpRequest \
                  withCredentials) and the server answered Access-Control-Allow-Origin: *, which \
                  browsers refuse for credentialed requests."
                .into(),
            fix: format!(
                "list {origin} in allowed_origins instead of \"*\" and set allow_credentials: true \
                 (the server then echoes the origin); or make the request without credentials."
            ),
        },
        Failure::AllowCredentialsNotTrue(v) => Meaning {
            check: "the CORS check (Access-Control-Allow-Credentials)",
            why: format!(
                "the page sends credentials, and Access-Control-Allow-Credentials is {}, not exactly \
                 `true`.",
                match v {
                    Some("") => "absent".to_string(),
                    Some(v) => format!("'{v}'"),
                    None => "not `true`".to_string(),
                }
            ),
            fix: "set allow_credentials: true (the header is then `true`, with the echoed origin); \
                  or make the request without credentials."
                .into(),
        },
        Failure::PreflightStatus => Meaning {
            check: "the preflight's status (200-299)",
            why: "the preflight carried the CORS headers but its status was not 2xx: something after \
                  the CORS layer (authentication, routing, a method check) answered it. Browsers never \
                  send cookies or Authorization on a preflight, so an authentication check refuses it."
                .into(),
            fix: "let the CORS layer answer preflights (OPTIONS with Access-Control-Request-Method) \
                  before authentication and routing run; cors-policy answers them 204."
                .into(),
        },
        Failure::PreflightRedirect => Meaning {
            check: "the preflight (a redirect)",
            why: "the preflight was answered with a redirect (301, 302, 303, 307 or 308), which \
                  browsers never follow for a preflight, whatever its headers say."
                .into(),
            fix: "fetch the final URL from the page: typical causes are http:// redirected to \
                  https://, a missing or extra trailing slash, a login redirect. The URL must answer \
                  the preflight itself, with a 2xx status and the CORS headers."
                .into(),
        },
        Failure::MethodNotAllowed(m) => {
            let m = m.unwrap_or("the request's method");
            Meaning {
                check: "the preflight's Access-Control-Allow-Methods",
                why: format!(
                    "the preflight's answer does not allow {m}. Methods compare byte for byte, and \
                     with credentials `*` counts only as a literal `*`."
                ),
                fix: format!(
                    "list {m} in allowed_methods, spelled exactly as the page sends it (browsers \
                     upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT)."
                ),
            }
        }
        Failure::HeaderNotAllowed(h) => Meaning {
            check: "the preflight's Access-Control-Allow-Headers",
            why: if h.eq_ignore_ascii_case("authorization") {
                "the preflight's answer does not list authorization, which only a listing by name \
                 covers (Fetch: \"CORS non-wildcard request-header name\")."
                    .into()
            } else {
                format!(
                    "the page sets the request header {h}, and the preflight's answer does not allow \
                     it (with credentials `*` counts only as a literal `*`)."
                )
            },
            fix: format!(
                "add \"{h}\" to allowed_headers (names match in any case), or stop sending it from \
                 the page."
            ),
        },
        Failure::MalformedAllowMethods(_) | Failure::MalformedAllowHeaders(_) => Meaning {
            check: "the syntax of the preflight's allow lists",
            why: "Access-Control-Allow-Methods or -Headers is not a comma-separated list of tokens \
                  (a space instead of a comma, a quoted value, an empty name)."
                .into(),
            fix: "send a comma-separated list (`GET, PUT`); cors-policy never writes another form, so \
                  a proxy or another layer wrote this one."
                .into(),
        },
        Failure::RequestFailed => Meaning {
            check: "none: the request failed before any CORS check",
            why: "Firefox could not complete the request: the server was unreachable, the TLS \
                  certificate was refused, the connection was reset, or a preflight failed (Firefox \
                  then also prints the preflight's own reason)."
                .into(),
            fix: "look for a second console message with another reason; cors-policy probe URL \
                  --origin ORIGIN shows what the server answers."
                .into(),
        },
        Failure::RedirectNotAllowed => Meaning {
            check: "a redirect of the CORS request",
            why: "the request was redirected where the browser may not follow it.".into(),
            fix: "fetch the final URL from the page directly.".into(),
        },
        _ => Meaning {
            check: "a CORS check",
            why: "the browser refused the response.".into(),
            fix: "cors-policy probe URL --origin ORIGIN shows the server's answer.".into(),
        },
    }
}

fn describe(r: &Recognised<'_>, s: &mut String) {
    let (console, where_) = match (r.console, r.stage) {
        (Console::Chromium, _) => ("Chromium's (Chrome, Edge, Opera, ...)", ""),
        (Console::Firefox, _) => ("Firefox's", ""),
    };
    s.push_str(&format!("Recognised: {console} console message{where_}.\n"));
    s.push_str(&format!(
        "  page origin: {}\n",
        r.origin
            .unwrap_or("(Firefox does not say: the page's own origin)")
    ));
    s.push_str(&format!("  URL:         {}\n", r.url));
    if let Some(from) = r.redirected_from {
        s.push_str(&format!("  redirected from: {from}\n"));
    }
    s.push_str(&format!(
        "  request:     {}\n",
        match r.stage {
            Some(Stage::Preflight) => "the preflight (OPTIONS) the browser sent first",
            Some(Stage::Response) => "the response to the request itself",
            None => "not said (the preflight, or the request itself)",
        }
    ));
    match r.failure {
        Failure::MethodNotAllowed(Some(m)) => s.push_str(&format!("  method:      {m}\n")),
        Failure::HeaderNotAllowed(h) => s.push_str(&format!("  header:      {h}\n")),
        _ => {}
    }
    if let Some(status) = r.status {
        s.push_str(&format!("  status:      {status}\n"));
    }
    let m = meaning(r);
    s.push_str(&format!("\nFailed check: {}", m.check));
    if let Some(name) = r.failure.firefox_reason() {
        s.push_str(&format!(" (Firefox: {name})"));
    }
    s.push('\n');
    s.push_str(&format!("Why:  {}\n", m.why));
    s.push_str(&format!("Fix:  {}\n", m.fix));
}

/// What the policy answers to the request the message implies, in plain
/// advice naming the field to change.
fn against_policy(r: &Recognised<'_>, p: &WhyPolicy) -> Result<Vec<String>, Vec<String>> {
    let owned = p.config.clone().build().map_err(|invalid| {
        invalid
            .iter()
            .map(|e| format!("error[{}]: {e}", e.code()))
            .collect::<Vec<_>>()
    })?;
    let policy = owned.policy();
    let config = &p.config;
    let mut advice = Vec::new();
    let Some(origin) = r.origin else {
        advice.push(
            "Firefox's message does not name the page's origin; run cors-policy check --policy \
             FILE with the request's Origin (and, for a preflight, its method and headers) to see \
             the policy's answer."
                .into(),
        );
        return Ok(advice);
    };
    let origin_allowed = policy.allows_origin(origin.as_bytes());
    // The request the policy would have seen, as far as the message says.
    let preflight = |method: &str, headers: Option<&str>| {
        let mut pairs = vec![
            ("Origin".to_string(), origin.to_string()),
            (
                "Access-Control-Request-Method".to_string(),
                method.to_string(),
            ),
        ];
        if let Some(h) = headers {
            pairs.push(("Access-Control-Request-Headers".to_string(), h.to_string()));
        }
        pairs
    };
    let refusal_of = |pairs: &[(String, String)], method: &str| -> Option<String> {
        let req: Request<'_, PairLines<'_, String, String>> =
            Request::from_pairs(method.as_bytes(), pairs);
        let decision = evaluate(policy, &req);
        decision.refusal().map(|refusal| {
            let e = explain(&refusal, config);
            format!("{} Change: {}", e.why, e.fix)
        })
    };
    let not_allowed_origin = || -> String {
        let e = explain(&Refusal::OriginNotAllowed(origin.as_bytes()), config);
        format!(
            "the policy does not allow {origin}: {} Change: {}",
            e.why, e.fix
        )
    };
    match r.failure {
        Failure::MissingAllowOrigin | Failure::AllowOriginMismatch(_) | Failure::InvalidAllowOrigin(_)
            if !origin_allowed =>
        {
            advice.push(not_allowed_origin());
        }
        Failure::MissingAllowOrigin if r.stage == Some(Stage::Preflight) => {
            advice.push(format!(
                "the policy allows {origin}, so the preflight was refused for its method or a request \
                 header (cause 2 or 3), or never reached the CORS layer (cause 4). With the method and \
                 headers from the Network panel: cors-policy check --policy FILE --method OPTIONS -H \
                 'Origin: {origin}' -H 'Access-Control-Request-Method: M' -H \
                 'Access-Control-Request-Headers: h' names the one to add."
            ));
            advice.push(format!(
                "allowed_methods is {}; allowed_headers is {}.",
                show_list(&config.allowed_methods.items()),
                show_list(&config.allowed_headers.items())
            ));
        }
        Failure::MissingAllowOrigin => advice.push(format!(
            "the policy allows {origin}, so this response did not pass through a layer running it: \
             an error page, a route outside the CORS layer, a redirect, or a deployment whose \
             configuration differs (compare with --env on the server's machine)."
        )),
        Failure::AllowOriginMismatch(_)
        | Failure::InvalidAllowOrigin(_)
        | Failure::MultipleAllowOrigin(_) => advice.push(format!(
            "the policy allows {origin} and cors-policy sends exactly one Access-Control-Allow-Origin, \
             echoing it: another layer (proxy, framework middleware, hard-coded header) wrote this \
             one. Remove it there."
        )),
        Failure::WildcardOriginWithCredentials => {
            if config.allowed_origins.is_star() {
                advice.push(format!(
                    "allowed_origins is \"*\", which never serves credentialed requests: list \
                     \"{origin}\" (and the other pages' origins) in allowed_origins and set \
                     allow_credentials: true; or make the page's request without credentials."
                ));
            } else {
                advice.push(format!(
                    "the policy lists origins, so cors-policy would echo {origin}, not `*`: another \
                     layer sent `*`."
                ));
            }
        }
        Failure::AllowCredentialsNotTrue(_) => {
            if config.allow_credentials {
                advice.push(
                    "allow_credentials is already true: another layer removed or rewrote \
                     Access-Control-Allow-Credentials."
                        .into(),
                );
            } else {
                advice.push(
                    "allow_credentials is false: set it to true (the page then reads responses with \
                     its cookies; make sure every listed origin is yours), or make the page's request \
                     without credentials."
                        .into(),
                );
            }
        }
        Failure::MethodNotAllowed(method) => {
            let m = method.unwrap_or("GET");
            match (method, refusal_of(&preflight(m, None), "OPTIONS")) {
                (Some(_), Some(refusal)) => advice.push(refusal),
                (Some(m), None) => advice.push(format!(
                    "this policy allows {m} from {origin}: the server that answered does not run it \
                     (another layer answered the preflight, or its configuration differs)."
                )),
                (None, _) => advice.push(format!(
                    "allowed_methods is {}: add the page's method, spelled as the page sends it.",
                    show_list(&config.allowed_methods.items())
                )),
            }
        }
        Failure::HeaderNotAllowed(h) => {
            // GET always passes the method check: only the header decides.
            match refusal_of(&preflight("GET", Some(h)), "OPTIONS") {
                Some(refusal) => advice.push(refusal),
                None => advice.push(format!(
                    "this policy allows the request header {h} from {origin}: the server that \
                     answered does not run it (another layer answered the preflight, or its \
                     configuration differs)."
                )),
            }
        }
        Failure::PreflightStatus | Failure::PreflightRedirect => advice.push(
            "no policy field causes this: the layer order or the URL does. cors-policy's layers \
             answer preflights 204 themselves; put them before authentication and routing."
                .into(),
        ),
        _ => advice.push(
            "no policy field causes this; cors-policy probe URL --origin ORIGIN shows the server's \
             answer."
                .into(),
        ),
    }
    Ok(advice)
}

fn show_list(items: &[&str]) -> String {
    if items.is_empty() {
        "empty".into()
    } else {
        format!(
            "[{}]",
            items
                .iter()
                .map(|i| format!("\"{i}\""))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
