//! Merging the JSON reports of CI shards (`run --partition K/N`) into the report one
//! unsharded run would have written: the cases joined and sorted, summary, coverage and
//! known-deviation states computed again over all of them. Only timings can differ (the run
//! takes the slowest shard's time).
//!
//! A merge is a gate's verdict over the whole suite only if it has every shard, so the set of
//! reports must be exactly the N parts of one partition of one case set: the same scheme and
//! N, each part once, cut from the same case ids. A lost CI artifact is then a refusal, not a
//! green gate; `--allow-partial` merges what there is and the report names what is missing.

use std::collections::BTreeMap;

use crate::plan::Partition;

use super::known::{self, KnownFile};
use super::model::{CaseReport, CaseSet, Report, RunInfo};

/// Why a set of reports does not merge into the report of one run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MergeError {
    #[error("no reports to merge")]
    Empty,
    #[error("{file} is not a shard report: only reports of `run --partition` merge")]
    NotAShard { file: String },
    #[error("{file}: {reason}")]
    BadPartition { file: String, reason: String },
    #[error(
        "{file} is shard {shard} but {first_file} is shard {first}: the shards of one partition share its scheme and N"
    )]
    OtherPartition { file: String, shard: Partition, first_file: String, first: Partition },
    #[error(
        "{file} was cut from another case set ({}) than {first_file} ({}): were the shards run on one commit?",
        describe(.set),
        describe(.first_set)
    )]
    OtherCaseSet {
        file: String,
        set: Option<CaseSet>,
        first_file: String,
        first_set: Option<CaseSet>,
    },
    #[error("shard {shard} is given twice ({first_file} and {file}): each part merges once")]
    Twice { shard: Partition, first_file: String, file: String },
    #[error(
        "{} {} of {total} {} missing: their cases would not be checked; merge all {total} shard reports, or pass --allow-partial to merge these and say what is missing",
        if .missing.len() == 1 { "shard" } else { "shards" },
        .missing.join(", "),
        if .missing.len() == 1 { "is" } else { "are" }
    )]
    Missing { missing: Vec<String>, total: u64 },
    #[error(
        "{file} ran against {target}, but {first_file} against {first_target}; only shards of one run merge"
    )]
    OtherTarget { file: String, target: String, first_file: String, first_target: String },
    #[error("{file} and {first_file} applied different known-deviations files")]
    OtherKnown { file: String, first_file: String },
    #[error(
        "case {case} is in {first_file} and {file} with different results; were the shards of one run?"
    )]
    OtherResult { case: String, first_file: String, file: String },
}

/// A recorded case set in words.
fn describe(set: &Option<CaseSet>) -> String {
    match set {
        Some(s) => format!("{} cases, {}", s.cases, s.hash),
        None => "no case set recorded".into(),
    }
}

/// Checks that `shards` are the parts of one partition of one case set; returns the parts
/// that are missing (an error unless `allow_partial`).
fn check_partition(
    shards: &[(String, Report)],
    allow_partial: bool,
) -> Result<Vec<String>, MergeError> {
    let mut parts: Vec<(&str, Partition)> = Vec::new();
    for (file, shard) in shards {
        let Some(text) = &shard.run.partition else {
            return Err(MergeError::NotAShard { file: file.clone() });
        };
        let p: Partition = text
            .parse()
            .map_err(|reason| MergeError::BadPartition { file: file.clone(), reason })?;
        parts.push((file, p));
    }
    let (first_file, first) = parts[0];
    let first_set = &shards[0].1.run.case_set;
    for (i, &(file, p)) in parts.iter().enumerate() {
        if p.kind != first.kind || p.total != first.total {
            return Err(MergeError::OtherPartition {
                file: file.into(),
                shard: p,
                first_file: first_file.into(),
                first,
            });
        }
        let set = &shards[i].1.run.case_set;
        if set.is_none() || set != first_set {
            return Err(MergeError::OtherCaseSet {
                file: file.into(),
                set: set.clone(),
                first_file: first_file.into(),
                first_set: first_set.clone(),
            });
        }
        if let Some((other, _)) = parts[..i].iter().find(|(_, q)| q.shard == p.shard) {
            return Err(MergeError::Twice {
                shard: p,
                first_file: (*other).into(),
                file: file.into(),
            });
        }
    }
    let missing: Vec<String> = (1..=first.total)
        .filter(|k| !parts.iter().any(|(_, p)| p.shard == *k))
        .map(|k| Partition { shard: k, ..first }.to_string())
        .collect();
    if !missing.is_empty() && !allow_partial {
        return Err(MergeError::Missing { missing, total: first.total });
    }
    Ok(missing)
}

/// Joins `shards` (each with the file it came from): they must be the parts of one partition
/// (see the module's text; missing parts are allowed with `allow_partial` and listed in the
/// report). A case in two shards must be the same in both; shards of different targets or
/// known-deviations files do not merge.
pub fn merge(shards: Vec<(String, Report)>, allow_partial: bool) -> Result<Report, MergeError> {
    let Some((first_file, first)) = shards.first() else {
        return Err(MergeError::Empty);
    };
    let missing_shards = check_partition(&shards, allow_partial)?;
    let case_set = first.run.case_set.clone();
    let target = first.run.target.clone();
    let known = first.known.clone();
    let tool = first.tool.clone();
    let mut duration_ms = 0;
    let started = shards.iter().filter_map(|(_, s)| s.run.started.clone()).min();
    let mut cases: BTreeMap<String, (String, CaseReport)> = BTreeMap::new();
    for (file, shard) in &shards {
        if shard.run.target != target {
            return Err(MergeError::OtherTarget {
                file: file.clone(),
                target: shard.run.target.clone(),
                first_file: first_file.clone(),
                first_target: target,
            });
        }
        let same_known = match (&shard.known, &known) {
            (Some(a), Some(b)) => {
                let entry = |e: &super::model::KnownEntryReport| {
                    (e.case.clone(), e.code.clone(), e.path.clone(), e.expires.clone())
                };
                a.file == b.file && a.entries.iter().map(entry).eq(b.entries.iter().map(entry))
            }
            (None, None) => true,
            _ => false,
        };
        if !same_known {
            return Err(MergeError::OtherKnown {
                file: file.clone(),
                first_file: first_file.clone(),
            });
        }
        duration_ms = duration_ms.max(shard.run.duration_ms);
        for case in &shard.cases {
            if let Some((other, existing)) = cases.get(&case.id) {
                if existing.status != case.status {
                    return Err(MergeError::OtherResult {
                        case: case.id.clone(),
                        first_file: other.clone(),
                        file: file.clone(),
                    });
                }
                continue;
            }
            cases.insert(case.id.clone(), (file.clone(), case.clone()));
        }
    }
    let mut report = Report::from_cases(
        cases.into_values().map(|(_, c)| c).collect(),
        RunInfo {
            target,
            partition: None,
            case_set,
            missing_shards,
            started,
            duration_ms,
            verdict: super::model::Verdict::Passed,
        },
    );
    report.tool = tool;
    if let Some(k) = &known {
        known::apply(&mut report, &KnownFile::from_report(k), &known::today());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::model::{CaseSet, Checks, Finding, Outcome, Relaxation};
    use super::super::sample;
    use super::*;

    fn case(i: usize) -> CaseReport {
        let deviations = (0..i % 3)
            .map(|j| {
                let expected = Finding::of_type(crate::extract::JsonType::Array);
                sample::deviation(
                    "type-mismatch",
                    &format!("/p{j}"),
                    expected,
                    Finding::value(json!({})),
                )
            })
            .collect::<Vec<_>>();
        let status = if deviations.is_empty() { Outcome::Passed } else { Outcome::Deviated };
        CaseReport {
            file: format!("c{i}.json"),
            deviations,
            checks: Checks {
                by_type: 2,
                relaxed: vec![Relaxation::ByType { count: 2 }],
                ..Checks::default()
            },
            duration_ms: 7,
            ..sample::bare(&format!("docs::page{}::example{i}", i % 4), status)
        }
    }

    fn run(partition: Option<&Partition>, duration_ms: u64) -> RunInfo {
        RunInfo {
            partition: partition.map(|p| p.to_string()),
            case_set: partition.map(|_| CaseSet::of(["a", "b"])),
            ..RunInfo::new("reference mock", duration_ms)
        }
    }

    /// Merging the shard reports of one set of results gives exactly the unsharded report,
    /// timings aside.
    #[test]
    fn merged_shards_equal_the_full_report() {
        let cases: Vec<CaseReport> = (0..25).map(case).collect();
        let mut full = Report::from_cases(cases.clone(), run(None, 0));
        let known = KnownFile {
            path: "known-deviations.toml".into(),
            entries: crate::report::known::parse(
                "k.toml",
                "[[deviation]]\ncase = \"docs::page1::example1\"\ncode = \"type-mismatch\"\nreason = \"r\"\nexpires = 2999-01-01\n",
            )
            .unwrap()
            .entries,
        };
        known::apply(&mut full, &known, "2026-01-01");
        for kind in ["hash", "count"] {
            let mut shards = Vec::new();
            for k in 1..=3 {
                let p: Partition = format!("{kind}:{k}/3").parse().unwrap();
                let part = p.select(cases.clone(), |c| &c.id);
                let mut shard = Report::from_cases(part, run(Some(&p), 10 * k));
                known::apply(&mut shard, &known, "2026-01-01");
                shards.push((format!("{k}.json"), shard));
            }
            let merged = merge(shards, false).unwrap();
            assert_eq!(merged.run.duration_ms, 30);
            let mut expected = full.clone();
            expected.run.duration_ms = 30;
            expected.run.case_set = Some(CaseSet::of(["a", "b"]));
            assert_eq!(merged, expected, "{kind}");
        }
    }

    fn shard(p: &str, cases: Vec<CaseReport>) -> Report {
        let p: Partition = p.parse().unwrap();
        Report::from_cases(cases, run(Some(&p), 0))
    }

    #[test]
    fn shards_of_different_runs_do_not_merge() {
        let a = shard("count:1/2", vec![case(1)]);
        let mut b = shard("count:2/2", vec![case(2)]);
        b.run.target = "http://elsewhere".into();
        let err = merge(vec![("a.json".into(), a.clone()), ("b.json".into(), b)], false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("b.json ran against http://elsewhere"), "{err}");
        let mut c = shard("count:2/2", vec![case(1)]);
        c.cases[0].status = Outcome::Error;
        let err =
            merge(vec![("a.json".into(), a), ("c.json".into(), c)], false).unwrap_err().to_string();
        assert!(err.contains("different results"), "{err}");
    }

    /// A lost shard, a shard given twice, shards of two partitions or of two case sets, and a
    /// report that is no shard at all: each is refused, so the gate cannot turn green on part
    /// of the suite.
    #[test]
    fn only_the_whole_partition_of_one_case_set_merges() {
        let named = |reports: Vec<(&str, Report)>| {
            reports.into_iter().map(|(f, r)| (f.to_string(), r)).collect::<Vec<_>>()
        };
        let one = || shard("count:1/3", vec![case(1)]);
        let two = || shard("count:2/3", vec![case(2)]);
        let three = || shard("count:3/3", vec![case(3)]);
        assert!(merge(named(vec![("1", one()), ("2", two()), ("3", three())]), false).is_ok());

        let err = merge(named(vec![("1", one()), ("2", two())]), false).unwrap_err().to_string();
        assert!(err.contains("shard count:3/3 of 3 is missing"), "{err}");
        let err = merge(named(vec![("1", one())]), false).unwrap_err().to_string();
        assert!(err.contains("shards count:2/3, count:3/3 of 3 are missing"), "{err}");
        assert!(err.contains("--allow-partial"), "{err}");
        let partial = merge(named(vec![("1", one()), ("2", two())]), true).unwrap();
        assert_eq!(partial.run.missing_shards, ["count:3/3"]);
        assert_eq!(partial.cases.len(), 2);

        let err = merge(named(vec![("1", one()), ("1b", one()), ("3", three())]), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("shard count:1/3 is given twice (1 and 1b)"), "{err}");
        // Twice and nothing missing is still refused with --allow-partial.
        assert!(merge(named(vec![("1", one()), ("1b", one())]), true).is_err());

        let other_n = shard("count:2/4", vec![case(2)]);
        let err = merge(named(vec![("1", one()), ("x", other_n), ("3", three())]), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("x is shard count:2/4 but 1 is shard count:1/3"), "{err}");
        let other_kind = shard("hash:2/3", vec![case(2)]);
        assert!(
            merge(named(vec![("1", one()), ("x", other_kind), ("3", three())]), false).is_err()
        );

        let mut other_set = two();
        other_set.run.case_set = Some(CaseSet::of(["a", "b", "c"]));
        let err = merge(named(vec![("1", one()), ("x", other_set), ("3", three())]), false)
            .unwrap_err()
            .to_string();
        assert!(err.contains("x was cut from another case set (3 cases"), "{err}");
        let mut no_set = two();
        no_set.run.case_set = None;
        assert!(merge(named(vec![("1", one()), ("x", no_set), ("3", three())]), false).is_err());

        let full = Report::from_cases(vec![case(2)], run(None, 0));
        let err = merge(named(vec![("1", one()), ("full", full)]), true).unwrap_err();
        assert_eq!(err, MergeError::NotAShard { file: "full".into() });
        assert_eq!(
            err.to_string(),
            "full is not a shard report: only reports of `run --partition` merge"
        );
    }

    #[test]
    fn case_sets_ignore_order_and_count_distinct_ids() {
        assert_eq!(CaseSet::of(["b", "a"]), CaseSet::of(["a", "b", "a"]));
        assert_eq!(CaseSet::of(["b", "a"]).cases, 2);
        assert_ne!(CaseSet::of(["a"]), CaseSet::of(["a", "b"]));
    }
}
