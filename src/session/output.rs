//! Where a report goes: stdout, or a file written atomically (a temporary file renamed into
//! place), so that a report file appears whole or not at all.

use std::io::Write;
use std::path::Path;

use crate::error::{Error, ErrorKind, Result};

/// Writes `text` to stdout, or atomically to `output`.
pub fn write_report(text: &str, output: Option<&Path>) -> Result<()> {
    let failed = |what: String| move |e| Error::new(ErrorKind::Write { what, source: e });
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .map_err(failed("the report".to_string()))?;
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let name = path.file_name().ok_or_else(|| {
                Error::new(ErrorKind::Usage("--output needs a file name".to_string()))
            })?;
            let tmp = dir.join(format!(
                ".{}.{}.tmp",
                name.to_string_lossy(),
                std::process::id()
            ));
            std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, path))
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })
                .map_err(failed(path.display().to_string()))?;
        }
    }
    Ok(())
}
