//! The heapdiff binary: parses arguments, calls the library, prints, maps results to exit codes.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::{Cli, Command};
use heapdiff::report::Format;
use heapdiff::report::table::TableOptions;
use heapdiff::session::{self, Feedback, Outcome};

/// Exit status when a budget is exceeded.
const EXIT_OVER_BUDGET: u8 = 1;
/// Exit status for an error (bad usage or unreadable input); clap uses 2 for usage errors too.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("heapdiff: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<heapdiff::Error>()
            .is_some_and(heapdiff::Error::is_broken_pipe)
            || e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn run(cli: &Cli) -> anyhow::Result<ExitCode> {
    let feedback = Feedback {
        verbose: cli.verbose,
        spinner: !cli.quiet && !cli.verbose && std::io::stderr().is_terminal(),
    };
    match &cli.command {
        Some(Command::Summary(args)) => {
            let mut request = args.request(layout(args.top));
            // `heapdiff --json summary FILE` asks for JSON too.
            request.json |= cli.diff.format() == cli::Format::Json;
            let outcome = session::summary(&request, feedback)?;
            session::output::write_report(&outcome.text, None)?;
            Ok(ExitCode::SUCCESS)
        }
        // Rendered in memory first: clap_complete panics on a closed pipe, the writer does not.
        Some(Command::Completions { shell }) => {
            let mut text = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "heapdiff", &mut text);
            session::output::write_report(&String::from_utf8_lossy(&text), None)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Man) => {
            let mut text = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut text)?;
            session::output::write_report(&String::from_utf8_lossy(&text), None)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let args = &cli.diff;
            let request = args.request(layout(args.top))?;
            let outcome = session::snapshots(&request, feedback)?;
            let report_on_terminal = request.format == Format::Table
                && request.output.is_none()
                && std::io::stdout().is_terminal();
            print_outcome(&outcome, report_on_terminal, request.output.as_deref())
        }
    }
}

/// Warnings on stderr (unless the report itself is on a terminal, where it shows them), then
/// the report, then each exceeded budget.
fn print_outcome(
    outcome: &Outcome,
    report_on_terminal: bool,
    output: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    if !report_on_terminal {
        for w in &outcome.warnings {
            eprintln!("heapdiff: warning: {w}");
        }
    }
    session::output::write_report(&outcome.text, output)?;
    for b in &outcome.exceeded {
        eprintln!(
            "heapdiff: budget exceeded: {} (actual {}, limit {})",
            b.budget, b.actual, b.limit
        );
    }
    Ok(if outcome.exceeded.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_OVER_BUDGET)
    })
}

/// Table layout: `top` rows, fitted to the terminal's width when stdout is a terminal (tables
/// are not wrapped otherwise).
fn layout(top: usize) -> TableOptions {
    let width = if std::io::stdout().is_terminal() {
        comfy_table::Table::new().width()
    } else {
        None
    };
    TableOptions { top, width }
}
