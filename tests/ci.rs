//! CI use: budgets and exit codes, output formats and files, gzip and stdin input, three
//! snapshots and series, on real fixture snapshots.

use std::path::{Path, PathBuf};

mod support;

use serde_json::Value;
use support::{heapdiff, series, snapshot};

fn pair() -> [PathBuf; 2] {
    [snapshot("node20-base"), snapshot("node20-late")]
}

#[test]
fn budgets_set_the_exit_code() {
    // The node20 pair: 9,017 new objects retaining 629,056 bytes; 900 new functions.
    let within = heapdiff()
        .args([
            "--json",
            "--fail-on-growth",
            "1MB",
            "--fail-if",
            "class:Function.count>=901",
        ])
        .args(pair())
        .output()
        .unwrap();
    assert_eq!(within.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&within.stdout).unwrap();
    let budgets = r["budgets"].as_array().unwrap();
    assert_eq!(budgets.len(), 2);
    assert_eq!(budgets[0]["budget"], "new-retained>1MB");
    assert_eq!(budgets[0]["limit"], 1_000_000);
    assert_eq!(budgets[0]["exceeded"], false);
    assert_eq!(budgets[1]["actual"], 900);
    assert_eq!(budgets[1]["exceeded"], false);

    let over = heapdiff()
        .args([
            "--fail-if",
            "new-retained>500kB",
            "--fail-if",
            "cluster.count>100",
        ])
        .args(pair())
        .output()
        .unwrap();
    assert_eq!(over.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&over.stderr);
    assert!(
        stderr.contains("budget exceeded: new-retained>500kB"),
        "{stderr}"
    );
    assert!(
        stderr.contains("budget exceeded: cluster.count>100 (actual 500, limit 100)"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&over.stdout);
    assert!(
        stdout.contains("budget cluster.count>100: EXCEEDED, actual 500 (validate* @ <eval>"),
        "{stdout}"
    );

    // A budget that does not parse is a usage error, before any file is read.
    let bad = heapdiff()
        .args(["--fail-if", "retained>5MiB", "missing-a", "missing-b"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown metric 'retained'"));
    // An unreadable input is 2 even when budgets are given.
    let missing = heapdiff()
        .args(["--fail-on-growth", "1MB", "missing-a", "missing-b"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn markdown_output_is_pinned() {
    let out = heapdiff()
        .args([
            "--format",
            "markdown",
            "--top",
            "5",
            "--fail-if",
            "class:Function.count>500",
            "--source-root",
            "/work/main",
        ])
        .args(pair())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let golden = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/node20.md");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &text).unwrap();
    }
    assert_eq!(text, std::fs::read_to_string(&golden).unwrap());
}

#[test]
fn output_files_are_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let out = heapdiff()
        .args(["--json", "--output"])
        .arg(&path)
        .args(pair())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let stdout = heapdiff()
        .arg("--json")
        .args(pair())
        .output()
        .unwrap()
        .stdout;
    assert_eq!(std::fs::read(&path).unwrap(), stdout);
    // Only the report is left in the directory: the temporary file was renamed.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["report.json"]);
    // An unwritable destination is an error, and nothing is left behind.
    let bad = heapdiff()
        .args(["--json", "--output", "/nonexistent-dir/report.json"])
        .args(pair())
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn stdin_and_gzip_inputs_give_the_same_report() {
    let from_files = heapdiff().arg("--json").args(pair()).output().unwrap();
    let late =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(snapshot("node20-late"))).unwrap();
    let from_stdin = heapdiff()
        .arg("--json")
        .arg(snapshot("node20-base"))
        .arg("-")
        .write_stdin(late)
        .output()
        .unwrap();
    assert_eq!(
        from_stdin.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&from_stdin.stderr)
    );
    let a: Value = serde_json::from_slice(&from_files.stdout).unwrap();
    let mut b: Value = serde_json::from_slice(&from_stdin.stdout).unwrap();
    assert_eq!(b["late"]["file"], "-");
    b["late"]["file"] = a["late"]["file"].clone();
    assert_eq!(b["late"]["file_size"], Value::Null);
    b["late"]["file_size"] = a["late"]["file_size"].clone();
    assert_eq!(a, b);
    let twice = heapdiff().args(["-", "-"]).output().unwrap();
    assert_eq!(twice.status.code(), Some(2));
}

#[test]
fn three_snapshots_with_memlab_keep_what_survives_to_the_final_one() {
    let out = heapdiff()
        .args(["--json", "--memlab"])
        .args([series("s1"), series("s2"), series("s4")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r["target"]["file"]
            .as_str()
            .unwrap()
            .ends_with("s2.heapsnapshot.gz")
    );
    assert_eq!(r["between"]["max_id"], r["target"]["max_js_object_id"]);
    let count = |name: &str| {
        r["classes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .map_or(0, |c| c["count"].as_u64().unwrap())
    };
    // The 100 leaked between s1 and s2 are still there; the cache entries of that step were
    // all evicted by s4; the settings filled once stay.
    assert_eq!(count("Leaky"), 100);
    assert_eq!(count("CacheEntry"), 0);
    assert_eq!(count("Setting"), 150);
}

#[test]
fn a_series_flags_steady_growth_not_a_filled_cache() {
    let out = heapdiff()
        .args(["--json", "fixtures/series"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["command"], "series");
    assert_eq!(r["snapshots"].as_array().unwrap().len(), 4);
    let find = |list: &str, name: &str| -> Value {
        r[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("{name} not in {list}"))
    };
    let leaky = find("classes", "Leaky");
    assert_eq!(leaky["counts"], serde_json::json!([0, 100, 200, 300]));
    assert_eq!(leaky["growing"], true);
    assert_eq!(leaky["count_slope"], 100.0);
    for plateau in ["CacheEntry", "Setting"] {
        let t = find("classes", plateau);
        assert_eq!(t["growing"], false, "{plateau}");
        assert_eq!(t["counts"][3], t["counts"][2], "{plateau}");
    }
    let cluster = find("clusters", "Leaky {name}");
    assert_eq!(cluster["counts"], serde_json::json!([0, 100, 200, 300]));
    assert_eq!(cluster["growing"], true);
    // Growing groups come first.
    assert_eq!(r["clusters"][0]["growing"], true);
    // Three files are a series too; the table has a trend column.
    let out = heapdiff()
        .args([series("s1"), series("s2"), series("s3")])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("│ ↑ ┆ Leaky"), "{text}");
    assert!(text.contains("▁▅█"), "{text}");
}

#[test]
fn completions_and_man_page_come_from_the_cli_definition() {
    let out = heapdiff().args(["completions", "bash"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("--fail-on-growth") && text.contains("summary"),
        "{text}"
    );
    let out = heapdiff().arg("man").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(".ie") || text.contains(".TH heapdiff"),
        "{}",
        &text[..200]
    );
    assert!(text.contains("fail\\-if"), "man page lacks --fail-if");
}
