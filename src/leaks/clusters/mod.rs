//! Clusters of new objects that point at one cause: closures created at one source site, objects
//! of one class and shape, copies of one string, detached DOM nodes of one kind. Internals
//! (arrays, contexts, code, hidden objects) are attributed to the cluster member that dominates
//! them. Each cluster gets a set-level retained size (the bytes freed if every member were
//! freed: members dominated by another member are not counted twice) and the shapes of the
//! shortest retainer paths that keep its members alive. This file groups and sizes; keying,
//! sites, descriptions and paths have files of their own. Nothing here formats a report.

mod describe;
mod keys;
mod paths;
mod sites;
mod stacks;
mod starts;

use crate::analysis::Analysis;
use crate::analysis::classes::js_cmp;
use describe::describe;
pub use keys::{Keyed, key_nodes};
use keys::{NO_KEY, group_keys};
pub use paths::{
    PathShape, edge_label, fold_hops, holder_chain, holder_path, is_internal, named_node,
    retainer_path,
};
use rustc_hash::FxHashMap;
pub use sites::{Site, SiteResolver, UNKNOWN_SCRIPT, names_no_source};
pub use stacks::{ClusterStacks, StackResolver, StackShare};

/// What kind of objects a cluster groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ClusterKind {
    /// Closures of one function from one source site.
    Closures,
    /// Objects of one class with one set of property names.
    Objects,
    /// Copies of one string.
    Strings,
    /// Detached DOM nodes of one tag.
    DetachedDom,
}

impl ClusterKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ClusterKind::Closures => "closures",
            ClusterKind::Objects => "objects",
            ClusterKind::Strings => "strings",
            ClusterKind::DetachedDom => "detached-dom",
        }
    }
}

/// A group of new objects.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub kind: ClusterKind,
    /// The class name of the members (DevTools' class).
    pub class_name: String,
    /// heapdiff's own identity of the group, the same in every snapshot of a process (closure
    /// site, constructor and full property set, full text), whatever the display names.
    pub key: String,
    /// A one-line description: site, shape or string.
    pub label: String,
    pub site: Option<Site>,
    /// Members (ordinals in the late snapshot), by ascending object id.
    pub members: Vec<u32>,
    /// The object ids (DevTools' `@id`) of the first few members.
    pub example_ids: Vec<u32>,
    pub self_size: u64,
    /// Bytes freed if all members were freed.
    pub retained: u64,
    /// Internals dominated by a member (their count and shallow size), part of `retained`.
    pub attributed_count: u64,
    pub attributed_size: u64,
    /// Variables captured by the closures (names of the context's variables).
    pub captured: Vec<String>,
    /// The property names of the objects (V8 records properties that hold heap objects, not
    /// small integers), sorted.
    pub properties: Vec<String>,
    /// The most common retainer path shapes among sampled members, most common first.
    pub paths: Vec<PathShape>,
    pub paths_sampled: u64,
    /// The key of the cluster whose members hold (dominate) more than half of this one's
    /// retained bytes: its rows do not add up with that one's.
    pub inside_of: Option<String>,
    /// Where the members were allocated, when the snapshot has allocation stacks.
    pub stacks: Option<ClusterStacks>,
}

/// A nested cluster with more members than this per owner on average stays a cluster.
const MAX_PER_OWNER: u64 = 4;

/// Clusters `nodes` (ordinals of `a`'s snapshot; typically the objects allocated between two
/// snapshots). Only groups of two or more are returned, largest retained size first.
pub fn clusters(a: &Analysis, nodes: &[u32]) -> Vec<Cluster> {
    clusters_with(a, nodes, true)
}

/// [`clusters`], with or without the members' retainer paths (a series needs none).
pub fn clusters_with(a: &Analysis, nodes: &[u32], with_paths: bool) -> Vec<Cluster> {
    clusters_keyed(a, nodes, key_nodes(&a.early(), nodes), &[], with_paths)
}

/// [`clusters`] of `nodes`, keyed beforehand in `keyed` with `left_out` (keyed candidates
/// that are no members).
pub fn clusters_keyed(
    a: &Analysis,
    nodes: &[u32],
    keyed: Keyed,
    left_out: &[u32],
    with_paths: bool,
) -> Vec<Cluster> {
    let g = &a.graph;
    let n = g.node_count();
    let mut in_set = vec![false; n];
    for &v in nodes {
        in_set[v as usize] = true;
    }
    let (keys, key_of) = group_keys(keyed, nodes, left_out);

    // A cluster whose members all sit below members of other clusters, a few below each (the
    // source strings of eval'd closures, say), is folded into those; members collected in one
    // container stay a cluster.
    let k = keys.len();
    let mut sizes = vec![0u64; k];
    for &v in nodes {
        if key_of[v as usize] != NO_KEY {
            sizes[key_of[v as usize] as usize] += 1;
        }
    }
    let real: Vec<bool> = sizes.iter().map(|&c| c >= 2).collect();
    let mut free = vec![false; k];
    let mut owner_nodes: Vec<(u32, u32)> = Vec::new();
    // The owner each key met last: members below one owner come in runs, which are one pair.
    let mut last_owner = vec![u32::MAX; k];
    walk_members(a, &key_of, &real, |v, owners| {
        let key = key_of[v as usize];
        if key == NO_KEY || !real[key as usize] {
            return;
        }
        match owners.innermost_other_than(key) {
            None => free[key as usize] = true,
            Some(owner) if last_owner[key as usize] != owner => {
                last_owner[key as usize] = owner;
                owner_nodes.push((key, owner));
            }
            Some(_) => {}
        }
    });
    owner_nodes.sort_unstable();
    owner_nodes.dedup();
    let mut distinct_owners = vec![0u64; k];
    for &(key, _) in &owner_nodes {
        distinct_owners[key as usize] += 1;
    }
    drop(owner_nodes);
    let is_final: Vec<bool> = (0..k)
        .map(|i| real[i] && (free[i] || distinct_owners[i] * MAX_PER_OWNER < sizes[i]))
        .collect();

    // A final member counts toward its cluster's retained size unless an ancestor is a member
    // of the same cluster; other new nodes are attributed to the nearest final member above.
    let mut retained = vec![0u64; k];
    let mut attributed = vec![(0u64, 0u64); k];
    // (inner key, outer key) → bytes of the inner cluster below members of the outer one.
    let mut nested: FxHashMap<(u32, u32), u64> = FxHashMap::default();
    walk_members(a, &key_of, &is_final, |v, owners| {
        let key = key_of[v as usize];
        if key != NO_KEY && is_final[key as usize] {
            if !owners.has(key) {
                retained[key as usize] += a.retained[v as usize];
                if let Some(outer) = owners.innermost_key_other_than(key) {
                    *nested.entry((key, outer)).or_default() += a.retained[v as usize];
                }
            }
        } else if in_set[v as usize]
            && let Some(owner) = owners.innermost()
        {
            let entry = &mut attributed[owner as usize];
            entry.0 += 1;
            entry.1 += a.self_size[v as usize] as u64;
        }
    });

    let mut members: Vec<Vec<u32>> = vec![Vec::new(); k];
    for &v in nodes {
        if key_of[v as usize] != NO_KEY && is_final[key_of[v as usize] as usize] {
            members[key_of[v as usize] as usize].push(v);
        }
    }
    let mut out = Vec::new();
    let mut position = vec![usize::MAX; k];
    let mut sites = SiteResolver::new(g, &a.retainers);
    let mut scratch = with_paths.then(|| paths::PathScratch::new(n));
    let mut stacks = StackResolver::new(a);
    for (id, key) in keys.into_iter().enumerate() {
        if !is_final[id] {
            continue;
        }
        position[id] = out.len();
        let mut list = std::mem::take(&mut members[id]);
        list.sort_unstable_by_key(|&v| g.node_id[v as usize]);
        let mut cluster = describe(
            a,
            &mut sites,
            scratch.as_mut(),
            key,
            list,
            retained[id],
            attributed[id],
        );
        cluster.stacks = stacks.as_mut().and_then(|s| s.of(&cluster.members));
        out.push(cluster);
    }
    let mut nested: Vec<((u32, u32), u64)> = nested.into_iter().collect();
    nested.sort_unstable();
    for ((inner, outer), bytes) in nested {
        let inner_retained = retained[inner as usize];
        if bytes * 2 > inner_retained {
            let outer_key = out[position[outer as usize]].key.clone();
            out[position[inner as usize]].inside_of = Some(outer_key);
        }
    }
    out.sort_by(|x, y| {
        y.retained
            .cmp(&x.retained)
            .then(y.members.len().cmp(&x.members.len()))
            .then_with(|| js_cmp(&x.label, &y.label))
    });
    out
}

/// The cluster members above a node in the dominator tree.
struct Owners {
    /// Cluster keys of the member ancestors, outermost first.
    stack: Vec<u32>,
    /// The member ancestors themselves, in the same order.
    nodes: Vec<u32>,
    /// For each stack entry, the index of the nearest entry below it with another key (or
    /// `usize::MAX`), so that deep chains of one cluster are skipped in O(1).
    below_other: Vec<usize>,
    /// How many of them belong to each cluster.
    active: Vec<u32>,
}

impl Owners {
    /// Is an ancestor a member of cluster `key`?
    fn has(&self, key: u32) -> bool {
        self.active[key as usize] > 0
    }

    fn innermost(&self) -> Option<u32> {
        self.stack.last().copied()
    }

    /// The innermost member ancestor that belongs to a cluster other than `key`.
    fn innermost_other_than(&self, key: u32) -> Option<u32> {
        let top = self.stack.len().checked_sub(1)?;
        let i = if self.stack[top] != key {
            top
        } else {
            self.below_other[top]
        };
        self.nodes.get(i).copied()
    }

    /// The cluster of the innermost member ancestor that belongs to a cluster other than `key`.
    fn innermost_key_other_than(&self, key: u32) -> Option<u32> {
        let top = self.stack.len().checked_sub(1)?;
        let i = if self.stack[top] != key {
            top
        } else {
            self.below_other[top]
        };
        self.stack.get(i).copied()
    }

    fn push(&mut self, key: u32, node: u32) {
        let below = match self.stack.len().checked_sub(1) {
            None => usize::MAX,
            Some(top) if self.stack[top] == key => self.below_other[top],
            Some(top) => top,
        };
        self.stack.push(key);
        self.nodes.push(node);
        self.below_other.push(below);
        self.active[key as usize] += 1;
    }

    fn pop(&mut self) {
        if let Some(key) = self.stack.pop() {
            self.active[key as usize] -= 1;
            self.nodes.pop();
            self.below_other.pop();
        }
    }
}

/// Walks the dominator tree from the root and calls `visit(v, owners)` for every node, where
/// `owners` are the ancestors of `v` that are members of clusters `counted` accepts.
/// Iterative; O(nodes), whatever the depth of the tree.
fn walk_members(
    a: &Analysis,
    key_of: &[u32],
    counted: &[bool],
    mut visit: impl FnMut(u32, &Owners),
) {
    // Stack entries: a node, or (with the high bit) the end of a member's subtree.
    const EXIT: u32 = 1 << 31;
    let (first, children) = &a.dominated;
    let mut stack: Vec<u32> = vec![a.graph.root.0];
    let mut owners = Owners {
        stack: Vec::new(),
        nodes: Vec::new(),
        below_other: Vec::new(),
        active: vec![0; counted.len()],
    };
    while let Some(top) = stack.pop() {
        if top & EXIT != 0 {
            owners.pop();
            continue;
        }
        let v = top as usize;
        visit(top, &owners);
        let key = key_of[v];
        if key != u32::MAX && counted[key as usize] {
            owners.push(key, top);
            stack.push(EXIT);
        }
        stack.extend_from_slice(&children[first[v] as usize..first[v + 1] as usize]);
    }
}

/// Bytes freed if every node of `nodes` were freed: the retained sizes of the nodes that no
/// other node of the set dominates.
pub fn set_retained(a: &Analysis, nodes: &[u32]) -> u64 {
    let mut in_set = vec![false; a.graph.node_count()];
    for &v in nodes {
        in_set[v as usize] = true;
    }
    let (first, children) = &a.dominated;
    let mut total = 0;
    let mut stack = vec![a.graph.root.0];
    while let Some(v) = stack.pop() {
        let v = v as usize;
        if in_set[v] {
            // The whole subtree is freed with v: count it once and do not descend.
            total += a.retained[v];
            continue;
        }
        stack.extend_from_slice(&children[first[v] as usize..first[v + 1] as usize]);
    }
    total
}
