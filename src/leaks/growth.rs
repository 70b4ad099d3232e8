//! Growth roots: old objects that keep accumulating new ones (the idea of BLeak, Vilk and
//! Berger, PLDI 2018, made exact with V8's stable object ids). Numbers only; no labels.
//!
//! An object id names one object for its whole life and ids only grow, so an object of the
//! last snapshot whose id is at most the first snapshot's newest id was alive in every snapshot
//! of the series (a *persistent* object). Every new object of the last snapshot is charged to
//! its nearest persistent ancestor in the dominator tree (its *holder*), in the step its id
//! falls in: ids in `(max_id(s_k), max_id(s_k+1)]` were allocated between s_k and s_k+1. A leak
//! charges its holder at every step; a one-time initialisation only in its step; a full cache
//! that churns keeps only its last entries, and its size (entries, retained bytes, from the
//! earlier snapshots' [`Trace`]s) does not grow.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::analysis::Analysis;
use crate::analysis::essential::parse_weak_map_edge;
use crate::analysis::off_heap::{external_string_bytes, external_strings, is_off_heap};
use crate::graph::HeapGraph;

/// A node with no holder (nothing persistent above it).
const NO_HOLDER: u32 = u32::MAX;

/// Is object id `id` a JavaScript object allocated after the snapshot whose newest id is
/// `first`? Only JavaScript heap objects (odd ids) have an age: embedder objects get ids of
/// their own (addresses, in Node) in every snapshot, so they are neither old nor new.
pub fn is_new(id: u32, first: u32) -> bool {
    id > first && id % 2 == 1
}

/// Is `id` a JavaScript object alive since the snapshot whose newest id is `first`?
pub fn is_old(id: u32, first: u32) -> bool {
    id <= first && id % 2 == 1
}

/// Can `v` hold a leak? JavaScript objects, closures and regexps that a program creates;
/// not engine internals (`system / …`), arrays of the engine, strings, code or DOM nodes.
pub fn is_candidate(g: &HeapGraph, v: u32) -> bool {
    let t = &g.node_types;
    let ty = Some(g.node_type[v as usize]);
    (ty == t.object || ty == t.closure || ty == t.regexp) && !g.is_system_named(v)
}

/// Can `v` be a holder: a candidate, or a scope or root group (which hold only what no
/// candidate above does)?
fn can_hold(g: &HeapGraph, v: u32) -> bool {
    (is_candidate(g, v) && !is_weak_holder(g, v)) || is_scope(g, v) || is_root_group(g, v)
}

/// Is `v` a `WeakMap`, `WeakSet`, `WeakRef` or `FinalizationRegistry`? These never own what they
/// map to: a WeakMap's value lives as long as its key, so it is charged to the key's holder.
pub fn is_weak_holder(g: &HeapGraph, v: u32) -> bool {
    g.is_type(v, g.node_types.object)
        && matches!(
            g.raw_name(v),
            "WeakMap" | "WeakSet" | "WeakRef" | "FinalizationRegistry"
        )
}

/// Is edge `e` (from `source`) a WeakMap table's edge to a value? V8 also gives the key an edge
/// to the value; the table's does not keep it alive (DevTools drops it from the dominator tree).
fn is_table_to_value(g: &HeapGraph, source: u32, e: usize) -> bool {
    if !g.is_edge_type(e, g.edge_types.internal) {
        return false;
    }
    let name = g.strings.get(g.edge_name[e]);
    name.contains(" pair in WeakMap (table @")
        && parse_weak_map_edge(name)
            .is_some_and(|w| w.table_id == g.node_id[source as usize] as u64)
}

/// Is `v` a scope (V8's `system / Context`: the variables of a function or module)?
fn is_scope(g: &HeapGraph, v: u32) -> bool {
    g.is_type(v, g.node_types.object) && g.raw_name(v).starts_with("system / Context")
}

/// Is `v` code or a hidden class (whose subtrees the JIT grows on its own)?
fn is_engine_metadata(g: &HeapGraph, v: u32) -> bool {
    let t = &g.node_types;
    let ty = g.node_type[v as usize];
    Some(ty) == t.code
        || t.names
            .get(ty as usize)
            .is_some_and(|n| n == "object shape")
}

/// How many entries `v` holds: its element, property and context edges (`__proto__` aside),
/// plus the slots of its hash table (`Map`, `Set`, `WeakMap` keep entries in a `table`).
pub fn entries(g: &HeapGraph, v: u32) -> u32 {
    let t = &g.edge_types;
    let mut count = 0;
    for e in g.edges(v) {
        let ty = Some(g.edge_type[e]);
        if ty == t.element || ty == t.context {
            count += 1;
        } else if ty == t.property {
            count += u32::from(g.strings.get(g.edge_name[e]) != "__proto__");
        } else if ty == t.internal && g.strings.get(g.edge_name[e]) == "table" {
            let table = g.edge_to[e];
            count += g
                .edges(table)
                .filter(|&x| g.strings.get(g.edge_name[x]) != "map")
                .count() as u32;
        }
    }
    count
}

/// What an earlier snapshot of a series tells about the objects that may still be alive in the
/// last one: for each candidate with an id up to `up_to`, its retained size and entries.
#[derive(Debug, Clone, Default)]
pub struct Trace {
    /// `(id, retained, entries)`, ascending by id.
    points: Vec<(u32, u64, u32)>,
}

impl Trace {
    /// The trace of `a`, for objects with ids up to `up_to` (the first snapshot's newest id:
    /// only those can be alive in every snapshot).
    pub fn of(a: &Analysis, up_to: u32) -> Trace {
        let g = &a.graph;
        let mut points: Vec<(u32, u64, u32)> = (0..g.node_count() as u32)
            .filter(|&v| g.node_id[v as usize] <= up_to && can_hold(g, v))
            .map(|v| (g.node_id[v as usize], a.retained[v as usize], entries(g, v)))
            .collect();
        points.sort_unstable_by_key(|p| p.0);
        Trace { points }
    }

    /// Retained size and entries of object `id`, if it is in the trace.
    pub fn get(&self, id: u32) -> Option<(u64, u32)> {
        let i = self.points.binary_search_by_key(&id, |p| p.0).ok()?;
        Some((self.points[i].1, self.points[i].2))
    }
}

/// One persistent object and what the new objects charged to it add up to, per step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holder {
    /// The object (ordinal of the last snapshot).
    pub node: u32,
    /// Per step: shallow bytes and count of the new objects charged to it that were allocated
    /// in that step and are still alive in the last snapshot.
    pub bytes: Vec<u64>,
    pub counts: Vec<u64>,
    /// New objects charged to it with no other candidate between them and it: how many
    /// separate things were added (one big new subtree looks like a one-time fill).
    pub tops: u64,
    /// The largest such top's retained size.
    pub largest_top: u64,
    /// Of `bytes`, in all: memory outside the JS heap (backing stores, native objects).
    pub off_heap_bytes: u64,
}

impl Holder {
    pub fn total_bytes(&self) -> u64 {
        self.bytes.iter().sum()
    }
}

/// The holders being charged, by node.
struct Ledger {
    steps: usize,
    holders: Vec<Holder>,
    slot_of: FxHashMap<u32, usize>,
}

impl Ledger {
    /// Charges `bytes` in `step` to `holder` (`bytes.1` of them outside the JS heap); `top`
    /// says the object is a separate addition.
    fn charge(&mut self, holder: u32, step: usize, bytes: (u64, u64), top: Option<u64>) {
        let (bytes, off_heap) = bytes;
        let steps = self.steps;
        let holders = &mut self.holders;
        let slot = *self.slot_of.entry(holder).or_insert_with(|| {
            holders.push(Holder {
                node: holder,
                bytes: vec![0; steps],
                counts: vec![0; steps],
                tops: 0,
                largest_top: 0,
                off_heap_bytes: 0,
            });
            holders.len() - 1
        });
        let h = &mut self.holders[slot];
        h.bytes[step] += bytes;
        h.counts[step] += 1;
        h.off_heap_bytes += off_heap;
        if let Some(retained) = top {
            h.tops += 1;
            h.largest_top = h.largest_top.max(retained);
        }
    }
}

/// Charges the new objects of `a` to their holders. `max_ids` are the newest ids of the
/// snapshots before `a`, oldest first: objects with ids up to `max_ids[0]` are persistent;
/// those above it are new, in the step their id falls in (the last step ends at `a`'s newest
/// id). Returns every holder charged at least `min_bytes` in total, and each node's holder.
///
/// Three passes, each for what the one before left: the dominator tree (the nearest
/// persistent candidate above, or a scope when there is none); references from charged
/// objects (breadth first: a vm context that a `Map` and Node's cleanup queue both hold goes to
/// the `Map`); the root group above (`(Global handles)`: open sockets that only handles hold).
pub fn charge(a: &Analysis, max_ids: &[u32], min_bytes: u64) -> (Vec<Holder>, Vec<u32>) {
    let g = &a.graph;
    let n = g.node_count();
    let steps = max_ids.len();
    let first = max_ids.first().copied().unwrap_or(0);
    let step_of = |id: u32| {
        max_ids
            .partition_point(|&m| m < id)
            .saturating_sub(1)
            .min(steps.saturating_sub(1))
    };
    let external = external_strings(g);
    // What an object weighs in a holder's gains, and how much of that is off the JS heap:
    // backing stores and native objects are; an external string's characters are too (at
    // least those the snapshot shows).
    let weigh = |v: u32| {
        let size = a.self_size[v as usize] as u64;
        if is_off_heap(g, v) {
            (size, size)
        } else if external[v as usize] {
            let characters = external_string_bytes(g, v);
            (size + characters, characters)
        } else {
            (size, 0)
        }
    };
    let mut holder_of = vec![NO_HOLDER; n];
    let mut ledger = Ledger {
        steps,
        holders: Vec::new(),
        slot_of: FxHashMap::default(),
    };
    // Depth-first over the dominator tree: (node, its nearest persistent candidate ancestor,
    // whether any candidate lies between them).
    let (first_child, children) = &a.dominated;
    let mut stack: Vec<(u32, u32, bool)> = vec![(g.root.0, NO_HOLDER, false)];
    while let Some((v, holder, covered)) = stack.pop() {
        if !covered && is_engine_metadata(g, v) {
            // Compiled code, feedback and hidden classes of old functions come and go with the
            // JIT: what they hold (boilerplates, optimized code) is nobody's leak. Code below a
            // new closure (`new Function`, `eval`) is part of what was added.
            continue;
        }
        let id = g.node_id[v as usize];
        let candidate = is_candidate(g, v) && !is_weak_holder(g, v);
        let old = is_old(id, first);
        // A scope (a `system / Context`) holds what nothing else persistent above it does: a
        // module's variables hang on the root through several closures.
        let persistent = old && (candidate || (holder == NO_HOLDER && is_scope(g, v)));
        let (below, below_covered) = if persistent {
            holder_of[v as usize] = v;
            (v, false)
        } else {
            holder_of[v as usize] = holder;
            if holder != NO_HOLDER && is_new(id, first) {
                let top = (candidate && !covered).then(|| a.retained[v as usize]);
                ledger.charge(holder, step_of(id), weigh(v), top);
            }
            (holder, covered || candidate)
        };
        let range = first_child[v as usize] as usize..first_child[v as usize + 1] as usize;
        stack.extend(children[range].iter().map(|&c| (c, below, below_covered)));
    }
    let unclaimed = |v: u32, holder_of: &[u32]| {
        holder_of[v as usize] == NO_HOLDER
            && is_new(g.node_id[v as usize], first)
            && !is_engine_metadata(g, v)
    };
    // A detached DOM tree has no age (embedder ids) and belongs to whoever keeps it: the
    // spread crosses it, charging the new objects below to that holder, not to its nodes.
    let passable = |v: u32, holder_of: &[u32]| {
        unclaimed(v, holder_of) || (holder_of[v as usize] == NO_HOLDER && is_detached(a, v))
    };
    // Breadth first from `seeds` over what no holder has claimed yet.
    let spread = |seeds: Vec<u32>, holder_of: &mut [u32], ledger: &mut Ledger| {
        let mut queue: std::collections::VecDeque<u32> = seeds.into();
        while let Some(u) = queue.pop_front() {
            let holder = holder_of[u as usize];
            for e in g.edges(u) {
                let w = g.edge_to[e];
                if g.is_edge_type(e, g.edge_types.weak)
                    || !passable(w, holder_of)
                    || is_table_to_value(g, u, e)
                {
                    continue;
                }
                holder_of[w as usize] = holder;
                let id = g.node_id[w as usize];
                if is_new(id, first) {
                    ledger.charge(holder, step_of(id), weigh(w), None);
                }
                queue.push_back(w);
            }
        }
    };
    let seeds: Vec<u32> = (0..n as u32)
        .into_par_iter()
        .filter(|&v| {
            holder_of[v as usize] != NO_HOLDER
                && g.edges(v).any(|e| {
                    !g.is_edge_type(e, g.edge_types.weak)
                        && passable(g.edge_to[e], &holder_of)
                        && !is_table_to_value(g, v, e)
                })
        })
        .collect();
    spread(seeds, &mut holder_of, &mut ledger);
    let held_natively = native_holders(a, &mut holder_of, |v, h| unclaimed(v, h));
    for &(v, holder) in &held_natively {
        let id = g.node_id[v as usize];
        let top = Some(a.retained[v as usize]);
        ledger.charge(holder, step_of(id), weigh(v), top);
    }
    spread(
        held_natively.iter().map(|p| p.0).collect(),
        &mut holder_of,
        &mut ledger,
    );
    let mut taken = vec![false; n];
    for (v, wrapper) in native_owned_by_wrappers(a, &holder_of, first) {
        let holder = holder_of[wrapper as usize];
        let step = step_of(g.node_id[wrapper as usize]);
        for x in owned_natives(a, v, &mut taken) {
            ledger.charge(holder, step, weigh(x), None);
            holder_of[x as usize] = holder;
        }
    }
    let groups: Vec<u32> = (0..n as u32).filter(|&v| is_root_group(g, v)).collect();
    for &v in &groups {
        holder_of[v as usize] = v;
    }
    spread(groups, &mut holder_of, &mut ledger);
    let mut holders = ledger.holders;
    holders.retain(|h| h.total_bytes() >= min_bytes);
    (holders, holder_of)
}

/// Embedder objects that a new JavaScript wrapper owns: an embedder object (Node's
/// `Node / ZlibStream`) paired with a charged new wrapper (each has an edge to the other), with
/// the wrapper. Embedder ids carry no age and the embedder's roots hold such objects, so the
/// passes above charge them, and the native memory below them, to nobody.
fn native_owned_by_wrappers(a: &Analysis, holder_of: &[u32], first: u32) -> Vec<(u32, u32)> {
    let g = &a.graph;
    (0..g.node_count() as u32)
        .filter(|&v| is_ageless_native(g, v) && holder_of[v as usize] != v)
        .filter_map(|v| {
            let wrapper = g.edges(v).map(|e| g.edge_to[e]).find(|&w| {
                let holder = holder_of[w as usize];
                holder != NO_HOLDER
                    && holder != w
                    && is_new(g.node_id[w as usize], first)
                    && is_candidate(g, w)
                    && g.edges(w).any(|e| g.edge_to[e] == v)
            })?;
            Some((v, wrapper))
        })
        .collect()
}

/// An embedder's object (native, or one of its roots with a size): its id tells no age, so
/// no pass before [`native_owned_by_wrappers`] charges it.
fn is_ageless_native(g: &HeapGraph, v: u32) -> bool {
    v != g.root.0
        && g.node_id[v as usize].is_multiple_of(2)
        && (g.is_type(v, g.node_types.native) || g.is_type(v, g.node_types.synthetic))
}

/// `v` and the embedder objects it dominates through embedder objects, but those in `taken`.
fn owned_natives(a: &Analysis, v: u32, taken: &mut [bool]) -> Vec<u32> {
    let g = &a.graph;
    let (first_child, children) = &a.dominated;
    let mut found = Vec::new();
    let mut stack = vec![v];
    while let Some(x) = stack.pop() {
        if taken[x as usize] || !is_ageless_native(g, x) {
            continue;
        }
        taken[x as usize] = true;
        found.push(x);
        let range = first_child[x as usize] as usize..first_child[x as usize + 1] as usize;
        stack.extend_from_slice(&children[range]);
    }
    found
}

/// Is `v` a detached DOM node (or what one reaches, as DevTools propagates it)? Such a tree is
/// garbage something else keeps, never a holder of its own.
fn is_detached(a: &Analysis, v: u32) -> bool {
    is_embedder(&a.graph, v) && a.dom.state[v as usize] == crate::analysis::dom_state::DETACHED
}

/// Is `v` an embedder object (a DOM node, a listener list): its id is new in every snapshot, so
/// its age is unknown.
pub fn is_embedder(g: &HeapGraph, v: u32) -> bool {
    g.is_type(v, g.node_types.native) && v != g.root.0
}

/// New objects that only embedder objects hold (a window's `resize` listener list keeps
/// closures): each unclaimed new candidate whose dominator is an embedder object goes to the
/// lowest embedder object above it that holds two or more such objects, the list rather than
/// one entry's wrapper (or the highest above that holding exactly the same ones, the list's
/// owner rather than its backing store). Marks those holders in `holder_of`; returns
/// `(object, holder)` pairs.
fn native_holders(
    a: &Analysis,
    holder_of: &mut [u32],
    unclaimed: impl Fn(u32, &[u32]) -> bool,
) -> Vec<(u32, u32)> {
    let g = &a.graph;
    let idom = &a.dominators.idom;
    let natives_above = |v: u32| {
        let mut p = idom[v as usize];
        std::iter::from_fn(move || {
            let here = p;
            let more = is_embedder(g, here) && !is_root_group(g, here);
            p = idom[here as usize];
            more.then_some(here)
        })
    };
    let tops: Vec<u32> = (0..g.node_count() as u32)
        .filter(|&v| {
            unclaimed(v, holder_of) && is_candidate(g, v) && {
                let p = idom[v as usize];
                is_embedder(g, p) && !is_root_group(g, p)
            }
        })
        .collect();
    let mut held: FxHashMap<u32, u32> = FxHashMap::default();
    for &v in &tops {
        for p in natives_above(v).take(MAX_NATIVE_HOPS) {
            *held.entry(p).or_default() += 1;
        }
    }
    let mut pairs = Vec::new();
    for &v in &tops {
        // The lowest embedder object holding two or more, then up through the embedder's own
        // structures (`blink::…`) while the same ones are all they hold: a listener list's
        // backing store moves when it grows (a new id in every snapshot), the
        // `blink::EventTargetData` that owns it stays.
        let mut above = natives_above(v)
            .take(MAX_NATIVE_HOPS)
            .filter(|&p| !is_detached(a, p))
            .skip_while(|p| held.get(p).is_none_or(|&c| c < 2));
        let holder = above.next().map(|lowest| {
            let count = held[&lowest];
            above
                .take_while(|&p| held.get(&p) == Some(&count) && g.raw_name(p).contains("::"))
                .last()
                .unwrap_or(lowest)
        });
        if let Some(h) = holder {
            holder_of[h as usize] = h;
            holder_of[v as usize] = h;
            pairs.push((v, h));
        }
    }
    pairs
}

/// How far up a chain of embedder objects [`native_holders`] looks.
const MAX_NATIVE_HOPS: usize = 64;

/// Is `v` a root group (a synthetic node other than the root: `(Global handles)`, …)?
pub fn is_root_group(g: &HeapGraph, v: u32) -> bool {
    g.is_type(v, g.node_types.synthetic) && v != g.root.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn traces_look_up_by_id() {
        let t = Trace {
            points: vec![(3, 100, 2), (7, 50, 1)],
        };
        assert_eq!(t.get(7), Some((50, 1)));
        assert_eq!(t.get(5), None);
    }
}
