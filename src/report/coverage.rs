//! Coverage: the cases regrouped by documented operation (doc page) and example, with what
//! happened to each and which checks were relaxed for it, so a green run says how strict it
//! was — a run whose values were all checked by type only is weaker than one that compared
//! them.

use std::collections::BTreeMap;

use super::model::{
    BehaviourCoverage, CaseReport, Coverage, CoverageTotals, ExampleCoverage, OperationCoverage,
    Outcome,
};

/// Coverage of `cases`: operations sorted by doc, examples by doc line then name.
pub fn coverage(cases: &[CaseReport]) -> Coverage {
    let mut by_doc: BTreeMap<&str, Vec<ExampleCoverage>> = BTreeMap::new();
    let mut behaviours: BTreeMap<&str, Vec<BehaviourCoverage>> = BTreeMap::new();
    let mut totals = CoverageTotals::default();
    for c in cases {
        // A behaviour check (`behaviour::<case id>::<behaviour>`) is listed under the
        // operation of the example it derives from, not as an example of its own.
        if let Some((example, behaviour)) =
            c.id.strip_prefix("behaviour::").and_then(|rest| rest.rsplit_once("::"))
        {
            totals.behaviours += 1;
            totals.behaviours_passed += u32::from(c.status == Outcome::Passed);
            behaviours.entry(c.operation()).or_default().push(BehaviourCoverage {
                behaviour: behaviour.to_string(),
                example: example.to_string(),
                check: c.id.clone(),
                status: c.status,
                skip_reason: c.skip_reason.clone(),
            });
            by_doc.entry(c.operation()).or_default();
            continue;
        }
        let checks = c.checks.clone();
        totals.examples += 1;
        match c.status {
            Outcome::Passed => totals.passed += 1,
            Outcome::Deviated => totals.deviated += 1,
            Outcome::Error => totals.errors += 1,
            Outcome::Skipped => totals.skipped += 1,
            Outcome::NotRun => totals.not_run += 1,
        }
        if c.status.ran() {
            totals.ran += 1;
            totals.by_value += checks.by_value;
            totals.by_type += checks.by_type;
            totals.ignored += checks.ignored;
            totals.truncated += u32::from(checks.truncated);
            totals.relaxed += u32::from(c.status == Outcome::Passed && !checks.relaxed.is_empty());
        }
        by_doc.entry(c.operation()).or_default().push(ExampleCoverage {
            example: c.example().to_string(),
            case: c.id.clone(),
            line: c.source.as_ref().map(|s| s.line),
            status: c.status,
            skip_reason: c.skip_reason.clone(),
            checks,
        });
    }
    totals.operations = super::model::count(by_doc.len());
    let operations = by_doc
        .into_iter()
        .map(|(doc, mut examples)| {
            examples
                .sort_by(|a, b| (a.line, &a.example, &a.case).cmp(&(b.line, &b.example, &b.case)));
            let mut behaviours = behaviours.remove(doc).unwrap_or_default();
            behaviours.sort_by(|a, b| (&a.example, &a.behaviour).cmp(&(&b.example, &b.behaviour)));
            OperationCoverage { doc: doc.to_string(), examples, behaviours }
        })
        .collect();
    Coverage { operations, totals }
}

#[cfg(test)]
mod tests {
    use super::super::model::{Checks, relaxations};
    use super::super::sample;
    use super::*;

    fn case(id: &str, doc: &str, line: u32, status: Outcome, by_type: u32) -> CaseReport {
        CaseReport {
            source: Some(sample::source(doc, id.rsplit("::").next().unwrap(), line)),
            skip_reason: (status == Outcome::Skipped).then(|| "no response".into()),
            checks: Checks {
                by_value: 1,
                by_type,
                relaxed: relaxations(by_type, 0, false),
                ..Checks::default()
            },
            ..sample::bare(id, status)
        }
    }

    #[test]
    fn groups_by_page_and_counts_relaxed_checks() {
        let cases = [
            case("a::x::two", "a/x.md", 20, Outcome::Passed, 3),
            case("a::x::one", "a/x.md", 10, Outcome::Deviated, 0),
            case("b::y::one", "b/y.md", 5, Outcome::Skipped, 0),
        ];
        let cov = coverage(&cases);
        assert_eq!(cov.operations.len(), 2);
        let names: Vec<_> = cov.operations[0].examples.iter().map(|e| e.example.as_str()).collect();
        assert_eq!(names, ["one", "two"]);
        assert_eq!(
            cov.operations[0].examples[1].checks.relaxed,
            [super::super::model::Relaxation::ByType { count: 3 }]
        );
        let t = &cov.totals;
        assert_eq!((t.operations, t.examples, t.ran, t.skipped), (2, 3, 2, 1));
        assert_eq!((t.by_value, t.by_type, t.relaxed), (2, 3, 1));
    }

    #[test]
    fn behaviour_checks_are_listed_under_their_operation_not_as_examples() {
        let cases = [
            case("a::x::one", "a/x.md", 10, Outcome::Passed, 0),
            case("behaviour::a::x::one::no-auth", "a/x.md", 10, Outcome::Deviated, 0),
            case("behaviour::a::x::one::unknown-id", "a/x.md", 10, Outcome::Passed, 0),
        ];
        let cov = coverage(&cases);
        assert_eq!(cov.operations.len(), 1);
        let op = &cov.operations[0];
        assert_eq!(op.examples.len(), 1);
        let names: Vec<_> = op.behaviours.iter().map(|b| b.behaviour.as_str()).collect();
        assert_eq!(names, ["no-auth", "unknown-id"]);
        assert_eq!(op.behaviours[0].example, "a::x::one");
        assert_eq!(op.behaviours[0].status, Outcome::Deviated);
        let t = &cov.totals;
        assert_eq!((t.examples, t.behaviours, t.behaviours_passed), (1, 2, 1));
        assert!(t.sentence().contains("Behaviour: 2 checks, 1 passed."), "{}", t.sentence());
    }
}
