//! The `snapshot` header: serde structs for what V8 writes, resolved into field offsets by name.
//! Node and edge layouts differ between V8 versions, so no offset is ever assumed.

use serde::Deserialize;

use crate::error::{Error, ErrorKind, Result};
use crate::graph::{EdgeTypes, NodeTypes};

#[derive(Deserialize)]
struct RawHeader {
    meta: Option<RawMeta>,
    node_count: Option<serde_json::Number>,
    edge_count: Option<serde_json::Number>,
    trace_function_count: Option<serde_json::Number>,
    root_index: Option<serde_json::Number>,
    extra_native_bytes: Option<serde_json::Number>,
}

#[derive(Deserialize)]
struct RawMeta {
    node_fields: Option<Vec<String>>,
    node_types: Option<Vec<serde_json::Value>>,
    edge_fields: Option<Vec<String>>,
    edge_types: Option<Vec<serde_json::Value>>,
    location_fields: Option<Vec<String>>,
    trace_function_info_fields: Option<Vec<String>>,
    trace_node_fields: Option<Vec<String>>,
    sample_fields: Option<Vec<String>>,
}

/// Offsets of the node fields heapdiff reads, within one node's record.
#[derive(Debug, Clone)]
pub(crate) struct NodeLayout {
    pub field_count: usize,
    pub ty: usize,
    pub name: usize,
    pub id: usize,
    pub self_size: usize,
    pub edge_count: usize,
    pub detachedness: Option<usize>,
    /// Read only when the snapshot has allocation traces (`trace_function_count > 0`).
    pub trace_node_id: Option<usize>,
}

/// Offsets of the edge fields within one edge's record.
#[derive(Debug, Clone)]
pub(crate) struct EdgeLayout {
    pub field_count: usize,
    pub ty: usize,
    pub name: usize,
    pub to: usize,
}

/// Offsets within one `locations` record.
#[derive(Debug, Clone)]
pub(crate) struct LocationLayout {
    pub field_count: usize,
    pub object_index: usize,
    pub script_id: usize,
    pub line: usize,
    pub column: usize,
}

/// Offsets of the allocation-trace sections' fields (`trace_function_infos`, `trace_tree`,
/// `samples`), present when allocation tracking was on.
#[derive(Debug, Clone)]
pub(crate) struct TraceLayout {
    pub function_fields: usize,
    pub function_name: usize,
    pub script_name: usize,
    pub script_id: usize,
    pub line: usize,
    pub column: usize,
    pub node_fields: usize,
    pub node_id: usize,
    pub node_function: usize,
    pub node_count: usize,
    pub node_size: usize,
    /// Samples (`timestamp_us`, `last_assigned_id` offsets and field count), when declared.
    pub samples: Option<(usize, usize, usize)>,
}

/// The resolved header.
#[derive(Debug, Clone)]
pub(crate) struct Meta {
    pub node: NodeLayout,
    pub edge: EdgeLayout,
    pub location: Option<LocationLayout>,
    pub trace: Option<TraceLayout>,
    pub node_types: NodeTypes,
    pub edge_types: EdgeTypes,
    pub node_count: Option<u64>,
    pub edge_count: Option<u64>,
    pub root_index: u64,
    pub extra_native_bytes: u64,
    pub trace_function_count: u64,
    /// The node and edge layout (fields and type lists), which changes between V8 versions.
    pub layout: String,
}

fn missing(field: &str) -> Error {
    Error::new(ErrorKind::MissingMeta(field.to_string()))
}

fn position(fields: &[String], name: &str, list: &str) -> Result<usize> {
    fields
        .iter()
        .position(|f| f == name)
        .ok_or_else(|| missing(&format!("\"{name}\" in {list}")))
}

/// Reads the enum of type names at `offset` of a `*_types` list.
fn type_names(types: &[serde_json::Value], offset: usize, list: &str) -> Result<Vec<String>> {
    let names = types
        .get(offset)
        .and_then(|v| v.as_array())
        .ok_or_else(|| missing(&format!("a list of type names in {list}")))?;
    let names: Vec<String> = names
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect::<Option<_>>()
        .ok_or_else(|| missing(&format!("string type names in {list}")))?;
    if names.len() > 250 {
        return Err(Error::invalid(format!(
            "{list} lists {} types",
            names.len()
        )));
    }
    Ok(names)
}

fn count(n: &Option<serde_json::Number>, field: &str) -> Result<Option<u64>> {
    match n {
        None => Ok(None),
        Some(n) => n.as_u64().map(Some).ok_or_else(|| {
            Error::invalid(format!(
                "snapshot.{field} is {n}, not a non-negative integer"
            ))
        }),
    }
}

/// Parses and resolves the `snapshot` header from its JSON text.
pub(crate) fn parse_header(json: &[u8], offset: usize) -> Result<Meta> {
    let header: RawHeader = serde_json::from_slice(json).map_err(|e| {
        Error::not_snapshot(format!(
            "the \"snapshot\" header at byte {offset} is malformed: {e}"
        ))
    })?;
    let meta = header
        .meta
        .ok_or_else(|| missing("(snapshot.meta is absent)"))?;
    let node_fields = meta.node_fields.ok_or_else(|| missing("node_fields"))?;
    let edge_fields = meta.edge_fields.ok_or_else(|| missing("edge_fields"))?;
    let node_types = meta.node_types.ok_or_else(|| missing("node_types"))?;
    let edge_types = meta.edge_types.ok_or_else(|| missing("edge_types"))?;

    let mut node = NodeLayout {
        field_count: node_fields.len(),
        ty: position(&node_fields, "type", "node_fields")?,
        name: position(&node_fields, "name", "node_fields")?,
        id: position(&node_fields, "id", "node_fields")?,
        self_size: position(&node_fields, "self_size", "node_fields")?,
        edge_count: position(&node_fields, "edge_count", "node_fields")?,
        detachedness: node_fields.iter().position(|f| f == "detachedness"),
        trace_node_id: None,
    };
    let edge = EdgeLayout {
        field_count: edge_fields.len(),
        ty: position(&edge_fields, "type", "edge_fields")?,
        name: position(&edge_fields, "name_or_index", "edge_fields")?,
        to: position(&edge_fields, "to_node", "edge_fields")?,
    };
    let location = match meta.location_fields {
        Some(fields) if !fields.is_empty() => Some(LocationLayout {
            field_count: fields.len(),
            object_index: position(&fields, "object_index", "location_fields")?,
            script_id: position(&fields, "script_id", "location_fields")?,
            line: position(&fields, "line", "location_fields")?,
            column: position(&fields, "column", "location_fields")?,
        }),
        _ => None,
    };
    let trace_function_count =
        count(&header.trace_function_count, "trace_function_count")?.unwrap_or(0);
    let trace = match (trace_function_count, meta.trace_function_info_fields) {
        (0, _) | (_, None) => None,
        (_, Some(functions)) => Some(trace_layout(
            &functions,
            &meta
                .trace_node_fields
                .ok_or_else(|| missing("trace_node_fields"))?,
            meta.sample_fields.as_deref(),
        )?),
    };
    if trace.is_some() {
        node.trace_node_id = node_fields.iter().position(|f| f == "trace_node_id");
    }
    let node_types = NodeTypes::from_names(type_names(&node_types, node.ty, "node_types")?);
    let edge_types = EdgeTypes::from_names(type_names(&edge_types, edge.ty, "edge_types")?);
    let layout = format!(
        "nodes {} [{}]; edges {} [{}]",
        node_fields.join(","),
        node_types.names.join(","),
        edge_fields.join(","),
        edge_types.names.join(",")
    );

    Ok(Meta {
        node,
        edge,
        location,
        trace,
        node_types,
        edge_types,
        node_count: count(&header.node_count, "node_count")?,
        edge_count: count(&header.edge_count, "edge_count")?,
        root_index: count(&header.root_index, "root_index")?.unwrap_or(0),
        extra_native_bytes: match &header.extra_native_bytes {
            None => 0,
            Some(n) => n
                .as_u64()
                .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
                .ok_or_else(|| Error::invalid(format!("snapshot.extra_native_bytes is {n}")))?,
        },
        trace_function_count,
        layout,
    })
}

fn trace_layout(
    functions: &[String],
    nodes: &[String],
    samples: Option<&[String]>,
) -> Result<TraceLayout> {
    let f = "trace_function_info_fields";
    let t = "trace_node_fields";
    let children = position(nodes, "children", t)?;
    if children + 1 != nodes.len() {
        return Err(Error::invalid(
            "meta.trace_node_fields does not end with \"children\"",
        ));
    }
    let samples = match samples {
        Some(fields) if !fields.is_empty() => Some((
            position(fields, "timestamp_us", "sample_fields")?,
            position(fields, "last_assigned_id", "sample_fields")?,
            fields.len(),
        )),
        _ => None,
    };
    Ok(TraceLayout {
        function_fields: functions.len(),
        function_name: position(functions, "name", f)?,
        script_name: position(functions, "script_name", f)?,
        script_id: position(functions, "script_id", f)?,
        line: position(functions, "line", f)?,
        column: position(functions, "column", f)?,
        node_fields: nodes.len(),
        node_id: position(nodes, "id", t)?,
        node_function: position(nodes, "function_info_index", t)?,
        node_count: position(nodes, "count", t)?,
        node_size: position(nodes, "size", t)?,
        samples,
    })
}
