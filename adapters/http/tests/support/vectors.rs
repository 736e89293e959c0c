//! The conformance vectors (`tests/vectors/vectors.json` at the workspace
//! root), as the adapters' tests read and check them. Shared by the http,
//! tower and actix test suites (`#[path]`-included).

#![allow(dead_code)]

use cors_policy_config::{OwnedPolicy, PolicyConfig};
use serde::Deserialize;

/// One vector: the policy as JSON, the request, what must come out.
#[derive(Deserialize, Clone, Debug)]
pub struct Vector {
    pub name: String,
    pub policy: serde_json::Value,
    pub request: VRequest,
    pub expect: Expect,
}

#[derive(Deserialize, Clone, Debug)]
pub struct VRequest {
    pub method: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Deserialize, Clone, Debug)]
pub struct Expect {
    pub kind: String,
    pub allowed: Option<bool>,
    pub headers: Option<Vec<(String, String)>>,
    pub vary: Option<Vec<String>>,
}

/// Every vector of the shared file (found above the crate's directory,
/// wherever the crate sits in the workspace).
pub fn vectors() -> Vec<Vector> {
    let file = "tests/vectors/vectors.json";
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .map(|dir| dir.join(file))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("{file} not found above {}", env!("CARGO_MANIFEST_DIR")));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let v: Vec<Vector> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(v.len() >= 61, "only {} vectors", v.len());
    v
}

impl Vector {
    /// The vector's policy through the config crate, as servers load them.
    pub fn policy(&self) -> Result<OwnedPolicy, String> {
        let config =
            PolicyConfig::from_json_str(&self.policy.to_string()).map_err(|e| e.to_string())?;
        config.build().map_err(|e| e.to_string())
    }

    /// Is the policy meant to be refused?
    pub fn invalid_policy(&self) -> bool {
        self.expect.kind == "invalid_policy"
    }
}

/// What a response looked like to the client.
#[derive(Debug)]
pub struct Observed {
    pub status: u16,
    /// Every field line, names lower-cased, in the order received.
    pub headers: Vec<(String, Vec<u8>)>,
    /// Did the application's handler answer (it sets `x-handler`)?
    pub handler_called: bool,
}

/// The `Vary` tokens of a response, every line split on commas.
pub fn vary_tokens(headers: &[(String, Vec<u8>)]) -> Vec<String> {
    headers
        .iter()
        .filter(|(n, _)| n == "vary")
        .flat_map(|(_, v)| {
            String::from_utf8_lossy(v)
                .split(',')
                .map(|t| t.trim().to_string())
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The CORS response headers, sorted by name (stable, so several lines of
/// one header keep their order).
pub fn cors_headers(headers: &[(String, Vec<u8>)]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .filter(|(n, _)| n.starts_with("access-control-"))
        .map(|(n, v)| (n.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Checks a response against the vector: status class, who answered, the
/// exact CORS headers and the exact `Vary` tokens.
pub fn check(v: &Vector, o: &Observed) -> Result<(), String> {
    let e = &v.expect;
    let mut problems = Vec::new();
    match e.kind.as_str() {
        "preflight" => {
            let want = match e.allowed {
                Some(false) => 403,
                _ => 204,
            };
            if o.status != want {
                problems.push(format!("status {} != {want}", o.status));
            }
            if o.handler_called {
                problems.push("the application answered a preflight".into());
            }
        }
        _ => {
            if o.status != 200 {
                problems.push(format!("status {} != 200", o.status));
            }
            if !o.handler_called {
                problems.push("the application was not called".into());
            }
        }
    }
    if let Some(want) = &e.headers {
        let mut want: Vec<(String, String)> = want
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), v.clone()))
            .collect();
        want.sort_by(|a, b| a.0.cmp(&b.0));
        let got = cors_headers(&o.headers);
        if got != want {
            problems.push(format!("headers {got:?} != {want:?}"));
        }
    }
    if let Some(want) = &e.vary {
        let got = vary_tokens(&o.headers);
        if &got != want {
            problems.push(format!("vary {got:?} != {want:?}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{}: {}", v.name, problems.join("; ")))
    }
}

/// Runs `each` over every vector with a valid policy, checks the invalid
/// ones are refused, and fails listing every failing vector. Returns how
/// many vectors were sent.
pub fn run_all(mut each: impl FnMut(usize, &Vector) -> Result<(), String>) -> usize {
    let mut failures = Vec::new();
    let mut sent = 0;
    for (i, v) in vectors().iter().enumerate() {
        if v.invalid_policy() {
            if v.policy().is_ok() {
                failures.push(format!("{}: policy should be refused", v.name));
            }
            continue;
        }
        sent += 1;
        if let Err(e) = each(i, v) {
            failures.push(e);
        }
    }
    assert!(
        failures.is_empty(),
        "{} vectors fail:\n{}",
        failures.len(),
        failures.join("\n")
    );
    sent
}
