//! `--format sarif` on real snapshots: valid SARIF 2.1.0 (checked against the OASIS schema by
//! `tests/sarif/validate.mjs`, which installs its two npm packages the first time), one result
//! per finding, located at the code that made what it gained.

use std::path::{Path, PathBuf};
use std::process::Command;

mod support;

use serde_json::Value;
use support::{heapdiff, json_report, series, snapshot};

/// Installs the validator's packages (pinned in its lock file) when they are missing.
fn validator() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sarif");
    if !dir.join("node_modules/@microsoft/jest-sarif").is_dir() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&dir)
            .status()
            .expect("running npm ci in tests/sarif (needs node and npm)");
        assert!(status.success(), "npm ci in tests/sarif failed");
    }
    dir.join("validate.mjs")
}

/// heapdiff's SARIF and JSON reports on `files`, the SARIF written to a file with `-o`.
fn reports(files: &[PathBuf], dir: &Path, name: &str) -> (PathBuf, Value, Value) {
    let out = dir.join(format!("{name}.sarif"));
    let status = heapdiff()
        .args(["--format", "sarif", "--quiet", "-o"])
        .arg(&out)
        .args(files)
        .output()
        .unwrap();
    assert_eq!(status.status.code(), Some(0), "{status:?}");
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    (out, sarif, json_report(files))
}

#[test]
fn sarif_is_valid_and_has_one_result_per_finding() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = [
        (
            "node20",
            vec![snapshot("node20-base"), snapshot("node20-late")],
        ),
        (
            "chromium",
            vec![snapshot("chromium-base"), snapshot("chromium-late")],
        ),
        ("series", ["s1", "s2", "s3", "s4"].map(series).to_vec()),
    ];
    let mut files = Vec::new();
    for (name, snapshots) in &inputs {
        let (file, sarif, json) = reports(snapshots, dir.path(), name);
        files.push(file);
        assert_eq!(sarif["version"], "2.1.0");
        let run = &sarif["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "heapdiff");
        let results = run["results"].as_array().unwrap();
        let findings = json["findings"].as_array().unwrap();
        assert_eq!(results.len(), findings.len(), "{name}");
        assert!(!results.is_empty(), "{name}: no findings");
        for (r, f) in results.iter().zip(findings) {
            assert_eq!(
                r["partialFingerprints"]["heapdiffLeak/v1"], f["fingerprint"],
                "{name}"
            );
            assert_eq!(r["properties"]["holder"], f["label"]);
            let related = &r["relatedLocations"][0]["logicalLocations"][0];
            assert_eq!(related["fullyQualifiedName"], f["holder"]["path"]);
            let level = r["level"].as_str().unwrap();
            let rule = r["ruleId"].as_str().unwrap();
            match f["evidence"].as_str().unwrap() {
                "growing" => assert_eq!((rule, level), ("growing-holder", "error")),
                "two-snapshots" if f["suspicion"].is_null() => {
                    assert_eq!((rule, level), ("gaining-holder", "warning"))
                }
                _ => assert_eq!(level, "note"),
            }
            // A finding with a site is located there (eval'd code: where it was compiled).
            let site = &f["site"];
            let location = &r["locations"][0]["physicalLocation"];
            if site.is_null() {
                assert!(r.get("locations").is_none(), "{name}: {r}");
            } else if site["script"] != "<eval>" {
                assert_eq!(location["region"]["startLine"], site["line"], "{name}");
                assert_eq!(location["region"]["startColumn"], site["column"]);
            }
        }
        // The first result's message is the report's verdict.
        let verdict = json["verdict"].as_str().unwrap();
        let first = results[0]["message"]["text"].as_str().unwrap();
        assert_eq!(first, verdict, "{name}");
    }

    // The node20 pair's eval'd validators point at the function that compiled them, a file of
    // the checkout the fixture was written in: relative to `--source-root` given as that
    // directory (as the Action does), wherever this checkout is.
    let json = json_report(&inputs[0].1);
    let script = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["label"] == "EventEmitter ._events → Object")
        .expect("the listeners finding")["site"]["script"]
        .as_str()
        .unwrap()
        .to_string();
    let written_in = script
        .strip_suffix("/fixtures/scripts/leak.js")
        .expect("the fixture's script path");
    let rooted = dir.path().join("rooted.sarif");
    let out = heapdiff()
        .args([
            "--format",
            "sarif",
            "--quiet",
            "--source-root",
            written_in,
            "-o",
        ])
        .arg(&rooted)
        .args(&inputs[0].1)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    files.push(rooted.clone());
    let node20: Value = serde_json::from_str(&std::fs::read_to_string(&rooted).unwrap()).unwrap();
    let compiled = node20["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["properties"]["holder"] == "Object .validators → Map")
        .expect("the validators finding");
    let location = &compiled["locations"][0]["physicalLocation"];
    assert_eq!(
        location["artifactLocation"],
        serde_json::json!({"uri": "fixtures/scripts/leak.js", "uriBaseId": "%SRCROOT%"})
    );
    assert_eq!(location["region"]["startLine"], 44);
    let root = node20["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .unwrap();
    assert_eq!(root, format!("file://{written_in}/"));

    let check = Command::new("node")
        .arg(validator())
        .args(&files)
        .output()
        .expect("running node");
    assert!(
        check.status.success(),
        "not valid SARIF 2.1.0:\n{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn the_validator_rejects_what_is_not_sarif() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.sarif");
    std::fs::write(
        &bad,
        r#"{"version": "2.1.0", "runs": [{"tool": {"driver": {}}, "results": []}]}"#,
    )
    .unwrap();
    let check = Command::new("node")
        .arg(validator())
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(check.status.code(), Some(1));
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(text.contains("'name'"), "{text}");
}

#[test]
fn one_snapshot_has_no_findings_for_sarif() {
    let out = heapdiff()
        .args(["summary", "--format", "sarif"])
        .arg(snapshot("node20-base"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("give two or more snapshots"), "{stderr}");
}
