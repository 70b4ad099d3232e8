//! Command-line arguments (clap derive). Only `main.rs` uses this module.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  2  usage error, an input that cannot be read as a heap snapshot, or (with --strict) a
     suspicious pair of snapshots

Examples:
  heapdiff base.heapsnapshot late.heapsnapshot
  heapdiff --json base.heapsnapshot late.heapsnapshot.gz | jq '.clusters[0]'
  heapdiff --compare --top 10 base.heapsnapshot late.heapsnapshot
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
    args_conflicts_with_subcommands = true,
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
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// DevTools' Summary view of one snapshot: objects grouped by class, with count, shallow
    /// and retained size.
    Summary(SummaryArgs),
}

/// The main command: what two snapshots of one process say about a leak.
#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The earlier and the later snapshot (.heapsnapshot, optionally gzip'd).
    #[arg(required = true, num_args = 2, value_names = ["BASE", "LATE"])]
    pub files: Vec<PathBuf>,

    /// Print the whole report as JSON (schema in the README) instead of tables.
    #[arg(long)]
    pub json: bool,

    /// How many rows each table shows.
    #[arg(long, default_value_t = 20, value_name = "N")]
    pub top: usize,

    /// What clusters and classes are ordered by.
    #[arg(long, value_enum, default_value_t = Sort::Retained)]
    pub sort: Sort,

    /// Also show DevTools' Comparison view (objects added and deleted per class).
    #[arg(long)]
    pub compare: bool,

    /// In the comparison, keep classes whose only change is embedder objects that get new ids
    /// in every snapshot (Node's `Node / …` and `(synthetic)` nodes).
    #[arg(long, requires = "compare")]
    pub show_churn: bool,

    /// Treat warnings about the pair (wrong order, different processes) as errors.
    #[arg(long)]
    pub strict: bool,
}

/// Sort keys for clusters and classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Sort {
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
    /// The snapshot (.heapsnapshot, optionally gzip'd).
    pub file: PathBuf,

    /// Print every class as JSON instead of a table.
    #[arg(long)]
    pub json: bool,

    /// How many classes the table shows.
    #[arg(long, default_value_t = 25, value_name = "N")]
    pub top: usize,
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
    fn two_files_or_a_subcommand() {
        let cli = Cli::try_parse_from(["heapdiff", "a", "b", "--compare"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.diff.files.len(), 2);
        assert!(cli.diff.compare);
        let cli = Cli::try_parse_from(["heapdiff", "summary", "x"]).unwrap();
        assert!(matches!(cli.command, Some(Command::Summary(_))));
        assert!(Cli::try_parse_from(["heapdiff", "a"]).is_err());
        assert!(Cli::try_parse_from(["heapdiff"]).is_err());
    }
}
