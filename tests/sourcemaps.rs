//! Source maps on real builds (`tests/sourcemaps/build.sh`): a TypeScript service compiled by
//! tsc with maps beside, and a web app bundled and minified by esbuild with its map beside,
//! inline and kept apart, run in Node and in Chromium. Every leak's site must be the original
//! line, checked against the sources themselves (`check.mjs` reads the line and looks for the
//! leaking code), in every format; maps that cannot be used must give one note and the
//! generated positions, never an error. Needs node, npm (the registry, once) and chromium.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::{Value, json};

const HEAPDIFF: &str = env!("CARGO_BIN_EXE_heapdiff");

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sourcemaps")
}

/// Builds the apps and takes their snapshots into `out`.
fn build(out: &Path) {
    let has_chromium = Command::new("sh")
        .args(["-c", "command -v chromium"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_chromium {
        let status = Command::new("sh")
            .args([
                "-c",
                "apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
                 apt-get install -y -qq chromium >&2",
            ])
            .status()
            .unwrap();
        assert!(status.success(), "installing chromium failed");
    }
    let built = Command::new("bash")
        .arg(root().join("build.sh"))
        .arg(out)
        .output()
        .expect("running tests/sourcemaps/build.sh");
    assert!(
        built.status.success(),
        "build.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
}

/// heapdiff run in `dir` with `args`.
fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(HEAPDIFF)
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "heapdiff failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn snapshots(build: &str, which: &[u32]) -> Vec<String> {
    which
        .iter()
        .map(|i| format!("{build}/s{i}.heapsnapshot"))
        .collect()
}

/// One test, as its parts run in turn on one set of builds: the last part breaks maps.
#[test]
fn sites_on_real_builds_are_original() {
    let out = tempfile::tempdir().unwrap();
    let out = out.path();
    build(out);

    // JSON: every site of every build, three snapshots and two, against the sources.
    let checked = Command::new("bash")
        .arg(root().join("check-all.sh"))
        .args([HEAPDIFF, out.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "check-all.sh:\n{text}");
    assert_eq!(text.matches(": ok\n").count(), 12, "{text}");

    allocation_frames(out);
    text_markdown_html_and_mcp(out);
    packages(out);
    unusable_maps(out);
}

/// Allocation stacks of the bundle (run again with `--track-heap-objects`): every frame and
/// `allocated by` of the clusters, and the Allocation view's rows, in the original sources.
fn allocation_frames(out: &Path) {
    std::fs::create_dir_all(out.join("tracked")).unwrap();
    let driven = Command::new("node")
        .current_dir(root())
        .args([
            "--expose-gc",
            "--track-heap-objects",
            "scripts/drive-node.cjs",
            "webapp",
        ])
        .arg(out.join("bundle-external/app.js"))
        .arg(out.join("tracked"))
        .output()
        .unwrap();
    assert!(driven.status.success(), "{driven:?}");
    let report = run(
        out,
        &[
            "tracked/s1.heapsnapshot",
            "tracked/s3.heapsnapshot",
            "--json",
        ],
    );
    let path = out.join("tracked/pair.json");
    std::fs::write(&path, stdout(&report)).unwrap();
    let checked = Command::new("node")
        .arg(root().join("check.mjs"))
        .arg(&path)
        .arg(out.join("truth.json"))
        .arg("bundle-external")
        .current_dir(out)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&checked.stdout);
    assert!(checked.status.success(), "check.mjs on stacks:\n{text}");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let frames: Vec<&Value> = json["clusters"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["allocation"]["stacks"].as_array())
        .flatten()
        .filter_map(|s| s["frames"].as_array())
        .flatten()
        .collect();
    let mapped = frames
        .iter()
        .filter(|f| f.get("generated").is_some())
        .count();
    assert!(mapped >= 2, "{mapped} of {} frames mapped", frames.len());
    assert!(
        frames.iter().all(|f| !f["script"]
            .as_str()
            .unwrap()
            .ends_with("bundle-external/app.js")),
        "a frame in the bundle is left unmapped"
    );
    let view = stdout(&run(
        out,
        &["summary", "tracked/s3.heapsnapshot", "--group-by", "stack"],
    ));
    assert!(view.contains("drafts.ts:"), "{view}");
}

/// The leaking lines of the sources: `(file, 1-based line)` of each truth leak.
fn leak_lines(out: &Path, build: &str) -> Vec<(String, u64)> {
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("truth.json")).unwrap()).unwrap();
    truth["builds"][build]["leaks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            let source = l["source"].as_str().unwrap();
            let name = Path::new(source).file_name().unwrap().to_str().unwrap();
            (name.to_string(), l["line"].as_u64().unwrap())
        })
        .collect()
}

fn text_markdown_html_and_mcp(out: &Path) {
    for (build, extra) in [
        ("ts-service", vec![]),
        ("bundle-external", vec![]),
        ("browser-external", vec!["--source-maps", "maps-apart"]),
    ] {
        for (format, which) in [
            ("table", &[1, 3][..]),
            ("markdown", &[1, 3]),
            ("html", &[1, 3]),
            ("table", &[1, 2, 3]),
        ] {
            let mut args = snapshots(build, which);
            args.extend(["--format".to_string(), format.to_string()]);
            args.extend(extra.iter().map(|a| a.to_string()));
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let report = stdout(&run(out, &args));
            // A series' text names the findings' parts, not every cluster's site.
            let leaks = leak_lines(out, build);
            let wanted = if which.len() == 2 {
                &leaks[..]
            } else {
                &leaks[1..]
            };
            for (file, line) in wanted {
                let place = format!("{file}:{line}:");
                assert!(
                    report.contains(&place),
                    "{build} {format}: no {place} in\n{report}"
                );
            }
            for generated in ["dist/orders.js:", "dist/rules.js:", "app.js:1:"] {
                assert!(
                    !report.contains(generated),
                    "{build} {format}: a generated place ({generated}) is left"
                );
            }
        }
    }
    // An agent over MCP gets the same original places.
    let mut child = Command::new(HEAPDIFF)
        .arg("mcp")
        .current_dir(out)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut request = move |id: u64, method: &str, params: Value| -> Value {
        let message = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        writeln!(stdin, "{message}").unwrap();
        if id == 1 {
            let done = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
            writeln!(stdin, "{done}").unwrap();
        }
        stdin.flush().unwrap();
        loop {
            let answer: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
            if answer["id"] == id {
                return answer;
            }
        }
    };
    request(
        1,
        "initialize",
        json!({"protocolVersion": "2025-06-18", "capabilities": {},
               "clientInfo": {"name": "heapdiff-test", "version": "1"}}),
    );
    for (id, file) in [(2, "s1"), (3, "s3")] {
        let path = format!("ts-service/{file}.heapsnapshot");
        request(
            id,
            "tools/call",
            json!({"name": "load_snapshot", "arguments": {"path": path}}),
        );
    }
    let answer = request(
        4,
        "tools/call",
        json!({"name": "diff", "arguments": {"base": 0, "late": 1}}),
    );
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    for (file, line) in leak_lines(out, "ts-service") {
        assert!(
            text.contains(&format!("{file}:{line}:")),
            "MCP diff: no {file}:{line}"
        );
    }
    // A page's bundle, its map in a folder apart (load_snapshot's source_maps).
    for (id, file) in [(5, "s1"), (6, "s3")] {
        let path = format!("browser-external/{file}.heapsnapshot");
        let answer = request(
            id,
            "tools/call",
            json!({"name": "load_snapshot",
                   "arguments": {"path": path, "source_maps": "maps-apart"}}),
        );
        assert_eq!(answer["result"]["isError"], false, "{answer}");
    }
    let answer = request(
        7,
        "tools/call",
        json!({"name": "diff", "arguments": {"base": 2, "late": 3}}),
    );
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    for (file, line) in leak_lines(out, "browser-external") {
        assert!(
            text.contains(&format!("{file}:{line}:")),
            "MCP diff of the page: no {file}:{line}"
        );
    }
    assert!(!text.contains("app.js:1:"), "a generated place is left");
    drop(request); // closes the server's stdin: it ends
    let _ = child.wait();
}

/// `--group-by package`: the library's listener records are eventemitter3's, in a pair, a
/// series and one snapshot, from the bundle's map.
fn packages(out: &Path) {
    let mut args = snapshots("bundle-external", &[1, 3]);
    args.extend(["--group-by", "package", "--json"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let pair: Value = serde_json::from_str(&stdout(&run(out, &args))).unwrap();
    let rows = pair["packages"].as_array().unwrap();
    let row = |name: &str| rows.iter().find(|r| r["package"] == name).cloned();
    let emitter = row("eventemitter3").expect("an eventemitter3 row");
    // 400 clicks per step, each one listener record (`new EE`) made by eventemitter3's code.
    assert_eq!(emitter["new"]["count"], 800, "{emitter}");
    assert!(emitter["late"]["bytes"].as_u64() > emitter["base"]["bytes"].as_u64());
    let app = row("(app)").expect("an (app) row");
    assert!(app["new"]["bytes"].as_u64() > emitter["new"]["bytes"].as_u64());

    let mut args = snapshots("bundle-external", &[1, 2, 3]);
    args.extend(["--group-by", "package", "--json"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let series: Value = serde_json::from_str(&stdout(&run(out, &args))).unwrap();
    let trend = series["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["package"] == "eventemitter3")
        .cloned()
        .unwrap();
    let bytes: Vec<u64> = trend["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["bytes"].as_u64().unwrap())
        .collect();
    assert!(bytes[0] < bytes[1] && bytes[1] < bytes[2], "{bytes:?}");

    let summary: Value = serde_json::from_str(&stdout(&run(
        out,
        &[
            "summary",
            "bundle-external/s3.heapsnapshot",
            "--group-by",
            "package",
            "--json",
        ],
    )))
    .unwrap();
    let totals = summary["packages"].as_array().unwrap();
    let total: u64 = totals.iter().map(|t| t["bytes"].as_u64().unwrap()).sum();
    assert_eq!(
        total,
        summary["total_self_size"].as_u64().unwrap(),
        "each byte once"
    );
    let emitter = totals
        .iter()
        .find(|t| t["package"] == "eventemitter3")
        .unwrap();
    let freed = emitter["freed_if_gone"].as_u64().unwrap();
    assert!(freed > 0 && freed <= total, "{emitter}");
}

/// Maps that cannot be used: one note per script, the generated places, exit status 0.
fn unusable_maps(out: &Path) {
    let note_and_site = |build: &str, extra: &[&str]| -> (Vec<String>, String) {
        let mut args = snapshots(build, &[1, 3]);
        args.push("--json".to_string());
        args.extend(extra.iter().map(|a| a.to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let report: Value = serde_json::from_str(&stdout(&run(out, &args))).unwrap();
        let notes = report["source_notes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_str().unwrap().to_string())
            .collect();
        let script = report["findings"][0]["site"]["script"]
            .as_str()
            .unwrap()
            .to_string();
        (notes, script)
    };
    // Served without its map beside it: the note says how to give it.
    let (notes, script) = note_and_site("served", &[]);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].contains("app.js.map was not found") && notes[0].contains("--source-maps"),
        "{notes:?}"
    );
    assert!(script.ends_with("served/app.js"), "{script}");

    // A map that is not one.
    std::fs::write(out.join("bundle-external/app.js.map"), "<html>404</html>").unwrap();
    let (notes, script) = note_and_site("bundle-external", &[]);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].contains("not a source map"), "{notes:?}");
    assert!(script.ends_with("bundle-external/app.js"), "{script}");

    // A script rebuilt since the snapshot: its map would point at the wrong lines.
    let orders = out.join("ts-service/dist/orders.js");
    let old = std::fs::read_to_string(&orders).unwrap();
    std::fs::write(&orders, format!("\"use strict\";\n{old}")).unwrap();
    let (notes, _) = note_and_site("ts-service", &[]);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("orders.js changed since the snapshot")),
        "{notes:?}"
    );

    // --no-source-maps: the places V8 saw, no note.
    let (notes, script) = note_and_site("bundle-inline", &["--no-source-maps"]);
    assert!(notes.is_empty(), "{notes:?}");
    assert!(script.ends_with("bundle-inline/app.js"), "{script}");
}
