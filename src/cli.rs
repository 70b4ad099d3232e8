//! Command-line arguments (clap derive). Only `main.rs` uses this module.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use heapdiff::leaks::budget::{Budget, BudgetError, parse_size};
use heapdiff::leaks::{DiffOptions, SortKey};
use heapdiff::report::table::TableOptions;
use heapdiff::session::{SnapshotsRequest, SummaryRequest};

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

    /// Print the time each phase took on stderr.
    #[arg(long, short, global = true)]
    pub verbose: bool,

    /// No progress display on stderr (it is shown only when stderr is a terminal).
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// DevTools' Summary view of one snapshot: objects grouped by class, with count, shallow
    /// and retained size.
    Summary(SummaryArgs),
    /// Print a shell completion script.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff).
    Man,
}

/// The main command: what two or more snapshots of one process say about a leak.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// Snapshots (.heapsnapshot, optionally gzip'd; `-` reads one from stdin), oldest first, or
    /// one directory of them (taken in file-name order).
    #[arg(required = true, value_name = "SNAPSHOT")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Shortcut for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Write the report to FILE (atomically: a temporary file renamed into place); `-` is
    /// stdout. FILE may not be one of the snapshots.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// How many rows each table shows.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,

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

    /// Accepted for compatibility: three or more snapshots are a series.
    #[arg(long, hide = true)]
    pub series: bool,

    /// With three snapshots BASE TARGET FINAL: memlab's filter (objects allocated between BASE
    /// and TARGET and still alive in FINAL) instead of a series.
    #[arg(long, conflicts_with = "series")]
    pub memlab: bool,
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
pub struct SummaryArgs {
    /// The snapshot (.heapsnapshot, optionally gzip'd; `-` for stdin).
    pub file: PathBuf,

    /// Print every class as JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    /// How many classes the table shows.
    #[arg(long, default_value_t = 25, value_name = "N")]
    pub top: usize,
}

/// Checks a size argument (`5MiB`) and keeps the text as written.
fn size_arg(text: &str) -> Result<String, BudgetError> {
    parse_size(text).map(|_| text.to_string())
}

impl DiffArgs {
    /// The report file, if not stdout (`-o -` is stdout).
    pub fn output(&self) -> Option<PathBuf> {
        self.output.clone().filter(|p| p.as_os_str() != "-")
    }

    pub fn format(&self) -> Format {
        if self.json { Format::Json } else { self.format }
    }

    /// The library's request for these arguments: `--fail-on-growth` first among the budgets.
    pub fn request(&self, layout: TableOptions) -> Result<SnapshotsRequest, BudgetError> {
        let mut budgets = self.fail_if.clone();
        if let Some(size) = &self.fail_on_growth {
            budgets.insert(0, Budget::on_growth(size)?);
        }
        Ok(SnapshotsRequest {
            files: self.files.clone(),
            memlab: self.memlab,
            options: DiffOptions {
                budgets,
                sort: match self.sort {
                    Sort::Leak => SortKey::Leak,
                    Sort::Retained => SortKey::Retained,
                    Sort::SelfSize => SortKey::SelfSize,
                    Sort::Count => SortKey::Count,
                },
                compare: self.compare,
                show_churn: self.show_churn,
            },
            strict: self.strict,
            output: self.output(),
            format: match self.format() {
                Format::Table => heapdiff::report::Format::Table,
                Format::Json => heapdiff::report::Format::Json,
                Format::Markdown => heapdiff::report::Format::Markdown,
            },
            layout,
        })
    }
}

impl SummaryArgs {
    pub fn request(&self, layout: TableOptions) -> SummaryRequest {
        SummaryRequest {
            file: self.file.clone(),
            json: self.json,
            layout,
        }
    }
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
        assert!(
            Cli::try_parse_from(["heapdiff", "--json", "--format", "markdown", "a", "b"]).is_err()
        );
    }
}
