//! Markdown (`--report-md`): a summary fit for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`. Counts and the gate's verdict first, then the baseline
//! comparison, a table of deviations, errors, notes, collapsed diffs, known deviations and
//! the coverage table.
//!
//! GitHub refuses a comment longer than 65,536 characters, so the summary is written against
//! a budget ([`LIMIT`]): diffs show only their changed hunks with long unchanged values
//! collapsed, and when the next table row or diff would not fit, it and the rest of its
//! section are left out. A note under the counts then says how much was left out and where
//! the whole report is; the JSON report always has everything.
//!
//! Text goes into three contexts, each escaped its own way: table cells (Markdown inline
//! text: pipes, emphasis and HTML), code spans (only pipes, inside tables, and backticks), and
//! the raw HTML of `<details><summary>` lines, where GitHub does not read Markdown at all (a
//! `\_` there would show as a backslash), so only HTML is escaped.

use std::fmt::Write;

use super::gate;
use super::model::{CaseReport, Class, DiffReport, KnownState, Outcome, Report};
use super::phrase;

/// GitHub's limit for a comment, in characters. The budget counts UTF-8 bytes, never fewer
/// than characters or UTF-16 units, so a report within it is within GitHub's count too.
pub const LIMIT: usize = 65_536;
/// Room kept for the note, the closing lines of sections and their "left out" lines.
const RESERVE: usize = 2_048;
/// The longest full-report path the note spells out.
const MAX_PATH: usize = 300;
const MAX_CELL: usize = 120;
/// Lines of one diff, and characters of one diff line, shown.
const MAX_DIFF_LINES: usize = 80;
const MAX_DIFF_LINE: usize = 200;

/// Text safe inside a table cell: no pipes or line breaks, Markdown and HTML-significant
/// characters escaped, cut to a readable length.
fn cell(text: &str) -> String {
    inline(text, MAX_CELL)
}

/// Markdown inline text showing `text` as it is, cut at `max` characters.
fn inline(text: &str, max: usize) -> String {
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i == max {
            out.push('…');
            break;
        }
        match c {
            '|' => out.push_str("\\|"),
            '\n' | '\r' | '\t' => out.push(' '),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '`' | '*' | '_' | '[' | ']' | '\\' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

/// A code span: delimited by more backticks than any run inside it, so its text shows as it
/// is. In a table a pipe still ends the cell unless escaped (GitHub then shows a plain `|`).
fn span(text: &str, in_table: bool) -> String {
    let mut t: String =
        text.chars().map(|c| if matches!(c, '\n' | '\r' | '\t') { ' ' } else { c }).collect();
    if in_table {
        t = t.replace('|', "\\|");
    }
    let ticks = "`".repeat(longest_run(&t, '`') + 1);
    let pad = if t.starts_with('`') || t.ends_with('`') { " " } else { "" };
    format!("{ticks}{pad}{t}{pad}{ticks}")
}

/// A code span in a table cell.
fn code(text: &str) -> String {
    span(text, true)
}

/// Text inside raw HTML (`<summary>`): entities only, and no line break that would end the
/// HTML block.
fn html(text: &str) -> String {
    super::escape::html(text, super::escape::Context::MarkdownLine)
}

/// `text` cut to `max` characters, ending in `…` when it was cut.
fn cut(text: &str, max: usize) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => text.into(),
        Some((at, _)) => format!("{}…", &text[..at]).into(),
    }
}

fn longest_run(text: &str, of: char) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == of { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// A code fence that no line of `text` can close early.
fn fence(text: &str) -> String {
    "`".repeat(longest_run(text, '`').max(2) + 1)
}

fn icon(o: Outcome) -> &'static str {
    match o {
        Outcome::Passed => "✅ passed",
        Outcome::Deviated => "❌ deviated",
        Outcome::Error => "💥 error",
        Outcome::Skipped => "⏭️ skipped",
        Outcome::NotRun => "⏹️ not run",
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", phrase::thousands(n), if n == 1 { one } else { many })
}

/// The document being written and what the budget made it leave out.
struct Page {
    out: String,
    /// Bytes the rest of the budget may use.
    limit: usize,
    /// `(count, singular, plural)` per section that lost items.
    left_out: Vec<(usize, &'static str, &'static str)>,
}

impl Page {
    fn fits(&self, more: usize) -> bool {
        self.out.len() + more <= self.limit
    }

    /// A section of items (table rows, diffs) that appear in order while they fit; `head`
    /// comes before the first item and `tail` after the last, and neither appears when no
    /// item does.
    fn section(
        &mut self,
        head: String,
        items: impl IntoIterator<Item = String>,
        tail: &str,
        noun: (&'static str, &'static str),
    ) {
        self.section_within(LIMIT, head, items, tail, noun);
    }

    /// [`Page::section`] using at most `share` bytes, so that one long table cannot crowd
    /// out everything after it.
    fn section_within(
        &mut self,
        share: usize,
        head: String,
        items: impl IntoIterator<Item = String>,
        tail: &str,
        noun: (&'static str, &'static str),
    ) {
        let start = self.out.len();
        let mut started = false;
        let mut left = 0;
        for item in items {
            let need = item.len() + if started { 0 } else { head.len() };
            let within = self.out.len() + need - start <= share;
            if left > 0 || !within || !self.fits(need) {
                left += 1;
                continue;
            }
            if !started {
                self.out.push_str(&head);
                started = true;
            }
            self.out.push_str(&item);
        }
        if started {
            self.out.push_str(tail);
        }
        if left > 0 {
            let what = plural(left, noun.0, noun.1);
            let _ = writeln!(
                self.out,
                "\n*{what} left out to fit a comment (see the note at the top).*\n"
            );
            self.left_out.push((left, noun.0, noun.1));
        }
    }
}

/// The Markdown summary of `report`, pointing at no other report file.
pub fn render(report: &Report) -> String {
    render_for(report, None)
}

/// The Markdown summary of `report`; `full` names the file with the whole report (the HTML or
/// JSON report written with it), for the note when something is left out.
pub fn render_for(report: &Report, full: Option<&str>) -> String {
    let mut head = String::new();
    header(&mut head, report);
    let full = full.map(|p| cut(p, MAX_PATH).into_owned());
    let reserve = RESERVE + full.as_ref().map_or(0, String::len) + coverage_paragraph(report).len();
    let mut page = Page {
        out: String::new(),
        limit: LIMIT.saturating_sub(head.len() + reserve),
        left_out: Vec::new(),
    };
    baseline(&mut page, report);
    deviations(&mut page, report);
    errors(&mut page, report);
    notes(&mut page, report);
    diffs(&mut page, report);
    known(&mut page, report);
    coverage(&mut page, report);
    // The sections' own "left out" lines and tails may use the reserve.
    let mut out = head;
    if !page.left_out.is_empty() {
        out.push_str(&note(&page.left_out, full.as_deref()));
    }
    out.push_str(&page.out);
    out
}

/// The note under the counts when the budget left something out.
fn note(left_out: &[(usize, &str, &str)], full: Option<&str>) -> String {
    let parts: Vec<String> = left_out.iter().map(|(n, one, many)| plural(*n, one, many)).collect();
    let list = match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    };
    let whole = match full {
        Some(path) => format!("The whole report is in {}.", span(path, false)),
        None => "Write the whole report with `--report-html FILE` or `--report-json FILE`.".into(),
    };
    format!(
        "> **Shortened to fit a comment** ({} characters at most): {list} left out. {whole}\n\n",
        phrase::thousands(LIMIT)
    )
}

fn header(out: &mut String, report: &Report) {
    let s = &report.summary;
    let verdict = gate::verdict(report);
    let _ = writeln!(out, "## exemplar contract report\n");
    let partition = report
        .run
        .partition
        .as_ref()
        .map(|p| format!(" · shard {}", span(p, false)))
        .unwrap_or_default();
    let _ = writeln!(out, "**Target:** {}{partition}\n", cell(&report.run.target));
    let not_run =
        if s.not_run > 0 { format!(" · ⏹️ {} not run", s.not_run) } else { String::new() };
    let _ = writeln!(
        out,
        "**{} cases:** ✅ {} passed · ❌ {} deviated · 💥 {} errors · ⏭️ {} skipped{not_run} — {} deviations ({} known)\n",
        s.total, s.passed, s.deviated, s.errors, s.skipped, s.deviations, s.known_deviations
    );
    let decision = match verdict.exit {
        crate::exit::Exit::Success => "✅ passed".to_string(),
        crate::exit::Exit::Failed => format!("❌ failed: {}", phrase::failed_because(&verdict)),
        _ => format!("💥 failed: {}", phrase::could_not_run(verdict.errors)),
    };
    let _ = writeln!(out, "**Gate:** {decision}\n");
}

fn baseline(page: &mut Page, report: &Report) {
    let Some(b) = &report.baseline else { return };
    let header: Vec<&str> = Class::ALL.iter().map(|c| c.as_str()).collect();
    let counts: Vec<String> = Class::ALL.iter().map(|c| b.counts.get(*c).to_string()).collect();
    let table = format!(
        "### Compared with {}\n\n| {} |\n|{}\n| {} |\n\n",
        span(&b.file, false),
        header.join(" | "),
        " ---: |".repeat(header.len()),
        counts.join(" | ")
    );
    page.section(String::new(), [table], "", ("comparison table", "comparison tables"));
    let rows = b.cases.iter().filter(|c| !matches!(c.class, Class::Unchanged)).map(|c| {
        format!(
            "| {} | {} | {} | {} |\n",
            code(&c.id),
            c.class.as_str(),
            cell(&c.new.join("; ")),
            cell(&c.fixed.join("; "))
        )
    });
    let head =
        "| Case | Change | New deviations | Fixed |\n| --- | --- | --- | --- |\n".to_string();
    page.section_within(LIMIT / 8, head, rows, "\n", ("changed case", "changed cases"));
}

fn deviations(page: &mut Page, report: &Report) {
    let mut rows = Vec::new();
    for c in &report.cases {
        for (i, d) in c.deviations.iter().enumerate() {
            let known = match &d.known {
                Some(k) if !k.expired => format!(" (known until {})", cell(&k.expires)),
                Some(k) => format!(" (known, expired {})", cell(&k.expires)),
                None => String::new(),
            };
            // A case's later rows leave its id and location to the first.
            let (id, at) = if i == 0 {
                (code(&c.id), cell(&c.location()))
            } else {
                (String::new(), String::new())
            };
            rows.push(format!(
                "| {id} | {}{known} | {} | {} | {} | {at} |\n",
                code(&d.code),
                code(&d.path),
                cell(&d.expected_text()),
                cell(&d.actual_text()),
            ));
        }
    }
    let head = "### Deviations\n\n| Case | Code | Path | Expected | Actual | Documented at |\n| --- | --- | --- | --- | --- | --- |\n";
    page.section_within(LIMIT / 2, head.into(), rows, "\n", ("deviation row", "deviation rows"));
}

fn errors(page: &mut Page, report: &Report) {
    let rows = report.cases.iter().filter(|c| c.status == Outcome::Error).map(|c| {
        let (ec, msg) =
            c.error.as_ref().map_or(("", ""), |e| (e.code.as_str(), e.message.as_str()));
        format!("| {} | {} | {} |\n", code(&c.id), code(ec), cell(msg))
    });
    let head = "### Could not run\n\n| Case | Error | Message |\n| --- | --- | --- |\n";
    page.section_within(LIMIT / 10, head.into(), rows, "\n", ("error row", "error rows"));
}

/// What a reader should know about how cases ran (a wait not made, a proxy), a row each.
fn notes(page: &mut Page, report: &Report) {
    let rows = report.cases.iter().flat_map(|c| {
        c.notes.iter().map(|n| format!("| {} | {} |\n", code(&c.id), cell(&phrase::note(n))))
    });
    let head = "### Notes\n\n| Case | Note |\n| --- | --- |\n";
    page.section_within(LIMIT / 20, head.into(), rows, "\n", ("note row", "note rows"));
}

/// A diff as plain unified text for a fenced block: its hunks only, long values collapsed
/// (unchanged ones say so), long lines cut, at most [`MAX_DIFF_LINES`] lines.
fn diff_text(d: &DiffReport) -> (String, usize) {
    let mut out = format!("--- {}\n+++ {}\n", d.old_label, d.new_label);
    let mut shown = 0;
    let mut left = 0;
    for hunk in &d.hunks {
        for (i, line) in std::iter::once(None).chain(hunk.lines.iter().map(Some)).enumerate() {
            if shown >= MAX_DIFF_LINES {
                left += usize::from(i > 0);
                continue;
            }
            shown += 1;
            match line {
                None => out.push_str(&hunk.header),
                Some(l) => {
                    let text = phrase::collapse_line(l);
                    out.push_str(&l.tag);
                    out.push_str(&cut(&text, MAX_DIFF_LINE));
                }
            }
            out.push('\n');
        }
    }
    (out, left)
}

fn diff_block(c: &CaseReport, d: &DiffReport) -> String {
    let (text, left) = diff_text(d);
    let f = fence(&text);
    let more = if left > 0 {
        let lines = if left == 1 { "line" } else { "lines" };
        format!("*{} more {lines} of this diff in the full report.*\n\n", phrase::thousands(left))
    } else {
        String::new()
    };
    format!(
        "<details><summary><code>{}</code> — {}</summary>\n\n{f}diff\n{text}{f}\n\n{more}</details>\n\n",
        html(&c.id),
        html(&d.title)
    )
}

fn diffs(page: &mut Page, report: &Report) {
    let blocks = report.cases.iter().flat_map(|c| c.diffs.iter().map(move |d| diff_block(c, d)));
    page.section("### Diffs\n\n".into(), blocks, "", ("diff", "diffs"));
}

fn known(page: &mut Page, report: &Report) {
    let Some(k) = &report.known else { return };
    let title = format!("### Known deviations ({})\n\n", span(&k.file, false));
    if k.entries.is_empty() {
        page.section(
            title,
            ["No entries.\n\n".to_string()],
            "",
            ("known-deviations table", "known-deviations tables"),
        );
        return;
    }
    let rows = k.entries.iter().map(|e| {
        let state = match e.state {
            KnownState::Expired => "❌ expired",
            KnownState::Unused => "⚠️ unused",
            other => other.as_str(),
        };
        format!(
            "| {} | {} | {} | {state} | {} |\n",
            code(&e.case),
            code(&e.code),
            cell(&e.expires),
            cell(&e.reason)
        )
    });
    let head = format!(
        "{title}| Case | Code | Expires | State | Reason |\n| --- | --- | --- | --- | --- |\n"
    );
    page.section(head, rows, "\n", ("known-deviation entry", "known-deviation entries"));
}

fn coverage_paragraph(report: &Report) -> String {
    format!("### Coverage\n\n{}\n\n", inline(&report.coverage.totals.sentence(), usize::MAX))
}

fn coverage(page: &mut Page, report: &Report) {
    let cov = &report.coverage;
    let t = &cov.totals;
    // Always there: kept out of the budget by the reserve.
    page.out.push_str(&coverage_paragraph(report));
    let rows = cov.operations.iter().flat_map(|op| {
        op.examples.iter().enumerate().map(move |(i, e)| {
            let result = match phrase::reason(e.status, e.skip_reason.as_deref()) {
                Some(r) => format!("{} ({})", icon(e.status), cell(r)),
                None => icon(e.status).to_string(),
            };
            let doc = if i == 0 { code(&op.doc) } else { String::new() };
            format!(
                "| {doc} | {} | {result} | {} | {} | {} |\n",
                cell(&e.example),
                e.checks.by_value,
                e.checks.by_type,
                cell(&phrase::relaxations(&e.checks.relaxed))
            )
        })
    });
    let head = "<details><summary>Per operation and example</summary>\n\n| Operation | Example | Result | By value | By type only | Relaxed |\n| --- | --- | --- | ---: | ---: | --- |\n";
    page.section(head.into(), rows, "\n</details>\n", ("coverage row", "coverage rows"));
    if t.behaviours == 0 {
        return;
    }
    let rows = cov.operations.iter().flat_map(|op| {
        op.behaviours.iter().enumerate().map(move |(i, b)| {
            let result = match phrase::reason(b.status, b.skip_reason.as_deref()) {
                Some(r) => format!("{} ({})", icon(b.status), cell(r)),
                None => icon(b.status).to_string(),
            };
            let example = b.example.rsplit("::").next().unwrap_or(&b.example);
            let doc = if i == 0 { code(&op.doc) } else { String::new() };
            format!("| {doc} | {} | {} | {result} |\n", cell(example), cell(&b.behaviour))
        })
    });
    let head = "\n<details><summary>Behaviours checked per operation</summary>\n\n| Operation | Example | Behaviour | Result |\n| --- | --- | --- | --- |\n";
    page.section(head.into(), rows, "\n</details>\n", ("behaviour row", "behaviour rows"));
}

#[cfg(test)]
mod tests {
    use super::super::sample;
    use super::*;

    /// Cells per table row, counting unescaped pipes.
    fn cells(row: &str) -> usize {
        let mut count = 0;
        let mut escaped = false;
        for c in row.chars() {
            match c {
                '\\' if !escaped => escaped = true,
                '|' if !escaped => count += 1,
                _ => escaped = false,
            }
        }
        count - 1
    }

    /// Every table has a separator line and rows of the header's width.
    fn assert_tables_well_formed(md: &str) -> usize {
        let lines: Vec<&str> = md.lines().collect();
        let (mut i, mut tables) = (0, 0);
        while i < lines.len() {
            if lines[i].starts_with('|') {
                let width = cells(lines[i]);
                assert!(lines[i + 1].starts_with("| ---"), "{}", lines[i + 1]);
                while i < lines.len() && lines[i].starts_with('|') {
                    assert_eq!(cells(lines[i]), width, "{}", lines[i]);
                    i += 1;
                }
                tables += 1;
            }
            i += 1;
        }
        tables
    }

    #[test]
    fn cells_cannot_break_the_table() {
        assert_eq!(cell("a|b\nc <x> `y` _z_"), "a\\|b c &lt;x&gt; \\`y\\` \\_z\\_");
        assert!(cell(&"x".repeat(500)).ends_with('…'));
        assert_eq!(fence("no ticks"), "```");
        assert_eq!(fence("a ```` b"), "`````");
        assert_eq!(cut("ééé", 2), "éé…");
        assert_eq!(cut("ab", 2), "ab");
    }

    #[test]
    fn code_spans_show_their_text_as_it_is() {
        assert_eq!(code("get_keysets"), "`get_keysets`");
        assert_eq!(code("a|b"), "`a\\|b`");
        assert_eq!(span("a|b", false), "`a|b`");
        assert_eq!(code("x `y` z"), "``x `y` z``");
        assert_eq!(code("`edge`"), "`` `edge` ``");
    }

    /// Regression test (issue 15): GitHub reads no Markdown inside `<summary>`, so the old
    /// `get\_keysets` showed its backslash there.
    #[test]
    fn summary_lines_escape_html_and_nothing_else() {
        let mut report = sample::big_report(1);
        report.cases[0].id = "docs::api::get_keysets::a<b>&c".into();
        let md = render(&report);
        let line = md.lines().find(|l| l.starts_with("<details><summary><code>")).unwrap();
        assert_eq!(
            line,
            "<details><summary><code>docs::api::get_keysets::a&lt;b&gt;&amp;c</code> — response body</summary>"
        );
    }

    #[test]
    fn a_small_report_is_whole_with_collapsed_values_and_no_note() {
        let report = sample::big_report(10);
        let md = render(&report);
        assert!(!md.contains("Shortened to fit"), "{md}");
        assert!(!md.contains("left out"), "{md}");
        assert!(md.contains("…(1,204 chars, unchanged)"), "{md}");
        assert!(md.contains("…(342 chars)"), "a changed long value is cut too: {md}");
        assert!(!md.contains(&sample::base64(100, 0)), "no long value is shown whole");
        assert_eq!(md.matches("<details><summary><code>").count(), 7, "{md}");
        assert!(assert_tables_well_formed(&md) >= 4);
    }

    /// The size bound (issue 15): a run of many cases with every deviation code, errors, skips,
    /// diffs, known deviations and a baseline stays within GitHub's limit, keeps the summary
    /// and the first rows, and says what it left out and where the whole report is.
    #[test]
    fn a_huge_run_stays_within_a_comment_and_says_what_it_left_out() {
        let report = sample::big_report(400);
        let codes: std::collections::BTreeSet<&str> = report
            .cases
            .iter()
            .flat_map(|c| c.deviations.iter().map(|d| d.code.as_str()))
            .collect();
        assert_eq!(codes.len(), crate::check::Code::ALL.len(), "the run has every deviation code");
        let md = render_for(&report, Some("out/report.html"));
        let _ = std::fs::write(concat!(env!("CARGO_MANIFEST_DIR"), "/target/tmp/huge.md"), &md);
        assert!(md.len() <= LIMIT, "{} bytes", md.len());
        assert!(md.encode_utf16().count() <= LIMIT);
        assert!(md.len() > LIMIT - 2 * RESERVE, "the budget is used, not wasted: {}", md.len());

        let s = &report.summary;
        let counts = format!(
            "**400 cases:** ✅ {} passed · ❌ {} deviated · 💥 {} errors · ⏭️ {} skipped",
            s.passed, s.deviated, s.errors, s.skipped
        );
        assert!(md.contains(&counts), "{md}");
        let gate = format!("**Gate:** 💥 failed: {}", phrase::could_not_run(40));
        assert!(md.contains(&gate), "{md}");
        let note = md.lines().find(|l| l.starts_with("> **Shortened to fit a comment**")).unwrap();
        assert!(note.ends_with("The whole report is in `out/report.html`."), "{note}");
        assert!(
            md.find(note).unwrap() < md.find("### Compared with").unwrap(),
            "the note is on top"
        );
        assert!(note.contains("coverage rows"), "{note}");

        // The note's count of deviation rows is the number missing from the table.
        let shown = md.lines().filter(|l| l.contains("| `/value/")).count();
        let total = usize::try_from(s.deviations).unwrap();
        assert!(shown > 0 && shown < total, "{shown} of {total}");
        let left = format!("{} deviation rows", phrase::thousands(total - shown));
        assert!(note.contains(&left), "{left}: {note}");
        assert!(md.contains(&format!("*{left} left out to fit a comment")), "{md}");
        assert_tables_well_formed(&md);
        // Nothing is cut half-way: every block that opens closes.
        assert_eq!(md.matches("<details>").count(), md.matches("</details>").count());
        assert_eq!(md.matches("```").count() % 2, 0);
    }

    #[test]
    fn without_another_report_the_note_says_how_to_write_one() {
        let md = render(&sample::big_report(400));
        assert!(md.len() <= LIMIT);
        assert!(md.contains("left out. Write the whole report with `--report-html FILE`"), "{md}");
    }

    #[test]
    fn a_huge_diff_is_cut_to_its_first_lines() {
        let mut report = sample::big_report(1);
        let old: Vec<String> = (0..500).map(|i| format!("line {i}")).collect();
        let new: Vec<String> = (0..500).map(|i| format!("changed {i}")).collect();
        let diff = crate::diff::text_diff(&old.join("\n"), &new.join("\n")).unwrap();
        report.cases[0].diffs = vec![DiffReport::from_diff("body", "a", "b", &diff)];
        let md = render(&report);
        assert!(md.contains("*921 more lines of this diff in the full report.*"), "{md}");
    }
}
