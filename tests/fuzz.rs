//! No input makes extraction panic or hang. Property tests feed the page reader and the JSON
//! repairer arbitrary bytes, token soup built from the markup the Graph docs use, and the
//! fixture pages with random line and byte mutations; pathological inputs (deep nesting, a
//! huge line, thousands of broken blocks) are checked to finish in bounded time.
//!
//! Every input must come back as a page or a skip, and every diagnostic must point at a line
//! that exists (or the line just past the end, for "never closed" defects).

// `clippy.toml` allows unwrap in `#[test]` functions only; the helpers here are test code too.
#![allow(clippy::unwrap_used)]

use std::sync::mpsc;
use std::time::Duration;

use exemplar::extract::json_repair;
use exemplar::extract::page::{self, Outcome};
use proptest::prelude::*;

/// The fixture pages, as real-shaped starting points for mutation.
const PAGES: &[&str] = &[
    include_str!("fixtures/docs/api/widget-get.md"),
    include_str!("fixtures/docs/api/widget-update.md"),
    include_str!("fixtures/docs/api/widget-list.md"),
    include_str!("fixtures/docs/api/widget-key-get.md"),
    include_str!("fixtures/docs/api/widget-delete.md"),
    include_str!("fixtures/docs/api/widget-create.md"),
    include_str!("fixtures/docs/resources/widget.md"),
    include_str!("fixtures/docs/rendered/widget-paint.txt"),
];

/// Pieces of the markup extraction reacts to.
const TOKENS: &[&str] = &[
    "```",
    "```http",
    "``` msgraph-interactive",
    "~~~",
    "<!--",
    "-->",
    "<!-- { \"blockType\": \"request\", \"name\": \"a\" } -->",
    "<!-- { \"blockType\": \"response\", \"name\": [\"a\"], \"truncated\": \"true\" } -->",
    "<!-- { \"blockType\": \"resource\", \"@odata.type\": \"Collection(x)\" } -->",
    "<!-- { \"blockType\": \"ignored\" } -->",
    "{",
    "}",
    "[",
    "]",
    "\"",
    ",",
    ":",
    "...",
    "\n",
    "\r\n",
    "\n\n",
    "---",
    "# ",
    "## Properties",
    "|a|String|b|",
    "# [HTTP](#tab/http)",
    "[!INCLUDE [x](y.md)]",
    "GET https://graph.microsoft.com/beta/x/{id}",
    "PATCH /x/{id}",
    "HTTP/1.1 204  No Content",
    "HTTP/1.1 ",
    "Content-type: application/json",
    "{aTREvwoj0B9}",
    "HTTP request",
    "Request",
    "Response",
    "é",
    "\u{feff}",
    "\u{a0}",
    "\\",
    "\0",
];

/// Runs `f` on another thread and fails if it panics or takes longer than `limit`.
fn finishes<T: Send + 'static>(limit: Duration, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    let handle = std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within {limit:?}"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let _ = handle.join();
            panic!("panicked");
        }
    }
}

/// Reads `bytes` as a page and checks the invariants every result must hold.
fn check_page(bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    let last_line = text.split('\n').count() as u32 + 1;
    match page::read("fuzz.md", bytes) {
        Outcome::Skipped(note) => {
            assert_eq!(note.code, "not-a-doc-page");
            assert_eq!(note.pos.line, 1);
        }
        Outcome::Page(page) => {
            for d in &page.diagnostics {
                assert!(
                    (1..=last_line).contains(&d.pos.line) && d.pos.col >= 1,
                    "{d} is outside the page's {} lines",
                    last_line - 1
                );
                assert!(!d.message.is_empty(), "{d} has no message");
            }
            for e in &page.examples {
                assert!(
                    (1..last_line).contains(&e.request.line),
                    "request line {}",
                    e.request.line
                );
                if let Some(r) = &e.response {
                    assert!((1..last_line).contains(&r.line), "response line {}", r.line);
                }
            }
            let mut names: Vec<_> = page.examples.iter().map(|e| e.name.to_lowercase()).collect();
            names.sort();
            names.dedup();
            assert_eq!(names.len(), page.examples.len(), "example names are not unique");
        }
    }
}

/// Parses `text` as JSON with repairs and checks every offset is inside the text.
fn check_json(text: &str) {
    match json_repair::parse(text) {
        Ok(parsed) => {
            for r in &parsed.repairs {
                assert!(r.offset <= text.len(), "repair {r:?} beyond {} bytes", text.len());
            }
        }
        Err(e) => assert!(e.offset <= text.len(), "error {e:?} beyond {} bytes", text.len()),
    }
}

/// One change to a page.
#[derive(Debug, Clone)]
enum Mutation {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    InsertToken(usize, usize),
    InsertLine(usize, usize),
    Truncate(usize),
    SetByte(usize, u8),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::DeleteLine),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(at, t)| Mutation::InsertToken(at, t)),
        (any::<usize>(), any::<usize>()).prop_map(|(at, t)| Mutation::InsertLine(at, t)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::SetByte(at, b)),
    ]
}

fn apply(page: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = page.as_bytes().to_vec();
    for m in mutations {
        let mut lines: Vec<Vec<u8>> = bytes.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
        let n = lines.len();
        match *m {
            Mutation::DeleteLine(i) => {
                lines.remove(i % n);
            }
            Mutation::DuplicateLine(i) => lines.insert(i % n, lines[i % n].clone()),
            Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
            Mutation::InsertLine(at, t) => {
                lines.insert(at % (n + 1), TOKENS[t % TOKENS.len()].as_bytes().to_vec())
            }
            Mutation::InsertToken(at, t) => {
                let at = at % (bytes.len() + 1);
                let token = TOKENS[t % TOKENS.len()].as_bytes();
                bytes.splice(at..at, token.iter().copied());
                continue;
            }
            Mutation::Truncate(at) => {
                bytes.truncate(at % (bytes.len() + 1));
                continue;
            }
            Mutation::SetByte(at, b) => {
                if !bytes.is_empty() {
                    let at = at % bytes.len();
                    bytes[at] = b;
                }
                continue;
            }
        }
        bytes = lines.join(&b'\n');
    }
    bytes
}

fn token_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(0..TOKENS.len(), 0..200)
        .prop_map(|ids| ids.into_iter().map(|i| TOKENS[i]).collect())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256)
}

const LIMIT: Duration = Duration::from_secs(20);

proptest! {
    // 256 cases each by default keeps `cargo test` quick; `PROPTEST_CASES=20000` searches longer.
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let text = String::from_utf8_lossy(&bytes).into_owned();
        finishes(LIMIT, move || {
            check_page(&bytes);
            check_json(&text);
        });
    }

    #[test]
    fn token_soup_pages(text in token_soup()) {
        finishes(LIMIT, move || {
            check_page(text.as_bytes());
            check_json(&text);
        });
    }

    #[test]
    fn mutated_real_shaped_pages(
        page in 0..PAGES.len(),
        mutations in prop::collection::vec(mutation(), 1..12),
    ) {
        let bytes = apply(PAGES[page], &mutations);
        finishes(LIMIT, move || {
            check_page(&bytes);
            // The body of every JSON-looking line onwards, as the repairer would see a body.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            if let Some(at) = text.find('{') {
                check_json(&text[at..]);
            }
        });
    }
}

/// A page whose one response holds `body`.
fn page_with_body(body: &str) -> Vec<u8> {
    format!(
        "# T\n<!-- {{ \"blockType\": \"request\", \"name\": \"a\" }} -->\n```http\nGET https://h/beta/x\n```\n<!-- {{ \"blockType\": \"response\" }} -->\n```http\nHTTP/1.1 200 OK\nContent-type: application/json\n\n{body}\n```\n"
    )
    .into_bytes()
}

#[test]
fn deep_nesting_is_refused_not_a_stack_overflow() {
    for open in ["[", "{\"a\":", "[{\"b\":"] {
        let body = open.repeat(200_000);
        let page = page_with_body(&body);
        finishes(LIMIT, move || {
            check_json(&body);
            check_page(&page);
        });
    }
    // Deep nesting inside an annotation, too.
    let annotation =
        format!("# T\n<!-- {} -->\n```http\nGET https://h/x\n```\n", "[".repeat(200_000));
    finishes(LIMIT, move || check_page(annotation.as_bytes()));
}

#[test]
fn a_huge_line_is_read_in_bounded_time() {
    let inputs = [
        format!("{{\"a\": \"{}\"}}", "x".repeat(5_000_000)),
        ",".repeat(5_000_000),
        "`".repeat(5_000_000),
        format!("<!-- {}", "{".repeat(5_000_000)),
        format!("GET https://h/{}", "{a}/".repeat(1_000_000)),
    ];
    for text in inputs {
        let page = page_with_body(&text);
        finishes(LIMIT, move || {
            check_json(&text);
            check_page(text.as_bytes());
            check_page(&page);
        });
    }
}

#[test]
fn thousands_of_broken_blocks_are_read_in_bounded_time() {
    let n = 20_000;
    let inputs = [
        // Comments that never close, separated by blank lines.
        "<!-- {\n\n".repeat(n),
        // Fences that never close.
        "```http\nGET https://h/x\n".repeat(n),
        // Requests that all have the same name.
        "<!-- { \"blockType\": \"request\", \"name\": \"a\" } -->\n```http\nGET https://h/beta/x/1\n```\n"
            .repeat(n),
        // Many syntax lines and many requests to match against them.
        format!(
            "# T\n<!-- {{ \"blockType\": \"ignored\" }} -->\n```http\n{}```\n{}",
            "GET /x/{id}\n".repeat(n),
            "```http\nGET https://h/beta/x/1\n```\n".repeat(n / 4)
        ),
        // Responses with names no request has.
        "<!-- { \"blockType\": \"response\", \"name\": \"zz\" } -->\n```http\nHTTP/1.1 200 OK\n```\n"
            .repeat(n),
    ];
    for text in inputs {
        finishes(LIMIT, move || check_page(text.as_bytes()));
    }
}
