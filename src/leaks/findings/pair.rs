//! Findings of two snapshots: one step, so growth cannot be told from a one-time fill; what
//! the base's graph still tells (entries, what is gone) marks churning caches and first fills.

use rustc_hash::FxHashMap;

use super::{
    Evidence, Finding, MIN_BYTES, Suspicion, describe, finding, one_leak_one_finding, rank,
};
use crate::analysis::Analysis;
use crate::graph::HeapGraph;
use crate::leaks::growth;

/// How many holders, per finding kept, are looked at closely.
const CANDIDATES_PER_FINDING: usize = 4;

/// The findings of two snapshots: the base is only loaded (its graph tells entries and which
/// of the holder's old entries are gone), the late one analysed.
/// Also returns each node's holder (see [`growth::charge`]).
pub fn of_pair(base: &HeapGraph, late: &Analysis, top: usize) -> (Vec<Finding>, Vec<u32>) {
    let max_ids = [base.max_js_object_id()];
    let (mut holders, holder_of) = growth::charge(late, &max_ids, MIN_BYTES);
    // Suspicions look around each holder: only for those that can make the list.
    holders.sort_by_key(|h| std::cmp::Reverse(h.total_bytes()));
    holders.truncate(top.saturating_mul(CANDIDATES_PER_FINDING));
    let g = &late.graph;
    let wanted: FxHashMap<u32, usize> = holders
        .iter()
        .enumerate()
        .map(|(i, h)| (g.node_id[h.node as usize], i))
        .collect();
    let mut in_base = vec![None; holders.len()];
    for v in 0..base.node_count() as u32 {
        if let Some(&i) = wanted.get(&base.node_id[v as usize]) {
            in_base[i] = Some(v);
        }
    }
    let alive = IdSet::of(g);
    let mut findings: Vec<Finding> = holders
        .iter()
        .zip(&in_base)
        .map(|(h, &old)| {
            let base_entries = old.map(|b| growth::entries(base, b));
            let late_entries = growth::entries(g, h.node);
            let entries = vec![base_entries, Some(late_entries)];
            let retained = vec![None, Some(late.retained[h.node as usize])];
            let mut f = finding(late, h, retained, entries);
            f.evidence = Evidence::TwoSnapshots;
            let grew = base_entries.is_some_and(|b| late_entries > b);
            // Losing about as many objects near it as it gained is replacing them (a full
            // cache); an empty container that fills, or one new object that holds nearly all,
            // is the shape of a first use (lazy initialisation).
            let lost = old.map_or(0, |b| {
                count_near(base, b, |w| !alive.contains(base.node_id[w as usize]))
            });
            let added = count_near(g, h.node, |w| g.node_id[w as usize] > max_ids[0]);
            let replaced = lost >= 4 && lost * 2 >= added;
            let filled_from_empty = base_entries == Some(0) && late_entries >= 8;
            let one_new_object = !grew && h.largest_top * 5 >= h.total_bytes() * 4;
            f.suspicion = if replaced {
                Suspicion::Churn
            } else if filled_from_empty || one_new_object {
                Suspicion::OneTimeFill
            } else {
                Suspicion::None
            };
            f.score = h.total_bytes();
            f
        })
        .collect();
    rank(&mut findings, top);
    describe(late, &mut findings, &holder_of, max_ids[0]);
    one_leak_one_finding(late, &mut findings, &holder_of, max_ids[0]);
    (findings, holder_of)
}

/// Most objects [`count_near`] looks at around one holder.
const NEIGHBOURHOOD: usize = 200_000;

/// How many JavaScript objects and strings within two hops of `v` satisfy `wanted`: with
/// "gone from the late snapshot" on the base, what a cache that replaces entries loses; with
/// "new" on the late snapshot, what it gained.
fn count_near(g: &HeapGraph, v: u32, wanted: impl Fn(u32) -> bool) -> u64 {
    let t = &g.node_types;
    let mut seen = rustc_hash::FxHashSet::default();
    let mut frontier = vec![v];
    for _ in 0..2 {
        let mut next = Vec::new();
        for &u in &frontier {
            for e in g.edges(u) {
                let w = g.edge_to[e];
                if !g.is_edge_type(e, g.edge_types.weak)
                    && seen.len() < NEIGHBOURHOOD
                    && seen.insert(w)
                {
                    next.push(w);
                }
            }
        }
        frontier = next;
    }
    seen.iter()
        .filter(|&&w| {
            let ty = Some(g.node_type[w as usize]);
            let kept = growth::is_candidate(g, w) || ty == t.string || ty == t.cons_string;
            kept && g.node_id[w as usize] % 2 == 1 && wanted(w)
        })
        .count() as u64
}

/// The object ids of a snapshot, as a bit set.
struct IdSet(Vec<u64>);

impl IdSet {
    fn of(g: &HeapGraph) -> IdSet {
        let max = g.node_id.iter().copied().max().unwrap_or(0) as usize;
        let mut bits = vec![0u64; max / 64 + 1];
        for &id in &g.node_id {
            bits[id as usize / 64] |= 1 << (id % 64);
        }
        IdSet(bits)
    }

    fn contains(&self, id: u32) -> bool {
        self.0
            .get(id as usize / 64)
            .is_some_and(|w| w & (1 << (id % 64)) != 0)
    }
}
