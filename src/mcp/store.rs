//! The snapshots an MCP session has loaded, and the questions an agent can ask of them. Every
//! answer is a JSON value with sizes in bytes; long lists are paged (`offset`, `limit`,
//! `total`, `next_offset`).

use crate::sources::SourceMaps;
use rustc_hash::FxHashMap;
use serde_json::{Value, json};

use crate::analysis::Analysis;
use crate::analysis::stacks;
use crate::leaks::between::Baseline;
use crate::leaks::series::SeriesBuilder;
use crate::leaks::{self, Diff, DiffOptions, Start};
use crate::report::{DiffReport, SeriesReport, SummaryReport};

/// A loaded, analysed snapshot.
struct Entry {
    file: String,
    baseline: Baseline,
    /// Object id → node ordinal, built on first use.
    ordinal_of: Option<FxHashMap<u32, u32>>,
}

impl Entry {
    fn analysis(&self) -> &Analysis {
        self.baseline
            .analysis()
            .expect("the store keeps analysed snapshots")
    }
}

/// Everything loaded in one session.
#[derive(Default)]
pub struct Store {
    entries: Vec<Entry>,
    /// The last diff asked for, by (base, late): cluster queries reuse it.
    last_diff: Option<((usize, usize), Diff)>,
    /// Source maps by the folder given to load_snapshot, each read once for the server's life.
    source_maps: std::collections::HashMap<std::path::PathBuf, &'static SourceMaps>,
}

/// A page of `items` from `offset`, at most `limit` long.
fn page<T: Clone>(items: &[T], offset: usize, limit: usize) -> (Vec<T>, Value) {
    let end = offset.saturating_add(limit).min(items.len());
    let start = offset.min(end);
    let next = (end < items.len()).then_some(end);
    (
        items[start..end].to_vec(),
        json!({"offset": start, "total": items.len(), "next_offset": next}),
    )
}

impl Store {
    /// Loads and analyses `path`, its sites mapped through the source maps local scripts
    /// name and those in `source_maps`; its handle is the returned `snapshot` number.
    pub fn load(&mut self, path: &str, source_maps: Option<&str>) -> Result<Value, String> {
        let maps = match source_maps {
            None => SourceMaps::shared_local(),
            Some(dir) => {
                let dir = std::fs::canonicalize(dir)
                    .ok()
                    .filter(|d| d.is_dir())
                    .ok_or_else(|| format!("source_maps {dir}: not a folder"))?;
                *self
                    .source_maps
                    .entry(dir.clone())
                    .or_insert_with(|| Box::leak(Box::new(SourceMaps::with_folder(dir))))
            }
        };
        let mut graph = crate::read::load(std::path::Path::new(path)).map_err(|e| e.to_string())?;
        graph.source_maps = maps;
        let a = Analysis::run(graph).map_err(|e| e.to_string())?;
        let info = json!({
            "snapshot": self.entries.len(),
            "file": path,
            "node_count": a.graph.node_count(),
            "edge_count": a.graph.edge_count(),
            "total_size": a.total_size(),
            "max_js_object_id": a.graph.max_js_object_id(),
            "allocation_stacks": a.graph.allocations.is_some(),
        });
        self.entries.push(Entry {
            file: path.to_string(),
            baseline: Baseline::Analysed(Box::new(a)),
            ordinal_of: None,
        });
        Ok(info)
    }

    fn entry(&self, snapshot: usize) -> Result<&Entry, String> {
        self.entries.get(snapshot).ok_or_else(|| {
            format!(
                "no snapshot {snapshot}: {} loaded (load_snapshot first)",
                self.entries.len()
            )
        })
    }

    /// The node of object `id` in `snapshot`.
    fn node(&mut self, snapshot: usize, id: u32) -> Result<u32, String> {
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
            .ok_or_else(|| format!("snapshot {snapshot} has no object @{id}"))
    }

    /// The node of object `id` and its snapshot's analysis.
    fn located(&mut self, snapshot: usize, id: u32) -> Result<(u32, &Analysis), String> {
        let v = self.node(snapshot, id)?;
        Ok((v, self.entries[snapshot].analysis()))
    }

    /// DevTools' Summary view, classes paged.
    pub fn summary(&self, snapshot: usize, offset: usize, limit: usize) -> Result<Value, String> {
        let e = self.entry(snapshot)?;
        let mut report = SummaryReport::new(&e.file, &e.analysis().summarize());
        let (classes, paging) = page(&report.classes, offset, limit);
        report.classes = classes;
        let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
        value["classes_page"] = paging;
        Ok(value)
    }

    fn diff_of(&mut self, base: usize, late: usize) -> Result<&Diff, String> {
        self.entry(base)?;
        self.entry(late)?;
        if self.last_diff.as_ref().map(|(k, _)| *k) != Some((base, late)) {
            let (b, l) = (&self.entries[base], &self.entries[late]);
            let diff = leaks::diff(
                Start::Snapshot(&b.file, &b.baseline),
                None,
                (&l.file, l.analysis()),
                None,
                &DiffOptions::default(),
            )
            .map_err(|e| e.to_string())?;
            self.last_diff = Some(((base, late), diff));
        }
        Ok(&self.last_diff.as_ref().expect("just set").1)
    }

    /// The report of `heapdiff BASE LATE --json`, each list cut to `limit` rows.
    pub fn diff(&mut self, base: usize, late: usize, limit: usize) -> Result<Value, String> {
        let mut report = DiffReport::new(self.diff_of(base, late)?);
        report.source_notes = self.entry(late)?.analysis().graph.source_maps.notes();
        let totals = json!({
            "findings": report.findings.len(),
            "clusters": report.clusters.len(),
            "classes": report.classes.len(),
        });
        report.findings.truncate(limit);
        report.clusters.truncate(limit);
        report.classes.truncate(limit);
        let mut value = serde_json::to_value(&report).map_err(|e| e.to_string())?;
        value["totals"] = totals;
        Ok(value)
    }

    /// The series report over loaded snapshots, in the order given.
    pub fn series(&self, snapshots: &[usize], limit: usize) -> Result<Value, String> {
        if snapshots.len() < 3 {
            return Err("a series needs three or more snapshots (diff takes two)".to_string());
        }
        let mut builder = SeriesBuilder::default();
        for (i, &s) in snapshots.iter().enumerate() {
            let e = self.entry(s)?;
            builder.observe(&e.file, e.analysis(), i + 1 == snapshots.len());
        }
        let series = builder
            .finish(&crate::leaks::DiffOptions::default())
            .map_err(|e| e.to_string())?;
        let mut report = SeriesReport::new(&series);
        if let Some(&last) = snapshots.last() {
            report.source_notes = self.entry(last)?.analysis().graph.source_maps.notes();
        }
        report.classes.truncate(limit);
        report.clusters.truncate(limit);
        report.findings.truncate(limit);
        serde_json::to_value(&report).map_err(|e| e.to_string())
    }

    /// One cluster of a diff: its report row and its members (ids, classes, sizes), paged.
    pub fn cluster(
        &mut self,
        base: usize,
        late: usize,
        rank: usize,
        offset: usize,
        limit: usize,
    ) -> Result<Value, String> {
        let diff = self.diff_of(base, late)?;
        let report = DiffReport::new(diff);
        let row = report
            .clusters
            .get(rank.wrapping_sub(1))
            .ok_or_else(|| format!("no cluster #{rank}: there are {}", report.clusters.len()))?;
        let members = diff.clusters[rank - 1].members.clone();
        let a = self.entries[late].analysis();
        let (chosen, paging) = page(&members, offset, limit);
        let list: Vec<Value> = chosen.iter().map(|&v| object(a, v)).collect();
        Ok(json!({"cluster": row, "members": list, "members_page": paging}))
    }

    /// Who holds object `id`: every retaining edge, the holders' largest first.
    pub fn retainers(
        &mut self,
        snapshot: usize,
        id: u32,
        offset: usize,
        limit: usize,
    ) -> Result<Value, String> {
        let (v, a) = self.located(snapshot, id)?;
        let g = &a.graph;
        let r = &a.retainers;
        let mut edges: Vec<(u32, u32)> =
            r.edges(g, v).map(|(_, from, e)| (from, e as u32)).collect();
        edges.sort_by_key(|&(from, _)| std::cmp::Reverse(a.retained[from as usize]));
        let (chosen, paging) = page(&edges, offset, limit);
        let list: Vec<Value> = chosen
            .iter()
            .map(|&(from, e)| {
                json!({
                    "edge_type": g.edge_types.names[g.edge_type[e as usize] as usize],
                    "edge_name": g.edge_name(e as usize),
                    "from": object(a, from),
                })
            })
            .collect();
        Ok(json!({"object": object(a, v), "retainers": list, "retainers_page": paging}))
    }

    /// Object `id`'s place in the dominator tree: its chain of dominators up to the root and
    /// the objects it dominates (what freeing it would free), largest first.
    pub fn dominators(
        &mut self,
        snapshot: usize,
        id: u32,
        offset: usize,
        limit: usize,
    ) -> Result<Value, String> {
        let (v, a) = self.located(snapshot, id)?;
        let mut chain = Vec::new();
        let mut at = v;
        while at != a.graph.root.0 && chain.len() < 64 {
            at = a.dominators.idom[at as usize];
            chain.push(object(a, at));
        }
        let (first, children) = &a.dominated;
        let mut below: Vec<u32> =
            children[first[v as usize] as usize..first[v as usize + 1] as usize].to_vec();
        below.sort_by_key(|&c| std::cmp::Reverse(a.retained[c as usize]));
        let (chosen, paging) = page(&below, offset, limit);
        let list: Vec<Value> = chosen.iter().map(|&c| object(a, c)).collect();
        Ok(json!({
            "object": object(a, v),
            "dominators": chain,
            "dominated": list,
            "dominated_page": paging,
        }))
    }

    /// The allocation stack of object `id` (innermost frame first), or null without one.
    pub fn allocation_stack(&mut self, snapshot: usize, id: u32) -> Result<Value, String> {
        let (v, a) = self.located(snapshot, id)?;
        if a.graph.allocations.is_none() {
            return Err(format!(
                "snapshot {snapshot} has no allocation stacks (write it with \
                 --track-heap-objects or an allocation timeline)"
            ));
        }
        Ok(json!({"object": object(a, v), "frames": stacks::stack(&a.graph, v)}))
    }
}

/// One object as the answers show it.
fn object(a: &Analysis, v: u32) -> Value {
    let g = &a.graph;
    json!({
        "id": g.node_id[v as usize],
        "class": a.classes.class_name(g, v),
        "type": g.type_name(v),
        "self_size": a.self_size[v as usize],
        "retained_size": a.retained[v as usize],
    })
}
