//! A leak check never passes by mistake and heapdiff never destroys data (issue 14): every case
//! runs the real binary and checks its exit status and message.

mod support;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use support::builder::SnapshotBuilder;

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(path)
}

fn base() -> PathBuf {
    fixture("snapshots/node20-base.heapsnapshot.gz")
}

fn late() -> PathBuf {
    fixture("snapshots/node20-late.heapsnapshot.gz")
}

fn series(i: u32) -> PathBuf {
    fixture(&format!("series/s{i}.heapsnapshot.gz"))
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .arg("--quiet")
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new(&$a)),*] };
}

#[test]
fn the_output_is_never_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("late.heapsnapshot.gz");
    std::fs::copy(late(), &input).unwrap();
    let size = std::fs::metadata(&input).unwrap().len();
    let link = dir.path().join("link.heapsnapshot.gz");
    std::os::unix::fs::symlink(&input, &link).unwrap();
    let hard = dir.path().join("hard.heapsnapshot.gz");
    std::fs::hard_link(&input, &hard).unwrap();
    for output in [&input, &link, &hard] {
        let out = run(args!["-o", output, base(), input]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            stderr(&out).contains("never overwrites its inputs"),
            "{}",
            stderr(&out)
        );
        assert_eq!(std::fs::metadata(&input).unwrap().len(), size);
    }
    // `-o -` is stdout, not a file named `-`.
    let out = Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .current_dir(dir.path())
        .args(["--quiet", "-o", "-"])
        .arg(base())
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // The report: its verdict, then the snapshots' header.
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Possible leak: "), "{text}");
    assert!(text.lines().any(|l| l.starts_with("base ")), "{text}");
    assert!(!dir.path().join("-").exists());
}

#[test]
fn budgets_on_snapshots_that_cannot_be_compared_cannot_pass() {
    // Swapped: without a budget a warning, with one "could not check".
    let out = run(args![late(), base()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(stderr(&out).contains("wrong order"), "{}", stderr(&out));
    let out = run(args!["--fail-if", "new-count>5", late(), base()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("could not check the budgets"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty());
    // Snapshots of different processes.
    let out = run(args![
        "--fail-on-growth",
        "1GB",
        fixture("snapshots/chromium-base.heapsnapshot.gz"),
        late()
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("different processes"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_budget_that_names_nothing_is_an_error() {
    let out = run(args!["--fail-if", "class:function.count>1", base(), late()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out)
            .contains(r#"no class "function" in either snapshot; did you mean "Function"?"#),
        "{}",
        stderr(&out)
    );
    let out = run(args![
        "--fail-if",
        "class:NoSuchClassAnywhere.count>1",
        base(),
        late()
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no class \"NoSuchClassAnywhere\""),
        "{}",
        stderr(&out)
    );
    // A class present in a snapshot but with no new objects is a real 0.
    let out = run(args![
        "--fail-if",
        "class:Function.count>100000",
        base(),
        late()
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Unknown metrics are refused by the argument parser.
    let out = run(args!["--fail-if", "new-things>1", base(), late()]);
    assert_eq!(out.status.code(), Some(2));
    // A cluster budget when no two new objects form a cluster.
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, new_objects: u32| {
        let mut b = SnapshotBuilder::new();
        let global = b.node("object", "Window", 3, 32);
        b.edge(0, "shortcut", "global", global);
        let old = b.node("object", "Old", 5, 16);
        b.edge(global, "property", "old", old);
        for i in 0..new_objects {
            let v = b.node("object", &format!("Unique{i}"), 7 + 2 * i, 16);
            b.edge(global, "property", &format!("p{i}"), v);
        }
        let path = dir.path().join(name);
        std::fs::write(&path, b.build()).unwrap();
        path
    };
    let (a, b) = (write("a.heapsnapshot", 0), write("b.heapsnapshot", 1));
    let out = run(args!["--fail-if", "cluster.count>1", a, b]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no two new objects form one"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_series_carries_budgets() {
    let files = [series(1), series(2), series(3), series(4)];
    let out = run(args![
        "--fail-if",
        "growing.count>0",
        files[0],
        files[1],
        files[2],
        files[3]
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("budget growing.count>0: EXCEEDED, actual 1 (Object .leaks → Array)"),
        "{text}"
    );
    // The cache filled once: its smallest step is 0; the leak adds 100 at every step.
    let out = run(args![
        "--json",
        "--fail-if",
        "class:CacheEntry.slope>0",
        "--fail-if",
        "class:Leaky.slope>=100",
        files[0],
        files[1],
        files[2],
        files[3]
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["budgets"][0]["actual"], 0);
    assert_eq!(r["budgets"][0]["exceeded"], false);
    assert_eq!(r["budgets"][1]["actual"], 100);
    assert_eq!(r["budgets"][1]["exceeded"], true);
    // Two-snapshot metrics are an error on a series.
    let out = run(args![
        "--fail-if",
        "new-count>5",
        files[0],
        files[1],
        files[2]
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("applies to two snapshots"),
        "{}",
        stderr(&out)
    );
    // And series metrics on a pair.
    let out = run(args!["--fail-if", "growing.count>0", files[0], files[1]]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("give three or more snapshots"),
        "{}",
        stderr(&out)
    );
}

/// Runs heapdiff with `args`, reads one byte of its output and closes the pipe.
fn closed_after_one_byte(args: &[&str]) -> (Option<i32>, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_heapdiff"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut byte = [0u8; 1];
    let _ = stdout.read(&mut byte);
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn broken_pipes_never_panic() {
    let (b, l) = (base(), late());
    let (b, l) = (b.to_str().unwrap(), l.to_str().unwrap());
    let s1 = series(1);
    let s = s1.to_str().unwrap();
    let mut cases: Vec<Vec<&str>> = ["bash", "zsh", "fish", "elvish", "powershell"]
        .iter()
        .map(|shell| vec!["completions", shell])
        .collect();
    cases.push(vec!["man"]);
    cases.push(vec!["--help"]);
    for format in ["table", "json", "markdown"] {
        cases.push(vec!["--format", format, b, l]);
    }
    cases.push(vec!["summary", l]);
    cases.push(vec!["summary", "--json", l]);
    cases.push(vec!["--json", s, b]);
    for args in cases {
        let (code, err) = closed_after_one_byte(&args);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert!(
            code == Some(0) || code == Some(2),
            "{args:?}: {code:?} {err}"
        );
    }
}

#[test]
fn directories_are_ordered_naturally_and_never_mixed() {
    let dir = tempfile::tempdir().unwrap();
    for (i, name) in [(1, "s1"), (2, "s2"), (3, "s10")] {
        std::fs::copy(
            series(i),
            dir.path().join(format!("{name}.heapsnapshot.gz")),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("notes.txt"), "not a snapshot").unwrap();
    let out = run(args!["--json", dir.path()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let files: Vec<&str> = r["snapshots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["file"].as_str().unwrap().rsplit('/').next().unwrap())
        .collect();
    assert_eq!(
        files,
        [
            "s1.heapsnapshot.gz",
            "s2.heapsnapshot.gz",
            "s10.heapsnapshot.gz"
        ]
    );
    let out = run(args![dir.path(), base()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("not both"), "{}", stderr(&out));
    let out = run(args![dir.path(), dir.path()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn node_types_missing_from_meta_load_as_devtools_does() {
    // The type of the first object with a size set to 20: Node 20's meta lists 14 types.
    let text = {
        let mut gz = flate2::read::GzDecoder::new(std::fs::File::open(base()).unwrap());
        let mut text = String::new();
        gz.read_to_string(&mut text).unwrap();
        text
    };
    let start = text.find("\"nodes\":[").unwrap() + "\"nodes\":[".len();
    // Byte ranges of the first numbers of the nodes array, 7 fields per node.
    let mut numbers = Vec::new();
    let mut at = start;
    while numbers.len() < 7 * 5000 {
        let end = at + text[at..].find(',').unwrap();
        numbers.push((at, end));
        at = end + 1;
    }
    let field = |i: usize| {
        text[numbers[i].0..numbers[i].1]
            .trim()
            .parse::<u32>()
            .unwrap()
    };
    let node = (0..5000)
        .find(|&n| field(7 * n) == 3 && field(7 * n + 3) > 0)
        .unwrap();
    let (from, to) = numbers[7 * node];
    let edited = format!("{}20{}", &text[..from], &text[to..]);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old-v8.heapsnapshot");
    std::fs::write(&path, edited).unwrap();
    let out = run(args!["summary", "--json", path]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        r["classes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "(undefined)"),
        "no (undefined) class"
    );
}

#[test]
fn a_series_of_other_processes_cannot_pass_a_budget() {
    // The first snapshot is another process (and another V8 version) than the rest.
    let other = fixture("snapshots/node14-base.heapsnapshot.gz");
    let out = run(args![other, series(2), series(3)]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("different processes"),
        "{}",
        stderr(&out)
    );
    let out = run(args![
        "--fail-if",
        "growing.count>0",
        other,
        series(2),
        series(3)
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("could not check the budgets"),
        "{}",
        stderr(&out)
    );
    // A real series has no such warning.
    let out = run(args![series(1), series(2), series(3)]);
    assert_eq!(out.status.code(), Some(0));
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}
