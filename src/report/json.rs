//! JSON rendering: a report struct serialized as one pretty-printed document and a newline.

use serde::Serialize;

use crate::error::{Error, ErrorKind, Result};

/// The report as JSON text.
pub fn to_string<T: Serialize>(report: &T) -> Result<String> {
    let mut text = serde_json::to_string_pretty(report).map_err(|e| {
        Error::new(ErrorKind::Write {
            what: "the JSON report".to_string(),
            source: std::io::Error::other(e),
        })
    })?;
    text.push('\n');
    Ok(text)
}
