//! What the parsed arguments ask the library for: the requests built from them, and the
//! checks that need more than one argument.

use super::*;

impl OutputArgs {
    /// The report file, if not stdout (`-o -` is stdout).
    pub fn file(&self) -> Option<PathBuf> {
        self.output.clone().filter(|p| p.as_os_str() != "-")
    }

    /// The report's format: `--format` or `--json`, else the one `--output`'s extension
    /// names (`.html`, `.md`, `.json`, `.sarif`), else a table. An extension that names
    /// another format than the one asked for is refused.
    pub fn format(&self) -> Result<Format, String> {
        let asked = match (self.json, self.format) {
            (true, Some(f)) if f != Format::Json => {
                return Err(format!("--json contradicts --format {f:?}").to_lowercase());
            }
            (true, _) => Some(Format::Json),
            (false, f) => f,
        };
        let file = self.file();
        let named = file.as_deref().and_then(format_of_extension);
        match (asked, named) {
            (Some(a), Some((n, ext))) if a != n => Err(format!(
                "--output {} is a .{ext} file but the report is {}: drop --format, or \
                 name the file for the format",
                file.unwrap_or_default().display(),
                format!("{a:?}").to_lowercase()
            )),
            (Some(a), _) => Ok(a),
            (None, Some((n, _))) => Ok(n),
            (None, None) => Ok(Format::Table),
        }
    }

    pub fn report_format(&self) -> Result<heapdiff::report::Format, String> {
        Ok(match self.format()? {
            Format::Table => heapdiff::report::Format::Table,
            Format::Json => heapdiff::report::Format::Json,
            Format::Markdown => heapdiff::report::Format::Markdown,
            Format::Html => heapdiff::report::Format::Html,
            Format::Sarif => heapdiff::report::Format::Sarif,
        })
    }
}

impl Cli {
    /// Options of a report on snapshots given before a subcommand that makes no such report
    /// (`heapdiff --fail-if … summary FILE`) would be dropped without a word, and a CI job
    /// would pass by mistake: they are a usage error. `capture` reports on its snapshots with
    /// them.
    pub fn check_subcommand(&self) -> Result<(), String> {
        let name = match &self.command {
            None | Some(Command::Capture(_)) => return Ok(()),
            Some(Command::Summary(_)) => "summary",
            Some(Command::Mcp) => "mcp",
            Some(Command::Redact(_)) => "redact",
            Some(Command::Completions { .. }) => "completions",
            Some(Command::Man { .. }) => "man",
        };
        match self.diff.given().first() {
            None => Ok(()),
            Some(flag) => Err(format!(
                "{flag} applies to a report on two or more snapshots \
                 (heapdiff SNAPSHOT… or heapdiff capture), not to heapdiff {name}"
            )),
        }
    }
}

impl DiffArgs {
    /// The options given, by flag (`--sort`, whose default cannot be told from a choice, is
    /// left out).
    fn given(&self) -> Vec<&'static str> {
        [
            (!self.fail_if.is_empty(), "--fail-if"),
            (self.fail_on_growth.is_some(), "--fail-on-growth"),
            (!self.ignore.is_empty(), "--ignore"),
            (self.compare, "--compare"),
            (self.show_churn, "--show-churn"),
            (self.strict, "--strict"),
            (self.series, "--series"),
            (self.memlab, "--memlab"),
            (self.paths.is_some(), "--paths"),
            (self.cluster.is_some(), "--cluster"),
            (self.min_size.is_some(), "--min-size"),
            (self.source_root.is_some(), "--source-root"),
            (self.group_by.is_some(), "--group-by"),
            (self.between.is_some(), "--between"),
        ]
        .into_iter()
        .filter_map(|(given, flag)| given.then_some(flag))
        .collect()
    }

    /// The library's request for these arguments: `--fail-on-growth` first among the budgets.
    pub fn request(&self, out: &OutputArgs, layout: Layout) -> Result<SnapshotsRequest, String> {
        let mut budgets = self.fail_if.clone();
        if let Some(size) = &self.fail_on_growth {
            budgets.insert(0, Budget::on_growth(size).map_err(|e| e.to_string())?);
        }
        if self.series && self.files.len() == 2 {
            return Err("--series needs three or more snapshots (two are a pair)".to_string());
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
                ignore: self.ignore.clone(),
                known: None,
                by_stack: self.group_by == Some(GroupBy::Stack),
                by_package: match self.group_by {
                    None | Some(GroupBy::Cluster | GroupBy::Stack) => false,
                    Some(GroupBy::Package) => true,
                    Some(GroupBy::Class) => {
                        return Err("--group-by class is for summary; a diff groups by \
                                    cluster (the default) or stack"
                            .to_string());
                    }
                },
            },
            window: self.between,
            baseline: self.baseline.clone(),
            write_baseline: self.write_baseline.clone(),
            rss_log: self.rss_log.clone(),
            strict: self.strict,
            output: out.file(),
            format: out.report_format()?,
            layout,
        })
    }

    /// `--min-size` in bytes.
    pub fn min_size(&self) -> Option<u64> {
        self.min_size
            .as_deref()
            .and_then(|s| parse_size(s).ok())
            .map(|b| b.max(0) as u64)
    }
}

impl SummaryArgs {
    pub fn request(&self, out: &OutputArgs, layout: Layout) -> Result<SummaryRequest, String> {
        let by_stack = match self.group_by {
            None | Some(GroupBy::Class | GroupBy::Package) => false,
            Some(GroupBy::Stack) => true,
            Some(GroupBy::Cluster) => {
                return Err(
                    "summary groups by class (the default), stack or package; clusters are \
                            for a diff of two snapshots"
                        .to_string(),
                );
            }
        };
        Ok(SummaryRequest {
            file: self.file.clone(),
            by_stack,
            by_package: self.group_by == Some(GroupBy::Package),
            format: out.report_format()?,
            output: out.file(),
            layout,
        })
    }
}

/// The report format a file's extension names, with the extension.
fn format_of_extension(path: &std::path::Path) -> Option<(Format, String)> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    let format = match ext.as_str() {
        "html" | "htm" => Format::Html,
        "md" | "markdown" => Format::Markdown,
        "json" => Format::Json,
        "sarif" => Format::Sarif,
        _ => return None,
    };
    Some((format, ext))
}
