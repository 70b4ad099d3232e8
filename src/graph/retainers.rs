//! The reverse adjacency (who points at each node), in CSR form.
//!
//! Built by the analysis rather than the reader: a diff's base never needs it, and building it
//! beside the essential-edge pass hides most of its cost on a second core. Each slot keeps its
//! source node only (4 bytes an edge, not 8): the edge itself is found again from the source's
//! own edge list when a path or a tool names it, and the per-slot facts the hot loops need
//! (weak, essential) are bit sets.

use rayon::prelude::*;

use super::bits::BitSet;
use super::{HeapGraph, try_zeroed};
use crate::error::Result;

/// For node `v`, the edges pointing at it are slots `first[v]..first[v + 1]` of `node` (source
/// node ordinal), in ascending edge order (so ascending source order).
#[derive(Debug, Clone, Default)]
pub struct Retainers {
    pub first: Vec<u32>,
    pub node: Vec<u32>,
    /// Slots whose edge is weak.
    pub weak: BitSet,
}

/// Retainers with the edge ordinal of every slot, as built; [`RetainerEdges::finish`] keeps a
/// per-slot bit of any edge set and drops the ordinals.
pub struct RetainerEdges {
    pub retainers: Retainers,
    pub edge: Vec<u32>,
}

impl Retainers {
    /// The retainers of every node of `g`, with each slot's edge ordinal; an error instead of
    /// an abort when memory runs out.
    pub fn of(g: &HeapGraph) -> Result<RetainerEdges> {
        let n = g.node_count();
        let mut first = try_zeroed(n + 1, "retainer offsets")?;
        for &to in &g.edge_to {
            first[to as usize + 1] += 1;
        }
        for i in 0..n {
            first[i + 1] += first[i];
        }
        let mut fill = first.clone();
        let mut edge = try_zeroed(g.edge_to.len(), "retainers")?;
        let mut node = try_zeroed(g.edge_to.len(), "retainers")?;
        for src in 0..n {
            for e in g.edges(src as u32) {
                let to = g.edge_to[e] as usize;
                let slot = fill[to] as usize;
                fill[to] += 1;
                edge[slot] = e as u32;
                node[slot] = src as u32;
            }
        }
        drop(fill);
        let weak_type = g.edge_types.weak;
        let weak = slot_bits(&edge, |e| Some(g.edge_type[e]) == weak_type);
        Ok(RetainerEdges {
            retainers: Retainers { first, node, weak },
            edge,
        })
    }

    /// The retainer slots of node `v` (indices into `node`).
    pub fn slots(&self, v: u32) -> std::ops::Range<usize> {
        self.first[v as usize] as usize..self.first[v as usize + 1] as usize
    }

    /// The edge of slot `slot` of node `v`: the k-th edge from the slot's source to `v`, k
    /// being how many slots of `v` before it have the same source. O(the source's edges).
    pub fn edge(&self, g: &HeapGraph, v: u32, slot: usize) -> usize {
        let from = self.node[slot];
        let start = self.first[v as usize] as usize;
        let k = self.node[start..slot]
            .iter()
            .rev()
            .take_while(|&&s| s == from)
            .count();
        g.edges(from)
            .filter(|&e| g.edge_to[e] == v)
            .nth(k)
            .expect("a retainer slot has its edge")
    }

    /// Every retainer of `v` as (slot, source, edge ordinal), in slot order; each source's
    /// edges are scanned once, however many of its edges point at `v`.
    pub fn edges<'a>(
        &'a self,
        g: &'a HeapGraph,
        v: u32,
    ) -> impl Iterator<Item = (usize, u32, usize)> + 'a {
        let mut pending: Option<(u32, std::ops::Range<usize>)> = None;
        self.slots(v).map(move |slot| {
            let from = self.node[slot];
            let scan = match &mut pending {
                Some((source, scan)) if *source == from => scan,
                _ => &mut pending.insert((from, g.edges(from))).1,
            };
            let e = scan
                .find(|&e| g.edge_to[e] == v)
                .expect("a retainer slot has its edge");
            (slot, from, e)
        })
    }
}

impl RetainerEdges {
    /// The retainers without edge ordinals, and a bit per slot set where `keep(edge)`.
    pub fn finish(self, keep: impl Fn(usize) -> bool + Sync) -> (Retainers, BitSet) {
        let bits = slot_bits(&self.edge, keep);
        (self.retainers, bits)
    }
}

/// A bit per slot of `edge`, set where `test(edge ordinal)`; words filled in parallel.
fn slot_bits(edge: &[u32], test: impl Fn(usize) -> bool + Sync) -> BitSet {
    let mut bits = BitSet::new(edge.len());
    bits.words_mut()
        .par_iter_mut()
        .zip(edge.par_chunks(64))
        .for_each(|(word, chunk)| {
            for (i, &e) in chunk.iter().enumerate() {
                if test(e as usize) {
                    *word |= 1 << i;
                }
            }
        });
    bits
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::{EdgeTypes, NodeTypes, RawGraph, StringTable};

    /// A graph of `n` nodes with the given edges (source, target, weak?), in source order.
    fn graph(n: usize, edges: &[(u32, u32, bool)]) -> HeapGraph {
        let mut strings = StringTable::new();
        strings.push("");
        let mut edge_count = vec![0u32; n];
        for &(a, _, _) in edges {
            edge_count[a as usize] += 1;
        }
        HeapGraph::build(RawGraph {
            node_types: NodeTypes::from_names(vec!["object".into()]),
            edge_types: EdgeTypes::from_names(vec!["property".into(), "weak".into()]),
            node_type: vec![0; n],
            node_name: vec![0; n],
            node_id: (0..n as u32).map(|i| 2 * i + 1).collect(),
            self_size: vec![1; n],
            edge_count,
            edge_type: edges.iter().map(|e| e.2 as u8).collect(),
            edge_name: vec![0; edges.len()],
            edge_to: edges.iter().map(|e| e.1).collect(),
            strings,
            ..RawGraph::default()
        })
        .unwrap()
    }

    #[test]
    fn slots_find_their_edges_again() {
        // Node 0 points at 2 twice (one weak), node 1 at 2 once and at 0.
        let g = graph(
            3,
            &[
                (0, 1, false),
                (0, 2, false),
                (0, 2, true),
                (1, 2, false),
                (1, 0, false),
            ],
        );
        let built = Retainers::of(&g).unwrap();
        let expected_edges = built.edge.clone();
        let (r, bits) = built.finish(|e| e % 2 == 0);
        for v in 0..3u32 {
            let listed: Vec<(usize, u32, usize)> = r.edges(&g, v).collect();
            for &(slot, from, e) in &listed {
                assert_eq!(e, expected_edges[slot] as usize);
                assert_eq!(r.edge(&g, v, slot), e);
                assert_eq!(from, r.node[slot]);
                assert_eq!(r.weak.get(slot), g.edge_type[e] == 1);
                assert_eq!(bits.get(slot), e % 2 == 0);
            }
            assert_eq!(listed.len(), r.slots(v).len());
        }
        assert_eq!(r.node[r.slots(2)], [0, 0, 1]);
    }
}
