//! Merging the JSON reports of CI shards (`run --partition K/N`) into the report one
//! unsharded run would have written: the cases joined and sorted, summary, coverage and
//! known-deviation states computed again over all of them. Only timings can differ (the run
//! takes the slowest shard's time).

use std::collections::BTreeMap;

use super::known::{self, KnownFile};
use super::model::{CaseReport, Report, RunInfo};

/// Joins `shards` (each with the file it came from). A case in two shards must be the same
/// in both; shards of different targets or known-deviations files do not merge.
pub fn merge(shards: Vec<(String, Report)>) -> Result<Report, String> {
    let Some((first_file, first)) = shards.first() else {
        return Err("no reports to merge".into());
    };
    let target = first.run.target.clone();
    let known = first.known.clone();
    let tool = first.tool.clone();
    let mut duration_ms = 0;
    let mut cases: BTreeMap<String, (String, CaseReport)> = BTreeMap::new();
    for (file, shard) in &shards {
        if shard.run.target != target {
            return Err(format!(
                "{file} ran against {}, but {first_file} against {target}; only shards of one run merge",
                shard.run.target
            ));
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
            return Err(format!(
                "{file} and {first_file} applied different known-deviations files"
            ));
        }
        duration_ms = duration_ms.max(shard.run.duration_ms);
        for case in &shard.cases {
            if let Some((other, existing)) = cases.get(&case.id) {
                if existing.status != case.status {
                    return Err(format!(
                        "case {} is in {other} and {file} with different results; were the shards of one run?",
                        case.id
                    ));
                }
                continue;
            }
            cases.insert(case.id.clone(), (file.clone(), case.clone()));
        }
    }
    let mut report = Report::from_cases(
        cases.into_values().map(|(_, c)| c).collect(),
        RunInfo { target, partition: None, duration_ms },
    );
    report.tool = tool;
    if let Some(k) = &known {
        known::apply(&mut report, &KnownFile::from_report(k), &known::today());
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::super::model::{Checks, DeviationReport, Outcome};
    use super::*;
    use crate::plan::Partition;

    fn case(i: usize) -> CaseReport {
        let deviations = (0..i % 3)
            .map(|j| DeviationReport {
                code: "type-mismatch".into(),
                path: format!("/p{j}"),
                expected: "an array".into(),
                actual: "an object".into(),
                known: None,
            })
            .collect::<Vec<_>>();
        CaseReport {
            id: format!("docs::page{}::example{i}", i % 4),
            method: "GET".into(),
            file: format!("c{i}.json"),
            source: None,
            status: if deviations.is_empty() { Outcome::Passed } else { Outcome::Deviated },
            skip_reason: None,
            deviations,
            error: None,
            teardown_errors: Vec::new(),
            diffs: Vec::new(),
            checks: Checks {
                by_type: 2,
                relaxed: vec!["2 values checked by type only".into()],
                ..Checks::default()
            },
            snapshot: None,
            exchanges: Vec::new(),
            duration_ms: 7,
            retries: 0,
            throttled_ms: 0,
        }
    }

    fn run(partition: Option<&Partition>, duration_ms: u64) -> RunInfo {
        RunInfo {
            target: "reference mock".into(),
            partition: partition.map(|p| p.to_string()),
            duration_ms,
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
            let merged = merge(shards).unwrap();
            assert_eq!(merged.run.duration_ms, 30);
            let mut expected = full.clone();
            expected.run.duration_ms = 30;
            assert_eq!(merged, expected, "{kind}");
        }
    }

    #[test]
    fn shards_of_different_runs_do_not_merge() {
        let a = Report::from_cases(vec![case(1)], run(None, 0));
        let mut b = Report::from_cases(vec![case(2)], run(None, 0));
        b.run.target = "http://elsewhere".into();
        let err = merge(vec![("a.json".into(), a.clone()), ("b.json".into(), b)]).unwrap_err();
        assert!(err.contains("b.json ran against http://elsewhere"), "{err}");
        let mut c = Report::from_cases(vec![case(1)], run(None, 0));
        c.cases[0].status = Outcome::Error;
        let err = merge(vec![("a.json".into(), a), ("c.json".into(), c)]).unwrap_err();
        assert!(err.contains("different results"), "{err}");
    }
}
