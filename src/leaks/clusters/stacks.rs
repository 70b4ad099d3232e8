//! Where a cluster's members were allocated, when the snapshot has allocation stacks: their
//! most common stacks, and the function of the program's own code (outside `node_modules` and
//! Node's internals) that most of them were allocated under: the request handler that calls a
//! library, not the library's internals.
//!
//! Stacks are grouped with eval'd code folded: every `new Function` gets a script of its own,
//! so the validators one compiler makes (`validate10` in script 2285, `validate12` in 2290)
//! are one frame when their normalised name, line and column agree.

use rustc_hash::FxHashMap;

use crate::analysis::Analysis;
use crate::analysis::stacks::{Frame, first_user_frames, function_frame, stack_of_trace};
use crate::graph::{Allocations, NO_TRACE};

use super::sites::{SiteResolver, normalise_function_name};

/// Most stacks kept per cluster; the rest are counted.
const MAX_STACKS: usize = 10;

/// Members allocated with one stack.
#[derive(Debug, Clone)]
pub struct StackShare {
    /// Innermost frame first, down to the tree's root: those of the commonest recorded stack
    /// of the group.
    pub frames: Vec<Frame>,
    pub count: u64,
    /// The members' shallow sizes.
    pub size: u64,
    /// Recorded stacks grouped here: more than one when they differ only in which eval'd
    /// script ran.
    pub variants: u64,
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

/// A frame as stacks are grouped: eval'd code by its normalised name and place, other code
/// by its trace function.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum FrameKey {
    Function(u32),
    Eval {
        function: String,
        line: u32,
        column: u32,
    },
}

/// Recorded stacks (trace nodes) that group as one, and their members.
#[derive(Debug, Default)]
struct Group {
    count: u64,
    size: u64,
    /// Per trace node: members.
    traces: Vec<(u32, u64)>,
}

/// Looks up members' stacks; built once per snapshot.
pub struct StackResolver<'a> {
    a: &'a Analysis,
    allocations: &'a Allocations,
    first_user: Vec<u32>,
    sites: SiteResolver<'a>,
}

impl<'a> StackResolver<'a> {
    /// `None` when the snapshot has no allocation stacks.
    pub fn new(a: &'a Analysis) -> Option<StackResolver<'a>> {
        let allocations = a.graph.allocations.as_ref()?;
        Some(StackResolver {
            a,
            allocations,
            first_user: first_user_frames(&a.graph, allocations),
            sites: SiteResolver::new(&a.graph, &a.retainers),
        })
    }

    /// The stacks of `members`; `None` when none of them has one.
    pub fn of(&mut self, members: &[u32]) -> Option<ClusterStacks> {
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
        let mut groups = self.grouped(by_trace);
        groups.sort_unstable_by(|x, y| {
            (y.count, y.size)
                .cmp(&(x.count, x.size))
                .then(x.traces[0].0.cmp(&y.traces[0].0))
        });
        let omitted = groups.split_off(groups.len().min(MAX_STACKS));
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
        let stacks = groups
            .into_iter()
            .map(|group| StackShare {
                frames: stack_of_trace(g, self.allocations, group.traces[0].0)
                    .into_iter()
                    .map(|f| self.sites.with_eval_origin(f))
                    .collect(),
                count: group.count,
                size: group.size,
                variants: group.traces.len() as u64,
            })
            .collect();
        Some(ClusterStacks {
            traced,
            stacks,
            omitted_stacks: omitted.len() as u64,
            omitted_count: omitted.iter().map(|s| s.count).sum(),
            allocated_by,
        })
    }

    /// Members' recorded stacks grouped with eval'd code folded; in each group the trace
    /// with the most members (then the lowest) first.
    fn grouped(&self, by_trace: FxHashMap<u32, (u64, u64)>) -> Vec<Group> {
        let mut groups: FxHashMap<Vec<FrameKey>, Group> = FxHashMap::default();
        for (t, (count, size)) in by_trace {
            let group = groups.entry(self.stack_key(t)).or_default();
            group.count += count;
            group.size += size;
            group.traces.push((t, count));
        }
        groups
            .into_values()
            .map(|mut group| {
                group
                    .traces
                    .sort_unstable_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
                group
            })
            .collect()
    }

    /// The frames of the stack ending at tree node `trace` as they are grouped.
    fn stack_key(&self, trace: u32) -> Vec<FrameKey> {
        let g = &self.a.graph;
        self.allocations
            .frames(trace)
            .map(|t| {
                let index = self.allocations.tree[t as usize].function;
                let f = &self.allocations.functions[index as usize];
                if g.strings.get(f.script_name).is_empty() && f.script_id != 0 {
                    FrameKey::Eval {
                        function: normalise_function_name(g.strings.get(f.name)),
                        line: f.line,
                        column: f.column,
                    }
                } else {
                    FrameKey::Function(index)
                }
            })
            .collect()
    }
}
