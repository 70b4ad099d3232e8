//! `heapdiff mcp` driven as an agent drives it: JSON-RPC messages over the server's stdin
//! (initialize, tools/list, tools/call), answers read from its stdout, on the fixtures.

#[path = "mcp/session.rs"]
mod session;
mod support;

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Value, json};

use session::{RawGraph, Session, devtools_sizes};

const TRACKED: [&str; 2] = [
    "fixtures/snapshots/tracked-base.heapsnapshot.gz",
    "fixtures/snapshots/tracked-late.heapsnapshot.gz",
];
const NODE20: [&str; 2] = [
    "fixtures/snapshots/node20-base.heapsnapshot.gz",
    "fixtures/snapshots/node20-late.heapsnapshot.gz",
];
/// `fixtures/scripts/series.js`: a leak growing at every step.
const SERIES: [&str; 4] = [
    "fixtures/series/s1.heapsnapshot.gz",
    "fixtures/series/s2.heapsnapshot.gz",
    "fixtures/series/s3.heapsnapshot.gz",
    "fixtures/series/s4.heapsnapshot.gz",
];
/// `fixtures/fixed/scripts/series.js`: the same program with that leak fixed and a new one.
const FIXED: [&str; 3] = [
    "fixtures/fixed/f1.heapsnapshot.gz",
    "fixtures/fixed/f2.heapsnapshot.gz",
    "fixtures/fixed/f3.heapsnapshot.gz",
];

/// The labels of a list of report rows.
fn labels(rows: &Value) -> Vec<&str> {
    rows.as_array()
        .unwrap()
        .iter()
        .map(|r| r["label"].as_str().unwrap())
        .collect()
}

#[test]
fn an_agent_finds_and_explains_the_leak() {
    let mut s = Session::start();
    let tools = s.request("tools/list", json!({}));
    let mut names: Vec<&str> = tools["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "allocation_stack",
            "cluster",
            "diff",
            "dominator_subtree",
            "explain_finding",
            "load_snapshot",
            "retainers",
            "series",
            "summary",
            "verify_fix",
            "what_if"
        ]
    );
    let base = s
        .call(
            "load_snapshot",
            json!({"path": "fixtures/snapshots/tracked-base.heapsnapshot.gz"}),
        )
        .unwrap();
    let late = s
        .call(
            "load_snapshot",
            json!({"path": "fixtures/snapshots/tracked-late.heapsnapshot.gz"}),
        )
        .unwrap();
    assert_eq!(
        (base["snapshot"].as_u64(), late["snapshot"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(late["node_count"], 73520);
    assert_eq!(late["allocation_stacks"], true);

    // The same report as `heapdiff --json`, lists cut to the limit.
    let diff = s
        .call("diff", json!({"base": 0, "late": 1, "limit": 3}))
        .unwrap();
    let cli = support::json_report(&[
        "fixtures/snapshots/tracked-base.heapsnapshot.gz",
        "fixtures/snapshots/tracked-late.heapsnapshot.gz",
    ]);
    assert_eq!(diff["clusters"][0]["label"], cli["clusters"][0]["label"]);
    assert_eq!(diff["between"], cli["between"]);
    assert_eq!(diff["clusters"].as_array().unwrap().len(), 3);
    assert_eq!(
        diff["totals"]["clusters"],
        cli["clusters"].as_array().unwrap().len()
    );

    // The top cluster's members, paged; then one member's retainers, dominators and stack.
    let cluster = s
        .call(
            "cluster",
            json!({"base": 0, "late": 1, "rank": 1, "limit": 30}),
        )
        .unwrap();
    assert_eq!(
        cluster["cluster"]["allocation"]["allocated_by"]["function"],
        "handleOrder"
    );
    let members = cluster["members"].as_array().unwrap();
    assert_eq!(members.len(), 30);
    assert_eq!(cluster["members_page"]["total"], 80);
    assert_eq!(cluster["members_page"]["next_offset"], 30);
    let rest = s
        .call(
            "cluster",
            json!({"base": 0, "late": 1, "rank": 1, "offset": 60, "limit": 30}),
        )
        .unwrap();
    assert_eq!(rest["members"].as_array().unwrap().len(), 20);
    assert_eq!(rest["members_page"]["next_offset"], Value::Null);
    let id = members[0]["id"].as_u64().unwrap();
    let held = s
        .call("retainers", json!({"snapshot": 1, "id": id}))
        .unwrap();
    assert!(!held["retainers"].as_array().unwrap().is_empty());
    assert_eq!(held["object"]["class"], "Function");
    let tree = s
        .call("dominator_subtree", json!({"snapshot": 1, "id": id}))
        .unwrap();
    assert!(tree["object"]["retained_size"].as_u64().unwrap() > 0);
    assert!(!tree["dominators"].as_array().unwrap().is_empty());
    let stack = s
        .call("allocation_stack", json!({"snapshot": 1, "id": id}))
        .unwrap();
    let frames = stack["frames"].as_array().unwrap();
    assert!(frames.iter().any(|f| f["function"] == "handleOrder"));

    let summary = s
        .call("summary", json!({"snapshot": 1, "limit": 5}))
        .unwrap();
    assert_eq!(summary["classes"].as_array().unwrap().len(), 5);
    assert_eq!(summary["node_count"], 73520);

    // Mistakes are tool errors the agent can read, not protocol failures.
    let err = s.call("summary", json!({"snapshot": 9})).unwrap_err();
    assert!(err.contains("no snapshot 9"), "{err}");
    let err = s
        .call("retainers", json!({"snapshot": 1, "id": 2}))
        .unwrap_err();
    assert!(err.contains("no object @2"), "{err}");
    let err = s
        .call("load_snapshot", json!({"path": "README.md"}))
        .unwrap_err();
    assert!(err.contains("not a V8 heap snapshot"), "{err}");
    let err = s.call("series", json!({"snapshots": [0, 1]})).unwrap_err();
    assert!(err.contains("three or more"), "{err}");
}

#[test]
fn a_series_over_loaded_snapshots() {
    let mut s = Session::start();
    s.load_all(&SERIES);
    let text = s
        .call_text("series", json!({"snapshots": [0, 1, 2, 3], "limit": 5}))
        .unwrap();
    assert!(text.starts_with(r#"{"verdict":"#), "{}", &text[..80]);
    assert!(text.find(r#""findings":"#) < text.find(r#""clusters":"#));
    let series: Value = serde_json::from_str(&text).unwrap();
    let cli = support::json_report(&["fixtures/series"]);
    assert_eq!(series["verdict"], cli["verdict"]);
    assert_eq!(labels(&series["findings"]), labels(&cli["findings"]));
    assert_eq!(series["clusters"].as_array().unwrap().len(), 5);
    assert_eq!(
        series["totals"]["clusters"],
        cli["clusters"].as_array().unwrap().len()
    );

    // ignore and sort as on the command line; summary detail has no trends.
    let series = s
        .call(
            "series",
            json!({"snapshots": [0, 1, 2, 3], "ignore": ["leaks"], "sort": "count",
                   "detail": "summary"}),
        )
        .unwrap();
    let cli = support::json_report(&["--ignore", "leaks", "--sort", "count", "fixtures/series"]);
    assert_eq!(series["verdict"], cli["verdict"]);
    assert_eq!(series["ignored"], cli["ignored"]);
    assert_eq!(labels(&series["findings"]), labels(&cli["findings"]));
    assert!(series.get("clusters").is_none());
    let err = s.call("series", json!({"snapshots": [0, 1]})).unwrap_err();
    assert!(err.contains("three or more"), "{err}");
}

// Issue 31 (Agents): a default diff answer was 51 kB on the tracked pair (117 kB on a 16 MB
// pair), keys alphabetical, so `findings` came after the clusters and a capped tool result
// never showed them.
#[test]
fn a_default_diff_answer_is_small_and_leads_with_the_verdict_and_findings() {
    let mut s = Session::start();
    s.load_all(&TRACKED);
    let text = s.call_text("diff", json!({"base": 0, "late": 1})).unwrap();
    assert!(text.len() < 16_000, "{} bytes", text.len());
    assert!(text.starts_with(r#"{"verdict":"#), "{}", &text[..80]);
    let findings_at = text.find(r#""findings":"#).unwrap();
    assert!(findings_at < text.find(r#""clusters":"#).unwrap());
    assert!(findings_at < text.find(r#""classes":"#).unwrap());

    let diff: Value = serde_json::from_str(&text).unwrap();
    let cli = support::json_report(&TRACKED);
    assert_eq!(diff["verdict"], cli["verdict"]);
    assert_eq!(diff["detail"], "normal");
    assert_eq!(diff["totals"]["limit"], 10);
    for list in ["findings", "clusters", "classes"] {
        let all = cli[list].as_array().unwrap();
        assert_eq!(diff["totals"][list], all.len(), "{list}");
        assert_eq!(diff[list].as_array().unwrap().len(), all.len().min(10));
    }
    assert_eq!(labels(&diff["findings"]), labels(&cli["findings"]));
    // Normal detail: each cluster's first path, its stacks counted but not listed.
    let (row, full_row) = (&diff["clusters"][0], &cli["clusters"][0]);
    assert_eq!(row["paths"].as_array().unwrap().len(), 1);
    assert_eq!(row["paths"][0], full_row["paths"][0]);
    assert_eq!(row["allocation"]["stacks"], json!([]));
    let stacks = full_row["allocation"]["stacks"].as_array().unwrap().len() as u64;
    assert_eq!(
        row["allocation"]["omitted_stacks"].as_u64().unwrap(),
        full_row["allocation"]["omitted_stacks"].as_u64().unwrap() + stacks
    );

    let summary = s
        .call_text("diff", json!({"base": 0, "late": 1, "detail": "summary"}))
        .unwrap();
    assert!(summary.len() < text.len() / 2, "{} bytes", summary.len());
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert!(summary.get("clusters").is_none() && summary.get("classes").is_none());
    assert_eq!(summary["findings"], diff["findings"]);

    let full = s
        .call(
            "diff",
            json!({"base": 0, "late": 1, "detail": "full", "limit": 1000}),
        )
        .unwrap();
    assert_eq!(full["clusters"], cli["clusters"]);
    assert_eq!(full["classes"], cli["classes"]);
    assert_eq!(full["lockstep"], cli["lockstep"]);
}

#[test]
fn diff_takes_ignore_sort_and_redact_as_the_cli_does() {
    let mut s = Session::start();
    s.load_all(&NODE20);
    let all = json!({"base": 0, "late": 1, "detail": "full", "limit": 1000});
    let mut args = all.clone();
    args["ignore"] = json!(["sessions", "Item"]);
    args["sort"] = json!("count");
    let diff = s.call("diff", args).unwrap();
    let mut cli_args = vec![
        "--ignore", "sessions", "--ignore", "Item", "--sort", "count",
    ];
    cli_args.extend(NODE20);
    let cli = support::json_report(&cli_args);
    assert_eq!(diff["ignored"], cli["ignored"]);
    assert!(cli["ignored"]["findings"].as_u64().unwrap() > 0);
    assert_eq!(labels(&diff["findings"]), labels(&cli["findings"]));
    assert_eq!(labels(&diff["clusters"]), labels(&cli["clusters"]));
    assert_eq!(diff["classes"], cli["classes"]);

    let mut args = all.clone();
    args["redact"] = json!(true);
    let redacted = s.call_text("diff", args).unwrap();
    let mut cli_args = vec!["--redact"];
    cli_args.extend(NODE20);
    let cli = support::json_report(&cli_args);
    let redacted: Value = serde_json::from_str(&redacted).unwrap();
    assert_eq!(redacted["redacted"], true);
    assert_eq!(labels(&redacted["clusters"]), labels(&cli["clusters"]));
    // The program's string (300 copies in the late snapshot) never shows again in the session.
    let secret = "duplicated-string-value";
    let unredacted = support::json_report(&NODE20);
    assert!(unredacted["clusters"].to_string().contains(secret));
    assert!(!cli["clusters"].to_string().contains(secret));
    let later = s.call_text("diff", all).unwrap();
    assert!(!later.contains(secret));
}

// JSON-RPC 2.0: a message that is not JSON gets a parse error with a null id (rmcp's stdio
// transport drops it, and the client waits forever).
#[test]
fn a_line_that_is_not_json_gets_a_parse_error() {
    let mut s = Session::start();
    s.send_line("this is not json {");
    let answer = s.receive();
    assert_eq!(answer["jsonrpc"], "2.0");
    assert_eq!(answer["error"]["code"], -32700, "{answer}");
    assert!(answer.as_object().unwrap().contains_key("id"), "{answer}");
    assert_eq!(answer["id"], Value::Null);
    // JSON that is no message: invalid request, with its id.
    s.send_line(r#"{"jsonrpc": "2.0", "id": 41, "params": []}"#);
    let answer = s.receive();
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    assert_eq!(answer["id"], 41);
    // The session goes on.
    let tools = s.request("tools/list", json!({}));
    assert_eq!(tools["result"]["tools"].as_array().unwrap().len(), 11);
}

#[test]
fn relative_paths_resolve_against_the_servers_working_directory() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/snapshots");
    let mut s = Session::start_in(&root);
    let loaded = s
        .call(
            "load_snapshot",
            json!({"path": "node20-base.heapsnapshot.gz"}),
        )
        .unwrap();
    let resolved = root.join("node20-base.heapsnapshot.gz");
    assert_eq!(loaded["resolved"], resolved.to_str().unwrap());
    assert_eq!(loaded["file"], "node20-base.heapsnapshot.gz");
    assert_eq!(loaded["node_count"], 39501);

    let err = s
        .call("load_snapshot", json!({"path": "node20-late.heapsnapshot"}))
        .unwrap_err();
    let missing = root.join("node20-late.heapsnapshot");
    assert!(err.contains(missing.to_str().unwrap()), "{err}");
    assert!(err.contains(&format!("root {}", root.display())), "{err}");
    let err = s
        .call(
            "load_snapshot",
            json!({"path": "node20-base.heapsnapshot.gz", "source_maps": "maps"}),
        )
        .unwrap_err();
    assert!(err.contains(root.join("maps").to_str().unwrap()), "{err}");
}

#[test]
fn verify_fix_tells_a_stopped_leak_from_a_new_one() {
    let mut s = Session::start();
    s.load_all(&SERIES);
    s.load_all(&FIXED);
    let before = support::json_report(&SERIES);
    let after = support::json_report(&FIXED);
    let leak = &before["findings"][0];
    assert_eq!(leak["evidence"], "growing");
    let new_leak = &after["findings"][0];
    assert_eq!(new_leak["evidence"], "growing");

    let answer = s
        .call(
            "verify_fix",
            json!({"before": [0, 1, 2, 3], "after": [4, 5, 6]}),
        )
        .unwrap();
    assert_eq!(answer["fixed"], false);
    let changes = answer["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{answer}");
    let stopped = &changes[0];
    assert_eq!(stopped["status"], "stopped");
    assert_eq!(stopped["fingerprint"], leak["fingerprint"]);
    assert_eq!(stopped["matched_by"], "fingerprint");
    assert_eq!(stopped["before"]["step_bytes"], leak["step_bytes"]);
    assert_eq!(stopped["after"]["evidence"], "not-growing");
    let new = &changes[1];
    assert_eq!(new["status"], "new");
    assert_eq!(new["fingerprint"], new_leak["fingerprint"]);
    assert_eq!(new["after"]["label"], "Object .audit → Array");
    assert_eq!(new["before"], Value::Null);

    // The same run twice: nothing was fixed.
    let same = s
        .call(
            "verify_fix",
            json!({"before": [0, 1, 2, 3], "after": [0, 1, 2, 3]}),
        )
        .unwrap();
    assert_eq!(same["fixed"], false);
    assert_eq!(same["changes"][0]["status"], "still-growing");
    assert_eq!(same["changes"].as_array().unwrap().len(), 1);
    // Runs of two snapshots: the leak's first step looks like a one-time fill, and the
    // answer says a third snapshot is needed rather than calling it fixed.
    let pairs = s
        .call("verify_fix", json!({"before": [0, 1], "after": [4, 5]}))
        .unwrap();
    assert_eq!(pairs["fixed"], false);
    assert!(pairs["note"].as_str().unwrap().contains("three or more"));
    let err = s
        .call("verify_fix", json!({"before": [0], "after": [4, 5]}))
        .unwrap_err();
    assert!(err.contains("two or more snapshots"), "{err}");
}

#[test]
fn explain_finding_gathers_one_finding() {
    let mut s = Session::start();
    s.load_all(&TRACKED);
    let diff = s.call("diff", json!({"base": 0, "late": 1})).unwrap();
    let x = s
        .call("explain_finding", json!({"snapshots": [0, 1], "rank": 1}))
        .unwrap();
    assert_eq!(x["finding"], diff["findings"][0]);
    assert_eq!(x["holder"]["id"], diff["findings"][0]["holder"]["id"]);
    assert_eq!(x["holder"]["path"], diff["findings"][0]["holder"]["path"]);
    let units = x["units"].as_array().unwrap();
    assert!(!units.is_empty());
    let in_units: u64 = units.iter().map(|u| u["count"].as_u64().unwrap()).sum();
    assert!(in_units <= x["gained_count"].as_u64().unwrap());
    assert!(x["sites"].as_array().unwrap().iter().any(|p| {
        p["site"]
            .as_str()
            .unwrap()
            .starts_with("validate* @ <eval>")
    }));
    assert_eq!(
        x["allocation"]["allocated_by"]["function"], "handleOrder",
        "{}",
        x["allocation"]
    );
    assert!(x["allocation"]["stacks"].as_array().unwrap().len() <= 3);

    // In a series: the leak's units are the 300 `Leaky` objects it gained.
    let mut s = Session::start();
    s.load_all(&SERIES);
    let x = s
        .call(
            "explain_finding",
            json!({"snapshots": [0, 1, 2, 3], "rank": 1}),
        )
        .unwrap();
    assert_eq!(x["units"][0]["class"], "Leaky");
    assert_eq!(x["units"][0]["count"], 300);
    assert_eq!(x["sites"][0]["part"], "Leaky");
    assert_eq!(x["allocation"], Value::Null);
    let err = s
        .call(
            "explain_finding",
            json!({"snapshots": [0, 1, 2, 3], "rank": 9}),
        )
        .unwrap_err();
    assert!(err.contains("no finding #9: there are 3"), "{err}");
}

#[test]
fn what_if_frees_what_only_the_removed_objects_reach() {
    let mut s = Session::start();
    s.load_all(&NODE20);
    let raw = RawGraph::read(&Path::new(env!("CARGO_MANIFEST_DIR")).join(NODE20[1]));
    let (self_sizes, retained) = devtools_sizes("node20-late");
    assert_eq!(self_sizes.len(), raw.ids.len());
    let diff = s.call("diff", json!({"base": 0, "late": 1})).unwrap();

    // One object: a finding's holder.
    let id = diff["findings"][3]["holder"]["id"].as_u64().unwrap();
    let answer = s
        .call("what_if", json!({"snapshots": [1], "id": id}))
        .unwrap();
    let removed = HashSet::from([id]);
    assert_eq!(answer["freed_bytes"], raw.freed(&self_sizes, &removed));
    let ordinal = raw.ids.iter().position(|&i| i == id).unwrap();
    assert_eq!(answer["retained_by_dominators"], retained[ordinal]);

    // A cluster: all its members.
    let members = s
        .call(
            "cluster",
            json!({"base": 0, "late": 1, "rank": 2, "limit": 100000}),
        )
        .unwrap();
    let ids: HashSet<u64> = members["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_u64().unwrap())
        .collect();
    let answer = s
        .call("what_if", json!({"snapshots": [0, 1], "cluster": 2}))
        .unwrap();
    assert_eq!(answer["removed_count"], ids.len());
    let freed = raw.freed(&self_sizes, &ids);
    assert!(freed > 0);
    assert_eq!(answer["freed_bytes"], freed);

    // A finding: what its holder gained, as explain_finding counts it.
    let x = s
        .call("explain_finding", json!({"snapshots": [0, 1], "rank": 4}))
        .unwrap();
    let answer = s
        .call("what_if", json!({"snapshots": [0, 1], "finding": 4}))
        .unwrap();
    assert_eq!(answer["removed_count"], x["gained_count"]);
    assert_eq!(answer["removed_self_size"], x["gained_self_size"]);
    assert!(answer["freed_bytes"].as_u64() >= answer["removed_self_size"].as_u64());
    let err = s
        .call(
            "what_if",
            json!({"snapshots": [0, 1], "id": 1, "cluster": 2}),
        )
        .unwrap_err();
    assert!(err.contains("one of id, cluster or finding"), "{err}");
}
