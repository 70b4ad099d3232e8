//! The tools' arguments as agents send them (JSON objects; their doc comments are the schema
//! descriptions agents read), and the choices they offer as enums.

use rmcp::schemars::{self, JsonSchema};
use serde::{Deserialize, Serialize};

use crate::leaks::SortKey;

/// How much of a report an answer carries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    /// The verdict, the findings and the totals only.
    Summary,
    /// Also clusters (first retainer path each, allocation stacks left out) and classes.
    #[default]
    Normal,
    /// Every field of every row shown, and lockstep groups.
    Full,
}

/// What clusters and classes are ordered by (the CLI's `--sort`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Clusters of the first finding first, each by retained size; classes by retained size.
    #[default]
    Leak,
    /// Bytes freed if the group were freed.
    Retained,
    /// Shallow size.
    #[serde(rename = "self")]
    SelfSize,
    /// Number of objects.
    Count,
}

impl From<Sort> for SortKey {
    fn from(sort: Sort) -> SortKey {
        match sort {
            Sort::Leak => SortKey::Leak,
            Sort::Retained => SortKey::Retained,
            Sort::SelfSize => SortKey::SelfSize,
            Sort::Count => SortKey::Count,
        }
    }
}

/// The options a report on two or more snapshots takes, as on the command line.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub struct ReportOptions {
    /// Leave out what each pattern matches (the CLI's --ignore): a class (exact name), a
    /// cluster (text of its label) or a retainer edge (`cache` for `.cache`, `->cache`).
    #[serde(default)]
    pub ignore: Vec<String>,
    /// What clusters and classes are ordered by (the CLI's --sort; default `leak`).
    #[serde(default)]
    pub sort: Sort,
    /// Show no string from the heap (the CLI's --redact): each becomes `<string LENGTH B
    /// #HASH>`. The snapshots are read again redacted and stay so for the session.
    #[serde(default)]
    pub redact: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct LoadArgs {
    /// Path of a .heapsnapshot or .heaptimeline file (plain, gzip'd or zstd'd). A relative
    /// path is resolved against the server's root: its working directory when it started.
    pub path: String,
    /// A folder of source maps kept apart from the served scripts (a build folder), matched
    /// by the end of their path; relative to the root too. Maps that local scripts name or
    /// have beside them are always read.
    pub source_maps: Option<String>,
    /// Replace heap strings by placeholders as the file is read (the CLI's --redact).
    #[serde(default)]
    pub redact: bool,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SnapshotArgs {
    /// The number load_snapshot returned.
    pub snapshot: usize,
    /// First row of the page (default 0).
    pub offset: Option<usize>,
    /// Rows per page (default 50).
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct DiffArgs {
    /// The earlier snapshot's number.
    pub base: usize,
    /// The later snapshot's number.
    pub late: usize,
    /// Rows per list (findings, clusters, classes; default 10). `totals` gives the full counts.
    pub limit: Option<usize>,
    /// `summary` (verdict, findings), `normal` (default: also clusters and classes, trimmed)
    /// or `full` (every field, lockstep groups).
    #[serde(default)]
    pub detail: Detail,
    #[serde(flatten)]
    pub options: ReportOptions,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct SeriesArgs {
    /// Three or more snapshot numbers, oldest first.
    pub snapshots: Vec<usize>,
    /// Rows per list (default 10).
    pub limit: Option<usize>,
    /// `summary`, `normal` (default) or `full`, as for diff.
    #[serde(default)]
    pub detail: Detail,
    #[serde(flatten)]
    pub options: ReportOptions,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ClusterArgs {
    pub base: usize,
    pub late: usize,
    /// The cluster's rank in the diff answer (1 = first), with the same ignore and sort.
    pub rank: usize,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
    #[serde(flatten)]
    pub options: ReportOptions,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ObjectArgs {
    pub snapshot: usize,
    /// The object's id (DevTools' @id).
    pub id: u32,
    pub offset: Option<usize>,
    pub limit: Option<usize>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct VerifyArgs {
    /// Snapshots of the scenario before the change, oldest first (two, or three or more to
    /// tell growth from a one-time fill).
    pub before: Vec<usize>,
    /// Snapshots of the same scenario after the change, oldest first.
    pub after: Vec<usize>,
    /// Leave out what each pattern matches, in both runs (as diff's ignore).
    #[serde(default)]
    pub ignore: Vec<String>,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct ExplainArgs {
    /// The snapshots of the diff (two) or series (three or more) the finding is from.
    pub snapshots: Vec<usize>,
    /// The finding's rank in that answer (1 = first).
    pub rank: usize,
    #[serde(flatten)]
    pub options: ReportOptions,
}

#[derive(Debug, Deserialize, JsonSchema)]
pub struct WhatIfArgs {
    /// The snapshots: one (or more; the last is used) with `id`; the diff's two with
    /// `cluster`; the diff's or series' with `finding`.
    pub snapshots: Vec<usize>,
    /// An object's id (DevTools' @id) in the last snapshot.
    pub id: Option<u32>,
    /// A cluster's rank in the diff answer: all its members gone.
    pub cluster: Option<usize>,
    /// A finding's rank: every new object its holder gained gone (the leak fixed).
    pub finding: Option<usize>,
    #[serde(flatten)]
    pub options: ReportOptions,
}
