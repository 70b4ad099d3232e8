//! Diff and series answers shaped for agents whose tool results are capped: the verdict and
//! the findings come first in the text (these structs serialize their fields in order), each
//! list is cut to a few rows, and `detail` says which lists and fields are included.

use serde::Serialize;

use super::args::{Detail, ReportOptions};
use super::error::ToolResult;
use super::store::{Run, Store};
use crate::leaks::memory::MemorySplit;
use crate::report::{
    BetweenInfo, ClassReport, ClusterReport, DiffReport, FindingReport, IgnoredReport,
    LockstepReport, SeriesReport, SnapshotInfo, TrendReport,
};

/// Rows per list when a call gives no `limit`.
pub const DEFAULT_ROWS: usize = 10;

/// How long each list was before it was cut to `limit` rows.
#[derive(Debug, Serialize)]
pub struct Totals {
    pub findings: usize,
    pub clusters: usize,
    pub classes: usize,
    /// Rows shown per list.
    pub limit: usize,
}

/// The diff tool's answer: `heapdiff BASE LATE --json`, reordered and cut.
#[derive(Debug, Serialize)]
pub struct DiffAnswer {
    pub verdict: String,
    pub detail: Detail,
    pub totals: Totals,
    pub warnings: Vec<String>,
    pub findings: Vec<FindingReport>,
    /// Memory outside the JS heap, and the process's RSS split when recorded.
    pub memory: MemorySplit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<ClusterReport>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<ClassReport>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lockstep: Option<Vec<LockstepReport>>,
    pub growth: i64,
    pub between: BetweenInfo,
    pub base: SnapshotInfo,
    pub late: SnapshotInfo,
    pub ignored: IgnoredReport,
    pub redacted: bool,
    pub source_notes: Vec<String>,
    /// Where the rows left out are.
    pub more: &'static str,
}

/// The series tool's answer: the series report, reordered and cut.
#[derive(Debug, Serialize)]
pub struct SeriesAnswer {
    pub verdict: String,
    pub detail: Detail,
    pub totals: Totals,
    pub warnings: Vec<String>,
    pub findings: Vec<FindingReport>,
    pub memory: MemorySplit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clusters: Option<Vec<TrendReport>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub classes: Option<Vec<TrendReport>>,
    pub snapshots: Vec<SnapshotInfo>,
    pub ignored: IgnoredReport,
    pub redacted: bool,
    pub source_notes: Vec<String>,
    pub more: &'static str,
}

const MORE: &str = "raise limit or set detail (summary, normal, full) for other rows; \
                    explain_finding and cluster give one row in full";

/// A cluster row as `normal` detail shows it: its most common retainer path only, and its
/// allocation stacks counted, not listed (the cluster tool lists them).
fn trimmed(mut c: ClusterReport) -> ClusterReport {
    c.paths.truncate(1);
    if let Some(a) = &mut c.allocation {
        a.omitted_stacks += a.stacks.len() as u64;
        a.omitted_count += a.stacks.iter().map(|s| s.count).sum::<u64>();
        a.stacks.clear();
    }
    c
}

/// The first `limit` rows of `rows`, when `detail` includes the list.
fn cut<T>(rows: Vec<T>, limit: usize, included: bool) -> Option<Vec<T>> {
    included.then(|| rows.into_iter().take(limit).collect())
}

impl Store {
    /// The diff of `base` and `late` as an agent reads it.
    pub fn diff(
        &mut self,
        (base, late): (usize, usize),
        limit: usize,
        detail: Detail,
        options: &ReportOptions,
    ) -> ToolResult<DiffAnswer> {
        let snapshots = [base, late];
        let (Run::Pair(diff), store) = self.run(&snapshots, options)? else {
            unreachable!("two snapshots make a diff")
        };
        let r = DiffReport::new(diff);
        let totals = Totals {
            findings: r.findings.len(),
            clusters: r.clusters.len(),
            classes: r.classes.len(),
            limit,
        };
        let lists = detail != Detail::Summary;
        let mut clusters = cut(r.clusters, limit, lists);
        if detail == Detail::Normal {
            clusters = clusters.map(|cs| cs.into_iter().map(trimmed).collect());
        }
        Ok(DiffAnswer {
            verdict: r.verdict,
            detail,
            totals,
            warnings: r.warnings,
            findings: r.findings.into_iter().take(limit).collect(),
            memory: r.memory,
            clusters,
            classes: cut(r.classes, limit, lists),
            lockstep: cut(r.lockstep, limit, detail == Detail::Full),
            growth: r.growth,
            between: r.between,
            base: r.base,
            late: r.late,
            ignored: r.ignored,
            redacted: store.all_redacted(&snapshots),
            source_notes: store.source_notes(&snapshots),
            more: MORE,
        })
    }

    /// The series over `snapshots` as an agent reads it.
    pub fn series(
        &mut self,
        snapshots: &[usize],
        limit: usize,
        detail: Detail,
        options: &ReportOptions,
    ) -> ToolResult<SeriesAnswer> {
        if snapshots.len() < 3 {
            return Err(super::error::ToolError::Arguments(
                "a series needs three or more snapshots (diff takes two)".to_string(),
            ));
        }
        let (Run::Series(series), store) = self.run(snapshots, options)? else {
            unreachable!("three or more snapshots make a series")
        };
        let r = SeriesReport::new(series);
        let totals = Totals {
            findings: r.findings.len(),
            clusters: r.clusters.len(),
            classes: r.classes.len(),
            limit,
        };
        let lists = detail != Detail::Summary;
        let mut clusters = cut(r.clusters, limit, lists);
        if detail == Detail::Normal {
            for c in clusters.iter_mut().flatten() {
                c.paths.truncate(1);
            }
        }
        Ok(SeriesAnswer {
            verdict: r.verdict,
            detail,
            totals,
            warnings: r.warnings,
            findings: r.findings.into_iter().take(limit).collect(),
            memory: r.memory,
            clusters,
            classes: cut(r.classes, limit, lists),
            snapshots: r.snapshots,
            ignored: r.ignored,
            redacted: store.all_redacted(snapshots),
            source_notes: store.source_notes(snapshots),
            more: MORE,
        })
    }
}
