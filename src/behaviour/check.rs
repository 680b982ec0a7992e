//! A behaviour check as data: a sequence of steps, each a request with what its answer must
//! show. Generated from the resource model and the conventions; executed by the runner.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::case::model::FixtureUse;
use crate::check::Code;

/// One behaviour check of one documented operation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Check {
    /// `behaviour::<case id>::<behaviour>`.
    pub id: String,
    /// The behaviour's name in the conventions (`create-then-read`, `no-auth`, ...).
    pub behaviour: String,
    /// The case whose documented request (with its fixtures, `bind` and `set`) the check
    /// sends.
    pub operation: String,
    /// The operation's kind in the resource model.
    pub kind: String,
    /// Fixtures the check uses beyond the case's own (a fixture-owned unused id).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fixtures: Vec<FixtureUse>,
    pub steps: Vec<Step>,
    /// Requests sent after the steps, whatever happened (also when a step failed), to remove
    /// what a step may have created; a request naming a value no step kept is not sent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cleanup: Vec<Step>,
    /// Why the check is not run, when a person switched it off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off: Option<String>,
    /// Why the check differs from what the conventions derive, when a person adjusted it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted: Option<String>,
}

/// One request of a check and what its answer must show.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Step {
    /// Names the step in reports and in later steps' references (`{{create.key}}`).
    pub name: String,
    pub method: String,
    /// A documented URL with `{placeholders}`.
    pub url: String,
    /// Values of the placeholders, as templates over the case's and earlier steps' values.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub bind: BTreeMap<String, String>,
    pub body: Body,
    /// `false`: sent without credentials.
    pub auth: bool,
    /// Values kept from the answer: name → JSON pointer; later steps see `{{step.name}}`.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub capture: BTreeMap<String, String>,
    /// Values kept from the answer when it has them (for the cleanup), like `capture` but
    /// never a deviation when absent.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub keep: BTreeMap<String, String>,
    pub expect: Vec<Expect>,
}

/// The body a step sends.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Body {
    None,
    /// What the case sends: the documented body with the case's `set` applied, and the
    /// documented headers.
    Documented,
    /// The case's body with one member replaced.
    Altered {
        pointer: String,
        value: Value,
    },
    /// A body sent verbatim as JSON (a malformed one).
    Raw {
        text: String,
    },
}

/// What a step's answer must show. Every rule also fails on a `5xx` (`server-error`).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "rule", rename_all = "kebab-case")]
pub enum Expect {
    /// A `2xx`; any other status is `otherwise`.
    Success { otherwise: Code },
    /// The error `status` with the error envelope; a `2xx` is `accepted`, another status
    /// `error-status`, a missing envelope `error-envelope-missing`.
    Error { status: u16, accepted: Code },
    /// The body holds what step `step` sent: each sent member by value (arrays of items
    /// matched by their key where the type has one), except the `ignore` pointers and members
    /// the type says cannot be read back, which must be absent (`unreadable-returned`).
    /// `exact`: arrays hold no more items than sent.
    Holds {
        step: String,
        exact: bool,
        #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
        type_name: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        ignore: Vec<String>,
        /// Per array member of the type: the item key its items are matched by.
        #[serde(skip_serializing_if = "BTreeMap::is_empty")]
        item_keys: BTreeMap<String, String>,
    },
    /// The members that step `step` read and this step's write did not send kept their values.
    Kept {
        step: String,
        except: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        ignore: Vec<String>,
    },
    /// The body's member at `pointer` is `value` (a template); otherwise `code`.
    Equals { pointer: String, value: String, code: Code },
    /// A list (`/value`) shows (or, with `present: false`, no longer shows) the item whose
    /// `key` member is `value`; otherwise `stale-list`. The list's later pages are read by
    /// following its next links (`paging`); a link back to a page already read is
    /// `next-link-loop`, and more pages than `paging.maxPages` an error.
    Listed { key: String, value: String, present: bool, paging: Paging },
    /// The body's `collection` holds the item step `step` answered (found by `key`), with
    /// the same value for every member both show; otherwise `code`. The `withheld` members
    /// (sent by the step, and documented as never read back) are absent from it; otherwise
    /// `unreadable-returned`.
    HoldsItem {
        collection: String,
        key: String,
        step: String,
        code: Code,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        withheld: Vec<String>,
    },
    /// The body's `collection` holds an item whose `key` is `value`, with the members that
    /// step `step` sent.
    ItemHolds { collection: String, key: String, value: String, step: String },
}

/// How a list answer links to its next page, and how many pages a check reads at most
/// (from the conventions).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Paging {
    /// JSON pointer of the next page's URL in a list answer (`/@odata.nextLink`).
    #[serde(alias = "next_link")]
    pub next_link: String,
    /// The most pages one list step reads, the first included.
    #[serde(alias = "max_pages")]
    pub max_pages: u32,
}
