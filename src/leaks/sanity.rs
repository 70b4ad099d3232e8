//! Whether snapshots can be compared at all: files in the wrong order, the same state twice,
//! or snapshots of different processes. Warnings only; callers decide what they block.

use crate::graph::HeapGraph;

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

/// Warnings about three snapshots whose target (the middle one) is out of order with the base
/// or the final one, given each one's newest object id.
pub fn target_warnings(base_max_id: u32, target_max_id: u32, final_max_id: u32) -> Vec<String> {
    let mut warnings = Vec::new();
    if target_max_id <= base_max_id {
        warnings.push(format!(
            "the target snapshot's newest object id ({target_max_id}) is not above the base's \
             ({base_max_id}): are the files in the wrong order?"
        ));
    }
    if final_max_id < target_max_id {
        warnings.push(format!(
            "the final snapshot's newest object id ({final_max_id}) is below the target's \
             ({target_max_id}): are the files in the wrong order?"
        ));
    }
    warnings
}

/// What the first snapshot of a series tells later ones about being the same process: its
/// layout, and a sample of its JavaScript objects (id, type, name).
#[derive(Debug, Clone, Default)]
pub struct ProcessSample {
    layout: String,
    objects: Vec<(u32, u8, String)>,
}

/// How many objects a [`ProcessSample`] keeps.
const SAMPLE_OBJECTS: usize = 4096;

impl ProcessSample {
    pub fn of(g: &HeapGraph) -> ProcessSample {
        let odd: Vec<u32> = (0..g.node_count() as u32)
            .filter(|&v| g.node_id[v as usize] % 2 == 1)
            .collect();
        let stride = odd.len().div_ceil(SAMPLE_OBJECTS).max(1);
        ProcessSample {
            layout: g.layout.clone(),
            objects: odd
                .iter()
                .step_by(stride)
                .map(|&v| {
                    (
                        g.node_id[v as usize],
                        g.node_type[v as usize],
                        g.raw_name(v).to_string(),
                    )
                })
                .collect(),
        }
    }

    /// Warnings when `later` (named `file`) is not a later snapshot of the same process: other
    /// V8 version, or the sampled ids name other objects or are all gone.
    pub fn warnings(&self, file: &str, later: &HeapGraph) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.layout != later.layout {
            warnings.push(format!(
                "{file} was written by another V8 version than the first snapshot (their \
                 snapshot.meta layouts differ): one process never changes version"
            ));
        }
        let wanted: rustc_hash::FxHashMap<u32, usize> = self
            .objects
            .iter()
            .enumerate()
            .map(|(i, o)| (o.0, i))
            .collect();
        let (mut shared, mut alike) = (0usize, 0usize);
        for v in 0..later.node_count() as u32 {
            if let Some(&i) = wanted.get(&later.node_id[v as usize]) {
                shared += 1;
                let (_, ty, name) = &self.objects[i];
                alike +=
                    usize::from(later.node_type[v as usize] == *ty && later.raw_name(v) == name);
            }
        }
        if shared >= 100 && alike * 2 < shared {
            warnings.push(format!(
                "only {alike} of {shared} sampled object ids of the first snapshot name the same \
                 kind of object in {file}: they look like snapshots of different processes"
            ));
        } else if shared == 0 && !self.objects.is_empty() {
            warnings.push(format!(
                "no sampled object of the first snapshot is in {file}: they look like snapshots \
                 of different processes"
            ));
        }
        warnings
    }
}
