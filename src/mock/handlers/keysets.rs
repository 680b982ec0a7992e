//! `trustFramework/keySets` and `trustFramework/keySets/{id}`: list (paged, with the
//! OData query options), count, create, read, replace (`PUT`, the current docs), update
//! (`PATCH`, the older docs) and delete.

use axum::extract::{Path, State};
use axum::http::Uri;
use serde_json::{Map, Value};

use crate::mock::body::JsonBody;
use crate::mock::fields::Fields;
use crate::mock::keyset::{KeySet, id_key, normalize_id};
use crate::mock::odata::{Query, Schema, Selection};
use crate::mock::path::ServiceRoot;
use crate::mock::reply::{Operation, Reply};
use crate::mock::{AppState, GraphError, jwk};

/// The properties of a key set a client may send.
const PROPERTIES: [&str; 2] = ["id", "keys"];

/// What `$select` and `$filter` may name on key sets. Ids compare without regard to case.
pub const SCHEMA: Schema =
    Schema { properties: &PROPERTIES, filterable: &["id"], case_insensitive: &["id"] };

/// `GET /trustFramework/keySets`: one page, `@odata.nextLink` to the next.
pub async fn list(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    uri: Uri,
    query: Query,
) -> Result<Reply, GraphError> {
    let q = query.collection(&SCHEMA, state.config.page_size)?;
    let (items, total) = state.store.page(
        |set| q.keeps(|name| set.filter_property(name)),
        q.start,
        q.page_size,
        |set| Value::Object(q.select.apply(set.to_json())),
    );
    let context = format!("{root}/$metadata#trustFramework/keySets{}", q.select.context_suffix());
    let body = q.answer(context, &format!("{root}{}", uri.path()), items, total);
    Ok(Reply::ok(Operation::ListKeySets, body))
}

/// `GET /trustFramework/keySets/$count`: the number of key sets (that pass `$filter`), as
/// plain text.
pub async fn count(State(state): State<AppState>, query: Query) -> Result<Reply, GraphError> {
    let filter = query.count_segment(&SCHEMA)?;
    let (_, total) = state.store.page(
        |set| filter.as_ref().is_none_or(|f| f.matches(&|name| set.filter_property(name))),
        0,
        0,
        |_| (),
    );
    Ok(Reply::text(Operation::CountKeySets, total.to_string()))
}

/// `POST /trustFramework/keySets`: `201` with `Location`; the id gains the `B2C_1A_`
/// prefix when it lacks it; `409` when it is taken.
pub async fn create(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    JsonBody(body): JsonBody,
) -> Result<Reply, GraphError> {
    let mut f = Fields::new(body, &PROPERTIES, "")?;
    let id = normalize_id(&f.required_string("id")?)?;
    let keys = jwk::keys_from_json(f.array("keys")?.unwrap_or_default())?;
    let set = KeySet { id, keys };
    let body = keyset_body(&root, &set, &Selection::default());
    let location = format!("{root}/trustFramework/keySets('{}')", set.id);
    state.store.insert(set)?;
    Ok(Reply::created(Operation::CreateKeySet, body, location))
}

/// `GET /trustFramework/keySets/{id}`, with `$select`.
pub async fn get(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path(id): Path<String>,
    query: Query,
) -> Result<Reply, GraphError> {
    let select = query.entity(&SCHEMA)?;
    let body = state.store.read_set(&id, |set| keyset_body(&root, set, &select))?;
    Ok(Reply::ok(Operation::GetKeySet, body))
}

/// `PUT /trustFramework/keySets/{id}`: replaces the content of the key set; a body without
/// `keys` leaves it empty.
pub async fn replace(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Reply, GraphError> {
    let mut f = Fields::new(body, &PROPERTIES, "")?;
    check_body_id(&mut f, &id)?;
    let keys = jwk::keys_from_json(f.array("keys")?.unwrap_or_default())?;
    let body = state.store.update_set(&id, |set| {
        set.keys = keys;
        Ok(keyset_body(&root, set, &Selection::default()))
    })?;
    Ok(Reply::ok(Operation::ReplaceKeySet, body))
}

/// `PATCH /trustFramework/keySets/{id}`: properties that are sent replace the stored ones
/// (so `keys`, when present, replaces the whole collection); the rest stay.
pub async fn update(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path(id): Path<String>,
    JsonBody(body): JsonBody,
) -> Result<Reply, GraphError> {
    let mut f = Fields::new(body, &PROPERTIES, "")?;
    check_body_id(&mut f, &id)?;
    let keys = f.array("keys")?.map(jwk::keys_from_json).transpose()?;
    let body = state.store.update_set(&id, |set| {
        if let Some(keys) = keys {
            set.keys = keys;
        }
        Ok(keyset_body(&root, set, &Selection::default()))
    })?;
    Ok(Reply::ok(Operation::UpdateKeySet, body))
}

/// `DELETE /trustFramework/keySets/{id}`: `204`.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Reply, GraphError> {
    state.store.remove(&id)?;
    Ok(Reply::no_content(Operation::DeleteKeySet))
}

/// An `id` in an update body is optional; when present it must name the key set in the
/// URL (with or without the prefix), because an id cannot be changed.
fn check_body_id(f: &mut Fields, url_id: &str) -> Result<(), GraphError> {
    let Some(body_id) = f.string("id")? else { return Ok(()) };
    let same = id_key(&body_id) == id_key(url_id)
        || normalize_id(&body_id).is_ok_and(|normal| id_key(&normal) == id_key(url_id));
    if same {
        Ok(())
    } else {
        let shown: String = body_id.chars().take(80).collect();
        Err(GraphError::bad_request(format!(
            "property 'id' ('{shown}') does not match the key set in the URL ('{url_id}'); an id cannot be changed"
        )))
    }
}

/// A key set with its `@odata.context`, reduced to the selected properties.
fn keyset_body(root: &str, set: &KeySet, select: &Selection) -> Value {
    let mut object = Map::new();
    object.insert(
        "@odata.context".into(),
        format!("{root}/$metadata#trustFramework/keySets{}/$entity", select.context_suffix())
            .into(),
    );
    object.extend(set.to_json());
    Value::Object(select.apply(object))
}
