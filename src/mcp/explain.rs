//! One finding explained in one answer (`explain_finding`: its holder and path, the units it
//! gained, the sites that made them, their allocation stacks), and what removing objects
//! would free (`what_if`: reachability from the roots without them, set-level).

use rustc_hash::FxHashMap;
use serde::Serialize;
use serde_json::{Value, json};

use super::args::ReportOptions;
use super::error::{ToolError, ToolResult};
use super::store::{Run, Store, object};
use crate::analysis::Analysis;
use crate::leaks::clusters::{StackResolver, set_retained};
use crate::leaks::findings::Finding;
use crate::leaks::growth;
use crate::leaks::packages::{freed_without, reachable};
use crate::report::{AllocationReport, DiffReport, FindingReport, SeriesReport};

/// Unit groups an explanation lists.
const MAX_ROWS: usize = 5;
/// Allocation stacks an explanation lists (each is a dozen frames or more).
const MAX_STACKS: usize = 3;

/// Gained objects that no other gained object dominates, of one class: each is one unit the
/// holder added, with what it alone keeps.
#[derive(Debug, Serialize)]
pub struct UnitGroup {
    pub class: String,
    pub count: u64,
    /// Retained bytes of all of them, and of one on average.
    pub retained_size: u64,
    pub retained_each: u64,
    pub example_id: u32,
}

/// A site that made part of what the holder gained.
#[derive(Debug, Serialize)]
pub struct PartSite {
    pub part: String,
    pub count: u64,
    /// `Function NAME @ SCRIPT:LINE:COLUMN` (1-based).
    pub site: String,
    pub script: String,
    pub created_by: Option<String>,
}

/// The answer of explain_finding.
#[derive(Debug, Serialize)]
pub struct Explanation {
    pub finding: FindingReport,
    /// The holder object (id, class, sizes) and its retainer path from a root.
    pub holder: Value,
    /// The holder's new objects found in the last snapshot (merged holders' not included).
    pub gained_count: usize,
    pub gained_self_size: u64,
    pub units: Vec<UnitGroup>,
    pub sites: Vec<PartSite>,
    /// The gained objects' allocation stacks (snapshots written with allocation tracking).
    pub allocation: Option<AllocationReport>,
    pub next: String,
}

/// The new objects (ids above the first snapshot's newest) charged to `f`'s holder in `late`.
fn gained(late: &Analysis, first_max_id: u32, f: &Finding) -> Vec<u32> {
    let (_, holder_of) = growth::charge(late, &[first_max_id], 0);
    let g = &late.graph;
    (0..g.node_count() as u32)
        .filter(|&v| {
            holder_of[v as usize] == f.node && growth::is_new(g.node_id[v as usize], first_max_id)
        })
        .collect()
}

/// The units among `nodes`: those whose dominator is not in `nodes`, by class, largest first.
fn units(a: &Analysis, nodes: &[u32]) -> Vec<UnitGroup> {
    let mut in_set = vec![false; a.graph.node_count()];
    for &v in nodes {
        in_set[v as usize] = true;
    }
    let mut groups: FxHashMap<&str, UnitGroup> = FxHashMap::default();
    for &v in nodes {
        if in_set[a.dominators.idom[v as usize] as usize] {
            continue;
        }
        let class = a.classes.class_name(&a.graph, v);
        let group = groups.entry(class).or_insert_with(|| UnitGroup {
            class: class.to_string(),
            count: 0,
            retained_size: 0,
            retained_each: 0,
            example_id: a.graph.node_id[v as usize],
        });
        group.count += 1;
        group.retained_size += a.retained[v as usize];
    }
    let mut groups: Vec<UnitGroup> = groups.into_values().collect();
    for g in &mut groups {
        g.retained_each = g.retained_size / g.count;
    }
    groups.sort_by(|x, y| (y.retained_size, &x.class).cmp(&(x.retained_size, &y.class)));
    groups.truncate(MAX_ROWS);
    groups
}

fn sites(f: &Finding) -> Vec<PartSite> {
    f.parts
        .iter()
        .filter_map(|p| {
            let s = p.site.as_ref()?;
            Some(PartSite {
                part: p.label.clone(),
                count: p.count,
                site: s.label(),
                script: s.script.clone(),
                created_by: s.created_by.clone(),
            })
        })
        .collect()
}

impl Store {
    /// The finding of rank `rank` in the run on `snapshots`, its report row and its late
    /// snapshot's analysis, with the newest id of the run's first snapshot.
    fn finding(
        &mut self,
        snapshots: &[usize],
        rank: usize,
        options: &ReportOptions,
    ) -> ToolResult<(Finding, FindingReport, &Analysis, u32)> {
        let (run, store) = self.run(snapshots, options)?;
        let total = run.findings().len();
        let missing = ToolError::NoRank {
            what: "finding",
            rank,
            total,
        };
        let i = rank.checked_sub(1).filter(|&i| i < total).ok_or(missing)?;
        let mut rows = match run {
            Run::Pair(d) => DiffReport::new(d).findings,
            Run::Series(s) => SeriesReport::new(s).findings,
        };
        let first = store.entries[snapshots[0]]
            .analysis()
            .graph
            .max_js_object_id();
        let late = store.entries[snapshots[snapshots.len() - 1]].analysis();
        Ok((run.findings()[i].clone(), rows.swap_remove(i), late, first))
    }

    /// Finding `rank` of the run on `snapshots`, explained.
    pub fn explain_finding(
        &mut self,
        snapshots: &[usize],
        rank: usize,
        options: &ReportOptions,
    ) -> ToolResult<Explanation> {
        let (f, row, a, first) = self.finding(snapshots, rank, options)?;
        let nodes = gained(a, first, &f);
        let allocation = StackResolver::new(a)
            .and_then(|mut r| r.of(&nodes))
            .map(|s| {
                let mut report = AllocationReport::from(&s);
                let left_out = report.stacks.get(MAX_STACKS..).unwrap_or_default();
                report.omitted_stacks += left_out.len() as u64;
                report.omitted_count += left_out.iter().map(|s| s.count).sum::<u64>();
                report.stacks.truncate(MAX_STACKS);
                report
            });
        let mut holder = object(a, f.node);
        holder["path"] = json!(f.path);
        holder["short_path"] = json!(f.short_path);
        Ok(Explanation {
            holder,
            gained_count: nodes.len(),
            gained_self_size: nodes.iter().map(|&v| a.self_size[v as usize] as u64).sum(),
            units: units(a, &nodes),
            sites: sites(&f),
            allocation,
            finding: row,
            next: format!(
                "what_if {{snapshots, finding: {rank}}} gives the bytes fixing it frees; \
                 retainers and dominator_subtree on the holder id show what keeps it"
            ),
        })
    }

    /// The bytes freed if an object, a cluster's members or a finding's gains were gone.
    pub fn what_if(
        &mut self,
        snapshots: &[usize],
        target: WhatIfTarget,
        options: &ReportOptions,
    ) -> ToolResult<Value> {
        let last = *snapshots.last().ok_or_else(|| {
            ToolError::Arguments("what_if needs the snapshots it is about".to_string())
        })?;
        let (what, nodes, a) = match target {
            WhatIfTarget::Object(id) => {
                let v = self.node(last, id)?;
                (json!({"id": id}), vec![v], self.entries[last].analysis())
            }
            WhatIfTarget::Cluster(rank) => {
                let (Run::Pair(diff), store) = self.run(snapshots, options)? else {
                    return Err(ToolError::Arguments(
                        "clusters are a diff's: give two snapshots".to_string(),
                    ));
                };
                let total = diff.clusters.len();
                let c = (rank.checked_sub(1))
                    .and_then(|i| diff.clusters.get(i))
                    .ok_or(ToolError::NoRank {
                        what: "cluster",
                        rank,
                        total,
                    })?;
                let what = json!({"cluster": rank, "label": c.label});
                (what, c.members.clone(), store.entries[last].analysis())
            }
            WhatIfTarget::Finding(rank) => {
                let (f, row, a, first) = self.finding(snapshots, rank, options)?;
                let what = json!({"finding": rank, "label": row.label, "holder_id": f.id});
                (what, gained(a, first, &f), a)
            }
        };
        let mut removed = vec![false; a.graph.node_count()];
        for &v in &nodes {
            removed[v as usize] = true;
        }
        let everything = reachable(&a.graph, |_| false);
        let freed = freed_without(a, &everything, |v| removed[v as usize]);
        Ok(json!({
            "removed": what,
            "removed_count": nodes.len(),
            "removed_self_size": nodes.iter().map(|&v| a.self_size[v as usize] as u64).sum::<u64>(),
            "freed_bytes": freed,
            "retained_by_dominators": set_retained(a, &nodes),
            "total_size": a.total_size(),
            "snapshot": last,
        }))
    }
}

/// What what_if removes.
#[derive(Debug, Clone, Copy)]
pub enum WhatIfTarget {
    /// One object, by id.
    Object(u32),
    /// A diff's cluster, by rank: all its members.
    Cluster(usize),
    /// A finding, by rank: every new object its holder gained.
    Finding(usize),
}
