//! JSON rendering: the report structs serialized as one document followed by a newline.

use std::io::Write;

use serde::Serialize;

/// Writes `report` as pretty-printed JSON.
pub fn write<W: Write, T: Serialize>(out: &mut W, report: &T) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report)?;
    out.write_all(b"\n")
}
