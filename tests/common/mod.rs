//! Helpers shared by the integration tests: scratch directories that are removed however the
//! test ends, the rule for tests that need a tool from outside Cargo (and its check), runs of
//! the harness in process that keep their output to themselves, and servers on loopback.

#![allow(dead_code, clippy::unwrap_used)]

use std::io::Write;
use std::ops::Deref;
use std::path::Path;
use std::process::{Command, Output};

use exemplar::cli::Exit;
use exemplar::run::CaseResult;
use exemplar::run::harness::RunOptions;

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

/// What a run of the library harness made inside a test gave: its exit, its results, and
/// libtest's lines of it.
#[derive(Debug)]
pub struct Nested {
    pub exit: Exit,
    pub results: Vec<CaseResult>,
    pub log: String,
}

/// Runs the library harness in a thread of its own (it builds its own runtime). libtest's
/// lines of the run go to a temporary file, read into [`Nested::log`], instead of the test
/// binary's stdout, which libtest does not capture for it: a passing `cargo test` shows no
/// `FAILED` lines of the runs its tests make fail on purpose.
pub fn run_nested(mut opts: RunOptions) -> Nested {
    let log =
        tempfile::Builder::new().prefix("exemplar-nested-").suffix(".log").tempfile().unwrap();
    opts.libtest.logfile = Some(log.path().display().to_string());
    let (exit, results) = std::thread::spawn(move || {
        let outcome = exemplar::run::run(opts);
        (outcome.exit, outcome.results)
    })
    .join()
    .unwrap();
    let log = std::fs::read_to_string(log.path()).unwrap();
    Nested { exit, results, log }
}

/// [`run_nested`], for the tests that read the results only.
pub fn run_lib(opts: RunOptions) -> (Exit, Vec<CaseResult>) {
    let nested = run_nested(opts);
    (nested.exit, nested.results)
}

/// Runs the test `test` of this test binary again in a child process that can find no tool:
/// its `PATH` is an empty directory and `EXEMPLAR_CHROMEDRIVER` is unset; with `CI=true`
/// when `ci`, without `CI` otherwise. Both streams are captured.
pub fn rerun_without_tools(test: &str, ci: bool) -> Output {
    let empty = Scratch::new("no-tools");
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["--exact", test, "--test-threads", "1"])
        .env("PATH", &*empty)
        .env_remove("EXEMPLAR_CHROMEDRIVER");
    if ci {
        cmd.env("CI", "true");
    } else {
        cmd.env_remove("CI");
    }
    cmd.output().unwrap()
}

/// The rule of [`tool_available`] for real, on the test `test` of this binary that needs
/// `tool`: without the tool it fails under `CI=true` saying what is missing, and elsewhere
/// passes with a notice on stderr, outside libtest's capture, so a passing run shows it.
pub fn assert_fails_under_ci_without(test: &str, tool: &str) {
    let under_ci = rerun_without_tools(test, true);
    let shown = output_text(&under_ci);
    assert_eq!(under_ci.status.code(), Some(101), "{shown}");
    let missing = format!("{tool} is needed by this test and is not installed under CI");
    assert!(String::from_utf8_lossy(&under_ci.stdout).contains(&missing), "{shown}");
    assert!(shown.contains("test result: FAILED. 0 passed; 1 failed"), "{shown}");

    let elsewhere = rerun_without_tools(test, false);
    let shown = output_text(&elsewhere);
    assert_eq!(elsewhere.status.code(), Some(0), "{shown}");
    let notice = format!("notice: {tool} is not installed, so this test checks nothing");
    assert!(String::from_utf8_lossy(&elsewhere.stderr).contains(&notice), "{shown}");
    assert!(shown.contains("test result: ok. 1 passed"), "{shown}");
}

/// The lines `.ci/run` refuses in the output of a passing `cargo test`: a test's `FAILED`,
/// libtest's `failures:` heading, a failed result.
pub fn failed_lines(output: &str) -> Vec<&str> {
    output
        .lines()
        .filter(|l| {
            (l.starts_with("test ") && l.ends_with("FAILED"))
                || *l == "failures:"
                || l.contains("test result: FAILED")
        })
        .collect()
}

/// Binds 127.0.0.1:0 on a runtime of its own, in a thread of its own, and hands the listener
/// to `serve`; returns the bound address.
pub fn listen_in_background<F, Fut>(serve: F) -> std::net::SocketAddr
where
    F: FnOnce(tokio::net::TcpListener) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()>,
{
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
            serve(listener).await;
        });
    });
    rx.recv().unwrap()
}

/// Serves `app` on 127.0.0.1:0 on a runtime of its own; returns its base URL.
pub fn serve_in_background(app: axum::Router) -> String {
    let addr = listen_in_background(|listener| async move {
        axum::serve(listener, app).await.unwrap();
    });
    format!("http://{addr}")
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
