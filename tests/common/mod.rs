//! Reading the conformance vectors, shared by the tests that run them.
#![allow(dead_code)]

use cors_policy::PolicyBuilder;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(untagged)]
pub enum StarOr {
    Star(String),
    List(Vec<String>),
}

#[derive(Deserialize)]
pub struct VPolicy {
    pub allowed_origins: StarOr,
    pub allow_credentials: bool,
    pub allowed_methods: StarOr,
    pub allowed_headers: StarOr,
    pub expose_headers: StarOr,
    pub max_age: Option<u32>,
    pub allow_private_network: bool,
}

#[derive(Deserialize)]
pub struct VRequest {
    pub method: String,
    pub headers: Vec<(String, String)>,
}

#[derive(Deserialize)]
pub struct Expect {
    pub kind: String,
    pub allowed: Option<bool>,
    pub headers: Option<Vec<(String, String)>>,
    pub vary: Option<Vec<String>>,
}

#[derive(Deserialize)]
pub struct Vector {
    pub name: String,
    pub policy: VPolicy,
    pub request: VRequest,
    pub expect: Expect,
}

pub fn list(s: &StarOr) -> Vec<&str> {
    match s {
        StarOr::Star(s) => vec![s.as_str()],
        StarOr::List(l) => l.iter().map(String::as_str).collect(),
    }
}

pub fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/vectors/vectors.json"
    ))
    .expect("vectors.json");
    serde_json::from_str(&text).expect("vectors parse")
}

/// The policy's lists, borrowed by a builder.
pub struct Lists<'a> {
    pub origins: Vec<&'a str>,
    pub methods: Vec<&'a str>,
    pub headers: Vec<&'a str>,
    pub expose: Vec<&'a str>,
}

impl VPolicy {
    pub fn lists(&self) -> Lists<'_> {
        Lists {
            origins: list(&self.allowed_origins),
            methods: list(&self.allowed_methods),
            headers: list(&self.allowed_headers),
            expose: list(&self.expose_headers),
        }
    }

    pub fn builder<'a>(&self, l: &'a Lists<'a>) -> PolicyBuilder<'a> {
        let mut b = PolicyBuilder::new()
            .allow_credentials(self.allow_credentials)
            .allow_methods(&l.methods)
            .allow_headers(&l.headers)
            .expose_headers(&l.expose)
            .allow_private_network(self.allow_private_network);
        b = match &self.allowed_origins {
            StarOr::Star(_) => b.allow_any_origin(),
            StarOr::List(_) => b.allow_origins(&l.origins),
        };
        if let Some(age) = self.max_age {
            b = b.max_age(age);
        }
        b
    }
}

impl VRequest {
    pub fn pairs(&self) -> Vec<(&[u8], &[u8])> {
        self.headers
            .iter()
            .map(|(n, v)| (n.as_bytes(), v.as_bytes()))
            .collect()
    }
}
