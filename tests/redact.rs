//! Private data stays private: `heapdiff redact` writes snapshots whose every DevTools row is
//! the original's but which hold no string of the heap, and `--redact` reports quote none.

mod support;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use heapdiff::redact::{data_strings, is_placeholder};
use serde_json::Value;
use support::{heapdiff, snapshot, stdout_of};

/// A fresh scratch directory under the target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Redacts fixture `input` into `out` with the binary.
fn redact(input: &Path, out: &Path) {
    stdout_of(
        heapdiff()
            .args(["redact", "--quiet"])
            .arg(input)
            .arg("-o")
            .arg(out),
    );
}

/// The data strings of a snapshot that are no name of anything (those are code and stay).
fn private_strings(path: &Path) -> Vec<String> {
    let g = heapdiff::read::load(path).unwrap();
    let mut names: HashSet<&str> = HashSet::new();
    for (v, &name) in g.node_name.iter().enumerate() {
        let ty = Some(g.node_type[v]);
        let t = &g.node_types;
        if ty != t.string && ty != t.cons_string && ty != t.sliced_string {
            names.insert(g.strings.get(name));
        }
    }
    for e in 0..g.edge_count() {
        if g.edge_types.has_string_name(g.edge_type[e]) {
            names.insert(g.strings.get(g.edge_name[e]));
        }
    }
    for f in g.allocations.iter().flat_map(|a| &a.functions) {
        names.insert(g.strings.get(f.name));
        names.insert(g.strings.get(f.script_name));
    }
    let mut private: Vec<String> = data_strings(&g)
        .into_iter()
        .filter(|s| !names.contains(s.as_str()) && !is_placeholder(s))
        .collect();
    private.sort();
    private
}

fn json(args: &[&std::ffi::OsStr]) -> Value {
    serde_json::from_str(&stdout_of(heapdiff().arg("--json").args(args))).unwrap()
}

/// Class rows as sortable tuples (ties in retained size may list in either order).
fn rows(report: &Value) -> Vec<(String, String, u64, u64, u64, i64)> {
    let mut rows: Vec<_> = report["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["key"].as_str().unwrap().to_string(),
                c["name"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
                c["self_size"].as_u64().unwrap(),
                c["retained_size"].as_u64().unwrap(),
                c["distance"].as_i64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

/// DevTools' rows (the oracle's file) in the same shape, without the keys.
fn oracle_rows(file: &str) -> Vec<(String, u64, u64, u64, i64)> {
    let text = std::fs::read_to_string(Path::new("fixtures/oracle").join(file)).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let mut rows: Vec<_> = v["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["count"].as_u64().unwrap(),
                c["self"].as_u64().unwrap(),
                c["retained"].as_u64().unwrap(),
                c["distance"].as_i64().unwrap(),
            )
        })
        .collect();
    rows.sort();
    rows
}

fn without_keys(
    rows: Vec<(String, String, u64, u64, u64, i64)>,
) -> Vec<(String, u64, u64, u64, i64)> {
    let mut out: Vec<_> = rows
        .into_iter()
        .map(|(_, name, count, size, retained, distance)| (name, count, size, retained, distance))
        .collect();
    out.sort();
    out
}

#[test]
fn redacted_snapshots_keep_every_devtools_row() {
    let dir = scratch("redact-rows");
    for pair in ["node14", "node20", "node24", "chromium", "tracked"] {
        let base = snapshot(&format!("{pair}-base"));
        let late = snapshot(&format!("{pair}-late"));
        // Plain and gzip'd output.
        let (rb, rl) = (
            dir.join(format!("{pair}-base.heapsnapshot")),
            dir.join(format!("{pair}-late.heapsnapshot.gz")),
        );
        redact(&base, &rb);
        redact(&late, &rl);
        let summary = |p: &Path| json(&["summary".as_ref(), p.as_os_str()]);
        for (original, redacted, name) in [(&base, &rb, "base"), (&late, &rl, "late")] {
            let (o, r) = (summary(original), summary(redacted));
            assert_eq!(rows(&r), rows(&o), "{pair}-{name}: summary rows");
            assert_eq!(
                r["statistics"], o["statistics"],
                "{pair}-{name}: statistics"
            );
            assert_eq!(r["total_size"], o["total_size"]);
            assert_eq!(
                without_keys(rows(&r)),
                oracle_rows(&format!("{pair}-{name}.summary.json")),
                "{pair}-{name}: DevTools' summary rows"
            );
        }
        let between = json(&[rb.as_os_str(), rl.as_os_str()]);
        assert_eq!(
            without_keys(rows(&between)),
            oracle_rows(&format!("{pair}.between.json")),
            "{pair}: DevTools' allocated-between rows"
        );
    }
}

#[test]
fn the_timeline_and_series_fixtures_redact_too() {
    let dir = scratch("redact-more");
    let summary = |p: &Path| json(&["summary".as_ref(), p.as_os_str()]);
    let timeline = Path::new("fixtures/timeline/chromium-timeline.heaptimeline.gz");
    let out = dir.join("chromium-timeline.heaptimeline");
    redact(timeline, &out);
    assert_eq!(rows(&summary(&out)), rows(&summary(timeline)));
    assert_eq!(
        without_keys(rows(&summary(&out))),
        oracle_rows("chromium-timeline.summary.json")
    );
    // The recording's samples and stacks survive: a window of it still works.
    let report = json(&[out.as_os_str(), "--between".as_ref(), "1.2s..".as_ref()]);
    assert!(report.to_string().contains("LaterEntry"));
    for i in 1..=4 {
        let input = PathBuf::from(format!("fixtures/series/s{i}.heapsnapshot.gz"));
        let out = dir.join(format!("s{i}.heapsnapshot.gz"));
        redact(&input, &out);
        assert_eq!(rows(&summary(&out)), rows(&summary(&input)), "s{i}");
    }
}

#[test]
fn no_string_of_the_heap_survives_redaction() {
    let dir = scratch("redact-strings");
    for name in ["node20-late", "chromium-late", "tracked-late"] {
        let original = snapshot(name);
        let private = private_strings(&original);
        assert!(
            private.len() > 1000,
            "{name}: {} private strings",
            private.len()
        );
        let out = dir.join(format!("{name}.heapsnapshot"));
        redact(&original, &out);
        let g = heapdiff::read::load(&out).unwrap();
        let table: HashSet<&str> = (0..g.strings.len() as u32)
            .map(|i| g.strings.get(i))
            .collect();
        let survivors: Vec<&String> = private
            .iter()
            .filter(|s| table.contains(s.as_str()))
            .collect();
        assert!(
            survivors.is_empty(),
            "{name}: {:?}",
            &survivors[..survivors.len().min(5)]
        );
        // Nor inside any other string: every long private string is searched in the bytes.
        let bytes = std::fs::read(&out).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        let names: Vec<&str> = table.iter().copied().collect();
        let mut searched = 0;
        for s in private
            .iter()
            .filter(|s| s.len() >= 16 && !s.contains(['"', '\\']))
        {
            if names.iter().any(|n| n.contains(s.as_str())) {
                continue; // part of a name (code): kept by design
            }
            searched += 1;
            assert!(!text.contains(s.as_str()), "{name}: {s:?} survived");
        }
        assert!(searched > 100, "{name}: searched {searched}");
        // The graph is the same.
        let o = heapdiff::read::load(&original).unwrap();
        assert_eq!(
            (g.node_count(), g.edge_count()),
            (o.node_count(), o.edge_count())
        );
        assert_eq!(g.self_size, o.self_size);
        assert_eq!(g.edge_to, o.edge_to);
    }
}

#[test]
fn redacted_reports_quote_no_heap_string() {
    let pair = [snapshot("node20-base"), snapshot("node20-late")];
    let dir = scratch("redact-reports");
    let files = [
        dir.join("node20-base.heapsnapshot"),
        dir.join("node20-late.heapsnapshot"),
    ];
    redact(&pair[0], &files[0]);
    redact(&pair[1], &files[1]);
    let private = private_strings(&pair[1]);
    let report = |inputs: &[PathBuf], format: &str, redact: bool| {
        let mut cmd = heapdiff();
        cmd.args(inputs)
            .args(["--format", format, "--top", "50", "--width", "200"]);
        if redact {
            cmd.arg("--redact");
        }
        stdout_of(&mut cmd)
    };
    for format in ["table", "json", "markdown", "html"] {
        let plain = report(&pair, format, false);
        let redacted = report(&pair, format, true);
        let of_redacted_files = report(&files, format, true);
        // The same report as on the redacted files, but for the files' names and sizes.
        let same = |text: &str| -> Vec<String> {
            text.lines()
                .filter(|l| !l.contains("heapsnapshot") && !l.contains("file_size"))
                .map(str::to_string)
                .collect()
        };
        if format != "html" {
            let (a, b) = (same(&redacted), same(&of_redacted_files));
            let first = a.iter().zip(&b).position(|(x, y)| x != y);
            assert!(
                first.is_none() && a.len() == b.len(),
                "{format}: {:?}",
                first.map(|i| (&a[i], &b[i]))
            );
        }
        // What the plain report quotes of the heap (heapdiff's own words excepted: those are
        // in the report on the redacted files too) is gone.
        let quoted: Vec<&String> = private
            .iter()
            .filter(|s| s.len() >= 6)
            .filter(|s| plain.contains(s.as_str()) && !of_redacted_files.contains(s.as_str()))
            .collect();
        assert!(
            !quoted.is_empty(),
            "{format}: the plain report quotes no heap string"
        );
        for s in quoted {
            assert!(!redacted.contains(s.as_str()), "{format}: {s:?}");
        }
        assert!(
            redacted.contains("<string ") || redacted.contains("&lt;string "),
            "{format}"
        );
    }
    let md = stdout_of(
        heapdiff()
            .args(&pair)
            .args(["--redact", "--format", "markdown"]),
    );
    assert!(md.contains("> Redacted: strings from the heap"));
    let md = stdout_of(heapdiff().args(&pair).args(["--format", "markdown"]));
    assert!(md.contains("> Not redacted: this report quotes strings from the heap"));
    let report = json(&[
        pair[0].as_os_str(),
        pair[1].as_os_str(),
        "--redact".as_ref(),
    ]);
    assert_eq!(report["redacted"], true);
    let strings: Vec<&Value> = report["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "strings")
        .collect();
    assert!(!strings.is_empty());
    for c in strings {
        assert!(
            c["label"].as_str().unwrap().starts_with("\"<string "),
            "{c}"
        );
    }
    // A series redacts too: its string trend is named by the placeholder.
    let series = json(&["--redact".as_ref(), "fixtures/series".as_ref()]);
    let text = series.to_string();
    assert!(text.contains("<string "), "series");
    assert_eq!(series["redacted"], true);
}

#[test]
fn redact_never_overwrites_its_input_nor_leaves_a_partial_file() {
    let dir = scratch("redact-errors");
    let input = dir.join("in.heapsnapshot.gz");
    std::fs::copy(snapshot("node20-base"), &input).unwrap();
    let before = std::fs::read(&input).unwrap();
    let out = heapdiff()
        .args(["redact"])
        .arg(&input)
        .arg("-o")
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("never overwrites its inputs"));
    assert_eq!(std::fs::read(&input).unwrap(), before);
    let out = heapdiff().args(["redact"]).arg(&input).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("-o OUT"));
    // A truncated input is an error, and no output (or temporary file) is left.
    let cut = dir.join("cut.heapsnapshot");
    let mut bytes = Vec::new();
    use std::io::Read;
    flate2::read::GzDecoder::new(std::fs::File::open(&input).unwrap())
        .read_to_end(&mut bytes)
        .unwrap();
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let target = dir.join("out.heapsnapshot");
    let out = heapdiff()
        .args(["redact"])
        .arg(&cut)
        .arg("-o")
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("truncated"));
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("out") || n.starts_with(".out"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn redact_to_stdout_writes_the_same_snapshot() {
    let dir = scratch("redact-stdout");
    let input = snapshot("node20-base");
    let file = dir.join("base.heapsnapshot");
    redact(&input, &file);
    let piped = heapdiff()
        .args(["redact"])
        .arg(&input)
        .args(["-o", "-"])
        .output()
        .unwrap();
    assert_eq!(piped.status.code(), Some(0));
    assert_eq!(piped.stdout, std::fs::read(&file).unwrap());
}
