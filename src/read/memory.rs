//! The process's memory when a snapshot was taken: `NAME.memory.json` beside
//! `NAME.heapsnapshot[.gz|.zst]`, as `heapdiff capture` and the npm package write it — the
//! fields of Node's `process.memoryUsage()`, so that a program can write it itself with
//! `JSON.stringify(process.memoryUsage())`.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Bytes, as `process.memoryUsage()` names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProcessMemory {
    /// Resident set size: what monitoring shows.
    pub rss: u64,
    /// V8's heap, committed and used.
    pub heap_total: u64,
    pub heap_used: u64,
    /// Memory outside the heap that V8 was told of: ArrayBuffers, external strings, addons'.
    pub external: u64,
    /// Of `external`: ArrayBuffer backing stores (Buffers).
    #[serde(default)]
    pub array_buffers: u64,
    /// When it was measured: milliseconds since the Unix epoch (`Date.now()`), when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<u64>,
}

/// Where the memory of `snapshot` is kept: `s1.heapsnapshot.gz` → `s1.memory.json`.
pub fn memory_path(snapshot: &Path) -> PathBuf {
    let name = snapshot
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let stem = [".heapsnapshot.gz", ".heapsnapshot.zst", ".heapsnapshot"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or_else(|| name.rsplit_once('.').map_or(name.as_str(), |(s, _)| s));
    snapshot.with_file_name(format!("{stem}.memory.json"))
}

/// The memory recorded beside `snapshot`: `None` when there is no such file, an error
/// message when there is one that cannot be read.
pub fn read_beside(snapshot: &Path) -> Option<Result<ProcessMemory, String>> {
    if snapshot.as_os_str() == "-" {
        return None;
    }
    let path = memory_path(snapshot);
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => return Some(Err(format!("{}: {e}", path.display()))),
    };
    Some(
        serde_json::from_slice(&text)
            .map_err(|e| format!("{}: not process.memoryUsage() JSON ({e})", path.display())),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_files_sit_beside_their_snapshots() {
        for (snapshot, memory) in [
            ("d/s1.heapsnapshot", "d/s1.memory.json"),
            ("d/001.heapsnapshot.gz", "d/001.memory.json"),
            ("x.heapsnapshot.zst", "x.memory.json"),
            ("dump.json", "dump.memory.json"),
        ] {
            assert_eq!(memory_path(Path::new(snapshot)), Path::new(memory));
        }
    }

    #[test]
    fn node_memory_usage_is_read() {
        let json = br#"{"rss":107655168,"heapTotal":5111808,"heapUsed":3781640,"external":27765283,"arrayBuffers":26225053}"#;
        let m: ProcessMemory = serde_json::from_slice(json).unwrap();
        assert_eq!((m.rss, m.array_buffers), (107655168, 26225053));
        assert!(serde_json::from_slice::<ProcessMemory>(b"{}").is_err());
    }
}
