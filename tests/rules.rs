//! One tiny hand-built snapshot per DevTools rule, with the expected numbers worked out by hand
//! (see ../shared/SEMANTICS.md §1.5–§1.10).

mod support;

use heapdiff::analysis::Analysis;
use support::builder::SnapshotBuilder;

fn analyse(b: &SnapshotBuilder) -> Analysis {
    Analysis::run(heapdiff::read::parse(b.build().as_bytes()).unwrap()).unwrap()
}

/// root -shortcut-> global, root -element-> (GC roots): the Node layout.
fn node_like() -> (SnapshotBuilder, usize, usize) {
    let mut b = SnapshotBuilder::new();
    let gc_roots = b.node("synthetic", "(GC roots)", 3, 0);
    let global = b.node("object", "global", 5, 40);
    b.edge(0, "shortcut", "global", global);
    b.element(0, "element", 1, gc_roots);
    b.element(gc_roots, "element", 1, global);
    (b, global, gc_roots)
}

#[test]
fn owned_arrays_give_their_size_to_their_single_owner() {
    let (mut b, global, _) = node_like();
    let owner = b.node("object", "Foo", 7, 16);
    let store = b.node("array", "(object elements)", 9, 100);
    let inner = b.node("hidden", "system / Inner", 11, 10);
    let bar = b.node("object", "Bar", 13, 24);
    let baz = b.node("object", "Baz", 15, 24);
    let shared = b.node("array", "(shared)", 17, 50);
    b.edge(global, "property", "foo", owner);
    b.edge(global, "property", "bar", bar);
    b.edge(global, "property", "baz", baz);
    b.edge(owner, "internal", "elements", store);
    b.element(store, "hidden", 0, inner);
    b.edge(bar, "internal", "x", shared);
    b.edge(baz, "internal", "x", shared);
    let a = analyse(&b);
    // Foo takes its store and, through it, the hidden node: 16 + 100 + 10.
    assert_eq!(a.self_size[owner], 126);
    assert_eq!((a.self_size[store], a.self_size[inner]), (0, 0));
    // An array with two owners keeps its size.
    assert_eq!(a.self_size[shared], 50);
    assert_eq!(a.retained[owner], 126);
    assert_eq!(a.retained[global], 40 + 126 + 24 + 24 + 50);
    // Zero-size nodes vanish from the Summary; the array class keeps only the shared array.
    let rows = a.summary();
    let row = |key: &str| rows.iter().find(|r| r.key == key).cloned();
    assert_eq!(row(",(system)"), None);
    let arrays = row(",(array)").unwrap();
    assert_eq!((arrays.count, arrays.self_size), (1, 50));
    assert_eq!(row(",Foo").unwrap().self_size, 126);
}

#[test]
fn snapshots_without_user_roots_keep_raw_sizes() {
    let mut b = SnapshotBuilder::new();
    let gc_roots = b.node("synthetic", "(GC roots)", 3, 0);
    let owner = b.node("object", "Foo", 5, 16);
    let store = b.node("array", "(object elements)", 7, 100);
    b.element(0, "element", 1, gc_roots);
    b.element(gc_roots, "element", 1, owner);
    b.edge(owner, "internal", "elements", store);
    let a = analyse(&b);
    assert_eq!((a.self_size[owner], a.self_size[store]), (16, 100));
    // Without user roots the root is at distance 0.
    assert_eq!(
        (a.distance[0], a.distance[gc_roots], a.distance[owner]),
        (0, 1, 2)
    );
}

#[test]
fn weakmap_values_are_retained_by_their_key_not_the_table() {
    let (mut b, global, _) = node_like();
    let map = b.node("object", "WeakMap", 7, 24);
    let table = b.node("array", "(table)", 9, 64);
    let key = b.node("object", "Key", 11, 16);
    let value = b.node("object", "Value", 13, 32);
    b.edge(global, "property", "map", map);
    b.edge(global, "property", "key", key);
    b.edge(map, "internal", "table", table);
    let pair = "part of key (Key @11) -> value (Value @13) pair in WeakMap (table @9)";
    b.edge(table, "internal", &format!("1 / {pair}"), value);
    b.edge(key, "internal", &format!("2 / {pair}"), value);
    let a = analyse(&b);
    assert_eq!(a.dominators.idom[value], key as u32);
    assert_eq!(a.retained[key], 48);
    // Distance of the value: max(table + 1, key + 1) = max(4, 3).
    assert_eq!(
        (
            a.distance[global],
            a.distance[key],
            a.distance[table],
            a.distance[value]
        ),
        (1, 2, 3, 4)
    );
}

#[test]
fn edges_from_engine_internals_into_page_objects_do_not_retain() {
    let (mut b, global, gc_roots) = node_like();
    let holder = b.node("object", "Holder", 7, 8);
    let target = b.node("object", "Target", 9, 100);
    let internal = b.node("object", "EngineThing", 11, 8);
    b.edge(global, "property", "holder", holder);
    b.edge(holder, "property", "t", target);
    b.element(gc_roots, "element", 2, internal);
    b.edge(internal, "property", "t", target);
    // A shortcut edge not from the root never retains either.
    b.edge(internal, "shortcut", "s", holder);
    let a = analyse(&b);
    assert_eq!(a.dominators.idom[target], holder as u32);
    assert_eq!(a.dominators.idom[holder], global as u32);
    assert_eq!(a.retained[holder], 108);
}

#[test]
fn unreachable_nodes_hang_under_the_root() {
    let (mut b, global, _) = node_like();
    let orphan = b.node("object", "Orphan", 7, 10);
    let child = b.node("object", "Child", 9, 20);
    let weakly = b.node("object", "Weakly", 11, 30);
    let c1 = b.node("object", "Cycle", 13, 1);
    let c2 = b.node("object", "Cycle", 15, 2);
    b.edge(orphan, "property", "c", child);
    b.edge(global, "weak", "w", weakly);
    b.edge(c1, "property", "n", c2);
    b.edge(c2, "property", "n", c1);
    let a = analyse(&b);
    let idom = &a.dominators.idom;
    assert_eq!(
        (idom[orphan], idom[child], idom[weakly], idom[c1], idom[c2]),
        (0, orphan as u32, 0, 0, 0)
    );
    assert_eq!(a.retained[orphan], 30);
    assert_eq!(
        a.problems,
        [
            "Heap snapshot: 5 nodes are unreachable from the root.",
            "Heap snapshot: Still found 2 unreachable nodes."
        ]
    );
    assert_eq!(a.distance[orphan], -5);
    let rows = a.summary();
    let cycle = rows.iter().find(|r| r.key == ",Cycle").unwrap();
    assert_eq!((cycle.count, cycle.self_size, cycle.retained), (2, 3, 3));
    let _ = global;
}

#[test]
fn class_names_keys_and_interfaces() {
    let (mut b, global, _) = node_like();
    let mut id = 101;
    let mut next_id = || {
        id += 2;
        id
    };
    // Three plain objects {type, required}, one {type}: the shared shape becomes a class.
    for i in 0..3 {
        let o = b.node("object", "Object", next_id(), 16);
        b.element(global, "element", i, o);
        let s = b.node("string", "v", next_id(), 8);
        b.edge(o, "property", "type", s);
        b.edge(o, "property", "required", s);
    }
    let lone = b.node("object", "Object", next_id(), 16);
    b.element(global, "element", 9, lone);
    let s = b.node("string", "w", next_id(), 8);
    b.edge(lone, "property", "type", s);
    // Two constructors named Item defined in different places are two classes.
    let item_a = b.node("object", "Item", next_id(), 12);
    let item_b = b.node("object", "Item", next_id(), 12);
    b.location(item_a, 5, 1, 2);
    b.location(item_b, 6, 3, 4);
    b.edge(global, "property", "a", item_a);
    b.edge(global, "property", "b", item_b);
    let div = b.node("native", "<div id=\"x\" class=\"y\">", 202, 40);
    b.detached(div, 2);
    b.element(global, "element", 10, div);
    let f = b.node("closure", "validate", next_id(), 32);
    b.edge(global, "property", "f", f);
    let a = analyse(&b);
    let rows = a.summary();
    let keys: Vec<(&str, &str, u64)> = rows
        .iter()
        .map(|r| (r.key.as_str(), r.name.as_str(), r.count))
        .collect();
    for want in [
        (",{type, required}", "{type, required}", 3),
        (",Object", "Object", 1),
        ("5,1,2,Item", "Item", 1),
        ("6,3,4,Item", "Item", 1),
        (",Detached <div>", "Detached <div>", 1),
        (",Function", "Function", 1),
        (",(string)", "(string)", 4),
    ] {
        assert!(keys.contains(&want), "{want:?} not in {keys:?}");
    }
}

/// Strings cluster by text: a concatenated string joins the plain strings with its flattened
/// text, whichever comes first, and a text met once is no cluster.
#[test]
fn strings_cluster_by_text_across_representations() {
    use heapdiff::leaks::clusters::{ClusterKind, clusters};
    for cons_first in [false, true] {
        let (mut b, global, _) = node_like();
        let holder = b.node("object", "Holder", 7, 16);
        b.edge(global, "property", "holder", holder);
        let plain = |b: &mut SnapshotBuilder, id| b.node("string", "leak-key", id, 24);
        let concatenated = |b: &mut SnapshotBuilder, id| {
            let whole = b.node("concatenated string", "", id, 32);
            let first = b.node("string", "leak-", id + 2, 20);
            let second = b.node("string", "key", id + 4, 20);
            b.edge(whole, "internal", "first", first);
            b.edge(whole, "internal", "second", second);
            whole
        };
        let (a, c) = if cons_first {
            let c = concatenated(&mut b, 9);
            (plain(&mut b, 15), c)
        } else {
            let a = plain(&mut b, 9);
            (a, concatenated(&mut b, 11))
        };
        let once = b.node("string", "once", 21, 20);
        for (i, v) in [a, c, once].into_iter().enumerate() {
            b.element(holder, "element", i as u32, v);
        }
        let a = analyse(&b);
        let new: Vec<u32> = (0..a.graph.node_count() as u32)
            .filter(|&v| a.self_size[v as usize] != 0 && a.graph.node_id[v as usize] > 7)
            .collect();
        let strings: Vec<(String, usize)> = clusters(&a, &new)
            .into_iter()
            .filter(|c| c.kind == ClusterKind::Strings)
            .map(|c| (c.label, c.members.len()))
            .collect();
        assert_eq!(
            strings,
            [("\"leak-key\"".to_string(), 2)],
            "concatenated first: {cons_first}"
        );
    }
}
