//! The heapdiff binary: parses arguments, calls the library, prints, maps errors to exit codes.

mod cli;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

use cli::{Cli, Command, DiffArgs, Sort, SummaryArgs};
use heapdiff::analysis::Analysis;
use heapdiff::report::{
    self, DiffOptions, DiffReport, SortKey, SummaryReport, table::TableOptions,
};

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

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Some(Command::Summary(args)) => summary(args, cli.verbose),
        None => diff(&cli.diff, cli.verbose),
    }
}

fn analyse(path: &std::path::Path, verbose: bool) -> anyhow::Result<Analysis> {
    let start = std::time::Instant::now();
    let graph = heapdiff::read::load(path)?;
    if verbose {
        eprintln!("{}: read in {:.3?}", path.display(), start.elapsed());
    }
    let analysis = Analysis::run(graph);
    if verbose {
        for (phase, took) in &analysis.timings {
            eprintln!("{}: {phase} in {took:.3?}", path.display());
        }
    }
    Ok(analysis)
}

fn summary(args: &SummaryArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let analysis = analyse(&args.file, verbose)?;
    let report = SummaryReport::new(&args.file.display().to_string(), &analysis);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        report::json::write(&mut out, &report).context("writing the report")?;
    } else {
        let options = TableOptions {
            top: args.top,
            width: terminal_width(),
        };
        out.write_all(report::table::summary(&report, &options).as_bytes())
            .context("writing the report")?;
    }
    out.flush().context("writing the report")?;
    Ok(ExitCode::SUCCESS)
}

fn diff(args: &DiffArgs, verbose: bool) -> anyhow::Result<ExitCode> {
    let [base_path, late_path] = &args.files[..] else {
        anyhow::bail!("give two snapshots: BASE LATE");
    };
    if same_file(base_path, late_path) {
        eprintln!(
            "heapdiff: warning: {} and {} are the same file",
            base_path.display(),
            late_path.display()
        );
    }
    let base = analyse(base_path, verbose)?;
    let late = analyse(late_path, verbose)?;
    let options = DiffOptions {
        sort: match args.sort {
            Sort::Retained => SortKey::Retained,
            Sort::SelfSize => SortKey::SelfSize,
            Sort::Count => SortKey::Count,
        },
        compare: args.compare,
        show_churn: args.show_churn,
    };
    let report = DiffReport::new(
        &base_path.display().to_string(),
        &base,
        &late_path.display().to_string(),
        &late,
        &options,
    );
    if args.strict && !report.warnings.is_empty() {
        anyhow::bail!("{} (--strict)", report.warnings.join("; "));
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.json {
        report::json::write(&mut out, &report).context("writing the report")?;
    } else {
        if !std::io::stdout().is_terminal() {
            for w in &report.warnings {
                eprintln!("heapdiff: warning: {w}");
            }
        }
        let options = TableOptions {
            top: args.top,
            width: terminal_width(),
        };
        out.write_all(report::table::diff(&report, &options).as_bytes())
            .context("writing the report")?;
    }
    out.flush().context("writing the report")?;
    Ok(ExitCode::SUCCESS)
}

/// Whether two paths name one file (same device and inode where the platform says).
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// The terminal's width when stdout is a terminal; tables are not wrapped otherwise.
fn terminal_width() -> Option<u16> {
    if std::io::stdout().is_terminal() {
        comfy_table::Table::new().width()
    } else {
        None
    }
}
