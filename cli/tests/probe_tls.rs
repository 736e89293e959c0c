//! `cors-policy probe https://...` against a TLS server started here on
//! 127.0.0.1, with a private CA and certificates made at test time
//! (rcgen): trusted through `--cacert`, and refused with a one-line error
//! and exit 2 when the certificate does not verify.

mod common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;

use common::{TempDir, bin, code, stdout};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A CA and a server certificate it issued for `names`.
struct Pki {
    ca_pem: String,
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
}

fn pki(names: &[&str]) -> Pki {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "cors-policy test CA");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>()).unwrap();
    let cert = params.signed_by(&key, &ca).unwrap();
    Pki {
        ca_pem: ca.pem(),
        chain: vec![cert.der().clone()],
        key: PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    }
}

/// Serves at most `max` TLS connections with `pki`'s certificate; every
/// request is answered 200 with the CORS headers of an allowed origin.
fn tls_server(pki: &Pki, max: usize) -> u16 {
    #[allow(deprecated)] // ring: see the client in cors-policy-browser
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(pki.chain.clone(), pki.key.clone_key())
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(max) {
            let Ok(tcp) = stream else { continue };
            let _ = tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)));
            let conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && matches!(tls.read(&mut byte), Ok(1)) {
                head.push(byte[0]);
            }
            if head.is_empty() {
                continue; // the handshake failed: the client refused us
            }
            let _ = tls.write_all(
                b"HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: https://app.example\r\n\
                  X-Request-Id: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    port
}

fn probe(url: &str, extra: &[&str]) -> (Option<i32>, String) {
    let out = bin()
        .args(["probe", url, "--origin", "https://app.example"])
        .args(extra)
        .output()
        .unwrap();
    (code(&out), stdout(&out))
}

#[test]
fn a_server_of_a_private_ca_is_probed_with_cacert() {
    let pki = pki(&["localhost", "127.0.0.1"]);
    let dir = TempDir::new();
    let ca = dir.file("ca.pem", &pki.ca_pem);
    let ca = ca.to_str().unwrap();
    let port = tls_server(&pki, 2);
    // By name and by IP address.
    for host in ["localhost", "127.0.0.1"] {
        let (code, report) = probe(&format!("https://{host}:{port}/items"), &["--cacert", ca]);
        assert_eq!(code, Some(0), "{report}");
        assert!(
            report.contains(&format!("probe: GET https://{host}:{port}/items")),
            "{report}"
        );
        assert!(report.contains("< HTTP 200 OK"), "{report}");
        assert!(report.contains("result: READABLE"), "{report}");
    }
}

#[test]
fn an_untrusted_certificate_is_a_one_line_error_and_exit_2() {
    let pki = pki(&["localhost"]);
    let port = tls_server(&pki, 1);
    // Mozilla's roots do not know the test CA.
    let (code, report) = probe(&format!("https://localhost:{port}/"), &[]);
    assert_eq!(code, Some(2), "{report}");
    let error: Vec<&str> = report.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error.len(), 1, "{report}");
    assert!(
        error[0].contains("the server's certificate is not trusted (UnknownIssuer)")
            && error[0].contains("--cacert FILE"),
        "{report}"
    );
    assert!(!report.contains("result:"), "{report}");
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    let pki = pki(&["api.example"]);
    let dir = TempDir::new();
    let ca = dir.file("ca.pem", &pki.ca_pem);
    let port = tls_server(&pki, 1);
    let (code, report) = probe(
        &format!("https://127.0.0.1:{port}/"),
        &["--cacert", ca.to_str().unwrap()],
    );
    assert_eq!(code, Some(2), "{report}");
    assert!(report.contains("error: https://127.0.0.1:"), "{report}");
    assert!(report.contains("not trusted (NotValidForName"), "{report}");
}

#[test]
fn a_plain_http_server_probed_with_https_fails_the_handshake() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        if let Some(Ok(mut s)) = listener.incoming().next() {
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
        }
    });
    let (code, report) = probe(&format!("https://127.0.0.1:{port}/"), &[]);
    assert_eq!(code, Some(2), "{report}");
    let error: Vec<&str> = report.lines().filter(|l| l.starts_with("error:")).collect();
    assert_eq!(error.len(), 1, "{report}");
    assert!(
        error[0].contains("TLS handshake failed") && error[0].contains("speak TLS on this port"),
        "{report}"
    );
}

#[test]
fn a_bad_cacert_file_is_a_one_line_error() {
    let dir = TempDir::new();
    let not_pem = dir.file("ca.pem", "not a certificate\n");
    for (file, phrase) in [
        (
            not_pem.to_str().unwrap().to_string(),
            "no certificate found",
        ),
        (
            dir.path_of("missing.pem").to_str().unwrap().to_string(),
            "cannot read",
        ),
    ] {
        let (code, report) = probe("https://127.0.0.1:9/", &["--cacert", &file]);
        assert_eq!(code, Some(2), "{report}");
        assert_eq!(report.lines().count(), 1, "{report}");
        assert!(report.contains(phrase), "{report}");
    }
}
