//! Which edges may retain, for the dominator tree (DevTools' `computeIsEssentialEdge`), and the
//! parsing of V8's WeakMap ephemeron edge names that this and the distances need.

use std::sync::LazyLock;

use memchr::memmem::Finder;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::graph::HeapGraph;
use crate::graph::bits::BitSet;

/// The parts of an ephemeron edge name
/// `"<n> / part of key (<k> @<id>) -> value (<v> @<id>) pair in WeakMap (table @<table>)"`.
#[derive(Debug, Clone, Copy)]
pub struct WeakMapEdge {
    /// Byte range of the part after the leading number, shared by the key's and the table's edge.
    pub pair: (usize, usize),
    /// The table's object id.
    pub table_id: u64,
}

/// The snapshot's ephemeron edge names, parsed up front so that parallel passes can share them.
#[derive(Debug, Default)]
pub struct WeakMapNames {
    /// Per string index: is it an ephemeron name (then it is in `parsed`)?
    names: BitSet,
    parsed: FxHashMap<u32, WeakMapEdge>,
}

impl WeakMapNames {
    /// Finds the ephemeron names among `g`'s strings: a substring search over the whole table
    /// picks the candidates, and DevTools' pattern (see [`parse_weak_map_edge`]) decides.
    pub fn new(g: &HeapGraph) -> WeakMapNames {
        let found: Vec<(u32, WeakMapEdge)> = g
            .strings
            .containing(" / part of key (")
            .into_par_iter()
            .filter_map(|i| parse_weak_map_edge(g.strings.get(i)).map(|w| (i, w)))
            .collect();
        let mut names = BitSet::new(g.strings.len());
        let mut parsed = FxHashMap::default();
        parsed.reserve(found.len());
        for (i, w) in found {
            names.set(i as usize);
            parsed.insert(i, w);
        }
        WeakMapNames { names, parsed }
    }

    /// The ephemeron parts of string `name`, if it is such a name.
    pub fn parse(&self, name: u32) -> Option<WeakMapEdge> {
        if !self.names.get(name as usize) {
            return None;
        }
        self.parsed.get(&name).copied()
    }
}

/// DevTools' test for an ephemeron edge name, the pattern
/// `^\d+( / part of key \(.*? @\d+\) -> value \(.*? @\d+\) pair in WeakMap \(table @(\d+)\))$`
/// with JavaScript's `.` (anything but a line terminator), matched by hand: a regex costs
/// ~1.7 µs per name, and big heaps hold millions of these names.
pub fn parse_weak_map_edge(name: &str) -> Option<WeakMapEdge> {
    const KEY: &[u8] = b" / part of key (";
    const VALUE: &[u8] = b") -> value (";
    const TABLE: &[u8] = b") pair in WeakMap (table @";
    let s = name.as_bytes();
    let lead = leading_digits(s);
    let rest = s[lead..].strip_prefix(KEY)?;
    if lead == 0 {
        return None;
    }
    // From the end: ")", the table id, the table literal, then " @" and the value's id.
    let before_close = rest.strip_suffix(b")")?;
    let table_digits = trailing_digits(before_close);
    if table_digits == 0 {
        return None;
    }
    let table = &before_close[before_close.len() - table_digits..];
    let middle = before_close[..before_close.len() - table_digits].strip_suffix(TABLE)?;
    let middle = strip_id_suffix(middle)?;
    // What is left is `<key> @<id>) -> value (<value>`: any separator preceded by an id works.
    static SEPARATOR: LazyLock<Finder<'static>> = LazyLock::new(|| Finder::new(VALUE));
    let separated = SEPARATOR
        .find_iter(middle)
        .any(|at| strip_id_suffix(&middle[..at]).is_some());
    if !separated || has_line_break(s) {
        return None;
    }
    let table_id = std::str::from_utf8(table)
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(u64::MAX);
    Some(WeakMapEdge {
        pair: (lead, s.len()),
        table_id,
    })
}

/// Does `s` hold one of JavaScript's line terminators (\n, \r, U+2028, U+2029)?
fn has_line_break(s: &[u8]) -> bool {
    memchr::memchr3_iter(b'\n', b'\r', 0xE2, s)
        .any(|at| s[at] != 0xE2 || matches!(s.get(at + 1..at + 3), Some([0x80, 0xA8 | 0xA9])))
}

fn leading_digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

fn trailing_digits(s: &[u8]) -> usize {
    s.iter().rev().take_while(|b| b.is_ascii_digit()).count()
}

/// `s` without a trailing `" @<digits>"`, if it has one.
fn strip_id_suffix(s: &[u8]) -> Option<&[u8]> {
    let digits = trailing_digits(s);
    if digits == 0 {
        return None;
    }
    s[..s.len() - digits].strip_suffix(b" @")
}

/// Edges per parallel block: whole words of the bit set, so that blocks write disjoint words.
const BLOCK_EDGES: usize = 64 * 4096;

/// Marks the edges that count for dominators. Not essential: weak edges; self edges; the
/// table→value edge of a WeakMap entry (the key→value edge is kept); and, except from the root,
/// shortcut edges and edges from a node that is not page-owned into one that is.
pub fn essential_edges(g: &HeapGraph, page_owned: &BitSet, weak_maps: &WeakMapNames) -> BitSet {
    let mut essential = BitSet::new(g.edge_count());
    let root = g.root.0;
    let edge_total = g.edge_count();
    essential
        .words_mut()
        .par_chunks_mut(BLOCK_EDGES / 64)
        .enumerate()
        .for_each(|(block, words)| {
            let first = block * BLOCK_EDGES;
            let last = (first + BLOCK_EDGES).min(edge_total);
            // The node whose edges include `first`: the last node whose edges start at or
            // before it.
            let mut v = g
                .first_edge
                .partition_point(|&start| start as usize <= first)
                - 1;
            for e in first..last {
                while g.first_edge[v + 1] as usize <= e {
                    v += 1;
                }
                if is_essential(g, v as u32, e, root, page_owned, weak_maps) {
                    words[(e - first) / 64] |= 1 << (e % 64);
                }
            }
        });
    essential
}

fn is_essential(
    g: &HeapGraph,
    v: u32,
    e: usize,
    root: u32,
    page_owned: &BitSet,
    weak_maps: &WeakMapNames,
) -> bool {
    if g.is_edge_type(e, g.edge_types.internal)
        && let Some(w) = weak_maps.parse(g.edge_name[e])
        && w.table_id == g.node_id[v as usize] as u64
    {
        return false;
    }
    if g.is_edge_type(e, g.edge_types.weak) {
        return false;
    }
    let to = g.edge_to[e];
    if to == v {
        return false;
    }
    !(v != root
        && (g.is_edge_type(e, g.edge_types.shortcut)
            || (page_owned.get(to as usize) && !page_owned.get(v as usize))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use regex::Regex;

    /// DevTools' pattern as a regex, with JavaScript's meaning of `\d` and `.`: the reference.
    fn reference(name: &str) -> Option<(usize, usize, u64)> {
        let any = r"[^\n\r\u{2028}\u{2029}]";
        let pattern = Regex::new(&format!(
            r"^[0-9]+( / part of key \({any}*? @[0-9]+\) -> value \({any}*? @[0-9]+\) pair in WeakMap \(table @([0-9]+)\))$"
        ))
        .unwrap();
        let c = pattern.captures(name)?;
        let (pair, table) = (c.get(1)?, c.get(2)?);
        let table_id = table.as_str().parse().unwrap_or(u64::MAX);
        Some((pair.start(), pair.end(), table_id))
    }

    fn by_hand(name: &str) -> Option<(usize, usize, u64)> {
        parse_weak_map_edge(name).map(|w| (w.pair.0, w.pair.1, w.table_id))
    }

    #[test]
    fn parses_v8_names() {
        let name =
            "7 / part of key (Object @8093) -> value (Array @8095) pair in WeakMap (table @8091)";
        assert_eq!(by_hand(name), Some((1, name.len(), 8091)));
        let nested = "12 / part of key (a @1) -> value (b @2) -> value (c @3) pair in WeakMap (table @99999999999999999999999)";
        assert_eq!(by_hand(nested), reference(nested));
        assert_eq!(by_hand(nested).map(|m| m.2), Some(u64::MAX));
        for bad in [
            "/ part of key (a @1) -> value (b @2) pair in WeakMap (table @3)",
            "1 / part of key (a @1) -> value (b @2) pair in WeakMap (table @)",
            "1 / part of key (a @) -> value (b @2) pair in WeakMap (table @3)",
            "1 / part of key (a @1) -> value (b @2) pair in WeakMap (table @3) ",
            "1 / part of key (a\n @1) -> value (b @2) pair in WeakMap (table @3)",
            "1 / part of key (a @1) -> value (b\u{2029} @2) pair in WeakMap (table @3)",
            "1 / part of key (a@1) -> value (b @2) pair in WeakMap (table @3)",
        ] {
            assert_eq!(by_hand(bad), None, "{bad}");
            assert_eq!(reference(bad), None, "{bad}");
        }
    }

    /// Names assembled from the pattern's pieces and near misses, so that most cases come
    /// close to matching.
    fn piece() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "1",
            "42",
            "0",
            " ",
            "@",
            " @",
            " @7",
            "(",
            ")",
            "a",
            "\n",
            "\r",
            "\u{2028}",
            "é",
            " / part of key (",
            ") -> value (",
            ") pair in WeakMap (table @",
            " -> ",
            "table",
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn matches_the_regex(
            lead in "[0-9]{0,3}",
            key in prop::collection::vec(piece(), 0..6),
            value in prop::collection::vec(piece(), 0..6),
            ids in prop::collection::vec("[0-9]{0,2}", 3),
            tail in prop::collection::vec(piece(), 0..2),
        ) {
            let name = format!(
                "{lead} / part of key ({} @{}) -> value ({} @{}) pair in WeakMap (table @{}){}",
                key.concat(), ids[0], value.concat(), ids[1], ids[2], tail.concat()
            );
            prop_assert_eq!(by_hand(&name), reference(&name), "{:?}", name);
            let scrambled: String = [lead.as_str()].into_iter().chain(key.iter().copied()).chain(value.iter().copied()).collect();
            prop_assert_eq!(by_hand(&scrambled), reference(&scrambled));
        }
    }
}
