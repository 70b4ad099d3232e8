//! Retainer paths of cluster members: the greedy shortest path DevTools expands, rendered in
//! full (`(Global handles) {…} → system / NativeContext … ->cache → Map {table} → (array) [] →
//! Function`) and short, the way a person reads it (`(Global handles) … ->cache → Map [] →
//! Function`: engine internals left out, from the nearest variable that holds it), with the
//! most common shapes per cluster.

use std::collections::HashMap;

use super::sites::{SiteResolver, normalise_function_name};
use super::starts::{Start, start_of};
use crate::analysis::Analysis;
use crate::analysis::distances::SYSTEM_DISTANCE;
use crate::graph::HeapGraph;
use rustc_hash::FxHashMap;

/// A distinct retainer path shape, from a root to a member, and how many sampled members have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathShape {
    /// Every hop, as DevTools' retainers view lists them (long middles elided).
    pub path: String,
    /// Internals left out, from the nearest variable or global property that holds it.
    pub short: String,
    pub count: u64,
    /// Of `count`, members whose path passes through another member of the cluster: the path
    /// ends at that member, the root of a subtree of them (a detached DOM tree, a nested list).
    pub below_member: u64,
    /// The retained bytes of the members those paths end at (the subtrees' roots).
    pub subtree_retained: u64,
    /// The path starts at an engine root (stack, handles), not at a global object.
    pub system_only: bool,
}

/// A rendered path: in full and short (see [`PathShape`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderedPath {
    pub full: String,
    pub short: String,
    pub system_only: bool,
}

/// How many members per cluster get a retainer path.
const PATH_SAMPLES: usize = 200;
/// How many steps a member's retainer path may take before it is cut (runs are folded, so a
/// long list still shows its owner).
const MAX_PATH_STEPS: usize = 2000;
/// How many path shapes a cluster reports.
const PATH_SHAPES: usize = 3;

/// The most common shapes of the shortest retainer paths of up to [`PATH_SAMPLES`] members
/// (spread evenly over the list), and how many members were sampled. A path that passes
/// through another member ends there.
/// What the paths of many clusters share: a bitset over the nodes (one cluster's members at a
/// time), the retainers chosen so far and the edges of big retainers.
pub struct PathScratch {
    marks: Vec<u64>,
    memo: PathMemo,
}

impl PathScratch {
    pub fn new(node_count: usize) -> PathScratch {
        PathScratch {
            marks: vec![0; node_count.div_ceil(64)],
            memo: PathMemo::default(),
        }
    }
}

/// What the paths of many members share: each node's retainer (slot and edge) once chosen
/// for good, and the edges of big retainers by target, so that a container holding thousands
/// of members is scanned once rather than once per member's path.
#[derive(Default)]
struct PathMemo {
    next: FxHashMap<u32, (usize, usize)>,
    edges_by_target: FxHashMap<u32, FxHashMap<u32, u32>>,
    indexed_edges: usize,
}

/// Retainers with at least this many edges get their edges indexed by target.
const BIG_RETAINER: usize = 256;
/// The most edges indexed in all (at most 40 MB); past it, edges are scanned.
const MAX_INDEXED_EDGES: usize = 2 << 20;

impl PathMemo {
    /// The edge of retainer slot `slot` of `v` (as [`crate::graph::Retainers::edge`]).
    fn edge(
        &mut self,
        g: &crate::graph::HeapGraph,
        r: &crate::graph::Retainers,
        v: u32,
        slot: usize,
    ) -> usize {
        let from = r.node[slot];
        let edges = g.edges(from);
        // A second edge from one source to `v` is the k-th of them: rare, scanned.
        let repeated = slot > r.first[v as usize] as usize && r.node[slot - 1] == from;
        if edges.len() < BIG_RETAINER || repeated {
            return r.edge(g, v, slot);
        }
        if !self.edges_by_target.contains_key(&from) {
            if self.indexed_edges + edges.len() > MAX_INDEXED_EDGES {
                return r.edge(g, v, slot);
            }
            self.indexed_edges += edges.len();
            // Backwards, so that the first edge to each target is the one kept.
            let index = edges.rev().map(|e| (g.edge_to[e], e as u32)).collect();
            self.edges_by_target.insert(from, index);
        }
        self.edges_by_target[&from][&v] as usize
    }
}

pub(super) fn path_shapes(
    a: &Analysis,
    members: &[u32],
    scratch: &mut PathScratch,
) -> (Vec<PathShape>, u64) {
    let step = members.len().div_ceil(PATH_SAMPLES).max(1);
    for &v in members {
        scratch.marks[v as usize / 64] |= 1 << (v % 64);
    }
    let shapes = sampled_shapes(a, members, step, scratch);
    for &v in members {
        scratch.marks[v as usize / 64] = 0;
    }
    shapes
}

fn sampled_shapes(
    a: &Analysis,
    members: &[u32],
    step: usize,
    scratch: &mut PathScratch,
) -> (Vec<PathShape>, u64) {
    let PathScratch { marks, memo } = scratch;
    let marks: &[u64] = marks;
    let is_member = |v: u32| marks[v as usize / 64] & (1 << (v % 64)) != 0;
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut shapes: Vec<PathShape> = Vec::new();
    // Per shape, the distinct subtree roots its paths end at.
    let mut roots: Vec<Vec<u32>> = Vec::new();
    let mut sampled = 0;
    for &v in members.iter().step_by(step) {
        sampled += 1;
        let (mut steps, mut stop) = greedy_steps_with(a, v, MAX_PATH_STEPS, Some(memo));
        let mut end = v;
        // The member nearest the root on the path stands for the subtree below it.
        if let Some(i) = steps.iter().rposition(|&(from, _)| is_member(from)) {
            end = steps[i].0;
            steps.drain(..=i);
            if steps.is_empty() {
                stop = end;
            }
        }
        let rendered = render(a, end, &steps, stop, MAX_PATH_STEPS);
        let below = u64::from(end != v);
        let i = match counts.get(&rendered.full) {
            Some(&i) => {
                shapes[i].count += 1;
                shapes[i].below_member += below;
                i
            }
            None => {
                counts.insert(rendered.full.clone(), shapes.len());
                shapes.push(PathShape {
                    path: rendered.full,
                    short: rendered.short,
                    count: 1,
                    below_member: below,
                    subtree_retained: 0,
                    system_only: rendered.system_only,
                });
                roots.push(Vec::new());
                shapes.len() - 1
            }
        };
        if end != v && !roots[i].contains(&end) {
            roots[i].push(end);
            shapes[i].subtree_retained += a.retained[end as usize];
        }
    }
    shapes.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.path.cmp(&y.path)));
    shapes.truncate(PATH_SHAPES);
    (shapes, sampled)
}

/// The greedy shortest retainer path DevTools expands: from `v`, repeatedly the retainer with
/// the smallest distance (weak edges and the root excluded), up to a user root or a synthetic
/// root group.
pub fn retainer_path(a: &Analysis, v: u32) -> RenderedPath {
    let (steps, stop) = greedy_steps(a, v, MAX_PATH_STEPS);
    render(a, v, &steps, stop, MAX_PATH_STEPS)
}
/// The greedy path's steps from `v` toward the roots, at most `max_steps`: each the retainer
/// and the edge it holds the previous node by; and the node where the walk stopped.
fn greedy_steps(a: &Analysis, v: u32, max_steps: usize) -> (Vec<(u32, usize)>, u32) {
    greedy_steps_with(a, v, max_steps, None)
}

/// [`greedy_steps`], remembering in `next` each node's retainer when it is closer to a root
/// than the node: that choice cannot depend on the path that led there, and a node retained
/// by millions (a shared map, a prototype) is then scanned once, not once per path.
fn greedy_steps_with(
    a: &Analysis,
    v: u32,
    max_steps: usize,
    mut memo: Option<&mut PathMemo>,
) -> (Vec<(u32, usize)>, u32) {
    let g = &a.graph;
    let retainers = &a.retainers;
    let mut steps: Vec<(u32, usize)> = Vec::new();
    let mut current = v;
    // Most paths are short: a list is searched until one is long, then a set.
    let mut visited = Visited::List(vec![current]);
    let rank = |r: usize| {
        let from = retainers.node[r];
        let d = a.distance[from as usize];
        (if d < 0 { i32::MAX } else { d }, from)
    };
    let usable = |r: usize| !retainers.weak.get(r) && retainers.node[r] != g.root.0;
    // The edge of retainer slot `r` of `v`: from the memo's index when there is one.
    let edge_of = |memo: &mut Option<&mut PathMemo>, v: u32, r: usize| match memo {
        Some(m) => m.edge(g, retainers, v, r),
        None => retainers.edge(g, v, r),
    };
    while steps.len() < max_steps {
        if a.distance[current as usize] <= 1 || g.is_type(current, g.node_types.synthetic) {
            break;
        }
        let cached = memo.as_deref().and_then(|m| m.next.get(&current).copied());
        let best = match cached {
            Some(chosen) => Some(chosen),
            None => {
                let nearest = retainers
                    .slots(current)
                    .filter(|&r| usable(r))
                    .min_by_key(|&r| rank(r));
                let own = a.distance[current as usize];
                match nearest {
                    // Closer to a root than `current`: no node of the path can be it.
                    Some(r) if own >= 0 && rank(r).0 < own => {
                        // Finding the edge scans the retainer's edges: once per node.
                        let edge = edge_of(&mut memo, current, r);
                        if let Some(m) = memo.as_deref_mut() {
                            m.next.insert(current, (r, edge));
                        }
                        Some((r, edge))
                    }
                    _ => retainers
                        .slots(current)
                        .filter(|&r| usable(r) && !visited.contains(&retainers.node[r]))
                        .min_by_key(|&r| rank(r))
                        .map(|r| (r, edge_of(&mut memo, current, r))),
                }
            }
        };
        let Some((r, edge)) = best else { break };
        let from = retainers.node[r];
        steps.push((from, edge));
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
/// Hops a long full path shows at each end.
const HOPS_SHOWN: usize = 6;
/// Hops a short path shows after its anchor before its middle is left out.
const SHORT_HOPS: usize = 6;

/// The path from a root to `v` (a growth root), with runs of one repeated hop folded
/// (`Timeout ._idleNext ×240`), closures named (`Function renewLease`) and, for a long path,
/// the middle left out so that both the root side and the holder itself stay visible.
pub fn holder_path(a: &Analysis, v: u32) -> RenderedPath {
    let (steps, stop) = greedy_steps(a, v, MAX_HOLDER_STEPS);
    let hops = hops_of(a, v, &steps);
    let mut path = render_hops(a, v, &steps, &hops, stop, MAX_HOLDER_STEPS);
    // The short form starts where people would (`process`, `require("x")`, `app.js: cache`).
    let mut sites = SiteResolver::new(&a.graph, &a.retainers);
    let starts: Vec<Option<Start>> = steps
        .iter()
        .enumerate()
        .rev()
        .map(|(i, &(from, e))| {
            let to = if i == 0 { v } else { steps[i - 1].0 };
            start_of(a, &mut sites, from, e, to)
        })
        .collect();
    if let Some(short) = short_from_start(&hops, &starts) {
        path.short = short;
    }
    path
}

/// What an edge of a path is, for the short form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum EdgeKind {
    /// A property (`.x`, `["x y"]`).
    Property,
    /// A variable of a closure's or script's scope (`->x`).
    Variable,
    Other,
}

/// One hop of a path: the edge from the previous node and the node it leads to.
struct Hop {
    edge: String,
    kind: EdgeKind,
    node: String,
    /// The edge leaves a global object (`global`, `Window`).
    from_global: bool,
    /// Engine internals (arrays, contexts, code, hidden objects) a short path leaves out.
    internal: bool,
}

/// Renders the greedy path `steps` (from `v` toward `stop`) in full and short.
fn render(
    a: &Analysis,
    v: u32,
    steps: &[(u32, usize)],
    stop: u32,
    max_steps: usize,
) -> RenderedPath {
    render_hops(a, v, steps, &hops_of(a, v, steps), stop, max_steps)
}

/// [`render`] with the path's hops already made (see [`hops_of`]).
fn render_hops(
    a: &Analysis,
    v: u32,
    steps: &[(u32, usize)],
    hops: &[Hop],
    stop: u32,
    max_steps: usize,
) -> RenderedPath {
    let root = steps.last().map_or(v, |s| s.0);
    let mut root_name = named_node(a, root);
    if steps.len() == max_steps {
        root_name = format!("… {root_name}");
    }
    let system_only = a.distance[stop as usize] >= SYSTEM_DISTANCE && !steps.is_empty();
    let mut full = root_name.clone();
    let pairs: Vec<(String, String)> = hops
        .iter()
        .map(|h| (h.edge.clone(), h.node.clone()))
        .collect();
    push_elided(&mut full, &fold_hops(pairs), HOPS_SHOWN, HOPS_SHOWN);
    let short = short_path(&root_name, hops);
    if system_only {
        full.push_str(" (system roots only)");
    }
    RenderedPath {
        full,
        short,
        system_only,
    }
}

/// The hops of the greedy path `steps` (from `v` toward the root), root side first.
fn hops_of(a: &Analysis, v: u32, steps: &[(u32, usize)]) -> Vec<Hop> {
    let g = &a.graph;
    steps
        .iter()
        .enumerate()
        .rev()
        .map(|(i, &(from, e))| {
            let to = if i == 0 { v } else { steps[i - 1].0 };
            Hop {
                edge: path_edge_label(g, from, e),
                kind: edge_kind(g, e),
                from_global: is_global(g, from),
                node: named_node(a, to),
                internal: is_internal(g, to),
            }
        })
        .collect()
}

/// The short form from the last hop that starts a path as people write it, when no variable
/// or global property comes after it: `process ._events → Object .exit → Array`.
fn short_from_start(hops: &[Hop], starts: &[Option<Start>]) -> Option<String> {
    let is_anchor =
        |h: &Hop| h.kind == EdgeKind::Variable || (h.kind == EdgeKind::Property && h.from_global);
    let anchor = hops.iter().rposition(|h| !h.internal && is_anchor(h));
    let at = starts.iter().rposition(Option::is_some)?;
    // A later variable or global property says more, but for the property right after a
    // global object that starts the path (`window .cache`).
    if anchor.is_some_and(|j| j > at && !(j == at + 1 && hops[j].from_global)) {
        return None;
    }
    let mut text = match starts[at].as_ref()? {
        Start::Node(name) => name.clone(),
        Start::Variable(name) => format!("{name} \u{2192} {}", hops[at].node),
    };
    let pairs: Vec<(String, String)> = hops[at + 1..]
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.internal || at + 2 + i == hops.len())
        .map(|(_, h)| (h.edge.clone(), h.node.clone()))
        .collect();
    push_elided(&mut text, &fold_hops(pairs), 1, SHORT_HOPS - 2);
    Some(text)
}

/// Appends `hops` to `text`, leaving out the middle when more than `head + tail + 2` hops.
fn push_elided(text: &mut String, hops: &[String], head: usize, tail: usize) {
    // Leaving out fewer than three hops would not shorten anything.
    let elide = hops.len() > head + tail + 2;
    for (i, hop) in hops.iter().enumerate() {
        if elide && i >= head && i < hops.len() - tail {
            if i == head {
                text.push_str(&format!(" … ({} hops) …", hops.len() - head - tail));
            }
            continue;
        }
        text.push(' ');
        text.push_str(hop);
    }
}

/// The short form of a path: internal nodes left out (`Map {table} → (array) [] → X` reads
/// `Map [] → X`), from the last hop that names a variable or a global object's property, with
/// `…` where hops before it were left out.
fn short_path(root_name: &str, hops: &[Hop]) -> String {
    // (original index, hop) of the hops kept: the visible ones and the last.
    let kept: Vec<(usize, &Hop)> = hops
        .iter()
        .enumerate()
        .filter(|(i, h)| !h.internal || i + 1 == hops.len())
        .collect();
    let is_anchor =
        |h: &Hop| h.kind == EdgeKind::Variable || (h.kind == EdgeKind::Property && h.from_global);
    let anchor = kept.iter().rposition(|(_, h)| is_anchor(h));
    // The first kept hop shown, and the node that holds the anchor's variable, if not the root.
    let (first, holder) = match anchor {
        // Right below the root, the holder's own hop is shown as it is.
        Some(j) if j >= 1 && kept[j - 1].0 == 0 => (j - 1, None),
        Some(j) if j >= 1 => (j, Some(kept[j - 1])),
        _ => (0, None),
    };
    let left_out = match holder {
        Some((i, _)) => i > 0,
        None => kept.first().is_some_and(|(i, _)| *i > 0),
    };
    let mut text = root_name.to_string();
    if left_out {
        text.push_str(" …");
    }
    if let Some((_, h)) = holder {
        text.push(' ');
        text.push_str(&h.node);
    }
    let pairs: Vec<(String, String)> = kept[first..]
        .iter()
        .map(|(_, h)| (h.edge.clone(), h.node.clone()))
        .collect();
    push_elided(&mut text, &fold_hops(pairs), 1, SHORT_HOPS - 2);
    text
}

fn is_global(g: &HeapGraph, v: u32) -> bool {
    let name = g.raw_name(v);
    name == "global" || name.starts_with("Window") || name.starts_with("global /")
}

/// Engine internals a short path leaves out: hidden objects, arrays, code, shapes and
/// `system / …` objects (contexts, descriptors).
pub fn is_internal(g: &HeapGraph, v: u32) -> bool {
    let t = &g.node_types;
    let ty = Some(g.node_type[v as usize]);
    ty == t.hidden
        || ty == t.array
        || ty == t.code
        || ty == t.object_shape
        || g.raw_name(v).starts_with("system /")
}

fn edge_kind(g: &HeapGraph, e: usize) -> EdgeKind {
    let t = &g.edge_types;
    let ty = Some(g.edge_type[e]);
    if ty == t.context {
        EdgeKind::Variable
    } else if ty == t.property {
        EdgeKind::Property
    } else {
        EdgeKind::Other
    }
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
    let name = a.classes.class_name(g, v);
    if g.is_type(v, g.node_types.native) {
        return fold_template_arguments(name);
    }
    name.to_string()
}

/// An embedder class with its C++ template arguments left out:
/// `blink::HeapVectorBacking<cppgc::…<blink::RegisteredEventListener, …>>` → `blink::HeapVectorBacking<…>`.
fn fold_template_arguments(name: &str) -> String {
    // Only C++ class names: DOM nodes are named by their tag (`Detached <li>`).
    let Some(open) = name.find('<').filter(|_| name.contains("::")) else {
        return name.to_string();
    };
    let mut depth = 0usize;
    let mut out = String::with_capacity(name.len().min(80));
    out.push_str(&name[..open]);
    for (i, c) in name[open..].char_indices() {
        match c {
            '<' => {
                if depth == 0 {
                    out.push_str("<…>");
                }
                depth += 1;
            }
            '>' => depth = depth.saturating_sub(1),
            _ if depth == 0 => out.push_str(&name[open + i..open + i + c.len_utf8()]),
            _ => {}
        }
    }
    out
}

/// Property edges of an object with more than this many edges whose names hold digits are
/// keys of a dictionary (session ids, user ids): paths show them as `[key]`.
const DICTIONARY_EDGES: usize = 32;

/// [`edge_label`] for a path from `from`: keys of a dictionary-like object (not a global)
/// collapse to `[key]`, so that paths to different entries look the same.
fn path_edge_label(g: &HeapGraph, from: u32, e: usize) -> String {
    if g.is_edge_type(e, g.edge_types.property) && !is_global(g, from) {
        let name = g.strings.get(g.edge_name[e]);
        if name.bytes().any(|b| b.is_ascii_digit()) && g.edges(from).len() > DICTIONARY_EDGES {
            return "[key]".to_string();
        }
    }
    edge_label(g, e)
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

#[cfg(test)]
mod tests {
    use super::fold_template_arguments;

    #[test]
    fn template_arguments_fold() {
        assert_eq!(
            fold_template_arguments("blink::HeapVectorBacking<cppgc::M<blink::X, T>> @7522"),
            "blink::HeapVectorBacking<…> @7522"
        );
        assert_eq!(fold_template_arguments("HTMLDivElement"), "HTMLDivElement");
        assert_eq!(fold_template_arguments("Detached <li>"), "Detached <li>");
    }
}
