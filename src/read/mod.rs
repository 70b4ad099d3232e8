//! Reading `.heapsnapshot` files (plain, gzip'd or zstd'd) into a [`HeapGraph`]. This is the only module
//! that knows JSON: it walks the top-level object once, streams `nodes`, `edges` and `locations`
//! straight into columns and never builds a document tree of the big arrays.

mod columns;
pub mod memory;
mod meta;
mod numbers;
mod ordinals;
mod rewrite;
pub mod rss_log;
mod scan;
mod source;
mod traces;

use std::io::Read;
use std::path::Path;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};
use crate::graph::{HeapGraph, RawGraph, StringTable, try_zeroed};
use columns::{NodeColumns, PendingEdges};
use meta::Meta;
use ordinals::{check_counts, resolve_locations, resolve_node_index};
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

    // The edges are parsed beside the sections after them (see `PendingEdges`); an error in
    // them comes first, as it would reading in order.
    let edges: Mutex<Option<Result<(PendingEdges, Duration)>>> = Mutex::new(None);
    let mut edges_timing_at = None;
    let in_order = rayon::scope(|scope| -> Result<()> {
        if s.peek("in the top-level object")? == b'}' {
            return Ok(());
        }
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
                Some(Section::Edges) if let Some(m) = &meta => {
                    let started = Instant::now();
                    let pending = PendingEdges::measure(&mut s, &m.edge, paging)?;
                    edges_timing_at = Some(raw.timings.len());
                    let edges = &edges;
                    scope.spawn(move |_| {
                        let parsed = pending.parse(bytes, paging);
                        *edges.lock().expect("not poisoned") =
                            Some(parsed.map(|p| (p, started.elapsed())));
                    });
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
                b'}' => return Ok(()),
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
    });
    if let Some(parsed) = edges.into_inner().expect("not poisoned") {
        let (edges, took) = parsed?;
        (raw.edge_type, raw.edge_name, raw.edge_to) = (edges.ty, edges.name, edges.to);
        let at = edges_timing_at.expect("spawned");
        raw.timings.insert(at, ("edges", took));
    }
    in_order?;
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
            let edges = PendingEdges::measure(s, &meta.edge, paging)?.parse(s.bytes(), paging)?;
            (raw.edge_type, raw.edge_name, raw.edge_to) = (edges.ty, edges.name, edges.to);
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
