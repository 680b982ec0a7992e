//! The rendered web page form of a doc: the text a browser shows, copied out. There are no
//! annotations and no fences, only section titles on lines of their own ("HTTP request",
//! "Request", "Response") and the messages themselves. This reader finds the syntax lines
//! under "HTTP request" and the request/response messages under the examples.

use super::http::{is_status_line, request_line};
use super::markdown::Line;
use super::page::{Message, MessageKind};

/// Whether `lines` look like a rendered page: a "HTTP request" section and at least one
/// request with an absolute URL.
pub fn looks_rendered(lines: &[Line<'_>]) -> bool {
    let has_section = lines.iter().any(|l| is_title(l.text, "HTTP request"));
    has_section && lines.iter().any(|l| is_example_request(l.text))
}

fn is_title(text: &str, title: &str) -> bool {
    text.trim().eq_ignore_ascii_case(title)
}

fn is_example_request(text: &str) -> bool {
    request_line(text).is_some_and(|(_, target)| target.starts_with("http"))
}

/// A line that ends the message before it: a section title of the rendered page.
fn ends_message(text: &str) -> bool {
    let t = text.trim();
    ["Request", "Response", "Related content", "See also", "Examples"]
        .iter()
        .any(|s| t.eq_ignore_ascii_case(s))
        || (t.starts_with("Example ") && t.len() < 100 && !t.contains('{'))
        || is_example_request(t)
        || is_status_line(t)
}

/// Syntax templates (`METHOD /path`) and example messages of a rendered page.
pub fn read<'a>(lines: &[Line<'a>]) -> (Vec<(String, String)>, Vec<Message<'a>>) {
    let mut templates = Vec::new();
    // The lines of the "HTTP request" section: the URL syntax, even with absolute URLs, and
    // never an example.
    let mut syntax = 0..0;
    if let Some(start) = lines.iter().position(|l| is_title(l.text, "HTTP request")) {
        let mut end = start + 1;
        for line in &lines[start + 1..] {
            match request_line(line.text) {
                Some((method, target)) => {
                    templates.push((method.to_ascii_uppercase(), target.to_string()));
                }
                None if !line.text.trim().is_empty() => break,
                None => {}
            }
            end += 1;
        }
        syntax = start..end;
    }

    let mut messages = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if syntax.contains(&i) {
            i = syntax.end;
            continue;
        }
        let text = lines[i].text;
        let kind = if is_example_request(text) {
            MessageKind::Request
        } else if is_status_line(text) {
            MessageKind::Response
        } else {
            i += 1;
            continue;
        };
        let end = lines[i + 1..]
            .iter()
            .position(|l| ends_message(l.text))
            .map_or(lines.len(), |p| i + 1 + p);
        messages.push(Message { kind, annotation: None, lines: lines[i..end].to_vec() });
        i = end;
    }
    (templates, messages)
}

#[cfg(test)]
mod tests {
    use super::super::markdown::lines;
    use super::*;

    const PAGE: &str = "Update thing\nHTTP request\nPATCH /things/{id}\nRequest headers\nExamples\nRequest\nThe following example shows a request.\nPATCH https://graph.microsoft.com/beta/things/abc\nContent-Type: application/json\n{\n\"status\": \"on\"\n}\nResponse\nThe following example shows the response.\nHTTP/1.1 204 No Content";

    #[test]
    fn reads_templates_and_messages() {
        let lines = lines(PAGE);
        assert!(looks_rendered(&lines));
        let (templates, messages) = read(&lines);
        assert_eq!(templates, [("PATCH".to_string(), "/things/{id}".to_string())]);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0].kind, MessageKind::Request);
        assert_eq!(messages[0].lines.len(), 5);
        assert_eq!(messages[1].kind, MessageKind::Response);
        assert_eq!(messages[1].lines[0].no, 15);
    }

    #[test]
    fn prose_is_not_rendered_page() {
        assert!(!looks_rendered(&lines("Just some text\nwith lines")));
    }
}
