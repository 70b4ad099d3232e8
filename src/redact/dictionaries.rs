//! Property names that are data: the keys of objects V8 keeps in dictionary mode.
//!
//! A fast-mode object's property names live in its hidden class: the snapshot shows its `map`
//! with an internal `descriptors` edge to the descriptor array holding them. An object in
//! dictionary ("slow") mode keeps its names in a hash table behind its `properties` edge,
//! and its map has no descriptors (V8 leaves out edges to the shared empty descriptor array).
//! Objects keyed by data are dictionaries: `Object.create(null)` starts one (express-session's
//! `MemoryStore` keeps `sessions` so, keyed by session id), and V8 turns an object with many
//! computed keys or deleted properties into one. Two kinds of dictionaries are code, not data:
//! the global object (its properties are global variables) and prototypes (their properties
//! are a class's methods).

use crate::graph::HeapGraph;
use crate::graph::bits::BitSet;

/// Nodes (by name) whose string edges hold names compiled code uses: a bytecode array's
/// constant pool (property names and literals of the source) and a scope info (variable names).
const CODE_NAME_HOLDERS: [&str; 2] = ["(constant pool)", "system / ScopeInfo"];

/// The string-table indices whose text is `text` (V8 writes each text once; other writers
/// may repeat one), so that edges are matched by index rather than by text.
fn indices_of(g: &HeapGraph, text: &str) -> Vec<u32> {
    (0..g.strings.len() as u32)
        .filter(|&i| g.strings.get(i) == text)
        .collect()
}

/// The property edges of dictionary-mode objects that are neither the global object nor a
/// prototype, one bit per edge. `__proto__` is the object's prototype, not a key.
pub fn data_dictionary_keys(g: &HeapGraph) -> BitSet {
    let types = &g.edge_types;
    let [map, descriptors, prototype, global_proxy, proto] = [
        "map",
        "descriptors",
        "prototype",
        "global_proxy",
        "__proto__",
    ]
    .map(|text| indices_of(g, text));
    let named = |e: usize, ty: Option<u8>, names: &[u32]| {
        g.is_edge_type(e, ty) && names.contains(&g.edge_name[e])
    };
    let internal = |v: u32, names: &[u32]| {
        g.edges(v)
            .find(|&e| named(e, types.internal, names))
            .map(|e| g.edge_to[e])
    };
    // A map's `prototype` (internal) and a function's `prototype` (property) are prototypes.
    let mut prototypes = BitSet::new(g.node_count());
    for e in 0..g.edge_count() {
        if named(e, types.internal, &prototype) || named(e, types.property, &prototype) {
            prototypes.set(g.edge_to[e] as usize);
        }
    }
    let mut keys = BitSet::new(g.edge_count());
    for v in 0..g.node_count() as u32 {
        let Some(object_map) = internal(v, &map) else {
            continue;
        };
        let dictionary = internal(object_map, &descriptors).is_none();
        let global = internal(v, &global_proxy).is_some();
        if !dictionary || global || prototypes.get(v as usize) {
            continue;
        }
        for e in g.edges(v) {
            if g.is_edge_type(e, types.property) && !named(e, types.property, &proto) {
                keys.set(e);
            }
        }
    }
    keys
}

/// Strings compiled code names (see [`CODE_NAME_HOLDERS`]), one bit per string-table index.
/// Only functions compiled when the snapshot was taken have a constant pool, so this is
/// evidence that a name is code, never proof that one is not.
pub fn code_words(g: &HeapGraph) -> BitSet {
    let mut words = BitSet::new(g.strings.len());
    let string = g.node_types.string;
    for v in 0..g.node_count() as u32 {
        if !CODE_NAME_HOLDERS.contains(&g.raw_name(v)) || g.is_type(v, string) {
            continue;
        }
        for e in g.edges(v) {
            let to = g.edge_to[e];
            if g.is_type(to, string) {
                words.set(g.node_name[to as usize] as usize);
            }
        }
    }
    words
}
