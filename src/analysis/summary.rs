//! Per-class aggregates of DevTools' Summary view (`buildAggregates` +
//! `calculateClassesRetainedSize`) and the Statistics view.

use std::collections::HashMap;

use rustc_hash::FxHashSet;

use super::Analysis;
use super::classes::{self, ClassKeys};
use crate::graph::HeapGraph;

/// One row of the Summary view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClassRow {
    /// DevTools' public class key: `",<name>"` or `"<script>,<line>,<column>,<name>"`.
    pub key: String,
    pub name: String,
    pub count: u64,
    /// Sum of the (DevTools) shallow sizes of the class's objects.
    pub self_size: u64,
    /// Sum of retained sizes of the class's objects not dominated by another counted object
    /// of the same class: the bytes freed if all of them were freed.
    pub retained: u64,
    /// Smallest distance from a root among the class's objects.
    pub distance: i32,
    /// The class's objects (ordinals), in snapshot order.
    pub nodes: Vec<u32>,
}

/// The Statistics view's split of the heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Statistics {
    pub total: u64,
    pub v8heap_total: u64,
    pub code: u64,
    pub strings: u64,
    pub js_arrays: u64,
    pub system: u64,
    pub native_total: u64,
    pub typed_arrays: u64,
}

/// Aggregates the nodes that `keep` accepts and whose shallow size is not zero, grouped by
/// `classes` (which may differ from the analysis' own, for comparisons). Rows come out in
/// DevTools' order: retained size descending, then class key.
pub fn class_rows(a: &Analysis, classes: &ClassKeys, keep: impl Fn(u32) -> bool) -> Vec<ClassRow> {
    let g = &a.graph;
    let n = g.node_count();
    let mut slot_of_key: Vec<u32> = vec![u32::MAX; classes.keys.len()];
    let mut rows: Vec<ClassRow> = Vec::new();
    let mut row_key: Vec<u32> = Vec::new();
    for v in 0..n as u32 {
        let size = a.self_size[v as usize];
        if size == 0 || !keep(v) {
            continue;
        }
        let key = classes.of_node[v as usize];
        let distance = a.distance[v as usize];
        let slot = slot_of_key[key as usize];
        if slot == u32::MAX {
            slot_of_key[key as usize] = rows.len() as u32;
            row_key.push(key);
            rows.push(ClassRow {
                key: String::new(),
                name: classes.class_name(g, v).to_string(),
                count: 1,
                self_size: size as u64,
                retained: 0,
                distance,
                nodes: vec![v],
            });
        } else {
            let row = &mut rows[slot as usize];
            row.count += 1;
            row.self_size += size as u64;
            row.distance = row.distance.min(distance);
            row.nodes.push(v);
        }
    }

    // Retained: a DFS of the dominator tree that counts a node only when no ancestor of the
    // same class key was counted.
    let (first, children) = &a.dominated;
    let mut seen = vec![false; classes.keys.len()];
    let mut marks: Vec<(usize, u32)> = Vec::new();
    let mut stack = vec![g.root.0];
    while let Some(v) = stack.pop() {
        let key = classes.of_node[v as usize];
        let kids = first[v as usize] as usize..first[v as usize + 1] as usize;
        if !seen[key as usize] && a.self_size[v as usize] != 0 && keep(v) {
            rows[slot_of_key[key as usize] as usize].retained += a.retained[v as usize];
            if !kids.is_empty() {
                seen[key as usize] = true;
                marks.push((stack.len(), key));
            }
        }
        stack.extend_from_slice(&children[kids]);
        while marks.last().is_some_and(|&(len, _)| len == stack.len()) {
            if let Some((_, key)) = marks.pop() {
                seen[key as usize] = false;
            }
        }
    }

    // Public keys; two internal keys with one public key: the later one replaces the earlier
    // (DevTools assigns into a plain object in insertion order).
    let mut by_public: HashMap<String, usize> = HashMap::new();
    let mut out: Vec<Option<ClassRow>> = Vec::with_capacity(rows.len());
    for (mut row, key) in rows.into_iter().zip(row_key) {
        row.key = classes.public_key(g, key);
        match by_public.get(&row.key) {
            Some(&i) => out[i] = Some(row),
            None => {
                by_public.insert(row.key.clone(), out.len());
                out.push(Some(row));
            }
        }
    }
    let mut out: Vec<ClassRow> = out.into_iter().flatten().collect();
    out.sort_by(|x, y| {
        y.retained
            .cmp(&x.retained)
            .then_with(|| super::classes::js_cmp(&x.key, &y.key))
    });
    out
}

/// The names of the Summary view's rows: the class of every object whose (DevTools) shallow
/// size is not zero. Budgets may name only these (`class:NAME.count`).
pub fn row_names(g: &HeapGraph, classes: &ClassKeys, self_size: &[u32]) -> FxHashSet<String> {
    let mut seen: FxHashSet<u32> = FxHashSet::default();
    let mut names = FxHashSet::default();
    for v in 0..g.node_count() as u32 {
        if self_size[v as usize] != 0 && seen.insert(classes.class_index[v as usize]) {
            names.insert(classes.class_name(g, v).to_string());
        }
    }
    names
}

/// [`row_names`] of a snapshot that is only loaded (a diff's base): the phases class names
/// need (DOM state, shallow sizes, interfaces of its own plain objects) without the dominator
/// tree, so that a budget can name a class that only the base has.
pub fn loaded_row_names(g: &HeapGraph) -> FxHashSet<String> {
    let dom = super::dom_state::propagate(g);
    let self_size = super::shallow::transfer(g, &dom.renamed);
    let keys = ClassKeys::compute(g, &dom, &classes::infer_interfaces(g));
    row_names(g, &keys, &self_size)
}

/// The Statistics view (`calculateStatistics`), over DevTools' shallow sizes.
pub fn statistics(a: &Analysis) -> Statistics {
    let g = &a.graph;
    let t = &g.node_types;
    let mut s = Statistics {
        native_total: g.extra_native_bytes,
        ..Statistics::default()
    };
    for v in 0..g.node_count() as u32 {
        let size = a.self_size[v as usize] as u64;
        let ty = Some(g.node_type[v as usize]);
        if ty == t.hidden {
            s.system += size;
        } else if ty == t.native {
            s.native_total += size;
            if !a.dom.renamed.get(v as usize) && g.raw_name(v) == "system / JSArrayBufferData" {
                s.typed_arrays += size;
            }
        } else if ty == t.code {
            s.code += size;
        } else if ty == t.cons_string || ty == t.sliced_string || ty == t.string {
            s.strings += size;
        } else if g.raw_name(v) == "Array" {
            s.js_arrays += array_size(a, v);
        }
    }
    s.total = a.total_size();
    s.v8heap_total = s.total - s.native_total.min(s.total);
    s
}

/// An `Array`'s size with its `elements` store when nothing else retains that store.
fn array_size(a: &Analysis, v: u32) -> u64 {
    let g = &a.graph;
    let mut size = a.self_size[v as usize] as u64;
    for e in g.edges(v) {
        if g.is_edge_type(e, g.edge_types.internal) && g.strings.get(g.edge_name[e]) == "elements" {
            let elements = g.edge_to[e];
            if a.retainers.slots(elements).len() == 1 {
                size += a.self_size[elements as usize] as u64;
            }
            break;
        }
    }
    size
}
