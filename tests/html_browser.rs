//! The HTML report in a real browser: headless Chromium, driven through chromedriver over
//! WebDriver, opens a report of a deviating run at 1400 and at 800 pixels wide, and the test
//! checks what a person would see — the index of failing cases with jump links, every case
//! collapsed until opened, expand-all and collapse-all working, headers and outcome cells on
//! one line, a side-by-side diff with long values collapsed, the filter — and that the
//! screenshots (saved under `CARGO_TARGET_TMPDIR`, paths printed) are real, non-blank
//! pictures. A second session with scripts off shows the report still reads without them.
//!
//! Needs the Debian packages `chromium` and `chromium-driver`
//! (`apt-get install -y chromium chromium-driver`); without them the test fails under
//! `CI=true` and elsewhere prints a notice and checks nothing. `EXEMPLAR_CHROMEDRIVER` names
//! another chromedriver binary.

#![allow(clippy::unwrap_used)]

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;

mod common;

fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|d| d.join(name)).find(|p| p.is_file())
}

fn chromedriver() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("EXEMPLAR_CHROMEDRIVER") {
        return Some(PathBuf::from(p));
    }
    let browser = find_in_path("chromium").or_else(|| find_in_path("chromium-browser"));
    browser.and(find_in_path("chromedriver"))
}

/// Stops the chromedriver this test started, also when an assertion fails.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the committed cases against the mock deviating on purpose; returns the HTML report
/// and the ids of the failing cases, read from the JSON report of the same run.
fn write_report(dir: &Path) -> (PathBuf, Vec<String>) {
    let html = dir.join("report.html");
    let json = dir.join("report.json");
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "-q", "--test-threads", "4", "--mock-deviate", "wrong-type"])
        .args(["--checks", "contract,snapshot", "--report-html"])
        .arg(&html)
        .arg("--report-json")
        .arg(&json)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "true")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let failing = report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["status"] == "deviated" || c["status"] == "error")
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    (html, failing)
}

/// The share of pixels that differ from the most common colour, and the number of colours.
fn png_variety(bytes: &[u8]) -> (u32, u32, f64, usize) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let mut counts = std::collections::HashMap::new();
    for p in &pixels {
        *counts.entry(p.to_vec()).or_insert(0usize) += 1;
    }
    let most = counts.values().copied().max().unwrap_or(0);
    let other = 1.0 - most as f64 / pixels.len() as f64;
    (info.width, info.height, other, counts.len())
}

/// A WebDriver session on a chromedriver of its own, with its profile in `dir`.
async fn session(driver: &Path, dir: &Path, extra: &[&str]) -> (Driver, fantoccini::Client) {
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // Chromium keeps its profile and scratch files in the temporary directory and leaves them
    // there when it is killed: give it one inside this test's directory.
    let browser_tmp = dir.join("tmp");
    std::fs::create_dir_all(&browser_tmp).unwrap();
    let driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &browser_tmp)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--hide-scrollbars",
        "--window-size=1400,1000",
    ]
    .iter()
    .map(|a| a.to_string())
    .collect();
    args.push(format!("--user-data-dir={}", dir.join("profile").display()));
    args.extend(extra.iter().map(|a| a.to_string()));
    let caps = serde_json::json!({ "goog:chromeOptions": { "args": args } });
    let caps = caps.as_object().unwrap().clone();
    let started = Instant::now();
    let client = loop {
        match ClientBuilder::new(HttpConnector::new())
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(e) if started.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a chromium session: {e}"),
        }
    };
    (driver, client)
}

/// Resizes the window so that the page is `width` CSS pixels wide.
async fn set_width(client: &fantoccini::Client, width: u32) {
    client.set_window_size(width, 1000).await.unwrap();
    let inner = client.execute("return window.innerWidth", vec![]).await.unwrap();
    let inner = inner.as_u64().unwrap();
    assert!(inner.abs_diff(u64::from(width)) <= 20, "asked for {width} px, the page is {inner} px");
}

/// Saves a screenshot as `name` in `dir` and checks it is a real picture.
async fn screenshot(client: &fantoccini::Client, dir: &Path, name: &str) -> PathBuf {
    let png = client.screenshot().await.unwrap();
    let path = dir.join(name);
    std::fs::write(&path, &png).unwrap();
    let (width, height, other, colours) = png_variety(&png);
    assert!(width >= 780 && height >= 600, "{name}: {width}x{height}");
    assert!(other > 0.05, "{name} is nearly blank: {other:.3} of it differs from the background");
    assert!(colours > 16, "{name} has only {colours} colours");
    path
}

/// Which cases are open, in the order of the list.
async fn open_states(client: &fantoccini::Client) -> Vec<bool> {
    let mut states = Vec::new();
    for c in client.find_all(Locator::Css("details.case")).await.unwrap() {
        states.push(c.attr("open").await.unwrap().is_some());
    }
    states
}

/// Texts of header and outcome cells laid out on more than one line: each is checked by
/// the line boxes of its text, so a cell that wraps inside a word or between words counts.
const WRAPPED: &str = r#"
var cells = document.querySelectorAll('th, td.outcome, #index td.nowrap');
var wrapped = [], measured = 0;
cells.forEach(function (cell) {
  var range = document.createRange();
  range.selectNodeContents(cell);
  var tops = {};
  Array.prototype.forEach.call(range.getClientRects(), function (r) {
    if (r.width > 0) { tops[Math.round(r.top)] = true; }
  });
  var lines = Object.keys(tops).length;
  if (lines > 0) { measured++; }
  if (lines > 1) { wrapped.push(cell.textContent); }
});
return [measured, wrapped];
"#;

#[tokio::test]
async fn html_report_in_headless_chromium_at_1400_and_800_px() {
    let driver = chromedriver();
    let install = "apt-get install -y chromium chromium-driver";
    if !common::tool_available(driver.is_some(), "chromium with chromedriver", install) {
        return;
    }
    let driver = driver.unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let (html, failing) = write_report(&dir);
    assert!(failing.len() >= 10, "{failing:?}");
    let (_driver, client) = session(&driver, &dir, &[]).await;
    let url = format!("file://{}", html.display());
    client.goto(&url).await.unwrap();
    set_width(&client, 1400).await;
    let mut shots = Vec::new();

    // The index lists every failing case, each a link to its place in the list.
    let index = client.find(Locator::Id("index")).await.unwrap();
    assert!(index.is_displayed().await.unwrap());
    let heading = index.find(Locator::Css("h2")).await.unwrap().text().await.unwrap();
    assert_eq!(heading, format!("Failing cases ({})", failing.len()));
    let links = index.find_all(Locator::Css("a[href^='#case-']")).await.unwrap();
    assert_eq!(links.len(), failing.len());
    let mut linked = Vec::new();
    for link in &links {
        assert!(link.is_displayed().await.unwrap());
        linked.push(link.text().await.unwrap());
    }
    let mut expected = failing.clone();
    expected.sort();
    assert_eq!(linked, expected, "the index names the failing cases, in id order");

    // The list: every case, failing ones first, all collapsed to their summary line.
    let cases = client.find_all(Locator::Css("details.case")).await.unwrap();
    assert_eq!(cases.len(), 19, "every committed case is listed");
    for (i, c) in cases.iter().enumerate() {
        let status = c.attr("data-status").await.unwrap().unwrap();
        assert_eq!(
            status == "deviated" || status == "error",
            i < failing.len(),
            "case {i}: {status}"
        );
        assert!(c.find(Locator::Css("summary")).await.unwrap().is_displayed().await.unwrap());
        assert!(!c.find(Locator::Css(".body")).await.unwrap().is_displayed().await.unwrap());
    }
    assert!(open_states(&client).await.iter().all(|open| !open), "all collapsed at first");
    let shown = client.find(Locator::Id("shown")).await.unwrap();
    assert_eq!(shown.text().await.unwrap(), "19 of 19 cases shown", "the script ran");
    shots.push(screenshot(&client, &dir, "report-1400-collapsed.png").await);

    // A jump link opens the case it points at.
    links[2].click().await.unwrap();
    let target = client.find(Locator::Css("details.case:target")).await.unwrap();
    assert!(target.attr("open").await.unwrap().is_some(), "the jump link opened its case");
    let target_id = target.find(Locator::Css("summary code")).await.unwrap().text().await.unwrap();
    assert_eq!(target_id, linked[2]);
    assert!(target.find(Locator::Css(".body")).await.unwrap().is_displayed().await.unwrap());
    assert_eq!(open_states(&client).await.iter().filter(|open| **open).count(), 1);

    // Expand all opens every case; a side-by-side diff then shows both sides, long values
    // collapsed.
    client.find(Locator::Id("expand-all")).await.unwrap().click().await.unwrap();
    assert!(open_states(&client).await.iter().all(|open| *open), "expand all");
    let diff = client.find(Locator::Css("details.case[open] table.sbs")).await.unwrap();
    assert!(diff.is_displayed().await.unwrap());
    let removed = diff.find(Locator::Css("td.del")).await.unwrap();
    let added = diff.find(Locator::Css("td.ins")).await.unwrap();
    assert!(removed.is_displayed().await.unwrap() && added.is_displayed().await.unwrap());
    assert!(!added.text().await.unwrap().is_empty());
    let heading = diff.find(Locator::Css("th")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "expected (documented)");
    let page = client.find(Locator::Css("body")).await.unwrap().text().await.unwrap();
    assert!(page.contains("chars, unchanged)"), "long unchanged values are collapsed");
    shots.push(screenshot(&client, &dir, "report-1400-expanded.png").await);

    // At 800 px, headers and outcome cells still sit on one line.
    for width in [1400, 800] {
        set_width(&client, width).await;
        let result = client.execute(WRAPPED, vec![]).await.unwrap();
        let measured = result[0].as_u64().unwrap();
        assert!(measured > 100, "{width} px: only {measured} cells were laid out");
        assert_eq!(result[1], serde_json::json!([]), "{width} px: cells wrapped");
    }
    shots.push(screenshot(&client, &dir, "report-800-expanded.png").await);

    // Collapse all closes them again.
    client.find(Locator::Id("collapse-all")).await.unwrap().click().await.unwrap();
    assert!(open_states(&client).await.iter().all(|open| !open), "collapse all");
    client.execute("window.scrollTo(0, 0)", vec![]).await.unwrap();
    shots.push(screenshot(&client, &dir, "report-800-collapsed.png").await);

    // Filtering by text leaves only the matching case visible.
    let filter = client.find(Locator::Id("filter")).await.unwrap();
    filter.send_keys("getactivekey").await.unwrap();
    assert_eq!(shown.text().await.unwrap(), "1 of 19 cases shown");
    let mut visible = 0;
    for c in client.find_all(Locator::Css("details.case")).await.unwrap() {
        visible += usize::from(c.is_displayed().await.unwrap());
    }
    assert_eq!(visible, 1);
    client.close().await.unwrap();

    // Without scripts: no dead controls, and a case opens by its summary.
    let nojs = dir.join("nojs");
    std::fs::create_dir_all(&nojs).unwrap();
    let (_driver, client) =
        session(&driver, &nojs, &["--blink-settings=scriptEnabled=false"]).await;
    client.goto(&url).await.unwrap();
    let controls = client.find(Locator::Id("controls")).await.unwrap();
    assert!(!controls.is_displayed().await.unwrap(), "controls that need the script are hidden");
    assert!(client.find(Locator::Id("index")).await.unwrap().is_displayed().await.unwrap());
    let first = client.find(Locator::Css("details.case")).await.unwrap();
    assert!(!first.find(Locator::Css(".body")).await.unwrap().is_displayed().await.unwrap());
    first.find(Locator::Css("summary")).await.unwrap().click().await.unwrap();
    assert!(first.find(Locator::Css(".body")).await.unwrap().is_displayed().await.unwrap());
    shots.push(screenshot(&client, &nojs, "report-1400-no-script.png").await);
    client.close().await.unwrap();

    for shot in shots {
        eprintln!("screenshot: {}", shot.display());
    }
}

/// Issue 14, item 11: the test above, run again where no browser can be found, fails under
/// `CI=true` (a skip there would be a false green) and elsewhere passes with a notice that
/// shows in a passing run.
#[test]
fn without_chromium_the_browser_test_fails_under_ci_and_says_so_elsewhere() {
    common::assert_fails_under_ci_without(
        "html_report_in_headless_chromium_at_1400_and_800_px",
        "chromium with chromedriver",
    );
}
