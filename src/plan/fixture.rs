//! The fixture catalogue (`cases/fixtures.json`): named, data-driven setup and teardown steps
//! that create what a case needs (a key set with a unique id, a key in it) and capture values
//! from the responses. Fixtures are data, not code, so a new API needs new JSON, not a new
//! exemplar.

use std::collections::BTreeMap;
use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The file name of the catalogue, at the root of the cases directory.
pub const FILE_NAME: &str = "fixtures.json";

/// All fixtures of a project.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub format: u32,
    /// Shared by every case that uses a fixture, so planning many cases copies none.
    pub fixtures: BTreeMap<String, Arc<Fixture>>,
}

/// Setup and teardown of one kind of thing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Arguments a case must pass in `with` (e.g. the key set a key goes into).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
    /// Values made without a request, e.g. `{"name": "exemplar_{{unique}}"}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, Value>,
    /// Requests that create the thing, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub setup: Vec<Step>,
    /// Requests that remove it again; run after the case, also when it failed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub teardown: Vec<Step>,
}

/// One request of a fixture.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub method: String,
    /// A doc-style absolute URL (`https://graph.microsoft.com/beta/...`, rewritten onto the
    /// target) or a path (`/beta/...`) joined to the target.
    pub url: String,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<Value>,
    /// Statuses that mean success; default any 2xx (and 404 in teardown: already gone).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<u16>,
    /// Values to keep: name → a JSON pointer into the body (`/id`) or `header:<name>`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, String>,
}

impl Step {
    pub fn accepts(&self, status: u16, teardown: bool) -> bool {
        if self.expect.is_empty() {
            (200..300).contains(&status) || (teardown && status == 404)
        } else {
            self.expect.contains(&status)
        }
    }
}
