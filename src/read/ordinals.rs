//! From the file's field indices to node ordinals: edge targets, the root, the objects of
//! `locations` records, each checked to name a node.

use super::meta::{self, Meta};
use crate::error::{Error, Result};
use crate::graph::{Location, Locations, RawGraph};

/// Checks the header's counts against the arrays and converts edge targets to ordinals.
pub(super) fn check_counts(meta: &Meta, raw: &mut RawGraph) -> Result<()> {
    let nodes = raw.node_type.len();
    if let Some(claimed) = meta.node_count
        && claimed != nodes as u64
    {
        return Err(Error::invalid(format!(
            "snapshot.node_count is {claimed}, but the nodes array holds {nodes} nodes"
        )));
    }
    let edges = raw.edge_type.len();
    if let Some(claimed) = meta.edge_count
        && claimed != edges as u64
    {
        return Err(Error::invalid(format!(
            "snapshot.edge_count is {claimed}, but the edges array holds {edges} edges"
        )));
    }
    let fields = meta.node.field_count as u32;
    let first_bad = match fields {
        6 => to_node_ordinals::<6>(&mut raw.edge_to, nodes),
        7 => to_node_ordinals::<7>(&mut raw.edge_to, nodes),
        _ => to_node_ordinals_by(&mut raw.edge_to, nodes, fields),
    };
    if let Some((e, to)) = first_bad {
        return Err(Error::invalid(format!(
            "edge {e} points at node index {to}, which is not a node \
             (must be a multiple of {fields} below {})",
            nodes as u64 * fields as u64
        )));
    }
    Ok(())
}

/// Edges per parallel block of [`to_node_ordinals_by`].
const TO_NODE_BLOCK: usize = 1 << 16;

/// [`to_node_ordinals_by`] with the node field count known at compile time (every V8 writes
/// 6 or 7), so that the division is a multiplication.
fn to_node_ordinals<const FIELDS: u32>(edge_to: &mut [u32], nodes: usize) -> Option<(usize, u32)> {
    to_node_ordinals_by(edge_to, nodes, FIELDS)
}

/// Turns the edges' `to_node` field indices into node ordinals in parallel blocks; on failure,
/// the first edge (ordinal and value) whose index is not a node's.
#[inline(always)]
fn to_node_ordinals_by(edge_to: &mut [u32], nodes: usize, fields: u32) -> Option<(usize, u32)> {
    use rayon::prelude::*;
    edge_to
        .par_chunks_mut(TO_NODE_BLOCK)
        .enumerate()
        .filter_map(|(block, chunk)| {
            for (i, to) in chunk.iter_mut().enumerate() {
                if *to % fields != 0 || (*to / fields) as usize >= nodes {
                    return Some((block * TO_NODE_BLOCK + i, *to));
                }
                *to /= fields;
            }
            None
        })
        .min_by_key(|&(e, _)| e)
}

pub(super) fn resolve_node_index(index: u64, meta: &Meta, nodes: usize, what: &str) -> Result<u32> {
    let fields = meta.node.field_count as u64;
    if !index.is_multiple_of(fields) || index / fields >= nodes as u64 {
        return Err(Error::invalid(format!(
            "{what} {index} is not the index of a node"
        )));
    }
    Ok((index / fields) as u32)
}

pub(super) fn resolve_locations(
    flat: &[u32],
    layout: &meta::LocationLayout,
    meta: &Meta,
    nodes: usize,
) -> Result<Locations> {
    let mut records = Vec::with_capacity(flat.len() / layout.field_count);
    for record in flat.chunks_exact(layout.field_count) {
        let node = resolve_node_index(
            record[layout.object_index] as u64,
            meta,
            nodes,
            "a location's object_index",
        )?;
        records.push((
            node,
            Location {
                script_id: record[layout.script_id],
                line: record[layout.line],
                column: record[layout.column],
            },
        ));
    }
    Ok(Locations::new(nodes, records))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Field indices of `n` edges pointing at nodes `0, 1, 2, ...` (mod `nodes`), 7 fields each.
    fn edge_targets(n: usize, nodes: usize) -> Vec<u32> {
        (0..n).map(|e| (e % nodes) as u32 * 7).collect()
    }

    #[test]
    fn edge_targets_become_ordinals() {
        let mut to = edge_targets(3 * TO_NODE_BLOCK + 5, 1000);
        assert_eq!(to_node_ordinals::<7>(&mut to, 1000), None);
        let expected: Vec<u32> = (0..to.len()).map(|e| (e % 1000) as u32).collect();
        assert_eq!(to, expected);
        let mut generic = edge_targets(3 * TO_NODE_BLOCK + 5, 1000);
        assert_eq!(to_node_ordinals_by(&mut generic, 1000, 7), None);
        assert_eq!(generic, expected);
    }

    #[test]
    fn the_first_bad_edge_target_is_reported_whatever_block_finds_one() {
        let mut to = edge_targets(4 * TO_NODE_BLOCK, 1000);
        let first = TO_NODE_BLOCK + 17;
        to[first] = 7 * 1000;
        to[first + 1] = 3;
        to[3 * TO_NODE_BLOCK + 2] = 5;
        assert_eq!(to_node_ordinals::<7>(&mut to, 1000), Some((first, 7000)));
        let mut to = edge_targets(4 * TO_NODE_BLOCK, 1000);
        to[2 * TO_NODE_BLOCK] = 1;
        to[3 * TO_NODE_BLOCK] = 7 * 2000;
        assert_eq!(
            to_node_ordinals_by(&mut to, 1000, 7),
            Some((2 * TO_NODE_BLOCK, 1))
        );
    }
}
