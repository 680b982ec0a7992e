//! Snapshots end to end, through the real binary: recording, comparing, pending files,
//! `--accept`, CI, atomic writes under `kill -9`, secrets kept out of every output, and the
//! files read by insta (and by cargo-insta itself when it is installed).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::http::HeaderMap;
use serde_json::{Value, json};

mod common;

const EXE: &str = env!("CARGO_BIN_EXE_exemplar");

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn temp_dir(name: &str) -> common::Scratch {
    common::Scratch::new(&format!("snap-{name}"))
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file below `dir` with its contents, by relative path.
fn tree(dir: &Path) -> BTreeMap<String, String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).unwrap())
        })
        .collect()
}

/// `exemplar run` on the committed cases with snapshots in `snapshots`, without CI or
/// INSTA_UPDATE from the environment unless given. Without `--checks`, the cases' layers
/// (contract and snapshot): behaviour checks record no snapshots.
fn run(snapshots: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(EXE);
    cmd.arg("run");
    if !args.contains(&"--checks") {
        cmd.args(["--checks", "contract,snapshot"]);
    }
    cmd.arg("--cases")
        .arg(repo().join("cases"))
        .arg("--snapshots")
        .arg(snapshots)
        .args(["--color", "never", "--test-threads", "4"])
        .args(args)
        .env_remove("CI")
        .env_remove("INSTA_UPDATE")
        .env_remove("GITHUB_ACTIONS");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

fn pending(dir: &Path) -> Vec<String> {
    tree(dir).into_keys().filter(|k| k.ends_with(".snap.new")).collect()
}

#[test]
fn committed_snapshots_are_read_by_insta() {
    let dir = repo().join("snapshots/reference");
    let mut files = tree(&dir);
    // A developer's own pending files are not the repository's.
    files.retain(|k, _| !k.ends_with(".snap.new"));
    assert!(files.len() >= 19, "{} snapshots", files.len());
    for (rel, body) in &files {
        assert!(rel.ends_with(".snap"), "{rel}: only snapshots are committed");
        let snap = insta::Snapshot::from_file(&dir.join(rel)).unwrap();
        let ours = exemplar::snapshot::SnapFile::parse(body).unwrap();
        assert_eq!(snap.metadata().source(), Some(ours.source.as_str()), "{rel}");
        assert_eq!(snap.metadata().expression(), ours.expression.as_deref(), "{rel}");
        let contents = snap.as_text().unwrap().to_string();
        assert_eq!(contents, ours.contents, "{rel}");
        assert!(contents.starts_with("HTTP "), "{rel}");
        // The source names the case file in the repository, the same on every machine.
        assert!(repo().join(&ours.source).is_file(), "{rel}: {}", ours.source);
    }
}

#[test]
fn a_changed_target_gives_mismatches_and_pending_files_until_accepted() {
    let dir = temp_dir("accept");
    copy_dir(&repo().join("snapshots"), &dir);
    let before = tree(&dir);

    let out = run(&dir, &["--mock-deviate", "extra-property"], &[]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("snapshot-mismatch at /exemplarExtra: expected absent, actual true"),
        "{all}"
    );
    assert!(all.contains("+  \"exemplarExtra\": true,"), "a unified diff: {all}");
    assert!(all.contains("--- snapshot "), "{all}");
    let new = pending(&dir);
    assert!(!new.is_empty(), "pending files: {all}");
    for p in &new {
        let snap = insta::Snapshot::from_file(&dir.join(p)).unwrap();
        assert!(snap.as_text().unwrap().to_string().contains("\"exemplarExtra\": true"), "{p}");
        // The snapshot itself is untouched until it is accepted.
        let old = p.trim_end_matches(".new");
        assert_eq!(tree(&dir)[old], before[old]);
    }

    // Only the snapshot layer, accepted: the next run of the same target passes.
    let out =
        run(&dir, &["--mock-deviate", "extra-property", "--checks", "snapshot", "--accept"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(pending(&dir).is_empty(), "accepting removes the pending files");
    let out = run(&dir, &["--mock-deviate", "extra-property", "--checks", "snapshot"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    // With both layers the documented contract still objects, but no snapshot does.
    let out = run(&dir, &["--mock-deviate", "extra-property"], &[]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("property-undocumented"), "{all}");
    assert!(!all.contains("snapshot-"), "{all}");

    // And the unchanged mock now differs from the accepted recordings.
    let out = run(&dir, &["--checks", "snapshot"], &[]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(
        all.contains("snapshot-mismatch at /exemplarExtra: expected true, actual absent"),
        "{all}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn ci_and_check_write_nothing() {
    let dir = temp_dir("ci");
    copy_dir(&repo().join("snapshots"), &dir);
    std::fs::remove_file(dir.join(
        "reference/docs/graph/beta/api/trustframeworkkeyset-get/get_trustframeworkkeyset.snap",
    ))
    .unwrap();
    let before = tree(&dir);
    for (args, env) in [
        (vec!["--mock-deviate", "wrong-type"], vec![("CI", "true")]),
        (vec!["--mock-deviate", "wrong-type", "--accept"], vec![("CI", "true")]),
        (vec!["--mock-deviate", "wrong-type", "--check"], vec![("INSTA_UPDATE", "always")]),
        (vec!["--mock-deviate", "wrong-type"], vec![("INSTA_UPDATE", "no")]),
    ] {
        let out = run(&dir, &args, &env);
        let all = text(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?} {env:?}: {all}");
        assert!(all.contains("snapshot-mismatch"), "{all}");
        assert!(all.contains("snapshot-missing"), "{all}");
        assert_eq!(tree(&dir), before, "{args:?} {env:?} wrote something");
    }
    // INSTA_UPDATE=unseen writes the new snapshot but leaves changed ones for review.
    let out = run(&dir, &["--mock-deviate", "wrong-type"], &[("INSTA_UPDATE", "unseen")]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let after = tree(&dir);
    assert!(after.contains_key(
        "reference/docs/graph/beta/api/trustframeworkkeyset-get/get_trustframeworkkeyset.snap"
    ));
    assert!(after.keys().any(|k| k.ends_with(".snap.new")));
    let out = run(&dir, &[], &[("INSTA_UPDATE", "sometimes")]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_recordings_of_the_reference_mock_are_identical() {
    let a = temp_dir("twice-a");
    let b = temp_dir("twice-b");
    for dir in [&a, &b] {
        let out = run(dir, &["--accept"], &[]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    }
    let (ta, tb) = (tree(&a), tree(&b));
    assert!(ta.len() >= 19);
    assert_eq!(ta, tb);
    // They are also the committed recordings: the repository's set is up to date.
    let mut committed = tree(&repo().join("snapshots"));
    committed.retain(|k, _| k.ends_with(".snap"));
    assert_eq!(ta, committed);
    // And --record-twice finds nothing unstable.
    let out = run(&a, &["--record-twice"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&a);
    let _ = std::fs::remove_dir_all(&b);
}

#[test]
fn record_twice_proposes_volatile_pointers() {
    // A copy of the cases where the generated key's modulus is no longer listed as volatile.
    let dir = temp_dir("unstable");
    let cases = dir.join("cases");
    copy_dir(&repo().join("cases"), &cases);
    let path = cases.join("docs/graph/beta/api/trustframeworkkeyset-generatekey/trustframeworkkeyset_generatekey.json");
    let mut case: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    case.as_object_mut().unwrap().remove("volatile");
    std::fs::write(&path, serde_json::to_string_pretty(&case).unwrap()).unwrap();
    let out = Command::new(EXE)
        .args(["run", "--color", "never", "--record-twice", "--accept", "generatekey"])
        .arg("--cases")
        .arg(&cases)
        .arg("--snapshots")
        .arg(dir.join("snapshots"))
        .env_remove("CI")
        .output()
        .unwrap();
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains("snapshot-unstable at /n"), "{all}");
    assert!(all.contains("add to the case's \"volatile\" list: [\"/n\"]"), "{all}");
    // An unstable recording is never written, not even with --accept.
    let written = dir.join("snapshots");
    assert!(!written.exists() || tree(&written).is_empty(), "{all}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_killed_recording_leaves_every_snapshot_old_or_new() {
    // The new recordings: what a complete run against the changed mock writes.
    let new_dir = temp_dir("kill-new");
    copy_dir(&repo().join("snapshots"), &new_dir);
    let out = run(&new_dir, &["--mock-deviate", "extra-property", "--accept"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let mut old = tree(&repo().join("snapshots"));
    old.retain(|k, _| k.ends_with(".snap"));
    let new = tree(&new_dir);
    assert_ne!(old, new);

    let dir = temp_dir("kill");
    let mut interrupted = 0;
    for delay_ms in [0u64, 5, 20, 40, 80, 120, 160, 220, 300, 400, 600] {
        let _ = std::fs::remove_dir_all(&dir);
        copy_dir(&repo().join("snapshots"), &dir);
        let mut child = Command::new(EXE)
            .args(["run", "--mock-deviate", "extra-property", "--accept", "-q"])
            .arg("--cases")
            .arg(repo().join("cases"))
            .arg("--snapshots")
            .arg(dir.as_os_str())
            .env_remove("CI")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let status = child.wait().unwrap();
        interrupted += usize::from(status.code().is_none());
        for (rel, body) in tree(&dir) {
            if !rel.ends_with(".snap") {
                continue;
            }
            assert!(
                old.get(&rel) == Some(&body) || new.get(&rel) == Some(&body),
                "after {delay_ms} ms: {rel} is neither the old nor the new snapshot:\n{body}"
            );
            insta::Snapshot::from_file(&dir.join(&rel)).unwrap();
        }
    }
    assert!(interrupted > 0, "no run was interrupted; the test proved nothing");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&new_dir);
}

/// A target that answers every request with everything it was sent: headers, the raw body
/// and the parsed body, under names that are not secret.
async fn echo_server() -> (String, tokio::task::JoinHandle<()>) {
    async fn echo(headers: HeaderMap, body: Bytes) -> axum::response::Response {
        let seen: BTreeMap<String, String> = headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let raw = String::from_utf8_lossy(&body).to_string();
        let parsed: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        let answer =
            json!({"seen": {"headers": seen, "raw": raw, "parsed": parsed, "again": parsed}});
        axum::response::Response::builder()
            .status(200)
            .header("content-type", "application/json")
            .header("x-echo", raw)
            .body(axum::body::Body::from(answer.to_string()))
            .unwrap()
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = Router::new().fallback(echo);
    let handle = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (format!("http://{addr}"), handle)
}

const CANARY_TOKEN: &str = "canary-token-5f1d2a9c";
const CANARY_K: &str = "canary-k-0b7e44aa";
const CANARY_D: &str = "canary-d-93c1e6f0";
const CANARY_PASSWORD: &str = "canary-password-2d8b";

#[test]
fn canary_secrets_reach_no_snapshot_and_no_output() {
    let dir = temp_dir("canary");
    let cases = dir.join("cases");
    std::fs::create_dir_all(cases.join("echo")).unwrap();
    let case = json!({
        "format": 1,
        "id": "echo::upload",
        "request": {
            "method": "POST",
            "url": "https://graph.microsoft.com/beta/echo",
            "body": {
                "keys": [{"kty": "RSA", "d": CANARY_D, "p": CANARY_D, "k": CANARY_K}],
                "password": CANARY_PASSWORD
            }
        },
        "response": {"status": 201, "body": {"id": "documented"}}
    });
    std::fs::write(cases.join("echo/upload.json"), serde_json::to_string_pretty(&case).unwrap())
        .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (base, server) = runtime.block_on(echo_server());
    let snapshots = dir.join("snapshots");
    let mut outputs = String::new();
    // Pending files from a failing run, then accepted snapshots, then a comparison.
    let reports = dir.join("reports");
    for (i, extra) in [&[][..], &["--accept"][..], &[][..]].into_iter().enumerate() {
        let report = |ext: &str| reports.join(format!("run{i}.{ext}"));
        let out = Command::new(EXE)
            .args(["run", "--color", "never", "--token-env", "EXEMPLAR_CANARY"])
            .arg("--target")
            .arg(&base)
            .arg("--cases")
            .arg(&cases)
            .arg("--snapshots")
            .arg(&snapshots)
            .args(extra)
            .arg("--report-json")
            .arg(report("json"))
            .arg("--report-junit")
            .arg(report("xml"))
            .arg("--report-md")
            .arg(report("md"))
            .arg("--report-html")
            .arg(report("html"))
            .env("EXEMPLAR_CANARY", CANARY_TOKEN)
            .env_remove("CI")
            .output()
            .unwrap();
        let all = text(&out);
        assert_eq!(out.status.code(), Some(1), "the contract deviates: {all}");
        assert!(all.contains("status-mismatch"), "{all}");
        outputs.push_str(&all);
    }
    server.abort();
    let files = tree(&snapshots);
    assert!(files.keys().any(|k| k.ends_with(".snap")), "{files:?}");
    let recorded = files.values().cloned().collect::<Vec<_>>().join("\n");
    assert!(recorded.contains("[redacted]"), "the echo was recorded: {recorded}");
    let written = tree(&reports);
    assert_eq!(written.len(), 12, "{:?}", written.keys());
    let reported = written.values().cloned().collect::<Vec<_>>().join("\n");
    assert!(reported.contains("[redacted]"), "the echo was reported");
    for canary in [CANARY_TOKEN, CANARY_K, CANARY_D, CANARY_PASSWORD] {
        assert!(!recorded.contains(canary), "{canary} reached a snapshot:\n{recorded}");
        assert!(!reported.contains(canary), "{canary} reached a report");
        assert!(!outputs.contains(canary), "{canary} reached the console:\n{outputs}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// cargo-insta itself lists and accepts the pending files of a run. Needs cargo-insta
/// (`.ci/run` installs it): fails without it under `CI=true`, says so and checks nothing
/// elsewhere.
#[test]
fn cargo_insta_lists_and_accepts_pending_snapshots() {
    let probe = Command::new("cargo").args(["insta", "--version"]).output();
    let install = "cargo install cargo-insta --locked --version <the insta of Cargo.lock>";
    if !common::tool_available(probe.is_ok_and(|o| o.status.success()), "cargo-insta", install) {
        return;
    }
    // A crate of its own, as cargo-insta works on a cargo workspace.
    let dir = temp_dir("cargo-insta");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"snaps\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[workspace]\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/lib.rs"), "").unwrap();
    let snapshots = dir.join("snapshots");
    copy_dir(&repo().join("snapshots"), &snapshots);
    let out = run(&snapshots, &["--mock-deviate", "extra-property"], &[]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let new = pending(&snapshots);
    assert!(!new.is_empty());

    let cargo_insta = |args: &[&str]| {
        let out = Command::new("cargo")
            .arg("insta")
            .args(args)
            .arg("--manifest-path")
            .arg(dir.join("Cargo.toml"))
            .env_remove("CI")
            .env("CARGO_TARGET_DIR", dir.join("target"))
            .output()
            .unwrap();
        assert!(out.status.success(), "cargo insta {args:?}: {}", text(&out));
        text(&out)
    };
    let listed = cargo_insta(&["pending-snapshots"]);
    for p in &new {
        let name =
            Path::new(p).file_name().unwrap().to_string_lossy().replace(".snap.new", ".snap");
        assert!(listed.contains(&name), "{name} not listed:\n{listed}");
    }
    cargo_insta(&["accept"]);
    assert!(pending(&snapshots).is_empty(), "cargo insta accept left pending files");
    // What cargo-insta accepted is what exemplar itself would have written.
    let out = run(&snapshots, &["--mock-deviate", "extra-property", "--checks", "snapshot"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let accepted = tree(&snapshots);
    let own = temp_dir("cargo-insta-own");
    copy_dir(&repo().join("snapshots"), &own);
    run(&own, &["--mock-deviate", "extra-property", "--accept"], &[]);
    assert_eq!(accepted, tree(&own), "cargo-insta's accepted files differ from exemplar's");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&own);
}

/// Issue 14, item 11: the test above, run again where no cargo (so no cargo-insta) can be
/// found, fails under `CI=true` and elsewhere passes with a notice that shows in a passing run.
#[test]
fn without_cargo_insta_the_parity_test_fails_under_ci_and_says_so_elsewhere() {
    common::assert_fails_under_ci_without(
        "cargo_insta_lists_and_accepts_pending_snapshots",
        "cargo-insta",
    );
}

#[test]
fn snapshots_without_a_case_are_reported() {
    let dir = temp_dir("orphans");
    copy_dir(&repo().join("snapshots"), &dir);
    let gone = dir.join("reference/docs/graph/beta/api/removed-page/removed_example.snap");
    std::fs::create_dir_all(gone.parent().unwrap()).unwrap();
    std::fs::write(&gone, "---\nsource: cases/removed.json\n---\nHTTP 200\n").unwrap();
    let out = run(&dir, &["-q"], &[]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(all.contains("1 snapshot belongs to no case; delete it if the case is gone"), "{all}");
    assert!(all.contains("removed_example.snap"), "{all}");
    // A filtered run does not know about the other cases, so it says nothing.
    let out = run(&dir, &["-q", "trustframeworkkeyset-get::"], &[]);
    assert!(!text(&out).contains("belong to no case"), "{}", text(&out));
    let _ = std::fs::remove_dir_all(&dir);
}
