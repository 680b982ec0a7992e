//! The pipeline's shape, checked mechanically: data flows down (extract → case → plan →
//! check → snapshot/behaviour → run → report → cli), so no module imports one above it, which also
//! rules out import loops between modules. The leaf modules (what a run observes, exit
//! classes, diagnostics, diffs, redaction) import no other module and may be used by all;
//! the reference mock is a product of its own that only the runner (which embeds it) and the
//! command line may start.
//!
//! It reads the `crate::` paths of every file under `src/`, comments left out.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Each top-level module and its place: a module may import only modules of a lower rank.
const RANKS: &[(&str, u32)] = &[
    ("diag", 0),
    ("diff", 0),
    ("exit", 0),
    ("observe", 0),
    ("pointer", 0),
    ("redact", 0),
    ("words", 0),
    ("config", 1),
    ("extract", 1),
    ("mock", 1),
    ("case", 2),
    ("plan", 3),
    ("check", 4),
    ("snapshot", 5),
    // Behaviour checks (multi-step scenarios) are generated from cases and judged like them.
    ("behaviour", 5),
    ("run", 6),
    ("report", 7),
    ("cli", 8),
];

/// Who may import the mock.
const MOCK_USERS: &[&str] = &["run", "cli"];

fn rank(module: &str) -> Option<u32> {
    RANKS.iter().find(|(m, _)| *m == module).map(|(_, r)| *r)
}

/// The code of a file without its comments (line, doc and block comments) and without the
/// contents of its string literals, so that neither a doc link nor a `"text/*"` in a string
/// is taken for code. Line breaks are kept, so lines still count.
fn without_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if let Some(after) = rest.strip_prefix("//") {
            rest = after.find('\n').map_or("", |i| &after[i..]);
        } else if let Some(after) = rest.strip_prefix("/*") {
            let end = after.find("*/").map_or(after.len(), |i| i + 2);
            out.extend(after[..end].matches('\n').map(|_| '\n'));
            rest = &after[end..];
        } else if let Some(after) = rest.strip_prefix("'\"'") {
            rest = after;
        } else if let Some(hashes) = raw_string_start(rest) {
            let body = &rest[hashes + 2..];
            let close = format!("\"{}", "#".repeat(hashes));
            let end = body.find(&close).map_or(body.len(), |i| i + close.len());
            out.push_str("\"\"");
            out.extend(body[..end].matches('\n').map(|_| '\n'));
            rest = &body[end..];
        } else if let Some(after) = rest.strip_prefix('"') {
            let mut escaped = false;
            let end = after.char_indices().find(|&(_, c)| {
                let close = c == '"' && !escaped;
                escaped = c == '\\' && !escaped;
                close
            });
            let end = end.map_or(after.len(), |(i, _)| i + 1);
            out.push_str("\"\"");
            out.extend(after[..end].matches('\n').map(|_| '\n'));
            rest = &after[end..];
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    out
}

/// The number of `#` of a raw string literal starting here (`r"`, `r#"`, ...).
fn raw_string_start(text: &str) -> Option<usize> {
    let after = text.strip_prefix('r')?;
    let hashes = after.chars().take_while(|&c| c == '#').count();
    after[hashes..].starts_with('"').then_some(hashes)
}

/// The top-level modules a piece of code names through `crate::`, including the groups of
/// `use crate::{a::x, b};`.
fn named_modules(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for (at, _) in code.match_indices("crate::") {
        if code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '$') {
            continue; // `$crate::` or a longer identifier
        }
        let rest = &code[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let mut depth = 0;
            let mut item = String::new();
            let mut items = Vec::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => items.push(std::mem::take(&mut item)),
                    _ if depth == 0 => item.push(c),
                    _ => {}
                }
            }
            items.push(item);
            for item in items {
                let name: String =
                    item.trim().chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
                if !name.is_empty() {
                    found.insert(name);
                }
            }
        } else {
            let name: String =
                rest.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect();
            found.insert(name);
        }
    }
    found
}

/// The `.rs` files under `dir`, each with its path from `root`, `/`-separated.
fn rust_files(root: &Path, dir: &Path) -> Vec<(PathBuf, String)> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.unwrap();
        if entry.path().extension().is_none_or(|x| x != "rs") {
            continue;
        }
        let rel = entry.path().strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
        files.push((entry.into_path(), rel));
    }
    files
}

#[test]
fn no_module_imports_one_above_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut problems = Vec::new();
    let mut files = 0;
    for (path, rel) in rust_files(&src, &src) {
        let first = rel.split('/').next().unwrap();
        let module = first.trim_end_matches(".rs").to_string();
        if module == "lib" || module == "main" {
            continue;
        }
        files += 1;
        let Some(own) = rank(&module) else {
            problems.push(format!("src/{module}: not in RANKS; give it its place in the pipeline"));
            continue;
        };
        let code = without_comments(&std::fs::read_to_string(&path).unwrap());
        for used in named_modules(&code) {
            if used == module || used == "self" || used == "super" {
                continue;
            }
            match rank(&used) {
                None => problems.push(format!("{rel}: names unknown module crate::{used}")),
                Some(r) if r >= own => problems.push(format!(
                    "{rel}: `{module}` (rank {own}) imports `{used}` (rank {r}), which is not below it"
                )),
                Some(_) if used == "mock" && !MOCK_USERS.contains(&module.as_str()) => {
                    problems.push(format!("{rel}: only run and cli may use the mock"))
                }
                Some(_) => {}
            }
        }
    }
    assert!(files > 50, "read only {files} files under src/");
    assert!(problems.is_empty(), "imports against the pipeline:\n{}", problems.join("\n"));
}

#[test]
fn the_reader_sees_every_form_of_import() {
    let code = without_comments(
        r##"use crate::a::B;
// crate::commented
use crate::{b::C, c, d::{e, f}};
let x = crate::g::h("crate::in_a_string", "text/*", r#"crate::raw"#, '"');
/* crate::block */ $crate::macro_path; crate::i::j"##,
    );
    let found: Vec<String> = named_modules(&code).into_iter().collect();
    assert_eq!(found, ["a", "b", "c", "d", "g", "i"]);
}

/// Smaller rooms (issue 13): no function in these directories is longer than this, so that
/// each says one thing and a reader can hold it whole. Tests (`#[cfg(test)]` modules) aside.
const MAX_FN_LINES: usize = 80;
const SMALL_ROOMS: &[&str] = &["run", "check", "snapshot", "report"];

/// Every `fn` item of `code` (comments and strings already blanked) before its tests, as
/// name, first line and length in lines (signature to closing brace). Declarations without a
/// body are left out.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let code = code.find("#[cfg(test)]").map_or(code, |at| &code[..at]);
    let bytes = code.as_bytes();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (at, _) in code.match_indices("fn ") {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let name: String = code[at + 3..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue; // `fn(` in a type
        }
        // The body starts at the first `{` outside brackets; a `;` first means no body.
        let (mut depth, mut open) = (0i32, None);
        for (i, &b) in bytes.iter().enumerate().skip(at) {
            match b {
                b'(' | b'[' => depth += 1,
                b')' | b']' => depth -= 1,
                b';' if depth == 0 => break,
                b'{' if depth == 0 => {
                    open = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(open) = open else { continue };
        let mut braces = 0;
        let close = bytes.iter().enumerate().skip(open).find_map(|(i, &b)| {
            match b {
                b'{' => braces += 1,
                b'}' => braces -= 1,
                _ => {}
            }
            (braces == 0).then_some(i)
        });
        let Some(close) = close else { continue };
        found.push((name, line_of(at), line_of(close) - line_of(at) + 1));
    }
    found
}

#[test]
fn no_function_in_the_small_rooms_is_over_80_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut long = Vec::new();
    let mut counted = 0;
    for room in SMALL_ROOMS {
        for (path, rel) in rust_files(&src, &src.join(room)) {
            let code = without_comments(&std::fs::read_to_string(&path).unwrap());
            for (name, line, lines) in functions(&code) {
                counted += 1;
                if lines > MAX_FN_LINES {
                    long.push(format!("src/{rel}:{line}: `{name}` is {lines} lines"));
                }
            }
        }
    }
    assert!(counted > 200, "found only {counted} functions");
    assert!(long.is_empty(), "functions over {MAX_FN_LINES} lines:\n{}", long.join("\n"));
}

#[test]
fn functions_are_measured_from_signature_to_closing_brace() {
    let code = without_comments(
        "fn a() {\n    let s = \"}\";\n    /* } */\n}\ntrait T { fn b(&self) -> [u8; 2]; }\npub(crate) async fn c(x: [u8; 2]) -> u8 {\n    {\n    }\n    x[0]\n}\n#[cfg(test)]\nfn d() {}\n",
    );
    let found = functions(&code);
    assert_eq!(found, [("a".to_string(), 1, 4), ("c".to_string(), 6, 5)]);
}

/// The lines of `code` (comments and strings already blanked) where a `Command` starts whose
/// output would reach the test output: one that ends in `.status()` or `.spawn()` without
/// setting both its stdout and its stderr, one that inherits either, or one that is not run
/// in the function that builds it.
fn uncaptured_commands(code: &str) -> Vec<usize> {
    const RUNS: [&str; 3] = [".output()", ".status()", ".spawn()"];
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let mut found = Vec::new();
    for (at, _) in code.match_indices("Command::new(") {
        let ran = RUNS.iter().filter_map(|r| code[at..].find(r).map(|i| (i, *r))).min();
        let captured = ran.is_some_and(|(end, run)| {
            let built = &code[at..at + end];
            !built.contains("inherit")
                && !built.contains("fn ")
                && (run == ".output()"
                    || (built.contains(".stdout(") && built.contains(".stderr(")))
        });
        if !captured {
            found.push(line_of(at));
        }
    }
    found
}

/// Issue 14, item 12: a passing `cargo test` prints no `FAILED` lines, so nothing a test
/// starts may write to the test output, which libtest does not capture for a child process
/// or for the library harness run in process. Every `Command` in `tests/` is captured (see
/// [`uncaptured_commands`]), and the harness runs in process only through
/// `common::run_nested`, which sends libtest's lines to a log.
#[test]
fn nothing_a_test_starts_writes_to_the_test_output() {
    let tests = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut problems = Vec::new();
    let mut commands = 0;
    for (path, rel) in rust_files(&tests, &tests) {
        let code = without_comments(&std::fs::read_to_string(&path).unwrap());
        commands += code.matches("Command::new(").count();
        for line in uncaptured_commands(&code) {
            problems.push(format!("tests/{rel}:{line}: a command whose output is not captured"));
        }
        if rel != "common/mod.rs" && code.contains("run::run") {
            problems.push(format!(
                "tests/{rel}: runs the harness in process other than through common::run_nested"
            ));
        }
    }
    assert!(commands > 20, "found only {commands} commands under tests/");
    assert!(problems.is_empty(), "output that reaches the test output:\n{}", problems.join("\n"));
}

#[test]
fn the_command_reader_sees_what_is_not_captured() {
    let code = without_comments(
        "let a = Command::new(\"x\").args([\"y\"]).output().unwrap();\n\
         let b = Command::new(\"x\").status();\n\
         let c = Command::new(\"x\").stderr(Stdio::piped()).spawn();\n\
         let d = Command::new(\"x\").stdout(Stdio::null()).stderr(Stdio::piped()).spawn();\n\
         let e = Command::new(\"x\").stdout(Stdio::inherit()).output();\n\
         let mut f = Command::new(\"x\");\nf.arg(\"y\");\nf.output().unwrap();\n\
         fn g() -> Command { Command::new(\"x\") }\n\
         fn h() { g().output(); }\n",
    );
    assert_eq!(uncaptured_commands(&code), [2, 3, 5, 9]);
}
