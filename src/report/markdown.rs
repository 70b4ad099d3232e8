//! Markdown for pull-request comments: a one-line verdict, the budgets, the top clusters, the
//! new objects by class, and the retainer paths folded away in a `<details>` block.
//!
//! Every text taken from the snapshots or the command line is escaped (module `escape`): names
//! in code spans with `cell_code` in tables and `code` elsewhere, the rest with `text`, so that
//! GitHub renders them as the same text. Only the report's own markup and numbers are written
//! as they are.

mod escape;

use escape::{cell_code, code, text};

use super::layout::{
    Layout, PATH_LEGEND, allocated_by, budget_value, cluster_origin, cluster_title, frame_text,
    held_by, lockstep_text, plural, short_paths, short_scripts, shown_clusters, trend_title,
};
use super::{
    BudgetReport, DiffReport, FindingReport, SeriesReport, SnapshotInfo, human_bytes, signed_bytes,
    thousands,
};

/// The file size column: `1.3 MB`, or `−` for stdin.
fn file_size(s: &SnapshotInfo) -> String {
    s.file_size.map_or("\u{2212}".to_string(), human_bytes)
}

/// Renders the diff report as GitHub-flavoured Markdown, `layout.top` rows per table.
pub fn diff(r: &DiffReport, layout: &Layout) -> String {
    let top = layout.top;
    let cwd = layout.cwd.as_deref();
    let b = &r.between;
    let mut out = if r.verdict.is_empty() {
        String::new()
    } else {
        format!("**{}**\n\n", text(&short_scripts(&r.verdict, cwd)))
    };
    let failed = r.budgets.iter().filter(|x| x.exceeded).count();
    let verdict = if r.budgets.is_empty() {
        String::new()
    } else if failed == 0 {
        " — within budget".to_string()
    } else {
        format!(
            " — **{} exceeded**",
            plural(failed as u64, "budget", "budgets")
        )
    };
    out.push_str(&format!(
        "### heapdiff: {} retained by {} new objects{verdict}\n\n",
        human_bytes(b.retained_size),
        thousands(b.count)
    ));
    out.push_str(
        "| snapshot | file | nodes | heap | file size |\n| --- | --- | ---: | ---: | ---: |\n",
    );
    for (label, s) in r.snapshots() {
        out.push_str(&format!(
            "| {label} | {} | {} | {} | {} |\n",
            cell_code(&s.file),
            thousands(s.node_count),
            human_bytes(s.total_size),
            file_size(s)
        ));
    }
    out.push_str(&format!(
        "\n> {}\n",
        text(super::layout::redaction_note(r.redacted))
    ));
    match &r.window {
        Some(w) => out.push_str(&format!(
            "\n{} objects allocated in {w} of the recording ({}) are alive at its end \
             ({} shallow, {} retained).\n",
            thousands(b.count),
            super::layout::id_window(b.min_id, b.max_id),
            human_bytes(b.self_size),
            human_bytes(b.retained_size)
        )),
        None => out.push_str(&format!(
            "\nHeap {} since base; {} objects allocated since base are still alive \
             ({} shallow, {} retained).\n",
            signed_bytes(r.growth),
            thousands(b.count),
            human_bytes(b.self_size),
            human_bytes(b.retained_size)
        )),
    }
    if let Some(note) = super::layout::ignored_note(&r.ignored) {
        out.push_str(&format!("\n> {}\n", text(&note)));
    }
    for w in &r.warnings {
        out.push_str(&format!("\n> **Warning:** {}\n", text(w)));
    }
    for n in r.source_notes.iter().chain(&r.notes) {
        out.push_str(&format!("\n> Note: {}\n", text(n)));
    }
    let each: Vec<_> = r.snapshots().iter().map(|(_, s)| s.off_heap).collect();
    memory(&mut out, &r.memory, &each);
    if r.target.is_none() && r.window.is_none() {
        findings(&mut out, &r.findings, false, layout);
    }
    budgets(&mut out, &r.budgets);

    if let Some(packages) = &r.packages {
        super::packages::pair_markdown(&mut out, packages, layout);
    }
    if let Some(sites) = &r.allocation_sites {
        let untraced = (r.untraced_count.unwrap_or(0), r.between.count);
        allocation_sites(&mut out, sites, untraced, layout);
    } else if r.clusters.is_empty() {
        out.push_str("\n#### Clusters of new objects\n\n");
        out.push_str("None.\n");
    } else {
        out.push_str("\n#### Clusters of new objects\n\n");
        out.push_str(
            "| # | kind | cluster | count | shallow | retained |\n| ---: | --- | --- | ---: | ---: | ---: |\n",
        );
        let chosen = shown_clusters(r, layout);
        let with_paths = layout.paths.unwrap_or(usize::MAX);
        for (i, c) in chosen.shown.iter().enumerate() {
            let mut cluster = cell_code(&cluster_title(c, cwd));
            for line in [cluster_origin(c, cwd), allocated_by(c, cwd)]
                .into_iter()
                .flatten()
            {
                cluster.push_str(&format!("<br>{}", text(&line)));
            }
            if i < with_paths
                && let Some(p) = short_paths(&c.paths, c.paths_sampled).first()
            {
                cluster.push_str(&format!(
                    "<br>held by {}",
                    cell_code(&held_by(p, c.paths_sampled, cwd))
                ));
            }
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                c.rank,
                c.kind,
                cluster,
                thousands(c.count),
                human_bytes(c.self_size),
                human_bytes(c.retained_size)
            ));
        }
        if chosen.small_count > 0 {
            out.push_str(&format!(
                "\n{} under {} retained ({} in all) are not listed.\n",
                plural(chosen.small_count, "small cluster", "small clusters"),
                human_bytes(chosen.min_size),
                human_bytes(chosen.small_retained)
            ));
        }
        let more: Vec<_> = chosen
            .shown
            .iter()
            .take(with_paths)
            .filter(|c| short_paths(&c.paths, c.paths_sampled).len() > 1)
            .collect();
        if !more.is_empty() {
            out.push_str("\n<details><summary>More retainer paths</summary>\n\n");
            for c in more {
                out.push_str(&format!(
                    "**#{}** {}\n\n",
                    c.rank,
                    code(&cluster_title(c, cwd))
                ));
                for p in &short_paths(&c.paths, c.paths_sampled)[1..] {
                    out.push_str(&format!("- {}\n", code(&held_by(p, c.paths_sampled, cwd))));
                }
                out.push('\n');
            }
            out.push_str(&format!("_{}_\n\n</details>\n", text(PATH_LEGEND)));
        }
    }
    for group in &r.lockstep {
        out.push_str(&format!(
            "\nLikely allocated together: {}\n",
            text(&lockstep_text(group, 6))
        ));
    }

    out.push_str("\n#### New objects by class\n\n| class | count | shallow | retained |\n| --- | ---: | ---: | ---: |\n");
    for c in r.classes.iter().take(top) {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell_code(&c.name),
            thousands(c.count),
            human_bytes(c.self_size),
            human_bytes(c.retained_size)
        ));
    }

    out
}

/// Renders the Summary view of one snapshot as Markdown.
pub fn summary(r: &super::SummaryReport, layout: &Layout) -> String {
    let mut out = format!(
        "### heapdiff summary: {}\n\n{} nodes, {} edges, heap {}\n\n> {}\n\n\
         | class | distance | count | shallow | retained |\n| --- | ---: | ---: | ---: | ---: |\n",
        code(&r.file),
        thousands(r.node_count),
        thousands(r.edge_count),
        human_bytes(r.total_size),
        text(super::layout::redaction_note(r.redacted))
    );
    for c in r.classes.iter().take(layout.top) {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell_code(&c.name),
            super::display_distance(c.distance),
            thousands(c.count),
            human_bytes(c.self_size),
            human_bytes(c.retained_size)
        ));
    }
    if r.classes.len() > layout.top {
        out.push_str(&format!(
            "\n{} more classes in `--json`.\n",
            thousands((r.classes.len() - layout.top) as u64)
        ));
    }
    out
}

/// Renders a series as Markdown: the snapshots and the growing classes and clusters.
pub fn series(r: &SeriesReport, layout: &Layout) -> String {
    let top = layout.top;
    let failed = r.budgets.iter().filter(|x| x.exceeded).count();
    let verdict = match (r.budgets.is_empty(), failed) {
        (true, _) => String::new(),
        (false, 0) => " — within budget".to_string(),
        (false, n) => format!(" — **{} exceeded**", plural(n as u64, "budget", "budgets")),
    };
    let mut out = format!(
        "**{}**\n\n",
        text(&short_scripts(&r.verdict, layout.cwd.as_deref()))
    );
    out.push_str(&format!(
        "### heapdiff: trends over a series of snapshots{verdict}\n\n"
    ));
    out.push_str("| # | file | nodes | heap | file size |\n| ---: | --- | ---: | ---: | ---: |\n");
    for (i, s) in r.snapshots.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            i + 1,
            cell_code(&s.file),
            thousands(s.node_count),
            human_bytes(s.total_size),
            file_size(s)
        ));
    }
    out.push_str(&format!(
        "\n> {}\n",
        text(super::layout::redaction_note(r.redacted))
    ));
    if let Some(note) = super::layout::ignored_note(&r.ignored) {
        out.push_str(&format!("\n> {}\n", text(&note)));
    }
    for w in &r.warnings {
        out.push_str(&format!("\n> **Warning:** {}\n", text(w)));
    }
    for n in r.source_notes.iter().chain(&r.notes) {
        out.push_str(&format!("\n> Note: {}\n", text(n)));
    }
    let each: Vec<_> = r.snapshots.iter().map(|s| s.off_heap).collect();
    memory(&mut out, &r.memory, &each);
    findings(&mut out, &r.findings, true, layout);
    budgets(&mut out, &r.budgets);
    let cwd = layout.cwd.as_deref();
    for (title, rows) in [("Classes", &r.classes), ("Clusters", &r.clusters)] {
        out.push_str(&format!(
            "\n#### {title} growing at every step\n\n| name | counts | retained per step |\n| --- | --- | ---: |\n"
        ));
        for t in rows.iter().filter(|t| t.growing).take(top) {
            let counts: Vec<String> = t.counts.iter().map(|&c| thousands(c)).collect();
            let (title, origin) = trend_title(t, cwd);
            let mut name = cell_code(&title);
            if let Some(origin) = origin {
                name.push_str(&format!("<br>{}", cell_code(&origin)));
            }
            if let Some(p) = short_paths(&t.paths, t.paths_sampled).first() {
                name.push_str(&format!(
                    "<br>held by {}",
                    cell_code(&held_by(p, t.paths_sampled, cwd))
                ));
            }
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                name,
                counts.join(" → "),
                signed_bytes(t.retained_slope.round() as i64)
            ));
        }
    }
    out
}

/// The findings as a table: holder, what it gained per step, what it gained; then the paths.
fn findings(out: &mut String, list: &[FindingReport], series: bool, layout: &Layout) {
    let top = layout.top;
    let cwd = layout.cwd.as_deref();
    out.push_str("\n#### Findings: old objects that keep gaining new ones\n\n");
    if !series {
        out.push_str(
            "_Two snapshots: a one-time fill looks like growth here; a third snapshot shows which \
             of these grow at every step._\n\n",
        );
    }
    if list.is_empty() {
        out.push_str("None: no old object gained new ones.\n");
        return;
    }
    out.push_str(
        "| # | holder | gained | objects | what it gained |\n| ---: | --- | ---: | ---: | --- |\n",
    );
    for f in list.iter().take(top) {
        let mark = if f.growing { "↑ " } else { "" };
        let note = f.suspicion_note();
        let gained: Vec<String> = f
            .step_bytes
            .iter()
            .map(|&b| format!("+{}", human_bytes(b)))
            .collect();
        out.push_str(&format!(
            "| {} | {mark}{}{note} | {} | {} | {} |\n",
            f.rank,
            cell_code(&f.label),
            gained.join(" "),
            thousands(f.gained_count),
            text(&short_scripts(&f.parts_summary(3), cwd))
        ));
    }
    out.push_str("\n<details><summary>Paths to the holders</summary>\n\n");
    for f in list.iter().take(top) {
        out.push_str(&format!(
            "- #{} `@{}` {}",
            f.rank,
            f.holder.id,
            code(&f.holder.path)
        ));
        if !f.holder.inside_short.is_empty() {
            out.push_str(&format!(", inside it {}", code(&f.holder.inside_short)));
        }
        if let Some(also) = f.also_held_summary(3) {
            out.push_str(&format!(
                ", also held by {}",
                text(&short_scripts(&also, cwd))
            ));
        }
        out.push('\n');
    }
    out.push_str("\n</details>\n");
}

/// The budgets as a table: each one's actual value and whether it was met.
/// `--group-by stack`: the `total` new objects by the function that allocated them, and how
/// many (`untraced`) have no stack.
fn allocation_sites(
    out: &mut String,
    sites: &[super::AllocationSiteReport],
    (untraced, total): (u64, u64),
    layout: &Layout,
) {
    let cwd = layout.cwd.as_deref();
    out.push_str("\n#### New objects by allocation site\n\n");
    if sites.is_empty() {
        out.push_str("None has an allocation stack.\n");
        return;
    }
    out.push_str("| # | allocated in | objects | shallow |\n| ---: | --- | ---: | ---: |\n");
    for (i, s) in sites.iter().take(layout.top).enumerate() {
        let mut site = cell_code(&frame_text(&s.top.frame, cwd));
        if let Some(by) = super::layout::site_allocated_by(s, cwd) {
            site.push_str(&format!("<br>{}", text(&by)));
        }
        out.push_str(&format!(
            "| {} | {site} | {} | {} |\n",
            i + 1,
            thousands(s.top.live_count),
            human_bytes(s.top.live_size)
        ));
    }
    if untraced > 0 {
        out.push_str(&format!(
            "\n{}\n",
            text(&super::layout::untraced_note(
                untraced,
                total,
                "new objects"
            ))
        ));
    }
}

fn budgets(out: &mut String, list: &[BudgetReport]) {
    if list.is_empty() {
        return;
    }
    out.push_str("\n| budget | actual | result |\n| --- | ---: | --- |\n");
    for x in list {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell_code(&x.budget),
            budget_value(x, x.actual),
            if x.exceeded { "**exceeded**" } else { "ok" }
        ));
    }
}

/// Memory outside the JS heap, and the process's RSS split, as a list.
fn memory(
    out: &mut String,
    m: &crate::leaks::memory::MemorySplit,
    each: &[crate::analysis::off_heap::OffHeap],
) {
    let lines = super::memory::memory_lines(m, each);
    if lines.is_empty() {
        return;
    }
    out.push_str("\n#### Memory outside the JS heap\n\n");
    for line in lines {
        out.push_str(&format!("- {}\n", text(&line)));
    }
}
