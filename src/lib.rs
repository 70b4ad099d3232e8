//! heapdiff: finds memory leaks in V8 heap snapshots, with the numbers Chrome DevTools shows.
//!
//! Data flows one way, one module per stage:
//! [`read`] parses a `.heapsnapshot` into a [`graph::HeapGraph`] →
//! [`analysis`] computes DevTools' numbers for one snapshot (shallow and retained sizes,
//! dominators, distances, class keys, the Summary view) →
//! [`leaks`], the leak engine, compares snapshots (allocated between, Comparison, clusters,
//! lockstep, series, budgets) and returns typed results →
//! [`report`] turns those into serializable structs and renders them (table, JSON, markdown).
//! [`capture`] takes snapshots of a running Node process over its inspector.
//! [`mcp`] serves the analysis as Model Context Protocol tools on stdio.
//! [`redact`] decides which strings are heap data and writes redacted snapshots.
//! [`session`] runs the stages for one command line: it picks the snapshots, reads and
//! analyses them with progress feedback, and writes the report.

// Graph code walks CSR ranges by index on purpose: the index is the node or edge ordinal.
#![allow(clippy::needless_range_loop)]
#![warn(clippy::unwrap_used)]

pub mod analysis;
pub mod atomic;
pub mod capture;
pub mod error;
pub mod graph;
pub mod leaks;
pub mod mcp;
pub mod read;
pub mod redact;
pub mod report;
pub mod session;
pub mod sources;

pub use error::{Error, ErrorKind, Result};
