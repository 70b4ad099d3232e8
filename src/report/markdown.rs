//! Markdown for pull-request comments: a one-line verdict, the budgets, the top clusters, the
//! new objects by class, and the retainer paths folded away in a `<details>` block.

use super::{
    BudgetReport, DiffReport, FindingReport, SeriesReport, human_bytes, signed_bytes, thousands,
};

/// Makes text safe inside a table cell: no pipes or newlines, no backticks in code spans.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace(['\n', '\r'], " ")
}

fn code(text: &str) -> String {
    format!("`{}`", cell(text).replace('`', "'"))
}

/// Renders the diff report as GitHub-flavoured Markdown, `top` rows per table.
pub fn diff(r: &DiffReport, top: usize) -> String {
    let b = &r.between;
    let mut out = String::new();
    let failed = r.budgets.iter().filter(|x| x.exceeded).count();
    let verdict = if r.budgets.is_empty() {
        String::new()
    } else if failed == 0 {
        " — within budget".to_string()
    } else {
        format!(" — **{failed} budget(s) exceeded**")
    };
    out.push_str(&format!(
        "### heapdiff: {} retained by {} new objects{verdict}\n\n",
        human_bytes(b.retained_size),
        thousands(b.count)
    ));
    out.push_str("| snapshot | file | nodes | total size |\n| --- | --- | ---: | ---: |\n");
    for (label, s) in r.snapshots() {
        out.push_str(&format!(
            "| {label} | {} | {} | {} |\n",
            code(&s.file),
            thousands(s.node_count),
            human_bytes(s.total_size)
        ));
    }
    out.push_str(&format!(
        "\nTotal size {} since base; {} objects allocated since base are still alive \
         ({} shallow, {} retained).\n",
        signed_bytes(r.growth),
        thousands(b.count),
        human_bytes(b.self_size),
        human_bytes(b.retained_size)
    ));
    for w in &r.warnings {
        out.push_str(&format!("\n> **Warning:** {}\n", cell(w)));
    }
    if r.target.is_none() {
        findings(&mut out, &r.findings, false, top);
    }
    budgets(&mut out, &r.budgets);

    out.push_str("\n#### Clusters of new objects\n\n");
    if r.clusters.is_empty() {
        out.push_str("None.\n");
    } else {
        out.push_str(
            "| # | kind | cluster | count | shallow | retained |\n| ---: | --- | --- | ---: | ---: | ---: |\n",
        );
        for c in r.clusters.iter().take(top) {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                c.rank,
                c.kind,
                code(&c.label),
                thousands(c.count),
                human_bytes(c.self_size),
                human_bytes(c.retained_size)
            ));
        }
    }
    for group in &r.lockstep {
        let members: Vec<String> = group
            .members
            .iter()
            .take(6)
            .map(|m| {
                format!(
                    "{} ×{} ({}×)",
                    code(&m.class),
                    thousands(m.count),
                    m.multiple
                )
            })
            .collect();
        out.push_str(&format!(
            "\nLikely allocated together, {} per operation: {}\n",
            thousands(group.unit),
            members.join(", ")
        ));
    }

    out.push_str("\n#### New objects by class\n\n| class | count | shallow | retained |\n| --- | ---: | ---: | ---: |\n");
    for c in r.classes.iter().take(top) {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            code(&c.name),
            thousands(c.count),
            human_bytes(c.self_size),
            human_bytes(c.retained_size)
        ));
    }

    let with_paths = r.top_clusters_with_paths(3);
    if !with_paths.is_empty() {
        out.push_str("\n<details><summary>Retainer paths of the top clusters</summary>\n\n");
        for c in with_paths {
            out.push_str(&format!("**#{}** {}\n\n", c.rank, code(&c.label)));
            for p in &c.paths {
                out.push_str(&format!(
                    "- {}/{}: {}\n",
                    p.count,
                    c.paths_sampled,
                    code(&p.path)
                ));
            }
            out.push('\n');
        }
        out.push_str("</details>\n");
    }
    out
}

/// Renders a series as Markdown: the snapshots and the growing classes and clusters.
pub fn series(r: &SeriesReport, top: usize) -> String {
    let failed = r.budgets.iter().filter(|x| x.exceeded).count();
    let verdict = match (r.budgets.is_empty(), failed) {
        (true, _) => String::new(),
        (false, 0) => " — within budget".to_string(),
        (false, n) => format!(" — **{n} budget(s) exceeded**"),
    };
    let mut out = format!("### heapdiff: trends over a series of snapshots{verdict}\n\n");
    out.push_str("| # | file | nodes | total size |\n| ---: | --- | ---: | ---: |\n");
    for (i, s) in r.snapshots.iter().enumerate() {
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            i + 1,
            code(&s.file),
            thousands(s.node_count),
            human_bytes(s.total_size)
        ));
    }
    for w in &r.warnings {
        out.push_str(&format!("\n> **Warning:** {}\n", cell(w)));
    }
    findings(&mut out, &r.findings, true, top);
    budgets(&mut out, &r.budgets);
    for (title, rows) in [("Classes", &r.classes), ("Clusters", &r.clusters)] {
        out.push_str(&format!(
            "\n#### {title} growing at every step\n\n| name | counts | retained per step |\n| --- | --- | ---: |\n"
        ));
        for t in rows.iter().filter(|t| t.growing).take(top) {
            let counts: Vec<String> = t.counts.iter().map(|&c| thousands(c)).collect();
            out.push_str(&format!(
                "| {} | {} | {} |\n",
                code(&t.name),
                counts.join(" → "),
                signed_bytes(t.retained_slope.round() as i64)
            ));
        }
    }
    out
}

/// The findings as a table: holder, what it gained per step, what it gained; then the paths.
fn findings(out: &mut String, list: &[FindingReport], series: bool, top: usize) {
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
        let note = match f.suspicion {
            Some("one-time-fill") => " (one-time fill?)",
            Some("churn") => " (churning cache?)",
            _ => "",
        };
        let gained: Vec<String> = f
            .step_bytes
            .iter()
            .map(|&b| format!("+{}", human_bytes(b)))
            .collect();
        out.push_str(&format!(
            "| {} | {mark}{}{note} | {} | {} | {} |\n",
            f.rank,
            code(&f.label),
            gained.join(" "),
            thousands(f.gained_count),
            cell(&f.parts_summary(3))
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
        if !f.holder.inside.is_empty() {
            out.push_str(&format!(", inside it {}", code(&f.holder.inside)));
        }
        out.push('\n');
    }
    out.push_str("\n</details>\n");
}

/// The budgets as a table: each one's actual value and whether it was met.
fn budgets(out: &mut String, list: &[BudgetReport]) {
    if list.is_empty() {
        return;
    }
    out.push_str("\n| budget | actual | result |\n| --- | ---: | --- |\n");
    for x in list {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            code(&x.budget),
            x.actual,
            if x.exceeded { "**exceeded**" } else { "ok" }
        ));
    }
}
