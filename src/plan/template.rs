//! `{{name}}` templates in case and fixture files.
//!
//! A template names a variable: `{{unique}}` (a token unique to the case run), a fixture
//! capture (`{{set.id}}`), or, inside a fixture, one of its arguments or its own captures.
//! Single braces are left alone: `{id}` is a URL placeholder of the documented request, not a
//! variable. A string that is exactly one `{{name}}` takes the variable's JSON value (so a
//! number stays a number); otherwise values are spliced into the string.

use std::collections::BTreeMap;

use serde_json::Value;

/// Variables visible to a template.
#[derive(Debug, Clone, Default)]
pub struct Vars {
    values: BTreeMap<String, Value>,
}

/// A template that names a variable nobody defined.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{{{{{name}}}}}` is not defined (known: {known})")]
pub struct Undefined {
    pub name: String,
    pub known: String,
}

impl Vars {
    pub fn new() -> Self {
        Vars::default()
    }

    pub fn insert(&mut self, name: impl Into<String>, value: Value) {
        self.values.insert(name.into(), value);
    }

    pub fn get(&self, name: &str) -> Option<&Value> {
        self.values.get(name)
    }

    /// Every `prefix.name` in `other`, under `prefix.`.
    pub fn insert_scoped(&mut self, prefix: &str, other: &Vars) {
        for (k, v) in &other.values {
            self.values.insert(format!("{prefix}.{k}"), v.clone());
        }
    }

    fn undefined(&self, name: &str) -> Undefined {
        let known = self.values.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
        Undefined {
            name: name.to_string(),
            known: if known.is_empty() { "none".into() } else { known },
        }
    }

    /// Expands the templates in a string.
    pub fn expand_str(&self, text: &str) -> Result<String, Undefined> {
        let mut out = String::new();
        let mut rest = text;
        while let Some(open) = rest.find("{{") {
            let Some(close) = rest[open + 2..].find("}}") else { break };
            out.push_str(&rest[..open]);
            let name = rest[open + 2..open + 2 + close].trim();
            match self.values.get(name) {
                Some(Value::String(s)) => out.push_str(s),
                Some(other) => out.push_str(&other.to_string()),
                None => return Err(self.undefined(name)),
            }
            rest = &rest[open + 2 + close + 2..];
        }
        out.push_str(rest);
        Ok(out)
    }

    /// Expands the templates in every string of a JSON value.
    pub fn expand(&self, value: &Value) -> Result<Value, Undefined> {
        Ok(match value {
            Value::String(s) => {
                let t = s.trim();
                let whole = t
                    .strip_prefix("{{")
                    .and_then(|r| r.strip_suffix("}}"))
                    .filter(|n| !n.contains("{{") && !n.contains("}}"));
                match whole {
                    Some(name) => self
                        .values
                        .get(name.trim())
                        .cloned()
                        .ok_or_else(|| self.undefined(name.trim()))?,
                    None => Value::String(self.expand_str(s)?),
                }
            }
            Value::Array(items) => {
                Value::Array(items.iter().map(|v| self.expand(v)).collect::<Result<_, _>>()?)
            }
            Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| Ok((k.clone(), self.expand(v)?)))
                    .collect::<Result<_, _>>()?,
            ),
            other => other.clone(),
        })
    }
}

/// The variable names a string refers to.
pub fn references(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let Some(close) = rest[open + 2..].find("}}") else { break };
        names.push(rest[open + 2..open + 2 + close].trim().to_string());
        rest = &rest[open + 2 + close + 2..];
    }
    names
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn vars() -> Vars {
        let mut v = Vars::new();
        v.insert("unique", json!("u1"));
        v.insert("n", json!(5));
        v
    }

    #[test]
    fn expands_strings_and_values() {
        let v = vars();
        assert_eq!(v.expand_str("exemplar_{{unique}}/{id}").unwrap(), "exemplar_u1/{id}");
        assert_eq!(
            v.expand(&json!({"a": "{{ n }}", "b": ["x{{n}}"]})).unwrap(),
            json!({"a": 5, "b": ["x5"]})
        );
        assert_eq!(v.expand_str("{{unclosed").unwrap(), "{{unclosed");
    }

    #[test]
    fn undefined_names_are_errors_listing_what_is_known() {
        let err = vars().expand_str("{{set.id}}").unwrap_err();
        assert_eq!(err.to_string(), "`{{set.id}}` is not defined (known: `n`, `unique`)");
    }

    #[test]
    fn scoped_insert_and_references() {
        let mut v = Vars::new();
        v.insert_scoped("set", &vars());
        assert_eq!(v.get("set.unique"), Some(&json!("u1")));
        assert_eq!(references("a {{x}} b {{ y.z }}"), ["x", "y.z"]);
    }
}
