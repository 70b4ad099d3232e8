//! Reading and analysing snapshots with feedback on stderr: a spinner naming the current step
//! when stderr is a terminal, phase timings with `--verbose`. No analysis logic of its own.

use std::path::Path;
use std::time::{Duration, Instant};

use crate::analysis::Analysis;
use crate::error::Result;
use crate::graph::HeapGraph;
use crate::sources::SourceMaps;

/// How the work is reported on stderr, and how graphs are taken as read.
#[derive(Debug, Clone, Copy)]
pub struct Feedback {
    /// Replace heap strings by placeholders as each graph is read (`--redact`).
    pub redact: bool,
    /// The source maps every graph's sites are mapped through (one set for the whole run).
    pub sources: &'static SourceMaps,
    /// Time each phase (`--verbose`).
    pub verbose: bool,
    /// A spinner naming the current phase (stderr is a terminal and `--quiet` was not given).
    pub spinner: bool,
}

impl Default for Feedback {
    fn default() -> Feedback {
        Feedback {
            redact: false,
            sources: SourceMaps::shared_local(),
            verbose: false,
            spinner: false,
        }
    }
}

impl Feedback {
    /// The same feedback without a spinner (for work beside a step that shows one).
    pub fn quiet(self) -> Feedback {
        Feedback {
            spinner: false,
            ..self
        }
    }

    /// With `--verbose`, how long each step of the leak engine took.
    pub fn steps_took(self, steps: &[(&'static str, Duration)]) {
        if self.verbose {
            for (name, took) in steps {
                eprintln!("{name} in {took:.3?}");
            }
        }
    }

    /// With `--verbose`, how long the report (classes, clusters, retainer paths) took.
    pub fn report_took(self, took: Duration) {
        if self.verbose {
            eprintln!("report in {took:.3?}{}", memory_note());
        }
    }

    /// With `--verbose`: how long rendering the report (table, JSON, markdown, HTML) took.
    pub fn render_took(self, took: Duration) {
        if self.verbose {
            eprintln!("rendered in {took:.3?}");
        }
    }
}

/// The process's memory now and at its peak so far (Linux `/proc/self/status`), for
/// `--verbose`: ` (612 MB resident, peak 943 MB)`, or nothing where the kernel does not say.
fn memory_note() -> String {
    let Ok(status) = std::fs::read_to_string("/proc/self/status") else {
        return String::new();
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|line| line.strip_prefix(name))
            .and_then(|rest| rest.trim().strip_suffix("kB"))
            .and_then(|kb| kb.trim().parse::<u64>().ok())
    };
    match (field("VmRSS:"), field("VmHWM:")) {
        (Some(now), Some(peak)) => {
            format!(" ({} MB resident, peak {} MB)", now / 1024, peak / 1024)
        }
        _ => String::new(),
    }
}

/// A spinner naming the file and its current step, when `feedback` asks for one.
fn spinner(path: &Path, feedback: Feedback) -> Option<indicatif::ProgressBar> {
    feedback.spinner.then(|| {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        bar.set_message(format!("{}: reading", path.display()));
        bar
    })
}

/// Reads a snapshot into its graph (no analysis).
pub fn load(path: &Path, feedback: Feedback) -> Result<HeapGraph> {
    let spinner = spinner(path, feedback);
    let graph = read_timed(path, feedback);
    if let Some(bar) = &spinner {
        bar.finish_and_clear();
    }
    graph
}

fn read_timed(path: &Path, feedback: Feedback) -> Result<HeapGraph> {
    let start = Instant::now();
    let mut graph = crate::read::load(path)?;
    graph.source_maps = feedback.sources;
    if feedback.redact {
        crate::redact::redact_graph(&mut graph);
    }
    if feedback.verbose {
        for (step, took) in &graph.timings {
            eprintln!("{}: {step} in {took:.3?}", path.display());
        }
        eprintln!(
            "{}: read in {:.3?}{}",
            path.display(),
            start.elapsed(),
            memory_note()
        );
    }
    Ok(graph)
}

/// Reads and analyses a snapshot.
pub fn analyse(path: &Path, feedback: Feedback) -> Result<Analysis> {
    let spinner = spinner(path, feedback);
    let analysis = read_timed(path, feedback).and_then(|graph| {
        let started = Instant::now();
        run_phases(path, graph, &spinner, |_| ()).map(|done| (done, started.elapsed()))
    });
    finish(path, spinner, feedback, analysis).map(|(analysis, ())| analysis)
}

/// Analyses a snapshot read by [`load`], running `beside` on its early results while its
/// dominator tree is computed (see [`Analysis::run_beside`]).
pub fn analyse_loaded<T: Send>(
    path: &Path,
    graph: HeapGraph,
    feedback: Feedback,
    beside: impl FnOnce(&crate::analysis::Early<'_>) -> T + Send,
) -> Result<(Analysis, T)> {
    let spinner = spinner(path, feedback);
    let started = Instant::now();
    let result = run_phases(path, graph, &spinner, |early| {
        let side = beside(early);
        (side, started.elapsed())
    })
    .map(|done| (done, started.elapsed()));
    let (analysis, (side, took)) = finish(path, spinner, feedback, result)?;
    if feedback.verbose {
        eprintln!(
            "{}: work beside the dominators done at {took:.3?}",
            path.display()
        );
    }
    Ok((analysis, side))
}

fn run_phases<T: Send>(
    path: &Path,
    graph: HeapGraph,
    spinner: &Option<indicatif::ProgressBar>,
    beside: impl FnOnce(&crate::analysis::Early<'_>) -> T + Send,
) -> Result<(Analysis, T)> {
    Analysis::run_beside(
        graph,
        &mut |phase| {
            if let Some(bar) = spinner {
                bar.set_message(format!("{}: {phase} done", path.display()));
            }
        },
        beside,
    )
    .map_err(|e| e.with_path(path))
}

/// Clears the spinner and, with `--verbose`, prints the phase timings and how long the
/// analysis took in all (`took`: phases overlap, so it is not their sum).
fn finish<T>(
    path: &Path,
    spinner: Option<indicatif::ProgressBar>,
    feedback: Feedback,
    result: Result<((Analysis, T), Duration)>,
) -> Result<(Analysis, T)> {
    if let Some(bar) = &spinner {
        bar.finish_and_clear();
    }
    let (result, took) = result?;
    if feedback.verbose {
        for (phase, took) in &result.0.timings {
            eprintln!("{}: {phase} in {took:.3?}", path.display());
        }
        eprintln!(
            "{}: analysed in {took:.3?}{}",
            path.display(),
            memory_note()
        );
    }
    Ok(result)
}
