//! Tables for people, with comfy-table: the largest classes first, sizes in DevTools' units.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, ContentArrangement, Table};

use super::{
    BudgetReport, DiffReport, FindingReport, SeriesReport, SummaryReport, TrendReport,
    display_distance, human_bytes, signed_bytes, signed_count, thousands,
};

/// How a table is laid out.
#[derive(Debug, Clone, Copy)]
pub struct TableOptions {
    /// Rows shown per table.
    pub top: usize,
    /// Terminal width to fit, if known.
    pub width: Option<u16>,
}

fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return "0 %".to_string();
    }
    format!("{:.0} %", part as f64 * 100.0 / total as f64)
}

fn new_table(header: &[&str], options: &TableOptions) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    match options.width {
        Some(w) => {
            table.set_content_arrangement(ContentArrangement::Dynamic);
            table.set_width(w);
        }
        None => {
            table.set_content_arrangement(ContentArrangement::Disabled);
        }
    }
    table.set_header(header.iter().map(Cell::new));
    for i in 1..header.len() {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Renders the Summary view.
pub fn summary(r: &SummaryReport, options: &TableOptions) -> String {
    let mut out = format!(
        "{}: {} nodes, {} edges, total {} ({} bytes)\n",
        r.file,
        r.node_count,
        r.edge_count,
        human_bytes(r.total_size),
        r.total_size
    );
    let s = &r.statistics;
    out.push_str(&format!(
        "code {}, strings {}, JS arrays {}, typed arrays {}, system {}, other native {}\n",
        human_bytes(s.code),
        human_bytes(s.strings),
        human_bytes(s.js_arrays),
        human_bytes(s.typed_arrays),
        human_bytes(s.system),
        human_bytes(s.native_total.saturating_sub(s.typed_arrays)),
    ));
    for p in &r.problems {
        out.push_str(&format!("note: {p}\n"));
    }
    let mut table = new_table(
        &[
            "Class",
            "Distance",
            "Count",
            "Shallow size",
            "%",
            "Retained size",
            "%",
        ],
        options,
    );
    for c in r.classes.iter().take(options.top) {
        table.add_row(vec![
            Cell::new(&c.name),
            Cell::new(display_distance(c.distance)),
            Cell::new(c.count),
            Cell::new(human_bytes(c.self_size)),
            Cell::new(percent(c.self_size, r.total_size)),
            Cell::new(human_bytes(c.retained_size)),
            Cell::new(percent(c.retained_size, r.total_size)),
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    if r.classes.len() > options.top {
        out.push_str(&format!(
            "({} more classes; --top N shows more, --json shows all)\n",
            r.classes.len() - options.top
        ));
    }
    out
}

/// How many classes of a lockstep group the table names.
const LOCKSTEP_SHOWN: usize = 6;

/// Renders the report of `heapdiff BASE LATE`: a header, the clusters, lockstep groups, the
/// new objects by class, the retainer paths of the top clusters, and the comparison if asked.
pub fn diff(r: &DiffReport, options: &TableOptions) -> String {
    let mut out = String::new();
    for (label, s) in r.snapshots() {
        out.push_str(&format!(
            "{label}  {}  {} nodes  {}",
            s.file,
            thousands(s.node_count),
            human_bytes(s.total_size)
        ));
        if label == "late" {
            out.push_str(&format!("  ({} since base)", signed_bytes(r.growth)));
        }
        out.push('\n');
    }
    let b = &r.between;
    let since = if r.target.is_some() {
        "allocated between base and target, still alive in late"
    } else {
        "new since base and still alive"
    };
    out.push_str(&format!(
        "{since}: {} objects in {} classes, {} shallow, {} retained\n",
        thousands(b.count),
        b.class_count,
        human_bytes(b.self_size),
        human_bytes(b.retained_size)
    ));
    for w in &r.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    if r.target.is_none() {
        findings(&mut out, &r.findings, false, options);
    }

    out.push_str("\nClusters of new objects\n");
    if r.clusters.is_empty() {
        out.push_str("(none: no two new objects share a site, shape or content)\n");
    } else {
        let mut table = new_table(
            &["#", "Kind", "Cluster", "Count", "Shallow", "Retained"],
            options,
        );
        if let Some(col) = table.column_mut(1) {
            col.set_cell_alignment(CellAlignment::Left);
        }
        if let Some(col) = table.column_mut(2) {
            col.set_cell_alignment(CellAlignment::Left);
        }
        for c in r.clusters.iter().take(options.top) {
            table.add_row(vec![
                Cell::new(c.rank),
                Cell::new(c.kind),
                Cell::new(&c.label),
                Cell::new(thousands(c.count)),
                Cell::new(human_bytes(c.self_size)),
                Cell::new(human_bytes(c.retained_size)),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
        more(&mut out, r.clusters.len(), options.top, "clusters");
    }

    for group in &r.lockstep {
        let shown = &group.members[..group.members.len().min(LOCKSTEP_SHOWN)];
        let members: Vec<String> = shown
            .iter()
            .map(|m| {
                format!(
                    "{} \u{d7}{} ({}\u{d7})",
                    m.class,
                    thousands(m.count),
                    m.multiple
                )
            })
            .collect();
        let rest = group.members.len() - shown.len();
        let tail = if rest > 0 {
            format!(" and {rest} more classes")
        } else {
            String::new()
        };
        out.push_str(&format!(
            "likely allocated together, {} per operation: {}{tail}\n",
            thousands(group.unit),
            members.join(", ")
        ));
    }

    out.push_str("\nNew objects by class\n");
    let mut table = new_table(
        &["Class", "Count", "Shallow", "Retained", "Distance"],
        options,
    );
    for c in r.classes.iter().take(options.top) {
        table.add_row(vec![
            Cell::new(&c.name),
            Cell::new(thousands(c.count)),
            Cell::new(human_bytes(c.self_size)),
            Cell::new(human_bytes(c.retained_size)),
            Cell::new(display_distance(c.distance)),
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    more(&mut out, r.classes.len(), options.top, "classes");

    let with_paths = r.top_clusters_with_paths(3);
    if !with_paths.is_empty() {
        out.push_str("\nRetainer paths of the top clusters\n");
        for c in with_paths {
            out.push_str(&format!(
                "#{} {} (\u{d7}{})\n",
                c.rank,
                c.label,
                thousands(c.count)
            ));
            for p in &c.paths {
                out.push_str(&format!("  {}/{}  {}\n", p.count, c.paths_sampled, p.path));
            }
        }
    }

    budgets(&mut out, &r.budgets);

    if let Some(rows) = &r.comparison {
        out.push_str("\nComparison with base (DevTools' Comparison view)\n");
        let mut table = new_table(
            &[
                "Class",
                "# New",
                "# Deleted",
                "# Delta",
                "Alloc. size",
                "Freed size",
                "Size delta",
            ],
            options,
        );
        for row in rows.iter().take(options.top) {
            table.add_row(vec![
                Cell::new(&row.name),
                Cell::new(thousands(row.added_count)),
                Cell::new(thousands(row.removed_count)),
                Cell::new(signed_count(row.count_delta)),
                Cell::new(human_bytes(row.added_size)),
                Cell::new(human_bytes(row.removed_size)),
                Cell::new(signed_bytes(row.size_delta)),
            ]);
        }
        out.push_str(&table.to_string());
        out.push('\n');
        more(&mut out, rows.len(), options.top, "rows");
        if r.hidden_churn_rows > 0 {
            out.push_str(&format!(
                "({} rows of embedder-object churn hidden; --show-churn shows them)\n",
                r.hidden_churn_rows
            ));
        }
    }
    out
}

fn more(out: &mut String, total: usize, shown: usize, what: &str) {
    if total > shown {
        out.push_str(&format!(
            "({} more {what}; --top N shows more, --json shows all)\n",
            total - shown
        ));
    }
}

/// Renders a series: the snapshots, then classes and clusters with a trend line each.
pub fn series(r: &SeriesReport, options: &TableOptions) -> String {
    let mut out = String::new();
    for (i, s) in r.snapshots.iter().enumerate() {
        out.push_str(&format!(
            "#{}  {}  {} nodes  {}\n",
            i + 1,
            s.file,
            thousands(s.node_count),
            human_bytes(s.total_size)
        ));
    }
    for w in &r.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    findings(&mut out, &r.findings, true, options);
    budgets(&mut out, &r.budgets);
    for (title, rows) in [
        ("Classes (all objects)", &r.classes),
        (
            "Clusters (all objects, by site, shape or content)",
            &r.clusters,
        ),
    ] {
        out.push_str(&format!("\n{title}\n"));
        let growing = rows.iter().filter(|t| t.growing).count();
        out.push_str(&format!("{growing} growing at every step\n"));
        if rows.is_empty() {
            continue;
        }
        let mut table = new_table(
            &[
                "",
                "Name",
                "Counts",
                "First",
                "Last",
                "Per step",
                "Retained per step",
            ],
            options,
        );
        for i in [1, 2] {
            if let Some(col) = table.column_mut(i) {
                col.set_cell_alignment(CellAlignment::Left);
            }
        }
        for t in rows.iter().take(options.top) {
            table.add_row(trend_row(t));
        }
        out.push_str(&table.to_string());
        out.push('\n');
        more(&mut out, rows.len(), options.top, "rows");
    }
    out
}

fn trend_row(t: &TrendReport) -> Vec<Cell> {
    let first = t.counts.first().copied().unwrap_or(0);
    let last = t.counts.last().copied().unwrap_or(0);
    vec![
        Cell::new(if t.growing { "\u{2191}" } else { "" }),
        Cell::new(&t.name),
        Cell::new(super::sparkline(&t.counts)),
        Cell::new(thousands(first)),
        Cell::new(thousands(last)),
        Cell::new(format!("{:+.1}", t.count_slope)),
        Cell::new(signed_bytes(t.retained_slope.round() as i64)),
    ]
}

/// The findings section: a table of holders (growing ones marked ↑), then each one's path.
fn findings(out: &mut String, list: &[FindingReport], series: bool, options: &TableOptions) {
    out.push_str("\nFindings: old objects that keep gaining new ones\n");
    if series {
        let growing = list.iter().filter(|f| f.growing).count();
        out.push_str(&format!(
            "{growing} grew at every step (↑); the others gained objects at some steps only\n"
        ));
    } else {
        out.push_str(
            "two snapshots: a one-time fill looks like growth here; a third snapshot shows which \
             of these grow at every step\n",
        );
    }
    if list.is_empty() {
        out.push_str("(none: no old object gained new ones)\n");
        return;
    }
    let mut table = new_table(
        &["#", "Holder", "Gained", "Objects", "What it gained"],
        options,
    );
    for i in [1, 4] {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Left);
        }
    }
    for f in list.iter().take(options.top) {
        let mark = if f.growing { "\u{2191} " } else { "" };
        let note = match f.suspicion {
            Some("one-time-fill") => " (one-time fill?)",
            Some("churn") => " (churning cache?)",
            _ => "",
        };
        let gained = if f.step_bytes.len() > 1 {
            f.step_bytes
                .iter()
                .map(|&b| format!("+{}", human_bytes(b)))
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            format!("+{}", human_bytes(f.gained_bytes))
        };
        table.add_row(vec![
            Cell::new(f.rank),
            Cell::new(format!("{mark}{}{note}", f.label)),
            Cell::new(gained),
            Cell::new(thousands(f.gained_count)),
            Cell::new(f.parts_summary(3)),
        ]);
    }
    out.push_str(&table.to_string());
    out.push('\n');
    more(out, list.len(), options.top, "findings");
    for f in list.iter().take(options.top) {
        out.push_str(&format!(
            "#{} @{}  {}\n",
            f.rank, f.holder.id, f.holder.path
        ));
        if !f.holder.inside.is_empty() {
            out.push_str(&format!("   inside it: {}\n", f.holder.inside));
        }
    }
}

/// One line per budget: met or exceeded, the actual value and the limit.
fn budgets(out: &mut String, list: &[BudgetReport]) {
    if list.is_empty() {
        return;
    }
    out.push('\n');
    for x in list {
        let verdict = if x.exceeded { "EXCEEDED" } else { "ok" };
        let over = if x.exceeded {
            format!(", {} over", x.actual - x.limit)
        } else {
            String::new()
        };
        let subject = x
            .subject
            .as_ref()
            .map(|s| format!(" ({s})"))
            .unwrap_or_default();
        out.push_str(&format!(
            "budget {}: {verdict}, actual {}{subject}, limit {}{over}\n",
            x.budget, x.actual, x.limit
        ));
    }
}
