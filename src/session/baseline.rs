//! The baseline file of known leaks (`--baseline FILE`, `--write-baseline FILE`): read before
//! the snapshots, written atomically after the findings.

use std::io::Write as _;
use std::path::Path;

use crate::atomic::write_atomically;
use crate::error::{Error, ErrorKind, Result};
use crate::leaks::findings::Finding;
use crate::leaks::known::KnownLeaks;

/// Reads a baseline; a file that is missing or not a baseline is a usage error (exit 2).
pub fn read(path: &Path) -> Result<KnownLeaks> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        Error::new(ErrorKind::Usage(format!(
            "cannot read the baseline {}: {e}",
            path.display()
        )))
    })?;
    KnownLeaks::parse(&text).map_err(|e| {
        Error::new(ErrorKind::Usage(format!(
            "{} is not a heapdiff baseline: {e}",
            path.display()
        )))
    })
}

/// Writes `findings` as known leaks to `path`.
pub fn write(path: &Path, findings: &[Finding]) -> Result<()> {
    let text = KnownLeaks::of(findings).to_json();
    write_atomically(path, |file| {
        file.write_all(text.as_bytes()).map_err(|e| {
            Error::new(ErrorKind::Write {
                what: path.display().to_string(),
                source: e,
            })
        })
    })
}
