//! The snapshots an MCP session has loaded, and the reports (runs) computed on them. Relative
//! paths resolve against the store's root; reports are cached by their snapshots and options.

use std::path::{Path, PathBuf};

use rustc_hash::FxHashMap;
use serde_json::{Value, json};

use super::args::ReportOptions;
use super::error::{ToolError, ToolResult};
use crate::analysis::Analysis;
use crate::leaks::between::Baseline;
use crate::leaks::findings::Finding;
use crate::leaks::series::{Series, SeriesBuilder};
use crate::leaks::{self, Diff, DiffOptions, Start};
use crate::sources::SourceMaps;

/// Reports kept for later questions (cluster, explain_finding, verify_fix reuse them).
const CACHED_RUNS: usize = 4;

/// A loaded, analysed snapshot.
pub(super) struct Entry {
    /// The path as the agent gave it (reports name the snapshot by it).
    pub(super) given: String,
    /// The path read: the given one resolved against the root.
    path: PathBuf,
    maps: &'static SourceMaps,
    /// Heap strings were replaced by placeholders as it was read.
    pub(super) redacted: bool,
    baseline: Baseline,
    /// Object id → node ordinal, built on first use.
    ordinal_of: Option<FxHashMap<u32, u32>>,
}

impl Entry {
    pub(super) fn analysis(&self) -> &Analysis {
        self.baseline
            .analysis()
            .expect("the store keeps analysed snapshots")
    }
}

/// A report on two snapshots (a diff) or on three or more (a series).
pub(super) enum Run {
    Pair(Box<Diff>),
    Series(Box<Series>),
}

impl Run {
    /// The findings, most likely leak first.
    pub(super) fn findings(&self) -> &[Finding] {
        match self {
            Run::Pair(d) => &d.findings,
            Run::Series(s) => &s.findings,
        }
    }
}

/// What a run is computed from: its snapshots (oldest first) and options.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RunKey {
    snapshots: Vec<usize>,
    options: ReportOptions,
}

/// Everything loaded in one session.
pub struct Store {
    /// What relative paths are resolved against.
    root: PathBuf,
    pub(super) entries: Vec<Entry>,
    /// The last reports asked for, newest last.
    runs: Vec<(RunKey, Run)>,
    /// Source maps by the folder given to load_snapshot, each read once for the server's life.
    source_maps: std::collections::HashMap<PathBuf, &'static SourceMaps>,
}

impl Store {
    /// An empty store resolving relative paths against `root`.
    pub fn new(root: PathBuf) -> Store {
        Store {
            root,
            entries: Vec::new(),
            runs: Vec::new(),
            source_maps: std::collections::HashMap::new(),
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `given` resolved against the root (an absolute path stays as it is).
    fn resolve(&self, given: &str) -> PathBuf {
        self.root.join(given)
    }

    /// The error for a path that could not be used.
    fn path_error(&self, given: &str, problem: impl Into<String>) -> ToolError {
        ToolError::Path {
            given: given.to_string(),
            resolved: self.resolve(given),
            root: self.root.clone(),
            problem: problem.into(),
        }
    }

    /// Loads and analyses `path`, its sites mapped through the source maps local scripts
    /// name and those in `source_maps`; its handle is the returned `snapshot` number.
    pub fn load(
        &mut self,
        given: &str,
        source_maps: Option<&str>,
        redact: bool,
    ) -> ToolResult<Value> {
        let maps = match source_maps {
            None => SourceMaps::shared_local(),
            Some(dir) => {
                let folder = std::fs::canonicalize(self.resolve(dir))
                    .ok()
                    .filter(|d| d.is_dir())
                    .ok_or_else(|| self.path_error(dir, "source_maps is not a folder"))?;
                *self
                    .source_maps
                    .entry(folder.clone())
                    .or_insert_with(|| Box::leak(Box::new(SourceMaps::with_folder(folder))))
            }
        };
        let path = self.resolve(given);
        if !path.exists() {
            return Err(self.path_error(given, "no such file"));
        }
        let a = analyse(&path, maps, redact)
            .map_err(|e| self.path_error(given, e.kind().to_string()))?;
        let info = json!({
            "snapshot": self.entries.len(),
            "file": given,
            "resolved": path,
            "node_count": a.graph.node_count(),
            "edge_count": a.graph.edge_count(),
            "total_size": a.total_size(),
            "max_js_object_id": a.graph.max_js_object_id(),
            "allocation_stacks": a.graph.allocations.is_some(),
            "redacted": redact,
        });
        self.entries.push(Entry {
            given: given.to_string(),
            path,
            maps,
            redacted: redact,
            baseline: Baseline::Analysed(Box::new(a)),
            ordinal_of: None,
        });
        Ok(info)
    }

    pub(super) fn entry(&self, snapshot: usize) -> ToolResult<&Entry> {
        self.entries.get(snapshot).ok_or(ToolError::NoSnapshot {
            asked: snapshot,
            loaded: self.entries.len(),
        })
    }

    /// Reads `snapshot` again with its heap strings redacted, unless it was already; what was
    /// computed on it before is dropped.
    fn redact(&mut self, snapshot: usize) -> ToolResult<()> {
        let entry = self.entry(snapshot)?;
        if entry.redacted {
            return Ok(());
        }
        let a = analyse(&entry.path, entry.maps, true)?;
        let entry = &mut self.entries[snapshot];
        entry.baseline = Baseline::Analysed(Box::new(a));
        entry.redacted = true;
        self.runs
            .retain(|(key, _)| !key.snapshots.contains(&snapshot));
        Ok(())
    }

    /// The node of object `id` in `snapshot`.
    pub(super) fn node(&mut self, snapshot: usize, id: u32) -> ToolResult<u32> {
        self.entry(snapshot)?;
        let entry = &mut self.entries[snapshot];
        if entry.ordinal_of.is_none() {
            let g = &entry.analysis().graph;
            entry.ordinal_of = Some(
                g.node_id
                    .iter()
                    .enumerate()
                    .map(|(v, &id)| (id, v as u32))
                    .collect(),
            );
        }
        let map = entry.ordinal_of.as_ref().expect("just built");
        map.get(&id)
            .copied()
            .ok_or(ToolError::NoObject { snapshot, id })
    }

    /// The node of object `id` and its snapshot's analysis.
    pub(super) fn located(&mut self, snapshot: usize, id: u32) -> ToolResult<(u32, &Analysis)> {
        let v = self.node(snapshot, id)?;
        Ok((v, self.entries[snapshot].analysis()))
    }

    /// The report on `snapshots` (two: a diff; three or more: a series) with `options`,
    /// computed once and kept for the next questions about it; with the store, to look at the
    /// snapshots' analyses beside it.
    pub(super) fn run(
        &mut self,
        snapshots: &[usize],
        options: &ReportOptions,
    ) -> ToolResult<(&Run, &Store)> {
        if snapshots.len() < 2 {
            return Err(ToolError::Arguments(format!(
                "a report needs two snapshots (a diff) or three or more (a series), not {}",
                snapshots.len()
            )));
        }
        for &s in snapshots {
            self.entry(s)?;
        }
        if options.redact {
            for &s in snapshots {
                self.redact(s)?;
            }
        }
        let key = RunKey {
            snapshots: snapshots.to_vec(),
            options: options.clone(),
        };
        let index = match self.runs.iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let run = self.compute(snapshots, options)?;
                if self.runs.len() == CACHED_RUNS {
                    self.runs.remove(0);
                }
                self.runs.push((key, run));
                self.runs.len() - 1
            }
        };
        let store: &Store = self;
        Ok((&store.runs[index].1, store))
    }

    fn compute(&self, snapshots: &[usize], options: &ReportOptions) -> ToolResult<Run> {
        let diff_options = DiffOptions {
            sort: options.sort.into(),
            ignore: options.ignore.clone(),
            ..DiffOptions::default()
        };
        let engine = |e: &dyn std::fmt::Display| ToolError::Engine(e.to_string());
        if let [base, late] = snapshots {
            let (b, l) = (&self.entries[*base], &self.entries[*late]);
            let mut diff = leaks::diff(
                Start::Snapshot(&b.given, &b.baseline),
                None,
                (&l.given, l.analysis()),
                None,
                &diff_options,
            )
            .map_err(|e| engine(&e))?;
            diff.base.read_process_memory(&b.path);
            diff.late.read_process_memory(&l.path);
            return Ok(Run::Pair(Box::new(diff)));
        }
        let mut builder = SeriesBuilder::default();
        for (i, &s) in snapshots.iter().enumerate() {
            let e = &self.entries[s];
            builder.observe(&e.given, e.analysis(), i + 1 == snapshots.len());
        }
        let mut series = builder.finish(&diff_options).map_err(|e| engine(&e))?;
        for (facts, &s) in series.snapshots.iter_mut().zip(snapshots) {
            facts.read_process_memory(&self.entries[s].path);
        }
        Ok(Run::Series(Box::new(series)))
    }

    /// Whether every one of `snapshots` was read redacted.
    pub(super) fn all_redacted(&self, snapshots: &[usize]) -> bool {
        snapshots
            .iter()
            .all(|&s| self.entries.get(s).is_some_and(|e| e.redacted))
    }

    /// The source-map notes of the last of `snapshots`.
    pub(super) fn source_notes(&self, snapshots: &[usize]) -> Vec<String> {
        snapshots
            .last()
            .and_then(|&s| self.entries.get(s))
            .map(|e| e.analysis().graph.source_maps.notes())
            .unwrap_or_default()
    }
}

/// Reads and analyses the snapshot at `path`, redacted when asked (as the CLI's --redact: the
/// strings are replaced before the analysis sees them).
fn analyse(path: &Path, maps: &'static SourceMaps, redact: bool) -> crate::Result<Analysis> {
    let mut graph = crate::read::load(path)?;
    graph.source_maps = maps;
    if redact {
        crate::redact::redact_graph(&mut graph);
    }
    Analysis::run(graph)
}

/// A page of `items` from `offset`, at most `limit` long.
pub(super) fn page<T: Clone>(items: &[T], offset: usize, limit: usize) -> (Vec<T>, Value) {
    let end = offset.saturating_add(limit).min(items.len());
    let start = offset.min(end);
    let next = (end < items.len()).then_some(end);
    (
        items[start..end].to_vec(),
        json!({"offset": start, "total": items.len(), "next_offset": next}),
    )
}

/// One object as the answers show it.
pub(super) fn object(a: &Analysis, v: u32) -> Value {
    let g = &a.graph;
    json!({
        "id": g.node_id[v as usize],
        "class": a.classes.class_name(g, v),
        "type": g.type_name(v),
        "self_size": a.self_size[v as usize],
        "retained_size": a.retained[v as usize],
    })
}
