//! Every conformance vector (`tests/vectors/vectors.json` at the workspace
//! root) through `cors-policy check --json` with a policy file and a
//! request file, compared with the vector's expectation.

mod common;

use common::{TempDir, bin, code, stderr};
use serde_json::Value;

fn vectors() -> Vec<Value> {
    let path = common::root().join("tests/vectors/vectors.json");
    let text = std::fs::read_to_string(&path).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Runs one vector; returns what differs from its expectation.
fn run_vector(dir: &TempDir, i: usize, v: &Value) -> Vec<String> {
    let policy = dir.file(&format!("policy-{i}.json"), &v["policy"].to_string());
    let request = dir.file(&format!("request-{i}.json"), &v["request"].to_string());
    let out = bin()
        .arg("check")
        .arg("--policy")
        .arg(&policy)
        .arg("--request")
        .arg(&request)
        .arg("--json")
        .output()
        .unwrap();
    let expect = &v["expect"];
    let mut problems = Vec::new();
    let got: Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => {
            return vec![format!(
                "stdout is not JSON ({e}); stderr: {}",
                stderr(&out)
            )];
        }
    };
    if expect["kind"] == "invalid_policy" {
        if code(&out) != Some(2) {
            problems.push(format!("exit {:?} != 2", code(&out)));
        }
        if got["kind"] != "invalid_policy" {
            problems.push(format!("kind {} != invalid_policy", got["kind"]));
        }
        let errors = got["errors"].as_array().map_or(0, Vec::len);
        if errors == 0 {
            problems.push(format!("no errors listed: {got}"));
        }
        return problems;
    }
    if code(&out) != Some(0) {
        problems.push(format!("exit {:?} != 0", code(&out)));
    }
    let keys: Vec<&str> = got
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    if sorted != ["allowed", "headers", "kind", "reason", "status", "vary"] {
        problems.push(format!("keys {keys:?}"));
    }
    for field in ["kind", "allowed", "headers", "vary"] {
        if !expect[field].is_null() && got[field] != expect[field] {
            problems.push(format!("{field} {} != {}", got[field], expect[field]));
        }
    }
    // docs/behaviour.md §3: a preflight answers 204 or 403; other kinds leave
    // the status to the application.
    let want_status = match (got["kind"].as_str(), got["allowed"].as_bool()) {
        (Some("preflight"), Some(true)) => Value::from(204),
        (Some("preflight"), _) => Value::from(403),
        _ => Value::Null,
    };
    if got["status"] != want_status {
        problems.push(format!("status {} != {want_status}", got["status"]));
    }
    // A refusal carries a reason; an allowed request none.
    if got["allowed"].as_bool() == Some(got["reason"].is_string()) {
        problems.push(format!(
            "reason {} with allowed {}",
            got["reason"], got["allowed"]
        ));
    }
    problems
}

#[test]
fn every_vector_through_check_json() {
    let vectors = vectors();
    assert!(vectors.len() >= 61, "only {} vectors", vectors.len());
    let dir = TempDir::new();
    let mut failures = Vec::new();
    let mut invalid = 0;
    for (i, v) in vectors.iter().enumerate() {
        if v["expect"]["kind"] == "invalid_policy" {
            invalid += 1;
        }
        let problems = run_vector(&dir, i, v);
        if !problems.is_empty() {
            failures.push(format!("{}: {}", v["name"], problems.join("; ")));
        }
    }
    assert!(invalid > 0, "no invalid_policy vector exercised");
    assert!(
        failures.is_empty(),
        "{} of {} vectors fail:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
    eprintln!("{} vectors passed through check --json", vectors.len());
}
