//! Where a holder's gains sit inside it: the dominator-tree path down to where most of them
//! are, with chains (a cycle of hops repeated) folded and counted.

use super::super::clusters::{edge_label, is_internal, named_node};
use crate::analysis::Analysis;

/// Per node: the shallow bytes of the new objects in its dominator subtree that are charged to
/// the same holder as it (a holder's region stops at the persistent objects below it).
pub(super) fn charged_subtrees(a: &Analysis, holder_of: &[u32], first_max_id: u32) -> Vec<u64> {
    let g = &a.graph;
    let idom = &a.dominators.idom;
    let mut sub = vec![0u64; g.node_count()];
    for &v in a.dominators.preorder.iter().rev() {
        let v = v as usize;
        let holder = holder_of[v];
        if holder == u32::MAX {
            continue;
        }
        if g.node_id[v] > first_max_id {
            sub[v] += a.self_size[v] as u64;
        }
        let parent = idom[v] as usize;
        if parent != v
            && holder as usize != v
            && (holder_of[parent] == holder || parent == holder as usize)
        {
            sub[parent] += sub[v];
        }
    }
    sub
}

/// Most hops an inside path takes (a chain of concatenations is folded).
const MAX_INSIDE_HOPS: usize = 10_000;

/// Where a holder's gains sit inside it.
pub(super) struct Inside {
    /// `->currentSession → Session (.previous → Session) ×40`: hops, cycles folded.
    pub full: String,
    /// The same, engine internals left out.
    pub short: String,
    /// How many times the most repeated cycle of hops repeats (1 when none does).
    pub repeats: u64,
}

/// From holder `h` down its dominator subtree, the child that holds most (three fifths or
/// more) of what `h` gained, while there is one: where the growth concentrates inside it.
pub(super) fn inside_path(a: &Analysis, h: u32, holder_of: &[u32], charged: &[u64]) -> Inside {
    let g = &a.graph;
    let (first, children) = &a.dominated;
    let total = charged[h as usize];
    let mut hops = Vec::new();
    let mut visible = Vec::new();
    let mut current = h;
    for _ in 0..MAX_INSIDE_HOPS {
        let range = first[current as usize] as usize..first[current as usize + 1] as usize;
        let best = children[range]
            .iter()
            .copied()
            .filter(|&c| holder_of[c as usize] == h && c != h)
            .max_by_key(|&c| (charged[c as usize], std::cmp::Reverse(c)));
        let Some(next) = best.filter(|&c| total > 0 && charged[c as usize] * 5 >= total * 3) else {
            break;
        };
        let edge = g
            .edges(current)
            .find(|&e| g.edge_to[e] == next && !g.is_edge_type(e, g.edge_types.weak))
            .map_or_else(|| "…".to_string(), |e| edge_label(g, e));
        let node = named_node(a, next);
        if !is_internal(g, next) {
            visible.push((edge.clone(), node.clone()));
        }
        hops.push((edge, node));
        current = next;
    }
    let (full, repeats) = fold_cycles(&hops);
    Inside {
        full: full.join(" "),
        short: fold_cycles(&visible).0.join(" "),
        repeats,
    }
}

/// Longest cycle of hops [`fold_cycles`] folds.
const MAX_CYCLE: usize = 8;

/// Hops rendered `edge → node`, with runs of one repeated hop folded as `edge ×N → node` and
/// runs of a repeated cycle of hops (three times or more) as `(edge → a edge → b) ×N`. Also
/// returns the most times any hop or cycle repeats (1 when none does).
fn fold_cycles(hops: &[(String, String)]) -> (Vec<String>, u64) {
    let hop = |(edge, node): &(String, String)| format!("{edge} → {node}");
    let mut out = Vec::new();
    let mut most = 1;
    let mut i = 0;
    while i < hops.len() {
        // The cycle length that covers the most hops from here (the shortest on a tie).
        let (mut best_len, mut best_times) = (1, 1);
        for len in 1..=MAX_CYCLE.min(hops.len() - i) {
            let cycle = &hops[i..i + len];
            let times = 1
                + (1..)
                    .take_while(|k| hops.get(i + k * len..i + (k + 1) * len) == Some(cycle))
                    .count();
            let enough = if len == 1 { times >= 2 } else { times >= 3 };
            if enough && len * times > best_len * best_times {
                (best_len, best_times) = (len, times);
            }
        }
        most = most.max(best_times as u64);
        if best_times == 1 {
            out.push(hop(&hops[i]));
        } else if best_len == 1 {
            let (edge, node) = &hops[i];
            out.push(format!("{edge} \u{d7}{best_times} → {node}"));
        } else {
            let cycle: Vec<String> = hops[i..i + best_len].iter().map(hop).collect();
            out.push(format!("({}) \u{d7}{best_times}", cycle.join(" ")));
        }
        i += best_len * best_times;
    }
    (out, most)
}

#[cfg(test)]
mod tests {
    use super::fold_cycles;

    fn hops(list: &[&str]) -> Vec<(String, String)> {
        list.iter()
            .map(|h| {
                let (e, n) = h.split_once(' ').unwrap();
                (e.to_string(), n.to_string())
            })
            .collect()
    }

    #[test]
    fn one_repeated_hop_folds_as_before() {
        let (text, most) = fold_cycles(&hops(&["._idleNext T", "._idleNext T", ".x Y"]));
        assert_eq!(text, vec!["._idleNext \u{d7}2 → T", ".x → Y"]);
        assert_eq!(most, 2);
    }

    #[test]
    fn a_cycle_of_hops_folds_when_it_repeats_three_times() {
        let chain = [
            "->current S",
            ".describe F",
            "->previous S",
            ".describe F",
            "->previous S",
            ".describe F",
            "->previous S",
        ];
        let (text, most) = fold_cycles(&hops(&chain));
        assert_eq!(
            text,
            vec!["->current → S", "(.describe → F ->previous → S) \u{d7}3"]
        );
        assert_eq!(most, 3);
        let (twice, most) = fold_cycles(&hops(&chain[..5]));
        assert_eq!(twice.len(), 5);
        assert_eq!(most, 1);
    }
}
