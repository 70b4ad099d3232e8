//! The report model: plain serializable structs built from analysis results, rendered by
//! [`table`] for people and [`json`] for scripts. Renderers see only these structs.

pub mod budget;
pub mod json;
pub mod markdown;
pub mod table;

use serde::Serialize;

use crate::analysis::Analysis;
use crate::analysis::clusters::{self, Cluster};
use crate::analysis::diff::{self, Baseline, DiffRow};
use crate::analysis::distances::{NO_DISTANCE, SYSTEM_DISTANCE};
use crate::analysis::lockstep::{self, Lockstep};
use crate::analysis::series::{self, Observation, Trend};
use crate::analysis::summary::{ClassRow, Statistics};
use crate::graph::HeapGraph;
use budget::{Budget, BudgetResult};

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
        let (rows, statistics) = rayon::join(|| a.summary(), || a.statistics());
        SummaryReport {
            schema_version: SCHEMA_VERSION,
            command: "summary",
            file: file.to_string(),
            node_count: a.graph.node_count() as u64,
            edge_count: a.graph.edge_count() as u64,
            total_size: a.total_size(),
            max_js_object_id: a.graph.max_js_object_id(),
            statistics: statistics.into(),
            problems: a.problems.clone(),
            class_count: rows.len() as u64,
            total_count: rows.iter().map(|r| r.count).sum(),
            total_self_size: rows.iter().map(|r| r.self_size).sum(),
            classes: rows.iter().map(ClassReport::from).collect(),
        }
    }
}

/// How clusters and classes are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    #[default]
    Retained,
    SelfSize,
    Count,
}

/// What goes into a diff report.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Budgets to check; an exceeded one is reported and makes heapdiff exit with 1.
    pub budgets: Vec<Budget>,
    pub sort: SortKey,
    /// Include DevTools' Comparison view (the base must be [`Baseline::Analysed`]).
    pub compare: bool,
    /// Keep Comparison rows that are only embedder-object churn.
    pub show_churn: bool,
}

/// `heapdiff BASE LATE`: what was allocated between two snapshots of one process and is still
/// alive in the later one, grouped by class (DevTools' "Objects allocated between" view) and
/// into clusters that point at a cause.
///
/// Wire format (`--json`), all sizes in bytes:
/// ```json
/// {"schema_version": 1, "command": "diff",
///  "base": {"file": "base.heapsnapshot", "node_count": 46479, "total_size": 4123456,
///           "max_js_object_id": 78647},
///  "late": {…same fields…},
///  "growth": 2345678,
///  "between": {"min_id": 78647, "max_id": 108749, "count": 15000, "self_size": 760000,
///              "retained_size": 1400000, "class_count": 12},
///  "warnings": [],
///  "clusters": [{"rank": 1, "kind": "closures", "label": "validate* @ <eval>:1:20, created by compile (app.js)",
///                "class_name": "Function", "count": 5000, "self_size": 320000,
///                "retained_size": 760000, "attributed_count": 5000, "attributed_size": 200000,
///                "site": {"function": "validate*", "script": "<eval>", "line": 0, "column": 19,
///                         "created_by": "compile (app.js)"},
///                "captured": ["schema"], "properties": [], "example_ids": [78651, …],
///                "paths": [{"path": "global .cache → Map {table} → (array) [] → Function", "count": 200}],
///                "paths_sampled": 200}, …],
///  "lockstep": [{"unit": 5000, "members": [{"class": "Function", "count": 5000, "multiple": 1}, …]}],
///  "classes": [{"key": ",Function", "name": "Function", "count": 5000, "self_size": 320000,
///               "retained_size": 760000, "distance": 100000005}, …],
///  "comparison": null}
/// ```
/// `clusters` (groups of at least two new objects; `kind` is `closures`, `objects`, `strings` or
/// `detached-dom`) and `classes` are sorted by the `--sort` key, largest first. `site.line` and
/// `site.column` are 0-based as in the snapshot; `label` shows them 1-based. `comparison` is
/// present with `--compare`: DevTools' Comparison rows (`key`, `name`, `added_count`,
/// `removed_count`, `count_delta`, `added_size`, `removed_size`, `size_delta`,
/// `embedder_churn`), by added size.
#[derive(Debug, Clone, Serialize)]
pub struct DiffReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub base: SnapshotInfo,
    /// With three snapshots: the one that bounds the new objects; they are looked up in `late`.
    pub target: Option<SnapshotInfo>,
    pub late: SnapshotInfo,
    /// Late total minus base total.
    pub growth: i64,
    pub between: BetweenInfo,
    pub warnings: Vec<String>,
    pub clusters: Vec<ClusterReport>,
    pub lockstep: Vec<LockstepReport>,
    pub classes: Vec<ClassReport>,
    pub comparison: Option<Vec<ComparisonRow>>,
    /// Comparison rows left out as embedder churn (without `--show-churn`).
    pub hidden_churn_rows: u64,
    /// The budgets checked, in the order given.
    pub budgets: Vec<BudgetResult>,
}

/// One snapshot of a pair.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotInfo {
    pub file: String,
    pub node_count: u64,
    pub total_size: u64,
    pub max_js_object_id: u32,
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
}

#[derive(Debug, Clone, Serialize)]
pub struct SiteReport {
    pub function: String,
    pub script: String,
    pub line: u32,
    pub column: u32,
    pub created_by: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PathReport {
    pub path: String,
    pub count: u64,
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

/// How many example ids a cluster lists.
const EXAMPLE_IDS: usize = 5;

impl SnapshotInfo {
    /// The facts of one snapshot. The total needs no analysis: every node hangs somewhere in
    /// the dominator tree, so the root retains the sum of all self sizes.
    pub fn new(file: &str, g: &HeapGraph) -> SnapshotInfo {
        SnapshotInfo {
            file: file.to_string(),
            node_count: g.node_count() as u64,
            total_size: g
                .self_size
                .iter()
                .map(|&s| s as u64)
                .sum::<u64>()
                .saturating_add(g.extra_native_bytes),
            max_js_object_id: g.max_js_object_id(),
        }
    }
}

impl ClusterReport {
    fn new(rank: usize, c: &Cluster, a: &Analysis) -> ClusterReport {
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
            site: c.site.as_ref().map(|s| SiteReport {
                function: s.function.clone(),
                script: s.script.clone(),
                line: s.line,
                column: s.column,
                created_by: s.created_by.clone(),
            }),
            captured: c.captured.clone(),
            properties: c.properties.clone(),
            example_ids: c
                .members
                .iter()
                .take(EXAMPLE_IDS)
                .map(|&v| a.graph.node_id[v as usize])
                .collect(),
            paths: c
                .paths
                .iter()
                .map(|p| PathReport {
                    path: p.path.clone(),
                    count: p.count,
                })
                .collect(),
            paths_sampled: c.paths_sampled,
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

/// Orders by the sort key, largest first (stable, so ties keep the retained order).
fn sort_by_key<T>(items: &mut [T], key: SortKey, fields: impl Fn(&T) -> (u64, u64, u64)) {
    match key {
        SortKey::Retained => items.sort_by_key(|x| std::cmp::Reverse(fields(x).0)),
        SortKey::SelfSize => items.sort_by_key(|x| std::cmp::Reverse(fields(x).1)),
        SortKey::Count => items.sort_by_key(|x| std::cmp::Reverse(fields(x).2)),
    }
}

impl DiffReport {
    /// The report on `late` against `base`. With `target` (three snapshots), the new objects are
    /// those allocated between `base` and `target` and still alive in `late`.
    pub fn new(
        base_file: &str,
        base: &Baseline,
        target: Option<SnapshotInfo>,
        late_file: &str,
        late: &Analysis,
        options: &DiffOptions,
    ) -> DiffReport {
        let min_id = base.graph().max_js_object_id();
        let max_id = target
            .as_ref()
            .map_or_else(|| late.graph.max_js_object_id(), |t| t.max_js_object_id);
        let between = diff::between_ids(late, min_id, max_id);
        let nodes = &between.nodes;
        let mut clusters = clusters::clusters(late, nodes);
        sort_by_key(&mut clusters, options.sort, |c| {
            (c.retained, c.self_size, c.members.len() as u64)
        });
        let class_counts: Vec<(String, u64)> = between
            .rows
            .iter()
            .map(|r| (r.name.clone(), r.count))
            .collect();
        let mut classes: Vec<ClassReport> = between.rows.iter().map(ClassReport::from).collect();
        sort_by_key(&mut classes, options.sort, |c| {
            (c.retained_size, c.self_size, c.count)
        });
        let (comparison, hidden_churn_rows) =
            if let (true, Some(base)) = (options.compare, base.analysis()) {
                let rows = diff::compare(base, late);
                let total = rows.len();
                let kept: Vec<ComparisonRow> = rows
                    .iter()
                    .filter(|r| options.show_churn || !r.is_embedder_churn())
                    .map(ComparisonRow::from)
                    .collect();
                let hidden = (total - kept.len()) as u64;
                (Some(kept), hidden)
            } else {
                (None, 0)
            };
        let mut warnings = diff::sanity_warnings(base.graph(), &late.graph);
        if let Some(t) = &target {
            if t.max_js_object_id <= min_id {
                warnings.push(format!(
                    "the target snapshot's newest object id ({}) is not above the base's \
                     ({min_id}): are the files in the wrong order?",
                    t.max_js_object_id
                ));
            }
            if late.graph.max_js_object_id() < t.max_js_object_id {
                warnings.push(format!(
                    "the final snapshot's newest object id ({}) is below the target's ({}): \
                     are the files in the wrong order?",
                    late.graph.max_js_object_id(),
                    t.max_js_object_id
                ));
            }
        }
        let base_info = SnapshotInfo::new(base_file, base.graph());
        let late_info = SnapshotInfo::new(late_file, &late.graph);
        let mut report = DiffReport {
            schema_version: SCHEMA_VERSION,
            command: "diff",
            growth: late_info.total_size as i64 - base_info.total_size as i64,
            base: base_info,
            target,
            late: late_info,
            between: BetweenInfo {
                min_id: between.min_id,
                max_id: between.max_id,
                count: nodes.len() as u64,
                self_size: between.rows.iter().map(|r| r.self_size).sum(),
                retained_size: clusters::set_retained(late, nodes),
                class_count: between.rows.len() as u64,
            },
            warnings,
            clusters: clusters
                .iter()
                .enumerate()
                .map(|(i, c)| ClusterReport::new(i + 1, c, late))
                .collect(),
            lockstep: lockstep::lockstep(&class_counts)
                .iter()
                .map(LockstepReport::from)
                .collect(),
            classes,
            comparison,
            hidden_churn_rows,
            budgets: Vec::new(),
        };
        report.budgets = options.budgets.iter().map(|b| b.check(&report)).collect();
        report
    }

    /// The snapshots with their roles (`base`, `target` when there are three, `late`).
    pub fn snapshots(&self) -> Vec<(&'static str, &SnapshotInfo)> {
        let mut list = vec![("base", &self.base)];
        if let Some(t) = &self.target {
            list.push(("target", t));
        }
        list.push(("late", &self.late));
        list
    }

    /// The first `n` clusters that have retainer paths, for the renderers' path sections.
    pub fn top_clusters_with_paths(&self, n: usize) -> Vec<&ClusterReport> {
        self.clusters
            .iter()
            .filter(|c| !c.paths.is_empty())
            .take(n)
            .collect()
    }

    /// Whether any budget was exceeded.
    pub fn over_budget(&self) -> bool {
        self.budgets.iter().any(|b| b.exceeded)
    }
}

/// `heapdiff S1 S2 … SN`: how every class and cluster changes across a series of snapshots of
/// one process.
///
/// Wire format (`--json`):
/// ```json
/// {"schema_version": 1, "command": "series",
///  "snapshots": [{"file": "s1.heapsnapshot", "node_count": …, "total_size": …,
///                 "max_js_object_id": …}, …],
///  "warnings": [],
///  "classes": [{"key": ",Function", "name": "Function", "counts": [900, 1400, 1900],
///               "self_sizes": […], "retained_sizes": […], "growing": true,
///               "count_slope": 500.0, "retained_slope": 36000.0}, …],
///  "clusters": [{"key": "closures:validate* @ <eval>:3:17", "name": "validate* @ <eval>:3:17", …}]}
/// ```
/// `classes` are DevTools' Summary rows of each snapshot (all objects); `clusters` group the
/// objects allocated since the first snapshot (so the first snapshot's cluster counts are 0).
/// `growing` means the count rose at every step; growing groups come first, then by
/// `retained_slope` (bytes per snapshot).
#[derive(Debug, Clone, Serialize)]
pub struct SeriesReport {
    pub schema_version: u32,
    pub command: &'static str,
    pub snapshots: Vec<SnapshotInfo>,
    pub warnings: Vec<String>,
    pub classes: Vec<TrendReport>,
    pub clusters: Vec<TrendReport>,
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
        }
    }
}

impl SeriesReport {
    /// Builds the report from what each snapshot contributed (see
    /// [`crate::analysis::series::observe`]), in series order.
    pub fn new(
        snapshots: Vec<SnapshotInfo>,
        classes: &[Vec<Observation>],
        clusters: &[Vec<Observation>],
    ) -> SeriesReport {
        let mut warnings = Vec::new();
        for w in snapshots.windows(2) {
            if w[1].max_js_object_id < w[0].max_js_object_id {
                warnings.push(format!(
                    "{} has older objects than {} (newest id {} < {}): are the snapshots in order?",
                    w[1].file, w[0].file, w[1].max_js_object_id, w[0].max_js_object_id
                ));
            }
        }
        SeriesReport {
            schema_version: SCHEMA_VERSION,
            command: "series",
            snapshots,
            warnings,
            classes: series::trends(classes)
                .iter()
                .map(TrendReport::from)
                .collect(),
            clusters: series::trends(clusters)
                .iter()
                .map(TrendReport::from)
                .collect(),
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

/// `+1.2 MB` / `−300 kB` for a signed byte count.
pub fn signed_bytes(delta: i64) -> String {
    let sign = if delta < 0 { "\u{2212}" } else { "+" };
    format!("{sign}{}", human_bytes(delta.unsigned_abs()))
}

/// `+2,663` / `−12`.
pub fn signed_count(delta: i64) -> String {
    let sign = if delta < 0 { "\u{2212}" } else { "+" };
    format!("{sign}{}", thousands(delta.unsigned_abs()))
}

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
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
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(signed_count(-12), "\u{2212}12");
        assert_eq!(signed_bytes(2_500), "+2.5 kB");
    }
}
