//! Memory outside the JS heap that a snapshot sees: ArrayBuffer backing stores
//! (`system / JSArrayBufferData` nodes, sized to their byte length), the embedder's native
//! objects (Node's `Node / …` wrappers and what they report, such as a zlib stream's state; a
//! browser's DOM) and external strings, which are only counted: a snapshot records an external
//! string's first 1,024 characters and never its length.

use serde::Serialize;

use crate::graph::HeapGraph;

/// V8's name of an ArrayBuffer's backing store.
pub const ARRAY_BUFFER_DATA: &str = "system / JSArrayBufferData";
/// Node's native object of one worker thread.
const WORKER: &str = "Node / Worker";
/// The synthetic root that holds every external string.
const EXTERNAL_STRINGS: &str = "(External strings)";

/// Off-heap bytes and external strings of one snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct OffHeap {
    /// Bytes of ArrayBuffer backing stores (Buffers, typed arrays, WebAssembly memory).
    pub array_buffer_bytes: u64,
    /// Bytes of the embedder's native objects, and the extra native bytes it reports.
    pub native_bytes: u64,
    /// How many external strings there are (their characters are outside the heap).
    pub external_strings: u64,
    /// Node's worker threads (`Node / Worker` objects): each has a heap of its own that this
    /// snapshot does not show.
    pub worker_threads: u64,
}

impl OffHeap {
    pub fn of(g: &HeapGraph) -> OffHeap {
        let mut off = OffHeap {
            native_bytes: g.extra_native_bytes,
            ..OffHeap::default()
        };
        for v in 0..g.node_count() as u32 {
            let ty = Some(g.node_type[v as usize]);
            if is_off_heap(g, v) {
                let size = g.self_size[v as usize] as u64;
                if g.raw_name(v) == ARRAY_BUFFER_DATA {
                    off.array_buffer_bytes += size;
                } else {
                    off.native_bytes += size;
                }
            } else if ty == g.node_types.synthetic && g.raw_name(v) == EXTERNAL_STRINGS {
                off.external_strings += g.edges(v).len() as u64;
            }
            if g.raw_name(v) == WORKER
                && (ty == g.node_types.synthetic || ty == g.node_types.native)
            {
                off.worker_threads += 1;
            }
        }
        off
    }

    /// Bytes outside the JS heap.
    pub fn bytes(&self) -> u64 {
        self.array_buffer_bytes + self.native_bytes
    }
}

/// Which nodes are external strings (what the `(External strings)` root holds).
pub fn external_strings(g: &HeapGraph) -> Vec<bool> {
    let mut external = vec![false; g.node_count()];
    for v in 0..g.node_count() as u32 {
        if g.is_type(v, g.node_types.synthetic) && g.raw_name(v) == EXTERNAL_STRINGS {
            for e in g.edges(v) {
                external[g.edge_to[e] as usize] = true;
            }
        }
    }
    external
}

/// The bytes of an external string's characters that a snapshot shows: its name, the first
/// 1,024 characters at most, so a lower bound of what it keeps outside the heap.
pub fn external_string_bytes(g: &HeapGraph, v: u32) -> u64 {
    g.raw_name(v).len() as u64
}

/// Is `v` memory outside the JS heap: a backing store, an embedder's native object (its
/// roots, such as Node's wrapped handles, are synthetic nodes with a size)?
pub fn is_off_heap(g: &HeapGraph, v: u32) -> bool {
    let ty = Some(g.node_type[v as usize]);
    ty == g.node_types.native
        || (ty == g.node_types.synthetic && v != g.root.0 && g.self_size[v as usize] > 0)
}
