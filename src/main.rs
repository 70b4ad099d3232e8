//! The heapdiff binary: parses arguments, calls the library, prints, maps results to exit codes.

mod cli;

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use clap::{CommandFactory, Parser};

use cli::{Cli, Command, DiffArgs, Format, Sort, SummaryArgs};
use heapdiff::analysis::diff::Baseline;
use heapdiff::analysis::{Analysis, series};
use heapdiff::graph::HeapGraph;
use heapdiff::report::budget::Budget;
use heapdiff::report::table::TableOptions;
use heapdiff::report::{
    self, DiffOptions, DiffReport, SeriesReport, SnapshotInfo, SortKey, SummaryReport,
};

/// Exit status when a budget is exceeded.
const EXIT_OVER_BUDGET: u8 = 1;
/// Exit status for an error (bad usage or unreadable input); clap uses 2 for usage errors too.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("heapdiff: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn feedback(cli: &Cli) -> Feedback {
    Feedback {
        verbose: cli.verbose,
        spinner: !cli.quiet && !cli.verbose && std::io::stderr().is_terminal(),
    }
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Some(Command::Summary(args)) => summary(args, feedback(cli)),
        Some(Command::Completions { shell }) => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "heapdiff",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Man) => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
        None => snapshots(&cli.diff, feedback(cli)),
    }
}

/// How the work is reported on stderr.
#[derive(Clone, Copy)]
struct Feedback {
    /// Time each phase (`--verbose`).
    verbose: bool,
    /// A spinner naming the current phase: stderr is a terminal and `--quiet` was not given.
    spinner: bool,
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
fn load(path: &Path, feedback: Feedback) -> anyhow::Result<HeapGraph> {
    let spinner = spinner(path, feedback);
    let graph = read_timed(path, feedback);
    if let Some(bar) = &spinner {
        bar.finish_and_clear();
    }
    graph
}

fn read_timed(path: &Path, feedback: Feedback) -> anyhow::Result<HeapGraph> {
    let start = Instant::now();
    let graph = heapdiff::read::load(path)?;
    if feedback.verbose {
        for (step, took) in &graph.timings {
            eprintln!("{}: {step} in {took:.3?}", path.display());
        }
        eprintln!("{}: read in {:.3?}", path.display(), start.elapsed());
    }
    Ok(graph)
}

/// Reads and analyses a snapshot.
fn analyse(path: &Path, feedback: Feedback) -> anyhow::Result<Analysis> {
    let spinner = spinner(path, feedback);
    let analysis = read_timed(path, feedback).and_then(|graph| {
        Analysis::run_with_progress(graph, &mut |phase| {
            if let Some(bar) = &spinner {
                bar.set_message(format!("{}: {phase} done", path.display()));
            }
        })
        .map_err(|e| e.with_path(path).into())
    });
    if let Some(bar) = &spinner {
        bar.finish_and_clear();
    }
    let analysis = analysis?;
    if feedback.verbose {
        for (phase, took) in &analysis.timings {
            eprintln!("{}: {phase} in {took:.3?}", path.display());
        }
    }
    Ok(analysis)
}

/// With `--verbose`, how long the report (classes, clusters, retainer paths) took to build.
fn report_timed(started: Instant, feedback: Feedback) {
    if feedback.verbose {
        eprintln!("report in {:.3?}", started.elapsed());
    }
}

/// Writes `text` to stdout, or atomically to `output` (a temporary file renamed into place).
fn emit(text: &str, output: Option<&Path>) -> anyhow::Result<()> {
    match output {
        None => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .context("writing the report")?;
        }
        Some(path) => {
            let dir = match path.parent() {
                Some(d) if !d.as_os_str().is_empty() => d,
                _ => Path::new("."),
            };
            let name = path.file_name().context("--output needs a file name")?;
            let tmp = dir.join(format!(
                ".{}.{}.tmp",
                name.to_string_lossy(),
                std::process::id()
            ));
            std::fs::write(&tmp, text)
                .and_then(|()| std::fs::rename(&tmp, path))
                .inspect_err(|_| {
                    let _ = std::fs::remove_file(&tmp);
                })
                .with_context(|| format!("writing {}", path.display()))?;
        }
    }
    Ok(())
}

fn summary(args: &SummaryArgs, feedback: Feedback) -> anyhow::Result<ExitCode> {
    let analysis = analyse(&args.file, feedback)?;
    let started = Instant::now();
    let report = SummaryReport::new(&args.file.display().to_string(), &analysis);
    report_timed(started, feedback);
    let text = if args.json {
        report::json::to_string(&report)?
    } else {
        report::table::summary(&report, &table_options(args.top))
    };
    emit(&text, None)?;
    Ok(ExitCode::SUCCESS)
}

/// The snapshots named on the command line: files as given, or the snapshots in a directory.
fn snapshot_paths(args: &DiffArgs) -> anyhow::Result<Vec<PathBuf>> {
    let files = if args.files.len() == 1 && args.files[0].is_dir() {
        let dir = &args.files[0];
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .with_context(|| format!("reading {}", dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
                name.is_some_and(|n| {
                    n.ends_with(".heapsnapshot")
                        || n.ends_with(".heapsnapshot.gz")
                        || n.ends_with(".heaptimeline")
                })
            })
            .collect();
        found.sort();
        if found.len() < 2 {
            bail!(
                "{}: a directory needs at least two .heapsnapshot files, found {}",
                dir.display(),
                found.len()
            );
        }
        found
    } else {
        args.files.clone()
    };
    if files.len() < 2 {
        bail!("give at least two snapshots (BASE LATE), or a directory of them");
    }
    if files.iter().filter(|f| f.as_os_str() == "-").count() > 1 {
        bail!("only one snapshot can come from stdin ('-')");
    }
    for (i, a) in files.iter().enumerate() {
        for b in &files[i + 1..] {
            if same_file(a, b) {
                bail!(
                    "{} and {} are the same file: give snapshots taken at different times",
                    a.display(),
                    b.display()
                );
            }
        }
    }
    Ok(files)
}

fn snapshots(args: &DiffArgs, feedback: Feedback) -> anyhow::Result<ExitCode> {
    let files = snapshot_paths(args)?;
    let series = files.len() > 3 || (files.len() == 3 && args.series) || args.files[0].is_dir();
    if series {
        return series_report(args, &files, feedback);
    }
    let mut budgets = args.fail_if.clone();
    if let Some(size) = &args.fail_on_growth {
        budgets.insert(0, Budget::on_growth(size)?);
    }
    let options = DiffOptions {
        budgets,
        sort: match args.sort {
            Sort::Retained => SortKey::Retained,
            Sort::SelfSize => SortKey::SelfSize,
            Sort::Count => SortKey::Count,
        },
        compare: args.compare,
        show_churn: args.show_churn,
    };
    let base_path = &files[0];
    let late_path = &files[files.len() - 1];
    // With three snapshots the target only bounds the ids: its graph is dropped at once.
    let target = match &files[..] {
        [_, target, _] => {
            let graph = load(target, feedback)?;
            Some(SnapshotInfo::new(&target.display().to_string(), &graph))
        }
        _ => None,
    };
    // The base is analysed only for the Comparison view; the rest needs its ids alone. It is
    // read while the late snapshot is analysed, on the core that the late one's sequential
    // phases leave idle (without a spinner of its own: the late one's shows).
    let base_feedback = Feedback {
        spinner: false,
        ..feedback
    };
    let (base, late) = rayon::join(
        || -> anyhow::Result<Baseline> {
            Ok(if args.compare {
                Baseline::Analysed(Box::new(analyse(base_path, base_feedback)?))
            } else {
                Baseline::Loaded(Box::new(load(base_path, base_feedback)?))
            })
        },
        || analyse(late_path, feedback),
    );
    let (base, late) = (base?, late?);
    let started = Instant::now();
    let report = DiffReport::new(
        &base_path.display().to_string(),
        &base,
        target,
        &late_path.display().to_string(),
        &late,
        &options,
    );
    report_timed(started, feedback);
    check_strict(args, &report.warnings)?;
    let text = match args.format() {
        Format::Json => report::json::to_string(&report)?,
        Format::Markdown => report::markdown::diff(&report, args.top),
        Format::Table => report::table::diff(&report, &table_options(args.top)),
    };
    emit(&text, args.output.as_deref())?;
    for b in report.budgets.iter().filter(|b| b.exceeded) {
        eprintln!(
            "heapdiff: budget exceeded: {} (actual {}, limit {})",
            b.budget, b.actual, b.limit
        );
    }
    Ok(if report.over_budget() {
        ExitCode::from(EXIT_OVER_BUDGET)
    } else {
        ExitCode::SUCCESS
    })
}

/// Warnings go to stderr unless the report itself is on a terminal; `--strict` makes them
/// errors.
fn check_strict(args: &DiffArgs, warnings: &[String]) -> anyhow::Result<()> {
    if args.strict && !warnings.is_empty() {
        bail!("{} (--strict)", warnings.join("; "));
    }
    if args.format() != Format::Table || args.output.is_some() || !std::io::stdout().is_terminal() {
        for w in warnings {
            eprintln!("heapdiff: warning: {w}");
        }
    }
    Ok(())
}

fn series_report(
    args: &DiffArgs,
    files: &[PathBuf],
    feedback: Feedback,
) -> anyhow::Result<ExitCode> {
    if !args.fail_if.is_empty() || args.fail_on_growth.is_some() || args.compare {
        bail!("budgets and --compare apply to two or three snapshots, not to a series");
    }
    let mut infos = Vec::new();
    let mut classes = Vec::new();
    let mut clusters = Vec::new();
    let mut first_max_id = None;
    // One snapshot in memory at a time.
    for path in files {
        let analysis = analyse(path, feedback)?;
        let (c, k) = series::observe(&analysis, first_max_id);
        first_max_id.get_or_insert(analysis.graph.max_js_object_id());
        infos.push(SnapshotInfo::new(
            &path.display().to_string(),
            &analysis.graph,
        ));
        classes.push(c);
        clusters.push(k);
    }
    let report = SeriesReport::new(infos, &classes, &clusters);
    check_strict(args, &report.warnings)?;
    let text = match args.format() {
        Format::Json => report::json::to_string(&report)?,
        Format::Markdown => report::markdown::series(&report, args.top),
        Format::Table => report::table::series(&report, &table_options(args.top)),
    };
    emit(&text, args.output.as_deref())?;
    Ok(ExitCode::SUCCESS)
}

/// Whether two paths name one file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Table layout: `top` rows, fitted to the terminal's width when stdout is a terminal (tables
/// are not wrapped otherwise).
fn table_options(top: usize) -> TableOptions {
    let width = if std::io::stdout().is_terminal() {
        comfy_table::Table::new().width()
    } else {
        None
    };
    TableOptions { top, width }
}
