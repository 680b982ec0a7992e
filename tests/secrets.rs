//! Secrets stay secret in memory too: every public type that may hold the bearer token, the
//! client secret or the redactor's secret values is formatted with `{:?}` here, and the
//! canary value must not appear in any of it.

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;

use exemplar::check::TypeRegistry;
use exemplar::redact::Redactor;
use exemplar::run::Runner;
use exemplar::run::execute::Settings;
use exemplar::run::harness::{AuthOptions, RunOptions};
use exemplar::run::http::{Auth, Target, TokenSource};

const CANARY: &str = "canary-5e1f0c-never-printed";

fn assert_hidden(what: &str, debug: String) {
    assert!(!debug.contains(CANARY), "{what} shows the secret in Debug: {debug}");
    assert!(!debug.contains("canary"), "{what} shows part of the secret in Debug: {debug}");
}

fn client_credentials() -> AuthOptions {
    AuthOptions::ClientCredentials {
        authority: "https://login.example".into(),
        tenant: "tenant".into(),
        client_id: "app".into(),
        client_secret: CANARY.into(),
        scope: "scope".into(),
    }
}

#[test]
fn no_secret_reaches_debug_output() {
    let bearer = AuthOptions::Bearer(CANARY.into());
    assert_hidden("AuthOptions::Bearer", format!("{bearer:?}"));
    assert_hidden("AuthOptions::ClientCredentials", format!("{:?}", client_credentials()));

    let mut opts = RunOptions::new(PathBuf::from("cases"), libtest_mimic::Arguments::default());
    opts.auth = client_credentials();
    assert_hidden("RunOptions", format!("{opts:?}"));
    opts.auth = bearer;
    assert_hidden("RunOptions", format!("{opts:#?}"));

    let source = TokenSource::new("https://login.example", "t", "app", &CANARY.into(), "s");
    assert_hidden("TokenSource", format!("{source:?}"));
    let credentials = Auth::ClientCredentials(Arc::new(source));
    assert_hidden("Auth::ClientCredentials", format!("{credentials:?}"));
    let auth = Auth::Bearer(CANARY.into());
    assert_hidden("Auth::Bearer", format!("{auth:?}"));

    let mut redactor = Redactor::new();
    redactor.add_secret(CANARY);
    redactor.add_secret("another-secret-value");
    let debug = format!("{redactor:?}");
    assert_hidden("Redactor", debug.clone());
    assert!(debug.contains('2'), "the redactor's Debug says how many secrets it holds: {debug}");

    let runner = Runner::new(
        exemplar::run::http::client_builder().build().expect("client"),
        Target::parse("http://127.0.0.1:1").unwrap(),
        auth,
        TypeRegistry::new(std::iter::empty()),
        redactor,
        Settings::default(),
    );
    assert_hidden("Runner", format!("{runner:?}"));
}
