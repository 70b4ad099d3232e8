//! The leak engine: what two or more analysed snapshots of one process say about a leak.
//! It takes [`Analysis`] results and returns typed results ([`Diff`], [`series::Series`]);
//! it never formats text or chooses files.
//!
//! - [`between`]: DevTools' "allocated between" set; [`comparison`]: its Comparison view;
//! - [`clusters`]: groups of new objects pointing at one cause; [`lockstep`]: classes grown
//!   together; [`series`]: trends across many snapshots;
//! - [`sanity`]: whether snapshots can be compared; [`budget`]: CI conditions on a diff.

pub mod allocation_sites;
pub mod between;
pub mod budget;
pub mod clusters;
pub mod comparison;
pub mod findings;
pub mod growth;
pub mod known;
pub mod lockstep;
pub mod memory;
pub mod packages;
pub mod sanity;
pub mod series;
pub mod window;

use crate::analysis::Analysis;
use crate::analysis::off_heap::OffHeap;
use crate::analysis::summary::ClassRow;
use crate::graph::HeapGraph;
use crate::read::memory::ProcessMemory;
use between::Baseline;
use budget::{Budget, BudgetError, BudgetResult, KnownClasses};
use clusters::Cluster;
use comparison::DiffRow;
use findings::Finding;
use lockstep::Lockstep;

/// Most findings a report keeps.
pub const MAX_FINDINGS: usize = 50;

/// How clusters and classes are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Clusters of the first finding first, then of the next …, each by retained size; then
    /// the clusters no finding holds. Classes by retained size.
    #[default]
    Leak,
    Retained,
    SelfSize,
    Count,
}

/// What a diff computes.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// Budgets to check; an exceeded one makes heapdiff exit with 1.
    pub budgets: Vec<Budget>,
    pub sort: SortKey,
    /// Include DevTools' Comparison view (the base must be [`Baseline::Analysed`]).
    pub compare: bool,
    /// Keep Comparison rows that are only embedder-object churn.
    pub show_churn: bool,
    /// Leave out clusters, findings and class rows these patterns match (see [`Ignore`]).
    pub ignore: Vec<String>,
    /// Group the new objects by allocation site too (`--group-by stack`).
    pub by_stack: bool,
    /// Memory by npm package (`--group-by package`; a pair's base is then analysed too).
    pub by_package: bool,
    /// Known leaks (`--baseline`): findings are marked against them, and the check fails on
    /// a suspected finding that is new or grew past the recorded factor.
    pub known: Option<known::KnownLeaks>,
}

/// Where a diff's new objects begin: after a base snapshot, or (one timeline recording) in an
/// id window of the late snapshot itself.
pub enum Start<'a> {
    Snapshot(&'a str, &'a Baseline),
    /// Ids `(min, max]` of a time window (see [`window::TimeWindow`]), and its label.
    Window {
        min_id: u32,
        max_id: u32,
        label: String,
    },
}

/// The work of a diff that needs no dominator tree (the new objects and their cluster keys),
/// done beside the late snapshot's analysis by [`prepare`].
pub struct Prepared {
    min_id: u32,
    max_id: u32,
    nodes: Vec<u32>,
    keyed: clusters::Keyed,
}

/// Keys the objects of `late` with ids in `(min_id, max_id]`, as [`diff`] would, from its
/// early analysis (see [`crate::analysis::Analysis::run_beside`]).
pub fn prepare(late: &crate::analysis::Early<'_>, min_id: u32, max_id: u32) -> Prepared {
    let nodes = between::new_nodes(late.graph, late.self_size, min_id, max_id);
    let keyed = clusters::key_nodes(late, &nodes);
    // The keys found the closures' scripts: their source maps are read now, off the report.
    let mut sites = clusters::SiteResolver::new(late.graph, late.retainers);
    for &script in &keyed.scripts {
        sites.read_map_of_script(script);
    }
    Prepared {
        min_id,
        max_id,
        keyed,
        nodes,
    }
}

/// `--ignore PATTERN`: a class (its exact name), a cluster (its class, or text in its label),
/// or a retainer edge (`cache` matches `.cache`, `->cache`, `{cache}` in a path).
#[derive(Debug, Clone, Default)]
pub struct Ignore {
    patterns: Vec<String>,
}

impl Ignore {
    pub fn new(patterns: &[String]) -> Ignore {
        Ignore {
            patterns: patterns.to_vec(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    pub fn class(&self, name: &str) -> bool {
        self.patterns.iter().any(|p| p == name)
    }

    /// Whether a path's hops include the edge `pattern` (a property, variable or internal
    /// field of that name; node names do not count).
    pub fn path(&self, path: &str) -> bool {
        self.patterns.iter().any(|p| {
            path.split(' ').any(|token| {
                token.strip_prefix('.') == Some(p)
                    || token.strip_prefix("->") == Some(p)
                    || token.strip_prefix('{').and_then(|t| t.strip_suffix('}')) == Some(p)
                    || token
                        .strip_prefix("[\"")
                        .and_then(|t| t.strip_suffix("\"]"))
                        == Some(p)
            })
        })
    }

    pub fn cluster(&self, c: &Cluster) -> bool {
        self.group(
            Some(&c.class_name),
            &c.label,
            c.paths.iter().map(|s| s.path.as_str()),
        )
    }

    /// A group of objects (a pair's cluster, a series' cluster trend): the class of its
    /// objects, text in its label, or an edge on one of its retainer paths.
    pub fn group<'p>(
        &self,
        class_name: Option<&str>,
        label: &str,
        mut paths: impl Iterator<Item = &'p str>,
    ) -> bool {
        class_name.is_some_and(|c| self.class(c))
            || self.patterns.iter().any(|p| label.contains(p.as_str()))
            || paths.any(|path| self.path(path))
    }

    pub fn finding(&self, f: &Finding) -> bool {
        self.class(&f.class_name) || self.path(&f.path)
    }
}

/// How many rows `--ignore` left out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ignored {
    pub clusters: u64,
    pub findings: u64,
    pub classes: u64,
}

impl Ignored {
    /// Drops what `ignore` matches from the lists and counts it.
    pub fn apply(
        ignore: &Ignore,
        clusters: &mut Vec<Cluster>,
        findings: &mut Vec<Finding>,
        classes: &mut Vec<ClassRow>,
    ) -> Ignored {
        if ignore.is_empty() {
            return Ignored::default();
        }
        let before = (clusters.len(), findings.len(), classes.len());
        clusters.retain(|c| !ignore.cluster(c));
        findings.retain(|f| !ignore.finding(f));
        classes.retain(|c| !ignore.class(&c.name));
        Ignored {
            clusters: (before.0 - clusters.len()) as u64,
            findings: (before.1 - findings.len()) as u64,
            classes: (before.2 - classes.len()) as u64,
        }
    }
}

/// The facts of one snapshot that every report names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotFacts {
    pub file: String,
    /// Bytes of the file as read; set by whoever read it (unknown for stdin).
    pub file_size: Option<u64>,
    pub node_count: u64,
    /// DevTools' total: every node hangs somewhere in the dominator tree, so the root retains
    /// the sum of all self sizes (plus the embedder's extra native bytes); no analysis needed.
    pub total_size: u64,
    pub max_js_object_id: u32,
    /// Memory outside the JS heap that the snapshot sees.
    pub off_heap: OffHeap,
    /// The process's memory when the snapshot was taken, when recorded beside it; set by
    /// whoever read the snapshot.
    pub process: Option<ProcessMemory>,
    /// Why the process's memory recorded beside the snapshot could not be read.
    pub process_note: Option<String>,
    /// When it was taken (milliseconds since the Unix epoch): the time its process memory
    /// records, else the file's modification time; set by whoever read it.
    pub taken_at: Option<u64>,
    /// The process's RSS then, from `--rss-log`.
    pub rss_logged: Option<u64>,
}

impl SnapshotFacts {
    /// Reads the process's memory recorded beside the snapshot at `path`, if any.
    /// Also when it was taken.
    pub fn read_process_memory(&mut self, path: &std::path::Path) {
        match crate::read::memory::read_beside(path) {
            Some(Ok(memory)) => self.process = Some(memory),
            Some(Err(note)) => self.process_note = Some(note),
            None => {}
        }
        let modified = || {
            let time = std::fs::metadata(path).ok()?.modified().ok()?;
            let since = time.duration_since(std::time::UNIX_EPOCH).ok()?;
            Some(since.as_millis() as u64)
        };
        self.taken_at = self.process.and_then(|p| p.time).or_else(modified);
    }

    /// Places the snapshot on an RSS log's curve (by [`SnapshotFacts::taken_at`]).
    pub fn place_on(&mut self, log: &crate::read::rss_log::RssLog) {
        self.rss_logged = self.taken_at.and_then(|ms| log.at(ms as f64 / 1000.0));
    }

    pub fn of(file: &str, g: &HeapGraph) -> SnapshotFacts {
        SnapshotFacts {
            file: file.to_string(),
            file_size: None,
            node_count: g.node_count() as u64,
            total_size: g
                .self_size
                .iter()
                .map(|&s| s as u64)
                .sum::<u64>()
                .saturating_add(g.extra_native_bytes),
            max_js_object_id: g.max_js_object_id(),
            off_heap: OffHeap::of(g),
            process: None,
            process_note: None,
            taken_at: None,
            rss_logged: None,
        }
    }
}

/// The totals of the new objects (allocated between the snapshots and still alive).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BetweenTotals {
    /// Object ids in `(min_id, max_id]` are new.
    pub min_id: u32,
    pub max_id: u32,
    pub count: u64,
    pub self_size: u64,
    /// Bytes freed if all of them were freed (no double counting).
    pub retained_size: u64,
    pub class_count: u64,
    /// New objects that writing the snapshot created (its file name …), left out of clusters.
    pub snapshot_writer_objects: u64,
}

/// DevTools' Comparison view, with embedder churn hidden unless asked for.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub rows: Vec<DiffRow>,
    /// Rows left out as embedder churn.
    pub hidden_churn_rows: u64,
}

/// What a pair (or base, target and final) of snapshots says: the new objects by class and by
/// cluster, classes grown in lockstep, the Comparison view, warnings and budgets.
#[derive(Debug, Clone)]
pub struct Diff {
    pub base: SnapshotFacts,
    /// With three snapshots: the one that bounds the new objects; they are looked up in `late`.
    pub target: Option<SnapshotFacts>,
    pub late: SnapshotFacts,
    /// Late total minus base total.
    pub growth: i64,
    pub between: BetweenTotals,
    /// What most likely leaks, most likely first.
    pub findings: Vec<Finding>,
    /// The new objects' class rows, by the sort key.
    pub classes: Vec<ClassRow>,
    /// Clusters of new objects, by the sort key.
    pub clusters: Vec<Cluster>,
    pub lockstep: Vec<Lockstep>,
    pub comparison: Option<Comparison>,
    pub warnings: Vec<String>,
    /// The budgets checked, in the order given.
    pub budgets: Vec<BudgetResult>,
    /// What `--ignore` left out.
    pub ignored: Ignored,
    /// The new objects by allocation site, when asked for.
    pub allocation_sites: Option<allocation_sites::AllocationSites>,
    /// Memory by npm package (`--group-by package`).
    pub packages: Option<Vec<packages::PackageRow>>,
    /// With one timeline recording: the time window the new objects were allocated in.
    pub window: Option<String>,
    /// How long each step of the leak engine took, for `--verbose`.
    pub timings: crate::graph::Timings,
}

impl Diff {
    /// Whether any budget was exceeded.
    pub fn over_budget(&self) -> bool {
        self.budgets.iter().any(|b| b.exceeded)
    }
}

/// Orders by the sort key, largest first (stable, so ties keep the retained order).
fn sort_by_key<T>(items: &mut [T], key: SortKey, fields: impl Fn(&T) -> (u64, u64, u64)) {
    match key {
        SortKey::Leak | SortKey::Retained => items.sort_by_key(|x| std::cmp::Reverse(fields(x).0)),
        SortKey::SelfSize => items.sort_by_key(|x| std::cmp::Reverse(fields(x).1)),
        SortKey::Count => items.sort_by_key(|x| std::cmp::Reverse(fields(x).2)),
    }
}

/// The new objects of a diff: their class rows, how many the snapshot writer made, their
/// clusters, and what they retain together.
struct NewObjects {
    set: between::Between,
    writer_objects: u64,
    clusters: Vec<Cluster>,
    set_retained: u64,
}

/// [`NewObjects`], with how long each step took.
struct TimedNewObjects {
    objects: NewObjects,
    timings: crate::graph::Timings,
}

/// The new objects (ids in `(min_id, max_id]`) of `late`, from the set and keys prepared
/// beside its analysis when given, and their clusters.
fn new_objects_and_clusters(
    late: &Analysis,
    (min_id, max_id): (u32, u32),
    nodes: Option<Vec<u32>>,
    keyed: Option<clusters::Keyed>,
) -> TimedNewObjects {
    let started = std::time::Instant::now();
    let set = between::between_of(late, min_id, max_id, nodes);
    let keyed = keyed.unwrap_or_else(|| clusters::key_nodes(&late.early(), &set.nodes));
    let is_new = |v: u32| between::in_range(late.graph.node_id[v as usize], min_id, max_id);
    let writer = between::snapshot_writer_objects(late, &set.nodes, is_new);
    let writer_list: Vec<u32> = writer.iter().copied().collect();
    let clustered: std::borrow::Cow<[u32]> = if writer.is_empty() {
        std::borrow::Cow::Borrowed(&set.nodes)
    } else {
        std::borrow::Cow::Owned(
            set.nodes
                .iter()
                .copied()
                .filter(|v| !writer.contains(v))
                .collect(),
        )
    };
    let new_objects_took = started.elapsed();
    let (clusters, clusters_took) = crate::analysis::timed(|| {
        clusters::clusters_keyed(late, &clustered, keyed, &writer_list, true)
    });
    let set_retained = clusters::set_retained(late, &set.nodes);
    TimedNewObjects {
        objects: NewObjects {
            writer_objects: writer.len() as u64,
            set,
            clusters,
            set_retained,
        },
        timings: vec![
            ("new objects", new_objects_took),
            ("clusters", clusters_took),
        ],
    }
}

/// The diff of `late` against `base`. With `target` (three snapshots), the new objects are
/// those allocated between `base` and `target` and still alive in `late`. Fails when a budget
/// names nothing in these snapshots.
pub fn diff(
    start: Start<'_>,
    target: Option<SnapshotFacts>,
    late: (&str, &Analysis),
    prepared: Option<Prepared>,
    options: &DiffOptions,
) -> Result<Diff, BudgetError> {
    let (late_file, late) = late;
    let (base, min_id, max_id) = match &start {
        Start::Snapshot(file, base) => (
            Some((*file, *base)),
            base.graph().max_js_object_id(),
            target
                .as_ref()
                .map_or_else(|| late.graph.max_js_object_id(), |t| t.max_js_object_id),
        ),
        Start::Window { min_id, max_id, .. } => (None, *min_id, *max_id),
    };
    // Prepared for other ids (a caller's mistake), the set and keys are made again here.
    debug_assert!(
        prepared
            .as_ref()
            .is_none_or(|p| (p.min_id, p.max_id) == (min_id, max_id))
    );
    let (nodes, keyed) = match prepared {
        Some(p) if (p.min_id, p.max_id) == (min_id, max_id) => (Some(p.nodes), Some(p.keyed)),
        _ => (None, None),
    };
    let mut timings = crate::graph::Timings::new();
    // The findings read the late snapshot only: they run beside the new objects and their
    // clusters.
    let (new_objects, ((findings, holder_of), findings_took)) = rayon::join(
        || new_objects_and_clusters(late, (min_id, max_id), nodes, keyed),
        || {
            crate::analysis::timed(|| match (&target, base) {
                (None, Some((_, base))) => findings::of_pair(base.graph(), late, MAX_FINDINGS),
                _ => (Vec::new(), Vec::new()),
            })
        },
    );
    let NewObjects {
        set,
        writer_objects,
        mut clusters,
        set_retained,
    } = new_objects.objects;
    timings.extend(new_objects.timings);
    timings.push(("findings (beside them)", findings_took));
    let rest = std::time::Instant::now();
    sort_by_key(&mut clusters, options.sort, |c| {
        (c.retained, c.self_size, c.members.len() as u64)
    });
    if options.sort == SortKey::Leak && !findings.is_empty() {
        let of = findings::finding_of_groups(
            &findings,
            &holder_of,
            clusters.iter().map(|c| c.members.as_slice()),
        );
        let mut keyed: Vec<(usize, Cluster)> = of.into_iter().zip(clusters).collect();
        keyed.sort_by_key(|(f, _)| *f);
        clusters = keyed.into_iter().map(|(_, c)| c).collect();
    }
    // Lockstep classes must hang from the same old objects: their holders, or (without
    // findings) their nearest old dominators.
    let lockstep_candidates = if holder_of.is_empty() {
        let is_new = |v: u32| between::in_range(late.graph.node_id[v as usize], min_id, max_id);
        let anchors = lockstep::dominator_anchors(late, is_new);
        lockstep::candidates(&set.rows, &anchors)
    } else {
        lockstep::candidates(&set.rows, &holder_of)
    };
    drop(holder_of);
    let comparison = match (options.compare, base.and_then(|(_, b)| b.analysis())) {
        (true, Some(base)) => {
            let mut rows = comparison::compare(base, late);
            let total = rows.len();
            rows.retain(|r| options.show_churn || !r.is_embedder_churn());
            Some(Comparison {
                hidden_churn_rows: (total - rows.len()) as u64,
                rows,
            })
        }
        _ => None,
    };
    let mut warnings = match base {
        Some((_, base)) => sanity::sanity_warnings(base.graph(), &late.graph),
        None => Vec::new(),
    };
    if let Some(t) = &target {
        warnings.extend(sanity::target_warnings(
            min_id,
            t.max_js_object_id,
            late.graph.max_js_object_id(),
        ));
    }
    let late_facts = SnapshotFacts::of(late_file, &late.graph);
    let base_facts = match base {
        Some((file, base)) => SnapshotFacts::of(file, base.graph()),
        None => SnapshotFacts {
            max_js_object_id: min_id,
            ..late_facts.clone()
        },
    };
    let totals = BetweenTotals {
        min_id: set.min_id,
        max_id: set.max_id,
        count: set.nodes.len() as u64,
        self_size: set.rows.iter().map(|r| r.self_size).sum(),
        retained_size: set_retained,
        class_count: set.rows.len() as u64,
        snapshot_writer_objects: writer_objects,
    };
    let allocation_sites = options
        .by_stack
        .then(|| allocation_sites::allocation_sites(late, &set.nodes));
    let packages = options.by_package.then(|| {
        let base = base.and_then(|(_, b)| b.analysis());
        packages::pair(base, late, &set.nodes, &findings)
    });
    let mut classes = set.rows;
    sort_by_key(&mut classes, options.sort, |c| {
        (c.retained, c.self_size, c.count)
    });
    let mut findings = findings;
    let ignored = Ignored::apply(
        &Ignore::new(&options.ignore),
        &mut clusters,
        &mut findings,
        &mut classes,
    );
    let mut diff = Diff {
        growth: late_facts.total_size as i64 - base_facts.total_size as i64,
        base: base_facts,
        target,
        late: late_facts,
        between: totals,
        findings,
        classes,
        clusters,
        lockstep: lockstep::lockstep(&lockstep_candidates),
        comparison,
        warnings,
        budgets: Vec::new(),
        ignored,
        allocation_sites,
        packages,
        window: match start {
            Start::Window { label, .. } => Some(label),
            Start::Snapshot(..) => None,
        },
        timings: Vec::new(),
    };
    let baseline = options
        .known
        .as_ref()
        .map(|k| known::mark(&mut diff.findings, k));
    if !options.budgets.is_empty() {
        let names_class = options
            .budgets
            .iter()
            .any(|b| matches!(b.metric, budget::Metric::Class { .. }));
        let known = if names_class {
            KnownClasses::of_diff(late, base.map(|(_, b)| b))
        } else {
            KnownClasses::of_names(std::iter::empty(), "either snapshot")
        };
        diff.budgets = budget::check_all(&options.budgets, |b| b.check(&diff, &known))?;
    }
    diff.budgets.extend(baseline);
    timings.push(("lockstep, comparison, totals, budgets", rest.elapsed()));
    diff.timings = timings;
    Ok(diff)
}
