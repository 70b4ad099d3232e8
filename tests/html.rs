//! The HTML report (`--format html`): one self-contained page built from the report structs.
//! Rust tests pin its embedded data and structure on the fixtures; `tests/browser/` opens it
//! in headless Chromium and checks what a reader does (treemap, cards, sorting, filtering).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{heapdiff, json_report, series, snapshot, stdout_of};

mod support;

fn pair() -> [PathBuf; 2] {
    [snapshot("node20-base"), snapshot("node20-late")]
}

/// The HTML report of `files` with `args`.
fn html(args: &[&str], files: &[PathBuf]) -> String {
    stdout_of(
        heapdiff()
            .args(["--format", "html", "--source-root", "/work/main"])
            .args(args)
            .args(files),
    )
}

/// The report embedded in the page.
fn embedded(page: &str) -> Value {
    let start = page
        .find("<script type=\"application/json\" id=\"report-data\">")
        .unwrap();
    let body = &page[start..];
    let body = &body[body.find('>').unwrap() + 1..body.find("</script>").unwrap()];
    serde_json::from_str(&body.replace("<\\/", "</")).unwrap()
}

#[test]
fn the_page_embeds_the_report_and_draws_every_top_cluster() {
    let page = html(&["--compare"], &pair());
    let data = embedded(&page);
    let json = json_report(&[
        "--compare".into(),
        "--source-root".into(),
        "/work/main".into(),
        pair()[0].clone().into_os_string(),
        pair()[1].clone().into_os_string(),
    ]);
    assert_eq!(
        data, json,
        "the page embeds the JSON report (it is small enough to be whole)"
    );
    let clusters = data["clusters"].as_array().unwrap();
    // One treemap rectangle per cluster no other cluster holds, one card per cluster.
    let top = clusters.iter().filter(|c| c["inside_of"].is_null()).count();
    let treemap = &page[page.find("id=\"treemap-clusters\"").unwrap()..];
    let treemap = &treemap[..treemap.find("</svg>").unwrap()];
    assert_eq!(treemap.matches("<rect ").count(), top);
    assert_eq!(
        page.matches("<article class=\"card\"").count(),
        clusters.len()
    );
    for c in clusters {
        assert!(page.contains(&format!("id=\"cluster-{}\"", c["rank"])));
    }
    for id in [
        "verdict",
        "findings",
        "treemaps",
        "clusters",
        "classes",
        "comparison",
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "section {id}");
    }
    assert!(page.contains("validate* @ &lt;eval&gt;:3:17"));
    assert!(page.contains("created by compileValidator (fixtures/scripts/leak.js:44:26)"));
    assert!(page.contains("<a href=\"file:///work/main/fixtures/scripts/leak.js\">"));
    // Self-contained: no stylesheet, script or image fetched from anywhere.
    for needle in ["<link", " src=", "http://", "https://", "@import"] {
        assert!(!page.contains(needle), "the page refers to {needle}");
    }
    assert!(page.len() < 3 << 20);
}

#[test]
fn series_and_summary_pages_work_too() {
    let s: Vec<_> = (1..=4).map(|i| series(&format!("s{i}"))).collect();
    let page = html(&[], &s);
    assert_eq!(embedded(&page)["command"], "series");
    assert!(page.contains("held by 150/150  global .state → Object .leaks → Array [] → Leaky"));
    assert!(page.contains("<svg class=\"spark\""));
    let out = heapdiff()
        .args(["summary", "--format", "html"])
        .arg(snapshot("node20-base"))
        .output()
        .unwrap();
    let page = String::from_utf8(out.stdout).unwrap();
    assert_eq!(embedded(&page)["command"], "summary");
    assert!(page.contains("id=\"classes-table\""));
}

#[test]
fn text_is_escaped() {
    let page = html(&[], &pair());
    // Outside the embedded JSON, labels with quotes and angle brackets are text, not markup.
    let markup = &page[..page.find("<script type=\"application/json\"").unwrap()];
    assert!(markup.contains("&quot;duplicated-string-value&quot;"));
    assert!(markup.contains("&lt;eval&gt;"));
    assert!(!markup.contains("<eval>"));
}

/// The browser check (`tests/browser/run.sh`): needs Node, npm (the corpus's packages) and
/// Debian's chromium; it installs the last two when missing, as `corpus/generate.sh` does.
#[test]
fn a_real_browser_can_use_the_report() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    let pair_page = dir.path().join("pair.html");
    let series_page = dir.path().join("series.html");
    std::fs::write(&pair_page, html(&["--compare"], &pair())).unwrap();
    let s: Vec<_> = (1..=4).map(|i| series(&format!("s{i}"))).collect();
    std::fs::write(&series_page, html(&[], &s)).unwrap();
    let shots = root.join("bench-data/screenshots");
    let status = Command::new("bash")
        .arg(root.join("tests/browser/run.sh"))
        .arg(&pair_page)
        .arg(&series_page)
        .arg(&shots)
        .status()
        .expect("running tests/browser/run.sh (needs bash and node)");
    assert!(status.success(), "the browser check failed");
    assert!(shots.join("pair-card.png").is_file());
}
