//! The pieces of a report page: sortable tables and treemaps.

use std::path::Path;

use super::esc;
use super::treemap::{Rect, squarify};
use crate::report::layout::{budget_value, short_scripts};
use crate::report::{
    BudgetReport, ClassReport, ComparisonRow, FindingReport, SnapshotInfo, display_distance,
    human_bytes, signed_bytes, signed_count, thousands,
};

/// A number cell: shown formatted, sorted by its raw value.
pub(super) fn num(value: impl std::fmt::Display, shown: &str) -> String {
    format!(
        "<td class=\"num\" data-value=\"{value}\">{}</td>",
        esc(shown)
    )
}

pub(super) fn bytes(b: u64) -> String {
    num(b, &human_bytes(b))
}

pub(super) fn count(c: u64) -> String {
    num(c, &thousands(c))
}

/// Tables with more rows than this get a filter box.
const FILTER_ROWS: usize = 10;

/// A sortable table, with a filter box when it is long: `columns` are (title, numeric).
pub(super) fn table(id: &str, columns: &[(&str, bool)], rows: &[String]) -> String {
    let mut out = String::new();
    if rows.len() > FILTER_ROWS {
        out.push_str(&format!(
            "<p><input type=\"search\" class=\"filter\" data-table=\"{id}\" \
             placeholder=\"Filter rows\" aria-label=\"Filter the table\"></p>\n"
        ));
    }
    out.push_str(&format!(
        "<table id=\"{id}\" class=\"sortable\">\n<thead><tr>"
    ));
    for (title, numeric) in columns {
        let class = if *numeric { " class=\"num\"" } else { "" };
        out.push_str(&format!("<th{class} scope=\"col\">{}</th>", esc(title)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        out.push_str(&format!("<tr>{row}</tr>\n"));
    }
    out.push_str("</tbody>\n</table>\n");
    out
}

pub(super) fn snapshots_table(list: &[(&str, &SnapshotInfo)]) -> String {
    let rows: Vec<String> = list
        .iter()
        .map(|(label, s)| {
            format!(
                "<td>{}</td><td><code>{}</code></td>{}{}{}",
                esc(label),
                esc(&s.file),
                count(s.node_count),
                bytes(s.total_size),
                s.file_size.map_or_else(|| num(0, "\u{2212}"), bytes)
            )
        })
        .collect();
    let mut out = String::from("<h2 id=\"snapshots\">Snapshots</h2>\n");
    out.push_str(&table(
        "snapshots-table",
        &[
            ("Snapshot", false),
            ("File", false),
            ("Nodes", true),
            ("Heap", true),
            ("File size", true),
        ],
        &rows,
    ));
    out
}

pub(super) fn budgets(list: &[BudgetReport]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut out = String::from("<h2 id=\"budgets\">Budgets</h2>\n<ul>\n");
    for b in list {
        out.push_str(&format!(
            "<li class=\"{}\"><code>{}</code>: {}, actual {}, limit {}</li>\n",
            if b.exceeded { "warning" } else { "" },
            esc(&b.budget),
            if b.exceeded { "exceeded" } else { "met" },
            budget_value(b, b.actual),
            budget_value(b, b.limit)
        ));
    }
    out.push_str("</ul>\n");
    out
}

pub(super) fn findings_table(list: &[FindingReport], series: bool, cwd: Option<&Path>) -> String {
    let mut out =
        String::from("<h2 id=\"findings\">Findings: old objects that keep gaining new ones</h2>\n");
    if !series {
        out.push_str(
            "<p class=\"note\">Two snapshots: a one-time fill looks like growth here; a third \
             snapshot shows which of these grow at every step.</p>\n",
        );
    }
    if list.is_empty() {
        out.push_str("<p>None: no old object gained new ones.</p>\n");
        return out;
    }
    let rows: Vec<String> = list
        .iter()
        .map(|f| {
            let note = f.suspicion_note();
            let mark = if f.growing { "\u{2191} " } else { "" };
            let mut holder = format!(
                "{mark}<code>{}</code>{note} <span class=\"note\">@{}</span>",
                esc(&short_scripts(&f.holder.short_path, cwd)),
                f.holder.id
            );
            if !f.holder.inside_short.is_empty() {
                holder.push_str(&format!(
                    "<br>inside it: <code>{}</code>",
                    esc(&f.holder.inside_short)
                ));
            }
            if let Some(also) = f.also_held_summary(3) {
                holder.push_str(&format!(
                    "<br>also held by: <code>{}</code>",
                    esc(&short_scripts(&also, cwd))
                ));
            }
            format!(
                "{}<td>{holder}</td>{}{}<td>{}</td>",
                count(f.rank),
                bytes(f.gained_bytes),
                count(f.gained_count),
                esc(&short_scripts(&f.parts_summary(4), cwd))
            )
        })
        .collect();
    out.push_str(&table(
        "findings-table",
        &[
            ("#", true),
            ("Holder", false),
            ("Gained", true),
            ("Objects", true),
            ("What it gained", false),
        ],
        &rows,
    ));
    out
}

/// Size of a treemap's drawing.
const MAP_W: f64 = 1000.0;
const MAP_H: f64 = 420.0;

/// A treemap of `items` (link, label, bytes, kind), largest first, each rectangle a link.
pub(super) fn treemap_svg(id: &str, items: &[(String, String, u64, String)]) -> String {
    let values: Vec<u64> = items.iter().map(|i| i.2).collect();
    let bounds = Rect {
        x: 0.0,
        y: 0.0,
        w: MAP_W,
        h: MAP_H,
    };
    let rects = squarify(&values, bounds);
    let mut out = format!(
        "<svg class=\"treemap\" id=\"{id}\" viewBox=\"0 0 {MAP_W} {MAP_H}\" role=\"img\" \
         aria-label=\"treemap of retained sizes\">\n"
    );
    for ((href, label, size, kind), r) in items.iter().zip(&rects) {
        if r.w <= 0.0 || r.h <= 0.0 {
            continue;
        }
        out.push_str(&format!(
            "<a href=\"{}\"><rect class=\"kind-{}\" x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" \
             height=\"{:.2}\" data-retained=\"{size}\" data-label=\"{}\"><title>{} — {}</title></rect>",
            esc(href),
            esc(kind),
            r.x,
            r.y,
            r.w,
            r.h,
            esc(label),
            esc(label),
            human_bytes(*size)
        ));
        // A label where it fits (about 7 px a character).
        if r.w > 60.0 && r.h > 18.0 {
            let room = ((r.w - 8.0) / 7.0) as usize;
            let mut text: String = label.chars().take(room).collect();
            if label.chars().count() > room {
                text.pop();
                text.push('…');
            }
            out.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{:.1}\">{}</text><text x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                r.x + 4.0,
                r.y + 14.0,
                esc(&text),
                r.x + 4.0,
                r.y + 28.0,
                if r.h > 32.0 {
                    human_bytes(*size)
                } else {
                    String::new()
                }
            ));
        }
        out.push_str("</a>\n");
    }
    out.push_str("</svg>\n");
    out
}

pub(super) fn classes_table(list: &[ClassReport], max: usize) -> String {
    let rows: Vec<String> = list
        .iter()
        .take(max)
        .map(|c| {
            format!(
                "<td>{}</td>{}{}{}{}",
                esc(&c.name),
                count(c.count),
                bytes(c.self_size),
                bytes(c.retained_size),
                num(c.distance, &display_distance(c.distance))
            )
        })
        .collect();
    let mut out = String::from("<h2 id=\"classes\">Objects by class</h2>\n");
    out.push_str(&table(
        "classes-table",
        &[
            ("Class", false),
            ("Count", true),
            ("Shallow", true),
            ("Retained", true),
            ("Distance", true),
        ],
        &rows,
    ));
    out
}

/// Allocation sites: a diff's new objects by the function that allocated them (`new_only`),
/// or a snapshot's Allocation view.
pub(super) fn sites_table(
    list: &[crate::report::AllocationSiteReport],
    max: usize,
    cwd: Option<&std::path::Path>,
    new_only: bool,
) -> String {
    use crate::report::layout::{frame_text, site_allocated_by};
    let rows: Vec<String> = list
        .iter()
        .take(max)
        .map(|s| {
            let mut site = esc(&frame_text(&s.top.frame, cwd));
            if let Some(by) = site_allocated_by(s, cwd) {
                site.push_str(&format!("<br><span class=\"note\">{}</span>", esc(&by)));
            }
            let all = if new_only {
                String::new()
            } else {
                format!("{}{}", count(s.top.count), bytes(s.top.size))
            };
            format!(
                "<td class=\"mono\">{site}</td>{all}{}{}",
                count(s.top.live_count),
                bytes(s.top.live_size)
            )
        })
        .collect();
    let (title, columns): (&str, Vec<(&str, bool)>) = if new_only {
        (
            "New objects by allocation site",
            vec![
                ("Allocated in", false),
                ("Objects", true),
                ("Shallow", true),
            ],
        )
    } else {
        (
            "Allocation view (DevTools' Allocation perspective)",
            vec![
                ("Function", false),
                ("Allocations", true),
                ("Size", true),
                ("Live", true),
                ("Live size", true),
            ],
        )
    };
    let mut out = format!("<h2 id=\"sites\">{title}</h2>\n");
    out.push_str(&table("sites-table", &columns, &rows));
    out
}

pub(super) fn comparison_table(list: &[ComparisonRow], max: usize) -> String {
    let rows: Vec<String> = list
        .iter()
        .take(max)
        .map(|r| {
            format!(
                "<td>{}</td>{}{}{}{}{}{}",
                esc(&r.name),
                count(r.added_count),
                count(r.removed_count),
                num(r.count_delta, &signed_count(r.count_delta)),
                bytes(r.added_size),
                bytes(r.removed_size),
                num(r.size_delta, &signed_bytes(r.size_delta))
            )
        })
        .collect();
    let mut out = String::from(
        "<h2 id=\"comparison\">Comparison with base (DevTools' Comparison view)</h2>\n",
    );
    out.push_str(&table(
        "comparison-table",
        &[
            ("Class", false),
            ("# New", true),
            ("# Deleted", true),
            ("# Delta", true),
            ("Alloc. size", true),
            ("Freed size", true),
            ("Size delta", true),
        ],
        &rows,
    ));
    out
}
