//! Markdown (`--report-md`): a summary fit for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`. Counts and the gate's verdict first, then the baseline
//! comparison, a table of deviations, errors, collapsed diffs, known deviations and the
//! coverage table. Long tables are cut (with a note) so the summary stays within what
//! GitHub accepts for a comment; the JSON report always has everything.

use std::fmt::Write;

use super::gate;
use super::model::{Class, KnownState, Outcome, Report};
use super::phrase;

/// Rows per table and diffs shown before the rest is left to the JSON report.
const MAX_ROWS: usize = 200;
const MAX_DIFFS: usize = 30;
const MAX_CELL: usize = 120;

/// Text safe inside a table cell: no pipes or line breaks, HTML-significant characters
/// escaped, cut to a readable length.
fn cell(text: &str) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == MAX_CELL {
            out.push('…');
            break;
        }
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' => out.push('\''),
            '*' | '_' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// Inline code in a cell.
fn code(text: &str) -> String {
    let t: String = text.chars().map(|c| if c == '`' { '\'' } else { c }).collect();
    format!("`{}`", t.replace('|', "\\|"))
}

fn icon(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "✅ passed",
        Outcome::Deviated => "❌ deviated",
        Outcome::Error => "💥 error",
        Outcome::Skipped => "⏭️ skipped",
    }
}

fn more(out: &mut String, total: usize, shown: usize) {
    if total > shown {
        let _ = writeln!(out, "\n… and {} more in the JSON report.", total - shown);
    }
}

/// A code fence that no line of `text` can close early.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    "`".repeat(longest.max(2) + 1)
}

/// The Markdown summary of `report`.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let verdict = gate::verdict(report);
    let _ = writeln!(out, "## exemplar contract report\n");
    let partition =
        report.run.partition.as_ref().map(|p| format!(" · shard `{p}`")).unwrap_or_default();
    let _ = writeln!(out, "**Target:** {}{partition}\n", cell(&report.run.target));
    let _ = writeln!(
        out,
        "**{} cases:** ✅ {} passed · ❌ {} deviated · 💥 {} errors · ⏭️ {} skipped — {} deviations ({} known)\n",
        s.total, s.passed, s.deviated, s.errors, s.skipped, s.deviations, s.known_deviations
    );
    let decision = match verdict.exit {
        crate::exit::Exit::Success => "✅ passed".to_string(),
        crate::exit::Exit::Failed => {
            format!("❌ failed: {}", phrase::failing_cases(verdict.failing))
        }
        _ => format!("💥 failed: {}", phrase::could_not_run(verdict.errors)),
    };
    let _ = writeln!(out, "**Gate:** {decision}\n");

    if let Some(b) = &report.baseline {
        let _ = writeln!(out, "### Compared with `{}`\n", b.file);
        let header: Vec<&str> = Class::ALL.iter().map(|c| c.as_str()).collect();
        let _ = writeln!(out, "| {} |", header.join(" | "));
        let _ = writeln!(out, "|{}", " ---: |".repeat(header.len()));
        let counts: Vec<String> = Class::ALL.iter().map(|c| b.counts.get(*c).to_string()).collect();
        let _ = writeln!(out, "| {} |\n", counts.join(" | "));
        let changed: Vec<_> =
            b.cases.iter().filter(|c| !matches!(c.class, Class::Unchanged)).collect();
        if !changed.is_empty() {
            let _ = writeln!(out, "| Case | Change | New deviations | Fixed |");
            let _ = writeln!(out, "| --- | --- | --- | --- |");
            for c in changed.iter().take(MAX_ROWS) {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    code(&c.id),
                    c.class.as_str(),
                    cell(&c.new.join("; ")),
                    cell(&c.fixed.join("; "))
                );
            }
            more(&mut out, changed.len(), MAX_ROWS);
            out.push('\n');
        }
    }

    let rows: Vec<_> =
        report.cases.iter().flat_map(|c| c.deviations.iter().map(move |d| (c, d))).collect();
    if !rows.is_empty() {
        let _ = writeln!(out, "### Deviations\n");
        let _ = writeln!(out, "| Case | Code | Path | Expected | Actual | Documented at |");
        let _ = writeln!(out, "| --- | --- | --- | --- | --- | --- |");
        for (c, d) in rows.iter().take(MAX_ROWS) {
            let known = match &d.known {
                Some(k) if !k.expired => format!(" (known until {})", k.expires),
                Some(k) => format!(" (known, expired {})", k.expires),
                None => String::new(),
            };
            let _ = writeln!(
                out,
                "| {} | {}{} | {} | {} | {} | {} |",
                code(&c.id),
                code(&d.code),
                known,
                code(&d.path),
                cell(&d.expected_text()),
                cell(&d.actual_text()),
                cell(&c.location())
            );
        }
        more(&mut out, rows.len(), MAX_ROWS);
        out.push('\n');
    }

    let errors: Vec<_> = report.cases.iter().filter(|c| c.status == Outcome::Error).collect();
    if !errors.is_empty() {
        let _ = writeln!(out, "### Could not run\n");
        let _ = writeln!(out, "| Case | Error | Message |");
        let _ = writeln!(out, "| --- | --- | --- |");
        for c in errors.iter().take(MAX_ROWS) {
            let (ec, msg) =
                c.error.as_ref().map_or(("", ""), |e| (e.code.as_str(), e.message.as_str()));
            let _ = writeln!(out, "| {} | {} | {} |", code(&c.id), code(ec), cell(msg));
        }
        more(&mut out, errors.len(), MAX_ROWS);
        out.push('\n');
    }

    let with_diffs: Vec<_> = report.cases.iter().filter(|c| !c.diffs.is_empty()).collect();
    if !with_diffs.is_empty() {
        let _ = writeln!(out, "### Diffs\n");
        for c in with_diffs.iter().take(MAX_DIFFS) {
            for d in &c.diffs {
                let text = d.to_plain();
                let f = fence(&text);
                let _ = writeln!(
                    out,
                    "<details><summary><code>{}</code> — {}</summary>\n\n{f}diff\n{text}{f}\n\n</details>\n",
                    cell(&c.id),
                    cell(&d.title)
                );
            }
        }
        more(&mut out, with_diffs.len(), MAX_DIFFS);
    }

    if let Some(k) = &report.known {
        let _ = writeln!(out, "### Known deviations (`{}`)\n", k.file);
        if k.entries.is_empty() {
            let _ = writeln!(out, "No entries.\n");
        } else {
            let _ = writeln!(out, "| Case | Code | Expires | State | Reason |");
            let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
            for e in &k.entries {
                let state = match e.state {
                    KnownState::Expired => "❌ expired",
                    KnownState::Unused => "⚠️ unused",
                    other => other.as_str(),
                };
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {state} | {} |",
                    code(&e.case),
                    code(&e.code),
                    e.expires,
                    cell(&e.reason)
                );
            }
            out.push('\n');
        }
    }

    let cov = &report.coverage;
    let t = &cov.totals;
    let _ = writeln!(out, "### Coverage\n");
    let _ = writeln!(out, "{}\n", t.sentence());
    let _ = writeln!(out, "<details><summary>Per operation and example</summary>\n");
    let _ = writeln!(out, "| Operation | Example | Result | By value | By type only | Relaxed |");
    let _ = writeln!(out, "| --- | --- | --- | ---: | ---: | --- |");
    let mut shown = 0;
    for op in &cov.operations {
        for e in &op.examples {
            if shown == MAX_ROWS {
                break;
            }
            shown += 1;
            let result = match &e.skip_reason {
                Some(r) => format!("{} ({})", icon(e.status), cell(r)),
                None => icon(e.status).to_string(),
            };
            let _ = writeln!(
                out,
                "| {} | {} | {result} | {} | {} | {} |",
                cell(&op.doc),
                cell(&e.example),
                e.checks.by_value,
                e.checks.by_type,
                cell(&phrase::relaxations(&e.checks.relaxed))
            );
        }
    }
    more(&mut out, t.examples as usize, shown);
    let _ = writeln!(out, "\n</details>");
    if t.behaviours > 0 {
        let _ = writeln!(out, "\n<details><summary>Behaviours checked per operation</summary>\n");
        let _ = writeln!(out, "| Operation | Example | Behaviour | Result |");
        let _ = writeln!(out, "| --- | --- | --- | --- |");
        let mut shown = 0;
        for op in &cov.operations {
            for b in op.behaviours.iter().take(MAX_ROWS.saturating_sub(shown)) {
                shown += 1;
                let result = match &b.skip_reason {
                    Some(r) => format!("{} ({})", icon(b.status), cell(r)),
                    None => icon(b.status).to_string(),
                };
                let example = b.example.rsplit("::").next().unwrap_or(&b.example);
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {result} |",
                    cell(&op.doc),
                    cell(example),
                    cell(&b.behaviour)
                );
            }
        }
        more(&mut out, t.behaviours as usize, shown);
        let _ = writeln!(out, "\n</details>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc <x> `y`"), "a\\|b c &lt;x&gt; 'y'");
        assert!(cell(&"x".repeat(500)).ends_with('…'));
        assert_eq!(fence("no ticks"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }
}
