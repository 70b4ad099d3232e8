//! Where a cluster's members were allocated, when the snapshot has allocation stacks: their
//! most common stacks, and the function of the program's own code (outside `node_modules` and
//! Node's internals) that most of them were allocated under: the request handler that calls a
//! library, not the library's internals.

use rustc_hash::FxHashMap;

use crate::analysis::Analysis;
use crate::analysis::stacks::{Frame, first_user_frames, function_frame, stack_of_trace};
use crate::graph::{Allocations, NO_TRACE};

/// Most stacks kept per cluster; the rest are counted.
const MAX_STACKS: usize = 10;

/// Members allocated with one stack.
#[derive(Debug, Clone)]
pub struct StackShare {
    /// Innermost frame first, down to the tree's root.
    pub frames: Vec<Frame>,
    pub count: u64,
    /// The members' shallow sizes.
    pub size: u64,
}

/// The members' allocation stacks.
#[derive(Debug, Clone)]
pub struct ClusterStacks {
    /// Members that have a stack.
    pub traced: u64,
    /// Most common first (by count, then bytes).
    pub stacks: Vec<StackShare>,
    /// Distinct stacks left out of `stacks`, and their members.
    pub omitted_stacks: u64,
    pub omitted_count: u64,
    /// The innermost user-code function most members' stacks pass through, with how many.
    pub allocated_by: Option<(Frame, u64)>,
}

/// Looks up members' stacks; built once per snapshot.
pub struct StackResolver<'a> {
    a: &'a Analysis,
    allocations: &'a Allocations,
    first_user: Vec<u32>,
}

impl<'a> StackResolver<'a> {
    /// `None` when the snapshot has no allocation stacks.
    pub fn new(a: &'a Analysis) -> Option<StackResolver<'a>> {
        let allocations = a.graph.allocations.as_ref()?;
        Some(StackResolver {
            a,
            allocations,
            first_user: first_user_frames(&a.graph, allocations),
        })
    }

    /// The stacks of `members`; `None` when none of them has one.
    pub fn of(&self, members: &[u32]) -> Option<ClusterStacks> {
        let mut by_trace: FxHashMap<u32, (u64, u64)> = FxHashMap::default();
        let mut by_user_function: FxHashMap<u32, u64> = FxHashMap::default();
        let mut traced = 0;
        for &v in members {
            let Some(t) = self.allocations.trace_of(v) else {
                continue;
            };
            traced += 1;
            let entry = by_trace.entry(t).or_default();
            entry.0 += 1;
            entry.1 += self.a.self_size[v as usize] as u64;
            let user = self.first_user[t as usize];
            if user != NO_TRACE {
                *by_user_function
                    .entry(self.allocations.tree[user as usize].function)
                    .or_default() += 1;
            }
        }
        if traced == 0 {
            return None;
        }
        let mut shares: Vec<(u32, (u64, u64))> = by_trace.into_iter().collect();
        shares.sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        let omitted = shares.split_off(shares.len().min(MAX_STACKS));
        let g = &self.a.graph;
        let allocated_by = by_user_function
            .into_iter()
            .max_by(|x, y| x.1.cmp(&y.1).then(y.0.cmp(&x.0)))
            .map(|(function, count)| {
                (
                    function_frame(g, &self.allocations.functions[function as usize]),
                    count,
                )
            });
        Some(ClusterStacks {
            traced,
            stacks: shares
                .into_iter()
                .map(|(t, (count, size))| StackShare {
                    frames: stack_of_trace(g, self.allocations, t),
                    count,
                    size,
                })
                .collect(),
            omitted_stacks: omitted.len() as u64,
            omitted_count: omitted.iter().map(|s| s.1.0).sum(),
            allocated_by,
        })
    }
}
