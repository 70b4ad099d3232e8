//! The binary on bad input: one clear line naming the file and the problem, exit code 2, never
//! a panic.

mod support;

use std::path::PathBuf;

use assert_cmd::Command;
use support::builder::SnapshotBuilder;

fn heapdiff() -> Command {
    Command::cargo_bin("heapdiff").unwrap()
}

/// A small valid snapshot: root, (GC roots), global and two objects.
fn valid() -> String {
    let mut b = SnapshotBuilder::new();
    let gc_roots = b.node("synthetic", "(GC roots)", 3, 0);
    let global = b.node("object", "global", 5, 40);
    let item = b.node("object", "Foo", 7, 16);
    b.edge(0, "shortcut", "global", global);
    b.element(0, "element", 1, gc_roots);
    b.edge(global, "property", "foo", item);
    b.build()
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

/// Runs `summary` on `bytes` and checks exit code 2 and a one-line message with `expected`.
fn assert_rejected(bytes: &[u8], expected: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "bad.heapsnapshot", bytes);
    let out = heapdiff().arg("summary").arg(&path).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr.lines().count(), 1, "one line expected: {stderr}");
    assert!(
        stderr.starts_with(&format!("heapdiff: {}: ", path.display())),
        "{stderr}"
    );
    assert!(stderr.contains(expected), "{expected:?} not in {stderr}");
}

fn replace(text: &str, from: &str, to: &str) -> Vec<u8> {
    assert!(text.contains(from), "{from} not in the snapshot");
    text.replacen(from, to, 1).into_bytes()
}

#[test]
fn a_valid_snapshot_is_summarised() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "ok.heapsnapshot", valid().as_bytes());
    let out = heapdiff()
        .args(["summary", "--json"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["node_count"], 4);
    assert_eq!(report["total_size"], 56);
    let classes: Vec<(&str, u64, u64)> = report["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap(),
                c["count"].as_u64().unwrap(),
                c["retained_size"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(classes, [(",global", 1, 56), (",Foo", 1, 16)]);
}

#[test]
fn gzipped_snapshots_are_read() {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(valid().as_bytes()).unwrap();
    let bytes = gz.finish().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "ok.heapsnapshot.gz", &bytes);
    let out = heapdiff().arg("summary").arg(&path).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("4 nodes, 3 edges, heap 56 B"), "{text}");
    // Cut short, the gzip stream is reported as such.
    assert_rejected(
        &bytes[..bytes.len() / 2],
        "gzip data is corrupt or cut short",
    );
}

#[test]
fn zstd_snapshots_are_read() {
    let text = valid();
    let bytes = ruzstd::encoding::compress_to_vec(
        text.as_bytes(),
        ruzstd::encoding::CompressionLevel::Fastest,
    );
    assert_eq!(&bytes[..4], [0x28, 0xb5, 0x2f, 0xfd]);
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "ok.heapsnapshot.zst", &bytes);
    let out = heapdiff().arg("summary").arg(&path).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("4 nodes, 3 edges, heap 56 B"), "{text}");
    assert_rejected(&bytes[..bytes.len() / 2], "zstd data is corrupt");
}

#[test]
fn truncated_files_say_where_they_end() {
    let text = valid();
    for cut in [10, text.find("\"nodes\"").unwrap() + 12, text.len() - 5] {
        assert_rejected(&text.as_bytes()[..cut], &format!("file ends at byte {cut}"));
    }
}

#[test]
fn files_that_are_not_snapshots() {
    assert_rejected(b"", "the file is empty");
    assert_rejected(b"hello", "does not start with a JSON object");
    assert_rejected(b"{\"a\": 1}", "no \"snapshot\" header");
    assert_rejected(b"{\"a\": [1, 2}", "invalid JSON at byte 11");
    assert_rejected(b"\x00\x01\x02garbage", "does not start with a JSON object");
}

#[test]
fn missing_or_broken_meta() {
    let text = valid();
    assert_rejected(
        &replace(&text, "\"self_size\",", "\"size\","),
        "snapshot.meta has no \"self_size\" in node_fields",
    );
    assert_rejected(
        &replace(&text, "\"edge_fields\"", "\"edge_fieldz\""),
        "snapshot.meta has no edge_fields",
    );
    assert_rejected(
        &replace(&text, "\"meta\":{", "\"meta\":7,\"x\":{"),
        "malformed",
    );
}

#[test]
fn out_of_range_indices_and_counts() {
    let text = valid();
    // An unknown edge type; a to_node that is not a multiple of the 7 node fields; one past the end.
    assert_rejected(
        &replace(&text, "\"edges\":[5,", "\"edges\":[9,"),
        "edge 0 has type 9",
    );
    let edges_start = text.find("\"edges\":[").unwrap() + 9;
    let first_edge: Vec<&str> = text[edges_start..].splitn(4, ',').take(3).collect();
    let misaligned = format!("{},{},{}", first_edge[0], first_edge[1], 8);
    let prefix = first_edge.join(",");
    assert_rejected(
        &replace(
            &text,
            &format!("\"edges\":[{prefix}"),
            &format!("\"edges\":[{misaligned}"),
        ),
        "edge 0 points at node index 8",
    );
    let far = format!("{},{},{}", first_edge[0], first_edge[1], 700);
    assert_rejected(
        &replace(
            &text,
            &format!("\"edges\":[{prefix}"),
            &format!("\"edges\":[{far}"),
        ),
        "edge 0 points at node index 700",
    );
    assert_rejected(
        &replace(&text, "\"nodes\":[9,1,", "\"nodes\":[9,99,"),
        "node 0 names string 99",
    );
    assert_rejected(
        &replace(&text, "\"node_count\":4", "\"node_count\":1099511627776"),
        "snapshot.node_count is 1099511627776, but the nodes array holds 4 nodes",
    );
    // The root's edge_count says 3 instead of 2.
    assert_rejected(
        &replace(&text, "\"nodes\":[9,1,1,0,2,", "\"nodes\":[9,1,1,0,3,"),
        "edge_count fields add up to 4, but the edges array holds 3 edges",
    );
    assert_rejected(
        &replace(&text, "\"nodes\":[9,1,1,0,2,", "\"nodes\":[9,1,-1,0,2,"),
        "expected a non-negative integer in the nodes array",
    );
    assert_rejected(
        &replace(&text, "\"nodes\":[9,1,1,0,2,", "\"nodes\":[9,1,1.5,0,2,"),
        "expected ',' or ']' after a number in the nodes array",
    );
}

#[test]
fn a_missing_file_is_an_error_not_a_panic() {
    let out = heapdiff()
        .args(["summary", "/nonexistent/x.heapsnapshot"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("heapdiff: /nonexistent/x.heapsnapshot: No such file"),
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("No such file").count(),
        1,
        "said once: {stderr}"
    );
}

#[test]
fn usage_errors_exit_2() {
    let out = heapdiff().args(["summary"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// A header that claims 2^40 nodes and edges must not make heapdiff reserve memory for them:
/// under a 512 MiB address-space limit the claim is reported, not attempted.
#[test]
#[cfg(target_os = "linux")]
fn absurd_counts_do_not_allocate() {
    let text = valid()
        .replacen("\"node_count\":4", "\"node_count\":1099511627776", 1)
        .replacen("\"edge_count\":3", "\"edge_count\":1099511627776", 1);
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "claims.heapsnapshot", text.as_bytes());
    let bin = assert_cmd::cargo::cargo_bin("heapdiff");
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v 524288; exec '{}' summary '{}'",
            bin.display(),
            path.display()
        ))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("snapshot.node_count is 1099511627776"),
        "{stderr}"
    );
}
