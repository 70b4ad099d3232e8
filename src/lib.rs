//! heapdiff: finds memory leaks in V8 heap snapshots, with the numbers Chrome DevTools shows.
//!
//! Data flows one way: [`read`] parses a `.heapsnapshot` into a [`graph::HeapGraph`];
//! [`analysis`] computes DevTools' per-node numbers (shallow and retained sizes, dominators,
//! distances, class keys) and per-class aggregates; [`report`] turns results into a serializable
//! model and renders it as a table or JSON.

// Graph code walks CSR ranges by index on purpose: the index is the node or edge ordinal.
#![allow(clippy::needless_range_loop)]
#![warn(clippy::unwrap_used)]

pub mod analysis;
pub mod error;
pub mod graph;
pub mod read;
pub mod report;

pub use error::{Error, ErrorKind, Result};
