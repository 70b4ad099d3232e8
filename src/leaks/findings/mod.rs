//! Findings: one ranked list of what most likely leaks, each an old object that keeps
//! accumulating new ones (its holder, see [`super::growth`]), with the path that keeps the
//! holder alive, what it accumulates and how much per step. Typed results only; no text layout.

mod inside;
mod pair;
mod steps;
mod units;

use inside::{charged_subtrees, inside_path};
pub use pair::of_pair;
use steps::{gains_at_every_step, grows_at_every_step};

use rustc_hash::FxHashMap;

use super::clusters::{Site, SiteResolver, UNKNOWN_SCRIPT, holder_chain, holder_path, named_node};
use super::growth::{self, Holder, Trace};
use crate::analysis::Analysis;
use crate::graph::HeapGraph;

/// Fewest bytes a holder must gain (in all) to be a finding.
pub(super) const MIN_BYTES: u64 = 2048;
/// A growing finding whose smallest step gains less than this share (per cent) of the largest
/// finding's mean step is ranked among the findings that do not grow, by its size.
const TINY_GROWTH_PERCENT: u64 = 1;
/// How many times one cycle of hops must repeat inside a holder for its gains to be a chain.
const MIN_CHAIN: u64 = 3;
/// The part key of external strings (apart from other strings: their characters are outside
/// the heap).
const EXTERNAL_STRING_KEY: u32 = u32::MAX - 1;
/// How many parts a finding lists.
const MAX_PARTS: usize = 5;
/// The first closure part is moved up to be among this many.
const CODE_PART_BY: usize = 3;

/// How sure a finding is that it leaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Three or more snapshots: it gained new objects at every step and its size grew.
    Growing,
    /// Three or more snapshots, but it did not grow at every step (a fill, a cache).
    NotGrowing,
    /// Two snapshots: it gained objects; a third snapshot tells growth from a one-time fill.
    TwoSnapshots,
}

/// What a finding suspects about a holder that two snapshots cannot settle.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suspicion {
    None,
    /// Most of what it gained is one new object: a one-time initialisation?
    OneTimeFill,
    /// Most of what it held in the base is gone: a cache that replaces its entries?
    Churn,
    /// Held by the objects of requests in flight when the snapshot was taken (HTTP parsers,
    /// sockets): temporary, gathered into one finding ranked last.
    InFlight,
}

/// A group of the new objects a holder accumulates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// `Function onConfigChanged @ app.js:12:5`, a class name, `(string)`, `Detached <div>`.
    pub label: String,
    pub count: u64,
    pub self_size: u64,
    /// Engine internals (arrays, code, contexts): shown after what a program creates.
    pub internal: bool,
    /// Where a closure part's function was defined (none for objects).
    pub site: Option<Site>,
}

/// One suspected leak.
#[derive(Debug, Clone)]
pub struct Finding {
    pub evidence: Evidence,
    pub suspicion: Suspicion,
    /// The holder: ordinal in the last snapshot, object id, class.
    pub node: u32,
    pub id: u32,
    pub class_name: String,
    /// Root to holder, folded (see [`holder_path`]).
    pub path: String,
    /// The same path, short: engine internals left out, from the nearest variable.
    pub short_path: String,
    /// Holder to where most of what it gained sits, when that is one place: `.todos .past →
    /// Array` (empty when the gains hang on the holder itself).
    pub inside: String,
    /// The same, engine internals left out (`.todos .past → Array`); empty when only
    /// internals remain (`{table} → (array)`).
    pub inside_short: String,
    /// `MemoryStore .sessions → Object`: the holder and how its owner holds it.
    pub label: String,
    /// Per step: bytes and count of the new objects it gained that are still alive.
    pub step_bytes: Vec<u64>,
    pub step_counts: Vec<u64>,
    /// Of the bytes it gained: memory outside the JS heap (ArrayBuffer backing stores,
    /// native objects) that its new objects own.
    pub off_heap_bytes: u64,
    /// Per snapshot, where known: its retained size and entries.
    pub retained: Vec<Option<u64>>,
    pub entries: Vec<Option<u32>>,
    /// The largest groups of what it gained, user-visible ones first.
    pub parts: Vec<Part>,
    /// Bytes by which findings are ranked (within one evidence level).
    pub score: u64,
    /// A series holder (a root group) that gained at every step but whose own size cannot
    /// show growth: it grows when the class of what it gains grows at every step.
    pub unsized_gains: bool,
    /// Labels of other holders of the same leak (their gained objects reference this one's),
    /// merged into this finding.
    pub also_held_by: Vec<String>,
    /// Against `--baseline`: known, grown or new (none without a baseline).
    pub standing: Option<crate::leaks::known::Standing>,
}

impl Finding {
    /// The code that made what it gained, and how a report names it: the first part of the
    /// program's own closures whose script is known (the verdict's "made with",
    /// `Function NAME @ …`), else the constructor of the first part of objects of a class
    /// defined in a script (`constructor NAME @ …`).
    pub fn site(&self) -> Option<(String, &Site)> {
        let known =
            |p: &&Part| !p.internal && p.site.as_ref().is_some_and(|s| s.script != UNKNOWN_SCRIPT);
        let closure = |p: &&Part| p.label.starts_with("Function ");
        let part = (self.parts.iter().filter(known).find(closure))
            .or_else(|| self.parts.iter().find(known))?;
        let site = part.site.as_ref()?;
        let kind = if closure(&part) {
            "Function"
        } else {
            "constructor"
        };
        Some((format!("{kind} {}", site.label()), site))
    }

    pub fn gained_bytes(&self) -> u64 {
        self.step_bytes.iter().sum()
    }

    pub fn gained_count(&self) -> u64 {
        self.step_counts.iter().sum()
    }
}

/// The findings of a series, from its last snapshot `last` and the traces and newest ids of
/// the snapshots before it (oldest first; `traces[0]` is the first snapshot's).
/// Also returns each node's holder (see [`growth::charge`]).
pub fn of_series(
    last: &Analysis,
    traces: &[Trace],
    max_ids: &[u32],
    top: usize,
) -> (Vec<Finding>, Vec<u32>) {
    let (holders, holder_of) = growth::charge(last, max_ids, MIN_BYTES);
    let g = &last.graph;
    let mut findings: Vec<Finding> = holders
        .iter()
        .map(|h| {
            let id = g.node_id[h.node as usize];
            let mut retained: Vec<Option<u64>> =
                traces.iter().map(|t| t.get(id).map(|p| p.0)).collect();
            let mut entries: Vec<Option<u32>> =
                traces.iter().map(|t| t.get(id).map(|p| p.1)).collect();
            retained.push(Some(last.retained[h.node as usize]));
            entries.push(Some(growth::entries(g, h.node)));
            let growing = grows_at_every_step(h, &retained, &entries);
            let mut f = finding(last, h, retained, entries);
            // A root group's size says nothing (what it holds is held by reference, from
            // everywhere): whether the kinds it gains grow is decided on the class trends.
            f.unsized_gains = !growing
                && gains_at_every_step(h)
                && (growth::is_root_group(g, h.node) || growth::is_embedder(g, h.node));
            f.evidence = if growing {
                Evidence::Growing
            } else {
                Evidence::NotGrowing
            };
            f.score = if growing {
                h.bytes.iter().copied().min().unwrap_or(0)
            } else {
                h.total_bytes()
            };
            f
        })
        .collect();
    rank(&mut findings, top);
    describe(last, &mut findings, &holder_of, max_ids[0]);
    one_leak_one_finding(last, &mut findings, &holder_of, max_ids[0]);
    (findings, holder_of)
}

/// Where each finding's gains sit, then one finding per leak: holders gaining in lockstep or
/// whose gains reference each other are merged, requests in flight gathered last. Ranks again.
pub(super) fn one_leak_one_finding(
    a: &Analysis,
    findings: &mut Vec<Finding>,
    holder_of: &[u32],
    first_max_id: u32,
) {
    units::place_inside(a, findings, holder_of, first_max_id);
    merge_lockstep(a, findings);
    units::merge_linked(a, findings, holder_of, first_max_id);
    units::merge_nested(a, findings);
    units::gather_in_flight(findings);
    let top = findings.len();
    rank(findings, top);
}

/// For each group of nodes (a cluster's members): the index of the finding whose holder holds
/// most of them (at least half), or `usize::MAX`. Lets a report list a finding's groups first.
pub fn finding_of_groups<'a>(
    findings: &[Finding],
    holder_of: &[u32],
    groups: impl Iterator<Item = &'a [u32]>,
) -> Vec<usize> {
    let index = by_holder(findings);
    groups
        .map(|members| {
            let mut counts: FxHashMap<usize, usize> = FxHashMap::default();
            for &v in members {
                if let Some(&f) = index.get(&holder_of[v as usize]) {
                    *counts.entry(f).or_default() += 1;
                }
            }
            counts
                .into_iter()
                .filter(|&(_, c)| c * 2 >= members.len())
                .min_by_key(|&(f, c)| (std::cmp::Reverse(c), f))
                .map_or(usize::MAX, |(f, _)| f)
        })
        .collect()
}

/// Each finding's index, by its holder's node.
pub(super) fn by_holder(findings: &[Finding]) -> FxHashMap<u32, usize> {
    findings
        .iter()
        .enumerate()
        .map(|(i, f)| (f.node, i))
        .collect()
}

/// One leak, two holders: a finding whose holder is reached through another finding's holder
/// and that gained objects in lockstep with it (counts in a ratio of 1 or 2) is part of that
/// one (`InterceptorManager` and the `Map` of its internals, say).
pub(super) fn merge_lockstep(a: &Analysis, findings: &mut Vec<Finding>) {
    let mut merged = vec![false; findings.len()];
    for i in 0..findings.len() {
        let chain = holder_chain(a, findings[i].node);
        let near = &chain[1..chain.len().min(1 + MERGE_HOPS)];
        let outer = near.iter().find_map(|&v| {
            (0..findings.len()).find(|&j| j != i && !merged[j] && findings[j].node == v)
        });
        let Some(j) = outer else { continue };
        if !lockstep(unit(&findings[i]), unit(&findings[j])) {
            continue;
        }
        merged[i] = true;
        let inner = findings[i].clone();
        units::absorb(&mut findings[j], inner);
    }
    let mut i = 0;
    findings.retain(|_| {
        i += 1;
        !merged[i - 1]
    });
}

/// Keeps the [`MAX_PARTS`] parts to show: what the program made before engine internals, then
/// by bytes; at equal bytes, classes before V8's `(…)` categories.
pub(super) fn sort_parts(parts: &mut Vec<Part>) {
    parts.sort_by(|x, y| {
        x.internal
            .cmp(&y.internal)
            .then(y.self_size.cmp(&x.self_size))
            .then(x.label.starts_with('(').cmp(&y.label.starts_with('(')))
            .then_with(|| x.label.cmp(&y.label))
    });
    // The program's code that made what it gained is named among the first parts a table
    // shows, even when its closures are small.
    let first_closure = parts.iter().position(|p| p.label.starts_with("Function "));
    if let Some(i) = first_closure.filter(|&i| i >= CODE_PART_BY) {
        let code = parts.remove(i);
        parts.insert(CODE_PART_BY - 1, code);
    }
    parts.truncate(MAX_PARTS);
}

/// How far above a holder another one may be for the two to be one leak.
const MERGE_HOPS: usize = 3;

/// How many of the objects a finding gained are of its most numerous program-made kind
/// (objects and closures: V8's `(string)`, `(array)` … categories come along with anything).
fn unit(f: &Finding) -> u64 {
    f.parts
        .iter()
        .filter(|p| !p.internal && !p.label.starts_with('('))
        .map(|p| p.count)
        .max()
        .unwrap_or(0)
}

/// Are two counts near multiples of each other (1× or 2×, within 2%)?
fn lockstep(x: u64, y: u64) -> bool {
    let (small, large) = (x.min(y), x.max(y));
    small >= 2 && (1..=2).any(|k| large.abs_diff(k * small) <= (k * small / 50).max(1))
}

pub(super) fn finding(
    a: &Analysis,
    h: &Holder,
    retained: Vec<Option<u64>>,
    entries: Vec<Option<u32>>,
) -> Finding {
    let g = &a.graph;
    Finding {
        evidence: Evidence::TwoSnapshots,
        suspicion: Suspicion::None,
        node: h.node,
        id: g.node_id[h.node as usize],
        class_name: named_node(a, h.node),
        path: String::new(),
        short_path: String::new(),
        inside: String::new(),
        inside_short: String::new(),
        label: String::new(),
        step_bytes: h.bytes.clone(),
        step_counts: h.counts.clone(),
        off_heap_bytes: h.off_heap_bytes,
        retained,
        entries,
        parts: Vec::new(),
        score: 0,
        unsized_gains: false,
        also_held_by: Vec::new(),
        standing: None,
    }
}

/// Settles the findings of [`Finding::unsized_gains`] holders: growing when the main class
/// they gained (`grows(name)`) grew at every step of the series. Ranks again.
pub fn settle_by_classes(findings: &mut Vec<Finding>, grows: impl Fn(&str) -> bool) {
    for f in findings.iter_mut().filter(|f| f.unsized_gains) {
        let main = f
            .parts
            .iter()
            .find(|p| !p.internal && !p.label.starts_with('('));
        // A closure part is `Function NAME @ SITE`; its class in the Summary is NAME.
        let class = |label: &str| {
            label
                .strip_prefix("Function ")
                .and_then(|rest| rest.split(" @ ").next())
                .map_or_else(|| label.to_string(), str::to_string)
        };
        // Chromium's Summary keeps closures under `Function`, not under their names.
        let closure_grows = |label: &str| label.starts_with("Function ") && grows("Function");
        if main.is_some_and(|p| grows(&class(&p.label)) || closure_grows(&p.label)) {
            f.evidence = Evidence::Growing;
            f.score = f.step_bytes.iter().copied().min().unwrap_or(0);
        }
    }
    let top = findings.len();
    rank(findings, top);
}

/// Orders findings (growing first, then by score) and keeps the first `top`.
pub(super) fn rank(findings: &mut Vec<Finding>, top: usize) {
    // With two snapshots, what looks like a one-time fill or a churning cache goes after
    // the holders that simply gained objects.
    // Growth too small to matter beside the largest gain does not outrank it.
    let largest_step = findings
        .iter()
        .map(|f| f.gained_bytes() / f.step_bytes.len().max(1) as u64)
        .max()
        .unwrap_or(0);
    let tiny = |f: &Finding| f.score * 100 < largest_step * TINY_GROWTH_PERCENT;
    let level = |f: &Finding| match (f.evidence, f.suspicion) {
        (_, Suspicion::InFlight) => 5,
        (Evidence::Growing, _) if tiny(f) => 4,
        (Evidence::Growing, _) => 0,
        (Evidence::TwoSnapshots, Suspicion::None) => 1,
        (Evidence::TwoSnapshots, Suspicion::OneTimeFill) => 2,
        (Evidence::TwoSnapshots, Suspicion::Churn) => 3,
        (Evidence::NotGrowing, _) => 4,
    };
    findings.sort_by(|x, y| {
        level(x)
            .cmp(&level(y))
            .then(y.score.cmp(&x.score))
            .then(y.gained_bytes().cmp(&x.gained_bytes()))
            .then(x.id.cmp(&y.id))
    });
    findings.truncate(top);
}

/// Paths, labels and parts of the kept findings.
pub(super) fn describe(
    a: &Analysis,
    findings: &mut Vec<Finding>,
    holder_of: &[u32],
    first_max_id: u32,
) {
    let g = &a.graph;
    // Each node's finding, by its holder: a dense table, as every new node is looked up.
    let mut index = vec![u32::MAX; g.node_count()];
    for (i, f) in findings.iter().enumerate() {
        index[f.node as usize] = i as u32;
    }
    // (finding, class index or closure site) → (count, bytes, first node). Closures group by
    // their site, found once per function (SharedFunctionInfo): `validate1`, `validate2` … of
    // one generator have one label and so are one part; two anonymous closures are one part
    // only when they were defined at one place.
    // The parts (one pass over the new objects) beside the charged subtrees (one pass over
    // the dominator tree): both read only the holders.
    let ((groups, site_labels, mut resolver), charged) = rayon::join(
        || {
            let mut sites: FxHashMap<String, u32> = FxHashMap::default();
            let mut site_labels: Vec<(String, Site)> = Vec::new();
            let mut site_of_function: FxHashMap<u32, u32> = FxHashMap::default();
            let mut resolver = SiteResolver::new(g, &a.retainers);
            let mut groups: FxHashMap<(usize, u32, bool), (u64, u64, u32)> = FxHashMap::default();
            let external = crate::analysis::off_heap::external_strings(g);
            for v in 0..g.node_count() as u32 {
                if g.node_id[v as usize] <= first_max_id {
                    continue;
                }
                let holder = holder_of[v as usize];
                if holder == u32::MAX || index[holder as usize] == u32::MAX {
                    continue;
                }
                let f = index[holder as usize] as usize;
                let closure = g.is_type(v, g.node_types.closure);
                let key = if closure {
                    let function = resolver.shared_of(v).unwrap_or(v);
                    *site_of_function.entry(function).or_insert_with(|| {
                        let site = resolver.site(v);
                        let label = format!("Function {}", site.label());
                        *sites.entry(label.clone()).or_insert_with(|| {
                            site_labels.push((label, site));
                            site_labels.len() as u32 - 1
                        })
                    })
                } else if external[v as usize] {
                    EXTERNAL_STRING_KEY
                } else {
                    a.classes.class_index[v as usize]
                };
                let entry = groups.entry((f, key, closure)).or_insert((0, 0, v));
                entry.0 += 1;
                entry.1 += a.self_size[v as usize] as u64;
            }
            (groups, site_labels, resolver)
        },
        || charged_subtrees(a, holder_of, first_max_id),
    );
    let mut parts: Vec<Vec<Part>> = vec![Vec::new(); findings.len()];
    let mut visible = vec![0u64; findings.len()];
    for ((f, key, closure), (count, bytes, v)) in groups {
        let (label, internal, site) = if closure {
            let (label, site) = &site_labels[key as usize];
            (label.clone(), false, Some(site.clone()))
        } else if key == EXTERNAL_STRING_KEY {
            ("external string".to_string(), false, None)
        } else {
            let name = a.classes.names.get(g, key).to_string();
            let internal = !user_visible(g, v);
            // Objects of a class defined in a script: where its constructor is.
            let site = (!internal && g.is_type(v, g.node_types.object))
                .then(|| resolver.object_site(v))
                .flatten();
            // A minifier's class name (`F`) reads as the source's (`EE`) when its map says.
            let name = match &site {
                Some(s) if s.generated.as_ref().is_some_and(|g| g.function == name) => {
                    s.function.clone()
                }
                _ => name,
            };
            (name, internal, site)
        };
        if !internal {
            visible[f] += bytes;
        }
        parts[f].push(Part {
            label,
            count,
            self_size: bytes,
            internal,
            site,
        });
    }
    for (f, mut list) in findings.iter_mut().zip(parts) {
        sort_parts(&mut list);
        f.parts = list;
        let path = holder_path(a, f.node);
        f.path = path.full;
        f.short_path = path.short;
        f.label = short_label(&f.path);
        let inside = inside_path(a, f.node, holder_of, &charged);
        (f.inside, f.inside_short) = (inside.full, inside.short);
        // A chain (each new object keeps the one before: a variable replaced per request) is
        // growth even when one new object holds it all, which is otherwise a first fill's shape.
        if inside.repeats >= MIN_CHAIN && f.suspicion == Suspicion::OneTimeFill {
            f.suspicion = Suspicion::None;
        }
    }
    // A root group that gained engine internals only (scripts, code lists) is no leak.
    let g = &a.graph;
    let mut i = 0;
    findings.retain(|f| {
        i += 1;
        !growth::is_root_group(g, f.node) || visible[i - 1] * 2 >= f.gained_bytes()
    });
}

/// Objects a program creates and a user recognises: its objects, strings and DOM nodes.
fn user_visible(g: &HeapGraph, v: u32) -> bool {
    let t = &g.node_types;
    let ty = Some(g.node_type[v as usize]);
    growth::is_candidate(g, v)
        || ty == t.string
        || ty == t.cons_string
        || ty == t.sliced_string
        || (ty == t.native && !is_engine_native(g.raw_name(v)))
}

/// V8's and Node's own native objects (backing stores, a zlib stream's state): what a
/// program's objects own, never what it made.
fn is_engine_native(name: &str) -> bool {
    name.starts_with("system / ") || name.starts_with("Node / ")
}

/// The last two nodes of a path and the edge between them: `MemoryStore .sessions → Object`.
/// A holder inside the embedder (`blink::HeapVectorBacking<…>`) is named from the last object a
/// program knows above it: `Window / file:// … event listeners` for a listener list.
fn short_label(path: &str) -> String {
    let parts: Vec<&str> = path.split(" → ").collect();
    let embedder = |p: &str| p.contains("::");
    match parts.len() {
        0 | 1 => path.to_string(),
        n if embedder(parts[n - 1]) => {
            let Some(known) = parts[..n - 1].iter().rposition(|p| !embedder(p)) else {
                return format!("{} → {}", parts[n - 2], parts[n - 1]);
            };
            // The element ends with the edge to the next one (` []`, ` .window`): leave it out.
            let owner = match parts[known].rsplit_once(' ') {
                Some((node, edge)) if edge.starts_with(['[', '{', '.', '-']) => node,
                _ => parts[known],
            };
            if parts[known..].iter().any(|p| p.contains("EventTargetData")) {
                format!("{owner} … event listeners")
            } else {
                format!("{owner} … {}", parts[n - 1])
            }
        }
        n => format!("{} → {}", parts[n - 2], parts[n - 1]),
    }
}

#[cfg(test)]
mod tests {
    use super::short_label;

    #[test]
    fn labels_name_the_holder_and_its_owner() {
        assert_eq!(
            short_label("global .store → MemoryStore .sessions → Object"),
            "MemoryStore .sessions → Object"
        );
        assert_eq!(
            short_label(
                "(Global handles) → InjectedScript .window → Window / file:// [] → \
                 blink::EventTargetData [] → blink::HeapVectorBacking<…> @7522"
            ),
            "Window / file:// … event listeners"
        );
    }
}
