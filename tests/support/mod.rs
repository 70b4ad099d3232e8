//! Helpers shared by the integration tests.

#![allow(dead_code)]

pub mod builder;

use std::path::{Path, PathBuf};

/// A committed fixture snapshot: `fixtures/snapshots/<name>.heapsnapshot.gz`.
pub fn snapshot(name: &str) -> PathBuf {
    Path::new("fixtures/snapshots").join(format!("{name}.heapsnapshot.gz"))
}

/// One of the fixture series: `fixtures/series/<name>.heapsnapshot.gz`.
pub fn series(name: &str) -> PathBuf {
    Path::new("fixtures/series").join(format!("{name}.heapsnapshot.gz"))
}

/// The heapdiff binary, run from the repository root so that fixture paths are relative.
pub fn heapdiff() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("heapdiff").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

/// The standard output of `cmd`, which must succeed (exit 0; else its stderr is shown).
pub fn stdout_of(cmd: &mut assert_cmd::Command) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The `--json` report of heapdiff on `files`, which must succeed (exit 0).
pub fn json_report<P: AsRef<std::ffi::OsStr>>(files: &[P]) -> serde_json::Value {
    let text = stdout_of(heapdiff().args(["--json", "--quiet"]).args(files));
    serde_json::from_str(&text).unwrap()
}
