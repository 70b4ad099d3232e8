//! The report model: plain serializable structs built from the leak engine's results (and a
//! snapshot's summary), rendered by [`table`] for people, [`json`] for scripts and [`markdown`]
//! for pull requests. Nothing here analyses: renderers see only these structs.

mod allocations;
mod card;
mod findings;
pub mod fit;
mod format;
pub mod html;
pub mod json;
pub mod layout;
pub mod markdown;
mod memory;
mod packages;
pub mod sarif;
mod series;
mod sites;
pub mod table;

use serde::Serialize;

use crate::analysis::SnapshotSummary;
use crate::analysis::summary::{ClassRow, Statistics};
use crate::leaks::budget::BudgetResult;
use crate::leaks::clusters::{Cluster, PathShape};
use crate::leaks::comparison::DiffRow;
use crate::leaks::lockstep::Lockstep;
use crate::leaks::{Diff, SnapshotFacts};
pub use allocations::{AllocatedBy, AllocationReport, AllocationSiteReport, StackReport};
use findings::findings_of;
pub use findings::verdict_of;
pub use findings::{FindingReport, HolderReport, PartReport};
pub use format::{display_distance, human_bytes, signed_bytes, signed_count, sparkline, thousands};
pub use layout::Layout;
pub use series::{SeriesReport, TrendReport};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// Tables for a terminal.
    #[default]
    Table,
    /// One JSON document.
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
    /// One self-contained HTML page.
    Html,
    /// SARIF 2.1.0 for code-scanning tools: one result per finding.
    Sarif,
}

/// Version of the JSON wire format; bumped on any incompatible change.
pub const SCHEMA_VERSION: u32 = 2;

/// `heapdiff summary FILE`: DevTools' Summary view of one snapshot.
///
/// Wire format (`--json`), all sizes in bytes:
/// ```json
/// {"schema_version": 2, "command": "summary", "file": "x.heapsnapshot",
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
/// `--group-by stack` adds `allocation`: DevTools' Allocation view ([`AllocationSiteReport`]).
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
    /// DevTools' Allocation view (`--group-by stack`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocation: Option<Vec<AllocationSiteReport>>,
    /// With `allocation`: the snapshot's objects that have no allocation stack (allocated
    /// before tracking started, or by the engine), which no row counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untraced_count: Option<u64>,
    /// Memory by npm package (`--group-by package`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packages: Option<Vec<crate::leaks::packages::PackageTotal>>,
    /// Heap strings were replaced by placeholders (`--redact`).
    pub redacted: bool,
    /// Source maps that were named but could not be used, one line per script.
    pub source_notes: Vec<String>,
    /// `process.memoryUsage()` when the snapshot was taken (`NAME.memory.json` beside it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<crate::read::memory::ProcessMemory>,
    /// Files beside the snapshot that could not be used (a broken `NAME.memory.json`).
    pub notes: Vec<String>,
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
    pub fn new(file: &str, summary: &SnapshotSummary) -> SummaryReport {
        let rows = &summary.classes;
        SummaryReport {
            schema_version: SCHEMA_VERSION,
            command: "summary",
            file: file.to_string(),
            node_count: summary.node_count,
            edge_count: summary.edge_count,
            total_size: summary.total_size,
            max_js_object_id: summary.max_js_object_id,
            statistics: summary.statistics.into(),
            problems: summary.problems.clone(),
            class_count: rows.len() as u64,
            total_count: rows.iter().map(|r| r.count).sum(),
            total_self_size: rows.iter().map(|r| r.self_size).sum(),
            classes: rows.iter().map(ClassReport::from).collect(),
            allocation: None,
            untraced_count: None,
            packages: None,
            redacted: false,
            source_notes: Vec::new(),
            process: None,
            notes: Vec::new(),
        }
    }

    /// Adds DevTools' Allocation view of the snapshot (`--group-by stack`) and how many
    /// objects it leaves out for having no stack.
    pub fn with_allocation_view(
        mut self,
        tops: &[crate::analysis::stacks::AllocationTop],
        untraced: u64,
    ) -> Self {
        self.allocation = Some(tops.iter().map(AllocationSiteReport::from).collect());
        self.untraced_count = Some(untraced);
        self
    }
}

/// `heapdiff BASE LATE`: what was allocated between two snapshots of one process and is still
/// alive in the later one, grouped by class (DevTools' "Objects allocated between" view) and
/// into clusters that point at a cause.
///
/// Wire format (`--json`), all sizes in bytes:
/// ```json
/// {"schema_version": 2, "command": "diff",
///  "verdict": "Possible leak: MemoryStore .sessions → Object gains (string) ×1,600 per step, …",
///  "base": {"file": "base.heapsnapshot", "node_count": 46479, "total_size": 4123456,
///           "max_js_object_id": 78647},
///  "late": {…same fields…},
///  "growth": 2345678,
///  "between": {"min_id": 78647, "max_id": 108749, "count": 15000, "self_size": 760000,
///              "retained_size": 1400000, "class_count": 12},
///  "warnings": [],
///  "findings": [{"rank": 1, "evidence": "two-snapshots", "growing": false, "suspicion": null,
///                "label": "MemoryStore .sessions → Object",
///                "holder": {"id": 51267, "class": "Object",
///                           "path": "… → MemoryStore .sessions → Object", "inside": ""},
///                "step_bytes": [65600], "step_counts": [2400], "gained_bytes": 65600,
///                "gained_count": 2400, "retained_sizes": [null, 812345], "entries": [200, 400],
///                "parts": [{"label": "(string)", "count": 1600, "self_size": 51200,
///                           "internal": false}, …],
///                "also_held_by": []}, …],
///  "clusters": [{"rank": 1, "kind": "closures", "label": "validate* @ <eval>:1:20, created by compile (app.js)",
///                "class_name": "Function", "count": 5000, "self_size": 320000,
///                "retained_size": 760000, "attributed_count": 5000, "attributed_size": 200000,
///                "site": {"function": "validate*", "script": "<eval>", "line": 1, "column": 20,
///                         "created_by": "compile (app.js)"},
///                "captured": ["schema"], "properties": [], "example_ids": [78651, …],
///                "paths": [{"path": "global .cache → Map {table} → (array) [] → Function",
///                           "short": "global .cache → Map [] → Function", "count": 200,
///                           "below_member": 0, "subtree_retained": 0,
///                           "system_only": false}],
///                "paths_sampled": 200, "inside_of": null, "contains": [4]}, …],
///  "lockstep": [{"unit": 5000, "members": [{"class": "Function", "count": 5000, "multiple": 1}, …]}],
///  "classes": [{"key": ",Function", "name": "Function", "count": 5000, "self_size": 320000,
///               "retained_size": 760000, "distance": 100000005}, …],
///  "comparison": null, "hidden_churn_rows": 0,
///  "budgets": [{"budget": "new-retained>5MiB", "actual": 760000, "limit": 5242880,
///               "exceeded": false, "subject": null, "bytes": true}],
///  "ignored": {"clusters": 0, "findings": 0, "classes": 0}}
/// ```
/// Snapshots with allocation stacks add `clusters[].allocation` ([`AllocationReport`]: the
/// members' `allocated_by` frame and commonest `stacks`, frames 1-based); `--group-by stack`
/// adds `allocation_sites` ([`AllocationSiteReport`] rows) and `--between` adds `window`.
/// Snapshots carry `file_size` (bytes as read; `null` for stdin); `between` carries
/// `snapshot_writer_objects` (new objects that writing the snapshot created, not clustered).
/// `findings` come first: old objects that gained new ones (see [`FindingReport`]), most
/// likely leaks first. `clusters` (groups of at least two new objects; `kind` is `closures`, `objects`, `strings` or
/// `detached-dom`) and `classes` are sorted by the `--sort` key, largest first. Every `line` and
/// `column` (sites, `generated` places, allocation frames) is 1-based, as editors count;
/// `null` where V8 does not know (an allocation stack's root frame). `comparison` is
/// present with `--compare`: DevTools' Comparison rows (`key`, `name`, `added_count`,
/// `removed_count`, `count_delta`, `added_size`, `removed_size`, `size_delta`,
/// `embedder_churn`), by added size.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub schema_version: u32,
    pub command: &'static str,
    /// The first line: the likely leak, or why there is none (see [`findings::verdict_of`]).
    pub verdict: String,
    pub base: SnapshotInfo,
    /// With three snapshots: the one that bounds the new objects; they are looked up in `late`.
    pub target: Option<SnapshotInfo>,
    pub late: SnapshotInfo,
    /// Late total minus base total.
    pub growth: i64,
    pub between: BetweenInfo,
    pub warnings: Vec<String>,
    /// What most likely leaks, most likely first.
    pub findings: Vec<FindingReport>,
    pub clusters: Vec<ClusterReport>,
    pub lockstep: Vec<LockstepReport>,
    pub classes: Vec<ClassReport>,
    pub comparison: Option<Vec<ComparisonRow>>,
    /// Comparison rows left out as embedder churn (without `--show-churn`).
    pub hidden_churn_rows: u64,
    /// The budgets checked, in the order given.
    pub budgets: Vec<BudgetReport>,
    /// What `--ignore` left out.
    pub ignored: IgnoredReport,
    /// The new objects by allocation site (`--group-by stack`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocation_sites: Option<Vec<AllocationSiteReport>>,
    /// With `allocation_sites`: the new objects that have no allocation stack (allocated
    /// before tracking started, or by the engine), which no site counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub untraced_count: Option<u64>,
    /// Memory by npm package (`--group-by package`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub packages: Option<Vec<crate::leaks::packages::PackageRow>>,
    /// With one timeline recording (`--between`): the time window the new objects come from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// Heap strings were replaced by placeholders (`--redact`).
    pub redacted: bool,
    /// Source maps that were named but could not be used, one line per script.
    pub source_notes: Vec<String>,
    /// Memory outside the JS heap, base to late, and the process's when recorded.
    pub memory: crate::leaks::memory::MemorySplit,
    /// Files beside the snapshots that could not be used (a broken `NAME.memory.json`).
    pub notes: Vec<String>,
}

/// The outcome of one budget.
#[derive(Debug, Clone, Serialize)]
pub struct BudgetReport {
    pub budget: String,
    pub actual: i64,
    pub limit: i64,
    pub exceeded: bool,
    /// What `actual` measured, e.g. the cluster that was largest.
    pub subject: Option<String>,
    /// `actual` and `limit` are bytes (not counts).
    pub bytes: bool,
}

/// One snapshot of a pair.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub file: String,
    /// Bytes of the file as read (compressed if it is); unknown for stdin.
    pub file_size: Option<u64>,
    pub node_count: u64,
    pub total_size: u64,
    pub max_js_object_id: u32,
    /// Memory outside the JS heap that the snapshot sees (part of `total_size`).
    pub off_heap: crate::analysis::off_heap::OffHeap,
    /// `process.memoryUsage()` when it was taken, when recorded beside it
    /// (`NAME.memory.json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<crate::read::memory::ProcessMemory>,
}

/// The objects allocated between the snapshots and still alive.
#[derive(Debug, Clone, Serialize)]
pub struct BetweenInfo {
    /// Object ids in `(min_id, max_id]` are new.
    pub min_id: u32,
    pub max_id: u32,
    pub count: u64,
    pub self_size: u64,
    /// Bytes freed if all of them were freed (no double counting).
    pub retained_size: u64,
    pub class_count: u64,
    /// New objects that writing the snapshot created (its file name …): not clustered.
    pub snapshot_writer_objects: u64,
}

/// What `--ignore` left out.
#[derive(Debug, Clone, Serialize)]
pub struct IgnoredReport {
    pub clusters: u64,
    pub findings: u64,
    pub classes: u64,
}

impl From<&crate::leaks::Ignored> for IgnoredReport {
    fn from(i: &crate::leaks::Ignored) -> IgnoredReport {
        IgnoredReport {
            clusters: i.clusters,
            findings: i.findings,
            classes: i.classes,
        }
    }
}

/// A cluster of new objects.
#[derive(Debug, Clone, Serialize)]
pub struct ClusterReport {
    pub rank: u64,
    pub kind: &'static str,
    pub label: String,
    pub class_name: String,
    pub count: u64,
    pub self_size: u64,
    pub retained_size: u64,
    pub attributed_count: u64,
    pub attributed_size: u64,
    pub site: Option<SiteReport>,
    pub captured: Vec<String>,
    pub properties: Vec<String>,
    pub example_ids: Vec<u32>,
    pub paths: Vec<PathReport>,
    pub paths_sampled: u64,
    /// The rank of the cluster whose members hold more than half of this one's retained
    /// bytes (its retained size includes this one's).
    pub inside_of: Option<u64>,
    /// Ranks of the clusters this one holds that way.
    pub contains: Vec<u64>,
    /// Where the members were allocated, when the snapshot has allocation stacks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocation: Option<AllocationReport>,
}

/// Where a cluster's function or constructor is defined (1-based line and column, like every
/// position in a report): the original source when a source map says where, with V8's place
/// in `generated`.
#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    pub function: String,
    pub script: String,
    pub line: u32,
    pub column: u32,
    pub created_by: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub generated: Option<crate::sources::Generated>,
    /// The npm package the code is in (`null`: the application's own).
    pub package: Option<String>,
}

impl From<&crate::leaks::clusters::Site> for SiteReport {
    fn from(s: &crate::leaks::clusters::Site) -> SiteReport {
        SiteReport {
            function: s.function.clone(),
            script: s.script.clone(),
            line: s.line + 1,
            column: s.column + 1,
            created_by: s.created_by.clone(),
            generated: s.generated.as_deref().map(|g| crate::sources::Generated {
                line: g.line + 1,
                column: g.column + 1,
                ..g.clone()
            }),
            package: s.package().map(str::to_string),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct PathReport {
    /// Every hop from a root (a long middle elided).
    pub path: String,
    /// Engine internals left out, from the nearest variable or global property.
    pub short: String,
    pub count: u64,
    /// Of `count`, members whose path ends at another member of the cluster (the root of a
    /// subtree of them, such as a detached DOM tree).
    pub below_member: u64,
    /// The retained bytes of the members those paths end at (the subtrees' roots).
    pub subtree_retained: u64,
    /// Held only through engine roots (stack, handles), not from a global object.
    pub system_only: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct LockstepReport {
    pub unit: u64,
    pub members: Vec<LockstepMember>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LockstepMember {
    pub class: String,
    pub count: u64,
    pub multiple: u64,
}

/// A row of DevTools' Comparison view.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonRow {
    pub key: String,
    pub name: String,
    pub added_count: u64,
    pub removed_count: u64,
    pub count_delta: i64,
    pub added_size: u64,
    pub removed_size: u64,
    pub size_delta: i64,
    pub embedder_churn: bool,
}

/// Off-heap memory and the process's, from `first` to `last`.
pub(crate) fn memory_split(
    first: &SnapshotFacts,
    last: &SnapshotFacts,
    findings: &[crate::leaks::findings::Finding],
) -> crate::leaks::memory::MemorySplit {
    let held = findings.iter().map(|f| f.off_heap_bytes).sum();
    crate::leaks::memory::MemorySplit::of(first, last, held)
}

impl From<&SnapshotFacts> for SnapshotInfo {
    fn from(s: &SnapshotFacts) -> SnapshotInfo {
        SnapshotInfo {
            file: s.file.clone(),
            file_size: s.file_size,
            node_count: s.node_count,
            total_size: s.total_size,
            max_js_object_id: s.max_js_object_id,
            off_heap: s.off_heap,
            process: s.process,
        }
    }
}

impl ClusterReport {
    fn new(rank: usize, c: &Cluster) -> ClusterReport {
        ClusterReport {
            rank: rank as u64,
            kind: c.kind.as_str(),
            label: c.label.clone(),
            class_name: c.class_name.clone(),
            count: c.members.len() as u64,
            self_size: c.self_size,
            retained_size: c.retained,
            attributed_count: c.attributed_count,
            attributed_size: c.attributed_size,
            site: c.site.as_ref().map(SiteReport::from),
            captured: c.captured.clone(),
            properties: c.properties.clone(),
            example_ids: c.example_ids.clone(),
            paths: c.paths.iter().map(PathReport::from).collect(),
            paths_sampled: c.paths_sampled,
            inside_of: None,
            contains: Vec::new(),
            allocation: c.stacks.as_ref().map(AllocationReport::from),
        }
    }
}

/// Clusters for the report, ranked, with which holds which as ranks.
fn cluster_reports(clusters: &[Cluster]) -> Vec<ClusterReport> {
    let rank_of: std::collections::HashMap<&str, u64> = clusters
        .iter()
        .enumerate()
        .map(|(i, c)| (c.key.as_str(), i as u64 + 1))
        .collect();
    let mut list: Vec<ClusterReport> = clusters
        .iter()
        .enumerate()
        .map(|(i, c)| ClusterReport::new(i + 1, c))
        .collect();
    for (i, c) in clusters.iter().enumerate() {
        if let Some(&outer) = c.inside_of.as_deref().and_then(|k| rank_of.get(k)) {
            list[i].inside_of = Some(outer);
            list[outer as usize - 1].contains.push(i as u64 + 1);
        }
    }
    list
}

impl From<&PathShape> for PathReport {
    fn from(p: &PathShape) -> PathReport {
        PathReport {
            path: p.path.clone(),
            short: p.short.clone(),
            count: p.count,
            below_member: p.below_member,
            subtree_retained: p.subtree_retained,
            system_only: p.system_only,
        }
    }
}

impl From<&BudgetResult> for BudgetReport {
    fn from(b: &BudgetResult) -> BudgetReport {
        BudgetReport {
            budget: b.budget.clone(),
            actual: b.actual,
            limit: b.limit,
            exceeded: b.exceeded,
            subject: b.subject.clone(),
            bytes: b.bytes,
        }
    }
}

impl From<&Lockstep> for LockstepReport {
    fn from(l: &Lockstep) -> LockstepReport {
        LockstepReport {
            unit: l.unit,
            members: l
                .members
                .iter()
                .map(|(class, count, multiple)| LockstepMember {
                    class: class.clone(),
                    count: *count,
                    multiple: *multiple,
                })
                .collect(),
        }
    }
}

impl From<&DiffRow> for ComparisonRow {
    fn from(r: &DiffRow) -> ComparisonRow {
        ComparisonRow {
            key: r.key.clone(),
            name: r.name.clone(),
            added_count: r.added_count,
            removed_count: r.removed_count,
            count_delta: r.count_delta(),
            added_size: r.added_size,
            removed_size: r.removed_size,
            size_delta: r.size_delta(),
            embedder_churn: r.is_embedder_churn(),
        }
    }
}

impl DiffReport {
    /// The report of a diff, as the engine computed it.
    pub fn new(d: &Diff) -> DiffReport {
        let comparison = d
            .comparison
            .as_ref()
            .map(|c| c.rows.iter().map(ComparisonRow::from).collect());
        let findings = findings_of(&d.findings);
        DiffReport {
            schema_version: SCHEMA_VERSION,
            command: "diff",
            // One timeline recording has no base to find holders in: no verdict.
            verdict: if d.window.is_some() {
                String::new()
            } else {
                findings::verdict_of(&findings)
            },
            base: (&d.base).into(),
            target: d.target.as_ref().map(SnapshotInfo::from),
            late: (&d.late).into(),
            growth: d.growth,
            between: BetweenInfo {
                min_id: d.between.min_id,
                max_id: d.between.max_id,
                count: d.between.count,
                self_size: d.between.self_size,
                retained_size: d.between.retained_size,
                class_count: d.between.class_count,
                snapshot_writer_objects: d.between.snapshot_writer_objects,
            },
            warnings: d.warnings.clone(),
            findings,
            clusters: cluster_reports(&d.clusters),
            lockstep: d.lockstep.iter().map(LockstepReport::from).collect(),
            classes: d.classes.iter().map(ClassReport::from).collect(),
            comparison,
            hidden_churn_rows: d.comparison.as_ref().map_or(0, |c| c.hidden_churn_rows),
            budgets: d.budgets.iter().map(BudgetReport::from).collect(),
            ignored: IgnoredReport::from(&d.ignored),
            packages: d.packages.clone(),
            allocation_sites: d
                .allocation_sites
                .as_ref()
                .map(|s| s.sites.iter().map(AllocationSiteReport::from).collect()),
            untraced_count: d.allocation_sites.as_ref().map(|s| s.untraced),
            window: d.window.clone(),
            redacted: false,
            source_notes: Vec::new(),
            memory: memory_split(&d.base, &d.late, &d.findings),
            notes: [&d.base, &d.late]
                .iter()
                .filter_map(|s| s.process_note.clone())
                .collect(),
        }
    }

    /// The snapshots with their roles (`base`, `target` when there are three, `late`; one
    /// `recording` for a timeline window).
    pub fn snapshots(&self) -> Vec<(&'static str, &SnapshotInfo)> {
        if self.window.is_some() {
            return vec![("recording", &self.late)];
        }
        let mut list = vec![("base", &self.base)];
        if let Some(t) = &self.target {
            list.push(("target", t));
        }
        list.push(("late", &self.late));
        list
    }

    /// Whether any budget was exceeded.
    pub fn over_budget(&self) -> bool {
        self.budgets.iter().any(|b| b.exceeded)
    }
}
