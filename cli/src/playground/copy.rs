//! A try, copied: as `cors-policy check` commands (with the policy written
//! to a file first), as `curl` commands, and the policy as Rust.

use cors_policy::DEFAULT_CAPACITY;
use cors_policy_config::OwnedPolicy;

use super::Format;
use super::model::{BodyKind, Checked, Step};

/// `value` quoted for a POSIX shell: in single quotes, each `'` written as
/// `'\''`.
pub fn sh(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

/// `value` as one shell word: as it is when it holds only characters no
/// shell treats specially, else quoted by [`sh`].
pub fn word(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_./:=@%+-,".contains(&b));
    if plain { value.to_string() } else { sh(value) }
}

/// A here-document delimiter that no line of `text` equals.
fn delimiter(text: &str) -> String {
    let mut d = String::from("POLICY");
    while text.lines().any(|l| l == d) {
        d.push('_');
    }
    d
}

/// The `cors-policy check` commands for each step the browser sends,
/// after a here-document writing the policy in force to a file.
pub fn check_commands(policy_text: &str, format: Format, steps: &[Step]) -> String {
    let file = format!("playground-policy.{}", format.extension());
    let end = delimiter(policy_text);
    let mut text = policy_text.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    let mut out = format!("cat > {file} <<'{end}'\n{text}{end}\n");
    for step in steps {
        out.push_str(&format!("# the {}\n", step_name(step)));
        out.push_str(&format!(
            "cors-policy check --policy {file} --method {}",
            word(&step.method)
        ));
        for (name, value) in &step.headers {
            out.push_str(&format!(" \\\n    -H {}", sh(&format!("{name}: {value}"))));
        }
        out.push('\n');
    }
    out
}

fn step_name(step: &Step) -> &'static str {
    if step.step == "preflight" {
        "preflight the browser sends first"
    } else {
        "request itself"
    }
}

/// `curl` commands sending what the browser sends for each step (the
/// headers the engine reads, and the body), showing the answer's headers.
pub fn curl_commands(url: &str, checked: &Checked, steps: &[Step]) -> String {
    let mut out = String::new();
    for step in steps {
        out.push_str(&format!("# the {}\n", step_name(step)));
        out.push_str("curl -i");
        if step.method != "GET" {
            out.push_str(&format!(" -X {}", word(&step.method)));
        }
        out.push_str(&format!(" {}", word(url)));
        for (name, value) in &step.headers {
            out.push_str(&format!(" \\\n    -H {}", sh(&format!("{name}: {value}"))));
        }
        if step.step == "request" {
            if let Some(body) = checked.body.text() {
                out.push_str(&format!(" \\\n    --data-raw {}", sh(body)));
            }
            if checked.credentials {
                out.push_str(
                    "\n# (the page sent credentials: 'include'; curl sends cookies only when given them, with -b)",
                );
            }
        }
        out.push('\n');
    }
    if checked.body == BodyKind::None && steps.is_empty() {
        out.push_str("# nothing is sent\n");
    }
    out
}

fn rust_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|s| format!("{s:?}")).collect();
    format!("&[{}]", quoted.join(", "))
}

/// The policy in force as Rust: a `static` built by `PolicyBuilder` at
/// compile time, as the README's quick start writes it.
pub fn rust_snippet(policy: &OwnedPolicy) -> String {
    let p = policy.policy();
    let mut calls = Vec::new();
    if p.allows_any_origin() {
        calls.push(".allow_any_origin()".to_string());
    } else {
        calls.push(format!(
            ".allow_origins({})",
            rust_list(p.allowed_origins())
        ));
    }
    if p.allows_credentials() {
        calls.push(".allow_credentials(true)".into());
    }
    if p.allowed_methods() == ["*"] {
        calls.push(".allow_any_method()".into());
    } else if !p.allowed_methods().is_empty() {
        calls.push(format!(
            ".allow_methods({})",
            rust_list(p.allowed_methods())
        ));
    }
    if !p.allowed_headers().is_empty() {
        calls.push(format!(
            ".allow_headers({})",
            rust_list(p.allowed_headers())
        ));
    }
    if !p.exposed_headers().is_empty() {
        calls.push(format!(
            ".expose_headers({})",
            rust_list(p.exposed_headers())
        ));
    }
    if let Some(seconds) = p.max_age() {
        calls.push(format!(".max_age({seconds})"));
    }
    if p.allows_private_network() {
        calls.push(".allow_private_network(true)".into());
    }
    let (ty, build) = if p.allowed_origins().len() > DEFAULT_CAPACITY {
        let n = p.allowed_origins().len();
        (
            format!("Policy<'static, {n}>"),
            format!(".build_with_capacity::<{n}>()"),
        )
    } else {
        ("Policy<'static>".to_string(), ".build()".to_string())
    };
    let mut out = String::from(
        "use cors_policy::{Policy, PolicyBuilder};\n\n// Checked while compiling: an invalid policy is a build error.\n",
    );
    out.push_str(&format!(
        "static POLICY: {ty} = match PolicyBuilder::new()\n"
    ));
    for call in calls {
        out.push_str(&format!("    {call}\n"));
    }
    out.push_str(&format!(
        "    {build}\n{{\n    Ok(policy) => policy,\n    Err(_) => panic!(\"invalid CORS policy\"),\n}};\n"
    ));
    out.push_str(
        "\n// axum (cors-policy-tower): .layer(cors_policy_tower::CorsLayer::new(&POLICY))\n// actix-web (cors-policy-actix): .wrap(cors_policy_actix::Cors::new(&POLICY))\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting() {
        assert_eq!(sh("plain"), "'plain'");
        assert_eq!(sh("it's"), r"'it'\''s'");
        assert_eq!(delimiter("a\nPOLICY\nb"), "POLICY_");
        assert_eq!(word("PUT"), "PUT");
        assert_eq!(word("http://127.0.0.1:1/try/2"), "http://127.0.0.1:1/try/2");
        assert_eq!(word("a b"), "'a b'");
        assert_eq!(word(""), "''");
    }
}
