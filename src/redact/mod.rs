//! Redaction: which strings of a snapshot are heap data, and their placeholders. A string
//! node's text (types `string`, `concatenated string`, `sliced string`) is data: what the
//! program held. So are the keys of objects used as dictionaries (sessions by session id):
//! property names of dictionary-mode objects that no code names ([`dictionaries`]). Names of
//! everything else are code and stay: property and variable names (edge names), class,
//! function and constructor names, script URLs, regexp sources, DOM tag names and the
//! allocation traces' function and script names.
//!
//! A data string becomes `<string 48 B #3f2a9c1d>`: its UTF-8 length and a stable 32-bit
//! hash, so equal strings stay equal (clusters of copies, two reports) without their text. A
//! table entry that is both data and a name (a string value `"id"` and a property `id`) is
//! split: the name keeps the text, the string nodes get an appended placeholder. Used by
//! `--redact` on loaded graphs and by `heapdiff redact`, which writes a redacted file.

mod dictionaries;
mod tokens;

use std::io::Write;
use std::path::Path;

use rustc_hash::FxHashSet;

use crate::error::{Error, ErrorKind, Result};
use crate::graph::{HeapGraph, StringTable};
use crate::read::{Sink, StringRewrite};

pub use tokens::looks_like_token;

/// Snapshot files keep this suffix in their placeholder: heapdiff recognises the file name
/// of a snapshot being written (its own output, not program data) by it.
const SNAPSHOT_SUFFIX: &str = ".heapsnapshot";

/// What V8 names concatenated and sliced strings instead of their text: not data.
const TYPE_NAMES: [&str; 2] = ["(concatenated string)", "(sliced string)"];

/// FNV-1a, 64 bits: stable across runs, machines and versions.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The placeholder of a data string.
pub fn placeholder(text: &str) -> String {
    let hash = fnv1a(text);
    let suffix = if text.ends_with(SNAPSHOT_SUFFIX) {
        SNAPSHOT_SUFFIX
    } else {
        ""
    };
    format!(
        "<string {} B #{:08x}>{suffix}",
        text.len(),
        (hash >> 32) as u32 ^ hash as u32
    )
}

/// True for a placeholder `placeholder` wrote.
pub fn is_placeholder(text: &str) -> bool {
    text.starts_with("<string ") && text.contains(" B #")
}

/// The node types (numbers) whose names are data.
fn data_types(g: &HeapGraph) -> Vec<u8> {
    let t = &g.node_types;
    [t.string, t.cons_string, t.sliced_string]
        .into_iter()
        .flatten()
        .collect()
}

/// What redacting `g` changes in its string table, and what it found among property names.
#[derive(Debug, Default)]
pub struct Plan {
    pub rewrite: StringRewrite,
    /// Distinct property names replaced: keys of dictionary-mode objects no code names.
    pub hidden_keys: u64,
    /// Distinct property names kept that look like keys, ids or tokens ([`looks_like_token`]):
    /// names of fast-mode objects, or dictionary keys that code also names.
    pub token_like_kept: u64,
}

/// Plans the redaction of `g`. A dictionary key that is also a name of code (a function,
/// class or variable name, a fast object's property, a string of compiled code) stays: one
/// string-table entry serves every use of a text, so replacing it would rename the code too,
/// and its text would remain visible there anyway; the count of token-like names kept tells
/// when that may have kept a secret.
pub fn plan(g: &HeapGraph) -> Plan {
    let types = data_types(g);
    let n = g.strings.len();
    let mut data = vec![false; n];
    let mut named = vec![false; n];
    let mut key = vec![false; n];
    let mut property = vec![false; n];
    for (v, &name) in g.node_name.iter().enumerate() {
        if types.contains(&g.node_type[v]) {
            data[name as usize] = true;
        } else {
            named[name as usize] = true;
        }
    }
    let dictionary_keys = dictionaries::data_dictionary_keys(g);
    for (e, &name) in g.edge_name.iter().enumerate() {
        if !g.edge_types.has_string_name(g.edge_type[e]) {
            continue;
        }
        if dictionary_keys.get(e) {
            key[name as usize] = true;
        } else {
            named[name as usize] = true;
        }
        if g.is_edge_type(e, g.edge_types.property) {
            property[name as usize] = true;
        }
    }
    if let Some(a) = &g.allocations {
        for f in &a.functions {
            named[f.name as usize] = true;
            named[f.script_name as usize] = true;
        }
    }
    let code_words = dictionaries::code_words(g);
    for i in 0..n {
        if key[i] && named[i] {
            key[i] = false;
        } else if key[i] && code_words.get(i) {
            // Named by compiled code alone: the code's string nodes keep the text too (it stays
            // as the key anyway), so that redacting the copy again finds the same evidence.
            key[i] = false;
            data[i] = false;
        }
    }
    let mut plan = Plan {
        rewrite: StringRewrite {
            node_types: types.iter().map(|&t| t as u32).collect(),
            ..StringRewrite::default()
        },
        ..Plan::default()
    };
    let rewrite = &mut plan.rewrite;
    for i in 0..n {
        if !data[i] && !key[i] {
            if property[i] && looks_like_token(g.strings.get(i as u32)) {
                plan.token_like_kept += 1;
            }
            continue;
        }
        let text = g.strings.get(i as u32);
        if is_placeholder(text) || TYPE_NAMES.contains(&text) {
            continue;
        }
        if key[i] {
            plan.hidden_keys += 1;
            rewrite.replaced.insert(i as u32, placeholder(text));
        } else if named[i] {
            if property[i] && looks_like_token(text) {
                plan.token_like_kept += 1;
            }
            let new = (n + rewrite.appended.len()) as u32;
            rewrite.appended.push(placeholder(text));
            rewrite.node_names.insert(i as u32, new);
        } else {
            rewrite.replaced.insert(i as u32, placeholder(text));
        }
    }
    plan
}

/// Redacts a loaded graph in memory, for `--redact` reports: afterwards no string node's
/// name is heap data.
pub fn redact_graph(g: &mut HeapGraph) {
    let rewrite = plan(g).rewrite;
    if rewrite.replaced.is_empty() && rewrite.appended.is_empty() {
        return;
    }
    let mut table = StringTable::new();
    for i in 0..g.strings.len() as u32 {
        match rewrite.replaced.get(&i) {
            Some(text) => table.push(text),
            None => table.push(g.strings.get(i)),
        };
    }
    for text in &rewrite.appended {
        table.push(text);
    }
    g.strings = table;
    let types = data_types(g);
    for (v, name) in g.node_name.iter_mut().enumerate() {
        if types.contains(&g.node_type[v])
            && let Some(&new) = rewrite.node_names.get(name)
        {
            *name = new;
        }
    }
}

/// What `heapdiff redact` did.
#[derive(Debug, Clone, Copy)]
pub struct Redacted {
    /// Data strings replaced in place, and split off from a name.
    pub replaced: u64,
    pub split: u64,
    /// Of the replaced strings, property names (keys of dictionary-mode objects).
    pub hidden_keys: u64,
    /// Property names kept that look like keys, ids or tokens: worth a warning.
    pub token_like_kept: u64,
    pub nodes: u64,
    pub bytes_written: u64,
}

/// Writes a redacted copy of the snapshot `input` to `output` (gzip'd when its name ends in
/// `.gz`), atomically: a temporary file beside it, renamed into place. `output` must not be
/// the input.
pub fn write_redacted(input: &Path, output: &Path) -> Result<Redacted> {
    if let Ok(out) = std::fs::canonicalize(output)
        && std::fs::canonicalize(input).is_ok_and(|i| i == out)
    {
        return Err(Error::new(ErrorKind::Usage(format!(
            "-o {} is the input: heapdiff never overwrites its inputs",
            output.display()
        ))));
    }
    let (rewrite, stats) = planned(input)?;
    let bytes =
        crate::atomic::write_atomically(output, |file| write_to(input, file, output, &rewrite))?;
    Ok(Redacted {
        bytes_written: bytes,
        ..stats
    })
}

/// Loads `input` and plans its redaction; the graph is dropped before anything is written.
fn planned(input: &Path) -> Result<(StringRewrite, Redacted)> {
    let g = crate::read::load(input)?;
    let plan = plan(&g);
    let stats = Redacted {
        replaced: plan.rewrite.replaced.len() as u64,
        split: plan.rewrite.appended.len() as u64,
        hidden_keys: plan.hidden_keys,
        token_like_kept: plan.token_like_kept,
        nodes: g.node_count() as u64,
        bytes_written: 0,
    };
    Ok((plan.rewrite, stats))
}

/// Writes a redacted copy of `input` to `out` (plain JSON), for `-o -`.
pub fn write_redacted_to(input: &Path, out: &mut dyn Write) -> Result<Redacted> {
    let (rewrite, stats) = planned(input)?;
    crate::read::rewrite(input, &rewrite, Sink::Stream(out))?;
    out.flush().map_err(|e| {
        Error::new(ErrorKind::Write {
            what: "standard output".to_string(),
            source: e,
        })
    })?;
    Ok(stats)
}

/// Streams the rewritten snapshot into `file`, compressed as `output`'s name asks.
fn write_to(
    input: &Path,
    file: &mut std::fs::File,
    output: &Path,
    rewrite: &StringRewrite,
) -> Result<u64> {
    let failed = |e: std::io::Error| {
        Error::new(ErrorKind::Write {
            what: output.display().to_string(),
            source: e,
        })
    };
    if output.extension().is_some_and(|e| e == "gz") {
        let buffered = std::io::BufWriter::with_capacity(1 << 20, &mut *file);
        let mut enc = flate2::write::GzEncoder::new(buffered, flate2::Compression::fast());
        crate::read::rewrite(input, rewrite, Sink::Stream(&mut enc))?;
        enc.finish().and_then(|mut b| b.flush()).map_err(failed)?;
    } else {
        crate::read::rewrite(input, rewrite, Sink::File(file))?;
    }
    file.metadata().map(|m| m.len()).map_err(failed)
}

/// The distinct data strings of `g` (texts of string nodes), for checking that none survives.
pub fn data_strings(g: &HeapGraph) -> FxHashSet<String> {
    let types = data_types(g);
    let mut seen: FxHashSet<u32> = FxHashSet::default();
    let mut out = FxHashSet::default();
    for (v, &name) in g.node_name.iter().enumerate() {
        if types.contains(&g.node_type[v]) && seen.insert(name) {
            let text = g.strings.get(name);
            if !TYPE_NAMES.contains(&text) {
                out.insert(text.to_string());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_stable_and_tell_only_length_and_hash() {
        let p = placeholder("session-token-abc123");
        assert_eq!(p, placeholder("session-token-abc123"));
        assert_ne!(p, placeholder("session-token-abc124"));
        assert!(p.starts_with("<string 20 B #") && p.ends_with('>'), "{p}");
        assert!(is_placeholder(&p));
        assert!(!p.contains("session"));
        let file = placeholder("/srv/app/Heap.20261201.heapsnapshot");
        assert!(
            file.ends_with(">.heapsnapshot") && !file.contains("srv"),
            "{file}"
        );
    }
}
