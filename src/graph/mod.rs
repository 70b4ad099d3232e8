//! The heap graph: a struct-of-arrays arena of nodes and edges with forward (CSR) adjacency,
//! built once by the reader and read-only afterwards; reverse (retainer) adjacency on demand.

mod allocations;
pub mod bits;
mod ids;
mod locations;
pub mod prefetch;
mod retainers;
mod scripts;
mod strings;

pub use allocations::{Allocations, NO_TRACE, RawTraces, Sample, TraceFunction, TraceNode};
pub use ids::{EdgeIdx, NodeIdx, ObjectId, StrIdx};
pub use locations::Locations;
pub use retainers::Retainers;
pub use scripts::{ScriptFacts, is_cut};
pub use strings::StringTable;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};

/// A vector with room for `len` items, or an error instead of an abort when memory runs out.
pub fn try_vec<T>(len: usize, what: &str) -> Result<Vec<T>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        Error::too_large(format!(
            "not enough memory for {len} {what} ({} bytes)",
            len.saturating_mul(std::mem::size_of::<T>())
        ))
    })?;
    Ok(v)
}

/// A vector of `len` zeros, or an error when memory runs out. The allocator hands big blocks
/// out already zeroed (fresh pages), so their pages are first touched where they are written,
/// by the parallel parsers, rather than all here on one thread.
pub fn try_zeroed<T: bytemuck::Zeroable>(len: usize, what: &str) -> Result<Vec<T>> {
    bytemuck::allocation::try_zeroed_vec(len).map_err(|()| {
        Error::too_large(format!(
            "not enough memory for {len} {what} ({} bytes)",
            len.saturating_mul(std::mem::size_of::<T>())
        ))
    })
}

/// Node types of the snapshot resolved by name (`snapshot.meta.node_types[type]`); each is
/// `None` when this V8 version does not have the type. Type numbers are never hard-coded.
#[derive(Debug, Clone, Default)]
pub struct NodeTypes {
    pub names: Vec<String>,
    pub hidden: Option<u8>,
    pub array: Option<u8>,
    pub string: Option<u8>,
    pub object: Option<u8>,
    pub code: Option<u8>,
    pub closure: Option<u8>,
    pub regexp: Option<u8>,
    pub number: Option<u8>,
    pub native: Option<u8>,
    pub synthetic: Option<u8>,
    pub cons_string: Option<u8>,
    pub sliced_string: Option<u8>,
    pub object_shape: Option<u8>,
}

/// Edge types resolved by name (`snapshot.meta.edge_types[type]`).
#[derive(Debug, Clone, Default)]
pub struct EdgeTypes {
    pub names: Vec<String>,
    pub context: Option<u8>,
    pub element: Option<u8>,
    pub property: Option<u8>,
    pub internal: Option<u8>,
    pub hidden: Option<u8>,
    pub shortcut: Option<u8>,
    pub weak: Option<u8>,
}

impl NodeTypes {
    pub fn from_names(names: Vec<String>) -> NodeTypes {
        let find = |n: &str| names.iter().position(|x| x == n).map(|i| i as u8);
        NodeTypes {
            hidden: find("hidden"),
            array: find("array"),
            string: find("string"),
            object: find("object"),
            code: find("code"),
            closure: find("closure"),
            regexp: find("regexp"),
            number: find("number"),
            native: find("native"),
            synthetic: find("synthetic"),
            cons_string: find("concatenated string"),
            sliced_string: find("sliced string"),
            object_shape: find("object shape"),
            names,
        }
    }
}

impl EdgeTypes {
    pub fn from_names(names: Vec<String>) -> EdgeTypes {
        let find = |n: &str| names.iter().position(|x| x == n).map(|i| i as u8);
        EdgeTypes {
            context: find("context"),
            element: find("element"),
            property: find("property"),
            internal: find("internal"),
            hidden: find("hidden"),
            shortcut: find("shortcut"),
            weak: find("weak"),
            names,
        }
    }

    /// Element and hidden edges are named by an integer index; all others by a string.
    pub fn has_string_name(&self, ty: u8) -> bool {
        Some(ty) != self.element && Some(ty) != self.hidden
    }
}

/// Where the function or constructor of an object was defined: V8's script id and 0-based line
/// and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Location {
    pub script_id: u32,
    pub line: u32,
    pub column: u32,
}

/// The node and edge columns as read from the file, before adjacency is built.
#[derive(Debug, Default)]
pub struct RawGraph {
    pub node_types: NodeTypes,
    pub edge_types: EdgeTypes,
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    pub self_size: Vec<u32>,
    pub edge_count: Vec<u32>,
    pub detachedness: Option<Vec<u8>>,
    pub edge_type: Vec<u8>,
    pub edge_name: Vec<u32>,
    /// Target ordinals (already divided by the node field count and range-checked).
    pub edge_to: Vec<u32>,
    pub strings: StringTable,
    pub locations: Locations,
    pub root: u32,
    pub extra_native_bytes: u64,
    pub trace_function_count: u64,
    /// The allocation-trace sections, when the snapshot has them.
    pub traces: Option<RawTraces>,
    pub layout: String,
    /// How long each reading step took, for `--verbose`.
    pub timings: Timings,
}

/// Named durations of work steps, in the order they ran.
pub type Timings = Vec<(&'static str, std::time::Duration)>;

/// A loaded heap snapshot.
///
/// Encoding: node `i` (an ordinal, `NodeIdx(i)`) has its fields at index `i` of each `node_*`
/// column; its outgoing edges are `first_edge[i]..first_edge[i + 1]` of the `edge_*` columns, in
/// file order. The edges pointing at a node are in [`Retainers`], which the analysis builds.
#[derive(Debug)]
pub struct HeapGraph {
    pub node_types: NodeTypes,
    pub edge_types: EdgeTypes,
    pub node_type: Vec<u8>,
    pub node_name: Vec<u32>,
    pub node_id: Vec<u32>,
    /// `self_size` as V8 wrote it (DevTools' shallow-size transfer happens in analysis).
    pub self_size: Vec<u32>,
    /// DOM link state per node (0 unknown, 1 attached, 2 detached), when the file has it.
    pub detachedness: Option<Vec<u8>>,
    pub first_edge: Vec<u32>,
    pub edge_type: Vec<u8>,
    pub edge_name: Vec<u32>,
    pub edge_to: Vec<u32>,
    pub strings: StringTable,
    /// Allocation sites by node ordinal (closures and objects whose constructor has one).
    pub locations: Locations,
    pub root: NodeIdx,
    pub extra_native_bytes: u64,
    pub trace_function_count: u64,
    /// Allocation stacks, when allocation tracking was on.
    pub allocations: Option<Allocations>,
    /// The snapshot's node and edge layout (`snapshot.meta` fields and type lists): it differs
    /// between V8 versions, so two snapshots of one process always have the same.
    pub layout: String,
    /// How long each reading step took (the file's parsing, then the graph checks).
    pub timings: Timings,
    /// The source maps sites in this snapshot's scripts are mapped through (shared by the
    /// snapshots of one run).
    pub source_maps: &'static crate::sources::SourceMaps,
    /// Script nodes by name, indexed on first use ([`HeapGraph::script_node`]).
    pub scripts: std::sync::OnceLock<FxHashMap<Box<str>, u32>>,
    /// A bit per string that starts with `system / ` (V8's internal objects), set on first
    /// use ([`HeapGraph::is_system_named`]): the hot loops test a bit, not the text.
    pub system_names: std::sync::OnceLock<bits::BitSet>,
    /// The string indices of [`WELL_KNOWN_NAMES`], found on first use
    /// ([`HeapGraph::name_indices`]).
    pub well_known: std::sync::OnceLock<Vec<Vec<u32>>>,
}

/// Nodes or edges per block of the graph checks.
const CHECK_BLOCK: usize = 1 << 16;

/// Edge names the leak engine looks for on millions of nodes: found once in the string table,
/// so those loops compare indices rather than texts.
pub const WELL_KNOWN_NAMES: [&str; 8] = [
    "shared",
    "script_or_debug_info",
    "script",
    "back_pointer",
    "constructor",
    "map",
    "first",
    "second",
];

impl HeapGraph {
    /// Checks a raw graph's cross references and builds the adjacency arrays.
    pub fn build(mut raw: RawGraph) -> Result<HeapGraph> {
        let started = std::time::Instant::now();
        let mut timings = raw.timings;
        let n = raw.node_type.len();
        if n == 0 {
            return Err(Error::invalid("the snapshot has no nodes"));
        }
        if n >= 1 << 31 {
            return Err(Error::too_large(format!("{n} nodes")));
        }
        let edge_total = raw.edge_type.len();
        if edge_total >= u32::MAX as usize {
            return Err(Error::too_large(format!("{edge_total} edges")));
        }
        let strings_len = raw.strings.len();
        // Old V8 versions write node types their meta does not list. DevTools loads such nodes
        // with type `undefined` (class `(undefined)`), and so does heapdiff.
        if let Some(&top) = raw.node_type.iter().max()
            && top as usize >= raw.node_types.names.len()
        {
            raw.node_types
                .names
                .resize(top as usize + 1, "undefined".to_string());
        }
        // Each check runs over blocks on both cores without stopping early (so that it
        // vectorises); only a failed one looks for the first offender, to name it.
        let names_ok = |block: &[u32]| {
            block
                .iter()
                .fold(true, |ok, &name| ok & ((name as usize) < strings_len))
        };
        if !raw.node_name.par_chunks(CHECK_BLOCK).all(names_ok) {
            let (i, name) = raw
                .node_name
                .iter()
                .enumerate()
                .find(|&(_, &name)| name as usize >= strings_len)
                .expect("a bad name");
            return Err(Error::invalid(format!(
                "node {i} names string {name}, but there are {strings_len} strings"
            )));
        }
        let types = raw.edge_types.names.len();
        let edge_types = &raw.edge_types;
        let edge_ok = |ty: u8, name: u32| {
            ((ty as usize) < types)
                & (!edge_types.has_string_name(ty) | ((name as usize) < strings_len))
        };
        let edges_ok = raw
            .edge_type
            .par_chunks(CHECK_BLOCK)
            .zip(raw.edge_name.par_chunks(CHECK_BLOCK))
            .all(|(tys, names)| {
                tys.iter()
                    .zip(names)
                    .fold(true, |ok, (&ty, &name)| ok & edge_ok(ty, name))
            });
        if !edges_ok {
            let (e, (&ty, &name)) = raw
                .edge_type
                .iter()
                .zip(&raw.edge_name)
                .enumerate()
                .find(|&(_, (&ty, &name))| !edge_ok(ty, name))
                .expect("a bad edge");
            return Err(Error::invalid(if ty as usize >= types {
                format!("edge {e} has type {ty}, but meta.edge_types lists {types}")
            } else {
                format!("edge {e} names string {name}, but there are {strings_len} strings")
            }));
        }

        let mut first_edge = try_vec(n + 1, "edge offsets")?;
        let mut sum = 0u64;
        for &count in &raw.edge_count {
            first_edge.push(sum.min(u32::MAX as u64) as u32);
            sum += count as u64;
        }
        if sum != edge_total as u64 {
            return Err(Error::invalid(format!(
                "the nodes' edge_count fields add up to {sum}, but the edges array holds {edge_total} edges"
            )));
        }
        first_edge.push(sum as u32);
        let allocations = raw
            .traces
            .map(|t| Allocations::build(t, n, strings_len))
            .transpose()?;

        timings.push(("graph checks", started.elapsed()));

        Ok(HeapGraph {
            node_types: raw.node_types,
            edge_types: raw.edge_types,
            node_type: raw.node_type,
            node_name: raw.node_name,
            node_id: raw.node_id,
            self_size: raw.self_size,
            detachedness: raw.detachedness,
            first_edge,
            edge_type: raw.edge_type,
            edge_name: raw.edge_name,
            edge_to: raw.edge_to,
            strings: raw.strings,
            locations: raw.locations,
            root: NodeIdx(raw.root),
            extra_native_bytes: raw.extra_native_bytes,
            trace_function_count: raw.trace_function_count,
            allocations,
            layout: raw.layout,
            timings,
            source_maps: crate::sources::SourceMaps::shared_local(),
            scripts: std::sync::OnceLock::new(),
            system_names: std::sync::OnceLock::new(),
            well_known: std::sync::OnceLock::new(),
        })
    }

    pub fn node_count(&self) -> usize {
        self.node_type.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_type.len()
    }

    /// The edge ordinals leaving node `n`.
    pub fn edges(&self, n: u32) -> std::ops::Range<usize> {
        self.first_edge[n as usize] as usize..self.first_edge[n as usize + 1] as usize
    }

    pub fn is_type(&self, n: u32, ty: Option<u8>) -> bool {
        Some(self.node_type[n as usize]) == ty
    }

    pub fn is_edge_type(&self, e: usize, ty: Option<u8>) -> bool {
        Some(self.edge_type[e]) == ty
    }

    /// Does the node's name start with `system / ` (a V8 internal: `system / Context`, …)?
    pub fn is_system_named(&self, n: u32) -> bool {
        let names = self.system_names.get_or_init(|| {
            let mut names = bits::BitSet::new(self.strings.len());
            for i in 0..self.strings.len() {
                if self.strings.get(i as u32).starts_with("system / ") {
                    names.set(i);
                }
            }
            names
        });
        names.get(self.node_name[n as usize] as usize)
    }

    /// The string indices whose text is `name`, one of [`WELL_KNOWN_NAMES`] (a snapshot
    /// lists each text once, but a hand-written one may not); `None` for other names.
    pub fn name_indices(&self, name: &str) -> Option<&[u32]> {
        let which = WELL_KNOWN_NAMES.iter().position(|&n| n == name)?;
        let indices = self.well_known.get_or_init(|| {
            let mut indices = vec![Vec::new(); WELL_KNOWN_NAMES.len()];
            for i in 0..self.strings.len() as u32 {
                let text = self.strings.get(i);
                if let Some(k) = WELL_KNOWN_NAMES.iter().position(|&n| n == text) {
                    indices[k].push(i);
                }
            }
            indices
        });
        Some(&indices[which])
    }

    /// The node's name as the snapshot wrote it.
    pub fn raw_name(&self, n: u32) -> &str {
        self.strings.get(self.node_name[n as usize])
    }

    /// The edge's name: a string for string-named edge types, else the decimal index.
    pub fn edge_name(&self, e: usize) -> std::borrow::Cow<'_, str> {
        if self.edge_types.has_string_name(self.edge_type[e]) {
            std::borrow::Cow::Borrowed(self.strings.get(self.edge_name[e]))
        } else {
            std::borrow::Cow::Owned(self.edge_name[e].to_string())
        }
    }

    pub fn id(&self, n: u32) -> ObjectId {
        ObjectId(self.node_id[n as usize])
    }

    /// The node type's name (`object`, `closure`, ...).
    pub fn type_name(&self, n: u32) -> &str {
        &self.node_types.names[self.node_type[n as usize] as usize]
    }

    /// The largest odd (V8 heap object) id: DevTools' `maxJSObjectId`, the bound of the
    /// "allocated between" filter.
    pub fn max_js_object_id(&self) -> u32 {
        self.node_id
            .iter()
            .copied()
            .filter(|id| id % 2 == 1)
            .max()
            .unwrap_or(0)
    }
}
