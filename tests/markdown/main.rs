//! `--format markdown` read back through cmark-gfm, the renderer GitHub uses for comments and
//! job summaries. Issue 28: `Detached <li> ×324` in a table cell rendered as a list item and
//! `validate* @ <eval>:3` lost `<eval>` as an unknown tag. Each report here is rendered to HTML
//! and parsed; then every element must be one the report writes itself, every table cell must
//! hold what its column says (a `|` from a name would split the cell and shift the rest), and
//! the names must read as the same text as in `--json`.
//!
//! Reports are made of the committed fixtures and of `fixtures/hostile`: snapshots of a Node
//! program whose class, function, property, key and script names and strings are Markdown and
//! HTML (`fixtures/scripts/hostile.js`), copied to file names that are Markdown too.
//!
//! Needs `cmark-gfm` (Debian's package): installed with apt-get when missing, as `.ci/run` does.
// See: issue 28 (Markdown is not escaped).

mod checks;
mod html;
#[path = "../support/mod.rs"]
mod support;

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use checks::{Rendered, TOP, check_diff, check_series, check_sites, check_summary};
use regex::Regex;
use serde_json::Value;
use support::heapdiff;

/// cmark-gfm's path, installed with apt-get if it is missing (once per test binary).
fn cmark_gfm() -> &'static str {
    static READY: std::sync::Once = std::sync::Once::new();
    READY.call_once(|| {
        let found = Command::new("cmark-gfm").arg("--version").output().is_ok();
        if !found {
            let install = "apt-get update -qq && \
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmark-gfm >&2";
            let _ = Command::new("bash").args(["-c", install]).status();
        }
    });
    "cmark-gfm"
}

/// Renders `markdown` as GitHub does (its extensions: tables, strikethrough, autolinks, task
/// lists) but keeps raw HTML (`--unsafe`) and leaves out the tag filter, so that a tag that
/// came from a snapshot shows up as an element instead of being dropped or filtered.
fn render(markdown: String) -> Rendered {
    let mut child = Command::new(cmark_gfm())
        .args(["--unsafe", "-e", "table", "-e", "strikethrough"])
        .args(["-e", "autolink", "-e", "tasklist"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("running cmark-gfm (apt-get install cmark-gfm)");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(markdown.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let html = String::from_utf8(out.stdout).unwrap();
    let root = html::parse(&html);
    Rendered {
        markdown,
        html,
        root,
    }
}

/// heapdiff's report on `args` with `--format` `format` (exit 0, or 1 for an exceeded budget).
fn run(format: &str, args: &[OsString]) -> String {
    let out = heapdiff()
        .args(["--format", format, "--top", &TOP.to_string()])
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The markdown report on `args`, rendered, and the JSON report.
fn reports(args: &[OsString]) -> (Rendered, Value) {
    let rendered = render(run("markdown", args));
    let json = serde_json::from_str(&run("json", args)).unwrap();
    (rendered, json)
}

fn args<P: AsRef<std::ffi::OsStr>>(list: &[P]) -> Vec<OsString> {
    list.iter().map(|a| a.as_ref().to_os_string()).collect()
}

/// Texts of `fixtures/scripts/hostile.js` as a reader must see them (decoded).
const HOSTILE_TEXTS: [&str; 9] = [
    // A class name (shortened like a DOM tag by DevTools' rule), in a code span.
    "Detached <li>>",
    // The constructor's whole name, in a cluster's plain-text origin line.
    "constructor Detached <li> | `tick` *star* _under_ @ <eval> |`x`| *[x](y)* #1.js:2:",
    "# Heading [x](y) <script>alert(1)</script> user@example.com http://example.com",
    "1. item &amp; ~~gone~~ \\ back\\slash `end`",
    "validate* | <eval> `` x `` __init__",
    "<li>|*a*|_b_|[x](y) www.example.com",
    "\"- <b>bold</b> | `k` \"",
    "</script> | `code` **strong** &amp; http:",
    "{<li>, a|b, `c`, *d*, [e](f)}",
];

/// The hostile names are shown, as text: entities in the HTML, no element of their own, and
/// no link (not even an autolink).
fn check_hostile(r: &Rendered, texts: &[&str]) {
    let text = r.root.text();
    for t in texts {
        assert!(text.contains(t), "{t:?} not shown in\n{}", r.markdown);
    }
    assert!(r.html.contains("Detached &lt;li&gt;&gt;"));
    assert!(r.html.contains("&amp;amp;"));
    for tag in [
        "<script", "<b>", "<a ", "<del", "<h1", "<ol", "<img", "<input",
    ] {
        assert!(!r.html.contains(tag), "{tag} in\n{}", r.html);
    }
}

/// Copies of the hostile snapshots under names that are Markdown too, in a temporary directory.
fn hostile_files(count: usize) -> (tempfile::TempDir, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = (1..=count)
        .map(|i| {
            let from = root.join(format!("fixtures/hostile/h{i}.heapsnapshot.gz"));
            let name = format!("h{i} <li>|`x`|*y* _z_ [a](b) &amp; #{i}.heapsnapshot.gz");
            let to: PathBuf = dir.path().join(name);
            std::fs::copy(from, &to).unwrap();
            to.to_str().unwrap().to_string()
        })
        .collect();
    (dir, files)
}

#[test]
fn hostile_pair_reads_as_text() {
    let (_dir, files) = hostile_files(2);
    let mut list = args(&files);
    list.extend(args(&["--fail-if", "class:Function.count>100"]));
    let (r, json) = reports(&list);
    check_diff(&r, &json, &files);
    check_hostile(&r, &HOSTILE_TEXTS);
    // The budget, the lockstep group and a finding's plain text are there.
    assert_eq!(json["budgets"].as_array().unwrap().len(), 1);
    assert!(!json["lockstep"].as_array().unwrap().is_empty());
    assert!(
        r.root
            .text()
            .contains("Function validate* | <eval> `` x `` __init__ @ <eval>")
    );
}

/// `--redact` (placeholders `<string 12 B #hash>` for strings, and a note saying so) and
/// `--memlab` (base, target, final): the same checks.
#[test]
fn hostile_redacted_and_memlab_reports_read_as_text() {
    let (_dir, files) = hostile_files(3);
    let mut list = args(&files[..2]);
    list.extend(args(&["--redact"]));
    let (r, json) = reports(&list);
    check_diff(&r, &json, &files[..2]);
    check_hostile(&r, &HOSTILE_TEXTS[..1]);
    let note = r.root.find_all("blockquote")[0].1.text();
    assert!(note.contains("shown as <string LENGTH B #HASH>;"), "{note}");
    let placeholder = Regex::new(r"<string \d+ B #[0-9a-f]+>").unwrap();
    assert!(placeholder.is_match(&r.root.text()), "{}", r.markdown);

    let mut list = args(&files);
    list.extend(args(&["--memlab"]));
    let (r, json) = reports(&list);
    check_diff(&r, &json, &files);
    check_hostile(&r, &HOSTILE_TEXTS[..1]);
}

#[test]
fn hostile_allocation_sites_read_as_text() {
    let (_dir, files) = hostile_files(2);
    let mut list = args(&files);
    list.extend(args(&["--group-by", "stack"]));
    let (r, json) = reports(&list);
    check_diff(&r, &json, &files);
    check_sites(&r, &json);
    check_hostile(&r, &HOSTILE_TEXTS[..1]);
    assert!(
        r.root
            .text()
            .contains("alloc <em>*|`q`|*</em> (<eval> |`x`| *[x](y)* #1.js:")
    );
}

#[test]
fn hostile_series_reads_as_text() {
    let (_dir, files) = hostile_files(3);
    let (r, json) = reports(&args(&files));
    check_series(&r, &json, &files);
    // All but the constructor's line: a series shows no cluster origins.
    let texts: Vec<&str> = HOSTILE_TEXTS
        .iter()
        .copied()
        .filter(|t| !t.starts_with("constructor"))
        .collect();
    check_hostile(&r, &texts);
}

#[test]
fn hostile_summary_reads_as_text() {
    let (_dir, files) = hostile_files(3);
    let mut list = args(&["summary"]);
    list.extend(args(&["--top", "400", &files[2]]));
    let r = render(run("markdown", &list));
    let json = serde_json::from_str(&run("json", &list)).unwrap();
    check_summary(&r, &json, &files[2], 400);
    check_hostile(&r, &HOSTILE_TEXTS[..1]);
    for name in [
        "# Heading [x](y) <script>alert(1)</script>",
        "1. item &amp; ~~gone~~",
    ] {
        assert!(r.root.text().contains(name), "{name}");
    }
}

/// The committed pairs, as users run them: Node 14, 20 and 24, Chromium (`Detached <div>`)
/// and Node with allocation stacks (`--group-by stack` too).
#[test]
fn fixture_pairs_read_as_text() {
    for pair in ["node14", "node20", "node24", "chromium", "tracked"] {
        let files: Vec<String> = ["base", "late"]
            .iter()
            .map(|s| format!("fixtures/snapshots/{pair}-{s}.heapsnapshot.gz"))
            .collect();
        let (r, json) = reports(&args(&files));
        check_diff(&r, &json, &files);
        if pair == "chromium" {
            assert!(r.root.text().contains("Detached <div>"), "{}", r.markdown);
        }
        if pair == "tracked" {
            let mut list = args(&files);
            list.extend(args(&["--group-by", "stack"]));
            let (r, json) = reports(&list);
            check_diff(&r, &json, &files);
            check_sites(&r, &json);
        }
    }
}

#[test]
fn fixture_series_and_summary_read_as_text() {
    let files: Vec<String> = (1..=4)
        .map(|i| format!("fixtures/series/s{i}.heapsnapshot.gz"))
        .collect();
    let (r, json) = reports(&args(&files));
    check_series(&r, &json, &files);

    let file = "fixtures/snapshots/chromium-late.heapsnapshot.gz";
    let list = args(&["summary", file]);
    let r = render(run("markdown", &list));
    let json = serde_json::from_str(&run("json", &list)).unwrap();
    check_summary(&r, &json, file, TOP);
    assert!(r.root.text().contains("Detached <div>"), "{}", r.markdown);
}
