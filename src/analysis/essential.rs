//! Which edges may retain, for the dominator tree (DevTools' `computeIsEssentialEdge`), and the
//! parsing of V8's WeakMap ephemeron edge names that this and the distances need.

use std::collections::HashMap;

use regex::Regex;

use super::bits::BitSet;
use crate::graph::HeapGraph;

/// The parts of an ephemeron edge name
/// `"<n> / part of key (<k> @<id>) -> value (<v> @<id>) pair in WeakMap (table @<table>)"`.
#[derive(Debug, Clone, Copy)]
pub struct WeakMapEdge {
    /// Byte range of the part after the leading number, shared by the key's and the table's edge.
    pub pair: (usize, usize),
    /// The table's object id.
    pub table_id: u64,
}

/// Parses ephemeron edge names, once per distinct string.
#[derive(Debug)]
pub struct WeakMapNames {
    pattern: Regex,
    /// Per string index: 0 not looked at yet, 1 not an ephemeron name, 2 parsed into `parsed`.
    state: Vec<u8>,
    parsed: HashMap<u32, WeakMapEdge>,
}

impl Default for WeakMapNames {
    fn default() -> WeakMapNames {
        WeakMapNames::new()
    }
}

impl WeakMapNames {
    pub fn new() -> WeakMapNames {
        // DevTools' pattern, with JavaScript's meaning of \d (ASCII) and . (no line terminator).
        let any = r"[^\n\r\u{2028}\u{2029}]";
        let pattern = format!(
            r"^[0-9]+( / part of key \({any}*? @[0-9]+\) -> value \({any}*? @[0-9]+\) pair in WeakMap \(table @([0-9]+)\))$"
        );
        WeakMapNames {
            pattern: Regex::new(&pattern).expect("the WeakMap edge pattern is valid"),
            state: Vec::new(),
            parsed: HashMap::new(),
        }
    }

    /// The ephemeron parts of string `name` of graph `g`, if it is such a name.
    pub fn parse(&mut self, g: &HeapGraph, name: u32) -> Option<WeakMapEdge> {
        let i = name as usize;
        if i >= self.state.len() {
            self.state.resize(g.strings.len().max(i + 1), 0);
        }
        match self.state[i] {
            1 => return None,
            2 => return self.parsed.get(&name).copied(),
            _ => {}
        }
        let text = g.strings.get(name);
        // Most internal edge names are not ephemerons: a substring test rules them out cheaply.
        let parsed = if !text.contains(" / part of key (") {
            None
        } else {
            self.pattern.captures(text)
        };
        let parsed = parsed.and_then(|c| {
            let pair = c.get(1)?;
            Some(WeakMapEdge {
                pair: (pair.start(), pair.end()),
                table_id: c.get(2)?.as_str().parse().unwrap_or(u64::MAX),
            })
        });
        match parsed {
            Some(p) => {
                self.state[i] = 2;
                self.parsed.insert(name, p);
            }
            None => self.state[i] = 1,
        }
        parsed
    }
}

/// Marks the edges that count for dominators. Not essential: weak edges; self edges; the
/// table→value edge of a WeakMap entry (the key→value edge is kept); and, except from the root,
/// shortcut edges and edges from a node that is not page-owned into one that is.
pub fn essential_edges(g: &HeapGraph, page_owned: &BitSet, weak_maps: &mut WeakMapNames) -> BitSet {
    let mut essential = BitSet::new(g.edge_count());
    let root = g.root.0;
    for v in 0..g.node_count() as u32 {
        let v_owned = page_owned.get(v as usize);
        for e in g.edges(v) {
            if g.is_edge_type(e, g.edge_types.internal)
                && let Some(w) = weak_maps.parse(g, g.edge_name[e])
                && w.table_id == g.node_id[v as usize] as u64
            {
                continue;
            }
            if g.is_edge_type(e, g.edge_types.weak) {
                continue;
            }
            let to = g.edge_to[e];
            if to == v {
                continue;
            }
            if v != root
                && (g.is_edge_type(e, g.edge_types.shortcut)
                    || (page_owned.get(to as usize) && !v_owned))
            {
                continue;
            }
            essential.set(e);
        }
    }
    essential
}
