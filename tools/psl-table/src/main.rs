//! Writes `src/public_suffix_list.txt`: the explicit rules of the Public
//! Suffix List as the `psl` crate ships them (its `data/rules.txt`), in
//! ASCII (internationalised rules in their `xn--` form), lower case, sorted
//! byte-wise, one a line, so that the core can search them in a `const fn`.
//!
//! Every rule is checked against the `psl` crate's own lookup before it is
//! written, so the table says what that crate says.

use std::path::PathBuf;
use std::process::Command;

fn psl_dir() -> PathBuf {
    let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--manifest-path", manifest])
        .output()
        .expect("cargo metadata");
    assert!(out.status.success(), "cargo metadata failed");
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let psl = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "psl")
        .expect("the psl package");
    let path = PathBuf::from(psl["manifest_path"].as_str().expect("manifest_path"));
    path.parent().expect("psl's directory").to_path_buf()
}

fn explicit(name: &str) -> bool {
    psl::suffix(name.as_bytes())
        .is_some_and(|s| s.typ().is_some() && s.as_bytes() == name.as_bytes())
}

fn main() {
    let dir = psl_dir();
    let text = std::fs::read_to_string(dir.join("data/rules.txt")).expect("psl's data/rules.txt");
    let mut rules = Vec::new();
    for line in text.lines() {
        let rule = line.trim();
        if rule.is_empty() || rule.starts_with("//") {
            continue;
        }
        let (prefix, name) = if let Some(n) = rule.strip_prefix("*.") {
            ("*.", n)
        } else if let Some(n) = rule.strip_prefix('!') {
            ("!", n)
        } else {
            ("", rule)
        };
        let ascii = idna::domain_to_ascii(name).unwrap_or_else(|e| panic!("{rule}: {e:?}"));
        // The psl crate must agree with what the rule says.
        let ok = match prefix {
            "*." => explicit(&format!("cors-policy-probe.{ascii}")),
            "!" => !explicit(&ascii),
            _ => explicit(&ascii),
        };
        assert!(ok, "the psl crate disagrees with the rule {rule}");
        rules.push(format!("{prefix}{ascii}"));
    }
    rules.sort();
    rules.dedup();
    let mut out = String::new();
    for r in &rules {
        assert!(r.is_ascii() && !r.contains(['\n', '\r']), "{r}");
        out.push_str(r);
        out.push('\n');
    }
    let target = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../src/public_suffix_list.txt");
    std::fs::write(&target, out).expect("write the table");
    eprintln!("{} rules written to {}", rules.len(), target.display());
}
