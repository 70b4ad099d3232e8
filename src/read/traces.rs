//! The allocation-trace sections: `trace_function_infos` (flat), `trace_tree` (nested arrays,
//! read iteratively so a deep call tree cannot overflow the stack) and `samples` (timestamps can
//! exceed 32 bits). They are small next to `nodes` and `edges`, so they are read on one thread.

use super::meta::TraceLayout;
use super::scan::Scanner;
use crate::error::{Error, Result};
use crate::graph::{NO_TRACE, Sample, TraceFunction, TraceNode};

/// How deep the call tree may nest before the input is called hostile.
const MAX_TREE_DEPTH: usize = 1_000_000;
/// More fields per trace node than any V8 writes.
const MAX_TREE_FIELDS: usize = 16;

/// Reads a flat array of non-negative integers, a whole number of `fields`-value records.
fn flat(s: &mut Scanner<'_>, fields: usize, what: &str) -> Result<Vec<u64>> {
    let context = format!("in the {what} array");
    s.expect(b'[', &context)?;
    let mut values = Vec::new();
    if s.peek(&context)? == b']' {
        s.expect(b']', &context)?;
    } else {
        loop {
            values.push(s.unsigned(&context)?);
            match s.peek(&context)? {
                b',' => s.expect(b',', &context)?,
                _ => {
                    s.expect(b']', &context)?;
                    break;
                }
            }
        }
    }
    if fields == 0 || !values.len().is_multiple_of(fields) {
        return Err(Error::invalid(format!(
            "the {what} array holds {} numbers, not a multiple of its {fields} fields",
            values.len()
        )));
    }
    Ok(values)
}

fn to_u32(value: u64, what: &str) -> Result<u32> {
    u32::try_from(value).map_err(|_| Error::invalid(format!("{what} {value} does not fit 32 bits")))
}

/// `trace_function_infos`.
pub(super) fn read_functions(s: &mut Scanner<'_>, l: &TraceLayout) -> Result<Vec<TraceFunction>> {
    let values = flat(s, l.function_fields, "trace_function_infos")?;
    values
        .chunks_exact(l.function_fields)
        .map(|r| {
            Ok(TraceFunction {
                name: to_u32(r[l.function_name], "a trace function's name")?,
                script_name: to_u32(r[l.script_name], "a trace function's script name")?,
                script_id: to_u32(r[l.script_id], "a trace function's script id")?,
                line: to_u32(r[l.line], "a trace function's line")?,
                column: to_u32(r[l.column], "a trace function's column")?,
            })
        })
        .collect()
}

/// `samples`, when the meta declares sample fields.
pub(super) fn read_samples(s: &mut Scanner<'_>, l: &TraceLayout) -> Result<Vec<Sample>> {
    let Some((timestamp, last_id, fields)) = l.samples else {
        s.skip_value("in the samples array")?;
        return Ok(Vec::new());
    };
    let values = flat(s, fields, "samples")?;
    values
        .chunks_exact(fields)
        .map(|r| {
            Ok(Sample {
                timestamp_us: r[timestamp],
                last_assigned_id: to_u32(r[last_id], "a sample's last_assigned_id")?,
            })
        })
        .collect()
}

/// One open array of the call tree: the tree node its records are children of, and the
/// fields read so far of the record being read.
struct Level {
    parent: u32,
    field: usize,
    values: [u64; MAX_TREE_FIELDS],
}

impl Level {
    fn new(parent: u32) -> Level {
        Level {
            parent,
            field: 0,
            values: [0; MAX_TREE_FIELDS],
        }
    }
}

/// What the call-tree reader expects next.
#[derive(Clone, Copy)]
enum Next {
    /// Right after `[`: a value or the end of the array.
    ValueOrEnd,
    /// After `,`.
    Value,
    /// After a value.
    CommaOrEnd,
}

/// `trace_tree`: nested `[id, function_info_index, count, size, [children…]]` records, in
/// preorder. `children` is the last field (the layout checks it).
pub(super) fn read_tree(s: &mut Scanner<'_>, l: &TraceLayout) -> Result<Vec<TraceNode>> {
    let context = "in the trace_tree array";
    let fields = l.node_fields;
    if fields > MAX_TREE_FIELDS {
        return Err(Error::invalid(format!(
            "meta.trace_node_fields lists {fields} fields"
        )));
    }
    let children = fields - 1;
    let mut tree: Vec<TraceNode> = Vec::new();
    s.expect(b'[', context)?;
    let mut levels = vec![Level::new(NO_TRACE)];
    let mut next = Next::ValueOrEnd;
    while let Some(level) = levels.last_mut() {
        let b = s.peek(context)?;
        match next {
            Next::ValueOrEnd | Next::CommaOrEnd if b == b']' => {
                if level.field != 0 {
                    return Err(Error::syntax(s.pos(), "a trace_tree record is cut short"));
                }
                s.expect(b']', context)?;
                levels.pop();
                // The closed array was its record's last field (`children`).
                if let Some(up) = levels.last_mut() {
                    up.field = 0;
                }
                next = Next::CommaOrEnd;
            }
            Next::CommaOrEnd => {
                s.expect(b',', context)?;
                next = Next::Value;
            }
            Next::ValueOrEnd | Next::Value if level.field == children => {
                s.expect(b'[', context)?;
                let v = &level.values;
                let index = u32::try_from(tree.len())
                    .ok()
                    .filter(|&i| i != NO_TRACE)
                    .ok_or_else(|| Error::too_large("more than 2^32 trace nodes"))?;
                tree.push(TraceNode {
                    id: to_u32(v[l.node_id], "a trace node's id")?,
                    function: to_u32(v[l.node_function], "a trace node's function_info_index")?,
                    parent: level.parent,
                    count: to_u32(v[l.node_count], "a trace node's count")?,
                    size: v[l.node_size],
                });
                if levels.len() >= MAX_TREE_DEPTH {
                    return Err(Error::syntax(s.pos(), "trace_tree nested too deeply"));
                }
                levels.push(Level::new(index));
                next = Next::ValueOrEnd;
            }
            Next::ValueOrEnd | Next::Value => {
                level.values[level.field] = s.unsigned(context)?;
                level.field += 1;
                next = Next::CommaOrEnd;
            }
        }
    }
    Ok(tree)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> TraceLayout {
        TraceLayout {
            function_fields: 6,
            function_name: 1,
            script_name: 2,
            script_id: 3,
            line: 4,
            column: 5,
            node_fields: 5,
            node_id: 0,
            node_function: 1,
            node_count: 2,
            node_size: 3,
            samples: Some((0, 1, 2)),
        }
    }

    fn tree(text: &str) -> Result<Vec<TraceNode>> {
        read_tree(&mut Scanner::new(text.as_bytes()), &layout())
    }

    #[test]
    fn the_nested_tree_reads_in_preorder_with_parents() {
        let t = tree("[1,0,0,0,[2,1,5,40,[],3,2,1,8,[ 4 ,3,2,16,[]]]]").unwrap();
        let got: Vec<(u32, u32, u32, u32, u64)> = t
            .iter()
            .map(|n| (n.id, n.function, n.parent, n.count, n.size))
            .collect();
        assert_eq!(
            got,
            [
                (1, 0, NO_TRACE, 0, 0),
                (2, 1, 0, 5, 40),
                (3, 2, 0, 1, 8),
                (4, 3, 2, 2, 16)
            ]
        );
        assert!(tree("[]").unwrap().is_empty());
    }

    #[test]
    fn malformed_trees_are_errors_not_panics() {
        for bad in [
            "[1,0,0,0]",
            "[1,0,0,[]]",
            "[1,0,0,0,[],]",
            "[1,0,0,0,[]",
            "[1,0,-1,0,[]]",
            "[1,0,0,0,[2]]",
            "[1,0,0,0,[[]]]",
            "[1,0,0,0,[]",
            "[1.5,0,0,0,[]]",
            "[,]",
            "",
        ] {
            assert!(tree(bad).is_err(), "{bad:?} was accepted");
        }
        let deep = "[1,0,0,0,".repeat(2000) + "[]" + &"]".repeat(2001);
        assert_eq!(tree(&deep).unwrap().len(), 2000);
    }

    #[test]
    fn samples_keep_64_bit_timestamps() {
        let mut s = Scanner::new(b"[5000000000,7,5000000001,9]");
        let samples = read_samples(&mut s, &layout()).unwrap();
        assert_eq!(samples[0].timestamp_us, 5_000_000_000);
        assert_eq!(samples[1].last_assigned_id, 9);
        let mut s = Scanner::new(b"[1,2,3]");
        assert!(read_samples(&mut s, &layout()).is_err());
    }
}
