//! The reference mock against clients that misbehave, over real TCP: a head trickled and
//! then abandoned, an idle keep-alive connection, a body that never arrives, more
//! connections or header fields than allowed, and a client that keeps uploading 1 MiB
//! secrets. Each bound is set low for the test; the tests check what the mock answers (or
//! that it closes the connection), never how fast the machine is. The `generateKey` key
//! pool is checked here too: a filled pool hands out pairs, a drained one still answers.

use std::time::Duration;

use exemplar::mock::{self, MockConfig, MockServer};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const KEYSETS: &str = "/beta/trustFramework/keySets";

/// A bound on how long a test waits for something that must happen; reaching it is a
/// failure (the mock never did it), not a measurement.
const PATIENCE: Duration = Duration::from_secs(30);

async fn start(config: MockConfig) -> (MockServer, reqwest::Client) {
    (
        mock::spawn(config).await.expect("spawn"),
        exemplar::run::http::client_builder().build().expect("client"),
    )
}

async fn send(
    client: &reqwest::Client,
    server: &MockServer,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, reqwest::header::HeaderMap, Value) {
    let mut request = client
        .request(method, format!("{}{path}", server.base_url()))
        .header("authorization", "Bearer t");
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    let json =
        if text.is_empty() { Value::Null } else { serde_json::from_str(&text).expect("JSON") };
    (status, headers, json)
}

async fn post(
    client: &reqwest::Client,
    server: &MockServer,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let (status, _, json) = send(client, server, reqwest::Method::POST, path, Some(body)).await;
    (status, json)
}

async fn get(client: &reqwest::Client, server: &MockServer, path: &str) -> (StatusCode, Value) {
    let (status, _, json) = send(client, server, reqwest::Method::GET, path, None).await;
    (status, json)
}

/// Reads until the server closes the connection; returns what it sent.
async fn read_until_closed(stream: &mut TcpStream) -> Vec<u8> {
    let mut received = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut buffer = [0u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the mock kept the connection open; got {:?}",
        String::from_utf8_lossy(&received)
    );
    received
}

/// No key pool, whatever the default: these tests make no RSA keys.
fn quick(config: MockConfig) -> MockConfig {
    MockConfig { rsa_pool: 0, ..config }
}

// ---------------------------------------------------------------------------------------
// Connection hygiene.

#[tokio::test]
async fn a_head_trickled_then_abandoned_is_disconnected_after_the_header_timeout() {
    let config = quick(MockConfig {
        header_timeout: Duration::from_millis(400),
        idle_timeout: Duration::from_secs(600),
        ..MockConfig::default()
    });
    let (server, client) = start(config).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    // A few bytes at a time, each well inside the timeout, then silence: a slow-loris
    // client that never finishes its head.
    for part in ["GET /beta/trust", "Framework/keySets HTTP/1.1\r\n", "Host: x\r\n", "Authori"] {
        stream.write_all(part.as_bytes()).await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let received = read_until_closed(&mut stream).await;
    assert!(
        received.is_empty(),
        "no answer to half a request: {:?}",
        String::from_utf8_lossy(&received)
    );
    // The server itself is fine.
    assert_eq!(get(&client, &server, KEYSETS).await.0, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let config = quick(MockConfig {
        idle_timeout: Duration::from_millis(300),
        header_timeout: Duration::from_secs(600),
        ..MockConfig::default()
    });
    let (server, _) = start(config).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    let request =
        "GET /beta/trustFramework/keySets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    // The answer comes, and then, with nothing more to do, the close.
    let received = String::from_utf8(read_until_closed(&mut stream).await).unwrap();
    assert!(received.starts_with("HTTP/1.1 200"), "{received}");
    assert!(received.contains("\"value\":[]"), "{received}");
    server.shutdown().await;
}

#[tokio::test]
async fn a_body_that_never_arrives_is_a_408_with_the_envelope() {
    let config =
        quick(MockConfig { body_timeout: Duration::from_millis(300), ..MockConfig::default() });
    let (server, client) = start(config).await;
    let mut stream = TcpStream::connect(server.addr()).await.unwrap();
    let head = "POST /beta/trustFramework/keySets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\": ";
    stream.write_all(head.as_bytes()).await.unwrap();
    let received = String::from_utf8(read_until_closed(&mut stream).await).unwrap();
    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(received.contains("request-id: "), "{received}");
    assert!(received.to_ascii_lowercase().contains("connection: close"), "{received}");
    let body = &received[received.find("\r\n\r\n").unwrap() + 4..];
    let envelope: Value = serde_json::from_str(body).unwrap();
    assert_eq!(envelope["error"]["code"], "RequestTimeout");
    // Nothing was created.
    assert_eq!(get(&client, &server, &format!("{KEYSETS}/$count")).await.0, StatusCode::OK);
    let (_, list) = get(&client, &server, KEYSETS).await;
    assert_eq!(list["value"], json!([]));
    server.shutdown().await;
}

#[tokio::test]
async fn connections_beyond_the_bound_wait_for_a_free_slot() {
    let config = quick(MockConfig { max_connections: 2, ..MockConfig::default() });
    let (server, _) = start(config).await;
    let first = TcpStream::connect(server.addr()).await.unwrap();
    let second = TcpStream::connect(server.addr()).await.unwrap();
    // Both slots are held by connections that send nothing; a third request waits.
    let url = format!("{}{KEYSETS}", server.base_url());
    let waiting = tokio::spawn(async move {
        let client = exemplar::run::http::client_builder().build().expect("client");
        client.get(url).header("authorization", "Bearer t").send().await.map(|r| r.status())
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "a third connection was served beside two");
    drop(first);
    let status = tokio::time::timeout(PATIENCE, waiting).await.expect("served once a slot is free");
    assert_eq!(status.unwrap().unwrap(), StatusCode::OK);
    drop(second);
    server.shutdown().await;
}

#[tokio::test]
async fn too_many_header_fields_are_a_431_with_request_id_and_envelope() {
    let config = quick(MockConfig { max_headers: 10, ..MockConfig::default() });
    let (server, client) = start(config).await;
    let mut request =
        client.get(format!("{}{KEYSETS}", server.base_url())).header("authorization", "Bearer t");
    for i in 0..20 {
        request = request.header(format!("x-extra-{i}"), "1");
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE);
    let request_id = response.headers()["request-id"].to_str().unwrap().to_owned();
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "RequestHeaderFieldsTooLarge");
    assert_eq!(body["error"]["innerError"]["request-id"], request_id.as_str());
    assert!(body["error"]["message"].as_str().unwrap().contains("at most 10"));
    // A request within the bound is served.
    assert_eq!(get(&client, &server, KEYSETS).await.0, StatusCode::OK);
    server.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// Bounded memory.

#[tokio::test]
async fn one_mib_secrets_fill_the_store_to_its_bound_and_no_further() {
    const MIB: usize = 1024 * 1024;
    let config = quick(MockConfig {
        body_limit: 2 * MIB,
        max_stored_bytes: 8 * MIB,
        ..MockConfig::default()
    });
    let (server, client) = start(config).await;
    let (status, created) = post(&client, &server, KEYSETS, json!({"id": "flood"})).await;
    assert_eq!(status, StatusCode::CREATED);
    let id = created["id"].as_str().unwrap().to_owned();
    let secret = "s".repeat(MIB);
    let upload = format!("{KEYSETS}/{id}/uploadSecret");

    let mut stored = 0;
    let mut refused = 0;
    for _ in 0..20 {
        let (status, body) =
            post(&client, &server, &upload, json!({"use": "sig", "k": secret})).await;
        match status {
            StatusCode::OK => {
                assert_eq!(refused, 0, "an upload was stored after one was refused");
                stored += 1;
            }
            StatusCode::INSUFFICIENT_STORAGE => {
                assert_eq!(body["error"]["code"], "quotaLimitReached", "{body}");
                assert!(body["error"]["message"].as_str().unwrap().contains("--max-stored-bytes"));
                assert!(body["error"]["innerError"]["request-id"].is_string());
                refused += 1;
            }
            other => panic!("unexpected {other}: {body}"),
        }
    }
    // 1 MiB of text is 1.33 MiB as a base64url JWK member: five fit in 8 MiB, a sixth not.
    assert_eq!((stored, refused), (5, 15));
    let (_, _, count) = send(
        &client,
        &server,
        reqwest::Method::GET,
        &format!("{KEYSETS}/{id}/keys_v2/$count"),
        None,
    )
    .await;
    assert_eq!(count, json!(5), "the refused uploads stored nothing");
    // A new key set carrying a big key is refused the same way, and not created.
    let big_key = json!({"kty": "oct", "use": "sig", "k": "A".repeat(MIB + MIB / 2)});
    let (status, _) =
        post(&client, &server, KEYSETS, json!({"id": "another", "keys": [big_key]})).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE);
    assert_eq!(
        get(&client, &server, &format!("{KEYSETS}/B2C_1A_another")).await.0,
        StatusCode::NOT_FOUND
    );
    // Deleting frees the room again.
    let (status, _, _) =
        send(&client, &server, reqwest::Method::DELETE, &format!("{KEYSETS}/{id}"), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    post(&client, &server, KEYSETS, json!({"id": "again"})).await;
    let (status, _) = post(
        &client,
        &server,
        &format!("{KEYSETS}/B2C_1A_again/uploadSecret"),
        json!({"use": "sig", "k": secret}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    server.shutdown().await;
}

#[tokio::test]
async fn key_set_and_key_counts_are_bounded_and_refusals_store_nothing() {
    let config =
        quick(MockConfig { max_key_sets: 3, max_keys_per_set: 2, ..MockConfig::default() });
    let (server, client) = start(config).await;
    for name in ["one", "two", "three"] {
        assert_eq!(
            post(&client, &server, KEYSETS, json!({"id": name})).await.0,
            StatusCode::CREATED
        );
    }
    let (status, body) = post(&client, &server, KEYSETS, json!({"id": "four"})).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE, "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("--max-key-sets"));
    assert_eq!(
        get(&client, &server, &format!("{KEYSETS}/B2C_1A_four")).await.0,
        StatusCode::NOT_FOUND
    );

    let upload = format!("{KEYSETS}/B2C_1A_one/uploadSecret");
    for _ in 0..2 {
        assert_eq!(
            post(&client, &server, &upload, json!({"use": "sig", "k": "x"})).await.0,
            StatusCode::OK
        );
    }
    let (status, body) = post(&client, &server, &upload, json!({"use": "sig", "k": "x"})).await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE);
    assert!(body["error"]["message"].as_str().unwrap().contains("--max-keys-per-set"));
    let three = json!({"keys": [
        {"kty": "oct", "use": "sig", "k": "AQ"}, {"kty": "oct", "use": "sig", "k": "Ag"},
        {"kty": "oct", "use": "sig", "k": "Aw"}]});
    let (status, _, _) =
        send(&client, &server, reqwest::Method::PUT, &format!("{KEYSETS}/B2C_1A_two"), Some(three))
            .await;
    assert_eq!(status, StatusCode::INSUFFICIENT_STORAGE);
    let (_, two) = get(&client, &server, &format!("{KEYSETS}/B2C_1A_two")).await;
    assert_eq!(two["keys"], json!([]), "a refused PUT leaves the key set as it was");
    server.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// The generateKey key pool.

#[tokio::test]
async fn generate_key_takes_pairs_from_a_filled_pool_and_generates_when_drained() {
    let (server, client) = start(MockConfig { rsa_pool: 2, ..MockConfig::default() }).await;
    let pool = server.state().keys.clone();
    tokio::time::timeout(PATIENCE * 4, pool.filled()).await.expect("the pool fills");
    assert_eq!(pool.len(), 2);
    post(&client, &server, KEYSETS, json!({"id": "pool"})).await;
    let generate = format!("{KEYSETS}/B2C_1A_pool/generateKey");
    let mut moduli = std::collections::HashSet::new();
    let (status, key) =
        post(&client, &server, &generate, json!({"use": "sig", "kty": "RSA"})).await;
    assert_eq!(status, StatusCode::OK, "{key}");
    assert_eq!(pool.handed_out(), 1, "the answer used a pooled pair");
    moduli.insert(key["n"].as_str().unwrap().to_owned());
    // Five more at once: the pool cannot hold them all, so some are made on the spot;
    // every request succeeds with a distinct key pair.
    let requests: Vec<_> = (0..5)
        .map(|_| {
            let client = client.clone();
            let url = format!("{}{generate}", server.base_url());
            tokio::spawn(async move {
                let response = client
                    .post(url)
                    .header("authorization", "Bearer t")
                    .json(&json!({"use": "enc", "kty": "RSA"}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(response.status(), StatusCode::OK);
                response.json::<Value>().await.unwrap()["n"].as_str().unwrap().to_owned()
            })
        })
        .collect();
    for request in requests {
        moduli.insert(request.await.unwrap());
    }
    assert_eq!(moduli.len(), 6, "every key pair is handed out once");
    let (_, set) =
        get(&client, &server, "/beta/trustFramework/keySets/B2C_1A_pool/keys_v2/$count").await;
    assert_eq!(set, json!(6));
    server.shutdown().await;
}

#[tokio::test]
async fn without_a_pool_generate_key_still_answers() {
    let (server, client) = start(MockConfig { rsa_pool: 0, ..MockConfig::default() }).await;
    assert_eq!(server.state().keys.capacity(), 0);
    server.state().keys.start();
    post(&client, &server, KEYSETS, json!({"id": "nopool"})).await;
    let (status, key) = post(
        &client,
        &server,
        &format!("{KEYSETS}/B2C_1A_nopool/generateKey"),
        json!({"use": "sig", "kty": "RSA"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{key}");
    assert_eq!(key["kty"], "RSA");
    assert_eq!(server.state().keys.handed_out(), 0, "made on request");
    server.shutdown().await;
}

#[tokio::test]
async fn requests_hyper_cannot_parse_get_request_id_and_the_envelope() {
    let (server, client) = start(quick(MockConfig::default())).await;
    let huge = format!("x-huge: {}\r\n", "h".repeat(600 * 1024));
    for (sent, status, code) in [
        ("NOT A REQUEST LINE\r\n\r\n".to_owned(), "400", "BadRequest"),
        ("GET /beta/trust framework HTTP/1.1\r\nHost: x\r\n\r\n".to_owned(), "400", "BadRequest"),
        (
            format!("GET {KEYSETS} HTTP/1.1\r\nHost: x\r\n{huge}\r\n"),
            "431",
            "RequestHeaderFieldsTooLarge",
        ),
    ] {
        let mut stream = TcpStream::connect(server.addr()).await.unwrap();
        // The server may answer and close before it has read all of a huge head.
        let _ = stream.write_all(sent.as_bytes()).await;
        let received = String::from_utf8(read_until_closed(&mut stream).await).unwrap();
        assert!(received.starts_with(&format!("HTTP/1.1 {status} ")), "{received}");
        let (head, body) = received.split_once("\r\n\r\n").unwrap();
        let request_id = head
            .lines()
            .find_map(|line| line.strip_prefix("request-id: "))
            .unwrap_or_else(|| panic!("no request-id: {head}"));
        let envelope: Value = serde_json::from_str(body).unwrap();
        assert_eq!(envelope["error"]["code"], code, "{body}");
        assert_eq!(envelope["error"]["innerError"]["request-id"], request_id);
    }
    assert_eq!(get(&client, &server, KEYSETS).await.0, StatusCode::OK);
    server.shutdown().await;
}
