//! Writes a copy of a snapshot file with some strings changed: the string table gets new texts
//! and appended entries, and nodes of some types are renamed to other entries. Every other
//! byte (nodes' other fields, edges, traces, locations) is copied as it is, so node counts,
//! sizes and the graph stay identical. The input is mapped (or decompressed) and streamed
//! section by section; only the string table's offsets are held.

use std::io::{Read, Write};
use std::path::Path;

use rustc_hash::FxHashMap;

use super::meta;
use super::scan::Scanner;
use super::source::open;
use crate::error::{Error, ErrorKind, Result};

/// Top-level arrays of plain numbers, skipped by searching for their end.
const FLAT_NUMERIC: [&str; 5] = [
    "nodes",
    "edges",
    "locations",
    "samples",
    "trace_function_infos",
];

/// What to change.
#[derive(Debug, Default)]
pub struct StringRewrite {
    /// Node types (by number) whose names are rewritten.
    pub node_types: Vec<u32>,
    /// For nodes of those types: name index → new name index.
    pub node_names: FxHashMap<u32, u32>,
    /// New texts of existing strings.
    pub replaced: FxHashMap<u32, String>,
    /// Strings appended to the table, from index `table length` on.
    pub appended: Vec<String>,
}

fn write_failed(e: std::io::Error) -> Error {
    Error::new(ErrorKind::Write {
        what: "the snapshot".to_string(),
        source: e,
    })
}

/// Where the rewritten snapshot goes: any writer, or a plain file, into which unchanged parts
/// of a plain input are copied by the kernel (`copy_file_range`), not through memory.
pub enum Sink<'a> {
    Stream(&'a mut dyn Write),
    File(&'a mut std::fs::File),
}

/// Copies the snapshot at `input` to `out` with `rewrite` applied.
pub fn rewrite(input: &Path, rewrite: &StringRewrite, out: Sink<'_>) -> Result<()> {
    let source = open(input).map_err(|e| e.with_path(input))?;
    let bytes: &[u8] = &source;
    let result = match (out, &source) {
        (Sink::File(file), super::source::Source::Mapped(_)) => {
            let mut from = std::fs::File::open(input)?;
            let mut verbatim = |range: std::ops::Range<usize>, file: &mut std::fs::File| {
                use std::io::{Seek, SeekFrom};
                from.seek(SeekFrom::Start(range.start as u64))?;
                let len = (range.end - range.start) as u64;
                let copied = std::io::copy(&mut (&mut from).take(len), file)?;
                if copied != len {
                    return Err(std::io::Error::from(std::io::ErrorKind::UnexpectedEof));
                }
                Ok(())
            };
            copy_rewritten(bytes, rewrite, file, &mut verbatim)
        }
        (Sink::File(file), _) => {
            copy_rewritten(bytes, rewrite, file, &mut |r, f| f.write_all(&bytes[r]))
        }
        (Sink::Stream(out), _) => {
            copy_rewritten(bytes, rewrite, out, &mut |r, o| o.write_all(&bytes[r]))
        }
    };
    result.map_err(|e| e.with_path(input))
}

/// The rewriting, with `verbatim` copying ranges of the input that do not change.
fn copy_rewritten<W: Write + ?Sized>(
    bytes: &[u8],
    rewrite: &StringRewrite,
    out: &mut W,
    verbatim: &mut dyn FnMut(std::ops::Range<usize>, &mut W) -> std::io::Result<()>,
) -> Result<()> {
    let mut s = Scanner::new(bytes);
    s.expect(b'{', "")?;
    let mut sections: Vec<(String, usize, usize)> = Vec::new();
    loop {
        let key = s.string("as a top-level key")?;
        s.expect(b':', "after a top-level key")?;
        s.peek("in the top-level object")?;
        let start = s.pos();
        if FLAT_NUMERIC.contains(&key.as_str()) && bytes[start] == b'[' {
            // No nesting and no strings inside: the array ends at the first `]`.
            let end = memchr::memchr(b']', &bytes[start..])
                .ok_or_else(|| Error::truncated(bytes.len(), format!("in the {key} array")))?;
            s.set_pos(start + end + 1);
        } else {
            s.skip_value(&format!("in \"{key}\""))?;
        }
        sections.push((key, start, s.pos()));
        if s.peek("in the top-level object")? == b',' {
            s.expect(b',', "")?;
        } else {
            s.expect(b'}', "")?;
            break;
        }
    }
    let find = |name: &str| sections.iter().find(|(k, _, _)| k == name);
    let (_, h0, h1) =
        find("snapshot").ok_or_else(|| Error::not_snapshot("no \"snapshot\" header"))?;
    let meta = meta::parse_header(&bytes[*h0..*h1], *h0)?;
    if meta.node.ty > meta.node.name {
        return Err(Error::invalid(
            "node_fields list \"name\" before \"type\": heapdiff cannot rewrite this layout",
        ));
    }
    let mut at = 0;
    for (key, start, end) in &sections {
        let (start, end) = (*start, *end);
        if key != "nodes" && key != "strings" {
            continue;
        }
        verbatim(at..start, out).map_err(write_failed)?;
        let mut buffered = std::io::BufWriter::with_capacity(1 << 20, &mut *out);
        if key == "nodes" {
            rename_nodes(&bytes[start..end], &meta.node, rewrite, &mut buffered)?;
        } else {
            write_strings(bytes, start, rewrite, &mut buffered)?;
        }
        buffered.flush().map_err(write_failed)?;
        drop(buffered);
        at = end;
    }
    verbatim(at..bytes.len(), out).map_err(write_failed)
}

/// Copies the nodes array, renaming nodes of the rewritten types.
fn rename_nodes(
    text: &[u8],
    layout: &meta::NodeLayout,
    rewrite: &StringRewrite,
    out: &mut dyn Write,
) -> Result<()> {
    let fields = layout.field_count;
    // Only renamed fields are written anew; the text between them is copied in runs.
    let (mut field, mut ty, mut i, mut copied) = (0usize, u32::MAX, 0usize, 0usize);
    while i < text.len() {
        if !text[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        let mut value: u64 = 0;
        while i < text.len() && text[i].is_ascii_digit() {
            value = value
                .saturating_mul(10)
                .saturating_add((text[i] - b'0') as u64);
            i += 1;
        }
        let value = value.min(u32::MAX as u64) as u32;
        let k = field % fields;
        field += 1;
        if k == layout.ty {
            ty = value;
        } else if k == layout.name
            && rewrite.node_types.contains(&ty)
            && let Some(&new) = rewrite.node_names.get(&value)
        {
            out.write_all(&text[copied..start]).map_err(write_failed)?;
            out.write_all(new.to_string().as_bytes())
                .map_err(write_failed)?;
            copied = i;
        }
    }
    out.write_all(&text[copied..]).map_err(write_failed)
}

/// Writes the strings array at `start`: kept strings byte for byte, replaced ones and the
/// appended ones as JSON strings.
fn write_strings(
    bytes: &[u8],
    start: usize,
    rewrite: &StringRewrite,
    out: &mut dyn Write,
) -> Result<()> {
    let context = "in the strings array";
    let mut s = Scanner::new(bytes);
    s.set_pos(start);
    s.expect(b'[', context)?;
    out.write_all(b"[").map_err(write_failed)?;
    let mut index = 0u32;
    let mut first = true;
    let mut separator = |out: &mut dyn Write| -> Result<()> {
        if !std::mem::take(&mut first) {
            out.write_all(b",\n").map_err(write_failed)?;
        }
        Ok(())
    };
    if s.peek(context)? != b']' {
        loop {
            s.peek(context)?;
            let from = s.pos();
            s.skip_value(context)?;
            separator(out)?;
            match rewrite.replaced.get(&index) {
                Some(text) => write_json_string(text, out)?,
                None => out.write_all(&bytes[from..s.pos()]).map_err(write_failed)?,
            }
            index += 1;
            if s.peek(context)? == b',' {
                s.expect(b',', context)?;
            } else {
                break;
            }
        }
    }
    s.expect(b']', context)?;
    for text in &rewrite.appended {
        separator(out)?;
        write_json_string(text, out)?;
    }
    out.write_all(b"]").map_err(write_failed)
}

fn write_json_string(text: &str, out: &mut dyn Write) -> Result<()> {
    let json = serde_json::to_string(text).expect("a string serializes");
    out.write_all(json.as_bytes()).map_err(write_failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SNAPSHOT: &str = r#"{"snapshot":{"meta":{"node_fields":["type","name","id","self_size","edge_count"],"node_types":[["hidden","string"],"string","number","number","number"],"edge_fields":["type","name_or_index","to_node"],"edge_types":[["property"],"string_or_number","node"]},"node_count":3,"edge_count":2},
"nodes":[0,0,1,0,2
,1,1,3,16,0
,1,2,5,24,0],
"edges":[0,1,5,0,2,10],
"strings":["root","secret","x\"y"]}"#;

    #[test]
    fn strings_are_replaced_and_nodes_renamed_byte_exact_elsewhere() {
        let rewrite = StringRewrite {
            node_types: vec![1],
            node_names: [(1, 3)].into_iter().collect(),
            replaced: [(2, "<redacted>".to_string())].into_iter().collect(),
            appended: vec!["<string 6 B>".to_string()],
        };
        let mut out: Vec<u8> = Vec::new();
        let bytes = SNAPSHOT.as_bytes();
        copy_rewritten(bytes, &rewrite, &mut out, &mut |r, o| {
            o.write_all(&bytes[r])
        })
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        // Node 1 (a string named 1) now names 3; edge 0 still names string 1.
        assert!(
            text.contains("\"nodes\":[0,0,1,0,2\n,1,3,3,16,0\n,1,2,5,24,0]"),
            "{text}"
        );
        assert!(text.contains("\"edges\":[0,1,5,0,2,10]"));
        assert!(
            text.ends_with(
                "\"strings\":[\"root\",\n\"secret\",\n\"<redacted>\",\n\"<string 6 B>\"]}"
            )
        );
        let g = crate::read::parse(text.as_bytes()).unwrap();
        assert_eq!(g.raw_name(1), "<string 6 B>");
        assert_eq!(g.edge_name(0), "secret");
    }
}
