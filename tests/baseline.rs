//! Known leaks in CI (`--write-baseline FILE`, `--baseline FILE`) on real snapshots: a known
//! leak passes, a new one or one grown past the file's factor fails (exit 1), a file that is
//! no baseline cannot be checked (exit 2); fingerprints hold across runs of one program.

use std::path::{Path, PathBuf};

mod support;

use serde_json::Value;
use support::{heapdiff, series, snapshot};

fn pair(name: &str) -> [PathBuf; 2] {
    [
        snapshot(&format!("{name}-base")),
        snapshot(&format!("{name}-late")),
    ]
}

fn the_series() -> Vec<PathBuf> {
    ["s1", "s2", "s3", "s4"].map(series).to_vec()
}

/// Runs heapdiff with `args` and `files`: exit code, JSON report (when it printed one),
/// stderr.
fn run(args: &[&str], files: &[PathBuf], baseline: Option<&Path>) -> (i32, Value, String) {
    let mut cmd = heapdiff();
    cmd.args(["--json", "--quiet"]).args(args).args(files);
    if let Some(b) = baseline {
        cmd.arg("--baseline").arg(b);
    }
    let out = cmd.output().unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap(),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write_baseline(files: &[PathBuf], to: &Path) -> Value {
    let (code, json, stderr) = run(&["--write-baseline", to.to_str().unwrap()], files, None);
    assert_eq!(code, 0, "{stderr}");
    json
}

fn baseline_check(report: &Value) -> &Value {
    report["budgets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["budget"].as_str().unwrap().starts_with("baseline"))
        .expect("the baseline check is listed with the budgets")
}

#[test]
fn a_known_leak_passes_and_a_new_one_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leaks.json");
    let report = write_baseline(&pair("node20"), &file);
    let known: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(known["heapdiff_baseline"], 1);
    assert_eq!(known["growth_factor"], 2.0);
    // Every suspected finding (two snapshots: no milder reading) is recorded, by fingerprint.
    let suspected: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["suspicion"].is_null())
        .collect();
    let recorded: Vec<&str> = known["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["fingerprint"].as_str().unwrap())
        .collect();
    assert!(!suspected.is_empty());
    for f in &suspected {
        assert!(
            recorded.contains(&f["fingerprint"].as_str().unwrap()),
            "{f}"
        );
    }
    assert_eq!(
        known["findings"][1]["code"], "listener @ scripts/leak.js",
        "sites by function and script, without line numbers or the checkout's folder"
    );

    // The same pair against its own baseline: every finding known, the check passes.
    let (code, again, _) = run(&[], &pair("node20"), Some(&file));
    assert_eq!(code, 0);
    assert_eq!(baseline_check(&again)["exceeded"], false);
    for f in again["findings"].as_array().unwrap() {
        if f["suspicion"].is_null() {
            assert_eq!(f["baseline"], "known", "{}", f["label"]);
        }
    }

    // Another run of the same program (Node 24, other ids and sizes): its leaks are known.
    let (code, other_run, stderr) = run(&[], &pair("node24"), Some(&file));
    assert_eq!(code, 0, "{stderr}");
    let known_labels: Vec<&str> = other_run["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline"] == "known")
        .map(|f| f["label"].as_str().unwrap())
        .collect();
    assert!(
        known_labels.contains(&"EventEmitter ._events → Object"),
        "{known_labels:?}"
    );

    // A page's leaks are not the service's: exit 1, the check names the first new one.
    let (code, page, stderr) = run(&[], &pair("chromium"), Some(&file));
    assert_eq!(code, 1);
    let check = baseline_check(&page);
    assert_eq!(check["exceeded"], true);
    assert_eq!(check["subject"], page["findings"][0]["label"]);
    assert!(
        stderr.contains("budget exceeded: baseline (new or grown leaks)"),
        "{stderr}"
    );
    assert_eq!(page["findings"][0]["baseline"], "new");
}

#[test]
fn a_known_leak_that_grew_past_the_factor_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leaks.json");
    write_baseline(&pair("node20"), &file);
    let mut known: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // The listeners' leak was recorded at a third of its size: it has grown threefold.
    let listeners = known["findings"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|k| k["holder"] == "EventEmitter ._events → Object")
        .unwrap();
    let bytes = listeners["per_step_bytes"].as_u64().unwrap();
    listeners["per_step_bytes"] = (bytes / 3).into();
    std::fs::write(&file, known.to_string()).unwrap();
    let (code, report, _) = run(&[], &pair("node20"), Some(&file));
    assert_eq!(code, 1);
    let grown: Vec<&Value> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["baseline"] == "grown")
        .collect();
    assert_eq!(grown.len(), 1);
    assert_eq!(baseline_check(&report)["subject"], grown[0]["label"]);

    // A factor of 4 allows it again.
    known["growth_factor"] = 4.0.into();
    std::fs::write(&file, known.to_string()).unwrap();
    let (code, _, _) = run(&[], &pair("node20"), Some(&file));
    assert_eq!(code, 0);
}

#[test]
fn a_series_checks_its_growing_findings() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("leaks.json");
    let report = write_baseline(&the_series(), &file);
    let growing = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["growing"] == true)
        .count();
    let known: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(known["findings"].as_array().unwrap().len(), growing);
    assert!(growing >= 1);

    // Without the baseline the growing leak fails the budget; with it, it is known.
    let budget = ["--fail-if", "growing.count>0"];
    let (code, _, _) = run(&budget, &the_series(), None);
    assert_eq!(code, 1);
    let (code, checked, stderr) = run(&budget, &the_series(), Some(&file));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(checked["findings"][0]["baseline"], "known");
    let growing_budget = &checked["budgets"][0];
    assert_eq!(growing_budget["actual"], 0, "known leaks are not counted");

    // The series' leak is new against the pair's baseline.
    let pair_file = dir.path().join("pair.json");
    write_baseline(&pair("chromium"), &pair_file);
    let (code, _, _) = run(&[], &the_series(), Some(&pair_file));
    assert_eq!(code, 1);
}

#[test]
fn a_file_that_is_no_baseline_cannot_be_checked() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("missing.json", None),
        ("empty.json", Some("")),
        ("other.json", Some(r#"{"findings": []}"#)),
        (
            "future.json",
            Some(r#"{"heapdiff_baseline": 9, "growth_factor": 2, "findings": []}"#),
        ),
        (
            "factor.json",
            Some(r#"{"heapdiff_baseline": 1, "growth_factor": 0.5, "findings": []}"#),
        ),
    ];
    for (name, text) in cases {
        let path = dir.path().join(name);
        if let Some(text) = text {
            std::fs::write(&path, text).unwrap();
        }
        let (code, report, stderr) = run(&[], &pair("node20"), Some(&path));
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(report.is_null(), "{name}: no report");
        assert_eq!(stderr.trim().lines().count(), 1, "{name}: {stderr}");
        assert!(stderr.contains(name), "{name}: {stderr}");
    }
    // heapdiff never writes a baseline over one of its inputs.
    let input = dir.path().join("base.heapsnapshot.gz");
    std::fs::copy(snapshot("node20-base"), &input).unwrap();
    let out = heapdiff()
        .arg(&input)
        .arg(snapshot("node20-late"))
        .arg("--write-baseline")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::metadata(&input).unwrap().len(),
        std::fs::metadata(snapshot("node20-base")).unwrap().len()
    );
}
