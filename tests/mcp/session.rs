//! The MCP tests' helpers: a session with a fresh `heapdiff mcp` over JSON-RPC stdio, and an
//! independent reachability count on a snapshot file (what `what_if` must agree with).

use std::collections::HashSet;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

/// One MCP session with a fresh server.
pub struct Session {
    child: std::process::Child,
    out: BufReader<std::process::ChildStdout>,
    next_id: u64,
}

impl Session {
    /// A server started in the repository's root.
    pub fn start() -> Session {
        Session::start_in(Path::new(env!("CARGO_MANIFEST_DIR")))
    }

    /// A server started in `dir`, initialized.
    pub fn start_in(dir: &Path) -> Session {
        let mut child = Command::new(env!("CARGO_BIN_EXE_heapdiff"))
            .arg("mcp")
            .current_dir(dir)
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
        s.send_line(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string());
        s
    }

    /// Writes `line` and a newline to the server's stdin, as it is.
    pub fn send_line(&mut self, line: &str) {
        let stdin = self.child.stdin.as_mut().unwrap();
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
    }

    /// The next message the server writes.
    pub fn receive(&mut self) -> Value {
        let mut line = String::new();
        assert!(
            self.out.read_line(&mut line).unwrap() > 0,
            "the server closed stdout"
        );
        serde_json::from_str(&line).unwrap()
    }

    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_line(&message.to_string());
        loop {
            let v = self.receive();
            if v["id"] == id {
                return v;
            }
        }
    }

    /// Calls a tool; returns its answer's text, or the error text when `isError`.
    pub fn call_text(&mut self, tool: &str, arguments: Value) -> Result<String, String> {
        let v = self.request("tools/call", json!({"name": tool, "arguments": arguments}));
        let result = &v["result"];
        let text = result["content"][0]["text"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_string();
        if result["isError"] == true {
            Err(text)
        } else {
            Ok(text)
        }
    }

    /// Calls a tool; returns its JSON answer, or the error text when `isError`.
    pub fn call(&mut self, tool: &str, arguments: Value) -> Result<Value, String> {
        self.call_text(tool, arguments)
            .map(|text| serde_json::from_str(&text).unwrap())
    }

    /// Loads each of `paths` in turn; they get the numbers 0, 1, … of a fresh session.
    pub fn load_all(&mut self, paths: &[&str]) {
        for path in paths {
            self.call("load_snapshot", json!({"path": path})).unwrap();
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.wait();
    }
}

fn read_gz(path: &Path) -> String {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    text
}

/// A snapshot file's graph as the file has it: each node's id and its targets over strong
/// (not weak) edges. Read with serde_json, not with heapdiff's reader.
pub struct RawGraph {
    pub ids: Vec<u64>,
    pub strong: Vec<Vec<usize>>,
}

fn numbers(v: &Value) -> Vec<u64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .collect()
}

fn position(fields: &Value, name: &str) -> usize {
    fields
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f == name)
        .unwrap_or_else(|| panic!("no field {name}"))
}

impl RawGraph {
    pub fn read(path: &Path) -> RawGraph {
        let v: Value = serde_json::from_str(&read_gz(path)).unwrap();
        let meta = &v["snapshot"]["meta"];
        let node_fields = meta["node_fields"].as_array().unwrap().len();
        let edge_fields = meta["edge_fields"].as_array().unwrap().len();
        let id_at = position(&meta["node_fields"], "id");
        let count_at = position(&meta["node_fields"], "edge_count");
        let type_at = position(&meta["edge_fields"], "type");
        let to_at = position(&meta["edge_fields"], "to_node");
        let weak = position(&meta["edge_types"][0], "weak") as u64;
        let (nodes, edges) = (numbers(&v["nodes"]), numbers(&v["edges"]));
        let mut ids = Vec::new();
        let mut strong = Vec::new();
        let mut e = 0;
        for node in nodes.chunks(node_fields) {
            ids.push(node[id_at]);
            let mut targets = Vec::new();
            for _ in 0..node[count_at] {
                let edge = &edges[e..e + edge_fields];
                if edge[type_at] != weak {
                    targets.push(edge[to_at] as usize / node_fields);
                }
                e += edge_fields;
            }
            strong.push(targets);
        }
        RawGraph { ids, strong }
    }

    /// Which nodes the root (node 0) reaches past none of the `removed` ids.
    fn reached(&self, removed: &HashSet<u64>) -> Vec<bool> {
        let mut seen = vec![false; self.ids.len()];
        seen[0] = true;
        let mut stack = vec![0];
        while let Some(v) = stack.pop() {
            for &w in &self.strong[v] {
                if !seen[w] && !removed.contains(&self.ids[w]) {
                    seen[w] = true;
                    stack.push(w);
                }
            }
        }
        seen
    }

    /// The summed `self_sizes` of the nodes the root reaches now and no longer reaches once
    /// the `removed` ids are gone.
    pub fn freed(&self, self_sizes: &[u64], removed: &HashSet<u64>) -> u64 {
        let before = self.reached(&HashSet::new());
        let after = self.reached(removed);
        (0..self.ids.len())
            .filter(|&v| before[v] && !after[v])
            .map(|v| self_sizes[v])
            .sum()
    }
}

/// DevTools' shallow and retained sizes of every node, in snapshot order, from the oracle's
/// `<name>.nodes.tsv.gz` (`fixtures/oracle`).
pub fn devtools_sizes(name: &str) -> (Vec<u64>, Vec<u64>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/oracle")
        .join(format!("{name}.nodes.tsv.gz"));
    let text = read_gz(&path);
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("id\tself\tretained\tdistance\tdominator_id\tclass_key")
    );
    lines
        .map(|line| {
            let f: Vec<&str> = line.splitn(4, '\t').collect();
            (f[1].parse::<u64>().unwrap(), f[2].parse::<u64>().unwrap())
        })
        .unzip()
}
