//! `trustFramework/keySets/{id}/keys_v2/{keyId}`: one key in the `trustFrameworkKey_v2`
//! shape, addressed by its `kid`, whose `status` is the only thing that can be changed.

use axum::extract::{Path, State};
use serde_json::{Map, Value};

use crate::mock::body::JsonBody;
use crate::mock::fields::Fields;
use crate::mock::key::KeyStatus;
use crate::mock::path::ServiceRoot;
use crate::mock::reply::{Operation, Reply};
use crate::mock::{AppState, GraphError};

/// The key members that exist but cannot be changed through `keys_v2`.
const READ_ONLY: [&str; 16] = [
    "k", "x5c", "x5t", "kty", "use", "exp", "nbf", "kid", "e", "n", "d", "p", "q", "dp", "dq", "qi",
];

/// `GET .../keys_v2/{keyId}`.
pub async fn get(
    State(state): State<AppState>,
    ServiceRoot(root): ServiceRoot,
    Path((id, kid)): Path<(String, String)>,
) -> Result<Reply, GraphError> {
    let body = state.store.read_set(&id, |set| {
        set.key(&kid).map(|key| {
            let mut object = Map::new();
            let context =
                format!("{root}/$metadata#trustFramework/keySets('{}')/keys_v2/$entity", set.id);
            object.insert("@odata.context".into(), context.into());
            object.extend(key.to_json_v2());
            Value::Object(object)
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
