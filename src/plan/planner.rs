//! Turns case files into planned cases: fixtures resolved, bindings checked, skips decided.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::case::{self, Case, TypeFile};

use super::fixture::{self, Catalogue, Fixture};
use super::template;
use crate::case::file::FileError;
use crate::diag::Located;

/// A case ready to run.
#[derive(Debug, Clone)]
pub struct Planned {
    pub case: Case,
    pub path: PathBuf,
    /// The fixtures it uses, in order, with their aliases.
    pub fixtures: Vec<(String, Arc<Fixture>)>,
    /// Why the case is not run, when it is not.
    pub skip: Option<String>,
}

/// A case or fixture file that cannot be planned: unreadable or malformed, or valid JSON
/// that breaks a rule of the plan (an unknown fixture, an unbound placeholder, ...).
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Invalid(#[from] Located),
}

impl PlanError {
    /// Where in a file the error is, when it is about the file's contents.
    pub fn located(&self) -> Option<&Located> {
        match self {
            PlanError::File(e) => e.located(),
            PlanError::Invalid(located) => Some(located),
        }
    }
}

/// Everything a run needs from the cases directory.
#[derive(Debug, Default)]
pub struct Plan {
    pub cases: Vec<Planned>,
    pub types: Vec<TypeFile>,
    pub errors: Vec<PlanError>,
}

/// An error at the first occurrence of `needle` in the file at `path`, for errors about
/// values (serde reports positions of syntax errors only).
fn error_at(path: &Path, needle: &str, message: String) -> PlanError {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let located = match text.find(needle) {
        Some(at) => Located::at_offset(path, &text, at, message),
        None => Located::file(path, message),
    };
    PlanError::Invalid(located)
}

/// The `{placeholder}` names in a URL (single braces; `{{...}}` are templates).
pub fn placeholders(url: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = url;
    while let Some(open) = rest.find('{') {
        if rest[open..].starts_with("{{") {
            rest = rest[open + 2..].find("}}").map_or("", |c| &rest[open + 2 + c + 2..]);
            continue;
        }
        let Some(close) = rest[open..].find('}') else { break };
        names.push(rest[open + 1..open + close].to_string());
        rest = &rest[open + close + 1..];
    }
    names
}

/// Loads the fixture catalogue of `dir`, if it has one.
pub fn load_catalogue(dir: &Path) -> Result<Catalogue, PlanError> {
    let path = dir.join(fixture::FILE_NAME);
    if !path.exists() {
        return Ok(Catalogue::default());
    }
    Ok(case::file::read::<Catalogue>(&path)?)
}

/// Checks one case against the catalogue and resolves its fixtures.
pub fn plan_case(case: Case, path: PathBuf, catalogue: &Catalogue) -> Result<Planned, PlanError> {
    let mut fixtures = Vec::new();
    let mut aliases: Vec<String> = Vec::new();
    for use_ in &case.fixtures {
        let Some(fixture) = catalogue.fixtures.get(&use_.fixture) else {
            let known =
                catalogue.fixtures.keys().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            return Err(error_at(
                &path,
                &format!("\"{}\"", use_.fixture),
                format!(
                    "unknown fixture `{}` (the catalogue has {})",
                    use_.fixture,
                    if known.is_empty() { "none".into() } else { known }
                ),
            ));
        };
        for param in &fixture.params {
            if !use_.with.contains_key(param) {
                return Err(error_at(
                    &path,
                    &format!("\"{}\"", use_.fixture),
                    format!("fixture `{}` needs `with.{param}`", use_.fixture),
                ));
            }
        }
        let alias = use_.alias.clone().unwrap_or_else(|| use_.fixture.clone());
        if aliases.contains(&alias) {
            return Err(error_at(
                &path,
                &format!("\"{alias}\""),
                format!("two fixtures are named `{alias}`; give one an `as`"),
            ));
        }
        aliases.push(alias.clone());
        fixtures.push((alias, Arc::clone(fixture)));
    }
    let mut skip = case.skip.clone();
    if skip.is_none() && case.response.is_none() {
        skip = Some("the documentation shows no response for this request".into());
    }
    if skip.is_none() {
        for name in placeholders(&case.request.url) {
            if !case.bind.contains_key(&name) {
                return Err(error_at(
                    &path,
                    &format!("{{{name}}}"),
                    format!(
                        "the URL placeholder `{{{name}}}` has no binding; add `\"bind\": {{\"{name}\": \"{{{{<fixture>.<capture>}}}}\"}}`"
                    ),
                ));
            }
        }
        // Variables a binding may use: `unique` and `<alias>.<anything>`.
        let exprs = case
            .bind
            .values()
            .cloned()
            .chain(case.set.values().map(|v| v.to_string()))
            .chain(case.pin.values().map(|v| v.to_string()));
        for expr in exprs {
            for var in template::references(&expr) {
                let ok =
                    var == "unique" || aliases.iter().any(|a| var.starts_with(&format!("{a}.")));
                if !ok {
                    return Err(error_at(
                        &path,
                        &format!("{{{{{var}}}}}"),
                        format!(
                            "`{{{{{var}}}}}` refers to no fixture of this case (fixtures: {})",
                            if aliases.is_empty() { "none".into() } else { aliases.join(", ") }
                        ),
                    ));
                }
            }
        }
        // Safety: a request that changes something may only touch what the case created.
        let method = case.request.method.as_str();
        if !matches!(method, "GET" | "HEAD" | "OPTIONS") {
            for (name, expr) in &case.bind {
                if template::references(expr).is_empty() {
                    return Err(error_at(
                        &path,
                        &format!("\"{name}\""),
                        format!(
                            "`{name}` is bound to the literal `{expr}`; a {method} may only address what a fixture of this case created"
                        ),
                    ));
                }
            }
        }
    }
    Ok(Planned { case, path, fixtures, skip })
}

/// Loads and plans every case under `dir`. With `only`, only the case with that exact id is
/// loaded when it can be found without reading the others.
pub fn plan_dir(dir: &Path, only: Option<&str>) -> Plan {
    let mut plan = Plan::default();
    let catalogue = match load_catalogue(dir) {
        Ok(c) => c,
        Err(e) => {
            plan.errors.push(e);
            return plan;
        }
    };
    let loaded = match only.and_then(|id| load_one(dir, id)) {
        Some(one) => one,
        None => case::load_dir(dir),
    };
    plan.types = loaded.types.into_iter().map(|(_, t)| t).collect();
    plan.errors.extend(loaded.errors.into_iter().map(PlanError::from));
    let mut seen: std::collections::BTreeMap<String, PathBuf> = Default::default();
    for lc in loaded.cases {
        if let Some(first) = seen.get(&lc.case.id) {
            plan.errors.push(error_at(
                &lc.path,
                "\"id\"",
                format!("case id `{}` is also used by {}", lc.case.id, first.display()),
            ));
            continue;
        }
        seen.insert(lc.case.id.clone(), lc.path.clone());
        match plan_case(lc.case, lc.path, &catalogue) {
            Ok(p) => plan.cases.push(p),
            Err(e) => plan.errors.push(e),
        }
    }
    plan
}

/// Loads only the case with id `id` (and all types), found by the path its id implies.
fn load_one(dir: &Path, id: &str) -> Option<case::CaseDir> {
    // `--list` shows `[METHOD] id`, and nextest passes that back to `--exact`.
    let id = id.strip_prefix('[').and_then(|r| r.split_once("] ")).map_or(id, |(_, rest)| rest);
    let (stem, name) = id.rsplit_once("::")?;
    let rel = case::build::case_path(&format!("{}.x", stem.replace("::", "/")), name);
    let path = dir.join(rel);
    let found: Case = case::file::read(&path).ok()?;
    if found.id != id {
        return None;
    }
    let mut all = case::load_dir_types(dir);
    all.cases.push(case::LoadedCase { path, case: found });
    Some(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_placeholders_but_not_templates() {
        assert_eq!(
            placeholders("https://h/beta/sets/{id}/keys/{keyId}?x={{unique}}"),
            ["id", "keyId"]
        );
        assert!(placeholders("https://h/x").is_empty());
    }
}
