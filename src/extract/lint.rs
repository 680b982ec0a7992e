//! Lints across pages: contradictions that only show when pages are read together, such as
//! one example documented with `PATCH` in one revision and `PUT` in another.

use std::collections::BTreeMap;

use crate::diag::{Diagnostic, Pos};

use super::page::Page;

/// The path of a URL with every placeholder reduced to `{}`, so that `{id}` and
/// `{trustFrameworkKeySetId}` compare equal.
fn shape(url: &str) -> String {
    let path = url.split('?').next().unwrap_or(url);
    let path = path
        .find("://")
        .map_or(path, |s| path[s + 3..].find('/').map_or("", |p| &path[s + 3 + p..]));
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| if s.starts_with('{') { "{}".to_string() } else { s.to_ascii_lowercase() })
        .collect::<Vec<_>>()
        .join("/")
}

/// Finds examples of one endpoint (the same URL shape) and one operation (the same name, as the
/// page gives it) documented with different methods. Examples the page did not name
/// (`example-1`) are left out: their made-up names say nothing about which operation they show,
/// and comparing them paired unrelated pages.
pub fn across_pages(pages: &[Page]) -> Vec<Diagnostic> {
    let mut first: BTreeMap<(String, String), (&str, &str, u32)> = BTreeMap::new();
    let mut out = Vec::new();
    for page in pages {
        for example in page.examples.iter().filter(|e| !e.auto_named) {
            let key = (example.name.to_ascii_lowercase(), shape(&example.request.url));
            let method = example.request.method.as_str();
            match first.get(&key) {
                Some(&(doc, m, line)) if m != method => out.push(Diagnostic::warning(
                    &page.file,
                    Pos::line(example.request.line),
                    "method-conflict",
                    format!(
                        "`{}` is documented here with {method} and with {m} at {doc}:{line}",
                        example.name
                    ),
                )),
                Some(_) => {}
                None => {
                    first.insert(key, (&page.file, method, example.request.line));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::page::{Outcome, read};
    use super::*;

    fn page(doc: &str, method: &str) -> Page {
        let text = format!(
            "# T\n<!-- {{ \"blockType\": \"request\", \"name\": \"update\" }} -->\n```http\n{method} https://graph.microsoft.com/beta/sets/{{id}}\n```\n"
        );
        match read(doc, text.as_bytes()) {
            Outcome::Page(p) => p,
            Outcome::Skipped(d) => panic!("{d}"),
        }
    }

    #[test]
    fn reports_a_method_that_changed_between_revisions() {
        let pages = [page("old.md", "PATCH"), page("new.md", "PUT"), page("same.md", "PATCH")];
        let lints = across_pages(&pages);
        assert_eq!(lints.len(), 1);
        assert_eq!(
            lints[0].to_string(),
            "new.md:4:1: method-conflict: `update` is documented here with PUT and with PATCH at old.md:4"
        );
    }

    #[test]
    fn shapes_ignore_placeholder_names_and_hosts() {
        assert_eq!(shape("https://h/beta/A/{id}?x=1"), shape("https://other/beta/a/{setId}"));
    }
}
