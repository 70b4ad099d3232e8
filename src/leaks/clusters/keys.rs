//! Cluster keys: which group each new node would join (closure site, class and property set,
//! string text, detached DOM tag), as dense integer ids. Only keys; no sizes, no labels.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::sites::{Site, SiteResolver};
use crate::analysis::Early;
use crate::analysis::classes::js_cmp;
use crate::analysis::dom_state::DETACHED;
use crate::graph::HeapGraph;

/// A node that joins no cluster key.
pub(super) const NO_KEY: u32 = u32::MAX;

/// How many chunks the candidates are keyed in: a few per core, for balance, as each holds a
/// table by string index while they run.
const KEY_CHUNKS: usize = 4;

/// The grouping key of a candidate member.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Key {
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

/// Every candidate's cluster key, before groups of one are dropped: what keying needs is known
/// before the dominator tree, so a diff keys its new objects while that tree is computed.
pub struct Keyed {
    /// The Script nodes of the keyed closures, each once, in order of first appearance.
    pub scripts: Vec<u32>,
    pub(super) keys: Vec<Key>,
    /// Key id by node ordinal (in order of first appearance among the candidates), or
    /// [`NO_KEY`].
    pub(super) key_of: Vec<u32>,
}

/// The cluster keys of `nodes`. Concatenated strings, whose flattening is the slowest key, are
/// keyed beside the others, and the others in chunks side by side.
pub fn key_nodes(early: &Early<'_>, nodes: &[u32]) -> Keyed {
    let g = early.graph;
    let ((interner, mut key_of), flats) = rayon::join(
        || {
            // Each chunk has an interner of its own; they are merged in node order, so ids are
            // in order of first appearance as if keyed in one pass.
            let chunk = nodes.len().div_ceil(KEY_CHUNKS).max(1);
            let keyed: Vec<(KeyInterner, Vec<u32>)> = nodes
                .par_chunks(chunk)
                .map(|chunk| {
                    let mut interner = KeyInterner::new(g, early.retainers);
                    let ids = chunk
                        .iter()
                        .map(|&v| interner.key_id(early, v).unwrap_or(NO_KEY))
                        .collect();
                    (interner, ids)
                })
                .collect();
            let mut key_of = vec![NO_KEY; g.node_count()];
            let mut merged = KeyInterner::new(g, early.retainers);
            for ((local, ids), chunk) in keyed.into_iter().zip(nodes.chunks(chunk)) {
                let global = merged.merge(local);
                for (&v, &id) in chunk.iter().zip(&ids) {
                    if id != NO_KEY {
                        key_of[v as usize] = global[id as usize];
                    }
                }
            }
            (merged, key_of)
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
    let keys = interner
        .keys
        .into_iter()
        .chain(flats.first_node.iter().map(|&v| Key::FlatString(v)))
        .collect();
    Keyed {
        scripts: interner.scripts,
        keys,
        key_of,
    }
}

/// The cluster keys of groups of two or more among `nodes` (all keyed in `keyed`; its other
/// candidates, `left_out`, join no group), and each node's key id (dense, in order of first
/// appearance) or `u32::MAX`. Candidates of a group of one are no cluster: they are dropped
/// here, before the per-key tables are sized (most new strings are unique).
pub(super) fn group_keys(keyed: Keyed, nodes: &[u32], left_out: &[u32]) -> (Vec<Key>, Vec<u32>) {
    let Keyed {
        keys: all,
        mut key_of,
        ..
    } = keyed;
    for &v in left_out {
        key_of[v as usize] = NO_KEY;
    }
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
            if let Some(shape) = text_shape(&text) {
                text = shape;
            }
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
    /// The Script nodes of the closures keyed, each once, in order of first appearance.
    scripts: Vec<u32>,
    scripts_seen: rustc_hash::FxHashSet<u32>,
    sites: SiteResolver<'g>,
    /// Key ids of plain strings by their text's string-table index (`NO_KEY` when not met yet);
    /// sized at the first string. The table holds each text once, so no hashing is needed.
    text_keys: Vec<u32>,
    /// Key ids of long plain strings by their shape (see [`text_shape`]).
    string_shapes: FxHashMap<Box<str>, u32>,
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
    fn new(g: &'g HeapGraph, retainers: &'g crate::graph::Retainers) -> KeyInterner<'g> {
        KeyInterner {
            g,
            keys: Vec::new(),
            ids: FxHashMap::default(),
            raw_sites: FxHashMap::default(),
            scripts: Vec::new(),
            scripts_seen: rustc_hash::FxHashSet::default(),
            sites: SiteResolver::new(g, retainers),
            text_keys: Vec::new(),
            string_shapes: FxHashMap::default(),
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
    fn key_id(&mut self, a: &Early<'_>, v: u32) -> Option<u32> {
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
            if script != u32::MAX && self.scripts_seen.insert(script) {
                self.scripts.push(script);
            }
            let mut site = self.sites.site(v);
            if site.script == "<eval>" {
                // Generated code moves: its functions are one site per compiling function.
                (site.line, site.column) = (0, 0);
            }
            let id = self.intern(Key::Closure(Box::new(site)));
            self.raw_sites.insert(raw, id);
            return Some(id);
        }
        // Sliced strings carry no text of their own; DevTools leaves them out of duplicates too.
        if ty == t.string {
            return Some(self.string_key(g.node_name[v as usize]));
        }
        let class = a.classes.class_index[v as usize];
        if ty == t.native && a.dom.state[v as usize] == DETACHED {
            return Some(self.dom_key(class));
        }
        if (ty == t.object || ty == t.regexp) && !g.is_system_named(v) {
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

    /// The key of a plain string of text `text` (a string-table index).
    fn string_key(&mut self, text: u32) -> u32 {
        if self.text_keys.is_empty() {
            self.text_keys = vec![NO_KEY; self.g.strings.len()];
        }
        let id = self.text_keys[text as usize];
        if id != NO_KEY {
            return id;
        }
        // Long texts that differ only in their numbers (ids, timestamps) are one group.
        let shape = text_shape(self.g.strings.get(text));
        if let Some(&id) = shape
            .as_ref()
            .and_then(|s| self.string_shapes.get(s.as_str()))
        {
            self.text_keys[text as usize] = id;
            return id;
        }
        let id = self.push(Key::String(text));
        self.text_keys[text as usize] = id;
        if let Some(shape) = shape {
            self.string_shapes.insert(shape.into(), id);
        }
        id
    }

    /// The key of detached DOM nodes of class `class`.
    fn dom_key(&mut self, class: u32) -> u32 {
        if let Some(&id) = self.doms.get(&class) {
            return id;
        }
        let id = self.push(Key::Dom(class));
        self.doms.insert(class, id);
        id
    }

    /// Adds the keys of an interner that keyed later nodes; returns their ids here, by the
    /// ids there. Its keys are taken in their order of first appearance, so each id here is
    /// still in order of its first node, and a string key keeps the first text met. Its
    /// closures' scripts new here are added after the ones here.
    fn merge(&mut self, later: KeyInterner<'_>) -> Vec<u32> {
        for script in later.scripts {
            if self.scripts_seen.insert(script) {
                self.scripts.push(script);
            }
        }
        let ids: Vec<u32> = later
            .keys
            .into_iter()
            .map(|key| match key {
                Key::String(text) => self.string_key(text),
                Key::Dom(class) => self.dom_key(class),
                other => self.intern(other),
            })
            .collect();
        // Texts that joined a key through its shape join the same key here.
        for (text, &id) in later.text_keys.iter().enumerate() {
            if id != NO_KEY && self.text_keys[text] == NO_KEY {
                self.text_keys[text] = ids[id as usize];
            }
        }
        ids
    }

    /// Pairs (plain string key, flat key) of the texts that plain strings and concatenated
    /// strings share.
    fn plain_texts_in(&self, flats: &FlatKeys) -> Vec<(u32, u32)> {
        let strings = &self.g.strings;
        self.text_keys
            .par_iter()
            .enumerate()
            .filter(|&(_, &id)| id != NO_KEY)
            .filter_map(|(text, &id)| {
                let text = strings.get(text as u32);
                let flat = match text_shape(text) {
                    Some(shape) => flats.by_text.get(shape.as_str()),
                    None => flats.by_text.get(text),
                };
                Some((id, *flat?))
            })
            .collect()
    }
}

/// Strings at least this long are grouped by their shape rather than their exact text.
const SHAPE_MIN_CHARS: usize = 32;
/// How many leading characters a shape keeps.
const SHAPE_CHARS: usize = 64;

/// The shape of a long text: its first [`SHAPE_CHARS`] characters with every run of digits
/// written `#`, so that the JSON of one session per user, or log lines that differ in their
/// timestamps, are one group. `None` for short texts (grouped by exact text).
pub(super) fn text_shape(text: &str) -> Option<String> {
    if text.len() < SHAPE_MIN_CHARS || text.chars().nth(SHAPE_MIN_CHARS - 1).is_none() {
        return None;
    }
    let mut shape = String::with_capacity(SHAPE_CHARS);
    let mut in_digits = false;
    for c in text.chars().take(SHAPE_CHARS) {
        if c.is_ascii_digit() {
            if !in_digits {
                shape.push('#');
            }
            in_digits = true;
        } else {
            shape.push(c);
            in_digits = false;
        }
    }
    Some(shape)
}

/// Most characters of a concatenated string's text that a key holds.
const MAX_FLAT_CHARS: usize = 1024;

/// The text of concatenated string `v` into `text`, its parts in order until it holds
/// [`MAX_FLAT_CHARS`] characters (the part that crosses the limit is kept whole). `stack` is
/// scratch space.
pub(super) fn flatten_into(g: &HeapGraph, v: u32, text: &mut String, stack: &mut Vec<u32>) {
    text.clear();
    stack.clear();
    stack.push(v);
    let mut chars = 0;
    let (first, second) = (g.name_indices("first"), g.name_indices("second"));
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
                let name = g.edge_name[e];
                if first.is_some_and(|f| f.contains(&name)) {
                    parts[0] = Some(g.edge_to[e]);
                } else if second.is_some_and(|s| s.contains(&name)) {
                    parts[1] = Some(g.edge_to[e]);
                }
            }
        }
        stack.extend(parts[1]);
        stack.extend(parts[0]);
    }
}

#[cfg(test)]
mod tests {
    use super::text_shape;

    #[test]
    fn long_texts_that_differ_in_numbers_share_a_shape() {
        let a = r#"{"cookie":{"originalMaxAge":86400000,"expires":"2026-12-02T21:07:11.123Z"}}"#;
        let b = r#"{"cookie":{"originalMaxAge":86400000,"expires":"2026-12-02T21:09:58.004Z"}}"#;
        assert_eq!(text_shape(a), text_shape(b));
        assert_eq!(
            text_shape("GET /items/2-17?q=abcabcabcabc 200 13 - 0.412 ms").as_deref(),
            Some("GET /items/#-#?q=abcabcabcabc # # - #.# ms")
        );
        // Short texts keep their exact text.
        assert_eq!(text_shape("exports"), None);
        assert_ne!(text_shape(&"x".repeat(40)), text_shape(&"y".repeat(40)));
    }
}
