//! Allocation stacks end to end, on real snapshots written with allocation tracking on: Node's
//! `--track-heap-objects` (fixtures/scripts/tracked.js: a handler that compiles an ajv schema
//! per request) and a Chromium "Allocations on timeline" recording of fixtures/scripts/page.html
//! (leak() at about 0.5 s, recordLater() at about 1.5 s). Per-node stacks and the Allocation
//! view are compared with DevTools' own in tests/oracle.rs.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{heapdiff, json_report, snapshot, stdout_of};

/// The fixtures were written in /work/main: scripts show relative to it wherever the
/// repository is checked out.
/// The machine the fixtures were written on, and its places as V8 wrote them: their scripts
/// may have source maps here (ajv's, under corpus/node_modules) and not on another machine.
const SOURCE_ROOT: [&str; 3] = ["--source-root", "/work/main", "--no-source-maps"];

fn tracked() -> [PathBuf; 2] {
    [snapshot("tracked-base"), snapshot("tracked-late")]
}

fn recording() -> PathBuf {
    Path::new("fixtures/timeline").join("chromium-timeline.heaptimeline.gz")
}

/// stderr of a run that must fail with exit status 2.
fn usage_error(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{:?}", out);
    String::from_utf8(out.stderr).unwrap()
}

#[test]
fn the_leaking_clusters_name_the_handler_that_allocated_them() {
    let text = stdout_of(
        heapdiff()
            .args(tracked())
            .args(SOURCE_ROOT)
            .args(["--width", "200", "--top", "4"]),
    );
    let clusters = text.split("Clusters of new objects").nth(1).unwrap();
    let first = clusters.split("│ 2 ").next().unwrap();
    assert!(first.contains("validate*"), "{first}");
    assert!(
        first.contains("allocated by 80/80 handleOrder (fixtures/scripts/tracked.js:30:21)"),
        "{first}"
    );
    // The compiler inside the library is named where it is (the eval origin), not as the
    // allocator: the first frame of the program's own code is.
    assert!(first.contains("created by compileSchema"), "{first}");

    let report = json_report(&tracked());
    let top = &report["clusters"][0]["allocation"];
    assert_eq!(top["traced"], 80);
    assert_eq!(top["allocated_by"]["function"], "handleOrder");
    assert_eq!(top["allocated_by"]["line"], 30);
    assert_eq!(top["allocated_by"]["column"], 21);
    assert!(
        top["allocated_by"]["script"]
            .as_str()
            .unwrap()
            .ends_with("fixtures/scripts/tracked.js")
    );
    let stacks = top["stacks"].as_array().unwrap();
    assert!(!stacks.is_empty());
    let counted: u64 = stacks
        .iter()
        .map(|s| s["count"].as_u64().unwrap())
        .sum::<u64>()
        + top["omitted_count"].as_u64().unwrap();
    assert_eq!(counted, 80, "every traced member is in one stack");
    // Each validator is compiled into a script of its own: stacks that differ only in that
    // script's id are one, so none is left out and each stands for several recorded ones.
    assert_eq!(top["omitted_stacks"], 0);
    let variants: u64 = stacks.iter().map(|s| s["variants"].as_u64().unwrap()).sum();
    assert_eq!(variants, 80, "each member has a script of its own");
    let innermost = &stacks[0]["frames"][0];
    assert_eq!(innermost["script"], "", "{innermost}");
    let compiler = innermost["created_by"].as_str().unwrap();
    assert!(compiler.starts_with("compileSchema ("), "{compiler}");
    for s in stacks {
        let frames = s["frames"].as_array().unwrap();
        assert_eq!(frames.last().unwrap()["function"], "(root)");
        assert!(frames.iter().any(|f| f["function"] == "handleOrder"));
        for f in frames {
            for key in ["function", "script", "line", "column"] {
                assert!(f.get(key).is_some(), "{f}");
            }
        }
    }
}

#[test]
fn untracked_snapshots_report_no_allocation_fields() {
    let report = json_report(&[snapshot("node20-base"), snapshot("node20-late")]);
    for c in report["clusters"].as_array().unwrap() {
        assert!(c.get("allocation").is_none());
    }
    assert!(report.get("allocation_sites").is_none());
}

#[test]
fn the_cluster_card_lists_the_members_stacks() {
    let text = stdout_of(heapdiff().args(tracked()).args(SOURCE_ROOT).args([
        "--cluster",
        "1",
        "--width",
        "120",
    ]));
    let stacks = text
        .split("Allocation stacks (80 of 80 members have one)")
        .nth(1);
    let stacks = stacks.unwrap_or_else(|| panic!("{text}"));
    let lines: Vec<&str> = stacks.lines().filter(|l| !l.is_empty()).collect();
    assert!(
        lines[0].contains(" kB (") || lines[0].contains(" B ("),
        "{}",
        lines[0]
    );
    // Every validator is compiled into a script of its own: stacks that differ only in that
    // script's id are one, so the 80 members fall into a few stacks and none is left out.
    let headers: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|l| l.starts_with("  ") && !l.starts_with("    "))
        .collect();
    let members: u64 = headers
        .iter()
        .map(|l| l.trim().split(' ').next().unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(members, 80, "{stacks}");
    assert!(headers.len() <= 3, "{stacks}");
    assert!(
        headers[0].contains("stacks alike but for their eval'd scripts"),
        "{}",
        headers[0]
    );
    assert!(!stacks.contains("more stacks"), "{stacks}");
    assert!(
        stacks.contains("    (anonymous) (<eval> VM",)
            && stacks
                .contains(":1:20, compiled by compileSchema (ajv/dist/compile/index.js:33:23))"),
        "{stacks}"
    );
    assert!(stacks.contains("    compileSchema (ajv/dist/compile/index.js:33:23)"));
    assert!(stacks.contains("    handleOrder (fixtures/scripts/tracked.js:30:21)"));
    assert!(
        !stacks.contains("(root)"),
        "the tree's root frame is left out"
    );
}

#[test]
fn group_by_stack_lists_new_objects_by_allocation_site() {
    let out = stdout_of(heapdiff().args(tracked()).args(SOURCE_ROOT).args([
        "--json",
        "--group-by",
        "stack",
    ]));
    let report: Value = serde_json::from_str(&out).unwrap();
    let sites = report["allocation_sites"].as_array().unwrap();
    let live: u64 = sites
        .iter()
        .map(|s| s["live_count"].as_u64().unwrap())
        .sum();
    let new_count = report["between"]["count"].as_u64().unwrap();
    assert!(live > 0 && live <= new_count, "{live} of {new_count}");
    // The new objects no site counts are counted apart, not dropped.
    let untraced = report["untraced_count"].as_u64().unwrap();
    assert!(untraced > 0);
    assert_eq!(live + untraced, new_count);
    for pair in sites.windows(2) {
        assert!(pair[0]["live_size"].as_u64() >= pair[1]["live_size"].as_u64());
    }
    let compile = sites
        .iter()
        .find(|s| s["function"] == "compileSchema")
        .expect("compileSchema allocates new objects");
    assert_eq!(compile["allocated_by"]["function"], "handleOrder");

    let text = stdout_of(heapdiff().args(tracked()).args(SOURCE_ROOT).args([
        "--group-by",
        "stack",
        "--width",
        "120",
    ]));
    assert!(text.contains("New objects by allocation site"));
    assert!(!text.contains("Clusters of new objects"));
    assert!(text.contains("allocated by 542/542 handleOrder (fixtures/scripts/tracked.js:30:21)"));
    let note = format!(
        "{untraced} of {} new objects (<1%) have no allocation stack",
        heapdiff::report::thousands(new_count)
    );
    assert!(text.contains(&note), "{note} not in\n{text}");
}

#[test]
fn summary_group_by_stack_is_devtools_allocation_view() {
    // DevTools' places: the fixture's scripts may have source maps on this machine.
    let out = stdout_of(heapdiff().args([
        "summary",
        "--json",
        "--no-source-maps",
        "--group-by",
        "stack",
        snapshot("tracked-late").to_str().unwrap(),
    ]));
    let report: Value = serde_json::from_str(&out).unwrap();
    let text = std::fs::read_to_string("fixtures/oracle/tracked-late.allocation.json").unwrap();
    let oracle: Value = serde_json::from_str(&text).unwrap();
    let got = report["allocation"].as_array().unwrap();
    let want = oracle["tops"].as_array().unwrap();
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        let pairs = [
            ("function", "name"),
            ("script", "scriptName"),
            ("line", "line"),
            ("count", "count"),
            ("size", "size"),
            ("live_count", "liveCount"),
            ("live_size", "liveSize"),
        ];
        for (ours, theirs) in pairs {
            // DevTools' unknown line 0 is `null` in heapdiff's JSON (every position 1-based).
            let ours_value = match &g[ours] {
                Value::Null if ours == "line" => serde_json::json!(0),
                v => v.clone(),
            };
            assert_eq!(ours_value, w[theirs], "{ours} of {g}");
        }
    }
    let text = stdout_of(heapdiff().args([
        "summary",
        "--no-source-maps",
        "--group-by",
        "stack",
        "--top",
        "3",
        snapshot("tracked-late").to_str().unwrap(),
    ]));
    assert!(text.contains("Allocation view"), "{text}");
    assert!(
        text.contains("_ (ajv/dist/compile/codegen/code.js:56:11)"),
        "{text}"
    );
}

#[test]
fn a_timeline_window_keeps_what_it_allocated() {
    let early = json_report(&[recording().to_str().unwrap(), "--between", "0s..1s"]);
    let late = json_report(&[recording().to_str().unwrap(), "--between", "1.2s.."]);
    let labels = |r: &Value| -> Vec<String> {
        r["clusters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["label"].as_str().unwrap().to_string())
            .collect()
    };
    let classes = |r: &Value| -> Vec<String> {
        r["classes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    // leak() ran at about 0.5 s: its handlers and detached cards are in the first window,
    // recordLater()'s entries (about 1.5 s) only in the second.
    assert!(labels(&early).iter().any(|l| l.starts_with("handler @")));
    assert!(classes(&early).iter().any(|c| c == "Detached <div>"));
    assert!(!classes(&early).iter().any(|c| c == "LaterEntry"));
    assert!(classes(&late).iter().any(|c| c == "LaterEntry"));
    assert!(!labels(&late).iter().any(|l| l.starts_with("handler @")));
    assert_eq!(early["window"], "0 ms..1 s");
    let handler = early["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["label"].as_str().unwrap().starts_with("handler @"))
        .unwrap();
    assert_eq!(handler["allocation"]["allocated_by"]["function"], "leak");
    assert!(
        early["between"]["max_id"].as_u64() <= late["between"]["min_id"].as_u64(),
        "the windows do not overlap"
    );

    let text = stdout_of(heapdiff().args([
        recording().to_str().unwrap(),
        "--between",
        "1.2s..",
        "--width",
        "100",
    ]));
    assert!(text.starts_with("recording  "), "{text}");
    assert!(text.contains("allocated in 1.2 s..end of the recording (object ids above"));
    assert!(
        !text.contains("Findings"),
        "one recording has no base to find holders in"
    );
}

#[test]
fn asking_for_stacks_that_are_not_there_is_an_error() {
    let untracked = [snapshot("node20-base"), snapshot("node20-late")];
    let err = usage_error(heapdiff().args(&untracked).args(["--group-by", "stack"]));
    assert!(err.contains("has no allocation stacks"), "{err}");
    assert!(err.contains("--track-heap-objects"), "{err}");
    let err = usage_error(
        heapdiff()
            .args(["summary", "--group-by", "cluster"])
            .arg(&untracked[0]),
    );
    assert!(err.contains("summary groups by class"), "{err}");
    let err = usage_error(heapdiff().args(&untracked).args(["--group-by", "class"]));
    assert!(err.contains("--group-by class is for summary"), "{err}");
    // A window needs one recording with samples.
    let err = usage_error(heapdiff().args(&untracked).args(["--between", "1s..2s"]));
    assert!(err.contains("one allocation-timeline recording"), "{err}");
    let err = usage_error(heapdiff().arg(&untracked[0]).args(["--between", "1s..2s"]));
    assert!(err.contains("has no timeline samples"), "{err}");
    let err = usage_error(heapdiff().arg(recording()).args(["--between", "5s..1s"]));
    assert!(err.contains("ends before it starts"), "{err}");
    let err = usage_error(heapdiff().arg(recording()));
    assert!(err.contains("--between FROM..TO"), "{err}");
}
