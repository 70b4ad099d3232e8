//! DevTools' Comparison view of two snapshots: per public class key, the objects added and
//! deleted, by a merge of id-sorted lists. Exact rows only; hiding churn is the caller's choice.

use std::collections::HashMap;

use crate::analysis::Analysis;
use crate::analysis::classes::{ClassKeys, js_cmp};
use crate::analysis::summary::class_rows;

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
