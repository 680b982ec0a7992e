//! Baselines: comparing a report with an earlier one, case by case, so that a gate can fail
//! only on what got worse. A deviation is identified by its code and path with array indices
//! generalised (`type-mismatch at /value/*/keys`): a listing that returns one item more is not
//! a new deviation, and expected and actual texts, which carry run-specific values, are not
//! compared.

use std::collections::{BTreeMap, BTreeSet};

use super::model::{BaselineCase, BaselineCounts, BaselineReport, CaseReport, Class, Report};

/// How a deviation is recognised across runs.
pub fn key(d: &super::model::DeviationReport) -> String {
    let path: Vec<&str> = d
        .path
        .split('/')
        .map(
            |seg| {
                if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) { "*" } else { seg }
            },
        )
        .collect();
    format!("{} at {}", d.code, path.join("/"))
}

fn keys(case: &CaseReport) -> BTreeSet<String> {
    case.deviations.iter().map(key).collect()
}

/// Classifies every case of `old` and `new`; `file` names the earlier report.
pub fn compare(old: &Report, new: &Report, file: &str) -> BaselineReport {
    let mut ids: BTreeMap<&str, (Option<&CaseReport>, Option<&CaseReport>)> = BTreeMap::new();
    for c in &old.cases {
        ids.entry(&c.id).or_default().0 = Some(c);
    }
    for c in &new.cases {
        ids.entry(&c.id).or_default().1 = Some(c);
    }
    let mut counts = BaselineCounts::default();
    let mut cases = Vec::new();
    for (id, pair) in ids {
        let (class, new_keys, fixed) = match pair {
            (None, Some(n)) => (Class::Added, keys(n).into_iter().collect(), Vec::new()),
            (Some(_), None) => (Class::Removed, Vec::new(), Vec::new()),
            // A case that did not run this time shows nothing fixed: what it did before
            // stands.
            (Some(o), Some(n)) if !n.status.ran() => {
                let class =
                    if keys(o).is_empty() { Class::Unchanged } else { Class::StillDeviating };
                (class, Vec::new(), Vec::new())
            }
            (Some(o), Some(n)) => {
                let (before, after) = (keys(o), keys(n));
                let added: Vec<String> = after.difference(&before).cloned().collect();
                let fixed: Vec<String> = before.difference(&after).cloned().collect();
                let class = if !added.is_empty() {
                    Class::NewDeviation
                } else if after.is_empty() && !before.is_empty() {
                    Class::Fixed
                } else if !after.is_empty() {
                    Class::StillDeviating
                } else {
                    Class::Unchanged
                };
                (class, added, fixed)
            }
            (None, None) => continue,
        };
        counts.add(class);
        cases.push(BaselineCase { id: id.to_string(), class, new: new_keys, fixed });
    }
    BaselineReport { file: file.to_string(), cases, counts }
}

#[cfg(test)]
mod tests {
    use super::super::model::{Finding, Outcome, RunInfo};
    use super::super::sample;
    use super::*;

    fn case(id: &str, deviations: &[(&str, &str)]) -> CaseReport {
        let status = if deviations.is_empty() { Outcome::Passed } else { Outcome::Deviated };
        let deviations = deviations
            .iter()
            .map(|(code, path)| sample::deviation(code, path, Finding::Present, Finding::Absent))
            .collect();
        CaseReport { deviations, ..sample::bare(id, status) }
    }

    fn report(cases: Vec<CaseReport>) -> Report {
        Report::from_cases(cases, RunInfo::new("t", 0))
    }

    #[test]
    fn classifies_every_kind_of_change() {
        let old = report(vec![
            case("fixed", &[("type-mismatch", "/a")]),
            case("still", &[("type-mismatch", "/a"), ("status-mismatch", "status")]),
            case("worse", &[("type-mismatch", "/a")]),
            case("same", &[]),
            case("gone", &[]),
        ]);
        let new = report(vec![
            case("fixed", &[]),
            case("still", &[("type-mismatch", "/a")]),
            case("worse", &[("type-mismatch", "/a"), ("property-missing", "/b")]),
            case("same", &[]),
            case("added", &[("type-mismatch", "/a")]),
        ]);
        let b = compare(&old, &new, "old.json");
        let classes: Vec<_> = b.cases.iter().map(|c| (c.id.as_str(), c.class)).collect();
        assert_eq!(
            classes,
            [
                ("added", Class::Added),
                ("fixed", Class::Fixed),
                ("gone", Class::Removed),
                ("same", Class::Unchanged),
                ("still", Class::StillDeviating),
                ("worse", Class::NewDeviation),
            ]
        );
        let same = compare(
            &report(vec![case("list", &[("type-mismatch", "/value/0/keys")])]),
            &report(vec![case("list", &[("type-mismatch", "/value/7/keys")])]),
            "old.json",
        );
        assert_eq!(same.cases[0].class, Class::StillDeviating, "array indices are generalised");
        let worse = b.cases.iter().find(|c| c.id == "worse").unwrap();
        assert_eq!(worse.new, ["property-missing at /b"]);
        let still = b.cases.iter().find(|c| c.id == "still").unwrap();
        assert_eq!(still.fixed, ["status-mismatch at status"]);
        assert_eq!((b.counts.new_deviation, b.counts.added, b.counts.removed), (1, 1, 1));
    }

    /// A case `--fail-fast` left out this time has no deviations because it did not run,
    /// not because they were fixed.
    #[test]
    fn a_case_not_run_is_not_fixed() {
        let old = report(vec![case("dev", &[("type-mismatch", "/a")]), case("ok", &[])]);
        let not_run = |id: &str| CaseReport { status: Outcome::NotRun, ..case(id, &[]) };
        let new = report(vec![not_run("dev"), not_run("ok")]);
        let b = compare(&old, &new, "old.json");
        let classes: Vec<_> = b.cases.iter().map(|c| (c.id.as_str(), c.class)).collect();
        assert_eq!(classes, [("dev", Class::StillDeviating), ("ok", Class::Unchanged)]);
        assert!(b.cases.iter().all(|c| c.fixed.is_empty() && c.new.is_empty()));
    }
}
