//! The actions and functions bound to a key set: `generateKey`, `uploadSecret`,
//! `uploadCertificate`, `uploadPkcs12` and `getActiveKey`. Each adds or reads one key and
//! answers with it in the `trustFrameworkKey` shape, private members left out.

use axum::extract::{Path, State};
use serde_json::{Map, Value};

use crate::mock::body::JsonBody;
use crate::mock::fields::Fields;
use crate::mock::handlers::keys_v2::SCHEMA;
use crate::mock::key::{Key, KeyStatus, KeyType, KeyUse, PrivateParts};
use crate::mock::odata::{Query, Selection};
use crate::mock::path::ServiceRoot;
use crate::mock::reply::{Operation, Reply};
use crate::mock::store::Store;
use crate::mock::{AppState, GraphError, b64, certificate, keygen, pkcs12};

/// `POST .../{id}/generateKey`: a fresh 2048-bit RSA key pair or a 256-bit secret.
pub async fn generate_key(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Reply, GraphError> {
    let mut f = Fields::new(body, &["use", "kty", "nbf", "exp"], "")?;
    let key_use = key_use(&mut f)?;
    let kty_text = f.required_string("kty")?;
    let kty =
        KeyType::parse(&kty_text).ok_or_else(|| f.not_one_of("kty", &kty_text, &["RSA", "oct"]))?;
    let (nbf, exp) = validity(&mut f)?;
    // Refuse an unknown key set before spending time on a key pair.
    state.store.read_set(&id, |_| ())?;
    let (kid, n, e, private) = match kty {
        KeyType::Rsa => {
            // A ready pair from the pool, or (pool drained) one made now.
            let members = match state.keys.take().await {
                Some(members) => members,
                None => tokio::task::spawn_blocking(keygen::rsa_key)
                    .await
                    .map_err(|_| GraphError::internal("RSA key generation was interrupted"))?
                    .map_err(|_| GraphError::internal("RSA key generation failed"))?,
            };
            (
                keygen::thumbprint(&members.n, &members.e),
                Some(members.n),
                Some(members.e),
                members.private,
            )
        }
        KeyType::Oct => {
            (keygen::random_kid(), None, None, PrivateParts::new(vec![("k", keygen::secret())]))
        }
    };
    let key = Key {
        kid,
        kty,
        key_use,
        nbf,
        exp,
        n,
        e,
        x5c: Vec::new(),
        x5t: None,
        status: KeyStatus::Enabled,
        private,
    };
    add_key(&state.store, &root, &id, key).map(|body| Reply::ok(Operation::GenerateKey, body))
}

/// `POST .../{id}/uploadSecret`: stores `k`; the answer never repeats it.
pub async fn upload_secret(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Reply, GraphError> {
    let mut f = Fields::new(body, &["use", "k", "nbf", "exp"], "")?;
    let key_use = key_use(&mut f)?;
    let secret = f.required_string("k")?;
    let (nbf, exp) = validity(&mut f)?;
    let key = Key {
        kid: keygen::random_kid(),
        kty: KeyType::Oct,
        key_use,
        nbf,
        exp,
        n: None,
        e: None,
        x5c: Vec::new(),
        x5t: None,
        status: KeyStatus::Enabled,
        // The secret is sent as plain text; a JWK holds it base64url-encoded.
        private: PrivateParts::new(vec![("k", b64::url(secret.as_bytes()))]),
    };
    add_key(&state.store, &root, &id, key).map(|body| Reply::ok(Operation::UploadSecret, body))
}

/// `POST .../{id}/uploadCertificate`: reads an X.509 certificate (base64 DER, or PEM) and
/// stores its public key; `400` when it cannot be read or is not RSA.
pub async fn upload_certificate(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Reply, GraphError> {
    let mut f = Fields::new(body, &["key"], "")?;
    let text = f.required_string("key")?;
    let certificate = certificate::from_upload(&text)
        .map_err(|error| GraphError::bad_request(format!("property 'key' {error}")))?;
    let key = certificate_key(certificate, PrivateParts::default());
    add_key(&state.store, &root, &id, key).map(|body| Reply::ok(Operation::UploadCertificate, body))
}

/// `POST .../{id}/uploadPkcs12`: opens a PKCS#12 file with its password and stores the key
/// pair; `400` for a wrong password or an unreadable file.
pub async fn upload_pkcs12(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Reply, GraphError> {
    let mut f = Fields::new(body, &["key", "password"], "")?;
    let file = f.required_string("key")?;
    let password = f.string("password")?.unwrap_or_default();
    state.store.read_set(&id, |_| ())?;
    // Key derivation and decryption take a few milliseconds: keep them off the async
    // threads.
    let opened = tokio::task::spawn_blocking(move || pkcs12::open(&file, &password))
        .await
        .map_err(|_| GraphError::internal("reading the PKCS#12 file was interrupted"))?
        .map_err(|error| GraphError::bad_request(error.to_string()))?;
    let key = certificate_key(opened.certificate, opened.private);
    add_key(&state.store, &root, &id, key).map(|body| Reply::ok(Operation::UploadPkcs12, body))
}

/// `GET .../{id}/getActiveKey` (also `getActiveKey()`): the key in force now, with
/// `$select`; `404 NoActiveKey` when none is.
pub async fn get_active_key(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path(id): Path<String>,
    query: Query,
) -> Result<Reply, GraphError> {
    let select = query.entity(&SCHEMA)?;
    let now = keygen::now();
    let body = state
        .store
        .read_set(&id, |set| set.active_key(now).map(|key| key_body(&root, key, &select)))?;
    body.map(|body| Reply::ok(Operation::GetActiveKey, body))
        .ok_or_else(|| GraphError::no_active_key(&id))
}

/// The required `use` parameter.
fn key_use(f: &mut Fields) -> Result<KeyUse, GraphError> {
    let text = f.required_string("use")?;
    KeyUse::parse(&text).ok_or_else(|| f.not_one_of("use", &text, &["sig", "enc"]))
}

/// The optional `nbf` and `exp` parameters; `exp` may not be before `nbf`.
fn validity(f: &mut Fields) -> Result<(Option<i64>, Option<i64>), GraphError> {
    let nbf = f.integer("nbf")?;
    let exp = f.integer("exp")?;
    if nbf.zip(exp).is_some_and(|(nbf, exp)| exp < nbf) {
        return Err(GraphError::bad_request("property 'exp' must not be before 'nbf'"));
    }
    Ok((nbf, exp))
}

/// A signing key made from a certificate, identified by its public key's thumbprint.
fn certificate_key(certificate: certificate::CertificateKey, private: PrivateParts) -> Key {
    Key {
        kid: keygen::thumbprint(&certificate.n, &certificate.e),
        kty: KeyType::Rsa,
        key_use: KeyUse::Sig,
        nbf: Some(certificate.nbf),
        exp: Some(certificate.exp),
        n: Some(certificate.n),
        e: Some(certificate.e),
        x5c: vec![certificate.x5c],
        x5t: Some(certificate.x5t),
        status: KeyStatus::Enabled,
        private,
    }
}

/// Adds `key` to the key set under the store's lock and renders it.
fn add_key(store: &Store, root: &str, id: &str, key: Key) -> Result<Value, GraphError> {
    store.update_set(id, |set| {
        set.add_key(key).map(|key| key_body(root, key, &Selection::default()))
    })
}

/// A key in the `trustFrameworkKey` shape with its `@odata.context`.
fn key_body(root: &str, key: &Key, select: &Selection) -> Value {
    let mut object = Map::new();
    object.insert(
        "@odata.context".into(),
        format!("{root}/$metadata#microsoft.graph.trustFrameworkKey{}", select.context_suffix())
            .into(),
    );
    object.extend(key.to_json());
    Value::Object(select.apply(object))
}
