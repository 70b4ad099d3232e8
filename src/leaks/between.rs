//! DevTools' "Objects allocated between" view: an id-range filter on the later snapshot, with
//! its class rows and nodes. Also the base of a diff, loaded or analysed. No clustering here.

use crate::analysis::Analysis;
use crate::analysis::summary::{ClassRow, class_rows};
use crate::graph::HeapGraph;

/// The objects of `late` allocated after `base` was taken and still alive.
#[derive(Debug, Clone)]
pub struct Between {
    /// `maxJSObjectId` of the base snapshot: ids above it are new.
    pub min_id: u32,
    /// `maxJSObjectId` of the late snapshot.
    pub max_id: u32,
    /// Per-class rows over the new objects, in DevTools' order (retained size descending).
    pub rows: Vec<ClassRow>,
    /// All nodes of the set (ordinals of `late`), ascending.
    pub nodes: Vec<u32>,
}

impl Between {
    /// Sum of the rows' retained sizes.
    pub fn retained(&self) -> u64 {
        self.rows.iter().map(|r| r.retained).sum()
    }
}

/// Is object id `id` in DevTools' "allocated between" range `(min, max]`?
pub fn in_range(id: u32, min_id: u32, max_id: u32) -> bool {
    id > min_id && id <= max_id
}

/// DevTools' Summary of `late` filtered to "Objects allocated between `base` and `late`":
/// nodes with `maxJSObjectId(base) < id <= maxJSObjectId(late)` and a non-zero shallow size.
pub fn between(base: &Analysis, late: &Analysis) -> Between {
    between_ids(
        late,
        base.graph.max_js_object_id(),
        late.graph.max_js_object_id(),
    )
}

/// The Summary of `on` filtered to object ids in `(min_id, max_id]`: with three snapshots,
/// what was allocated between the first two and is still alive in the third.
pub fn between_ids(on: &Analysis, min_id: u32, max_id: u32) -> Between {
    between_of(on, min_id, max_id, None)
}

/// [`between_ids`], with the set's nodes when [`new_nodes`] already listed them.
pub fn between_of(on: &Analysis, min_id: u32, max_id: u32, nodes: Option<Vec<u32>>) -> Between {
    let ids = &on.graph.node_id;
    let is_new = |v: u32| in_range(ids[v as usize], min_id, max_id);
    let (rows, nodes) = rayon::join(
        || class_rows(on, &on.classes, is_new),
        || nodes.unwrap_or_else(|| new_nodes(&on.graph, &on.self_size, min_id, max_id)),
    );
    Between {
        min_id,
        max_id,
        rows,
        nodes,
    }
}

/// The nodes of the "allocated between" set: ids in `(min_id, max_id]` and a non-zero shallow
/// size (DevTools' `self_size`, after the transfer), ascending.
pub fn new_nodes(g: &HeapGraph, self_size: &[u32], min_id: u32, max_id: u32) -> Vec<u32> {
    (0..g.node_count() as u32)
        .filter(|&v| self_size[v as usize] != 0 && in_range(g.node_id[v as usize], min_id, max_id))
        .collect()
}

/// The base snapshot of a diff. The "allocated between" view needs only its object ids, and
/// the growth only its total (a sum of self sizes), so it is analysed only for the Comparison
/// view.
pub enum Baseline {
    Loaded(Box<HeapGraph>),
    Analysed(Box<Analysis>),
}

impl Baseline {
    pub fn graph(&self) -> &HeapGraph {
        match self {
            Baseline::Loaded(g) => g,
            Baseline::Analysed(a) => &a.graph,
        }
    }

    /// The analysis, when the base was analysed.
    pub fn analysis(&self) -> Option<&Analysis> {
        match self {
            Baseline::Loaded(_) => None,
            Baseline::Analysed(a) => Some(a),
        }
    }
}

/// New objects that writing the snapshot itself created: its file name (`….heapsnapshot`),
/// a `HeapSnapshotStream` (`v8.getHeapSnapshot()`), and the new objects they dominate. Found
/// among `nodes` (the new objects); clusters leave them out, DevTools' class rows keep them.
pub fn snapshot_writer_objects(
    a: &Analysis,
    nodes: &[u32],
    is_new: impl Fn(u32) -> bool,
) -> rustc_hash::FxHashSet<u32> {
    let g = &a.graph;
    let t = &g.node_types;
    let (first, children) = &a.dominated;
    let mut stack: Vec<u32> = nodes
        .iter()
        .copied()
        .filter(|&v| {
            let ty = Some(g.node_type[v as usize]);
            let name = g.raw_name(v);
            (ty == t.string && name.ends_with(".heapsnapshot"))
                || (ty == t.object && name == "HeapSnapshotStream")
        })
        .collect();
    let mut found = rustc_hash::FxHashSet::default();
    while let Some(v) = stack.pop() {
        if !found.insert(v) {
            continue;
        }
        let range = first[v as usize] as usize..first[v as usize + 1] as usize;
        stack.extend(children[range].iter().copied().filter(|&c| is_new(c)));
    }
    found
}
