//! Plain words for a refusal: why the request was refused and what to
//! change, in the policy or elsewhere.

use cors_policy::{MethodDefect, OriginDefect, Refusal};
use cors_policy_config::PolicyConfig;

/// Why a request was refused, and what to change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// Why, in plain words.
    pub why: String,
    /// What to change.
    pub fix: String,
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}

/// Explains `refusal` under the policy written as `config`.
pub fn explain(refusal: &Refusal<'_>, config: &PolicyConfig) -> Explanation {
    match *refusal {
        Refusal::OriginNotAllowed(o) => origin_not_allowed(&text(o), config),
        Refusal::OriginMalformed(defect) => {
            let what = match defect {
                OriginDefect::MultipleLines => "the request has more than one Origin field line",
                OriginDefect::Empty => "the Origin header is empty",
                OriginDefect::List => "the Origin header is a comma-separated list",
                OriginDefect::NotVisibleAscii => {
                    "the Origin header has bytes that are not visible ASCII"
                }
                _ => "the Origin header is malformed",
            };
            Explanation {
                why: format!(
                    "{what}. A browser sends exactly one serialised origin (Fetch, \"Origin header\"), so this request did not come from a browser as written, or a proxy changed it."
                ),
                fix: "nothing in the policy: fix the client or the proxy that sends this Origin."
                    .into(),
            }
        }
        Refusal::MethodMalformed(defect) => {
            let what = match defect {
                MethodDefect::MultipleLines => {
                    "there is more than one Access-Control-Request-Method field line"
                }
                MethodDefect::Empty => "Access-Control-Request-Method is empty",
                MethodDefect::NotAToken => {
                    "Access-Control-Request-Method is not a method token (RFC 9110 §9.1)"
                }
                _ => "Access-Control-Request-Method is malformed",
            };
            Explanation {
                why: format!(
                    "{what}. A browser's preflight carries exactly one method (Fetch, \"CORS-preflight request\")."
                ),
                fix: "nothing in the policy: fix the client or the proxy that sends this header."
                    .into(),
            }
        }
        Refusal::MethodForbidden(m) => Explanation {
            why: format!(
                "the preflight asks for \"{}\", a forbidden method (Fetch, \"forbidden method\": CONNECT, TRACE, TRACK) that browsers never let a page send.",
                text(m)
            ),
            fix: "nothing: no policy can allow it. Use another method.".into(),
        },
        Refusal::MethodNotAllowed(m) => method_not_allowed(&text(m), config),
        Refusal::HeaderMalformed(h) => Explanation {
            why: format!(
                "Access-Control-Request-Headers holds \"{}\", which is not a header name (a token, RFC 9110 §5.6.2); browsers never send that.",
                text(h)
            ),
            fix: "nothing in the policy: fix the client or the proxy that sends this header."
                .into(),
        },
        Refusal::HeaderNotAllowed(h) => header_not_allowed(&text(h), config),
        _ => Explanation {
            why: refusal.to_string(),
            fix: "see the refusal code in the core's documentation.".into(),
        },
    }
}

/// Splits `scheme://host[:port]` (or a pattern) into its three parts.
fn split_origin(origin: &str) -> Option<(&str, &str, Option<&str>)> {
    let (scheme, rest) = origin.split_once("://")?;
    // An IPv6 host is bracketed and holds colons.
    let port_at = match rest.rfind(']') {
        Some(end) => rest.get(end..).and_then(|s| s.find(':')).map(|i| end + i),
        None => rest.find(':'),
    };
    Some(match port_at {
        Some(i) => (scheme, rest.get(..i)?, rest.get(i + 1..)),
        None => (scheme, rest, None),
    })
}

fn origin_not_allowed(origin: &str, config: &PolicyConfig) -> Explanation {
    let why = format!(
        "the Origin \"{origin}\" matches no entry of allowed_origins (Fetch, \"CORS check\": the origin must be allowed exactly)."
    );
    let listed = config.allowed_origins.items();
    let mut hints = Vec::new();
    if origin.ends_with('/') || origin.bytes().any(|b| b.is_ascii_uppercase()) {
        hints.push(
            "browsers send origins in lower case without a trailing slash or path; this Origin is not one a browser would send"
                .to_string(),
        );
    }
    if let Some((scheme, host, port)) = split_origin(origin) {
        for entry in &listed {
            let Some((s, h, p)) = split_origin(entry) else {
                continue;
            };
            if let Some(base) = h.strip_prefix("*.")
                && base.eq_ignore_ascii_case(host)
                && s == scheme
            {
                hints.push(format!(
                    "\"{entry}\" matches subdomains of {base} only, never {base} itself; add \"{origin}\" to allowed_origins too"
                ));
            } else if h.eq_ignore_ascii_case(host) && s != scheme {
                hints.push(format!(
                    "the policy lists \"{entry}\", but the page's scheme is {scheme}: the scheme is part of the origin; add \"{origin}\" if that page is yours (and prefer https)"
                ));
            } else if h.eq_ignore_ascii_case(host) && s == scheme && p != port && p != Some("*") {
                hints.push(format!(
                    "the policy lists \"{entry}\", but the port differs: the port is part of the origin; add \"{origin}\", or use a port wildcard such as \"{s}://{h}:*\" for a development host"
                ));
            }
        }
    }
    let fix = if hints.is_empty() {
        format!(
            "if pages from this origin should read the responses, add \"{origin}\" to allowed_origins (or a pattern such as \"https://*.example.com\" for all subdomains of a site you control). If not, the refusal is right."
        )
    } else {
        hints.join("; ") + "."
    };
    Explanation { why, fix }
}

fn method_not_allowed(method: &str, config: &PolicyConfig) -> Explanation {
    let why = format!(
        "the preflight asks for method \"{method}\", which allowed_methods does not list (only GET, HEAD and POST always pass; Fetch, \"CORS-safelisted method\")."
    );
    let near = config
        .allowed_methods
        .items()
        .into_iter()
        .find(|m| m.eq_ignore_ascii_case(method));
    let fix = match near {
        Some(listed) => format!(
            "the policy lists \"{listed}\", but methods match byte-exactly: browsers upper-case only DELETE, GET, HEAD, OPTIONS, POST and PUT, and send other methods as the page wrote them. Write \"{method}\" in allowed_methods (and use one spelling in the page)."
        ),
        None => {
            format!("add \"{method}\" to allowed_methods, written exactly as the page sends it.")
        }
    };
    Explanation { why, fix }
}

fn header_not_allowed(header: &str, config: &PolicyConfig) -> Explanation {
    let listed = config.allowed_headers.items();
    if header.eq_ignore_ascii_case("authorization") && listed.contains(&"*") {
        return Explanation {
            why: "the preflight asks for the authorization header; allowed_headers has \"*\", but \"*\" never covers authorization (Fetch, \"CORS non-wildcard request-header name\").".into(),
            fix: "add \"authorization\" to allowed_headers explicitly.".into(),
        };
    }
    Explanation {
        why: format!(
            "the preflight asks for the request header \"{header}\", which allowed_headers does not list (Fetch, \"CORS-preflight fetch\": every requested header must be allowed)."
        ),
        fix: format!(
            "add \"{header}\" to allowed_headers (names match in any case), or stop sending it from the page."
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(json: &str) -> PolicyConfig {
        PolicyConfig::from_json_str(json).unwrap()
    }

    #[test]
    fn splits_origins() {
        assert_eq!(
            split_origin("https://a.example:8443"),
            Some(("https", "a.example", Some("8443")))
        );
        assert_eq!(
            split_origin("http://[::1]:3000"),
            Some(("http", "[::1]", Some("3000")))
        );
        assert_eq!(split_origin("http://[::1]"), Some(("http", "[::1]", None)));
        assert_eq!(split_origin("null"), None);
    }

    #[test]
    fn bare_domain_under_subdomain_pattern() {
        let c = config(r#"{"allowed_origins": ["https://*.app.example"]}"#);
        let e = explain(&Refusal::OriginNotAllowed(b"https://app.example"), &c);
        assert!(e.fix.contains("subdomains of app.example only"), "{e:?}");
    }

    #[test]
    fn scheme_and_port_hints() {
        let c = config(r#"{"allowed_origins": ["https://app.example", "http://localhost:3000"]}"#);
        let e = explain(&Refusal::OriginNotAllowed(b"http://app.example"), &c);
        assert!(e.fix.contains("scheme is part of the origin"), "{e:?}");
        let e = explain(&Refusal::OriginNotAllowed(b"http://localhost:5173"), &c);
        assert!(e.fix.contains("port is part of the origin"), "{e:?}");
        let e = explain(&Refusal::OriginNotAllowed(b"https://other.example"), &c);
        assert!(e.fix.contains("add \"https://other.example\""), "{e:?}");
    }

    #[test]
    fn method_case_and_authorization_hints() {
        let c = config(
            r#"{"allowed_origins": ["https://a.example"], "allowed_methods": ["patch"], "allowed_headers": ["*"]}"#,
        );
        let e = explain(&Refusal::MethodNotAllowed(b"PATCH"), &c);
        assert!(e.fix.contains("byte-exactly"), "{e:?}");
        let e = explain(&Refusal::HeaderNotAllowed(b"Authorization"), &c);
        assert!(e.why.contains("never covers authorization"), "{e:?}");
        let e = explain(&Refusal::HeaderNotAllowed(b"x-foo"), &c);
        assert!(e.fix.contains("add \"x-foo\""), "{e:?}");
    }
}
