//! Allocation stacks of one snapshot as DevTools shows them: each object's stack
//! (`HeapSnapshot.allocationStack`) and the top level of the Allocation view
//! (`AllocationProfile.serializeTraceTops`), optionally restricted to some objects. Also the
//! first frame of a stack that is the program's own code, which neither tool names.

use serde::Serialize;

use crate::graph::{Allocations, HeapGraph, NO_TRACE, TraceFunction};
use crate::sources::Generated;

/// One frame: a function and where it is defined (1-based line and column; 0 = unknown,
/// written `null` in JSON), in the original source when the script's source map says where.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Frame {
    pub function: String,
    pub script: String,
    pub script_id: u32,
    #[serde(serialize_with = "known_position")]
    pub line: u32,
    #[serde(serialize_with = "known_position")]
    pub column: u32,
    /// Where V8 saw the function, when the fields above come from a source map.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<Box<Generated>>,
    /// For eval'd code: the function that compiled it, `compile (app.js:12:5)`, when the
    /// leak engine could tell (the snapshot names no script for such code).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_by: Option<String>,
}

impl Frame {
    /// True for a frame of code from `eval` or `new Function`: V8 gives its script an id but
    /// no name.
    pub fn is_eval(&self) -> bool {
        self.script.is_empty() && self.script_id != 0
    }
}

/// A 1-based line or column as JSON writes it: `null` for 0 (unknown), so that every position
/// in a report counts from 1.
fn known_position<S: serde::Serializer>(value: &u32, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        0 => serializer.serialize_none(),
        n => serializer.serialize_u32(*n),
    }
}

/// The frame of tree node `trace`.
pub fn frame(g: &HeapGraph, allocations: &Allocations, trace: u32) -> Frame {
    function_frame(g, allocations.function(trace))
}

/// The frame naming trace function `f`.
pub fn function_frame(g: &HeapGraph, f: &TraceFunction) -> Frame {
    let frame = Frame {
        function: g.strings.get(f.name).to_string(),
        script: g.strings.get(f.script_name).to_string(),
        script_id: f.script_id,
        line: f.line,
        column: f.column,
        generated: None,
        created_by: None,
    };
    mapped(g, frame)
}

/// `frame` at its original place, when its script's source map gives one.
fn mapped(g: &HeapGraph, frame: Frame) -> Frame {
    if frame.line == 0 || frame.column == 0 {
        return frame;
    }
    let Some(original) = g.source_maps.original(
        &frame.script,
        frame.line - 1,
        frame.column - 1,
        &frame.function,
        || {
            g.script_node(&frame.script)
                .map(|s| g.script_facts(s))
                .unwrap_or_default()
        },
    ) else {
        return frame;
    };
    Frame {
        function: original.name.unwrap_or_else(|| frame.function.clone()),
        script: original.source,
        script_id: frame.script_id,
        line: original.line + 1,
        column: original.column + 1,
        generated: Some(Box::new(Generated {
            function: frame.function,
            script: frame.script,
            line: frame.line,
            column: frame.column,
        })),
        created_by: None,
    }
}

/// The stack that allocated `node`, innermost frame first, ending at the tree's root frame;
/// `None` when the snapshot has no allocation traces or the node no trace.
pub fn stack(g: &HeapGraph, node: u32) -> Option<Vec<Frame>> {
    let allocations = g.allocations.as_ref()?;
    let trace = allocations.trace_of(node)?;
    Some(stack_of_trace(g, allocations, trace))
}

/// The frames of the stack ending at tree node `trace`, innermost first.
pub fn stack_of_trace(g: &HeapGraph, allocations: &Allocations, trace: u32) -> Vec<Frame> {
    allocations
        .frames(trace)
        .map(|t| frame(g, allocations, t))
        .collect()
}

/// True for a frame of the program's own code: a named script that is neither a Node
/// built-in (`node:…`, `internal/…`) nor under `node_modules`.
pub fn is_user_script(script: &str) -> bool {
    !script.is_empty()
        && !script.starts_with("node:")
        && !script.starts_with("internal/")
        && !script.contains("/node_modules/")
        && !script.contains("\\node_modules\\")
        && !script.starts_with("node_modules/")
}

/// Per tree node: the innermost frame of its stack (itself or a caller) in the program's own
/// code, or [`NO_TRACE`]. One pass, since the tree is in preorder.
pub fn first_user_frames(g: &HeapGraph, allocations: &Allocations) -> Vec<u32> {
    let user_function: Vec<bool> = allocations
        .functions
        .iter()
        .map(|f| is_user_script(g.strings.get(f.script_name)))
        .collect();
    let mut first = vec![NO_TRACE; allocations.tree.len()];
    for (t, node) in allocations.tree.iter().enumerate() {
        first[t] = if user_function[node.function as usize] {
            t as u32
        } else if node.parent != NO_TRACE {
            first[node.parent as usize]
        } else {
            NO_TRACE
        };
    }
    first
}

/// A row of the Allocation view: one function as the innermost frame of allocations.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllocationTop {
    #[serde(flatten)]
    pub frame: Frame,
    /// Every allocation V8 recorded with this function innermost, and their bytes.
    pub count: u64,
    pub size: u64,
    /// The objects among them alive in this snapshot (of those counted), and their bytes.
    pub live_count: u64,
    pub live_size: u64,
    /// Index of the function in the snapshot's trace functions.
    #[serde(skip)]
    pub function: u32,
}

/// DevTools' Allocation view, top level (live sizes are DevTools' shallow sizes, `self_size`): per function, the trace nodes that allocated
/// (`count > 0`) summed, with the live objects of `counted` (all nodes when `None`); sorted by
/// allocated bytes, ties in function order. A function with allocations is listed even when
/// none of them is alive, except with `counted`, where only functions with live objects are.
pub fn allocation_tops(
    g: &HeapGraph,
    self_size: &[u32],
    counted: Option<&[u32]>,
) -> Vec<AllocationTop> {
    let Some(allocations) = g.allocations.as_ref() else {
        return Vec::new();
    };
    let mut live = vec![(0u64, 0u64); allocations.tree.len()];
    let mut add = |v: u32| {
        if let Some(t) = allocations.trace_of(v) {
            let entry = &mut live[t as usize];
            entry.0 += 1;
            entry.1 += self_size[v as usize] as u64;
        }
    };
    match counted {
        Some(nodes) => nodes.iter().for_each(|&v| add(v)),
        None => (0..g.node_count() as u32).for_each(add),
    }
    let mut totals = vec![(0u64, 0u64, 0u64, 0u64); allocations.functions.len()];
    for (t, node) in allocations.tree.iter().enumerate() {
        if node.count == 0 {
            continue;
        }
        let entry = &mut totals[node.function as usize];
        entry.0 += node.count as u64;
        entry.1 += node.size;
        entry.2 += live[t].0;
        entry.3 += live[t].1;
    }
    let mut tops: Vec<AllocationTop> = totals
        .iter()
        .enumerate()
        .filter(|(_, t)| t.0 > 0 && (counted.is_none() || t.2 > 0))
        .map(|(i, &(count, size, live_count, live_size))| AllocationTop {
            frame: function_frame(g, &allocations.functions[i]),
            count,
            size,
            live_count,
            live_size,
            function: i as u32,
        })
        .collect();
    if counted.is_some() {
        tops.sort_by(|a, b| {
            b.live_size
                .cmp(&a.live_size)
                .then(a.function.cmp(&b.function))
        });
    } else {
        tops.sort_by_key(|t| std::cmp::Reverse(t.size));
    }
    tops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_scripts_are_neither_built_in_nor_dependencies() {
        assert!(is_user_script("/srv/app/handlers/order.js"));
        assert!(is_user_script("file:///srv/app/main.mjs"));
        assert!(!is_user_script(""));
        assert!(!is_user_script("node:internal/main/run_main_module"));
        assert!(!is_user_script("internal/bootstrap/node"));
        assert!(!is_user_script("/srv/app/node_modules/ajv/dist/core.js"));
        assert!(!is_user_script("C:\\app\\node_modules\\ajv\\dist\\core.js"));
    }
}
