//! Clusters of new objects that point at one cause: closures created at one source site, objects
//! of one class and shape, copies of one string, detached DOM nodes of one kind. Internals
//! (arrays, contexts, code, hidden objects) are attributed to the cluster member that dominates
//! them. Each cluster gets a set-level retained size (the bytes freed if every member were
//! freed: members dominated by another member are not counted twice) and the shapes of the
//! shortest retainer paths that keep its members alive.

use std::collections::HashMap;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::Analysis;
use super::classes::{format_property_name, js_cmp};
use super::distances::SYSTEM_DISTANCE;
use super::dom_state::DETACHED;
use crate::graph::HeapGraph;

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

/// Where a function was defined.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Site {
    /// The function's name with a trailing number replaced by `*` (code generators number the
    /// functions they emit: `validate1`, `validate2`, … are one site).
    pub function: String,
    /// The script's name (file or URL), or `<eval>` for code from `eval`/`new Function`.
    pub script: String,
    /// 0-based line and column of the function (V8's `locations`: the parameter list; for
    /// numbered names, where the name starts).
    pub line: u32,
    pub column: u32,
    /// For eval'd code: the function that ran `eval`/`new Function`, and its script.
    pub created_by: Option<String>,
}

/// A distinct retainer path shape, from a root to a member, and how many sampled members have it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathShape {
    pub path: String,
    pub count: u64,
}

/// A group of new objects.
#[derive(Debug, Clone)]
pub struct Cluster {
    pub kind: ClusterKind,
    /// The class name of the members (DevTools' class).
    pub class_name: String,
    /// A one-line description: site, shape or string.
    pub label: String,
    pub site: Option<Site>,
    /// Members (ordinals in the late snapshot), by ascending object id.
    pub members: Vec<u32>,
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
}

/// A nested cluster with more members than this per owner on average stays a cluster.
const MAX_PER_OWNER: u64 = 4;
/// How many members per cluster get a retainer path.
const PATH_SAMPLES: usize = 200;
/// How many steps a retainer path may take before it is cut.
const MAX_PATH_STEPS: usize = 24;
/// How many path shapes a cluster reports.
const PATH_SHAPES: usize = 3;
/// How many captured variable names a cluster reports.
const MAX_CAPTURED: usize = 12;
/// A node that joins no cluster key.
const NO_KEY: u32 = u32::MAX;

/// The grouping key of a candidate member.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Closure(Box<Site>),
    Object {
        class: u32,
        properties: Vec<u32>,
    },
    /// A string's text as a string-table index (the table holds each text once).
    String(u32),
    /// The flattened text of a concatenated string that no plain string has, by the first
    /// concatenated string (node) met with it.
    FlatString(u32),
    Dom(u32),
}

/// The cluster keys of groups of two or more among `nodes`, and each node's key id (dense, in
/// order of first appearance) or `u32::MAX`. Candidates of a group of one are no cluster: they
/// are dropped here, before the per-key tables are sized (most new strings are unique).
/// Concatenated strings, whose flattening is the slowest key, are keyed beside the others.
fn group_keys(a: &Analysis, nodes: &[u32]) -> (Vec<Key>, Vec<u32>) {
    let g = &a.graph;
    let ((interner, mut key_of), flats) = rayon::join(
        || {
            let mut key_of = vec![NO_KEY; g.node_count()];
            let mut interner = KeyInterner::new(g);
            for &v in nodes {
                if let Some(id) = interner.key_id(a, v) {
                    key_of[v as usize] = id;
                }
            }
            (interner, key_of)
        },
        || FlatKeys::of(g, nodes),
    );
    // Flat keys follow the others; one with the text of a plain string joins that string's key.
    let base = interner.keys.len() as u32;
    let mut flat_ids: Vec<u32> = (base..base + flats.first_node.len() as u32).collect();
    if !flats.by_text.is_empty() {
        for (plain, flat) in interner.plain_texts_in(&flats) {
            flat_ids[flat as usize] = plain;
        }
    }
    for &(v, flat) in &flats.members {
        key_of[v as usize] = flat_ids[flat as usize];
    }
    let all: Vec<Key> = interner
        .keys
        .into_iter()
        .chain(flats.first_node.iter().map(|&v| Key::FlatString(v)))
        .collect();
    let mut sizes = vec![0u32; all.len()];
    for &v in nodes {
        if key_of[v as usize] != NO_KEY {
            sizes[key_of[v as usize] as usize] += 1;
        }
    }
    // Dense ids for the keys of two or more nodes, in order of their first node.
    let mut renumbered = vec![NO_KEY; all.len()];
    let mut order = Vec::new();
    for &v in nodes {
        let key = &mut key_of[v as usize];
        if *key == NO_KEY {
            continue;
        }
        let old = *key as usize;
        if sizes[old] < 2 {
            *key = NO_KEY;
            continue;
        }
        if renumbered[old] == NO_KEY {
            renumbered[old] = order.len() as u32;
            order.push(old as u32);
        }
        *key = renumbered[old];
    }
    let mut all: Vec<Option<Key>> = all.into_iter().map(Some).collect();
    let keys = order
        .into_iter()
        .filter_map(|old| all[old as usize].take())
        .collect();
    (keys, key_of)
}

/// Keys of the concatenated strings among some nodes: their flattened texts.
struct FlatKeys {
    /// Key by text (local numbering).
    by_text: FxHashMap<Box<str>, u32>,
    /// Per key, the first node with its text.
    first_node: Vec<u32>,
    /// Every concatenated string and its key, in node order.
    members: Vec<(u32, u32)>,
}

impl FlatKeys {
    fn of(g: &HeapGraph, nodes: &[u32]) -> FlatKeys {
        let mut keys = FlatKeys {
            by_text: FxHashMap::default(),
            first_node: Vec::new(),
            members: Vec::new(),
        };
        let (mut text, mut parts) = (String::new(), Vec::new());
        for &v in nodes {
            if !g.is_type(v, g.node_types.cons_string) {
                continue;
            }
            flatten_into(g, v, &mut text, &mut parts);
            let id = match keys.by_text.get(text.as_str()) {
                Some(&id) => id,
                None => {
                    let id = keys.first_node.len() as u32;
                    keys.by_text.insert(text.as_str().into(), id);
                    keys.first_node.push(v);
                    id
                }
            };
            keys.members.push((v, id));
        }
        keys
    }
}

/// Clusters `nodes` (ordinals of `a`'s snapshot; typically the objects allocated between two
/// snapshots). Only groups of two or more are returned, largest retained size first.
pub fn clusters(a: &Analysis, nodes: &[u32]) -> Vec<Cluster> {
    let g = &a.graph;
    let n = g.node_count();
    let mut in_set = vec![false; n];
    for &v in nodes {
        in_set[v as usize] = true;
    }
    let (keys, key_of) = group_keys(a, nodes);

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
    walk_members(a, &key_of, &real, |v, owners| {
        let key = key_of[v as usize];
        if key == NO_KEY || !real[key as usize] {
            return;
        }
        match owners.innermost_other_than(key) {
            None => free[key as usize] = true,
            Some(owner) => owner_nodes.push((key, owner)),
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
    walk_members(a, &key_of, &is_final, |v, owners| {
        let key = key_of[v as usize];
        if key != NO_KEY && is_final[key as usize] {
            if !owners.has(key) {
                retained[key as usize] += a.retained[v as usize];
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
    for (id, key) in keys.into_iter().enumerate() {
        if !is_final[id] {
            continue;
        }
        let mut list = std::mem::take(&mut members[id]);
        list.sort_unstable_by_key(|&v| g.node_id[v as usize]);
        out.push(describe(a, key, list, retained[id], attributed[id]));
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

/// Gives each candidate node the dense id of the cluster key it would join. The key itself (with
/// its strings) is built once per distinct key; nodes are matched on integer tuples first, so
/// that the millions of new objects of a big diff cost no allocation each.
struct KeyInterner<'g> {
    g: &'g HeapGraph,
    keys: Vec<Key>,
    /// Keys that different raw tuples can reach (sites, string texts), by value.
    ids: FxHashMap<Key, u32>,
    /// Closures by (name, script node, line, column) before normalisation.
    raw_sites: FxHashMap<(u32, u32, u32, u32), u32>,
    sites: SiteResolver<'g>,
    /// Key ids of plain strings by their text's string-table index (`NO_KEY` when not met yet);
    /// sized at the first string. The table holds each text once, so no hashing is needed.
    text_keys: Vec<u32>,
    /// Property sets (string indices, ascending) by value, and objects by (class, set).
    shapes: FxHashMap<Vec<u32>, u32>,
    objects: FxHashMap<(u32, u32), u32>,
    doms: FxHashMap<u32, u32>,
    /// Scratch list of one object's property names.
    properties: Vec<u32>,
    /// The string index of `__proto__`, an edge every object has and no shape counts.
    proto: Option<u32>,
}

impl<'g> KeyInterner<'g> {
    fn new(g: &'g HeapGraph) -> KeyInterner<'g> {
        KeyInterner {
            g,
            keys: Vec::new(),
            ids: FxHashMap::default(),
            raw_sites: FxHashMap::default(),
            sites: SiteResolver::new(g),
            text_keys: Vec::new(),
            shapes: FxHashMap::default(),
            objects: FxHashMap::default(),
            doms: FxHashMap::default(),
            properties: Vec::new(),
            proto: None,
        }
    }

    /// The id of `key`, added if new.
    fn intern(&mut self, key: Key) -> u32 {
        let keys = &mut self.keys;
        *self.ids.entry(key).or_insert_with_key(|k| {
            keys.push(k.clone());
            keys.len() as u32 - 1
        })
    }

    /// A key no other raw tuple reaches: added without a lookup by value.
    fn push(&mut self, key: Key) -> u32 {
        self.keys.push(key);
        self.keys.len() as u32 - 1
    }

    /// Which cluster key a new node would join, if it is of a clustered kind.
    fn key_id(&mut self, a: &Analysis, v: u32) -> Option<u32> {
        let g = self.g;
        let t = &g.node_types;
        let ty = Some(g.node_type[v as usize]);
        if ty == t.closure {
            let script = self
                .sites
                .edge_named(v, &["shared"])
                .and_then(|s| self.sites.script_of_shared(s))
                .unwrap_or(u32::MAX);
            let (line, column) = g.locations.get(&v).map_or((0, 0), |l| (l.line, l.column));
            let raw = (g.node_name[v as usize], script, line, column);
            if let Some(&id) = self.raw_sites.get(&raw) {
                return Some(id);
            }
            let site = self.sites.site(v);
            let id = self.intern(Key::Closure(Box::new(site)));
            self.raw_sites.insert(raw, id);
            return Some(id);
        }
        // Sliced strings carry no text of their own; DevTools leaves them out of duplicates too.
        if ty == t.string {
            let text = g.node_name[v as usize];
            if self.text_keys.is_empty() {
                self.text_keys = vec![NO_KEY; g.strings.len()];
            }
            let id = self.text_keys[text as usize];
            if id != NO_KEY {
                return Some(id);
            }
            let id = self.push(Key::String(text));
            self.text_keys[text as usize] = id;
            return Some(id);
        }
        let class = a.classes.class_index[v as usize];
        if ty == t.native && a.dom.state[v as usize] == DETACHED {
            if let Some(&id) = self.doms.get(&class) {
                return Some(id);
            }
            let id = self.push(Key::Dom(class));
            self.doms.insert(class, id);
            return Some(id);
        }
        if (ty == t.object || ty == t.regexp) && !g.raw_name(v).starts_with("system / ") {
            self.properties.clear();
            for e in g.edges(v) {
                if !g.is_edge_type(e, g.edge_types.property) {
                    continue;
                }
                let name = g.edge_name[e];
                if self.proto == Some(name) {
                    continue;
                }
                if self.proto.is_none() && g.strings.get(name) == "__proto__" {
                    self.proto = Some(name);
                    continue;
                }
                self.properties.push(name);
            }
            self.properties.sort_unstable();
            self.properties.dedup();
            let shape = match self.shapes.get(self.properties.as_slice()) {
                Some(&shape) => shape,
                None => {
                    let shape = self.shapes.len() as u32;
                    self.shapes.insert(self.properties.clone(), shape);
                    shape
                }
            };
            if let Some(&id) = self.objects.get(&(class, shape)) {
                return Some(id);
            }
            let mut properties = self.properties.clone();
            properties.sort_by(|&x, &y| js_cmp(g.strings.get(x), g.strings.get(y)));
            let id = self.push(Key::Object { class, properties });
            self.objects.insert((class, shape), id);
            return Some(id);
        }
        None
    }

    /// Pairs (plain string key, flat key) of the texts that plain strings and concatenated
    /// strings share.
    fn plain_texts_in(&self, flats: &FlatKeys) -> Vec<(u32, u32)> {
        let strings = &self.g.strings;
        self.text_keys
            .par_iter()
            .enumerate()
            .filter(|&(_, &id)| id != NO_KEY)
            .filter_map(|(text, &id)| Some((id, *flats.by_text.get(strings.get(text as u32))?)))
            .collect()
    }
}

/// Most characters of a concatenated string's text that a key holds.
const MAX_FLAT_CHARS: usize = 1024;

/// The text of concatenated string `v` into `text`, its parts in order until it holds
/// [`MAX_FLAT_CHARS`] characters (the part that crosses the limit is kept whole). `stack` is
/// scratch space.
fn flatten_into(g: &HeapGraph, v: u32, text: &mut String, stack: &mut Vec<u32>) {
    text.clear();
    stack.clear();
    stack.push(v);
    let mut chars = 0;
    while let Some(x) = stack.pop() {
        if chars >= MAX_FLAT_CHARS {
            break;
        }
        if !g.is_type(x, g.node_types.cons_string) {
            let part = g.raw_name(x);
            text.push_str(part);
            chars += part.chars().count();
            continue;
        }
        let mut parts = [None, None];
        for e in g.edges(x) {
            if g.is_edge_type(e, g.edge_types.internal) {
                match g.strings.get(g.edge_name[e]) {
                    "first" => parts[0] = Some(g.edge_to[e]),
                    "second" => parts[1] = Some(g.edge_to[e]),
                    _ => {}
                }
            }
        }
        stack.extend(parts[1]);
        stack.extend(parts[0]);
    }
}

/// Finds the source site of closures through closure → `shared` (SharedFunctionInfo) →
/// `script` / `script_or_debug_info` (Script, named by its URL; unnamed for eval'd code, whose
/// Script links to the SharedFunctionInfo that ran the eval).
struct SiteResolver<'g> {
    g: &'g HeapGraph,
    script_names: HashMap<u32, (String, Option<String>)>,
}

impl<'g> SiteResolver<'g> {
    fn new(g: &'g HeapGraph) -> SiteResolver<'g> {
        SiteResolver {
            g,
            script_names: HashMap::new(),
        }
    }

    /// The target of the first string-named edge of `v` called one of `names`.
    fn edge_named(&self, v: u32, names: &[&str]) -> Option<u32> {
        let g = self.g;
        g.edges(v)
            .find(|&e| {
                g.edge_types.has_string_name(g.edge_type[e])
                    && names.contains(&g.strings.get(g.edge_name[e]))
            })
            .map(|e| g.edge_to[e])
    }

    fn script_of_shared(&self, shared: u32) -> Option<u32> {
        self.edge_named(shared, &["script_or_debug_info", "script"])
    }

    fn site(&mut self, closure: u32) -> Site {
        let g = self.g;
        let raw = g.raw_name(closure);
        let function = normalise_function_name(raw);
        let (script, created_by) = match self
            .edge_named(closure, &["shared"])
            .and_then(|s| self.script_of_shared(s))
        {
            Some(script) => self.script_name(script),
            None => ("<unknown>".to_string(), None),
        };
        let (line, mut column) = g
            .locations
            .get(&closure)
            .map_or((0, 0), |l| (l.line, l.column));
        // V8's column is that of the parameter list, after the name: for numbered names
        // (`validate9(`, `validate10(`) use the column where the name starts instead.
        if function.ends_with('*') {
            column = column.saturating_sub(raw.chars().map(char::len_utf16).sum::<usize>() as u32);
        }
        Site {
            function,
            script,
            line,
            column,
            created_by,
        }
    }

    /// A script's name, or `<eval>` and who ran the eval.
    fn script_name(&mut self, script: u32) -> (String, Option<String>) {
        if let Some(known) = self.script_names.get(&script) {
            return known.clone();
        }
        let g = self.g;
        // Chromium names Script objects `system / Script / <url>`; Node by the URL alone.
        let name = g.raw_name(script);
        let name = name.strip_prefix("system / Script / ").unwrap_or(name);
        let resolved = if !name.is_empty() {
            (name.to_string(), None)
        } else {
            // The eval origin: an edge to a SharedFunctionInfo (a node with a script edge).
            let origin = g.edges(script).map(|e| g.edge_to[e]).find(|&t| {
                t != script
                    && g.is_type(t, g.node_types.code)
                    && self.script_of_shared(t).is_some_and(|s| s != script)
            });
            let created_by = origin.map(|sfi| {
                let function = match g.raw_name(sfi) {
                    "" => "(anonymous)",
                    f => f,
                };
                let from = self
                    .script_of_shared(sfi)
                    .map(|s| g.raw_name(s).to_string())
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "<eval>".to_string());
                format!("{function} ({from})")
            });
            ("<eval>".to_string(), created_by)
        };
        self.script_names.insert(script, resolved.clone());
        resolved
    }
}

/// `validate17` → `validate*`; an empty name → `(anonymous)`.
fn normalise_function_name(name: &str) -> String {
    if name.is_empty() {
        return "(anonymous)".to_string();
    }
    let stem = name.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem.len() < name.len() && !stem.is_empty() {
        format!("{stem}*")
    } else {
        name.to_string()
    }
}

fn describe(
    a: &Analysis,
    key: Key,
    members: Vec<u32>,
    retained: u64,
    attributed: (u64, u64),
) -> Cluster {
    let g = &a.graph;
    let first = members[0];
    let class_name = a.classes.class_name(g, first).to_string();
    let self_size = members
        .iter()
        .map(|&v| a.self_size[v as usize] as u64)
        .sum();
    let mut cluster = Cluster {
        kind: ClusterKind::Objects,
        class_name: class_name.clone(),
        label: String::new(),
        site: None,
        members: Vec::new(),
        self_size,
        retained,
        attributed_count: attributed.0,
        attributed_size: attributed.1,
        captured: Vec::new(),
        properties: Vec::new(),
        paths: Vec::new(),
        paths_sampled: 0,
    };
    match key {
        Key::Closure(site) => {
            cluster.kind = ClusterKind::Closures;
            cluster.label = format!(
                "{} @ {}:{}:{}{}",
                site.function,
                site.script,
                site.line + 1,
                site.column + 1,
                site.created_by
                    .as_ref()
                    .map(|c| format!(", created by {c}"))
                    .unwrap_or_default()
            );
            cluster.captured = captured_variables(g, first);
            cluster.site = Some(*site);
        }
        Key::Object { properties, .. } => {
            cluster.properties = properties
                .iter()
                .map(|&s| g.strings.get(s).to_string())
                .collect();
            let shown: Vec<String> = cluster
                .properties
                .iter()
                .map(|p| format_property_name(p).into_owned())
                .collect();
            let mut shape = shown.join(", ");
            if shape.chars().count() > 80 {
                shape = shape.chars().take(79).collect::<String>() + "…";
            }
            cluster.label = if class_name.starts_with('{') || shape.is_empty() {
                class_name.clone()
            } else {
                format!("{class_name} {{{shape}}}")
            };
        }
        Key::String(text) => {
            cluster.kind = ClusterKind::Strings;
            cluster.label = quote_string(g.strings.get(text));
        }
        Key::FlatString(node) => {
            let (mut text, mut parts) = (String::new(), Vec::new());
            flatten_into(g, node, &mut text, &mut parts);
            cluster.kind = ClusterKind::Strings;
            cluster.label = quote_string(&text);
        }
        Key::Dom(_) => {
            cluster.kind = ClusterKind::DetachedDom;
            cluster.label = class_name.clone();
        }
    }
    let (paths, sampled) = path_shapes(a, &members);
    cluster.paths = paths;
    cluster.paths_sampled = sampled;
    cluster.members = members;
    cluster
}

/// A string as JSON, shortened to 60 characters.
fn quote_string(text: &str) -> String {
    let short: String = text.chars().take(60).collect();
    let mut quoted = serde_json::to_string(&short).unwrap_or_default();
    if short.len() < text.len() {
        quoted.push('…');
    }
    quoted
}

/// Names of the variables a closure's context holds (its `context` edges).
fn captured_variables(g: &HeapGraph, closure: u32) -> Vec<String> {
    let Some(context) = g
        .edges(closure)
        .find(|&e| {
            g.is_edge_type(e, g.edge_types.internal) && g.strings.get(g.edge_name[e]) == "context"
        })
        .map(|e| g.edge_to[e])
    else {
        return Vec::new();
    };
    g.edges(context)
        .filter(|&e| g.is_edge_type(e, g.edge_types.context))
        .map(|e| g.strings.get(g.edge_name[e]).to_string())
        .take(MAX_CAPTURED)
        .collect()
}

/// The most common shapes of the shortest retainer paths of up to [`PATH_SAMPLES`] members
/// (spread evenly over the list), and how many members were sampled.
fn path_shapes(a: &Analysis, members: &[u32]) -> (Vec<PathShape>, u64) {
    let step = members.len().div_ceil(PATH_SAMPLES).max(1);
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut sampled = 0;
    for &v in members.iter().step_by(step) {
        sampled += 1;
        let path = retainer_path(a, v);
        match counts.get_mut(&path) {
            Some(c) => *c += 1,
            None => {
                counts.insert(path.clone(), 1);
                order.push(path);
            }
        }
    }
    let mut shapes: Vec<PathShape> = order
        .into_iter()
        .map(|path| PathShape {
            count: counts[&path],
            path,
        })
        .collect();
    shapes.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.path.cmp(&y.path)));
    shapes.truncate(PATH_SHAPES);
    (shapes, sampled)
}

/// The greedy shortest retainer path DevTools expands: from `v`, repeatedly the retainer with
/// the smallest distance (weak edges and the root excluded), up to a user root or a synthetic
/// root group. Rendered from the root side: `global .cache → Map {table} → (array) [] → Function`.
pub fn retainer_path(a: &Analysis, v: u32) -> String {
    let g = &a.graph;
    let retainers = &a.retainers;
    let mut steps: Vec<(u32, usize)> = Vec::new();
    let mut current = v;
    let mut visited = vec![current];
    while steps.len() < MAX_PATH_STEPS {
        if a.distance[current as usize] <= 1 || g.is_type(current, g.node_types.synthetic) {
            break;
        }
        let best = retainers
            .slots(current)
            .filter(|&r| {
                let e = retainers.edge[r] as usize;
                let from = retainers.node[r];
                !g.is_edge_type(e, g.edge_types.weak)
                    && from != g.root.0
                    && !visited.contains(&from)
            })
            .min_by_key(|&r| {
                let from = retainers.node[r];
                let d = a.distance[from as usize];
                (if d < 0 { i32::MAX } else { d }, from)
            });
        let Some(r) = best else { break };
        let from = retainers.node[r];
        steps.push((from, retainers.edge[r] as usize));
        visited.push(from);
        current = from;
    }
    let mut text = String::new();
    match steps.last() {
        Some(&(top, _)) => text.push_str(&path_node(a, top)),
        None => text.push_str(&path_node(a, v)),
    }
    if steps.len() == MAX_PATH_STEPS {
        text = format!("… {text}");
    }
    for (i, &(_, e)) in steps.iter().enumerate().rev() {
        let to = if i == 0 { v } else { steps[i - 1].0 };
        text.push_str(&format!(" {} → {}", edge_label(g, e), path_node(a, to)));
    }
    if a.distance[current as usize] >= SYSTEM_DISTANCE && !steps.is_empty() {
        text.push_str(" (system roots only)");
    }
    text
}

fn path_node(a: &Analysis, v: u32) -> String {
    let g = &a.graph;
    if g.is_type(v, g.node_types.synthetic) {
        return g.raw_name(v).to_string();
    }
    a.classes.class_name(g, v).to_string()
}

/// An edge as DevTools writes it, with element indices collapsed so that paths to different
/// slots of one array look the same.
fn edge_label(g: &HeapGraph, e: usize) -> String {
    let t = &g.edge_types;
    let ty = Some(g.edge_type[e]);
    if ty == t.element {
        return "[]".to_string();
    }
    if ty == t.hidden {
        return "{}".to_string();
    }
    let name = g.strings.get(g.edge_name[e]);
    if ty == t.context {
        format!("->{name}")
    } else if ty == t.weak {
        format!("[[{name}]]")
    } else if ty == t.internal {
        if name.contains(" / part of key ") {
            "{weakmap entry}".to_string()
        } else if !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit()) {
            "[]".to_string()
        } else {
            format!("{{{name}}}")
        }
    } else if name.contains(' ') {
        format!("[\"{name}\"]")
    } else {
        format!(".{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::normalise_function_name;

    #[test]
    fn numbered_functions_share_a_name() {
        assert_eq!(normalise_function_name("validate17"), "validate*");
        assert_eq!(normalise_function_name("run"), "run");
        assert_eq!(normalise_function_name("42"), "42");
        assert_eq!(normalise_function_name(""), "(anonymous)");
    }
}
