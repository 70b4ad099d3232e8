//! Everything DevTools computes from one snapshot, in DevTools' order: DOM state, page
//! ownership, essential edges, shallow-size transfer, dominators and retained sizes, distances,
//! class names and keys. See `../shared/SEMANTICS.md` §1.3–§1.10 for the rules reproduced here.
//! One snapshot only: nothing here knows about pairs or series (that is [`crate::leaks`]).

pub mod classes;
pub mod distances;
pub mod dom_state;
pub mod dominators;
pub mod essential;
pub mod flags;
pub mod off_heap;
pub mod shallow;
pub mod stacks;
pub mod summary;

use std::time::{Duration, Instant};

use crate::error::Result;
use crate::graph::{HeapGraph, Retainers};
use classes::{ClassKeys, Interface};
use dom_state::DomState;
use dominators::{Dominators, FlowGraph};

/// A snapshot with every per-node number DevTools shows.
pub struct Analysis {
    pub graph: HeapGraph,
    /// Who points at each node (dominators and retainer paths walk edges backwards).
    pub retainers: Retainers,
    pub dom: DomState,
    /// DevTools' shallow sizes (after the transfer of owned internals).
    pub self_size: Vec<u32>,
    pub dominators: Dominators,
    /// Dominator-tree children: `dominated.1[dominated.0[v]..dominated.0[v + 1]]`.
    pub dominated: (Vec<u32>, Vec<u32>),
    pub retained: Vec<u64>,
    pub distance: Vec<i32>,
    /// Interface definitions inferred from this snapshot's plain objects.
    pub interfaces: Vec<Interface>,
    pub classes: ClassKeys,
    /// What DevTools would report as problems (unreachable nodes).
    pub problems: Vec<String>,
    /// How long each phase took, for `--verbose`.
    pub timings: Vec<(&'static str, Duration)>,
}

/// Runs `work` and measures it.
pub fn timed<T>(work: impl FnOnce() -> T) -> (T, Duration) {
    let started = Instant::now();
    let value = work();
    (value, started.elapsed())
}

/// What an analysis knows before its dominator tree: enough to key objects by class and
/// shape, or to pick a set by id, while the long sequential phase runs on another core.
pub struct Early<'a> {
    pub graph: &'a HeapGraph,
    pub retainers: &'a Retainers,
    pub dom: &'a DomState,
    /// DevTools' shallow sizes (after the transfer of owned internals).
    pub self_size: &'a [u32],
    pub classes: &'a ClassKeys,
}

impl Analysis {
    /// Runs every phase on a loaded graph. Fails only when memory runs out.
    pub fn run(graph: HeapGraph) -> Result<Analysis> {
        Analysis::run_with_progress(graph, &mut |_| {})
    }

    /// Runs every phase, calling `progress` with the name of each phase as it finishes.
    pub fn run_with_progress(
        graph: HeapGraph,
        progress: &mut dyn FnMut(&'static str),
    ) -> Result<Analysis> {
        Analysis::run_beside(graph, progress, |_| ()).map(|(analysis, ())| analysis)
    }

    /// The phases before the dominator tree, as [`Early`].
    pub fn early(&self) -> Early<'_> {
        Early {
            graph: &self.graph,
            retainers: &self.retainers,
            dom: &self.dom,
            self_size: &self.self_size,
            classes: &self.classes,
        }
    }

    /// Runs every phase, calling `progress` with the name of each phase as it finishes, and
    /// `beside` on the early results while the dominator tree is computed. Independent phases
    /// run side by side: the retainers beside essential edges and shallow sizes, and
    /// distances, classes and then `beside` beside the dominator tree.
    pub fn run_beside<T: Send>(
        graph: HeapGraph,
        progress: &mut dyn FnMut(&'static str),
        beside: impl FnOnce(&Early<'_>) -> T + Send,
    ) -> Result<(Analysis, T)> {
        let mut timings = Vec::new();
        let mut done = |phases: &[(&'static str, Duration)]| {
            for &(name, took) in phases {
                timings.push((name, took));
                progress(name);
            }
        };
        let g = &graph;
        let (dom, took) = timed(|| dom_state::propagate(g));
        done(&[("dom state", took)]);
        let weak_maps = essential::WeakMapNames::new(g);
        let ((retainers, retainers_took), ((essential, essential_took), (self_size, shallow_took))) =
            rayon::join(
                || timed(|| Retainers::of(g)),
                || {
                    rayon::join(
                        || {
                            timed(|| {
                                let page_owned = flags::page_owned(g);
                                essential::essential_edges(g, &page_owned, &weak_maps)
                            })
                        },
                        || timed(|| shallow::transfer(g, &dom.renamed)),
                    )
                },
            );
        let (retainers, retainer_essential) = retainers?.finish(|e| essential.get(e));
        done(&[
            ("retainers", retainers_took),
            ("essential edges", essential_took),
            ("shallow sizes", shallow_took),
        ]);
        let (tree, (far, names, side)) = rayon::join(
            || {
                timed(|| {
                    let dominators = dominators::dominators(&FlowGraph::of(
                        g,
                        &retainers,
                        &essential,
                        &retainer_essential,
                    ));
                    let (retained, dominated) = rayon::join(
                        || dominators::retained_sizes(&dominators, &self_size),
                        || dominators::dominated_nodes(&dominators, g.root.0),
                    );
                    (dominators, retained, dominated)
                })
            },
            || {
                let far = timed(|| distances::distances(g, &weak_maps));
                let names = timed(|| {
                    let interfaces = classes::infer_interfaces(g);
                    let classes = ClassKeys::compute(g, &dom, &interfaces);
                    (interfaces, classes)
                });
                let side = beside(&Early {
                    graph: g,
                    retainers: &retainers,
                    dom: &dom,
                    self_size: &self_size,
                    classes: &names.0.1,
                });
                (far, names, side)
            },
        );
        let ((dominators, retained, dominated), dominators_took) = tree;
        let (distance, distances_took) = far;
        let ((interfaces, classes), classes_took) = names;
        drop((essential, retainer_essential));
        done(&[
            ("dominators", dominators_took),
            ("distances", distances_took),
            ("classes", classes_took),
        ]);

        let mut problems = Vec::new();
        if dominators.unreachable_from_root > 0 {
            problems.push(format!(
                "Heap snapshot: {} nodes are unreachable from the root.",
                dominators.unreachable_from_root
            ));
        }
        if dominators.unreachable_cycles > 0 {
            problems.push(format!(
                "Heap snapshot: Still found {} unreachable nodes.",
                dominators.unreachable_cycles
            ));
        }
        let analysis = Analysis {
            graph,
            retainers,
            dom,
            self_size,
            dominators,
            dominated,
            retained,
            distance,
            interfaces,
            classes,
            problems,
            timings,
        };
        Ok((analysis, side))
    }

    /// DevTools' total: the root's retained size plus `extra_native_bytes`.
    pub fn total_size(&self) -> u64 {
        self.retained[self.graph.root.index()].saturating_add(self.graph.extra_native_bytes)
    }

    /// The Summary view: every class of every object.
    pub fn summary(&self) -> Vec<summary::ClassRow> {
        summary::class_rows(self, &self.classes, |_| true)
    }

    /// The names of the Summary view's rows (see [`summary::row_names`]).
    pub fn class_names(&self) -> rustc_hash::FxHashSet<String> {
        summary::row_names(&self.graph, &self.classes, &self.self_size)
    }

    pub fn statistics(&self) -> summary::Statistics {
        summary::statistics(self)
    }

    /// Everything DevTools' Summary and Statistics views show of this snapshot.
    pub fn summarize(&self) -> SnapshotSummary {
        let (classes, statistics) = rayon::join(|| self.summary(), || self.statistics());
        SnapshotSummary {
            node_count: self.graph.node_count() as u64,
            edge_count: self.graph.edge_count() as u64,
            total_size: self.total_size(),
            max_js_object_id: self.graph.max_js_object_id(),
            statistics,
            problems: self.problems.clone(),
            classes,
        }
    }
}

/// DevTools' Summary view of one snapshot, with its Statistics and problems.
#[derive(Debug, Clone)]
pub struct SnapshotSummary {
    pub node_count: u64,
    pub edge_count: u64,
    pub total_size: u64,
    pub max_js_object_id: u32,
    pub statistics: summary::Statistics,
    pub problems: Vec<String>,
    /// Every class, in DevTools' order.
    pub classes: Vec<summary::ClassRow>,
}
