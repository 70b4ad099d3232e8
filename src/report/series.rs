//! The report of a series of snapshots: the trend of every class and cluster.

use serde::Serialize;

use super::findings::findings_of;
use super::{
    BudgetReport, FindingReport, IgnoredReport, PathReport, SCHEMA_VERSION, SiteReport,
    SnapshotInfo,
};
use crate::leaks::series::{Series, Trend};

/// `heapdiff S1 S2 … SN`: how every class and cluster changes across a series of snapshots of
/// one process.
///
/// Wire format (`--json`):
/// ```json
/// {"schema_version": 2, "command": "series",
///  "snapshots": [{"file": "s1.heapsnapshot", "node_count": …, "total_size": …,
///                 "max_js_object_id": …}, …],
///  "warnings": [],
///  "classes": [{"key": ",Function", "name": "Function", "counts": [900, 1400, 1900],
///               "self_sizes": […], "retained_sizes": […], "growing": true,
///               "count_slope": 500.0, "retained_slope": 36000.0}, …],
///  "clusters": [{"key": "closures:validate* @ <eval>:3:17", "name": "validate* @ <eval>:3:17", …}],
///  "ignored": {"clusters": 0, "findings": 0, "classes": 0}}
/// ```
/// `classes` are DevTools' Summary rows of each snapshot (all objects); `clusters` group the
/// objects allocated since the first snapshot (so the first snapshot's cluster counts are 0).
/// `growing` means the count rose at every step; growing groups come first, then by
/// `retained_slope` (bytes per snapshot). `ignored` counts what `--ignore` left out of
/// `findings`, `classes` and `clusters` (budgets see only the rest).
#[derive(Debug, Clone, Serialize)]
pub struct SeriesReport {
    pub schema_version: u32,
    pub command: &'static str,
    /// The first line: the likely leak, or why there is none.
    pub verdict: String,
    pub snapshots: Vec<SnapshotInfo>,
    pub warnings: Vec<String>,
    /// What most likely leaks: holders that grew at every step first.
    pub findings: Vec<FindingReport>,
    pub classes: Vec<TrendReport>,
    /// The budgets checked, in the order given.
    pub budgets: Vec<BudgetReport>,
    pub clusters: Vec<TrendReport>,
    /// What `--ignore` left out.
    pub ignored: IgnoredReport,
    /// Memory by npm package per snapshot (`--group-by package`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packages: Option<Vec<crate::leaks::packages::PackageTrend>>,
    /// Heap strings were replaced by placeholders (`--redact`).
    pub redacted: bool,
    /// Source maps that were named but could not be used, one line per script.
    pub source_notes: Vec<String>,
    /// Memory outside the JS heap, first snapshot to last, and the process's when recorded.
    pub memory: crate::leaks::memory::MemorySplit,
    /// Files beside the snapshots that could not be used (a broken `NAME.memory.json`).
    pub notes: Vec<String>,
}

/// One class or cluster across the series.
#[derive(Debug, Clone, Serialize)]
pub struct TrendReport {
    pub key: String,
    pub name: String,
    pub counts: Vec<u64>,
    pub self_sizes: Vec<u64>,
    pub retained_sizes: Vec<u64>,
    pub growing: bool,
    pub count_slope: f64,
    pub retained_slope: f64,
    /// For a cluster: retainer paths of its members new since the first snapshot.
    pub paths: Vec<PathReport>,
    pub paths_sampled: u64,
    /// For a cluster: "closures" or "objects" (`null` for a class).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// For a cluster: its closures' function or its objects' constructor, as in a pair.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<SiteReport>,
}

impl From<&Trend> for TrendReport {
    fn from(t: &Trend) -> TrendReport {
        TrendReport {
            key: t.key.clone(),
            name: t.name.clone(),
            counts: t.points.iter().map(|p| p.count).collect(),
            self_sizes: t.points.iter().map(|p| p.self_size).collect(),
            retained_sizes: t.points.iter().map(|p| p.retained).collect(),
            growing: t.growing,
            count_slope: t.count_slope,
            retained_slope: t.retained_slope,
            paths: t.paths.iter().map(PathReport::from).collect(),
            paths_sampled: t.paths_sampled,
            kind: t.site.as_ref().map(|(kind, _)| *kind),
            site: t.site.as_ref().map(|(_, s)| SiteReport::from(s)),
        }
    }
}

impl SeriesReport {
    /// The report of a series, as the engine computed it.
    pub fn new(series: &Series) -> SeriesReport {
        let findings = findings_of(&series.findings);
        SeriesReport {
            schema_version: SCHEMA_VERSION,
            command: "series",
            verdict: super::findings::verdict_of(&findings),
            snapshots: series.snapshots.iter().map(SnapshotInfo::from).collect(),
            warnings: series.warnings.clone(),
            findings,
            classes: series.classes.iter().map(TrendReport::from).collect(),
            budgets: series.budgets.iter().map(BudgetReport::from).collect(),
            clusters: series.clusters.iter().map(TrendReport::from).collect(),
            ignored: IgnoredReport::from(&series.ignored),
            packages: series.packages.clone(),
            redacted: false,
            source_notes: Vec::new(),
            memory: super::memory_split(
                &series.snapshots[0],
                &series.snapshots[series.snapshots.len() - 1],
                &series.findings,
            ),
            notes: (series.snapshots.iter())
                .filter_map(|s| s.process_note.clone())
                .collect(),
        }
    }
}
