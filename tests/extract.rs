//! `exemplar extract` end to end: the real binary over a temporary copy of the fixture pages in
//! `tests/fixtures/docs`, one page per defect the Graph docs are known to have.
//!
//! Each test gets its own directory (removed when the test ends) and runs the binary with that
//! directory as the working directory, so paths in diagnostics are the short relative paths
//! given on the command line and no `exemplar.toml` from the repository is picked up.

// `clippy.toml` allows unwrap in `#[test]` functions only; the helpers here are test code too.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docs");
/// One small page per way the Graph docs at large were found to be misread (issue 12).
const PAGES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/pages");

/// A scratch directory holding a copy of the fixtures as `docs/`.
struct Sandbox {
    dir: PathBuf,
}

/// What one run of the binary did.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir()
            .join(format!("exemplar-extract-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        copy_tree(Path::new(FIXTURES), &dir.join("docs"));
        copy_tree(Path::new(PAGES), &dir.join("pages"));
        Sandbox { dir }
    }

    /// `exemplar extract pages/<page> --out cases`: the cases land in `cases/<page stem>/`.
    fn extract_page(&self, page: &str) -> Run {
        self.run(&["extract", &format!("pages/{page}"), "--out", "cases"])
    }

    fn run(&self, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_exemplar"))
            .args(args)
            .current_dir(&self.dir)
            .output()
            .expect("run exemplar");
        Run {
            code: output.status.code().expect("exit code"),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// `exemplar extract docs --out cases` plus `extra` arguments.
    fn extract(&self, extra: &[&str]) -> Run {
        let mut args = vec!["extract", "docs", "--out", "cases"];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.path(rel), text).unwrap();
    }

    fn json(&self, rel: &str) -> Value {
        serde_json::from_str(&self.read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// Every file under `rel`, by path relative to it, with its bytes.
    fn files(&self, rel: &str) -> BTreeMap<String, Vec<u8>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    let rel = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
                    out.insert(rel, std::fs::read(&path).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        if self.path(rel).exists() {
            walk(&self.path(rel), &self.path(rel), &mut out);
        }
        out
    }

    /// The text of fixture line `line` from column `col` on (both 1-based, columns in chars).
    fn text_at(&self, doc: &str, line: u32, col: u32) -> String {
        let text = self.read(doc);
        let line =
            text.split('\n').nth(line as usize - 1).unwrap_or_else(|| panic!("{doc}:{line}"));
        line.chars().skip(col as usize - 1).collect()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A diagnostic line `path:line:col: code: message` split into its parts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Diag {
    path: String,
    line: u32,
    col: u32,
    code: String,
    message: String,
}

fn diagnostics(stderr: &str) -> Vec<Diag> {
    stderr
        .lines()
        .filter(|l| !l.starts_with("error:"))
        .map(|l| {
            let mut parts = l.splitn(5, ": ");
            let place = parts.next().unwrap();
            let code = parts.next().unwrap_or_else(|| panic!("not a diagnostic: {l}"));
            let message = parts.collect::<Vec<_>>().join(": ");
            let mut place = place.rsplitn(3, ':');
            let col = place.next().unwrap().parse().unwrap_or_else(|_| panic!("col in {l}"));
            let line = place.next().unwrap().parse().unwrap_or_else(|_| panic!("line in {l}"));
            let path = place.next().unwrap().to_string();
            Diag { path, line, col, code: code.to_string(), message }
        })
        .collect()
}

const GET: &str = "cases/docs/api/widget-get/get_widget.json";
const UPDATE: &str = "cases/docs/api/widget-update/update_widget.json";
const LIST: &str = "cases/docs/api/widget-list/list_widgets.json";

/// Every defect of the fixtures, where it is, and the text found there in the fixture.
const DEFECTS: &[(&str, u32, u32, &str, &str)] = &[
    ("docs/api/widget-create.md", 12, 1, "orphan-response", "HTTP/1.1 201 Created"),
    ("docs/api/widget-delete.md", 33, 1, "unpaired-request", "DELETE https://"),
    ("docs/api/widget-getactivepart.md", 17, 1, "method-conflict", "GET https://"),
    ("docs/api/widget-key-get.md", 15, 70, "literal-in-braces", "{Qx7Lm2Vb9Rt4Zp0Wy8Hs3Nd}"),
    ("docs/api/widget-list.md", 12, 25, "json-trailing-comma", ",\n"),
    ("docs/api/widget-list.md", 31, 23, "json-trailing-comma", ",\n"),
    ("docs/api/widget-list.md", 35, 7, "json-missing-comma", "\"colour\": \"plum\""),
    ("docs/api/widget-update.md", 25, 1, "method-conflict", "PATCH https://"),
    ("docs/api/widget-update.md", 27, 1, "missing-blank-line", "{"),
    ("docs/api/widget-update.md", 41, 1, "unclosed-fence", "```http"),
    ("docs/api/widget-update.md", 42, 14, "status-line-spacing", " No Content"),
];

/// The files that are not doc pages.
const SKIPPED: &[&str] = &[
    "docs/assets/widget.png",
    "docs/includes/permissions/widget-get-permissions.md",
    "docs/notes.txt",
];

#[test]
fn every_defect_is_reported_at_the_line_and_column_where_it_is() {
    let sandbox = Sandbox::new("defects");
    let run = sandbox.extract(&[]);
    assert_eq!(run.code, 0, "{run:?}");
    let mut found = diagnostics(&run.stderr);
    found.sort();
    let mut expected: Vec<(String, u32, u32, String)> = DEFECTS
        .iter()
        .map(|&(p, l, c, code, _)| (p.to_string(), l, c, code.to_string()))
        .chain(SKIPPED.iter().map(|p| (p.to_string(), 1, 1, "not-a-doc-page".to_string())))
        .collect();
    expected.sort();
    let got: Vec<_> =
        found.iter().map(|d| (d.path.clone(), d.line, d.col, d.code.clone())).collect();
    assert_eq!(got, expected, "stderr:\n{}", run.stderr);

    // Each position is the real place of the defect in the page, not an approximation.
    for &(doc, line, col, code, text) in DEFECTS {
        let at = sandbox.text_at(doc, line, col) + "\n";
        assert!(at.starts_with(text), "{doc}:{line}:{col} ({code}) shows {at:?}, not {text:?}");
    }
}

#[test]
fn method_conflicts_name_both_revisions() {
    let sandbox = Sandbox::new("conflicts");
    let run = sandbox.extract(&[]);
    let conflicts: Vec<_> =
        diagnostics(&run.stderr).into_iter().filter(|d| d.code == "method-conflict").collect();
    assert_eq!(conflicts.len(), 2, "{}", run.stderr);
    let other = |d: &Diag| d.message.rsplit(" at ").next().unwrap().to_string();
    // PATCH now, PUT in the older revision.
    let update = conflicts.iter().find(|d| d.path.ends_with("widget-update.md")).unwrap();
    assert!(update.message.contains("with PATCH and with PUT"), "{}", update.message);
    let (doc, line) =
        other(update).rsplit_once(':').map(|(d, l)| (d.to_string(), l.parse().unwrap())).unwrap();
    assert!(sandbox.text_at(&doc, line, 1).starts_with("PUT https://"));
    // `getActiveKey`-style: GET now, POST before.
    let active = conflicts.iter().find(|d| d.path.ends_with("widget-getactivepart.md")).unwrap();
    assert!(active.message.contains("with GET and with POST"), "{}", active.message);
    let (doc, line) =
        other(active).rsplit_once(':').map(|(d, l)| (d.to_string(), l.parse().unwrap())).unwrap();
    assert!(sandbox.text_at(&doc, line, 1).starts_with("POST https://"));
    // Both revisions still give a case each.
    for page in ["widget-update", "widget-update-previous"] {
        assert!(sandbox.path(&format!("cases/docs/api/{page}/update_widget.json")).exists());
    }
}

#[test]
fn defective_examples_are_repaired_and_still_written() {
    let sandbox = Sandbox::new("repaired");
    assert_eq!(sandbox.extract(&[]).code, 0);

    // No blank line before the body, two spaces in the status line, unclosed response fence.
    let update = sandbox.json(UPDATE);
    assert_eq!(update["request"]["method"], "PATCH");
    assert_eq!(update["request"]["body"], json!({"colour": "amber"}));
    assert_eq!(update["response"]["status"], 204);
    assert_eq!(update["response"]["reason"], "No Content");
    assert_eq!(update["response"]["truncated"], true);
    assert_eq!(update["source"]["responseLine"], 42);

    // Trailing and missing commas in the body; a trailing comma in the annotation;
    // `truncated: "true"`; `@odata.type: "Collection(...)"`.
    let list = sandbox.json(LIST);
    assert_eq!(
        list["response"]["body"],
        json!({"value": [{"id": "w-1", "colour": "teal"}, {"id": "w-2", "colour": "plum"}]})
    );
    assert_eq!(list["source"]["example"], "list_widgets");
    assert_eq!(list["response"]["truncated"], true);
    assert_eq!(list["response"]["odataType"], "microsoft.graph.widget");
    assert_eq!(list["response"]["isCollection"], true);

    // A literal id in braces becomes the syntax's placeholder; its value is kept as a param.
    let key = sandbox.json("cases/docs/api/widget-key-get/get_widget_key.json");
    assert_eq!(
        key["request"]["url"],
        "https://graph.microsoft.com/beta/gadgets/widgets/{widgetId}/keys/{widgetKeyId}"
    );
    assert_eq!(key["request"]["params"], json!({"widgetKeyId": "Qx7Lm2Vb9Rt4Zp0Wy8Hs3Nd"}));
}

#[test]
fn the_annotation_grammar_reaches_the_case_files() {
    let sandbox = Sandbox::new("grammar");
    assert_eq!(sandbox.extract(&[]).code, 0);

    // msgraph-interactive fence, tab markers and includes between request and response; a
    // literal id where the syntax has a placeholder.
    let get = sandbox.json(GET);
    assert_eq!(get["id"], "docs::api::widget-get::get_widget");
    assert_eq!(
        get["source"],
        json!({
            "doc": "docs/api/widget-get.md", "form": "markdown", "example": "get_widget",
            "line": 41, "responseLine": 64, "hash": get["source"]["hash"].clone(),
        })
    );
    assert_eq!(
        get["request"]["url"],
        "https://graph.microsoft.com/beta/gadgets/widgets/{widgetId}"
    );
    assert_eq!(get["request"]["params"], json!({"widgetId": "w-100"}));
    assert_eq!(get["response"]["body"], json!({"id": "w-100", "colour": "teal", "size": 3}));
    assert_eq!(get["response"]["odataType"], "microsoft.graph.widget");
    assert!(sandbox.text_at("docs/api/widget-get.md", 41, 1).starts_with("GET https://"));
    assert!(sandbox.text_at("docs/api/widget-get.md", 64, 1).starts_with("HTTP/1.1 200 OK"));

    // `name` as a list pairs the response; optional and nullable properties.
    let create = sandbox.json("cases/docs/api/widget-create/create_widget.json");
    assert_eq!(create["response"]["status"], 201);
    assert_eq!(create["response"]["optionalProperties"], json!(["size"]));
    assert_eq!(create["response"]["nullableProperties"], json!(["retiredDateTime"]));
    assert_eq!(create["request"]["body"], json!({"colour": "teal"}));

    // isEmpty, expectError, and a request with no response.
    let delete = sandbox.json("cases/docs/api/widget-delete/delete_widget.json");
    assert_eq!(delete["response"]["isEmpty"], true);
    assert_eq!(delete["response"].get("expectError"), None);
    let missing = sandbox.json("cases/docs/api/widget-delete/delete_missing_widget.json");
    assert_eq!(missing["response"]["expectError"], true);
    assert_eq!(missing["response"]["status"], 404);
    let all = sandbox.json("cases/docs/api/widget-delete/delete_all_widgets.json");
    assert_eq!(all["request"]["method"], "DELETE");
    assert_eq!(all.get("response"), None);

    // The rendered plain-text form.
    let paint = sandbox.json("cases/docs/rendered/widget-paint/example-1.json");
    assert_eq!(paint["source"]["form"], "rendered");
    assert_eq!(paint["source"]["line"], 14);
    assert_eq!(
        paint["request"]["url"],
        "https://graph.microsoft.com/beta/gadgets/widgets/{widgetId}"
    );
    assert_eq!(paint["request"]["params"], json!({"widgetId": "w-42"}));
    assert_eq!(paint["request"]["body"], json!({"colour": "plum"}));
    assert_eq!(paint["response"]["status"], 204);

    // The resource page: the JSON representation and the Properties table combined.
    let widget = sandbox.json("cases/docs/resources/widget/microsoft.graph.widget.type.json");
    assert_eq!(widget["type"], "microsoft.graph.widget");
    assert_eq!(widget["keyProperty"], "id");
    assert_eq!(widget["baseType"], "microsoft.graph.entity");
    let props = &widget["properties"];
    let names: Vec<_> = props.as_object().unwrap().keys().cloned().collect();
    assert_eq!(names, ["colour", "id", "parts", "secret", "size"]);
    assert_eq!(props["colour"]["enum"], json!(["teal", "amber", "plum"]));
    assert_eq!(props["size"]["type"], "integer");
    assert_eq!(props["secret"]["readable"], false);
    assert_eq!(props["parts"]["items"], "object");
    assert_eq!(props["parts"]["odataType"], "microsoft.graph.widgetPart");

    // Nothing is written for the orphan response, the include, or the non-doc files.
    let written: Vec<_> = sandbox.files("cases").into_keys().collect();
    assert_eq!(written.len(), 13, "{written:?}");
    assert!(written.iter().all(|f| f.starts_with("docs/api/") || f.starts_with("docs/re")));
}

#[test]
fn strict_fails_on_defects_and_passes_on_a_clean_page() {
    let sandbox = Sandbox::new("strict");
    let run = sandbox.extract(&["--strict"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(run.stderr.contains("error: 11 defects in the docs (--strict)"), "{}", run.stderr);
    // The cases are written all the same.
    assert!(sandbox.path(UPDATE).exists());

    let run = sandbox.run(&["extract", "docs/api/widget-get.md", "--out", "clean", "--strict"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert_eq!(run.stderr, "");
    assert!(sandbox.path("clean/widget-get/get_widget.json").exists());

    // Notes (a skipped file) are not defects.
    let run = sandbox.run(&[
        "extract",
        "docs/notes.txt",
        "docs/api/widget-get.md",
        "--out",
        "clean",
        "--strict",
    ]);
    assert_eq!(run.code, 0, "{run:?}");
}

/// A file that is no doc page is skipped with a note; when the paths hold no doc page at all,
/// nothing was extracted and the run says so with exit 2 (a typo in a CI path must not pass).
#[test]
fn files_that_are_not_doc_pages_are_skipped_with_a_note() {
    let sandbox = Sandbox::new("skipped");
    for file in SKIPPED {
        let run = sandbox.run(&["extract", file, "--out", "out"]);
        assert_eq!(run.code, 2, "{run:?}");
        let diags = diagnostics(&run.stderr);
        assert_eq!(diags.len(), 1, "{}", run.stderr);
        assert_eq!((diags[0].path.as_str(), diags[0].code.as_str()), (*file, "not-a-doc-page"));
        assert!(run.stderr.contains(&format!("error: no doc page under {file}")), "{}", run.stderr);
        assert!(!sandbox.path("out").exists() || sandbox.files("out").is_empty());
    }
    // `--quiet` hides notes, not the error.
    let run = sandbox.run(&["extract", "docs/notes.txt", "--out", "out", "--quiet"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.starts_with("error: no doc page under docs/notes.txt"), "{run:?}");
    // A page among other files is enough.
    let run = sandbox.run(&["extract", "docs/notes.txt", "docs/api", "--out", "out", "-q"]);
    assert_eq!(run.code, 0, "{run:?}");
}

/// Two doc roots of the same name would give their examples the same case ids: refused
/// before anything is written, naming both.
#[test]
fn two_doc_roots_that_map_to_the_same_case_ids_are_refused() {
    let sandbox = Sandbox::new("same-root");
    copy_tree(&sandbox.path("docs"), &sandbox.path("other/docs"));
    let run = sandbox.run(&["extract", "docs", "other/docs", "--out", "out"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(
        run.stderr.contains("doc paths docs and other/docs both name their pages `docs/...`"),
        "{}",
        run.stderr
    );
    assert!(!sandbox.path("out").exists());
    let run = sandbox.run(&["extract", "docs", "docs", "--out", "out"]);
    assert_eq!(run.code, 2, "{run:?}");
}

#[test]
fn extracting_twice_gives_byte_identical_files() {
    let sandbox = Sandbox::new("twice");
    assert_eq!(sandbox.run(&["extract", "docs", "--out", "one"]).code, 0);
    assert_eq!(sandbox.run(&["extract", "docs", "--out", "two"]).code, 0);
    let one = sandbox.files("one");
    assert_eq!(one.len(), 13);
    assert!(one == sandbox.files("two"), "two extractions differ");

    // Extracting again over the first output changes nothing.
    let run = sandbox.run(&["extract", "docs", "--out", "one"]);
    assert!(run.stdout.contains("0 added, 0 changed, 13 unchanged, 0 stale"), "{}", run.stdout);
    assert!(one == sandbox.files("one"), "re-extraction rewrote a file");
}

/// Hand-written fields of every kind, as a person would add them to a case file.
fn hand_written() -> Value {
    json!({
        "tags": ["smoke", "widgets"],
        "skip": "the store is read-only on Sundays",
        "fixtures": [{"use": "widget", "as": "w", "with": {"colour": "teal"}}],
        "bind": {"widgetId": "{{w.id}}"},
        "set": {"/colour": "plum"},
        "pin": {"/colour": "plum"},
        "ignore": ["/size"],
        "volatile": ["/id"],
        "unordered": ["/parts"],
        "expect": {"reason": "the mock paints everything plum", "status": 200, "body": {"colour": "plum"}},
    })
}

#[test]
fn re_extraction_keeps_hand_written_fields() {
    let sandbox = Sandbox::new("hand");
    assert_eq!(sandbox.extract(&[]).code, 0);
    let mut case = sandbox.json(UPDATE);
    for (k, v) in hand_written().as_object().unwrap() {
        case[k] = v.clone();
    }
    sandbox.write(UPDATE, &serde_json::to_string_pretty(&case).unwrap());

    // The doc changes: another colour in the request body.
    let page = sandbox.read("docs/api/widget-update.md");
    sandbox.write("docs/api/widget-update.md", &page.replace("\"amber\"", "\"violet\""));
    let run = sandbox.extract(&[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("1 changed"), "{}", run.stdout);

    let after = sandbox.json(UPDATE);
    assert_eq!(after["request"]["body"], json!({"colour": "violet"}), "doc part updated");
    assert_ne!(after["source"]["hash"], case["source"]["hash"]);
    for (k, v) in hand_written().as_object().unwrap() {
        assert_eq!(&after[k], v, "hand-written `{k}` kept");
    }
    // And a second extraction leaves the merged file alone.
    let before = sandbox.read(UPDATE);
    assert!(sandbox.extract(&[]).stdout.contains("0 changed"));
    assert_eq!(sandbox.read(UPDATE), before);
}

#[test]
fn a_case_file_that_does_not_parse_is_left_untouched() {
    let sandbox = Sandbox::new("broken");
    assert_eq!(sandbox.extract(&[]).code, 0);
    let page = sandbox.read("docs/api/widget-list.md");
    sandbox.write("docs/api/widget-list.md", &page.replace("\"w-1\"", "\"w-one\""));

    // Broken JSON: the error names the file, line and column.
    let broken = sandbox.read(GET).replacen("\"format\": 1,", "\"format\": 1,,", 1);
    sandbox.write(GET, &broken);
    let run = sandbox.extract(&[]);
    assert_eq!(run.code, 2, "{run:?}");
    let want = format!("error: {GET}:3:15: ");
    assert!(run.stderr.lines().any(|l| l.starts_with(&want)), "{}", run.stderr);
    assert!(run.stderr.contains("(file left untouched)"), "{}", run.stderr);
    assert_eq!(sandbox.read(GET), broken, "unparseable file was overwritten");
    // The other cases are still brought up to date.
    assert_eq!(sandbox.json(LIST)["response"]["body"]["value"][0]["id"], "w-one");

    // An unknown field (a typo in a hand-written field) is reported the same way.
    sandbox.write(GET, &sandbox.read(GET).replace(",,", ",\n  \"tgas\": [\"x\"],"));
    let run = sandbox.extract(&[]);
    assert_eq!(run.code, 2, "{run:?}");
    let want = format!("error: {GET}:4:3: unknown field `tgas`");
    assert!(run.stderr.lines().any(|l| l.starts_with(&want)), "{}", run.stderr);
    assert!(sandbox.read(GET).contains("\"tgas\""), "file with unknown field was overwritten");
}

/// The `kind: path` lines `extract --check` prints.
fn listed(stdout: &str) -> Vec<String> {
    stdout.lines().filter(|l| !l.contains(" pages, ")).map(str::to_string).collect()
}

#[test]
fn check_lists_changed_added_and_stale_cases() {
    let sandbox = Sandbox::new("check");
    assert_eq!(sandbox.extract(&[]).code, 0);
    let run = sandbox.extract(&["--check"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(listed(&run.stdout).is_empty(), "{}", run.stdout);
    let cases_before = sandbox.files("cases");

    // A doc-derived field edited by hand.
    let edited = sandbox.read(GET).replace("\"status\": 200", "\"status\": 201");
    sandbox.write(GET, &edited);
    let run = sandbox.extract(&["--check"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(listed(&run.stdout), [format!("changed: {GET}")]);
    assert!(run.stderr.contains("error: cases is out of date with the docs"), "{}", run.stderr);
    assert_eq!(sandbox.read(GET), edited, "--check wrote a file");

    // An example added to a page, and one removed from another.
    let page = sandbox.read("docs/api/widget-delete.md");
    let added = page.replace("\"delete_all_widgets\"", "\"delete_every_widget\"");
    sandbox.write("docs/api/widget-delete.md", &added);
    let run = sandbox.extract(&["--check"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(
        listed(&run.stdout),
        [
            "stale: cases/docs/api/widget-delete/delete_all_widgets.json".to_string(),
            "added: cases/docs/api/widget-delete/delete_every_widget.json".to_string(),
            format!("changed: {GET}"),
        ]
    );
    // Nothing was written by any of the checks.
    let mut expected = cases_before;
    expected.insert("docs/api/widget-get/get_widget.json".into(), edited.into_bytes());
    assert!(sandbox.files("cases") == expected, "--check changed the cases directory");
}

#[test]
fn case_files_that_cannot_be_written_are_an_error_naming_the_directory() {
    // The files are written on a second thread; its error still reaches the user, and no
    // temporary file is left behind.
    let sandbox = Sandbox::new("unwritable");
    sandbox.write("blocker", "a file where the cases directory would go\n");
    let run = sandbox.run(&["extract", "docs", "--out", "blocker/cases"]);
    assert_eq!(run.code, 3, "{run:?}");
    assert!(run.stderr.contains("error: cannot write to blocker/cases: "), "{}", run.stderr);
    assert_eq!(sandbox.read("blocker"), "a file where the cases directory would go\n");
}

#[test]
fn stale_cases_are_found_beside_directories_the_run_creates() {
    // Directories the run creates are skipped by the walk for stale files; those that were
    // there before are not.
    let sandbox = Sandbox::new("stale-new-dirs");
    assert_eq!(sandbox.extract(&[]).code, 0);
    let stale = "cases/docs/api/widget-delete/delete_all_widgets.json";
    let page = sandbox.read("docs/api/widget-delete.md");
    let cut =
        page.find("<!-- { \"blockType\": \"request\", \"name\": \"delete_all_widgets\"").unwrap();
    sandbox.write("docs/api/widget-delete.md", &page[..cut]);
    std::fs::create_dir_all(sandbox.path("docs/api/fresh")).unwrap();
    sandbox.write("docs/api/fresh/widget-delete.md", &page);
    let before = sandbox.files("cases").len();

    let run = sandbox.extract(&[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains(&format!("{stale}: stale: ")), "{}", run.stderr);
    assert!(sandbox.path("cases/docs/api/fresh/widget-delete/delete_all_widgets.json").exists());
    let after = sandbox.files("cases");
    assert!(after.len() > before, "{after:?}");
    assert!(after.keys().all(|k| !k.ends_with(".tmp")), "{after:?}");
    let run = sandbox.extract(&["--check"]);
    assert_eq!(listed(&run.stdout), [format!("stale: {stale}")]);
}

#[test]
fn stale_cases_are_kept_until_pruned() {
    let sandbox = Sandbox::new("prune");
    assert_eq!(sandbox.extract(&[]).code, 0);
    let stale = "cases/docs/api/widget-delete/delete_all_widgets.json";
    let page = sandbox.read("docs/api/widget-delete.md");
    let cut =
        page.find("<!-- { \"blockType\": \"request\", \"name\": \"delete_all_widgets\"").unwrap();
    sandbox.write("docs/api/widget-delete.md", &page[..cut]);

    let run = sandbox.extract(&[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains(&format!("{stale}: stale: ")), "{}", run.stderr);
    assert!(sandbox.path(stale).exists(), "stale file removed without --prune");

    let run = sandbox.extract(&["--prune"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stdout.contains("1 removed"), "{}", run.stdout);
    assert!(!sandbox.path(stale).exists(), "--prune kept the stale file");
    assert_eq!(sandbox.extract(&["--check"]).code, 0);
}

// Issue 12: each way the Graph docs at large were misread, on a small page in the form seen.

/// The diagnostics of a run as `(line, code)`, for one page.
fn codes(run: &Run) -> Vec<(u32, String)> {
    diagnostics(&run.stderr).into_iter().map(|d| (d.line, d.code)).collect()
}

/// A sandbox of its own in which `exemplar extract pages/<page> --out cases` succeeds with
/// the diagnostics `expected` (line and code, in order); returns it with the run.
fn extracted(page: &str, expected: &[(u32, &str)]) -> (Sandbox, Run) {
    let sandbox = Sandbox::new(page.trim_end_matches(".md"));
    let run = sandbox.extract_page(page);
    assert_eq!(run.code, 0, "{run:?}");
    let expected: Vec<(u32, String)> = expected.iter().map(|&(l, c)| (l, c.to_string())).collect();
    assert_eq!(codes(&run), expected, "{}", run.stderr);
    (sandbox, run)
}

#[test]
fn repeated_placeholder_names_get_a_parameter_each() {
    let (sandbox, _) = extracted("repeated-placeholder.md", &[]);
    let case = sandbox.json("cases/repeated-placeholder/list_submissions.json");
    assert_eq!(
        case["request"]["url"],
        "https://graph.microsoft.com/v1.0/education/classes/{id}/assignments/{id-2}/submissions"
    );
    assert_eq!(case["request"]["params"], json!({"id": "19002", "id-2": "11021"}));
}

#[test]
fn urls_with_spaces_are_read_whole() {
    let (sandbox, _) = extracted("url-with-spaces.md", &[]);
    let private = sandbox.json("cases/url-with-spaces/list_private_channels.json");
    assert_eq!(
        private["request"]["url"],
        "https://graph.microsoft.com/beta/teams/{team-id}/channels?$filter=membershipType eq 'private'"
    );
    assert_eq!(
        private["request"]["params"],
        json!({"team-id": "893075dd-2487-4122-925f-022c42e20265"})
    );
    // A trailing protocol version is not part of the URL.
    let sales = sandbox.json("cases/url-with-spaces/list_sales_channels.json");
    assert_eq!(
        sales["request"]["url"],
        "https://graph.microsoft.com/beta/teams?$filter=displayName eq 'Sales'"
    );
}

/// The URL with spaces reaches the target whole and percent-encoded: a real `exemplar run`
/// against a loopback server that records the request line it receives.
#[test]
fn urls_with_spaces_are_sent_percent_encoded() {
    use std::io::{BufRead, BufReader, Write};
    let (sandbox, _) = extracted("url-with-spaces.md", &[]);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut request_line = String::new();
        reader.read_line(&mut request_line).unwrap();
        let mut line = String::new();
        while reader.read_line(&mut line).unwrap() > 2 {
            line.clear();
        }
        let body = "{\"value\": []}";
        let mut stream = stream;
        write!(
            stream,
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        request_line
    });
    let run = sandbox.run(&[
        "run",
        "--cases",
        "cases",
        "--target",
        &format!("http://{addr}"),
        "--checks",
        "contract",
        "--exact",
        "url-with-spaces::list_sales_channels",
    ]);
    let request_line = server.join().unwrap();
    assert_eq!(
        request_line.trim_end(),
        "GET /beta/teams?$filter=displayName%20eq%20%27Sales%27 HTTP/1.1",
        "{run:?}"
    );
}

#[test]
fn a_blank_line_between_the_request_line_and_its_headers() {
    let (sandbox, _) = extracted(
        "blank-line-before-headers.md",
        &[(15, "blank-line-before-headers"), (29, "blank-line-before-headers")],
    );
    let case = sandbox.json("cases/blank-line-before-headers/create_note.json");
    assert_eq!(
        case["request"]["headers"],
        json!([
            {"name": "Content-type", "value": "application/json"},
            {"name": "Prefer", "value": "return=representation"}
        ])
    );
    assert_eq!(case["request"]["body"], json!({"title": "Groceries"}));
    assert_eq!(case["request"].get("bodyText"), None);
    assert_eq!(
        case["response"]["headers"],
        json!([{"name": "Content-type", "value": "application/json"}])
    );
    assert_eq!(case["response"]["body"], json!({"id": "n-1", "title": "Groceries"}));
}

#[test]
fn http_in_a_fence_of_another_language() {
    let (sandbox, _) =
        extracted("http-in-json-fence.md", &[(13, "fence-language"), (20, "fence-language")]);
    let case = sandbox.json("cases/http-in-json-fence/get_note.json");
    assert_eq!(case["request"]["method"], "GET");
    assert_eq!(case["request"]["url"], "https://graph.microsoft.com/v1.0/me/notes/n-1");
    assert_eq!(case["response"]["status"], 200);
    assert_eq!(case["response"]["body"], json!({"id": "n-1", "title": "Groceries"}));
}

#[test]
fn pairing_never_crosses_another_request() {
    // The 202 answers the `ignored` request right before it: it is left out with it, and the
    // documented callback before them keeps no response.
    let (sandbox, run) = extracted(
        "pairing-across-ignored.md",
        &[(14, "unpaired-request"), (38, "ignored-response")],
    );
    let ignored = diagnostics(&run.stderr).into_iter().find(|d| d.line == 38).unwrap();
    assert!(ignored.message.contains("line 26, which is marked `ignored`"), "{}", ignored.message);
    let callback = sandbox.json("cases/pairing-across-ignored/incoming_call_notification.json");
    assert_eq!(callback["request"]["url"], "https://bot.contoso.com/api/calls");
    assert_eq!(callback.get("response"), None);
    assert_eq!(sandbox.files("cases").len(), 1);
}

#[test]
fn pairing_never_skips_an_unannotated_request_with_a_relative_url() {
    // The 201 answers the unannotated `POST /me/events` right before it, not `list_events`;
    // a bare `GET /me/events/e-1` with a response right after it is a request too; an
    // `ignored` block with a relative URL keeps the 202 from pairing with `delete_event`.
    let (sandbox, _) = extracted(
        "pairing-unannotated-relative.md",
        &[
            (14, "unpaired-request"),
            (21, "missing-annotation"),
            (45, "missing-annotation"),
            (63, "unpaired-request"),
            (78, "ignored-response"),
        ],
    );
    let dir = "cases/pairing-unannotated-relative";
    let list = sandbox.json(&format!("{dir}/list_events.json"));
    assert_eq!(list.get("response"), None);
    let create = sandbox.json(&format!("{dir}/example-2.json"));
    assert_eq!(create["request"]["method"], "POST");
    assert_eq!(create["request"]["url"], "/me/events");
    assert_eq!(create["request"]["body"], json!({"subject": "Lunch"}));
    assert_eq!(create["response"]["status"], 201);
    let get = sandbox.json(&format!("{dir}/example-3.json"));
    assert_eq!(get["request"]["url"], "/me/events/e-1");
    assert_eq!(get["response"]["status"], 200);
    let delete = sandbox.json(&format!("{dir}/delete_event.json"));
    assert_eq!(delete.get("response"), None);
    assert_eq!(sandbox.files("cases").len(), 4);
}

#[test]
fn alternatives_in_braces_are_one_placeholder() {
    let (sandbox, _) = extracted("alternatives-in-braces.md", &[]);
    let url =
        "https://graph.microsoft.com/v1.0/me/drive/items/{id}/workbook/worksheets/{id|name}/charts";
    let charts = sandbox.json("cases/alternatives-in-braces/list_charts.json");
    assert_eq!(charts["request"]["url"], url);
    assert_eq!(
        charts["request"]["params"],
        json!({"id": "01CYZLFJGUJ7JHBSZDFZFL25KSZGQTVAUN", "id|name": "Sheet1"})
    );
    let any = sandbox.json("cases/alternatives-in-braces/list_charts_any_sheet.json");
    assert_eq!(any["request"]["url"], url);
    assert_eq!(any["request"].get("params"), None);
}

#[test]
fn a_response_shared_by_several_requests_pairs_with_each() {
    let (sandbox, _) = extracted("shared-response.md", &[]);
    for name in ["get-drive-1", "get-drive-2"] {
        let case = sandbox.json(&format!("cases/shared-response/{name}.json"));
        assert_eq!(case["response"]["status"], 200, "{name}");
        assert_eq!(case["response"]["body"]["driveType"], "business", "{name}");
        assert_eq!(case["source"]["responseLine"], 28, "{name}");
    }
}

#[test]
fn status_lines_without_the_version() {
    let (sandbox, _) = extracted("status-without-version.md", &[(20, "status-line-version")]);
    let case = sandbox.json("cases/status-without-version/create_tag.json");
    assert_eq!(case["response"]["status"], 201);
    assert_eq!(case["response"]["reason"], "Created");
    assert_eq!(case["response"]["body"], json!({"id": "t-1", "displayName": "urgent"}));
}

#[test]
fn syntax_blocks_are_never_examples() {
    // The unannotated syntax block is syntax as a matter of course; the one annotated as a
    // request under the heading is reported, and neither becomes a case.
    let (sandbox, _) = extracted("syntax-block-absolute.md", &[(18, "syntax-block-annotated")]);
    let written: Vec<_> = sandbox.files("cases").into_keys().collect();
    assert_eq!(written, ["syntax-block-absolute/list_events.json"]);
    // The absolute syntax lines still give the placeholder for the example's literal id.
    let case = sandbox.json("cases/syntax-block-absolute/list_events.json");
    assert_eq!(case["request"]["url"], "https://graph.microsoft.com/v1.0/users/{id}/events");
    assert_eq!(case["request"]["params"], json!({"id": "8f3c0a1e-5b7d-4e21-9c6a-2d4b8e0f1a37"}));
}

#[test]
fn several_resource_blocks_of_one_type_are_merged() {
    let (sandbox, _) = extracted("resource-blocks.md", &[(28, "resource-merged")]);
    let written: Vec<_> = sandbox.files("cases").into_keys().collect();
    assert_eq!(written, ["resource-blocks/microsoft.graph.note.type.json"]);
    let note = sandbox.json("cases/resource-blocks/microsoft.graph.note.type.json");
    let names: Vec<_> = note["properties"].as_object().unwrap().keys().cloned().collect();
    assert_eq!(names, ["id", "pinned", "title"]);
    assert_eq!(note["properties"]["pinned"]["type"], "boolean");
    assert_eq!(note["keyProperty"], "id");
    assert_eq!(note["optionalProperties"], json!(["pinned"]));
    assert_eq!(note["source"]["line"], 18);
    // Extracting again finds nothing to change: the blocks no longer overwrite each other.
    let run = sandbox.run(&["extract", "pages/resource-blocks.md", "--out", "cases", "--check"]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn method_conflict_compares_only_named_examples_of_one_endpoint() {
    let sandbox = Sandbox::new("method");
    // Two pages, one URL, two operations, neither example named: not a conflict.
    let run = sandbox.run(&["extract", "pages/method", "--out", "cases"]);
    assert_eq!(run.code, 0, "{run:?}");
    let found: Vec<_> = diagnostics(&run.stderr).into_iter().map(|d| d.code).collect();
    assert!(!found.iter().any(|c| c == "method-conflict"), "{}", run.stderr);
    assert_eq!(found.iter().filter(|c| *c == "missing-annotation").count(), 4);
    // Named alike, they are the same operation documented twice, and the lint speaks.
    for (page, method) in [("get-profile", "GET"), ("update-profile", "PATCH")] {
        let path = format!("pages/method/{page}.md");
        let text = sandbox.read(&path);
        let named = text.replacen(
            &format!("```http\n{method}"),
            &format!("<!-- {{ \"blockType\": \"request\", \"name\": \"profile\" }} -->\n```http\n{method}"),
            1,
        );
        sandbox.write(&path, &named);
    }
    let run = sandbox.run(&["extract", "pages/method", "--out", "named"]);
    let conflicts: Vec<_> =
        diagnostics(&run.stderr).into_iter().filter(|d| d.code == "method-conflict").collect();
    assert_eq!(conflicts.len(), 1, "{}", run.stderr);
    assert!(conflicts[0].message.contains("with PATCH and with GET"), "{}", conflicts[0].message);
}

#[test]
fn resource_type_conflict_accepts_enum_typed_properties() {
    let (sandbox, _) = extracted("enum-property.md", &[]);
    let tag = sandbox.json("cases/enum-property/microsoft.graph.tag.type.json");
    let props = &tag["properties"];
    assert_eq!(props["colour"], json!({"type": "string", "graphType": "tagColour"}));
    assert_eq!(
        props["shades"],
        json!({"type": "array", "items": "string", "graphType": "tagColour collection"})
    );
    // A linked complex type is still an object of that type.
    assert_eq!(props["owner"]["type"], "object");
    assert_eq!(props["owner"]["odataType"], "microsoft.graph.identity");
}

/// Issue 12, item 13: an Outlook id with few digits (`{AAMkAGI2THVSAAA}`) is a literal in
/// braces, reported, while placeholders of every shape stay placeholders.
#[test]
fn literal_in_braces_for_a_name_like_id() {
    let (sandbox, run) = extracted(
        "name-like-literal-in-braces.md",
        &[(23, "literal-in-braces"), (38, "literal-in-braces")],
    );
    let dir = "cases/name-like-literal-in-braces";
    let message = sandbox.json(&format!("{dir}/get_message.json"));
    let v1 = "https://graph.microsoft.com/v1.0";
    assert_eq!(message["request"]["url"], format!("{v1}/users/{{user-id}}/messages/{{id}}"));
    assert_eq!(message["request"]["params"], json!({"id": "AAMkAGI2THVSAAA"}));
    let folder = sandbox.json(&format!("{dir}/get_mail_folder.json"));
    assert_eq!(
        folder["request"]["url"],
        format!("{v1}/me/mailFolders/AQMkADAwATNiZmYAZS05YjQAAC4AAAA")
    );
    let diags = diagnostics(&run.stderr);
    assert!(diags[0].message.contains("`AAMkAGI2THVSAAA`"), "{}", diags[0].message);
    assert!(
        diags[0].message.contains("replaced by the syntax's placeholder `{id}`"),
        "{:?}",
        diags
    );
    assert!(diags[1].message.contains("read as the literal value"), "{:?}", diags);
    let url = |name: &str| sandbox.json(&format!("{dir}/{name}.json"))["request"]["url"].clone();
    assert_eq!(url("get_thread"), format!("{v1}/groups/{{group-id}}/threads/{{keySetId}}"));
    assert_eq!(
        url("get_registration"),
        format!(
            "{v1}/users/{{userPrincipalName}}/managedAppRegistrations/{{iOSManagedAppProtectionId}}"
        )
    );
    assert_eq!(
        url("get_sheet"),
        format!(
            "{v1}/me/drive/items/{{id}}/workbook/worksheets/{{id|name}}/tables/{{ODataType}}/rows/{{TENANT_ID}}"
        )
    );
}

#[test]
fn literal_in_braces_only_for_literals() {
    // Placeholder names (with digits, dashes, spaces, alternatives, long Intune names, several
    // in one segment) pass; id-shaped values (base64-like, GUIDs either case, digits, an
    // address, a host name, an Outlook id) do not.
    let literals: Vec<(u32, &str)> =
        [25, 38, 51, 142, 155, 168, 194].into_iter().map(|l| (l, "literal-in-braces")).collect();
    let (sandbox, _) = extracted("placeholders-in-braces.md", &literals);
    let grant = sandbox.json("cases/placeholders-in-braces/get_grant.json");
    assert_eq!(
        grant["request"]["url"],
        "https://graph.microsoft.com/v1.0/users/{user-id}/oauth2PermissionGrants/{oauth2PermissionGrantId}/x509Configurations/{x509CertificateConfiguration-id}"
    );
    let by_id = sandbox.json("cases/placeholders-in-braces/get_grant_by_id.json");
    assert_eq!(
        by_id["request"]["url"],
        "https://graph.microsoft.com/v1.0/users/{user-id}/oauth2PermissionGrants/l5ugQ0cmW06Sn7HJ7aaw3zkPZkPGQ8gkWSVfNaQ"
    );
    let url = |name: &str| {
        sandbox.json(&format!("cases/placeholders-in-braces/{name}.json"))["request"]["url"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let v1 = "https://graph.microsoft.com/v1.0";
    assert_eq!(url("get_class"), format!("{v1}/education/classes/19002"));
    assert_eq!(
        url("get_event_by_guid"),
        format!("{v1}/users/48d31887-5fad-4d73-a9f5-3c356e68a038/events")
    );
    assert_eq!(url("get_photo"), format!("{v1}/users/{{id|userPrincipalName}}/photo/$value"));
    assert_eq!(
        url("get_site"),
        format!("{v1}/sites/{{hostname}},{{spsite-id}},{{spweb-id}}/lists")
    );
    assert_eq!(
        url("get_site_by_path"),
        format!("{v1}/sites/{{hostname}}:{{server-relative-path}}")
    );
    assert_eq!(url("get_site_by_host"), format!("{v1}/sites/contoso.sharepoint.com/drive"));
    assert_eq!(url("get_item_by_name"), format!("{v1}/me/drive/items/{{item.name}}/content"));
    assert_eq!(
        url("get_team_channel"),
        format!("{v1}/teams/{{team-id}}/channels/{{channel id}}/messages/{{message_id}}")
    );
}

// Extracting into a directory and then checking against it passes on any generated corpus,
// including the shapes that used to make outputs collide: several resource blocks of one type,
// names that differ only where a file name cannot (`a b`, `a_b`, `A_B`), two pages with one
// stem (`p.md`, `p.txt`), a case named like a type file.

mod corpus {
    use proptest::prelude::*;

    const NAMES: &[Option<&str>] =
        &[None, Some("get"), Some("a b"), Some("a_b"), Some("A_B"), Some("x.type"), Some("get")];
    const URLS: &[&str] = &[
        "https://graph.microsoft.com/v1.0/things/{id}",
        "https://graph.microsoft.com/v1.0/things/42/parts/43",
        "https://graph.microsoft.com/v1.0/things?$filter=name eq 'a b'",
        "https://graph.microsoft.com/v1.0/things/{id|name}",
        "/things/{id}",
    ];
    const TYPES: &[&str] = &[
        "microsoft.graph.thing",
        "microsoft.graph.thing",
        "microsoft.graph.a b",
        "microsoft.graph.a_b",
    ];
    const FILES: &[&str] = &["p.md", "p.txt", "P.md", "p", "sub/p.md", "sub.md", "q.md"];

    #[derive(Debug, Clone)]
    pub enum Block {
        Request { name: Option<&'static str>, url: &'static str, blank_before_headers: bool },
        Response { names: Vec<&'static str>, versionless: bool },
        Ignored { url: &'static str },
        Resource { odata_type: &'static str, props: Vec<(&'static str, &'static str)> },
    }

    fn block() -> impl Strategy<Value = Block> {
        let name = proptest::sample::select(NAMES);
        let url = proptest::sample::select(URLS);
        let some_names = proptest::collection::vec(
            proptest::sample::select(&["get", "a b", "a_b", "none"][..]),
            0..3,
        );
        let props = proptest::collection::vec(
            (
                proptest::sample::select(&["id", "name", "size", "state"][..]),
                proptest::sample::select(&["\"String\"", "\"Int32\"", "[\"String\"]", "{}"][..]),
            ),
            0..4,
        );
        prop_oneof![
            (name, url.clone(), any::<bool>()).prop_map(|(name, url, blank_before_headers)| {
                Block::Request { name, url, blank_before_headers }
            }),
            (some_names, any::<bool>())
                .prop_map(|(names, versionless)| Block::Response { names, versionless }),
            url.prop_map(|url| Block::Ignored { url }),
            (proptest::sample::select(TYPES), props)
                .prop_map(|(odata_type, props)| Block::Resource { odata_type, props }),
        ]
    }

    fn render(blocks: &[Block]) -> String {
        let mut page = String::from("---\ntitle: generated\n---\n\n# Page\n\n");
        page.push_str("## HTTP request\n\n```http\nGET /things/{id}/parts/{id}\n```\n\n");
        page.push_str("## Properties\n\n|Property|Type|Description|\n|:---|:---|:---|\n");
        page.push_str("|state|[thingState](enums.md)|The state.|\n\n## Examples\n\n");
        for block in blocks {
            match block {
                Block::Request { name, url, blank_before_headers } => {
                    let ann = match name {
                        Some(n) => format!("{{ \"blockType\": \"request\", \"name\": \"{n}\" }}"),
                        None => "{ \"blockType\": \"request\" }".to_string(),
                    };
                    let blank = if *blank_before_headers { "\n" } else { "" };
                    page.push_str(&format!(
                        "<!-- {ann} -->\n```http\nPOST {url}\n{blank}Content-type: application/json\n\n{{\"a\": 1}}\n```\n\n"
                    ));
                }
                Block::Response { names, versionless } => {
                    let list: Vec<String> = names.iter().map(|n| format!("\"{n}\"")).collect();
                    let status = if *versionless { "HTTP 200 OK" } else { "HTTP/1.1 200 OK" };
                    page.push_str(&format!(
                        "<!-- {{ \"blockType\": \"response\", \"name\": [{}] }} -->\n```http\n{status}\nContent-type: application/json\n\n{{\"id\": \"x\"}}\n```\n\n",
                        list.join(", ")
                    ));
                }
                Block::Ignored { url } => {
                    page.push_str(&format!(
                        "<!-- {{ \"blockType\": \"ignored\" }} -->\n```http\nPOST {url}\n```\n\n"
                    ));
                }
                Block::Resource { odata_type, props } => {
                    let members: Vec<String> =
                        props.iter().map(|(k, v)| format!("  \"{k}\": {v}")).collect();
                    page.push_str(&format!(
                        "<!-- {{ \"blockType\": \"resource\", \"@odata.type\": \"{odata_type}\" }} -->\n```json\n{{\n{}\n}}\n```\n\n",
                        members.join(",\n")
                    ));
                }
            }
        }
        page
    }

    /// A corpus: a few pages, each at one of a few paths that collide in interesting ways.
    pub fn corpus() -> impl Strategy<Value = Vec<(&'static str, String)>> {
        proptest::collection::btree_map(
            proptest::sample::select(FILES),
            proptest::collection::vec(block(), 0..7),
            1..5,
        )
        .prop_map(|pages| pages.into_iter().map(|(file, blocks)| (file, render(&blocks))).collect())
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    #[test]
    fn extract_then_check_passes_on_any_generated_corpus(pages in corpus::corpus()) {
        let sandbox = Sandbox::new("corpus");
        for (file, text) in &pages {
            let path = sandbox.path(&format!("gen/{file}"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        let run = sandbox.run(&["extract", "gen", "--out", "cases"]);
        proptest::prop_assert_eq!(run.code, 0, "{:?}", run);
        let check = sandbox.run(&["extract", "gen", "--out", "cases", "--check"]);
        proptest::prop_assert_eq!(check.code, 0, "{:?}\nfirst run: {:?}", check, run);
        proptest::prop_assert!(listed(&check.stdout).is_empty(), "{}", check.stdout);
        // And writing again changes nothing.
        let before = sandbox.files("cases");
        let again = sandbox.run(&["extract", "gen", "--out", "cases"]);
        proptest::prop_assert_eq!(again.code, 0, "{:?}", again);
        proptest::prop_assert!(before == sandbox.files("cases"), "a second extraction rewrote files");
    }
}
