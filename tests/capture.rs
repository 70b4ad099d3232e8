//! `heapdiff capture` against real Node processes (fixtures/scripts/capture-target.js leaks
//! 200 listeners every 100 ms): snapshots taken over the inspector, written whole, reported on.

mod support;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::heapdiff;

/// A Node process with its inspector on a free loopback port; killed when dropped.
struct Target {
    child: Child,
    port: u16,
}

impl Target {
    fn start() -> Target {
        let mut child = Command::new("node")
            .arg("--inspect=127.0.0.1:0")
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/scripts/capture-target.js"))
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("node");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        let line = lines.next().unwrap().unwrap();
        // "Debugger listening on ws://127.0.0.1:PORT/UUID"
        let port = line
            .split("127.0.0.1:")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}"));
        // Keep draining stderr so that the process never blocks on it.
        std::thread::spawn(move || for _ in lines {});
        Target { child, port }
    }

    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// The files in `dir` but the process memory recorded beside each snapshot.
fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = all_files_in(dir)
        .into_iter()
        .filter(|n| !n.ends_with(".memory.json"))
        .collect();
    names.sort();
    names
}

fn all_files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|d| {
            d.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// `heapdiff capture --json` of `target` into `dir` with `args`, which must succeed; its report.
fn capture_json(target: &Target, dir: &Path, args: &[&str]) -> Value {
    let out = heapdiff()
        .args([
            "capture",
            "--inspect",
            &target.address(),
            "--json",
            "--quiet",
        ])
        .args(args)
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn three_snapshots_of_a_leaking_process_find_the_leak() {
    let target = Target::start();
    let dir = scratch("capture-three");
    let report = capture_json(&target, &dir, &["--every", "400ms", "--count", "3"]);
    assert_eq!(
        files_in(&dir),
        [
            "001.heapsnapshot.gz",
            "002.heapsnapshot.gz",
            "003.heapsnapshot.gz"
        ]
    );
    for f in files_in(&dir) {
        heapdiff::read::load(&dir.join(f)).expect("a whole snapshot");
    }
    // Beside each snapshot, the process's memory, which the report reads.
    let memory: Vec<String> = all_files_in(&dir)
        .into_iter()
        .filter(|n| n.ends_with(".memory.json"))
        .collect();
    assert_eq!(
        memory,
        ["001.memory.json", "002.memory.json", "003.memory.json"]
    );
    let rss = report["snapshots"][2]["process"]["rss"].as_u64().unwrap();
    assert!(rss > 10 << 20, "rss {rss}");
    assert_eq!(report["memory"]["process"]["rss_last"].as_u64(), Some(rss));
    assert_eq!(report["command"], "series");
    let first = &report["findings"][0];
    assert_eq!(first["growing"], true, "{first}");
    assert!(
        first["holder"]["path"]
            .as_str()
            .unwrap()
            .contains("._events"),
        "{first}"
    );
    let parts = first["parts"].to_string();
    assert!(parts.contains("onData"), "{parts}");
    // A second capture into the same directory numbers on.
    let out = heapdiff()
        .args(["capture", "--inspect", &target.address()])
        .args(["--every", "200ms", "--count", "2", "--quiet", "--out"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(files_in(&dir).len(), 5);
    assert_eq!(files_in(&dir)[4], "005.heapsnapshot.gz");
}

#[test]
fn ctrl_c_keeps_the_snapshots_taken_and_reports_on_them() {
    let target = Target::start();
    let dir = scratch("capture-interrupted");
    let capture = std::process::Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(["capture", "--inspect", &target.address()])
        .args([
            "--every", "1s", "--count", "20", "--json", "--quiet", "--out",
        ])
        .arg(&dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while files_in(&dir).iter().filter(|f| f.ends_with(".gz")).count() < 2 {
        assert!(started.elapsed() < Duration::from_secs(30), "no snapshots");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = capture.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-INT", &pid])
            .status()
            .unwrap()
            .success()
    );
    let out = capture.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let taken = files_in(&dir);
    assert!(taken.len() >= 2 && taken.len() < 20, "{taken:?}");
    assert!(
        taken.iter().all(|f| f.ends_with(".heapsnapshot.gz")),
        "no partial file: {taken:?}"
    );
    let reported = report["snapshots"].as_array().map_or(2, Vec::len);
    assert_eq!(reported, taken.len());
}

#[test]
fn a_process_that_dies_mid_capture_leaves_only_whole_snapshots() {
    let mut target = Target::start();
    let dir = scratch("capture-lost");
    let capture = std::process::Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(["capture", "--inspect", &target.address()])
        .args(["--every", "300ms", "--count", "20", "--quiet", "--out"])
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while files_in(&dir).iter().filter(|f| f.ends_with(".gz")).count() < 1 {
        assert!(started.elapsed() < Duration::from_secs(30), "no snapshot");
        std::thread::sleep(Duration::from_millis(20));
    }
    target.child.kill().unwrap();
    let out = capture.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("inspector"), "{err}");
    for f in files_in(&dir) {
        assert!(f.ends_with(".heapsnapshot.gz"), "partial file left: {f}");
        heapdiff::read::load(&dir.join(f)).expect("a whole snapshot");
    }
}

#[test]
fn no_inspector_is_a_clear_error() {
    // A port nothing listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = heapdiff()
        .args([
            "capture",
            "--inspect",
            &format!("127.0.0.1:{port}"),
            "--count",
            "2",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no inspector at 127.0.0.1"));
    let out = heapdiff()
        .args(["capture", "--count", "2"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "--inspect or --pid is required");
    let out = heapdiff()
        .args(["capture", "--inspect", "127.0.0.1:9", "--every", "soon"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn track_allocations_gives_the_snapshots_stacks() {
    let target = Target::start();
    let dir = scratch("capture-tracked");
    let report = capture_json(
        &target,
        &dir,
        &["--track-allocations", "--every", "500ms", "--count", "2"],
    );
    let top = &report["clusters"][0];
    assert!(
        top["label"].as_str().unwrap().starts_with("onData @"),
        "{top}"
    );
    assert_eq!(
        top["allocation"]["allocated_by"]["function"], "handleTick",
        "{top}"
    );
}
