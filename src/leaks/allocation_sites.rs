//! New objects grouped by allocation site (`--group-by stack`): DevTools' Allocation view
//! restricted to the objects allocated between two snapshots, each row with the function of
//! the program's own code its allocations mostly came through and the classes it allocated.

use rustc_hash::FxHashMap;

use crate::analysis::Analysis;
use crate::analysis::stacks::{
    AllocationTop, Frame, allocation_tops, first_user_frames, function_frame,
};
use crate::graph::NO_TRACE;
use crate::leaks::clusters::SiteResolver;

/// Most classes named per site.
const MAX_CLASSES: usize = 3;

/// One function as the innermost frame of new objects' allocations.
#[derive(Debug, Clone)]
pub struct AllocationSite {
    /// Its Allocation-view row: `live_count` and `live_size` count the new objects only.
    pub top: AllocationTop,
    /// The innermost function of the program's own code on most of these allocations'
    /// stacks, and how many of the objects have it there.
    pub allocated_by: Option<(Frame, u64)>,
    /// The commonest classes among the objects, with counts.
    pub classes: Vec<(String, u64)>,
}

/// New objects by allocation site, and how many have no stack.
#[derive(Debug, Clone, Default)]
pub struct AllocationSites {
    /// Most bytes first.
    pub sites: Vec<AllocationSite>,
    /// Objects without an allocation stack (allocated before tracking started, or by the
    /// engine), which no site counts.
    pub untraced: u64,
}

/// The allocation sites of `nodes` (new objects); empty without stacks.
pub fn allocation_sites(a: &Analysis, nodes: &[u32]) -> AllocationSites {
    let g = &a.graph;
    let Some(allocations) = g.allocations.as_ref() else {
        return AllocationSites {
            sites: Vec::new(),
            untraced: nodes.len() as u64,
        };
    };
    let mut untraced = 0;
    let mut eval_origins = SiteResolver::new(g, &a.retainers);
    let first_user = first_user_frames(g, allocations);
    // Per innermost function: (user-code function → objects), (class → objects, one of them).
    type Tally = (FxHashMap<u32, u64>, FxHashMap<u32, (u64, u32)>);
    let mut tallies: FxHashMap<u32, Tally> = FxHashMap::default();
    for &v in nodes {
        let Some(t) = allocations.trace_of(v) else {
            untraced += 1;
            continue;
        };
        let (users, classes) = tallies
            .entry(allocations.tree[t as usize].function)
            .or_default();
        let user = first_user[t as usize];
        if user != NO_TRACE {
            *users
                .entry(allocations.tree[user as usize].function)
                .or_default() += 1;
        }
        classes
            .entry(a.classes.of_node[v as usize])
            .or_insert((0, v))
            .0 += 1;
    }
    let sites = allocation_tops(g, &a.self_size, Some(nodes))
        .into_iter()
        .map(|mut top| {
            top.frame = eval_origins.with_eval_origin(top.frame);
            let (users, classes) = tallies.remove(&top.function).unwrap_or_default();
            let allocated_by = users
                .into_iter()
                .max_by(|x, y| x.1.cmp(&y.1).then(y.0.cmp(&x.0)))
                .map(|(f, n)| (function_frame(g, &allocations.functions[f as usize]), n));
            let mut classes: Vec<(String, u64)> = classes
                .into_values()
                .map(|(n, example)| (a.classes.class_name(g, example).to_string(), n))
                .collect();
            classes.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
            classes.truncate(MAX_CLASSES);
            AllocationSite {
                top,
                allocated_by,
                classes,
            }
        })
        .collect();
    AllocationSites { sites, untraced }
}

/// DevTools' Allocation view of one snapshot ([`allocation_tops`]), frames of eval'd code
/// naming the function that compiled it, and how many of its objects have no stack.
pub fn allocation_view(a: &Analysis) -> (Vec<AllocationTop>, u64) {
    let g = &a.graph;
    let mut eval_origins = SiteResolver::new(g, &a.retainers);
    let tops = allocation_tops(g, &a.self_size, None)
        .into_iter()
        .map(|mut top| {
            top.frame = eval_origins.with_eval_origin(top.frame);
            top
        })
        .collect();
    let traced = g.allocations.as_ref().map_or(0, |al| al.traced_nodes());
    (tops, g.node_count().saturating_sub(traced) as u64)
}
