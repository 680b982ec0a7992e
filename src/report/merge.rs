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
