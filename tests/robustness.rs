//! The malformed-input corpus: cases derived from a real fixture snapshot (and a few built by
//! hand), each with its expected outcome: a specific one-line error, or a correct result for
//! unusual but valid input. Nothing may panic, hang, or allocate by an unchecked count.

mod support;

use std::io::Read;

use heapdiff::analysis::Analysis;
use heapdiff::{Error, ErrorKind};
use serde_json::Value;
use support::builder::SnapshotBuilder;

/// The decompressed text of fixture `fixtures/snapshots/<name>.heapsnapshot.gz`.
fn fixture_text(name: &str) -> Vec<u8> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("fixtures/snapshots/{name}.heapsnapshot.gz"));
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut text)
        .unwrap();
    text
}

/// The node14 base fixture (2.8 MB, 6 node fields).
fn real_snapshot() -> Vec<u8> {
    fixture_text("node14-base")
}

/// Parses and, when that works, runs every analysis and both reports.
fn outcome(bytes: &[u8]) -> Result<Analysis, Error> {
    let graph = heapdiff::read::parse(bytes)?;
    let a = Analysis::run(graph)?;
    let _ = heapdiff::report::SummaryReport::new("case", &a.summarize());
    Ok(a)
}

fn message(bytes: &[u8]) -> String {
    match outcome(bytes) {
        Ok(_) => panic!("expected an error"),
        Err(e) => {
            let text = e.to_string();
            assert_eq!(text.lines().count(), 1, "one line: {text}");
            text
        }
    }
}

fn assert_error(bytes: &[u8], expected: &str) {
    let text = message(bytes);
    assert!(text.contains(expected), "{expected:?} not in {text:?}");
}

fn replace_once(text: &[u8], from: &str, to: &str) -> Vec<u8> {
    let s = std::str::from_utf8(text).unwrap();
    assert!(s.contains(from), "{from} not found");
    s.replacen(from, to, 1).into_bytes()
}

/// Byte offsets of the top-level keys, in file order.
fn section_offsets(text: &[u8]) -> Vec<(String, usize)> {
    let s = std::str::from_utf8(text).unwrap();
    [
        "\"nodes\"",
        "\"edges\"",
        "\"trace_function_infos\"",
        "\"trace_tree\"",
        "\"samples\"",
        "\"locations\"",
        "\"strings\"",
    ]
    .iter()
    .map(|k| {
        (
            k.to_string(),
            s.find(&format!("\n{k}:")).map(|i| i + 1).unwrap(),
        )
    })
    .collect()
}

#[test]
fn truncated_at_every_section_boundary_and_inside_values() {
    let text = real_snapshot();
    let mut cuts = vec![0, 1, 20, 200];
    for (_, at) in section_offsets(&text) {
        cuts.extend([at - 1, at, at + 3, at + 9, at + 10]);
    }
    // Inside numbers of the big arrays and inside strings, at spread positions.
    let nodes = section_offsets(&text)[0].1;
    let strings = section_offsets(&text)[6].1;
    for i in 1..8 {
        let mut at = nodes + (strings - nodes) * i / 8;
        while !text[at].is_ascii_digit() {
            at += 1;
        }
        cuts.push(at + 1);
    }
    for i in 1..4 {
        cuts.push(strings + (text.len() - strings) * i / 4);
    }
    cuts.push(text.len() - 1);
    let mut checked = 0;
    for cut in cuts {
        let piece = &text[..cut];
        match outcome(piece) {
            Ok(_) => panic!("truncated at {cut} was accepted"),
            Err(e) if cut == 0 => assert!(matches!(e.kind(), ErrorKind::NotSnapshot(_))),
            Err(e) => {
                assert!(
                    matches!(e.kind(), ErrorKind::Truncated { offset, .. } if *offset == cut),
                    "cut at {cut}: {e}"
                );
                assert!(e.to_string().contains("the snapshot is truncated"));
                checked += 1;
            }
        }
    }
    assert!(checked >= 40, "{checked}");
}

/// A tiny xorshift generator so the corpus is the same on every run.
fn next(seed: &mut u64) -> u64 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 7;
    *seed ^= *seed << 17;
    *seed
}

#[test]
fn flipped_bytes_give_an_error_or_a_result_never_a_panic() {
    let text = real_snapshot();
    let sections = section_offsets(&text);
    let mut seed = 0x2545_f491_4f6c_dd1d;
    let (mut errors, mut results) = (0, 0);
    for case in 0..60 {
        let mut bytes = text.clone();
        // Spread the flips over the header, the arrays and the strings.
        let region = match case % 4 {
            0 => 0..sections[0].1,
            1 => sections[0].1..sections[1].1,
            2 => sections[1].1..sections[2].1,
            _ => sections[6].1..text.len(),
        };
        for _ in 0..1 + case % 3 {
            let at = region.start + (next(&mut seed) as usize) % region.len();
            bytes[at] ^= (next(&mut seed) % 255 + 1) as u8;
        }
        match outcome(&bytes) {
            Ok(_) => results += 1,
            Err(e) => {
                assert_eq!(e.to_string().lines().count(), 1);
                errors += 1;
            }
        }
    }
    // Most flips break the JSON or an index; some only change a number or a name.
    assert!(
        errors > 20 && results > 0,
        "{errors} errors, {results} results"
    );
}

#[test]
fn broken_meta() {
    let text = real_snapshot();
    for (from, to, expected) in [
        (
            "\"edge_count\",\"trace_node_id\"]",
            "\"edge_kount\",\"trace_node_id\"]",
            "no \"edge_count\" in node_fields",
        ),
        (
            "\"node_fields\"",
            "\"node_fieldz\"",
            "snapshot.meta has no node_fields",
        ),
        (
            "\"edge_types\"",
            "\"edge_typez\"",
            "snapshot.meta has no edge_types",
        ),
        (
            "\"name_or_index\"",
            "\"name\"",
            "no \"name_or_index\" in edge_fields",
        ),
        ("\"to_node\"", "\"target\"", "no \"to_node\" in edge_fields"),
        (
            "\"object_index\"",
            "\"object\"",
            "no \"object_index\" in location_fields",
        ),
        (
            "\"node_types\":[[",
            "\"node_types\":[7,[",
            "a list of type names in node_types",
        ),
        (
            "\"meta\":",
            "\"meta\":null,\"x\":",
            "snapshot.meta is absent",
        ),
    ] {
        assert_error(&replace_once(&text, from, to), expected);
    }
    // node_types with fewer entries than node_fields still has the type enum: accepted.
    let short = replace_once(
        &text,
        "\"string\",\"number\",\"number\",\"number\",\"number\",\"number\"]",
        "\"string\"]",
    );
    assert!(outcome(&short).is_ok());
}

#[test]
fn bad_indices_counts_and_numbers() {
    let text = real_snapshot();
    let node_count = {
        let s = std::str::from_utf8(&text).unwrap();
        let i = s.find("\"node_count\":").unwrap() + 13;
        s[i..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .to_string()
    };
    let edge_count = {
        let s = std::str::from_utf8(&text).unwrap();
        let i = s.find("\"edge_count\":").unwrap() + 13;
        s[i..]
            .split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .to_string()
    };
    // The root is the first node: "nodes":[9,1,1,0,N,0, with N its edge count.
    let s = std::str::from_utf8(&text).unwrap();
    let nodes_at = s.find("\"nodes\":[").unwrap() + 9;
    let root: Vec<&str> = s[nodes_at..].splitn(7, ',').take(6).collect();
    let root_text = root.join(",");
    let edges_at = s.find("\"edges\":[").unwrap() + 9;
    let first_edge: Vec<&str> = s[edges_at..].splitn(4, ',').take(3).collect();
    let edge_text = first_edge.join(",");
    let with_edge = |t: &str, n: &str, to: &str| {
        replace_once(
            &text,
            &format!("\"edges\":[{edge_text}"),
            &format!("\"edges\":[{t},{n},{to}"),
        )
    };
    let with_root = |fields: [&str; 6]| {
        replace_once(
            &text,
            &format!("\"nodes\":[{root_text}"),
            &format!("\"nodes\":[{}", fields.join(",")),
        )
    };
    let claim_nodes = |n: &str| {
        replace_once(
            &text,
            &format!("\"node_count\":{node_count}"),
            &format!("\"node_count\":{n}"),
        )
    };
    let claim_edges = |n: &str| {
        replace_once(
            &text,
            &format!("\"edge_count\":{edge_count}"),
            &format!("\"edge_count\":{n}"),
        )
    };

    assert_error(
        &with_edge(first_edge[0], first_edge[1], "8"),
        "edge 0 points at node index 8",
    );
    assert_error(
        &with_edge(first_edge[0], first_edge[1], "4294967292"),
        "edge 0 points at node index 4294967292",
    );
    assert_error(
        &with_edge("99", first_edge[1], first_edge[2]),
        "edge 0 has type 99",
    );
    assert_error(
        &with_edge("5", "4000000", first_edge[2]),
        "edge 0 names string 4000000",
    );
    assert_error(
        &with_root([root[0], "4000000", root[2], root[3], root[4], root[5]]),
        "node 0 names string 4000000",
    );
    assert_error(
        &with_root([root[0], root[1], root[2], root[3], "1", root[5]]),
        "edge_count fields add up to",
    );
    // A node type that meta.node_types does not list loads, as in DevTools: type `undefined`.
    let unlisted = with_root(["77", root[1], root[2], root[3], root[4], root[5]]);
    let graph = heapdiff::read::parse(&unlisted).unwrap();
    assert_eq!(graph.type_name(graph.root.0), "undefined");
    assert_error(
        &with_root(["-1", root[1], root[2], root[3], root[4], root[5]]),
        "expected a non-negative integer in the nodes array",
    );
    assert_error(
        &with_root([root[0], root[1], "1.5", root[3], root[4], root[5]]),
        "expected ',' or ']' after a number in the nodes array",
    );
    assert_error(
        &with_root([root[0], root[1], root[2], "1e3", root[4], root[5]]),
        "expected ',' or ']' after a number in the nodes array",
    );
    assert_error(
        &with_root([root[0], root[1], root[2], "4294967296", root[4], root[5]]),
        "does not fit in 32 bits",
    );
    assert_error(
        &with_root([
            root[0],
            root[1],
            root[2],
            "99999999999999999999999",
            root[4],
            root[5],
        ]),
        "does not fit in 32 bits",
    );
    assert_error(
        &claim_nodes("1099511627776"),
        "snapshot.node_count is 1099511627776, but the nodes array holds",
    );
    assert_error(
        &claim_edges("1099511627776"),
        "snapshot.edge_count is 1099511627776, but the edges array holds",
    );
    assert_error(
        &claim_nodes("-3"),
        "snapshot.node_count is -3, not a non-negative integer",
    );
    assert_error(&claim_nodes("1.5"), "snapshot.node_count is 1.5");
    // One number missing from the nodes array: no longer whole records.
    let short_nodes = replace_once(
        &text,
        &format!("\"nodes\":[{root_text},"),
        &format!("\"nodes\":[{},", root[1..].join(",")),
    );
    assert_error(&short_nodes, "not a multiple of the 6 node fields");
}

/// Re-assembles the snapshot's top-level values in another order.
fn reordered(text: &[u8], order: &[&str]) -> Vec<u8> {
    let v: Value = serde_json::from_slice(text).unwrap();
    let parts: Vec<String> = order
        .iter()
        .map(|k| format!("\"{k}\":{}", serde_json::to_string(&v[*k]).unwrap()))
        .collect();
    format!("{{{}}}", parts.join(",\n")).into_bytes()
}

#[test]
fn unusual_but_valid_layouts_give_the_same_result() {
    let text = real_snapshot();
    let expected = outcome(&text).unwrap().summary();
    for order in [
        &[
            "strings",
            "locations",
            "edges",
            "nodes",
            "snapshot",
            "samples",
            "trace_tree",
            "trace_function_infos",
        ][..],
        &["nodes", "edges", "strings", "locations", "snapshot"][..],
        &[
            "edges",
            "snapshot",
            "strings",
            "nodes",
            "locations",
            "samples",
        ][..],
    ] {
        let got = outcome(&reordered(&text, order)).unwrap().summary();
        assert_eq!(got, expected, "order {order:?}");
    }
    // Unknown sections, with deep nesting, are skipped.
    let extra = replace_once(
        &text,
        "\"nodes\":",
        "\"future\":{\"a\":[[[[{\"b\":\"]}\"}]]]],\"c\":null},\n\"nodes\":",
    );
    assert_eq!(outcome(&extra).unwrap().summary(), expected);
    // Whitespace everywhere.
    let spaced: Vec<u8> = std::str::from_utf8(&text[..])
        .unwrap()
        .replace(',', " ,\n\t")
        .into_bytes();
    assert_eq!(outcome(&spaced).unwrap().summary(), expected);
}

#[test]
fn documents_that_are_not_snapshots() {
    for (bytes, expected) in [
        (&b""[..], "the file is empty"),
        (b"   \n ", "the file is empty"),
        (b"[1, 2, 3]", "does not start with a JSON object"),
        (
            b"\x89PNG\r\n\x1a\n\0\0\0",
            "does not start with a JSON object",
        ),
        (b"{}", "no \"snapshot\" header"),
        (
            b"\xfd7zXZ\x00\x00\x04",
            "it is xz-compressed; heapdiff reads plain, gzip'd and zstd'd snapshots: decompress it first",
        ),
        (b"BZh91AY&SY", "it is bzip2-compressed"),
        (b"PK\x03\x04\x14\x00", "it is a zip archive"),
        (
            b"{\"name\": \"x\", \"version\": 1}",
            "no \"snapshot\" header",
        ),
        (b"{\"snapshot\": {}}", "snapshot.meta is absent"),
        (
            b"{\"a\": 1} trailing",
            "unexpected data after the snapshot's JSON object",
        ),
        (
            b"{\"a\": 1, \"a\": 2}",
            "the top-level key \"a\" appears twice",
        ),
    ] {
        assert_error(bytes, expected);
    }
    let deep = format!("{{\"a\": {}1{}}}", "[".repeat(20_000), "]".repeat(20_000));
    assert_error(deep.as_bytes(), "JSON nested too deeply");
    let text = real_snapshot();
    let twice = replace_once(&text, "\"edges\":", "\"nodes\":[],\n\"edges\":");
    assert_error(&twice, "the top-level key \"nodes\" appears twice");
    let no_strings = replace_once(&text, "\"strings\":", "\"strongs\":");
    assert_error(&no_strings, "it has no \"strings\" array");
}

#[test]
fn degenerate_graphs() {
    // No nodes at all.
    let empty = SnapshotBuilder::new().build();
    let zero = empty.replacen("\"nodes\":[9,1,1,0,0,0,0]", "\"nodes\":[]", 1);
    let zero = zero.replacen("\"node_count\":1", "\"node_count\":0", 1);
    assert_error(zero.as_bytes(), "the snapshot has no nodes");

    // A root without edges: everything else is unreachable and hangs under the root.
    let mut b = SnapshotBuilder::new();
    let x = b.node("object", "X", 3, 10);
    let y = b.node("object", "Y", 5, 20);
    b.edge(x, "property", "y", y);
    let a = outcome(b.build().as_bytes()).unwrap();
    assert_eq!(a.total_size(), 30);
    assert_eq!(a.dominators.idom, [0, 0, x as u32]);
    assert_eq!(a.distance, [0, -5, -5]);

    // Cycles everywhere: a complete graph of objects under the global.
    let mut b = SnapshotBuilder::new();
    let global = b.node("object", "global", 3, 8);
    b.edge(0, "shortcut", "global", global);
    let nodes: Vec<usize> = (0..12)
        .map(|i| b.node("object", "C", 5 + 2 * i, 4))
        .collect();
    for &p in &nodes {
        b.edge(global, "property", "c", p);
        for &q in &nodes {
            b.edge(p, "property", "n", q);
        }
    }
    let a = outcome(b.build().as_bytes()).unwrap();
    assert!(nodes.iter().all(|&n| a.dominators.idom[n] == global as u32));
    let rows = a.summary();
    let c = rows.iter().find(|r| r.key == ",C").unwrap();
    assert_eq!((c.count, c.self_size, c.retained), (12, 48, 48));

    // A root_index other than 0, with the root stored last.
    let mut b = SnapshotBuilder::new();
    let x = b.node("object", "X", 3, 10);
    b.edge(0, "property", "x", x);
    let text = b.build().replacen(
        "\"trace_function_count\":0",
        "\"trace_function_count\":0,\"root_index\":7",
        1,
    );
    let a = outcome(text.as_bytes()).unwrap();
    assert_eq!(a.graph.root.0, 1);
    let bad_root = b.build().replacen(
        "\"trace_function_count\":0",
        "\"trace_function_count\":0,\"root_index\":8",
        1,
    );
    assert_error(
        bad_root.as_bytes(),
        "root_index 8 is not the index of a node",
    );
}

/// The tracked late fixture (allocation traces on).
fn tracked_snapshot() -> Vec<u8> {
    fixture_text("tracked-late")
}

/// [`outcome`], then the allocation views and every cluster's stacks.
fn tracked_outcome(bytes: &[u8]) -> Result<Analysis, Error> {
    let a = outcome(bytes)?;
    let _ = heapdiff::analysis::stacks::allocation_tops(&a.graph, &a.self_size, None);
    let all: Vec<u32> = (0..a.graph.node_count() as u32).collect();
    let _ = heapdiff::leaks::allocation_sites::allocation_sites(&a, &all[..all.len().min(5000)]);
    Ok(a)
}

#[test]
fn broken_allocation_traces_give_an_error_or_a_result_never_a_panic() {
    let text = tracked_snapshot();
    let sections = section_offsets(&text);
    let (functions, tree, samples) = (sections[2].1, sections[3].1, sections[4].1);
    // Cut inside each trace section.
    for at in [
        functions + 30,
        tree + 25,
        tree + (samples - tree) / 2,
        samples + 12,
    ] {
        match tracked_outcome(&text[..at]) {
            Err(e) => assert!(matches!(e.kind(), ErrorKind::Truncated { .. }), "{e}"),
            Ok(_) => panic!("cut at {at} was accepted"),
        }
    }
    let mut seed = 0x9e37_79b9_7f4a_7c15;
    let (mut errors, mut results) = (0, 0);
    for case in 0..45 {
        let mut bytes = text.clone();
        let region = match case % 3 {
            0 => functions..tree,
            1 => tree..samples,
            _ => samples..sections[5].1,
        };
        for _ in 0..1 + case % 2 {
            let at = region.start + (next(&mut seed) as usize) % region.len();
            bytes[at] ^= (next(&mut seed) % 255 + 1) as u8;
        }
        match tracked_outcome(&bytes) {
            Ok(_) => results += 1,
            Err(e) => {
                assert_eq!(e.to_string().lines().count(), 1);
                errors += 1;
            }
        }
    }
    assert!(errors > 10, "{errors} errors, {results} results");
    // Cross references are checked with clear messages.
    let bad_function = replace_once(&text, "\"trace_tree\":[1,0,", "\"trace_tree\":[1,99999,");
    assert_error(&bad_function, "names function 99999");
    let bad_name = replace_once(
        &text,
        "\"trace_function_infos\":[0,",
        "\"trace_function_infos\":[0,99999999,",
    );
    assert!(tracked_outcome(&bad_name).is_err());
    let nested = replace_once(&text, "\"trace_tree\":[1,", "\"trace_tree\":[[1,");
    assert_error(&nested, "trace_tree");
}
