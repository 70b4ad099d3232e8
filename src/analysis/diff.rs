//! Two snapshots of one process: DevTools' "Objects allocated between" view (an id-range filter
//! on the later snapshot) and its Comparison view (per class key, a merge of id-sorted lists).

use std::collections::HashMap;

use super::Analysis;
use super::classes::{ClassKeys, js_cmp};
use super::summary::{ClassRow, class_rows};
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
    let ids = &on.graph.node_id;
    let is_new = |v: u32| in_range(ids[v as usize], min_id, max_id);
    let (rows, nodes) = rayon::join(
        || class_rows(on, &on.classes, is_new),
        || {
            (0..on.graph.node_count() as u32)
                .filter(|&v| on.self_size[v as usize] != 0 && is_new(v))
                .collect()
        },
    );
    Between {
        min_id,
        max_id,
        rows,
        nodes,
    }
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

/// One row of the Comparison view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffRow {
    pub key: String,
    pub name: String,
    pub added_count: u64,
    pub removed_count: u64,
    pub added_size: u64,
    pub removed_size: u64,
    /// Ids of the added objects (late) and of the removed ones (base), ascending.
    pub added_ids: Vec<u32>,
    pub removed_ids: Vec<u32>,
}

impl DiffRow {
    pub fn count_delta(&self) -> i64 {
        self.added_count as i64 - self.removed_count as i64
    }

    pub fn size_delta(&self) -> i64 {
        self.added_size as i64 - self.removed_size as i64
    }

    /// True when every added and removed object is an embedder object (even id): such objects
    /// get fresh ids in each snapshot, so they show as churn rather than real change.
    pub fn is_embedder_churn(&self) -> bool {
        self.added_ids
            .iter()
            .chain(&self.removed_ids)
            .all(|id| id % 2 == 0)
    }
}

/// Objects (ordinal, id, shallow size) of one class, sorted by id, and the class name.
struct DiffClass {
    name: String,
    members: Vec<(u32, u32, u32)>,
}

/// Per public class key, the class's objects with non-zero shallow size, id-sorted. Internal
/// keys that share a public key: the later one replaces the earlier, as in DevTools.
fn diff_classes(a: &Analysis, classes: &ClassKeys) -> HashMap<String, DiffClass> {
    let rows = class_rows(a, classes, |_| true);
    let mut out = HashMap::with_capacity(rows.len());
    for row in rows {
        let mut members: Vec<(u32, u32, u32)> = row
            .nodes
            .iter()
            .map(|&v| (v, a.graph.node_id[v as usize], a.self_size[v as usize]))
            .collect();
        members.sort_unstable_by_key(|m| m.1);
        out.insert(
            row.key,
            DiffClass {
                name: row.name,
                members,
            },
        );
    }
    out
}

/// DevTools' Comparison view of `late` against `base`. The base is grouped with the late
/// snapshot's interface definitions so that plain-object classes match. Rows with nothing added
/// and nothing removed are dropped; order: added size descending, then key.
pub fn compare(base: &Analysis, late: &Analysis) -> Vec<DiffRow> {
    let base_keys = ClassKeys::compute(&base.graph, &base.dom, &late.interfaces);
    let base_classes = diff_classes(base, &base_keys);
    let late_classes = diff_classes(late, &late.classes);
    let empty = DiffClass {
        name: String::new(),
        members: Vec::new(),
    };
    let mut rows = Vec::new();
    let mut keys: Vec<&String> = base_classes.keys().chain(late_classes.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let b = base_classes.get(key).unwrap_or(&empty);
        let l = late_classes.get(key).unwrap_or(&empty);
        // DevTools names a class missing from `late` after the base's last object (by id),
        // under the base's own interface definitions.
        let name = match (late_classes.get(key), b.members.last()) {
            (Some(l), _) => l.name.clone(),
            (None, Some(&(v, _, _))) => base.classes.class_name(&base.graph, v).to_string(),
            (None, None) => b.name.clone(),
        };
        let mut row = DiffRow {
            key: key.clone(),
            name,
            added_count: 0,
            removed_count: 0,
            added_size: 0,
            removed_size: 0,
            added_ids: Vec::new(),
            removed_ids: Vec::new(),
        };
        let (mut i, mut j) = (0, 0);
        while i < b.members.len() || j < l.members.len() {
            let removed = match (b.members.get(i), l.members.get(j)) {
                (Some(x), Some(y)) if x.1 == y.1 => {
                    i += 1;
                    j += 1;
                    continue;
                }
                (Some(x), Some(y)) => x.1 < y.1,
                (Some(_), None) => true,
                (None, _) => false,
            };
            if removed {
                let (_, id, size) = b.members[i];
                row.removed_count += 1;
                row.removed_size += size as u64;
                row.removed_ids.push(id);
                i += 1;
            } else {
                let (_, id, size) = l.members[j];
                row.added_count += 1;
                row.added_size += size as u64;
                row.added_ids.push(id);
                j += 1;
            }
        }
        if row.added_count > 0 || row.removed_count > 0 {
            rows.push(row);
        }
    }
    rows.sort_by(|x, y| {
        y.added_size
            .cmp(&x.added_size)
            .then_with(|| js_cmp(&x.key, &y.key))
    });
    rows
}

/// Warnings about a pair that will not give meaningful "allocated between" results: files in
/// the wrong order, the same state twice, or snapshots of different processes (object ids are
/// only comparable within one process).
pub fn sanity_warnings(base: &HeapGraph, late: &HeapGraph) -> Vec<String> {
    let mut warnings = Vec::new();
    let (b, l) = (base.max_js_object_id(), late.max_js_object_id());
    if l < b {
        warnings.push(format!(
            "the late snapshot's newest object id ({l}) is below the base's ({b}): \
             are the files in the wrong order?"
        ));
    } else if l == b {
        warnings.push(format!(
            "both snapshots have the same newest object id ({b}): nothing was allocated \
             between them (the same file twice?)"
        ));
    }
    if base.layout != late.layout {
        warnings.push(
            "the snapshots were written by different V8 versions (their snapshot.meta node \
             and edge layouts differ): one process never changes version, so their object ids \
             cannot be compared"
                .to_string(),
        );
    }
    // In one process an id names one object for its whole life, so objects present in both
    // snapshots have the same type and name. In two processes ids are assigned alike (they are
    // dense from the same start) but name unrelated objects.
    // Only ids up to the base's newest can be in both: the late snapshot's newer objects
    // (most of a leak) are left out before sorting.
    let odd_ids = |g: &HeapGraph, up_to: u32| {
        let mut ids: Vec<(u32, u32)> = (0..g.node_count() as u32)
            .map(|v| (g.node_id[v as usize], v))
            .filter(|&(id, _)| id % 2 == 1 && id <= up_to)
            .collect();
        ids.sort_unstable();
        ids
    };
    let (base_ids, late_ids) = (odd_ids(base, b), odd_ids(late, b));
    let (shared, alike) = count_shared(&base_ids, &late_ids, |b, l| {
        base.type_name(b) == late.type_name(l) && base.raw_name(b) == late.raw_name(l)
    });
    if shared >= 100 && alike * 2 < shared {
        warnings.push(format!(
            "only {alike} of the {shared} object ids found in both snapshots name the same kind \
             of object: they look like snapshots of different processes, whose ids cannot be \
             compared"
        ));
    } else if shared == 0 && !base_ids.is_empty() {
        warnings.push(
            "no object id of the base is in the late snapshot: they look like snapshots of \
             different processes, whose ids cannot be compared"
                .to_string(),
        );
    }
    warnings
}

/// Over two id-sorted lists of (id, ordinal): how many ids are in both, and for how many of
/// those `same` says the two nodes are alike.
fn count_shared(a: &[(u32, u32)], b: &[(u32, u32)], same: impl Fn(u32, u32) -> bool) -> (u64, u64) {
    let (mut i, mut j, mut shared, mut alike) = (0, 0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                if same(a[i].1, b[j].1) {
                    alike += 1;
                }
                i += 1;
                j += 1;
            }
        }
    }
    (shared, alike)
}
