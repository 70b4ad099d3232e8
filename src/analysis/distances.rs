//! Distances from the roots (DevTools' `calculateDistances`): a BFS from the user roots (at
//! distance 1), then a BFS from the root for what is left, where the root counts as
//! [`SYSTEM_DISTANCE`] when user roots exist.

use std::collections::HashSet;

use super::essential::WeakMapNames;
use super::flags;
use crate::graph::HeapGraph;

/// Distance of nodes reached by no BFS.
pub const NO_DISTANCE: i32 = -5;
/// DevTools' `baseSystemDistance`: nodes reachable only through system roots are this far.
pub const SYSTEM_DISTANCE: i32 = 100_000_000;

/// BFS distances per node. Weak edges are not followed, and neither are three kinds of edges
/// that would give misleadingly short paths: a NativeContext's `sloppy_function_map`, most
/// slots of `(map descriptors)` arrays, and the first-seen edge of each WeakMap key/table pair
/// (so a WeakMap value is as far as the farther of its key and table).
pub fn distances<'g>(g: &'g HeapGraph, weak_maps: &WeakMapNames) -> Vec<i32> {
    let n = g.node_count();
    let mut distance = vec![NO_DISTANCE; n];
    let mut pending_pairs: HashSet<&'g str> = HashSet::new();
    let mut queue: Vec<u32> = Vec::with_capacity(n);

    let roots = flags::user_roots(g);
    for &v in &roots {
        distance[v as usize] = 1;
        queue.push(v);
    }
    bfs(g, &mut queue, &mut distance, weak_maps, &mut pending_pairs);

    let root = g.root.0;
    distance[root as usize] = if roots.is_empty() { 0 } else { SYSTEM_DISTANCE };
    queue.clear();
    queue.push(root);
    bfs(g, &mut queue, &mut distance, weak_maps, &mut pending_pairs);
    distance
}

fn bfs<'g>(
    g: &'g HeapGraph,
    queue: &mut Vec<u32>,
    distance: &mut [i32],
    weak_maps: &WeakMapNames,
    pending_pairs: &mut HashSet<&'g str>,
) {
    let mut head = 0;
    while head < queue.len() {
        let v = queue[head];
        head += 1;
        let next = distance[v as usize] + 1;
        for e in g.edges(v) {
            if g.is_edge_type(e, g.edge_types.weak) {
                continue;
            }
            let to = g.edge_to[e];
            if distance[to as usize] != NO_DISTANCE {
                continue;
            }
            if !follow(g, v, e, weak_maps, pending_pairs) {
                continue;
            }
            distance[to as usize] = next;
            queue.push(to);
        }
    }
}

/// DevTools' edge filter for distances (`JSHeapSnapshot.calculateDistances`).
fn follow<'g>(
    g: &'g HeapGraph,
    v: u32,
    e: usize,
    weak_maps: &WeakMapNames,
    pending_pairs: &mut HashSet<&'g str>,
) -> bool {
    let types = &g.node_types;
    if g.is_type(v, types.hidden)
        && g.edge_name(e) == "sloppy_function_map"
        && g.raw_name(v) == "system / NativeContext"
    {
        return false;
    }
    if g.is_type(v, types.array) && g.raw_name(v) == "(map descriptors)" {
        return match js_parse_int(&g.edge_name(e)) {
            Some(index) => index < 2 || index % 3 != 1,
            None => true,
        };
    }
    if g.is_edge_type(e, g.edge_types.internal)
        && let Some(w) = weak_maps.parse(g.edge_name[e])
    {
        // The key's and the table's edge share this text; the first one seen is skipped.
        let pair = &g.strings.get(g.edge_name[e])[w.pair.0..w.pair.1];
        if !pending_pairs.remove(pair) {
            pending_pairs.insert(pair);
            return false;
        }
    }
    true
}

/// JavaScript's `parseInt(s, 10)`: optional whitespace and sign, then the leading digits.
fn js_parse_int(s: &str) -> Option<i64> {
    let t = s.trim_start();
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let end = digits
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(digits.len());
    if end == 0 {
        return None;
    }
    let value: i64 = digits[..end].parse().unwrap_or(i64::MAX);
    Some(if negative { -value } else { value })
}

#[cfg(test)]
mod tests {
    use super::js_parse_int;

    #[test]
    fn parse_int_like_javascript() {
        assert_eq!(js_parse_int("7"), Some(7));
        assert_eq!(js_parse_int(" 12abc"), Some(12));
        assert_eq!(js_parse_int("-3"), Some(-3));
        assert_eq!(js_parse_int("abc"), None);
        assert_eq!(js_parse_int(""), None);
    }
}
