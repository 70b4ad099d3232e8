//! Text and markdown tables of memory by npm package (`--group-by package`): a pair's growth
//! and new objects, a series' growth per step, one snapshot's totals with what each package's
//! absence would free.

use super::fit::{finish, wrap_indented};
use super::format::signed_bytes;
use super::layout::{Layout, plural};
use super::table::new_table;
use super::{human_bytes, thousands};
use crate::leaks::packages::{PackageRow, PackageTotal, PackageTrend};

const LEGEND: &str = "(app): the program's own code; (node): Node's own; (no site): engine \
                      and runtime state no code's object holds. Each byte is one package's: \
                      its code made the object, or the nearest object holding it. Holding: \
                      what the findings whose holder is the package's gained (the leak lives \
                      there); packages holding one come first.";

/// A finding total, or a dash for none.
fn holding(bytes: u64) -> String {
    if bytes == 0 {
        "–".to_string()
    } else {
        human_bytes(bytes)
    }
}

/// A pair: each package's growth, its new objects and what it owns in the late snapshot.
pub(super) fn pair(out: &mut String, rows: &[PackageRow], layout: &Layout) {
    out.push_str("\nMemory by package (the code that made it)\n");
    let has_base = rows.iter().any(|r| r.base.is_some());
    let mut header = vec!["Package", "Holding", "New objects", "New shallow"];
    if has_base {
        header.push("Growth");
    }
    header.push("Owned (late)");
    let cells: Vec<Vec<String>> = rows
        .iter()
        .take(layout.top)
        .map(|r| {
            let mut row = vec![
                r.package.clone(),
                holding(r.held_growth),
                thousands(r.new.count),
                human_bytes(r.new.bytes),
            ];
            if has_base {
                row.push(signed_bytes(r.growth()));
            }
            row.push(human_bytes(r.late.bytes));
            row
        })
        .collect();
    out.push_str(&finish(new_table(&header), &[0], &[0], &cells, layout));
    more(out, rows.len(), layout.top);
    out.push_str(&wrap_indented(LEGEND, layout.width, 0));
}

/// A series: what each package owns at the first and last snapshot, and its gain per step.
pub(super) fn series(out: &mut String, trends: &[PackageTrend], layout: &Layout) {
    out.push_str("\nMemory by package (the code that made it)\n");
    let cells: Vec<Vec<String>> = trends
        .iter()
        .take(layout.top)
        .map(|t| {
            let first = t.shares.first().map_or(0, |s| s.bytes);
            let last = t.shares.last().map_or(0, |s| s.bytes);
            let steps: Vec<String> = t.steps().into_iter().map(signed_bytes).collect();
            vec![
                t.package.clone(),
                holding(t.held_growth),
                human_bytes(first),
                human_bytes(last),
                steps.join(" "),
            ]
        })
        .collect();
    let table = new_table(&["Package", "Holding", "First", "Last", "Per step"]);
    out.push_str(&finish(table, &[0, 4], &[0, 4], &cells, layout));
    more(out, trends.len(), layout.top);
    out.push_str(&wrap_indented(LEGEND, layout.width, 0));
}

/// One snapshot: what each package owns, and what would be freed if it were gone.
pub(super) fn totals(out: &mut String, rows: &[PackageTotal], layout: &Layout) {
    out.push_str("\nMemory by package (the code that made it)\n");
    let cells: Vec<Vec<String>> = rows
        .iter()
        .take(layout.top)
        .map(|r| {
            vec![
                r.package.clone(),
                thousands(r.count),
                human_bytes(r.bytes),
                r.freed_if_gone.map_or("–".to_string(), human_bytes),
            ]
        })
        .collect();
    let table = new_table(&["Package", "Objects", "Owned", "Freed if gone"]);
    out.push_str(&finish(table, &[0], &[0], &cells, layout));
    more(out, rows.len(), layout.top);
    let legend = format!(
        "{LEGEND} Freed if gone: what no strong reference would reach without the objects \
         its code made (shared with other packages' objects: not counted)."
    );
    out.push_str(&wrap_indented(&legend, layout.width, 0));
}

/// Markdown: the same rows as the text tables, for a pair.
pub(super) fn pair_markdown(out: &mut String, rows: &[PackageRow], layout: &Layout) {
    out.push_str("\n### Memory by package\n\n| Package | Holding | New objects | New shallow | Growth | Owned (late) |\n|---|--:|--:|--:|--:|--:|\n");
    for r in rows.iter().take(layout.top) {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            r.package,
            holding(r.held_growth),
            thousands(r.new.count),
            human_bytes(r.new.bytes),
            signed_bytes(r.growth()),
            human_bytes(r.late.bytes)
        ));
    }
}

fn more(out: &mut String, total: usize, shown: usize) {
    if total > shown {
        out.push_str(&format!(
            "({}; --top N shows more, --json shows all)\n",
            plural((total - shown) as u64, "more package", "more packages")
        ));
    }
}
