//! Allocation stacks, which V8 records when allocation tracking is on (`node
//! --track-heap-objects`, DevTools' allocation timeline): a tree of call stacks (`trace_tree`)
//! whose frames name functions (`trace_function_infos`), each heap node's `trace_node_id` (the
//! innermost frame that allocated it) and the timeline's `samples`.

use rustc_hash::FxHashMap;

use crate::error::{Error, Result};

/// No trace node: the object was allocated before tracking started, or by the runtime itself.
pub const NO_TRACE: u32 = u32::MAX;

/// One function a stack frame can name. Line and column are 1-based; 0 means unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TraceFunction {
    /// String indices of the function's and its script's names.
    pub name: u32,
    pub script_name: u32,
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

/// A node of the call-stack tree: one function called from its parent's stack.
#[derive(Debug, Clone, Copy)]
pub struct TraceNode {
    pub id: u32,
    /// Index into [`Allocations::functions`].
    pub function: u32,
    /// Index of the caller's node in [`Allocations::tree`], or [`NO_TRACE`] for the root.
    pub parent: u32,
    /// Every allocation V8 saw with this stack (live or not) and their bytes.
    pub count: u32,
    pub size: u64,
}

/// A timeline sample: the last object id assigned at that moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    pub timestamp_us: u64,
    pub last_assigned_id: u32,
}

/// The allocation-trace sections as read, before they are checked against the nodes.
#[derive(Debug, Default)]
pub struct RawTraces {
    pub functions: Vec<TraceFunction>,
    pub tree: Vec<TraceNode>,
    pub samples: Vec<Sample>,
    /// Each heap node's `trace_node_id` as written (0 = none).
    pub node_trace_ids: Vec<u32>,
}

/// A snapshot's allocation stacks, checked: every heap node's trace is an index into `tree`.
#[derive(Debug, Default)]
pub struct Allocations {
    pub functions: Vec<TraceFunction>,
    /// In file (pre-)order: a parent comes before its children.
    pub tree: Vec<TraceNode>,
    pub samples: Vec<Sample>,
    /// Per heap node: the index of its innermost frame in `tree`, or [`NO_TRACE`].
    node_trace: Vec<u32>,
}

/// Trace node ids to tree indices: a table when the ids are dense (V8 numbers them from 1),
/// a hash map otherwise.
enum TraceIndex {
    Dense(Vec<u32>),
    Sparse(FxHashMap<u32, u32>),
}

impl TraceIndex {
    fn of(tree: &[TraceNode]) -> TraceIndex {
        let max = tree.iter().map(|t| t.id).max().unwrap_or(0) as usize;
        if max <= tree.len().saturating_mul(4).saturating_add(1024) {
            let mut table = vec![NO_TRACE; max + 1];
            for (i, t) in tree.iter().enumerate() {
                table[t.id as usize] = i as u32;
            }
            TraceIndex::Dense(table)
        } else {
            let mut map = FxHashMap::default();
            map.reserve(tree.len());
            for (i, t) in tree.iter().enumerate() {
                map.insert(t.id, i as u32);
            }
            TraceIndex::Sparse(map)
        }
    }

    /// The tree index of trace node `id`, or [`NO_TRACE`].
    fn get(&self, id: u32) -> u32 {
        match self {
            TraceIndex::Dense(table) => table.get(id as usize).copied().unwrap_or(NO_TRACE),
            TraceIndex::Sparse(map) => map.get(&id).copied().unwrap_or(NO_TRACE),
        }
    }
}

impl Allocations {
    /// Checks the raw sections and resolves each node's trace id to a tree index. An id the
    /// tree does not hold gives no stack, as in DevTools (whose stack for it is empty).
    pub fn build(raw: RawTraces, node_count: usize, strings: usize) -> Result<Allocations> {
        for (i, f) in raw.functions.iter().enumerate() {
            for (what, index) in [("name", f.name), ("script name", f.script_name)] {
                if index as usize >= strings {
                    return Err(Error::invalid(format!(
                        "trace function {i} has {what} string {index}, but there are {strings} strings"
                    )));
                }
            }
        }
        for t in &raw.tree {
            if t.function as usize >= raw.functions.len() {
                return Err(Error::invalid(format!(
                    "trace node {} names function {}, but there are {} trace functions",
                    t.id,
                    t.function,
                    raw.functions.len()
                )));
            }
        }
        let mut node_trace = raw.node_trace_ids;
        if node_trace.len() != node_count {
            node_trace = vec![0; node_count];
        }
        let index_of = TraceIndex::of(&raw.tree);
        {
            use rayon::prelude::*;
            node_trace.par_iter_mut().for_each(|id| {
                *id = match *id {
                    0 => NO_TRACE,
                    raw_id => index_of.get(raw_id),
                };
            });
        }
        Ok(Allocations {
            functions: raw.functions,
            tree: raw.tree,
            samples: raw.samples,
            node_trace,
        })
    }

    /// The innermost frame (a tree index) that allocated heap node `node`.
    pub fn trace_of(&self, node: u32) -> Option<u32> {
        match self.node_trace.get(node as usize) {
            Some(&t) if t != NO_TRACE => Some(t),
            _ => None,
        }
    }

    /// The frames of the stack ending at tree node `trace`, innermost first, down to the
    /// tree's root (DevTools' `serializeAllocationStack`).
    pub fn frames(&self, trace: u32) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(Some(trace).filter(|&t| t != NO_TRACE), |&t| {
            Some(self.tree[t as usize].parent).filter(|&p| p != NO_TRACE)
        })
    }

    /// The function of tree node `trace`.
    pub fn function(&self, trace: u32) -> &TraceFunction {
        &self.functions[self.tree[trace as usize].function as usize]
    }

    /// How many heap nodes have a stack.
    pub fn traced_nodes(&self) -> usize {
        self.node_trace.iter().filter(|&&t| t != NO_TRACE).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(name: u32) -> TraceFunction {
        TraceFunction {
            name,
            script_name: 0,
            script_id: 0,
            line: 0,
            column: 0,
        }
    }

    fn node(id: u32, function: u32, parent: u32) -> TraceNode {
        TraceNode {
            id,
            function,
            parent,
            count: 1,
            size: 8,
        }
    }

    #[test]
    fn stacks_run_from_the_allocating_frame_to_the_root() {
        let raw = RawTraces {
            functions: vec![function(0), function(1), function(2)],
            tree: vec![node(1, 0, NO_TRACE), node(5, 1, 0), node(9, 2, 1)],
            samples: Vec::new(),
            node_trace_ids: vec![0, 9, 5, 77],
        };
        let a = Allocations::build(raw, 4, 3).unwrap();
        assert_eq!(a.trace_of(0), None);
        assert_eq!(
            a.frames(a.trace_of(1).unwrap()).collect::<Vec<_>>(),
            [2, 1, 0]
        );
        assert_eq!(a.frames(a.trace_of(2).unwrap()).collect::<Vec<_>>(), [1, 0]);
        assert_eq!(a.trace_of(3), None, "an id the tree lacks has no stack");
        assert_eq!(a.traced_nodes(), 2);
    }

    #[test]
    fn bad_cross_references_are_errors() {
        let raw = RawTraces {
            functions: vec![function(7)],
            ..RawTraces::default()
        };
        assert!(Allocations::build(raw, 0, 3).is_err());
        let raw = RawTraces {
            functions: vec![function(0)],
            tree: vec![node(1, 4, NO_TRACE)],
            ..RawTraces::default()
        };
        assert!(Allocations::build(raw, 0, 3).is_err());
    }
}
