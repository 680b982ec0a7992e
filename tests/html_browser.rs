//! The HTML report in a real browser: headless Chromium, driven through chromedriver over
//! WebDriver, opens a report of a deviating run, and the test checks what a person would see —
//! the case list and a side-by-side diff rendered and visible, the filter working — and that
//! the screenshot is a real, non-blank picture.
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

fn write_report(dir: &Path) -> PathBuf {
    let html = dir.join("report.html");
    let out = Command::new(env!("CARGO_BIN_EXE_exemplar"))
        .args(["run", "-q", "--test-threads", "4", "--mock-deviate", "wrong-type"])
        .args(["--checks", "contract,snapshot", "--report-html"])
        .arg(&html)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CI", "true")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    html
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

#[tokio::test]
async fn html_report_shows_cases_and_a_diff_in_headless_chromium() {
    let driver = chromedriver();
    let install = "apt-get install -y chromium chromium-driver";
    if !common::tool_available(driver.is_some(), "chromium with chromedriver", install) {
        return;
    }
    let driver = driver.unwrap();
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("html-browser");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let html = write_report(&dir);

    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    // Chromium keeps its profile and scratch files in the temporary directory and leaves them
    // there when it is killed: give it one inside this test's directory.
    let browser_tmp = dir.join("tmp");
    std::fs::create_dir_all(&browser_tmp).unwrap();
    let _driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &browser_tmp)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let caps = serde_json::json!({
        "goog:chromeOptions": {
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--disable-quic", "--window-size=1280,1600",
                     format!("--user-data-dir={}", dir.join("profile").display())]
        }
    });
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

    let url = format!("file://{}", html.display());
    client.goto(&url).await.unwrap();

    // The case list: every case is there and its line is visible.
    let cases = client.find_all(Locator::Css("details.case")).await.unwrap();
    assert_eq!(cases.len(), 19, "every committed case is listed");
    for c in &cases {
        let summary = c.find(Locator::Css("summary")).await.unwrap();
        assert!(summary.is_displayed().await.unwrap());
    }
    let shown = client.find(Locator::Id("shown")).await.unwrap();
    assert_eq!(shown.text().await.unwrap(), "19 of 19 cases shown", "the script ran");

    // A side-by-side diff of a deviating case is rendered, with both sides.
    let diff = client.find(Locator::Css("details.case[open] table.sbs")).await.unwrap();
    assert!(diff.is_displayed().await.unwrap());
    let removed = diff.find(Locator::Css("td.del")).await.unwrap();
    let added = diff.find(Locator::Css("td.ins")).await.unwrap();
    assert!(removed.is_displayed().await.unwrap() && added.is_displayed().await.unwrap());
    assert!(!added.text().await.unwrap().is_empty());
    let heading = diff.find(Locator::Css("th")).await.unwrap();
    assert_eq!(heading.text().await.unwrap(), "expected (documented)");

    let png = client.screenshot().await.unwrap();
    std::fs::write(dir.join("report.png"), &png).unwrap();
    let (width, height, other, colours) = png_variety(&png);
    assert!(width >= 800 && height >= 600, "{width}x{height}");
    assert!(
        other > 0.05,
        "the screenshot is nearly blank: {other:.3} of it differs from the background"
    );
    assert!(colours > 16, "the screenshot has only {colours} colours");

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
    eprintln!("screenshot: {}", dir.join("report.png").display());
}
