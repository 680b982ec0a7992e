//! The committed data the behaviour layer reads besides the cases and type files: what the
//! docs leave unsaid about an API (`cases/behaviour.json`, with its JSON Schema generated from
//! these types), and the REST conventions the checks apply (`conventions.toml`, embedded).

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::case::file::{self, FileError};
use crate::diag::Located;

/// The file name of the behaviour data inside the cases directory.
pub const FILE: &str = "behaviour.json";

/// The behaviour data format version this build reads.
pub const FORMAT: u32 = 1;

/// What the docs do not say and the behaviour checks need, and the checks a person switched
/// off or adjusted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct BehaviourData {
    #[serde(rename = "$schema", default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    pub format: u32,
    /// Per OData type (of an item within a collection): how an item is found.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub types: BTreeMap<String, TypeData>,
    /// Per entity set, by its documented URL (`https://graph.microsoft.com/beta/...`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub entity_sets: BTreeMap<String, EntitySetData>,
    /// The value used for an item id that does not exist inside an entity the check's own
    /// fixtures created (default `exemplar-missing-{{unique}}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_item: Option<String>,
    /// Checks switched off or adjusted, by check id, each with a reason.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub checks: BTreeMap<String, Adjustment>,
}

/// What the docs leave unsaid about a type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TypeData {
    /// The property that identifies an item of this type within a collection (`kid` for keys).
    pub item_key: String,
}

/// What the docs leave unsaid about an entity set.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct EntitySetData {
    /// An entity id that no entity has, owned by a fixture whose teardown removes whatever a
    /// misbehaving target creates under it. Needed for negative requests that could create
    /// something (a `PUT`, `PATCH` or `DELETE` at an unknown id); reads use a unique literal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unused_id: Option<UnusedId>,
}

/// A fixture-owned id for an entity that does not exist.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UnusedId {
    /// The fixture in `fixtures.json` that owns the name.
    pub fixture: String,
    /// The alias it is used under in the check (`{{alias.var}}` in `value`).
    #[serde(rename = "as")]
    pub alias: String,
    /// The id, as a template over the fixture's variables, e.g. `B2C_1A_{{unused.name}}`.
    pub value: String,
}

/// A person's decision about one behaviour check.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Adjustment {
    /// Why; required, and shown in every report.
    pub reason: String,
    /// Do not run the check (it is reported as skipped with the reason).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub off: bool,
    /// The error status this target answers instead of the convention's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Members (JSON pointers into the read body) not compared with what was sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore: Vec<String>,
}

impl BehaviourData {
    /// Reads `behaviour.json` from the cases directory; an absent file is empty data.
    pub fn load(dir: &Path) -> Result<BehaviourData, FileError> {
        let path = dir.join(FILE);
        if !path.exists() {
            return Ok(BehaviourData { format: FORMAT, ..Default::default() });
        }
        let data: BehaviourData = file::read(&path)?;
        if data.format != FORMAT {
            return Err(FileError::Invalid(Located::file(
                &path,
                format!(
                    "behaviour data format {} is not supported (this build reads {FORMAT})",
                    data.format
                ),
            )));
        }
        Ok(data)
    }

    /// The item key of a type, looked up case-insensitively.
    pub fn item_key(&self, type_name: &str) -> Option<&str> {
        let wanted = crate::check::types::normalise(type_name);
        self.types
            .iter()
            .find(|(name, _)| crate::check::types::normalise(name) == wanted)
            .map(|(_, t)| t.item_key.as_str())
    }
}

/// The conventions of an API's REST style, as data (`conventions.toml`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Conventions {
    pub statuses: Statuses,
    pub envelope: Envelope,
    /// How lists link to their next page.
    pub paging: super::check::Paging,
    /// Which behaviours apply to which kind of operation, by kind name.
    pub rules: BTreeMap<String, Vec<String>>,
    /// The value sent for a member outside its documented possible values.
    pub outside_enum: String,
    /// The text sent as a malformed JSON body.
    pub malformed_json: String,
    /// The default id of an item that does not exist.
    pub unknown_item: String,
    /// The id of an entity that does not exist, for reads.
    pub unknown_entity: String,
}

/// Which status each kind of answer has.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Statuses {
    pub not_found: u16,
    pub bad_request: u16,
    pub unauthorized: u16,
    pub conflict: u16,
}

/// What every error answer looks like.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Envelope {
    /// JSON pointers that must be strings.
    pub strings: Vec<String>,
    /// Accepted media types.
    pub media_types: Vec<String>,
}

const GRAPH: &str = include_str!("conventions.toml");

/// The embedded conventions do not parse: a bug of this build (a unit test parses them).
#[derive(Debug, thiserror::Error)]
#[error("the embedded conventions.toml is not valid")]
pub struct ConventionsError(#[source] toml::de::Error);

impl Conventions {
    /// Microsoft Graph's conventions (the embedded file; a unit test parses it).
    pub fn graph() -> Result<Conventions, ConventionsError> {
        toml::from_str(GRAPH).map_err(ConventionsError)
    }

    /// Whether a behaviour applies to an operation kind.
    pub fn applies(&self, kind: &str, behaviour: &str) -> bool {
        self.rules.get(kind).is_some_and(|b| b.iter().any(|x| x == behaviour))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graph_conventions_parse() {
        let c = Conventions::graph().unwrap();
        assert_eq!(c.statuses.not_found, 404);
        assert_eq!(c.paging.next_link, "/@odata.nextLink");
        assert!(c.paging.max_pages >= 10);
        assert!(c.applies("create", "create-then-read"));
        assert!(c.applies("any", "no-auth"));
        assert!(!c.applies("read", "create-twice"));
    }

    #[test]
    fn absent_data_is_empty_and_bad_data_names_the_file() {
        let scratch = tempfile::Builder::new().prefix("exemplar-bd-").tempdir().unwrap();
        let dir = scratch.path().to_path_buf();
        assert_eq!(BehaviourData::load(&dir).unwrap().types.len(), 0);
        std::fs::write(dir.join(FILE), "{\"format\": 1, \"typo\": 1}").unwrap();
        let e = BehaviourData::load(&dir).unwrap_err().to_string();
        assert!(e.contains("behaviour.json") && e.contains("typo"), "{e}");
        std::fs::write(dir.join(FILE), "{\"format\": 7}").unwrap();
        let e = BehaviourData::load(&dir).unwrap_err().to_string();
        assert!(e.contains("format 7"), "{e}");
    }
}
