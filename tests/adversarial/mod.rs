//! Adversarial requests of issue 5 (docs/behaviour.md §5), sized by a parameter,
//! with the answer each must get. Shared by `tests/bounded.rs` (which
//! asserts the answers and counts the work) and by the callgrind driver
//! `fuzz/tools/src/bin/cost.rs` (which counts instructions at two sizes).
#![allow(dead_code)]

use cors_policy::{Policy, PolicyBuilder};

/// The policy the request-header scenarios run against.
pub const ORIGINS: &[&str] = &["https://app.example", "https://*.app.example"];
/// Its allowed request headers.
pub const HEADERS: &[&str] = &["content-type", "x-request-id"];

/// One adversarial case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scenario {
    /// One ACRH line of `n` commas.
    Commas,
    /// One ACRH line of `n` spaces.
    Spaces,
    /// `n` empty ACRH field lines.
    EmptyLines,
    /// An `n`-byte origin of many labels under an allowed `*.app.example`.
    LongOrigin,
    /// `content-type,` repeated to `n` bytes in one ACRH line.
    RepeatedName,
    /// A policy of `n` exact and `n` subdomain patterns, and a near-miss
    /// request origin built from them.
    ManyOrigins,
}

impl Scenario {
    /// Every scenario.
    pub const ALL: [Scenario; 6] = [
        Scenario::Commas,
        Scenario::Spaces,
        Scenario::EmptyLines,
        Scenario::LongOrigin,
        Scenario::RepeatedName,
        Scenario::ManyOrigins,
    ];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Scenario::Commas => "commas",
            Scenario::Spaces => "spaces",
            Scenario::EmptyLines => "empty_lines",
            Scenario::LongOrigin => "long_origin",
            Scenario::RepeatedName => "repeated_name",
            Scenario::ManyOrigins => "many_origins",
        }
    }

    /// The scenario named `name`.
    pub fn from_name(name: &str) -> Option<Scenario> {
        Scenario::ALL.into_iter().find(|s| s.name() == name)
    }

    /// Is the answer an allowed preflight (else a refused one)? A host of
    /// more than 253 bytes is never one a browser sends (RFC 1035 §2.3.4),
    /// so the long origin is refused even under `*.app.example`.
    pub fn allowed(self) -> bool {
        !matches!(self, Scenario::ManyOrigins | Scenario::LongOrigin)
    }
}

/// A scenario's inputs: the policy's origin patterns, the request method
/// and its field lines.
pub struct Inputs {
    pub origins: Vec<String>,
    pub method: &'static [u8],
    pub pairs: Vec<(Vec<u8>, Vec<u8>)>,
    /// The `Access-Control-Allow-Headers` lines an allowed answer echoes.
    pub echoed: Vec<Vec<u8>>,
}

fn preflight(origin: Vec<u8>, acrh: Vec<Vec<u8>>) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut pairs = vec![
        (b"Origin".to_vec(), origin),
        (b"Access-Control-Request-Method".to_vec(), b"PUT".to_vec()),
    ];
    pairs.extend(
        acrh.into_iter()
            .map(|l| (b"Access-Control-Request-Headers".to_vec(), l)),
    );
    pairs
}

/// Builds a scenario's inputs at size `n`.
pub fn inputs(s: Scenario, n: usize) -> Inputs {
    let origin = b"https://app.example".to_vec();
    let own = || ORIGINS.iter().map(|o| o.to_string()).collect();
    match s {
        Scenario::Commas => Inputs {
            origins: own(),
            method: b"OPTIONS",
            pairs: preflight(origin, vec![vec![b','; n]]),
            echoed: vec![],
        },
        Scenario::Spaces => Inputs {
            origins: own(),
            method: b"OPTIONS",
            pairs: preflight(origin, vec![vec![b' '; n]]),
            echoed: vec![],
        },
        Scenario::EmptyLines => Inputs {
            origins: own(),
            method: b"OPTIONS",
            pairs: preflight(origin, vec![Vec::new(); n]),
            echoed: vec![],
        },
        Scenario::LongOrigin => {
            let suffix = b".app.example";
            let mut host = Vec::with_capacity(n);
            while host.len() + suffix.len() + 2 + 8 <= n.max(32) {
                host.extend_from_slice(b"a.");
            }
            host.push(b'a');
            let mut o = b"https://".to_vec();
            o.extend_from_slice(&host);
            o.extend_from_slice(suffix);
            Inputs {
                origins: own(),
                method: b"OPTIONS",
                pairs: preflight(o, vec![b"content-type".to_vec()]),
                echoed: vec![],
            }
        }
        Scenario::RepeatedName => {
            let mut line = Vec::with_capacity(n + 16);
            while line.len() < n {
                line.extend_from_slice(b"content-type,");
            }
            Inputs {
                origins: own(),
                method: b"OPTIONS",
                pairs: preflight(origin, vec![line.clone()]),
                echoed: vec![line],
            }
        }
        Scenario::ManyOrigins => {
            let mut origins = Vec::with_capacity(2 * n);
            for i in 0..n {
                origins.push(format!("https://tenant{i}.example"));
                origins.push(format!("https://*.tenant{i}.example"));
            }
            // A near miss of every kind at once: the last tenant's name with
            // one more letter, under a subdomain, on a port.
            let miss = format!("https://eu.tenant{}x.example:8443", n.saturating_sub(1));
            Inputs {
                origins,
                method: b"OPTIONS",
                pairs: preflight(miss.into_bytes(), vec![b"content-type".to_vec()]),
                echoed: vec![],
            }
        }
    }
}

/// Builds the scenario's policy (capacity 2,048 patterns).
pub fn policy<'s>(origins: &'s [&'s str]) -> Policy<'s, 2048> {
    match PolicyBuilder::new()
        .allow_origins(origins)
        .allow_methods(&["PUT"])
        .allow_headers(HEADERS)
        .build_with_capacity::<2048>()
    {
        Ok(p) => p,
        Err(e) => panic!("scenario policy refused: {e}"),
    }
}
