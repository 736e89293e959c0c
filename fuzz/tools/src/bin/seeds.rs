//! Writes the fuzz corpora from the conformance vectors, in the input
//! format of `fuzz_targets/common/mod.rs`.
//!
//! `seeds <vectors.json> <corpus dir>` creates `<dir>/{evaluate,policy,
//! origin,header_list}/<vector name>[-n]`.

use serde_json::Value;
use std::{env, fs, path::Path, process::ExitCode};

fn list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => vec![],
    }
}

fn run(vectors: &Path, out: &Path) -> Result<usize, String> {
    let text = fs::read_to_string(vectors).map_err(|e| format!("{}: {e}", vectors.display()))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", vectors.display()))?;
    let cases = json.as_array().ok_or("vectors: not an array")?;
    for dir in ["evaluate", "policy", "origin", "header_list"] {
        fs::create_dir_all(out.join(dir)).map_err(|e| e.to_string())?;
    }
    let mut written = 0;
    let mut write = |dir: &str, name: &str, body: &str| -> Result<(), String> {
        fs::write(out.join(dir).join(name), body).map_err(|e| e.to_string())?;
        written += 1;
        Ok(())
    };
    for (i, v) in cases.iter().enumerate() {
        let name = v["name"]
            .as_str()
            .map_or_else(|| format!("vector{i}"), String::from);
        let p = &v["policy"];
        let mut policy = String::new();
        let origins = list(&p["allowed_origins"]);
        for o in &origins {
            policy.push_str(&format!("o {o}\n"));
        }
        if p["allow_credentials"].as_bool() == Some(true) {
            policy.push_str("c\n");
        }
        for m in list(&p["allowed_methods"]) {
            policy.push_str(&format!("m {m}\n"));
        }
        let headers = list(&p["allowed_headers"]);
        for h in &headers {
            policy.push_str(&format!("h {h}\n"));
        }
        for e in list(&p["expose_headers"]) {
            policy.push_str(&format!("e {e}\n"));
        }
        if let Some(a) = p["max_age"].as_u64() {
            policy.push_str(&format!("a {a}\n"));
        }
        if p["allow_private_network"].as_bool() == Some(true) {
            policy.push_str("p\n");
        }
        let r = &v["request"];
        let mut request = format!("{}\n", r["method"].as_str().unwrap_or("GET"));
        // Variants browsers and proxies produce: values padded with spaces
        // and tabs, lower-case names.
        let mut padded = request.clone();
        let mut req_origins = Vec::new();
        let mut acrh = Vec::new();
        for h in r["headers"].as_array().map_or(&[][..], Vec::as_slice) {
            let (n, val) = (h[0].as_str().unwrap_or(""), h[1].as_str().unwrap_or(""));
            request.push_str(&format!("{n}:{val}\n"));
            padded.push_str(&format!("{}: {val}\t\n", n.to_lowercase()));
            if n.eq_ignore_ascii_case("origin") {
                req_origins.push(val.to_string());
            }
            if n.eq_ignore_ascii_case("access-control-request-headers") {
                acrh.push(val.to_string());
            }
        }
        let request = request.trim_end_matches('\n');
        write("evaluate", &name, &format!("{policy}--\n{request}"))?;
        let padded = padded.trim_end_matches('\n');
        write(
            "evaluate",
            &format!("{name}-ows"),
            &format!("{policy}--\n{padded}"),
        )?;
        write("policy", &name, &policy)?;
        for (j, o) in origins.iter().enumerate() {
            let ro = req_origins.first().cloned().unwrap_or_default();
            write("origin", &format!("{name}-{j}"), &format!("{o}\n{ro}"))?;
        }
        if !acrh.is_empty() {
            write(
                "header_list",
                &name,
                &format!("{}\n{}", headers.join(","), acrh.join("\n")),
            )?;
        }
    }
    Ok(written)
}

fn main() -> ExitCode {
    let args: Vec<String> = env::args().collect();
    let [_, vectors, out] = args.as_slice() else {
        eprintln!("usage: seeds <vectors.json> <corpus dir>");
        return ExitCode::from(2);
    };
    match run(Path::new(vectors), Path::new(out)) {
        Ok(n) => {
            println!("wrote {n} seed files");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("seeds: {e}");
            ExitCode::FAILURE
        }
    }
}
