//! The node and edge columns that parallel chunks of the numeric arrays are written into:
//! each record's fields picked by the layout that `snapshot.meta` gave.

use super::meta;
use super::numbers;
use super::scan::Scanner;
use super::{Paging, numeric_body};
use crate::error::Result;
use crate::graph::try_zeroed;

/// Slices of the node columns that one chunk of records is written into.
pub(super) struct NodeColumns<'a> {
    pub(super) layout: &'a meta::NodeLayout,
    pub(super) ty: &'a mut [u8],
    pub(super) name: &'a mut [u32],
    pub(super) id: &'a mut [u32],
    pub(super) self_size: &'a mut [u32],
    pub(super) edge_count: &'a mut [u32],
    pub(super) detachedness: Option<&'a mut [u8]>,
    pub(super) trace: Option<&'a mut [u32]>,
}

impl numbers::Columns for NodeColumns<'_> {
    fn split(self, records: usize) -> (Self, Self) {
        let (ty, ty_rest) = self.ty.split_at_mut(records);
        let (name, name_rest) = self.name.split_at_mut(records);
        let (id, id_rest) = self.id.split_at_mut(records);
        let (size, size_rest) = self.self_size.split_at_mut(records);
        let (count, count_rest) = self.edge_count.split_at_mut(records);
        let (det, det_rest) = match self.detachedness {
            Some(d) => {
                let (a, b) = d.split_at_mut(records);
                (Some(a), Some(b))
            }
            None => (None, None),
        };
        let (trace, trace_rest) = match self.trace {
            Some(t) => {
                let (a, b) = t.split_at_mut(records);
                (Some(a), Some(b))
            }
            None => (None, None),
        };
        (
            NodeColumns {
                layout: self.layout,
                ty,
                name,
                id,
                self_size: size,
                edge_count: count,
                detachedness: det,
                trace,
            },
            NodeColumns {
                layout: self.layout,
                ty: ty_rest,
                name: name_rest,
                id: id_rest,
                self_size: size_rest,
                edge_count: count_rest,
                detachedness: det_rest,
                trace: trace_rest,
            },
        )
    }

    fn store(&mut self, record: usize, values: &[u32]) {
        let l = self.layout;
        // Types above 255 are kept as 255, which no type table has: the graph check rejects
        // them.
        self.ty[record] = values[l.ty].min(u8::MAX as u32) as u8;
        self.name[record] = values[l.name];
        self.id[record] = values[l.id];
        self.self_size[record] = values[l.self_size];
        self.edge_count[record] = values[l.edge_count];
        if let (Some(d), Some(column)) = (l.detachedness, self.detachedness.as_deref_mut()) {
            column[record] = (values[d] & 3) as u8;
        }
        if let (Some(t), Some(column)) = (l.trace_node_id, self.trace.as_deref_mut()) {
            column[record] = values[t];
        }
    }
}

/// Slices of the edge columns that one chunk of records is written into.
struct EdgeColumns<'a> {
    layout: &'a meta::EdgeLayout,
    ty: &'a mut [u8],
    name: &'a mut [u32],
    to: &'a mut [u32],
}

impl numbers::Columns for EdgeColumns<'_> {
    fn split(self, records: usize) -> (Self, Self) {
        let (ty, ty_rest) = self.ty.split_at_mut(records);
        let (name, name_rest) = self.name.split_at_mut(records);
        let (to, to_rest) = self.to.split_at_mut(records);
        (
            EdgeColumns {
                layout: self.layout,
                ty,
                name,
                to,
            },
            EdgeColumns {
                layout: self.layout,
                ty: ty_rest,
                name: name_rest,
                to: to_rest,
            },
        )
    }

    fn store(&mut self, record: usize, values: &[u32]) {
        let l = self.layout;
        self.ty[record] = values[l.ty].min(u8::MAX as u32) as u8;
        self.name[record] = values[l.name];
        self.to[record] = values[l.to];
    }
}

/// The edges array measured and its columns allocated, so that it can be parsed beside the
/// sections after it (the strings are read by one core only).
pub(super) struct PendingEdges {
    body: numbers::ArrayBody,
    records: usize,
    layout: meta::EdgeLayout,
    pub(super) ty: Vec<u8>,
    pub(super) name: Vec<u32>,
    pub(super) to: Vec<u32>,
}

impl PendingEdges {
    /// Measures the edges array at the scanner and moves the scanner past it.
    pub(super) fn measure(
        s: &mut Scanner<'_>,
        layout: &meta::EdgeLayout,
        paging: &dyn Paging,
    ) -> Result<PendingEdges> {
        let context = "in the edges array";
        let (body, records) = numeric_body(s, layout.field_count, "edge", context, paging)?;
        s.set_pos(body.range.end + 1);
        Ok(PendingEdges {
            ty: try_zeroed(records, "edges")?,
            name: try_zeroed(records, "edges")?,
            to: try_zeroed(records, "edges")?,
            body,
            records,
            layout: layout.clone(),
        })
    }

    /// Parses the measured array into the columns.
    pub(super) fn parse(mut self, bytes: &[u8], paging: &dyn Paging) -> Result<PendingEdges> {
        let columns = EdgeColumns {
            layout: &self.layout,
            ty: &mut self.ty,
            name: &mut self.name,
            to: &mut self.to,
        };
        let fields = self.layout.field_count;
        let context = "in the edges array";
        numbers::parse_records(bytes, &self.body, fields, self.records, columns, context)?;
        paging.done_with(self.body.range.clone());
        Ok(self)
    }
}
