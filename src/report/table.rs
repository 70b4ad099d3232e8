//! Tables for people, with comfy-table: the largest first, sizes in DevTools' units, fitted to
//! a width without breaking a word.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{Cell, CellAlignment, Table};

use super::fit::{finish, wrap, wrap_indented};

use super::layout::{
    Layout, PATH_LEGEND, SERIES_LEGEND, allocated_by, budget_value, cluster_origin, cluster_title,
    find_cluster, held_by, ignored_note, lockstep_text, plural, short_paths, short_scripts,
    shown_clusters, sizes, trend_title,
};
use super::{
    BudgetReport, DiffReport, FindingReport, SeriesReport, SummaryReport, TrendReport,
    display_distance, human_bytes, signed_bytes, signed_count, thousands,
};

fn percent(part: u64, total: u64) -> String {
    if total == 0 {
        return "0 %".to_string();
    }
    format!("{:.0} %", part as f64 * 100.0 / total as f64)
}

pub(super) fn new_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table.load_style(UTF8_FULL_CONDENSED);
    // Cells are wrapped here, between words ([`finish`]), not by comfy-table.
    table.set_content_arrangement(comfy_table::ContentArrangement::Disabled);
    table.set_header(header.iter().map(Cell::new));
    for i in 1..header.len() {
        if let Some(col) = table.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    table
}

/// Renders the Summary view.
pub fn summary(r: &SummaryReport, layout: &Layout) -> String {
    let mut out = format!(
        "{}: {} nodes, {} edges, heap {} ({} bytes)\n",
        r.file,
        thousands(r.node_count),
        thousands(r.edge_count),
        human_bytes(r.total_size),
        thousands(r.total_size)
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
    if let Some(p) = &r.process {
        out.push_str(&format!("{}\n", super::memory::process_line(p, s)));
    }
    for n in &r.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    for p in &r.problems {
        out.push_str(&format!("note: {p}\n"));
    }
    if let Some(tops) = &r.allocation {
        let untraced = (r.untraced_count.unwrap_or(0), r.node_count);
        super::sites::allocation_view(&mut out, tops, untraced, layout);
        return out;
    }
    if let Some(packages) = &r.packages {
        super::packages::totals(&mut out, packages, layout);
        return out;
    }
    let table = new_table(&[
        "Class",
        "Distance",
        "Count",
        "Shallow size",
        "%",
        "Retained size",
        "%",
    ]);
    let rows: Vec<Vec<String>> = r
        .classes
        .iter()
        .take(layout.top)
        .map(|c| {
            vec![
                c.name.clone(),
                display_distance(c.distance),
                thousands(c.count),
                human_bytes(c.self_size),
                percent(c.self_size, r.total_size),
                human_bytes(c.retained_size),
                percent(c.retained_size, r.total_size),
            ]
        })
        .collect();
    out.push_str(&finish(table, &[0], &[0], &rows, layout));
    more(&mut out, r.classes.len(), layout.top, "classes");
    out
}

/// Renders the report of `heapdiff BASE LATE`: the snapshots, the findings, the clusters (each
/// with its site and where it is held), more retainer paths, lockstep groups, the new objects
/// by class, budgets, and the comparison if asked.
pub fn diff(r: &DiffReport, layout: &Layout) -> Result<String, String> {
    let cwd = layout.cwd.as_deref();
    let mut out = fit_line(
        &short_scripts(&r.verdict, layout.cwd.as_deref()),
        layout.width,
    );
    let width = layout.width;
    for (label, s) in r.snapshots() {
        if r.window.is_some() && label == "base" {
            continue;
        }
        let label = if r.window.is_some() {
            "recording"
        } else {
            label
        };
        let mut line = format!(
            "{label}  {}  {} nodes  {}",
            s.file,
            thousands(s.node_count),
            sizes(s)
        );
        if label == "late" {
            line.push_str(&format!("  {} since base", signed_bytes(r.growth)));
        }
        out.push_str(&wrap_indented(&line, width, 6));
    }
    let b = &r.between;
    let since = match &r.window {
        Some(w) => format!(
            "allocated in {w} of the recording ({}), alive at its end",
            super::layout::id_window(b.min_id, b.max_id)
        ),
        None if r.target.is_some() => {
            "allocated between base and target, still alive in late".to_string()
        }
        None => "new since base and still alive".to_string(),
    };
    let line = format!(
        "{since}: {} in {}, {} shallow, {} retained",
        plural(b.count, "object", "objects"),
        plural(b.class_count, "class", "classes"),
        human_bytes(b.self_size),
        human_bytes(b.retained_size)
    );
    out.push_str(&wrap_indented(&line, width, 2));
    let each: Vec<_> = r.snapshots().iter().map(|(_, s)| s.off_heap).collect();
    for line in super::memory::memory_lines(&r.memory, &each) {
        out.push_str(&wrap_indented(&line, width, 2));
    }
    let mut notes = Vec::new();
    if b.snapshot_writer_objects > 0 {
        notes.push(format!(
            "left out of the clusters: {} created by writing the snapshot (its file name)",
            plural(b.snapshot_writer_objects, "object", "objects")
        ));
    }
    notes.extend(ignored_note(&r.ignored));
    if r.redacted {
        notes.push("redacted (--redact): strings from the heap are placeholders".to_string());
    }
    notes.extend(r.warnings.iter().map(|w| format!("warning: {w}")));
    notes.extend(r.source_notes.iter().map(|n| format!("note: {n}")));
    notes.extend(r.notes.iter().map(|n| format!("note: {n}")));
    for note in notes {
        out.push_str(&wrap_indented(&note, width, 2));
    }
    if let Some(wanted) = &layout.cluster {
        super::card::cluster_card(&mut out, find_cluster(r, wanted)?, layout);
        return Ok(out);
    }
    let chosen = shown_clusters(r, layout);
    if r.target.is_none() && r.window.is_none() {
        findings(
            &mut out,
            &r.findings,
            false,
            r.verdict.starts_with("Possible leak:"),
            layout,
        );
    }

    let with_paths = layout.paths.unwrap_or(usize::MAX);
    if let Some(packages) = &r.packages {
        super::packages::pair(&mut out, packages, layout);
    }
    if let Some(sites) = &r.allocation_sites {
        let untraced = (r.untraced_count.unwrap_or(0), r.between.count);
        super::sites::new_objects_by_site(&mut out, sites, untraced, layout);
    } else if r.clusters.is_empty() {
        out.push_str("\nClusters of new objects\n");
        out.push_str("(none: no two new objects share a site, shape or content)\n");
    } else {
        out.push_str("\nClusters of new objects\n");
        let table = new_table(&["#", "Kind", "Cluster", "Count", "Shallow", "Retained"]);
        let rows: Vec<Vec<String>> = chosen
            .shown
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let mut text = cluster_title(c, cwd);
                for line in [cluster_origin(c, cwd), allocated_by(c, cwd)]
                    .into_iter()
                    .flatten()
                {
                    text.push('\n');
                    text.push_str(&line);
                }
                if i < with_paths
                    && let Some(p) = short_paths(&c.paths, c.paths_sampled).first()
                {
                    text.push_str("\nheld by ");
                    text.push_str(&held_by(p, c.paths_sampled, cwd));
                }
                vec![
                    c.rank.to_string(),
                    c.kind.to_string(),
                    text,
                    thousands(c.count),
                    human_bytes(c.self_size),
                    human_bytes(c.retained_size),
                ]
            })
            .collect();
        out.push_str(&finish(table, &[1, 2], &[2], &rows, layout));
        let hidden = r.clusters.len() as u64 - chosen.small_count - chosen.shown.len() as u64;
        if chosen.small_count > 0 {
            out.push_str(&format!(
                "({} under {} retained, {} in all; --min-size 0 shows them)\n",
                plural(chosen.small_count, "small cluster", "small clusters"),
                human_bytes(chosen.min_size),
                human_bytes(chosen.small_retained)
            ));
        }
        if hidden > 0 {
            out.push_str(&format!(
                "({}; --top N shows more, --json shows all)\n",
                plural(hidden, "more cluster", "more clusters")
            ));
        }
        more_paths(&mut out, &chosen.shown, with_paths, layout);
    }

    for group in &r.lockstep {
        let line = format!(
            "likely allocated together: {}",
            lockstep_text(group, LOCKSTEP_SHOWN)
        );
        out.push_str(&wrap_indented(&line, width, 2));
    }

    out.push_str("\nNew objects by class\n");
    let table = new_table(&["Class", "Count", "Shallow", "Retained", "Distance"]);
    let rows: Vec<Vec<String>> = r
        .classes
        .iter()
        .take(layout.top)
        .map(|c| {
            vec![
                c.name.clone(),
                thousands(c.count),
                human_bytes(c.self_size),
                human_bytes(c.retained_size),
                display_distance(c.distance),
            ]
        })
        .collect();
    out.push_str(&finish(table, &[0], &[0], &rows, layout));
    more(&mut out, r.classes.len(), layout.top, "classes");

    budgets(&mut out, &r.budgets);

    if let Some(list) = &r.comparison {
        out.push_str("\nComparison with base (DevTools' Comparison view)\n");
        let table = new_table(&[
            "Class",
            "# New",
            "# Deleted",
            "# Delta",
            "Alloc. size",
            "Freed size",
            "Size delta",
        ]);
        let rows: Vec<Vec<String>> = list
            .iter()
            .take(layout.top)
            .map(|row| {
                vec![
                    row.name.clone(),
                    thousands(row.added_count),
                    thousands(row.removed_count),
                    signed_count(row.count_delta),
                    human_bytes(row.added_size),
                    human_bytes(row.removed_size),
                    signed_bytes(row.size_delta),
                ]
            })
            .collect();
        out.push_str(&finish(table, &[0], &[0], &rows, layout));
        more(&mut out, list.len(), layout.top, "rows");
        if r.hidden_churn_rows > 0 {
            out.push_str(&format!(
                "({} of embedder-object churn hidden; --show-churn shows them)\n",
                plural(r.hidden_churn_rows, "row", "rows")
            ));
        }
    }
    Ok(out)
}

/// How many classes of a lockstep group a line names.
const LOCKSTEP_SHOWN: usize = 6;

/// The retainer paths a cluster row has no room for: each cluster's other shapes.
fn more_paths(
    out: &mut String,
    shown: &[&super::ClusterReport],
    with_paths: usize,
    layout: &Layout,
) {
    let cwd = layout.cwd.as_deref();
    let mut any = false;
    for c in shown.iter().take(with_paths) {
        let paths = short_paths(&c.paths, c.paths_sampled);
        if paths.len() < 2 {
            continue;
        }
        if !any {
            out.push_str("\nMore retainer paths (N/M: N of M sampled members)\n");
            any = true;
        }
        out.push_str(&format!("#{} {}\n", c.rank, cluster_title(c, cwd)));
        for p in &paths[1..] {
            let line = format!("  {}", held_by(p, c.paths_sampled, cwd));
            out.push_str(&wrap_indented(&line, layout.width, 4));
        }
    }
    if shown.iter().take(with_paths).any(|c| !c.paths.is_empty()) {
        out.push_str(&wrap(PATH_LEGEND, layout.width));
    }
}

fn more(out: &mut String, total: usize, shown: usize, what: &str) {
    if total > shown {
        out.push_str(&format!(
            "({} more {what}; --top N shows more, --json shows all)\n",
            thousands((total - shown) as u64)
        ));
    }
}

/// The part of a finding's gains outside the JS heap, when it is a tenth or more of them.
fn off_heap_share(f: &super::FindingReport) -> Option<String> {
    (f.off_heap_bytes > 0 && f.off_heap_bytes * 10 >= f.gained_bytes)
        .then(|| human_bytes(f.off_heap_bytes))
}

/// Renders a series: the snapshots, then classes and clusters with a trend line each.
pub fn series(r: &SeriesReport, layout: &Layout) -> String {
    let mut out = fit_line(
        &short_scripts(&r.verdict, layout.cwd.as_deref()),
        layout.width,
    );
    for (i, s) in r.snapshots.iter().enumerate() {
        out.push_str(&format!(
            "#{}  {}  {} nodes  {}\n",
            i + 1,
            s.file,
            thousands(s.node_count),
            sizes(s)
        ));
    }
    if let Some(note) = ignored_note(&r.ignored) {
        out.push_str(&format!("{note}\n"));
    }
    for w in &r.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    let each: Vec<_> = r.snapshots.iter().map(|s| s.off_heap).collect();
    for line in super::memory::memory_lines(&r.memory, &each) {
        out.push_str(&wrap_indented(&line, layout.width, 2));
    }
    for n in r.source_notes.iter().chain(&r.notes) {
        out.push_str(&format!("note: {n}\n"));
    }
    findings(&mut out, &r.findings, true, false, layout);
    if let Some(packages) = &r.packages {
        super::packages::series(&mut out, packages, layout);
    }
    budgets(&mut out, &r.budgets);
    for (title, rows) in [
        ("Classes (all objects)", &r.classes),
        (
            "Clusters (all objects, by site, shape or content)",
            &r.clusters,
        ),
    ] {
        out.push_str(&format!("\n{title}\n"));
        let growing = rows.iter().filter(|t| t.growing).count() as u64;
        out.push_str(&format!("{} growing at every step\n", thousands(growing)));
        if rows.is_empty() {
            continue;
        }
        let table = new_table(&[
            "",
            "Name",
            "Counts",
            "First",
            "Last",
            "Per step",
            "Retained per step",
        ]);
        let cells: Vec<Vec<String>> = rows
            .iter()
            .take(layout.top)
            .map(|t| trend_row(t, layout))
            .collect();
        out.push_str(&finish(table, &[1, 2], &[1, 2], &cells, layout));
        more(&mut out, rows.len(), layout.top, "rows");
    }
    growing_paths(&mut out, r, layout);
    out
}

/// Where the growing clusters of a series are held: the paths of their members new since the
/// first snapshot, in the last one.
fn growing_paths(out: &mut String, r: &SeriesReport, layout: &Layout) {
    let cwd = layout.cwd.as_deref();
    let with_paths = layout.paths.unwrap_or(usize::MAX);
    let growing: Vec<&TrendReport> = r
        .clusters
        .iter()
        .take(layout.top)
        .filter(|t| t.growing && !t.paths.is_empty())
        .take(with_paths)
        .collect();
    if growing.is_empty() {
        return;
    }
    out.push_str("\nWhere the growing clusters are held (members new since the first snapshot)\n");
    for t in growing {
        for (i, line) in trend_name(t, cwd).lines().enumerate() {
            let mark = if i == 0 { "\u{2191} " } else { "  " };
            out.push_str(&wrap_indented(&format!("{mark}{line}"), layout.width, 2));
        }
        for p in short_paths(&t.paths, t.paths_sampled) {
            let line = format!("  held by {}", held_by(&p, t.paths_sampled, cwd));
            out.push_str(&wrap_indented(&line, layout.width, 4));
        }
    }
    out.push_str(&wrap(SERIES_LEGEND, layout.width));
}

/// A class's name, or a cluster's as a pair names it, with where its objects come from.
fn trend_name(t: &TrendReport, cwd: Option<&std::path::Path>) -> String {
    match trend_title(t, cwd) {
        (title, Some(origin)) => format!("{title}\n{origin}"),
        (title, None) => title,
    }
}

fn trend_row(t: &TrendReport, layout: &Layout) -> Vec<String> {
    let first = t.counts.first().copied().unwrap_or(0);
    let last = t.counts.last().copied().unwrap_or(0);
    vec![
        if t.growing { "\u{2191}" } else { "" }.to_string(),
        trend_name(t, layout.cwd.as_deref()),
        super::sparkline(&t.counts),
        thousands(first),
        thousands(last),
        per_step(t.count_slope),
        signed_bytes(t.retained_slope.round() as i64),
    ]
}

/// A count per step: `+52,614`, `+0.5` below ten, `0` for none.
fn per_step(slope: f64) -> String {
    if slope == 0.0 {
        "0".to_string()
    } else if slope.abs() >= 10.0 {
        signed_count(slope.round() as i64)
    } else if slope < 0.0 {
        format!("\u{2212}{:.1}", -slope)
    } else {
        format!("+{slope:.1}")
    }
}

/// The findings section: a table of holders (growing ones marked ↑), each by its path from a
/// root (short), its id, and where inside it the gains sit.
/// `verdict_says_one_step`: the report's first line already said that one step cannot tell a
/// leak from a one-time fill, so the table does not say it again.
fn findings(
    out: &mut String,
    list: &[FindingReport],
    series: bool,
    verdict_says_one_step: bool,
    layout: &Layout,
) {
    let cwd = layout.cwd.as_deref();
    out.push_str("\nFindings: old objects that keep gaining new ones\n");
    if series {
        let growing = list.iter().filter(|f| f.growing).count();
        out.push_str(&format!(
            "{growing} grew at every step (↑); the others gained objects at some steps only\n"
        ));
    } else if !verdict_says_one_step {
        out.push_str(&wrap(
            "two snapshots: a one-time fill looks like growth here; a third snapshot shows which \
             of these grow at every step",
            layout.width,
        ));
    }
    if list.is_empty() {
        out.push_str("(none: no old object gained new ones)\n");
        return;
    }
    let table = new_table(&["#", "Holder", "Gained", "Objects", "What it gained"]);
    let rows: Vec<Vec<String>> = list
        .iter()
        .take(layout.top)
        .map(|f| {
            let mark = if f.growing { "\u{2191} " } else { "" };
            let note = f.suspicion_note();
            let gained = if f.step_bytes.len() > 1 {
                f.step_bytes
                    .iter()
                    .map(|&b| format!("+{}", human_bytes(b)))
                    .collect::<Vec<_>>()
                    .join(" ")
            } else {
                format!("+{}", human_bytes(f.gained_bytes))
            };
            let gained = match off_heap_share(f) {
                Some(off) => format!("{gained}\n{off} off-heap"),
                None => gained,
            };
            let mut holder = format!(
                "{mark}{}{note} @{}",
                short_scripts(&f.holder.short_path, cwd),
                f.holder.id
            );
            if !f.holder.inside_short.is_empty() {
                holder.push_str(&format!("\ninside it: {}", f.holder.inside_short));
            }
            if let Some(also) = f.also_held_summary(2) {
                holder.push_str(&format!("\nalso held by: {}", short_scripts(&also, cwd)));
            }
            vec![
                f.rank.to_string(),
                holder,
                gained,
                thousands(f.gained_count),
                short_scripts(&f.parts_summary(3), cwd),
            ]
        })
        .collect();
    out.push_str(&finish(table, &[1, 4], &[1, 4], &rows, layout));
    more(out, list.len(), layout.top, "findings");
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
            format!(", {} over", budget_value(x, x.actual - x.limit))
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
            x.budget,
            budget_value(x, x.actual),
            budget_value(x, x.limit)
        ));
    }
}

/// The verdict line, wrapped at word boundaries to the layout's width (when it has one).
fn fit_line(text: &str, width: Option<u16>) -> String {
    if text.is_empty() {
        return String::new();
    }
    let Some(width) = width.map(usize::from).filter(|&w| w >= 20) else {
        return format!("{text}\n");
    };
    let mut out = String::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let len = line.chars().count();
        if len > 0 && len + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = String::from("  ");
        } else if len > 0 {
            line.push(' ');
        }
        line.push_str(word);
    }
    out.push_str(&line);
    out.push('\n');
    out
}
