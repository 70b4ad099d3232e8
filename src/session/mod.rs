//! One command line's work, start to end: picks the snapshots and their roles (base, target,
//! final, series), reads and analyses them, runs the leak engine, renders the report. It never
//! prints the report nor decides the exit status: that is the binary's job.

mod baseline;
mod inputs;
pub mod output;
pub mod progress;

use std::path::PathBuf;
use std::time::Instant;

use crate::error::{Error, ErrorKind, Result};
use crate::leaks::between::Baseline;
use crate::leaks::budget::BudgetResult;
use crate::leaks::series::SeriesBuilder;
use crate::leaks::window::TimeWindow;
use crate::leaks::{self, DiffOptions, SnapshotFacts, Start};
use crate::report::Layout;
use crate::report::{self, DiffReport, Format, SeriesReport, SummaryReport};
pub use inputs::snapshot_paths;
pub use progress::Feedback;

/// `heapdiff summary FILE`.
#[derive(Debug, Clone)]
pub struct SummaryRequest {
    pub file: PathBuf,
    /// DevTools' Allocation view instead of classes (`--group-by stack`).
    pub by_stack: bool,
    /// Memory by npm package instead of classes (`--group-by package`).
    pub by_package: bool,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub layout: Layout,
}

/// `heapdiff SNAPSHOT…`: two snapshots (base, late), three (base, target, final) or a series.
#[derive(Debug, Clone)]
pub struct SnapshotsRequest {
    /// The files as given: two or more, or one directory.
    pub files: Vec<PathBuf>,
    /// Three snapshots are base, target and final with memlab's filter, not a series.
    pub memlab: bool,
    pub options: DiffOptions,
    /// Warnings about the snapshots become errors.
    pub strict: bool,
    pub format: Format,
    pub layout: Layout,
    /// Where the report goes (`None`: stdout); never one of the inputs.
    pub output: Option<PathBuf>,
    /// With one timeline recording: the window whose objects are new (`--between`).
    pub window: Option<TimeWindow>,
    /// Known leaks to check the findings against (`--baseline`).
    pub baseline: Option<PathBuf>,
    /// Where to write this run's findings as known leaks (`--write-baseline`).
    pub write_baseline: Option<PathBuf>,
    /// The process's RSS over time (`--rss-log`).
    pub rss_log: Option<PathBuf>,
}

/// A rendered report and what the binary reports beside it.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub text: String,
    /// Problems with the snapshots (also in the report).
    pub warnings: Vec<String>,
    /// The budgets that were exceeded.
    pub exceeded: Vec<BudgetResult>,
}

/// DevTools' Summary view of one snapshot.
pub fn summary(request: &SummaryRequest, feedback: Feedback) -> Result<Outcome> {
    let analysis = progress::analyse(&request.file, feedback)?;
    let started = Instant::now();
    let mut report = SummaryReport::new(&request.file.display().to_string(), &analysis.summarize());
    if request.by_stack {
        require_stacks(&analysis.graph, &request.file)?;
        let (tops, untraced) = leaks::allocation_sites::allocation_view(&analysis);
        report = report.with_allocation_view(&tops, untraced);
    }
    if request.by_package {
        report.packages = Some(leaks::packages::totals(&analysis, request.layout.top));
    }
    report.redacted = feedback.redact;
    report.source_notes = feedback.sources.notes();
    match crate::read::memory::read_beside(&request.file) {
        Some(Ok(memory)) => report.process = Some(memory),
        Some(Err(note)) => report.notes.push(note),
        None => {}
    }
    feedback.report_took(started.elapsed());
    let text = match request.format {
        Format::Json => report::json::to_string(&report)?,
        Format::Markdown => report::markdown::summary(&report, &request.layout),
        Format::Html => report::html::summary(&report, &request.layout),
        Format::Table => report::fit::fit_lines(
            &report::table::summary(&report, &request.layout),
            request.layout.width,
        ),
        Format::Sarif => {
            return Err(Error::new(ErrorKind::Usage(
                "--format sarif reports findings: give two or more snapshots".to_string(),
            )));
        }
    };
    Ok(Outcome {
        text,
        warnings: Vec::new(),
        exceeded: Vec::new(),
    })
}

/// The report on two or more snapshots.
pub fn snapshots(request: &SnapshotsRequest, feedback: Feedback) -> Result<Outcome> {
    // The baseline is read first: a file that cannot be used stops the check before the
    // snapshots are read.
    let with_known;
    let request = match &request.baseline {
        Some(path) => {
            let mut owned = request.clone();
            owned.options.known = Some(baseline::read(path)?);
            with_known = owned;
            &with_known
        }
        None => request,
    };
    if let Some(window) = &request.window {
        return recording(request, window, feedback);
    }
    let files = snapshot_paths(&request.files)?;
    for output in request.output.iter().chain(&request.write_baseline) {
        inputs::check_output(output, &files)?;
    }
    let is_dir = request.files.first().is_some_and(|f| f.is_dir());
    if request.memlab && files.len() != 3 {
        return Err(Error::new(ErrorKind::Usage(format!(
            "--memlab takes three snapshots (BASE TARGET FINAL), not {}",
            files.len()
        ))));
    }
    if (files.len() >= 3 && !request.memlab) || is_dir {
        return series(request, &files, feedback);
    }
    let options = &request.options;
    let (base_path, late_path) = (&files[0], &files[files.len() - 1]);
    // With three snapshots the target only bounds the ids: its graph is dropped at once.
    let target = match &files[..] {
        [_, target, _] => {
            let graph = progress::load(target, feedback)?;
            Some(SnapshotFacts::of(&target.display().to_string(), &graph))
        }
        _ => None,
    };
    // The base is analysed only for the Comparison view; the rest needs its ids alone. It is
    // read while the late snapshot is read (without a spinner of its own: the late one's
    // shows), so that the new objects' ids are known when the late analysis starts: they are
    // keyed on the core that its dominator tree leaves idle.
    let (base, late) = rayon::join(
        || -> Result<Baseline> {
            Ok(if options.compare || options.by_package {
                Baseline::Analysed(Box::new(progress::analyse(base_path, feedback.quiet())?))
            } else {
                Baseline::Loaded(Box::new(progress::load(base_path, feedback.quiet())?))
            })
        },
        || progress::load(late_path, feedback),
    );
    let (base, late) = (base?, late?);
    if options.by_stack {
        require_stacks(&late, late_path)?;
    }
    let min_id = base.graph().max_js_object_id();
    let max_id = target
        .as_ref()
        .map_or_else(|| late.max_js_object_id(), |t| t.max_js_object_id);
    let (late, prepared) = progress::analyse_loaded(late_path, late, feedback, |early| {
        leaks::prepare(early, min_id, max_id)
    })?;
    let started = Instant::now();
    let base_name = base_path.display().to_string();
    let mut diff = leaks::diff(
        Start::Snapshot(&base_name, &base),
        target,
        (&late_path.display().to_string(), &late),
        Some(prepared),
        options,
    )
    .map_err(|e| Error::new(ErrorKind::Usage(e.to_string())))?;
    could_not_check(options, &diff.warnings)?;
    diff.base.file_size = file_size(base_path);
    diff.late.file_size = file_size(late_path);
    diff.base.read_process_memory(base_path);
    diff.late.read_process_memory(late_path);
    if let Some(log) = read_rss_log(request)? {
        diff.base.place_on(&log);
        diff.late.place_on(&log);
    }
    if let (Some(t), [_, path, _]) = (&mut diff.target, &files[..]) {
        t.file_size = file_size(path);
    }
    render_diff(request, &diff, started, feedback)
}

/// `heapdiff RECORDING --between FROM..TO`: the objects one allocation-timeline recording
/// allocated in a time window and still holds at its end.
fn recording(
    request: &SnapshotsRequest,
    window: &TimeWindow,
    feedback: Feedback,
) -> Result<Outcome> {
    let [file] = &request.files[..] else {
        return Err(Error::new(ErrorKind::Usage(format!(
            "--between takes one allocation-timeline recording, not {} files",
            request.files.len()
        ))));
    };
    if let Some(output) = &request.output {
        inputs::check_output(output, std::slice::from_ref(file))?;
    }
    let late = progress::load(file, feedback)?;
    let samples = late.allocations.as_ref().map(|a| a.samples.as_slice());
    let Some((min_id, max_id)) = window.ids(samples.unwrap_or_default()) else {
        return Err(Error::new(ErrorKind::Usage(format!(
            "{} has no timeline samples: --between needs a recording of DevTools' \
             \"Allocations on timeline\" (HeapProfiler.startTrackingHeapObjects)",
            file.display()
        ))));
    };
    if request.options.by_stack {
        require_stacks(&late, file)?;
    }
    let (late, prepared) = progress::analyse_loaded(file, late, feedback, |early| {
        leaks::prepare(early, min_id, max_id)
    })?;
    let started = Instant::now();
    let start = Start::Window {
        min_id,
        max_id,
        label: window.label(),
    };
    let mut diff = leaks::diff(
        start,
        None,
        (&file.display().to_string(), &late),
        Some(prepared),
        &request.options,
    )
    .map_err(|e| Error::new(ErrorKind::Usage(e.to_string())))?;
    diff.late.file_size = file_size(file);
    diff.base.file_size = diff.late.file_size;
    render_diff(request, &diff, started, feedback)
}

/// `--group-by stack` needs allocation stacks.
fn require_stacks(g: &crate::graph::HeapGraph, file: &std::path::Path) -> Result<()> {
    match &g.allocations {
        Some(_) => Ok(()),
        None => Err(Error::new(ErrorKind::Usage(format!(
            "{} has no allocation stacks: write it with `node --track-heap-objects` or \
             DevTools' \"Allocations on timeline\" to group by stack",
            file.display()
        )))),
    }
}

/// Renders a diff's report in the requested format.
fn render_diff(
    request: &SnapshotsRequest,
    diff: &leaks::Diff,
    started: Instant,
    feedback: Feedback,
) -> Result<Outcome> {
    if let Some(path) = &request.write_baseline {
        baseline::write(path, &diff.findings)?;
    }
    let mut report = DiffReport::new(diff);
    report.redacted = feedback.redact;
    report.source_notes = feedback.sources.notes();
    feedback.steps_took(&diff.timings);
    feedback.report_took(started.elapsed());
    check_strict(request, &diff.warnings)?;
    let rendering = Instant::now();
    let text = match request.format {
        Format::Json => report::json::to_string(&report)?,
        Format::Markdown => report::markdown::diff(&report, &request.layout),
        Format::Html => report::html::diff(&report, &request.layout),
        Format::Table => report::table::diff(&report, &request.layout)
            .map(|text| report::fit::fit_lines(&text, request.layout.width))
            .map_err(|e| Error::new(ErrorKind::Usage(e)))?,
        Format::Sarif => report::sarif::diff(&report, request.layout.cwd.as_deref()),
    };
    feedback.render_took(rendering.elapsed());
    Ok(Outcome {
        text,
        warnings: diff.warnings.clone(),
        exceeded: diff
            .budgets
            .iter()
            .filter(|b| b.exceeded)
            .cloned()
            .collect(),
    })
}

/// A budget is only ever met on snapshots that can be compared: with budgets, any warning
/// about the snapshots (wrong order, other processes, other V8 versions) means heapdiff could
/// not check, which is exit status 2, never a pass.
/// The size of a snapshot file as read (unknown for stdin).
/// `--rss-log FILE`, read; a file that cannot be read or parsed is a usage error (exit 2).
fn read_rss_log(request: &SnapshotsRequest) -> Result<Option<crate::read::rss_log::RssLog>> {
    let Some(path) = &request.rss_log else {
        return Ok(None);
    };
    let usage = |e: String| {
        Error::new(ErrorKind::Usage(format!(
            "--rss-log {}: {e}",
            path.display()
        )))
    };
    let text = std::fs::read_to_string(path).map_err(|e| usage(e.to_string()))?;
    crate::read::rss_log::RssLog::parse(&text)
        .map(Some)
        .map_err(usage)
}

fn file_size(path: &std::path::Path) -> Option<u64> {
    if path.as_os_str() == "-" {
        return None;
    }
    std::fs::metadata(path).ok().map(|m| m.len())
}

fn could_not_check(options: &DiffOptions, warnings: &[String]) -> Result<()> {
    if (options.budgets.is_empty() && options.known.is_none()) || warnings.is_empty() {
        return Ok(());
    }
    Err(Error::new(ErrorKind::Usage(format!(
        "could not check the budgets: {}",
        warnings.join("; ")
    ))))
}

/// With `--strict`, warnings about the snapshots are an error.
fn check_strict(request: &SnapshotsRequest, warnings: &[String]) -> Result<()> {
    if request.strict && !warnings.is_empty() {
        return Err(Error::new(ErrorKind::Usage(format!(
            "{} (--strict)",
            warnings.join("; ")
        ))));
    }
    Ok(())
}

/// The largest snapshot a series reads while it observes the one before (bytes of the file).
const SERIES_OVERLAP_BYTES: u64 = 512 << 20;

/// A series: every snapshot analysed in turn, one analysis in memory at a time (and the next
/// one's graph, for files of up to [`SERIES_OVERLAP_BYTES`]).
fn series(request: &SnapshotsRequest, files: &[PathBuf], feedback: Feedback) -> Result<Outcome> {
    let options = &request.options;
    if options.compare {
        return Err(Error::new(ErrorKind::Usage(
            "--compare applies to two snapshots, not to a series".to_string(),
        )));
    }
    let mut builder = SeriesBuilder::new(options.by_package);
    let mut next = Some(progress::load(&files[0], feedback)?);
    for (i, path) in files.iter().enumerate() {
        let graph = next.take().expect("each snapshot is read before its turn");
        let (analysis, ()) = progress::analyse_loaded(path, graph, feedback, |_| ())?;
        // The next snapshot is read while this one is observed, when it is small enough
        // that holding its graph beside this analysis costs little memory.
        let following = files.get(i + 1);
        let overlap = following.filter(|p| file_size(p).is_some_and(|b| b <= SERIES_OVERLAP_BYTES));
        let (observed, read) = rayon::join(
            || {
                crate::analysis::timed(|| {
                    builder.observe(&path.display().to_string(), &analysis, following.is_none())
                })
                .1
            },
            || overlap.map(|p| progress::load(p, feedback.quiet())),
        );
        if feedback.verbose {
            eprintln!("{}: trends and findings in {observed:.3?}", path.display());
        }
        drop(analysis);
        next = match (read, following) {
            (Some(graph), _) => Some(graph?),
            (None, Some(p)) => Some(progress::load(p, feedback)?),
            (None, None) => None,
        };
    }
    let (series, finished) = crate::analysis::timed(|| builder.finish(options));
    feedback.steps_took(&[("series totals, budgets", finished)]);
    let mut series = series.map_err(|e| Error::new(ErrorKind::Usage(e.to_string())))?;
    could_not_check(options, &series.warnings)?;
    for (facts, path) in series.snapshots.iter_mut().zip(files) {
        facts.file_size = file_size(path);
        facts.read_process_memory(path);
    }
    if let Some(log) = read_rss_log(request)? {
        for facts in &mut series.snapshots {
            facts.place_on(&log);
        }
    }
    if let Some(path) = &request.write_baseline {
        baseline::write(path, &series.findings)?;
    }
    let mut report = SeriesReport::new(&series);
    report.redacted = feedback.redact;
    report.source_notes = feedback.sources.notes();
    check_strict(request, &series.warnings)?;
    let text = match request.format {
        Format::Json => report::json::to_string(&report)?,
        Format::Markdown => report::markdown::series(&report, &request.layout),
        Format::Html => report::html::series(&report, &request.layout),
        Format::Table => report::fit::fit_lines(
            &report::table::series(&report, &request.layout),
            request.layout.width,
        ),
        Format::Sarif => report::sarif::series(&report, request.layout.cwd.as_deref()),
    };
    Ok(Outcome {
        text,
        warnings: series.warnings,
        exceeded: series.budgets.into_iter().filter(|b| b.exceeded).collect(),
    })
}
