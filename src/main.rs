//! The heapdiff binary: parses arguments, calls the library, prints, maps results to exit codes.

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::{Cli, Command};
use heapdiff::report::Format;
use heapdiff::report::Layout;
use heapdiff::report::layout::budget_number;
use heapdiff::session::{self, Feedback, Outcome};
use heapdiff::sources::SourceMaps;

/// Exit status when a budget is exceeded.
const EXIT_OVER_BUDGET: u8 = 1;
/// Exit status for an error (bad usage or unreadable input); clap uses 2 for usage errors too.
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) if !e.use_stderr() => e.exit(),
        Err(e) => {
            eprint!("{}", short_usage_error(&e));
            return ExitCode::from(EXIT_ERROR);
        }
    };
    match run(&cli) {
        Ok(code) => code,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("heapdiff: {err:#}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}

/// A usage error in two or three lines (clap's takes five to seven): what is wrong, clap's
/// tip or the missing arguments, and where to read more.
fn short_usage_error(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let first = lines.next().unwrap_or("bad arguments");
    let mut out = format!(
        "heapdiff: {}\n",
        first.strip_prefix("error: ").unwrap_or(first)
    );
    for line in lines {
        if line.starts_with("For more information") {
            continue;
        } else if let Some(usage) = line.strip_prefix("Usage: ") {
            out.push_str(&format!(
                "usage: {usage} (heapdiff --help lists every option)\n"
            ));
        } else {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}

/// The source maps of this run: none, the local ones, or those and a folder's.
fn source_maps(output: &cli::OutputArgs) -> anyhow::Result<&'static SourceMaps> {
    if output.no_source_maps {
        return Ok(SourceMaps::shared_off());
    }
    let Some(dir) = &output.source_maps else {
        return Ok(SourceMaps::shared_local());
    };
    if !dir.is_dir() {
        return Err(usage(format!(
            "--source-maps {}: not a folder",
            dir.display()
        )));
    }
    // Absolute, so that the sources its maps name relative to them are too. One per process,
    // alive as long as it.
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
    Ok(Box::leak(Box::new(SourceMaps::with_folder(dir))))
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
    cli.check_subcommand().map_err(usage)?;
    if let Some(n) = cli.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n as usize)
            .build_global()
            .map_err(|e| usage(format!("--threads {n}: {e}")))?;
    }
    let feedback = Feedback {
        redact: cli.output.redact,
        sources: source_maps(&cli.output)?,
        verbose: cli.verbose,
        spinner: !cli.quiet && !cli.verbose && std::io::stderr().is_terminal(),
    };
    match &cli.command {
        Some(Command::Summary(args)) => {
            let request = args
                .request(&cli.output, layout(&cli.output, 25))
                .map_err(usage)?;
            let outcome = session::summary(&request, feedback)?;
            session::output::write_report(&outcome.text, request.output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Capture(args)) => capture(cli, args, feedback),
        Some(Command::Mcp) => {
            heapdiff::mcp::serve_stdio()?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Redact(args)) => {
            let started = std::time::Instant::now();
            if cli.output.output.as_deref() == Some(std::path::Path::new("-")) {
                let stdout = std::io::stdout();
                let mut out = std::io::BufWriter::with_capacity(1 << 20, stdout.lock());
                let done = heapdiff::redact::write_redacted_to(&args.file, &mut out)?;
                warn_of_token_like_names(&done);
                return Ok(ExitCode::SUCCESS);
            }
            let output = cli.output.file().ok_or_else(|| {
                usage(
                    "redact writes a file: heapdiff redact IN -o OUT (.gz to compress; \
                     -o - for stdout)"
                        .to_string(),
                )
            })?;
            let done = heapdiff::redact::write_redacted(&args.file, &output)?;
            if !cli.quiet {
                eprintln!(
                    "heapdiff: wrote {} ({} nodes; {} strings replaced, of which {} dictionary keys; \
                     {} split from a name) in {:.1?}",
                    output.display(),
                    done.nodes,
                    done.replaced,
                    done.hidden_keys,
                    done.split,
                    started.elapsed()
                );
            }
            warn_of_token_like_names(&done);
            Ok(ExitCode::SUCCESS)
        }
        // Rendered in memory first: clap_complete panics on a closed pipe, the writer does not.
        Some(Command::Completions { shell }) => {
            let mut text = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "heapdiff", &mut text);
            session::output::write_report(&String::from_utf8_lossy(&text), None)?;
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Man { subcommand }) => {
            let mut text = Vec::new();
            let command = Cli::command();
            let page = match subcommand {
                None => command,
                Some(name) => {
                    let sub = command.find_subcommand(name).cloned().ok_or_else(|| {
                        let names: Vec<&str> =
                            command.get_subcommands().map(|c| c.get_name()).collect();
                        usage(format!(
                            "man {name}: no such subcommand (one of {})",
                            names.join(", ")
                        ))
                    })?;
                    // clap names commands with static strings; this runs once.
                    let title: &'static str = Box::leak(format!("heapdiff-{name}").into());
                    sub.name(title).bin_name(title)
                }
            };
            clap_mangen::Man::new(page).render(&mut text)?;
            session::output::write_report(&String::from_utf8_lossy(&text), None)?;
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let args = &cli.diff;
            let mut layout = layout(&cli.output, 20);
            layout.paths = args.paths;
            layout.min_size = args.min_size();
            layout.cluster = args.cluster.clone();
            if let Some(root) = &args.source_root {
                layout.cwd = Some(root.clone());
            }
            let request = args.request(&cli.output, layout).map_err(usage)?;
            if args.cluster.is_some() && request.format != Format::Table {
                return Err(usage(
                    "--cluster shows one cluster as text; --json has every cluster".to_string(),
                ));
            }
            let outcome = session::snapshots(&request, feedback)?;
            let report_on_terminal = request.format == Format::Table
                && request.output.is_none()
                && std::io::stdout().is_terminal();
            print_outcome(&outcome, report_on_terminal, request.output.as_deref())
        }
    }
}

/// `heapdiff capture`: the snapshots, then the report on them (a pair or a series).
fn capture(cli: &Cli, args: &cli::CaptureArgs, feedback: Feedback) -> anyhow::Result<ExitCode> {
    use std::sync::atomic::{AtomicBool, Ordering};
    static STOP: AtomicBool = AtomicBool::new(false);
    static CAPTURING: AtomicBool = AtomicBool::new(true);
    // Ctrl-C while capturing ends the capture (the report follows); a second one, or one
    // during the report, quits as Ctrl-C does.
    let _ = ctrlc::set_handler(|| {
        if !CAPTURING.load(Ordering::Relaxed) || STOP.swap(true, Ordering::Relaxed) {
            std::process::exit(130);
        }
    });
    let request = heapdiff::capture::CaptureRequest {
        target: match (&args.inspect, args.pid) {
            (Some((host, port)), _) => heapdiff::capture::Target::Inspect {
                host: host.clone(),
                port: *port,
            },
            (None, Some(pid)) => heapdiff::capture::Target::Pid(pid),
            (None, None) => return Err(usage("give --inspect HOST:PORT or --pid PID".to_string())),
        },
        every: args.every,
        count: args.count as usize,
        dir: args.out.clone(),
        gc: !args.no_gc,
        track_allocations: args.track_allocations,
    };
    let quiet = cli.quiet;
    let files = heapdiff::capture::capture(&request, &STOP, &mut |line| {
        if !quiet {
            eprintln!("heapdiff: {line}");
        }
    })?;
    CAPTURING.store(false, Ordering::Relaxed);
    let interrupted = STOP.load(Ordering::Relaxed);
    if files.len() < 2 {
        eprintln!(
            "heapdiff: {} in {}{}; a report needs two",
            match files.len() {
                0 => "no snapshot".to_string(),
                _ => "1 snapshot".to_string(),
            },
            args.out.display(),
            if interrupted { " (interrupted)" } else { "" }
        );
        return Ok(if files.is_empty() {
            ExitCode::from(EXIT_ERROR)
        } else {
            ExitCode::SUCCESS
        });
    }
    // The report options given before `capture` apply to its report.
    let diff = cli::DiffArgs {
        files,
        ..cli.diff.clone()
    };
    let mut layout = layout(&cli.output, 20);
    layout.cwd = std::env::current_dir().ok();
    let request = diff.request(&cli.output, layout).map_err(usage)?;
    let outcome = session::snapshots(&request, feedback)?;
    let report_on_terminal = request.format == Format::Table
        && request.output.is_none()
        && std::io::stdout().is_terminal();
    print_outcome(&outcome, report_on_terminal, request.output.as_deref())
}

/// A usage error, reported like the library's (exit 2).
/// Property names a redacted copy keeps may still be secrets (an object keyed by token that V8
/// kept in fast mode): say how many look like one, never which.
fn warn_of_token_like_names(done: &heapdiff::redact::Redacted) {
    if done.token_like_kept > 0 {
        eprintln!(
            "heapdiff: warning: {} property names kept in the copy look like keys, ids or tokens \
             (long random-looking strings: names of fast-mode objects' properties, or keys that \
             code also names); check the copy before sharing it",
            done.token_like_kept
        );
    }
}

fn usage(message: String) -> anyhow::Error {
    heapdiff::Error::new(heapdiff::error::ErrorKind::Usage(message)).into()
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
            b.budget,
            budget_number(b.bytes, b.actual),
            budget_number(b.bytes, b.limit)
        );
    }
    Ok(if outcome.exceeded.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_OVER_BUDGET)
    })
}

/// The layout of a text report: `--top` rows (or `default_top`), fitted to `--width`, to the
/// terminal when stdout or stderr is one (or stdin, piped into a pager), or to `$COLUMNS` when it is set; unfitted otherwise. Scripts
/// below the current directory are shown relative to it.
fn layout(out: &cli::OutputArgs, default_top: usize) -> Layout {
    let width = out.width.or_else(|| {
        // Piped into `head` or `less` from a terminal, stderr is still that terminal; with
        // `2>&1 | less`, stdin is.
        if std::io::stdout().is_terminal()
            || std::io::stderr().is_terminal()
            || (std::io::stdin().is_terminal() && stdout_is_pipe())
        {
            terminal_width()
        } else {
            std::env::var("COLUMNS")
                .ok()
                .and_then(|c| c.trim().parse::<u16>().ok())
                .filter(|&w| w >= 40)
        }
    });
    Layout {
        top: out.top.unwrap_or(default_top),
        width,
        cwd: std::env::current_dir().ok(),
        ..Layout::default()
    }
}

/// Whether stdout is a pipe (into a pager, say), not a file.
fn stdout_is_pipe() -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        std::fs::metadata("/dev/stdout").is_ok_and(|m| m.file_type().is_fifo())
    }
    #[cfg(not(unix))]
    {
        false
    }
}

/// The width of the controlling terminal (`/dev/tty`), if there is one.
fn terminal_width() -> Option<u16> {
    crossterm::terminal::size()
        .ok()
        .map(|(w, _)| w)
        .filter(|&w| w >= 40)
}
