//! `exemplar run` against an HTTPS target: the reference mock behind a TLS terminator on
//! loopback whose certificate was issued by a certificate authority made (by rcgen) for this
//! run. With `--cacert` naming that authority the run passes; without it the TLS handshake fails and the run
//! says so as a `tls` error. This is the check that the client's TLS stack (rustls on the
//! *ring* provider, see `run::http::client_builder`) verifies certificates for real.

#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::Arc;

use exemplar::mock::{self, MockConfig};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

mod common;

const GET_SET: &str = "docs::graph::beta::api::trustframeworkkeyset-get::get_trustframeworkkeyset";

/// A certificate authority made for this run and a server certificate it issued for
/// `127.0.0.1` and `localhost`: the CA's PEM, the server's DER and its private key.
fn certificates() -> (String, rustls::pki_types::CertificateDer<'static>, PrivateKeyDer<'static>) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca.distinguished_name.push(rcgen::DnType::CommonName, "exemplar test CA");
    let ca_cert = ca.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca, ca_key);
    let server_key = rcgen::KeyPair::generate().unwrap();
    let server = rcgen::CertificateParams::new(vec!["127.0.0.1".into(), "localhost".into()])
        .unwrap()
        .signed_by(&server_key, &issuer)
        .unwrap();
    let key = PrivateKeyDer::Pkcs8(server_key.serialize_der().into());
    (ca_cert.pem(), server.der().clone(), key)
}

/// Serves TLS on 127.0.0.1:0 with a server certificate of a CA made for this run, passing
/// each connection's plain bytes to `upstream` (`host:port`). Returns the HTTPS base URL and
/// the CA certificate's PEM.
fn tls_terminator(upstream: String) -> (String, String) {
    let (pem, certificate, key) = certificates();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(vec![certificate], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let addr = common::listen_in_background(move |listener| async move {
        loop {
            let (tcp, _) = listener.accept().await.unwrap();
            let acceptor = acceptor.clone();
            let upstream = upstream.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to pass on.
                let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                let mut plain = TcpStream::connect(&upstream).await.unwrap();
                let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
            });
        }
    });
    (format!("https://{addr}"), pem)
}

/// Runs the binary on the repository's cases against `target`, checking the doc contract;
/// returns the exit code, stderr and the parsed JSON report.
fn run(target: &str, extra: &[&str], dir: &std::path::Path) -> (Option<i32>, String, Value) {
    let report = dir.join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "-q", "--checks", "contract", "--exact", GET_SET, "--target", target])
        .args(extra)
        .arg("--report-json")
        .arg(&report)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let text = std::fs::read_to_string(&report).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    (out.status.code(), stderr, serde_json::from_str(&text).unwrap())
}

#[test]
fn an_https_target_is_trusted_through_cacert_and_refused_without_it() {
    let plain = common::serve_in_background(mock::app(mock::AppState::new(MockConfig {
        auth: false,
        ..MockConfig::default()
    })));
    let (target, pem) = tls_terminator(plain.trim_start_matches("http://").to_string());
    let dir = common::Scratch::new("tls");
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, pem).unwrap();

    let (code, stderr, report) = run(&target, &["--cacert", ca.to_str().unwrap()], &dir);
    assert_eq!(code, Some(0), "{stderr}\n{report:#}");
    let cases = report["cases"].as_array().unwrap();
    assert_eq!(cases.len(), 1, "{report:#}");
    assert_eq!(cases[0]["status"], "passed", "{report:#}");

    // The same target without --cacert: its certificate is nobody's the client trusts.
    let (code, stderr, report) = run(&target, &[], &dir);
    assert_ne!(code, Some(0), "{stderr}");
    // The case's fixture is set up first, so that is the request that fails: the handshake,
    // on the certificate.
    let error = &report["cases"][0]["error"];
    assert_eq!(error["code"], "fixture-failed", "{report:#}");
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("invalid peer certificate"), "{message}");
    // Inside the fixture's failure, the report says as data what failed: the TLS handshake
    // (known from rustls's error type), of which fixture, on which request.
    let data = &error["data"];
    assert_eq!(data["cause"], "tls", "{report:#}");
    assert_eq!(data["fixture"], "set", "{report:#}");
    assert_eq!(data["method"], "POST", "{report:#}");
    assert!(data["url"].as_str().unwrap().starts_with(&target), "{report:#}");
    assert!(data.get("plainHttp").is_none(), "a certificate failure, not plain HTTP: {report:#}");
}
