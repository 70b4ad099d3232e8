//! Retainer paths of cluster members: the greedy shortest path DevTools expands, rendered as
//! `global .cache → Map {table} → (array) [] → Function`, and the most common shapes per cluster.

use std::collections::HashMap;

use super::sites::normalise_function_name;
use crate::analysis::Analysis;
use crate::analysis::distances::SYSTEM_DISTANCE;
use crate::graph::HeapGraph;

/// A distinct retainer path shape, from a root to a member, and how many sampled members have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathShape {
    pub path: String,
    pub count: u64,
}

/// How many members per cluster get a retainer path.
const PATH_SAMPLES: usize = 200;
/// How many steps a member's retainer path may take before it is cut (runs are folded, so a
/// long list still shows its owner).
const MAX_PATH_STEPS: usize = 2000;
/// How many path shapes a cluster reports.
const PATH_SHAPES: usize = 3;

/// The most common shapes of the shortest retainer paths of up to [`PATH_SAMPLES`] members
/// (spread evenly over the list), and how many members were sampled.
pub(super) fn path_shapes(a: &Analysis, members: &[u32]) -> (Vec<PathShape>, u64) {
    let step = members.len().div_ceil(PATH_SAMPLES).max(1);
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut sampled = 0;
    for &v in members.iter().step_by(step) {
        sampled += 1;
        let path = retainer_path(a, v);
        match counts.get_mut(&path) {
            Some(c) => *c += 1,
            None => {
                counts.insert(path.clone(), 1);
                order.push(path);
            }
        }
    }
    let mut shapes: Vec<PathShape> = order
        .into_iter()
        .map(|path| PathShape {
            count: counts[&path],
            path,
        })
        .collect();
    shapes.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.path.cmp(&y.path)));
    shapes.truncate(PATH_SHAPES);
    (shapes, sampled)
}

/// The greedy shortest retainer path DevTools expands: from `v`, repeatedly the retainer with
/// the smallest distance (weak edges and the root excluded), up to a user root or a synthetic
/// root group. Rendered from the root side, folded like [`holder_path`]:
/// `global .cache → Map {table} → (array) [] → Function validate*`.
pub fn retainer_path(a: &Analysis, v: u32) -> String {
    render_path(a, v, MAX_PATH_STEPS)
}

/// The greedy path's steps from `v` toward the roots, at most `max_steps`: each the retainer
/// and the edge it holds the previous node by; and the node where the walk stopped.
fn greedy_steps(a: &Analysis, v: u32, max_steps: usize) -> (Vec<(u32, usize)>, u32) {
    let g = &a.graph;
    let retainers = &a.retainers;
    let mut steps: Vec<(u32, usize)> = Vec::new();
    let mut current = v;
    // Most paths are short: a list is searched until one is long, then a set.
    let mut visited = Visited::List(vec![current]);
    while steps.len() < max_steps {
        if a.distance[current as usize] <= 1 || g.is_type(current, g.node_types.synthetic) {
            break;
        }
        let best = retainers
            .slots(current)
            .filter(|&r| {
                let e = retainers.edge[r] as usize;
                let from = retainers.node[r];
                !g.is_edge_type(e, g.edge_types.weak)
                    && from != g.root.0
                    && !visited.contains(&from)
            })
            .min_by_key(|&r| {
                let from = retainers.node[r];
                let d = a.distance[from as usize];
                (if d < 0 { i32::MAX } else { d }, from)
            });
        let Some(r) = best else { break };
        let from = retainers.node[r];
        steps.push((from, retainers.edge[r] as usize));
        visited.insert(from);
        current = from;
    }
    (steps, current)
}

/// The nodes a path has passed: a short list, or a set once the path is long.
enum Visited {
    List(Vec<u32>),
    Set(rustc_hash::FxHashSet<u32>),
}

impl Visited {
    /// Paths longer than this keep their nodes in a set.
    const LIST_MAX: usize = 64;

    fn contains(&self, v: &u32) -> bool {
        match self {
            Visited::List(list) => list.contains(v),
            Visited::Set(set) => set.contains(v),
        }
    }

    fn insert(&mut self, v: u32) {
        match self {
            Visited::List(list) if list.len() < Self::LIST_MAX => list.push(v),
            Visited::List(list) => {
                let mut set: rustc_hash::FxHashSet<u32> = list.drain(..).collect();
                set.insert(v);
                *self = Visited::Set(set);
            }
            Visited::Set(set) => {
                set.insert(v);
            }
        }
    }
}

/// Most steps a holder's path may take (a list thousands of nodes long is folded, not cut).
const MAX_HOLDER_STEPS: usize = 100_000;
/// Hops a long path shows in full at each end.
const HOPS_SHOWN: usize = 6;

/// The path from a root to `v` (a growth root), with runs of one repeated hop folded
/// (`Timeout ._idleNext ×240`), closures named (`Function renewLease`) and, for a long path,
/// the middle left out so that both the root side and the holder itself stay visible.
pub fn holder_path(a: &Analysis, v: u32) -> String {
    render_path(a, v, MAX_HOLDER_STEPS)
}

/// The greedy path to `v` of at most `max_steps` steps, rendered from the root side.
fn render_path(a: &Analysis, v: u32, max_steps: usize) -> String {
    let g = &a.graph;
    let (steps, current) = greedy_steps(a, v, max_steps);
    // Hops from the root side: (edge label, node it leads to).
    let hops: Vec<(String, String)> = steps
        .iter()
        .enumerate()
        .rev()
        .map(|(i, &(_, e))| {
            let to = if i == 0 { v } else { steps[i - 1].0 };
            (edge_label(g, e), named_node(a, to))
        })
        .collect();
    let mut text = named_node(a, steps.last().map_or(v, |s| s.0));
    if steps.len() == max_steps {
        text = format!("… {text}");
    }
    let rendered = fold_hops(hops);
    // Leaving out fewer than three hops would not shorten anything.
    let elide = rendered.len() > 2 * HOPS_SHOWN + 2;
    let shown: Vec<&String> = if elide {
        rendered[..HOPS_SHOWN]
            .iter()
            .chain(&rendered[rendered.len() - HOPS_SHOWN..])
            .collect()
    } else {
        rendered.iter().collect()
    };
    for (i, hop) in shown.iter().enumerate() {
        if elide && i == HOPS_SHOWN {
            text.push_str(&format!(" … ({} hops) …", rendered.len() - 2 * HOPS_SHOWN));
        }
        text.push(' ');
        text.push_str(hop);
    }
    if a.distance[current as usize] >= SYSTEM_DISTANCE && !steps.is_empty() {
        text.push_str(" (system roots only)");
    }
    text
}

/// The nodes on the path from `v` toward the roots that [`holder_path`] shows, `v` first.
pub fn holder_chain(a: &Analysis, v: u32) -> Vec<u32> {
    let (steps, _) = greedy_steps(a, v, MAX_HOLDER_STEPS);
    std::iter::once(v)
        .chain(steps.iter().map(|s| s.0))
        .collect()
}

/// Hops (edge label, node) rendered `edge → node`, runs of one repeated hop folded into
/// `edge ×N → node`.
pub fn fold_hops(hops: Vec<(String, String)>) -> Vec<String> {
    let mut runs: Vec<(String, String, u64)> = Vec::new();
    for (edge, node) in hops {
        match runs.last_mut() {
            Some(last) if last.0 == edge && last.1 == node => last.2 += 1,
            _ => runs.push((edge, node, 1)),
        }
    }
    runs.into_iter()
        .map(|(edge, node, times)| {
            if times > 1 {
                format!("{edge} \u{d7}{times} → {node}")
            } else {
                format!("{edge} → {node}")
            }
        })
        .collect()
}

/// A node as a holder path shows it: its class, and a closure's function name.
pub fn named_node(a: &Analysis, v: u32) -> String {
    let g = &a.graph;
    if g.is_type(v, g.node_types.closure) {
        return format!("Function {}", normalise_function_name(g.raw_name(v)));
    }
    path_node(a, v)
}

fn path_node(a: &Analysis, v: u32) -> String {
    let g = &a.graph;
    if g.is_type(v, g.node_types.synthetic) {
        return g.raw_name(v).to_string();
    }
    a.classes.class_name(g, v).to_string()
}

/// An edge as DevTools writes it, with element indices collapsed so that paths to different
/// slots of one array look the same.
pub fn edge_label(g: &HeapGraph, e: usize) -> String {
    let t = &g.edge_types;
    let ty = Some(g.edge_type[e]);
    if ty == t.element {
        return "[]".to_string();
    }
    if ty == t.hidden {
        return "{}".to_string();
    }
    let name = g.strings.get(g.edge_name[e]);
    if ty == t.context {
        format!("->{name}")
    } else if ty == t.weak {
        format!("[[{name}]]")
    } else if ty == t.internal {
        if name.contains(" / part of key ") {
            "{weakmap entry}".to_string()
        } else if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            "[]".to_string()
        } else {
            format!("{{{name}}}")
        }
    } else if name.contains(' ') {
        format!("[\"{name}\"]")
    } else {
        format!(".{name}")
    }
}
