//! JSON rendering: a report struct serialized as one pretty-printed document and a newline.

use serde::Serialize;

/// The report as JSON text.
pub fn to_string<T: Serialize>(report: &T) -> serde_json::Result<String> {
    let mut text = serde_json::to_string_pretty(report)?;
    text.push('\n');
    Ok(text)
}
