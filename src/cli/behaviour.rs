//! `exemplar behaviour`: lists the behaviour checks generated from the cases directory, and
//! the behaviours the docs could not support, without running anything.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::behaviour::{self, Body};

use super::Exit;

#[derive(Debug, Args)]
pub struct BehaviourArgs {
    /// The cases directory.
    #[arg(long, value_name = "DIR", default_value = "cases")]
    pub cases: PathBuf,
    /// Print the resource model, the checks and what was not derived as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: BehaviourArgs) -> Exit {
    let mut err = std::io::stderr().lock();
    let plan = crate::plan::plan_dir(&args.cases, None);
    if !plan.errors.is_empty() {
        for e in &plan.errors {
            let _ = write!(err, "{}", super::snippet::shown(e, e.located()));
        }
        return Exit::Usage;
    }
    let generated =
        match behaviour::load(&args.cases, plan.cases.iter().map(|p| &p.case), &plan.types) {
            Ok(g) => g,
            Err(errors) => {
                for e in &errors {
                    let _ = write!(err, "{}", super::snippet::shown(e, e.located()));
                }
                return Exit::Usage;
            }
        };
    let mut out = std::io::stdout().lock();
    if args.json {
        let text = serde_json::to_string_pretty(&generated).unwrap_or_default();
        let _ = writeln!(out, "{text}");
        return Exit::Success;
    }
    for check in &generated.checks {
        let steps: Vec<String> = check
            .steps
            .iter()
            .map(|s| {
                let body = match &s.body {
                    Body::None | Body::Documented => String::new(),
                    Body::Altered { pointer, value } => format!(" with {pointer} = {value}"),
                    Body::Raw { text } => format!(" with body `{text}`"),
                };
                let auth = if s.auth { "" } else { " without credentials" };
                format!("{} {}{body}{auth}", s.name, s.method)
            })
            .collect();
        let off = check.off.as_ref().map(|r| format!(" (off: {r})")).unwrap_or_default();
        let _ = writeln!(out, "{}: {}{off}", check.id, steps.join(" → "));
    }
    let _ = writeln!(out, "\n{} behaviour checks", generated.checks.len());
    if !generated.unsupported.is_empty() {
        let _ = writeln!(out, "\nnot derived ({}):", generated.unsupported.len());
        for u in &generated.unsupported {
            let _ = writeln!(out, "  {} {}: {}", u.operation, u.behaviour, u.reason);
        }
    }
    for u in &generated.model.unplaced {
        let _ = writeln!(out, "  {} (not in the resource model): {}", u.case, u.reason);
    }
    Exit::Success
}
