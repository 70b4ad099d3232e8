//! One leak, one finding: holders whose gained objects reference each other are one leak's
//! places (a logger kept by a container and by the listener arrays it registered in), the
//! place inside a holder that keeps its gains when the dominator tree cannot tell
//! (`Function Chart .instances → Object`), and the requests in flight at snapshot time.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::{Evidence, Finding, Suspicion, by_holder, sort_parts};
use crate::analysis::Analysis;
use crate::leaks::clusters::{edge_label, named_node};
use crate::leaks::growth;

/// Fewest references between two findings' gained objects for them to be one leak.
const MIN_LINKS: u64 = 2;
/// ... and the share (in percent) of the smaller finding's objects those references must reach.
const LINKED_PERCENT: u64 = 10;

/// Merges findings whose new objects reference each other's new objects (strong edges), in
/// either direction, into the higher-ranked one; the merged holders are listed as its other
/// places. `findings` are ranked; their order is kept.
pub(super) fn merge_linked(
    a: &Analysis,
    findings: &mut Vec<Finding>,
    holder_of: &[u32],
    first_max_id: u32,
) {
    let g = &a.graph;
    let index = by_holder(findings);
    let finding_of = |v: u32| {
        let new = growth::is_new(g.node_id[v as usize], first_max_id);
        new.then(|| index.get(&holder_of[v as usize]).copied())
            .flatten()
    };
    // Strings are shared by anything that copies them: only references to objects and
    // closures tie two holders' gains into one unit.
    let t = &g.node_types;
    let is_text = |v: u32| {
        let ty = Some(g.node_type[v as usize]);
        ty == t.string || ty == t.cons_string || ty == t.sliced_string
    };
    // References from one finding's new objects to another's, per pair of findings (counted
    // on both cores, then added up).
    let links: FxHashMap<(usize, usize), u64> = (0..g.node_count() as u32)
        .into_par_iter()
        .fold(
            FxHashMap::default,
            |mut links: FxHashMap<(usize, usize), u64>, v| {
                let Some(fa) = finding_of(v).filter(|_| !is_text(v)) else {
                    return links;
                };
                for e in g.edges(v) {
                    let w = g.edge_to[e];
                    if g.is_edge_type(e, g.edge_types.weak) || !growth::is_candidate(g, w) {
                        continue;
                    }
                    if let Some(fb) = finding_of(w).filter(|&fb| fb != fa) {
                        *links.entry((fa.min(fb), fa.max(fb))).or_default() += 1;
                    }
                }
                links
            },
        )
        .reduce(FxHashMap::default, add_counts);
    let mut parent: Vec<usize> = (0..findings.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut pairs: Vec<((usize, usize), u64)> = links.into_iter().collect();
    pairs.sort_unstable();
    for ((x, y), count) in pairs {
        let smaller = findings[x].gained_count().min(findings[y].gained_count());
        if count >= MIN_LINKS && count * 100 >= smaller * LINKED_PERCENT {
            let (rx, ry) = (root(&mut parent, x), root(&mut parent, y));
            if rx != ry {
                parent[rx.max(ry)] = rx.min(ry);
            }
        }
    }
    let roots: Vec<usize> = (0..findings.len()).map(|i| root(&mut parent, i)).collect();
    merge_into_roots(findings, &roots);
}

/// Two tallies summed key by key (the larger one kept, the smaller added in).
fn add_counts<K: std::hash::Hash + Eq, N: std::ops::AddAssign + Default>(
    x: FxHashMap<K, N>,
    y: FxHashMap<K, N>,
) -> FxHashMap<K, N> {
    let (mut into, from) = if x.len() >= y.len() { (x, y) } else { (y, x) };
    for (key, count) in from {
        *into.entry(key).or_default() += count;
    }
    into
}

/// Most dominator-tree hops from a holder up to an enclosing holder that is merged into it.
const MAX_NESTED_HOPS: usize = 2;

/// A holder kept inside another holder's object (the outer one dominates it, a hop or two
/// up: a `DataLoader` and its `._cacheMap`) is one place: when the inner one ranks higher
/// and the outer one does not grow on its own, the outer one's gains join the inner finding.
pub(super) fn merge_nested(a: &Analysis, findings: &mut Vec<Finding>) {
    let idom = &a.dominators.idom;
    let index = by_holder(findings);
    let mut roots: Vec<usize> = (0..findings.len()).collect();
    for (i, f) in findings.iter().enumerate() {
        let mut v = f.node;
        for _ in 0..MAX_NESTED_HOPS {
            let up = idom[v as usize];
            if up == v {
                break;
            }
            v = up;
            let Some(&j) = index.get(&v) else { continue };
            let outer = &findings[j];
            if j > i
                && roots[j] == j
                && outer.evidence != Evidence::Growing
                && outer.suspicion != Suspicion::InFlight
            {
                roots[j] = i;
            }
            break;
        }
    }
    // An outer holder may itself be inside another: every finding goes to the last root.
    for j in 0..roots.len() {
        roots[j] = roots[roots[j]];
    }
    merge_into_roots(findings, &roots);
}

/// Absorbs each finding into the finding `roots` names for it (always ranked before it).
fn merge_into_roots(findings: &mut Vec<Finding>, roots: &[usize]) {
    if roots.iter().enumerate().all(|(i, &r)| i == r) {
        return;
    }
    let taken = std::mem::take(findings);
    let mut kept: Vec<Option<Finding>> = Vec::with_capacity(taken.len());
    for (i, f) in taken.into_iter().enumerate() {
        if roots[i] == i {
            kept.push(Some(f));
        } else {
            kept.push(None);
            let outer = kept[roots[i]]
                .as_mut()
                .expect("a root comes before its members");
            absorb(outer, f);
        }
    }
    findings.extend(kept.into_iter().flatten());
}

/// Adds `inner`'s gains, parts and places to `outer`.
pub(super) fn absorb(outer: &mut Finding, inner: Finding) {
    for (x, y) in outer.step_bytes.iter_mut().zip(&inner.step_bytes) {
        *x += y;
    }
    for (x, y) in outer.step_counts.iter_mut().zip(&inner.step_counts) {
        *x += y;
    }
    outer.off_heap_bytes += inner.off_heap_bytes;
    let mut parts = std::mem::take(&mut outer.parts);
    for p in inner.parts {
        match parts
            .iter_mut()
            .find(|q| q.label == p.label && q.internal == p.internal)
        {
            Some(q) => {
                q.count += p.count;
                q.self_size += p.self_size;
            }
            None => parts.push(p),
        }
    }
    sort_parts(&mut parts);
    outer.parts = parts;
    if inner.evidence == Evidence::Growing {
        outer.evidence = Evidence::Growing;
    }
    outer.score = outer.score.max(inner.score);
    outer.also_held_by.push(inner.label);
    outer.also_held_by.extend(inner.also_held_by);
}

/// Classes of the objects one HTTP request or connection is made of.
const REQUEST_CLASSES: &[&str] = &[
    "HTTPParser",
    "Socket",
    "TLSSocket",
    "IncomingMessage",
    "ServerResponse",
    "ClientRequest",
    "TCP",
];

/// Findings whose holder is one request's or connection's object (a parser that Node reuses
/// gains the request it is parsing) are requests in flight when the snapshot was taken: they
/// are marked and gathered into the first of them, ranked after every other finding.
pub(super) fn gather_in_flight(findings: &mut Vec<Finding>) {
    let in_flight = |f: &Finding| {
        f.evidence != Evidence::Growing && REQUEST_CLASSES.contains(&f.class_name.as_str())
    };
    let (mut requests, rest): (Vec<Finding>, Vec<Finding>) =
        std::mem::take(findings).into_iter().partition(in_flight);
    *findings = rest;
    if requests.is_empty() {
        return;
    }
    let mut group = requests.remove(0);
    group.suspicion = Suspicion::InFlight;
    for f in requests {
        absorb(&mut group, f);
    }
    findings.push(group);
}

/// Share (in percent) of a holder's new top objects one old object inside it must reference
/// to be where its gains sit.
const PLACE_PERCENT: usize = 60;
/// Most dominator-tree hops from the holder to that place.
const MAX_PLACE_HOPS: usize = 16;

/// For findings whose gains hang on the holder itself (no dominated child keeps most of them:
/// two containers reference each object, so the holder dominates them), the old object inside
/// the holder that references most of them, as an inside path: `.instances → Object`.
pub(super) fn place_inside(
    a: &Analysis,
    findings: &mut [Finding],
    holder_of: &[u32],
    first_max_id: u32,
) {
    let g = &a.graph;
    let idom = &a.dominators.idom;
    let mut index = by_holder(findings);
    index.retain(|_, &mut i| findings[i].inside.is_empty());
    if index.is_empty() {
        return;
    }
    let old = |v: u32| growth::is_old(g.node_id[v as usize], first_max_id);
    // Per finding: how many tops (new objects its holder dominates directly) it has.
    const NO_FINDING: u32 = u32::MAX;
    let mut tops = vec![0usize; findings.len()];
    let mut top_of = vec![NO_FINDING; g.node_count()];
    for v in 0..g.node_count() as u32 {
        let holder = holder_of[v as usize];
        let Some(&f) = index.get(&holder) else {
            continue;
        };
        if old(v) || idom[v as usize] != holder || !growth::is_candidate(g, v) {
            continue;
        }
        tops[f] += 1;
        top_of[v as usize] = f as u32;
    }
    if tops.iter().all(|&t| t == 0) {
        return;
    }
    // Which old objects reference them (strongly, other than the holder), each top counted
    // once per referrer: one forward pass over the old objects' edges, so a container with
    // millions of slots is read once, not once per top it holds.
    let referrers: FxHashMap<(u32, u32), usize> = (0..g.node_count() as u32)
        .into_par_iter()
        .filter(|&source| old(source))
        .fold(
            || (FxHashMap::default(), Vec::new()),
            |(mut referrers, mut targets): (FxHashMap<(u32, u32), usize>, Vec<u32>), source| {
                targets.clear();
                for e in g.edges(source) {
                    let w = g.edge_to[e];
                    if top_of[w as usize] != NO_FINDING
                        && holder_of[w as usize] != source
                        && !g.is_edge_type(e, g.edge_types.weak)
                    {
                        targets.push(w);
                    }
                }
                targets.sort_unstable();
                targets.dedup();
                for &w in &targets {
                    *referrers.entry((top_of[w as usize], source)).or_default() += 1;
                }
                (referrers, targets)
            },
        )
        .map(|(referrers, _)| referrers)
        .reduce(FxHashMap::default, add_counts);
    drop(top_of);
    // Per finding: the referrer of most tops (the lowest ordinal among equals).
    let mut best: Vec<Option<(u32, usize)>> = vec![None; findings.len()];
    for (&(f, source), &count) in &referrers {
        let slot = &mut best[f as usize];
        if slot.is_none_or(|(s, c)| (count, std::cmp::Reverse(source)) > (c, std::cmp::Reverse(s)))
        {
            *slot = Some((source, count));
        }
    }
    for (f, finding) in findings.iter_mut().enumerate() {
        let Some((place, count)) = best[f] else {
            continue;
        };
        if count < 2 || count * 100 < tops[f] * PLACE_PERCENT {
            continue;
        }
        let mut chain = vec![place];
        let mut last = place;
        while idom[last as usize] != finding.node {
            let up = idom[last as usize];
            if chain.len() > MAX_PLACE_HOPS || up == last {
                break;
            }
            chain.push(up);
            last = up;
        }
        if idom[last as usize] != finding.node {
            continue;
        }
        let mut hops = Vec::new();
        let mut from = finding.node;
        for &to in chain.iter().rev() {
            let edge = g
                .edges(from)
                .find(|&e| g.edge_to[e] == to && !g.is_edge_type(e, g.edge_types.weak))
                .map_or_else(|| "…".to_string(), |e| edge_label(g, e));
            hops.push(format!("{edge} → {}", named_node(a, to)));
            from = to;
        }
        finding.inside = hops.join(" ");
        finding.inside_short = finding.inside.clone();
    }
}
