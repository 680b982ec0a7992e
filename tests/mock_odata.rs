//! The reference mock as real Graph clients use it, over real TCP with reqwest: the URL
//! forms the SDKs send (function calls with `()`, namespace-qualified operations), the
//! `keys_v2` navigation collection, `$count` segments, and the OData system query options
//! (`$select`, `$top`/`$skip`/`$skiptoken` with `@odata.nextLink`, `$count`, `$filter`),
//! with every unsupported option refused with Graph's error envelope.

use std::collections::HashSet;
use std::sync::Arc;

use exemplar::mock::{self, MockConfig, MockServer};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const KEYSETS: &str = "/beta/trustFramework/keySets";

struct Mock {
    server: MockServer,
    http: reqwest::Client,
}

#[derive(Debug)]
struct Answer {
    status: StatusCode,
    headers: reqwest::header::HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    fn header(&self, name: &str) -> &str {
        self.headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    /// Asserts a Graph error envelope with this status and returns its message.
    fn error(&self, status: u16) -> String {
        assert_eq!(self.status.as_u16(), status, "{}", self.body);
        let body = self.json();
        assert!(body["error"]["code"].is_string(), "{body}");
        assert_eq!(body["error"]["innerError"]["request-id"], self.header("request-id"));
        body["error"]["message"].as_str().expect("message").to_owned()
    }

    fn ok(&self) -> Value {
        assert_eq!(self.status, StatusCode::OK, "{}", self.body);
        self.json()
    }
}

impl Mock {
    async fn start(config: MockConfig) -> Self {
        let server = mock::spawn(config).await.expect("spawn");
        Self { server, http: exemplar::run::http::client_builder().build().expect("client") }
    }

    async fn send(&self, method: Method, path_or_url: &str, body: Option<Value>) -> Answer {
        let url = if path_or_url.starts_with("http") {
            path_or_url.to_owned()
        } else {
            format!("{}{path_or_url}", self.server.base_url())
        };
        let mut request =
            self.http.request(method, url).header("authorization", "Bearer test-token");
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("send");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response.text().await.expect("body");
        Answer { status, headers, body }
    }

    async fn get(&self, path: &str) -> Answer {
        self.send(Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(Method::POST, path, Some(body)).await
    }

    async fn create(&self, name: &str) -> String {
        let answer = self.post(KEYSETS, json!({"id": name})).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.json()["id"].as_str().expect("id").to_owned()
    }

    async fn add_secret(&self, id: &str, use_: &str) -> String {
        let body =
            json!({"use": use_, "k": "s3cret", "nbf": 1_508_969_811, "exp": 4_102_444_800_i64});
        let answer = self.post(&format!("{KEYSETS}/{id}/uploadSecret"), body).await;
        answer.ok()["kid"].as_str().expect("kid").to_owned()
    }
}

fn ids(page: &Value) -> Vec<String> {
    page["value"]
        .as_array()
        .unwrap_or_else(|| panic!("no value: {page}"))
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

// ---------------------------------------------------------------------------------------
// URL forms and navigation.

#[tokio::test]
async fn functions_answer_in_call_form_and_operations_namespace_qualified() {
    let mock = Mock::start(MockConfig::default()).await;
    let id = mock.create("forms").await;
    let generated = mock
        .post(
            &format!("{KEYSETS}/{id}/microsoft.graph.generateKey"),
            json!({"use": "sig", "kty": "oct", "nbf": 1_508_969_811, "exp": 4_102_444_800_i64}),
        )
        .await
        .ok();
    let kid = generated["kid"].as_str().unwrap();
    let uploaded = mock
        .post(
            &format!("{KEYSETS}('{id}')/microsoft.graph.uploadSecret"),
            json!({"use": "enc", "k": "x", "nbf": 1, "exp": 2}),
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::OK, "{}", uploaded.body);
    for form in [
        "getActiveKey",
        "getActiveKey()",
        "microsoft.graph.getActiveKey",
        "microsoft.graph.getActiveKey()",
    ] {
        let answer = mock.get(&format!("{KEYSETS}/{id}/{form}")).await;
        assert_eq!(answer.ok()["kid"], kid, "{form}");
    }
    let key_syntax = mock.get(&format!("{KEYSETS}('{id}')/getActiveKey()")).await;
    assert_eq!(key_syntax.ok()["kid"], kid);
    // An unknown function stays unknown in every form.
    mock.get(&format!("{KEYSETS}/{id}/microsoft.graph.rotate()")).await.error(404);
    mock.get("/beta/trustFramework/keySets()").await.error(404);
    mock.server.shutdown().await;
}

#[tokio::test]
async fn keys_v2_is_a_collection_with_status_and_documented_methods_only() {
    let mock = Mock::start(MockConfig::default()).await;
    let id = mock.create("nav").await;
    let first = mock.add_secret(&id, "sig").await;
    let second = mock.add_secret(&id, "enc").await;
    let disable = json!({"status": "disabled"});
    let patched =
        mock.send(Method::PATCH, &format!("{KEYSETS}/{id}/keys_v2/{first}"), Some(disable)).await;
    assert_eq!(patched.status, StatusCode::NO_CONTENT, "{}", patched.body);

    let list = mock.get(&format!("{KEYSETS}/{id}/keys_v2")).await.ok();
    assert!(
        list["@odata.context"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/beta/$metadata#trustFramework/keySets('{id}')/keys_v2")),
        "{list}"
    );
    let keys = list["value"].as_array().unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(
        (keys[0]["kid"].as_str(), keys[0]["status"].as_str()),
        (Some(&*first), Some("disabled"))
    );
    assert_eq!(
        (keys[1]["kid"].as_str(), keys[1]["status"].as_str()),
        (Some(&*second), Some("enabled"))
    );
    assert!(keys.iter().all(|key| key.get("k").is_none()));

    // The key set's own `keys` carry the documented status too.
    let set = mock.get(&format!("{KEYSETS}/{id}")).await.ok();
    assert_eq!(set["keys"][0]["status"], "disabled");
    assert_eq!(set["keys"][1]["status"], "enabled");
    let active = mock.get(&format!("{KEYSETS}/{id}/getActiveKey()")).await.ok();
    assert_eq!(active["status"], "enabled");

    // The docs support no POST or PUT on keys_v2, and no DELETE of a key.
    for (method, path, allowed) in [
        (Method::POST, format!("{KEYSETS}/{id}/keys_v2"), "GET"),
        (Method::PUT, format!("{KEYSETS}/{id}/keys_v2/{first}"), "PATCH"),
        (Method::DELETE, format!("{KEYSETS}/{id}/keys_v2/{first}"), "PATCH"),
        (Method::POST, format!("{KEYSETS}/$count"), "GET"),
    ] {
        let answer = mock.send(method.clone(), &path, Some(json!({}))).await;
        answer.error(405);
        assert!(answer.header("allow").contains(allowed), "{method} {path}: {:?}", answer.headers);
    }
    mock.get(&format!("{KEYSETS}/B2C_1A_missing/keys_v2")).await.error(404);
    mock.server.shutdown().await;
}

#[tokio::test]
async fn count_segments_answer_plain_text() {
    let mock = Mock::start(MockConfig::default()).await;
    for name in ["alpha", "beta", "gamma"] {
        mock.create(name).await;
    }
    let id = mock.create("counted").await;
    mock.add_secret(&id, "sig").await;
    mock.add_secret(&id, "enc").await;

    let count = mock.get(&format!("{KEYSETS}/$count")).await;
    assert_eq!(count.status, StatusCode::OK);
    assert!(count.header("content-type").starts_with("text/plain"), "{:?}", count.headers);
    assert_eq!(count.body, "4");
    assert_eq!(mock.get(&format!("{KEYSETS}/%24count")).await.body, "4");
    let filtered = mock.get(&format!("{KEYSETS}/$count?$filter=startswith(id,'B2C_1A_g')")).await;
    assert_eq!(filtered.body, "1");
    let keys = mock.get(&format!("{KEYSETS}/{id}/keys_v2/$count")).await;
    assert_eq!((keys.status, keys.body.as_str()), (StatusCode::OK, "2"));
    let enc = mock.get(&format!("{KEYSETS}/{id}/keys_v2/$count?$filter=use eq 'enc'")).await;
    assert_eq!(enc.body, "1");
    // `$count` is a segment, not an id, and takes no paging options.
    mock.get(&format!("{KEYSETS}/$count?$top=1")).await.error(400);
    mock.server.shutdown().await;
}

// ---------------------------------------------------------------------------------------
// OData system query options.

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_key_sets_are_paged_with_next_links() {
    let mock = Arc::new(Mock::start(MockConfig::default()).await);
    let mut created = HashSet::new();
    for batch in 0..200 {
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let mock = mock.clone();
                tokio::spawn(async move { mock.create(&format!("page{batch}_{i}")).await })
            })
            .collect();
        for task in tasks {
            created.insert(task.await.expect("task"));
        }
    }
    assert_eq!(created.len(), 10_000);

    // The server-side page size applies without $top.
    let mut seen = Vec::new();
    let mut next = Some(format!("{KEYSETS}?$count=true"));
    let mut pages = 0;
    while let Some(url) = next {
        let page = mock.get(&url).await.ok();
        assert_eq!(page["@odata.count"], 10_000, "{url}");
        let items = ids(&page);
        assert!(items.len() <= MockConfig::DEFAULT_PAGE_SIZE);
        seen.extend(items);
        next = page["@odata.nextLink"].as_str().map(str::to_owned);
        if let Some(link) = &next {
            assert!(link.starts_with(&mock.server.base_url()) && link.contains("/beta/"), "{link}");
            assert!(link.contains("$count=true"), "{link}");
        }
        pages += 1;
    }
    assert_eq!(pages, 10_000 / MockConfig::DEFAULT_PAGE_SIZE);
    assert_eq!(seen.len(), 10_000, "every key set exactly once");
    assert_eq!(seen.iter().cloned().collect::<HashSet<_>>(), created);

    // $top sets the page size; $select travels along in the link.
    let page = mock.get(&format!("{KEYSETS}?$top=999&$select=id")).await.ok();
    assert_eq!(ids(&page).len(), 999);
    assert!(page["value"][0].get("keys").is_none());
    let link = page["@odata.nextLink"].as_str().unwrap();
    let second = mock.get(link).await.ok();
    assert_eq!(ids(&second).len(), 999);
    assert_eq!(ids(&second)[0], seen[999]);
    assert!(second["value"][0].get("keys").is_none(), "the link kept $select");
    mock.get(&format!("{KEYSETS}?$top=1000")).await.error(400);

    // $skip, and a $skip beyond the end.
    let skipped = mock.get(&format!("{KEYSETS}?$top=2&$skip=9998")).await.ok();
    assert_eq!(ids(&skipped), seen[9998..]);
    assert!(skipped.get("@odata.nextLink").is_none());
    assert_eq!(ids(&mock.get(&format!("{KEYSETS}?$skip=20000")).await.ok()), Vec::<String>::new());
    assert_eq!(mock.get(&format!("{KEYSETS}/$count")).await.body, "10000");
}

#[tokio::test]
async fn select_shapes_answers_and_their_context() {
    let mock = Mock::start(MockConfig::default()).await;
    let id = mock.create("selected").await;
    let kid = mock.add_secret(&id, "sig").await;

    let list = mock.get(&format!("{KEYSETS}?$select=id")).await.ok();
    assert!(list["@odata.context"].as_str().unwrap().ends_with("#trustFramework/keySets(id)"));
    assert_eq!(list["value"][0], json!({"id": id}));

    let set = mock.get(&format!("{KEYSETS}/{id}?$select=keys")).await.ok();
    assert!(
        set["@odata.context"].as_str().unwrap().ends_with("#trustFramework/keySets(keys)/$entity")
    );
    assert!(set.get("id").is_none() && set["keys"][0]["kid"] == kid.as_str(), "{set}");
    let all = mock.get(&format!("{KEYSETS}/{id}?$select=*")).await.ok();
    assert!(all.get("id").is_some() && all.get("keys").is_some());

    let keys = mock.get(&format!("{KEYSETS}/{id}/keys_v2?$select=kid,status")).await.ok();
    assert_eq!(keys["value"][0], json!({"kid": kid, "status": "enabled"}));
    assert!(keys["@odata.context"].as_str().unwrap().ends_with("/keys_v2(kid,status)"));
    let key = mock.get(&format!("{KEYSETS}/{id}/keys_v2/{kid}?$select=use")).await.ok();
    assert_eq!(key.as_object().unwrap().len(), 2, "{key}");
    assert_eq!(key["use"], "sig");
    let active = mock.get(&format!("{KEYSETS}/{id}/getActiveKey()?$select=kid,kty")).await.ok();
    assert_eq!((active["kid"].as_str(), active["kty"].as_str()), (Some(&*kid), Some("oct")));
    assert!(active.get("use").is_none());
    // Selecting a private member is allowed (it is documented) but it is never answered.
    let private = mock.get(&format!("{KEYSETS}/{id}/keys_v2/{kid}?$select=kid,k")).await.ok();
    assert!(private.get("k").is_none());

    // kiota percent-encodes the option names; Graph's beta endpoint accepts them bare.
    let encoded = mock.get(&format!("{KEYSETS}?%24select=id&%24top=1")).await.ok();
    assert_eq!(encoded["value"][0], json!({"id": id}));
    let bare = mock.get(&format!("{KEYSETS}?select=id")).await.ok();
    assert_eq!(bare["value"][0], json!({"id": id}));

    let message = mock.get(&format!("{KEYSETS}?$select=id,colour")).await.error(400);
    assert!(message.contains("'colour'"), "{message}");
    mock.get(&format!("{KEYSETS}/{id}?$select=keys_v2")).await.error(400);
    mock.get(&format!("{KEYSETS}/{id}/keys_v2?$select=id")).await.error(400);
    mock.server.shutdown().await;
}

#[tokio::test]
async fn filter_and_count_on_collections() {
    let mock = Mock::start(MockConfig::default()).await;
    for name in ["apple", "apricot", "banana", "cherry"] {
        mock.create(name).await;
    }
    let eq = mock.get(&format!("{KEYSETS}?$filter=id eq 'B2C_1A_banana'")).await.ok();
    assert_eq!(ids(&eq), ["B2C_1A_banana"]);
    // Ids compare without regard to case, as everywhere in the mock.
    let eq = mock.get(&format!("{KEYSETS}?$filter=id%20eq%20%27b2c_1a_BANANA%27")).await.ok();
    assert_eq!(ids(&eq), ["B2C_1A_banana"]);
    let some = mock
        .get(&format!("{KEYSETS}?$filter=startswith(id,'B2C_1A_ap') or id in ('B2C_1A_cherry')&$count=true&$top=2"))
        .await
        .ok();
    assert_eq!(some["@odata.count"], 3);
    assert_eq!(ids(&some), ["B2C_1A_apple", "B2C_1A_apricot"]);
    let rest = mock.get(some["@odata.nextLink"].as_str().unwrap()).await.ok();
    assert_eq!(ids(&rest), ["B2C_1A_cherry"], "the link kept $filter");
    assert_eq!(rest["@odata.count"], 3);
    let none = mock.get(&format!("{KEYSETS}?$filter=id eq 'nope'&$count=true")).await.ok();
    assert_eq!((ids(&none).len(), none["@odata.count"].as_u64()), (0, Some(0)));
    let without = mock.get(&format!("{KEYSETS}?$count=false")).await.ok();
    assert!(without.get("@odata.count").is_none());

    let id = mock.create("filtered").await;
    let sig = mock.add_secret(&id, "sig").await;
    mock.add_secret(&id, "enc").await;
    let keys =
        mock.get(&format!("{KEYSETS}/{id}/keys_v2?$filter=use eq 'sig'&$count=true")).await.ok();
    assert_eq!(keys["@odata.count"], 1);
    assert_eq!(keys["value"][0]["kid"], sig.as_str());
    let by_kid = mock.get(&format!("{KEYSETS}/{id}/keys_v2?$filter=kid eq '{sig}'")).await.ok();
    assert_eq!(by_kid["value"].as_array().unwrap().len(), 1);

    for (query, says) in [
        ("$filter=keys eq 'x'", "not a filterable property"),
        ("$filter=id gt 'x'", "the operator 'gt'"),
        ("$filter=contains(id,'a')", "not a filterable property"),
        ("$filter=id eq 'x", "not closed"),
        ("$count=maybe", "true or false"),
        ("$top=ten", "non-negative integer"),
        ("$skiptoken=forged", "not one this service issued"),
    ] {
        let message = mock.get(&format!("{KEYSETS}?{query}")).await.error(400);
        assert!(message.contains(says), "{query}: {message}");
    }
    mock.server.shutdown().await;
}

#[tokio::test]
async fn unsupported_options_are_refused_never_ignored() {
    let mock = Mock::start(MockConfig::default()).await;
    let id = mock.create("strict").await;
    let kid = mock.add_secret(&id, "sig").await;
    for (path, says) in [
        (format!("{KEYSETS}?$expand=keys_v2"), "'$expand' is not supported"),
        (format!("{KEYSETS}?$orderby=id"), "'$orderby' is not supported"),
        (format!("{KEYSETS}?$search=%22x%22"), "'$search' is not supported"),
        (format!("{KEYSETS}?$format=json"), "'$format' is not supported"),
        (format!("{KEYSETS}?$colour=red"), "not a known OData query option"),
        (format!("{KEYSETS}?$top=1&$top=2"), "more than once"),
        (format!("{KEYSETS}/{id}?$top=1"), "does not apply to a single entity"),
        (format!("{KEYSETS}/{id}?$filter=id eq 'x'"), "does not apply to a single entity"),
        (format!("{KEYSETS}/{id}/keys_v2/{kid}?$count=true"), "does not apply"),
        (format!("{KEYSETS}/{id}/getActiveKey()?$top=1"), "does not apply"),
    ] {
        let message = mock.get(&path).await.error(400);
        assert!(message.contains(says), "{path}: {message}");
    }
    // Writes take no query options.
    let message =
        mock.post(&format!("{KEYSETS}?$select=id"), json!({"id": "never"})).await.error(400);
    assert!(message.contains("not supported on POST"), "{message}");
    mock.get(&format!("{KEYSETS}/B2C_1A_never")).await.error(404);
    let patch =
        mock.send(Method::PATCH, &format!("{KEYSETS}/{id}?$select=id"), Some(json!({}))).await;
    patch.error(400);
    // Custom options (no `$`) are not OData's business, and v1.0 has no bare names.
    assert_eq!(mock.get(&format!("{KEYSETS}?colour=red")).await.status, StatusCode::OK);
    let v1 = mock.get("/v1.0/trustFramework/keySets?top=0").await.ok();
    assert_eq!(ids(&v1).len(), 1);
    let beta = mock.get(&format!("{KEYSETS}?top=0")).await.ok();
    assert_eq!(ids(&beta).len(), 0);
    mock.server.shutdown().await;
}
