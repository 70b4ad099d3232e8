//! Property test: on random valid snapshots, heapdiff's shallow and retained sizes equal a
//! brute-force computation of DevTools' rules (ownership by set of owners, page-owned and
//! essential edges by reachability, dominators by removal).

// Brute force over small graphs reads clearest with index loops.
#![allow(clippy::needless_range_loop, clippy::nonminimal_bool)]

mod support;

use heapdiff::analysis::Analysis;
use proptest::prelude::*;
use support::builder::SnapshotBuilder;

/// Kinds a random node can have: objects own themselves; arrays and hidden nodes can be owned.
const KINDS: [&str; 3] = ["object", "array", "hidden"];
/// Edge types a random edge can have.
const EDGES: [&str; 3] = ["property", "weak", "element"];

#[derive(Debug, Clone)]
struct Case {
    /// (kind index, self size) of nodes 3.. (0 = root, 1 = (GC roots), 2 = global).
    nodes: Vec<(usize, u32)>,
    /// (from, edge type index, to) over all nodes but the root.
    edges: Vec<(usize, usize, usize)>,
    /// Nodes the GC roots point at.
    gc_roots: Vec<usize>,
}

fn case() -> impl Strategy<Value = Case> {
    (1usize..10).prop_flat_map(|extra| {
        let n = extra + 3;
        (
            prop::collection::vec((0usize..3, 1u32..100), extra),
            prop::collection::vec((1..n, 0usize..3, 1..n), 0..3 * n),
            prop::collection::vec(2..n, 0..3),
        )
            .prop_map(|(nodes, edges, gc_roots)| Case {
                nodes,
                edges,
                gc_roots,
            })
    })
}

/// All edges of the case as (from, type name, to), the root's and the GC roots' included.
fn all_edges(c: &Case) -> Vec<(usize, &'static str, usize)> {
    let mut edges = vec![(0, "shortcut", 2), (0, "element", 1)];
    edges.extend(c.gc_roots.iter().map(|&t| (1, "element", t)));
    edges.extend(c.edges.iter().map(|&(a, t, b)| (a, EDGES[t], b)));
    edges
}

fn kind(c: &Case, v: usize) -> &'static str {
    match v {
        0 | 1 => "synthetic",
        2 => "object",
        _ => KINDS[c.nodes[v - 3].0],
    }
}

fn build(c: &Case) -> String {
    let mut b = SnapshotBuilder::new();
    b.node("synthetic", "(GC roots)", 3, 0);
    b.node("object", "global", 5, 8);
    for (i, &(k, size)) in c.nodes.iter().enumerate() {
        b.node(KINDS[k], &format!("N{i}"), 7 + 2 * i as u32, size);
    }
    for (i, &(a, t, to)) in all_edges(c).iter().enumerate() {
        if t == "element" {
            b.element(a, t, i as u32, to);
        } else {
            b.edge(a, t, &format!("e{i}"), to);
        }
    }
    b.build()
}

/// Nodes reachable from `start` over the edges `keep` accepts.
fn reach(
    n: usize,
    edges: &[(usize, &str, usize)],
    start: &[usize],
    keep: impl Fn(usize) -> bool,
) -> Vec<bool> {
    let mut seen = vec![false; n];
    let mut stack: Vec<usize> = start.to_vec();
    for &s in start {
        seen[s] = true;
    }
    while let Some(v) = stack.pop() {
        for (i, &(a, _, b)) in edges.iter().enumerate() {
            if a == v && keep(i) && !seen[b] {
                seen[b] = true;
                stack.push(b);
            }
        }
    }
    seen
}

/// DevTools' numbers by brute force: (shallow sizes, retained sizes), or `None` for graphs
/// with unreachable cycles (whose dominators depend on DevTools' procedure, not on the graph).
fn brute_force(c: &Case) -> Option<(Vec<u64>, Vec<u64>)> {
    let n = c.nodes.len() + 3;
    let edges = all_edges(c);
    let mut size: Vec<u64> = vec![0, 0, 8];
    size.extend(c.nodes.iter().map(|&(_, s)| s as u64));
    let owned_kind = |v: usize| matches!(kind(c, v), "array" | "hidden");

    // Shallow transfer: an owned-kind node reached from exactly one owner (through owned-kind
    // nodes only, over non-weak edges) gives its size to it, unless the owner is synthetic.
    let mut shallow = size.clone();
    for v in (0..n).filter(|&v| owned_kind(v)) {
        let owners: Vec<usize> = (0..n)
            .filter(|&o| !owned_kind(o))
            .filter(|&o| {
                // Paths from o that continue only through owned-kind nodes.
                let mut seen = vec![false; n];
                let mut stack = vec![o];
                while let Some(x) = stack.pop() {
                    for &(a, t, b) in &edges {
                        if a == x && t != "weak" && owned_kind(b) && !seen[b] {
                            seen[b] = true;
                            stack.push(b);
                        }
                    }
                }
                seen[v]
            })
            .collect();
        if let [o] = owners[..]
            && kind(c, o) != "synthetic"
        {
            shallow[o] += shallow[v];
            shallow[v] = 0;
        }
    }

    // Essential edges.
    let page = reach(n, &edges, &[2], |i| edges[i].1 != "weak");
    let essential: Vec<bool> = edges
        .iter()
        .map(|&(a, t, b)| {
            // From a node that is not page-owned into one that is: not essential.
            let into_page = page[b] && !page[a];
            t != "weak" && a != b && (a == 0 || (t != "shortcut" && !into_page))
        })
        .collect();
    // Orphans (no essential retainer) hang under the root, in ordinal order, as DevTools does.
    let mut graph: Vec<(usize, &str, usize)> = edges
        .iter()
        .zip(&essential)
        .filter(|e| *e.1)
        .map(|e| *e.0)
        .collect();
    let mut reached = reach(n, &graph, &[0], |_| true);
    for v in 0..n {
        if !reached[v] && !graph.iter().any(|&(_, _, b)| b == v) {
            graph.push((0, "element", v));
            reached = reach(n, &graph, &[0], |_| true);
        }
    }
    if reached.iter().any(|r| !r) {
        return None;
    }
    // v is dominated by d when v is unreachable from the root without d.
    let mut retained = vec![0u64; n];
    for d in 0..n {
        let without = if d == 0 {
            vec![false; n]
        } else {
            let filtered: Vec<(usize, &str, usize)> = graph
                .iter()
                .copied()
                .filter(|&(a, _, b)| a != d && b != d)
                .collect();
            reach(n, &filtered, &[0], |_| true)
        };
        retained[d] = (0..n)
            .filter(|&v| v == d || !without[v])
            .map(|v| shallow[v])
            .sum();
    }
    Some((shallow, retained))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn sizes_match_brute_force(c in case()) {
        let a = Analysis::run(heapdiff::read::parse(build(&c).as_bytes()).unwrap()).unwrap();
        if let Some((shallow, retained)) = brute_force(&c) {
            let got: Vec<u64> = a.self_size.iter().map(|&s| s as u64).collect();
            prop_assert_eq!(got, shallow);
            prop_assert_eq!(&a.retained, &retained);
        }
        // Whatever the graph, every byte is somewhere under the root.
        prop_assert_eq!(a.total_size(), a.self_size.iter().map(|&s| s as u64).sum::<u64>());
    }
}

/// The property above compares sizes only where a brute-force reference exists; make sure
/// that is most generated graphs, and that they exercise the rules (transfers, orphans).
#[test]
fn most_random_cases_have_a_reference() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = case();
    let (mut compared, mut transfers, mut weak) = (0, 0, 0);
    for _ in 0..300 {
        let c = strategy.new_tree(&mut runner).unwrap().current();
        if let Some((shallow, _)) = brute_force(&c) {
            compared += 1;
            let raw: u64 = 8 + c.nodes.iter().map(|&(_, s)| s as u64).sum::<u64>();
            assert_eq!(shallow.iter().sum::<u64>(), raw);
            if shallow[3..].contains(&0) {
                transfers += 1;
            }
            if c.edges.iter().any(|&(_, t, _)| EDGES[t] == "weak") {
                weak += 1;
            }
        }
    }
    assert!(compared > 200, "{compared} of 300");
    assert!(
        transfers > 30 && weak > 30,
        "{transfers} transfers, {weak} with weak edges"
    );
}
