//! Which edges may retain, for the dominator tree (DevTools' `computeIsEssentialEdge`), and the
//! parsing of V8's WeakMap ephemeron edge names that this and the distances need.

use rayon::prelude::*;
use regex::Regex;
use rustc_hash::FxHashMap;

use super::bits::BitSet;
use crate::graph::HeapGraph;

/// The parts of an ephemeron edge name
/// `"<n> / part of key (<k> @<id>) -> value (<v> @<id>) pair in WeakMap (table @<table>)"`.
#[derive(Debug, Clone, Copy)]
pub struct WeakMapEdge {
    /// Byte range of the part after the leading number, shared by the key's and the table's edge.
    pub pair: (usize, usize),
    /// The table's object id.
    pub table_id: u64,
}

/// The snapshot's ephemeron edge names, parsed up front so that parallel passes can share them.
#[derive(Debug, Default)]
pub struct WeakMapNames {
    /// Per string index: is it an ephemeron name (then it is in `parsed`)?
    names: BitSet,
    parsed: FxHashMap<u32, WeakMapEdge>,
}

impl WeakMapNames {
    /// Finds the ephemeron names among `g`'s strings: a substring search over the whole table
    /// picks the candidates, and DevTools' pattern decides.
    pub fn new(g: &HeapGraph) -> WeakMapNames {
        // DevTools' pattern, with JavaScript's meaning of \d (ASCII) and . (no line terminator).
        let any = r"[^\n\r\u{2028}\u{2029}]";
        let pattern = format!(
            r"^[0-9]+( / part of key \({any}*? @[0-9]+\) -> value \({any}*? @[0-9]+\) pair in WeakMap \(table @([0-9]+)\))$"
        );
        let pattern = Regex::new(&pattern).expect("the WeakMap edge pattern is valid");
        let mut names = BitSet::new(g.strings.len());
        let mut parsed = FxHashMap::default();
        for i in g.strings.containing(" / part of key (") {
            let Some(c) = pattern.captures(g.strings.get(i)) else {
                continue;
            };
            let (Some(pair), Some(table)) = (c.get(1), c.get(2)) else {
                continue;
            };
            names.set(i as usize);
            parsed.insert(
                i,
                WeakMapEdge {
                    pair: (pair.start(), pair.end()),
                    table_id: table.as_str().parse().unwrap_or(u64::MAX),
                },
            );
        }
        WeakMapNames { names, parsed }
    }

    /// The ephemeron parts of string `name`, if it is such a name.
    pub fn parse(&self, name: u32) -> Option<WeakMapEdge> {
        if !self.names.get(name as usize) {
            return None;
        }
        self.parsed.get(&name).copied()
    }
}

/// Edges per parallel block: whole words of the bit set, so that blocks write disjoint words.
const BLOCK_EDGES: usize = 64 * 4096;

/// Marks the edges that count for dominators. Not essential: weak edges; self edges; the
/// table→value edge of a WeakMap entry (the key→value edge is kept); and, except from the root,
/// shortcut edges and edges from a node that is not page-owned into one that is.
pub fn essential_edges(g: &HeapGraph, page_owned: &BitSet, weak_maps: &WeakMapNames) -> BitSet {
    let mut essential = BitSet::new(g.edge_count());
    let root = g.root.0;
    let edge_total = g.edge_count();
    essential
        .words_mut()
        .par_chunks_mut(BLOCK_EDGES / 64)
        .enumerate()
        .for_each(|(block, words)| {
            let first = block * BLOCK_EDGES;
            let last = (first + BLOCK_EDGES).min(edge_total);
            // The node whose edges include `first`: the last node whose edges start at or
            // before it.
            let mut v = g
                .first_edge
                .partition_point(|&start| start as usize <= first)
                - 1;
            for e in first..last {
                while g.first_edge[v + 1] as usize <= e {
                    v += 1;
                }
                if is_essential(g, v as u32, e, root, page_owned, weak_maps) {
                    words[(e - first) / 64] |= 1 << (e % 64);
                }
            }
        });
    essential
}

fn is_essential(
    g: &HeapGraph,
    v: u32,
    e: usize,
    root: u32,
    page_owned: &BitSet,
    weak_maps: &WeakMapNames,
) -> bool {
    if g.is_edge_type(e, g.edge_types.internal)
        && let Some(w) = weak_maps.parse(g.edge_name[e])
        && w.table_id == g.node_id[v as usize] as u64
    {
        return false;
    }
    if g.is_edge_type(e, g.edge_types.weak) {
        return false;
    }
    let to = g.edge_to[e];
    if to == v {
        return false;
    }
    !(v != root
        && (g.is_edge_type(e, g.edge_types.shortcut)
            || (page_owned.get(to as usize) && !page_owned.get(v as usize))))
}
