//! Command-line arguments (clap derive). Only `main.rs` uses this module.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

const AFTER_HELP: &str = "\
Exit codes:
  0  success
  2  usage error, or an input that cannot be read as a heap snapshot

Examples:
  heapdiff summary app.heapsnapshot
  heapdiff summary --json app.heapsnapshot.gz | jq '.classes[0]'";

/// Finds memory leaks in V8 heap snapshots, with the numbers Chrome DevTools shows.
#[derive(Debug, Parser)]
#[command(name = "heapdiff", version, about, after_help = AFTER_HELP)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

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
}
