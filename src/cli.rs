//! Command-line arguments (clap derive). Only `main.rs` uses this module.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use heapdiff::leaks::budget::{Budget, BudgetError, parse_size};
use heapdiff::leaks::window::TimeWindow;
use heapdiff::leaks::{DiffOptions, SortKey};
use heapdiff::report::Layout;
use heapdiff::session::{SnapshotsRequest, SummaryRequest};

mod requests;

const AFTER_HELP: &str = "\
Snapshots:
  2 files      BASE LATE: objects allocated between them, still alive in LATE
  3+ files, or a directory: a series; findings are the objects that grew at every step,
               with the trend of every class and cluster
  3 files with --memlab: BASE TARGET FINAL, memlab's filter: allocated between BASE and
               TARGET, still alive in FINAL

Budgets (--fail-if, repeatable; exit 1 when one is exceeded):
  new-retained>SIZE  new-self>SIZE  new-count>N  growth>SIZE
  class:NAME.count>N  class:NAME.self>SIZE  class:NAME.retained>SIZE
  cluster.count>N  cluster.self>SIZE  cluster.retained>SIZE
  series: growing.count>N  class:NAME.slope>N  class:NAME.count>N  growth>SIZE
  (>= works too; SIZE units: B, kB, KiB, MB, MiB, GB, GiB)

Reading paths (\"held by N/M PATH\": the retainer path of N of M sampled members):
  .x property   ->x variable of a scope   [] element   {x} internal field
  [key] entry of a dictionary-like object   … hops left out (engine internals; --json
  has every hop)   (system roots only) held by engine roots (stack, handles) alone
  ⊃ #N  this cluster's objects hold most of cluster N's (their sizes overlap)

Exit codes:
  0  success, every budget met
  1  a budget was exceeded
  2  could not check: usage error, a budget that names nothing, budgets on snapshots
     that cannot be compared, an input that cannot be read as a heap snapshot, or (with
     --strict) a suspicious set of snapshots

Examples:
  heapdiff base.heapsnapshot late.heapsnapshot
  heapdiff --fail-if 'new-retained>5MiB' --fail-if 'class:Function.count>1000' a.heapsnapshot b.heapsnapshot
  heapdiff --json base.heapsnapshot late.heapsnapshot.gz | jq '.clusters[0]'
  heapdiff --format markdown --output comment.md base.heapsnapshot late.heapsnapshot
  heapdiff snapshots/
  heapdiff summary app.heapsnapshot";

/// Finds memory leaks in V8 heap snapshots, with the numbers Chrome DevTools shows.
///
/// Given two snapshots of one process, shows what was allocated between them and is still
/// alive, grouped by class (DevTools' "Objects allocated between" view) and into clusters that
/// point at a cause: closures from one source site, objects of one shape, copies of one string.
#[derive(Debug, Parser)]
#[command(
    name = "heapdiff",
    version,
    about,
    after_help = AFTER_HELP,
    subcommand_negates_reqs = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,

    #[command(flatten)]
    pub diff: DiffArgs,

    #[command(flatten)]
    pub output: OutputArgs,

    /// Print the time each phase took, and the memory in use after reading, analysis and
    /// report, on stderr.
    #[arg(long, short, global = true)]
    pub verbose: bool,

    /// No progress display on stderr (it is shown only when stderr is a terminal).
    #[arg(long, short, global = true)]
    pub quiet: bool,

    /// Worker threads for parsing and analysis (default: one per core).
    #[arg(long, value_name = "N", global = true, value_parser = clap::value_parser!(u16).range(1..))]
    pub threads: Option<u16>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// DevTools' Summary view of one snapshot: objects grouped by class, with count, shallow
    /// and retained size.
    Summary(SummaryArgs),
    /// Take snapshots of a running Node process over its inspector, then report on them:
    /// `heapdiff capture --pid 1234 --every 5m --count 3` is the whole leak hunt. Ctrl-C keeps
    /// the snapshots taken so far and reports on them.
    Capture(CaptureArgs),
    /// Serve the analysis as Model Context Protocol tools on stdio, for AI agents: load
    /// snapshots once, then ask for reports, clusters, retainers, dominators and stacks.
    Mcp,
    /// Write a copy of a snapshot whose heap strings (and dictionary objects' keys) are
    /// placeholders, to share it: every DevTools row of it stays the same (`heapdiff redact IN
    /// -o OUT`, `.gz` to compress).
    Redact(RedactArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): heapdiff's, or a subcommand's (`heapdiff man capture`).
    Man {
        /// The subcommand whose page to print (capture, mcp, redact, …).
        #[arg(value_name = "SUBCOMMAND")]
        subcommand: Option<String>,
    },
}

/// How the report is written; accepted before or after a subcommand.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Output format.
    #[arg(long, value_enum, global = true)]
    pub format: Option<Format>,

    /// Shortcut for --format json.
    #[arg(long, global = true)]
    pub json: bool,

    /// Write the report to FILE (atomically: a temporary file renamed into place); `-` is
    /// stdout. FILE may not be one of the snapshots.
    #[arg(long, short, value_name = "FILE", global = true)]
    pub output: Option<PathBuf>,

    /// How many rows each table shows [default: 20; summary: 25].
    #[arg(long, value_name = "N", global = true, value_parser = parse_top)]
    pub top: Option<usize>,

    /// Fit tables to N columns (default: the terminal's width, also when piped into `less`
    /// from one; else $COLUMNS; unfitted otherwise).
    #[arg(long, value_name = "N", global = true, value_parser = clap::value_parser!(u16).range(40..))]
    pub width: Option<u16>,

    /// Show no string from the heap: each is `<string LENGTH B #HASH>` (names of properties,
    /// classes, functions and scripts stay).
    #[arg(long, global = true)]
    pub redact: bool,

    /// Also look for source maps in DIR (a build folder kept apart from what was served),
    /// matched to scripts by the end of their path. Maps that local scripts name or have
    /// beside them are always read; nothing is fetched over a network.
    #[arg(
        long,
        value_name = "DIR",
        global = true,
        conflicts_with = "no_source_maps"
    )]
    pub source_maps: Option<PathBuf>,

    /// Show every site as V8 saw it, in the compiled scripts, reading no source map.
    #[arg(long, global = true)]
    pub no_source_maps: bool,
}

/// The main command: what two or more snapshots of one process say about a leak.
#[derive(Debug, Clone, clap::Args)]
pub struct DiffArgs {
    /// Snapshots (.heapsnapshot, optionally gzip'd; `-` reads one from stdin), oldest first, or
    /// one directory of them (taken in file-name order).
    #[arg(required = true, value_name = "SNAPSHOT")]
    pub files: Vec<PathBuf>,

    /// What clusters and classes are ordered by.
    #[arg(long, value_enum, default_value_t = Sort::Leak)]
    pub sort: Sort,

    /// Also show DevTools' Comparison view (objects added and deleted per class). The base
    /// snapshot is then analysed in full, not only read: slower and more memory.
    #[arg(long)]
    pub compare: bool,

    /// In the comparison, keep classes whose only change is embedder objects that get new ids
    /// in every snapshot (Node's `Node / …` and `(synthetic)` nodes).
    #[arg(long, requires = "compare")]
    pub show_churn: bool,

    /// Treat warnings about the snapshots (wrong order, different processes) as errors.
    #[arg(long)]
    pub strict: bool,

    /// Exit with 1 when the new objects retain more than SIZE (e.g. 5MiB).
    #[arg(long, value_name = "SIZE", value_parser = size_arg)]
    pub fail_on_growth: Option<String>,

    /// Exit with 1 when BUDGET is exceeded, e.g. 'class:Function.count>1000' (repeatable).
    #[arg(long, value_name = "BUDGET", value_parser = clap::value_parser!(Budget))]
    pub fail_if: Vec<Budget>,

    /// Accepted for compatibility: three or more snapshots are a series (an error with two).
    #[arg(long, hide = true)]
    pub series: bool,

    /// Show the retainer paths of the first N clusters [default: every cluster shown].
    #[arg(long, value_name = "N")]
    pub paths: Option<usize>,

    /// Show one cluster in full, with every retainer path: its rank (`3`) or text of its
    /// label (`validate`).
    #[arg(long, value_name = "CLUSTER")]
    pub cluster: Option<String>,

    /// Fold clusters retaining less than SIZE into one line [default: 1kB, or 0.1% of the
    /// new objects' retained bytes when that is more]; `0` shows every cluster.
    #[arg(long, value_name = "SIZE", value_parser = size_arg)]
    pub min_size: Option<String>,

    /// Show scripts below DIR relative to it (the directory the program ran in, e.g.
    /// /srv/app on the box that wrote the snapshots) [default: the current directory].
    #[arg(long, value_name = "DIR")]
    pub source_root: Option<PathBuf>,

    /// Leave out what PATTERN matches: a class (exact name), a cluster (text of its label) or
    /// a retainer edge (`cache` for `.cache`, `->cache`); repeatable. Budgets see the rest.
    #[arg(long, value_name = "PATTERN")]
    pub ignore: Vec<String>,

    /// Known leaks (a file --write-baseline wrote): a suspected finding not in it, or one that
    /// gains more per step than its growth_factor allows, fails the check (exit 1).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Write this run's suspected findings to FILE as known leaks, for --baseline.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,

    /// The process's RSS over time, as monitoring exports it (lines of TIME,BYTES: Unix
    /// seconds or RFC 3339, bytes): places the snapshots on that curve (by the time their
    /// NAME.memory.json records, else their files' modification times) and says how much of
    /// the RSS growth between them the snapshots show.
    #[arg(long, value_name = "FILE", conflicts_with = "between")]
    pub rss_log: Option<PathBuf>,

    /// With three snapshots BASE TARGET FINAL: memlab's filter (objects allocated between BASE
    /// and TARGET and still alive in FINAL) instead of a series.
    #[arg(long, conflicts_with = "series")]
    pub memlab: bool,

    /// Group the new objects by allocation site (`stack`: DevTools' Allocation view of the
    /// new objects; needs snapshots written with allocation tracking on) instead of clusters.
    #[arg(long, value_enum, value_name = "GROUPING")]
    pub group_by: Option<GroupBy>,

    /// With one allocation-timeline recording (`.heaptimeline`): the objects allocated in this
    /// window of it and alive at its end, e.g. `10s..40s`, `..1.5s`, `500ms..` (times from the
    /// start of the recording).
    #[arg(long, value_name = "FROM..TO", value_parser = window_arg,
          conflicts_with_all = ["memlab", "series", "compare"])]
    pub between: Option<TimeWindow>,
}

/// What new objects are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    /// Objects of one class (summary's default).
    Class,
    /// Clusters that point at one cause (a diff's default).
    Cluster,
    /// The function that allocated them, from allocation stacks.
    Stack,
    /// The npm package whose code made them (or the application's own code), by the script's
    /// path or the source its map gives; objects without a site go with their dominator's.
    Package,
}

fn window_arg(text: &str) -> Result<TimeWindow, String> {
    TimeWindow::parse(text)
}

/// `--top N`: one row or more (no table is empty by request).
fn parse_top(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(0) => Err("0 would print empty tables; give 1 or more (--json lists every row)".into()),
        Ok(n) => Ok(n),
        Err(_) => Err(format!("\"{text}\" is not a number of rows")),
    }
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Tables for a terminal.
    Table,
    /// One JSON document (schema in the README).
    Json,
    /// Markdown for a pull-request comment.
    Markdown,
    /// One self-contained HTML page (treemaps, cluster cards, sortable tables).
    Html,
    /// SARIF 2.1.0 for code scanning: one result per finding, at the code that made it.
    Sarif,
}

/// Sort keys for clusters and classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
    /// Clusters of the first finding first (then the next finding's …), each by retained
    /// size; classes by retained size.
    Leak,
    /// Bytes freed if the group were freed.
    Retained,
    /// Shallow size.
    #[value(name = "self")]
    SelfSize,
    /// Number of objects.
    Count,
}

#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("process").required(true).args(["inspect", "pid"])))]
pub struct CaptureArgs {
    /// The inspector of a process started with `--inspect` (HOST:PORT, e.g. 127.0.0.1:9229).
    #[arg(long, value_name = "HOST:PORT", value_parser = inspect_arg)]
    pub inspect: Option<(String, u16)>,
    /// A local Node process: SIGUSR1 opens its inspector on 127.0.0.1:9229.
    #[arg(long, value_name = "PID")]
    pub pid: Option<u32>,
    /// Time between snapshots (`30s`, `10m`, `500ms`).
    #[arg(long, value_name = "DURATION", default_value = "10m", value_parser = duration_arg)]
    pub every: std::time::Duration,
    /// How many snapshots.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..))]
    pub count: u32,
    /// Where the snapshots go (`NNN.heapsnapshot.gz`, numbered after any already there).
    #[arg(long, value_name = "DIR", default_value = "heapdiff-snapshots")]
    pub out: PathBuf,
    /// Do not collect garbage before each snapshot.
    #[arg(long)]
    pub no_gc: bool,
    /// Start allocation tracking first, so that the snapshots carry allocation stacks.
    #[arg(long)]
    pub track_allocations: bool,
}

fn inspect_arg(text: &str) -> Result<(String, u16), String> {
    let (host, port) = text
        .rsplit_once(':')
        .ok_or_else(|| format!("\"{text}\" is not HOST:PORT"))?;
    let port = port
        .parse::<u16>()
        .map_err(|_| format!("\"{port}\" is not a port"))?;
    Ok((host.trim_matches(['[', ']']).to_string(), port))
}

fn duration_arg(text: &str) -> Result<std::time::Duration, String> {
    let ms = heapdiff::leaks::window::duration_ms(text)?;
    Ok(std::time::Duration::from_micros((ms * 1000.0) as u64))
}

#[derive(Debug, clap::Args)]
pub struct RedactArgs {
    /// The snapshot to redact (plain, gzip'd or zstd'd).
    pub file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct SummaryArgs {
    /// The snapshot (.heapsnapshot, optionally gzip'd; `-` for stdin).
    pub file: PathBuf,

    /// `stack`: DevTools' Allocation view (objects by the function that allocated them)
    /// instead of classes; needs a snapshot written with allocation tracking on.
    #[arg(long, value_enum, value_name = "GROUPING")]
    pub group_by: Option<GroupBy>,
}

/// Checks a size argument (`5MiB`) and keeps the text as written.
fn size_arg(text: &str) -> Result<String, BudgetError> {
    parse_size(text).map(|_| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn verify_cli() {
        Cli::command().debug_assert();
    }

    #[test]
    fn files_or_a_subcommand() {
        let cli = Cli::try_parse_from(["heapdiff", "a", "b", "--compare"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.diff.files.len(), 2);
        assert!(cli.diff.compare);
        let cli = Cli::try_parse_from(["heapdiff", "summary", "x"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Summary(_))));
        assert!(Cli::try_parse_from(["heapdiff"]).is_err());
        // Report options before a subcommand that makes no report are an error, not dropped.
        let cli = Cli::try_parse_from(["heapdiff", "--json", "--ignore", "x", "summary", "f"]);
        let err = cli.unwrap().check_subcommand().unwrap_err();
        assert!(
            err.starts_with("--ignore applies to a report on two"),
            "{err}"
        );
        let cli =
            Cli::try_parse_from(["heapdiff", "--fail-if", "growth>1", "capture", "--pid", "1"]);
        assert!(cli.unwrap().check_subcommand().is_ok());
    }

    #[test]
    fn budgets_are_validated_by_clap() {
        let cli = Cli::try_parse_from([
            "heapdiff",
            "--fail-on-growth",
            "5MiB",
            "--fail-if",
            "class:Function.count>10",
            "a",
            "b",
        ])
        .unwrap();
        assert_eq!(cli.diff.fail_on_growth.as_deref(), Some("5MiB"));
        assert_eq!(cli.diff.fail_if.len(), 1);
        assert!(Cli::try_parse_from(["heapdiff", "--fail-if", "bogus>1", "a", "b"]).is_err());
        assert!(Cli::try_parse_from(["heapdiff", "--fail-on-growth", "5XB", "a", "b"]).is_err());
        let cli =
            Cli::try_parse_from(["heapdiff", "--json", "--format", "markdown", "a", "b"]).unwrap();
        assert!(cli.output.format().is_err());
    }
}
