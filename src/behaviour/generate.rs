//! Generation of the behaviour checks: for every documented operation the resource model
//! places, the behaviours the conventions name for its kind, each as a sequence of steps.
//! A behaviour the docs cannot support (no key property, no documented read of an item, no
//! possible values for any sent member) is listed with the reason instead of guessed.
//!
//! Deterministic: the same cases, types and data give the same checks in the same order.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::case::Case;
use crate::case::model::FixtureUse;
use crate::check::{Code, TypeRegistry};
use crate::extract::JsonType;
use crate::plan::placeholders;

use super::check::{Body, Check, Expect, Step};
use super::data::{BehaviourData, Conventions};
use super::model::{self, EntitySet, Kind, Model, Operation};

/// A behaviour the conventions name for an operation that the docs could not support.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unsupported {
    pub operation: String,
    pub behaviour: String,
    /// Written as its sentence (`exemplar behaviour --json`).
    #[serde(serialize_with = "as_sentence")]
    pub reason: Unsupportable,
}

fn as_sentence<S: serde::Serializer>(reason: &Unsupportable, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(reason)
}

/// Why the docs cannot support a behaviour: what a check would need that they do not say.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unsupportable {
    #[error("the conventions name `{0}`, which exemplar does not know")]
    UnknownBehaviour(String),
    #[error(
        "the documented create sends no client-chosen key (`{0}`), so a second create is no duplicate"
    )]
    NoClientKey(String),
    #[error("no documented response names the type of `{0}`")]
    UntypedEntitySet(String),
    #[error("the resource page of `{0}` names no key property")]
    NoKeyProperty(String),
    #[error("cannot bind `{{{placeholder}}}` of `{url}` from the case's bindings")]
    Unbindable { placeholder: String, url: String },
    #[error("the documented URL has no entity placeholder")]
    NoEntityPlaceholder,
    #[error("the case binds no value to `{{{0}}}`")]
    Unbound(String),
    #[error("the documented response names no type")]
    UntypedResponse,
    #[error("no resource page documents `{0}`")]
    UndocumentedType(String),
    #[error("`{entity}` documents no collection of `{item}`")]
    NoCollection { entity: String, item: String },
    #[error("{file} names no item key for `{0}`", file = super::data::FILE)]
    NoItemKey(String),
    #[error("no documented `GET` of a `{0}` item to read the update back")]
    NoNavigationRead(String),
    #[error(
        "a {method} at an unknown id could create an entity, and {file} names no fixture-owned unused id for `{url}`",
        file = super::data::FILE
    )]
    NoUnusedId { method: String, url: String },
    #[error("the documented body sends no member whose wrong type could be sent safely")]
    NoSafeWrongType,
    #[error("`{0}` documents no possible values for any member the request sends")]
    NoPossibleValues(String),
    #[error("no resource page documents the type of the request body")]
    UntypedBody,
}

/// Everything generation found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Generated {
    pub model: Model,
    pub checks: Vec<Check>,
    pub unsupported: Vec<Unsupported>,
    /// Problems with `behaviour.json` (an adjustment naming no check).
    #[serde(skip_serializing_if = "Vec::is_empty", serialize_with = "as_sentences")]
    pub errors: Vec<AdjustmentError>,
}

fn as_sentences<S: serde::Serializer>(errors: &[AdjustmentError], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(errors.iter().map(ToString::to_string))
}

/// An adjustment in `behaviour.json` that cannot apply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AdjustmentError {
    #[error("{file}: `checks` names `{0}`, which is no generated behaviour check", file = super::data::FILE)]
    NoSuchCheck(String),
    #[error("{file}: `checks.{0}` needs a reason", file = super::data::FILE)]
    NoReason(String),
}

/// The inputs of generation.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub types: &'a TypeRegistry,
    pub data: &'a BehaviourData,
    pub conventions: &'a Conventions,
}

/// The check id of a behaviour of a case.
pub fn check_id(case_id: &str, behaviour: &str) -> String {
    format!("behaviour::{case_id}::{behaviour}")
}

/// Generates the checks for the cases (skipped cases and documented errors get none).
pub fn generate<'a>(cases: impl IntoIterator<Item = &'a Case>, input: Input<'_>) -> Generated {
    let cases: Vec<&Case> = cases
        .into_iter()
        .filter(|c| c.skip.is_none() && c.response.as_ref().is_some_and(|r| !r.expect_error))
        .collect();
    let model = model::derive(cases.iter().copied());
    let index = model.index();
    let mut out = Generated::default();
    let mut sorted = cases.clone();
    sorted.sort_by(|a, b| a.id.cmp(&b.id));
    for case in sorted {
        let Some(&(set, op)) = index.get(case.id.as_str()) else { continue };
        let ctx = Ctx { input, set, op, case };
        let kind = op.kind.as_str();
        let mut names: Vec<&String> =
            input.conventions.rules.get(kind).into_iter().flatten().collect();
        names.extend(input.conventions.rules.get("any").into_iter().flatten());
        for name in names {
            match ctx.behaviour(name) {
                Ok(Some((mut steps, fixtures))) => {
                    let cleanup = ctx.cleanup(&mut steps);
                    out.checks.push(Check {
                        id: check_id(&case.id, name),
                        behaviour: name.clone(),
                        operation: case.id.clone(),
                        kind: kind.to_string(),
                        fixtures,
                        steps,
                        cleanup,
                        off: None,
                        adjusted: None,
                    })
                }
                Ok(None) => {}
                Err(reason) => out.unsupported.push(Unsupported {
                    operation: case.id.clone(),
                    behaviour: name.clone(),
                    reason,
                }),
            }
        }
    }
    for (id, adjustment) in &input.data.checks {
        let Some(check) = out.checks.iter_mut().find(|c| &c.id == id) else {
            out.errors.push(AdjustmentError::NoSuchCheck(id.clone()));
            continue;
        };
        if adjustment.reason.trim().is_empty() {
            out.errors.push(AdjustmentError::NoReason(id.clone()));
            continue;
        }
        if adjustment.off {
            check.off = Some(adjustment.reason.clone());
        }
        if adjustment.status.is_some() || !adjustment.ignore.is_empty() {
            check.adjusted = Some(adjustment.reason.clone());
        }
        for step in &mut check.steps {
            for expect in &mut step.expect {
                match expect {
                    Expect::Error { status, .. } => {
                        if let Some(s) = adjustment.status {
                            *status = s;
                        }
                    }
                    Expect::Holds { ignore, .. } | Expect::Kept { ignore, .. } => {
                        ignore.extend(adjustment.ignore.iter().cloned())
                    }
                    _ => {}
                }
            }
        }
    }
    drop(index);
    out.model = model;
    out
}

type Derived = Option<(Vec<Step>, Vec<FixtureUse>)>;

struct Ctx<'a> {
    input: Input<'a>,
    set: &'a EntitySet,
    op: &'a Operation,
    case: &'a Case,
}

fn success(otherwise: Code) -> Expect {
    Expect::Success { otherwise }
}

impl Ctx<'_> {
    /// For a create: every step that sends it keeps the key of what it made, and the cleanup
    /// deletes each such entity, so that nothing a misbehaving target made is left behind
    /// (the fixtures' teardown removes what the target made under the expected name).
    fn cleanup(&self, steps: &mut [Step]) -> Vec<Step> {
        if self.op.kind != Kind::Create {
            return Vec::new();
        }
        let Ok(key) = self.key_property() else { return Vec::new() };
        let mut cleanup = Vec::new();
        for step in
            steps.iter_mut().filter(|s| s.method == "POST" && s.url == self.case.request.url)
        {
            step.keep.insert("key".into(), format!("/{key}"));
            if let Ok(mut delete) = self.entity_read(Some(&format!("{{{{{}.key}}}}", step.name))) {
                delete.name = format!("{} cleanup", step.name);
                delete.method = "DELETE".into();
                cleanup.push(delete);
            }
        }
        cleanup
    }

    fn behaviour(&self, name: &str) -> Result<Derived, Unsupportable> {
        let steps = |s: Vec<Step>| Ok(Some((s, Vec::new())));
        match name {
            "create-then-read" => {
                let key = self.key_property()?;
                let read = self.entity_read(Some("{{create.key}}"))?;
                steps(vec![
                    self.documented_create(&key),
                    Step {
                        expect: vec![
                            success(Code::WriteNotKept),
                            Expect::Equals {
                                pointer: format!("/{key}"),
                                value: "{{create.key}}".into(),
                                code: Code::WriteNotKept,
                            },
                            Expect::Holds {
                                step: "create".into(),
                                exact: false,
                                type_name: self.set.entity_type.clone(),
                                ignore: vec![format!("/{key}")],
                                item_keys: self.item_keys(self.set.entity_type.as_deref()),
                            },
                        ],
                        ..read
                    },
                ])
            }
            "create-then-list" => {
                let key = self.key_property()?;
                steps(vec![
                    self.documented_create(&key),
                    Step {
                        expect: vec![
                            success(Code::StaleList),
                            Expect::Listed {
                                key: key.clone(),
                                value: "{{create.key}}".into(),
                                present: true,
                                paging: self.paging(),
                            },
                        ],
                        ..self.list()
                    },
                ])
            }
            "create-twice" => {
                let key = self.key_property()?;
                let sends_key =
                    self.case.request.body.as_ref().is_some_and(|b| b.get(&key).is_some());
                if !sends_key {
                    return Err(Unsupportable::NoClientKey(key));
                }
                let conflict = self.input.conventions.statuses.conflict;
                steps(vec![
                    self.documented_create(&key),
                    Step {
                        name: "again".into(),
                        capture: BTreeMap::new(),
                        expect: vec![Expect::Error {
                            status: conflict,
                            accepted: Code::ErrorStatus,
                        }],
                        ..self.documented("again")
                    },
                ])
            }
            "update-then-read" => {
                let sent = self.sent_members();
                let key = self.key_property().unwrap_or_else(|_| "id".into());
                let read = self.entity_read(None)?;
                let exact = self.op.kind == Kind::Replace;
                let mut s = Vec::new();
                if !exact {
                    s.push(Step {
                        name: "before".into(),
                        expect: vec![success(Code::ErrorStatus)],
                        ..read.clone()
                    });
                }
                s.push(self.documented_success("update"));
                let mut expect = vec![
                    success(Code::WriteNotKept),
                    Expect::Holds {
                        step: "update".into(),
                        exact,
                        type_name: self.set.entity_type.clone(),
                        ignore: vec![format!("/{key}")],
                        item_keys: self.item_keys(self.set.entity_type.as_deref()),
                    },
                ];
                if !exact {
                    expect.push(Expect::Kept {
                        step: "before".into(),
                        except: sent,
                        ignore: Vec::new(),
                    });
                }
                s.push(Step { expect, ..read });
                steps(s)
            }
            "action-then-read" | "function-held" => {
                let (step, code) = if name == "action-then-read" {
                    ("action", Code::WriteNotKept)
                } else {
                    ("function", Code::InconsistentRead)
                };
                let (collection, key) = self.holding_collection()?;
                let read = self.entity_read(None)?;
                let withheld = self.withheld();
                steps(vec![
                    self.documented_success(step),
                    Step {
                        expect: vec![
                            success(Code::ErrorStatus),
                            Expect::HoldsItem {
                                collection,
                                key,
                                step: step.into(),
                                code,
                                withheld,
                            },
                        ],
                        ..read
                    },
                ])
            }
            "navigation-update-then-read" => self.navigation_update(),
            "delete-then-read" => {
                let read = self.entity_read(None)?;
                let not_found = self.input.conventions.statuses.not_found;
                steps(vec![
                    self.documented_success("delete"),
                    Step {
                        expect: vec![Expect::Error {
                            status: not_found,
                            accepted: Code::DeleteWithoutEffect,
                        }],
                        ..read
                    },
                ])
            }
            "delete-then-list" => {
                let key = self.key_property()?;
                let value = self.entity_binding()?;
                // Listed before, so that a list that never shows it proves nothing.
                steps(vec![
                    Step {
                        name: "before".into(),
                        expect: vec![
                            success(Code::ErrorStatus),
                            Expect::Listed {
                                key: key.clone(),
                                value: value.clone(),
                                present: true,
                                paging: self.paging(),
                            },
                        ],
                        ..self.list()
                    },
                    self.documented_success("delete"),
                    Step {
                        expect: vec![
                            success(Code::ErrorStatus),
                            Expect::Listed { key, value, present: false, paging: self.paging() },
                        ],
                        ..self.list()
                    },
                ])
            }
            "no-auth" => {
                let unauthorized = self.input.conventions.statuses.unauthorized;
                steps(vec![Step {
                    auth: false,
                    expect: vec![Expect::Error {
                        status: unauthorized,
                        accepted: Code::AuthNotRequired,
                    }],
                    ..self.documented("request")
                }])
            }
            "unknown-id" => self.unknown_id(),
            "malformed-json" => {
                if self.case.request.body.is_none() {
                    return Ok(None);
                }
                let text = self.input.conventions.malformed_json.clone();
                steps(vec![self.negative(Body::Raw { text })])
            }
            "wrong-type" => self.wrong_type(),
            "outside-enum" => self.outside_enum(),
            other => Err(Unsupportable::UnknownBehaviour(other.to_string())),
        }
    }

    /// Per array member of `type_name` whose item type has an item key: that key.
    fn item_keys(&self, type_name: Option<&str>) -> BTreeMap<String, String> {
        let Some(ty) = type_name.and_then(|t| self.input.types.get(t)) else {
            return BTreeMap::new();
        };
        ty.properties
            .iter()
            .filter(|(_, p)| p.json_type == JsonType::Array)
            .filter_map(|(name, p)| {
                let key = self.input.data.item_key(p.odata_type.as_deref()?)?;
                Some((name.clone(), key.to_string()))
            })
            .collect()
    }

    fn key_property(&self) -> Result<String, Unsupportable> {
        let Some(ty) = &self.set.entity_type else {
            return Err(Unsupportable::UntypedEntitySet(self.set.url.clone()));
        };
        self.input
            .types
            .get(ty)
            .and_then(|t| t.key_property.clone())
            .ok_or_else(|| Unsupportable::NoKeyProperty(ty.clone()))
    }

    /// The documented request as a step named `name`, expecting nothing yet.
    fn documented(&self, name: &str) -> Step {
        let has_body = self.case.request.body.is_some() || self.case.request.body_text.is_some();
        Step {
            name: name.into(),
            method: self.case.request.method.to_ascii_uppercase(),
            url: self.case.request.url.clone(),
            bind: self.case.bind.clone(),
            body: if has_body { Body::Documented } else { Body::None },
            auth: true,
            capture: BTreeMap::new(),
            keep: BTreeMap::new(),
            expect: Vec::new(),
        }
    }

    fn documented_success(&self, name: &str) -> Step {
        Step { expect: vec![success(Code::ErrorStatus)], ..self.documented(name) }
    }

    fn documented_create(&self, key: &str) -> Step {
        let mut step = self.documented_success("create");
        step.capture.insert("key".into(), format!("/{key}"));
        step
    }

    fn negative(&self, body: Body) -> Step {
        let bad_request = self.input.conventions.statuses.bad_request;
        Step {
            body,
            expect: vec![Expect::Error { status: bad_request, accepted: Code::ErrorStatus }],
            ..self.documented("request")
        }
    }

    /// Binds the placeholders of `url` by position from the case's bindings; a placeholder
    /// past the case's own is bound to `extra`.
    fn bind_like_case(
        &self,
        url: &str,
        extra: Option<&str>,
    ) -> Result<BTreeMap<String, String>, Unsupportable> {
        let mine = placeholders(&self.case.request.url);
        let theirs = placeholders(url);
        let mut bind = BTreeMap::new();
        for (i, name) in theirs.iter().enumerate() {
            let value = match mine.get(i) {
                Some(m) => self.case.bind.get(m).cloned(),
                None if i + 1 == theirs.len() => extra.map(str::to_string),
                None => None,
            };
            let Some(value) = value else {
                return Err(Unsupportable::Unbindable {
                    placeholder: name.clone(),
                    url: url.to_string(),
                });
            };
            bind.insert(name.clone(), value);
        }
        Ok(bind)
    }

    /// A `GET` of the entity the case addresses (or, with `extra`, of the one it created).
    fn entity_read(&self, extra: Option<&str>) -> Result<Step, Unsupportable> {
        let url = match self.set.find(Kind::Read, None) {
            Some(read) => read.url.clone(),
            None => format!("{}/{{id}}", self.set.url),
        };
        let url = entity_prefix(&url);
        let bind = self.bind_like_case(&url, extra)?;
        Ok(Step {
            name: "read".into(),
            method: "GET".into(),
            url,
            bind,
            body: Body::None,
            auth: true,
            capture: BTreeMap::new(),
            keep: BTreeMap::new(),
            expect: Vec::new(),
        })
    }

    /// The binding of the entity placeholder of the case's URL.
    fn entity_binding(&self) -> Result<String, Unsupportable> {
        let mine = placeholders(&self.case.request.url);
        let first = mine.first().ok_or(Unsupportable::NoEntityPlaceholder)?;
        self.case.bind.get(first).cloned().ok_or_else(|| Unsupportable::Unbound(first.clone()))
    }

    fn list(&self) -> Step {
        let url =
            self.set.find(Kind::List, None).map_or_else(|| self.set.url.clone(), |l| l.url.clone());
        Step {
            name: "list".into(),
            method: "GET".into(),
            url,
            bind: BTreeMap::new(),
            body: Body::None,
            auth: true,
            capture: BTreeMap::new(),
            keep: BTreeMap::new(),
            expect: Vec::new(),
        }
    }

    fn paging(&self) -> super::check::Paging {
        self.input.conventions.paging.clone()
    }

    /// The top-level members the case's documented body sends.
    fn sent_members(&self) -> Vec<String> {
        match &self.case.request.body {
            Some(Value::Object(map)) => map.keys().cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// The members the documented body sends that its type's resource page says cannot be
    /// read back (a key's secret `k`): a read must not show them.
    fn withheld(&self) -> Vec<String> {
        let Some(ty) = self.body_type() else { return Vec::new() };
        self.sent_members()
            .into_iter()
            .filter(|m| self.input.types.property(Some(&ty), m).is_some_and(|p| !p.readable))
            .collect()
    }

    /// The collection property of the entity type that holds items of the operation's
    /// return type, and the item key the data names for it.
    fn holding_collection(&self) -> Result<(String, String), Unsupportable> {
        let returns = self.op.returns.as_deref().ok_or(Unsupportable::UntypedResponse)?;
        let entity = self
            .set
            .entity_type
            .as_deref()
            .ok_or_else(|| Unsupportable::UntypedEntitySet(self.set.url.clone()))?;
        let ty = self
            .input
            .types
            .get(entity)
            .ok_or_else(|| Unsupportable::UndocumentedType(entity.to_string()))?;
        let wanted = crate::check::types::normalise(returns);
        let collection = ty
            .properties
            .iter()
            .find(|(_, p)| {
                p.json_type == JsonType::Array
                    && p.odata_type.as_deref().map(crate::check::types::normalise)
                        == Some(wanted.clone())
            })
            .map(|(n, _)| n.clone())
            .ok_or_else(|| Unsupportable::NoCollection {
                entity: entity.to_string(),
                item: returns.to_string(),
            })?;
        let key = self
            .input
            .data
            .item_key(returns)
            .ok_or_else(|| Unsupportable::NoItemKey(returns.to_string()))?;
        Ok((collection, key.to_string()))
    }

    fn navigation_update(&self) -> Result<Derived, Unsupportable> {
        let nav = self.op.name.as_deref().unwrap_or_default();
        let read = self
            .set
            .find(Kind::NavigationRead, Some(nav))
            .ok_or_else(|| Unsupportable::NoNavigationRead(nav.to_string()))?;
        let bind = self.bind_like_case(&read.url, None)?;
        let read_step = Step {
            name: "read".into(),
            method: "GET".into(),
            url: read.url.clone(),
            bind,
            body: Body::None,
            auth: true,
            capture: BTreeMap::new(),
            keep: BTreeMap::new(),
            expect: Vec::new(),
        };
        let sent = self.sent_members();
        let item_type = read.returns.clone().or_else(|| self.op.returns.clone());
        let mut steps = vec![
            Step {
                name: "before".into(),
                expect: vec![success(Code::ErrorStatus)],
                ..read_step.clone()
            },
            self.documented_success("update"),
            Step {
                expect: vec![
                    success(Code::WriteNotKept),
                    Expect::Holds {
                        step: "update".into(),
                        exact: false,
                        item_keys: self.item_keys(item_type.as_deref()),
                        type_name: item_type,
                        ignore: Vec::new(),
                    },
                    Expect::Kept {
                        step: "before".into(),
                        except: sent.clone(),
                        ignore: Vec::new(),
                    },
                ],
                ..read_step
            },
        ];
        // Wherever else the docs show the sent members: a collection of the entity whose
        // item type documents every one of them.
        if let (Some(entity), false) = (self.set.entity_type.as_deref(), sent.is_empty()) {
            let item = placeholders(&self.case.request.url)
                .last()
                .and_then(|p| self.case.bind.get(p))
                .cloned();
            if let (Some(ty), Some(item)) = (self.input.types.get(entity), item) {
                let mut expect = vec![success(Code::ErrorStatus)];
                for (name, prop) in &ty.properties {
                    let Some(item_type) = prop.odata_type.as_deref() else { continue };
                    let Some(item_ty) = self.input.types.get(item_type) else { continue };
                    let Some(key) = self.input.data.item_key(item_type) else { continue };
                    if prop.json_type == JsonType::Array
                        && sent.iter().all(|m| item_ty.properties.contains_key(m))
                    {
                        expect.push(Expect::ItemHolds {
                            collection: name.clone(),
                            key: key.to_string(),
                            value: item.clone(),
                            step: "update".into(),
                        });
                    }
                }
                if expect.len() > 1 {
                    let entity_read = self.entity_read(None)?;
                    steps.push(Step { name: "entity".into(), expect, ..entity_read });
                }
            }
        }
        Ok(Some((steps, Vec::new())))
    }

    fn unknown_id(&self) -> Result<Derived, Unsupportable> {
        let mine = placeholders(&self.case.request.url);
        let Some(last) = mine.last() else { return Ok(None) };
        let conventions = self.input.conventions;
        let method = self.case.request.method.to_ascii_uppercase();
        let mut fixtures = Vec::new();
        let value = if mine.len() > 1 {
            // An item inside an entity the check's own fixtures created.
            self.input.data.unknown_item.clone().unwrap_or_else(|| conventions.unknown_item.clone())
        } else if method == "GET" {
            conventions.unknown_entity.clone()
        } else {
            let unused = self
                .input
                .data
                .entity_sets
                .get(&self.set.url)
                .and_then(|s| s.unused_id.as_ref())
                .ok_or_else(|| Unsupportable::NoUnusedId {
                    method: method.clone(),
                    url: self.set.url.clone(),
                })?;
            fixtures.push(FixtureUse {
                fixture: unused.fixture.clone(),
                alias: Some(unused.alias.clone()),
                with: BTreeMap::new(),
            });
            unused.value.clone()
        };
        let mut step = Step {
            expect: vec![Expect::Error {
                status: conventions.statuses.not_found,
                accepted: Code::ErrorStatus,
            }],
            ..self.documented("request")
        };
        step.bind.insert(last.clone(), value);
        Ok(Some((vec![step], fixtures)))
    }

    /// The type the documented body is an instance of, when the docs say.
    fn body_type(&self) -> Option<String> {
        match self.op.kind {
            Kind::Create | Kind::Replace | Kind::Update => self.set.entity_type.clone(),
            Kind::NavigationUpdate => {
                let nav = self.op.name.as_deref();
                self.set
                    .find(Kind::NavigationRead, nav)
                    .and_then(|r| r.returns.clone())
                    .or_else(|| self.op.returns.clone())
            }
            Kind::Action => {
                let returns = self.op.returns.as_deref()?;
                let ty = self.input.types.get(returns)?;
                let sent = self.sent_members();
                (!sent.is_empty() && sent.iter().all(|m| ty.properties.contains_key(m)))
                    .then(|| returns.to_string())
            }
            _ => None,
        }
    }

    fn wrong_type(&self) -> Result<Derived, Unsupportable> {
        let Some(Value::Object(body)) = &self.case.request.body else { return Ok(None) };
        let ty = self.body_type();
        let key = if self.op.kind == Kind::Create { self.key_property().ok() } else { None };
        for (name, example) in body {
            if Some(name) == key.as_ref() {
                // A create with a wrongly typed key could create something no fixture owns.
                continue;
            }
            let json_type = self
                .input
                .types
                .property(ty.as_deref(), name)
                .map(|p| p.json_type)
                .unwrap_or_else(|| JsonType::of(example));
            if let Some(value) = wrong_value(json_type) {
                let pointer = format!("/{}", escape(name));
                return Ok(Some((
                    vec![self.negative(Body::Altered { pointer, value })],
                    Vec::new(),
                )));
            }
        }
        Err(Unsupportable::NoSafeWrongType)
    }

    fn outside_enum(&self) -> Result<Derived, Unsupportable> {
        let Some(Value::Object(body)) = &self.case.request.body else { return Ok(None) };
        let ty = self.body_type();
        let outside = Value::String(self.input.conventions.outside_enum.clone());
        for (name, example) in body {
            let Some(prop) = self.input.types.property(ty.as_deref(), name) else { continue };
            if !prop.enum_values.is_empty() {
                let pointer = format!("/{}", escape(name));
                return Ok(Some((
                    vec![self.negative(Body::Altered { pointer, value: outside })],
                    Vec::new(),
                )));
            }
            // One level down: the first item of a documented array of typed objects.
            let (Some(item_type), Value::Array(items)) = (prop.odata_type.as_deref(), example)
            else {
                continue;
            };
            let Some(Value::Object(item)) = items.first() else { continue };
            for member in item.keys() {
                if self
                    .input
                    .types
                    .property(Some(item_type), member)
                    .is_some_and(|p| !p.enum_values.is_empty())
                {
                    let pointer = format!("/{}/0/{}", escape(name), escape(member));
                    return Ok(Some((
                        vec![self.negative(Body::Altered { pointer, value: outside })],
                        Vec::new(),
                    )));
                }
            }
        }
        Err(match ty {
            Some(ty) => Unsupportable::NoPossibleValues(ty),
            None => Unsupportable::UntypedBody,
        })
    }
}

/// The URL up to and including the entity placeholder.
fn entity_prefix(url: &str) -> String {
    let (origin, segments) = model::split(url);
    match segments.iter().position(|s| s.starts_with('{')) {
        Some(i) => format!("{origin}/{}", segments[..=i].join("/")),
        None => url.to_string(),
    }
}

fn escape(member: &str) -> String {
    member.replace('~', "~0").replace('/', "~1")
}

/// A value of another JSON type than `json_type`.
fn wrong_value(json_type: JsonType) -> Option<Value> {
    Some(match json_type {
        JsonType::String => Value::from(12345),
        JsonType::Integer | JsonType::Number => Value::from("exemplar-not-a-number"),
        JsonType::Boolean => Value::from("exemplar-not-a-boolean"),
        JsonType::Array => Value::from("exemplar-not-an-array"),
        JsonType::Object => Value::from("exemplar-not-an-object"),
        JsonType::Null | JsonType::Any => return None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::behaviour::data::{Adjustment, EntitySetData, TypeData, UnusedId};
    use crate::case::TypeFile;

    const SET: &str = "https://api.example/v1/shelves";

    fn case(
        id: &str,
        method: &str,
        url: &str,
        body: Option<Value>,
        returns: Option<&str>,
        bind: &[(&str, &str)],
    ) -> Case {
        serde_json::from_value(json!({
            "format": 1,
            "id": id,
            "request": {"method": method, "url": url, "body": body},
            "response": {"status": 200, "odataType": returns},
            "bind": bind.iter().map(|(k, v)| (k.to_string(), json!(v))).collect::<serde_json::Map<_, _>>(),
        }))
        .unwrap()
    }

    fn types() -> Vec<TypeFile> {
        vec![
            serde_json::from_value(json!({
                "format": 1, "type": "ns.shelf", "source": {"doc": "d", "line": 1}, "keyProperty": "id",
                "properties": {
                    "id": {"type": "string"},
                    "label": {"type": "string", "enum": ["a", "b"]},
                    "books": {"type": "array", "items": "object", "odataType": "ns.book"}
                }
            }))
            .unwrap(),
            serde_json::from_value(json!({
                "format": 1, "type": "ns.book", "source": {"doc": "d", "line": 1},
                "properties": {"isbn": {"type": "string"}, "state": {"type": "string"}, "secret": {"type": "string", "readable": false}}
            }))
            .unwrap(),
        ]
    }

    fn cases() -> Vec<Case> {
        let item = format!("{SET}/{{id}}");
        let set = [("id", "{{s.id}}")];
        vec![
            case(
                "p::create",
                "POST",
                SET,
                Some(json!({"id": "x", "label": "a"})),
                Some("ns.shelf"),
                &[],
            ),
            case("p::list", "GET", SET, None, Some("ns.shelf"), &[]),
            case("p::get", "GET", &item, None, Some("ns.shelf"), &set),
            case("p::put", "PUT", &item, Some(json!({"label": "b"})), Some("ns.shelf"), &set),
            case("p::delete", "DELETE", &item, None, None, &set),
            case(
                "p::add",
                "POST",
                &format!("{item}/addBook"),
                Some(json!({"isbn": "1", "secret": "s"})),
                Some("ns.book"),
                &set,
            ),
            case("p::newest", "GET", &format!("{item}/newestBook"), None, Some("ns.book"), &set),
            case(
                "p::state",
                "PATCH",
                &format!("{item}/books_v2/{{bookId}}"),
                Some(json!({"state": "read"})),
                None,
                &[("id", "{{s.id}}"), ("bookId", "{{b.isbn}}")],
            ),
            case(
                "p::book",
                "GET",
                &format!("{SET}/{{shelf}}/books_v2/{{book}}"),
                None,
                Some("ns.book"),
                &[("shelf", "{{s.id}}"), ("book", "{{b.isbn}}")],
            ),
        ]
    }

    fn data() -> BehaviourData {
        let mut data = BehaviourData { format: 1, ..Default::default() };
        data.types.insert("ns.book".into(), TypeData { item_key: "isbn".into() });
        data.entity_sets.insert(
            SET.into(),
            EntitySetData {
                unused_id: Some(UnusedId {
                    fixture: "newShelf".into(),
                    alias: "unused".into(),
                    value: "{{unused.name}}".into(),
                }),
            },
        );
        data
    }

    fn run(cases: &[Case], data: &BehaviourData) -> Generated {
        let types = types();
        let registry = TypeRegistry::new(&types);
        let conventions = Conventions::graph().unwrap();
        generate(cases.iter(), Input { types: &registry, data, conventions: &conventions })
    }

    fn find<'a>(g: &'a Generated, id: &str) -> &'a Check {
        g.checks.iter().find(|c| c.id == id).unwrap_or_else(|| {
            panic!("no {id} in {:#?}", g.checks.iter().map(|c| &c.id).collect::<Vec<_>>())
        })
    }

    #[test]
    fn derives_each_behaviour_of_each_kind_of_operation() {
        let g = run(&cases(), &data());
        assert!(g.errors.is_empty(), "{:?}", g.errors);
        let create = find(&g, "behaviour::p::create::create-then-read");
        assert_eq!(create.steps[0].capture["key"], "/id");
        assert_eq!(create.steps[1].url, format!("{SET}/{{id}}"));
        assert_eq!(create.steps[1].bind["id"], "{{create.key}}");
        assert!(
            matches!(&create.steps[1].expect[2], Expect::Holds { ignore, exact: false, .. } if ignore == &["/id"])
        );
        let twice = find(&g, "behaviour::p::create::create-twice");
        assert!(matches!(twice.steps[1].expect[0], Expect::Error { status: 409, .. }));
        let put = find(&g, "behaviour::p::put::update-then-read");
        assert_eq!(put.steps.len(), 2, "a PUT reads back once");
        assert!(matches!(put.steps[1].expect[1], Expect::Holds { exact: true, .. }));
        let delete = find(&g, "behaviour::p::delete::delete-then-read");
        assert!(matches!(
            delete.steps[1].expect[0],
            Expect::Error { status: 404, accepted: Code::DeleteWithoutEffect }
        ));
        let listed = find(&g, "behaviour::p::delete::delete-then-list");
        assert!(matches!(&listed.steps[0].expect[1], Expect::Listed { present: true, .. }));
        assert!(
            matches!(&listed.steps[2].expect[1], Expect::Listed { present: false, value, .. } if value == "{{s.id}}")
        );
        let add = find(&g, "behaviour::p::add::action-then-read");
        assert!(
            matches!(&add.steps[1].expect[1], Expect::HoldsItem { collection, key, code: Code::WriteNotKept, withheld, .. } if collection == "books" && key == "isbn" && withheld == &["secret"]),
            "the secret it sends, which the resource page says cannot be read back, is withheld"
        );
        let newest = find(&g, "behaviour::p::newest::function-held");
        assert!(matches!(
            newest.steps[1].expect[1],
            Expect::HoldsItem { code: Code::InconsistentRead, .. }
        ));
        // The navigation read is bound by position, whatever its placeholders are called.
        let nav = find(&g, "behaviour::p::state::navigation-update-then-read");
        let names: Vec<&str> = nav.steps.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["before", "update", "read", "entity"]);
        assert_eq!(nav.steps[0].bind["shelf"], "{{s.id}}");
        assert_eq!(nav.steps[0].bind["book"], "{{b.isbn}}");
        assert!(
            matches!(&nav.steps[3].expect[1], Expect::ItemHolds { collection, value, .. } if collection == "books" && value == "{{b.isbn}}")
        );
        let bad = find(&g, "behaviour::p::create::outside-enum");
        assert!(matches!(&bad.steps[0].body, Body::Altered { pointer, .. } if pointer == "/label"));
        let wrong = find(&g, "behaviour::p::create::wrong-type");
        assert!(
            matches!(&wrong.steps[0].body, Body::Altered { pointer, value } if pointer == "/label" && value == &json!(12345)),
            "the key of a create is never the member sent wrongly"
        );
        let noauth = find(&g, "behaviour::p::list::no-auth");
        assert!(!noauth.steps[0].auth);
        assert!(
            !g.checks.iter().any(|c| c.id == "behaviour::p::list::unknown-id"),
            "a list has no id"
        );
    }

    #[test]
    fn negative_requests_that_could_create_use_a_fixture_owned_id() {
        let g = run(&cases(), &data());
        let put = find(&g, "behaviour::p::put::unknown-id");
        assert_eq!(put.fixtures[0].fixture, "newShelf");
        assert_eq!(put.steps[0].bind["id"], "{{unused.name}}");
        let get = find(&g, "behaviour::p::get::unknown-id");
        assert!(get.fixtures.is_empty(), "a read cannot create anything");
        let nav = find(&g, "behaviour::p::state::unknown-id");
        assert_eq!(nav.steps[0].bind["bookId"], "exemplar-missing-{{unique}}");
        assert_eq!(nav.steps[0].bind["id"], "{{s.id}}", "only inside the fixture's own shelf");
        // Without the data, a write at an unknown id is not derived, and the reason says why.
        let g = run(&cases(), &BehaviourData { format: 1, ..Default::default() });
        let u = g
            .unsupported
            .iter()
            .find(|u| u.operation == "p::put" && u.behaviour == "unknown-id")
            .unwrap();
        assert!(matches!(&u.reason, Unsupportable::NoUnusedId { method, .. } if method == "PUT"));
        assert!(u.reason.to_string().contains("fixture-owned"), "{}", u.reason);
        let u = g
            .unsupported
            .iter()
            .find(|u| u.operation == "p::add" && u.behaviour == "action-then-read")
            .unwrap();
        assert!(matches!(&u.reason, Unsupportable::NoItemKey(_)), "{}", u.reason);
        assert!(u.reason.to_string().contains("names no item key"), "{}", u.reason);
    }

    #[test]
    fn every_step_that_changes_something_addresses_only_bound_values() {
        for check in run(&cases(), &data()).checks {
            for step in check.steps.iter().filter(|s| s.method != "GET") {
                for (name, value) in &step.bind {
                    assert!(
                        !crate::plan::template::references(value).is_empty(),
                        "{}: step {} binds {name} to the literal {value}",
                        check.id,
                        step.name
                    );
                }
            }
        }
    }

    #[test]
    fn what_the_docs_cannot_support_is_listed_with_a_reason() {
        let g = run(&cases(), &data());
        let u = g
            .unsupported
            .iter()
            .find(|u| u.operation == "p::state" && u.behaviour == "outside-enum")
            .unwrap();
        assert!(matches!(&u.reason, Unsupportable::NoPossibleValues(_)), "{}", u.reason);
        assert!(u.reason.to_string().contains("no possible values"), "{}", u.reason);
        // A create without a client-chosen key has no duplicate to send.
        let mut cs = cases();
        cs[0].request.body = Some(json!({"label": "a"}));
        let g = run(&cs, &data());
        assert!(
            g.unsupported
                .iter()
                .any(|u| u.operation == "p::create" && u.behaviour == "create-twice")
        );
    }

    #[test]
    fn adjustments_switch_off_or_change_a_check_and_unknown_ids_are_errors() {
        let mut d = data();
        d.checks.insert(
            "behaviour::p::get::no-auth".into(),
            Adjustment {
                reason: "this target is open by design".into(),
                off: true,
                ..Default::default()
            },
        );
        d.checks.insert(
            "behaviour::p::put::unknown-id".into(),
            Adjustment { reason: "answers 400".into(), status: Some(400), ..Default::default() },
        );
        let g = run(&cases(), &d);
        assert!(g.errors.is_empty(), "{:?}", g.errors);
        assert_eq!(
            find(&g, "behaviour::p::get::no-auth").off.as_deref(),
            Some("this target is open by design")
        );
        let put = find(&g, "behaviour::p::put::unknown-id");
        assert!(matches!(put.steps[0].expect[0], Expect::Error { status: 400, .. }));
        assert!(put.adjusted.is_some());
        d.checks.insert(
            "behaviour::p::nothing".into(),
            Adjustment { reason: "x".into(), ..Default::default() },
        );
        d.checks.insert(
            "behaviour::p::get::unknown-id".into(),
            Adjustment { reason: " ".into(), off: true, ..Default::default() },
        );
        let g = run(&cases(), &d);
        let nothing = AdjustmentError::NoSuchCheck("behaviour::p::nothing".into());
        assert!(g.errors.contains(&nothing), "{:?}", g.errors);
        assert!(
            g.errors.iter().any(|e| e.to_string().ends_with("needs a reason")),
            "{:?}",
            g.errors
        );
    }

    #[test]
    fn generation_is_deterministic_whatever_the_order_of_the_cases() {
        let a = run(&cases(), &data());
        let mut reversed = cases();
        reversed.reverse();
        let b = run(&reversed, &data());
        assert_eq!(a.checks, b.checks);
        assert_eq!(a.unsupported, b.unsupported);
    }

    #[test]
    fn skipped_cases_and_documented_errors_get_no_checks() {
        let mut cs = cases();
        cs[2].skip = Some("not today".into());
        let g = run(&cs, &data());
        assert!(!g.checks.iter().any(|c| c.operation == "p::get"));
    }
}
