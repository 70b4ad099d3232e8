//! Class names and class keys, as DevTools' Summary view groups objects
//! (`calculateObjectNames`, `inferInterfaceDefinitions`, `applyInterfaceDefinitions`,
//! `classKeyInternal`).
//!
//! A class name is an index into the snapshot's strings or into strings DevTools adds; two
//! classes with the same text but different indices are different groups inside one snapshot,
//! exactly as in DevTools, and merge (the later one wins) when turned into public keys.

use std::cmp::Ordering;
use std::collections::HashMap;

use rustc_hash::FxHashMap;

use serde::{Deserialize, Serialize};

use super::dom_state::DomState;
use crate::graph::HeapGraph;

/// Class-name strings: indices below the snapshot's string count name snapshot strings, the
/// rest name strings added here.
#[derive(Debug, Clone, Default)]
pub struct ClassNames {
    base: u32,
    added: Vec<String>,
    /// `getIndexForString`'s cache in `calculateObjectNames`.
    by_text: HashMap<String, u32>,
    /// The `Detached <name>` strings, per original string.
    detached: HashMap<u32, u32>,
    /// Interface names, kept apart like DevTools' `#interfaceNames`.
    interfaces: HashMap<String, u32>,
}

impl ClassNames {
    fn new(g: &HeapGraph) -> ClassNames {
        ClassNames {
            base: g.strings.len() as u32,
            ..ClassNames::default()
        }
    }

    fn add(&mut self, text: String) -> u32 {
        self.added.push(text);
        self.base + self.added.len() as u32 - 1
    }

    fn index_for(&mut self, text: &str) -> u32 {
        if let Some(&i) = self.by_text.get(text) {
            return i;
        }
        let i = self.add(text.to_string());
        self.by_text.insert(text.to_string(), i);
        i
    }

    pub fn get<'a>(&'a self, g: &'a HeapGraph, index: u32) -> &'a str {
        if index < self.base {
            g.strings.get(index)
        } else {
            &self.added[(index - self.base) as usize]
        }
    }
}

/// An inferred shape of plain objects: DevTools names `Object`s that have (at least) these
/// properties `{a, b, c}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Interface {
    pub name: String,
    pub properties: Vec<String>,
}

/// A node's name as DevTools shows it after DOM-state renaming.
pub fn node_name<'a>(g: &'a HeapGraph, dom: &DomState, v: u32) -> std::borrow::Cow<'a, str> {
    if dom.renamed.get(v as usize) {
        std::borrow::Cow::Owned(format!("Detached {}", g.raw_name(v)))
    } else {
        std::borrow::Cow::Borrowed(g.raw_name(v))
    }
}

/// The class index of every node before interfaces are applied (`calculateObjectNames`).
pub fn object_class_names(g: &HeapGraph, dom: &DomState) -> (Vec<u32>, ClassNames) {
    let mut names = ClassNames::new(g);
    let hidden = names.index_for("(system)");
    let code = names.index_for("(compiled code)");
    let function = names.index_for("Function");
    let regexp = names.index_for("RegExp");
    let t = &g.node_types;
    // The `(<type>)` class of each node type, named at its first node.
    let mut by_type = vec![u32::MAX; t.names.len()];
    let mut classes = Vec::with_capacity(g.node_count());
    for v in 0..g.node_count() as u32 {
        let ty = Some(g.node_type[v as usize]);
        let class = if ty == t.hidden {
            hidden
        } else if ty == t.object || ty == t.native {
            let name = node_name(g, dom, v);
            if name.starts_with('<') {
                names.index_for(&shorten_tag(&name, 0))
            } else if name.starts_with("Detached <") {
                names.index_for(&shorten_tag(&name, 10))
            } else if dom.renamed.get(v as usize) {
                let original = g.node_name[v as usize];
                match names.detached.get(&original) {
                    Some(&i) => i,
                    None => {
                        let i = names.add(name.into_owned());
                        names.detached.insert(original, i);
                        i
                    }
                }
            } else {
                g.node_name[v as usize]
            }
        } else if ty == t.code {
            code
        } else if ty == t.closure {
            function
        } else if ty == t.regexp {
            regexp
        } else {
            let slot = &mut by_type[g.node_type[v as usize] as usize];
            if *slot == u32::MAX {
                *slot = names.index_for(&format!("({})", g.type_name(v)));
            }
            *slot
        };
        classes.push(class);
    }
    (classes, names)
}

/// `<div id="a">` → `<div>`: cut at the first space at or after `from` and close the tag.
fn shorten_tag(name: &str, from: usize) -> String {
    match name.get(from..).and_then(|rest| rest.find(' ')) {
        Some(space) => format!("{}>", &name[..from + space]),
        None => name.to_string(),
    }
}

fn is_plain_object(g: &HeapGraph, v: u32) -> bool {
    g.is_type(v, g.node_types.object) && g.raw_name(v) == "Object"
}

/// Length in UTF-16 code units, as JavaScript measures strings.
fn js_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// JavaScript's default string order (by UTF-16 code units).
pub(crate) fn js_cmp(a: &str, b: &str) -> Ordering {
    // UTF-8 byte order equals UTF-16 order unless a character above U+FFFF meets one in
    // U+E000..=U+FFFF; both encode as 3+ bytes, so all-ASCII text compares as bytes.
    if a.is_ascii() && b.is_ascii() {
        return a.cmp(b);
    }
    a.encode_utf16().cmp(b.encode_utf16())
}

/// DevTools' `formatPropertyName`: names with `, ' " { }` are shown JSON-quoted.
pub fn format_property_name(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains([',', '\'', '"', '{', '}']) {
        std::borrow::Cow::Owned(serde_json::to_string(name).unwrap_or_else(|_| name.to_string()))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

const MAX_INTERFACE_NAME_LENGTH: usize = 120;
const MIN_OBJECT_COUNT_PER_INTERFACE: f64 = 2.0;
const MIN_OBJECT_PROPORTION_PER_INTERFACE: f64 = 1000.0;

/// Infers interfaces from the property names of plain objects (`inferInterfaceDefinitions`):
/// each object proposes `{p1, p2, …}` from its properties in order (name at most 120 UTF-16
/// units, at least one property); proposals shared by at least max(2, objects / 1000) objects
/// are kept, the most popular first.
pub fn infer_interfaces(g: &HeapGraph) -> Vec<Interface> {
    let mut order: Vec<Interface> = Vec::new();
    let mut counts: Vec<u64> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut total = 0u64;
    // Reused for every object: the proposed name and its property names (string indices).
    let mut name = String::new();
    let mut properties: Vec<u32> = Vec::new();
    // Objects of one shape propose one name: proposals by property sequence (string indices
    // in edge order), so that the name is built once per shape, not per object.
    let mut by_sequence: FxHashMap<Vec<u32>, usize> = FxHashMap::default();
    let mut sequence: Vec<u32> = Vec::new();
    for v in 0..g.node_count() as u32 {
        if !is_plain_object(g, v) {
            continue;
        }
        total += 1;
        sequence.clear();
        sequence.extend(
            g.edges(v)
                .filter(|&e| g.is_edge_type(e, g.edge_types.property))
                .map(|e| g.edge_name[e]),
        );
        if let Some(&i) = by_sequence.get(sequence.as_slice()) {
            if i != usize::MAX {
                counts[i] += 1;
            }
            continue;
        }
        name.clear();
        name.push('{');
        let mut name_len = 1;
        properties.clear();
        for e in g.edges(v) {
            if !g.is_edge_type(e, g.edge_types.property) {
                continue;
            }
            let edge_name = g.strings.get(g.edge_name[e]);
            if edge_name == "__proto__" {
                continue;
            }
            let formatted = format_property_name(edge_name);
            let formatted_len = js_len(&formatted);
            if name_len > 1 && name_len + formatted_len > MAX_INTERFACE_NAME_LENGTH {
                break;
            }
            if name_len != 1 {
                name.push_str(", ");
                name_len += 2;
            }
            name.push_str(&formatted);
            name_len += formatted_len;
            properties.push(g.edge_name[e]);
        }
        if properties.is_empty() {
            by_sequence.insert(sequence.clone(), usize::MAX);
            continue;
        }
        name.push('}');
        let i = match index.get(name.as_str()) {
            Some(&i) => {
                counts[i] += 1;
                i
            }
            None => {
                index.insert(name.clone(), order.len());
                order.push(Interface {
                    name: name.clone(),
                    properties: properties
                        .iter()
                        .map(|&s| g.strings.get(s).to_string())
                        .collect(),
                });
                counts.push(1);
                order.len() - 1
            }
        };
        by_sequence.insert(sequence.clone(), i);
    }
    let mut ranked: Vec<usize> = (0..order.len()).collect();
    ranked.sort_by(|&a, &b| counts[b].cmp(&counts[a]));
    let min_count =
        MIN_OBJECT_COUNT_PER_INTERFACE.max(total as f64 / MIN_OBJECT_PROPORTION_PER_INTERFACE);
    ranked
        .into_iter()
        .take_while(|&i| counts[i] as f64 >= min_count)
        .map(|i| order[i].clone())
        .collect()
}

/// A trie over sorted property names (DevTools' property tree).
struct TrieNode {
    next: HashMap<String, usize>,
    greatest_next: Option<String>,
    /// (property count, definition index) of the definition ending here.
    matched: Option<(usize, usize)>,
}

/// Renames plain objects after the interface they match best (`applyInterfaceDefinitions`):
/// the definition with the most properties all present on the object, earlier definitions
/// winning ties. Objects matching none keep the class `Object`.
pub fn apply_interfaces(
    g: &HeapGraph,
    definitions: &[Interface],
    classes: &mut [u32],
    names: &mut ClassNames,
) {
    let mut trie = vec![TrieNode {
        next: HashMap::new(),
        greatest_next: None,
        matched: None,
    }];
    for (index, def) in definitions.iter().enumerate() {
        let mut properties = def.properties.clone();
        properties.sort_by(|a, b| js_cmp(a, b));
        let mut node = 0;
        for p in &properties {
            node = match trie[node].next.get(p) {
                Some(&next) => next,
                None => {
                    trie.push(TrieNode {
                        next: HashMap::new(),
                        greatest_next: None,
                        matched: None,
                    });
                    let next = trie.len() - 1;
                    trie[node].next.insert(p.clone(), next);
                    let greater = trie[node]
                        .greatest_next
                        .as_deref()
                        .is_none_or(|g| js_cmp(g, p) == Ordering::Less);
                    if greater {
                        trie[node].greatest_next = Some(p.clone());
                    }
                    next
                }
            };
        }
        if trie[node].matched.is_none() {
            trie[node].matched = Some((properties.len(), index));
        }
    }
    let better = |a: Option<(usize, usize)>, b: Option<(usize, usize)>| match (a, b) {
        (Some(x), Some(y)) => {
            if x.0 > y.0 || (x.0 == y.0 && x.1 <= y.1) {
                Some(x)
            } else {
                Some(y)
            }
        }
        (x, None) => x,
        (None, y) => y,
    };

    // Buffers reused for every object.
    let mut states: Vec<usize> = Vec::new();
    let mut snapshot: Vec<usize> = Vec::new();
    let mut properties: Vec<&str> = Vec::new();
    // The match depends on the object's property names only: results by their multiset
    // (string indices, ascending).
    let mut by_set: FxHashMap<Vec<u32>, u32> = FxHashMap::default();
    let mut set: Vec<u32> = Vec::new();
    for v in 0..g.node_count() as u32 {
        if !is_plain_object(g, v) {
            continue;
        }
        set.clear();
        set.extend(
            g.edges(v)
                .filter(|&e| g.is_edge_type(e, g.edge_types.property))
                .map(|e| g.edge_name[e]),
        );
        set.sort_unstable();
        if let Some(&class) = by_set.get(set.as_slice()) {
            classes[v as usize] = class;
            continue;
        }
        properties.clear();
        properties.extend(
            g.edges(v)
                .filter(|&e| g.is_edge_type(e, g.edge_types.property))
                .map(|e| g.strings.get(g.edge_name[e])),
        );
        properties.sort_by(|a, b| js_cmp(a, b));
        states.clear();
        states.push(0);
        let mut best = trie[0].matched;
        // The same set operations as DevTools, on a snapshot of the states per property.
        for p in &properties {
            snapshot.clear();
            snapshot.extend_from_slice(&states);
            for &s in &snapshot {
                let exhausted = trie[s]
                    .greatest_next
                    .as_deref()
                    .is_none_or(|g| js_cmp(p, g) != Ordering::Less);
                if exhausted {
                    states.retain(|&x| x != s);
                }
                if let Some(&next) = trie[s].next.get(*p) {
                    if !states.contains(&next) {
                        states.push(next);
                    }
                    best = better(best, trie[next].matched);
                }
            }
        }
        if let Some((_, index)) = best {
            let name = &definitions[index].name;
            let class = match names.interfaces.get(name) {
                Some(&i) => i,
                None => {
                    let i = names.add(name.clone());
                    names.interfaces.insert(name.clone(), i);
                    i
                }
            };
            classes[v as usize] = class;
        } else {
            classes[v as usize] = g.node_name[v as usize];
        }
        by_set.insert(set.clone(), classes[v as usize]);
    }
}

/// A node's grouping key before it is made public: a class index, or for objects with an
/// allocation location, that location plus the class name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum InternalKey {
    Class(u32),
    Located {
        script_id: u32,
        line: u32,
        column: u32,
        name: String,
    },
}

/// Class keys of all nodes, as dense ids into `keys`.
#[derive(Debug, Clone)]
pub struct ClassKeys {
    /// Dense key id of each node.
    pub of_node: Vec<u32>,
    /// The distinct internal keys, in order of first appearance.
    pub keys: Vec<InternalKey>,
    /// The class name of each node (index into `names`).
    pub class_index: Vec<u32>,
    pub names: ClassNames,
}

impl ClassKeys {
    /// Computes class names (with the given interface definitions) and keys for every node.
    pub fn compute(g: &HeapGraph, dom: &DomState, interfaces: &[Interface]) -> ClassKeys {
        let (mut class_index, mut names) = object_class_names(g, dom);
        apply_interfaces(g, interfaces, &mut class_index, &mut names);
        let mut keys = Vec::new();
        let mut of_node = Vec::with_capacity(g.node_count());
        // Dense ids: by class index for plain keys; by location and class *text* for located
        // objects (DevTools' key is a string, so two indices with one text are one key).
        let mut by_class: Vec<u32> = vec![u32::MAX; names.base as usize + names.added.len()];
        let mut canonical: HashMap<String, u32> = HashMap::new();
        let mut canonical_of: Vec<u32> = vec![u32::MAX; by_class.len()];
        let mut by_location: FxHashMap<(u32, u32, u32, u32), u32> = FxHashMap::default();
        for v in 0..g.node_count() as u32 {
            let class = class_index[v as usize];
            let location = if g.is_type(v, g.node_types.object) {
                g.locations.get(&v)
            } else {
                None
            };
            let id = match location {
                None => {
                    let slot = &mut by_class[class as usize];
                    if *slot == u32::MAX {
                        *slot = keys.len() as u32;
                        keys.push(InternalKey::Class(class));
                    }
                    *slot
                }
                Some(loc) => {
                    let text = names.get(g, class);
                    let name = match canonical_of[class as usize] {
                        u32::MAX => {
                            let c = *canonical.entry(text.to_string()).or_insert(class);
                            canonical_of[class as usize] = c;
                            c
                        }
                        c => c,
                    };
                    *by_location
                        .entry((loc.script_id, loc.line, loc.column, name))
                        .or_insert_with(|| {
                            keys.push(InternalKey::Located {
                                script_id: loc.script_id,
                                line: loc.line,
                                column: loc.column,
                                name: text.to_string(),
                            });
                            keys.len() as u32 - 1
                        })
                }
            };
            of_node.push(id);
        }
        ClassKeys {
            of_node,
            keys,
            class_index,
            names,
        }
    }

    /// The class name of node `v`.
    pub fn class_name<'a>(&'a self, g: &'a HeapGraph, v: u32) -> &'a str {
        self.names.get(g, self.class_index[v as usize])
    }

    /// The public class key DevTools uses to match classes across snapshots:
    /// `",<name>"` or `"<script>,<line>,<column>,<name>"`.
    pub fn public_key(&self, g: &HeapGraph, key: u32) -> String {
        match &self.keys[key as usize] {
            InternalKey::Class(class) => format!(",{}", self.names.get(g, *class)),
            InternalKey::Located {
                script_id,
                line,
                column,
                name,
            } => format!("{script_id},{line},{column},{name}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shortens_tags_and_formats_property_names() {
        assert_eq!(shorten_tag("<div id=\"a\">", 0), "<div>");
        assert_eq!(shorten_tag("<div>", 0), "<div>");
        assert_eq!(
            shorten_tag("Detached <span class=x>", 10),
            "Detached <span>"
        );
        assert_eq!(format_property_name("plain"), "plain");
        assert_eq!(format_property_name("a,b"), "\"a,b\"");
        assert_eq!(format_property_name("q\"x"), "\"q\\\"x\"");
    }

    #[test]
    fn javascript_string_order_and_length() {
        assert_eq!(js_len("a\u{1f600}"), 3);
        // U+FF5E sorts after U+1F600 in UTF-8 but before it in UTF-16.
        assert_eq!(js_cmp("\u{ff5e}", "\u{1f600}"), Ordering::Greater);
    }
}
