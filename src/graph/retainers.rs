//! The reverse adjacency (who points at each node), in CSR form.
//!
//! Built by the analysis rather than the reader: a diff's base never needs it, and building it
//! beside the essential-edge pass hides most of its cost on a second core.

use super::{HeapGraph, try_zeroed};
use crate::error::Result;

/// For node `v`, the edges pointing at it are slots `first[v]..first[v + 1]` of `edge` (edge
/// ordinal) and `node` (source node ordinal), in ascending source order.
#[derive(Debug, Clone, Default)]
pub struct Retainers {
    pub first: Vec<u32>,
    pub edge: Vec<u32>,
    pub node: Vec<u32>,
}

impl Retainers {
    /// The retainers of every node of `g`; an error instead of an abort when memory runs out.
    pub fn of(g: &HeapGraph) -> Result<Retainers> {
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
        Ok(Retainers { first, edge, node })
    }

    /// The retainer slots of node `v` (indices into `edge` and `node`).
    pub fn slots(&self, v: u32) -> std::ops::Range<usize> {
        self.first[v as usize] as usize..self.first[v as usize + 1] as usize
    }
}
