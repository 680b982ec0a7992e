//! Validation of JSON objects sent by clients, property by property, so that every `400`
//! names the property at fault and what was expected of it.
//!
//! The checks are written out rather than left to serde derive because Graph's rules do
//! not fit it well: `@odata.type` may appear on any object, `null` counts as absent, and
//! the messages must never repeat the value of a private key member.

use serde_json::{Map, Value};

use super::GraphError;

/// The properties of one request object, taken out one at a time.
#[derive(Debug)]
pub struct Fields {
    map: Map<String, Value>,
    /// Where the object sits in the request, e.g. `keys[2].`, or empty for the body.
    at: String,
}

impl Fields {
    /// Accepts `map` if it holds only `allowed` properties (and `@odata.type`).
    pub fn new(
        map: Map<String, Value>,
        allowed: &[&str],
        at: impl Into<String>,
    ) -> Result<Self, GraphError> {
        let at = at.into();
        if let Some(unknown) =
            map.keys().find(|name| !allowed.contains(&name.as_str()) && *name != "@odata.type")
        {
            let expected = allowed.join(", ");
            return Err(GraphError::bad_request(format!(
                "unknown property '{at}{unknown}'; expected only: {expected}"
            )));
        }
        Ok(Self { map, at })
    }

    /// The full name of a property, for messages.
    pub fn name(&self, property: &str) -> String {
        format!("{}{}", self.at, property)
    }

    fn take(&mut self, property: &str) -> Option<Value> {
        self.map.remove(property).filter(|value| !value.is_null())
    }

    /// An optional string.
    pub fn string(&mut self, property: &str) -> Result<Option<String>, GraphError> {
        match self.take(property) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text)),
            Some(other) => Err(self.wrong_type(property, "a string", &other)),
        }
    }

    /// A string that must be present and not empty.
    pub fn required_string(&mut self, property: &str) -> Result<String, GraphError> {
        match self.string(property)? {
            None => Err(GraphError::bad_request(format!(
                "missing required property '{}'",
                self.name(property)
            ))),
            Some(text) if text.is_empty() => Err(GraphError::bad_request(format!(
                "property '{}' must not be empty",
                self.name(property)
            ))),
            Some(text) => Ok(text),
        }
    }

    /// An optional whole number (a NumericDate, say). Fractions and strings are refused.
    pub fn integer(&mut self, property: &str) -> Result<Option<i64>, GraphError> {
        match self.take(property) {
            None => Ok(None),
            Some(Value::Number(number)) if number.as_i64().is_some() => Ok(number.as_i64()),
            Some(other) => {
                Err(self.wrong_type(property, "an integer (seconds since 1970)", &other))
            }
        }
    }

    /// An optional array.
    pub fn array(&mut self, property: &str) -> Result<Option<Vec<Value>>, GraphError> {
        match self.take(property) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(self.wrong_type(property, "an array", &other)),
        }
    }

    /// The error for a property of the wrong JSON type. It names the type that was sent,
    /// never the value.
    fn wrong_type(&self, property: &str, expected: &str, got: &Value) -> GraphError {
        GraphError::bad_request(format!(
            "property '{}' must be {expected}, not {}",
            self.name(property),
            json_type(got)
        ))
    }

    /// The error for a value outside an enumeration. Only used for public members, so
    /// the value may be quoted (shortened, in case it is long).
    pub fn not_one_of(&self, property: &str, value: &str, allowed: &[&str]) -> GraphError {
        let shown: String = value.chars().take(40).collect();
        GraphError::bad_request(format!(
            "property '{}' must be one of {}, not '{shown}'",
            self.name(property),
            allowed.join(", ")
        ))
    }
}

/// The JSON type of a value, as a message names it.
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(value: Value) -> Result<Fields, GraphError> {
        let Value::Object(map) = value else { panic!("not an object") };
        Fields::new(map, &["use", "nbf", "keys"], "keys[1].")
    }

    #[test]
    fn unknown_properties_are_named() {
        let error = fields(json!({"use": "sig", "colour": "red"})).unwrap_err();
        assert_eq!(error.status, 400);
        assert!(error.message.contains("'keys[1].colour'"), "{}", error.message);
        assert!(fields(json!({"@odata.type": "#microsoft.graph.trustFrameworkKey"})).is_ok());
    }

    #[test]
    fn types_are_checked_without_echoing_values() {
        let mut f = fields(json!({"use": 7, "nbf": "secret-ish", "keys": {}})).unwrap();
        let error = f.string("use").unwrap_err();
        assert_eq!(error.message, "property 'keys[1].use' must be a string, not a number");
        let error = f.integer("nbf").unwrap_err();
        assert!(!error.message.contains("secret-ish"), "{}", error.message);
        assert!(f.array("keys").unwrap_err().message.contains("an array, not an object"));
    }

    #[test]
    fn null_counts_as_absent_and_fractions_are_not_integers() {
        let mut f = fields(json!({"use": null, "nbf": 1.5})).unwrap();
        assert_eq!(f.string("use").unwrap(), None);
        assert!(f.required_string("use").unwrap_err().message.contains("missing required"));
        assert!(f.integer("nbf").is_err());
        let mut f = fields(json!({"nbf": 1_508_969_811})).unwrap();
        assert_eq!(f.integer("nbf").unwrap(), Some(1_508_969_811));
    }
}
