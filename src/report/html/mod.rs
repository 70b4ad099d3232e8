//! One self-contained HTML page per report: the verdict, treemaps of what the new objects
//! retain, a card per cluster with its retainer paths drawn as chains, and sortable, filterable
//! tables. Built from the report structs alone; the page's script only sorts and filters.

mod cards;
mod chart;
mod memory;
mod packages;
mod parts;
mod treemap;
mod trends;
mod verdict;

use super::layout::{Layout, short_scripts};
use super::{DiffReport, SeriesReport, SummaryReport, human_bytes, thousands};
use cards::cluster_cards;
use parts::{
    budgets, classes_table, comparison_table, findings_table, sites_table, snapshots_table,
    treemap_svg,
};
use trends::{SeriesFrame, growing_charts, trends_table};
use verdict::TopBox;

/// Most clusters a page shows (the JSON report has them all).
const MAX_CLUSTERS: usize = 200;
/// Most table rows a page shows.
const MAX_ROWS: usize = 2000;

/// Text made safe in HTML (elements and attributes).
pub(super) fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The whole page around `body`, with `data` (the report as JSON) embedded for scripts.
fn page(title: &str, body: &str, data: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>\n{}</style>\n</head>\n<body>\n{body}\
         <script type=\"application/json\" id=\"report-data\">{}</script>\n\
         <script>\n{}</script>\n</body>\n</html>\n",
        esc(title),
        include_str!("page.css"),
        // `</` would end the script element early.
        data.replace("</", "<\\/"),
        include_str!("page.js"),
    )
}

/// `heapdiff BASE LATE --format html`.
pub fn diff(r: &DiffReport, layout: &Layout) -> String {
    let cwd = layout.cwd.as_deref();
    let b = &r.between;
    let lists_findings = r.target.is_none() && r.window.is_none();
    let mut body = String::from("<header><h1>heapdiff</h1>\n");
    body.push_str(
        &TopBox {
            verdict: &r.verdict,
            budgets: &r.budgets,
            first: r.findings.first().filter(|_| lists_findings),
            findings: r.findings.len(),
            counts: format!(
                "{} objects allocated since base are still alive: {} shallow, {} retained; heap {} since base.",
                thousands(b.count),
                human_bytes(b.self_size),
                human_bytes(b.retained_size),
                super::signed_bytes(r.growth)
            ),
        }
        .html(cwd),
    );
    body.push_str(&format!(
        "<p class=\"note\" id=\"redaction\">{}</p>\n",
        esc(super::layout::redaction_note(r.redacted))
    ));
    body.push_str("</header>\n<main>\n");
    body.push_str(&snapshots_table(&r.snapshots()));
    for w in &r.warnings {
        body.push_str(&format!("<p class=\"warning\">Warning: {}</p>\n", esc(w)));
    }
    for n in r.source_notes.iter().chain(&r.notes) {
        body.push_str(&format!("<p class=\"note\">Note: {}</p>\n", esc(n)));
    }
    body.push_str(&budgets(&r.budgets));
    if lists_findings {
        body.push_str(&findings_table(&r.findings, false, cwd));
    }
    if r.window.is_none() {
        body.push_str(&memory::memory_section(&r.snapshots(), &r.memory));
    }
    if let Some(p) = &r.packages {
        body.push_str(&packages::pair(p, MAX_ROWS));
    }
    // The clusters the text report would list, up to MAX_CLUSTERS of them.
    let chosen = super::layout::shown_clusters(
        r,
        &Layout {
            top: MAX_CLUSTERS,
            ..layout.clone()
        },
    );
    let shown = chosen.shown;
    body.push_str("<h2 id=\"treemaps\">What the new objects retain</h2>\n");
    body.push_str(
        "<p class=\"note\">Each rectangle is a cluster (a treemap of their set-level retained \
         sizes; clusters held by another are inside it and not drawn twice). Click one for its card.</p>\n",
    );
    let top: Vec<(String, String, u64, String)> = shown
        .iter()
        .filter(|c| c.inside_of.is_none())
        .map(|c| {
            (
                format!("#cluster-{}", c.rank),
                super::layout::cluster_title(c, cwd),
                c.retained_size,
                c.kind.to_string(),
            )
        })
        .collect();
    body.push_str(&treemap_svg("treemap-clusters", &top));
    body.push_str(
        "<p class=\"legend\"><span><i class=\"kind-closures\"></i>closures</span>\
         <span><i class=\"kind-objects\"></i>objects</span><span><i class=\"kind-strings\"></i>strings</span>\
         <span><i class=\"kind-detached-dom\"></i>detached DOM</span></p>\n",
    );
    let by_class: Vec<(String, String, u64, String)> = r
        .classes
        .iter()
        .take(MAX_CLUSTERS)
        .map(|c| {
            (
                "#classes".to_string(),
                c.name.clone(),
                c.retained_size,
                "classes".to_string(),
            )
        })
        .collect();
    body.push_str("<h3>By class (DevTools' \u{201c}allocated between\u{201d} rows)</h3>\n");
    body.push_str(&treemap_svg("treemap-classes", &by_class));
    body.push_str(&cluster_cards(&shown, cwd));
    if chosen.small_count > 0 {
        body.push_str(&format!(
            "<p class=\"note\">{} clusters under {} retained ({} in all) are not shown \
             (<code>--min-size</code>).</p>\n",
            thousands(chosen.small_count),
            human_bytes(chosen.min_size),
            human_bytes(chosen.small_retained)
        ));
    }
    let rest = r.clusters.len() as u64 - chosen.small_count - shown.len() as u64;
    if rest > 0 {
        body.push_str(&format!(
            "<p class=\"note\">{} more clusters are in the JSON report (<code>--json</code>).</p>\n",
            thousands(rest)
        ));
    }
    if let Some(sites) = &r.allocation_sites {
        body.push_str(&sites_table(sites, MAX_ROWS, cwd, true));
    }
    body.push_str(&classes_table(&r.classes, MAX_ROWS));
    if let Some(rows) = &r.comparison {
        body.push_str(&comparison_table(rows, MAX_ROWS));
    }
    body.push_str("</main>\n");
    let mut data = r.clone();
    let ranks: std::collections::HashSet<u64> = shown.iter().map(|c| c.rank).collect();
    data.clusters.retain(|c| ranks.contains(&c.rank));
    data.classes.truncate(MAX_ROWS);
    let json = serde_json::to_string(&data).unwrap_or_default();
    page("heapdiff report", &body, &json)
}

/// A series of snapshots as a page: findings, and a chart per growing class and cluster.
pub fn series(r: &SeriesReport, layout: &Layout) -> String {
    let cwd = layout.cwd.as_deref();
    let growing = r.findings.iter().filter(|f| f.growing).count();
    let mut body = String::from("<header><h1>heapdiff: a series of snapshots</h1>\n");
    body.push_str(
        &TopBox {
            verdict: &r.verdict,
            budgets: &r.budgets,
            first: r.findings.first(),
            findings: r.findings.len(),
            counts: format!(
                "{} snapshots; {} grew at every step.",
                r.snapshots.len(),
                super::layout::plural(growing as u64, "holder", "holders")
            ),
        }
        .html(cwd),
    );
    body.push_str(&format!(
        "<p class=\"note\" id=\"redaction\">{}</p>\n",
        esc(super::layout::redaction_note(r.redacted))
    ));
    body.push_str("</header>\n<main>\n");
    let labels: Vec<String> = (1..=r.snapshots.len()).map(|i| format!("#{i}")).collect();
    let list: Vec<(&str, &super::SnapshotInfo)> = labels
        .iter()
        .map(String::as_str)
        .zip(r.snapshots.iter())
        .collect();
    body.push_str(&snapshots_table(&list));
    for w in &r.warnings {
        body.push_str(&format!("<p class=\"warning\">Warning: {}</p>\n", esc(w)));
    }
    for n in r.source_notes.iter().chain(&r.notes) {
        body.push_str(&format!("<p class=\"note\">Note: {}</p>\n", esc(n)));
    }
    body.push_str(&budgets(&r.budgets));
    body.push_str(&findings_table(&r.findings, true, cwd));
    body.push_str(&memory::memory_section(&list, &r.memory));
    if let Some(p) = &r.packages {
        body.push_str(&packages::series(p, MAX_ROWS));
    }
    body.push_str("<h2 id=\"growing\">What grew at every step</h2>\n");
    let frame = SeriesFrame::of(r, &labels);
    body.push_str(&growing_charts(
        "clusters",
        "Clusters",
        &r.clusters,
        &frame,
        cwd,
    ));
    body.push_str(&growing_charts(
        "classes", "Classes", &r.classes, &frame, cwd,
    ));
    body.push_str(&trends_table(
        "classes",
        "Classes (all objects)",
        &r.classes,
        MAX_ROWS,
        cwd,
    ));
    body.push_str(&trends_table(
        "clusters",
        "Clusters (all objects, by site, shape or content)",
        &r.clusters,
        MAX_ROWS,
        cwd,
    ));
    body.push_str("</main>\n");
    let mut data = r.clone();
    data.classes.truncate(MAX_ROWS);
    data.clusters.truncate(MAX_ROWS);
    let json = serde_json::to_string(&data).unwrap_or_default();
    page("heapdiff series", &body, &json)
}

/// `heapdiff summary FILE --format html`: DevTools' Summary view.
pub fn summary(r: &SummaryReport, layout: &Layout) -> String {
    let mut body = format!(
        "<header><h1>heapdiff summary</h1>\n<p class=\"verdict\" id=\"verdict\">{}: {} nodes, \
         {} edges, heap {}</p>\n<p class=\"note\" id=\"redaction\">{}</p></header>\n<main>\n",
        esc(&short_scripts(&r.file, None)),
        thousands(r.node_count),
        thousands(r.edge_count),
        human_bytes(r.total_size),
        esc(super::layout::redaction_note(r.redacted))
    );
    if let Some(tops) = &r.allocation {
        body.push_str(&sites_table(tops, MAX_ROWS, layout.cwd.as_deref(), false));
    }
    if let Some(p) = &r.packages {
        body.push_str(&packages::totals(p, MAX_ROWS));
    }
    let rows: Vec<super::ClassReport> = r.classes.iter().take(MAX_ROWS).cloned().collect();
    body.push_str(&classes_table(&rows, MAX_ROWS));
    body.push_str("</main>\n");
    let mut data = r.clone();
    data.classes.truncate(MAX_ROWS);
    if let Some(tops) = &mut data.allocation {
        tops.truncate(MAX_ROWS);
    }
    let json = serde_json::to_string(&data).unwrap_or_default();
    page("heapdiff summary", &body, &json)
}
