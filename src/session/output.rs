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
        Some(path) => crate::atomic::write_atomically(path, |file| {
            file.write_all(text.as_bytes())
                .map_err(failed(path.display().to_string()))
        })?,
    }
    Ok(())
}
