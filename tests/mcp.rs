//! `heapdiff mcp` driven as an agent drives it: JSON-RPC messages over the server's stdin
//! (initialize, tools/list, tools/call), answers read from its stdout, on the fixtures.

mod support;

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// One MCP session with a fresh server.
struct Session {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
    next_id: u64,
}

impl Session {
    fn start() -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_heapdiff"))
            .arg("mcp")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let out = BufReader::new(child.stdout.take().unwrap());
        let mut s = Session {
            child,
            out,
            next_id: 1,
        };
        let init = s.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "heapdiff-test", "version": "1"}}),
        );
        assert_eq!(init["result"]["serverInfo"]["name"], "heapdiff", "{init}");
        s.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        s
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let mut line = String::new();
            assert!(
                self.out.read_line(&mut line).unwrap() > 0,
                "the server closed stdout"
            );
            let v: Value = serde_json::from_str(&line).unwrap();
            if v["id"] == id {
                return v;
            }
        }
    }

    /// Calls a tool; returns its JSON answer, or the error text when `isError`.
    fn call(&mut self, tool: &str, arguments: Value) -> Result<Value, String> {
        let v = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        let result = &v["result"];
        let text = result["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"));
        if result["isError"] == true {
            Err(text.to_string())
        } else {
            Ok(serde_json::from_str(text).unwrap())
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
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
            "load_snapshot",
            "retainers",
            "series",
            "summary"
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
    for i in 1..=4 {
        s.call(
            "load_snapshot",
            json!({"path": format!("fixtures/series/s{i}.heapsnapshot.gz")}),
        )
        .unwrap();
    }
    let series = s
        .call("series", json!({"snapshots": [0, 1, 2, 3], "limit": 5}))
        .unwrap();
    let cli = support::json_report(&["fixtures/series"]);
    assert_eq!(series["findings"][0]["label"], cli["findings"][0]["label"]);
    assert_eq!(series["command"], "series");
}
