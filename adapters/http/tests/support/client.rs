//! A real HTTP client (reqwest) for the tower and actix suites.

#![allow(dead_code)]

use reqwest::header::HeaderValue;

use crate::support::{Observed, Vector};

/// Sends one request; `x-handler` in the answer means the application
/// answered it.
pub async fn send(
    client: &reqwest::Client,
    url: &str,
    method: &str,
    headers: &[(&str, &str)],
) -> Observed {
    let mut req = client.request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), url);
    for (n, v) in headers {
        req = req.header(*n, HeaderValue::from_bytes(v.as_bytes()).unwrap());
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let headers: Vec<(String, Vec<u8>)> = res
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.as_bytes().to_vec()))
        .collect();
    let handler_called = headers.iter().any(|(n, _)| n == "x-handler");
    let body = res.bytes().await.unwrap();
    if !handler_called && (status == 204 || status == 403) {
        assert!(body.is_empty(), "a preflight answer has no body");
    }
    Observed {
        status,
        headers,
        handler_called,
    }
}

pub fn header<'a>(o: &'a Observed, name: &str) -> Vec<&'a str> {
    o.headers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| std::str::from_utf8(v).unwrap())
        .collect()
}

pub async fn send_vector(client: &reqwest::Client, url: &str, v: &Vector) -> Observed {
    let headers: Vec<(&str, &str)> = v
        .request
        .headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    send(client, url, &v.request.method, &headers).await
}
