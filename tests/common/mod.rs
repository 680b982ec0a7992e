//! Helpers shared by the integration tests: scratch directories that are removed however the
//! test ends, and the rule for tests that need a tool from outside Cargo.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::ops::Deref;
use std::path::Path;

/// A directory of the system's temporary directory, removed with everything in it when
/// dropped, also when an assertion fails.
#[derive(Debug)]
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        Scratch(tempfile::Builder::new().prefix(&format!("exemplar-{name}-")).tempdir().unwrap())
    }
}

impl Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        self.0.path()
    }
}

impl AsRef<Path> for Scratch {
    fn as_ref(&self) -> &Path {
        self.0.path()
    }
}

/// Whether a test that needs `tool` can run. Under `CI=true` a missing tool fails the test
/// (`.ci/run` installs every tool, so a skip there would be a false green); elsewhere the test
/// is skipped with a notice written straight to the process's stderr, which libtest does not
/// capture, so the skip shows in the output of a passing run.
#[allow(clippy::disallowed_methods)] // a test's own notice, on purpose outside libtest's capture
pub fn tool_available(available: bool, tool: &str, install: &str) -> bool {
    if available {
        return true;
    }
    if exemplar::snapshot::is_ci() {
        panic!("{tool} is needed by this test and is not installed under CI ({install})");
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "notice: {tool} is not installed, so this test checks nothing ({install}); under CI=true it fails"
    );
    false
}

/// Sends the libtest output of a run made inside a test to a temporary file (removed when
/// the returned handle is dropped) instead of the test binary's stdout, which libtest does
/// not capture for it.
pub fn nested_log(args: &mut libtest_mimic::Arguments) -> tempfile::NamedTempFile {
    let log =
        tempfile::Builder::new().prefix("exemplar-nested-").suffix(".log").tempfile().unwrap();
    args.logfile = Some(log.path().display().to_string());
    log
}

/// Serves `app` on 127.0.0.1:0 on a runtime of its own; returns its base URL.
pub fn serve_in_background(app: axum::Router) -> String {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{}", rx.recv().unwrap())
}

/// A finished process as a snapshot shows it: the exit code, then stdout, then stderr.
pub fn output_text(out: &std::process::Output) -> String {
    format!(
        "exit: {:?}\n--- stdout\n{}--- stderr\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Applies each `(pattern, replacement)` rule in turn: what differs from one run to the next
/// becomes a fixed placeholder.
pub fn redact(text: &str, rules: &[(&str, &str)]) -> String {
    let mut text = text.to_string();
    for (pattern, replacement) in rules {
        text = regex::Regex::new(pattern).unwrap().replace_all(&text, *replacement).into_owned();
    }
    text
}
