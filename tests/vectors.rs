//! The conformance vectors (`tests/vectors/vectors.json`, a copy of
//! `shared/conformance/vectors.json`) run through the core, as data.

mod common;

use common::{Vector, vectors};
use cors_policy::{Policy, Request, evaluate};

fn run(v: &Vector) -> Result<(), String> {
    let lists = v.policy.lists();
    let b = v.policy.builder(&lists);
    let built: Result<Policy, _> = b.build();
    let policy = match (built, v.expect.kind.as_str()) {
        (Err(e), "invalid_policy") => {
            if e.iter().count() == 0 {
                return Err("refused without a reason".into());
            }
            return Ok(());
        }
        (Ok(_), "invalid_policy") => return Err("policy built but should be refused".into()),
        (Err(e), _) => return Err(format!("policy refused: {e}")),
        (Ok(p), _) => p,
    };
    let pairs = v.request.pairs();
    let request = Request::from_pairs(v.request.method.as_bytes(), &pairs);
    let d = evaluate(&policy, &request);
    let e = &v.expect;
    let mut problems = Vec::new();
    if d.kind().as_str() != e.kind {
        problems.push(format!("kind {} != {}", d.kind(), e.kind));
    }
    // The kind as adapters read it, and as logs print it. (Mutation
    // testing, issue 21: `is_preflight` always true and an empty `Display`
    // went unnoticed.)
    if d.is_preflight() != (e.kind == "preflight") {
        problems.push(format!("is_preflight {} for {}", d.is_preflight(), e.kind));
    }
    if d.kind().to_string() != e.kind {
        problems.push(format!(
            "kind displayed {:?} != {}",
            d.kind().to_string(),
            e.kind
        ));
    }
    if let Some(allowed) = e.allowed
        && d.is_allowed() != allowed
    {
        problems.push(format!(
            "allowed {} != {allowed} ({:?})",
            d.is_allowed(),
            d.refusal()
        ));
    }
    let got: Vec<(String, String)> = d
        .headers()
        .map(|(h, val)| {
            (
                h.as_str().to_string(),
                String::from_utf8_lossy(val).into_owned(),
            )
        })
        .collect();
    if let Some(want) = &e.headers
        && &got != want
    {
        problems.push(format!("headers {got:?} != {want:?}"));
    }
    if let Some(want) = &e.vary
        && d.vary() != want.as_slice()
    {
        problems.push(format!("vary {:?} != {want:?}", d.vary()));
    }
    // The exposed names as adapters read them: the header's value.
    // (Mutation testing, issue 21: `expose_headers` giving `None` went
    // unnoticed in the core's own tests.)
    let expose = d
        .headers()
        .find(|(h, _)| *h == cors_policy::ResponseHeader::ExposeHeaders)
        .map(|(_, v)| v);
    // Likewise private network access (mutation testing, issue 21:
    // `allows_private_network` always false went unnoticed).
    let pna = d
        .headers()
        .any(|(h, _)| h == cors_policy::ResponseHeader::AllowPrivateNetwork);
    if d.allows_private_network() != pna {
        problems.push(format!(
            "allows_private_network {} != the header's {pna}",
            d.allows_private_network()
        ));
    }
    if d.expose_headers() != expose {
        problems.push(format!(
            "expose_headers {:?} != the header's {expose:?}",
            d.expose_headers()
        ));
    }
    // Invariants of docs/behaviour.md §3 that every vector must also satisfy.
    let status = d.preflight_status();
    match d.kind().as_str() {
        "preflight" => {
            let want = if d.is_allowed() { 204 } else { 403 };
            if status != Some(want) {
                problems.push(format!("status {status:?} != {want}"));
            }
        }
        _ if status.is_some() => problems.push(format!("status {status:?} on a non-preflight")),
        _ => {}
    }
    if d.vary_value() != d.vary().join(", ") {
        problems.push(format!(
            "vary_value {:?} != tokens {:?}",
            d.vary_value(),
            d.vary()
        ));
    }
    if !d.is_allowed() && d.refusal().is_none() {
        problems.push("refused without a reason".into());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[test]
fn every_vector_passes() {
    let vectors = vectors();
    assert!(vectors.len() >= 61, "only {} vectors", vectors.len());
    let failures: Vec<String> = vectors
        .iter()
        .filter_map(|v| run(v).err().map(|e| format!("{}: {e}", v.name)))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} vectors fail:\n{}",
        failures.len(),
        vectors.len(),
        failures.join("\n")
    );
}

#[test]
fn vectors_are_the_shared_ones() {
    // The copy must not drift from the shared contract when it is present.
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/conformance/vectors.json"
    );
    match std::fs::read(shared) {
        Ok(bytes) => {
            let ours = std::fs::read(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/vectors/vectors.json"
            ))
            .unwrap();
            assert_eq!(
                bytes, ours,
                "tests/vectors/vectors.json differs from ../shared/conformance/vectors.json"
            );
        }
        Err(_) => eprintln!(
            "SKIPPED: ../shared/conformance/vectors.json not found; comparing the copy skipped"
        ),
    }
}

/// Each response header's lower-case name is its name in lower case, as
/// the `http` crate needs it (`HeaderName::from_static`), and names differ.
/// (Mutation testing, issue 21: `lowercase` giving "" went unnoticed in the
/// core's own tests; the adapters' tests would fail.)
#[test]
fn response_header_names_in_lower_case() {
    use cors_policy::ResponseHeader;
    let mut seen = std::collections::HashSet::new();
    for h in ResponseHeader::ALL {
        assert_eq!(h.lowercase(), h.as_str().to_ascii_lowercase(), "{h:?}");
        assert!(h.lowercase().starts_with("access-control-"), "{h:?}");
        assert!(seen.insert(h.lowercase()), "{h:?}");
    }
}
