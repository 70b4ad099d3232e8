//! User roots and page ownership (DevTools' `markPageOwnedNodes`): what the page or program
//! owns, as opposed to what only the engine or a debugger keeps alive.

use crate::graph::HeapGraph;
use crate::graph::bits::BitSet;

/// A child of the root is a user root when it is not synthetic (in Node: the `global` object
/// behind the root's shortcut edge), or when it is the synthetic `(Document DOM trees)` node.
pub fn is_user_root(g: &HeapGraph, v: u32) -> bool {
    !g.is_type(v, g.node_types.synthetic) || is_document_dom_trees(g, v)
}

fn is_document_dom_trees(g: &HeapGraph, v: u32) -> bool {
    g.is_type(v, g.node_types.synthetic) && g.raw_name(v) == "(Document DOM trees)"
}

/// The user roots, in the order of the root's edges (repeats kept, as DevTools keeps them).
pub fn user_roots(g: &HeapGraph) -> Vec<u32> {
    g.edges(g.root.0)
        .map(|e| g.edge_to[e])
        .filter(|&v| is_user_root(g, v))
        .collect()
}

/// Page-owned nodes: reachable over non-weak edges from the targets of the root's shortcut
/// edges and from `(Document DOM trees)`.
pub fn page_owned(g: &HeapGraph) -> BitSet {
    let mut owned = BitSet::new(g.node_count());
    let mut stack = Vec::new();
    for e in g.edges(g.root.0) {
        let to = g.edge_to[e];
        let entry = if g.is_edge_type(e, g.edge_types.element) {
            is_document_dom_trees(g, to)
        } else {
            g.is_edge_type(e, g.edge_types.shortcut)
        };
        if entry {
            owned.set(to as usize);
            stack.push(to);
        }
    }
    while let Some(v) = stack.pop() {
        for e in g.edges(v) {
            let to = g.edge_to[e];
            if owned.get(to as usize) || g.is_edge_type(e, g.edge_types.weak) {
                continue;
            }
            owned.set(to as usize);
            stack.push(to);
        }
    }
    owned
}
