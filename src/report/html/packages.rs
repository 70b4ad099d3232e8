//! HTML tables of memory by npm package (`--group-by package`), as the text report has them.

use super::esc;
use super::parts::{bytes, count, num, table};
use crate::leaks::packages::{PackageRow, PackageTotal, PackageTrend};
use crate::report::signed_bytes;

const TITLE: &str = "<h2 id=\"packages\">Memory by package (the code that made it)</h2>\n\
<p class=\"note\">(app): the program's own code; (node): Node's own; (no site): engine and \
runtime state no code's object holds. Each byte is one package's: its code made the object, \
or the nearest object holding it. Holding: what the findings whose holder is the package's \
gained (the leak lives there); packages holding one come first.</p>\n";

fn growth(delta: i64) -> String {
    num(delta, &signed_bytes(delta))
}

/// A pair: new objects, growth and what each package owns in the late snapshot.
pub(super) fn pair(rows: &[PackageRow], max: usize) -> String {
    let cells: Vec<String> = rows
        .iter()
        .take(max)
        .map(|r| {
            format!(
                "<td class=\"mono\">{}</td>{}{}{}{}{}",
                esc(&r.package),
                bytes(r.held_growth),
                count(r.new.count),
                bytes(r.new.bytes),
                growth(r.growth()),
                bytes(r.late.bytes)
            )
        })
        .collect();
    let columns = [
        ("Package", false),
        ("Holding", true),
        ("New objects", true),
        ("New shallow", true),
        ("Growth", true),
        ("Owned (late)", true),
    ];
    format!("{TITLE}{}", table("packages-table", &columns, &cells))
}

/// A series: what each package owns first and last, and its gain per step.
pub(super) fn series(trends: &[PackageTrend], max: usize) -> String {
    let cells: Vec<String> = trends
        .iter()
        .take(max)
        .map(|t| {
            let first = t.shares.first().map_or(0, |s| s.bytes);
            let last = t.shares.last().map_or(0, |s| s.bytes);
            let steps: Vec<String> = t.steps().into_iter().map(signed_bytes).collect();
            format!(
                "<td class=\"mono\">{}</td>{}{}{}<td>{}</td>",
                esc(&t.package),
                bytes(t.held_growth),
                bytes(first),
                bytes(last),
                esc(&steps.join(" "))
            )
        })
        .collect();
    let columns = [
        ("Package", false),
        ("Holding", true),
        ("First", true),
        ("Last", true),
        ("Per step", false),
    ];
    format!("{TITLE}{}", table("packages-table", &columns, &cells))
}

/// One snapshot: what each package owns, and what would be freed if it were gone.
pub(super) fn totals(rows: &[PackageTotal], max: usize) -> String {
    let cells: Vec<String> = rows
        .iter()
        .take(max)
        .map(|r| {
            let freed = r
                .freed_if_gone
                .map_or_else(|| "<td class=\"num\">–</td>".to_string(), bytes);
            format!(
                "<td class=\"mono\">{}</td>{}{}{freed}",
                esc(&r.package),
                count(r.count),
                bytes(r.bytes)
            )
        })
        .collect();
    let columns = [
        ("Package", false),
        ("Objects", true),
        ("Owned", true),
        ("Freed if gone", true),
    ];
    format!("{TITLE}{}", table("packages-table", &columns, &cells))
}
