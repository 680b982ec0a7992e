//! The HTML report (`--report-html`): one self-contained file — inline CSS and script, no
//! fonts, images or requests, and a Content-Security-Policy that forbids any — with the
//! counts, an index of the failing cases (jump links), the list of cases with the failing
//! ones first, each collapsed (`<details>`) to its one-line summary, with its deviations and
//! side-by-side diffs inside; the baseline comparison, known deviations and coverage.
//!
//! It reads without the script: cases open and close natively, and the controls that need
//! the script (filter, expand all, collapse all) stay hidden until it runs. Headers and
//! outcome cells never wrap inside a word; long encoded values in diffs are collapsed as on
//! the console; a section with nothing to show is left out.

use std::fmt::Write;

use super::gate;
use super::model::{
    BaselineReport, CaseReport, Class, DiffReport, KnownReport, LineReport, Report, Verdict,
};
use super::phrase;

const STYLE: &str = r#"
:root { --pass: #1a7f37; --fail: #cf222e; --err: #9a6700; --skip: #6e7781; --line: #d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1f2328; background: #fff; }
header { padding: 16px 24px; border-bottom: 1px solid var(--line); background: #f6f8fa; }
h1 { font-size: 20px; margin: 0 0 8px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
main { padding: 0 24px 32px; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12px; }
.counts span { display: inline-block; margin-right: 12px; font-weight: 600; }
.passed { color: var(--pass); } .deviated { color: var(--fail); } .error { color: var(--err); } .skipped { color: var(--skip); } .not-run { color: var(--fail); }
#controls { position: sticky; top: 0; background: #fff; padding: 12px 0; border-bottom: 1px solid var(--line); z-index: 1; }
#filter { width: 360px; max-width: 100%; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; }
#controls label { margin-left: 12px; }
details.case { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.case > summary { cursor: pointer; padding: 6px 10px; list-style-position: inside; }
details.case[open] > summary { border-bottom: 1px solid var(--line); background: #f6f8fa; }
.badge { display: inline-block; min-width: 72px; font-weight: 600; }
.method { display: inline-block; min-width: 56px; color: #57606a; }
.body { padding: 8px 12px; }
.body > div { overflow-wrap: anywhere; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
td { overflow-wrap: break-word; }
th { background: #f6f8fa; white-space: nowrap; }
td.outcome, .nowrap, .badge, .counts span { white-space: nowrap; }
#index table { min-width: 50%; }
#index td.codes code { margin-right: 6px; white-space: nowrap; }
#controls button { margin-left: 12px; padding: 5px 10px; border: 1px solid var(--line); border-radius: 6px; background: #f6f8fa; cursor: pointer; }
details.case:target > summary { outline: 2px solid #0969da; }
table.sbs { width: 100%; table-layout: fixed; }
table.sbs td { white-space: pre-wrap; word-break: break-all; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; padding: 0 6px; border: none; border-right: 1px solid var(--line); }
table.sbs td.del { background: #ffebe9; } table.sbs td.ins { background: #dafbe1; }
table.sbs td.del mark { background: #ff8182; } table.sbs td.ins mark { background: #4ac26b; }
table.sbs th { width: 50%; }
.hidden { display: none; }
"#;

const SCRIPT: &str = r#"
(function () {
  var controls = document.getElementById('controls');
  controls.hidden = false;
  var filter = document.getElementById('filter');
  var boxes = Array.prototype.slice.call(document.querySelectorAll('#controls input[type=checkbox]'));
  var cases = Array.prototype.slice.call(document.querySelectorAll('details.case'));
  var shown = document.getElementById('shown');
  function apply() {
    var text = filter.value.toLowerCase();
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var n = 0;
    cases.forEach(function (c) {
      var visible = on[c.dataset.status] && c.dataset.search.indexOf(text) >= 0;
      c.classList.toggle('hidden', !visible);
      if (visible) { n++; }
    });
    shown.textContent = n + ' of ' + cases.length + ' cases shown';
  }
  filter.addEventListener('input', apply);
  boxes.forEach(function (b) { b.addEventListener('change', apply); });
  function setAll(open) {
    cases.forEach(function (c) { if (!c.classList.contains('hidden')) { c.open = open; } });
  }
  document.getElementById('expand-all').addEventListener('click', function () { setAll(true); });
  document.getElementById('collapse-all').addEventListener('click', function () { setAll(false); });
  // A jump link opens the case it points at.
  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (target && target.tagName === 'DETAILS') { target.open = true; }
  }
  window.addEventListener('hashchange', openTarget);
  openTarget();
  apply();
})();
"#;

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    super::escape::html(text, super::escape::Context::Document)
}

/// A diff line's text with the changed words marked; long encoded values are collapsed (on a
/// changed line the whole collapsed line is marked, as its words no longer line up).
fn segments(line: &LineReport) -> String {
    let text = line.text();
    let short = phrase::collapse_line(line);
    if short != text {
        return if line.tag == " " { esc(&short) } else { format!("<mark>{}</mark>", esc(&short)) };
    }
    let mut out = String::new();
    for s in &line.segments {
        if s.changed {
            let _ = write!(out, "<mark>{}</mark>", esc(&s.text));
        } else {
            out.push_str(&esc(&s.text));
        }
    }
    out
}

/// A unified diff laid out side by side: unchanged lines on both sides, a run of removed
/// lines next to the run of added lines that replaced it.
fn side_by_side(out: &mut String, diff: &DiffReport) {
    let _ = writeln!(
        out,
        "<table class=\"sbs diff\"><thead><tr><th>{}</th><th>{}</th></tr></thead><tbody>",
        esc(&diff.old_label),
        esc(&diff.new_label)
    );
    for hunk in &diff.hunks {
        let _ =
            writeln!(out, "<tr><td colspan=\"2\" class=\"hunk\">{}</td></tr>", esc(&hunk.header));
        let mut i = 0;
        let lines = &hunk.lines;
        while i < lines.len() {
            if lines[i].tag == " " {
                let text = segments(&lines[i]);
                let _ = writeln!(out, "<tr><td>{text}</td><td>{text}</td></tr>");
                i += 1;
                continue;
            }
            let del: Vec<&LineReport> = lines[i..].iter().take_while(|l| l.tag == "-").collect();
            i += del.len();
            let ins: Vec<&LineReport> = lines[i..].iter().take_while(|l| l.tag == "+").collect();
            i += ins.len();
            for row in 0..del.len().max(ins.len()) {
                let left = del.get(row).map_or_else(
                    || "<td></td>".to_string(),
                    |l| format!("<td class=\"del\">{}</td>", segments(l)),
                );
                let right = ins.get(row).map_or_else(
                    || "<td></td>".to_string(),
                    |l| format!("<td class=\"ins\">{}</td>", segments(l)),
                );
                let _ = writeln!(out, "<tr>{left}{right}</tr>");
            }
        }
    }
    let _ = writeln!(out, "</tbody></table>");
}

/// Whether a case counts against the gate (its verdict): it could not run, or its deviations
/// fail the gate (not excused by a known entry, new since the baseline).
fn is_failing(c: &CaseReport) -> bool {
    matches!(c.verdict, Verdict::Failed | Verdict::Error)
}

/// The element id of a case, for jump links: its id with anything but letters, digits and
/// `_.:-` replaced.
fn anchor(c: &CaseReport) -> String {
    let id: String = c
        .id
        .chars()
        .map(|ch| {
            if ch.is_ascii_alphanumeric() || matches!(ch, '_' | '.' | ':' | '-') { ch } else { '-' }
        })
        .collect();
    format!("case-{id}")
}

/// `6 passed, 1 skipped`: the outcomes among `cases` that occur.
fn outcome_counts<'a>(cases: impl Iterator<Item = &'a &'a CaseReport>) -> String {
    let mut counts = std::collections::BTreeMap::new();
    for c in cases {
        *counts.entry(c.status).or_insert(0usize) += 1;
    }
    counts.iter().map(|(o, n)| format!("{n} {}", o.as_str())).collect::<Vec<_>>().join(", ")
}

/// The index: every failing case with a jump link, its outcome and its deviation codes.
fn index(out: &mut String, cases: &[&CaseReport]) {
    let failing: Vec<&&CaseReport> = cases.iter().filter(|c| is_failing(c)).collect();
    let others = cases.len() - failing.len();
    let _ = writeln!(out, "<nav id=\"index\"><h2>Failing cases ({})</h2>", failing.len());
    if failing.is_empty() {
        let _ = writeln!(out, "<p>No case failed.</p>");
    } else {
        let _ = writeln!(
            out,
            "<table><thead><tr><th>outcome</th><th>method</th><th>case</th><th>deviations</th></tr></thead><tbody>"
        );
        for c in &failing {
            let mut codes: Vec<(&str, usize)> = Vec::new();
            for d in c.failing_deviations() {
                match codes.iter_mut().find(|(code, _)| *code == d.code) {
                    Some((_, n)) => *n += 1,
                    None => codes.push((&d.code, 1)),
                }
            }
            let codes: String = match &c.error {
                Some(e) => format!("<code>{}</code>", esc(&e.code)),
                None => codes
                    .iter()
                    .map(|(code, n)| {
                        let times = if *n > 1 { format!(" ×{n}") } else { String::new() };
                        format!("<code>{}{times}</code>", esc(code))
                    })
                    .collect(),
            };
            let status = c.status.as_str();
            let _ = writeln!(
                out,
                "<tr><td class=\"outcome {status}\">{status}</td><td class=\"nowrap\">{}</td><td><a href=\"#{}\"><code>{}</code></a></td><td class=\"codes\">{codes}</td></tr>",
                esc(&c.method),
                esc(&anchor(c)),
                esc(&c.id)
            );
        }
        let _ = writeln!(out, "</tbody></table>");
    }
    if others > 0 {
        let _ = writeln!(
            out,
            "<p>{} ({}) {} the failing ones in the list below.</p>",
            crate::words::count(others, "other case", "other cases"),
            outcome_counts(cases.iter().filter(|c| !is_failing(c))),
            if others == 1 { "follows" } else { "follow" }
        );
    }
    let _ = writeln!(out, "</nav>");
}

fn case_html(out: &mut String, c: &CaseReport) {
    case_summary(out, c);
    case_errors(out, c);
    if !c.deviations.is_empty() {
        deviation_table(out, c);
    }
    for n in &c.notes {
        let _ = writeln!(out, "<div class=\"note\">note: {}</div>", esc(&phrase::note(n)));
    }
    if !c.checks.relaxed.is_empty() {
        let _ = writeln!(
            out,
            "<div>relaxed checks: {}</div>",
            esc(&phrase::relaxations(&c.checks.relaxed))
        );
    }
    for d in &c.diffs {
        let _ = writeln!(out, "<div><strong>{}</strong></div>", esc(&d.title));
        side_by_side(out, d);
    }
    let _ = writeln!(out, "</div></details>");
}

/// A case's `<details>` with its one-line summary, and the opening lines of its body: where
/// it is documented and what was sent.
fn case_summary(out: &mut String, c: &CaseReport) {
    let status = c.status.as_str();
    let search = format!(
        "{} {} {} {}",
        c.id,
        c.method,
        status,
        c.deviations.iter().map(|d| d.code.as_str()).collect::<Vec<_>>().join(" ")
    )
    .to_lowercase();
    let _ = writeln!(
        out,
        "<details class=\"case\" id=\"{}\" data-status=\"{status}\" data-search=\"{}\"><summary><span class=\"badge {status}\">{status}</span> <span class=\"method\">{}</span> <code>{}</code></summary><div class=\"body\">",
        esc(&anchor(c)),
        esc(&search),
        esc(&c.method),
        esc(&c.id)
    );
    let _ = writeln!(
        out,
        "<div>documented at <code>{}</code> · case <code>{}</code> · {} ms</div>",
        esc(&c.location()),
        esc(&c.file),
        c.duration_ms
    );
    if let Some(main) = c.main_exchange() {
        let status = main.response.as_ref().map_or("no response".into(), |r| r.status.to_string());
        let _ = writeln!(
            out,
            "<div>sent <code>{} {}</code> → {status} ({} ms, {} retries, {} ms throttled)</div>",
            esc(&main.request.method),
            esc(&main.request.url),
            main.elapsed_ms,
            main.retries,
            main.throttled_ms
        );
    }
}

/// Why a case was skipped or not run, why it could not run, and what its teardown could not
/// do.
fn case_errors(out: &mut String, c: &CaseReport) {
    match phrase::reason(c.status, c.skip_reason.as_deref()) {
        // The reason of a case not run starts with "not run:".
        Some(r) if c.status == super::model::Outcome::NotRun => {
            let _ = writeln!(out, "<div class=\"not-run\">{}</div>", esc(r));
        }
        Some(r) => {
            let _ = writeln!(out, "<div class=\"skipped\">skipped: {}</div>", esc(r));
        }
        None => {}
    }
    for e in c.error.iter().chain(&c.teardown_errors) {
        let _ = writeln!(
            out,
            "<div class=\"error\">{}</div>",
            esc(&phrase::error(e, phrase::Style::PLAIN))
        );
    }
}

/// A case's deviations, one row each, with the known-deviations entry that excuses it.
fn deviation_table(out: &mut String, c: &CaseReport) {
    let _ = writeln!(
        out,
        "<table class=\"deviations\"><thead><tr><th>code</th><th>path</th><th>expected</th><th>actual</th><th>known</th></tr></thead><tbody>"
    );
    for d in &c.deviations {
        let known = match &d.known {
            Some(k) if k.expired => format!("expired {}", esc(&k.expires)),
            Some(k) => format!("until {}: {}", esc(&k.expires), esc(&k.reason)),
            None => String::new(),
        };
        let _ = writeln!(
            out,
            "<tr><td class=\"nowrap\"><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{known}</td></tr>",
            esc(&d.code),
            esc(&d.path),
            esc(&d.expected_text()),
            esc(&d.actual_text())
        );
    }
    let _ = writeln!(out, "</tbody></table>");
}

/// The HTML document of `report`.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(4096 + report.cases.len() * 1024);
    let s = &report.summary;
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>exemplar report: {} cases, {} deviated</title><style>{STYLE}</style></head><body>",
        s.total, s.deviated
    );
    header(&mut out, report);
    // Failing cases first (in id order), then the others.
    let mut ordered: Vec<&CaseReport> = report.cases.iter().collect();
    ordered.sort_by_key(|c| !is_failing(c));
    index(&mut out, &ordered);
    if let Some(b) = &report.baseline {
        baseline(&mut out, b);
    }
    let _ = writeln!(out, "{CONTROLS}<section id=\"cases\">");
    for c in &ordered {
        case_html(&mut out, c);
    }
    let _ = writeln!(out, "</section>");
    if let Some(k) = report.known.as_ref().filter(|k| !k.entries.is_empty()) {
        known(&mut out, k);
    }
    coverage(&mut out, report);
    if report.coverage.totals.behaviours > 0 {
        behaviours(&mut out, report);
    }
    let _ = writeln!(out, "</main><script>{SCRIPT}</script></body></html>");
    out
}

/// The page's header: the target, the counts and the gate's decision; it opens `<main>`.
fn header(out: &mut String, report: &Report) {
    let s = &report.summary;
    let verdict = gate::verdict(report);
    let gate_text = match verdict.exit {
        crate::exit::Exit::Success => "<span class=\"passed\">gate passed</span>".to_string(),
        crate::exit::Exit::Failed => {
            format!("<span class=\"deviated\">{}</span>", esc(&phrase::decision(&verdict)))
        }
        _ => format!("<span class=\"error\">{}</span>", esc(&phrase::decision(&verdict))),
    };
    let partition =
        report.run.partition.as_ref().map(|p| format!(" · shard {}", esc(p))).unwrap_or_default();
    let _ = writeln!(
        out,
        "<header><h1>exemplar contract report</h1><div>target: <code>{}</code>{partition} · exemplar {} · {} ms</div>\
         <div class=\"counts\" id=\"counts\"><span>{} cases</span><span class=\"passed\">{} passed</span><span class=\"deviated\">{} deviated</span><span class=\"error\">{} errors</span><span class=\"skipped\">{} skipped</span>{}<span>{} deviations ({} known)</span></div><div>{gate_text}</div></header><main>",
        esc(&report.run.target),
        esc(&report.tool.version),
        report.run.duration_ms,
        s.total,
        s.passed,
        s.deviated,
        s.errors,
        s.skipped,
        if s.not_run > 0 {
            format!("<span class=\"not-run\">{} not run</span>", s.not_run)
        } else {
            String::new()
        },
        s.deviations,
        s.known_deviations
    );
}

/// The comparison with the baseline: the counts per class, then the cases that changed.
fn baseline(out: &mut String, b: &BaselineReport) {
    let _ = writeln!(
        out,
        "<h2>Compared with <code>{}</code></h2><table id=\"baseline\"><thead><tr>",
        esc(&b.file)
    );
    for c in Class::ALL {
        let _ = write!(out, "<th>{}</th>", c.as_str());
    }
    let _ = write!(out, "</tr></thead><tbody><tr>");
    for c in Class::ALL {
        let _ = write!(out, "<td>{}</td>", b.counts.get(*c));
    }
    let _ = writeln!(out, "</tr></tbody></table>");
    let changed: Vec<_> = b.cases.iter().filter(|c| c.class != Class::Unchanged).collect();
    if changed.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<table><thead><tr><th>case</th><th>change</th><th>new</th><th>fixed</th></tr></thead><tbody>"
    );
    for c in changed {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&c.id),
            c.class.as_str(),
            esc(&c.new.join("; ")),
            esc(&c.fixed.join("; "))
        );
    }
    let _ = writeln!(out, "</tbody></table>");
}

/// The heading of the case list and its controls, hidden until the script shows them.
const CONTROLS: &str = "<h2>Cases</h2><div id=\"controls\" hidden><input id=\"filter\" type=\"search\" placeholder=\"filter by id, method or code\" aria-label=\"filter cases\">\
     <label><input type=\"checkbox\" value=\"passed\" checked> passed</label>\
     <label><input type=\"checkbox\" value=\"deviated\" checked> deviated</label>\
     <label><input type=\"checkbox\" value=\"error\" checked> error</label>\
     <label><input type=\"checkbox\" value=\"skipped\" checked> skipped</label>\
     <label><input type=\"checkbox\" value=\"not-run\" checked> not run</label>\
     <button type=\"button\" id=\"expand-all\">Expand all</button><button type=\"button\" id=\"collapse-all\">Collapse all</button>\
     <span id=\"shown\" style=\"margin-left:12px\"></span></div>";

/// The known-deviations entries with their states.
fn known(out: &mut String, k: &KnownReport) {
    let _ = writeln!(
        out,
        "<h2>Known deviations (<code>{}</code>)</h2><table id=\"known\"><thead><tr><th>case</th><th>code</th><th>path</th><th>expires</th><th>state</th><th>reason</th><th>line</th></tr></thead><tbody>",
        esc(&k.file)
    );
    for e in &k.entries {
        let _ = writeln!(
            out,
            "<tr><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&e.case),
            esc(&e.code),
            esc(e.path.as_deref().unwrap_or("")),
            esc(&e.expires),
            e.state.as_str(),
            esc(&e.reason),
            e.line
        );
    }
    let _ = writeln!(out, "</tbody></table>");
}

/// The coverage sentence and the table of every documented example.
fn coverage(out: &mut String, report: &Report) {
    let _ = writeln!(out, "<h2>Coverage</h2><p>{}</p>", report.coverage.totals.sentence());
    let _ = writeln!(
        out,
        "<table id=\"coverage\"><thead><tr><th>operation</th><th>example</th><th>result</th><th>by value</th><th>by type only</th><th>relaxed</th></tr></thead><tbody>"
    );
    for op in &report.coverage.operations {
        for e in &op.examples {
            // The outcome never wraps; a skip reason after it may.
            let status = e.status.as_str();
            let (class, result) = match phrase::reason(e.status, e.skip_reason.as_deref()) {
                Some(r) => (
                    status.to_string(),
                    format!("<span class=\"nowrap\">{status}</span> ({})", esc(r)),
                ),
                None => (format!("outcome {status}"), status.to_string()),
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"{class}\">{result}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&op.doc),
                esc(&e.example),
                e.checks.by_value,
                e.checks.by_type,
                esc(&phrase::relaxations(&e.checks.relaxed))
            );
        }
    }
    let _ = writeln!(out, "</tbody></table>");
}

/// The behaviour checks per operation and example.
fn behaviours(out: &mut String, report: &Report) {
    let _ = writeln!(
        out,
        "<h3>Behaviours checked</h3><table id=\"behaviours\"><thead><tr><th>operation</th><th>example</th><th>behaviour</th><th>result</th></tr></thead><tbody>"
    );
    for op in &report.coverage.operations {
        for b in &op.behaviours {
            let example = b.example.rsplit("::").next().unwrap_or(&b.example);
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"outcome {}\">{}</td></tr>",
                esc(&op.doc),
                esc(example),
                esc(&b.behaviour),
                b.status.as_str(),
                b.status.as_str()
            );
        }
    }
    let _ = writeln!(out, "</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::super::model::Outcome;
    use super::super::sample;
    use super::*;

    #[test]
    fn failing_cases_come_first_collapsed_and_indexed() {
        let report = sample::big_report(20);
        let html = render(&report);
        let failing: Vec<&CaseReport> = report.cases.iter().filter(|c| is_failing(c)).collect();
        assert!(failing.len() > 5 && failing.len() < report.cases.len());
        let nav = &html[html.find("<nav id=\"index\">").unwrap()..html.find("</nav>").unwrap()];
        assert!(nav.contains(&format!("<h2>Failing cases ({})</h2>", failing.len())), "{nav}");
        assert_eq!(nav.matches("<a href=\"#case-").count(), failing.len());
        // The list: failing cases first, each the target of its link, none open.
        let opened: Vec<&str> =
            html.match_indices("<details class=\"case\"").map(|(i, _)| &html[i..]).collect();
        assert_eq!(opened.len(), report.cases.len());
        for (tag, c) in opened.iter().zip(&failing) {
            assert!(
                tag.starts_with(&format!("<details class=\"case\" id=\"{}\"", anchor(c))),
                "{}",
                &tag[..200]
            );
            assert!(nav.contains(&format!("href=\"#{}\"", anchor(c))));
        }
        for tag in &opened {
            let head = &tag[..tag.find('>').unwrap()];
            assert!(!head.contains(" open"), "{head}");
        }
        assert!(html.contains("<div id=\"controls\" hidden>"), "the script shows the controls");
        assert!(html.contains("…(1,204 chars, unchanged)"), "long values collapsed");
        assert!(!html.contains(&sample::base64(100, 0)));
    }

    #[test]
    fn empty_sections_are_left_out() {
        let mut report = sample::big_report(3);
        report.known.as_mut().unwrap().entries.clear();
        for c in &mut report.baseline.as_mut().unwrap().cases {
            c.class = Class::Unchanged;
        }
        report.cases.retain(|c| c.status == Outcome::Passed || c.deviations.is_empty());
        let html = render(&report);
        assert!(!html.contains("Known deviations"), "{html}");
        assert!(!html.contains("<th>change</th>"), "{html}");
        assert!(html.contains("<p>No case failed.</p>"), "{html}");
        assert!(!html.contains("Behaviours checked"), "{html}");
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
