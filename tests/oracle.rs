//! Golden tests: heapdiff's numbers equal Chrome DevTools' own, computed by `../shared/oracle`
//! on the same real snapshots and committed under `fixtures/oracle/` (see fixtures/README.md).
//! Every class row and every node is compared; there is no tolerance.

use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use heapdiff::analysis::Analysis;
use serde_json::Value;

fn fixtures() -> PathBuf {
    std::env::var_os("HEAPDIFF_FIXTURES")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"))
}

/// Where snapshots with oracle outputs are, and their file-name ending.
const SNAPSHOT_DIRS: [(&str, &str); 2] = [
    ("snapshots", ".heapsnapshot.gz"),
    ("timeline", ".heaptimeline.gz"),
];

/// Names of the snapshots that have oracle outputs: `fixtures/snapshots/<name>.heapsnapshot.gz`
/// and the recordings `fixtures/timeline/<name>.heaptimeline.gz`.
fn snapshot_names() -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (dir, ending) in SNAPSHOT_DIRS {
        let dir = fixtures().join(dir);
        names.extend(
            std::fs::read_dir(&dir)
                .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
                .filter_map(|entry| {
                    let name = entry.ok()?.file_name().into_string().ok()?;
                    name.strip_suffix(ending).map(str::to_string)
                }),
        );
    }
    names.sort();
    assert!(
        !names.is_empty(),
        "no snapshots in {}",
        fixtures().display()
    );
    names
}

fn snapshot_path(name: &str) -> PathBuf {
    SNAPSHOT_DIRS
        .iter()
        .map(|(dir, ending)| fixtures().join(dir).join(format!("{name}{ending}")))
        .find(|p| p.exists())
        .unwrap_or_else(|| panic!("no fixture named {name}"))
}

fn read_gz(path: &Path) -> String {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut text = String::new();
    flate2::read::GzDecoder::new(file)
        .read_to_string(&mut text)
        .unwrap();
    text
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

fn analyse(name: &str) -> Analysis {
    Analysis::run(load(name)).unwrap()
}

/// A fixture's graph with the places V8 wrote, as DevTools shows them: no source map is read
/// (the fixtures' scripts may have maps on this machine, under corpus/node_modules).
fn load(name: &str) -> heapdiff::graph::HeapGraph {
    let mut graph = heapdiff::read::load(&snapshot_path(name)).unwrap();
    graph.source_maps = heapdiff::sources::SourceMaps::shared_off();
    graph
}

fn u64_of(v: &Value, key: &str) -> u64 {
    v[key]
        .as_u64()
        .or_else(|| v[key].as_f64().map(|f| f as u64))
        .unwrap_or_else(|| panic!("{key} missing in {v}"))
}

#[test]
fn summary_rows_equal_devtools() {
    for name in snapshot_names() {
        let expected = read_json(
            &fixtures()
                .join("oracle")
                .join(format!("{name}.summary.json")),
        );
        let a = analyse(&name);
        assert_eq!(
            a.graph.node_count() as u64,
            u64_of(&expected, "nodeCount"),
            "{name}"
        );
        assert_eq!(a.total_size(), u64_of(&expected, "totalSize"), "{name}");
        // Diffs take the base's total from the graph alone, without analysing it.
        let info = heapdiff::leaks::SnapshotFacts::of(&name, &a.graph);
        assert_eq!(info.total_size, a.total_size(), "{name}");
        assert_eq!(
            a.graph.max_js_object_id() as u64,
            u64_of(&expected, "maxJSObjectId"),
            "{name}"
        );
        let stats = a.statistics();
        let es = &expected["statistics"];
        assert_eq!(
            (
                stats.total,
                stats.native_total,
                stats.typed_arrays,
                stats.v8heap_total,
                stats.code,
                stats.js_arrays,
                stats.strings,
                stats.system
            ),
            (
                u64_of(es, "total"),
                u64_of(&es["native"], "total"),
                u64_of(&es["native"], "typedArrays"),
                u64_of(&es["v8heap"], "total"),
                u64_of(&es["v8heap"], "code"),
                u64_of(&es["v8heap"], "jsArrays"),
                u64_of(&es["v8heap"], "strings"),
                u64_of(&es["v8heap"], "system"),
            ),
            "{name}: statistics"
        );

        let rows = a.summary();
        let expected_rows = expected["classes"].as_array().unwrap();
        assert_eq!(rows.len(), expected_rows.len(), "{name}: class count");
        for (row, want) in rows.iter().zip(expected_rows) {
            let got = (
                row.key.as_str(),
                row.name.as_str(),
                row.count,
                row.self_size,
                row.retained,
                row.distance as i64,
            );
            let want = (
                want["classKey"].as_str().unwrap(),
                want["name"].as_str().unwrap(),
                u64_of(want, "count"),
                u64_of(want, "self"),
                u64_of(want, "retained"),
                want["distance"].as_i64().unwrap(),
            );
            assert_eq!(got, want, "{name}: class row");
        }
        let problems: Vec<&str> = expected["problems"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .filter_map(|p| p.lines().next())
            .collect();
        let mine: Vec<&str> = a.problems.iter().map(String::as_str).collect();
        assert_eq!(mine, problems, "{name}: problems");
    }
}

#[test]
fn every_node_equals_devtools() {
    for name in snapshot_names() {
        let text = read_gz(
            &fixtures()
                .join("oracle")
                .join(format!("{name}.nodes.tsv.gz")),
        );
        let a = analyse(&name);
        let g = &a.graph;
        let mut lines = text.lines();
        assert_eq!(
            lines.next(),
            Some("id\tself\tretained\tdistance\tdominator_id\tclass_key"),
            "{name}: header"
        );
        let mut compared = 0usize;
        let ordinal_of: HashMap<u32, u32> = (0..g.node_count() as u32)
            .map(|v| (g.node_id[v as usize], v))
            .collect();
        for (v, line) in lines.enumerate() {
            let f: Vec<&str> = line.splitn(6, '\t').collect();
            let v = v as u32;
            let id: u32 = f[0].parse().unwrap();
            assert_eq!(
                g.node_id[v as usize], id,
                "{name}: node order at ordinal {v}"
            );
            let dominator = a.dominators.idom[v as usize];
            let got = (
                a.self_size[v as usize] as u64,
                a.retained[v as usize],
                a.distance[v as usize] as i64,
                g.node_id[dominator as usize],
                a.classes.public_key(g, a.classes.of_node[v as usize]),
            );
            let want = (
                f[1].parse::<u64>().unwrap(),
                f[2].parse::<u64>().unwrap(),
                f[3].parse::<i64>().unwrap(),
                f[4].parse::<u32>().unwrap(),
                f[5].to_string(),
            );
            assert_eq!(got, want, "{name}: node @{id} (ordinal {v})");
            assert!(ordinal_of.contains_key(&want.3));
            compared += 1;
        }
        assert_eq!(compared, g.node_count(), "{name}: node count");
    }
}

/// Pairs `P` with `P-base` and `P-late` snapshots.
fn pair_names() -> Vec<String> {
    let names = snapshot_names();
    let pairs: Vec<String> = names
        .iter()
        .filter_map(|n| n.strip_suffix("-base"))
        .filter(|p| names.contains(&format!("{p}-late")))
        .map(str::to_string)
        .collect();
    assert!(!pairs.is_empty(), "no base/late pairs in the fixtures");
    pairs
}

#[test]
fn allocated_between_equals_devtools() {
    for pair in pair_names() {
        let expected = read_json(
            &fixtures()
                .join("oracle")
                .join(format!("{pair}.between.json")),
        );
        let base = analyse(&format!("{pair}-base"));
        let late = analyse(&format!("{pair}-late"));
        let between = heapdiff::leaks::between::between(&base, &late);
        assert_eq!(
            between.min_id as u64,
            u64_of(&expected, "minNodeId"),
            "{pair}"
        );
        assert_eq!(
            between.max_id as u64,
            u64_of(&expected, "maxNodeId"),
            "{pair}"
        );
        let want = expected["classes"].as_array().unwrap();
        assert_eq!(between.rows.len(), want.len(), "{pair}: class count");
        for (row, want) in between.rows.iter().zip(want) {
            assert_eq!(
                (
                    row.key.as_str(),
                    row.name.as_str(),
                    row.count,
                    row.self_size,
                    row.retained,
                    row.distance as i64
                ),
                (
                    want["classKey"].as_str().unwrap(),
                    want["name"].as_str().unwrap(),
                    u64_of(want, "count"),
                    u64_of(want, "self"),
                    u64_of(want, "retained"),
                    want["distance"].as_i64().unwrap()
                ),
                "{pair}: between row"
            );
        }
    }
}

#[test]
fn comparison_equals_devtools() {
    for pair in pair_names() {
        let expected = read_json(&fixtures().join("oracle").join(format!("{pair}.diff.json")));
        let base = analyse(&format!("{pair}-base"));
        let late = analyse(&format!("{pair}-late"));
        let rows = heapdiff::leaks::comparison::compare(&base, &late);
        let want = expected["classes"].as_array().unwrap();
        assert_eq!(rows.len(), want.len(), "{pair}: comparison rows");
        for (row, want) in rows.iter().zip(want) {
            assert_eq!(
                (
                    row.key.as_str(),
                    row.name.as_str(),
                    row.added_count,
                    row.removed_count,
                    row.count_delta(),
                    row.added_size,
                    row.removed_size,
                    row.size_delta()
                ),
                (
                    want["classKey"].as_str().unwrap(),
                    want["name"].as_str().unwrap(),
                    u64_of(want, "addedCount"),
                    u64_of(want, "removedCount"),
                    want["countDelta"].as_i64().unwrap(),
                    u64_of(want, "addedSize"),
                    u64_of(want, "removedSize"),
                    want["sizeDelta"].as_i64().unwrap()
                ),
                "{pair}: comparison row"
            );
            if let Some(ids) = want.get("addedIds").and_then(Value::as_array) {
                let ids: Vec<u32> = ids.iter().map(|v| v.as_u64().unwrap() as u32).collect();
                assert_eq!(row.added_ids, ids, "{pair}: added ids of {}", row.key);
            }
            if let Some(ids) = want.get("deletedIds").and_then(Value::as_array) {
                let ids: Vec<u32> = ids.iter().map(|v| v.as_u64().unwrap() as u32).collect();
                assert_eq!(row.removed_ids, ids, "{pair}: deleted ids of {}", row.key);
            }
        }
    }
}

/// Snapshots with allocation stacks from the oracle: `fixtures/oracle/<name>.stacks.tsv.gz`.
fn tracked_names() -> Vec<String> {
    let names: Vec<String> = snapshot_names()
        .into_iter()
        .filter(|n| {
            fixtures()
                .join("oracle")
                .join(format!("{n}.stacks.tsv.gz"))
                .exists()
        })
        .collect();
    assert!(!names.is_empty(), "no fixtures with allocation stacks");
    names
}

#[test]
fn every_allocation_stack_equals_devtools() {
    use heapdiff::analysis::stacks;
    for name in tracked_names() {
        let text = read_gz(
            &fixtures()
                .join("oracle")
                .join(format!("{name}.stacks.tsv.gz")),
        );
        let graph = load(&name);
        let mut defined: HashMap<&str, Value> = HashMap::new();
        let (mut ordinal, mut with_stack) = (0usize, 0usize);
        for line in text.lines() {
            let (head, rest) = line.split_once('\t').unwrap();
            if let Some(key) = head.strip_prefix('#') {
                defined.insert(key, serde_json::from_str(rest).unwrap());
                continue;
            }
            let id: u32 = head.parse().unwrap();
            assert_eq!(graph.node_id[ordinal], id, "{name}: node order");
            let got = stacks::stack(&graph, ordinal as u32).map(|frames| {
                Value::Array(
                    frames
                        .iter()
                        .map(|f| {
                            serde_json::json!([f.function, f.script, f.script_id, f.line, f.column])
                        })
                        .collect(),
                )
            });
            let want = (rest != "-").then(|| defined[rest].clone());
            with_stack += want.is_some() as usize;
            assert_eq!(got, want, "{name}: allocation stack of @{id}");
            ordinal += 1;
        }
        assert_eq!(ordinal, graph.node_count(), "{name}: node count");
        assert!(with_stack >= 500, "{name}: only {with_stack} stacks");
    }
}

#[test]
fn allocation_view_equals_devtools() {
    use heapdiff::analysis::stacks;
    for name in tracked_names() {
        let expected = read_json(
            &fixtures()
                .join("oracle")
                .join(format!("{name}.allocation.json")),
        );
        let a = analyse(&name);
        let got: Vec<Value> = stacks::allocation_tops(&a.graph, &a.self_size, None)
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.frame.function, "scriptName": t.frame.script,
                    "scriptId": t.frame.script_id, "line": t.frame.line, "column": t.frame.column,
                    "count": t.count, "size": t.size,
                    "liveCount": t.live_count, "liveSize": t.live_size,
                })
            })
            .collect();
        let want: Vec<Value> = expected["tops"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let mut t = t.clone();
                t.as_object_mut().unwrap().remove("hasChildren");
                t
            })
            .collect();
        assert_eq!(got.len(), want.len(), "{name}: Allocation view rows");
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{name}: Allocation view row {i}");
        }
    }
}
