//! Deliberate deviations: named ways in which the mock breaks the documented contract, so
//! that exemplar's own tests can prove each kind of breakage is caught.
//!
//! A deviation only ever touches *successful* answers of the documented operations; errors
//! stay faithful. Every kind leaves the key set `id` and the key `kid` alone, and the kinds
//! that would destroy a body (or the whole answer) skip the operations that a harness uses
//! as fixtures (creating a key set, adding a key, deleting a key set), so that setup and
//! teardown keep working while the operation under test misbehaves.

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::reply::{Operation, Shape};

/// One named way of breaking the contract. Several can be switched on at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Deviation {
    /// A different success status: `200` becomes `202`, `201` becomes `200` and `204`
    /// becomes `200` (still without a body).
    Status,
    /// A documented property is left out: `keys` from a key set, `use` and `kty` from a key
    /// (and `status` from a `keys_v2` key), `@odata.context` and each item's `keys` from the
    /// key set collection.
    MissingProperty,
    /// A documented property has the wrong JSON type: a key set's `keys` becomes an object
    /// (kid to key), a key's `nbf`/`exp` become strings and its `use` an array, a `keys_v2`
    /// key's `status` a number.
    WrongType,
    /// An undocumented property, `"exemplarExtra": true`, is added to every object body and
    /// to every item of the collection.
    ExtraProperty,
    /// The JSON body is labelled `Content-Type: text/plain; charset=utf-8`.
    ContentType,
    /// A wrong `@odata.type`, `#microsoft.graph.user`, is put on every object body and on
    /// every item of the collection.
    OdataType,
    /// Answers that should carry a body arrive without one (status and `Content-Type`
    /// kept). Fixture operations are spared.
    EmptyBody,
    /// The body is cut in half, so it is no longer valid JSON. Fixture operations are
    /// spared.
    InvalidJson,
    /// Every successful answer is held back for `slow_delay` (2.5 s unless configured).
    Slow,
    /// The operation is carried out but answered with `500` and a Graph error envelope.
    /// Fixture operations are spared.
    ServerError,
}

impl Deviation {
    /// Every kind, in the order the documentation lists them.
    pub const ALL: [Deviation; 10] = [
        Deviation::Status,
        Deviation::MissingProperty,
        Deviation::WrongType,
        Deviation::ExtraProperty,
        Deviation::ContentType,
        Deviation::OdataType,
        Deviation::EmptyBody,
        Deviation::InvalidJson,
        Deviation::Slow,
        Deviation::ServerError,
    ];

    /// The kebab-case name used on the command line and in the docs.
    pub fn name(self) -> &'static str {
        match self {
            Deviation::Status => "status",
            Deviation::MissingProperty => "missing-property",
            Deviation::WrongType => "wrong-type",
            Deviation::ExtraProperty => "extra-property",
            Deviation::ContentType => "content-type",
            Deviation::OdataType => "odata-type",
            Deviation::EmptyBody => "empty-body",
            Deviation::InvalidJson => "invalid-json",
            Deviation::Slow => "slow",
            Deviation::ServerError => "server-error",
        }
    }

    /// One line saying what the kind does, for `--help` and the README.
    pub fn description(self) -> &'static str {
        match self {
            Deviation::Status => "answer 202 for 200, 200 for 201, and 200 for 204",
            Deviation::MissingProperty => {
                "leave out keys (key sets), use/kty/status (keys), @odata.context (collection)"
            }
            Deviation::WrongType => {
                "keys as an object, nbf/exp as strings, use as an array, status as a number"
            }
            Deviation::ExtraProperty => "add \"exemplarExtra\": true to every object body",
            Deviation::ContentType => "label JSON bodies as text/plain",
            Deviation::OdataType => "claim @odata.type #microsoft.graph.user on every object",
            Deviation::EmptyBody => "drop the body, keep status and Content-Type",
            Deviation::InvalidJson => "cut the body in half so it is not valid JSON",
            Deviation::Slow => "hold every successful answer for the slow delay (--slow-ms)",
            Deviation::ServerError => "answer 500 with a Graph error envelope",
        }
    }

    /// Whether this kind changes the answer of `operation`. Kinds that would leave a
    /// fixture step without the `id` or `kid` it captures, or make teardown fail, skip the
    /// fixture operations.
    pub fn applies_to(self, operation: Operation) -> bool {
        match self {
            Deviation::EmptyBody | Deviation::InvalidJson | Deviation::ServerError => {
                !operation.is_fixture()
            }
            _ => true,
        }
    }

    /// Changes a successful JSON body in place, for the kinds that work on the document
    /// itself. Kinds that work on the status, headers or bytes leave it alone.
    pub(crate) fn edit_body(self, shape: Shape, body: &mut Value) {
        let Value::Object(object) = body else { return };
        match self {
            Deviation::MissingProperty => drop_property(shape, object),
            Deviation::WrongType => retype_property(shape, object),
            Deviation::ExtraProperty => {
                for_each_object(shape, object, true, |o| {
                    o.insert("exemplarExtra".into(), Value::Bool(true));
                });
            }
            Deviation::OdataType => {
                // OData puts only annotations on a collection wrapper; the type goes on items.
                for_each_object(shape, object, false, |o| {
                    o.insert("@odata.type".into(), Value::String(WRONG_ODATA_TYPE.into()));
                });
            }
            _ => {}
        }
    }
}

/// The type [`Deviation::OdataType`] claims: a real Graph type, just not this one.
const WRONG_ODATA_TYPE: &str = "#microsoft.graph.user";

/// Applies `edit` to the body object, or for a collection to every item and, when
/// `wrapper_too`, to the wrapper that holds them.
fn for_each_object(
    shape: Shape,
    object: &mut Map<String, Value>,
    wrapper_too: bool,
    mut edit: impl FnMut(&mut Map<String, Value>),
) {
    if matches!(shape, Shape::Collection | Shape::KeyCollection) {
        if let Some(Value::Array(items)) = object.get_mut("value") {
            items.iter_mut().filter_map(Value::as_object_mut).for_each(&mut edit);
        }
        if !wrapper_too {
            return;
        }
    }
    edit(object);
}

fn drop_property(shape: Shape, object: &mut Map<String, Value>) {
    match shape {
        Shape::Collection => {
            object.shift_remove("@odata.context");
            if let Some(Value::Array(items)) = object.get_mut("value") {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    item.shift_remove("keys");
                }
            }
        }
        Shape::KeySet => {
            object.shift_remove("keys");
        }
        Shape::Key => {
            object.shift_remove("use");
            object.shift_remove("kty");
        }
        Shape::KeyV2 => {
            object.shift_remove("use");
            object.shift_remove("kty");
            object.shift_remove("status");
        }
        Shape::KeyCollection => {
            object.shift_remove("@odata.context");
            if let Some(Value::Array(items)) = object.get_mut("value") {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    drop_property(Shape::KeyV2, item);
                }
            }
        }
    }
}

fn retype_property(shape: Shape, object: &mut Map<String, Value>) {
    match shape {
        Shape::Collection => {
            if let Some(Value::Array(items)) = object.get_mut("value") {
                items.iter_mut().filter_map(Value::as_object_mut).for_each(keys_as_object);
            }
        }
        Shape::KeySet => keys_as_object(object),
        Shape::Key => retype_key(object),
        Shape::KeyV2 => {
            retype_key(object);
            if object.contains_key("status") {
                object.insert("status".into(), Value::from(1));
            }
        }
        Shape::KeyCollection => {
            if let Some(Value::Array(items)) = object.get_mut("value") {
                for item in items.iter_mut().filter_map(Value::as_object_mut) {
                    retype_property(Shape::KeyV2, item);
                }
            }
        }
    }
}

/// A key set whose `keys` is an object from kid to key instead of an array.
fn keys_as_object(keyset: &mut Map<String, Value>) {
    let Some(Value::Array(keys)) = keyset.get_mut("keys") else { return };
    let by_kid: Map<String, Value> = keys
        .drain(..)
        .enumerate()
        .map(|(index, key)| {
            let kid = key
                .get("kid")
                .and_then(Value::as_str)
                .map_or_else(|| index.to_string(), str::to_owned);
            (kid, key)
        })
        .collect();
    keyset.insert("keys".into(), Value::Object(by_kid));
}

/// A key whose NumericDates are strings and whose `use` is a one-element array.
fn retype_key(key: &mut Map<String, Value>) {
    for name in ["nbf", "exp"] {
        if let Some(value) = key.get_mut(name) {
            *value = Value::String(value.to_string());
        }
    }
    if let Some(value) = key.get_mut("use") {
        *value = Value::Array(vec![value.take()]);
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A deviation name that is not one of [`Deviation::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown deviation '{0}' (expected one of: {names})", names = Deviation::ALL.map(Deviation::name).join(", "))]
pub struct UnknownDeviation(pub String);

impl FromStr for Deviation {
    type Err = UnknownDeviation;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        let wanted = name.trim();
        Deviation::ALL
            .into_iter()
            .find(|d| d.name().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| UnknownDeviation(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_round_trip_through_from_str() {
        for deviation in Deviation::ALL {
            assert_eq!(deviation.to_string().parse::<Deviation>(), Ok(deviation));
        }
        assert_eq!("Invalid-JSON".parse::<Deviation>(), Ok(Deviation::InvalidJson));
    }

    #[test]
    fn an_unknown_name_lists_the_known_ones() {
        let error = "teapot".parse::<Deviation>().unwrap_err();
        assert_eq!(error.0, "teapot");
        assert!(error.to_string().contains("missing-property, wrong-type"), "{error}");
    }

    #[test]
    fn every_kind_has_a_one_line_description() {
        for deviation in Deviation::ALL {
            let text = deviation.description();
            assert!(!text.is_empty() && !text.contains('\n'), "{deviation}");
        }
    }

    #[test]
    fn body_destroying_kinds_spare_fixture_operations() {
        for kind in [Deviation::EmptyBody, Deviation::InvalidJson, Deviation::ServerError] {
            assert!(!kind.applies_to(Operation::CreateKeySet));
            assert!(!kind.applies_to(Operation::GenerateKey));
            assert!(!kind.applies_to(Operation::DeleteKeySet));
            assert!(kind.applies_to(Operation::GetKeySet));
        }
        assert!(Deviation::Status.applies_to(Operation::DeleteKeySet));
    }

    #[test]
    fn wrong_type_keeps_id_and_kid() {
        let mut body = json!({"id": "B2C_1A_x", "keys": [{"kid": "a", "use": "sig", "nbf": 5}]});
        Deviation::WrongType.edit_body(Shape::KeySet, &mut body);
        assert_eq!(
            body,
            json!({"id": "B2C_1A_x", "keys": {"a": {"kid": "a", "use": "sig", "nbf": 5}}})
        );

        let mut key = json!({"kid": "a", "use": "sig", "nbf": 5, "exp": 6, "status": "enabled"});
        Deviation::WrongType.edit_body(Shape::KeyV2, &mut key);
        assert_eq!(key, json!({"kid": "a", "use": ["sig"], "nbf": "5", "exp": "6", "status": 1}));
    }

    #[test]
    fn missing_property_drops_documented_members_only() {
        let mut body = json!({"@odata.context": "c", "value": [{"id": "x", "keys": []}]});
        Deviation::MissingProperty.edit_body(Shape::Collection, &mut body);
        assert_eq!(body, json!({"value": [{"id": "x"}]}));

        let mut key = json!({"kid": "a", "use": "sig", "kty": "RSA", "n": "q"});
        Deviation::MissingProperty.edit_body(Shape::Key, &mut key);
        assert_eq!(key, json!({"kid": "a", "n": "q"}));
    }

    #[test]
    fn odata_type_marks_the_items_of_a_collection() {
        let mut body = json!({"@odata.context": "c", "value": [{"id": "x"}]});
        Deviation::OdataType.edit_body(Shape::Collection, &mut body);
        assert_eq!(body["value"][0]["@odata.type"], "#microsoft.graph.user");
        assert!(body.get("@odata.type").is_none());

        let mut key = json!({"kid": "a"});
        Deviation::ExtraProperty.edit_body(Shape::Key, &mut key);
        assert_eq!(key, json!({"kid": "a", "exemplarExtra": true}));
    }
}
