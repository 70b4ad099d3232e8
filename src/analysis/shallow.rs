//! DevTools' shallow-size transfer (`JSHeapSnapshot.calculateShallowSizes`): internal arrays and
//! hidden objects owned by exactly one "real" object are shown as part of that object's size.

use super::flags;
use crate::graph::HeapGraph;
use crate::graph::bits::BitSet;

const UNVISITED: u32 = u32::MAX;
const MULTIPLE_OWNERS: u32 = u32::MAX - 1;

/// Returns the self sizes DevTools shows. Nodes of type `hidden` or `array` (and native
/// `system / ExternalStringData`) reachable over non-weak edges from exactly one other node
/// (through any chain of such nodes) give their size to that owner, unless the owner is
/// synthetic or the root. Snapshots without user roots ("expose internals") keep raw sizes.
pub fn transfer(g: &HeapGraph, renamed: &BitSet) -> Vec<u32> {
    let mut sizes = g.self_size.clone();
    if flags::user_roots(g).is_empty() {
        return sizes;
    }
    let n = g.node_count();
    let types = &g.node_types;
    let mut owners = vec![0u32; n];
    let mut worklist = Vec::new();
    for v in 0..n as u32 {
        let owned_kind = g.is_type(v, types.hidden)
            || g.is_type(v, types.array)
            || (g.is_type(v, types.native)
                && !renamed.get(v as usize)
                && g.raw_name(v) == "system / ExternalStringData");
        if owned_kind {
            owners[v as usize] = UNVISITED;
        } else {
            owners[v as usize] = v;
            worklist.push(v);
        }
    }
    while let Some(v) = worklist.pop() {
        let owner = owners[v as usize];
        for e in g.edges(v) {
            if g.is_edge_type(e, g.edge_types.weak) {
                continue;
            }
            let to = g.edge_to[e];
            match owners[to as usize] {
                UNVISITED => {
                    owners[to as usize] = owner;
                    worklist.push(to);
                }
                current if current == to || current == owner || current == MULTIPLE_OWNERS => {}
                _ => {
                    owners[to as usize] = MULTIPLE_OWNERS;
                    worklist.push(to);
                }
            }
        }
    }
    for v in 0..n {
        let owner = owners[v];
        if owner == UNVISITED || owner == MULTIPLE_OWNERS || owner == v as u32 {
            continue;
        }
        if g.is_type(owner, types.synthetic) || owner == g.root.0 {
            continue;
        }
        let moved = std::mem::take(&mut sizes[v]);
        // DevTools keeps sizes in a Uint32Array, which wraps.
        sizes[owner as usize] = sizes[owner as usize].wrapping_add(moved);
    }
    sizes
}
