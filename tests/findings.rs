//! Findings on real fixtures and the holder charging on random graphs: every new object is
//! charged to its nearest persistent ancestor in the dominator tree (checked against a walk up
//! the tree), a series flags only what grows at every step, and one leak is one finding.

mod support;

use std::path::PathBuf;

use heapdiff::analysis::Analysis;
use heapdiff::leaks::growth;
use proptest::prelude::*;
use serde_json::Value;
use support::builder::SnapshotBuilder;
use support::json_report;

fn fixture(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

#[test]
fn the_ajv_style_leak_is_one_finding() {
    let r = json_report(&[
        fixture("snapshots/node20-base.heapsnapshot.gz"),
        fixture("snapshots/node20-late.heapsnapshot.gz"),
    ]);
    let findings = r["findings"].as_array().unwrap();
    let with_validators: Vec<&Value> = findings
        .iter()
        .filter(|f| {
            f["parts"].as_array().unwrap().iter().any(|p| {
                p["label"]
                    .as_str()
                    .unwrap()
                    .starts_with("Function validate*")
            })
        })
        .collect();
    assert_eq!(with_validators.len(), 1, "{findings:#?}");
    let f = with_validators[0];
    assert_eq!(f["label"], "Object .validators → Map");
    assert_eq!(
        f["holder"]["path"],
        "global .state → Object .validators → Map"
    );
    let validators = f["parts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| {
            p["label"]
                .as_str()
                .unwrap()
                .starts_with("Function validate*")
        })
        .unwrap();
    assert_eq!(validators["count"], 500);
    // Two snapshots: evidence says so, and the Map was empty in the base.
    assert_eq!(f["evidence"], "two-snapshots");
    assert_eq!(f["suspicion"], "one-time-fill");
    // The bounded LRU gained entries but lost as many: a churning cache, after the others.
    let lru = findings
        .iter()
        .find(|f| f["label"] == "Object .lru → Map")
        .unwrap();
    assert_eq!(lru["suspicion"], "churn");
    assert_eq!(lru["rank"].as_u64(), Some(findings.len() as u64));
}

#[test]
fn a_series_flags_the_leak_and_not_the_cache_or_the_settings() {
    let files: Vec<PathBuf> = (1..=4)
        .map(|i| fixture(&format!("series/s{i}.heapsnapshot.gz")))
        .collect();
    let r = json_report(&files);
    let f = &r["findings"][0];
    assert_eq!(f["growing"], true, "{f:#}");
    assert_eq!(f["label"], "Object .leaks → Array");
    assert_eq!(f["step_counts"].as_array().unwrap().len(), 3);
    assert!(
        f["parts"][0]["label"]
            .as_str()
            .unwrap()
            .starts_with("Leaky"),
        "{f:#}"
    );
    for finding in r["findings"].as_array().unwrap() {
        if finding["growing"] == true {
            let label = finding["label"].as_str().unwrap();
            assert!(
                !label.contains(".cache") && !label.contains(".settings"),
                "{label}"
            );
        }
    }
    // Live populations: the cache's entries stay at 200 and are not growing, whatever turns over.
    let cache = r["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "CacheEntry {key}")
        .unwrap();
    assert_eq!(cache["growing"], false, "{cache:#}");
    assert_eq!(cache["counts"][3], cache["counts"][2]);
    // Growing clusters held by a finding come first.
    assert_eq!(r["clusters"][0]["name"], "Leaky {name}");
    assert_eq!(r["clusters"][0]["growing"], true);
    // Three snapshots are a series too, with the same first finding.
    let r = json_report(&files[..3]);
    assert_eq!(r["command"], "series");
    assert_eq!(r["findings"][0]["label"], "Object .leaks → Array");
    assert_eq!(r["findings"][0]["growing"], true);
}

/// A random graph: (type, id) of nodes 2.. (0 = root, 1 = global) and edges between them.
#[derive(Debug, Clone)]
struct Case {
    nodes: Vec<(usize, u32)>,
    edges: Vec<(usize, usize)>,
}

const KINDS: [&str; 3] = ["object", "array", "closure"];

fn case() -> impl Strategy<Value = Case> {
    (1usize..12).prop_flat_map(|extra| {
        let n = extra + 2;
        (
            prop::collection::vec((0usize..3, 0u32..20), extra),
            prop::collection::vec((1..n, 1..n), 0..3 * n),
        )
            .prop_map(|(nodes, edges)| Case { nodes, edges })
    })
}

fn build(c: &Case) -> String {
    let mut b = SnapshotBuilder::new();
    let global = b.node("object", "global", 3, 10);
    b.edge(0, "shortcut", "global", global);
    for (i, &(kind, id)) in c.nodes.iter().enumerate() {
        b.node(KINDS[kind], &format!("n{i}"), 2 * id + 5, 16);
    }
    for &(from, to) in &c.edges {
        b.edge(from, "property", &format!("p{to}"), to);
    }
    b.build()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn new_objects_are_charged_to_their_nearest_persistent_dominator(c in case(), cut in 0u32..25) {
        let a = Analysis::run(heapdiff::read::parse(build(&c).as_bytes()).unwrap()).unwrap();
        let g = &a.graph;
        let first = 2 * cut + 5;
        let (holders, holder_of) = growth::charge(&a, &[first], 0);
        let persistent = |v: u32| growth::is_candidate(g, v) && g.node_id[v as usize] <= first;
        let mut expected = std::collections::HashMap::<u32, u64>::new();
        for v in 0..g.node_count() as u32 {
            if g.node_id[v as usize] <= first || a.dominators.idom[v as usize] == v {
                continue;
            }
            // Walk up the dominator tree to the nearest persistent candidate.
            let mut x = a.dominators.idom[v as usize];
            let holder = loop {
                if persistent(x) {
                    break Some(x);
                }
                let up = a.dominators.idom[x as usize];
                if up == x {
                    break None;
                }
                x = up;
            };
            if let Some(h) = holder {
                prop_assert_eq!(holder_of[v as usize], h);
                *expected.entry(h).or_default() += a.self_size[v as usize] as u64;
            }
        }
        // What the tree charges is a lower bound: objects no persistent object dominates are
        // charged through references on top.
        for h in &holders {
            prop_assert!(h.total_bytes() >= expected.get(&h.node).copied().unwrap_or(0));
        }
        for (node, bytes) in expected {
            let h = holders.iter().find(|h| h.node == node);
            prop_assert!(h.is_some_and(|h| h.total_bytes() >= bytes));
        }
    }
}

#[test]
fn keying_beside_the_dominator_tree_changes_nothing() {
    use heapdiff::leaks::{self, DiffOptions, Start, between::Baseline};
    for pair in ["node20", "chromium", "tracked"] {
        let load = |which: &str| {
            heapdiff::read::load(&fixture(&format!(
                "snapshots/{pair}-{which}.heapsnapshot.gz"
            )))
            .unwrap()
        };
        let base = Baseline::Loaded(Box::new(load("base")));
        let min_id = base.graph().max_js_object_id();
        let (late, prepared) = Analysis::run_beside(load("late"), &mut |_| {}, |early| {
            leaks::prepare(early, min_id, early.graph.max_js_object_id())
        })
        .unwrap();
        let diff = |prepared| {
            let d = leaks::diff(
                Start::Snapshot("base", &base),
                None,
                ("late", &late),
                prepared,
                &DiffOptions::default(),
            )
            .unwrap();
            format!("{:?}", (d.clusters, d.findings, d.classes))
        };
        assert_eq!(diff(Some(prepared)), diff(None), "{pair}");
    }
}
