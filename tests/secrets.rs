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

/// The reference mock holds the private members of every key it is sent (a JWK's `d`, `p`,
/// `q`, `dp`, `dq`, `qi`, an octet key's `k`, the secret of `uploadSecret`): none of them may
/// reach `Debug` output of its state, however deep the formatting goes.
#[tokio::test]
async fn the_mock_keeps_key_material_out_of_debug_output() {
    use axum::body::Body;
    use axum::http::{Method, Request};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use exemplar::mock::{self, AppState, MockConfig};
    use serde_json::json;
    use tower::ServiceExt;

    let state = AppState::new(MockConfig { auth: false, ..MockConfig::default() });
    let app = mock::app(state.clone());
    // Base64url of the canary: what the mock stores, as a JWK carries it.
    let secret = URL_SAFE_NO_PAD.encode(CANARY);
    let post = |path: &str, body: serde_json::Value| {
        Request::builder()
            .method(Method::POST)
            .uri(path)
            .header("host", "mock.test")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap()
    };
    let private = ["d", "p", "q", "dp", "dq", "qi"];
    let mut rsa = json!({"kty": "RSA", "use": "sig", "kid": "rsa", "n": "AQAB", "e": "AQAB"});
    for member in private {
        rsa[member] = json!(secret);
    }
    let oct = json!({"kty": "oct", "use": "enc", "kid": "oct", "k": secret});
    let keysets = "/beta/trustFramework/keySets";
    let created =
        app.clone().oneshot(post(keysets, json!({"id": "holder", "keys": [rsa, oct]}))).await;
    assert_eq!(created.unwrap().status(), 201);
    let uploaded = app
        .clone()
        .oneshot(post(
            &format!("{keysets}/B2C_1A_holder/uploadSecret"),
            json!({"use": "sig", "k": secret}),
        ))
        .await;
    assert_eq!(uploaded.unwrap().status(), 200);
    // Every member is held (so the check below is not of an empty store): six of the RSA
    // key, the octet key's `k` and the uploaded secret's.
    let held: usize = state
        .store
        .list(|set| {
            let members = ["d", "p", "q", "dp", "dq", "qi", "k"];
            set.keys
                .iter()
                .map(|k| members.iter().filter(|m| k.private.has(m)).count())
                .sum::<usize>()
        })
        .into_iter()
        .sum();
    assert_eq!(held, 8, "private members held by the mock");

    for debug in [format!("{state:?}"), format!("{state:#?}"), format!("{:?}", state.store)] {
        assert_hidden("the mock's state", debug.clone());
        assert!(!debug.contains(&secret), "the mock's state shows a key member: {debug}");
    }
}
