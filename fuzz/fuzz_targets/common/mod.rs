//! The fuzz targets' input format, shared with `tools/src/bin/seeds.rs`
//! (which writes the conformance vectors in it): text lines, so that
//! libFuzzer's mutations stay meaningful.
//!
//! ```text
//! o https://app.example     an origin pattern ("o *": any origin)
//! c                         allow credentials
//! m PUT                     an allowed method
//! h content-type            an allowed request header
//! e x-total-count           an exposed header
//! a 600                     max age
//! p                         allow private network
//! s                         dangerously allow public suffix wildcards
//! i                         dangerously allow insecure origins
//! --                        end of the policy
//! OPTIONS                   the request method
//! Origin:https://app.example    request field lines: name, ':', raw value
//! ```
#![allow(dead_code)]

use crate::oracle::OPolicy;

/// A decoded case: the policy, the request method and its field lines.
pub struct Case {
    pub policy: OPolicy,
    pub method: Vec<u8>,
    pub headers: Vec<(Vec<u8>, Vec<u8>)>,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Decodes a fuzz input; never fails (unknown lines are ignored).
pub fn decode(data: &[u8]) -> Case {
    let mut policy = OPolicy::default();
    let mut lines = data.split(|&b| b == b'\n');
    for line in lines.by_ref() {
        if line == b"--" {
            break;
        }
        let (tag, rest) = match line.split_first() {
            Some((t, r)) => (*t, r.strip_prefix(b" ").unwrap_or(r)),
            None => continue,
        };
        match tag {
            b'o' if rest == b"*" => policy.any_origin = true,
            b'o' => policy.origins.push(text(rest)),
            b'c' => policy.credentials = true,
            b'm' => policy.methods.push(text(rest)),
            b'h' => policy.headers.push(text(rest)),
            b'e' => policy.expose.push(text(rest)),
            b'a' => policy.max_age = text(rest).trim().parse().ok(),
            b'p' => policy.private_network = true,
            b's' => policy.public_suffix_wildcards = true,
            b'i' => policy.insecure_origins = true,
            _ => {}
        }
    }
    if policy.any_origin {
        policy.origins.clear();
    }
    let method = lines.next().unwrap_or_default().to_vec();
    let headers = lines
        .map(|l| match l.iter().position(|&b| b == b':') {
            Some(i) => (l[..i].to_vec(), l[i + 1..].to_vec()),
            None => (l.to_vec(), Vec::new()),
        })
        .collect();
    Case {
        policy,
        method,
        headers,
    }
}
