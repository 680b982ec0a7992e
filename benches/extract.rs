//! Extraction throughput on a generated corpus shaped like the Graph docs.
//!
//! Run with `cargo bench --bench extract` (pages default to 20,000; set
//! `EXEMPLAR_BENCH_PAGES` for another size). Each generated page is about 5 KB: front matter,
//! headings and prose, a permissions annotation and include, an `ignored` syntax block, then
//! one to three examples, each a request behind a tab marker, a run of language tabs with
//! `[!INCLUDE]` lines, and a response with a JSON body. About one page in four carries one of
//! the defects real pages have (trailing or missing comma, two spaces in the status line, no
//! blank line before a body, a response fence never closed, a literal id in braces).
//!
//! Figures printed, all from one run so that they compare (the shared machine's speed drifts
//! by half from day to day):
//!
//! - **parse-only**: `page::read` over pages already in memory (the parser alone);
//! - **read-only**: `read_roots` over the same pages written to a temporary directory (walk,
//!   file reads, parsing and the cross-page lint);
//! - **end-to-end without writing**: the release `exemplar extract DIR --out EMPTY --check`,
//!   i.e. everything `extract` does (case files built and rendered, compared with what is on
//!   disk) except writing;
//! - **end-to-end**: `exemplar extract DIR --out EMPTY`, writing every case file, with the peak
//!   resident memory of that process.
//!
//! Goals (issue 12): end-to-end at least 60% of the rate without writing; peak memory under
//! 60 MB for 20,000 pages.
//!
//! `EXEMPLAR_BENCH_BASELINE=PATH` also measures another `exemplar` binary end to end (an older
//! build, say), alternating with this one; `EXEMPLAR_BENCH_PARSE_ONLY=1` stops after the
//! parse-only and read-only figures (to alternate with a build of the parser from before a
//! change, whose benchmark printed only those); `EXEMPLAR_BENCH_KEEP=DIR` keeps the generated
//! pages in `DIR` (on the same file system as the temporary directory) to profile by hand.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use exemplar::extract::page::{self, Outcome};

/// A small deterministic generator (xorshift64*), so every run measures the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const NOUNS: &[&str] = &["widget", "gadget", "sprocket", "flange", "gizmo", "bracket", "spindle"];
const WORDS: &[&str] = &[
    "the",
    "service",
    "returns",
    "a",
    "collection",
    "of",
    "objects",
    "that",
    "describe",
    "each",
    "item",
    "in",
    "store",
    "with",
    "its",
    "colour",
    "size",
    "and",
    "state",
    "when",
    "caller",
    "has",
    "permission",
    "to",
    "read",
    "them",
    "property",
    "values",
    "are",
    "kept",
    "for",
];
const LANGUAGES: &[&str] = &["C#", "Go", "Java", "JavaScript", "Python"];

fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(rng.pick(WORDS));
    }
    s.push('.');
    s
}

/// One example: request with tabs and includes, then its response.
fn example(rng: &mut Rng, out: &mut String, noun: &str, index: usize, defect: Option<usize>) {
    let name = format!("{noun}_example_{index}");
    let method = rng.pick(&["GET", "POST", "PATCH"]);
    out.push_str(&format!("### Request {index}\n\nThe following example shows a request.\n\n"));
    out.push_str(&format!(
        "# [HTTP](#tab/http)\n<!-- {{\n  \"blockType\": \"request\",\n  \"name\": \"{name}\"\n}}-->\n\n"
    ));
    let info = if rng.below(2) == 0 { "http" } else { "msgraph-interactive" };
    let id = if defect == Some(5) {
        "{aTREvwojOB9ph3fr2r6eTf}".to_string()
    } else {
        format!("{noun}-{}", rng.below(1000))
    };
    out.push_str(&format!(
        "```{info}\n{method} https://graph.microsoft.com/beta/store/{noun}s/{id}\n"
    ));
    if method != "GET" {
        let blank = if defect == Some(3) { "" } else { "\n" };
        out.push_str(&format!(
            "Content-type: application/json\n{blank}{{\n  \"displayName\": \"{} {index}\",\n  \"colour\": \"{}\"\n}}\n",
            noun,
            rng.pick(&["teal", "amber", "plum"])
        ));
    }
    out.push_str("```\n\n");
    for lang in LANGUAGES {
        let slug = lang.to_ascii_lowercase().replace('#', "sharp");
        out.push_str(&format!(
            "# [{lang}](#tab/{slug})\n[!INCLUDE [sample-code](../includes/snippets/{slug}/{name}-{slug}-snippets.md)]\n[!INCLUDE [sdk-documentation](../includes/snippets/snippets-sdk-documentation-link.md)]\n\n"
        ));
    }
    out.push_str("---\n\n### Response\n\nThe following example shows the response.\n\n");
    out.push_str(
        "> **Note:** The response object shown here might be shortened for readability.\n\n",
    );
    out.push_str(&format!(
        "<!-- {{\n  \"blockType\": \"response\",\n  \"truncated\": true,\n  \"@odata.type\": \"microsoft.graph.{noun}\"\n}} -->\n\n"
    ));
    let status = if defect == Some(2) { "HTTP/1.1 200  OK" } else { "HTTP/1.1 200 OK" };
    out.push_str(&format!("```http\n{status}\nContent-type: application/json\n\n{{\n"));
    out.push_str(&format!(
        "  \"@odata.context\": \"https://graph.microsoft.com/beta/$metadata#store/{noun}s/$entity\",\n"
    ));
    let fields = 6 + rng.below(8);
    for f in 0..fields {
        // A trailing comma after the last member (defect 0) or none after the third (defect 1).
        let last = f + 1 == fields;
        let omit = (last && defect != Some(0)) || (defect == Some(1) && f == 2);
        let comma = if omit { "" } else { "," };
        match f % 3 {
            0 => out.push_str(&format!("  \"field{f}\": \"{}\"{comma}\n", rng.pick(WORDS))),
            1 => out.push_str(&format!("  \"count{f}\": {}{comma}\n", rng.below(100_000))),
            _ => out.push_str(&format!(
                "  \"list{f}\": [\n    \"{}\",\n    \"{}\"\n  ]{comma}\n",
                rng.pick(WORDS),
                rng.pick(WORDS)
            )),
        }
    }
    out.push_str("}\n");
    if defect != Some(4) {
        out.push_str("```\n");
    }
    out.push('\n');
}

/// A page of about 5 KB.
fn page(rng: &mut Rng, n: usize) -> String {
    let noun = rng.pick(NOUNS);
    let action = rng.pick(&["get", "update", "list", "create", "delete"]);
    let mut out = format!(
        "---\ntitle: \"{noun}: {action} {n}\"\ndescription: \"{}\"\nms.localizationpriority: medium\nauthor: \"someone\"\ndoc_type: apiPageType\nms.date: 01/01/2025\n---\n\n# {noun}: {action}\n\nNamespace: microsoft.graph\n\n[!INCLUDE [beta-disclaimer](../../includes/beta-disclaimer.md)]\n\n{}\n\n",
        sentence(rng, 8),
        sentence(rng, 30)
    );
    out.push_str(&format!(
        "## Permissions\n\n{}\n\n<!-- {{ \"blockType\": \"permissions\", \"name\": \"{noun}_{action}_{n}\" }} -->\n[!INCLUDE [permissions-table](../includes/permissions/{noun}-{action}-permissions.md)]\n\n",
        sentence(rng, 40)
    ));
    out.push_str(&format!(
        "## HTTP request\n\n<!-- {{ \"blockType\": \"ignored\" }} -->\n\n```http\nGET /store/{noun}s/{{{noun}Id}}\n```\n\n"
    ));
    out.push_str(&format!(
        "## Request headers\n\n| Name | Description |\n|:-----|:------------|\n|Authorization|Bearer {{token}}. Required.|\n\n## Request body\n\n{}\n\n## Response\n\n{}\n\n## Examples\n\n",
        sentence(rng, 12),
        sentence(rng, 20)
    ));
    let examples = 1 + rng.below(3);
    let defect = (rng.below(4) == 0).then(|| rng.below(6));
    for i in 0..examples {
        let d = if i + 1 == examples { defect } else { None };
        example(rng, &mut out, noun, i + 1, d);
    }
    out.push_str(&format!(
        "<!-- uuid: 00000000-0000-0000-0000-{n:012}\n2025-01-01 00:00:00 UTC -->\n<!-- {{\n  \"type\": \"#page.annotation\",\n  \"description\": \"{noun}: {action}\",\n  \"keywords\": \"\",\n  \"section\": \"documentation\",\n  \"tocPath\": \"\"\n}}-->\n"
    ));
    out
}

fn report(what: &str, pages: usize, bytes: usize, elapsed: Duration) {
    let secs = elapsed.as_secs_f64();
    println!(
        "{what}: {pages} pages, {:.1} MB in {:.3} s: {:.0} pages/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        secs,
        pages as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
}

fn main() {
    let n: usize =
        std::env::var("EXEMPLAR_BENCH_PAGES").ok().and_then(|v| v.parse().ok()).unwrap_or(20_000);
    let mut rng = Rng(0x5EED_1234_ABCD_0001);
    let pages: Vec<String> = (0..n).map(|i| page(&mut rng, i)).collect();
    let bytes: usize = pages.iter().map(String::len).sum();
    println!(
        "corpus: {n} generated pages, {:.0} bytes per page on average",
        bytes as f64 / n as f64
    );

    // Sanity: the corpus is what it claims to be, so the figures mean something.
    let (mut examples, mut defects) = (0, 0);
    for (i, text) in pages.iter().enumerate() {
        match page::read(&format!("p{i}.md"), text.as_bytes()) {
            Outcome::Page(p) => {
                examples += p.examples.len();
                defects += p.diagnostics.iter().filter(|d| d.is_defect()).count();
            }
            Outcome::Skipped(d) => panic!("generated page skipped: {d}"),
        }
    }
    println!("corpus: {examples} examples, {defects} defects");

    // In memory: the parser alone. Best of three runs, to keep noise from a shared machine out.
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        for (i, text) in pages.iter().enumerate() {
            black_box(page::read(black_box(&format!("p{i}.md")), black_box(text.as_bytes())));
        }
        best = best.min(start.elapsed());
    }
    report("page::read (in memory, best of 3)", n, bytes, best);

    // From disk: walk, read, parse and lint, as `exemplar extract` does before writing.
    let dir: PathBuf = std::env::temp_dir().join(format!("exemplar-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (i, text) in pages.iter().enumerate() {
        let sub = dir.join(format!("api{:02}", i % 50));
        if i < 50 {
            std::fs::create_dir_all(&sub).unwrap();
        }
        std::fs::write(sub.join(format!("page-{i:06}.md")), text).unwrap();
    }
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let start = Instant::now();
        let extraction = exemplar::extract::read_roots(std::slice::from_ref(&dir)).unwrap();
        best = best.min(start.elapsed());
        assert_eq!(extraction.pages.len(), n);
        black_box(extraction);
    }
    report("read_roots (from disk, best of 3)", n, bytes, best);
    let read_only = best;

    if std::env::var_os("EXEMPLAR_BENCH_PARSE_ONLY").is_some() {
        std::fs::remove_dir_all(&dir).unwrap();
        return;
    }

    // End to end, the binary as a user runs it: best of three into a fresh directory each time.
    // `EXEMPLAR_BENCH_BASELINE=/path/to/an/older/exemplar` measures that binary too, in the
    // same run, alternating with this one.
    //
    // Each writing run gets a directory of its own, and all of them are deleted only at the
    // end: deleting the 40,000 files of one run just before the next makes the next one slower
    // for a reason of the file system's (ext4 without a journal, as on the project's machine,
    // skips inodes freed in the last minutes when it allocates new ones, and spent a quarter
    // of the writing run's CPU there), which no user meets twice in a row.
    let outs = dir.with_extension("cases");
    let mut run = 0;
    let mut extract = |bin: &Path, check: bool| {
        run += 1;
        let out = outs.join(format!("run-{run}"));
        let mut cmd = Command::new(bin);
        cmd.arg("extract").arg(&dir).arg("--out").arg(&out).arg("--quiet");
        if check {
            cmd.arg("--check");
        }
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        let start = Instant::now();
        let mut child = cmd.spawn().unwrap();
        // The peak resident set (`VmHWM`) of the child, read while it runs: the crate forbids
        // `unsafe`, so no getrusage; sampled every millisecond, it is the peak up to the last
        // millisecond of the process.
        let status_file = format!("/proc/{}/status", child.id());
        let mut peak: Option<u64> = None;
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if let Some(hwm) = std::fs::read_to_string(&status_file).ok().and_then(|s| vm_hwm(&s)) {
                peak = Some(peak.map_or(hwm, |p| p.max(hwm)));
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        let elapsed = start.elapsed();
        // `--check` into an empty directory finds every file missing: exit 1, as documented.
        assert_eq!(status.code(), Some(if check { 1 } else { 0 }), "exemplar extract failed");
        (elapsed, peak, out)
    };
    let this = PathBuf::from(env!("CARGO_BIN_EXE_exemplar"));
    let baseline = std::env::var_os("EXEMPLAR_BENCH_BASELINE").map(PathBuf::from);
    let mut bins = vec![("this build", this)];
    bins.extend(baseline.map(|b| ("baseline", b)));
    // Per binary: (best written, peak, best without writing, files written).
    let mut best: Vec<(Duration, Option<u64>, Duration, usize)> =
        vec![(Duration::MAX, None, Duration::MAX, 0); bins.len()];
    for _ in 0..3 {
        for (i, (_, bin)) in bins.iter().enumerate() {
            let (written, peak, out) = extract(bin, false);
            best[i].3 = count_files(&out);
            let (without_writing, _, _) = extract(bin, true);
            best[i].0 = best[i].0.min(written);
            best[i].1 = best[i].1.max(peak);
            best[i].2 = best[i].2.min(without_writing);
        }
    }
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64();
    for ((label, bin), (written, peak, without_writing, files)) in bins.iter().zip(best) {
        if bins.len() > 1 {
            println!("== {label}: {}", bin.display());
        }
        report(
            "exemplar extract --check (end to end without writing, best of 3)",
            n,
            bytes,
            without_writing,
        );
        report("exemplar extract (end to end, writing, best of 3)", n, bytes, written);
        println!("exemplar extract wrote {files} files");
        println!(
            "end to end with writing: {:.0}% of the rate without writing (goal: at least 60%), {:.0}% of read_roots",
            100.0 * ratio(written, without_writing),
            100.0 * ratio(written, read_only)
        );
        match peak {
            Some(peak) => println!(
                "peak memory of exemplar extract (writing {n} pages, sampled every ms): {:.1} MB (goal: under 60 MB)",
                peak as f64 / 1e6
            ),
            None => println!("peak memory: not measured (no /proc on this platform)"),
        }
    }
    let _ = std::fs::remove_dir_all(&outs);
    match std::env::var_os("EXEMPLAR_BENCH_KEEP") {
        Some(keep) => {
            std::fs::rename(&dir, &keep).unwrap();
            println!("corpus kept in {}", PathBuf::from(keep).display());
        }
        None => std::fs::remove_dir_all(&dir).unwrap(),
    }
}

fn count_files(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            n += count_files(&entry.path());
        } else {
            n += 1;
        }
    }
    n
}

/// `VmHWM` (peak resident set) from a `/proc/PID/status` text, in bytes.
fn vm_hwm(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 =
        line.trim_start_matches("VmHWM:").trim().trim_end_matches("kB").trim().parse().ok()?;
    Some(kb * 1024)
}
