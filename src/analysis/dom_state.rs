//! DOM link state (attached / detached) of embedder nodes, propagated through the graph as
//! DevTools' `propagateDOMState` does. Detached native nodes are shown as `Detached <name>`.

use crate::graph::HeapGraph;
use crate::graph::bits::BitSet;

pub const ATTACHED: u8 = 1;
pub const DETACHED: u8 = 2;

/// Per-node DOM state and which nodes DevTools renames to `Detached <name>`.
#[derive(Debug, Clone)]
pub struct DomState {
    pub state: Vec<u8>,
    pub renamed: BitSet,
}

/// Seeds from the snapshot's `detachedness` field and propagates: whatever an attached native
/// node reaches is attached; what a detached one reaches (and is not attached) is detached. Only
/// native nodes take part; hidden and weak edges do not propagate. Files without the field mark
/// native nodes whose name starts with `Detached ` as detached and rename nothing.
pub fn propagate(g: &HeapGraph) -> DomState {
    let n = g.node_count();
    let mut renamed = BitSet::new(n);
    let Some(seed) = &g.detachedness else {
        let state = (0..n as u32)
            .map(|v| {
                let detached =
                    g.is_type(v, g.node_types.native) && g.raw_name(v).starts_with("Detached ");
                if detached { DETACHED } else { 0 }
            })
            .collect();
        return DomState { state, renamed };
    };

    let mut state = seed.clone();
    let mut visited = BitSet::new(n);
    let mut attached: Vec<u32> = Vec::new();
    let mut detached: Vec<u32> = Vec::new();
    let mut process = |v: u32,
                       new_state: u8,
                       state: &mut [u8],
                       attached: &mut Vec<u32>,
                       detached: &mut Vec<u32>| {
        if visited.get(v as usize) {
            return;
        }
        visited.set(v as usize);
        if !g.is_type(v, g.node_types.native) {
            return;
        }
        state[v as usize] = new_state;
        if new_state == ATTACHED {
            attached.push(v);
        } else if new_state == DETACHED {
            renamed.set(v as usize);
            detached.push(v);
        }
    };
    let propagates =
        |e: usize| !g.is_edge_type(e, g.edge_types.hidden) && !g.is_edge_type(e, g.edge_types.weak);

    for v in 0..n as u32 {
        let s = state[v as usize];
        if s != 0 {
            process(v, s, &mut state, &mut attached, &mut detached);
        }
    }
    while let Some(v) = attached.pop() {
        for e in g.edges(v) {
            if propagates(e) {
                process(
                    g.edge_to[e],
                    ATTACHED,
                    &mut state,
                    &mut attached,
                    &mut detached,
                );
            }
        }
    }
    while let Some(v) = detached.pop() {
        if state[v as usize] == ATTACHED {
            continue;
        }
        for e in g.edges(v) {
            if propagates(e) {
                process(
                    g.edge_to[e],
                    DETACHED,
                    &mut state,
                    &mut attached,
                    &mut detached,
                );
            }
        }
    }
    DomState { state, renamed }
}
