//! Reading `.heapsnapshot` files (plain, gzip'd or zstd'd) into a [`HeapGraph`]. This is the only module
//! that knows JSON: it walks the top-level object once, streams `nodes`, `edges` and `locations`
//! straight into columns and never builds a document tree of the big arrays.

mod columns;
pub mod memory;
mod meta;
mod numbers;
mod rewrite;
pub mod rss_log;
mod scan;
mod source;
mod traces;

use std::io::Read;
use std::path::Path;
use std::time::Instant;

use crate::error::{Error, Result};
use crate::graph::{HeapGraph, Location, Locations, RawGraph, StringTable, try_zeroed};
use columns::{EdgeColumns, NodeColumns};
use meta::Meta;
pub use rewrite::{Sink, StringRewrite, rewrite};
use scan::Scanner;
use source::{GZIP_MAGIC, decompress_if_compressed, open};
pub(crate) use source::{InMemory, Paging};

/// Loads a snapshot file; `-` reads standard input. Errors name the file (`<stdin>`).
pub fn load(path: &Path) -> Result<HeapGraph> {
    if path == Path::new("-") {
        let name = Path::new("<stdin>");
        let mut bytes = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::from(e).with_path(name))?;
        let bytes = decompress_if_compressed(bytes).map_err(|e| e.with_path(name))?;
        return parse(&bytes).map_err(|e| e.with_path(name));
    }
    let started = Instant::now();
    let source = open(path).map_err(|e| e.with_path(path))?;
    let opened = started.elapsed();
    let mut graph = parse_paged(&source, source.paging()).map_err(|e| e.with_path(path))?;
    graph.timings.insert(0, ("file mapping", opened));
    Ok(graph)
}

/// Parses snapshot text (already decompressed).
pub fn parse(bytes: &[u8]) -> Result<HeapGraph> {
    parse_paged(bytes, &InMemory)
}

fn parse_paged(bytes: &[u8], paging: &dyn Paging) -> Result<HeapGraph> {
    let mut s = Scanner::new(bytes);
    match s.peek("") {
        Err(_) => return Err(Error::not_snapshot("the file is empty")),
        Ok(b'{') => {}
        Ok(_) if bytes.starts_with(&GZIP_MAGIC) => {
            return Err(Error::not_snapshot("gzip data inside gzip data"));
        }
        Ok(_) if let Some(format) = unsupported_compression(bytes) => {
            return Err(Error::not_snapshot(format!(
                "it is {format}; heapdiff reads plain, gzip'd and zstd'd snapshots: \
                 decompress it first"
            )));
        }
        Ok(_) => {
            return Err(Error::not_snapshot(
                "it does not start with a JSON object ('{')",
            ));
        }
    }
    s.expect(b'{', "")?;

    let mut meta: Option<Meta> = None;
    let mut raw = RawGraph::default();
    let mut seen: Vec<String> = Vec::new();
    let mut deferred: Vec<(Section, usize)> = Vec::new();
    let mut locations: Option<Vec<u32>> = None;
    let mut have_strings = false;

    if s.peek("in the top-level object")? != b'}' {
        loop {
            let key = s.string("as a top-level key")?;
            s.expect(b':', "after a top-level key")?;
            if seen.contains(&key) {
                return Err(Error::invalid(format!(
                    "the top-level key \"{key}\" appears twice"
                )));
            }
            let section = Section::from_key(&key);
            match section {
                Some(Section::Header) => {
                    s.peek("in the snapshot header")?;
                    let start = s.pos();
                    s.skip_value("in the snapshot header")?;
                    meta = Some(meta::parse_header(&bytes[start..s.pos()], start)?);
                }
                Some(Section::Strings) => {
                    let started = Instant::now();
                    let start = s.pos();
                    raw.strings = read_strings(&mut s)?;
                    paging.done_with(start..s.pos());
                    raw.timings.push(("strings", started.elapsed()));
                    have_strings = true;
                }
                Some(section) => match &meta {
                    Some(m) => {
                        let started = Instant::now();
                        read_numeric(&mut s, section, m, &mut raw, &mut locations, paging)?;
                        raw.timings.push((section.key(), started.elapsed()));
                    }
                    None => {
                        deferred.push((section, s.pos()));
                        s.skip_value(section.context())?;
                    }
                },
                None => s.skip_value(&format!("in \"{key}\""))?,
            }
            seen.push(key);
            match s.peek("in the top-level object")? {
                b',' => s.expect(b',', "")?,
                b'}' => break,
                other => {
                    return Err(Error::syntax(
                        s.pos(),
                        format!(
                            "expected ',' or '}}' after a top-level value, found '{}'",
                            other as char
                        ),
                    ));
                }
            }
        }
    }
    s.expect(b'}', "")?;
    if !s.at_end() {
        return Err(Error::syntax(
            s.pos(),
            "unexpected data after the snapshot's JSON object",
        ));
    }

    let meta = meta.ok_or_else(|| {
        Error::not_snapshot("it has no \"snapshot\" header (is this a heap snapshot at all?)")
    })?;
    for (section, pos) in deferred {
        let started = Instant::now();
        s.set_pos(pos);
        read_numeric(&mut s, section, &meta, &mut raw, &mut locations, paging)?;
        raw.timings.push((section.key(), started.elapsed()));
    }
    for (section, present) in [
        (Section::Nodes, seen.iter().any(|k| k == "nodes")),
        (Section::Edges, seen.iter().any(|k| k == "edges")),
        (Section::Strings, have_strings),
    ] {
        if !present {
            return Err(Error::not_snapshot(format!(
                "it has no \"{}\" array",
                section.key()
            )));
        }
    }
    if raw.node_type.is_empty() {
        return Err(Error::invalid("the snapshot has no nodes"));
    }
    let started = Instant::now();
    check_counts(&meta, &mut raw)?;
    raw.timings.push(("edge targets", started.elapsed()));
    raw.node_types = meta.node_types.clone();
    raw.edge_types = meta.edge_types.clone();
    raw.extra_native_bytes = meta.extra_native_bytes;
    raw.trace_function_count = meta.trace_function_count;
    raw.layout = meta.layout.clone();
    raw.root = resolve_node_index(meta.root_index, &meta, raw.node_type.len(), "root_index")?;
    if let (Some(layout), Some(flat)) = (&meta.location, locations) {
        let started = Instant::now();
        raw.locations = resolve_locations(&flat, layout, &meta, raw.node_type.len())?;
        raw.timings.push(("sites", started.elapsed()));
    }
    HeapGraph::build(raw)
}

/// Compressed or archive formats recognised by their first bytes, to name them in the error.
fn unsupported_compression(bytes: &[u8]) -> Option<&'static str> {
    const FORMATS: [(&[u8], &str); 4] = [
        (b"\xfd7zXZ\x00", "xz-compressed"),
        (b"BZh", "bzip2-compressed"),
        (b"PK\x03\x04", "a zip archive"),
        (b"\x04\x22\x4d\x18", "lz4-compressed"),
    ];
    FORMATS
        .iter()
        .find(|(magic, _)| bytes.starts_with(magic))
        .map(|(_, name)| *name)
}

/// The top-level sections heapdiff reads.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Section {
    Header,
    Nodes,
    Edges,
    Locations,
    TraceFunctions,
    TraceTree,
    Samples,
    Strings,
}

impl Section {
    fn from_key(key: &str) -> Option<Section> {
        Some(match key {
            "snapshot" => Section::Header,
            "nodes" => Section::Nodes,
            "edges" => Section::Edges,
            "locations" => Section::Locations,
            "trace_function_infos" => Section::TraceFunctions,
            "trace_tree" => Section::TraceTree,
            "samples" => Section::Samples,
            "strings" => Section::Strings,
            _ => return None,
        })
    }

    fn key(self) -> &'static str {
        match self {
            Section::Header => "snapshot",
            Section::Nodes => "nodes",
            Section::Edges => "edges",
            Section::Locations => "locations",
            Section::TraceFunctions => "trace_function_infos",
            Section::TraceTree => "trace_tree",
            Section::Samples => "samples",
            Section::Strings => "strings",
        }
    }

    fn context(self) -> &'static str {
        match self {
            Section::Header => "in the snapshot header",
            Section::Nodes => "in the nodes array",
            Section::Edges => "in the edges array",
            Section::Locations => "in the locations array",
            Section::TraceFunctions => "in the trace_function_infos array",
            Section::TraceTree => "in the trace_tree array",
            Section::Samples => "in the samples array",
            Section::Strings => "in the strings array",
        }
    }
}

fn read_numeric(
    s: &mut Scanner<'_>,
    section: Section,
    meta: &Meta,
    raw: &mut RawGraph,
    locations: &mut Option<Vec<u32>>,
    paging: &dyn Paging,
) -> Result<()> {
    let context = section.context();
    match section {
        Section::Nodes => {
            let layout = &meta.node;
            let (body, records) = numeric_body(s, layout.field_count, "node", context, paging)?;
            let cap = records;
            raw.node_type = try_zeroed(cap, "nodes")?;
            raw.node_name = try_zeroed(cap, "nodes")?;
            raw.node_id = try_zeroed(cap, "nodes")?;
            raw.self_size = try_zeroed(cap, "nodes")?;
            raw.edge_count = try_zeroed(cap, "nodes")?;
            let mut detachedness = match layout.detachedness {
                Some(_) => Some(try_zeroed(cap, "nodes")?),
                None => None,
            };
            let mut trace_ids = match layout.trace_node_id {
                Some(_) => Some(try_zeroed(cap, "nodes")?),
                None => None,
            };
            let columns = NodeColumns {
                layout,
                ty: &mut raw.node_type,
                name: &mut raw.node_name,
                id: &mut raw.node_id,
                self_size: &mut raw.self_size,
                edge_count: &mut raw.edge_count,
                detachedness: detachedness.as_deref_mut(),
                trace: trace_ids.as_deref_mut(),
            };
            numbers::parse_records(
                s.bytes(),
                &body,
                layout.field_count,
                records,
                columns,
                context,
            )?;
            s.set_pos(body.range.end + 1);
            paging.done_with(body.range.clone());
            raw.detachedness = detachedness;
            if let Some(ids) = trace_ids {
                raw.traces.get_or_insert_default().node_trace_ids = ids;
            }
        }
        Section::Edges => {
            let layout = &meta.edge;
            let (body, records) = numeric_body(s, layout.field_count, "edge", context, paging)?;
            raw.edge_type = try_zeroed(records, "edges")?;
            raw.edge_name = try_zeroed(records, "edges")?;
            raw.edge_to = try_zeroed(records, "edges")?;
            let columns = EdgeColumns {
                layout,
                ty: &mut raw.edge_type,
                name: &mut raw.edge_name,
                to: &mut raw.edge_to,
            };
            numbers::parse_records(
                s.bytes(),
                &body,
                layout.field_count,
                records,
                columns,
                context,
            )?;
            s.set_pos(body.range.end + 1);
            paging.done_with(body.range.clone());
        }
        Section::Locations => match &meta.location {
            None => s.skip_value(context)?,
            Some(layout) => {
                let fields = layout.field_count;
                let (body, records) = numeric_body(s, fields, "location", context, paging)?;
                let mut flat = try_zeroed(records.saturating_mul(fields), "locations")?;
                let columns = numbers::Flat {
                    values: &mut flat,
                    fields,
                };
                numbers::parse_records(s.bytes(), &body, fields, records, columns, context)?;
                s.set_pos(body.range.end + 1);
                paging.done_with(body.range.clone());
                *locations = Some(flat);
            }
        },
        Section::TraceFunctions | Section::TraceTree | Section::Samples => match &meta.trace {
            None => s.skip_value(context)?,
            Some(layout) => {
                let traces = raw.traces.get_or_insert_default();
                match section {
                    Section::TraceFunctions => {
                        traces.functions = traces::read_functions(s, layout)?
                    }
                    Section::TraceTree => traces.tree = traces::read_tree(s, layout)?,
                    _ => traces.samples = traces::read_samples(s, layout)?,
                }
            }
        },
        Section::Header | Section::Strings => unreachable!("not a numeric section"),
    }
    Ok(())
}

/// The body of a numeric array at the scanner (between `[` and `]`) and its record count,
/// checked to be whole records.
fn numeric_body(
    s: &mut Scanner<'_>,
    fields: usize,
    what: &str,
    context: &str,
    paging: &dyn Paging,
) -> Result<(numbers::ArrayBody, usize)> {
    s.expect(b'[', context)?;
    let body = numbers::array_body(s.bytes(), s.pos(), context, paging)?;
    let values = body.values;
    if !values.is_multiple_of(fields as u64) {
        return Err(Error::invalid(format!(
            "the {what}s array holds {values} numbers, not a multiple of the {fields} {what} fields"
        )));
    }
    let records = usize::try_from(values / fields as u64)
        .map_err(|_| Error::too_large(format!("{values} numbers in the {what}s array")))?;
    Ok((body, records))
}

fn read_strings(s: &mut Scanner<'_>) -> Result<StringTable> {
    let context = "in the strings array";
    s.expect(b'[', context)?;
    let mut bytes = Vec::new();
    let mut ends = Vec::new();
    if s.peek(context)? == b']' {
        s.expect(b']', context)?;
        return Ok(StringTable::from_parts(bytes, ends));
    }
    loop {
        s.string_bytes(&mut bytes, context)?;
        ends.push(bytes.len());
        match s.peek(context)? {
            b',' => s.expect(b',', context)?,
            b']' => {
                s.expect(b']', context)?;
                return Ok(StringTable::from_parts(bytes, ends));
            }
            other => {
                return Err(Error::syntax(
                    s.pos(),
                    format!("expected ',' or ']' {context}, found '{}'", other as char),
                ));
            }
        }
    }
}

/// Checks the header's counts against the arrays and converts edge targets to ordinals.
fn check_counts(meta: &Meta, raw: &mut RawGraph) -> Result<()> {
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

fn resolve_node_index(index: u64, meta: &Meta, nodes: usize, what: &str) -> Result<u32> {
    let fields = meta.node.field_count as u64;
    if !index.is_multiple_of(fields) || index / fields >= nodes as u64 {
        return Err(Error::invalid(format!(
            "{what} {index} is not the index of a node"
        )));
    }
    Ok((index / fields) as u32)
}

fn resolve_locations(
    flat: &[u32],
    layout: &meta::LocationLayout,
    meta: &Meta,
    nodes: usize,
) -> Result<Locations> {
    use rayon::prelude::*;
    let fields = meta.node.field_count as u64;
    let node_of = |record: &[u32]| {
        let index = record[layout.object_index] as u64;
        (index.is_multiple_of(fields) && index / fields < nodes as u64)
            .then_some((index / fields) as u32)
    };
    if !flat
        .par_chunks_exact(layout.field_count)
        .all(|record| node_of(record).is_some())
    {
        let bad = flat
            .chunks_exact(layout.field_count)
            .find(|record| node_of(record).is_none())
            .expect("a bad record");
        resolve_node_index(
            bad[layout.object_index] as u64,
            meta,
            nodes,
            "a location's object_index",
        )?;
        unreachable!("the record's object_index is not a node's");
    }
    let records = flat
        .chunks_exact(layout.field_count)
        .map(|record| {
            let node = (record[layout.object_index] as u64 / fields) as u32;
            let site = Location {
                script_id: record[layout.script_id],
                line: record[layout.line],
                column: record[layout.column],
            };
            (node, site)
        })
        .collect();
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
