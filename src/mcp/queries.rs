//! Questions about one snapshot or one cluster: DevTools' Summary view, a cluster's members,
//! an object's retainers, dominators and allocation stack. Long lists are paged (`offset`,
//! `limit`, `total`, `next_offset`).

use serde_json::{Value, json};

use super::args::ReportOptions;
use super::error::{ToolError, ToolResult};
use super::store::{Run, Store, object, page};
use crate::analysis::stacks;
use crate::leaks::clusters::SiteResolver;
use crate::report::{DiffReport, SummaryReport};

impl Store {
    /// DevTools' Summary view, classes paged.
    pub fn summary(&self, snapshot: usize, offset: usize, limit: usize) -> ToolResult<Value> {
        let e = self.entry(snapshot)?;
        let mut report = SummaryReport::new(&e.given, &e.analysis().summarize());
        report.redacted = e.redacted;
        let (classes, paging) = page(&report.classes, offset, limit);
        report.classes = classes;
        let mut value =
            serde_json::to_value(&report).map_err(|e| ToolError::Engine(e.to_string()))?;
        value["classes_page"] = paging;
        Ok(value)
    }

    /// One cluster of a diff: its report row and its members (ids, classes, sizes), paged.
    pub fn cluster(
        &mut self,
        (base, late): (usize, usize),
        rank: usize,
        options: &ReportOptions,
        (offset, limit): (usize, usize),
    ) -> ToolResult<Value> {
        let (Run::Pair(diff), store) = self.run(&[base, late], options)? else {
            unreachable!("two snapshots make a diff")
        };
        let report = DiffReport::new(diff);
        let total = report.clusters.len();
        let row = report
            .clusters
            .get(rank.wrapping_sub(1))
            .ok_or(ToolError::NoRank {
                what: "cluster",
                rank,
                total,
            })?;
        let members = diff.clusters[rank - 1].members.clone();
        let a = store.entries[late].analysis();
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
    ) -> ToolResult<Value> {
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
    ) -> ToolResult<Value> {
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

    /// The allocation stack of object `id` (innermost frame first), frames of eval'd code
    /// naming the function that compiled it.
    pub fn allocation_stack(&mut self, snapshot: usize, id: u32) -> ToolResult<Value> {
        let (v, a) = self.located(snapshot, id)?;
        if a.graph.allocations.is_none() {
            return Err(ToolError::NoStacks { snapshot });
        }
        let mut eval_origins = SiteResolver::new(&a.graph, &a.retainers);
        let frames: Option<Vec<stacks::Frame>> = stacks::stack(&a.graph, v).map(|frames| {
            frames
                .into_iter()
                .map(|f| eval_origins.with_eval_origin(f))
                .collect()
        });
        Ok(json!({"object": object(a, v), "frames": frames}))
    }
}
