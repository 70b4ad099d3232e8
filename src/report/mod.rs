//! The report model: plain serializable structs built from analysis results, rendered by
//! [`table`] for people and [`json`] for scripts. Renderers see only these structs.

pub mod json;
pub mod table;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::analysis::distances::{NO_DISTANCE, SYSTEM_DISTANCE};
use crate::analysis::summary::{ClassRow, Statistics};

/// Version of the JSON wire format; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 1;

/// `heapdiff summary FILE`: DevTools' Summary view of one snapshot.
///
/// Wire format (`--json`), all sizes in bytes:
/// ```json
/// {"schema_version": 1, "command": "summary", "file": "x.heapsnapshot",
///  "node_count": 45012, "edge_count": 190233, "total_size": 4123456,
///  "max_js_object_id": 78647,
///  "statistics": {"total": …, "v8heap_total": …, "code": …, "strings": …, "js_arrays": …,
///                 "system": …, "native_total": …, "typed_arrays": …},
///  "problems": ["Heap snapshot: 12 nodes are unreachable from the root."],
///  "class_count": 812, "total_count": 40000, "total_self_size": 4000000,
///  "classes": [{"key": ",Function", "name": "Function", "count": 7212, "self_size": 461568,
///               "retained_size": 1234567, "distance": 2}, …]}
/// ```
/// `classes` holds every class, sorted by retained size (descending) then key; `distance` is
/// DevTools' raw value (−5: unreachable, ≥ 100000000: reachable only from system roots).
#[derive(Debug, Clone, Serialize)]
pub struct SummaryReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub file: String,
    pub node_count: u64,
    pub edge_count: u64,
    pub total_size: u64,
    pub max_js_object_id: u32,
    pub statistics: StatisticsReport,
    pub problems: Vec<String>,
    pub class_count: u64,
    pub total_count: u64,
    pub total_self_size: u64,
    pub classes: Vec<ClassReport>,
}

/// One class row.
#[derive(Debug, Clone, Serialize)]
pub struct ClassReport {
    pub key: String,
    pub name: String,
    pub count: u64,
    pub self_size: u64,
    pub retained_size: u64,
    pub distance: i32,
}

/// The Statistics view.
#[derive(Debug, Clone, Serialize)]
pub struct StatisticsReport {
    pub total: u64,
    pub v8heap_total: u64,
    pub code: u64,
    pub strings: u64,
    pub js_arrays: u64,
    pub system: u64,
    pub native_total: u64,
    pub typed_arrays: u64,
}

impl From<Statistics> for StatisticsReport {
    fn from(s: Statistics) -> StatisticsReport {
        StatisticsReport {
            total: s.total,
            v8heap_total: s.v8heap_total,
            code: s.code,
            strings: s.strings,
            js_arrays: s.js_arrays,
            system: s.system,
            native_total: s.native_total,
            typed_arrays: s.typed_arrays,
        }
    }
}

impl From<&ClassRow> for ClassReport {
    fn from(r: &ClassRow) -> ClassReport {
        ClassReport {
            key: r.key.clone(),
            name: r.name.clone(),
            count: r.count,
            self_size: r.self_size,
            retained_size: r.retained,
            distance: r.distance,
        }
    }
}

impl SummaryReport {
    pub fn new(file: &str, a: &Analysis) -> SummaryReport {
        let rows = a.summary();
        SummaryReport {
            schema_version: SCHEMA_VERSION,
            command: "summary",
            file: file.to_string(),
            node_count: a.graph.node_count() as u64,
            edge_count: a.graph.edge_count() as u64,
            total_size: a.total_size(),
            max_js_object_id: a.graph.max_js_object_id(),
            statistics: a.statistics().into(),
            problems: a.problems.clone(),
            class_count: rows.len() as u64,
            total_count: rows.iter().map(|r| r.count).sum(),
            total_self_size: rows.iter().map(|r| r.self_size).sum(),
            classes: rows.iter().map(ClassReport::from).collect(),
        }
    }
}

/// A distance as DevTools displays it: `−` when unreachable or reachable only from system roots.
pub fn display_distance(d: i32) -> String {
    if d == NO_DISTANCE || !(0..SYSTEM_DISTANCE).contains(&d) {
        "\u{2212}".to_string()
    } else {
        d.to_string()
    }
}

/// Bytes in decimal units, as DevTools shows them (1 kB = 1000 B).
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["kB", "MB", "GB", "TB"];
    if bytes < 1000 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < UNITS.len() {
        value /= 1000.0;
        unit += 1;
    }
    if value < 100.0 {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_like_devtools() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(27_540), "27.5 kB");
        assert_eq!(human_bytes(760_000), "760 kB");
        assert_eq!(human_bytes(12_345_678), "12.3 MB");
        assert_eq!(display_distance(3), "3");
        assert_eq!(display_distance(-5), "\u{2212}");
        assert_eq!(display_distance(100_000_005), "\u{2212}");
    }
}
