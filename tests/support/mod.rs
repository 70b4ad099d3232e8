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
