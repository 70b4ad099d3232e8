//! Trends over a series of snapshots: per class (or cluster), its count and sizes in each
//! snapshot, and whether it grows at every step. A cache that fills once and then stays full
//! grows in one step only, so it is not flagged; a leak grows at every step. Numbers only.

use std::collections::HashMap;

use super::clusters::{PathShape, Site, UNKNOWN_SCRIPT};
use super::findings::{self, Finding};
use super::growth::Trace;
use super::{Ignore, Ignored, MAX_FINDINGS, SnapshotFacts};
use crate::analysis::Analysis;

/// A group's numbers in one snapshot.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Point {
    pub count: u64,
    pub self_size: u64,
    pub retained: u64,
}

/// One group's numbers across the series.
#[derive(Debug, Clone, PartialEq)]
pub struct Trend {
    pub key: String,
    pub name: String,
    /// One point per snapshot (zero where the group is absent).
    pub points: Vec<Point>,
    /// The count rose at every step (and there are at least two steps).
    pub growing: bool,
    /// Average change per step, first to last.
    pub count_slope: f64,
    pub retained_slope: f64,
    /// For a cluster: retainer path shapes of its members new since the first snapshot (in
    /// the last one), and how many were sampled.
    pub paths: Vec<PathShape>,
    pub paths_sampled: u64,
    /// For a cluster: its kind and site, as the last snapshot that has it says.
    pub site: Option<(&'static str, Site)>,
}

/// A group as seen in one snapshot: key, display name, numbers.
pub type Observation = (String, String, Point);

/// Joins per-snapshot observations by key. Growing groups come first, then by retained-size
/// slope (descending), then key.
pub fn trends(snapshots: &[Vec<Observation>]) -> Vec<Trend> {
    let n = snapshots.len();
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<Trend> = Vec::new();
    for (i, observations) in snapshots.iter().enumerate() {
        for (key, name, point) in observations {
            let slot = *index.entry(key.as_str()).or_insert_with(|| {
                out.push(Trend {
                    key: key.clone(),
                    name: name.clone(),
                    points: vec![Point::default(); n],
                    growing: false,
                    count_slope: 0.0,
                    retained_slope: 0.0,
                    paths: Vec::new(),
                    paths_sampled: 0,
                    site: None,
                });
                out.len() - 1
            });
            let p = &mut out[slot].points[i];
            p.count += point.count;
            p.self_size += point.self_size;
            p.retained += point.retained;
        }
    }
    let steps = n.saturating_sub(1) as f64;
    for t in &mut out {
        t.growing = n >= 3 && t.points.windows(2).all(|w| w[1].count > w[0].count);
        if let (Some(first), Some(last)) = (t.points.first(), t.points.last())
            && steps > 0.0
        {
            t.count_slope = (last.count as f64 - first.count as f64) / steps;
            t.retained_slope = (last.retained as f64 - first.retained as f64) / steps;
        }
    }
    out.sort_by(|x, y| {
        y.growing
            .cmp(&x.growing)
            .then(y.retained_slope.total_cmp(&x.retained_slope))
            .then_with(|| x.key.cmp(&y.key))
    });
    out
}

/// A site in a script that has a name: a builtin's (no script) or an unnamed script's says
/// nothing a series row does not.
fn has_place(site: &Site) -> bool {
    !matches!(
        site.script.as_str(),
        "" | UNKNOWN_SCRIPT | "system / Script"
    ) && (site.script != "<eval>" || site.created_by.is_some())
}

/// What a series keeps of a cluster of one snapshot besides its numbers.
struct ClusterFacts {
    key: String,
    /// The class of its objects (for `--ignore CLASS`).
    class: String,
    site: Option<(&'static str, Site)>,
}

/// What one snapshot of a series contributes: every class of the Summary view, and the
/// clusters of all its objects by heapdiff's own keys (their live populations), with the
/// class of each cluster's objects by cluster key.
fn observe(a: &Analysis) -> (Vec<Observation>, Vec<Observation>, Vec<ClusterFacts>) {
    let classes = a
        .summary()
        .into_iter()
        .map(|r| {
            (
                r.key,
                r.name,
                Point {
                    count: r.count,
                    self_size: r.self_size,
                    retained: r.retained,
                },
            )
        })
        .collect();
    // Live populations: every object of the snapshot, grouped by heapdiff's own keys, so that
    // a full cache that turns over stays flat and old members of a leak count too.
    let all: Vec<u32> = (0..a.graph.node_count() as u32)
        .filter(|&v| a.self_size[v as usize] != 0)
        .collect();
    let clusters = super::clusters::clusters_with(a, &all, false);
    let class_names = clusters
        .iter()
        .map(|c| ClusterFacts {
            key: c.key.clone(),
            class: c.class_name.clone(),
            site: c
                .site
                .clone()
                .filter(has_place)
                .map(|s| (c.kind.as_str(), s)),
        })
        .collect();
    let clusters = clusters
        .into_iter()
        .map(|c| {
            (
                c.key,
                c.label,
                Point {
                    count: c.members.len() as u64,
                    self_size: c.self_size,
                    retained: c.retained,
                },
            )
        })
        .collect();
    (classes, clusters, class_names)
}

/// What a series of snapshots says: each snapshot's facts, warnings about their order, and
/// the trend of every class and cluster.
#[derive(Debug, Clone)]
pub struct Series {
    pub snapshots: Vec<SnapshotFacts>,
    pub warnings: Vec<String>,
    /// What most likely leaks: holders that grew at every step first.
    pub findings: Vec<Finding>,
    /// The budgets checked, in the order given.
    pub budgets: Vec<super::budget::BudgetResult>,
    pub classes: Vec<Trend>,
    pub clusters: Vec<Trend>,
    /// What `--ignore` left out of findings, classes and clusters.
    pub ignored: Ignored,
    /// Memory by npm package per snapshot (`--group-by package`).
    pub packages: Option<Vec<super::packages::PackageTrend>>,
}

/// Collects a series one snapshot at a time, so that only one analysis is in memory at once.
#[derive(Debug, Default)]
pub struct SeriesBuilder {
    /// The first snapshot's layout and a sample of its objects, to check the others against.
    process: Option<super::sanity::ProcessSample>,
    /// Warnings found while observing (other processes, other V8 versions).
    warnings: Vec<String>,
    /// Per cluster key of the last snapshot: the finding that holds most of its new members.
    finding_of_cluster: HashMap<String, usize>,
    /// Per cluster key of the last snapshot: the retainer paths of its new members.
    paths_of_cluster: HashMap<String, (Vec<PathShape>, u64)>,
    /// Per cluster key of any snapshot: the class of its objects (for `--ignore CLASS`).
    class_of_cluster: HashMap<String, String>,
    /// Per cluster key: its kind and site, in the last snapshot that has it.
    site_of_cluster: HashMap<String, (&'static str, Site)>,
    snapshots: Vec<SnapshotFacts>,
    traces: Vec<Trace>,
    findings: Vec<Finding>,
    classes: Vec<Vec<Observation>>,
    clusters: Vec<Vec<Observation>>,
    /// Gather each snapshot's memory by npm package (`--group-by package`).
    by_package: bool,
    packages: Vec<rustc_hash::FxHashMap<String, super::packages::Share>>,
    /// By package: what the growing findings its objects hold gained (the last snapshot's).
    held: rustc_hash::FxHashMap<String, u64>,
}

impl SeriesBuilder {
    /// A builder that also gathers memory by npm package when `by_package` is set.
    pub fn new(by_package: bool) -> SeriesBuilder {
        SeriesBuilder {
            by_package,
            ..SeriesBuilder::default()
        }
    }

    /// Adds the next snapshot of the series; `last` says it is the last one, whose objects the
    /// findings are about.
    pub fn observe(&mut self, file: &str, a: &Analysis, last: bool) {
        let since = self.snapshots.first().map(|s| s.max_js_object_id);
        match &self.process {
            None => self.process = Some(super::sanity::ProcessSample::of(&a.graph)),
            Some(first) => self.warnings.extend(first.warnings(file, &a.graph)),
        }
        // The populations of every object beside what the step needs of the new ones: the
        // trace of holders (before the last snapshot), or the findings and the new objects'
        // clusters (at the last), each of those two on a core of its own.
        let max_ids: Vec<u32> = self.snapshots.iter().map(|s| s.max_js_object_id).collect();
        let traces = &self.traces;
        let ((classes, clusters, class_names), step) = rayon::join(
            || observe(a),
            || {
                if !last {
                    let up_to = since.unwrap_or_else(|| a.graph.max_js_object_id());
                    Step::Trace(Trace::of(a, up_to))
                } else if max_ids.is_empty() {
                    Step::Nothing
                } else {
                    let (found, new_clusters) = rayon::join(
                        || findings::of_series(a, traces, &max_ids, MAX_FINDINGS),
                        || new_clusters(a, max_ids[0]),
                    );
                    Step::Last(found, new_clusters)
                }
            },
        );
        match step {
            Step::Trace(trace) => self.traces.push(trace),
            Step::Last((found, holder_of), new_clusters) => {
                self.finding_of_cluster = cluster_findings(&new_clusters, &found, &holder_of);
                self.paths_of_cluster = new_clusters
                    .into_iter()
                    .map(|c| (c.key, (c.paths, c.paths_sampled)))
                    .collect();
                self.findings = found;
            }
            Step::Nothing => {}
        }
        for facts in class_names {
            if let Some(site) = facts.site {
                self.site_of_cluster.insert(facts.key.clone(), site);
            }
            self.class_of_cluster
                .entry(facts.key)
                .or_insert(facts.class);
        }
        if self.by_package {
            let owners = super::packages::owners(a);
            self.packages.push(super::packages::shares(a, &owners));
            if last {
                self.held = super::packages::held(&owners, &self.findings);
            }
        }
        self.snapshots.push(SnapshotFacts::of(file, &a.graph));
        self.classes.push(classes);
        self.clusters.push(clusters);
    }

    /// The series, without what `options.ignore` matches, its findings marked against the
    /// known leaks, with the budgets checked on the rest; fails when a budget names nothing
    /// here.
    pub fn finish(
        mut self,
        options: &super::DiffOptions,
    ) -> Result<Series, super::budget::BudgetError> {
        let ignore = &Ignore::new(&options.ignore);
        let mut warnings = std::mem::take(&mut self.warnings);
        for w in self.snapshots.windows(2) {
            if w[1].max_js_object_id < w[0].max_js_object_id {
                warnings.push(format!(
                    "{} has older objects than {} (newest id {} < {}): are the snapshots in order?",
                    w[1].file, w[0].file, w[1].max_js_object_id, w[0].max_js_object_id
                ));
            }
        }
        let mut clusters = trends(&self.clusters);
        // Growing clusters that a finding holds come first, in the findings' order.
        let finding = |t: &Trend| {
            if t.growing {
                self.finding_of_cluster
                    .get(&t.key)
                    .copied()
                    .unwrap_or(usize::MAX)
            } else {
                usize::MAX
            }
        };
        clusters.sort_by_key(|t| (!t.growing, finding(t)));
        for t in &mut clusters {
            if let Some((paths, sampled)) = self.paths_of_cluster.remove(&t.key) {
                t.paths = paths;
                t.paths_sampled = sampled;
            }
            t.site = self.site_of_cluster.remove(&t.key);
        }
        let mut series = Series {
            budgets: Vec::new(),
            warnings,
            findings: self.findings,
            classes: trends(&self.classes),
            clusters,
            snapshots: self.snapshots,
            ignored: Ignored::default(),
            packages: self
                .by_package
                .then(|| super::packages::trends(&self.packages, &self.held)),
        };
        findings::settle_by_classes(&mut series.findings, |name| {
            series.classes.iter().any(|t| t.growing && t.name == name)
        });
        // A budget may name an ignored class (it then counts nothing), so the names are
        // taken before anything is left out.
        let known = super::budget::KnownClasses::of_series(&series);
        series.ignored = ignore_in_series(ignore, &mut series, &self.class_of_cluster);
        let baseline = options
            .known
            .as_ref()
            .map(|k| super::known::mark(&mut series.findings, k));
        series.budgets =
            super::budget::check_all(&options.budgets, |b| b.check_series(&series, &known))?;
        series.budgets.extend(baseline);
        Ok(series)
    }
}

/// Drops what `ignore` matches from a series' findings, classes and clusters (a cluster by
/// the class of its objects, text in its label or an edge of its paths, as for a pair) and
/// counts it.
fn ignore_in_series(
    ignore: &Ignore,
    s: &mut Series,
    class_of_cluster: &HashMap<String, String>,
) -> Ignored {
    if ignore.is_empty() {
        return Ignored::default();
    }
    let before = (s.clusters.len(), s.findings.len(), s.classes.len());
    s.findings.retain(|f| !ignore.finding(f));
    s.classes.retain(|t| !ignore.class(&t.name));
    s.clusters.retain(|t| {
        let class = class_of_cluster.get(&t.key).map(String::as_str);
        !ignore.group(class, &t.name, t.paths.iter().map(|p| p.path.as_str()))
    });
    Ignored {
        clusters: (before.0 - s.clusters.len()) as u64,
        findings: (before.1 - s.findings.len()) as u64,
        classes: (before.2 - s.classes.len()) as u64,
    }
}

/// The clusters of the objects of `a` new since the first snapshot (ids above
/// `first_max_id`), with their retainer paths.
/// What one snapshot of a series adds besides its populations.
enum Step {
    /// Before the last snapshot: the holders' sizes and entries, by object id.
    Trace(Trace),
    /// At the last: the findings with each node's holder, and the new objects' clusters.
    Last((Vec<Finding>, Vec<u32>), Vec<super::clusters::Cluster>),
    /// A series of one snapshot.
    Nothing,
}

fn new_clusters(a: &Analysis, first_max_id: u32) -> Vec<super::clusters::Cluster> {
    let ids = &a.graph.node_id;
    let new: Vec<u32> = (0..a.graph.node_count() as u32)
        .filter(|&v| a.self_size[v as usize] != 0 && ids[v as usize] > first_max_id)
        .collect();
    super::clusters::clusters_with(a, &new, true)
}

/// For those clusters: which finding holds most of their members, by cluster key.
fn cluster_findings(
    clusters: &[super::clusters::Cluster],
    found: &[Finding],
    holder_of: &[u32],
) -> HashMap<String, usize> {
    if found.is_empty() {
        return HashMap::new();
    }
    let of = findings::finding_of_groups(
        found,
        holder_of,
        clusters.iter().map(|c| c.members.as_slice()),
    );
    clusters
        .iter()
        .zip(of)
        .filter(|&(_, f)| f != usize::MAX)
        .map(|(c, f)| (c.key.clone(), f))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obs(key: &str, count: u64) -> Observation {
        (
            key.to_string(),
            key.to_string(),
            Point {
                count,
                self_size: count * 10,
                retained: count * 20,
            },
        )
    }

    #[test]
    fn a_leak_grows_at_every_step_a_cache_does_not() {
        let series = vec![
            vec![obs("leak", 10), obs("cache", 0)],
            vec![obs("leak", 20), obs("cache", 50)],
            vec![obs("leak", 30), obs("cache", 50)],
            vec![obs("leak", 40), obs("cache", 50)],
        ];
        let t = trends(&series);
        assert_eq!(t[0].key, "leak");
        assert!(t[0].growing);
        assert_eq!(t[0].count_slope, 10.0);
        assert_eq!(t[0].retained_slope, 200.0);
        let cache = t.iter().find(|x| x.key == "cache").unwrap();
        assert!(!cache.growing);
        // A group missing from a snapshot counts zero there.
        let t = trends(&[vec![obs("a", 1)], vec![], vec![obs("a", 3)]]);
        assert_eq!(t[0].points[1], Point::default());
        assert!(!t[0].growing);
    }
}
