//! `trustFramework/keySets/{id}/keys_v2`, the relationship the key set resource page
//! documents: the collection of the set's keys in the `trustFrameworkKey_v2` shape (paged,
//! with the OData query options), its `$count`, and one key addressed by its `kid`, whose
//! `status` is the only thing that can be changed. The docs support no `POST` or `PUT`
//! here, so those answer `405`.

use axum::extract::{Path, State};
use axum::http::Uri;
use serde_json::{Map, Value};

use crate::mock::body::JsonBody;
use crate::mock::fields::Fields;
use crate::mock::key::KeyStatus;
use crate::mock::odata::{Query, Schema};
use crate::mock::path::ServiceRoot;
use crate::mock::reply::{Operation, Reply};
use crate::mock::store::page;
use crate::mock::{AppState, GraphError};

/// What `$select` and `$filter` may name on keys. The private members are documented, so
/// they may be selected; they are never in an answer.
pub const SCHEMA: Schema = Schema {
    properties: &[
        "kid", "use", "kty", "nbf", "exp", "n", "e", "x5c", "x5t", "status", "k", "d", "p", "q",
        "dp", "dq", "qi",
    ],
    filterable: &["kid", "kty", "use", "status"],
    // The docs spell `kty` in lower case (`rsa`), the mock answers `RSA`: both match.
    case_insensitive: &["kty", "use"],
};

/// `GET .../keys_v2`: the key set's keys, oldest first.
pub async fn list(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    uri: Uri,
    Path(id): Path<String>,
    query: Query,
) -> Result<Reply, GraphError> {
    let q = query.collection(&SCHEMA, state.config.page_size)?;
    let (set_id, items, total) = state.store.read_set(&id, |set| {
        let (items, total) = page(
            set.keys.iter(),
            |key| q.keeps(|name| key.filter_property(name)),
            q.start,
            q.page_size,
            |key| Value::Object(q.select.apply(key.to_json())),
        );
        (set.id.clone(), items, total)
    })?;
    let context = format!(
        "{root}/$metadata#trustFramework/keySets('{set_id}')/keys_v2{}",
        q.select.context_suffix()
    );
    let body = q.answer(context, &format!("{root}{}", uri.path()), items, total);
    Ok(Reply::ok(Operation::ListKeys, body))
}

/// `GET .../keys_v2/$count`, as plain text.
pub async fn count(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Query,
) -> Result<Reply, GraphError> {
    let filter = query.count_segment(&SCHEMA)?;
    let total = state.store.read_set(&id, |set| {
        set.keys
            .iter()
            .filter(|key| {
                filter.as_ref().is_none_or(|f| f.matches(&|name| key.filter_property(name)))
            })
            .count()
    })?;
    Ok(Reply::text(Operation::CountKeys, total.to_string()))
}

/// The key members that exist but cannot be changed through `keys_v2`.
const READ_ONLY: [&str; 16] = [
    "k", "x5c", "x5t", "kty", "use", "exp", "nbf", "kid", "e", "n", "d", "p", "q", "dp", "dq", "qi",
];

/// `GET .../keys_v2/{keyId}`, with `$select`.
pub async fn get(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path((id, kid)): Path<(String, String)>,
    query: Query,
) -> Result<Reply, GraphError> {
    let select = query.entity(&SCHEMA)?;
    let body = state.store.read_set(&id, |set| {
        set.key(&kid).map(|key| {
            let mut object = Map::new();
            let context = format!(
                "{root}/$metadata#trustFramework/keySets('{}')/keys_v2{}/$entity",
                set.id,
                select.context_suffix()
            );
            object.insert("@odata.context".into(), context.into());
            object.extend(key.to_json());
            Value::Object(select.apply(object))
        })
    })?;
    body.map(|body| Reply::ok(Operation::GetKey, body)).ok_or_else(|| missing_key(&id, &kid))
}

/// `PATCH .../keys_v2/{keyId}`: sets `status` (`enabled`, `disabled` or
/// `unknownFutureValue`); `204`.
pub async fn update_status(
    State(state): State<AppState>,
    Path((id, kid)): Path<(String, String)>,
    JsonBody(body): JsonBody,
) -> Result<Reply, GraphError> {
    if let Some(name) = body.keys().find(|name| READ_ONLY.contains(&name.as_str())) {
        return Err(GraphError::bad_request(format!(
            "property '{name}' cannot be changed here; only 'status' can be updated"
        )));
    }
    let mut f = Fields::new(body, &["status"], "")?;
    let status = match f.string("status")? {
        None => None,
        Some(text) => Some(
            KeyStatus::parse(&text)
                .ok_or_else(|| f.not_one_of("status", &text, &KeyStatus::VALUES))?,
        ),
    };
    state.store.update_set(&id, |set| {
        let key =
            set.keys.iter_mut().find(|key| key.kid == kid).ok_or_else(|| missing_key(&id, &kid))?;
        if let Some(status) = status {
            key.status = status;
        }
        Ok(())
    })?;
    Ok(Reply::no_content(Operation::UpdateKeyStatus))
}

fn missing_key(id: &str, kid: &str) -> GraphError {
    GraphError::not_found(format!("key set '{id}' has no key with kid '{kid}'"))
}
