//! Files that appear whole or not at all: written to a temporary file beside their place
//! (`.NAME.PID.tmp`), renamed into place when complete, removed when writing fails. Reports,
//! redacted snapshots and captured snapshots are all written this way.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, ErrorKind, Result};

/// Creates `path` through `write`, which fills the temporary file.
pub fn write_atomically<T>(path: &Path, write: impl FnOnce(&mut File) -> Result<T>) -> Result<T> {
    let failed = |e: std::io::Error| {
        Error::new(ErrorKind::Write {
            what: path.display().to_string(),
            source: e,
        })
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path.file_name().ok_or_else(|| {
        Error::new(ErrorKind::Usage(format!(
            "{} needs a file name",
            path.display()
        )))
    })?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = File::create(&tmp)
        .map_err(failed)
        .and_then(|mut file| write(&mut file))
        .and_then(|value| std::fs::rename(&tmp, path).map(|()| value).map_err(failed));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
