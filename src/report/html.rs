//! The HTML report (`--report-html`): one self-contained file — inline CSS and script, no
//! fonts, images or requests, and a Content-Security-Policy that forbids any — with the
//! counts, a filterable list of cases (by text and by outcome), each case's deviations and
//! side-by-side diffs, the baseline comparison, known deviations and coverage.

use std::fmt::Write;

use super::gate;
use super::model::{CaseReport, DiffReport, LineReport, Outcome, Report};
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
.passed { color: var(--pass); } .deviated { color: var(--fail); } .error { color: var(--err); } .skipped { color: var(--skip); }
#controls { position: sticky; top: 0; background: #fff; padding: 12px 0; border-bottom: 1px solid var(--line); z-index: 1; }
#filter { width: 360px; max-width: 100%; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; }
#controls label { margin-left: 12px; }
details.case { border: 1px solid var(--line); border-radius: 6px; margin: 6px 0; }
details.case > summary { cursor: pointer; padding: 6px 10px; list-style-position: inside; }
details.case[open] > summary { border-bottom: 1px solid var(--line); background: #f6f8fa; }
.badge { display: inline-block; min-width: 72px; font-weight: 600; }
.method { display: inline-block; min-width: 56px; color: #57606a; }
.body { padding: 8px 12px; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
th { background: #f6f8fa; }
table.sbs { width: 100%; table-layout: fixed; }
table.sbs td { white-space: pre-wrap; word-break: break-all; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; padding: 0 6px; border: none; border-right: 1px solid var(--line); }
table.sbs td.del { background: #ffebe9; } table.sbs td.ins { background: #dafbe1; }
table.sbs td.del mark { background: #ff8182; } table.sbs td.ins mark { background: #4ac26b; }
table.sbs th { width: 50%; }
.hidden { display: none; }
"#;

const SCRIPT: &str = r#"
(function () {
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
  apply();
})();
"#;

/// Escapes text for HTML content and attribute values.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn segments(line: &LineReport) -> String {
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

fn case_html(out: &mut String, c: &CaseReport) {
    let status = c.status.as_str();
    let open = if c.failing_deviations().next().is_some() || c.status == Outcome::Error {
        " open"
    } else {
        ""
    };
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
        "<details class=\"case\" data-status=\"{status}\" data-search=\"{}\"{open}><summary><span class=\"badge {status}\">{status}</span> <span class=\"method\">{}</span> <code>{}</code></summary><div class=\"body\">",
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
    if let Some(r) = &c.skip_reason {
        let _ = writeln!(out, "<div class=\"skipped\">skipped: {}</div>", esc(r));
    }
    if let Some(e) = &c.error {
        let _ = writeln!(
            out,
            "<div class=\"error\">{}</div>",
            esc(&phrase::error(e, phrase::Style::PLAIN))
        );
    }
    for e in &c.teardown_errors {
        let _ = writeln!(
            out,
            "<div class=\"error\">{}</div>",
            esc(&phrase::error(e, phrase::Style::PLAIN))
        );
    }
    if !c.deviations.is_empty() {
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
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td><td>{known}</td></tr>",
                esc(&d.code),
                esc(&d.path),
                esc(&d.expected_text()),
                esc(&d.actual_text())
            );
        }
        let _ = writeln!(out, "</tbody></table>");
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

/// The HTML document of `report`.
pub fn render(report: &Report) -> String {
    let mut out = String::with_capacity(4096 + report.cases.len() * 1024);
    let s = &report.summary;
    let verdict = gate::verdict(report);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>exemplar report: {} cases, {} deviated</title><style>{STYLE}</style></head><body>",
        s.total, s.deviated
    );
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
         <div class=\"counts\" id=\"counts\"><span>{} cases</span><span class=\"passed\">{} passed</span><span class=\"deviated\">{} deviated</span><span class=\"error\">{} errors</span><span class=\"skipped\">{} skipped</span><span>{} deviations ({} known)</span></div><div>{gate_text}</div></header><main>",
        esc(&report.run.target),
        esc(&report.tool.version),
        report.run.duration_ms,
        s.total,
        s.passed,
        s.deviated,
        s.errors,
        s.skipped,
        s.deviations,
        s.known_deviations
    );

    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "<h2>Compared with <code>{}</code></h2><table id=\"baseline\"><thead><tr>",
            esc(&b.file)
        );
        for c in super::model::Class::ALL {
            let _ = write!(out, "<th>{}</th>", c.as_str());
        }
        let _ = write!(out, "</tr></thead><tbody><tr>");
        for c in super::model::Class::ALL {
            let _ = write!(out, "<td>{}</td>", b.counts.get(*c));
        }
        let _ = writeln!(out, "</tr></tbody></table>");
        let _ = writeln!(
            out,
            "<table><thead><tr><th>case</th><th>change</th><th>new</th><th>fixed</th></tr></thead><tbody>"
        );
        for c in b.cases.iter().filter(|c| c.class != super::model::Class::Unchanged) {
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

    let _ = writeln!(
        out,
        "<h2>Cases</h2><div id=\"controls\"><input id=\"filter\" type=\"search\" placeholder=\"filter by id, method or code\" aria-label=\"filter cases\">\
         <label><input type=\"checkbox\" value=\"passed\" checked> passed</label>\
         <label><input type=\"checkbox\" value=\"deviated\" checked> deviated</label>\
         <label><input type=\"checkbox\" value=\"error\" checked> error</label>\
         <label><input type=\"checkbox\" value=\"skipped\" checked> skipped</label>\
         <span id=\"shown\" style=\"margin-left:12px\"></span></div><section id=\"cases\">"
    );
    for c in &report.cases {
        case_html(&mut out, c);
    }
    let _ = writeln!(out, "</section>");

    if let Some(k) = &report.known {
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

    let _ = writeln!(out, "<h2>Coverage</h2><p>{}</p>", report.coverage.totals.sentence());
    let _ = writeln!(
        out,
        "<table id=\"coverage\"><thead><tr><th>operation</th><th>example</th><th>result</th><th>by value</th><th>by type only</th><th>relaxed</th></tr></thead><tbody>"
    );
    for op in &report.coverage.operations {
        for e in &op.examples {
            let result = match &e.skip_reason {
                Some(r) => format!("{} ({})", e.status.as_str(), esc(r)),
                None => e.status.as_str().to_string(),
            };
            let _ = writeln!(
                out,
                "<tr><td><code>{}</code></td><td>{}</td><td class=\"{}\">{result}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(&op.doc),
                esc(&e.example),
                e.status.as_str(),
                e.checks.by_value,
                e.checks.by_type,
                esc(&phrase::relaxations(&e.checks.relaxed))
            );
        }
    }
    let _ = writeln!(out, "</tbody></table>");
    if report.coverage.totals.behaviours > 0 {
        let _ = writeln!(
            out,
            "<h3>Behaviours checked</h3><table id=\"behaviours\"><thead><tr><th>operation</th><th>example</th><th>behaviour</th><th>result</th></tr></thead><tbody>"
        );
        for op in &report.coverage.operations {
            for b in &op.behaviours {
                let example = b.example.rsplit("::").next().unwrap_or(&b.example);
                let _ = writeln!(
                    out,
                    "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>",
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
    let _ = writeln!(out, "</main><script>{SCRIPT}</script></body></html>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
