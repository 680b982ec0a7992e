//! The reference mock, driven from outside: every scenario runs twice, once in-process
//! through `tower::ServiceExt::oneshot` on `app(...)` and once over real TCP with reqwest
//! against `spawn(...)`, so both paths cover every route, every error status and every
//! deviation kind. The `exemplar serve` binary gets its own test at the end.

use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use exemplar::mock::{self, AppState, Deviation, GRAPH_JSON, MockConfig, MockServer};
use serde_json::{Value, json};
use tower::ServiceExt;

const CERT_DER: &[u8] = include_bytes!("data/cert.der");
const CERT_PEM: &str = include_str!("data/cert.pem");
const EC_CERT_DER: &[u8] = include_bytes!("data/ec-cert.der");
const AES_P12: &[u8] = include_bytes!("data/aes.p12");
const LEGACY_P12: &[u8] = include_bytes!("data/legacy.p12");
const P12_PASSWORD: &str = "exemplar-test";
/// Read off `cert.der` with the openssl command line (see tests/data/README.md).
const CERT_X5T: &str = "HnTXtrebzEoMAHHP0faRgUjLIEc";
const CERT_NBF: i64 = 1_795_429_993;
const CERT_EXP: i64 = 2_110_789_993;
const CERT_N_START: &str = "p-uOxkNHNIzROkQH6BPbG_CZnBniYVRAKdE0J4E-";

const KEYSETS: &str = "/beta/trustFramework/keySets";
const TOKEN: &str = "Bearer test-token";

// ---------------------------------------------------------------------------------------
// Two ways to reach the mock.

/// A mock reachable in-process or over TCP.
enum Target {
    InProcess(axum::Router),
    Tcp(MockServer, reqwest::Client),
}

/// An answer, whichever way it came.
#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!("body is not JSON ({e}): {}", String::from_utf8_lossy(&self.body))
        })
    }

    fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_else(|| panic!("no {name} header"))
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// Asserts a Graph error envelope with this status and code, and returns the message.
    fn error(&self, status: u16, code: &str) -> String {
        assert_eq!(self.status, status, "{}", self.text());
        assert!(self.header("content-type").starts_with("application/json"));
        let body = self.json();
        let error = &body["error"];
        assert_eq!(error["code"], code, "{body}");
        let inner = &error["innerError"];
        assert_eq!(inner["request-id"], self.header("request-id"));
        assert_eq!(inner["client-request-id"], self.header("client-request-id"));
        assert!(inner["date"].as_str().is_some_and(|d| d.len() == 19), "{body}");
        error["message"].as_str().expect("message").to_owned()
    }
}

impl Target {
    async fn in_process(config: MockConfig) -> Self {
        Target::InProcess(mock::app(AppState::new(config)))
    }

    async fn tcp(config: MockConfig) -> Self {
        let server = mock::spawn(config).await.expect("spawn");
        Target::Tcp(server, exemplar::run::http::client_builder().build().expect("client"))
    }

    async fn both(config: MockConfig) -> [Self; 2] {
        [Self::in_process(config.clone()).await, Self::tcp(config).await]
    }

    fn name(&self) -> &'static str {
        match self {
            Target::InProcess(_) => "in-process",
            Target::Tcp(..) => "tcp",
        }
    }

    /// Sends a request; `body` is sent as JSON unless `headers` set another Content-Type.
    async fn send_raw(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Answer {
        match self {
            Target::InProcess(app) => {
                let mut request =
                    Request::builder().method(method).uri(path).header("host", "mock.test");
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                let request =
                    request.body(body.map_or_else(Body::empty, Body::from)).expect("request");
                let response = app.clone().oneshot(request).await.expect("infallible");
                let (parts, body) = response.into_parts();
                let body = to_bytes(body, usize::MAX).await.expect("body").to_vec();
                Answer { status: parts.status, headers: parts.headers, body }
            }
            Target::Tcp(server, client) => {
                let url = format!("{}{path}", server.base_url());
                let method =
                    reqwest::Method::from_bytes(method.as_str().as_bytes()).expect("method");
                let mut request = client.request(method, url);
                for (name, value) in headers {
                    request = request.header(*name, *value);
                }
                if let Some(body) = body {
                    request = request.body(body);
                }
                let response = request.send().await.expect("send");
                let status = StatusCode::from_u16(response.status().as_u16()).expect("status");
                let mut headers = HeaderMap::new();
                for (name, value) in response.headers() {
                    headers.append(
                        axum::http::HeaderName::from_bytes(name.as_str().as_bytes()).expect("name"),
                        axum::http::HeaderValue::from_bytes(value.as_bytes()).expect("value"),
                    );
                }
                let body = response.bytes().await.expect("body").to_vec();
                Answer { status, headers, body }
            }
        }
    }

    /// An authorised request with an optional JSON body.
    async fn send(&self, method: Method, path: &str, body: Option<Value>) -> Answer {
        let mut headers = vec![("authorization", TOKEN)];
        if body.is_some() {
            headers.push(("content-type", "application/json"));
        }
        self.send_raw(method, path, &headers, body.map(|b| b.to_string().into_bytes())).await
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    /// Creates a key set and returns its id.
    async fn create(&self, name: &str) -> String {
        let answer = self.post(KEYSETS, json!({"id": name})).await;
        assert!(answer.status.is_success(), "{}", answer.text());
        answer.json()["id"].as_str().expect("id").to_owned()
    }

    /// Adds a secret to a key set and returns its kid.
    async fn add_secret(&self, id: &str, nbf: Option<i64>, exp: Option<i64>) -> String {
        let answer = self
            .post(
                &format!("{KEYSETS}/{id}/uploadSecret"),
                json!({"use": "sig", "k": "s3cret", "nbf": nbf, "exp": exp}),
            )
            .await;
        assert!(answer.status.is_success(), "{}", answer.text());
        answer.json()["kid"].as_str().expect("kid").to_owned()
    }

    async fn stop(self) {
        if let Target::Tcp(server, _) = self {
            server.shutdown().await;
        }
    }
}

fn no_auth() -> MockConfig {
    MockConfig { auth: false, ..MockConfig::default() }
}

fn now() -> i64 {
    let since_epoch = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    i64::try_from(since_epoch.expect("clock after 1970").as_secs()).expect("seconds fit")
}

/// The private JWK members must never be in a body, whatever the key.
fn assert_no_private_members(value: &Value) {
    match value {
        Value::Object(map) => {
            for member in ["k", "d", "p", "q", "dp", "dq", "qi"] {
                assert!(!map.contains_key(member), "private member {member} in {value}");
            }
            map.values().for_each(assert_no_private_members);
        }
        Value::Array(items) => items.iter().for_each(assert_no_private_members),
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------
// Key sets.

#[tokio::test]
async fn list_create_get_replace_update_delete() {
    for target in Target::both(MockConfig::default()).await {
        let t = target.name();
        let list = target.get(KEYSETS).await;
        assert_eq!(list.status, 200, "{t}");
        assert_eq!(list.header("content-type"), GRAPH_JSON);
        let body = list.json();
        assert!(
            body["@odata.context"]
                .as_str()
                .unwrap()
                .ends_with("/beta/$metadata#trustFramework/keySets"),
            "{t}"
        );
        assert_eq!(body["value"], json!([]));

        let created = target.post(KEYSETS, json!({"id": "keyset1"})).await;
        assert_eq!(created.status, 201, "{t}: {}", created.text());
        assert_eq!(created.json()["id"], "B2C_1A_keyset1");
        assert_eq!(created.json()["keys"], json!([]));
        let location = created.header("location");
        assert!(location.starts_with("http://"), "{t}: {location}");
        assert!(
            location.ends_with("/beta/trustFramework/keySets('B2C_1A_keyset1')"),
            "{t}: {location}"
        );

        let created = target.post(KEYSETS, json!({"id": "B2C_1A_second"})).await;
        assert_eq!(created.json()["id"], "B2C_1A_second", "{t}");

        let list = target.get(KEYSETS).await.json();
        let ids: Vec<&str> =
            list["value"].as_array().unwrap().iter().map(|s| s["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["B2C_1A_keyset1", "B2C_1A_second"], "{t}");

        let got = target.get(&format!("{KEYSETS}/B2C_1A_keyset1")).await;
        assert_eq!(got.status, 200, "{t}");
        assert_eq!(got.json()["id"], "B2C_1A_keyset1");

        let jwk = json!({"kty": "oct", "use": "sig", "k": "c2VjcmV0", "kid": "first", "nbf": 1, "exp": 2});
        let replaced = target
            .send(Method::PUT, &format!("{KEYSETS}/B2C_1A_keyset1"), Some(json!({"keys": [jwk]})))
            .await;
        assert_eq!(replaced.status, 200, "{t}: {}", replaced.text());
        assert_eq!(replaced.json()["keys"][0]["kid"], "first");
        assert_no_private_members(&replaced.json());

        // PATCH without keys leaves them; PATCH with keys replaces the collection.
        let path = format!("{KEYSETS}/B2C_1A_keyset1");
        let patched = target.send(Method::PATCH, &path, Some(json!({"id": "keyset1"}))).await;
        assert_eq!(patched.status, 200, "{t}: {}", patched.text());
        assert_eq!(patched.json()["keys"][0]["kid"], "first");
        let jwk = json!({"kty": "RSA", "use": "enc", "n": "AQAB", "e": "AQAB", "kid": "second"});
        let patched = target.send(Method::PATCH, &path, Some(json!({"keys": [jwk]}))).await;
        assert_eq!(patched.json()["keys"].as_array().unwrap().len(), 1, "{t}");
        assert_eq!(patched.json()["keys"][0]["kid"], "second");
        // PUT without keys empties the key set: it replaces the whole content.
        let replaced = target.send(Method::PUT, &path, Some(json!({}))).await;
        assert_eq!(replaced.json()["keys"], json!([]), "{t}");

        let deleted = target.send(Method::DELETE, &path, None).await;
        assert_eq!(deleted.status, 204, "{t}");
        assert!(deleted.body.is_empty());
        assert!(deleted.headers.get("content-type").is_none());
        target.get(&path).await.error(404, "ResourceNotFound");
        target.stop().await;
    }
}

#[tokio::test]
async fn create_refuses_duplicates_and_bad_ids() {
    for target in Target::both(MockConfig::default()).await {
        target.create("dup").await;
        let message = target.post(KEYSETS, json!({"id": "dup"})).await.error(409, "Conflict");
        assert!(message.contains("B2C_1A_dup"), "{message}");
        target.post(KEYSETS, json!({"id": "b2c_1a_DUP"})).await.error(409, "Conflict");
        let message = target.post(KEYSETS, json!({})).await.error(400, "BadRequest");
        assert!(message.contains("'id'"), "{message}");
        let message = target.post(KEYSETS, json!({"id": 5})).await.error(400, "BadRequest");
        assert!(message.contains("'id' must be a string"), "{message}");
        target.post(KEYSETS, json!({"id": "has space"})).await.error(400, "BadRequest");
        target.stop().await;
    }
}

#[tokio::test]
async fn keys_sent_with_a_key_set_are_validated_field_by_field() {
    for target in Target::both(MockConfig::default()).await {
        let full = json!({
            "kty": "RSA", "use": "sig", "kid": "full", "nbf": 1_508_969_811, "exp": 1_908_969_811,
            "n": "AQAB", "e": "AQAB", "d": "ZA", "p": "cA", "q": "cQ", "dp": "ZHA", "dq": "ZHE", "qi": "cWk",
            "x5c": [STANDARD.encode(CERT_DER)], "x5t": CERT_X5T, "@odata.type": "#microsoft.graph.trustFrameworkKey",
        });
        let created = target.post(KEYSETS, json!({"id": "withkeys", "keys": [full]})).await;
        assert_eq!(created.status, 201, "{}", created.text());
        let key = &created.json()["keys"][0];
        assert_eq!(key["kid"], "full");
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["x5t"], CERT_X5T);
        assert_eq!(key["nbf"], 1_508_969_811);
        assert_no_private_members(&created.json());

        // The docs' own placeholder example is refused, naming the member at fault.
        let doc_example = json!({"id": "doc", "keys": [{"k": "k-value", "kty": "kty-value", "use": "use-value", "exp": 99, "nbf": 99}]});
        let message = target.post(KEYSETS, doc_example).await.error(400, "BadRequest");
        assert!(message.contains("keys[0].kty"), "{message}");

        let cases = [
            (json!({"kty": "oct", "use": "sig"}), "keys[0].k"),
            (json!({"kty": "RSA", "use": "sig", "e": "AQAB"}), "keys[0].n"),
            (json!({"kty": "oct", "use": "verify", "k": "AA"}), "keys[0].use"),
            (json!({"kty": "oct", "use": "sig", "k": "AA", "exp": "soon"}), "keys[0].exp"),
            (json!({"kty": "oct", "use": "sig", "k": "AA", "colour": "red"}), "keys[0].colour"),
        ];
        for (key, named) in cases {
            let message = target
                .post(KEYSETS, json!({"id": "bad", "keys": [key]}))
                .await
                .error(400, "BadRequest");
            assert!(message.contains(named), "{named}: {message}");
        }
        let message =
            target.post(KEYSETS, json!({"id": "bad", "keys": {}})).await.error(400, "BadRequest");
        assert!(message.contains("'keys' must be an array"), "{message}");
        target.stop().await;
    }
}

#[tokio::test]
async fn graph_url_forms_reach_the_same_key_set() {
    for target in Target::both(MockConfig::default()).await {
        let id = target.create("forms").await;
        for path in [
            format!("/beta/trustFramework/keySets/{id}"),
            format!("/v1.0/trustFramework/keySets/{id}"),
            format!("/trustFramework/keySets/{id}"),
            format!("/beta/trustFramework/keySets('{id}')"),
            format!("/beta/trustFramework/keySets(%27{id}%27)"),
            format!("/beta/trustframework/keysets/{}", id.to_lowercase()),
        ] {
            let answer = target.get(&path).await;
            assert_eq!(answer.status, 200, "{} {path}: {}", target.name(), answer.text());
            assert_eq!(answer.json()["id"], id.as_str());
        }
        let context = target.get(&format!("/v1.0/trustFramework/keySets/{id}")).await.json()["@odata.context"].clone();
        assert!(
            context.as_str().unwrap().contains("/v1.0/$metadata#trustFramework/keySets/$entity"),
            "{context}"
        );
        let location = target.post("/trustFramework/keySets", json!({"id": "plain"})).await;
        assert!(location.header("location").ends_with("/trustFramework/keySets('B2C_1A_plain')"));
        assert!(!location.header("location").contains("/beta/"));
        target.stop().await;
    }
}

// ---------------------------------------------------------------------------------------
// Actions.

#[tokio::test]
async fn generate_key_makes_real_rsa_keys_and_secrets() {
    for target in Target::both(MockConfig::default()).await {
        let id = target.create("gen").await;
        let path = format!("{KEYSETS}/{id}/generateKey");
        let answer = target
            .post(
                &path,
                json!({"use": "sig", "kty": "RSA", "nbf": 1_508_969_811, "exp": 1_908_969_811}),
            )
            .await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        let key = answer.json();
        assert_no_private_members(&key);
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["use"], "sig");
        assert_eq!(key["e"], "AQAB");
        assert_eq!(
            (key["nbf"].as_i64(), key["exp"].as_i64()),
            (Some(1_508_969_811), Some(1_908_969_811))
        );
        let modulus = URL_SAFE_NO_PAD.decode(key["n"].as_str().unwrap()).unwrap();
        assert_eq!(modulus.len(), 256, "a 2048-bit modulus");
        assert!(modulus[0] & 0x80 != 0, "top bit set");
        assert_eq!(key["kid"].as_str().unwrap().len(), 43);

        let secret = target.post(&path, json!({"use": "enc", "kty": "oct"})).await.json();
        assert_eq!(secret["kty"], "oct");
        assert!(secret.get("n").is_none() && secret.get("nbf").is_none());
        assert_no_private_members(&secret);

        let set = target.get(&format!("{KEYSETS}/{id}")).await.json();
        assert_eq!(set["keys"].as_array().unwrap().len(), 2);
        assert_no_private_members(&set);

        for (body, named) in [
            (json!({"kty": "RSA"}), "'use'"),
            (json!({"use": "sig"}), "'kty'"),
            (json!({"use": "sig", "kty": "EC"}), "'kty' must be one of RSA, oct"),
            (json!({"use": "sign", "kty": "RSA"}), "'use' must be one of sig, enc"),
            (json!({"use": "sig", "kty": "RSA", "nbf": "1508969811"}), "'nbf' must be an integer"),
            (
                json!({"use": "sig", "kty": "RSA", "nbf": 10, "exp": 5}),
                "'exp' must not be before 'nbf'",
            ),
            (json!({"use": "sig", "kty": "RSA", "size": 4096}), "unknown property 'size'"),
        ] {
            let message = target.post(&path, body).await.error(400, "BadRequest");
            assert!(message.contains(named), "{named}: {message}");
        }
        target.stop().await;
    }
}

#[tokio::test]
async fn upload_secret_stores_but_never_echoes_the_secret() {
    for target in Target::both(MockConfig::default()).await {
        let id = target.create("secret").await;
        let path = format!("{KEYSETS}/{id}/uploadSecret");
        let body = json!({"use": "sig", "k": "application-secret-to-be-uploaded", "nbf": 1_508_969_811, "exp": 1_508_973_711});
        let answer = target.post(&path, body).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        assert!(!answer.text().contains("application-secret"), "{}", answer.text());
        let key = answer.json();
        assert_no_private_members(&key);
        assert_eq!(key["kty"], "oct");
        assert_eq!(key["nbf"], 1_508_969_811);
        assert_eq!(key["exp"], 1_508_973_711);
        let message = target.post(&path, json!({"use": "sig"})).await.error(400, "BadRequest");
        assert!(message.contains("'k'"), "{message}");
        let message =
            target.post(&path, json!({"use": "sig", "k": 42})).await.error(400, "BadRequest");
        assert!(!message.contains("42"), "{message}");
        target.stop().await;
    }
}

#[tokio::test]
async fn upload_certificate_reads_x509_in_every_form() {
    for target in Target::both(MockConfig::default()).await {
        let forms = [
            STANDARD.encode(CERT_DER),
            STANDARD.encode(CERT_PEM),
            CERT_PEM.to_owned(),
            // Wrapped over lines, as tools print base64.
            STANDARD
                .encode(CERT_DER)
                .as_bytes()
                .chunks(64)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect::<Vec<_>>()
                .join("\n"),
        ];
        for (i, form) in forms.into_iter().enumerate() {
            let id = target.create(&format!("cert{i}")).await;
            let answer = target
                .post(&format!("{KEYSETS}/{id}/uploadCertificate"), json!({"key": form}))
                .await;
            assert_eq!(answer.status, 200, "form {i}: {}", answer.text());
            let key = answer.json();
            assert_eq!(key["x5t"], CERT_X5T, "form {i}");
            assert_eq!(key["x5c"], json!([STANDARD.encode(CERT_DER)]));
            assert_eq!(key["nbf"], CERT_NBF);
            assert_eq!(key["exp"], CERT_EXP);
            assert_eq!(key["kty"], "RSA");
            assert_eq!(key["use"], "sig");
            assert_eq!(key["e"], "AQAB");
            assert!(key["n"].as_str().unwrap().starts_with(CERT_N_START));
            assert_no_private_members(&key);
        }
        let id = target.create("badcert").await;
        let path = format!("{KEYSETS}/{id}/uploadCertificate");
        for bad in [
            "key-value",
            "%%%",
            &STANDARD.encode(b"certainly not DER"),
            &STANDARD.encode(&CERT_DER[..200]),
        ] {
            let message = target.post(&path, json!({"key": bad})).await.error(400, "BadRequest");
            assert!(message.starts_with("property 'key'"), "{message}");
        }
        let message = target
            .post(&path, json!({"key": STANDARD.encode(EC_CERT_DER)}))
            .await
            .error(400, "BadRequest");
        assert!(message.contains("not RSA"), "{message}");
        target.post(&path, json!({})).await.error(400, "BadRequest");
        // The same certificate twice is the same key.
        target.post(&path, json!({"key": STANDARD.encode(CERT_DER)})).await;
        target.post(&path, json!({"key": STANDARD.encode(CERT_DER)})).await.error(409, "Conflict");
        target.stop().await;
    }
}

#[tokio::test]
async fn upload_pkcs12_opens_modern_and_legacy_files() {
    for target in Target::both(MockConfig::default()).await {
        for (name, file) in [("aes", AES_P12), ("legacy", LEGACY_P12)] {
            let id = target.create(name).await;
            let path = format!("{KEYSETS}/{id}/uploadPkcs12");
            let answer = target
                .post(&path, json!({"key": STANDARD.encode(file), "password": P12_PASSWORD}))
                .await;
            assert_eq!(answer.status, 200, "{name}: {}", answer.text());
            let key = answer.json();
            assert_eq!(key["x5t"], CERT_X5T, "{name}");
            assert_eq!(key["nbf"], CERT_NBF);
            assert_eq!(key["exp"], CERT_EXP);
            assert!(key["n"].as_str().unwrap().starts_with(CERT_N_START));
            assert_no_private_members(&key);
            assert!(!answer.text().contains(P12_PASSWORD));
            assert_no_private_members(&target.get(&format!("{KEYSETS}/{id}")).await.json());

            let message = target
                .post(&path, json!({"key": STANDARD.encode(file), "password": "wrong"}))
                .await
                .error(400, "BadRequest");
            assert!(message.contains("password"), "{name}: {message}");
            assert!(!message.contains("wrong"), "{message}");
        }
        let id = target.create("badpfx").await;
        let path = format!("{KEYSETS}/{id}/uploadPkcs12");
        for bad in [
            STANDARD.encode(&AES_P12[..AES_P12.len() / 2]),
            STANDARD.encode(CERT_DER),
            "Base64-encoded-pfx-content".into(),
        ] {
            let message = target
                .post(&path, json!({"key": bad, "password": P12_PASSWORD}))
                .await
                .error(400, "BadRequest");
            assert!(!message.is_empty());
        }
        target.post(&path, json!({"password": P12_PASSWORD})).await.error(400, "BadRequest");
        target.stop().await;
    }
}

#[tokio::test]
async fn get_active_key_picks_the_latest_key_in_force() {
    for target in Target::both(MockConfig::default()).await {
        let id = target.create("active").await;
        let path = format!("{KEYSETS}/{id}/getActiveKey");
        let message = target.get(&path).await.error(404, "NoActiveKey");
        assert!(message.contains(&id), "{message}");

        target.add_secret(&id, Some(1_508_969_811), Some(1_508_973_711)).await; // expired
        target.add_secret(&id, Some(now() + 3600), None).await; // not yet
        target.get(&path).await.error(404, "NoActiveKey");

        let older = target.add_secret(&id, Some(now() - 7200), Some(now() + 3600)).await;
        let newer = target.add_secret(&id, Some(now() - 60), Some(now() + 3600)).await;
        target.add_secret(&id, None, None).await; // unbounded, but with no nbf it counts as oldest
        let active = target.get(&path).await;
        assert_eq!(active.status, 200, "{}", active.text());
        assert_eq!(active.json()["kid"], newer.as_str());
        assert_no_private_members(&active.json());

        let disable = json!({"status": "disabled"});
        let answer = target
            .send(Method::PATCH, &format!("{KEYSETS}/{id}/keys_v2/{newer}"), Some(disable))
            .await;
        assert_eq!(answer.status, 204, "{}", answer.text());
        assert_eq!(target.get(&path).await.json()["kid"], older.as_str());
        target.stop().await;
    }
}

#[tokio::test]
async fn keys_v2_reads_and_patches_status_only() {
    for target in Target::both(MockConfig::default()).await {
        let id = target.create("v2").await;
        let kid = target.add_secret(&id, Some(1), Some(2)).await;
        let path = format!("{KEYSETS}/{id}/keys_v2/{kid}");
        let answer = target.get(&path).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        let key = answer.json();
        assert_eq!(key["status"], "enabled");
        assert_eq!(key["kid"], kid.as_str());
        assert_no_private_members(&key);
        let key_syntax = target.get(&format!("{KEYSETS}('{id}')/keys_v2('{kid}')")).await;
        assert_eq!(key_syntax.json()["kid"], kid.as_str());

        for status in ["disabled", "unknownFutureValue", "enabled"] {
            let answer = target.send(Method::PATCH, &path, Some(json!({"status": status}))).await;
            assert_eq!(answer.status, 204, "{status}: {}", answer.text());
            assert!(answer.body.is_empty());
            assert_eq!(target.get(&path).await.json()["status"], status);
        }
        let message = target
            .send(Method::PATCH, &path, Some(json!({"status": "off"})))
            .await
            .error(400, "BadRequest");
        assert!(message.contains("enabled, disabled, unknownFutureValue"), "{message}");
        let message = target
            .send(Method::PATCH, &path, Some(json!({"use": "enc"})))
            .await
            .error(400, "BadRequest");
        assert!(message.contains("only 'status'"), "{message}");
        target
            .send(Method::PATCH, &path, Some(json!({"status": true})))
            .await
            .error(400, "BadRequest");
        target
            .send(Method::PATCH, &path, Some(json!({"colour": "red"})))
            .await
            .error(400, "BadRequest");
        let missing = format!("{KEYSETS}/{id}/keys_v2/nope");
        target.get(&missing).await.error(404, "ResourceNotFound");
        target
            .send(Method::PATCH, &missing, Some(json!({"status": "enabled"})))
            .await
            .error(404, "ResourceNotFound");
        target.stop().await;
    }
}

#[tokio::test]
async fn every_route_answers_404_for_an_unknown_key_set() {
    for target in Target::both(MockConfig::default()).await {
        let base = format!("{KEYSETS}/B2C_1A_missing");
        let secret = json!({"use": "sig", "k": "x"});
        let requests = [
            (Method::GET, base.clone(), None),
            (Method::PUT, base.clone(), Some(json!({}))),
            (Method::PATCH, base.clone(), Some(json!({}))),
            (Method::DELETE, base.clone(), None),
            (
                Method::POST,
                format!("{base}/generateKey"),
                Some(json!({"use": "sig", "kty": "RSA"})),
            ),
            (Method::POST, format!("{base}/uploadSecret"), Some(secret)),
            (
                Method::POST,
                format!("{base}/uploadCertificate"),
                Some(json!({"key": STANDARD.encode(CERT_DER)})),
            ),
            (
                Method::POST,
                format!("{base}/uploadPkcs12"),
                Some(json!({"key": STANDARD.encode(AES_P12), "password": P12_PASSWORD})),
            ),
            (Method::GET, format!("{base}/getActiveKey"), None),
            (Method::GET, format!("{base}/keys_v2/kid"), None),
            (Method::PATCH, format!("{base}/keys_v2/kid"), Some(json!({"status": "enabled"}))),
        ];
        for (method, path, body) in requests {
            let message =
                target.send(method.clone(), &path, body).await.error(404, "ResourceNotFound");
            assert!(message.contains("B2C_1A_missing"), "{method} {path}: {message}");
        }
        target.stop().await;
    }
}

// ---------------------------------------------------------------------------------------
// Errors, headers and authentication.

#[tokio::test]
async fn every_error_status_uses_the_graph_envelope() {
    let config = MockConfig { body_limit: 1024, ..MockConfig::default() };
    for target in Target::both(config).await {
        let id = target.create("errors").await;
        let action = format!("{KEYSETS}/{id}/uploadSecret");
        let json_header = [("authorization", TOKEN), ("content-type", "application/json")];

        let malformed = target
            .send_raw(Method::POST, &action, &json_header, Some(b"{\"use\": \"sig\",".to_vec()))
            .await;
        assert!(malformed.error(400, "BadRequest").contains("not valid JSON"));
        let trailing_comma = target
            .send_raw(Method::POST, &action, &json_header, Some(b"{\"use\": \"sig\",}".to_vec()))
            .await;
        trailing_comma.error(400, "BadRequest");
        let not_object =
            target.send_raw(Method::POST, &action, &json_header, Some(b"[1, 2]".to_vec())).await;
        assert!(not_object.error(400, "BadRequest").contains("JSON object, not an array"));
        let empty = target.send_raw(Method::POST, &action, &json_header, None).await;
        assert!(empty.error(400, "BadRequest").contains("empty"));
        target
            .post(&action, json!({"use": "sig", "k": "x", "extra": 1}))
            .await
            .error(400, "BadRequest");
        target.post(&action, json!({"use": "both", "k": "x"})).await.error(400, "BadRequest");
        target.post(&action, json!({"use": "sig"})).await.error(400, "BadRequest");

        let unauthorised = target.send_raw(Method::GET, KEYSETS, &[], None).await;
        assert!(unauthorised.error(401, "InvalidAuthenticationToken").contains("Bearer"));
        assert_eq!(unauthorised.header("www-authenticate"), "Bearer");
        target
            .send_raw(Method::GET, KEYSETS, &[("authorization", "Bearer ")], None)
            .await
            .error(401, "InvalidAuthenticationToken");
        target
            .send_raw(Method::GET, KEYSETS, &[("authorization", "Basic dTpw")], None)
            .await
            .error(401, "InvalidAuthenticationToken");

        let unknown = target.get("/beta/trustFramework/keySets/x/rotate").await;
        assert!(
            unknown
                .error(404, "ResourceNotFound")
                .contains("/beta/trustFramework/keySets/x/rotate")
        );
        target.get("/beta/me").await.error(404, "ResourceNotFound");
        target.get("/").await.error(404, "ResourceNotFound");

        let wrong_method = target.send(Method::DELETE, KEYSETS, None).await;
        wrong_method.error(405, "MethodNotAllowed");
        assert!(wrong_method.header("allow").contains("POST"));
        target.get(&action).await.error(405, "MethodNotAllowed");
        target
            .send(Method::PUT, &format!("{KEYSETS}/{id}/getActiveKey"), Some(json!({})))
            .await
            .error(405, "MethodNotAllowed");

        let big = json!({"use": "sig", "k": "x".repeat(2000)});
        let too_large = target.post(&action, big).await;
        assert!(too_large.error(413, "RequestEntityTooLarge").contains("1024"));

        let form =
            [("authorization", TOKEN), ("content-type", "application/x-www-form-urlencoded")];
        let unsupported =
            target.send_raw(Method::POST, &action, &form, Some(b"use=sig&k=x".to_vec())).await;
        unsupported.error(415, "UnsupportedMediaType");
        let untyped = target
            .send_raw(Method::POST, &action, &[("authorization", TOKEN)], Some(b"{}".to_vec()))
            .await;
        untyped.error(415, "UnsupportedMediaType");
        target.stop().await;
    }
}

#[tokio::test]
async fn every_answer_carries_graph_headers() {
    for target in Target::both(MockConfig::default()).await {
        let with_id = [("authorization", TOKEN), ("client-request-id", "3f1c2a9e-client")];
        for path in [KEYSETS, "/beta/nowhere"] {
            let answer = target.send_raw(Method::GET, path, &with_id, None).await;
            assert_eq!(answer.header("client-request-id"), "3f1c2a9e-client", "{path}");
            assert_eq!(answer.header("request-id").len(), 36);
            assert_ne!(answer.header("request-id"), "3f1c2a9e-client");
            assert!(httpdate::parse_http_date(answer.header("date")).is_ok());
        }
        let first = target.get(KEYSETS).await;
        let second = target.get(KEYSETS).await;
        assert_ne!(first.header("request-id"), second.header("request-id"));
        // Without a client id, the request id stands in for it.
        assert_eq!(first.header("client-request-id"), first.header("request-id"));
        let unauthorised =
            target.send_raw(Method::GET, KEYSETS, &[("client-request-id", "c-1")], None).await;
        assert_eq!(unauthorised.json()["error"]["innerError"]["client-request-id"], "c-1");
        target.stop().await;
    }
}

#[tokio::test]
async fn auth_can_be_switched_off() {
    for target in Target::both(no_auth()).await {
        let answer = target.send_raw(Method::GET, KEYSETS, &[], None).await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        target.stop().await;
    }
}

#[tokio::test]
async fn latency_delays_every_answer() {
    let config = MockConfig { latency: Duration::from_millis(150), ..MockConfig::default() };
    for target in Target::both(config).await {
        for path in [KEYSETS, "/beta/nowhere"] {
            let started = Instant::now();
            target.get(path).await;
            assert!(
                started.elapsed() >= Duration::from_millis(150),
                "{path}: {:?}",
                started.elapsed()
            );
        }
        target.stop().await;
    }
}

// ---------------------------------------------------------------------------------------
// Deliberate deviations.

/// A mock with one deviation, a key set with a secret, and the paths a harness would use.
struct Deviating {
    target: Target,
    id: String,
    kid: String,
}

impl Deviating {
    async fn new(target: Target) -> Self {
        // The fixture steps work under every deviation.
        let id = target.create("fixture").await;
        let kid = target.add_secret(&id, Some(1_508_969_811), Some(4_102_444_800)).await;
        assert!(!id.is_empty() && !kid.is_empty());
        Self { target, id, kid }
    }

    fn set(&self) -> String {
        format!("{KEYSETS}/{}", self.id)
    }

    fn key(&self) -> String {
        format!("{KEYSETS}/{}/keys_v2/{}", self.id, self.kid)
    }

    async fn teardown(self) {
        let deleted = self.target.send(Method::DELETE, &self.set(), None).await;
        assert!(deleted.status.is_success(), "teardown: {}", deleted.text());
        self.target.get(&self.set()).await.error(404, "ResourceNotFound");
        self.target.stop().await;
    }
}

async fn deviating(deviation: Deviation) -> [Deviating; 2] {
    let config = MockConfig {
        deviations: vec![deviation],
        slow_delay: Duration::from_millis(300),
        ..MockConfig::default()
    };
    let [a, b] = Target::both(config).await;
    [Deviating::new(a).await, Deviating::new(b).await]
}

#[tokio::test]
async fn deviation_status_changes_success_codes() {
    for d in deviating(Deviation::Status).await {
        assert_eq!(d.target.get(&d.set()).await.status, 202);
        let created = d.target.post(KEYSETS, json!({"id": "other"})).await;
        assert_eq!(created.status, 200);
        assert_eq!(created.json()["id"], "B2C_1A_other");
        let patched =
            d.target.send(Method::PATCH, &d.key(), Some(json!({"status": "enabled"}))).await;
        assert_eq!(patched.status, 200);
        d.target.get(&format!("{KEYSETS}/nope")).await.error(404, "ResourceNotFound");
        d.teardown().await;
    }
}

#[tokio::test]
async fn deviation_missing_property_drops_documented_members() {
    for d in deviating(Deviation::MissingProperty).await {
        let set = d.target.get(&d.set()).await.json();
        assert_eq!(set["id"], d.id.as_str());
        assert!(set.get("keys").is_none(), "{set}");
        let list = d.target.get(KEYSETS).await.json();
        assert!(
            list.get("@odata.context").is_none() && list["value"][0].get("keys").is_none(),
            "{list}"
        );
        let key = d.target.get(&format!("{}/getActiveKey", d.set())).await.json();
        assert_eq!(key["kid"], d.kid.as_str());
        assert!(key.get("use").is_none() && key.get("kty").is_none(), "{key}");
        let v2 = d.target.get(&d.key()).await.json();
        assert!(v2.get("status").is_none(), "{v2}");
        d.teardown().await;
    }
}

#[tokio::test]
async fn deviation_wrong_type_changes_json_types() {
    for d in deviating(Deviation::WrongType).await {
        let set = d.target.get(&d.set()).await.json();
        assert!(set["keys"].is_object(), "{set}");
        assert_eq!(set["id"], d.id.as_str());
        let key = d.target.get(&format!("{}/getActiveKey", d.set())).await.json();
        assert!(key["nbf"].is_string() && key["exp"].is_string() && key["use"].is_array(), "{key}");
        assert_eq!(key["kid"], d.kid.as_str());
        assert!(d.target.get(&d.key()).await.json()["status"].is_number());
        d.teardown().await;
    }
}

#[tokio::test]
async fn deviation_extra_property_adds_an_undocumented_member() {
    for d in deviating(Deviation::ExtraProperty).await {
        assert_eq!(d.target.get(&d.set()).await.json()["exemplarExtra"], true);
        assert_eq!(d.target.get(KEYSETS).await.json()["value"][0]["exemplarExtra"], true);
        assert_eq!(d.target.get(&d.key()).await.json()["exemplarExtra"], true);
        d.teardown().await;
    }
}

#[tokio::test]
async fn deviation_content_type_mislabels_json() {
    for d in deviating(Deviation::ContentType).await {
        let answer = d.target.get(&d.set()).await;
        assert_eq!(answer.status, 200);
        assert!(answer.header("content-type").starts_with("text/plain"));
        assert_eq!(answer.json()["id"], d.id.as_str());
        let error = d.target.get(&format!("{KEYSETS}/nope")).await;
        error.error(404, "ResourceNotFound");
        d.teardown().await;
    }
}

#[tokio::test]
async fn deviation_odata_type_claims_the_wrong_type() {
    for d in deviating(Deviation::OdataType).await {
        assert_eq!(d.target.get(&d.set()).await.json()["@odata.type"], "#microsoft.graph.user");
        let list = d.target.get(KEYSETS).await.json();
        assert_eq!(list["value"][0]["@odata.type"], "#microsoft.graph.user");
        d.teardown().await;
    }
}

#[tokio::test]
async fn deviation_empty_body_drops_bodies_outside_fixtures() {
    for d in deviating(Deviation::EmptyBody).await {
        let answer = d.target.get(&d.set()).await;
        assert_eq!(answer.status, 200);
        assert!(answer.body.is_empty(), "{}", answer.text());
        assert_eq!(answer.header("content-type"), GRAPH_JSON);
        assert!(d.target.get(&d.key()).await.body.is_empty());
        d.teardown().await;
    }
}

#[tokio::test]
async fn deviation_invalid_json_truncates_bodies_outside_fixtures() {
    for d in deviating(Deviation::InvalidJson).await {
        for path in [d.set(), KEYSETS.to_owned(), d.key()] {
            let answer = d.target.get(&path).await;
            assert_eq!(answer.status, 200);
            assert!(!answer.body.is_empty());
            assert!(
                serde_json::from_slice::<Value>(&answer.body).is_err(),
                "{path}: {}",
                answer.text()
            );
        }
        d.teardown().await;
    }
}

/// Checked without a bound the machine's speed can break: the hold is a lower bound, and a
/// delay of an hour tells held answers (still pending after a second) from errors (back well
/// before a minute) however busy the machine is.
#[tokio::test]
async fn deviation_slow_holds_successful_answers() {
    for d in deviating(Deviation::Slow).await {
        let started = Instant::now();
        assert_eq!(d.target.get(&d.set()).await.status, 200);
        assert!(started.elapsed() >= Duration::from_millis(300), "{:?}", started.elapsed());
        d.teardown().await;
    }
    let config = MockConfig {
        deviations: vec![Deviation::Slow],
        slow_delay: Duration::from_secs(3600),
        ..MockConfig::default()
    };
    for target in Target::both(config).await {
        let held = tokio::time::timeout(Duration::from_secs(1), target.get(KEYSETS)).await;
        assert!(held.is_err(), "a successful answer is held for the slow delay");
        let error =
            tokio::time::timeout(Duration::from_secs(60), target.get(&format!("{KEYSETS}/nope")))
                .await
                .expect("errors are not slowed");
        error.error(404, "ResourceNotFound");
        target.stop().await;
    }
}

#[tokio::test]
async fn deviation_server_error_fails_outside_fixtures() {
    for d in deviating(Deviation::ServerError).await {
        let message = d.target.get(&d.set()).await.error(500, "generalException");
        assert!(message.contains("server-error"), "{message}");
        d.target.get(KEYSETS).await.error(500, "generalException");
        d.target
            .send(Method::PATCH, &d.key(), Some(json!({"status": "enabled"})))
            .await
            .error(500, "generalException");
        d.teardown().await;
    }
}

#[tokio::test]
async fn all_deviations_at_once_leave_errors_and_fixtures_alone() {
    let config = MockConfig {
        deviations: Deviation::ALL.to_vec(),
        slow_delay: Duration::from_millis(1),
        ..MockConfig::default()
    };
    for target in Target::both(config).await {
        let d = Deviating::new(target).await;
        let message = d.target.post(KEYSETS, json!({"id": "fixture"})).await.error(409, "Conflict");
        assert!(message.contains("B2C_1A_fixture"));
        d.teardown().await;
    }
}

// ---------------------------------------------------------------------------------------
// Robustness.

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_changes_lose_no_update() {
    for target in Target::both(MockConfig::default()).await {
        let target = std::sync::Arc::new(target);
        let id = target.create("busy").await;
        // 32 secrets and 4 RSA keys at once: RSA generation runs outside the store's lock,
        // so the secrets land while the key pairs are being made.
        let requests = (0..36).map(|i| {
            let target = target.clone();
            let id = id.clone();
            tokio::spawn(async move {
                let (action, body) = if i < 32 {
                    ("uploadSecret", json!({"use": "sig", "k": format!("secret-{i}")}))
                } else {
                    ("generateKey", json!({"use": "sig", "kty": "RSA"}))
                };
                let answer = target.post(&format!("{KEYSETS}/{id}/{action}"), body).await;
                assert_eq!(answer.status, 200, "{}", answer.text());
                answer.json()["kid"].as_str().unwrap().to_owned()
            })
        });
        let mut kids = Vec::new();
        for request in requests.collect::<Vec<_>>() {
            kids.push(request.await.unwrap());
        }
        let set = target.get(&format!("{KEYSETS}/{id}")).await.json();
        let stored: Vec<&str> =
            set["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap()).collect();
        assert_eq!(stored.len(), 36, "{}", target.name());
        for kid in &kids {
            assert!(stored.contains(&kid.as_str()), "{kid} lost");
        }
        if let Ok(target) = std::sync::Arc::try_unwrap(target) {
            target.stop().await;
        }
    }
}

#[tokio::test]
async fn no_request_makes_the_server_fail() {
    let target = Target::in_process(MockConfig { body_limit: 4096, ..MockConfig::default() }).await;
    let id = target.create("fuzz").await;
    let kid = target.add_secret(&id, None, None).await;
    let paths = [
        KEYSETS.to_owned(),
        format!("{KEYSETS}/{id}"),
        format!("{KEYSETS}/{id}/generateKey"),
        format!("{KEYSETS}/{id}/uploadSecret"),
        format!("{KEYSETS}/{id}/uploadCertificate"),
        format!("{KEYSETS}/{id}/uploadPkcs12"),
        format!("{KEYSETS}/{id}/getActiveKey"),
        format!("{KEYSETS}/{id}/keys_v2/{kid}"),
        format!("{KEYSETS}('')"),
        format!("{KEYSETS}(')"),
        format!("{KEYSETS}/%FF%FE"),
        "/beta/trustFramework/keySets/a/b/c/d/e".into(),
        "/v1.0".into(),
        "//".into(),
    ];
    let bodies: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"null".to_vec(),
        b"{\"id\": null, \"keys\": [null, 1, \"x\", {}]}".to_vec(),
        b"{\"use\": {\"deep\": [[[[]]]]}, \"kty\": [], \"nbf\": 1e400, \"exp\": -0}".to_vec(),
        b"{\"use\": \"sig\", \"kty\": \"oct\", \"nbf\": 18446744073709551615}".to_vec(),
        b"{\"key\": \"\", \"password\": 7, \"status\": \"\"}".to_vec(),
        "{\"k\": \"\u{1F511}\", \"use\": \"sig\"}".as_bytes().to_vec(),
        vec![0xff, 0xfe, 0x00, 0x7b],
        "[".repeat(10_000).into_bytes(),
    ];
    for path in &paths {
        for method in
            [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE, Method::OPTIONS]
        {
            for body in &bodies {
                let headers = [("authorization", TOKEN), ("content-type", "application/json")];
                let answer =
                    target.send_raw(method.clone(), path, &headers, Some(body.clone())).await;
                assert!(
                    answer.status.as_u16() < 500,
                    "{method} {path} {:?}: {}",
                    String::from_utf8_lossy(body),
                    answer.text()
                );
                if !answer.status.is_success() {
                    answer.json()["error"]["code"].as_str().expect("an envelope");
                }
            }
        }
    }
}

mod properties {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Arbitrary JSON-ish bytes sent to every action never produce a 5xx.
        #[test]
        fn arbitrary_bodies_are_answered_with_4xx_or_2xx(body in proptest::collection::vec(any::<u8>(), 0..200), pick in 0usize..5) {
            let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            runtime.block_on(async {
                let target = Target::in_process(MockConfig::default()).await;
                let id = target.create("prop").await;
                let action = ["generateKey", "uploadSecret", "uploadCertificate", "uploadPkcs12", "keys_v2/x"][pick];
                let method = if pick == 4 { Method::PATCH } else { Method::POST };
                let headers = [("authorization", TOKEN), ("content-type", "application/json")];
                let answer = target.send_raw(method, &format!("{KEYSETS}/{id}/{action}"), &headers, Some(body)).await;
                assert!(answer.status.as_u16() < 500, "{}", answer.text());
            });
        }
    }
}

// ---------------------------------------------------------------------------------------
// The command line.

#[test]
fn serve_prints_its_address_and_stops_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    let mut child = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["serve", "--bind", "127.0.0.1:0", "--no-auth", "--deviate", "extra-property,status"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start exemplar serve");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let url = line
        .trim()
        .strip_prefix("exemplar mock listening on ")
        .unwrap_or_else(|| panic!("first line: {line}"))
        .to_owned();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"), "{url}");

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answer = runtime.block_on(async {
        let response = exemplar::run::http::client_builder()
            .build()
            .unwrap()
            .get(format!("{url}{KEYSETS}"))
            .send()
            .await
            .unwrap();
        (response.status().as_u16(), response.json::<Value>().await.unwrap())
    });
    assert_eq!(answer.0, 202);
    assert_eq!(answer.1["exemplarExtra"], true);

    let terminated = Command::new("kill").args(["-TERM", &child.id().to_string()]).output();
    if terminated.is_ok_and(|o| o.status.success()) {
        let started = Instant::now();
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "{status}");
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(10), "no graceful stop");
            std::thread::sleep(Duration::from_millis(50));
        }
    } else {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

#[test]
fn serve_rejects_an_unknown_deviation() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["serve", "--deviate", "teapot"])
        .output()
        .expect("run exemplar serve");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("teapot") && stderr.contains("missing-property"), "{stderr}");
}
