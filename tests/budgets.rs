//! Budgets never pass by mistake (issue 28): on every committed fixture, a budget on each class
//! of DevTools' Summary view of the snapshots is measured, and a budget on a name that is no
//! class (a class name lower-cased or with a letter dropped, a function's name) exits 2 with a
//! one-line error. `--ignore` leaves out of a series what it leaves out of a pair, budgets
//! included.
//!
//! Each check passes many `--fail-if` at once: one bad budget fails the run, and the error
//! names every bad one, so a few runs cover every class.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

mod support;

use serde_json::Value;
use support::{heapdiff, series, snapshot, stdout_of};

/// A committed pair: `<name>-base`, `<name>-late`.
fn pair(name: &str) -> [PathBuf; 2] {
    [
        snapshot(&format!("{name}-base")),
        snapshot(&format!("{name}-late")),
    ]
}

/// The class names of DevTools' Summary view of `file` (`heapdiff summary --json`).
fn summary_classes(file: &Path) -> BTreeSet<String> {
    let text = stdout_of(heapdiff().args(["summary", "--json", "--quiet"]).arg(file));
    let r: Value = serde_json::from_str(&text).unwrap();
    r["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_string())
        .collect()
}

/// The names of the functions (closures) of `file`.
fn function_names(file: &Path) -> BTreeSet<String> {
    let g = heapdiff::read::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    (0..g.node_count() as u32)
        .filter(|&v| g.is_type(v, g.node_types.closure))
        .map(|v| g.raw_name(v).to_string())
        .collect()
}

/// heapdiff on `files` with one `class:NAME.count>0` budget per name.
fn with_budgets(files: &[PathBuf], names: &[&String]) -> Output {
    heapdiff()
        .args(["--json", "--quiet"])
        .args(names.iter().map(|n| format!("--fail-if=class:{n}.count>0")))
        .args(files)
        .output()
        .unwrap()
}

/// Names the error can show as they are (no control characters to escape).
fn printable(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(char::is_control)
}

/// `name` with its middle character left out.
fn misspelled(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let middle = chars.len() / 2;
    chars
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != middle)
        .map(|(_, c)| c)
        .collect()
}

/// Every budget on a class of `snapshots` is measured on `files` (exit 0 or 1); every budget
/// on a lower-cased or misspelled class name, or on the name of a function of the last
/// snapshot, that is no class exits 2, with one line that names each of them and suggests
/// only real classes.
fn only_classes_are_budgeted(files: &[PathBuf], snapshots: &[PathBuf]) {
    let classes: BTreeSet<String> = snapshots.iter().flat_map(|s| summary_classes(s)).collect();
    assert!(classes.len() > 100, "{}", classes.len());
    let names: Vec<&String> = classes.iter().filter(|n| printable(n)).collect();
    let good = with_budgets(files, &names);
    let stderr = String::from_utf8_lossy(&good.stderr);
    assert!(matches!(good.status.code(), Some(0 | 1)), "{stderr}");
    let r: Value = serde_json::from_slice(&good.stdout).unwrap();
    assert_eq!(r["budgets"].as_array().unwrap().len(), names.len());

    let functions = function_names(snapshots.last().unwrap());
    let not_class = |n: &String| printable(n) && !classes.contains(n);
    let lower: BTreeSet<String> = classes.iter().map(|n| n.to_lowercase()).collect();
    let typos: BTreeSet<String> = classes
        .iter()
        .filter(|n| n.chars().count() > 1)
        .map(|n| misspelled(n))
        .collect();
    let only_functions: Vec<&String> = functions.iter().filter(|n| not_class(n)).collect();
    // Every 7th function keeps the run short; there are thousands.
    let sampled = only_functions.iter().step_by(7).copied();
    let bad: Vec<&String> = lower
        .iter()
        .chain(&typos)
        .filter(|n| not_class(n))
        .chain(sampled)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert!(bad.len() > 100, "{}", bad.len());
    assert!(only_functions.len() > 20, "{}", only_functions.len());
    let out = with_budgets(files, &bad);
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for name in &bad {
        assert!(stderr.contains(&format!("no class \"{name}\"")), "{name}");
    }
    for suggestion in stderr.split("did you mean \"").skip(1) {
        let class = &suggestion[..suggestion.find("\"?").unwrap()];
        assert!(classes.contains(class), "suggested {class:?}");
    }
}

// See: issue 28, "CI that never passes by mistake" (every test of this file).
#[test]
fn budgets_name_only_classes_node20() {
    only_classes_are_budgeted(&pair("node20"), &pair("node20"));
}

#[test]
fn budgets_name_only_classes_chromium() {
    only_classes_are_budgeted(&pair("chromium"), &pair("chromium"));
}

#[test]
fn budgets_name_only_classes_node14() {
    only_classes_are_budgeted(&pair("node14"), &pair("node14"));
}

#[test]
fn budgets_name_only_classes_node24() {
    only_classes_are_budgeted(&pair("node24"), &pair("node24"));
}

#[test]
fn budgets_name_only_classes_tracked() {
    only_classes_are_budgeted(&pair("tracked"), &pair("tracked"));
}

#[test]
fn budgets_name_only_classes_series() {
    let all: Vec<PathBuf> = ["s1", "s2", "s3", "s4"].map(series).to_vec();
    only_classes_are_budgeted(&[PathBuf::from("fixtures/series")], &all);
}

#[test]
fn a_function_or_a_lower_cased_class_is_no_class() {
    // The names on the node20 pair. `Timeout` is a constructor with no object alive
    // (a function only), `setTimeout`, `listener` and `nop` are functions: none is a class.
    let pair = pair("node20");
    let classes: BTreeSet<String> = pair.iter().flat_map(|s| summary_classes(s)).collect();
    let functions = function_names(&pair[1]);
    for name in ["Timeout", "setTimeout", "listener", "nop"] {
        assert!(
            functions.contains(name) && !classes.contains(name),
            "{name}"
        );
    }
    // Good budgets beside the bad ones change nothing: the run fails, naming the bad ones
    // in the order given, with a suggestion only where a class is close.
    let out = heapdiff()
        .args(["--fail-if", "class:Function.count>0"])
        .args(
            ["Timeout", "timeout", "setTimeout", "listener", "nop", "foo"]
                .map(|name| format!("--fail-if=class:{name}.count>0")),
        )
        .args([
            "--fail-if",
            "class:session.retained>1kB",
            "--fail-if",
            "class:EventEmiter.count>=1",
            "--fail-if",
            "new-retained>1GB",
        ])
        .args(&pair)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "heapdiff: no class \"Timeout\" in either snapshot; \
         no class \"timeout\" in either snapshot; \
         no class \"setTimeout\" in either snapshot; \
         no class \"listener\" in either snapshot; \
         no class \"nop\" in either snapshot; \
         no class \"foo\" in either snapshot; \
         no class \"session\" in either snapshot; did you mean \"Session\"?; \
         no class \"EventEmiter\" in either snapshot; did you mean \"EventEmitter\"?\n"
    );
}

#[test]
fn report_options_before_a_subcommand_are_an_error() {
    // `summary` has no budgets: dropping them would pass the job by mistake.
    for flag in [["--fail-if", "new-count>0"], ["--ignore", "lru"]] {
        let out = heapdiff()
            .args(flag)
            .arg("summary")
            .arg(snapshot("node20-late"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        assert_eq!(
            String::from_utf8(out.stderr).unwrap(),
            format!(
                "heapdiff: {} applies to a report on two or more snapshots \
                 (heapdiff SNAPSHOT… or heapdiff capture), not to heapdiff summary\n",
                flag[0]
            )
        );
    }
}

#[test]
fn ignore_applies_to_a_series_and_its_budgets() {
    let dir = "fixtures/series";
    let run = |extra: &[&str]| -> (Option<i32>, Value) {
        let out = heapdiff()
            .args(["--json", "--quiet", "--fail-if", "growing.count>0"])
            .args(extra)
            .arg(dir)
            .output()
            .unwrap();
        let r = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code(), r)
    };
    let (code, r) = run(&[]);
    assert_eq!(code, Some(1));
    assert_eq!(r["ignored"]["findings"], 0);
    let first = &r["findings"][0];
    assert_eq!(first["growing"], true);
    let holder = first["holder"]["path"].as_str().unwrap().to_string();
    assert_eq!(r["budgets"][0]["subject"], first["label"]);
    // The last property edge on the holder's path: `global .state → Object .leaks → Array`.
    let edge = holder
        .split(' ')
        .filter_map(|t| t.strip_prefix('.'))
        .next_back()
        .unwrap()
        .to_string();
    let (code, r) = run(&["--ignore", &edge, "--ignore", "Leaky"]);
    assert_eq!(code, Some(0), "{}", r["budgets"]);
    let findings = r["findings"].as_array().unwrap();
    assert!(
        findings
            .iter()
            .all(|f| f["holder"]["path"] != holder.as_str())
    );
    assert_eq!(r["budgets"][0]["actual"], 0);
    assert!(r["ignored"]["findings"].as_u64().unwrap() >= 1);
    // The growing cluster held there goes too, and the class named.
    assert!(r["ignored"]["clusters"].as_u64().unwrap() >= 1);
    assert!(
        r["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| !c["name"].as_str().unwrap().starts_with("Leaky"))
    );
    assert_eq!(r["ignored"]["classes"], 1);
    assert!(
        r["classes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["name"] != "Leaky")
    );
    // The text report says what was ignored, as for a pair.
    let out = heapdiff()
        .args(["--quiet", "--ignore", &edge, dir])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ignored (--ignore): 1 finding, 1 cluster, 0 classes"),
        "{text}"
    );
}
