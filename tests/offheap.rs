//! Memory outside the JS heap, on real Node processes (tests/offheap/*.js): each scenario
//! writes three snapshots and, beside each, `process.memoryUsage()` measured by the process
//! itself; heapdiff must charge the off-heap growth to the finding that holds it.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use support::{heapdiff, json_report, stdout_of};

/// Runs `tests/offheap/NAME.js` into a fresh folder `offheap-FOLDER`; returns its three
/// snapshots.
fn scenario(name: &str, folder: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("offheap-{folder}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/offheap/{name}.js"));
    let status = Command::new("node")
        .arg("--expose-gc")
        .arg(script)
        .arg(&dir)
        .status()
        .expect("node");
    assert!(status.success(), "{name}.js failed");
    (1..=3)
        .map(|i| dir.join(format!("s{i}.heapsnapshot")))
        .collect()
}

/// A field of the memory the process recorded beside `snapshot`.
fn measured(snapshot: &Path, field: &str) -> i64 {
    let text = std::fs::read(snapshot.with_file_name(format!(
        "{}.memory.json",
        snapshot.file_stem().unwrap().to_string_lossy()
    )))
    .unwrap();
    let memory: Value = serde_json::from_slice(&text).unwrap();
    memory[field].as_i64().unwrap()
}

fn growth(files: &[PathBuf], field: &str) -> i64 {
    measured(&files[2], field) - measured(&files[0], field)
}

/// Runs a scenario that leaks Buffers; checks that the first finding, whose label names
/// `holder`, holds 90% or more of the `arrayBuffers` growth the process measured (at least
/// `leaked` bytes). Returns the snapshots, the report and that finding's off-heap bytes.
fn buffer_leak(name: &str, holder: &str, leaked: i64) -> (Vec<PathBuf>, Value, i64) {
    let files = scenario(name, name);
    let report = json_report(&files);
    let first = &report["findings"][0];
    assert!(
        first["label"].as_str().unwrap().contains(holder),
        "{first:#}"
    );
    let buffers = growth(&files, "arrayBuffers");
    let held = first["off_heap_bytes"].as_i64().unwrap();
    assert!(buffers > leaked, "the scenario leaked {buffers} bytes");
    assert!(held * 10 >= buffers * 9, "{held} of {buffers} charged");
    (files, report, held)
}

#[test]
fn views_that_keep_read_buffers_are_a_leak_of_the_buffers() {
    let (files, report, held) = buffer_leak("buffers", "headers", 20 << 20);
    let buffers = growth(&files, "arrayBuffers");
    let first = &report["findings"][0];
    // The views are 8 bytes of data each: what they keep is nearly all off the heap.
    assert!(held * 10 >= first["gained_bytes"].as_i64().unwrap() * 9);
    assert_eq!(
        report["memory"]["process"]["array_buffers"].as_i64(),
        Some(buffers)
    );
    let text = stdout_of(heapdiff().args(["--width", "200"]).args(&files));
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("% off the JS heap) \u{2014} grew"),
        "{text}"
    );
    assert!(text.contains("off the JS heap: ArrayBuffers"), "{text}");
    assert!(text.contains("process rss "), "{text}");
    // The HTML report charts the split: three stacked bars, each with its RSS.
    let html = stdout_of(heapdiff().args(["--format", "html"]).args(&files));
    let section = &html[html.find("<h2 id=\"memory\">").expect("a memory section")..];
    let chart = &section[..section.find("</svg>").unwrap()];
    assert_eq!(chart.matches(": ArrayBuffers ").count(), 3);
    assert_eq!(chart.matches("<line class=\"rss\"").count(), 3);
}

#[test]
fn native_memory_of_open_zlib_streams_goes_to_their_holder() {
    let files = scenario("zlib", "zlib");
    let report = json_report(&files);
    let first = &report["findings"][0];
    assert!(
        first["label"].as_str().unwrap().contains("clients"),
        "{first:#}"
    );
    let native = report["memory"]["process"]["native"].as_i64().unwrap();
    let held = first["off_heap_bytes"].as_i64().unwrap();
    assert!(native > 20 << 20, "zlib state grew by {native} bytes");
    assert!(held * 10 >= native * 9, "{held} of {native} charged");
}

#[test]
fn external_strings_are_told_as_not_in_the_js_heap() {
    let files = scenario("strings", "strings");
    let external = growth(&files, "external") - growth(&files, "arrayBuffers");
    assert!(external > 20 << 20, "external grew by {external}");
    let report = json_report(&files);
    assert!(report["memory"]["last"]["external_strings"].as_i64() >= Some(24));
    assert_eq!(
        report["memory"]["process"]["other_external"].as_i64(),
        Some(external)
    );
    // The cache of decoded strings is the leak, though each string is 32 bytes on the heap.
    let first = &report["findings"][0];
    assert!(
        first["label"].as_str().unwrap().contains("cache"),
        "{first:#}"
    );
    assert_eq!(first["growing"], true);
    assert!(first["parts"].to_string().contains("external string"));
    let text = stdout_of(heapdiff().args(["--width", "100"]).args(&files));
    assert!(
        text.contains("external memory, not in the JS heap"),
        "{text}"
    );
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
}

#[test]
fn a_broken_memory_file_is_a_note() {
    let files = scenario("strings", "broken");
    std::fs::write(files[0].with_file_name("s1.memory.json"), "{").unwrap();
    let text = stdout_of(heapdiff().args(&files[..2]));
    assert!(text.contains("s1.memory.json: not process.memoryUsage() JSON"));
    assert!(!text.contains("process rss"), "{text}");
}

#[test]
fn worker_threads_are_growth_no_snapshot_of_this_thread_shows() {
    let files = scenario("workers", "workers");
    let rss = growth(&files, "rss");
    assert!(rss > 30 << 20, "rss grew by {rss}");
    let report = json_report(&files);
    let process = &report["memory"]["process"];
    assert_eq!(process["rss"].as_i64(), Some(rss));
    assert!(
        process["unexplained"].as_i64().unwrap() * 2 > rss,
        "{process}"
    );
    assert_eq!(report["memory"]["last"]["worker_threads"].as_i64(), Some(9));
    let text = stdout_of(heapdiff().args(["--width", "120"]).args(&files));
    assert!(
        text.contains("of the RSS growth is not in the JS heap: 6 more worker threads"),
        "{text}"
    );
    assert!(text.contains("worker.terminate()"), "{text}");
    // One snapshot's summary sets its RSS beside what the snapshot holds.
    let summary = stdout_of(heapdiff().args(["summary", "--json"]).arg(&files[2]));
    let summary: Value = serde_json::from_str(&summary).unwrap();
    assert_eq!(
        summary["process"]["rss"].as_i64(),
        Some(measured(&files[2], "rss"))
    );
    let text = stdout_of(
        heapdiff()
            .args(["summary", "--width", "100"])
            .arg(&files[2]),
    );
    assert!(text.contains("process rss "), "{text}");
}

#[test]
fn an_rss_log_places_the_snapshots_on_its_curve() {
    let files = scenario("workers", "rss-log");
    // The log a monitoring system would export: the RSS each snapshot's process measured, at
    // the time its file was written, with samples before and after.
    let mut log = String::from("time,rss_bytes\n");
    for (i, file) in files.iter().enumerate() {
        let modified = std::fs::metadata(file).unwrap().modified().unwrap();
        let ms = modified
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        let rss = measured(file, "rss");
        if i == 0 {
            log.push_str(&format!("{},{}\n", ms / 1000 - 60, rss / 2));
        }
        log.push_str(&format!("{}.{:03},{rss}\n", ms / 1000, ms % 1000));
        std::fs::remove_file(file.with_file_name(format!("s{}.memory.json", i + 1))).unwrap();
        if i == 2 {
            log.push_str(&format!("{},{}\n", ms / 1000 + 60, rss * 2));
        }
    }
    let rss_first = log.lines().nth(2).unwrap().split(',').nth(1).unwrap();
    let path = files[0].with_file_name("rss.csv");
    std::fs::write(&path, &log).unwrap();
    let report = json_report(&[
        files[0].as_os_str(),
        files[2].as_os_str(),
        "--rss-log".as_ref(),
        path.as_os_str(),
    ]);
    let logged = &report["memory"]["rss_log"];
    assert_eq!(logged["rss_first"].to_string(), rss_first, "{log}");
    assert!(logged["rss"].as_i64().unwrap() > 30 << 20, "{logged}");
    let text = stdout_of(
        heapdiff()
            .args(["--width", "120", "--rss-log"])
            .arg(&path)
            .args([&files[0], &files[2]]),
    );
    assert!(text.contains("RSS log: "), "{text}");
    assert!(
        text.contains("of the RSS growth is not in the snapshots"),
        "{text}"
    );
    // A log that is not one is an error that says where.
    std::fs::write(&path, "time,rss\n1,100\n2,a lot\n").unwrap();
    let out = heapdiff()
        .arg("--rss-log")
        .arg(&path)
        .args([&files[0], &files[2]])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3:"), "{stderr}");
}

#[test]
fn small_pooled_buffers_are_a_leak_of_their_pools() {
    buffer_leak("pool", "ids", 10 << 20);
}
