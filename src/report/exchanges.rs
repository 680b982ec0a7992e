//! The requests and responses of a case as `run -v` shows them, in Hurl's `--verbose`
//! manner: `>` lines for what was sent, `<` lines for what came back, `*` lines for what
//! exemplar has to say about an exchange (its role, time, retries, a note on it). Everything rendered here
//! was redacted before the result was built; nothing is redacted again or left out, except
//! that a body too long for a terminal is cut, and then ends with `…`.

use std::fmt::Write;

use serde_json::Value;

use super::model::{ExchangeReport, HeaderReport, Note};
use crate::words::plural;

/// The most characters of one body shown; the rest is cut and the cut marked with `…`.
pub const MAX_BODY_CHARS: usize = 16 * 1024;

/// The exchanges of one case, each opened by a `*` line; the case's notes on an exchange
/// (a `Retry-After` not waited for) follow its response.
pub fn render(exchanges: &[ExchangeReport], notes: &[Note]) -> String {
    let mut out = String::new();
    let n = exchanges.len();
    for (i, e) in exchanges.iter().enumerate() {
        let _ = writeln!(out, "* exchange {} of {n}: {} ({} ms)", i + 1, e.role, e.elapsed_ms);
        if e.retries > 0 {
            let _ = writeln!(
                out,
                "* retried {} after 429/503, {} ms waited as Retry-After asked",
                plural(e.retries, "time", "times"),
                e.throttled_ms
            );
        }
        let _ = writeln!(out, "> {} {}", e.request.method, e.request.url);
        headers(&mut out, '>', &e.request.headers);
        if let Some(body) = &e.request.body {
            let _ = writeln!(out, ">");
            let text = match body {
                Value::String(s) => s.clone(),
                other => serde_json::to_string_pretty(other).unwrap_or_default(),
            };
            lines(&mut out, '>', &text);
        }
        match &e.response {
            None => {
                let _ = writeln!(out, "* no response");
            }
            Some(r) => {
                let _ = writeln!(out, "< {}", r.status);
                headers(&mut out, '<', &r.headers);
                let text = match (&r.body, &r.body_text) {
                    (Some(v), _) => Some(serde_json::to_string_pretty(v).unwrap_or_default()),
                    (None, Some(t)) => Some(t.clone()),
                    (None, None) => None,
                };
                if let Some(text) = text {
                    let _ = writeln!(out, "<");
                    lines(&mut out, '<', &text);
                }
            }
        }
        for note in notes.iter().filter(|n| on_exchange(n, i)) {
            let _ = writeln!(out, "* {}", super::phrase::note(note));
        }
    }
    out
}

/// Whether `note` is about the exchange at `index`.
fn on_exchange(note: &Note, index: usize) -> bool {
    match note {
        Note::RetryAfterNotWaited { exchange, .. } => {
            usize::try_from(*exchange).is_ok_and(|e| e == index)
        }
        Note::Proxy { .. } => false,
    }
}

fn headers(out: &mut String, mark: char, list: &[HeaderReport]) {
    for h in list {
        let _ = writeln!(out, "{mark} {}: {}", h.name, h.value);
    }
}

fn lines(out: &mut String, mark: char, text: &str) {
    for line in cut(text, MAX_BODY_CHARS).lines() {
        let _ = writeln!(out, "{mark} {line}");
    }
}

/// `text` with at most `max` characters; a cut one ends with `…`.
pub fn cut(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        None => text.to_string(),
        Some((at, _)) => format!("{}…", &text[..at]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::model::{RequestReport, ResponseReport};

    fn exchange(status: u16, headers: &[(&str, &str)], body: Option<Value>) -> ExchangeReport {
        ExchangeReport {
            role: "main".into(),
            request: RequestReport {
                method: "POST".into(),
                url: "http://127.0.0.1:1/beta/x".into(),
                headers: vec![HeaderReport {
                    name: "Authorization".into(),
                    value: "Bearer".into(),
                }],
                body: Some(serde_json::json!({"id": "a"})),
            },
            response: Some(ResponseReport {
                status,
                headers: headers
                    .iter()
                    .map(|(n, v)| HeaderReport { name: (*n).into(), value: (*v).into() })
                    .collect(),
                body,
                body_text: None,
                size: 0,
            }),
            elapsed_ms: 4,
            retries: 0,
            throttled_ms: 0,
        }
    }

    #[test]
    fn an_exchange_shows_what_was_sent_and_received() {
        let text = render(
            &[exchange(
                201,
                &[("content-type", "application/json")],
                Some(serde_json::json!({"id": "a"})),
            )],
            &[],
        );
        assert_eq!(
            text,
            "* exchange 1 of 1: main (4 ms)\n\
             > POST http://127.0.0.1:1/beta/x\n\
             > Authorization: Bearer\n\
             >\n\
             > {\n\
             >   \"id\": \"a\"\n\
             > }\n\
             < 201\n\
             < content-type: application/json\n\
             <\n\
             < {\n\
             <   \"id\": \"a\"\n\
             < }\n"
        );
    }

    #[test]
    fn a_cut_body_ends_with_an_ellipsis() {
        assert_eq!(cut("abcdef", 3), "abc…");
        assert_eq!(cut("abc", 3), "abc");
        assert_eq!(cut("äöü", 2), "äö…");
    }

    /// A note on an exchange follows that exchange's response, and only that one's.
    #[test]
    fn a_retry_after_too_long_to_honour_says_it_was_not_waited_for_under_its_exchange() {
        let first = exchange(201, &[], None);
        let second = exchange(429, &[("Retry-After", "3600")], None);
        let note =
            Note::RetryAfterNotWaited { exchange: 1, asked_ms: 3_600_000, max_wait_ms: 60_000 };
        let text = render(&[first, second], &[note, Note::Proxy { proxy: "http://p:1".into() }]);
        let line = "* Retry-After asked for 3600 s, longer than the 60 s exemplar waits, so it was not waited for\n";
        assert_eq!(text.matches(line).count(), 1, "{text}");
        assert!(text.ends_with(&format!("< Retry-After: 3600\n{line}")), "{text}");
        assert!(!text.contains("proxy"), "a note on the case is not an exchange's: {text}");
    }
}
