//! Lockstep growth: classes whose new-object counts stand in small integer ratios (1:1, 1:2,
//! 1:1:2:2 …) and that hang from the same old objects were most likely allocated together, by
//! one call site, once per operation.

use crate::analysis::Analysis;
use crate::analysis::summary::ClassRow;

/// A group of classes growing together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lockstep {
    /// How many operations: the smallest member count divided by its multiple.
    pub unit: u64,
    /// (class name, count, objects per operation), largest count first.
    pub members: Vec<(String, u64, u64)>,
}

/// A class as lockstep sees it: its name, count of new objects, and the old objects they hang
/// from (nearest old dominators holding a tenth or more of them), the one holding most first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub name: String,
    pub count: u64,
    pub anchors: Vec<u32>,
}

/// Classes with fewer new objects than this are not considered.
pub const MIN_COUNT: u64 = 20;
/// Largest multiple of the unit a member may have.
const MAX_MULTIPLE: u64 = 4;

/// Is `count` within 2% of the unit (at least 1) of `k * unit`?
fn near(count: u64, k: u64, unit: u64) -> bool {
    let slack = (unit / 50).max(1);
    count.abs_diff(k * unit) <= slack
}

/// Groups classes whose counts are near multiples 1..=4 of a common unit and that share an
/// anchor with the group's first single-multiple member. Each class joins at most one group;
/// groups need two classes. Smaller units are tried first, so that a class twice as frequent
/// joins its partner's group rather than forming its own.
pub fn lockstep(classes: &[Candidate]) -> Vec<Lockstep> {
    let mut candidates: Vec<&Candidate> = classes.iter().filter(|c| c.count >= MIN_COUNT).collect();
    candidates.sort_by(|x, y| y.count.cmp(&x.count).then_with(|| x.name.cmp(&y.name)));
    let mut taken = vec![false; candidates.len()];
    let mut groups = Vec::new();
    let mut units: Vec<u64> = candidates.iter().map(|c| c.count).collect();
    units.sort_unstable();
    units.dedup();
    for unit in units {
        let near_unit: Vec<(usize, u64)> = candidates
            .iter()
            .enumerate()
            .filter(|(i, _)| !taken[*i])
            .filter_map(|(i, c)| {
                (1..=MAX_MULTIPLE)
                    .find(|&k| near(c.count, k, unit))
                    .map(|k| (i, k))
            })
            .collect();
        let Some(&(seed, _)) = near_unit.iter().find(|(_, k)| *k == 1) else {
            continue;
        };
        let seed = candidates[seed];
        let mut members = Vec::new();
        let mut used = Vec::new();
        for (i, k) in near_unit {
            let c = candidates[i];
            if c.anchors.first().is_some_and(|x| seed.anchors.contains(x))
                && seed.anchors.first().is_some_and(|x| c.anchors.contains(x))
            {
                members.push((c.name.clone(), c.count, k));
                used.push(i);
            }
        }
        if members.len() >= 2 && members.iter().any(|m| m.2 == 1) {
            for i in used {
                taken[i] = true;
            }
            groups.push(Lockstep { unit, members });
        }
    }
    groups
}

/// A class's anchors hold at least this share of its new objects (1/10).
const ANCHOR_SHARE: u64 = 10;

/// Per node, the old object (not in `is_new`) nearest above it in the dominator tree: an
/// anchor for [`candidates`] when no holders were computed.
pub fn dominator_anchors(a: &Analysis, is_new: impl Fn(u32) -> bool) -> Vec<u32> {
    let idom = &a.dominators.idom;
    let mut anchor = vec![u32::MAX; a.graph.node_count()];
    for &v in &a.dominators.preorder {
        let parent = idom[v as usize];
        anchor[v as usize] = if parent == v || !is_new(parent) {
            parent
        } else {
            anchor[parent as usize]
        };
    }
    anchor
}

/// The lockstep candidates of the new objects' class rows: for each, the anchors (per node:
/// the old object it hangs from, `u32::MAX` for none) that hold a tenth or more of them.
pub fn candidates(rows: &[ClassRow], anchor: &[u32]) -> Vec<Candidate> {
    rows.iter()
        .filter(|r| r.count >= MIN_COUNT)
        .map(|r| Candidate {
            name: r.name.clone(),
            count: r.count,
            anchors: frequent_anchors(r.nodes.iter().map(|&v| anchor[v as usize]), r.count),
        })
        .collect()
}

/// The anchors (not `u32::MAX`) that a tenth or more of `count` nodes share, most shared
/// first. Misra–Gries with ten counters keeps every value more frequent than 1/11 in bounded
/// memory; a second pass counts those exactly.
fn frequent_anchors(anchors: impl Iterator<Item = u32> + Clone, count: u64) -> Vec<u32> {
    let k = ANCHOR_SHARE as usize;
    let mut counters: Vec<(u32, u64)> = Vec::with_capacity(k);
    for a in anchors.clone().filter(|&a| a != u32::MAX) {
        if let Some(c) = counters.iter_mut().find(|c| c.0 == a) {
            c.1 += 1;
        } else if counters.len() < k {
            counters.push((a, 1));
        } else {
            for c in &mut counters {
                c.1 -= 1;
            }
            counters.retain(|c| c.1 > 0);
        }
    }
    for c in &mut counters {
        c.1 = 0;
    }
    for a in anchors {
        if let Some(c) = counters.iter_mut().find(|c| c.0 == a) {
            c.1 += 1;
        }
    }
    counters.retain(|&(_, c)| c * ANCHOR_SHARE >= count);
    counters.sort_unstable_by_key(|&(v, c)| (std::cmp::Reverse(c), v));
    counters.into_iter().map(|(v, _)| v).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Candidates that all hang from one old object.
    fn named(list: &[(&str, u64)]) -> Vec<Candidate> {
        list.iter()
            .map(|(n, c)| Candidate {
                name: n.to_string(),
                count: *c,
                anchors: vec![7],
            })
            .collect()
    }

    #[test]
    fn finds_the_ajv_signature() {
        // SchemaEnv : run closure : Name : _Code ≈ 1 : 1 : 2 : 2, plus unrelated classes.
        let groups = lockstep(&named(&[
            ("SchemaEnv", 9693),
            ("Function", 9809),
            ("Name", 19_400),
            ("_Code", 19_390),
            ("Buffer", 7),
            ("Session", 5000),
        ]));
        assert_eq!(groups.len(), 1);
        let names: Vec<&str> = groups[0].members.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(names, ["Name", "_Code", "Function", "SchemaEnv"]);
        assert_eq!(groups[0].members[0].2, 2);
        assert_eq!(groups[0].unit, 9693);
    }

    #[test]
    fn classes_held_apart_are_not_grouped() {
        // 50 cache keys and 100 buffers: counts 1:2, but held by different objects.
        let mut list = named(&[("{key}", 50), ("Buffer", 100), ("ArrayBuffer", 100)]);
        list[0].anchors = vec![3];
        let groups = lockstep(&list);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].unit, 100);
        let names: Vec<&str> = groups[0].members.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(names, ["ArrayBuffer", "Buffer"]);
    }

    #[test]
    fn frequent_anchors_are_those_of_a_tenth_or_more() {
        // 7 holds half, 9 a fifth, 3..33 one each (none a tenth), u32::MAX is no anchor.
        let mut list: Vec<u32> = vec![7; 50];
        list.extend([9; 20]);
        list.extend(3..33);
        list.extend([u32::MAX; 5]);
        assert_eq!(frequent_anchors(list.iter().copied(), 100), [7, 9]);
        // Against a brute-force count on pseudo-random lists.
        let mut seed = 12345u64;
        for _ in 0..200 {
            let n = (seed % 300) as usize + 1;
            let list: Vec<u32> = (0..n)
                .map(|_| {
                    seed = seed
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    ((seed >> 33) % 12) as u32
                })
                .collect();
            let mut exact: Vec<(u32, u64)> = (0..12)
                .map(|a| (a, list.iter().filter(|&&x| x == a).count() as u64))
                .filter(|&(_, c)| c * 10 >= n as u64)
                .collect();
            exact.sort_unstable_by_key(|&(v, c)| (std::cmp::Reverse(c), v));
            let expected: Vec<u32> = exact.into_iter().map(|(v, _)| v).collect();
            assert_eq!(frequent_anchors(list.iter().copied(), n as u64), expected);
        }
    }

    #[test]
    fn unrelated_counts_form_no_group() {
        assert!(lockstep(&named(&[("A", 100), ("B", 37), ("C", 1000)])).is_empty());
    }
}
